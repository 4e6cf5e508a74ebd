// settings-agents.test.mjs - the Agents settings area end to end: invite someone, open the link
// (no sign-in), choose a password under the rules, sign in; edit the public profile and see it
// in the chat widget; an error shown beside its field with the typed input kept; change a role
// and see it take effect; disable and re-enable; reset by link; and store staff on a phone,
// who see only their store's conversations and answer one.
import http from 'node:http';
import { test, run, newPage, login, api, hook, assert, shot, openSettings, URL_, PHONE, DESKTOP } from './lib.mjs';

const tag = `${process.pid}`;
const IVY = { email: `ivy-${tag}@example.com`, name: 'Ivy Ingram', password: `ivy-${tag}-chooses-this` };
const STORE = `Mitte ${tag}`;
let ivyId = 0;
let inviteUrl = '';

// The brand's website on its own origin, embedding the widget of 'webchat'.
let webchat;
const shop = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head>
<body style="font-family:sans-serif"><h1>Shop</h1>
<script src="${URL_}/widget.js" data-channel="${webchat?.id ?? 0}" async></script></body></html>`);
});

const agentRow = (page, name) => page.locator('.agents-table tbody tr', { hasText: name });

test('an admin invites someone; the link is shown once with a Copy button', async () => {
  const { page } = await newPage(DESKTOP);
  await login(page);
  await openSettings(page, 'agents', 'Agents');
  const form = page.locator('form.agents-invite');
  await form.getByLabel('Email').fill(IVY.email);
  await form.getByLabel('Full name').fill(IVY.name);
  await form.getByLabel('Role').selectOption('store_staff');
  await form.getByLabel('Store (optional)').fill(STORE);
  await form.getByRole('button', { name: 'Create invite link' }).click();
  const link = page.getByLabel('Invite link').first();
  await link.waitFor();
  inviteUrl = await link.inputValue();
  assert(/\/#\/invite\/[A-Za-z0-9_-]{43}$/.test(inviteUrl), `invite link: ${inviteUrl}`);
  assert((await page.getByRole('button', { name: 'Copy link' }).count()) >= 1, 'a Copy button');
  const row = agentRow(page, IVY.name);
  await row.waitFor();
  const text = await row.textContent();
  assert(text.includes('Store staff') && text.includes('Invited') && text.includes(STORE), `row: ${text}`);
  await shot(page, 'agents-invited');
  // The same email again: the API's answer beside the Email field, the typed name kept.
  await form.getByLabel('Email').fill(IVY.email.toUpperCase());
  await form.getByLabel('Full name').fill('Someone Else');
  await form.getByRole('button', { name: 'Create invite link' }).click();
  await form.getByText(/exists/).waitFor();
  assert((await form.getByLabel('Full name').inputValue()) === 'Someone Else', 'typed name kept');
  // With a password instead of a link: the password rules answer beside the Password field.
  await form.getByLabel('Email').fill(`pat-${tag}@example.com`);
  await form.getByLabel('Full name').fill('Pat Direct');
  await form.getByLabel('Role').selectOption('supervisor');
  await form.getByLabel('Password (optional)').fill('too-short');
  await form.getByRole('button', { name: 'Add with this password' }).click();
  await form.locator('.field-invalid', { hasText: 'Password (optional)' }).locator('.field-error', { hasText: '12' }).waitFor();
  assert((await form.getByLabel('Email').inputValue()) === `pat-${tag}@example.com`, 'typed email kept');
  await form.getByLabel('Password (optional)').fill(`pat-${tag}-long-password`);
  await form.getByRole('button', { name: 'Add with this password' }).click();
  await form.getByText('Pat Direct can sign in now with the password you chose.').waitFor();
  await agentRow(page, 'Pat Direct').getByText('Supervisor').waitFor();
  const r = await api('GET', '/api/v1/agents');
  ivyId = r.body.items.find((a) => a.email === IVY.email).id;
});

test('the invite page needs no sign-in, shows the rules, and then the person signs in', async () => {
  assert(inviteUrl, 'an invite link from the previous test');
  const { page } = await newPage(PHONE);
  await page.goto(inviteUrl);
  await page.getByRole('heading', { name: `Welcome, ${IVY.name}` }).waitFor();
  await page.getByText(/At least 12 characters/).waitFor();
  await page.getByLabel('New password').fill('short');
  await page.getByLabel('The same password again').fill('short');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('alert').waitFor();
  const msg = await page.getByRole('alert').textContent();
  assert(/12/.test(msg), `the rule is explained: ${msg}`);
  await page.getByLabel('New password').fill(IVY.password);
  await page.getByLabel('The same password again').fill(IVY.password);
  await shot(page, 'agents-invite-page-phone');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Password set' }).waitFor();
  await page.getByRole('button', { name: 'Go to sign in' }).click();
  await page.getByLabel('Email').fill(IVY.email);
  await page.getByLabel('Password').fill(IVY.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'My profile' }).waitFor();
  // The link is used up: opening it again says so.
  await page.goto(inviteUrl);
  await page.getByRole('heading', { name: 'This link does not work any more' }).waitFor();
});

test('the public profile edited here is what the chat widget shows', async () => {
  await new Promise((r) => shop.listen(0, '127.0.0.1', r));
  const shopOrigin = `http://127.0.0.1:${shop.address().port}`;
  const r = await api('POST', '/api/v1/channels', { type: 'webchat', name: `Agents test chat ${tag}`, settings: { brand_name: 'Shop', allowed_origins: [shopOrigin] } });
  assert(r.status === 201, `webchat: ${r.status}`);
  webchat = r.body;

  const { page } = await newPage(DESKTOP);
  await login(page);
  await openSettings(page, 'agents', 'Agents');
  await page.getByRole('button', { name: `Edit ${IVY.name}` }).click();
  const panel = page.locator('.agents-edit');
  await panel.getByRole('heading', { name: IVY.name }).waitFor();
  // An http address is refused beside its field, and what was typed stays.
  await panel.getByLabel('Display name').fill('Ivy from Mitte');
  await panel.getByLabel('Photo address').fill('http://example.com/ivy.png');
  await panel.getByLabel('Short bio').fill('Knows every shoe in the Mitte store.');
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.locator('.field-invalid', { hasText: 'Photo address' }).locator('.field-error', { hasText: 'https' }).waitFor();
  assert((await panel.getByLabel('Short bio').inputValue()) === 'Knows every shoe in the Mitte store.', 'bio kept after the error');
  await shot(page, 'agents-field-error');
  const avatar = `https://avatars.example.com/ivy-${tag}.png`;
  await panel.getByLabel('Photo address').fill(avatar);
  await panel.getByLabel('Skills').fill('shoes, returns');
  await panel.getByLabel('Languages').fill('de, en');
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.getByText('Saved.').waitFor();
  const saved = (await api('GET', '/api/v1/agents')).body.items.find((a) => a.id === ivyId);
  assert(saved.display_name === 'Ivy from Mitte' && saved.avatar_url === avatar && saved.bio === 'Knows every shoe in the Mitte store.', `saved: ${JSON.stringify(saved)}`);
  const prof = (await api('GET', `/api/v1/agents/${ivyId}/profile`)).body;
  assert(prof.skills.join(',') === 'shoes,returns' && prof.languages.join(',') === 'de,en' && prof.location === STORE, `profile: ${JSON.stringify(prof)}`);
  await shot(page, 'agents-edit');

  // The widget: a visitor writes; once Ivy is assigned, her name and face are what it shows.
  const customer = await newPage(PHONE);
  await customer.page.goto(shopOrigin + '/');
  const w = customer.page.locator('[data-hark-widget]');
  await w.getByRole('button', { name: 'Open chat' }).click();
  await w.getByRole('textbox', { name: 'Message' }).fill('Do you have these shoes in 42?');
  await w.getByRole('button', { name: 'Send' }).click();
  await w.locator('.m.in', { hasText: 'shoes in 42' }).waitFor();
  const convs = (await api('GET', `/api/v1/conversations?channel=${webchat.id}`)).body.items;
  assert(convs.length === 1, `one widget conversation: ${convs.length}`);
  const a = await api('POST', `/api/v1/conversations/${convs[0].id}/assign`, { agent_id: ivyId });
  assert(a.status === 200, `assign: ${a.status}`);
  await w.getByText('Ivy from Mitte is helping you').waitFor();
  const src = await w.locator('img.face').first().getAttribute('src');
  assert(src === avatar, `the widget shows the face set here: ${src}`);
  await w.locator('.people .bio').filter({ hasText: 'Knows every shoe in the Mitte store.' }).waitFor();
  await shot(customer.page, 'agents-widget-face');
});

test('a role change takes effect at once; disable signs out, enable lets back in', async () => {
  const ivy = await newPage(DESKTOP);
  await login(ivy.page, IVY);
  // Store staff's settings are their own saved replies; the team's setup is not theirs.
  await ivy.page.goto(`${URL_}/#/settings/agents`);
  await ivy.page.getByRole('heading', { level: 1, name: 'Saved replies' }).waitFor();
  const ivyAreas = await ivy.page.getByRole('navigation', { name: 'Settings' }).getByRole('listitem').allTextContents();
  assert(ivyAreas.join() === 'Saved replies', `store staff's areas: ${ivyAreas.join(', ')}`);
  const { page } = await newPage(DESKTOP);
  await login(page);
  await openSettings(page, 'agents', 'Agents');
  await page.getByRole('button', { name: `Edit ${IVY.name}` }).click();
  const panel = page.locator('.agents-edit');
  await panel.getByLabel('Role').selectOption('admin');
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.getByText('Saved.').waitFor();
  await agentRow(page, IVY.name).getByText('Admin').waitFor();
  await ivy.page.reload();
  await ivy.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Agents' }).waitFor();
  // Back to store staff for the phone test below.
  await panel.getByLabel('Role').selectOption('store_staff');
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.getByText('Saved.').waitFor();
  // Disable (asks first), then enable.
  await panel.getByRole('button', { name: 'Disable' }).click();
  await panel.getByRole('button', { name: 'Yes, disable' }).click();
  await panel.getByText(/is disabled and signed out/).waitFor();
  await agentRow(page, IVY.name).getByText('Disabled').waitFor();
  const me = await ivy.page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert(me === 401, `disabled agent signed out: ${me}`);
  await panel.getByRole('button', { name: 'Enable' }).click();
  await agentRow(page, IVY.name).getByText('Active').waitFor();
  // Reset by link: a fresh link, shown once.
  await panel.getByRole('button', { name: 'Send a password reset link' }).click();
  const link = await panel.getByLabel('Invite link').inputValue();
  assert(/\/#\/invite\//.test(link) && link !== inviteUrl, `reset link: ${link}`);
  await shot(page, 'agents-access');
});

test('store staff on a phone see only their store and answer a customer', async () => {
  const ch = (await api('POST', '/api/v1/channels', { type: 'api', name: `Agents test social ${tag}`, settings: {} })).body;
  const mine = await hook(ch, { id: `s1-${tag}`, from: { id: `mia-${tag}`, name: 'Mia Mitte' }, text: `Is the ${STORE} store open on Sunday?` });
  const other = await hook(ch, { id: `s2-${tag}`, from: { id: `olaf-${tag}`, name: 'Olaf Other' }, text: 'Where is my refund?' });
  const { page } = await newPage(PHONE);
  await login(page, IVY);
  await page.getByRole('tab', { name: /All open/ }).click();
  await page.locator('.row', { hasText: 'Mia Mitte' }).waitFor();
  assert((await page.locator('.row', { hasText: 'Olaf Other' }).count()) === 0, 'another store’s customer is not listed');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
  await shot(page, 'agents-store-staff-inbox-phone');
  await page.locator('.row', { hasText: 'Mia Mitte' }).click();
  await page.getByLabel('Reply to the customer').fill('Hi Mia, yes, from 12 to 18. See you there!');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.locator('.msg.out', { hasText: 'See you there' }).waitFor();
  await shot(page, 'agents-store-staff-reply-phone');
  // A conversation of the store that another agent has: store staff cannot move it.
  const sam = (await api('GET', '/api/v1/agents')).body.items.find((a) => a.email === 'sam@example.com');
  const taken = await hook(ch, { id: `s3-${tag}`, from: { id: `max-${tag}`, name: 'Max Mitte' }, text: `Returns at the ${STORE} store?` });
  assert((await api('POST', `/api/v1/conversations/${taken.conversation_id}/assign`, { agent_id: sam.id })).status === 200, 'assign to Sam');
  await page.goto(URL_ + '/');
  await page.getByRole('tab', { name: /All open/ }).click();
  await page.locator('.row', { hasText: 'Max Mitte' }).click();
  await page.locator('.msg.in', { hasText: 'Returns at the' }).waitFor();
  assert(await page.locator('#assign').isDisabled(), 'the assignee cannot be changed by store staff');
  assert((await page.getByRole('button', { name: 'Assign to me' }).count()) === 0, 'no Assign to me on another agent’s conversation');
  // The other store's conversation is not reachable by address either.
  const st = await page.evaluate(async (id) => (await fetch(`/api/v1/conversations/${id}`)).status, other.conversation_id);
  assert(st === 404, `out-of-scope conversation: ${st}`);
  assert(mine.conversation_id !== other.conversation_id, 'two conversations');
});

test('phone width: the agents screen fits', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  await openSettings(page, 'agents', 'Agents');
  await agentRow(page, IVY.name).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
  await shot(page, 'agents-phone');
  await page.getByRole('button', { name: `Edit ${IVY.name}` }).click();
  await page.locator('.agents-edit').getByRole('heading', { name: IVY.name }).waitFor();
  await shot(page, 'agents-edit-phone');
});

await run();
shop.close();
