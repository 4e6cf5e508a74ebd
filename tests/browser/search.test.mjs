// search.test.mjs - the search box: words in messages, a contact's name, handle, email or phone,
// the matching words marked in the list, a typed prefix, best match first.
import { test, run, newPage, login, api, hook, assert, shot, DESKTOP, PHONE } from './lib.mjs';

const tag = `s${Date.now() % 100000}`;
let ch;
const ids = {};

test('setup: three customers, one with an email and a phone', async () => {
  const r = await api('POST', '/api/v1/channels', { type: 'api', name: `Search shop ${tag}`, settings: {} });
  assert(r.status === 201, `channel: ${r.status}`);
  ch = r.body;
  const say = async (key, from, name, text) => {
    const h = await hook(ch, { id: `${tag}-${key}`, from: { id: `${tag}-${from}`, name, handle: `@${from}${tag}` }, text, thread_id: `${tag}-${from}` });
    ids[from] = h.conversation_id;
  };
  await say('1', 'quinn', `Quinn Quarry${tag}`, `my umbrella${tag} handle snapped on the first rainy day`);
  await say('2', 'rita', `Rita Ridge${tag}`, `the umbrella${tag} I ordered is the wrong colour`);
  await say('3', 'sol', `Sol Summit${tag}`, 'where is my order? it has been ten days');
  const conv = (await api('GET', `/api/v1/conversations/${ids.sol}`)).body;
  const p = await api('PATCH', `/api/v1/contacts/${conv.contact_id}`, { email: `sol.summit.${tag}@example.com`, phone: '+44 20 7946 0958' });
  assert(p.status === 200, `contact: ${p.status}`);
});

const rows = (page) => page.locator('#conv-list [data-conv]');
const searchFor = async (page, text) => {
  await page.getByRole('searchbox', { name: 'Search conversations' }).fill(text);
  await page.getByRole('tab', { name: /All open/ }).click();
};
const waitRows = async (page, want) => {
  let got = [];
  for (let k = 0; k < 50; k++) {
    got = (await rows(page).evaluateAll((bs) => bs.map((b) => Number(b.dataset.conv)))).sort();
    if (JSON.stringify(got) === JSON.stringify([...want].sort())) return;
    await page.waitForTimeout(100);
  }
  assert(false, `rows ${got} want ${want}`);
};

test('words in messages: both found, the word marked; a typed prefix; best match first', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await searchFor(page, `umbrella${tag}`);
  await waitRows(page, [ids.quinn, ids.rita]);
  const marks = await page.locator(`#conv-list [data-conv="${ids.quinn}"] .preview mark`).allInnerTexts();
  assert(marks.length === 1 && marks[0].toLowerCase() === `umbrella${tag}`, `marked: ${marks}`);
  await shot(page, 'search-words');
  // Whole words unless a star says otherwise.
  await searchFor(page, `umbrel`);
  await page.getByText('No conversations here.').waitFor();
  await searchFor(page, `umbrel*`);
  for (let k = 0; k < 50 && (await rows(page).count()) < 2; k++) await page.waitForTimeout(100);
  assert((await rows(page).count()) >= 2, 'a typed prefix finds them');
  // Best match first is offered only while searching.
  await searchFor(page, `Quinn Quarry${tag}`);
  await waitRows(page, [ids.quinn]);
  await page.locator('.filters summary').click();
  await page.getByLabel('Order').selectOption('relevance');
  await waitRows(page, [ids.quinn]);
  assert((await page.locator(`#conv-list [data-conv="${ids.quinn}"] .match-field`).innerText()).startsWith('Name'), 'the name matched');
  await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
  assert((await page.getByLabel('Order').locator('option[value="relevance"]').count()) === 0, 'no best match without a search');
  await page.context().close();
});

test('a contact by handle, email and phone (written differently)', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  for (const [q, field] of [[`rita${tag}`, 'Handle'], [`sol.summit.${tag}@example.com`, 'Email'], ['020 7946 0958', null], ['+44 (20) 7946-0958', 'Phone']]) {
    await searchFor(page, q);
    if (!field) {
      // A different number (a leading 0 instead of +44) is not this one.
      for (let k = 0; k < 20 && (await rows(page).count()) > 0; k++) await page.waitForTimeout(100);
      assert(!(await page.locator(`#conv-list [data-conv="${ids.sol}"]`).count()), 'another number does not match');
      continue;
    }
    const want = field === 'Handle' ? ids.rita : ids.sol;
    await waitRows(page, [want]);
    const f = await page.locator(`#conv-list [data-conv="${want}"] .match-field`).innerText();
    assert(f.startsWith(field), `${q}: matched ${f}`);
  }
  await shot(page, 'search-phone');
  await page.context().close();
});

await run();
