// settings-channels.test.mjs - Settings → Channels end to end in chromium: connect a Messenger
// channel through the guided steps, answer Meta's handshake and send signed test events from
// here (a bad signature first: its plain-words error shows; then a good one: the check turns
// green), a refused setting shown next to its field with the typed input kept, rotate the
// verify token (the old one stops working), and the web chat's look and office hours edited in
// the app and seen in the widget on a shop page of another origin. Screenshots at desktop and
// phone widths go to $ARTIFACTS (browser-channels-*.png).
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { test, run, newPage, login, openSettings, api, assert, URL_, ART, PHONE } from './lib.mjs';

const APP_SECRET = 'fb-app-secret-1';
// Whole pages: the forms are longer than the window.
const shot = (page, name) => page.screenshot({ path: path.join(ART, `browser-channels-${name}.png`), fullPage: true });

const metaSig = (secret, body) => 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');

async function metaEvent(url, secret, mid, text) {
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: '1122334455', time: Date.now(), messaging: [{ sender: { id: '770001' }, recipient: { id: '1122334455' },
      timestamp: Date.now(), message: { mid, text } }] }],
  });
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': metaSig(secret, body) }, body });
  return res.status;
}

// The brand's website, on its own origin.
let shopOrigin = '';
let webchat;
const shop = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Northwind Outfitters</title></head>
<body style="font-family:sans-serif;margin:0"><header style="background:#0f172a;color:#fff;padding:18px 24px">
<h1 style="margin:0">Northwind Outfitters</h1></header><main style="padding:24px"><p>Trail shoes, jackets and more.</p></main>
<script src="${URL_}/widget.js" data-channel="${webchat?.id ?? 0}" async></script></body></html>`);
});

async function openPage(viewport) {
  const p = await newPage(viewport);
  await p.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: URL_ });
  return p;
}

let admin; // { ctx, page }
let fb; // { id, url, vt }

const openChannels = (page) => openSettings(page, 'channels', 'Channels');

test('setup: an admin signs in and opens Settings → Channels', async () => {
  await new Promise((r) => shop.listen(0, '127.0.0.1', r));
  shopOrigin = `http://127.0.0.1:${shop.address().port}`;
  admin = await openPage();
  await login(admin.page);
  // From the inbox: the settings link, then the Channels area.
  await admin.page.getByRole('link', { name: 'Settings' }).click();
  await admin.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Channels' }).click();
  await admin.page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  await admin.page.getByRole('button', { name: 'Connect a channel' }).waitFor();
});

test('connect Messenger through the steps; a signed test event turns the check green', async () => {
  const page = admin.page;
  await page.getByRole('button', { name: 'Connect a channel' }).click();
  await page.getByRole('button', { name: /^WhatsApp/ }).waitFor();
  await shot(page, '00-choose');
  await page.getByRole('button', { name: /^Messenger/ }).click();
  // The form's labels are the platform's own words.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('This is required.').first().waitFor(); // nothing typed: said next to the fields
  await page.getByLabel('Name (your team sees this)').fill('Northwind on Facebook');
  await page.getByLabel('Page ID').fill('1122334455');
  await page.getByLabel('Page access token').fill('page-token-1');
  await page.getByLabel('App Secret').fill(APP_SECRET);
  await shot(page, '01-connect-form');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByText('Waiting for a test event…').waitFor();
  const url = await page.getByLabel('Callback URL', { exact: true }).inputValue();
  const vt = await page.getByLabel('Verify token', { exact: true }).inputValue();
  assert(/\/hooks\/\d+$/.test(url), `callback URL: ${url}`);
  assert(/^[0-9a-f]{48}$/.test(vt), `verify token: ${vt}`);
  fb = { id: Number(url.split('/').pop()), url, vt };
  // The Copy button puts it on the clipboard.
  await page.getByRole('button', { name: 'Copy Callback URL' }).click();
  await page.getByRole('button', { name: 'Copy Callback URL' }).getByText('Copied').waitFor();
  assert((await page.evaluate(() => navigator.clipboard.readText())) === url, 'copied URL');
  await shot(page, '02-steps-waiting');

  // Meta verifies the callback URL with the verify token (what "Verify and save" does).
  const hs = await fetch(`${url}?hub.mode=subscribe&hub.challenge=31337&hub.verify_token=${vt}`);
  assert(hs.status === 200 && (await hs.text()) === '31337', 'handshake');
  await page.getByText('Meta verified the webhook URL and verify token.').waitFor();

  // A delivery signed with the wrong App Secret: refused, and the reason is shown in plain words.
  assert((await metaEvent(url, 'not-the-app-secret', 'm_bad', 'hello?')) === 401, 'bad signature refused');
  await page.getByText(/refused: A request arrived with a bad signature — check the App Secret/).waitFor();
  await page.getByText('Waiting for a test event…').waitFor();

  // The real thing.
  assert((await metaEvent(url, APP_SECRET, 'm_test_1', 'Is my order on its way?')) === 200, 'signed event');
  await page.locator('.ch-check-ok').getByText('Meta reached Hark').waitFor();
  await shot(page, '03-steps-green');
  await page.getByRole('button', { name: 'Done' }).click();

  const card = page.locator('.ch-card', { hasText: 'Northwind on Facebook' });
  await card.getByText('Working').waitFor();
  await card.getByText('just now').first().waitFor();
  await card.getByText('1 new message').waitFor();
  await card.getByText(/24 hours of the customer’s last message; a person may still answer for 7 days/).waitFor();
  await card.getByText(/Last problem .*bad signature — check the App Secret/).waitFor();
  // The customer text never shows on the settings screen.
  assert(!(await page.content()).includes('Is my order on its way?'), 'customer text on the channels screen');
});

test('a refused setting is shown next to its field and the typed input stays', async () => {
  const page = admin.page;
  await page.getByRole('button', { name: 'Connect a channel' }).click();
  await page.getByRole('button', { name: /^Email/ }).click();
  await page.getByLabel('Name (your team sees this)').fill('Support mailbox');
  await page.getByLabel('Support address').fill('care@shop.example');
  await page.getByLabel('IMAP server').fill('http://mail.shop.example/INBOX');
  await page.getByLabel('SMTP server').fill('smtps://mail.shop.example');
  await page.getByLabel('Mailbox user name').fill('care');
  await page.getByLabel('Mailbox password').fill('mail-password-1');
  await page.getByRole('button', { name: 'Continue' }).click();
  const field = page.locator('.field', { has: page.getByLabel('IMAP server') });
  await field.getByRole('alert').getByText(/imap/i).waitFor();
  assert((await page.getByLabel('IMAP server').getAttribute('aria-invalid')) === 'true', 'field marked invalid');
  assert((await page.getByLabel('Mailbox user name').inputValue()) === 'care', 'typed input kept');
  assert((await page.getByLabel('Name (your team sees this)').inputValue()) === 'Support mailbox', 'name kept');
  await shot(page, '04-field-error');
  const r = await api('GET', '/api/v1/channels');
  assert(!r.body.items.some((c) => c.type === 'email'), 'nothing created by a refused form');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('rotate the verify token: shown once, the old one stops working', async () => {
  const page = admin.page;
  const card = page.locator('.ch-card', { hasText: 'Northwind on Facebook' });
  await card.getByRole('button', { name: 'Rotate secret' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByText('The old secret stops working at once.').waitFor();
  await dlg.getByRole('button', { name: 'Rotate now' }).click();
  const vt2 = await dlg.getByLabel('New verify token', { exact: true }).inputValue();
  assert(/^[0-9a-f]{48}$/.test(vt2) && vt2 !== fb.vt, `new verify token: ${vt2}`);
  await shot(page, '05-rotated');
  await dlg.getByRole('button', { name: 'I have copied it' }).click();
  assert((await fetch(`${fb.url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=${fb.vt}`)).status === 403, 'old verify token refused');
  const ok = await fetch(`${fb.url}?hub.mode=subscribe&hub.challenge=2&hub.verify_token=${vt2}`);
  assert(ok.status === 200 && (await ok.text()) === '2', 'new verify token works');
  // Secrets are not shown again.
  await card.getByRole('button', { name: 'Setup steps' }).click();
  await page.getByText(/Lost it\? Use “Rotate secret”/).first().waitFor();
  assert(!(await page.content()).includes(vt2), 'verify token shown again');
  await page.getByRole('button', { name: /Done|Finish later/ }).click();
});

test('switch a channel off and on from the keyboard: off, its webhooks are refused', async () => {
  const page = admin.page;
  const card = page.locator('.ch-card', { hasText: 'Northwind on Facebook' });
  await card.getByRole('button', { name: 'Switch off' }).focus();
  await page.keyboard.press('Enter');
  await card.getByText('New messages will be refused until it is switched on. Switch off?').waitFor();
  await page.keyboard.press('Enter'); // the confirmation has the focus
  await card.getByText('Switched off').waitFor();
  assert((await metaEvent(fb.url, APP_SECRET, 'm_off_1', 'anyone there?')) === 404, 'refused while off');
  await card.getByRole('button', { name: 'Switch on' }).focus();
  await page.keyboard.press('Enter');
  // The refused delivery is the current problem until the platform next reaches Hark.
  await card.getByText('Needs attention').waitFor();
  await card.getByText(/A delivery arrived while the channel is switched off; nothing was stored/).waitFor();
  assert((await metaEvent(fb.url, APP_SECRET, 'm_on_1', 'back?')) === 200, 'taken again when on');
  await page.reload();
  await card.getByText('Working').waitFor();
});

test('widget look: colour, greeting, launcher text and office hours reach the widget', async () => {
  let r = await api('POST', '/api/v1/calendars', {
    name: 'Always open (channels test)', tz: 'Europe/Berlin',
    hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
  });
  assert(r.status === 201, `calendar: ${r.status}`);
  r = await api('POST', '/api/v1/channels', { type: 'webchat', name: 'Shop chat (channels test)',
    settings: { brand_name: 'Northwind Outfitters', allowed_origins: [shopOrigin] } });
  assert(r.status === 201, `webchat: ${r.status}`);
  webchat = r.body;

  const page = admin.page;
  await page.reload(); // the channel was made through the API just now
  await openChannels(page);
  const card = page.locator('.ch-card', { hasText: 'Shop chat (channels test)' });
  await card.getByRole('button', { name: 'Widget look' }).click();
  await page.getByLabel('Colour', { exact: true }).fill('#12345');
  await page.getByRole('button', { name: 'Save look' }).click();
  await page.locator('.field', { has: page.getByLabel('Colour', { exact: true }) }).getByRole('alert').waitFor();
  await page.getByLabel('Colour', { exact: true }).fill('#7c2d12');
  // A refusal of the API lands beside its field: a website that is not an origin.
  const origins = page.getByLabel('Websites that may show the chat');
  assert((await origins.inputValue()) === shopOrigin, 'allowed websites shown');
  await origins.fill(`${shopOrigin}\njavascript:alert(1)`);
  await page.getByRole('button', { name: 'Save look' }).click();
  await page.locator('.field', { has: origins }).getByRole('alert').getByText(/https:\/\/host/).waitFor();
  assert((await page.getByLabel('Colour', { exact: true }).inputValue()) === '#7c2d12', 'typed colour kept');
  await origins.fill(shopOrigin);
  await page.getByLabel('Greeting').fill('Hallo! Sizes, orders, trails: ask us.');
  await page.getByLabel('Launcher text').fill('Ask us');
  await page.getByLabel('Office hours').selectOption({ label: 'Always open (channels test) (Europe/Berlin)' });
  const preview = page.getByLabel('Preview of the chat widget');
  await preview.getByText('We’re online').waitFor();
  await preview.getByText('Hallo! Sizes, orders, trails: ask us.').waitFor();
  await page.getByRole('button', { name: 'Save look' }).click();
  await page.getByText('Saved. Visitors see the new look').waitFor();
  const code = await page.getByRole('textbox', { name: /Paste this before/ }).inputValue();
  assert(code.includes(`data-channel="${webchat.id}"`) && code.includes('/widget.js'), `snippet: ${code}`);
  await shot(page, '06-widget-look');

  const cust = await openPage();
  await cust.page.goto(shopOrigin + '/');
  const w = cust.page.locator('[data-hark-widget]');
  const bubble = w.getByRole('button', { name: 'Ask us' });
  await bubble.getByText('Ask us').waitFor();
  const bg = await bubble.evaluate((b) => getComputedStyle(b).backgroundColor);
  assert(bg === 'rgb(124, 45, 18)', `launcher colour: ${bg}`);
  await bubble.click();
  await w.getByText('Hallo! Sizes, orders, trails: ask us.').waitFor();
  await w.getByText('We’re online'.replace('’', "'")).waitFor();
  await shot(cust.page, '07-widget-on-shop');
  await cust.ctx.close();

  // Closed now: the widget says when the team is back (in the visitor's own time).
  const day = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'Europe/Berlin' })
    .format(new Date(Date.now() + 3 * 86400000)).toLowerCase();
  r = await api('POST', '/api/v1/calendars', { name: 'Closed now (channels test)', tz: 'Europe/Berlin', hours: { [day]: [['09:00', '17:00']] } });
  assert(r.status === 201, `closed calendar: ${r.status}`);
  r = await api('PATCH', `/api/v1/channels/${webchat.id}`, { settings: { calendar_id: r.body.id } });
  assert(r.status === 200, `calendar set: ${r.status}`);
  const later = await openPage();
  await later.page.goto(shopOrigin + '/');
  const w2 = later.page.locator('[data-hark-widget]');
  await w2.getByRole('button', { name: 'Ask us' }).click();
  await w2.getByText(/^Back \S+ at \d{1,2}:\d{2}/).waitFor();
  assert((await w2.getByText("We're online").count()) === 0, 'online while closed');
  await later.ctx.close();
});

test('phone width: the channel list and the connect steps fit', async () => {
  const phone = await openPage(PHONE);
  const page = phone.page;
  await login(page);
  await openChannels(page);
  await page.locator('.ch-card', { hasText: 'Northwind on Facebook' }).waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(wide <= 390, `the list scrolls sideways at phone width (${wide}px)`);
  await shot(page, '08-phone-list');
  await page.locator('.ch-card', { hasText: 'Northwind on Facebook' }).getByRole('button', { name: 'Setup steps' }).click();
  await page.getByLabel('Callback URL', { exact: true }).waitFor();
  assert((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'steps scroll sideways');
  await shot(page, '09-phone-steps');
  await page.getByRole('button', { name: /Done|Finish later/ }).click();
  await page.locator('.ch-card', { hasText: 'Shop chat (channels test)' }).getByRole('button', { name: 'Widget look' }).click();
  await page.getByLabel('Preview of the chat widget').getByText('Ask us', { exact: true }).waitFor();
  assert((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'widget look scrolls sideways');
  await shot(page, '10-phone-look');
  await phone.ctx.close();
});

await run();
shop.close();
