// faq-bot.test.mjs - the FAQ bot (issue 18, item 1) in the app: Settings → FAQ bot lists the FAQs
// with their figures, adds one through the form (an error beside its field first), "Try it"
// shows the closest FAQ, the match and whether the bot would answer (and why not); in a
// conversation the bot's answer is marked as the bot's, and after "HUMAN" the note says why it
// came to a person. axe on both screens; desktop and phone. Everything this file makes carries
// its tag and it filters by it (one server for every file).
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { test, run, newPage, login, api, hook, assert, shot, openSettings, URL_, PHONE } from './lib.mjs';

// The brand's own page on a second origin, for the widget.
const shop = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><main><h1>Shop</h1></main><script src="${URL_}/widget.js" data-channel="${u.searchParams.get('channel')}" async></script></body></html>`);
});

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const tag = `fb${process.pid}`;
let ch;
let hours;
let conv;

async function axe(page, screen) {
  await page.evaluate(AXE);
  const v = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return out.violations.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert(v.length === 0, `axe on ${screen}: ${v.join(' | ')}`);
}

// Polls the API until 'fn' is true (bounded).
async function until(what, fn) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('setup: an api channel with the bot on, an FAQ for opening hours', async () => {
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `FAQ shop ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  ch = c.body;
  const r = await api('POST', '/api/v1/faqs', {
    question: `What are your opening hours? (${tag})`,
    variants: ['When are you open?', 'What time do you open?', 'opening hours', 'When do you close?'],
    answers: { en: 'We are open Monday to Saturday, 9:00 to 18:00.' },
    threshold: 0.3,
  });
  assert(r.status === 201, `faq: ${r.status} ${JSON.stringify(r.body)}`);
  hours = r.body;
  const b = await api('GET', '/api/v1/faq-bot');
  const s = await api('PUT', '/api/v1/faq-bot', { channels: [...b.body.channels, ch.id] });
  assert(s.status === 200, `switch on: ${s.status}`);
});

test('Settings → FAQ bot: the list, a new FAQ with an error beside its field, try it', async () => {
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'faq_bot', 'FAQ bot');
  const row = page.locator('.fb-table tr', { hasText: `(${tag})` });
  await row.waitFor();
  await page.getByRole('button', { name: 'New FAQ' }).click();
  const form = page.getByRole('form', { name: 'New FAQ' });
  await form.getByLabel('Question').fill(`Which shoe sizes do you have? (${tag})`);
  await form.getByLabel('Other ways customers ask it').fill('What sizes do you have?\nsize chart\nDo you have size 46?');
  // No answer written yet: the API's message shows beside the answers.
  await form.getByRole('button', { name: 'Add FAQ' }).click();
  const err = form.locator('.canned-variants .field-error');
  await err.waitFor();
  assert(/Write the answer/.test(await err.textContent()), `answers error: ${await err.textContent()}`);
  assert((await form.getByLabel('Question').inputValue()).includes(tag), 'nothing typed is lost on an error');
  await form.getByLabel('Answer in en').fill('Our shoes come in EU sizes 36 to 47.');
  await form.getByRole('button', { name: 'Add FAQ' }).click();
  await page.locator('.fb-table tr', { hasText: `Which shoe sizes do you have? (${tag})` }).waitFor();
  await page.getByRole('status').filter({ hasText: 'added' }).waitFor();

  // Try it: a plain question is answered, with the closest FAQ and the match.
  const tryForm = page.getByRole('form', { name: 'Try the FAQ bot' });
  await tryForm.getByLabel("A customer's first message").fill('Hi! When are you open on Saturday?');
  await tryForm.getByRole('button', { name: 'Try' }).click();
  const result = page.locator('.fb-result');
  await result.getByText('The bot would answer.').waitFor();
  assert((await result.textContent()).includes(`(${tag})`), `closest FAQ shown: ${await result.textContent()}`);
  assert(/match \d+% \(needs 30%\)/.test(await result.textContent()), `match shown: ${await result.textContent()}`);
  assert((await result.locator('.fb-answer').textContent()).includes('Reply HUMAN to talk to a person'), 'the answer offers a person');
  await shot(page, 'faq-bot-settings');
  await axe(page, 'faq bot settings (try it answered)');
  // ... and an angry one is not, saying why.
  await tryForm.getByLabel("A customer's first message").fill('Your shop is terrible, when are you even open, this is a disgrace!!');
  await tryForm.getByRole('button', { name: 'Try' }).click();
  await result.getByText('The bot would not answer.').waitFor();
  assert(/Why: /.test(await result.textContent()), `why shown: ${await result.textContent()}`);
  await shot(page, 'faq-bot-try-no');
});

test('phone width: the FAQ bot area reads and tries', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await openSettings(page, 'faq_bot', 'FAQ bot');
  await page.locator('.fb-table tr', { hasText: `(${tag})` }).first().waitFor();
  const tryForm = page.getByRole('form', { name: 'Try the FAQ bot' });
  await tryForm.getByLabel("A customer's first message").fill('what time do you open?');
  await tryForm.getByRole('button', { name: 'Try' }).click();
  await page.locator('.fb-result').getByText('The bot would answer.').waitFor();
  await page.locator('.fb-result').scrollIntoViewIfNeeded();
  await shot(page, 'faq-bot-phone');
  await axe(page, 'faq bot settings at 390x844');
});

test('a conversation: the bot answers, marked as the bot; HUMAN brings a person with the note why', async () => {
  const h = await hook(ch, { id: `q-${tag}`, from: { id: `lia-${tag}`, name: 'Lia Moreno' }, text: 'Hi! When are you open on Saturday?' });
  conv = h.conversation_id;
  await until('the bot answer', async () => {
    const c = await api('GET', `/api/v1/conversations/${conv}`);
    return c.body.messages.some((m) => m.bot && m.kind === 'message');
  });
  const { page } = await newPage();
  await login(page);
  await page.goto(`${URL_}/#/c/${conv}`);
  const answer = page.locator('.msg.bot.out');
  await answer.waitFor();
  assert((await answer.locator('.meta').textContent()).includes('FAQ bot'), 'signed as the bot');
  assert((await answer.locator('.meta').textContent()).includes('not a person'), 'marked as not a person');
  assert((await answer.locator('.text').textContent()).includes('Monday to Saturday'), 'the answer shown');
  await shot(page, 'faq-bot-answer');
  await hook(ch, { id: `h-${tag}`, from: { id: `lia-${tag}`, name: 'Lia Moreno' }, text: 'HUMAN' });
  const note = page.locator('.msg.bot.note');
  await note.waitFor();
  const t = await note.textContent();
  assert(t.includes('Why it came to a person') && t.includes('the customer asked for a person'), `handoff note: ${t}`);
  assert(t.includes(`(${tag})`), `the bot's attempt named: ${t}`);
  await shot(page, 'faq-bot-handoff');
  await axe(page, 'conversation with the bot answer and handoff');
  const c = await api('GET', `/api/v1/conversations/${conv}`);
  assert(c.body.status === 'open', `handed off: ${c.body.status}`);
  const f = await api('GET', `/api/v1/faqs/${hours.id}`);
  assert(f.body.stats.answered === 1 && f.body.stats.handed_off === 1, `figures: ${JSON.stringify(f.body.stats)}`);
});

test('the widget: the bot answers a visitor as an automatic answer; "Talk to a person" hands over', async () => {
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${shop.address().port}`;
  const r = await api('POST', '/api/v1/channels', { type: 'webchat', name: `FAQ chat ${tag}`, settings: { brand_name: 'Shop', allowed_origins: [origin] } });
  assert(r.status === 201, `webchat: ${r.status} ${JSON.stringify(r.body)}`);
  const b = await api('GET', '/api/v1/faq-bot');
  assert((await api('PUT', '/api/v1/faq-bot', { channels: [...b.body.channels, r.body.id] })).status === 200, 'bot on for the chat');
  const { page } = await newPage(PHONE);
  await page.goto(`${origin}/?channel=${r.body.id}`);
  const w = page.locator('[data-hark-widget]');
  await w.getByRole('button', { name: /Open chat|Ask us/ }).click();
  const box = w.getByRole('textbox', { name: 'Message' });
  await box.fill('What time do you open?');
  await box.press('Enter');
  await w.getByText('Monday to Saturday').waitFor();
  await w.getByText('Automatic answer', { exact: true }).waitFor();
  await shot(page, 'faq-bot-widget');
  await w.getByRole('button', { name: 'Talk to a person' }).click();
  await w.getByText('HUMAN', { exact: true }).waitFor();
  const convs = (await api('GET', '/api/v1/conversations?status=all&limit=200')).body.items.filter((c) => c.channel_id === r.body.id);
  assert(convs.length === 1, `one visitor conversation: ${JSON.stringify(convs.map((c) => [c.id, c.status, c.preview, c.contact_id]))}`);
  await until('the handoff', async () => {
    const c = await api('GET', `/api/v1/conversations/${convs[0].id}`);
    return c.body.status === 'open' && c.body.messages.some((m) => m.bot && m.kind === 'note');
  });
  shop.close();
});

await run();
