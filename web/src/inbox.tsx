// inbox.tsx - views with live counts, filters, and the virtualized conversation list.
//
// The list renders only the rows in view (fixed row height), so a view of 10,000
// conversations costs the same as one of 20; pages of 100 load as the end comes into view.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { Channel, Conv, Counts, timeAgo } from './api';
import { dueOf, Sla, SlaBadge, useNow, useWarnPcts, wasWarned } from './sla';
import { INTENTS, intentWord, sentimentWord, urgencyLevel, URGENCY_WORDS } from './words';

export type View = 'mine' | 'unassigned' | 'open' | 'resolved' | 'unanswered' | 'queue' | 'blocked';
export type ViewCounts = Counts & { unanswered: number; queue: number };

export interface Query {
  status?: string; // '' or undefined: the view's own; 'any': all statuses
  assignee?: string;
  channel?: string;
  label?: string;
  intent?: string;
  sentiment?: string;
  urgency?: 'high' | 'medium' | 'low';
  q?: string;
  order?: 'newest' | 'oldest' | 'due' | 'relevance';
  blocked?: 'true'; // the Blocked view: only blocked contacts' conversations (else never theirs)
}

const VIEWS: [View, string, keyof ViewCounts][] = [
  ['mine', 'Mine', 'mine'],
  ['unassigned', 'Unassigned', 'unassigned'],
  ['open', 'All open', 'open'],
  ['resolved', 'Resolved', 'resolved'],
  ['unanswered', 'Unanswered', 'unanswered'],
  ['queue', 'Queue', 'queue'],
  ['blocked', 'Blocked', 'blocked'],
];

// The API's intent names (docs/api.md), shown in the care team's words (words.ts).
const INTENT_OPTIONS: [string, string][] = INTENTS.map((v) => [v, intentWord(v)]);

// The API's urgency bands (urgency=high|medium|low); the same ranges decide live updates.
export const URGENCY: Record<string, [number, number]> = { high: [70, 100], medium: [40, 69], low: [0, 39] };

// Does a conversation belong in the current list? Used for live updates.
export function matches(c: Conv, q: Query, meId: number): boolean {
  if (q.blocked === 'true' ? !c.blocked : c.blocked) return false;
  if (q.status && q.status !== 'any' && c.status !== q.status) return false;
  if (q.assignee === 'me' && c.assignee_id !== meId) return false;
  if (q.assignee === 'none' && c.assignee_id !== null) return false;
  if (q.assignee && /^\d+$/.test(q.assignee) && c.assignee_id !== Number(q.assignee)) return false;
  if (q.channel && c.channel_id !== Number(q.channel)) return false;
  if (q.label && !c.labels.includes(q.label)) return false;
  if (q.intent && c.intent !== q.intent) return false;
  if (q.sentiment && c.sentiment !== q.sentiment) return false;
  if (q.urgency) {
    const [lo, hi] = URGENCY[q.urgency]!;
    if (c.urgency === null || c.urgency < lo || c.urgency > hi) return false;
  }
  return true;
}

// Puts 'c' (new or changed) into its place in 'list', which is sorted and does not hold it:
// a binary search, so a live event costs O(log n) comparisons even with 10,000 rows loaded
// (sorting the whole list on every event parsed dates ~280,000 times).
export function placeConv(list: Conv[], c: Conv, order?: string): Conv[] {
  const dir = order === 'oldest' ? 1 : -1;
  const key = (x: Conv) => Date.parse(x.last_message_at ?? x.created_at);
  const kc = key(c);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const km = key(list[mid]!);
    const before = km !== kc ? dir * (km - kc) < 0 : dir * (list[mid]!.id - c.id) < 0;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  const next = list.slice();
  next.splice(lo, 0, c);
  return next;
}

// A public thread moved to private is one case: when both halves are loaded the list keeps the
// one that comes first in its order (the livelier one, newest first) with the unread of both,
// and drops the other. A half alone in the list stays (the other may be filtered out).
export function oneRowPerCase(list: Conv[]): Conv[] {
  const at = new Map(list.map((c, i) => [c.id, i]));
  const out: Conv[] = [];
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    const j = c.linked_conversation_id ? at.get(c.linked_conversation_id) : undefined;
    if (j === undefined) out.push(c);
    else if (j > i) out.push({ ...c, unread: c.unread + list[j]!.unread });
  }
  return out;
}

interface Props {
  view: View;
  setView: (v: View) => void;
  counts: ViewCounts | null;
  slas: Map<number, Sla>;
  query: Query;
  filters: Query;
  setFilters: (f: (old: Query) => Query) => void;
  channels: Channel[];
  labels: string[];
  triagePresent: boolean;
  items: Conv[];
  loading: boolean;
  error: string;
  hasMore: boolean;
  loadMore: () => void;
  selected: number | null;
  select: (id: number) => void;
  checked: Set<number>; // selected for a bulk action
  toggleCheck: (id: number) => void;
  bulk: ComponentChildren; // the bulk bar while some are checked
}

export function Inbox(p: Props) {
  const set = (k: keyof Query) => (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    p.setFilters((f) => ({ ...f, [k]: v || undefined }));
  };
  const f = p.filters;
  const on = (['channel', 'status', 'label', 'intent', 'sentiment', 'urgency'] as const).filter((k) => f[k]).length + (f.order && f.order !== 'newest' ? 1 : 0);
  const [open, setOpen] = useState(false);
  return (
    <nav class="inbox" aria-label="Inbox">
      <div class="views" role="tablist" aria-label="Views">
        {VIEWS.map(([v, label, key]) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={p.view === v}
            aria-controls="conv-list"
            tabIndex={p.view === v ? 0 : -1}
            class={p.view === v ? 'view active' : 'view'}
            onClick={() => p.setView(v)}
            onKeyDown={(e) => {
              const i = VIEWS.findIndex(([x]) => x === v);
              const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? VIEWS.length - 1 : -2;
              if (j === -2) return;
              e.preventDefault();
              const next = VIEWS[(j + VIEWS.length) % VIEWS.length]![0];
              p.setView(next);
              (e.currentTarget.parentElement?.querySelector(`[data-view="${next}"]`) as HTMLElement | null)?.focus();
            }}
            data-view={v}
          >
            <span>{label}</span>
            <span class="count">{p.counts ? p.counts[key] : '…'}</span>
            <span class="sr-only"> conversations</span>
          </button>
        ))}
      </div>
      {p.bulk}
      <details class="filters" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          Filters{on > 0 && <span class="filters-on"> · {on} on</span>}
        </summary>
        {on > 0 && (
          <button type="button" class="ghost filters-clear" onClick={() => p.setFilters((old) => ({ order: 'newest', q: old.q }))}>
            Clear filters
          </button>
        )}
        <div class="filter-grid">
          <label>
            <span>Channel</span>
            <select value={f.channel ?? ''} onChange={set('channel')} aria-label="Channel">
              <option value="">All channels</option>
              {p.channels.map((c) => (
                <option key={c.id} value={String(c.id)}>{c.name}</option>
              ))}
            </select>
          </label>
          <label>
            <span>Status</span>
            <select value={f.status ?? ''} onChange={set('status')} aria-label="Status">
              <option value="">View default</option>
              <option value="open">Open</option>
              <option value="pending">Pending</option>
              <option value="snoozed">Snoozed</option>
              <option value="resolved">Resolved</option>
              <option value="any">Any status</option>
            </select>
          </label>
          <label>
            <span>Label</span>
            <select value={f.label ?? ''} onChange={set('label')} aria-label="Label">
              <option value="">Any label</option>
              {p.labels.map((l) => (
                <option key={l} value={l}>{l}</option>
              ))}
            </select>
          </label>
          <label>
            <span>Order</span>
            <select value={f.order ?? 'newest'} onChange={set('order')} aria-label="Order">
              <option value="newest">Newest first</option>
              <option value="oldest">Oldest first</option>
              <option value="due">Reply due first</option>
              {f.q && <option value="relevance">Best match first</option>}
            </select>
          </label>
          {(p.triagePresent || f.intent || f.sentiment || f.urgency) && (
            <>
              <label>
                <span>Intent</span>
                <select value={f.intent ?? ''} onChange={set('intent')} aria-label="Intent">
                  <option value="">Any intent</option>
                  {INTENT_OPTIONS.map(([v, label]) => (
                    <option key={v} value={v}>{label}</option>
                  ))}
                </select>
              </label>
              <label>
                <span>Mood</span>
                <select value={f.sentiment ?? ''} onChange={set('sentiment')} aria-label="Sentiment">
                  <option value="">Any mood</option>
                  <option value="negative">Unhappy</option>
                  <option value="neutral">Neutral</option>
                  <option value="positive">Happy</option>
                </select>
              </label>
              <label>
                <span>Urgency</span>
                <select value={f.urgency ?? ''} onChange={set('urgency')} aria-label="Urgency">
                  <option value="">Any urgency</option>
                  <option value="high">Urgent (70+)</option>
                  <option value="medium">Soon (40–69)</option>
                  <option value="low">Not urgent (under 40)</option>
                </select>
              </label>
            </>
          )}
        </div>
      </details>
      {p.error && <p class="error" role="alert">{p.error}</p>}
      <ConvList {...p} />
    </nav>
  );
}

const ROW = 60; // px; 12+ rows at 1440x900 (styles.css .row-wrap/.row use the same)

function ConvList(p: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  // A new query starts at the top of its list (and does not page in rows down to where the
  // old list was scrolled).
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && el.scrollTop) el.scrollTop = 0;
    setTop(0);
  }, [p.query]);
  // Keep the selected row in view (keyboard j/k).
  useEffect(() => {
    const el = ref.current;
    const i = p.items.findIndex((c) => c.id === p.selected || (!!p.selected && c.linked_conversation_id === p.selected));
    if (!el || i < 0) return;
    if (i * ROW < el.scrollTop) el.scrollTop = i * ROW;
    else if ((i + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * ROW - el.clientHeight;
  }, [p.selected]);
  const now = useNow();
  const pcts = useWarnPcts();
  const first = Math.max(0, Math.floor(top / ROW) - 5);
  const last = Math.min(p.items.length, Math.ceil((top + height) / ROW) + 5);
  useEffect(() => {
    if (p.hasMore && !p.loading && last >= p.items.length - 20) p.loadMore();
  }, [last, p.items.length, p.hasMore, p.loading]);
  const rows = [];
  for (let i = first; i < last; i++) {
    const c = p.items[i]!;
    const sla = p.slas.get(c.id) ?? (c as Conv & { sla?: Sla }).sla;
    const due = c.status === 'resolved' ? null : dueOf(sla, now, sla?.policy_id ? pcts.get(sla.policy_id) : undefined, wasWarned(c.id));
    rows.push(<Row key={c.id} c={c} due={due && <SlaBadge due={due} now={now} />} queued={!!sla?.routing.queued && c.assignee_id === null} top={i * ROW} selected={c.id === p.selected || (!!p.selected && c.linked_conversation_id === p.selected)} select={p.select} pos={i + 1} total={p.items.length} checked={p.checked.has(c.id)} toggle={p.toggleCheck} />);
  }
  return (
    <div class="list" id="conv-list" ref={ref} onScroll={(e) => setTop((e.target as HTMLDivElement).scrollTop)} aria-busy={p.loading}>
      <div class="list-inner" role={p.items.length ? 'list' : undefined} aria-label={p.items.length ? 'Conversations' : undefined} style={{ height: `${p.items.length * ROW}px` }}>
        {rows}
      </div>
      {!p.loading && !p.items.length && <p class="empty">No conversations here.</p>}
      {p.loading && <p class="loading" aria-live="polite">Loading…</p>}
    </div>
  );
}

const STATUS: Record<string, string> = { pending: 'Pending', snoozed: 'Snoozed', resolved: 'Resolved' };
const MATCH_FIELD: Record<string, string> = { name: 'Name', handle: 'Handle', email: 'Email', phone: 'Phone' };

// What a search matched: the words marked (as text; never HTML), and which contact detail it
// was when it was not a message.
function Match({ m }: { m: NonNullable<Conv['match']> }) {
  return (
    <>
      {MATCH_FIELD[m.field] && <span class="match-field">{MATCH_FIELD[m.field]}: </span>}
      {m.parts.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

function Row({ c, due, queued, top, selected, select, pos, total, checked, toggle }: {
  c: Conv; due: ComponentChildren; queued: boolean; top: number; selected: boolean; select: (id: number) => void;
  pos: number; total: number; checked: boolean; toggle: (id: number) => void;
}) {
  const name = c.contact_name ?? `Contact ${c.contact_id}`;
  const level = urgencyLevel(c.urgency);
  return (
    <div role="listitem" class={'row-wrap' + (checked ? ' checked' : '')} style={{ transform: `translateY(${top}px)` }} aria-setsize={total} aria-posinset={pos}>
      <input type="checkbox" class="row-check" checked={checked} onChange={() => toggle(c.id)} aria-label={`Select ${name}`} data-check={c.id} />
      <button
        type="button"
        class={'row' + (selected ? ' selected' : '') + (c.unread ? ' unread' : '')}
        aria-current={selected ? 'true' : undefined}
        data-conv={c.id}
        onClick={() => select(c.id)}
      >
        <span class="row-top">
          {c.unread > 0 && <span class="dot" role="img" aria-label={`${c.unread} unread`} />}
          <span class="name">{name}</span>
          {level === 'high' && <span class="chip chip-u-high" title={`Urgency ${c.urgency} of 100`}>{URGENCY_WORDS.high}</span>}
          {due}
          <span class="when">{timeAgo(c.last_message_at)}</span>
        </span>
        <span class="preview">{c.match ? <Match m={c.match} /> : c.preview}</span>
        <span class="row-tags">
          <span class={'chip chip-chan chan-' + (c.channel_type ?? 'api')}>{c.channel_name ?? c.channel_type}</span>
          {c.linked_conversation_id ? (
            <span class="chip chip-public" title="One case: a public thread and its private conversation">Public + private</span>
          ) : (
            c.public && <span class="chip chip-public">Public</span>
          )}
          {c.blocked && <span class="chip chip-blocked">Blocked</span>}
          {queued && <span class="chip chip-queued">Waiting for an agent</span>}
          {c.status !== 'open' && STATUS[c.status] && <span class={'chip chip-st-' + c.status}>{STATUS[c.status]}</span>}
          {c.sentiment === 'negative' && <span class="chip chip-s-negative">{sentimentWord('negative')}</span>}
          {c.intent && <span class="chip chip-intent">{intentWord(c.intent)}</span>}
          {c.labels.slice(0, 3).map((l) => (
            <span key={l} class="chip chip-label">{l}</span>
          ))}
        </span>
      </button>
    </div>
  );
}
