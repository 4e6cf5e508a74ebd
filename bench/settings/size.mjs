// size.mjs - the browser half of bench/35-settings-size.sh: what a first visit fetches, as
// served by `hark serve`, for the inbox and for each settings screen. Each visit is a fresh
// browser context (empty cache) with the signed-in session; every same-origin file the page
// loads that is not an API call (index.html, the JS and CSS chunks, icons) is fetched again
// with Accept-Encoding: gzip and its bytes on the wire are summed. Prints figures; asserts
// nothing.
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/browser/package.json'));
const { chromium } = require('playwright-core');

const URL_ = process.env.HARK_URL;
const SCREENS = (process.env.SCREENS ?? '').split(/\s+/).filter(Boolean);
const kb = (b) => (b / 1024).toFixed(1).padStart(6) + ' KB';

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// Sign in once through the form; later contexts reuse its cookies.
const first = await browser.newContext();
const lp = await first.newPage();
lp.setDefaultTimeout(20000);
await lp.goto(URL_ + '/');
await lp.getByLabel('Email').fill('bench@example.com');
await lp.getByLabel('Password').fill('bench-password-1');
await lp.getByRole('button', { name: 'Sign in' }).click();
await lp.locator('.live-live').waitFor();
const state = await first.storageState();
await first.close();

// The bytes 'u' takes on the wire when asked for with gzip, and how it was encoded.
const served = (u) => new Promise((resolve, reject) => {
  http.get(URL_ + u, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
    let n = 0;
    res.on('data', (c) => (n += c.length));
    res.on('end', () => resolve({ bytes: n, enc: res.headers['content-encoding'] ?? 'identity' }));
  }).on('error', reject);
});

// Visits 'hash' in a fresh context; returns the files it loaded (in order) and their sizes.
async function visit(hash, ready) {
  const ctx = await browser.newContext({ storageState: state, viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20000);
  const files = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== new URL(URL_).origin || u.pathname.startsWith('/api/')) return;
    if (!files.includes(u.pathname)) files.push(u.pathname);
  });
  await page.goto(URL_ + '/' + hash);
  await ready(page);
  // Lazy chunks start as the screen renders: give them a moment to be requested.
  await page.waitForTimeout(1000);
  await ctx.close();
  const rows = [];
  let total = 0;
  for (const f of files) {
    const s = await served(f);
    rows.push({ f, ...s });
    total += s.bytes;
  }
  return { rows, total };
}

const inbox = await visit('', (p) => p.locator('.live-live').waitFor());
console.log('# first load as served (gzip where the server has it): index.html + every file it pulls in');
console.log(`inbox (/)                                  ${kb(inbox.total)}   (${inbox.rows.length} files)`);
for (const r of inbox.rows) console.log(`    ${r.f.padEnd(40)} ${kb(r.bytes)} ${r.enc}`);
const base = new Set(inbox.rows.map((r) => r.f));
for (const s of SCREENS) {
  const v = await visit(`#/settings/${s}`, (p) => p.locator('.settings-main h1').waitFor());
  const extra = v.rows.filter((r) => !base.has(r.f));
  const extraBytes = extra.reduce((a, r) => a + r.bytes, 0);
  console.log(`settings #/settings/${s.padEnd(20)} ${kb(v.total)}   (${v.rows.length} files; beyond the inbox's: ${kb(extraBytes)} in ${extra.length})`);
  for (const r of extra) console.log(`    ${r.f.padEnd(40)} ${kb(r.bytes)} ${r.enc}`);
}
console.log('anchor: the whole app\'s first load target is <= 200 KB compressed (bench/30-web.sh); settings should add to it only when opened');
await browser.close();
