// settings-models.test.mjs - "Triage models": with too few corrections the screen says why; the
// team's corrections (posted through the API) retrain the intent model from the screen, the new model's scores show beside the live one's,
// and rolling back from the screen changes the server's predictions at once; another admin's
// screen follows live; phone width.
import { test, run, newPage, login, api, hook, assert, shot, openSettings, PHONE } from './lib.mjs';

const WORD = `snorkelwhip${process.pid}`; // a product word no shipped example has
let ch;
let n = 0;

async function post(text) {
  n++;
  const r = await hook(ch, { id: `models-${process.pid}-${n}`, from: { id: `models-u${process.pid}-${n}`, name: `Customer ${n}` }, text });
  return r;
}

// The intent a new message gets from the server now.
async function intentOf(text) {
  const r = await post(text);
  const c = await api('GET', `/api/v1/conversations/${r.conversation_id}`);
  return c.body.messages.at(-1).triage.intent;
}

async function models() {
  const r = await api('GET', '/api/v1/triage/models');
  assert(r.status === 200, `GET models: ${r.status}`);
  return r.body;
}

test('with too few corrections, Retrain now says why beside the button and keeps the live model', async () => {
  const st = await models();
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'models', 'Triage models');
  if (st.kinds.some((k) => k.ready)) {
    // Another file on this server corrected enough already: nothing to refuse here.
    console.log('# skipped the refusal: a kind is ready already');
    return;
  }
  await page.getByRole('button', { name: 'Retrain now' }).click();
  const err = page.locator('.models-retrain .form-error');
  await err.waitFor();
  const text = await err.innerText();
  assert(/Too few corrections to judge a new intent model/.test(text) && /correct about \d+ more messages/.test(text), `plain reason: ${text}`);
  assert(!/422|too_few|invalid/.test(text), `no raw codes: ${text}`);
  const after = await models();
  assert(JSON.stringify(after.versions.map((v) => [v.id, v.status])) === JSON.stringify(st.versions.map((v) => [v.id, v.status])), 'nothing changed');
  await shot(page, 'models-too-few');
});

test('setup: the team corrects messages until a retrain can be scored', async () => {
  const r = await api('POST', '/api/v1/channels', { type: 'api', name: `Models ${process.pid}`, settings: {} });
  assert(r.status === 201, `channel: ${r.status}`);
  ch = r.body;
  // Pairs of messages until enough are held back (one in five, by message id): bounded.
  for (let i = 0; i < 120; i++) {
    const a = await post(`${WORD} ${i} keeps wobbling`);
    assert((await api('POST', `/api/v1/messages/${a.message_id}/triage`, { intent: 'spam' })).status === 200, 'correct');
    const b = await post(`my ${WORD} number ${i} arrived, what a lovely ${WORD}`);
    assert((await api('POST', `/api/v1/messages/${b.message_id}/triage`, { intent: 'praise' })).status === 200, 'correct');
    if (i >= 20 && (await models()).kinds.find((k) => k.kind === 'intent').ready) break;
  }
  assert((await models()).kinds.find((k) => k.kind === 'intent').ready, 'intent ready to retrain');
});

test('retrain shows the new scores beside the live ones, and roll back switches back at once', async () => {
  const before = await models();
  const liveBefore = before.versions.find((v) => v.kind === 'intent' && v.status === 'live');
  const predictedBefore = await intentOf(`${WORD} 999 keeps wobbling`);
  assert(predictedBefore !== 'spam', `the live model already knows the word: ${predictedBefore}`);

  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'models', 'Triage models');
  await page.getByRole('heading', { name: /Intent/ }).first().waitFor();
  await page.getByText(/Retraining needs 10 held-back corrections|held back to score/).first().waitFor();
  await shot(page, 'models-before');

  // A second admin watches the same screen.
  const other = await newPage();
  await login(other.page);
  await openSettings(other.page, 'models', 'Triage models');

  // Keyboard: the button is reachable and works with Enter.
  await page.getByRole('button', { name: 'Retrain now' }).focus();
  await page.keyboard.press('Enter');
  const result = page.locator('.models-result');
  await result.getByText(/is now live|did not score better/).waitFor({ timeout: 60000 });
  const text = await result.innerText();
  assert(/is now live/.test(text), `the retrained model should win on the team's own words: ${text}`);
  const table = result.locator('table.models-compare').first();
  await table.getByRole('columnheader', { name: 'New model' }).waitFor();
  await table.getByRole('columnheader', { name: 'Live model then' }).waitFor();
  await table.getByRole('rowheader', { name: /spam/ }).waitFor();
  await table.getByRole('rowheader', { name: /praise/ }).waitFor();
  await shot(page, 'models-after-retrain');

  const after = await models();
  const newLive = after.versions.find((v) => v.kind === 'intent' && v.status === 'live');
  assert(newLive.id !== liveBefore.id && newLive.source === 'retrain', 'a retrained version is live');
  assert(newLive.scores.macro_f1 > newLive.live_scores.macro_f1, 'it scored better than the live one');
  const overall = await table.locator('tr.models-overall td').allInnerTexts();
  assert(overall[0] === String(Math.round(newLive.scores.macro_f1 * 100)) && overall[1] === String(Math.round(newLive.live_scores.macro_f1 * 100)),
    `overall scores shown: ${overall}`);
  assert((await intentOf(`${WORD} 1000 keeps wobbling`)) === 'spam', 'the new model answers at once');

  // Roll back to the version that was live, with a confirmation.
  const row = page.locator(`tr[data-version="${liveBefore.id}"]`);
  await row.getByText(/Previous/).waitFor();
  await row.getByRole('button', { name: 'Roll back' }).click();
  await row.getByRole('button', { name: 'Yes, roll back' }).click();
  await page.getByText(/Rolled back: Intent now uses version/).waitFor();
  await row.getByText('Live', { exact: true }).waitFor();
  assert((await intentOf(`${WORD} 1001 keeps wobbling`)) === predictedBefore, 'predictions are back to the old model');
  // The other admin's screen followed without a reload.
  await other.page.locator(`tr[data-version="${liveBefore.id}"]`).getByText('Live', { exact: true }).waitFor();
  await other.page.locator(`tr[data-version="${newLive.id}"]`).getByText(/Previous/).waitFor();
  await shot(page, 'models-rolled-back');

  // And forward again, by switching to the retrained version.
  const fwd = page.locator(`tr[data-version="${newLive.id}"]`);
  await fwd.getByRole('button', { name: 'Roll back' }).click();
  await fwd.getByRole('button', { name: 'Yes, roll back' }).click();
  await fwd.getByText('Live', { exact: true }).waitFor();
  assert((await intentOf(`${WORD} 1002 keeps wobbling`)) === 'spam', 'switched forward');
});

test('a retrain that cannot be scored says why, beside the button', async () => {
  // Only sentiment asked for, with no sentiment corrections: the API's own words.
  const r = await api('POST', '/api/v1/triage/models/retrain', { kinds: ['sentiment'] });
  assert(r.status === 422 && /too few corrections/.test(r.body.error.message), `sentiment: ${r.status} ${JSON.stringify(r.body)}`);
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'models', 'Triage models');
  const card = page.locator('.models-kind', { has: page.getByRole('heading', { name: /Sentiment/ }) });
  await card.getByText(/Retraining needs 10 held-back corrections/).waitFor();
});

test('phone width: cards, scores and versions fit', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await openSettings(page, 'models', 'Triage models');
  await page.getByRole('button', { name: 'Retrain now' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
  await shot(page, 'models-phone');
  await page.locator('.models-versions summary').first().click();
  await page.locator('.models-versions table.models-compare').first().waitFor();
  await shot(page, 'models-phone-scores');
});

await run();
