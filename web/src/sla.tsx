// sla.tsx - issue 7 in the app: the SLA countdown (conversation header and list rows), breach
// colours with text (never colour alone), the routing reason, and the per-conversation SLA
// facts from GET /api/v1/conversations/{id}/sla. See docs/routing-sla.md.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, clock, Conv, Reply, Sla } from './api';
import type { LiveEvent } from './app';
import { routeSentence } from './words';

// The shapes come from docs/openapi.yaml (see api.ts).
export type { Sla, Policy } from './api';
export type Routing = Sla['routing'];

export type ConvSla = Conv & { sla: Sla };

// SLA events carry a conversation id, not a conversation.
export const SLA_EVENTS = ['sla.updated', 'sla.warning', 'sla.breached', 'conversation.routed'];

// Policies (for each one's warning percentage), read once per page load.
let policies: Promise<Map<number, number>> | null = null;
export function warnPcts(): Promise<Map<number, number>> {
  if (!policies)
    policies = api<Reply<'/api/v1/sla/policies', 'get'>>('GET', '/api/v1/sla/policies')
      .then((r) => new Map(r.items.map((p) => [p.id, p.warn_pct])))
      .catch(() => new Map());
  return policies;
}

export function useWarnPcts(): Map<number, number> {
  const [m, setM] = useState<Map<number, number>>(new Map());
  useEffect(() => {
    warnPcts().then(setM);
  }, []);
  return m;
}

// One ticking clock for every countdown on the page.
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export type Level = 'ok' | 'warning' | 'breached';

export interface Due {
  clock: 'first_response' | 'next_response' | 'resolution';
  at: number; // ms
  start: number | null; // when that clock started (for the warning threshold)
  level: Level;
}

const CLOCK_NAME: Record<Due['clock'], string> = {
  first_response: 'First reply',
  next_response: 'Next reply',
  resolution: 'Resolution',
};

// The most urgent running deadline, or null (paused, answered and no resolution target, ...).
// 'warned' holds conversation ids that had an sla.warning event (the server's own judgement).
export function dueOf(sla: Sla | null | undefined, now: number, warnPct = 80, warned = false): Due | null {
  if (!sla || sla.paused) return null;
  const c: Due[] = [];
  const t = (s: string | null) => (s ? Date.parse(s) : NaN);
  const waiting = sla.waiting_since ? Date.parse(sla.waiting_since) : null;
  if (sla.unanswered) {
    const first = !sla.first_reply_at;
    const at = t(first ? sla.first_response_due : sla.next_response_due);
    if (!isNaN(at)) c.push({ clock: first ? 'first_response' : 'next_response', at, start: waiting, level: 'ok' });
  }
  const res = t(sla.resolution_due);
  if (!isNaN(res)) c.push({ clock: 'resolution', at: res, start: null, level: 'ok' });
  if (!c.length) return null;
  c.sort((a, b) => a.at - b.at);
  const d = c[0]!;
  if (d.at <= now) d.level = 'breached';
  else if (warned || (d.start !== null && now - d.start >= ((d.at - d.start) * warnPct) / 100)) d.level = 'warning';
  return d;
}

export function span(ms: number): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const ICON: Record<Level, string> = { ok: '◷', warning: '⚠', breached: '✖' };

// The countdown pill: the words say what the colour says ("Overdue", "Due soon").
export function SlaBadge({ due, now, long = false }: { due: Due; now: number; long?: boolean }) {
  const left = due.at - now;
  const what = CLOCK_NAME[due.clock];
  const text =
    due.level === 'breached'
      ? `Overdue ${span(left)}`
      : due.level === 'warning'
        ? `Due soon · ${span(left)}`
        : `Due in ${span(left)}`;
  const label = `${what} ${due.level === 'breached' ? 'SLA breached' : due.level === 'warning' ? 'SLA warning' : 'SLA'}: ${text}, due ${clock(new Date(due.at).toISOString())}`;
  return (
    <span class={'sla sla-' + due.level} data-sla={due.level} title={label} role="img" aria-label={label}>
      <span aria-hidden="true">{ICON[due.level]} </span>
      {long ? `${what}: ${text}` : text}
    </span>
  );
}

// Conversations an sla.warning event named (kept for the page's life).
const warnedIds = new Set<number>();
export function noteSlaEvent(e: LiveEvent) {
  if (e.type === 'sla.warning' && typeof e.conversation_id === 'number') warnedIds.add(e.conversation_id);
}
export const wasWarned = (id: number) => warnedIds.has(id);

// The SLA facts of every unanswered conversation (one request), kept fresh by live events:
// list rows show their countdown from it, and the Unanswered and Queue views are built on it.
export function useUnanswered(subscribe: (fn: (e: LiveEvent) => void) => () => void) {
  const [items, setItems] = useState<ConvSla[] | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    let gone = false;
    let seq = 0;
    // Only the newest request's answer is applied: an older one that returns late would put
    // back a list from before the event that triggered the newer one.
    const load = () => {
      const mine = ++seq;
      timer.current = undefined;
      api<{ items: ConvSla[] }>('GET', '/api/v1/conversations?unanswered=true&limit=200')
        .then((r) => !gone && mine === seq && setItems(r.items))
        .catch(() => {});
    };
    load();
    const off = subscribe((e) => {
      noteSlaEvent(e);
      // At most one reload per 300 ms, and never starved by a steady stream of events.
      if ((SLA_EVENTS.includes(e.type) || e.type.startsWith('message.') || e.type.startsWith('conversation.'))
          && timer.current === undefined) {
        timer.current = window.setTimeout(load, 300);
      }
    });
    return () => {
      gone = true;
      clearTimeout(timer.current);
      off();
    };
  }, [subscribe]);
  return items;
}

const STRATEGY: Record<string, string> = {
  round_robin: 'round robin',
  least_loaded: 'least loaded',
  best_match: 'best match',
  escalation: 'escalation',
  heroes: 'heroes',
};

// The header's SLA strip: countdown, reply window, pause, and why this conversation came here.
export function SlaPanel({ id, subscribe, status, isPublic = false }: { id: number; subscribe: (fn: (e: LiveEvent) => void) => () => void; status: string; isPublic?: boolean }) {
  const [sla, setSla] = useState<Sla | null>(null);
  const pcts = useWarnPcts();
  const now = useNow();
  useEffect(() => {
    let gone = false;
    let t: number | undefined;
    const load = () =>
      api<Sla>('GET', `/api/v1/conversations/${id}/sla`)
        .then((s) => !gone && setSla(s))
        .catch(() => {});
    load();
    const off = subscribe((e) => {
      const cid = e.conversation_id ?? e.conversation?.id ?? e.message?.conversation_id;
      if (cid !== id) return;
      clearTimeout(t);
      t = window.setTimeout(load, 150);
    });
    return () => {
      gone = true;
      clearTimeout(t);
      off();
    };
  }, [id, subscribe]);
  if (!sla) return null;
  const due = status === 'resolved' ? null : dueOf(sla, now, sla.policy_id ? pcts.get(sla.policy_id) : undefined, wasWarned(id));
  const r = sla.routing;
  // A reply window is a private-messaging rule: never on a public comment thread.
  const win = sla.reply_window_ends && !isPublic ? Date.parse(sla.reply_window_ends) : NaN;
  return (
    <div class="sla-panel" aria-label="Service level" role="group">
      {due && <SlaBadge due={due} now={now} long />}
      {sla.paused && status !== 'resolved' && <span class="sla sla-paused">⏸ SLA paused (waiting on the customer)</span>}
      {!due && !sla.paused && sla.unanswered && status !== 'resolved' && <span class="muted">Unanswered</span>}
      {!isNaN(win) && status !== 'resolved' && (
        <span class={'sla ' + (win <= now ? 'sla-breached' : 'sla-window')} title="The platform's own reply window">
          {win <= now ? 'Reply window closed' : `Reply window: ${span(win - now)} left`}
        </span>
      )}
      {sla.no_reply_reason && <span class="muted">No reply needed: {sla.no_reply_reason.replace(/_/g, ' ')}</span>}
      {(r.reason || r.queued) && (
        <p class="route-reason" data-testid="route-reason" title={r.reason ?? undefined}>
          <strong>{r.queued ? 'Waiting for an agent' : 'Why here'}</strong>
          {r.escalation > 0 && <span class="chip chip-u-high">Escalated</span>}{' '}
          <span>{routeSentence(r.reason) || (r.queued_at ? `Waiting for a free agent since ${clock(r.queued_at)}.` : '')}</span>
          {r.strategy && <span class="sr-only"> (strategy: {STRATEGY[r.strategy.replace('+heroes', '')] ?? r.strategy})</span>}
        </p>
      )}
    </div>
  );
}
