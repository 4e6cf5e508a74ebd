// csat.test.mjs - customer satisfaction end to end: the admin switches surveys on in the
// "Surveys" settings area (an error beside its field first), a conversation resolved on an API
// channel sends the customer a link, the survey page at phone width takes stars, a comment and
// NPS by keyboard (and says so when answered again), the agent sees the rating in the
// conversation and on their profile, the supervisors' card shows it; the website widget shows
// stars after resolve and takes a rating. axe-core on the survey page, the settings area and
// the widget. The settings are switched off again at the end (the server is shared).
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { test, run, newPage, newAgent, login, openSettings, api, hook, assert, shot, browser, URL_, DESKTOP, PHONE } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const tag = `cs${process.pid}`;
let ch, conv, agent, link, before;

async function axe(page, what) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return out.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert(r.length === 0, `axe on ${what}:\n${r.join('\n')}`);
}

// Polls fn() until it returns a truthy value (bounded).
async function until(what, fn, tries = 80) {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('setup: a conversation from Lena, assigned to a new agent', async () => {
  before = (await api('GET', '/api/v1/settings/surveys')).body;
  agent = await newAgent('agent', 'Ana Ruiz');
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `Kaffee ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  ch = c.body;
  const h = await hook(ch, { id: `sv-${tag}`, from: { id: `lena-${tag}`, name: 'Lena Berg' }, text: 'My grinder broke.' });
  conv = h.conversation_id;
  const a = await api('POST', `/api/v1/conversations/${conv}/assign`, { agent_id: agent.id });
  assert(a.status === 200, `assign: ${a.status}`);
});

test('the admin switches surveys on in Settings > Surveys, an error beside its field first', async () => {
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'surveys', 'Surveys');
  const form = page.getByRole('form', { name: 'Survey settings' });
  await form.getByRole('button', { name: 'Save' }).and(page.locator(':not([disabled])')).waitFor();
  await form.getByLabel('Ask customers how we did after each resolved conversation').check();
  await form.getByLabel('Wait after resolving').fill('0');
  await form.getByLabel('Ask the same customer at most once in').fill('0');
  await form.getByLabel('Language').first().fill('english');
  await form.getByLabel('Question in this language').first().fill('How did we do today?');
  await form.getByRole('button', { name: 'Save' }).click();
  const err = form.locator('.field-error');
  await err.waitFor();
  assert(/language/i.test(await err.innerText()), `the error speaks of languages: ${await err.innerText()}`);
  await shot(page, 'csat-settings-error');
  await form.getByLabel('Language').first().fill('en');
  await form.getByLabel('Also ask how likely they are to recommend us (0–10, NPS)').check();
  await form.getByRole('button', { name: 'Add a question' }).click();
  await form.getByLabel('Question 1').fill('What could we do better?');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved. Customers are asked after each resolved conversation.').waitFor();
  const s = (await api('GET', '/api/v1/settings/surveys')).body;
  assert(s.enabled && s.delay_seconds === 0 && s.repeat_days === 0 && s.questions.en === 'How did we do today?' && s.nps_question && s.extra_questions.length === 1,
    `saved: ${JSON.stringify(s)}`);
  await shot(page, 'csat-settings-desktop');
  await axe(page, 'the Surveys settings');
  const { page: phone } = await newPage(PHONE);
  await login(phone);
  await openSettings(phone, 'surveys', 'Surveys');
  await phone.getByLabel('Question 1').waitFor();
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert(wide, 'no sideways scrolling at phone width');
  await shot(phone, 'csat-settings-phone');
});

test('resolving sends the customer a link; the survey page at phone width, by keyboard', async () => {
  let r = await api('POST', `/api/v1/conversations/${conv}/messages`, { text: 'Hi Lena, a new grinder is on its way.' });
  assert(r.status === 201, `reply: ${r.status} ${JSON.stringify(r.body)}`);
  r = await api('POST', `/api/v1/conversations/${conv}/status`, { status: 'resolved' });
  assert(r.status === 200, `resolve: ${r.status}`);
  const out = await until('the survey message', async () => {
    const m = await api('GET', `/api/v1/conversations/${conv}/messages`);
    return m.body.items.find((x) => x.direction === 'out' && x.text.includes('/s/'));
  });
  link = /(https?:\/\/\S+\/s\/[A-Za-z0-9_-]+)/.exec(out.text)?.[1];
  assert(link && link.startsWith(URL_), `a link in the message: ${out.text}`);
  const { page } = await newPage(PHONE);
  await page.goto(link);
  await page.getByRole('heading', { name: `How did Kaffee ${tag} do?` }).waitFor();
  assert((await page.getByText('Lena').count()) === 0, 'nothing of the customer on the page');
  // Sending without stars: the message beside the stars.
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Pick 1 to 5 stars.').waitFor();
  await shot(page, 'csat-page-error');
  // Keyboard: the first star, then arrow right three times = 4 stars.
  await page.getByRole('radio', { name: '1 of 5: Very bad' }).focus();
  await page.keyboard.press('Space');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert(await page.getByRole('radio', { name: '4 of 5: Good' }).isChecked(), '4 stars by arrow keys');
  await page.getByLabel('Anything you would like to tell us? (optional)').fill('<b>Quick</b> and kind');
  await page.getByRole('radio', { name: '9' }).check();
  await page.getByLabel('What could we do better? (optional)').fill('Nothing');
  const noOverflow = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert(noOverflow, 'no sideways scrolling at phone width');
  await shot(page, 'csat-page-phone');
  await axe(page, 'the survey page');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await shot(page, 'csat-page-thanks');
  await page.reload();
  await page.getByText('You have already answered this survey. Thank you!').waitFor();
  const { page: desk } = await newPage(DESKTOP);
  await desk.goto(link);
  await desk.getByText('You have already answered this survey. Thank you!').waitFor();
  await shot(desk, 'csat-page-desktop-answered');
});

test('the agent sees the rating in the conversation and on their profile', async () => {
  for (const [vp, size] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const { page } = await newPage(vp);
    await login(page, agent);
    await page.goto(`${URL_}/#/c/${conv}`);
    await page.locator('.msg.event', { hasText: "Rated 4 ★★★★ — '<b>Quick</b> and kind' · NPS 9" }).waitFor();
    await shot(page, `csat-conversation-${size}`);
    if (size === 'desktop') {
      await page.getByRole('button', { name: 'My profile' }).click();
      await page.getByTestId('my-csat').getByText('4.0 ★').waitFor();
      await shot(page, 'csat-profile');
    }
  }
});

test('the supervisors\' card: average and heroes', async () => {
  const { page } = await newPage();
  await login(page);
  await page.getByTestId('csat').click();
  const card = page.getByRole('group', { name: 'Customer satisfaction' });
  await card.getByText(/customers answered/).waitFor();
  await shot(page, 'csat-card');
  await axe(page, 'the satisfaction card');
  // At phone width the top bar has no room: the card is in the profile dialog.
  const { page: phone } = await newPage(PHONE);
  await login(phone);
  assert(!(await phone.getByTestId('csat').isVisible()), 'no Satisfaction button in the phone top bar');
  await phone.getByRole('button', { name: 'My profile' }).click();
  await phone.getByRole('heading', { name: "The team's customer satisfaction" }).waitFor();
  await phone.getByText(/customers answered/).waitFor();
  await shot(phone, 'csat-card-phone');
  // Maya's own record (she handled none of these) beside the team's.
  await phone.getByText('No ratings yet.', { exact: false }).waitFor();
});

test('the website widget shows stars after resolve and takes a rating', async () => {
  const shop = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><main><h1>Shop</h1></main><script src="${URL_}/widget.js" data-channel="${u.searchParams.get('channel')}" async></script></body></html>`);
  });
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${shop.address().port}`;
  const r = await api('POST', '/api/v1/channels', { type: 'webchat', name: `Survey widget ${tag}`, settings: { brand_name: 'Shop', allowed_origins: [origin] } });
  assert(r.status === 201, `webchat: ${r.status}`);
  const { page } = await newPage(PHONE);
  await page.goto(`${origin}/?channel=${r.body.id}`);
  const w = page.locator('[data-hark-widget]');
  await w.getByRole('button', { name: /Open chat|Ask us/ }).click();
  const box = w.getByRole('textbox', { name: 'Message' });
  await box.fill(`Do you ship to Porto? ${tag}`);
  await box.press('Enter');
  await w.getByText(`Do you ship to Porto? ${tag}`).waitFor();
  const c = await until('the visitor\'s conversation', async () =>
    (await api('GET', `/api/v1/conversations?channel_id=${r.body.id}&limit=50`)).body.items.find((x) => x.preview?.includes(tag)));
  const sent = await api('POST', `/api/v1/conversations/${c.id}/messages`, { text: 'Hi there, yes we ship to Porto.', send_anyway: true });
  assert(sent.status === 201 || sent.status === 200, `reply: ${sent.status}`);
  const res = await api('POST', `/api/v1/conversations/${c.id}/status`, { status: 'resolved' });
  assert(res.status === 200, `resolve: ${res.status}`);
  await w.getByRole('radio', { name: '5 of 5: Very good' }).waitFor();
  await shot(page, 'csat-widget-stars');
  await axe(page, 'the widget with stars');
  await w.getByRole('radio', { name: '5 of 5: Very good' }).check();
  await w.getByRole('textbox', { name: 'Comment (optional)' }).fill('Fast!');
  await w.getByRole('button', { name: 'Send rating' }).click();
  await w.getByText('You rated us 5 of 5').waitFor();
  await shot(page, 'csat-widget-rated');
  const s = await api('GET', `/api/v1/csat?channel=webchat`);
  assert(s.body.answered >= 1, `the widget's rating counted: ${JSON.stringify(s.body)}`);
  shop.close();
});

test('teardown: surveys as they were', async () => {
  const r = await api('PUT', '/api/v1/settings/surveys', { enabled: before.enabled, delay_seconds: before.delay_seconds, repeat_days: before.repeat_days, nps_question: before.nps_question, extra_questions: before.extra_questions, questions: before.questions });
  assert(r.status === 200, `restore: ${r.status}`);
});

await run();
