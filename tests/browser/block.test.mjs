// block.test.mjs - blocking an abusive customer (issue 18, item 4): a conversation triaged as
// abuse suggests it (never automatic); the agent blocks with a reason (refused without one,
// beside the field), the conversation leaves the inbox and shows in the Blocked view with its
// marker; the sidebar says who, when and why; an agent cannot unblock, a supervisor can at
// phone width, and the conversation comes back. Keyboard: the dialog closes with Escape.
// Screens at 1440x900 and 390x844 (tests/artifacts/browser-block-*.png).
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

const tag = `blk${process.pid}`;
const NAME = `Trevor Troll ${tag}`;
let ch, conv, contact, agent, sup, page;

// Polls 'fn' (bounded) until it returns true.
async function until(what, fn, tries = 80) {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const rowIn = (p) => p.locator(`[data-conv="${conv}"]`);

test('setup: an abusive message from Trevor, triaged as abuse', async () => {
  agent = await newAgent('agent', 'Bea Block');
  sup = await newAgent('supervisor', 'Sol Super');
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `Shop ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  ch = c.body;
  const h = await hook(ch, { id: `m-${tag}`, from: { id: `troll-${tag}`, name: NAME }, text: 'You are all useless idiots, answer me now' });
  conv = h.conversation_id;
  const full = await api('GET', `/api/v1/conversations/${conv}`);
  contact = full.body.contact_id;
  const msg = full.body.messages.find((m) => m.direction === 'in');
  const t = await api('POST', `/api/v1/messages/${msg.id}/triage`, { intent: 'abuse' });
  assert(t.status === 200, `triage: ${t.status}`);
  const again = await api('GET', `/api/v1/conversations/${conv}`);
  assert(again.body.intent === 'abuse' && again.body.blocked === false, `abuse, not blocked: ${again.body.intent} ${again.body.blocked}`);
});

test('the conversation suggests blocking; the agent blocks with a reason', async () => {
  ({ page } = await newPage());
  await login(page, agent);
  await page.getByRole('tab', { name: /^All open/ }).click();
  await rowIn(page).waitFor();
  await page.goto(`${URL_}/#/c/${conv}`);
  await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
  const suggest = page.getByTestId('block-suggest');
  await suggest.getByText('This looks like abuse. Block this contact?').waitFor();
  await suggest.getByText('Hidden from the queues. Their messages are still kept.').waitFor();
  await shot(page, 'block-suggest-desktop');
  await axe(page, 'the suggestion');
  // Keyboard: open the dialog, Escape closes it and nothing happened.
  await suggest.getByRole('button', { name: 'Block this contact…' }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: `Block ${NAME}?` });
  await dlg.waitFor();
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  assert((await api('GET', `/api/v1/contacts/${contact}/block`)).body.blocked === null, 'Escape blocked nobody');
  // The confirm step: a reason is required, said beside the field.
  await suggest.getByRole('button', { name: 'Block this contact…' }).click();
  await dlg.getByText('Hidden from the queues. Their messages are still kept.', { exact: false }).waitFor();
  await dlg.getByRole('button', { name: 'Block contact' }).click();
  await dlg.getByRole('alert').getByText('Say why you are blocking them.', { exact: false }).waitFor();
  assert((await dlg.getByLabel('Why are you blocking them?').getAttribute('aria-invalid')) === 'true', 'the field is marked');
  await shot(page, 'block-dialog-desktop');
  await axe(page, 'the block dialog with its error');
  await dlg.getByLabel('Why are you blocking them?').fill('Insults the team in every message');
  await dlg.getByRole('button', { name: 'Block contact' }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.getByText('Blocked. Their conversations left the inbox; their messages are still kept.').waitFor();
  await page.getByTestId('conv-blocked').waitFor();
  assert((await page.getByTestId('block-suggest').count()) === 0, 'no suggestion once blocked');
  const b = await api('GET', `/api/v1/contacts/${contact}/block`);
  assert(b.body.blocked?.reason === 'Insults the team in every message' && b.body.blocked?.by_agent_id === agent.id, `stored: ${JSON.stringify(b.body)}`);
  // The sidebar says who, why, and that an agent cannot undo it.
  const box = page.getByTestId('blocked-box');
  await box.getByText(/by Bea Block/).waitFor();
  await box.getByText('“Insults the team in every message”').waitFor();
  await box.getByText('A supervisor or admin can unblock them.').waitFor();
  assert((await box.getByRole('button', { name: 'Unblock…' }).count()) === 0, 'an agent gets no Unblock button');
  await shot(page, 'block-blocked-desktop');
  await axe(page, 'a blocked conversation and its sidebar');
});

test('the conversation left the inbox; the Blocked view shows it', async () => {
  await page.getByRole('tab', { name: /^All open/ }).click();
  await until('the row to leave All open', async () => (await rowIn(page).count()) === 0);
  await page.getByRole('tab', { name: /^Blocked/ }).click();
  await rowIn(page).waitFor();
  await rowIn(page).locator('.chip-blocked', { hasText: 'Blocked' }).waitFor();
  const counts = await api('GET', '/api/v1/conversations/counts');
  assert(counts.body.blocked >= 1, `counted as blocked: ${JSON.stringify(counts.body)}`);
  await shot(page, 'block-view-desktop');
  // The customer writes again: stored, the Blocked row updates live, the inbox stays clean.
  await hook(ch, { id: `m2-${tag}`, from: { id: `troll-${tag}`, name: NAME }, text: 'Still waiting, idiots' });
  await rowIn(page).getByText('Still waiting, idiots').waitFor();
  const full = await api('GET', `/api/v1/conversations/${conv}`);
  assert(full.body.message_count === 2 && full.body.assignee_id === null && full.body.blocked, `stored, not routed: ${JSON.stringify({ n: full.body.message_count, a: full.body.assignee_id })}`);
  const open = await api('GET', '/api/v1/conversations?status=open&limit=200');
  assert(!open.body.items.some((c) => c.id === conv), 'not in the open list');
  await page.getByRole('tab', { name: /^All open/ }).click();
  await until('All open without the row', async () => (await rowIn(page).count()) === 0);
});

test('a supervisor unblocks at phone width; the conversation comes back', async () => {
  const { page: p } = await newPage(PHONE);
  await login(p, sup);
  await p.goto(`${URL_}/#/c/${conv}`);
  await p.getByRole('heading', { level: 1, name: NAME }).waitFor();
  await p.getByTestId('conv-blocked').waitFor();
  await p.getByRole('button', { name: 'Customer' }).click();
  const box = p.getByTestId('blocked-box');
  await box.getByText('“Insults the team in every message”').waitFor();
  const noOverflow = await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert(noOverflow, 'no sideways scrolling at phone width');
  await shot(p, 'block-sidebar-phone');
  await box.getByRole('button', { name: 'Unblock…' }).click();
  const dlg = p.getByRole('dialog', { name: `Unblock ${NAME}?` });
  await dlg.getByText('Their conversations come back to the inbox', { exact: false }).waitFor();
  await shot(p, 'block-unblock-phone');
  await axe(p, 'the unblock dialog at phone width');
  await dlg.getByRole('button', { name: 'Unblock' }).click();
  await dlg.waitFor({ state: 'detached' });
  await p.getByText('Unblocked. Their conversations are back in the inbox.').waitFor();
  await until('the Blocked marker to go', async () => (await p.getByTestId('conv-blocked').count()) === 0);
  const b = await api('GET', `/api/v1/contacts/${contact}/block`);
  assert(b.body.blocked === null && b.body.status === 'customer', `unblocked: ${JSON.stringify(b.body)}`);
  // Back in the agent's All open view (live), gone from Blocked.
  await until('the row back in All open', async () => (await rowIn(page).count()) === 1);
  await page.getByRole('tab', { name: /^Blocked/ }).click();
  await until('the row to leave Blocked', async () => (await rowIn(page).count()) === 0);
});

await run();
