// triage-review.test.mjs - "Review triage" (active learning) end to end: a store's staff member
// sees "Review 5" in the top bar, reviews five messages by mouse (confirm, correct the intent
// in two clicks, correct the mood, skip, confirm) and five by keyboard (Enter, 1-9, U/N/H, S),
// with the progress and the thanks; the answers reach the training export (confirmations as
// labels, skips as nothing) and the admin's Models screen counts them; axe-core (WCAG 2.1 AA
// and axe's best practices) on the panel; 1440x900 and 390x844. The staff member's own store
// keeps the queue to this file's messages, whatever other files put on the shared server.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { test, run, newPage, newAgent, login, api, hook, assert, shot, openSettings, PHONE } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const tag = `rv${process.pid}`;
const STORE = `Review Store ${tag}`;
let staff, page;
const answers = []; // { text, intent, sentiment, skipped }

async function axe(p, what) {
  await p.evaluate(AXE);
  const r = await p.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return out.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert(r.length === 0, `axe on ${what}:\n${r.join('\n')}`);
}

const TEXTS = [
  'where is my order, it was due monday',
  'hmm ok',
  'you charged me twice and nobody answers',
  'love the new store layout, thanks',
  'not sure about this one',
  'can I change my delivery address please',
  'is the blue jacket back in stock soon?',
  'this is the third time I ask',
  'great, whatever',
  'do you open on sundays',
  'meh',
  'the app keeps logging me out',
];

test('setup: twelve messages from customers of one store, and its staff member', async () => {
  staff = await newAgent('store_staff', 'Rita Review');
  const pr = await api('PATCH', `/api/v1/agents/${staff.id}/profile`, { location: STORE });
  assert(pr.status === 200, `profile: ${pr.status} ${JSON.stringify(pr.body)}`);
  const c = await api('POST', '/api/v1/channels', { type: 'api', name: `Shop ${tag}`, settings: {} });
  assert(c.status === 201, `channel: ${c.status}`);
  for (const [i, t] of TEXTS.entries()) {
    const h = await hook(c.body, { id: `${tag}-${i}`, from: { id: `${tag}-u${i}`, name: `Customer ${i + 1}` }, text: `${t} (${tag}-${i})` });
    const conv = await api('GET', `/api/v1/conversations/${h.conversation_id}`);
    const p = await api('PATCH', `/api/v1/contacts/${conv.body.contact.id}`, { location: STORE });
    assert(p.status === 200, `contact: ${p.status}`);
  }
});

// The panel's current message: its text and the chips' values (from their names).
// Waits for the next message (the progress line can change a moment before the item does, and
// reading the previous item's chips would pick a "correction" equal to the new one's guess).
let lastText = '';
async function current(dlg) {
  const item = dlg.getByTestId('review-item');
  await item.waitFor();
  let text = '';
  for (let k = 0; k < 80; k++) {
    text = (await item.locator('blockquote').innerText()).trim();
    if (text !== lastText) break;
    await dlg.page().waitForTimeout(100);
  }
  assert(text !== lastText, `the panel moved on from "${lastText}"`);
  lastText = text;
  const intent = /^Intent: (.*)\. Change$/.exec(await dlg.getByRole('button', { name: /^Intent: / }).getAttribute('aria-label'))[1];
  const mood = /^Mood: (.*)\. Change$/.exec(await dlg.getByRole('button', { name: /^Mood: / }).getAttribute('aria-label'))[1];
  return { text, intent, mood };
}
const progress = (dlg, n) => dlg.getByTestId('review-progress').filter({ hasText: `${n} of 5 reviewed` }).waitFor();
const INTENT_WORDS = ['Question', 'Complaint', 'Request', 'Praise', 'Wants to buy', 'Feedback', 'Spam', 'Abuse', 'Other'];
const INTENT_CODES = ['question', 'complaint', 'request', 'praise', 'purchase_intent', 'feedback', 'spam', 'abuse', 'other'];
const MOODS = { Unhappy: 'negative', Neutral: 'neutral', Happy: 'positive' };
const intentCode = (w) => INTENT_CODES[INTENT_WORDS.indexOf(w)];

test('review five by mouse: confirm, correct the intent, correct the mood, skip, confirm', async () => {
  ({ page } = await newPage());
  await login(page, staff);
  const open = page.getByTestId('review-open');
  await open.filter({ hasText: 'Review 5' }).waitFor();
  await shot(page, 'review-topbar-desktop');
  await open.click();
  const dlg = page.getByRole('dialog', { name: 'Review triage' });
  await progress(dlg, 0);
  await shot(page, 'review-panel-desktop');
  await axe(page, 'the review panel');

  let m = await current(dlg);
  await dlg.getByRole('button', { name: 'Confirm' }).click();
  answers.push({ text: m.text, intent: intentCode(m.intent), sentiment: MOODS[m.mood] });
  await progress(dlg, 1);

  m = await current(dlg);
  const fix = m.intent === 'Question' ? 'Request' : 'Question';
  await dlg.getByRole('button', { name: /^Intent: / }).click();              // click 1
  await dlg.getByRole('group', { name: 'Correct the intent' }).getByRole('button', { name: fix, exact: true }).click(); // click 2
  await dlg.getByRole('button', { name: `Intent: ${fix}. Change` }).waitFor();
  await dlg.getByText('You changed the guess').waitFor();
  await axe(page, 'the review panel with a correction');
  await dlg.getByRole('button', { name: 'Save correction' }).click();
  answers.push({ text: m.text, intent: intentCode(fix), sentiment: MOODS[m.mood] });
  await progress(dlg, 2);

  m = await current(dlg);
  const mood = m.mood === 'Happy' ? 'Unhappy' : 'Happy';
  await dlg.getByRole('button', { name: /^Mood: / }).click();
  await dlg.getByRole('group', { name: 'Correct the mood' }).getByRole('button', { name: mood, exact: true }).click();
  await dlg.getByRole('button', { name: 'Save correction' }).click();
  answers.push({ text: m.text, intent: intentCode(m.intent), sentiment: MOODS[mood] });
  await progress(dlg, 3);

  m = await current(dlg);
  await dlg.getByRole('button', { name: 'Skip' }).click();
  answers.push({ text: m.text, skipped: true });
  await progress(dlg, 4);

  m = await current(dlg);
  await dlg.getByRole('button', { name: 'Confirm' }).click();
  answers.push({ text: m.text, intent: intentCode(m.intent), sentiment: MOODS[m.mood] });
  await dlg.getByText('Thanks — the model learns from these at the next retrain.').waitFor();
  await progress(dlg, 5);
  await dlg.getByText('2 confirmed, 2 corrected, 1 skipped.').waitFor();
  await shot(page, 'review-thanks-desktop');
  await axe(page, 'the thanks');
  await dlg.getByRole('button', { name: 'Close' }).last().click();
  await dlg.waitFor({ state: 'detached' });
});

test('review five by keyboard: Enter confirms, 1-9 pick the intent, U/N/H the mood, S skips', async () => {
  const open = page.getByTestId('review-open');
  await open.filter({ hasText: 'Review 5' }).waitFor(); // seven left for this agent (one skipped)
  await open.focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'Review triage' });
  await progress(dlg, 0);

  let m = await current(dlg);
  await page.keyboard.press('Enter'); // Confirm has the focus
  answers.push({ text: m.text, intent: intentCode(m.intent), sentiment: MOODS[m.mood] });
  await progress(dlg, 1);

  m = await current(dlg);
  const key = m.intent === 'Complaint' ? '6' : '2'; // Feedback or Complaint
  const word = INTENT_WORDS[Number(key) - 1];
  await page.keyboard.press(key);
  await dlg.getByRole('button', { name: `Intent: ${word}. Change` }).waitFor();
  await dlg.getByRole('button', { name: 'Save correction' }).waitFor();
  await page.keyboard.press('Enter');
  answers.push({ text: m.text, intent: intentCode(word), sentiment: MOODS[m.mood] });
  await progress(dlg, 2);

  m = await current(dlg);
  const [mk, mw] = m.mood === 'Neutral' ? ['u', 'Unhappy'] : ['n', 'Neutral'];
  await page.keyboard.press(mk);
  await dlg.getByRole('button', { name: `Mood: ${mw}. Change` }).waitFor();
  await page.keyboard.press('Enter');
  answers.push({ text: m.text, intent: intentCode(m.intent), sentiment: MOODS[mw] });
  await progress(dlg, 3);

  m = await current(dlg);
  await page.keyboard.press('s');
  answers.push({ text: m.text, skipped: true });
  await progress(dlg, 4);

  m = await current(dlg);
  await page.keyboard.press('Enter');
  answers.push({ text: m.text, intent: intentCode(m.intent), sentiment: MOODS[m.mood] });
  await dlg.getByText('Thanks — the model learns from these at the next retrain.').waitFor();
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  // Focus went back to the top bar's button, which now counts what is left (two).
  await open.filter({ hasText: 'Review 2' }).waitFor();
  assert(await open.evaluate((el) => el === document.activeElement), 'focus back on the Review button');
});

test('the answers are training labels: confirmations and corrections exported, skips not', async () => {
  const [intents, moods] = await Promise.all([
    api('GET', '/api/v1/triage/corrections?model=intent'), api('GET', '/api/v1/triage/corrections?model=sentiment')]);
  const lines = (body) => body.split('\n');
  for (const a of answers) {
    const i = lines(intents.body).filter((l) => l.endsWith(` ${a.text}`));
    const s = lines(moods.body).filter((l) => l.endsWith(` ${a.text}`));
    if (a.skipped) {
      assert(i.length === 0 && s.length === 0, `a skip records nothing: ${a.text}: ${i} ${s}`);
      continue;
    }
    assert(i.length === 1 && i[0] === `__label__${a.intent} ${a.text}`, `intent of "${a.text}": ${JSON.stringify(i)}, want ${a.intent}`);
    assert(s.length === 1 && s[0] === `__label__${a.sentiment} ${a.text}`, `mood of "${a.text}": ${JSON.stringify(s)}, want ${a.sentiment}`);
  }
  assert(answers.length === 10 && answers.filter((a) => a.skipped).length === 2, `ten answers: ${answers.length}`);
});

test('the admin\'s Models screen counts what waits for the next retrain', async () => {
  const st = await api('GET', '/api/v1/triage/models');
  assert(st.status === 200, `models: ${st.status}`);
  const k = st.body.kinds.find((x) => x.kind === 'intent');
  assert(k.since_live_confirmed >= 6 && k.since_live - k.since_live_confirmed >= 2, `counts: ${JSON.stringify(k)}`);
  const { page: admin } = await newPage();
  await login(admin);
  await openSettings(admin, 'models', 'Triage models');
  const corr = k.since_live - k.since_live_confirmed;
  await admin.getByTestId('models-waiting-intent')
    .filter({ hasText: `${k.since_live_confirmed} confirmations and ${corr} correction${corr === 1 ? '' : 's'}` }).waitFor();
  await shot(admin, 'review-models-waiting');
});

test('at phone width: the button and the panel fit, and axe passes', async () => {
  const { page: phone } = await newPage(PHONE);
  await login(phone, staff);
  const open = phone.getByTestId('review-open');
  await open.filter({ hasText: '2' }).waitFor();
  await shot(phone, 'review-topbar-phone');
  await open.click();
  const dlg = phone.getByRole('dialog', { name: 'Review triage' });
  await dlg.getByTestId('review-item').waitFor();
  const fits = await dlg.evaluate((el) => el.getBoundingClientRect().left >= 0 && el.getBoundingClientRect().right <= window.innerWidth + 0.5);
  assert(fits, 'the panel fits the phone');
  await shot(phone, 'review-panel-phone');
  await axe(phone, 'the review panel on a phone');
  await dlg.getByRole('button', { name: 'Close' }).click();
  await dlg.waitFor({ state: 'detached' });
});

await run();
