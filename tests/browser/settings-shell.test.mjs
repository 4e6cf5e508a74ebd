// settings-shell.test.mjs - the admin console's frame: who gets in, navigation by link and by
// keyboard, the settings code loaded only when opened, phone width.
import { test, run, newPage, newAgent, login, assert, shot, URL_, PHONE } from './lib.mjs';

test('an admin opens the settings from the top bar; the inbox did not load them', async () => {
  const { page } = await newPage();
  const scripts = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
  await login(page);
  assert(!scripts.some((u) => /\/shell-[^/]*\.js$/.test(u)), `the inbox loaded the settings chunk: ${scripts.join(' ')}`);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  assert(scripts.some((u) => /\/shell-[^/]*\.js$/.test(u)), 'the settings chunk is loaded on first use');
  assert((await page.title()).startsWith('Overview'), `title names the screen: ${await page.title()}`);
  const nav = page.getByRole('navigation', { name: 'Settings' });
  assert((await nav.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')) === 'page', 'current area marked');
  await shot(page, 'settings-overview');
  // Keyboard: the back link is reachable and returns to the inbox.
  await nav.getByRole('link', { name: /Inbox/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('tab', { name: /Mine/ }).waitFor();
  // A deep link to an unknown area shows the overview, not a blank page.
  await page.goto(`${URL_}/#/settings/no-such-area`);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
});

test('an agent sees only the settings an agent may change (their saved replies)', async () => {
  const { page } = await newPage();
  await login(page, await newAgent('agent'));
  await page.getByRole('link', { name: 'Settings' }).click();
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await nav.getByRole('link', { name: 'Saved replies' }).waitFor();
  const areas = await nav.getByRole('listitem').allTextContents();
  assert(areas.length === 1 && areas[0] === 'Saved replies', `an agent's areas: ${areas.join(', ')}`);
  // An admin area by its link shows what the agent may open instead.
  await page.goto(`${URL_}/#/settings/agents`);
  await page.getByRole('heading', { level: 1, name: 'Saved replies' }).waitFor();
});

test('phone width: the areas are a row above the screen', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await page.goto(`${URL_}/#/settings`);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  const box = await page.getByRole('navigation', { name: 'Settings' }).boundingBox();
  assert(box && box.width <= PHONE.width + 1, `nav fits the phone: ${JSON.stringify(box)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
  await shot(page, 'settings-phone');
});

await run();
