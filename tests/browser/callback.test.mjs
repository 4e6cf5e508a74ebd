// callback.test.mjs - phone callbacks end to end: an agent offers one from a conversation, the
// customer opens the link at phone width in another time zone, picks a time by keyboard (a bad
// number is refused beside its field), and the agent sees the call live in the conversation's
// header and thread and in the top bar's Callbacks, then marks it done; axe-core (WCAG 2.1 AA)
// on the customer's page and the offer dialog; the agent's screens at desktop and phone width.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { test, run, newPage, newAgent, login, api, hook, assert, shot, browser, URL_, DESKTOP, PHONE } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const tag = `cb${process.pid}`;
let ch, conv, agent, agentPage, link;

async function axe(page, what) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return out.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert(r.length === 0, `axe on ${what}:\n${r.join('\n')}`);
}

test('setup: a conversation from Lena, assigned to a new agent', async () => {
  agent = await newAgent('agent', 'Ana Ruiz');
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `Kaffee ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  ch = c.body;
  const h = await hook(ch, { id: `cb-${tag}`, from: { id: `lena-${tag}`, name: 'Lena Berg' }, text: 'My grinder broke. Could someone call me?' });
  conv = h.conversation_id;
  const a = await api('POST', `/api/v1/conversations/${conv}/assign`, { agent_id: agent.id });
  assert(a.status === 200, `assign: ${a.status}`);
});

test('the agent offers a callback from the conversation', async () => {
  ({ page: agentPage } = await newPage());
  await login(agentPage, agent);
  await agentPage.goto(`${URL_}/#/c/${conv}`);
  await agentPage.getByRole('heading', { level: 1, name: 'Lena Berg' }).waitFor();
  await agentPage.getByRole('button', { name: 'Offer a callback' }).click();
  const dlg = agentPage.getByRole('dialog', { name: 'Offer a callback' });
  const text = dlg.getByLabel('Message');
  assert((await text.inputValue()).startsWith('Hi Lena, would a phone call be easier?'), 'the offer uses the customer\'s name');
  await shot(agentPage, 'callback-offer');
  await axe(agentPage, 'the offer dialog');
  await dlg.getByRole('button', { name: 'Send the offer' }).click();
  await agentPage.getByText('Callback offered.').waitFor();
  await agentPage.locator('.msg.out', { hasText: '/callback/' }).waitFor();
  const msgs = await api('GET', `/api/v1/conversations/${conv}/messages`);
  const out = msgs.body.items.filter((m) => m.direction === 'out').pop();
  link = /(https?:\/\/\S+\/callback\/[A-Za-z0-9_-]+)/.exec(out.text)?.[1];
  assert(link && link.startsWith(URL_), `a link in the message: ${out.text}`);
  // The customer's page at desktop width (looking does not use the link up).
  const ctx = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  await page.goto(link);
  await page.getByRole('heading', { name: `Book a call with Kaffee ${tag}` }).waitFor();
  await shot(page, 'callback-page-desktop');
  await ctx.close();
});

test('the customer picks a time at phone width, in their own time zone, by keyboard', async () => {
  const ctx = await browser.newContext({ viewport: PHONE, timezoneId: 'America/Los_Angeles' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(8000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => (errors.push(`dialog ${d.message()}`), d.dismiss()));
  await page.goto(link);
  await page.getByRole('heading', { name: `Book a call with Kaffee ${tag}` }).waitFor();
  await page.getByText('Ana will call you at the time you pick.').waitFor();
  await page.getByText(/Times are in your time zone \(Los Angeles\); the team's time \(UTC\) is shown beside each/).waitFor();
  assert((await page.getByText('Lena').count()) === 0, 'nothing of the customer on the page');
  // Each time shows the customer's clock and the team's.
  const first = page.locator('.cb-time').first();
  const both = await first.innerText();
  assert(/UTC/.test(both), `the team's time beside: ${both}`);
  const noOverflow = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert(noOverflow, 'no sideways scrolling at phone width');
  await shot(page, 'callback-page-phone');
  await axe(page, 'the callback page');
  // Keyboard: focus the first time, arrow to the second, Tab on to the number.
  await page.getByRole('radio').first().focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  const picked = await page.getByRole('radio', { checked: true }).getAttribute('value');
  const second = await page.getByRole('radio').nth(1).getAttribute('value');
  assert(picked === second, `arrow keys pick the next time: ${picked} vs ${second}`);
  const phone = page.getByLabel('Your phone number');
  await phone.fill('0151 2345');
  await page.getByRole('button', { name: 'Book the call' }).click();
  await page.getByText('Write the number with its country code, like +49 151 2345678.').waitFor();
  assert((await phone.getAttribute('aria-invalid')) === 'true', 'the field is marked');
  await shot(page, 'callback-page-error');
  await phone.fill('+49 151 2345678');
  await page.getByLabel('Anything we should know first? (optional)').fill('<b>Mornings</b> are best');
  await page.getByLabel('Anything we should know first? (optional)').press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Your call is booked' }).waitFor();
  await page.getByText('+491512345678').waitFor();
  await shot(page, 'callback-page-booked');
  // The link works once.
  await page.reload();
  await page.getByRole('heading', { name: 'This link does not work any more' }).waitFor();
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await ctx.close();
});

test('the agent sees the call live, and marks it done from Callbacks', async () => {
  const task = agentPage.getByTestId('conv-callbacks');
  await task.getByText('+491512345678').waitFor();
  await agentPage.locator('.msg', { hasText: 'Lena asked to be called on +491512345678' }).waitFor();
  await agentPage.locator('.msg', { hasText: 'Their note: <b>Mornings</b> are best' }).waitFor(); // as text
  const btn = agentPage.getByTestId('callbacks');
  await agentPage.getByRole('button', { name: 'Callbacks 1 to make' }).waitFor();
  await shot(agentPage, 'callback-agent-desktop');
  await btn.click();
  const pop = agentPage.getByRole('group', { name: 'My callbacks' });
  await pop.getByText('Lena Berg').waitFor();
  await shot(agentPage, 'callback-list-desktop');
  await axe(agentPage, 'a conversation with its callback and the Callbacks list');
  await pop.getByRole('button', { name: 'Done' }).click();
  await pop.getByText('No callbacks to make.').waitFor();
  await task.getByRole('button', { name: 'Not done' }).waitFor();
  await task.getByText('Called').waitFor();
  const r = await api('GET', `/api/v1/callbacks?conversation_id=${conv}&done=1`);
  assert(r.body.items[0]?.done_at, 'done in the API');
});

test('phone width: the agent\'s conversation header and Callbacks fit', async () => {
  const { page } = await newPage(PHONE);
  await login(page, agent);
  await page.goto(`${URL_}/#/c/${conv}`);
  await page.getByTestId('conv-callbacks').waitFor();
  await page.getByTestId('conv-callbacks').getByRole('button', { name: 'Not done' }).click();
  await page.getByRole('button', { name: 'Callbacks 1 to make' }).waitFor();
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed')
    .filter((e, _, all) => !all.some((x) => x !== e && e.contains(x)))
    .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)}px)`));
  assert(!wide.length, `no sideways scrolling: ${wide.join(', ')}`);
  await shot(page, 'callback-agent-phone');
  await page.getByTestId('callbacks').click();
  await page.getByRole('group', { name: 'My callbacks' }).getByText('Lena Berg').waitFor();
  await shot(page, 'callback-list-phone');
});

await run();
