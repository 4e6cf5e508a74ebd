// audit.tsx - the audit log (admins): who did what and when, filterable, each change shown field
// by field (before → after), new entries arriving live, and an "Export CSV" download of what the
// filters select.
//
// Everything shown comes from GET /api/v1/audit (docs/api.md, "Audit log"); entries are text
// the server wrote, rendered as JSX text only. New entries: the server's audit.recorded event
// makes the screen fetch the newest page with the same filters and put what is new on top.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, AuditEntry } from '../api';
import { useLive } from '../live';
import type { ScreenProps } from './areas';
import { describe, SelectField, TextField, useForm } from './form';

// What the "Kind" filter offers: action prefixes in care-team words.
const KINDS = [
  { value: 'login', label: 'Sign-ins and sign-outs' },
  { value: 'login.failed', label: 'Failed sign-ins' },
  { value: 'agent.', label: 'Agents and roles' },
  { value: 'password.', label: 'Password changes' },
  { value: 'token.', label: 'API tokens' },
  { value: 'channel.', label: 'Channels' },
  { value: 'widget.', label: 'Chat widget' },
  { value: 'calendar.', label: 'Business hours' },
  { value: 'team.', label: 'Teams' },
  { value: 'sla_policy.', label: 'SLA policies' },
  { value: 'routing_rule.', label: 'Routing rules' },
  { value: 'listening_', label: 'Listening' },
  { value: 'model.', label: 'Triage models' },
  { value: 'audit.', label: 'Audit log exports' },
];

// Fields that change on every save and say nothing about what the admin did.
const NOISE = new Set(['updated_at', 'last_used_at', 'last_event_at', 'last_error_at']);

interface Filters extends Record<string, unknown> {
  kind: string | null;
  who: string;
  q: string;
  from: string; // yyyy-mm-dd, local day
  to: string;
}

const EMPTY: Filters = { kind: null, who: '', q: '', from: '', to: '' };

// The query string for the filters (the list and the export take the same).
function query(f: Filters): string {
  const p = new URLSearchParams();
  if (f.kind) p.set('action', f.kind);
  if (f.who.trim()) p.set('actor', f.who.trim());
  if (f.q.trim()) p.set('q', f.q.trim());
  // A day is the admin's local day: from its first moment to the next day's.
  if (f.from) p.set('since', new Date(`${f.from}T00:00:00`).toISOString());
  if (f.to) {
    const end = new Date(`${f.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    p.set('until', end.toISOString());
  }
  return p.toString();
}

function when(at: string): string {
  const d = new Date(at);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// "lead_agent_id" -> "Lead agent id"; "autoack.enabled" -> "Autoack: enabled"
function label(key: string): string {
  const s = key.replace(/_/g, ' ').replace(/\./g, ': ');
  return s[0]!.toUpperCase() + s.slice(1);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Nested objects (a channel's settings, a team's acknowledgement) become one row per field:
// {"autoack":{"enabled":true}} -> {"autoack.enabled": true}, two levels deep at most.
function flatten(o: Record<string, unknown> | null, prefix = '', depth = 0, out: Record<string, unknown> = {}) {
  if (!o) return null;
  for (const [k, v] of Object.entries(o)) {
    if (isObj(v) && depth < 2 && Object.keys(v).length) flatten(v, `${prefix}${k}.`, depth + 1, out);
    else out[prefix + k] = v;
  }
  return out;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  // A list of objects (a reorder's rules) by their names, in order.
  if (Array.isArray(v))
    return v.length ? v.map((x) => (isObj(x) ? String(x.name ?? x.email ?? x.id ?? JSON.stringify(x)) : String(x))).join(', ') : 'none';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

type Obj = Record<string, unknown> | null;

// The fields that differ between 'before' and 'after' (a create lists what was set; a delete
// what was there).
function changes(b0: Obj, a0: Obj): { key: string; before: unknown; after: unknown }[] {
  const before = flatten(b0);
  const after = flatten(a0);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: { key: string; before: unknown; after: unknown }[] = [];
  for (const k of keys) {
    const leaf = k.split('.').pop()!;
    if (NOISE.has(leaf) || k === 'id' || k === 'created_at' || k.startsWith('status.')) continue;
    const b = before ? before[k] : undefined;
    const a = after ? after[k] : undefined;
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    out.push({ key: k, before: b, after: a });
  }
  return out.sort((x, y) => x.key.localeCompare(y.key));
}

function Diff({ e }: { e: AuditEntry }) {
  const before = e.before as Obj;
  const after = e.after as Obj;
  const rows = changes(before, after);
  return (
    <div class="audit-detail">
      {before || after ? (
        rows.length ? (
          <table class="audit-diff">
            <caption class="sr-only">Fields changed</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <th scope="row">{label(r.key)}</th>
                  <td class="audit-before">{before ? show(r.before) : '—'}</td>
                  <td class="audit-after">{after ? show(r.after) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No field changed.</p>
        )
      ) : null}
      <p class="muted audit-meta">
        From {e.ip || 'an unknown address'}
        {e.actor.token_id ? ' with an API token' : ''} · reference {e.request_id || e.id}
      </p>
    </div>
  );
}

function Row({ e, fresh }: { e: AuditEntry; fresh: boolean }) {
  const [open, setOpen] = useState(false);
  const id = `audit-${e.id}`;
  return (
    <>
      <tr class={'audit-row' + (fresh ? ' audit-new' : '') + (e.action === 'login.failed' ? ' audit-warn' : '')}>
        <td class="audit-when">
          <time dateTime={e.at}>{when(e.at)}</time>
        </td>
        <td class="audit-who">{e.actor.name || 'Hark'}</td>
        <td class="audit-what">
          {e.summary}
          {fresh && <span class="audit-badge">New</span>}
        </td>
        <td class="audit-more">
          <button type="button" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
            {open ? 'Hide details' : 'Details'}
          </button>
        </td>
      </tr>
      {open && (
        <tr class="audit-detail-row" id={id}>
          <td colSpan={4}>
            <Diff e={e} />
          </td>
        </tr>
      )}
    </>
  );
}

export function AuditLog(_: ScreenProps) {
  const f = useForm<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const gen = useRef(0); // answers of an older filter are dropped

  async function load(filters: Filters) {
    const mine = ++gen.current;
    setBusy(true);
    try {
      const page = await api<{ items: AuditEntry[]; next_cursor: string | null }>('GET', `/api/v1/audit?${query(filters)}`);
      if (mine !== gen.current) return;
      setItems(page.items);
      setNext(page.next_cursor);
      setFresh(new Set());
      setError('');
    } catch (err) {
      if (mine === gen.current) setError(describe(err));
    } finally {
      if (mine === gen.current) setBusy(false);
    }
  }

  async function older() {
    if (!next) return;
    const mine = gen.current;
    setBusy(true);
    try {
      const q = query(applied);
      const page = await api<{ items: AuditEntry[]; next_cursor: string | null }>('GET', `/api/v1/audit?${q}${q ? '&' : ''}cursor=${encodeURIComponent(next)}`);
      if (mine !== gen.current) return;
      setItems((cur) => [...(cur ?? []), ...page.items]);
      setNext(page.next_cursor);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  // New entries, live: the newest page with the same filters; what is newer than the top is added.
  async function arrivals() {
    const mine = gen.current;
    try {
      const page = await api<{ items: AuditEntry[]; next_cursor: string | null }>('GET', `/api/v1/audit?${query(applied)}`);
      if (mine !== gen.current) return;
      setItems((cur) => {
        const top = cur && cur.length ? cur[0]!.id : 0;
        const add = page.items.filter((e) => e.id > top);
        if (!add.length) return cur;
        setFresh((s) => new Set([...s, ...add.map((e) => e.id)]));
        return [...add, ...(cur ?? [])];
      });
    } catch {
      /* the next event or a reload tries again */
    }
  }

  useEffect(() => {
    load(EMPTY);
  }, []);
  useLive(['audit.recorded'], () => {
    if (items !== null) arrivals();
  });

  const apply = async (e?: Event) => {
    e?.preventDefault();
    setApplied(f.values);
    await load(f.values);
  };
  const clear = async () => {
    f.reset(EMPTY);
    setApplied(EMPTY);
    await load(EMPTY);
  };
  const exportUrl = `/api/v1/audit/export${query(applied) ? '?' + query(applied) : ''}`;

  return (
    <div class="audit">
      <p class="muted">Every change to Hark's settings and every sign-in, kept for good: entries cannot be edited or deleted.</p>
      <form class="audit-filters settings-card" role="search" aria-label="Filter the audit log" onSubmit={apply}>
        <SelectField form={f} name="kind" label="Kind" empty="Everything" options={KINDS} />
        <TextField form={f} name="who" label="Who" placeholder="Name or email" maxLength={200} />
        <TextField form={f} name="q" label="Contains" type="search" placeholder="Team name, email…" maxLength={200} />
        <TextField form={f} name="from" label="From" type="date" />
        <TextField form={f} name="to" label="To" type="date" />
        <div class="form-actions audit-actions">
          <button class="primary" type="submit" disabled={busy}>
            Apply filters
          </button>
          <button type="button" onClick={clear} disabled={busy}>
            Clear
          </button>
          <a class="button" href={exportUrl} download>
            Export CSV
          </a>
        </div>
      </form>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {items === null ? (
        <p class="muted" aria-busy="true">
          Loading the audit log…
        </p>
      ) : items.length === 0 ? (
        <p class="muted">Nothing matches these filters.</p>
      ) : (
        <table class="settings-table audit-table">
          <caption class="sr-only">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">
                <span class="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody aria-live="polite" aria-relevant="additions">
            {items.map((e) => (
              <Row key={e.id} e={e} fresh={fresh.has(e.id)} />
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <p>
          <button type="button" onClick={older} disabled={busy}>
            Show older entries
          </button>
        </p>
      )}
    </div>
  );
}
