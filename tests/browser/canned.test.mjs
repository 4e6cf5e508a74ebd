// canned.test.mjs - saved (canned) replies end to end: type /ref in the composer, pick one, its
// variables filled from the contact (a missing one highlighted), a verbatim send nudged, "Send
// anyway" sent and counted for the agent, "Edit" then a personal line sends without a nudge;
// the settings screen: an agent manages their own replies only (an error beside its field),
// an admin also the team's; desktop and phone.
import { test, run, newPage, newAgent, login, api, hook, assert, shot, openSettings, URL_, MAYA, PHONE } from './lib.mjs';

const tag = process.pid;
let ch;
let refund;

async function overrides(agentEmail) {
  const me = await api('GET', '/api/v1/agents');
  const id = me.body.items.find((a) => a.email === agentEmail)?.id;
  const r = await api('GET', '/api/v1/canned/overrides');
  return r.body.items.find((x) => x.agent_id === id)?.count ?? 0;
}

test('setup: a team reply with variables, a conversation from Ana with an order', async () => {
  const r = await api('POST', '/api/v1/canned', {
    title: 'Refund on its way', shortcut: `refund${tag}`, shared: true, tags: ['billing'],
    bodies: { en: 'Hi {contact.first_name}, {agent.first_name} here: your refund for order {order.ref} is on its way and reaches your card in 3-5 days.' },
  });
  assert(r.status === 201, `create refund: ${r.status} ${JSON.stringify(r.body)}`);
  refund = r.body;
  const p = await api('POST', '/api/v1/canned', {
    title: 'Ready for pick-up', shortcut: `pickup${tag}`, shared: true,
    bodies: { en: 'Hi {contact.first_name}, your order is ready at {contact.attributes.pickup_store}.' },
  });
  assert(p.status === 201, `create pickup: ${p.status}`);
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `Canned ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  ch = c.body;
  const h = await hook(ch, { id: `canned-${tag}`, from: { id: `ana-${tag}`, name: 'Ana Quintero' }, text: 'Hi, where is my refund?' });
  const conv = await api('GET', `/api/v1/conversations/${h.conversation_id}`);
  const patch = await api('PATCH', `/api/v1/contacts/${conv.body.contact_id}`, { attributes: { order_ref: 'A-1042' } });
  assert(patch.status === 200, `attributes: ${patch.status}`);
});

test('type /ref, pick the reply: its variables are filled; a verbatim send is nudged; send anyway', async () => {
  const { page } = await newPage();
  await login(page);
  await page.getByRole('tab', { name: /All open/ }).click();
  await page.locator('.row', { hasText: 'Ana Quintero' }).click();
  const box = page.getByLabel('Reply to the customer');
  await box.click();
  await box.pressSequentially(`/refund${tag}`.slice(0, 4));
  const list = page.getByRole('listbox', { name: 'Saved replies' });
  await list.getByRole('option', { name: /Refund on its way/ }).waitFor();
  await shot(page, 'canned-picker');
  // Filters as you type: the pick-up reply does not match "/ref".
  assert((await list.getByRole('option', { name: /Ready for pick-up/ }).count()) === 0, 'the list filters as you type');
  await box.press('Enter');
  await page.waitForFunction(() => document.querySelector('#composer-text')?.value.startsWith('Hi Ana, Maya here'));
  const text = await box.inputValue();
  assert(text === 'Hi Ana, Maya here: your refund for order A-1042 is on its way and reaches your card in 3-5 days.', `filled: ${text}`);
  assert((await page.locator('.canned-missing').count()) === 0, 'nothing missing');
  const before = await overrides(MAYA.email);
  await page.getByRole('button', { name: 'Send reply' }).click();
  const panel = page.getByRole('alert', { name: 'Before you send' });
  await panel.getByText(/saved reply word for word/).waitFor();
  await shot(page, 'canned-nudge');
  assert((await page.locator('.msg.out', { hasText: 'A-1042' }).count()) === 0, 'held back while nudged');
  await panel.getByRole('button', { name: 'Send anyway' }).click();
  await page.locator('.msg.out', { hasText: 'your refund for order A-1042' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#composer-text')?.value === ''); // emptied once sent
  assert((await overrides(MAYA.email)) === before + 1, 'the override is counted for the agent');
});

test('a missing variable is selected to type over; Edit a nudged reply, add a personal line, and it sends', async () => {
  const { page } = await newPage();
  await login(page);
  await page.getByRole('tab', { name: /All open/ }).click();
  await page.locator('.row', { hasText: 'Ana Quintero' }).click();
  const box = page.getByLabel('Reply to the customer');
  await box.click();
  // Ctrl+/ opens the search box anywhere in the reply.
  await box.press('Control+/');
  await page.getByLabel('Search saved replies').fill('pick-up');
  await page.getByRole('option', { name: /Ready for pick-up/ }).waitFor();
  await page.getByLabel('Search saved replies').press('Enter');
  await page.locator('.canned-missing').getByRole('button', { name: 'Select {contact.attributes.pickup_store} in the reply' }).waitFor();
  // The gap is selected, so typing replaces it.
  const sel = await box.evaluate((el) => el.value.slice(el.selectionStart, el.selectionEnd));
  assert(sel === '{contact.attributes.pickup_store}', `the missing variable is selected: ${sel}`);
  await shot(page, 'canned-missing');
  await page.keyboard.type('the Mitte store');
  await page.locator('.canned-missing').waitFor({ state: 'detached' });
  assert((await box.inputValue()) === 'Hi Ana, your order is ready at the Mitte store.', `gap filled: ${await box.inputValue()}`);
  // The refund reply word for word is nudged; Edit goes back to the text.
  await box.fill('');
  await box.pressSequentially('/ref');
  await page.getByRole('option', { name: /Refund on its way/ }).waitFor();
  await box.press('Enter');
  await page.waitForFunction(() => document.querySelector('#composer-text')?.value.startsWith('Hi Ana, Maya here'));
  await page.getByRole('button', { name: 'Send reply' }).click();
  const panel = page.getByRole('alert', { name: 'Before you send' });
  await panel.waitFor();
  await panel.getByRole('button', { name: 'Edit' }).click();
  assert(await box.evaluate((el) => el === document.activeElement), 'Edit returns to the reply');
  await box.press('End');
  await page.keyboard.type(' Sorry it took longer than we promised, Ana: the courier was stuck in the snow.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.locator('.msg.out', { hasText: 'stuck in the snow' }).waitFor();
  assert((await page.getByRole('alert', { name: 'Before you send' }).count()) === 0, 'no nudge for a personal reply');
});

test('phone width: the picker fits and inserts from the keyboard', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await page.getByRole('tab', { name: /All open/ }).click();
  await page.locator('.row', { hasText: 'Ana Quintero' }).click();
  const box = page.getByLabel('Reply to the customer');
  await box.click();
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const before = await wide();
  await box.pressSequentially('/pick');
  await page.getByRole('option', { name: /Ready for pick-up/ }).waitFor();
  const overflow = await wide();
  console.log(`# overflow before ${before}px, with the picker ${overflow}px`);
  assert(overflow <= Math.max(before, 1), `the picker adds no sideways scrolling: ${before}px -> ${overflow}px`);
  await shot(page, 'canned-picker-phone');
  await box.press('Tab');
  await page.waitForFunction(() => document.querySelector('#composer-text')?.value.startsWith('Hi Ana, your order is ready'));
  await box.press('Escape'); // nothing open: the reply stays
  assert((await box.inputValue()).startsWith('Hi Ana'), 'text kept');
});

test('settings: an agent manages their own replies, not the team’s; errors beside the field', async () => {
  const who = await newAgent('agent', 'Riley Chen');
  const { page } = await newPage();
  await login(page, who);
  await openSettings(page, 'canned', 'Saved replies');
  const team = page.getByRole('region', { name: 'Team replies' });
  await team.getByText('Refund on its way').waitFor();
  assert((await team.getByRole('button', { name: /Edit/ }).count()) === 0, 'no edit on team replies for an agent');
  await page.getByRole('button', { name: 'New saved reply' }).click();
  const form = page.getByRole('form', { name: 'New saved reply' });
  const who_ = form.getByLabel('Who can use it');
  assert((await who_.locator('option').count()) === 1, 'an agent can only add their own');
  await form.getByLabel('Title').fill('My thanks');
  await form.getByLabel('Shortcut').fill('My Thanks!');
  await form.getByLabel('Text in en').fill('Thanks {contact.first_name}, glad I could help!');
  await form.getByRole('button', { name: 'Add reply' }).click();
  const err = form.locator('.field-invalid', { has: page.getByLabel('Shortcut') }).locator('.field-error');
  await err.waitFor();
  assert(/lowercase/.test(await err.textContent()), `shortcut error beside the field: ${await err.textContent()}`);
  assert((await form.getByLabel('Title').inputValue()) === 'My thanks', 'typed input kept');
  await shot(page, 'canned-settings-error');
  await form.getByLabel('Shortcut').fill(`thanks${tag}`);
  await form.getByRole('button', { name: 'Add reply' }).click();
  await page.getByText(`Type /thanks${tag} in a reply to use it.`).waitFor();
  const mine = page.getByRole('region', { name: 'My replies' });
  await mine.getByText('My thanks').waitFor();
  await shot(page, 'canned-settings-agent');
  // Not visible to anyone else.
  const all = await api('GET', `/api/v1/canned?q=thanks${tag}`);
  assert(all.body.items.length === 0, 'a personal reply is invisible to the admin token');
});

test('settings: an admin adds a team reply in two languages; phone width', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await openSettings(page, 'canned', 'Saved replies');
  await page.getByRole('button', { name: 'New saved reply' }).click();
  const form = page.getByRole('form', { name: 'New saved reply' });
  await form.getByLabel('Title').fill('Store hours');
  await form.getByLabel('Shortcut').fill(`hours${tag}`);
  await form.getByLabel('Who can use it').selectOption('team');
  await form.getByLabel('Text in en').fill('Hi {contact.first_name}, we are open 9 to 6.');
  await form.getByRole('button', { name: 'Add a language' }).click();
  await form.getByLabel('Language').nth(1).fill('es');
  await form.getByLabel('Text in es').fill('Hola {contact.first_name}, abrimos de 9 a 18.');
  await shot(page, 'canned-settings-phone-form');
  await form.getByRole('button', { name: 'Add reply' }).click();
  const team = page.getByRole('region', { name: 'Team replies' });
  await team.getByText('Store hours').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
  await shot(page, 'canned-settings-phone');
  // The lead sees who sent replies despite a nudge (Maya, in the first composer test).
  const sent = page.getByRole('region', { name: 'Sent despite a nudge' });
  await sent.getByRole('cell', { name: 'Maya Lopez' }).waitFor();
  await sent.scrollIntoViewIfNeeded();
  await shot(page, 'canned-settings-overrides-phone');
  const r = await api('GET', `/api/v1/canned?q=hours${tag}&lang=es`);
  assert(r.body.items[0]?.shared === true && r.body.items[0]?.body.startsWith('Hola'), `saved shared with es: ${JSON.stringify(r.body.items[0])}`);
});

await run();
