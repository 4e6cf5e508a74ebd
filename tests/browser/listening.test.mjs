// listening.test.mjs - issue 19 item 1, the listening screen: "Listening" in the top bar; the
// feed fills live as posts are ingested (POST /api/v1/listening/ingest), each with its chips,
// reach, platform and a link out, the post text shown as text (never HTML); filters (platform,
// language, addressed to us or not, opportunities) and a saved view (an error beside its name
// field); Dismiss and Bring back, by click and by key; Convert opens the new conversation; a
// spike shows as a banner with the posts behind it and a desktop alert; axe on the screen;
// 1440x900 and 390x844 screenshots. Every post and query carries this file's own tag.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { test, run, newPage, login, api, assert, shot, URL_, PHONE, TOKEN } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const tag = `lsn${process.pid}`;
let query; // matches every post of this file
let kettles; // the spike's query

async function ingest(records) {
  const res = await fetch(`${URL_}/api/v1/listening/ingest`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/x-ndjson' },
    body: records.map((r) => JSON.stringify(r)).join('\n') + '\n',
  });
  const body = await res.json();
  assert(res.status === 200, `ingest: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function axe(page, screen) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return { passes: out.passes.length, violations: out.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) };
  });
  assert(r.passes > 10, `axe ran on ${screen}`);
  assert(r.violations.length === 0, `axe on ${screen}:\n${r.violations.join('\n')}`);
}

// The listening screen, showing only this file's query.
async function openListening(page) {
  await page.getByRole('link', { name: 'Listening' }).click();
  await page.getByRole('heading', { level: 1, name: 'Listening' }).waitFor();
  await page.getByLabel('Query').selectOption({ label: `Brand ${tag}` });
}
const rows = (page) => page.locator('.feed [role="listitem"]');
const row = (page, text) => page.locator('.feed [role="listitem"]', { hasText: text });

test('setup: a query of this file and a channel to answer from', async () => {
  let r = await api('POST', '/api/v1/listening/queries', { name: `Brand ${tag}`, query: tag });
  assert(r.status === 201, `query: ${r.status} ${JSON.stringify(r.body)}`);
  query = r.body;
  r = await api('POST', '/api/v1/channels', { type: 'api', name: `Listening ${tag}`, settings: {} });
  assert(r.status === 201, `channel: ${r.status}`);
});

test('"Listening" in the top bar; the feed fills live as posts come in, text as text, with reach and chips', async () => {
  const { page } = await newPage();
  await login(page);
  await openListening(page);
  await page.getByText('No posts here yet').waitFor();
  await ingest([
    { id: `${tag}-1`, platform: 'bluesky', author: 'jane.bsky.social', lang: 'en', followers: 12400,
      url: 'https://bsky.app/profile/jane.bsky.social/post/1',
      text: `My ${tag} order is three weeks late and nobody answers. Worst service ever, I want a refund. <b>bold</b><img src=x onerror=alert(1)>` },
    { id: `${tag}-2`, platform: 'mastodon', author: 'ana@example.social', lang: 'pt-BR', followers: 87,
      text: `O aspirador ${tag} chegou quebrado, quero o meu dinheiro de volta` },
    { id: `${tag}-3`, platform: 'bluesky', author: 'lee.bsky.social', lang: 'en',
      text: `Anyone tried the ${tag} X200 vacuum? Thinking of buying one, is it worth the price?` },
  ]);
  // Live: no reload, no click.
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  const jane = row(page, 'jane.bsky.social');
  await jane.getByText('12.4k followers').waitFor();
  await jane.locator('.chip-chan').getByText('Bluesky').waitFor();
  assert((await jane.locator('.mention-text').textContent()).includes('<b>bold</b><img src=x onerror=alert(1)>'), 'the post is shown as text');
  assert((await page.locator('.feed img, .feed b').count()) === 0, 'no HTML from a post');
  assert((await jane.getByRole('link', { name: /Open post by jane.bsky.social on Bluesky/ }).getAttribute('href')) === 'https://bsky.app/profile/jane.bsky.social/post/1', 'a link out to the post');
  await row(page, 'ana@example.social').getByText('87 followers').waitFor();
  assert((await row(page, 'lee.bsky.social').locator('[data-testid="reach"]').count()) === 0, 'no reach where the source did not say');
  await row(page, 'ana@example.social').getByText('pt-BR').waitFor();
  await row(page, 'jane.bsky.social').getByText(`Brand ${tag}`).waitFor(); // the query's name
  // Newest on top.
  assert((await rows(page).first().textContent()).includes('lee.bsky.social'), 'newest first');
  await shot(page, 'listening-feed');
  await axe(page, 'listening feed 1440x900');
});

test('filters: platform, language, addressed to us or not; a saved view, its name checked beside the field', async () => {
  const { page } = await newPage();
  await login(page);
  await openListening(page);
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  await page.getByLabel('Platform').selectOption('mastodon');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 1);
  await row(page, 'ana@example.social').waitFor();
  await page.getByLabel('Platform').selectOption('');
  await page.getByLabel('Language').selectOption('pt');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 1);
  await row(page, 'ana@example.social').waitFor();
  await page.getByLabel('Language').selectOption('en');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 2);
  await page.getByLabel('Language').selectOption('');
  await page.getByLabel('To us?').selectOption('true');
  await page.getByText('No posts here yet').waitFor(); // none of these @mentions the brand
  await page.getByLabel('To us?').selectOption('false');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  // Save "Mastodon" as a view.
  await page.getByLabel('To us?').selectOption('');
  await page.getByLabel('Platform').selectOption('mastodon');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 1);
  await page.getByRole('button', { name: 'Save these filters as a view' }).click();
  await page.getByLabel('View name').fill(`Mastodon ${tag}`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByLabel('Saved view').locator('option', { hasText: `Mastodon ${tag}` }).waitFor({ state: 'attached' });
  // The same name again: said beside the field.
  await page.getByRole('button', { name: 'Save these filters as a view' }).click();
  await page.getByLabel('View name').fill(`Mastodon ${tag}`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'You already have a view of that name.' }).waitFor();
  assert((await page.getByLabel('View name').getAttribute('aria-invalid')) === 'true', 'the field is marked');
  await shot(page, 'listening-view-error');
  await page.getByRole('button', { name: 'Cancel' }).click();
  // Back to everything, then the view brings its filters back.
  await page.getByLabel('Saved view').selectOption('');
  await page.getByLabel('Query').selectOption({ label: `Brand ${tag}` });
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  await page.getByLabel('Saved view').selectOption({ label: `Mastodon ${tag}` });
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length >= 1);
  assert((await page.getByLabel('Platform').inputValue()) === 'mastodon', 'the view set the platform');
  await row(page, 'ana@example.social').waitFor();
  assert((await row(page, 'jane.bsky.social').count()) === 0, 'only Mastodon posts');
  // Views are the agent's own: the API lists it for this agent.
  const mine = await page.evaluate(async () => (await (await fetch('/api/v1/listening/views')).json()).items.map((v) => v.name));
  assert(mine.includes(`Mastodon ${tag}`), `saved: ${mine}`);
});

test('Dismiss in one click, Bring back from "Dismissed"; d on the keyboard dismisses the selected post', async () => {
  const { page } = await newPage();
  await login(page);
  await openListening(page);
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  await row(page, 'lee.bsky.social').getByRole('button', { name: 'Dismiss the post by lee.bsky.social' }).click();
  await page.getByTestId('listening-note').getByText('Dismissed the post by lee.bsky.social.').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 2);
  await page.getByLabel('Show').selectOption('true');
  await row(page, 'lee.bsky.social').waitFor();
  await row(page, 'lee.bsky.social').getByRole('button', { name: 'Bring back the post by lee.bsky.social' }).click();
  await page.getByTestId('listening-note').getByText('Brought back the post by lee.bsky.social.').waitFor();
  await page.waitForFunction(() => !document.querySelector('.feed [role="listitem"]')?.textContent.includes('lee.bsky.social'));
  await page.getByLabel('Show').selectOption('false');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  // Keyboard: the first post focused, d dismisses it.
  await rows(page).first().focus();
  const first = await rows(page).first().getAttribute('aria-label');
  await page.keyboard.press('d');
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 2);
  const r = await api('GET', `/api/v1/listening/mentions?query=${query.id}&dismissed=true`);
  assert(r.body.items.length === 1 && first === `Post by ${r.body.items[0].author}`, `dismissed by key: ${first}`);
  const back = await api('DELETE', `/api/v1/listening/mentions/${r.body.items[0].id}/dismiss`);
  assert(back.status === 200, 'brought back');
  // Another agent's screen sees it come back live (mention.updated).
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
});

test('Convert opens the new conversation with the post', async () => {
  const { page } = await newPage();
  await login(page);
  await openListening(page);
  await row(page, 'jane.bsky.social').getByRole('button', { name: 'Convert the post by jane.bsky.social to a conversation' }).click();
  await page.waitForFunction(() => /^#\/c\/\d+$/.test(location.hash));
  await page.locator('.msg', { hasText: 'three weeks late' }).first().waitFor();
  const id = Number((await page.evaluate(() => location.hash)).split('/')[2]);
  const m = await api('GET', `/api/v1/listening/mentions?query=${query.id}&platform=bluesky&q=${encodeURIComponent('three weeks')}`);
  assert(m.body.items[0].conversation_id === id, 'the mention points at the conversation');
  await shot(page, 'listening-converted');
  // Back on the screen the post offers the conversation instead.
  await openListening(page);
  await row(page, 'jane.bsky.social').getByRole('button', { name: 'Open the conversation with jane.bsky.social' }).waitFor();
});

test('a spike: a banner with the posts behind it, and a desktop alert', async () => {
  const { ctx, page } = await newPage();
  await ctx.grantPermissions(['notifications'], { origin: URL_ });
  // Desktop alerts on (the bell's setting), and the alerts the page shows recorded.
  await page.addInitScript(() => {
    localStorage.setItem('hark.alerts', JSON.stringify({ on: true, sound: false }));
    window.__shown = [];
    const N = window.Notification;
    class Rec extends N {
      constructor(title, opts) {
        super(title, opts);
        window.__shown.push({ title, body: opts?.body ?? '' });
      }
    }
    window.Notification = Rec;
  });
  await login(page);
  let r = await api('POST', '/api/v1/listening/queries', { name: `Kettles ${tag}`, query: `kettle${tag}` });
  assert(r.status === 201, 'spike query');
  kettles = r.body;
  // One post per 5-minute bucket for four buckets, then a burst of 12.
  const recs = [];
  for (const m of ['00', '05', '10', '15'])
    recs.push({ id: `${tag}-w${m}`, platform: 'bluesky', author: 'calm.bsky.social', text: `my kettle${tag} is fine`, created_at: `2026-04-01T10:${m}:00Z` });
  for (let i = 1; i <= 12; i++)
    recs.push({ id: `${tag}-k${i}`, platform: 'bluesky', author: `k${i}.bsky.social`, text: `kettle${tag} number ${i} exploded in my kitchen`, created_at: `2026-04-01T10:20:${String(i).padStart(2, '0')}Z` });
  await ingest(recs);
  // The desktop alert comes wherever the agent is (here: the inbox); then Listening shows the
  // banner.
  await page.waitForFunction(() => window.__shown.some((s) => s.title.startsWith('Spike: Kettles')));
  const shown = await page.evaluate(() => window.__shown.find((s) => s.title.startsWith('Spike: Kettles')));
  assert(!shown.body.includes('exploded'), 'the desktop alert carries no post text');
  await page.getByRole('link', { name: 'Listening' }).click();
  await page.getByRole('heading', { level: 1, name: 'Listening' }).waitFor();
  // The volume alert (the burst's unhappy share may raise a second, "negative" one).
  const banner = page.getByRole('region', { name: `Spike: Kettles ${tag}` }).filter({ hasText: /posts for “Kettles .*” in 5 minutes/ });
  await banner.waitFor();
  await banner.getByRole('button', { name: 'Show the posts' }).click();
  await banner.locator('.spike-posts li', { hasText: 'exploded in my kitchen' }).first().waitFor();
  const n = await banner.locator('.spike-posts li').count();
  assert(n >= 10, `posts behind the spike: ${n}`);
  assert((await banner.locator('.spike-posts li', { hasText: 'is fine' }).count()) === 0, 'only the burst');
  await shot(page, 'listening-spike');
  await axe(page, 'listening spike banner 1440x900');
  await banner.getByRole('button', { name: /Close the spike alert/ }).click();
  await banner.waitFor({ state: 'detached' });
});

test('390x844: the feed, filters and actions fit a phone', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await shot(page, 'listening-phone-inbox'); // the Listening link in the phone's top bar
  await page.getByRole('link', { name: 'Listening' }).click();
  await page.getByRole('heading', { level: 1, name: 'Listening' }).waitFor();
  // The filters fold away on a phone.
  assert(!(await page.getByLabel('Query').isVisible()), 'filters folded');
  await page.getByRole('button', { name: /Filters and saved views/ }).click();
  await page.getByLabel('Query').selectOption({ label: `Brand ${tag}` });
  await page.getByRole('button', { name: /Filters and saved views · 1 on/ }).waitFor();
  await shot(page, 'listening-phone-filters');
  await axe(page, 'listening filters 390x844');
  await page.getByRole('button', { name: /Filters and saved views/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('.feed [role="listitem"]').length === 3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert(!overflow, 'no sideways scrolling');
  const b = await row(page, 'ana@example.social').getByRole('button', { name: /Dismiss/ }).boundingBox();
  assert(b && b.x + b.width <= 390, 'Dismiss is on screen');
  await shot(page, 'listening-phone');
  await axe(page, 'listening feed 390x844');
});

await run();
