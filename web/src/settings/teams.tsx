// teams.tsx - the Teams screen: members, lead, business-hours calendar, and the honest
// automatic acknowledgement (on/off, also on public posts, one text per language with a live
// preview from POST /api/v1/routing/autoack/preview). Routing rules send conversations to a team.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Agent, api, Reply } from '../api';
import { fieldError, LANGUAGES, RtError, useSaved } from './routing-kit';
import { ConfirmButton } from './form';
import { ChangedBy, useSettingsChanged } from './live';
import type { ScreenProps } from './areas';

type Team = Reply<'/api/v1/teams/{id}', 'get'>;
type Calendar = Reply<'/api/v1/calendars/{id}', 'get'>;

interface Tpl {
  key: number; // stable list key while the language is being typed
  lang: string;
  text: string;
}
interface Draft {
  id: number | null;
  name: string;
  members: number[];
  lead: number | null;
  calendar: number | null;
  autoack: boolean;
  autoackPublic: boolean;
  templates: Tpl[];
}

const DEFAULT_TPL = 'Thank you for your message. Our team is not able to answer straight away: a person from {team} will reply by {when}.';
let tplKey = 1;

const blank = (): Draft => ({
  id: null,
  name: '',
  members: [],
  lead: null,
  calendar: null,
  autoack: false,
  autoackPublic: false,
  templates: [{ key: tplKey++, lang: 'en', text: DEFAULT_TPL }],
});

const fromTeam = (t: Team): Draft => ({
  id: t.id,
  name: t.name,
  members: [...t.members],
  lead: t.lead_agent_id ?? null,
  calendar: t.calendar_id ?? null,
  autoack: !!t.autoack?.enabled,
  autoackPublic: !!t.autoack?.public,
  templates: Object.entries(t.autoack?.templates ?? {}).map(([lang, text]) => ({ key: tplKey++, lang, text })),
});

// The acknowledgement as it would read if sent now, refreshed as the text is typed.
function Preview({ tpl, team, calendar }: { tpl: Tpl; team: string; calendar: number | null }) {
  const [text, setText] = useState('');
  const [err, setErr] = useState('');
  const seq = useRef(0);
  useEffect(() => {
    const n = ++seq.current;
    if (!tpl.text.trim()) {
      setText('');
      setErr('');
      return;
    }
    const t = window.setTimeout(async () => {
      try {
        const r = await api<{ text: string }>('POST', '/api/v1/routing/autoack/preview', {
          template: tpl.text,
          language: tpl.lang || 'en',
          team_name: team || 'Your team',
          calendar_id: calendar,
        });
        if (n === seq.current) {
          setText(r.text);
          setErr('');
        }
      } catch (e) {
        if (n === seq.current) setErr(fieldError(e, 'No preview right now.').message);
      }
    }, 250);
    return () => window.clearTimeout(t);
  }, [tpl.text, tpl.lang, team, calendar]);
  return (
    <div class="rt-preview" aria-live="polite">
      <span class="rt-preview-h">Preview, if sent now</span>
      {err ? <p class="rt-err">{err}</p> : text ? <p class="rt-bubble">{text}</p> : <p class="rt-preview-wait">{tpl.text.trim() ? 'Preparing the preview…' : 'Write a text to see it.'}</p>}
    </div>
  );
}

export function TeamsArea({ me }: ScreenProps) {
  const [items, setItems] = useState<Team[]>([]);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [cals, setCals] = useState<Calendar[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [err, setErr] = useState<RtError | null>(null);
  const [busy, setBusy] = useState(false);
  const { note, say } = useSaved();

  const load = async () => {
    try {
      const [t, a, c] = await Promise.all([
        api<Reply<'/api/v1/teams', 'get'>>('GET', '/api/v1/teams'),
        api<Reply<'/api/v1/agents', 'get'>>('GET', '/api/v1/agents'),
        api<Reply<'/api/v1/calendars', 'get'>>('GET', '/api/v1/calendars'),
      ]);
      setItems(t.items);
      setAgents(a.items);
      setCals(c.items);
    } catch (e) {
      setErr(fieldError(e, 'Cannot load the teams.'));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const changed = useSettingsChanged('teams', () => load());

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const setTpl = (key: number, patch: Partial<Tpl>) =>
    setDraft((d) => (d ? { ...d, templates: d.templates.map((t) => (t.key === key ? { ...t, ...patch } : t)) } : d));
  const toggleMember = (id: number, on: boolean) => {
    if (!draft) return;
    const members = on ? [...draft.members, id] : draft.members.filter((m) => m !== id);
    set({ members, lead: draft.lead && !members.includes(draft.lead) ? null : draft.lead });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErr(null);
    const templates: Record<string, string> = {};
    for (const t of draft.templates) if (t.lang.trim() && t.text.trim()) templates[t.lang.trim()] = t.text;
    const body = {
      name: draft.name,
      members: draft.members,
      lead_agent_id: draft.lead,
      calendar_id: draft.calendar,
      autoack: { enabled: draft.autoack, public: draft.autoackPublic, templates },
    };
    try {
      const t = draft.id ? await api<Team>('PUT', `/api/v1/teams/${draft.id}`, body) : await api<Team>('POST', '/api/v1/teams', body);
      setDraft(fromTeam(t));
      say(`Saved "${t.name}".`);
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot save the team.', { 409: 'Another team already has this name.', 404: 'A member or the calendar no longer exists; reload the page.' }));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!draft?.id) return;
    try {
      await api('DELETE', `/api/v1/teams/${draft.id}`);
      setDraft(null);
      say('Team deleted.');
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot delete the team.', { 409: 'A routing rule still sends conversations to this team.' }));
    }
  };

  const fe = (f: string) => (err?.field === f ? err.message : '');
  const nameOf = (id: number) => agents.find((a) => a.id === id)?.name ?? `Agent ${id}`;

  return (
    <section class="rt">
      <p class="muted">Who answers what. Routing rules send conversations to a team; the team's calendar and acknowledgement tell customers honestly when a person will reply.</p>
      <ChangedBy event={changed} meId={me.id} />
      <div class="rt-split">
        <nav class="rt-list" aria-label="Teams">
          <ul>
            {items.map((t) => (
              <li key={t.id}>
                <button type="button" class={`linkish${draft?.id === t.id ? ' current' : ''}`} aria-current={draft?.id === t.id ? 'true' : undefined} onClick={() => { setErr(null); setDraft(fromTeam(t)); }}>
                  {t.name} <span class="muted">· {t.members.length} {t.members.length === 1 ? 'member' : 'members'}</span>
                </button>
              </li>
            ))}
          </ul>
          {items.length === 0 && <p class="muted">No team yet.</p>}
          <button type="button" onClick={() => { setErr(null); setDraft(blank()); }}>New team</button>
        </nav>
        {draft && (
          <form class="rt-form" onSubmit={save} aria-label={draft.id ? `Edit team ${draft.name}` : 'New team'} noValidate>
            <div class="rt-field">
              <label for="team-name">Name</label>
              <input id="team-name" value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} aria-invalid={!!fe('name')} aria-describedby="team-name-err" maxLength={200} />
              <p class="rt-err" id="team-name-err" role={fe('name') ? 'alert' : undefined}>{fe('name')}</p>
            </div>
            <fieldset class="rt-members" aria-describedby="team-members-err">
              <legend>Members</legend>
              <div class="rt-checks">
                {agents.filter((a) => !(a as Agent & { disabled?: boolean }).disabled || draft.members.includes(a.id)).map((a) => (
                  <label key={a.id} class="rt-check">
                    <input type="checkbox" checked={draft.members.includes(a.id)} onChange={(e) => toggleMember(a.id, e.currentTarget.checked)} />
                    {a.name}
                  </label>
                ))}
              </div>
              <p class="rt-err" id="team-members-err" role={fe('members') ? 'alert' : undefined}>{fe('members')}</p>
            </fieldset>
            <div class="rt-grid2">
              <div class="rt-field">
                <label for="team-lead">Team lead</label>
                <select id="team-lead" value={draft.lead ?? ''} onChange={(e) => set({ lead: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
                  <option value="">No lead</option>
                  {draft.members.map((m) => (
                    <option key={m} value={m}>{nameOf(m)}</option>
                  ))}
                </select>
                <p class="muted rt-hint">Gets a conversation first when its reply is nearly overdue.</p>
              </div>
              <div class="rt-field">
                <label for="team-cal">Business hours</label>
                <select id="team-cal" value={draft.calendar ?? ''} onChange={(e) => set({ calendar: e.currentTarget.value ? Number(e.currentTarget.value) : null })} aria-describedby="team-cal-err">
                  <option value="">Always open</option>
                  {cals.map((c) => (
                    <option key={c.id} value={c.id}>{c.name} ({c.tz})</option>
                  ))}
                </select>
                <p class="rt-err" id="team-cal-err" role={fe('calendar_id') ? 'alert' : undefined}>{fe('calendar_id')}</p>
              </div>
            </div>
            <fieldset class="rt-ack" aria-describedby="team-tpl-err">
              <legend>Automatic acknowledgement</legend>
              <p class="muted rt-hint">Sent once, signed by the team (never by a made-up person), when the team is closed or the wait is longer than the first-reply target. <code>{'{when}'}</code> becomes the honest reply time, <code>{'{team}'}</code> the team's name.</p>
              <label class="rt-check">
                <input type="checkbox" checked={draft.autoack} onChange={(e) => set({ autoack: e.currentTarget.checked })} />
                Send an acknowledgement when nobody can answer soon
              </label>
              <label class="rt-check">
                <input type="checkbox" checked={draft.autoackPublic} disabled={!draft.autoack} onChange={(e) => set({ autoackPublic: e.currentTarget.checked })} />
                Also on public posts and comments
              </label>
              {draft.templates.map((t) => (
                <div class="rt-tpl" key={t.key}>
                  <div class="rt-tpl-head">
                    <label for={`tpl-lang-${t.key}`}>Language</label>
                    <input id={`tpl-lang-${t.key}`} class="rt-lang" list="rt-languages" value={t.lang} maxLength={8} placeholder="en" onInput={(e) => setTpl(t.key, { lang: e.currentTarget.value })} />
                    <button type="button" class="ghost" onClick={() => set({ templates: draft.templates.filter((x) => x.key !== t.key) })} aria-label={`Remove the ${t.lang || 'new'} text`}>Remove</button>
                  </div>
                  <label for={`tpl-text-${t.key}`} class="sr-only">Acknowledgement text ({t.lang || 'new language'})</label>
                  <textarea id={`tpl-text-${t.key}`} rows={3} value={t.text} maxLength={2000} onInput={(e) => setTpl(t.key, { text: e.currentTarget.value })} />
                  <Preview tpl={t} team={draft.name} calendar={draft.calendar} />
                </div>
              ))}
              <datalist id="rt-languages">
                {LANGUAGES.map((l) => (
                  <option key={l} value={l} />
                ))}
              </datalist>
              <button type="button" onClick={() => set({ templates: [...draft.templates, { key: tplKey++, lang: '', text: DEFAULT_TPL }] })}>Add a language</button>
              <p class="muted rt-hint">A message in a language without its own text gets the English one (else any).</p>
              <p class="rt-err" id="team-tpl-err" role={fe('templates') || fe('autoack') ? 'alert' : undefined}>{fe('templates') || fe('autoack')}</p>
            </fieldset>
            {err && !['name', 'members', 'calendar_id', 'templates', 'autoack'].includes(err.field ?? '') && <p class="rt-err" role="alert">{err.message}</p>}
            <div class="rt-actions">
              <button type="submit" class="primary" disabled={busy}>{draft.id ? 'Save team' : 'Create team'}</button>
              {draft.id && <ConfirmButton label="Delete" question={`Delete "${draft.name}"?`} onConfirm={remove} />}
              <span class="rt-note" role="status">{note}</span>
            </div>
          </form>
        )}
      </div>
    </section>
  );
}
