// rules.tsx - the Routing rules screen: the ordered list (drag to reorder, or Move up / Move
// down from the keyboard; PUT /api/v1/routing/rules/order), each rule's conditions, team and
// strategy, on/off, and the dry run (POST /api/v1/routing/dry-run): paste a message or pick a
// recent conversation and see the rule, team and agent it would get, and why, computed by the
// server's own routing code without changing anything.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Channel, Conv, Reply } from '../api';
import { CHANNEL_TYPES, fieldError, fromList, INTENTS, label, RtError, SENTIMENTS, toList, useSaved, words } from './routing-kit';
import { ConfirmButton } from './form';
import { ChangedBy, useSettingsChanged } from './live';
import type { ScreenProps } from './areas';

type Rule = Reply<'/api/v1/routing/rules/{id}', 'get'>;
type Team = Reply<'/api/v1/teams/{id}', 'get'>;
type DryRun = Reply<'/api/v1/routing/dry-run', 'post'>;

const STRATEGIES: [string, string, string][] = [
  ['least_loaded', 'Least busy', 'the available member with the fewest open conversations for their capacity'],
  ['round_robin', 'Take turns', 'the next available member in turn'],
  ['best_match', 'Best skills match', 'the available member with the most of the wanted skills, and who speaks the language'],
];

interface Draft {
  id: number | null;
  name: string;
  enabled: boolean;
  team: string;
  strategy: string;
  channels: string[];
  languages: string;
  pub: string; // '' any, 'private', 'public'
  tags: string;
  locations: string;
  intents: string[];
  sentiments: string[];
  urgency: string;
  skills: string;
}

const blank = (teams: Team[]): Draft => ({
  id: null,
  name: '',
  enabled: true,
  team: teams[0] ? String(teams[0].id) : '',
  strategy: 'least_loaded',
  channels: [],
  languages: '',
  pub: '',
  tags: '',
  locations: '',
  intents: [],
  sentiments: [],
  urgency: '',
  skills: '',
});
const fromRule = (r: Rule): Draft => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  team: String(r.team_id),
  strategy: r.strategy,
  channels: [...(r.conditions.channels ?? [])],
  languages: fromList(r.conditions.languages),
  pub: r.conditions.public == null ? '' : r.conditions.public ? 'public' : 'private',
  tags: fromList(r.conditions.tags),
  locations: fromList(r.conditions.locations),
  intents: [...(r.conditions.intents ?? [])],
  sentiments: [...(r.conditions.sentiments ?? [])],
  urgency: r.conditions.urgency_min == null ? '' : String(r.conditions.urgency_min),
  skills: fromList(r.skills),
});
// The API body of a rule (also used to flip 'enabled' from the list).
const ruleBody = (d: Draft, position: number) => ({
  name: d.name,
  position,
  enabled: d.enabled,
  team_id: d.team ? Number(d.team) : null,
  strategy: d.strategy,
  conditions: {
    channels: d.channels,
    languages: toList(d.languages),
    public: d.pub === '' ? null : d.pub === 'public',
    tags: toList(d.tags),
    locations: toList(d.locations),
    intents: d.intents,
    sentiments: d.sentiments,
    urgency_min: d.urgency.trim() === '' ? null : Number.isFinite(Number(d.urgency)) ? Number(d.urgency) : d.urgency,
  },
  skills: toList(d.skills),
});

// The sentence routing records for a decision, with the strategy's code in words.
function plain(reason: string): string {
  let s = reason.replace(/ -> /g, ' → ');
  for (const [k, l] of STRATEGIES) s = s.split(`(${k}`).join(`(${l.toLowerCase()}`);
  return s.replace(/\+heroes\)/g, ', best track record)');
}

// One line of conditions in words.
function summary(r: Rule): string {
  const c = r.conditions;
  const parts: string[] = [];
  if (c.channels?.length) parts.push(c.channels.map((x) => label(CHANNEL_TYPES, x)).join(' or '));
  if (c.public != null) parts.push(c.public ? 'public posts' : 'private messages');
  if (c.languages?.length) parts.push(`in ${c.languages.join('/')}`);
  if (c.intents?.length) parts.push(c.intents.map((x) => label(INTENTS, x).toLowerCase()).join(' or '));
  if (c.sentiments?.length) parts.push(`${c.sentiments.join('/')} mood`);
  if (c.urgency_min != null) parts.push(`urgency ≥ ${c.urgency_min}`);
  if (c.tags?.length) parts.push(`tagged ${c.tags.join('/')}`);
  if (c.locations?.length) parts.push(`at ${c.locations.join('/')}`);
  return parts.length ? parts.join(', ') : 'every conversation';
}

function Checks({ legend, list, value, onChange }: { legend: string; list: [string, string][]; value: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset class="rt-inline">
      <legend>{legend}</legend>
      <div class="rt-checks">
        {list.map(([k, l]) => (
          <label key={k} class="rt-check">
            <input type="checkbox" checked={value.includes(k)} onChange={(e) => onChange(e.currentTarget.checked ? [...value, k] : value.filter((x) => x !== k))} />
            {l}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function DryRunPanel({ channels, teams }: { channels: Channel[]; teams: Team[] }) {
  const [mode, setMode] = useState<'paste' | 'pick'>('paste');
  const [channel, setChannel] = useState('');
  const [text, setText] = useState('');
  const [pub, setPub] = useState(false);
  const [location, setLocation] = useState('');
  const [tags, setTags] = useState('');
  const [recent, setRecent] = useState<Conv[]>([]);
  const [conv, setConv] = useState('');
  const [res, setRes] = useState<DryRun | null>(null);
  const [err, setErr] = useState<RtError | null>(null);
  const [busy, setBusy] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!channel && channels[0]) setChannel(String(channels[0].id));
  }, [channels]);
  useEffect(() => {
    if (mode !== 'pick' || recent.length) return;
    api<Reply<'/api/v1/conversations', 'get'>>('GET', '/api/v1/conversations?limit=20')
      .then((r) => {
        setRecent(r.items);
        if (r.items[0]) setConv(String(r.items[0].id));
      })
      .catch((e) => setErr(fieldError(e, 'Cannot load recent conversations.')));
  }, [mode]);

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    const body =
      mode === 'pick'
        ? { conversation_id: conv ? Number(conv) : null }
        : { channel_id: channel ? Number(channel) : null, text, public: pub, contact: { location: location.trim() || null, tags: toList(tags) } };
    try {
      setRes(await api<DryRun>('POST', '/api/v1/routing/dry-run', body));
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
    } catch (ex) {
      setRes(null);
      setErr(fieldError(ex, 'The dry run did not work.'));
    } finally {
      setBusy(false);
    }
  };
  const fe = (f: string) => (err?.field === f ? err.message : '');
  const teamName = (id: number | undefined) => teams.find((t) => t.id === id)?.name ?? '';

  return (
    <section class="rt-dry" aria-labelledby="rt-dry-h">
      <h2 id="rt-dry-h">Try a message (dry run)</h2>
      <p class="muted rt-hint">See where a message would go right now and why. Nothing is sent, assigned or saved.</p>
      <form onSubmit={run} noValidate>
        <div class="rt-tabs" role="radiogroup" aria-label="What to try">
          <label class="rt-check"><input type="radio" name="dry-mode" checked={mode === 'paste'} onChange={() => setMode('paste')} /> Paste a message</label>
          <label class="rt-check"><input type="radio" name="dry-mode" checked={mode === 'pick'} onChange={() => setMode('pick')} /> Pick a recent conversation</label>
        </div>
        {mode === 'paste' ? (
          <>
            <div class="rt-field">
              <label for="dry-channel">Arrives on</label>
              <select id="dry-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)} aria-describedby="dry-channel-err">
                {channels.length === 0 && <option value="">No channel yet</option>}
                {channels.map((c) => (
                  <option key={c.id} value={c.id}>{c.name} ({label(CHANNEL_TYPES, c.type)})</option>
                ))}
              </select>
              <p class="rt-err" id="dry-channel-err" role={fe('channel_id') ? 'alert' : undefined}>{fe('channel_id')}</p>
            </div>
            <div class="rt-field">
              <label for="dry-text">Customer's message</label>
              <textarea id="dry-text" rows={3} value={text} maxLength={16384} onInput={(e) => setText(e.currentTarget.value)} aria-invalid={!!fe('text')} aria-describedby="dry-text-err" />
              <p class="rt-err" id="dry-text-err" role={fe('text') ? 'alert' : undefined}>{fe('text')}</p>
            </div>
            <details class="rt-more">
              <summary>About the customer (optional)</summary>
              <div class="rt-grid2">
                <div class="rt-field">
                  <label for="dry-loc">Customer's store or location</label>
                  <input id="dry-loc" value={location} maxLength={200} onInput={(e) => setLocation(e.currentTarget.value)} aria-describedby="dry-loc-err" />
                  <p class="rt-err" id="dry-loc-err" role={fe('location') ? 'alert' : undefined}>{fe('location')}</p>
                </div>
                <div class="rt-field">
                  <label for="dry-tags">Customer's tags (comma-separated)</label>
                  <input id="dry-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} aria-describedby="dry-tags-err" />
                  <p class="rt-err" id="dry-tags-err" role={fe('tags') ? 'alert' : undefined}>{fe('tags')}</p>
                </div>
              </div>
              <label class="rt-check"><input type="checkbox" checked={pub} onChange={(e) => setPub(e.currentTarget.checked)} /> A public post or comment</label>
            </details>
          </>
        ) : (
          <div class="rt-field">
            <label for="dry-conv">Conversation</label>
            <select id="dry-conv" value={conv} onChange={(e) => setConv(e.currentTarget.value)} aria-describedby="dry-conv-err">
              {recent.length === 0 && <option value="">No conversation yet</option>}
              {recent.map((c) => (
                <option key={c.id} value={c.id}>{c.contact_name || 'Customer'}: {(c.preview ?? '').slice(0, 60)}</option>
              ))}
            </select>
            <p class="rt-err" id="dry-conv-err" role={fe('conversation_id') ? 'alert' : undefined}>{fe('conversation_id')}</p>
          </div>
        )}
        {err && !['channel_id', 'text', 'location', 'tags', 'conversation_id'].includes(err.field ?? '') && <p class="rt-err" role="alert">{err.message}</p>}
        <button type="submit" class="primary" disabled={busy}>Try it</button>
      </form>
      {res && (
        <div class="rt-result" ref={resultRef} role="group" aria-live="polite" aria-label="Dry run result">
          {res.matched ? (
            <p class="rt-verdict">
              Rule <strong>{res.rule?.name}</strong> → team <strong>{res.team?.name ?? teamName(res.team?.id)}</strong> →{' '}
              {res.agent ? <strong>{res.agent.name ?? `agent ${res.agent.id}`}</strong> : <strong>waits in the queue</strong>}
            </p>
          ) : (
            <p class="rt-verdict">Stays in the shared inbox: <strong>{res.why}</strong></p>
          )}
          {res.reason && <p class="rt-why">Why: {plain(res.reason)}{res.queued ? ` (${res.queue_ahead} waiting ahead)` : ''}</p>}
          <dl class="rt-facts">
            {res.triage ? (
              <>
                <dt>Language</dt>
                <dd>{res.triage.language && res.triage.language !== 'und' ? res.triage.language : 'not recognised'}</dd>
                <dt>Wants</dt>
                <dd>{label(INTENTS, res.triage.intent) || 'unknown'}</dd>
                <dt>Mood</dt>
                <dd>{label(SENTIMENTS, res.triage.sentiment) || 'unknown'}</dd>
                <dt>Urgency</dt>
                <dd>{res.triage.urgency ?? 'unknown'} of 100</dd>
              </>
            ) : (
              <>
                <dt>Triage</dt>
                <dd>No triage models are loaded: language, intent and urgency are unknown.</dd>
              </>
            )}
            <dt>SLA policy</dt>
            <dd>
              {res.sla_policy
                ? `${res.sla_policy.name}: first reply within ${words(res.sla_policy.first_response_s)}, next reply ${words(res.sla_policy.next_response_s)}, resolved ${words(res.sla_policy.resolution_s)}${res.sla_policy.business_hours ? ' (business hours)' : ''}`
                : 'none: no clocks would run'}
            </dd>
            <dt>Acknowledgement</dt>
            <dd>
              {res.autoack.sent ? 'Would be sent: ' : 'None: '}
              {res.autoack.why}
              {res.autoack.text && <p class="rt-bubble">{res.autoack.text}</p>}
            </dd>
          </dl>
          <details class="rt-more">
            <summary>Rules tried ({res.rules_tried.length})</summary>
            <ol class="rt-tried">
              {res.rules_tried.map((r) => (
                <li key={r.id}>
                  <strong>{r.name}</strong>: {r.matched ? 'matches' : r.why}
                </li>
              ))}
            </ol>
          </details>
        </div>
      )}
    </section>
  );
}

export function RulesArea({ me }: ScreenProps) {
  const [items, setItems] = useState<Rule[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [err, setErr] = useState<RtError | null>(null);
  const [listErr, setListErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState<number | null>(null);
  const { note, say } = useSaved();
  const listRef = useRef<HTMLOListElement>(null);
  // Answers can arrive out of order (a reload set off by our own save's event may answer after
  // the next move): only the newest request's answer is shown.
  const seq = useRef(0);

  const load = async () => {
    const mine = ++seq.current;
    try {
      const [r, t, c] = await Promise.all([
        api<Reply<'/api/v1/routing/rules', 'get'>>('GET', '/api/v1/routing/rules'),
        api<Reply<'/api/v1/teams', 'get'>>('GET', '/api/v1/teams'),
        api<Reply<'/api/v1/channels', 'get'>>('GET', '/api/v1/channels'),
      ]);
      if (mine !== seq.current) return;
      setItems(r.items);
      setTeams(t.items);
      setChannels(c.items);
    } catch (e) {
      setListErr(fieldError(e, 'Cannot load the routing rules.').message);
    }
  };
  useEffect(() => {
    load();
  }, []);
  const changed = useSettingsChanged('routing_rules', () => load());

  // Saves a new order; the list shows it at once and falls back to the server's on an error.
  const reorder = async (ids: number[], focusId?: number, dir?: 'up' | 'down') => {
    const byId = new Map(items.map((r) => [r.id, r]));
    // Keep the keyboard where it was: on the same button of the moved rule (moving its row in
    // the DOM takes the focus away).
    const refocus = () => {
      if (focusId && dir)
        requestAnimationFrame(() => listRef.current?.querySelector<HTMLButtonElement>(`[data-move="${dir}-${focusId}"]`)?.focus());
    };
    setItems(ids.map((id) => byId.get(id)!).filter(Boolean));
    refocus();
    setListErr('');
    const mine = ++seq.current;
    try {
      const r = await api<Reply<'/api/v1/routing/rules/order', 'put'>>('PUT', '/api/v1/routing/rules/order', { ids });
      if (mine === seq.current) setItems(r.items);
      say('Order saved.');
    } catch (e) {
      setListErr(fieldError(e, 'Cannot save the order.', { 409: 'The rules changed meanwhile; the list is reloaded.' }).message);
      await load();
    }
    refocus();
  };
  const move = (id: number, by: number) => {
    const ids = items.map((r) => r.id);
    const i = ids.indexOf(id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    reorder(ids, id, by < 0 ? (j === 0 ? 'down' : 'up') : j === ids.length - 1 ? 'up' : 'down');
  };
  const drop = (target: number) => {
    if (dragging == null || dragging === target) return;
    const ids = items.map((r) => r.id).filter((x) => x !== dragging);
    ids.splice(ids.indexOf(target) + (items.findIndex((r) => r.id === dragging) < items.findIndex((r) => r.id === target) ? 1 : 0), 0, dragging);
    setDragging(null);
    reorder(ids);
  };
  const toggle = async (r: Rule) => {
    try {
      await api('PUT', `/api/v1/routing/rules/${r.id}`, ruleBody({ ...fromRule(r), enabled: !r.enabled }, r.position));
      say(`"${r.name}" is ${r.enabled ? 'off' : 'on'}.`);
    } catch (e) {
      setListErr(fieldError(e, 'Cannot change the rule.').message);
    }
    await load();
  };

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErr(null);
    // A new rule goes last; an edited one keeps its place.
    const pos = draft.id ? items.find((r) => r.id === draft.id)?.position ?? 0 : items.reduce((m, r) => Math.max(m, r.position), 0) + 1;
    try {
      const r = draft.id
        ? await api<Rule>('PUT', `/api/v1/routing/rules/${draft.id}`, ruleBody(draft, pos))
        : await api<Rule>('POST', '/api/v1/routing/rules', ruleBody(draft, pos));
      setDraft(fromRule(r));
      say(`Saved "${r.name}". It applies to the next conversation.`);
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot save the rule.', { 404: 'The team no longer exists; pick another.' }));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!draft?.id) return;
    try {
      await api('DELETE', `/api/v1/routing/rules/${draft.id}`);
      setDraft(null);
      say('Rule deleted.');
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot delete the rule.'));
    }
  };

  const fe = (f: string) => (err?.field === f ? err.message : '');
  const known = ['name', 'team_id', 'strategy', 'languages', 'tags', 'locations', 'urgency_min', 'skills'];
  const teamName = (id: number) => teams.find((t) => t.id === id)?.name ?? `team ${id}`;

  return (
    <section class="rt">
      <p class="muted">Each new conversation goes to the team of the first rule, from the top, whose conditions all hold. With no rule matching it stays in the shared inbox.</p>
      <ChangedBy event={changed} meId={me.id} />
      <div class="rt-split">
        <div class="rt-list">
          <ol class="rt-rules" ref={listRef} aria-label="Routing rules, in order">
            {items.map((r, i) => (
              <li
                key={r.id}
                class={`rt-rule${dragging === r.id ? ' rt-dragging' : ''}${r.enabled ? '' : ' rt-off'}`}
                draggable
                onDragStart={(e) => { setDragging(r.id); e.dataTransfer?.setData('text/plain', String(r.id)); }}
                onDragOver={(e) => e.preventDefault()}
                onDrop={(e) => { e.preventDefault(); drop(r.id); }}
                onDragEnd={() => setDragging(null)}
              >
                <span class="rt-grip" aria-hidden="true" title="Drag to reorder">⠿</span>
                <span class="rt-pos" aria-hidden="true">{i + 1}</span>
                <button type="button" class={`linkish rt-rule-main${draft?.id === r.id ? ' current' : ''}`} onClick={() => { setErr(null); setDraft(fromRule(r)); }}>
                  <span class="sr-only">Edit rule {i + 1}: </span>
                  <span class="rt-rule-name">{r.name}{!r.enabled && <span class="rt-pill rt-closed">Off</span>}</span>
                  <span class="muted rt-rule-sum">{summary(r)} → {teamName(r.team_id)}</span>
                </button>
                <span class="rt-rule-btns">
                  <label class="rt-switch">
                    <input type="checkbox" checked={r.enabled} onChange={() => toggle(r)} aria-label={`Rule ${r.name} on`} />
                    <span aria-hidden="true">On</span>
                  </label>
                  <button type="button" class="ghost" data-move={`up-${r.id}`} disabled={i === 0} onClick={() => move(r.id, -1)} aria-label={`Move ${r.name} up`}>↑</button>
                  <button type="button" class="ghost" data-move={`down-${r.id}`} disabled={i === items.length - 1} onClick={() => move(r.id, 1)} aria-label={`Move ${r.name} down`}>↓</button>
                </span>
              </li>
            ))}
          </ol>
          {items.length === 0 && <p class="muted">No rule yet: every conversation stays in the shared inbox.</p>}
          {listErr && <p class="rt-err" role="alert">{listErr}</p>}
          <div class="rt-actions">
            <button type="button" onClick={() => { setErr(null); setDraft(blank(teams)); }} disabled={teams.length === 0}>New rule</button>
            {teams.length === 0 && <span class="muted">Create a team first.</span>}
            <span class="rt-note" role="status">{note}</span>
          </div>
        </div>
        {draft && (
          <form class="rt-form" onSubmit={save} aria-label={draft.id ? `Edit rule ${draft.name}` : 'New rule'} noValidate>
            <div class="rt-grid2">
              <div class="rt-field">
                <label for="rule-name">Name</label>
                <input id="rule-name" value={draft.name} maxLength={200} onInput={(e) => set({ name: e.currentTarget.value })} aria-invalid={!!fe('name')} aria-describedby="rule-name-err" />
                <p class="rt-err" id="rule-name-err" role={fe('name') ? 'alert' : undefined}>{fe('name')}</p>
              </div>
              <div class="rt-field">
                <label for="rule-team">Send to team</label>
                <select id="rule-team" value={draft.team} onChange={(e) => set({ team: e.currentTarget.value })} aria-describedby="rule-team-err">
                  {teams.map((t) => (
                    <option key={t.id} value={t.id}>{t.name}</option>
                  ))}
                </select>
                <p class="rt-err" id="rule-team-err" role={fe('team_id') ? 'alert' : undefined}>{fe('team_id')}</p>
              </div>
            </div>
            <fieldset>
              <legend>Who in the team gets it</legend>
              {STRATEGIES.map(([k, l, d]) => (
                <label key={k} class="rt-check rt-radio">
                  <input type="radio" name="rule-strategy" checked={draft.strategy === k} onChange={() => set({ strategy: k })} />
                  <span><strong>{l}</strong> <span class="muted">— {d}</span></span>
                </label>
              ))}
              <p class="muted rt-hint">Urgent conversations and public posts go to the members with the best track record; a store's own staff come first for that store's customers.</p>
              <p class="rt-err" role={fe('strategy') ? 'alert' : undefined}>{fe('strategy')}</p>
              {draft.strategy === 'best_match' && (
                <div class="rt-field">
                  <label for="rule-skills">Wanted skills (comma-separated)</label>
                  <input id="rule-skills" value={draft.skills} onInput={(e) => set({ skills: e.currentTarget.value })} aria-describedby="rule-skills-err" />
                  <p class="rt-err" id="rule-skills-err" role={fe('skills') ? 'alert' : undefined}>{fe('skills')}</p>
                </div>
              )}
            </fieldset>
            <fieldset>
              <legend>When (all must hold; empty means any)</legend>
              <Checks legend="Channel" list={CHANNEL_TYPES} value={draft.channels} onChange={(v) => set({ channels: v })} />
              <div class="rt-field">
                <label for="rule-public">Private or public</label>
                <select id="rule-public" value={draft.pub} onChange={(e) => set({ pub: e.currentTarget.value })}>
                  <option value="">Either</option>
                  <option value="private">Private messages only</option>
                  <option value="public">Public posts and comments only</option>
                </select>
              </div>
              <Checks legend="What the customer wants" list={INTENTS} value={draft.intents} onChange={(v) => set({ intents: v })} />
              <Checks legend="Mood" list={SENTIMENTS} value={draft.sentiments} onChange={(v) => set({ sentiments: v })} />
              <div class="rt-grid2">
                <div class="rt-field">
                  <label for="rule-langs">Languages (codes, comma-separated)</label>
                  <input id="rule-langs" value={draft.languages} placeholder="en, de" onInput={(e) => set({ languages: e.currentTarget.value })} aria-invalid={!!fe('languages')} aria-describedby="rule-langs-err" />
                  <p class="rt-err" id="rule-langs-err" role={fe('languages') ? 'alert' : undefined}>{fe('languages')}</p>
                </div>
                <div class="rt-field">
                  <label for="rule-urg">Urgency at least (0–100)</label>
                  <input id="rule-urg" inputMode="numeric" class="rt-num" value={draft.urgency} onInput={(e) => set({ urgency: e.currentTarget.value })} aria-invalid={!!fe('urgency_min')} aria-describedby="rule-urg-err" />
                  <p class="rt-err" id="rule-urg-err" role={fe('urgency_min') ? 'alert' : undefined}>{fe('urgency_min')}</p>
                </div>
                <div class="rt-field">
                  <label for="rule-locs">Stores or locations</label>
                  <input id="rule-locs" value={draft.locations} placeholder="Berlin Mitte" onInput={(e) => set({ locations: e.currentTarget.value })} aria-invalid={!!fe('locations')} aria-describedby="rule-locs-err" />
                  <p class="rt-err" id="rule-locs-err" role={fe('locations') ? 'alert' : undefined}>{fe('locations')}</p>
                </div>
                <div class="rt-field">
                  <label for="rule-tags">Customer tags</label>
                  <input id="rule-tags" value={draft.tags} placeholder="vip" onInput={(e) => set({ tags: e.currentTarget.value })} aria-invalid={!!fe('tags')} aria-describedby="rule-tags-err" />
                  <p class="rt-err" id="rule-tags-err" role={fe('tags') ? 'alert' : undefined}>{fe('tags')}</p>
                </div>
              </div>
            </fieldset>
            <label class="rt-check">
              <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /> Rule is on
            </label>
            {err && !known.includes(err.field ?? '') && <p class="rt-err" role="alert">{err.message}</p>}
            <div class="rt-actions">
              <button type="submit" class="primary" disabled={busy}>{draft.id ? 'Save rule' : 'Create rule'}</button>
              {draft.id && <ConfirmButton label="Delete" question={`Delete "${draft.name}"?`} onConfirm={remove} />}
            </div>
          </form>
        )}
      </div>
      <DryRunPanel channels={channels} teams={teams} />
    </section>
  );
}
