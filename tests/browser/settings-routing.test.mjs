// settings-routing.test.mjs - the Business hours, Teams, SLA policies and Routing rules screens
// end to end: a calendar with a holiday, a team with an acknowledgement and its live preview, an
// SLA policy, a rule moved to the top from the keyboard and by dragging; the dry run names the
// rule, team and agent, and a real webhook is then routed to that team and agent (the effect on
// routing). Invalid fields show the API's message beside them and keep what was typed. Desktop
// and phone width.
import { test, run, newPage, newAgent, login, openSettings, api, hook, assert, shot, URL_, PHONE } from './lib.mjs';

const tag = String(process.pid);
const CAL = `Shop hours ${tag}`;
const TEAM = `Care ${tag}`;
const POLICY = `Fast lane ${tag}`;
const RULE = `Web to care ${tag}`;
let channel, ann, ben, calId, teamId;

async function setup() {
  const ch = await api('POST', '/api/v1/channels', { type: 'api', name: `Routing web ${tag}`, settings: {} });
  assert(ch.status === 201, `channel: ${ch.status}`);
  channel = ch.body;
  ann = await newAgent('agent', `Ann Routing ${tag}`);
  ben = await newAgent('agent', `Ben Routing ${tag}`);
  // Room for more than this file's conversations: a rule for API channels moved to the top also
  // takes the queue other files on this server left waiting (routing drains it through the new
  // rule), and the dry run must still find a free agent.
  for (const a of [ann, ben]) {
    const r = await api('PATCH', `/api/v1/agents/${a.id}/profile`, { availability: 'online', capacity: 500, auto_presence: false });
    assert(r.status === 200, `profile: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

const noSideways = async (page) => {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `no sideways scrolling: ${overflow}px`);
};

test('business hours: a weekly grid, a time zone and a holiday; an empty name is refused beside the field, typed input kept', async () => {
  await setup();
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'calendars', 'Business hours');
  await page.getByRole('button', { name: 'New calendar' }).click();
  const form = page.getByRole('form', { name: 'New calendar' });
  await form.getByLabel('Time zone').selectOption('Europe/Berlin');
  await form.getByLabel('Saturday', { exact: false }).getByRole('button', { name: 'Add hours on Saturday' }).click();
  await form.getByLabel('Saturday opens').fill('10:00');
  await form.getByLabel('Saturday closes').fill('14:00');
  await form.getByLabel('Holiday date').fill('2030-12-25');
  await form.getByRole('button', { name: 'Add holiday' }).click();
  // No name: the API refuses; its message is beside the name and nothing typed is lost.
  await form.getByRole('button', { name: 'Create calendar' }).click();
  const err = page.locator('#cal-name-err');
  await err.filter({ hasText: /\w/ }).waitFor();
  assert((await form.getByLabel('Name').getAttribute('aria-invalid')) === 'true', 'name marked invalid');
  assert((await form.getByLabel('Time zone').inputValue()) === 'Europe/Berlin', 'time zone kept');
  assert((await form.getByLabel('Saturday closes').inputValue()) === '14:00', 'hours kept');
  await form.getByRole('list', { name: 'Holidays' }).getByText('2030').waitFor();
  await shot(page, 'routing-calendar-error');
  await form.getByLabel('Name').fill(CAL);
  await form.getByRole('button', { name: 'Create calendar' }).click();
  await page.getByRole('status').filter({ hasText: `Saved "${CAL}"` }).waitFor();
  const r = await api('GET', '/api/v1/calendars');
  const cal = r.body.items.find((c) => c.name === CAL);
  assert(cal, 'calendar stored');
  calId = cal.id;
  assert(cal.tz === 'Europe/Berlin', `tz: ${cal.tz}`);
  assert(JSON.stringify(cal.holidays) === '["2030-12-25"]', `holidays: ${JSON.stringify(cal.holidays)}`);
  assert(JSON.stringify(cal.hours.sat) === '[["10:00","14:00"]]', `saturday: ${JSON.stringify(cal.hours)}`);
  assert(JSON.stringify(cal.hours.mon) === '[["09:00","17:00"]]', `monday: ${JSON.stringify(cal.hours)}`);
  await shot(page, 'routing-calendar');
});

test('teams: members, lead, calendar and an acknowledgement with a live preview', async () => {
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'teams', 'Teams');
  await page.getByRole('button', { name: 'New team' }).click();
  const form = page.getByRole('form', { name: 'New team' });
  await form.getByLabel('Name').fill(TEAM);
  await form.getByLabel(ann.name).check();
  await form.getByLabel(ben.name).check();
  await form.getByLabel('Team lead').selectOption({ label: ann.name });
  await form.getByLabel('Business hours').selectOption({ label: `${CAL} (Europe/Berlin)` });
  await form.getByLabel('Send an acknowledgement when nobody can answer soon').check();
  await form.getByLabel('Acknowledgement text (en)').fill('Thanks for writing! {team} replies by {when}.');
  // The preview is the server's rendering of the template for this team and calendar.
  await form.locator('.rt-preview .rt-bubble').filter({ hasText: `Thanks for writing! ${TEAM} replies by ` }).waitFor();
  await form.getByRole('button', { name: 'Create team' }).click();
  await page.getByRole('status').filter({ hasText: `Saved "${TEAM}"` }).waitFor();
  await page.locator('.rt-preview .rt-bubble').filter({ hasText: `${TEAM} replies by` }).waitFor();
  const r = await api('GET', '/api/v1/teams');
  const t = r.body.items.find((x) => x.name === TEAM);
  assert(t, 'team stored');
  teamId = t.id;
  assert(t.members.length === 2 && t.lead_agent_id === ann.id, `members/lead: ${JSON.stringify(t)}`);
  assert(t.calendar_id === calId, 'calendar');
  assert(t.autoack.enabled && t.autoack.templates.en.startsWith('Thanks for writing!'), `autoack: ${JSON.stringify(t.autoack)}`);
  await shot(page, 'routing-team');
});

test('SLA policies: targets in minutes, business time with a calendar; a bad warning share is refused beside its field', async () => {
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'sla_policies', 'SLA policies');
  await page.getByRole('button', { name: 'New SLA policy' }).click();
  const form = page.getByRole('form', { name: 'New SLA policy' });
  await form.getByLabel('Name').fill(POLICY);
  // First in line: other files on this server may have made catch-all policies.
  await form.getByLabel('Order').fill('-100');
  await form.getByLabel('First reply within', { exact: true }).fill('30');
  await form.getByLabel('First reply within: unit').selectOption('minutes');
  await form.getByLabel('Count only business hours').check();
  await form.getByLabel('Calendar').selectOption({ label: `${CAL} (Europe/Berlin)` });
  await form.getByLabel('Warn at (% of the target)').fill('150');
  await form.getByRole('button', { name: 'Create policy' }).click();
  await page.locator('#pol-warn-err').filter({ hasText: /1\.\.99|1 to 99|99/ }).waitFor();
  assert((await form.getByLabel('Name').inputValue()) === POLICY, 'name kept');
  assert((await form.getByLabel('First reply within', { exact: true }).inputValue()) === '30', 'target kept');
  await shot(page, 'routing-policy-error');
  await form.getByLabel('Warn at (% of the target)').fill('75');
  await form.getByRole('button', { name: 'Create policy' }).click();
  await page.getByRole('status').filter({ hasText: `Saved "${POLICY}"` }).waitFor();
  const r = await api('GET', '/api/v1/sla/policies');
  const p = r.body.items.find((x) => x.name === POLICY);
  assert(p && p.first_response_s === 1800 && p.business_hours && p.calendar_id === calId && p.warn_pct === 75 && p.position === -100, `policy: ${JSON.stringify(p)}`);
  await shot(page, 'routing-policy');
});

test('routing rules: create, move to the top from the keyboard and by dragging; the dry run names the rule, team and agent; a webhook is then routed there', async () => {
  // Another, switched-off rule first in line, so the new one has to be moved up.
  const other = await api('POST', '/api/v1/routing/rules', { name: `Off rule ${tag}`, position: -1000, enabled: false, team_id: teamId, strategy: 'round_robin' });
  assert(other.status === 201, `other rule: ${other.status}`);
  const { page } = await newPage();
  await login(page);
  await openSettings(page, 'routing_rules', 'Routing rules');
  await page.getByRole('button', { name: 'New rule' }).click();
  const form = page.getByRole('form', { name: 'New rule' });
  await form.getByLabel('Name').fill(RULE);
  await form.getByLabel('Send to team').selectOption({ label: TEAM });
  await form.getByLabel(/Least busy/).check();
  await form.getByRole('group', { name: 'Channel' }).getByLabel('API').check();
  await form.getByLabel('Urgency at least (0–100)').fill('400');
  await form.getByRole('button', { name: 'Create rule' }).click();
  await page.locator('#rule-urg-err').filter({ hasText: /100/ }).waitFor();
  assert((await form.getByLabel('Name').inputValue()) === RULE, 'name kept after the error');
  await form.getByLabel('Urgency at least (0–100)').fill('');
  await form.getByRole('button', { name: 'Create rule' }).click();
  await page.getByRole('status').filter({ hasText: `Saved "${RULE}"` }).waitFor();
  const rules = async () => (await api('GET', '/api/v1/routing/rules')).body.items.map((r) => r.name);
  // Keyboard: Move up until first (focus stays on the moved rule's button).
  const list = page.getByRole('list', { name: 'Routing rules, in order' });
  const n = (await rules()).length;
  await list.getByRole('button', { name: `Move ${RULE} up` }).focus();
  for (let i = 0; i < n - 1; i++) {
    const before = await rules();
    await page.keyboard.press('Enter');
    for (let k = 0; k < 50 && JSON.stringify(await rules()) === JSON.stringify(before); k++) await page.waitForTimeout(100);
    // The screen settles on the saved order (a late reload must not bring an older one back).
    const shown = () => list.locator('[data-move^="up-"]').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label').replace(/^Move (.*) up$/, '$1')));
    let agree = false;
    for (let k = 0; k < 30 && !agree; k++) {
      await page.waitForTimeout(100);
      agree = JSON.stringify(await shown()) === JSON.stringify(await rules());
    }
    assert(agree, `the list shows the saved order: ${await shown()} vs ${await rules()}`);
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    let focused = await focusedLabel();
    for (let k = 0; k < 20 && !(focused && focused.includes(RULE)); k++) {
      await page.waitForTimeout(100);
      focused = await focusedLabel();
    }
    assert(focused && focused.includes(RULE), `focus stays on the moved rule: ${focused}`);
    if ((await rules())[0] === RULE) break;
  }
  assert((await rules())[0] === RULE, `first after moving up: ${await rules()}`);
  // Drag: the switched-off rule above ours, then ours back above it.
  const item = (name) => list.locator('li').filter({ hasText: name });
  await item(`Off rule ${tag}`).dragTo(item(RULE));
  for (let k = 0; k < 50 && (await rules())[0] !== `Off rule ${tag}`; k++) await page.waitForTimeout(100);
  assert((await rules())[0] === `Off rule ${tag}`, `dragged to the top: ${await rules()}`);
  await item(RULE).dragTo(item(`Off rule ${tag}`));
  for (let k = 0; k < 50 && (await rules())[0] !== RULE; k++) await page.waitForTimeout(100);
  assert((await rules())[0] === RULE, `dragged back: ${await rules()}`);
  await shot(page, 'routing-rules');

  // Dry run: the rule, team and agent, and why; nothing written.
  const text = 'Hello, my parcel has not arrived yet, can you check?';
  const convsBefore = (await api('GET', '/api/v1/conversations?limit=200')).body.items.length;
  await page.getByLabel('Arrives on').selectOption({ label: `Routing web ${tag} (API)` });
  await page.getByLabel("Customer's message").fill(text);
  await page.getByRole('button', { name: 'Try it' }).click();
  const result = page.getByLabel('Dry run result');
  await result.getByText(`Rule ${RULE}`, { exact: false }).waitFor();
  const verdict = await result.locator('.rt-verdict').innerText();
  assert(verdict.includes(TEAM), `team in the verdict: ${verdict}`);
  const agent = [ann, ben].find((a) => verdict.includes(a.name));
  assert(agent, `an agent in the verdict: ${verdict}`);
  await result.getByText(/^Why: rule '.*→ team/).waitFor();
  await result.getByText(POLICY, { exact: false }).waitFor();
  await result.scrollIntoViewIfNeeded();
  await shot(page, 'routing-dry-run');
  const convsAfter = (await api('GET', '/api/v1/conversations?limit=200')).body.items.length;
  assert(convsAfter === convsBefore, 'the dry run created no conversation');

  // The effect: the same message as a webhook goes to that team and agent.
  const h = await hook(channel, { id: `rt-${tag}-1`, from: { id: `rt-${tag}`, name: 'Rosa Customer' }, text });
  const sla = await api('GET', `/api/v1/conversations/${h.conversation_id}/sla`);
  assert(sla.body.routing.team_id === teamId, `routed to the team: ${JSON.stringify(sla.body.routing)}`);
  const conv = await api('GET', `/api/v1/conversations/${h.conversation_id}`);
  assert(conv.body.assignee_id === agent.id, `assigned to the dry run's agent ${agent.id}: ${conv.body.assignee_id}`);

  // Pick that conversation: the dry run of a stored conversation.
  await page.getByLabel('Pick a recent conversation').check();
  await page.getByLabel('Conversation', { exact: true }).selectOption({ label: `Rosa Customer: ${text}` });
  await page.getByRole('button', { name: 'Try it' }).click();
  await result.getByText(`Rule ${RULE}`, { exact: false }).waitFor();
});

test('phone width: the four screens fit without sideways scrolling', async () => {
  const { page } = await newPage(PHONE);
  await login(page);
  for (const [id, title] of [['calendars', 'Business hours'], ['teams', 'Teams'], ['sla_policies', 'SLA policies'], ['routing_rules', 'Routing rules']]) {
    await openSettings(page, id, title);
    if (id === 'calendars') await page.getByRole('button', { name: new RegExp(CAL) }).click();
    if (id === 'teams') await page.getByRole('button', { name: new RegExp(TEAM) }).click();
    if (id === 'sla_policies') await page.getByRole('button', { name: new RegExp(POLICY) }).click();
    if (id === 'routing_rules') await page.getByRole('button', { name: new RegExp(`Edit rule \\d+: ${RULE}`) }).click();
    await page.locator('.rt-form').waitFor();
    await noSideways(page);
    await shot(page, `routing-phone-${id}`);
  }
});

await run();
