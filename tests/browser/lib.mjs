// lib.mjs - what every browser test file shares (run.sh runs each *.test.mjs against one server).
//
//   import { test, run, newPage, login, api, assert, shot, URL_ } from './lib.mjs';
//   test('name', async () => { ... });
//   await run();   // prints "ok - ..." / "not ok - ..." and the file's summary line
//
// The server was started by run.sh with an admin (maya@example.com) and an agent
// (sam@example.com); HARK_URL and HARK_TOKEN (an admin API token) say where and how. Files run
// one after another on the same server, so a file creates the objects it needs (with names of
// its own) and never assumes a fresh database. Screenshots go to $ARTIFACTS/browser-<name>.png.
import { chromium } from 'playwright-core';
import crypto from 'node:crypto';
import path from 'node:path';

export const URL_ = process.env.HARK_URL;
export const TOKEN = process.env.HARK_TOKEN;
export const ART = process.env.ARTIFACTS ?? '.';
export const MAYA = { email: 'maya@example.com', password: 'maya-password-1' };
export const SAM = { email: 'sam@example.com', password: 'sam-password-12' };
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

const tests = [];
export const test = (name, fn) => tests.push({ name, fn });

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// An API call with the admin token (or the given bearer); the body parsed when it is JSON.
export async function api(method, p, body, token = TOKEN) {
  const res = await fetch(URL_ + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (CSV, HTML): kept as text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export function sign(secret, body) {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

// A signed webhook to an `api` channel (tests/api and docs/api.md: the Hark-native format).
export async function hook(ch, payload) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${URL_}/hooks/${ch.id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hark-Signature': sign(ch.secret, body) },
    body,
  });
  if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status}`);
  return res.json();
}

export const shot = (page, name) => page.screenshot({ path: path.join(ART, `browser-${name}.png`), fullPage: false });

export const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// Page errors and dialogs (alert() would mean injected script ran) are failures of the file.
const pageEvents = [];
const pages = [];
export async function newPage(viewport = DESKTOP) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.setDefaultTimeout(8000);
  page.on('dialog', (d) => {
    pageEvents.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => pageEvents.push(`pageerror: ${e.message}`));
  pages.push(page);
  return { ctx, page };
}

// Signs in through the login screen and waits for the inbox.
export async function login(page, who = MAYA) {
  await page.goto(URL_ + '/');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'My profile' }).waitFor();
}

// A new agent of the given role with a known password (files never rely on another file's
// agents: their passwords and state change). Returns { id, email, password, name }.
let agents = 0;
export async function newAgent(role = 'agent', name = 'Riley Chen') {
  const tag = `${process.pid}-${++agents}`;
  const who = { email: `${role}-${tag}@example.com`, password: `pw-${tag}-long-enough`, name };
  const r = await api('POST', '/api/v1/agents', { email: who.email, name, password: who.password, role });
  if (r.status !== 201) throw new Error(`newAgent: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...who, id: r.body.id };
}

// Opens a settings area (#/settings/<id>) and waits for its heading.
export async function openSettings(page, id, title) {
  await page.goto(`${URL_}/#/settings/${id}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

export async function run() {
  let passed = 0;
  let failed = 0;
  const file = path.basename(process.argv[1] ?? 'browser');
  for (const t of tests) {
    const start = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok - ${t.name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${t.name}\n#   ${String(e && e.message ? e.message : e).split('\n').join('\n#   ')}`);
      for (const [i, p] of pages.entries()) await shot(p, `fail-${file}-${failed}-${i}`).catch(() => {});
    }
  }
  const bad = pageEvents.filter((h) => !h.startsWith('pageerror: Failed to fetch'));
  if (bad.length) {
    failed++;
    console.log(`not ok - no page errors or dialogs\n#   ${bad.join('\n#   ')}`);
  }
  await browser.close();
  console.log(`browser tests: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
