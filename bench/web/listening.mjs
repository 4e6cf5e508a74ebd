// listening.mjs - the browser half of bench/55-listening-screen.sh: mention -> visible on an open
// listening screen while matching posts arrive at RATE a second (POST /api/v1/listening/ingest,
// batches every 100 ms), beside webhook -> visible in an open inbox (as bench/30-web.sh) in the
// same run, and the raw SSE stream the listening page gets. Prints figures; asserts no timing.
//
// Clocks: node and chromium on this machine both give epoch ms (timeOrigin + now()).
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/browser/package.json'));
const { chromium } = require('playwright-core');

const URL_ = process.env.HARK_URL;
const TOKEN = process.env.HARK_TOKEN;
const RATE = Number(process.env.RATE ?? 1000); // matching posts a second
const SECS = Number(process.env.SECS ?? 10);
const N_INBOX = Number(process.env.N_INBOX ?? 40);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((s.length - 1) * p + 0.5))] : NaN;
};
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1).padStart(7) + ' ms' : '    n/a');
const line = (name, v, note = '') =>
  console.log(`${name.padEnd(50)} p50 ${ms(pct(v, 0.5))}  p95 ${ms(pct(v, 0.95))}  max ${ms(v.length ? Math.max(...v) : NaN)}  (n=${v.length})${note}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-renderer-backgrounding',
    '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows'],
});

async function signedIn(hash) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20000);
  await page.goto(URL_ + '/');
  await page.getByLabel('Email').fill('bench@example.com');
  await page.getByLabel('Password').fill('bench-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.live-live').waitFor();
  if (hash) await page.goto(URL_ + '/' + hash);
  return page;
}

// ---- 1. the inbox in the same run: webhook accepted -> row painted ------------------------
async function inbox() {
  const page = await signedIn();
  await page.getByRole('tab', { name: /All open/ }).click();
  await page.evaluate(() => {
    const w = window;
    w.__paint = {};
    const t = () => performance.timeOrigin + performance.now();
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('.row .preview')) {
        const m = /ibench-(\d+)-/.exec(el.textContent ?? '');
        if (m && !(m[1] in w.__paint)) {
          w.__paint[m[1]] = 0;
          requestAnimationFrame(() => (w.__paint[m[1]] = t()));
        }
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const ch = { id: process.env.CH, secret: process.env.SECRET };
  const nonce = crypto.randomBytes(3).toString('hex');
  const accepted = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < N_INBOX; i++) {
    const body = JSON.stringify({ id: `ib${i}-${nonce}`, from: { id: `ibench-user-${i}`, name: `Bench Customer ${i}` }, text: `Where is my parcel? ibench-${i}-${nonce}` });
    const sig = 'sha256=' + crypto.createHmac('sha256', ch.secret).update(body).digest('hex');
    await new Promise((resolve, reject) => {
      const req = http.request(`${URL_}/hooks/${ch.id}`, { method: 'POST', agent,
        headers: { 'Content-Type': 'application/json', 'X-Hark-Signature': sig, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        accepted[i] = now();
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
    const t0 = Date.now();
    while (Date.now() - t0 < 2000 && !(await page.evaluate((k) => window.__paint[k] > 0, String(i)))) await sleep(5);
    await sleep(40 + Math.random() * 60);
  }
  const paint = await page.evaluate(() => window.__paint);
  const v = Object.keys(accepted).filter((k) => paint[k] > 0).map((k) => paint[k] - accepted[k]);
  await page.context().close();
  return v;
}

// ---- 2. the listening screen at RATE matching posts a second -------------------------------
async function listening() {
  const page = await signedIn('#/listening');
  await page.getByRole('heading', { level: 1, name: 'Listening' }).waitFor();
  await page.getByText('No posts here yet').waitFor();
  // In the page: when each post's row is first painted; the newest post on screen, sampled each
  // frame; and a plain EventSource on the same stream (what the server sends a page).
  await page.evaluate(() => {
    const w = window;
    w.__paint = {};
    w.__top = []; // [time, newest index on screen]
    w.__sse = { created: 0, held: 0, bytes: 0 };
    const t = () => performance.timeOrigin + performance.now();
    let newest = -1;
    new MutationObserver(() => {
      const fresh = [];
      for (const el of document.querySelectorAll('.feed .mention-text')) {
        const m = /lbench-(\d+)-/.exec(el.textContent ?? '');
        if (m && !(m[1] in w.__paint)) {
          w.__paint[m[1]] = 0;
          fresh.push(m[1]);
        }
        if (m && Number(m[1]) > newest) newest = Number(m[1]);
      }
      if (fresh.length || newest >= 0)
        requestAnimationFrame(() => {
          const at = t();
          for (const k of fresh) w.__paint[k] = at;
          w.__top.push([at, newest]);
        });
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
    const es = new EventSource('/api/v1/events');
    es.addEventListener('mention.created', (ev) => { w.__sse.created++; w.__sse.bytes += ev.data.length; });
    es.addEventListener('mention.held', () => w.__sse.held++);
    return new Promise((r) => (es.onopen = r));
  });
  await sleep(300);
  const nonce = crypto.randomBytes(3).toString('hex');
  const perBatch = Math.max(1, Math.round(RATE / 10));
  const batches = Math.round(SECS * 10);
  const accepted = new Float64Array(perBatch * batches);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const post = (k) => new Promise((resolve, reject) => {
    const lines = [];
    for (let j = 0; j < perBatch; j++) {
      const i = k * perBatch + j;
      lines.push(JSON.stringify({ id: `lb${i}-${nonce}`, platform: 'bluesky', author: `fan${i % 997}.bsky.social`, lang: 'en',
        followers: (i * 37) % 50000, text: `lbench-${i}-${nonce} my order from the shop is late again, any news?` }));
    }
    const body = lines.join('\n') + '\n';
    const req = http.request(`${URL_}/api/v1/listening/ingest`, { method: 'POST', agent,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': Buffer.byteLength(body) } },
    (res) => {
      const at = now(); // the 200's head: the batch's mentions are durable
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`ingest ${k}: ${res.statusCode} ${text}`));
        for (let j = 0; j < perBatch; j++) accepted[k * perBatch + j] = at;
        resolve(JSON.parse(text).stored);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  const t0 = now();
  const inflight = [];
  for (let k = 0; k < batches; k++) {
    const due = t0 + k * 100;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    inflight.push(post(k));
  }
  const stored = (await Promise.all(inflight)).reduce((a, b) => a + b, 0);
  const t1 = Math.max(...accepted);
  await sleep(2500); // the trailing read after the last held second
  const seen = await page.evaluate(() => ({ paint: window.__paint, top: window.__top, sse: window.__sse }));
  await page.context().close();
  const n = accepted.length;
  // (a) each post's own row, when it was painted at all (rows below the fold are not).
  const own = [];
  for (let i = 0; i < n; i++) if (seen.paint[i] > 0) own.push(seen.paint[i] - accepted[i]);
  // (b) the top of the feed: a post counts as seen once it, or a newer one, is on screen.
  const top = seen.top.sort((a, b) => a[0] - b[0]);
  const fresh = [];
  let p = 0;
  for (let i = 0; i < n; i++) {
    while (p < top.length && (top[p][1] < i || top[p][0] < accepted[i])) p++;
    if (p < top.length) fresh.push(top[p][0] - accepted[i]);
  }
  return { n, stored, rate: n / ((t1 - t0) / 1000), own, fresh, sse: seen.sse, secs: (t1 - t0) / 1000 };
}

const ib = await inbox();
const ls = await listening();
console.log(`# mention -> visible on an open listening screen, ${ls.n} matching posts at ${RATE}/s for ${SECS} s`);
console.log(`(achieved ${ls.rate.toFixed(0)} posts/s durable, ${ls.stored} stored; batches of ${Math.round(RATE / 10)} every 100 ms)`);
line('post or a newer one on top of the feed (painted)', ls.fresh, `   ${ls.fresh.length} of ${ls.n}`);
line('the post\'s own row painted (when it was at all)', ls.own, `   ${ls.own.length} of ${ls.n} rows ever on screen`);
console.log(`the page's event stream: ${ls.sse.created} mention.created (${(ls.sse.created / ls.secs).toFixed(1)}/s, ${(ls.sse.bytes / 1024).toFixed(0)} KiB) and ${ls.sse.held} mention.held for ${ls.n} mentions`);
console.log(`# beside it, same run: webhook accepted -> message visible in an open inbox, ${N_INBOX} one at a time`);
line('inbox row painted (next frame)', ib);
await browser.close();
