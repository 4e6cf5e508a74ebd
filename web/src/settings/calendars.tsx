// calendars.tsx - the Business hours screen: calendars with a weekly grid of opening hours per
// day, a time zone and holidays (GET/POST/PUT/DELETE /api/v1/calendars). Teams and SLA policies
// use a calendar; the honest acknowledgement and business-time SLA targets read it.
import { useEffect, useState } from 'preact/hooks';
import { api, Reply } from '../api';
import { fieldError, RtError, useSaved } from './routing-kit';
import { ConfirmButton } from './form';
import { ChangedBy, useSettingsChanged } from './live';
import type { ScreenProps } from './areas';

type Calendar = Reply<'/api/v1/calendars/{id}', 'get'>;
type Hours = Record<string, string[][]>;

const DAYS: [string, string][] = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
];

// Every zone the browser knows (the server checks it against ICU's list).
function zones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York'];
  }
}

interface Draft {
  id: number | null;
  name: string;
  tz: string;
  hours: Hours;
  holidays: string[];
}

const blank = (): Draft => ({
  id: null,
  name: '',
  tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  hours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: [],
});

const fromCal = (c: Calendar): Draft => ({
  id: c.id,
  name: c.name,
  tz: c.tz,
  hours: JSON.parse(JSON.stringify(c.hours ?? {})) as Hours,
  holidays: [...(c.holidays ?? [])],
});

// A time in the calendar's own zone (the zone its hours are written in), named.
const when = (iso: string | null | undefined, tz: string) => {
  if (!iso) return '';
  try {
    return new Date(iso).toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: tz, timeZoneName: 'short' });
  } catch {
    return new Date(iso).toLocaleString();
  }
};

export function CalendarsArea({ me }: ScreenProps) {
  const [items, setItems] = useState<Calendar[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [err, setErr] = useState<RtError | null>(null);
  const [busy, setBusy] = useState(false);
  const [newHoliday, setNewHoliday] = useState('');
  const { note, say } = useSaved();
  const allZones = zones();

  const load = async () => {
    try {
      const r = await api<Reply<'/api/v1/calendars', 'get'>>('GET', '/api/v1/calendars');
      setItems(r.items);
    } catch (e) {
      setErr(fieldError(e, 'Cannot load the calendars.'));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const changed = useSettingsChanged('calendars', () => load());

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const setRange = (day: string, i: number, k: 0 | 1, v: string) => {
    if (!draft) return;
    const hours = { ...draft.hours, [day]: (draft.hours[day] ?? []).map((r, j) => (j === i ? (k === 0 ? [v, r[1]] : [r[0], v]) : r)) };
    set({ hours });
  };
  const addRange = (day: string) => {
    if (!draft) return;
    const list = draft.hours[day] ?? [];
    const last = list[list.length - 1];
    set({ hours: { ...draft.hours, [day]: [...list, last ? [last[1], '00:00'] : ['09:00', '17:00']] } });
  };
  const dropRange = (day: string, i: number) => {
    if (!draft) return;
    set({ hours: { ...draft.hours, [day]: (draft.hours[day] ?? []).filter((_, j) => j !== i) } });
  };
  const addHoliday = () => {
    if (!draft || !newHoliday || draft.holidays.includes(newHoliday)) return;
    set({ holidays: [...draft.holidays, newHoliday].sort() });
    setNewHoliday('');
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErr(null);
    const hours: Hours = {};
    for (const [k] of DAYS) if ((draft.hours[k] ?? []).length) hours[k] = draft.hours[k];
    const body = { name: draft.name, tz: draft.tz, hours, holidays: draft.holidays };
    try {
      const c = draft.id
        ? await api<Calendar>('PUT', `/api/v1/calendars/${draft.id}`, body)
        : await api<Calendar>('POST', '/api/v1/calendars', body);
      setDraft(fromCal(c));
      say(`Saved "${c.name}". ${c.open_now ? 'Open now.' : c.next_open ? `Closed now; opens ${when(c.next_open, c.tz)}.` : 'Closed now.'}`);
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot save the calendar.'));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!draft?.id) return;
    try {
      await api('DELETE', `/api/v1/calendars/${draft.id}`);
      setDraft(null);
      say('Calendar deleted.');
      await load();
    } catch (ex) {
      setErr(fieldError(ex, 'Cannot delete the calendar.', { 409: 'A team, an SLA policy or the website chat (its office hours) still uses this calendar.' }));
    }
  };

  const fe = (f: string) => (err?.field === f ? err.message : '');

  return (
    <section class="rt">
      <p class="muted">When your team is open. Teams use it to tell customers honestly when they will get a reply, and SLA policies can count only open hours.</p>
      <ChangedBy event={changed} meId={me.id} />
      <div class="rt-split">
        <nav class="rt-list" aria-label="Calendars">
          <ul>
            {items.map((c) => (
              <li key={c.id}>
                <button type="button" class={`linkish${draft?.id === c.id ? ' current' : ''}`} aria-current={draft?.id === c.id ? 'true' : undefined} onClick={() => { setErr(null); setDraft(fromCal(c)); }}>
                  {c.name} <span class={`rt-pill ${c.open_now ? 'rt-open' : 'rt-closed'}`}>{c.open_now ? 'Open now' : 'Closed'}</span>
                </button>
              </li>
            ))}
          </ul>
          {items.length === 0 && <p class="muted">No calendar yet: teams are treated as always open.</p>}
          <button type="button" onClick={() => { setErr(null); setDraft(blank()); }}>New calendar</button>
        </nav>
        {draft && (
          <form class="rt-form" onSubmit={save} aria-label={draft.id ? `Edit calendar ${draft.name}` : 'New calendar'} noValidate>
            <div class="rt-field">
              <label for="cal-name">Name</label>
              <input id="cal-name" value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} aria-invalid={!!fe('name')} aria-describedby="cal-name-err" maxLength={200} />
              <p class="rt-err" id="cal-name-err" role={fe('name') ? 'alert' : undefined}>{fe('name')}</p>
            </div>
            <div class="rt-field">
              <label for="cal-tz">Time zone</label>
              <select id="cal-tz" value={draft.tz} onChange={(e) => set({ tz: e.currentTarget.value })} aria-invalid={!!fe('tz')} aria-describedby="cal-tz-err">
                {!allZones.includes(draft.tz) && <option value={draft.tz}>{draft.tz}</option>}
                {allZones.map((z) => (
                  <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>
                ))}
              </select>
              <p class="rt-err" id="cal-tz-err" role={fe('tz') ? 'alert' : undefined}>{fe('tz')}</p>
            </div>
            <fieldset class="rt-week" aria-describedby="cal-hours-err">
              <legend>Opening hours</legend>
              <p class="muted rt-hint">Closing at 00:00 means midnight; hours that close before they open run past midnight.</p>
              {DAYS.map(([k, label]) => {
                const list = draft.hours[k] ?? [];
                return (
                  <div class="rt-day" key={k} role="group" aria-label={label}>
                    <span class="rt-dayname">{label}</span>
                    <div class="rt-ranges">
                      {list.length === 0 && <span class="muted">Closed</span>}
                      {list.map((r, i) => (
                        <span class="rt-range" key={i}>
                          <input type="time" aria-label={`${label} opens`} value={r[0]} onInput={(e) => setRange(k, i, 0, e.currentTarget.value)} />
                          <span aria-hidden="true">–</span>
                          <input type="time" aria-label={`${label} closes`} value={r[1] === '24:00' ? '00:00' : r[1]} onInput={(e) => setRange(k, i, 1, e.currentTarget.value)} />
                          <button type="button" class="ghost" aria-label={`Remove ${label} ${r[0]}–${r[1]}`} onClick={() => dropRange(k, i)}>✕</button>
                        </span>
                      ))}
                      <button type="button" class="ghost rt-add" onClick={() => addRange(k)} aria-label={`Add hours on ${label}`}>+ Hours</button>
                    </div>
                  </div>
                );
              })}
              <p class="rt-err" id="cal-hours-err" role={fe('hours') ? 'alert' : undefined}>{fe('hours')}</p>
            </fieldset>
            <fieldset class="rt-holidays" aria-describedby="cal-hol-err">
              <legend>Holidays (closed all day)</legend>
              <div class="rt-row">
                <label for="cal-hol" class="sr-only">Holiday date</label>
                <input id="cal-hol" type="date" value={newHoliday} onInput={(e) => setNewHoliday(e.currentTarget.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addHoliday(); } }} />
                <button type="button" onClick={addHoliday} disabled={!newHoliday}>Add holiday</button>
              </div>
              <ul class="rt-chips" aria-label="Holidays">
                {draft.holidays.map((h) => (
                  <li key={h}>
                    {new Date(`${h}T12:00:00`).toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' })}
                    <button type="button" class="ghost" aria-label={`Remove holiday ${h}`} onClick={() => set({ holidays: draft.holidays.filter((x) => x !== h) })}>✕</button>
                  </li>
                ))}
                {draft.holidays.length === 0 && <li class="muted">None</li>}
              </ul>
              <p class="rt-err" id="cal-hol-err" role={fe('holidays') ? 'alert' : undefined}>{fe('holidays')}</p>
            </fieldset>
            {err && !err.field && <p class="rt-err" role="alert">{err.message}</p>}
            <div class="rt-actions">
              <button type="submit" class="primary" disabled={busy}>{draft.id ? 'Save calendar' : 'Create calendar'}</button>
              {draft.id && <ConfirmButton label="Delete" question={`Delete "${draft.name}"?`} onConfirm={remove} />}
              <span class="rt-note" role="status">{note}</span>
            </div>
          </form>
        )}
      </div>
    </section>
  );
}
