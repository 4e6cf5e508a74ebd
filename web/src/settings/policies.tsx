// policies.tsx - the SLA policies screen: reply and resolution targets for the conversations a
// policy matches (priority, channel, intent), in minutes, hours or days, counted in business
// time of a calendar or around the clock, and when to warn (GET/POST/PUT/DELETE
// /api/v1/sla/policies). The first matching policy, in order, applies.
import { useEffect, useState } from 'preact/hooks';
import { api, Policy, Reply } from '../api';
import { CHANNEL_TYPES, fieldError, INTENTS, label, RtError, splitDuration, UNIT_S, useSaved, words } from './routing-kit';
import { ConfirmButton } from './form';
import { ChangedBy, useSettingsChanged } from './live';
import type { ScreenProps } from './areas';

type Calendar = Reply<'/api/v1/calendars/{id}', 'get'>;

interface Target {
  value: string;
  unit: string;
}
interface Draft {
  id: number | null;
  name: string;
  position: string;
  priority: string; // '' any
  channel: string;
  intent: string;
  first: Target;
  next: Target;
  resolve: Target;
  business: boolean;
  calendar: number | null;
  warn: string;
}

const target = (s: number | null | undefined): Target => {
  const [value, unit] = splitDuration(s);
  return { value, unit };
};
const blank = (): Draft => ({
  id: null,
  name: '',
  position: '0',
  priority: '',
  channel: '',
  intent: '',
  first: { value: '1', unit: 'hours' },
  next: { value: '4', unit: 'hours' },
  resolve: { value: '2', unit: 'days' },
  business: false,
  calendar: null,
  warn: '80',
});
const fromPolicy = (p: Policy): Draft => ({
  id: p.id,
  name: p.name,
  position: String(p.position),
  priority: p.match?.priority == null ? '' : String(p.match.priority),
  channel: p.match?.channel_type ?? '',
  intent: p.match?.intent ?? '',
  first: target(p.first_response_s),
  next: target(p.next_response_s),
  resolve: target(p.resolution_s),
  business: p.business_hours,
  calendar: p.calendar_id ?? null,
  warn: String(p.warn_pct),
});
// A target as seconds for the API: null when empty; a text that is not a number goes as is,
// so the API's message names the field.
const seconds = (t: Target): number | null | string => {
  if (!t.value.trim()) return null;
  const n = Number(t.value);
  return Number.isFinite(n) ? Math.round(n * UNIT_S[t.unit]) : t.value;
};
const PRIORITIES: [string, string][] = [
  ['0', 'Normal (0)'],
  ['1', 'Raised (1)'],
  ['2', 'High (2)'],
  ['3', 'Highest (3)'],
];

export function PoliciesArea({ me }: ScreenProps) {
  const [items, setItems] = useState<Policy[]>([]);
  const [cals, setCals] = useState<Calendar[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [err, setErr] = useState<RtError | null>(null);
  const [busy, setBusy] = useState(false);
  const { note, say } = useSaved();

  const load = async () => {
    try {
      const [p, c] = await Promise.all([
        api<Reply<'/api/v1/sla/policies', 'get'>>('GET', '/api/v1/sla/policies'),
        api<Reply<'/api/v1/calendars', 'get'>>('GET', '/api/v1/calendars'),
      ]);
      setItems(p.items);
      setCals(c.items);
    } catch (e) {
      setErr(fieldError(e, 'Cannot load the SLA policies.'));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const changed = useSettingsChanged('sla_policies', () => load());

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErr(null);
    const num = (s: string) => (s.trim() && Number.isFinite(Number(s)) ? Number(s) : s);
    const body = {
      name: draft.name,
      position: num(draft.position),
      match: {
        priority: draft.priority === '' ? null : Number(draft.priority),
        channel_type: draft.channel || null,
        intent: draft.intent || null,
      },
      first_response_s: seconds(draft.first),
      next_response_s: seconds(draft.next),
      resolution_s: seconds(draft.resolve),
      business_hours: draft.business,
      calendar_id: draft.business ? draft.calendar : null,
      warn_pct: num(draft.warn),
    };
    try {
      const p = draft.id ? await api<Policy>('PUT', `/api/v1/sla/policies/${draft.id}`, body) : await api<Policy>('POST', '/api/v1/sla/policies', body);
      setDraft(fromPolicy(p));
      say(`Saved "${p.name}".`);
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot save the SLA policy.', { 404: 'The calendar no longer exists; pick another.' }));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!draft?.id) return;
    try {
      await api('DELETE', `/api/v1/sla/policies/${draft.id}`);
      setDraft(null);
      say('SLA policy deleted.');
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot delete the SLA policy.'));
    }
  };

  const fe = (f: string) => (err?.field === f ? err.message : '');
  const known = ['name', 'position', 'priority', 'channel_type', 'intent', 'first_response_s', 'next_response_s', 'resolution_s', 'calendar_id', 'warn_pct'];
  const TargetField = ({ id, k, api: apiName, title, hint }: { id: string; k: 'first' | 'next' | 'resolve'; api: string; title: string; hint: string }) => (
    <div class="rt-field">
      <label for={id}>{title}</label>
      <div class="rt-row">
        <input id={id} inputMode="numeric" class="rt-num" value={draft![k].value} placeholder="none" onInput={(e) => set({ [k]: { ...draft![k], value: e.currentTarget.value } } as Partial<Draft>)} aria-invalid={!!fe(apiName)} aria-describedby={`${id}-err ${id}-hint`} />
        <label for={`${id}-unit`} class="sr-only">{title}: unit</label>
        <select id={`${id}-unit`} value={draft![k].unit} onChange={(e) => set({ [k]: { ...draft![k], unit: e.currentTarget.value } } as Partial<Draft>)}>
          <option value="minutes">minutes</option>
          <option value="hours">hours</option>
          <option value="days">days</option>
        </select>
      </div>
      <p class="muted rt-hint" id={`${id}-hint`}>{hint}</p>
      <p class="rt-err" id={`${id}-err`} role={fe(apiName) ? 'alert' : undefined}>{fe(apiName)}</p>
    </div>
  );

  return (
    <section class="rt">
      <p class="muted">How fast conversations must be answered and resolved. The first policy in order that matches a conversation applies; agents see its clocks count down.</p>
      <ChangedBy event={changed} meId={me.id} />
      <div class="rt-split">
        <nav class="rt-list" aria-label="SLA policies">
          <ul>
            {items.map((p) => (
              <li key={p.id}>
                <button type="button" class={`linkish${draft?.id === p.id ? ' current' : ''}`} aria-current={draft?.id === p.id ? 'true' : undefined} onClick={() => { setErr(null); setDraft(fromPolicy(p)); }}>
                  {p.name} <span class="muted">· first reply {words(p.first_response_s)}{p.business_hours ? ' (open hours)' : ''}</span>
                </button>
              </li>
            ))}
          </ul>
          {items.length === 0 && <p class="muted">No SLA policy yet: no clocks run.</p>}
          <button type="button" onClick={() => { setErr(null); setDraft(blank()); }}>New SLA policy</button>
        </nav>
        {draft && (
          <form class="rt-form" onSubmit={save} aria-label={draft.id ? `Edit SLA policy ${draft.name}` : 'New SLA policy'} noValidate>
            <div class="rt-grid2">
              <div class="rt-field">
                <label for="pol-name">Name</label>
                <input id="pol-name" value={draft.name} maxLength={200} onInput={(e) => set({ name: e.currentTarget.value })} aria-invalid={!!fe('name')} aria-describedby="pol-name-err" />
                <p class="rt-err" id="pol-name-err" role={fe('name') ? 'alert' : undefined}>{fe('name')}</p>
              </div>
              <div class="rt-field">
                <label for="pol-pos">Order</label>
                <input id="pol-pos" inputMode="numeric" class="rt-num" value={draft.position} onInput={(e) => set({ position: e.currentTarget.value })} aria-invalid={!!fe('position')} aria-describedby="pol-pos-err" />
                <p class="muted rt-hint">Lower is tried first.</p>
                <p class="rt-err" id="pol-pos-err" role={fe('position') ? 'alert' : undefined}>{fe('position')}</p>
              </div>
            </div>
            <fieldset>
              <legend>Applies to</legend>
              <div class="rt-grid3">
                <div class="rt-field">
                  <label for="pol-prio">Priority</label>
                  <select id="pol-prio" value={draft.priority} onChange={(e) => set({ priority: e.currentTarget.value })}>
                    <option value="">Any priority</option>
                    {PRIORITIES.map(([v, l]) => (
                      <option key={v} value={v}>{l}</option>
                    ))}
                  </select>
                  <p class="rt-err" role={fe('priority') ? 'alert' : undefined}>{fe('priority')}</p>
                </div>
                <div class="rt-field">
                  <label for="pol-chan">Channel</label>
                  <select id="pol-chan" value={draft.channel} onChange={(e) => set({ channel: e.currentTarget.value })}>
                    <option value="">Any channel</option>
                    {CHANNEL_TYPES.map(([v, l]) => (
                      <option key={v} value={v}>{l}</option>
                    ))}
                  </select>
                  <p class="rt-err" role={fe('channel_type') ? 'alert' : undefined}>{fe('channel_type')}</p>
                </div>
                <div class="rt-field">
                  <label for="pol-intent">What the customer wants</label>
                  <select id="pol-intent" value={draft.intent} onChange={(e) => set({ intent: e.currentTarget.value })}>
                    <option value="">Anything</option>
                    {INTENTS.map(([v, l]) => (
                      <option key={v} value={v}>{l}</option>
                    ))}
                  </select>
                  <p class="rt-err" role={fe('intent') ? 'alert' : undefined}>{fe('intent')}</p>
                </div>
              </div>
            </fieldset>
            <fieldset>
              <legend>Targets</legend>
              <div class="rt-grid3">
                {TargetField({ id: 'pol-first', k: 'first', api: 'first_response_s', title: 'First reply within', hint: 'From the first message to the first reply by a person.' })}
                {TargetField({ id: 'pol-next', k: 'next', api: 'next_response_s', title: 'Next reply within', hint: 'For each later message still waiting for a reply.' })}
                {TargetField({ id: 'pol-resolve', k: 'resolve', api: 'resolution_s', title: 'Resolved within', hint: 'From opening (or reopening) to resolved.' })}
              </div>
              <div class="rt-grid2">
                <div class="rt-field">
                  <label for="pol-warn">Warn at (% of the target)</label>
                  <input id="pol-warn" inputMode="numeric" class="rt-num" value={draft.warn} onInput={(e) => set({ warn: e.currentTarget.value })} aria-invalid={!!fe('warn_pct')} aria-describedby="pol-warn-err" />
                  <p class="rt-err" id="pol-warn-err" role={fe('warn_pct') ? 'alert' : undefined}>{fe('warn_pct')}</p>
                </div>
              </div>
            </fieldset>
            <fieldset>
              <legend>Clock</legend>
              <label class="rt-check">
                <input type="checkbox" checked={draft.business} onChange={(e) => set({ business: e.currentTarget.checked })} />
                Count only business hours (the clock stops while closed)
              </label>
              {draft.business && (
                <div class="rt-field">
                  <label for="pol-cal">Calendar</label>
                  <select id="pol-cal" value={draft.calendar ?? ''} onChange={(e) => set({ calendar: e.currentTarget.value ? Number(e.currentTarget.value) : null })} aria-describedby="pol-cal-err">
                    <option value="">The team's own calendar</option>
                    {cals.map((c) => (
                      <option key={c.id} value={c.id}>{c.name} ({c.tz})</option>
                    ))}
                  </select>
                  <p class="rt-err" id="pol-cal-err" role={fe('calendar_id') ? 'alert' : undefined}>{fe('calendar_id')}</p>
                </div>
              )}
              {!draft.business && <p class="muted rt-hint">The clock runs around the clock, nights and weekends included.</p>}
            </fieldset>
            {err && !known.includes(err.field ?? '') && <p class="rt-err" role="alert">{err.message}</p>}
            <div class="rt-actions">
              <button type="submit" class="primary" disabled={busy}>{draft.id ? 'Save policy' : 'Create policy'}</button>
              {draft.id && <ConfirmButton label="Delete" question={`Delete "${draft.name}"?`} onConfirm={remove} />}
              <span class="rt-note" role="status">{note}</span>
            </div>
          </form>
        )}
      </div>
      {items.length > 0 && (
        <p class="muted rt-hint">Tried in this order: {items.map((p) => `${p.name}${p.match?.channel_type ? ` (${label(CHANNEL_TYPES, p.match.channel_type)})` : ''}`).join(' → ')}</p>
      )}
    </section>
  );
}
