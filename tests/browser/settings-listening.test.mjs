// settings-listening.test.mjs - the Listening and API tokens settings screens, end to end:
// a query's back-test shown inline as it is typed (over posts the server saw), its syntax error
// beside the field, add it (the next matching post becomes its mention), switch off, edit and
// delete it; add a stream and see its live state, a bad server beside its field; create a
// token, see its secret once, copy it, use it, revoke it (the token half of the old "security
// (admin)" test). Desktop and phone screenshots.
import { test, run, newPage, login, openSettings, api, assert, shot, URL_, PHONE } from './lib.mjs';

const TAG = `ls${process.pid}`;
const bearer = (tok) => fetch(URL_ + '/api/v1/me', { headers: { Authorization: `Bearer ${tok}` } }).then((r) => r.status);

test('listening: a query is back-tested as it is typed, then added, switched off and deleted', async () => {
  // Posts the server has seen: three mention the tag's kettle, one does not.
  const lines = [
    { id: `${TAG}-1`, platform: 'bluesky', author: 'jane.bsky.social', text: `My ${TAG} kettle is three weeks LATE, still waiting`, lang: 'en' },
    { id: `${TAG}-2`, platform: 'mastodon', author: 'lee@example.social', text: `Anyone tried the ${TAG} kettle? Worth it?`, lang: 'en' },
    { id: `${TAG}-3`, platform: 'bluesky', author: 'sam.bsky.social', text: `The ${TAG} kettle arrived late and broken <img src=x onerror=alert(1)>`, lang: 'en' },
    { id: `${TAG}-4`, platform: 'bluesky', author: 'ola.bsky.social', text: 'the weather is nice today', lang: 'en' },
  ].map((x) => JSON.stringify(x)).join('\n');
  const ing = await fetch(URL_ + '/api/v1/listening/ingest', { method: 'POST', headers: { Authorization: `Bearer ${process.env.HARK_TOKEN}` }, body: lines });
  assert(ing.status === 200, `ingest: HTTP ${ing.status}`);

  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'listening', 'Listening');
  const form = page.getByRole('form', { name: 'New query' });
  const q = form.getByLabel('What to look for');
  await q.fill(`${TAG} AND (late OR`);
  // The syntax error is beside the field, in words, with the column.
  await form.getByText(/At column \d+: expected a term after OR/).waitFor();
  await q.fill(`${TAG} kettle late`);
  await form.getByLabel('Back-test').getByText(/^Matches 2 of the last \d+ posts$/).waitFor();
  const ex = form.getByRole('list', { name: 'Matching posts' });
  assert((await ex.getByRole('listitem').count()) === 2, 'two examples');
  await ex.getByText('sam.bsky.social').waitFor();
  await ex.getByText('late', { exact: true }).first().waitFor(); // the terms found
  // The post's markup is shown as text, never run.
  await ex.getByText('<img src=x onerror=alert(1)>', { exact: false }).waitFor();
  assert(!(await page.getByText(/At column/).count()), 'the fixed query shows no error');
  await form.getByLabel('Name').fill(`${TAG} late kettles`);
  await shot(page, 'settings-listening-backtest');
  await form.getByRole('button', { name: 'Add query' }).click();
  await form.getByText(`Query “${TAG} late kettles” added.`).waitFor();
  assert((await q.inputValue()) === '', 'the new-query form is empty again');
  const list = page.getByRole('list', { name: 'Queries' });
  await list.getByText(`${TAG} late kettles`).waitFor();
  let stored = (await api('GET', '/api/v1/listening/queries')).body.items.find((x) => x.name === `${TAG} late kettles`);
  assert(stored && stored.query === `${TAG} kettle late` && stored.active, `stored: ${JSON.stringify(stored)}`);
  // Its effect: the next matching post becomes a mention of it; a post it does not match does not.
  const more = [
    { id: `${TAG}-5`, platform: 'bluesky', author: 'kim.bsky.social', text: `${TAG} kettle late again`, lang: 'en' },
    { id: `${TAG}-6`, platform: 'bluesky', author: 'kim.bsky.social', text: `${TAG} kettle on time`, lang: 'en' },
  ].map((x) => JSON.stringify(x)).join('\n');
  const r2 = await fetch(URL_ + '/api/v1/listening/ingest', { method: 'POST', headers: { Authorization: `Bearer ${process.env.HARK_TOKEN}` }, body: more });
  assert(r2.status === 200, `ingest: HTTP ${r2.status}`);
  const ms = (await api('GET', `/api/v1/listening/mentions?query=${stored.id}`)).body.items.map((m) => m.external_id);
  assert(ms.length === 1 && ms[0] === `${TAG}-5`, `mentions of the new query: ${JSON.stringify(ms)}`);

  // Switch it off from the list, from the keyboard.
  await list.getByLabel(`Active: ${TAG} late kettles`).focus();
  await page.keyboard.press('Space');
  await page.getByText(`“${TAG} late kettles” is off`).waitFor();
  stored = (await api('GET', `/api/v1/listening/queries/${stored.id}`)).body;
  assert(stored.active === false, 'switched off through the API');

  // Edit: a broken query is refused beside the field and the typed text stays.
  await list.getByRole('button', { name: `Edit ${TAG} late kettles` }).click();
  const edit = page.getByRole('form', { name: `Edit query ${TAG} late kettles` });
  await edit.getByLabel('What to look for').fill(`${TAG} (kettle`);
  await edit.getByRole('button', { name: 'Save query' }).click();
  await edit.getByText(/At column \d+: expected '\)'/).first().waitFor();
  assert((await edit.getByLabel('What to look for').inputValue()) === `${TAG} (kettle`, 'typed text kept');
  await edit.getByLabel('What to look for').fill(`${TAG} kettle`);
  await edit.getByText(/^Matches 5 of the last/).waitFor(); // three before, two ingested since
  await edit.getByRole('button', { name: 'Save query' }).click();
  await page.getByText(`Query “${TAG} late kettles” saved.`).waitFor();
  assert((await api('GET', `/api/v1/listening/queries/${stored.id}`)).body.query === `${TAG} kettle`, 'edit stored');

  // Delete asks first.
  await list.getByRole('button', { name: 'Delete' }).last().click();
  await list.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText(`Query “${TAG} late kettles” deleted.`).waitFor();
  assert((await api('GET', `/api/v1/listening/queries/${stored.id}`)).status === 404, 'deleted');
});

test('listening: add a stream, see it try, fix a bad server beside the field, pause and delete it', async () => {
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'listening', 'Listening');
  const form = page.getByRole('form', { name: 'New stream' });
  // A server with a space is refused beside the Server field; what was typed stays.
  await form.getByLabel('Server', { exact: true }).fill('127.0.0.1:1 oops');
  await form.getByLabel('Secure connection').uncheck();
  await form.getByRole('button', { name: 'Add stream' }).click();
  await form.locator('.field-error').first().waitFor();
  assert((await form.getByLabel('Server', { exact: true }).getAttribute('aria-invalid')) === 'true', 'the Server field is marked');
  assert((await form.getByLabel('Server', { exact: true }).inputValue()) === '127.0.0.1:1 oops', 'typed text kept');
  await shot(page, 'settings-listening-stream-error');
  await form.getByLabel('Server', { exact: true }).fill('127.0.0.1:1');
  await form.getByRole('button', { name: 'Add stream' }).click();
  await form.getByText('Stream 127.0.0.1:1 added.').waitFor();
  const streams = page.getByRole('list', { name: 'Streams' });
  const row = streams.getByRole('listitem').filter({ hasText: '127.0.0.1:1' });
  await row.getByText('Bluesky (Jetstream)').waitFor();
  // Nothing listens there: the screen says it cannot reach it and keeps trying.
  await row.getByText(/Cannot reach the server \(\d+ tr(y|ies) in a row\); still trying/).waitFor({ timeout: 20000 });
  const src = (await api('GET', '/api/v1/listening/sources')).body.items.find((s) => s.spec === 'jetstream://127.0.0.1:1');
  assert(src && src.active && src.tls === false, `stored: ${JSON.stringify(src)}`);
  await shot(page, 'settings-listening-streams');
  // Edit it into a Mastodon stream with a token; the token is never shown back.
  await row.getByRole('button', { name: 'Edit stream 127.0.0.1:1' }).click();
  const edit = page.getByRole('form', { name: 'Edit stream 127.0.0.1:1' });
  await edit.getByLabel('Platform').selectOption('mastodon');
  await edit.getByLabel('Server', { exact: true }).fill('127.0.0.1:2');
  await edit.getByLabel(/Access token/).fill('secret-token-1');
  await edit.getByLabel('Read it now').uncheck();
  await edit.getByRole('button', { name: 'Save stream' }).click();
  await page.getByText('Stream 127.0.0.1:2 saved.').waitFor();
  const listed = (await api('GET', '/api/v1/listening/sources')).body.items.find((s) => s.id === src.id);
  assert(listed.spec === 'mastodon://127.0.0.1:2' && listed.has_token && !listed.active, `edited: ${JSON.stringify(listed)}`);
  assert(!(await page.content()).includes('secret-token-1'), 'the token is not on the page');
  const row2 = streams.getByRole('listitem').filter({ hasText: '127.0.0.1:2' });
  await row2.getByText('Paused').waitFor();
  await row2.getByRole('button', { name: 'Delete' }).click();
  await row2.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText('Stream 127.0.0.1:2 deleted.').waitFor();
  assert(!(await api('GET', '/api/v1/listening/sources')).body.items.some((s) => s.id === src.id), 'deleted');
});

test('tokens: create one, see the secret once, copy it, use it, revoke it', async () => {
  const { ctx, page } = await newPage();
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: URL_ });
  await login(page);
  await openSettings(page, 'tokens', 'API tokens');
  const form = page.getByRole('form', { name: 'New token' });
  // The API's refusal shows beside the field.
  await form.getByRole('button', { name: 'Create token' }).click();
  await form.locator('#' + (await form.getByLabel('Name').getAttribute('id')) + '-err').waitFor();
  const name = `zapier-${TAG}`;
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('What it may do').selectOption('agent');
  await form.getByLabel('Stops working').selectOption('30');
  await form.getByRole('button', { name: 'Create token' }).click();
  const box = page.getByRole('group', { name: `New token ${name}` });
  const secret = await box.getByLabel(/it is shown only once/).inputValue();
  assert(secret.startsWith('hark_'), `secret shown: ${secret}`);
  await box.getByRole('button', { name: 'Copy' }).click();
  await box.getByRole('button', { name: 'Copied', exact: true }).waitFor();
  const clip = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
  assert(clip === secret, `the clipboard holds the secret: ${clip}`);
  await shot(page, 'settings-tokens-secret');
  assert((await bearer(secret)) === 200, 'new token works');
  const t = (await api('GET', '/api/v1/tokens')).body.items.find((x) => x.name === name);
  assert(t && t.role === 'agent' && t.expires_at && t.status === 'active', `stored: ${JSON.stringify(t)}`);
  await box.getByRole('button', { name: 'Done, I have copied it' }).click();
  // Shown once: after a reload the secret is nowhere; the list says it was used.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
  const list = page.getByRole('list', { name: 'API tokens' });
  const row = list.getByRole('listitem').filter({ hasText: name });
  await row.getByText(/used just now|used \d+ min ago/).waitFor();
  assert(!(await page.content()).includes(secret), 'the secret is not shown again');
  // Revoke asks first, then the token stops at once.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'No' }).click();
  assert((await bearer(secret)) === 200, 'No keeps the token');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await page.getByText(`Token “${name}” revoked: it stopped working.`).waitFor();
  assert((await bearer(secret)) === 401, 'revoked token refused at once');
  assert((await list.getByText(name).count()) === 0, 'revoked tokens are hidden by default');
  await page.getByRole('button', { name: /Show \d+ revoked or expired/ }).click();
  await list.getByRole('listitem').filter({ hasText: name }).getByText('Revoked', { exact: true }).waitFor();
  await shot(page, 'settings-tokens');
});

test('phone width: listening and tokens fit without sideways scrolling', async () => {
  const { page } = await newPage(PHONE);
  const src = (await api('POST', '/api/v1/listening/sources', { spec: 'mastodon://127.0.0.1:3/api/v1/streaming/hashtag?tag=northwind', active: false })).body;
  const q = (await api('POST', '/api/v1/listening/queries', { name: `${TAG} phone`, query: `(${TAG} OR "a rather long phrase to wrap") NEAR/3 kettle -spam` })).body;
  await login(page);
  for (const [id, title] of [['listening', 'Listening'], ['tokens', 'API tokens']]) {
    await openSettings(page, id, title);
    if (id === 'listening') await page.getByRole('form', { name: 'New query' }).getByLabel('What to look for').fill(`${TAG} kettle`);
    if (id === 'listening') await page.getByText(/^Matches \d+ of the last/).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `${id}: no sideways scrolling: ${overflow}px`);
    await shot(page, `settings-${id}-phone`);
    if (id === 'listening') {
      await page.getByRole('list', { name: 'Streams' }).scrollIntoViewIfNeeded();
      await shot(page, 'settings-listening-streams-phone');
    }
  }
  await api('DELETE', `/api/v1/listening/sources/${src.id}`);
  await api('DELETE', `/api/v1/listening/queries/${q.id}`);
});

await run();
