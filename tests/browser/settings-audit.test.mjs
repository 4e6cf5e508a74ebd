// settings-audit.test.mjs - the audit log screen: two admins, A changes a team and B's open
// audit screen shows it live with a field-by-field before/after; filters; hostile text shown
// as text; the CSV export downloads (and is itself recorded); keyboard and phone width.
import fs from 'node:fs';
import { test, run, newPage, newAgent, login, openSettings, api, assert, shot, URL_, PHONE } from './lib.mjs';

const tag = `${process.pid}`;

// A write from a signed-in page, as the web app makes it (session cookie + X-CSRF-Token).
async function pageWrite(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await (await fetch('/api/v1/me')).json();
      const res = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, path, body },
  );
}

test("admin A changes a team; admin B's audit screen shows it live, field by field", async () => {
  const ada = await newAgent('admin', 'Ada Brooks');
  const a = await newPage();
  await login(a.page, ada);
  const b = await newPage();
  await login(b.page); // Maya
  await openSettings(b.page, 'audit', 'Audit log');
  await b.page.getByRole('table').waitFor();
  // What the settings screens' useSettingsChanged hears: settings.changed on B's own stream.
  await b.page.evaluate(() => {
    window.__changes = [];
    const es = new EventSource('/api/v1/events');
    es.addEventListener('settings.changed', (e) => window.__changes.push(JSON.parse(e.data)));
    return new Promise((ok) => es.addEventListener('open', ok));
  });

  const made = await pageWrite(a.page, 'POST', '/api/v1/teams', { name: `Returns ${tag}` });
  assert(made.status === 201, `team create: ${made.status}`);
  const upd = await pageWrite(a.page, 'PUT', `/api/v1/teams/${made.body.id}`, { name: `Returns EU ${tag}` });
  assert(upd.status === 200, `team update: ${upd.status}`);

  // Live: no reload on B's side.
  const row = b.page.getByRole('row').filter({ hasText: `Team "Returns EU ${tag}" updated: name` });
  await row.waitFor();
  assert((await row.getByText('Ada Brooks').count()) === 1, 'the row names admin A');
  assert((await row.getByText('New').count()) === 1, 'a live entry is marked new');
  const created = b.page.getByRole('row').filter({ hasText: `Team "Returns ${tag}" created` });
  await created.waitFor();
  await b.page.waitForFunction((id) => window.__changes.some((c) => c.id === id && c.action === 'team.update'), made.body.id);
  const change = await b.page.evaluate((id) => window.__changes.find((c) => c.id === id && c.action === 'team.update'), made.body.id);
  assert(change.area === 'teams' && change.actor.name === 'Ada Brooks' && change.actor.id === ada.id,
    `settings.changed: ${JSON.stringify(change)}`);

  // Details by keyboard: focus the button, Enter, the diff shows before and after.
  const details = row.getByRole('button', { name: 'Details' });
  await details.focus();
  await b.page.keyboard.press('Enter');
  assert((await row.getByRole('button', { name: 'Hide details' }).getAttribute('aria-expanded')) === 'true', 'expanded');
  const diff = b.page.getByRole('table', { name: 'Fields changed' });
  await diff.waitFor();
  const nameRow = diff.getByRole('row').filter({ has: b.page.getByRole('rowheader', { name: 'Name' }) });
  const cells = await nameRow.getByRole('cell').allInnerTexts();
  assert(cells[0] === `Returns ${tag}` && cells[1] === `Returns EU ${tag}`, `before/after: ${JSON.stringify(cells)}`);
  assert((await diff.getByRole('rowheader', { name: 'Updated at' }).count()) === 0, 'noise fields are not shown');
  await shot(b.page, 'settings-audit');
});

test("another admin's change reloads an open settings screen (useSettingsChanged, end to end)", async () => {
  const t = await api('POST', '/api/v1/teams', { name: `Billing ${tag}` });
  assert(t.status === 201, `team: ${t.status}`);
  const { page } = await newPage();
  await login(page); // Maya, on the Teams screen
  await openSettings(page, 'teams', 'Teams');
  const list = page.getByRole('navigation', { name: 'Teams' });
  await list.getByRole('button', { name: new RegExp(`^Billing ${tag} ·`) }).waitFor();
  // Another admin (the API token) renames it: the list follows, and says who changed it.
  const r = await api('PUT', `/api/v1/teams/${t.body.id}`, { name: `Billing EU ${tag}` });
  assert(r.status === 200, `rename: ${r.status}`);
  await list.getByRole('button', { name: new RegExp(`^Billing EU ${tag} ·`) }).waitFor();
  await page.getByText('API token "browser-tests" changed this just now').waitFor();
  const d = await api('DELETE', `/api/v1/teams/${t.body.id}`);
  assert(d.status === 204, `delete: ${d.status}`);
  await page.getByText('API token "browser-tests" changed something here just now').waitFor();
  await list.getByRole('button', { name: new RegExp(`^Billing EU ${tag} ·`) }).waitFor({ state: 'detached' });
});

test('filters: a kind, who, and text; hostile text stays text', async () => {
  // A failed sign-in with markup for an email: shown as text, never run (a dialog fails the file).
  const evil = `<img src=x onerror=alert(1)>${tag}@example.com`;
  const r = await fetch(`${URL_}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: evil, password: 'wrong-password-1' }),
  });
  assert(r.status === 401, `failed login: ${r.status}`);
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'audit', 'Audit log');
  await page.getByLabel('Kind').selectOption({ label: 'Failed sign-ins' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  // The filtered answer replaces the list: every row is then a failed sign-in.
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('.audit-table tbody td.audit-what')];
    return cells.length > 0 && cells.every((c) => c.textContent.startsWith('Failed sign-in'));
  });
  const row = page.getByRole('row').filter({ hasText: `Failed sign-in for "${evil}"` });
  await row.waitFor();
  assert((await page.locator('img[src=x]').count()) === 0, 'markup in an email is not rendered');
  const texts = await page.locator('.audit-table tbody td.audit-what').allInnerTexts();
  assert(texts.length > 0 && texts.every((t) => t.startsWith('Failed sign-in')), `only failed sign-ins: ${texts.join(' | ')}`);
  // Text search and who, together with the kind cleared.
  await page.getByLabel('Kind').selectOption({ label: 'Everything' });
  await page.getByLabel('Contains').fill(`Returns EU ${tag}`);
  await page.getByLabel('Who').fill('Ada');
  await page.getByLabel('Who').press('Enter');
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('.audit-table tbody td.audit-who')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'Ada Brooks');
  });
  await page.getByRole('row').filter({ hasText: `Team "Returns EU ${tag}" updated` }).waitFor();
  const whos = await page.locator('.audit-table tbody td.audit-who').allInnerTexts();
  assert(whos.length >= 1 && whos.every((w) => w === 'Ada Brooks'), `only Ada: ${whos.join(',')}`);
  // Nothing matches: said in words.
  await page.getByLabel('Contains').fill(`no such thing ${tag}`);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('Nothing matches these filters.').waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('table').waitFor();
  assert((await page.getByLabel('Contains').inputValue()) === '', 'cleared');
});

test('Export CSV downloads the filtered log, and the export is recorded live', async () => {
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'audit', 'Audit log');
  await page.getByLabel('Kind').selectOption({ label: 'Teams' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('.audit-table tbody td.audit-what')];
    return cells.length > 0 && cells.every((c) => c.textContent.startsWith('Team'));
  });
  await page.getByRole('row').filter({ hasText: `Team "Returns EU ${tag}" updated` }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  assert(/^hark-audit-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()), `file name: ${download.suggestedFilename()}`);
  const file = await download.path();
  const csv = fs.readFileSync(file, 'utf8');
  const lines = csv.split('\r\n').filter(Boolean);
  assert(lines[0].startsWith('id,at,actor,'), `header: ${lines[0]}`);
  assert(csv.includes(`Team ""Returns EU ${tag}"" updated: name`), 'the team change is in the CSV, quoted');
  assert(!csv.includes('login.failed'), 'the filter applies to the export');
  // The export is an audited action: with "Everything" shown, it arrives live.
  await page.getByLabel('Kind').selectOption({ label: 'Audit log exports' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('row').filter({ hasText: 'Exported the audit log as CSV (action=team.)' }).first().waitFor();
  const entries = await api('GET', '/api/v1/audit?action=audit.export');
  assert(entries.status === 200 && entries.body.items.length >= 1, 'export recorded');
});

test('agents cannot open the audit log; phone width fits', async () => {
  const agent = await newAgent('agent', 'Pat Kim');
  const ag = await newPage();
  await login(ag.page, agent);
  await ag.page.goto(`${URL_}/#/settings/audit`);
  await ag.page.getByText("Only an admin can change Hark's settings.").waitFor();
  const denied = await ag.page.evaluate(async () => (await fetch('/api/v1/audit')).status);
  assert(denied === 403, `API refuses an agent: ${denied}`);

  const { page } = await newPage(PHONE);
  await login(page);
  await openSettings(page, 'audit', 'Audit log');
  await page.getByRole('table').waitFor();
  await shot(page, 'settings-audit-phone-top');
  const first = page.locator('.audit-table tbody tr.audit-row').filter({ hasText: 'updated' }).first();
  await first.getByRole('button', { name: 'Details' }).click();
  await page.getByRole('table', { name: 'Fields changed' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
  await shot(page, 'settings-audit-phone');
});

await run();
