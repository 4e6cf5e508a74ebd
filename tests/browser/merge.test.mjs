// merge.test.mjs - one person across channels (issue 18, item 5): two contacts of one customer
// (the same email in another case, the same order number in their messages) are suggested in
// the customer sidebar as "Possibly the same person" with the evidence; an agent sees it but
// cannot merge; a supervisor merges through a confirm step naming what moves (Escape closes it
// first), the sidebar then shows one person with both handles and both conversations, and Undo
// right after puts everything back; at phone width the merge is undone from the contact's
// history, and "Not the same person" is remembered. axe-core (WCAG 2.1 AA) on each state;
// screens at 1440x900 and 390x844 (tests/artifacts/browser-merge-*.png).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { test, run, newPage, newAgent, login, api, hook, assert, shot, URL_, PHONE } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
async function axe(p, what) {
  await p.evaluate(AXE);
  const r = await p.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return out.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert(r.length === 0, `axe on ${what}:\n${r.join('\n')}`);
}

async function until(what, fn, tries = 80) {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const tag = `mrg${process.pid}`;
const ORDER = String(100000 + (process.pid % 800000));
const NAME = `Nora Num ${tag}`;
const OTHER = `N. Num ${tag}`;
const EMAIL = `nora-${tag}@example.com`;
let ch, conv1, conv2, nora, other, agent, sup;

const contactOf = async (conv) => (await api('GET', `/api/v1/conversations/${conv}`)).body.contact_id;

test('setup: Nora writes from two identities', async () => {
  agent = await newAgent('agent', 'Abe Agent');
  sup = await newAgent('supervisor', 'Sia Super');
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `Shop ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  ch = c.body;
  conv1 = (await hook(ch, { id: `a-${tag}`, from: { id: `wa-${tag}`, name: NAME, handle: `nora_wa_${tag}` }, text: `Where is my order #${ORDER}?` })).conversation_id;
  conv2 = (await hook(ch, { id: `b-${tag}`, from: { id: `mail-${tag}`, name: OTHER, handle: `nora_mail_${tag}` }, text: `About order ${ORDER}: the box was crushed` })).conversation_id;
  nora = await contactOf(conv1);
  other = await contactOf(conv2);
  assert(nora !== other, 'two contacts');
  assert((await api('PATCH', `/api/v1/contacts/${nora}`, { email: EMAIL })).status === 200, 'email');
  assert((await api('PATCH', `/api/v1/contacts/${other}`, { email: EMAIL.toUpperCase(), location: 'Hamburg' })).status === 200, 'email 2');
  const s = await api('GET', `/api/v1/contacts/${nora}/merge-suggestions`);
  assert(s.body.items.some((i) => i.contact.id === other), `suggested: ${JSON.stringify(s.body)}`);
});

test('an agent sees the suggestion with its evidence, without a Merge button', async () => {
  const { page } = await newPage();
  await login(page, agent);
  await page.goto(`${URL_}/#/c/${conv1}`);
  await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
  const box = page.getByTestId('merge-suggestions');
  await box.getByRole('heading', { name: 'Possibly the same person' }).waitFor();
  const item = box.getByTestId('merge-suggestion').filter({ hasText: OTHER });
  await item.getByText(`Same email: ${EMAIL.toUpperCase()}`, { exact: false }).or(item.getByText(`Same email: ${EMAIL}`)).first().waitFor();
  await item.getByText(`Same order number: #${ORDER}`).waitFor();
  await item.getByText('A supervisor or admin can merge them.').waitFor();
  assert((await item.getByRole('button', { name: /Merge/ }).count()) === 0, 'an agent gets no Merge button');
  await shot(page, 'merge-suggestion-agent-desktop');
  await axe(page, 'the suggestion, as an agent');
  await page.close();
});

test('a supervisor merges (confirm names what moves); one person; Undo right after', async () => {
  const { page } = await newPage();
  await login(page, sup);
  await page.goto(`${URL_}/#/c/${conv1}`);
  await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
  const item = page.getByTestId('merge-suggestion').filter({ hasText: OTHER });
  await item.getByText(`Same order number: #${ORDER}`).waitFor();
  await shot(page, 'merge-suggestion-desktop');
  // Keyboard: open the confirm step, Escape closes it, nothing merged.
  await item.getByRole('button', { name: `Merge… ${OTHER}` }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: `Merge ${OTHER} into ${NAME}?` });
  await dlg.waitFor();
  // The confirm step takes focus (its Merge button), so Escape reaches it.
  await until('focus in the dialog', () => dlg.evaluate((d) => d.contains(document.activeElement)));
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  assert((await contactOf(conv2)) === other, 'Escape merged nothing');
  await item.getByRole('button', { name: `Merge… ${OTHER}` }).click();
  const moves = dlg.getByTestId('merge-moves');
  await moves.getByText(`API nora_mail_${tag}`).waitFor();
  await moves.getByText('1 conversation').waitFor();
  await dlg.getByText(`Filled in from ${OTHER}: location.`).waitFor();
  await shot(page, 'merge-dialog-desktop');
  await axe(page, 'the merge confirm step');
  await dlg.getByRole('button', { name: 'Merge', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  const msg = page.getByTestId('merge-msg');
  await msg.getByText(`Merged. ${OTHER} is now part of ${NAME}.`).waitFor();
  assert((await contactOf(conv2)) === nora, 'the conversation moved');
  // One person: both handles and both conversations in the sidebar, the suggestion gone.
  const side = page.getByRole('complementary', { name: 'Customer' });
  await side.locator('.handles').getByText(`nora_mail_${tag}`).waitFor();
  await side.locator('.handles').getByText(`nora_wa_${tag}`).waitFor();
  await side.locator('.past').getByText('the box was crushed', { exact: false }).waitFor();
  await side.locator('.past').getByText(`Where is my order #${ORDER}`, { exact: false }).waitFor();
  await until('the suggestion to go', async () => (await page.getByTestId('merge-suggestion').filter({ hasText: OTHER }).count()) === 0);
  await page.getByTestId('merge-history').getByText(`${OTHER} merged in`).waitFor();
  await shot(page, 'merge-merged-desktop');
  await axe(page, 'one person after the merge');
  // Undo right after.
  await msg.getByRole('button', { name: 'Undo' }).click();
  await msg.getByText(`Merge undone. ${OTHER} is a separate contact again.`).waitFor();
  assert((await contactOf(conv2)) === other, 'the conversation went back');
  await until('the handle to leave', async () => (await side.locator('.handles').getByText(`nora_mail_${tag}`).count()) === 0);
  await page.getByTestId('merge-suggestion').filter({ hasText: OTHER }).waitFor();
  const c = await api('GET', `/api/v1/contacts/${nora}`);
  assert(c.body.location === null && c.body.identities.length === 1, `fields and identities back: ${JSON.stringify({ l: c.body.location, n: c.body.identities.length })}`);
  await shot(page, 'merge-undone-desktop');
  await page.close();
});

test('at phone width: merge, then undo from the history', async () => {
  const { page } = await newPage(PHONE);
  await login(page, sup);
  await page.goto(`${URL_}/#/c/${conv1}`);
  await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
  await page.getByRole('button', { name: 'Customer' }).click();
  const item = page.getByTestId('merge-suggestion').filter({ hasText: OTHER });
  await item.getByText(`Same order number: #${ORDER}`).waitFor();
  const noOverflow = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert(await noOverflow(), 'no sideways scrolling at phone width');
  await shot(page, 'merge-suggestion-phone');
  await axe(page, 'the suggestion at phone width');
  await item.getByRole('button', { name: `Merge… ${OTHER}` }).click();
  const dlg = page.getByRole('dialog', { name: `Merge ${OTHER} into ${NAME}?` });
  await dlg.getByTestId('merge-moves').getByText('1 conversation').waitFor();
  await shot(page, 'merge-dialog-phone');
  await dlg.getByRole('button', { name: 'Merge', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  const hist = page.getByTestId('merge-history');
  // The merge in force (the earlier one, undone, is listed too).
  const live = hist.getByRole('listitem').filter({ has: page.getByRole('button', { name: `Undo merge of ${OTHER}` }) });
  await live.getByText(`${OTHER} merged in`).waitFor();
  await live.getByText('by Sia Super', { exact: false }).waitFor();
  assert(await noOverflow(), 'no sideways scrolling after the merge');
  await shot(page, 'merge-merged-phone');
  await axe(page, 'one person at phone width');
  await live.getByRole('button', { name: `Undo merge of ${OTHER}` }).click();
  await page.getByTestId('merge-msg').getByText(`Merge undone. ${OTHER} is a separate contact again.`).waitFor();
  await hist.getByText('undone by Sia Super', { exact: false }).first().waitFor();
  assert((await contactOf(conv2)) === other, 'back after the undo from history');
  const m = await api('GET', `/api/v1/contacts/${nora}/merges`);
  assert(m.body.items.length === 2 && m.body.items.every((x) => x.undone_at), `history: ${JSON.stringify(m.body.items.map((x) => x.undone_at))}`);
  // Suggested again; "Not the same person" is remembered.
  const again = page.getByTestId('merge-suggestion').filter({ hasText: OTHER });
  await again.getByRole('button', { name: 'Not the same person' }).click();
  await page.getByTestId('merge-msg').getByText(`${OTHER} will not be suggested again.`).waitFor();
  await until('the suggestion to go', async () => (await again.count()) === 0);
  const s = await api('GET', `/api/v1/contacts/${other}/merge-suggestions`);
  assert(!s.body.items.some((i) => i.contact.id === nora), 'dismissed from both sides');
  await page.close();
});

await run();
