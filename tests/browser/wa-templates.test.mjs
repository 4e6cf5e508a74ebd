// wa-templates.test.mjs - issue 21 item 3: the WhatsApp template picker once the 24-hour window
// has closed. The templates come from Meta's Graph API, faked on 127.0.0.1 by
// tests/fakes/meta_fake.py (tests/fakes/wa_templates.json: approved ones over two pages, one
// PENDING and one REJECTED that must not be offered). The picker lists the approved ones,
// searchable and by language; picking one shows what the customer will read, filled live as
// the agent types; Send stays off until every blank is filled; the template reaches the fake
// in Meta's shape and the thread shows it as the customer reads it. A template with a picture
// header is listed but "Not supported here"; without the business account id the picker says
// where to add it. Keyboard only, and at 390x844 and 1440x900.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { test, run, newPage, login, openSettings, api, assert, shot, URL_, DESKTOP, PHONE } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const tag = `t${process.pid}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hark-wat-'));
const LOG = path.join(tmp, 'graph.log');
const WABA = '102290129340398';
const TOKEN_ = 'wat-page-token';
const SECRET = 'wat-app-secret';
let fake = null;
let graph = '';
const convs = {};

async function startFake() {
  const portFile = path.join(tmp, 'graph.port');
  fake = spawn('python3', [path.resolve('../fakes/meta_fake.py'), 'serve', '--port-file', portFile, '--log', LOG,
    '--token', TOKEN_, '--templates', path.resolve('../fakes/wa_templates.json'), '--waba', WABA], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()); i++)
    await new Promise((r) => setTimeout(r, 50));
  return `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}/v19.0`;
}

const graphLog = () => (fs.existsSync(LOG) ? fs.readFileSync(LOG, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

// A WhatsApp channel on the fake and a customer who wrote long ago (the window is closed).
async function waConversation(name, phoneId, settings, who) {
  const r = await api('POST', '/api/v1/channels', { type: 'whatsapp', name, settings: {
    app_secret: SECRET, verify_token: `vt-${phoneId}`, access_token: TOKEN_, phone_number_id: phoneId, api_base: graph, timeout_ms: 2000, ...settings } });
  assert(r.status === 201, `whatsapp channel: ${r.status} ${JSON.stringify(r.body)}`);
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: WABA, changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: phoneId },
    contacts: [{ profile: { name: who }, wa_id: `55119${phoneId.slice(-6)}` }],
    messages: [{ from: `55119${phoneId.slice(-6)}`, id: `wamid.${tag}.${phoneId}`, timestamp: '1700000000', type: 'text', text: { body: 'Where is my parcel?' } }] } }] }] });
  const res = await fetch(`${URL_}/hooks/${r.body.id}`, { method: 'POST', headers: { 'Content-Type': 'application/json',
    'X-Hub-Signature-256': 'sha256=' + crypto.createHmac('sha256', SECRET).update(body).digest('hex') }, body });
  assert(res.status === 200, `whatsapp webhook: ${res.status}`);
  const j = await res.json();
  assert(j.conversation_id, `conversation: ${JSON.stringify(j)}`);
  return j.conversation_id;
}

// axe-core (WCAG 2.1 A and AA) on the picker.
async function axe(page, what) {
  await page.evaluate(AXE); // evaluated by the test driver, which the page's CSP does not govern
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document.querySelector('[data-testid="template-picker"]'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return out.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert(r.length === 0, `axe on ${what}:\n${r.join('\n')}`);
}

async function openConv(page, id) {
  await page.goto(`${URL_}/#/c/${id}`);
  await page.locator('.conv-head h1').waitFor();
}

// The page does not scroll sideways, and the picker's right edge is inside the window.
async function fits(page, what) {
  const r = await page.evaluate(() => {
    const tp = document.querySelector('[data-testid="template-picker"]').getBoundingClientRect();
    return { sw: document.documentElement.scrollWidth, w: window.innerWidth, right: tp.right };
  });
  if (!(r.sw <= r.w && r.right <= r.w)) {
    const wide = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 8).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
    assert(false, `${what}: the picker does not fit (${JSON.stringify(r)}; ${wide.join(', ')})`);
  }
}

test('setup: the Graph fake and two WhatsApp conversations', async () => {
  graph = await startFake();
  const n = String(process.pid).padStart(6, '0').slice(-6);
  convs.ok = await waConversation(`WhatsApp templates ${tag}`, `8000001${n}`, { business_account_id: WABA }, 'Tessa Vale');
  convs.noWaba = await waConversation(`WhatsApp no account ${tag}`, `8000002${n}`, {}, 'Nico Brandt');
});

test('the picker lists the approved templates, searchable and by language', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await openConv(page, convs.ok);
  const tp = page.getByTestId('template-picker');
  await tp.getByText('Send an approved WhatsApp template').waitFor();
  await tp.getByText('6 approved templates').waitFor();
  await tp.getByRole('button', { name: 'Choose a template' }).click();
  const list = tp.getByRole('radiogroup', { name: 'Approved templates' });
  await list.getByRole('radio').first().waitFor();
  const names = await list.locator('.tp-opt strong').allTextContents();
  assert(names.length === 6, `six approved templates over two Graph pages: ${names}`);
  for (const n of ['order update', 'welcome back', 'new collection', 'appointment reminder', 'holiday hours'])
    assert(names.includes(n), `${n} listed: ${names}`);
  assert(!names.includes('spring sale draft') && !names.includes('refund denied'), `PENDING and REJECTED not offered: ${names}`);
  assert(graphLog().filter((l) => l.method === 'GET').length === 2, 'both pages read once');
  // Search by words in the text, then by language.
  await tp.getByLabel('Find a template').fill('closed on');
  await list.locator('.tp-opt').first().getByText('holiday hours', { exact: true }).waitFor();
  assert((await list.locator('.tp-opt').count()) === 1, 'search narrows to one');
  await tp.getByLabel('Find a template').fill('');
  await tp.getByLabel('Language').selectOption({ label: 'Portuguese (Brazil)' });
  await list.locator('.tp-opt', { hasText: 'pt_BR' }).or(list.locator('.tp-opt', { hasText: 'Portuguese' })).first().waitFor();
  assert((await list.locator('.tp-opt').count()) === 1, 'one Portuguese template');
  await tp.getByLabel('Language').selectOption('');
  // A picture header: listed, but not supported here, with the reason.
  await list.getByText('new collection', { exact: true }).click();
  await tp.getByRole('alert').getByText(/Not supported here: .*picture/).waitFor();
  assert((await tp.getByRole('button', { name: 'Send template' }).count()) === 0, 'no send for an unsupported template');
  // Refresh reads Meta again.
  await tp.getByRole('button', { name: 'Refresh list' }).click();
  await tp.getByRole('button', { name: 'Refresh list' }).waitFor();
  for (let i = 0; i < 50 && graphLog().filter((l) => l.method === 'GET').length < 4; i++) await new Promise((r) => setTimeout(r, 100));
  assert(graphLog().filter((l) => l.method === 'GET').length === 4, 'refresh read both pages again');
  await page.context().close();
});

test('filled live, blocked until every blank is filled, sent in Meta\'s shape (keyboard only)', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await openConv(page, convs.ok);
  const tp = page.getByTestId('template-picker');
  const list = tp.getByRole('radiogroup', { name: 'Approved templates' });
  // Keyboard: open the picker, focus the first template and choose it (order update).
  await tp.getByRole('button', { name: 'Choose a template' }).focus();
  await page.keyboard.press('Enter');
  await list.getByRole('radio').first().focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  assert(await list.getByRole('radio').first().isChecked(), 'arrows choose a template');
  await tp.getByTestId('template-preview').waitFor();
  assert(/Hi \{\{1\}\}, your order \{\{2\}\} is on its way/.test(await tp.getByTestId('template-preview').textContent()), 'blanks shown');
  const sendBtn = tp.getByRole('button', { name: 'Send template' });
  assert(await sendBtn.isDisabled(), 'send blocked with blanks empty');
  await tp.getByTestId('template-left').getByText('Fill in 4 more blanks to send.').waitFor();
  await page.keyboard.press('Tab'); // into the search? no: the radios are one stop; next is the first blank
  const focused = async () => page.evaluate(() => document.activeElement?.id ?? '');
  for (let i = 0; i < 4 && !(await focused()).includes('header'); i++) await page.keyboard.press('Tab');
  assert((await focused()).includes('header'), `the title blank is reachable by Tab: ${await focused()}`);
  await page.keyboard.type('#A-77');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Tessa');
  // Live: the preview shows the name as it is typed.
  await tp.getByTestId('template-preview').getByText('Tessa').waitFor();
  assert(/^Hi Tessa, your order \{\{2\}\}/.test(await tp.getByTestId('template-preview').textContent()), 'filled live');
  await page.keyboard.press('Tab');
  await page.keyboard.type('#A-77 <b>bold</b>');
  assert(await sendBtn.isDisabled(), 'still blocked with one blank left');
  await tp.getByTestId('template-left').getByText('Fill in 1 more blank to send.').waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.type('Friday');
  assert(!(await sendBtn.isDisabled()), 'send allowed once every blank is filled');
  await shot(page, 'wa-templates-filled');
  await page.keyboard.press('Enter');
  await tp.getByText('Template sent.').waitFor();
  await tp.getByRole('button', { name: 'Choose a template' }).click();
  const want = 'Order #A-77\n\nHi Tessa, your order #A-77 <b>bold</b> is on its way. It should arrive by Friday.\n\nSent by Hark Shoes';
  await page.locator('.msg.out', { hasText: 'Hi Tessa, your order #A-77 <b>bold</b> is on its way.' }).waitFor();
  assert((await page.locator('.msg.out b').count()) === 0, 'a value never becomes HTML');
  const msgs = (await api('GET', `/api/v1/conversations/${convs.ok}/messages?limit=5`)).body.items;
  assert(msgs.some((m) => m.text === want), `stored as the customer reads it: ${JSON.stringify(msgs.map((m) => m.text))}`);
  let sent = null;
  for (let i = 0; i < 50 && !sent; i++) {
    sent = graphLog().find((l) => l.method === 'POST' && l.body?.type === 'template');
    if (!sent) await new Promise((r) => setTimeout(r, 100));
  }
  assert(sent, 'the template reached Meta');
  assert(JSON.stringify(sent.body.template) === JSON.stringify({ name: 'order_update', language: { code: 'en_US' }, components: [
    { type: 'header', parameters: [{ type: 'text', text: '#A-77' }] },
    { type: 'body', parameters: [{ type: 'text', text: 'Tessa' }, { type: 'text', text: '#A-77 <b>bold</b>' }, { type: 'text', text: 'Friday' }] }] }),
  `Meta's shape: ${JSON.stringify(sent.body.template)}`);
  // A value WhatsApp would refuse is flagged beside its field, and blocks sending.
  await tp.getByLabel('Find a template').fill('holiday');
  await list.getByText('holiday hours', { exact: true }).click();
  const first = tp.getByLabel(/Text for \{\{1\}\}/);
  await first.fill('Mon    day');
  await tp.getByText('No more than three spaces in a row.').waitFor();
  await axe(page, 'the picker with a template chosen and a value flagged');
  await tp.getByLabel(/Text for \{\{2\}\}/).fill('Tuesday');
  assert(await tp.getByRole('button', { name: 'Send template' }).isDisabled(), 'blocked by a bad value');
  await page.context().close();
});

test('no business account id: the picker says where to add it', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await openConv(page, convs.noWaba);
  const tp = page.getByTestId('template-picker');
  await tp.getByRole('alert').getByText('Add the WhatsApp Business Account ID in Settings → Channels to list templates.').waitFor();
  await axe(page, 'the picker without an account id');
  await shot(page, 'wa-templates-no-account');
  await page.context().close();
});

test('the settings screen asks for the WhatsApp Business Account ID', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  const chs = (await api('GET', '/api/v1/channels')).body.items;
  const ch = chs.find((c) => c.name === `WhatsApp no account ${tag}`);
  await openSettings(page, 'channels', 'Channels');
  await page.getByRole('listitem', { name: ch.name }).getByRole('button', { name: 'Edit' }).click();
  const field = page.getByLabel('WhatsApp Business Account ID');
  await field.waitFor();
  await field.fill('12ab');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText(/digits only/).waitFor();
  await field.fill(WABA);
  await page.getByRole('button', { name: 'Save' }).click();
  for (let i = 0; i < 50; i++) {
    const c = (await api('GET', `/api/v1/channels/${ch.id}`)).body;
    if (c.settings.business_account_id === WABA) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert((await api('GET', `/api/v1/channels/${ch.id}`)).body.settings.business_account_id === WABA, 'saved');
  await page.context().close();
});

test('390x844: the picker fits, a template can be picked and filled', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await openConv(page, convs.ok);
  const tp = page.getByTestId('template-picker');
  await tp.getByRole('button', { name: 'Choose a template' }).click();
  const list = tp.getByRole('radiogroup', { name: 'Approved templates' });
  await list.getByRole('radio').first().waitFor();
  await tp.scrollIntoViewIfNeeded();
  await fits(page, 'phone, the list');
  await list.getByText('appointment reminder', { exact: true }).click();
  await tp.getByLabel(/Text for first name/).fill('Tessa');
  await tp.getByTestId('template-preview').getByText('Tessa').waitFor();
  await tp.getByRole('button', { name: 'Send template' }).scrollIntoViewIfNeeded();
  await fits(page, 'phone, filling');
  await shot(page, 'wa-templates-phone');
  await page.context().close();
});

test('1440x900: the picker fits', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await openConv(page, convs.ok);
  const tp = page.getByTestId('template-picker');
  await tp.getByRole('button', { name: 'Choose a template' }).click();
  await tp.getByRole('radiogroup', { name: 'Approved templates' }).getByRole('radio').first().waitFor();
  await fits(page, 'desktop');
  await shot(page, 'wa-templates-desktop');
  await page.context().close();
});

test('cleanup', async () => {
  fake?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

await run();
