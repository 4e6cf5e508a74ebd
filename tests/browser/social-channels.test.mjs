// social-channels.test.mjs - Bluesky and Mastodon end to end in chromium: connect each in
// Settings → Channels through its own steps (a refused setting shown beside its field first),
// against the local fakes (tests/fakes/bluesky_fake.py, mastodon_fake.py serve); the check
// turns green after Hark's first look at the notifications. Then a listening mention of each
// platform is converted into a conversation and answered in the app: the composer counts
// Bluesky's graphemes, and the reply is posted on the post itself (Bluesky: reply.parent and
// reply.root strong refs; Mastodon: in_reply_to_id with the toot's visibility). Screenshots at
// desktop and phone widths go to $ARTIFACTS (browser-social-*.png).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, run, newPage, login, openSettings, api, assert, ART, PHONE, URL_, TOKEN } from './lib.mjs';

const FAKES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fakes');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'hark-social-'));
const tag = Date.now().toString(36);
const shot = (page, name) => page.screenshot({ path: path.join(ART, `browser-social-${name}.png`), fullPage: true });

const fakes = [];
async function startFake(name, args) {
  const portFile = path.join(TMP, `${name}.port`);
  const log = path.join(TMP, `${name}.log`);
  fs.writeFileSync(log, '');
  const p = spawn('python3', [path.join(FAKES, `${name}.py`), 'serve', '--port-file', portFile, '--log', log, '--lifetime', '600', ...args],
    { stdio: 'ignore' });
  fakes.push(p);
  for (let i = 0; i < 100 && !(fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8')); i++) await new Promise((r) => setTimeout(r, 50));
  const port = fs.readFileSync(portFile, 'utf8').trim();
  assert(port, `${name} did not start`);
  return { url: `http://127.0.0.1:${port}`, log };
}
const logLines = (f) => fs.readFileSync(f.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const seed = (f, what, obj) => fetch(`${f.url}/_fake/${what}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(obj) });
// Waits (bounded) until 'fn' is true.
async function until(what, fn, tries = 200) {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let bsky, masto, admin;
const POST = 'at://did:plc:jane0000000000000000000/app.bsky.feed.post/3jane' + tag;
const TOOT = `https://m.example/users/lee/statuses/1100${Date.now()}`;

test('setup: the fakes run and an admin opens Settings → Channels', async () => {
  bsky = await startFake('bluesky_fake', ['--password', 'app-pass-1234']);
  masto = await startFake('mastodon_fake', ['--token', 'masto-token-1']);
  await seed(bsky, 'post', { uri: POST, cid: 'bafyjane', author: { did: 'did:plc:jane0000000000000000000', handle: 'jane.bsky.social' },
    record: { text: 'my kettle broke' } });
  await seed(masto, 'status', { id: '4242', uri: TOOT, visibility: 'unlisted', content: '<p>kettle</p>', account: { id: '77', acct: 'lee@m.example' } });
  admin = await newPage();
  await login(admin.page);
  await openSettings(admin.page, 'channels', 'Channels');
});

test('connect Bluesky: a refused setting beside its field, then the steps turn green', async () => {
  const page = admin.page;
  await page.getByRole('button', { name: 'Connect a channel' }).click();
  await page.getByRole('button', { name: /^Bluesky/ }).click();
  await page.getByLabel('Name (your team sees this)').fill(`Bluesky ${tag}`);
  await page.getByLabel('Your Bluesky handle').fill('@shop.example.com');
  await page.getByLabel('App password').fill('app-pass-1234');
  await page.getByLabel('Server (PDS)').fill(bsky.url);
  await page.getByRole('button', { name: 'Continue' }).click();
  const field = page.locator('.field', { has: page.getByLabel('Your Bluesky handle') });
  await field.getByRole('alert').waitFor();
  assert((await page.getByLabel('Your Bluesky handle').getAttribute('aria-invalid')) === 'true', 'handle marked invalid');
  await shot(page, '00-bluesky-field-error');
  await page.getByLabel('Your Bluesky handle').fill('shop.example.com');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText(/Hark signs in with the app password/).waitFor();
  await page.locator('.ch-check-ok').getByText('Bluesky reached Hark').waitFor({ timeout: 20000 });
  await shot(page, '01-bluesky-green');
  await page.getByRole('button', { name: 'Done' }).click();
  const card = page.locator('.ch-card', { hasText: `Bluesky ${tag}` });
  await card.getByText('Working').waitFor();
  assert(!(await page.content()).includes('app-pass-1234'), 'the app password is shown');
  assert(logLines(bsky).some((l) => l.path.endsWith('createSession') && l.status === 200), 'signed in');
});

test('connect Mastodon from the keyboard', async () => {
  const page = admin.page;
  await page.getByRole('button', { name: 'Connect a channel' }).click();
  await page.getByRole('button', { name: /^Mastodon/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Name (your team sees this)').fill(`Mastodon ${tag}`);
  await page.getByLabel('Your server').fill(masto.url);
  await page.getByLabel('Access token').fill('masto-token-1');
  await shot(page, '02-mastodon-form');
  await page.getByLabel('Access token').press('Enter');
  await page.locator('.ch-check-ok').getByText('Mastodon reached Hark').waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Done' }).click();
  await page.locator('.ch-card', { hasText: `Mastodon ${tag}` }).getByText('Working').waitFor();
  await shot(page, '03-cards');
});

// After "Send reply": the robotic-template check may hold a first reply (the customer's name is
// only a handle here); then "Send anyway". Either way the reply ends up sent on the platform.
async function sendThrough(page, words) {
  const sent = page.locator('.msg.out', { hasText: words });
  const anyway = page.getByRole('button', { name: 'Send anyway' });
  await Promise.race([sent.waitFor(), anyway.waitFor()]);
  if ((await sent.count()) === 0) await anyway.click();
  await sent.locator('.delivery.sent').waitFor({ timeout: 20000 });
}

async function convert(platform, id, author, text, type) {
  const chs = await api('GET', '/api/v1/channels');
  const ch = chs.body.items.find((c) => c.name === `${type} ${tag}`);
  assert(ch, `no ${type} channel`);
  const q = await api('POST', '/api/v1/listening/queries', { name: `kettle ${tag} ${platform}`, query: `kettle${tag}` });
  assert(q.status === 201, `query: ${q.status}`);
  const res = await fetch(`${URL_}/api/v1/listening/ingest`, {
    method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/x-ndjson' },
    body: JSON.stringify({ id, platform, author, text: `${text} kettle${tag}`, lang: 'en' }) + '\n',
  });
  assert(res.status === 200, `ingest: ${res.status}`);
  const ms = await api('GET', `/api/v1/listening/mentions?query=${q.body.id}`);
  const m = ms.body.items[0];
  const c = await api('POST', `/api/v1/listening/mentions/${m.id}/convert`, { channel_id: ch.id });
  assert(c.status === 201, `convert: ${c.status}`);
  return c.body.conversation_id;
}

test('a converted Bluesky mention is answered on the post: graphemes counted, strong refs sent', async () => {
  const conv = await convert('bluesky', POST, 'jane.bsky.social', 'My kettle broke', 'Bluesky');
  const page = admin.page;
  await page.goto(`${URL_}/#/c/${conv}`);
  await page.reload(); // the app reads the channels (and their reply limits) when it loads
  const box = page.getByLabel('Reply to the customer');
  await box.waitFor();
  // 👨‍👩‍👧 (three people, two joiners) is one grapheme on Bluesky: "Jane, sorry 👨‍👩‍👧" is 13.
  await box.fill('Jane, sorry \u{1F468}\u200D\u{1F469}\u200D\u{1F467}');
  await page.getByTestId('char-count').getByText('13 / 300').waitFor();
  await box.fill('Jane, sorry about the kettle: a new one ships today, see https://shop.example/k/42');
  await shot(page, '04-bluesky-compose');
  await page.getByRole('button', { name: /^Send (public )?reply$/ }).click();
  await sendThrough(page, 'a new one ships today');
  await shot(page, '05-bluesky-sent');
  const rec = logLines(bsky).find((l) => l.path.endsWith('createRecord') && l.status === 200);
  assert(rec, 'no createRecord');
  assert(rec.record.reply.parent.uri === POST && rec.record.reply.parent.cid === 'bafyjane', 'reply.parent');
  assert(rec.record.reply.root.uri === POST, 'reply.root');
  assert(rec.record.facets?.[0]?.features?.[0]?.uri === 'https://shop.example/k/42', 'link facet');
});

test('a converted Mastodon mention is answered on the toot, as visible as the toot (phone width)', async () => {
  const conv = await convert('mastodon', TOOT, 'lee@m.example', 'Anyone else with a broken', 'Mastodon');
  const { page } = await newPage(PHONE);
  await login(page);
  await page.goto(`${URL_}/#/c/${conv}`);
  await page.reload(); // the app reads the channels (and their reply limits) when it loads
  const box = page.getByLabel('Reply to the customer');
  await box.waitFor();
  await box.fill('@lee@m.example Lee, sorry about that: we are sending a new kettle today.');
  await page.getByRole('button', { name: /^Send (public )?reply$/ }).click();
  await sendThrough(page, 'sending a new kettle');
  await shot(page, '06-mastodon-sent-phone');
  await until('the status in the fake', () => logLines(masto).some((l) => l.path === '/api/v1/statuses' && l.status === 200));
  const st = logLines(masto).find((l) => l.path === '/api/v1/statuses' && l.status === 200);
  assert(st.in_reply_to_id === '4242', `in_reply_to_id: ${st.in_reply_to_id}`);
  assert(st.visibility === 'unlisted', `visibility: ${st.visibility}`);
  await page.context().close();
});

test('teardown', async () => {
  for (const p of fakes) p.kill();
  fs.rmSync(TMP, { recursive: true, force: true });
});

await run();
