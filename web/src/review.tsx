// review.tsx - "Review triage" (active learning): the top bar's "Review N" opens a panel with the
// customer messages Hark's models were least sure about (GET /api/v1/triage/review), one at a
// time: the guess as the same chips as triage.tsx (two clicks to correct), then Confirm (Enter)
// or Skip. A confirmation teaches the model as much as a correction does. Keys: Enter confirms
// or saves, 1-9 pick the intent, U / N / H the mood, S skips, Escape closes.
import { createPortal } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, timeAgo } from './api';
import type { components } from './api-types';
import { useLive } from './live';
import { Pick } from './triage';
import { INTENTS, intentWord, plainError, SENTIMENTS, sentimentWord } from './words';

export type ReviewItem = components['schemas']['TriageReviewItem'];

const BATCH = 5;
const MOOD_KEYS: Record<string, string> = { u: 'negative', n: 'neutral', h: 'positive' };
type Outcome = 'confirmed' | 'corrected' | 'skipped';

const load = () => api<{ items: ReviewItem[] }>('GET', `/api/v1/triage/review?limit=${BATCH}`).then((r) => r.items);

const pct = (p: number) => `${Math.round(p * 100)}%`;

function Summary({ outcomes }: { outcomes: Outcome[] }) {
  const n = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const parts = [
    n('confirmed') && `${n('confirmed')} confirmed`,
    n('corrected') && `${n('corrected')} corrected`,
    n('skipped') && `${n('skipped')} skipped`,
  ].filter(Boolean);
  return <p>{parts.join(', ')}.</p>;
}

export function ReviewPanel({ onClose, onOpenConv }: { onClose: () => void; onOpenConv: (id: number) => void }) {
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [idx, setIdx] = useState(0);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [intent, setIntent] = useState<string | null>(null);
  const [mood, setMood] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const [more, setMore] = useState(false);
  const boxRef = useRef<HTMLDivElement>(null);
  const mainRef = useRef<HTMLButtonElement>(null);

  const start = () => {
    setItems(null);
    setErr('');
    load().then(
      (v) => { setItems(v); setIdx(0); setOutcomes([]); },
      (e) => setErr(plainError(e, 'The messages to review could not be loaded. Try again.')),
    );
  };
  useEffect(start, []);
  const cur = items && idx < items.length ? items[idx] : null;
  useEffect(() => {
    setIntent(cur?.intent ?? null);
    setMood(cur?.sentiment ?? null);
    setErr('');
    mainRef.current?.focus();
  }, [cur?.message_id]);
  const finished = items !== null && items.length > 0 && idx >= items.length;
  useEffect(() => {
    if (!finished) return;
    load().then((v) => setMore(v.length > 0), () => setMore(false));
    boxRef.current?.querySelector<HTMLButtonElement>('.rv-end button.primary')?.focus();
  }, [finished]);

  const changed = !!cur && (intent !== cur.intent || mood !== cur.sentiment);
  const answer = async (skip: boolean) => {
    if (!cur || busy) return;
    setBusy(true);
    setErr('');
    const body: Record<string, unknown> = skip ? { skip: true } : { confirm: true };
    if (!skip && intent !== cur.intent && intent) body.intent = intent;
    if (!skip && mood !== cur.sentiment && mood) body.sentiment = mood;
    try {
      await api('POST', `/api/v1/messages/${cur.message_id}/triage`, body);
      setOutcomes((o) => [...o, skip ? 'skipped' : changed ? 'corrected' : 'confirmed']);
      setIdx((i) => i + 1);
    } catch (e) {
      setErr(plainError(e, 'That answer was not saved. Try again.'));
    } finally {
      setBusy(false);
    }
  };

  const onKey = (e: KeyboardEvent) => {
    // The inbox's own shortcuts (j, k, r, e...) stay out of the panel.
    e.stopPropagation();
    if (e.key === 'Escape') {
      if ((e.target as HTMLElement).closest('.tr-menu, .tr-pick [aria-expanded="true"]')) return;
      onClose();
      return;
    }
    if (!cur || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    if (e.key === 'Enter') {
      if (target.tagName === 'BUTTON' || target.tagName === 'A') return; // the focused button's own click
      e.preventDefault();
      answer(false);
      return;
    }
    const k = e.key.toLowerCase();
    if (/^[1-9]$/.test(k) && Number(k) <= INTENTS.length) {
      e.preventDefault();
      setIntent(INTENTS[Number(k) - 1]);
    } else if (MOOD_KEYS[k]) {
      e.preventDefault();
      setMood(MOOD_KEYS[k]);
    } else if (k === 's') {
      e.preventDefault();
      answer(true);
    }
  };

  // Keys pressed while the focus is outside the panel (it was on an answered message's button,
  // now gone) still belong to the panel, never to the inbox behind it.
  const keyRef = useRef(onKey);
  keyRef.current = onKey;
  useEffect(() => {
    const outside = (e: KeyboardEvent) => {
      if (!boxRef.current || boxRef.current.contains(e.target as Node)) return;
      keyRef.current(e);
    };
    window.addEventListener('keydown', outside, true);
    return () => window.removeEventListener('keydown', outside, true);
  }, []);

  const total = items?.length ?? 0;
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog rv-dialog" role="dialog" aria-modal="true" aria-labelledby="rv-title" ref={boxRef} onKeyDown={onKey}>
        <div class="dialog-head">
          <h2 id="rv-title">Review triage</h2>
          <button type="button" class="ghost" onClick={onClose} aria-label="Close">×</button>
        </div>
        {items === null && !err && <p aria-busy="true">Loading…</p>}
        {items !== null && total === 0 && (
          <div class="rv-end">
            <p>Nothing to review right now. Hark asks when it is unsure about a message.</p>
            <div class="row-end"><button type="button" class="primary" onClick={onClose} autoFocus>Close</button></div>
          </div>
        )}
        {cur && (
          <>
            <p class="muted">
              Hark was unsure about these messages. Is its guess right? Each answer, a yes or a fix, teaches it.
            </p>
            <p class="rv-progress" role="status" data-testid="review-progress">
              {idx} of {total} reviewed
            </p>
            <article class="rv-item" aria-labelledby="rv-from" data-testid="review-item">
              <p class="rv-meta" id="rv-from">
                <strong>{cur.contact_name || 'A customer'}</strong> · {cur.channel_name} · {timeAgo(cur.created_at)}
              </p>
              <blockquote class="rv-text">{cur.text}{cur.text_truncated ? '…' : ''}</blockquote>
              <div class="rv-guess">
                <span class="rv-label">Hark's guess:</span>
                <Pick label="Intent" kind="intent" value={intent} options={INTENTS} words={intentWord} onPick={setIntent} />
                <Pick label="Mood" kind="sentiment" value={mood} options={SENTIMENTS} words={sentimentWord} onPick={setMood} />
              </div>
              <p class="muted rv-sure">
                {changed
                  ? 'You changed the guess: save your correction.'
                  : `Hark was ${pct(cur.intent_conf)} sure of the intent and ${pct(cur.sentiment_conf)} sure of the mood.`}
              </p>
            </article>
            {err && <p class="error" role="alert">{err}</p>}
            <div class="row-end rv-actions">
              <a href={`#/c/${cur.conversation_id}`} onClick={() => onOpenConv(cur.conversation_id)}>Open conversation</a>
              <button type="button" onClick={() => answer(true)}>Skip</button>
              <button type="button" class="primary" ref={mainRef} onClick={() => answer(false)} aria-busy={busy}>
                {changed ? 'Save correction' : 'Confirm'}
              </button>
            </div>
            <p class="muted rv-keys">
              Keys: <kbd>Enter</kbd> {changed ? 'saves' : 'confirms'} · <kbd>1</kbd>–<kbd>9</kbd> intent (
              {INTENTS.map((v, i) => `${i + 1} ${intentWord(v)}`).join(', ')}) · <kbd>U</kbd> <kbd>N</kbd> <kbd>H</kbd> mood
              (Unhappy, Neutral, Happy) · <kbd>S</kbd> skip · <kbd>Esc</kbd> close
            </p>
          </>
        )}
        {finished && (
          <div class="rv-end">
            <p class="rv-progress" role="status" data-testid="review-progress">
              {total} of {total} reviewed
            </p>
            <p><strong>Thanks — the model learns from these at the next retrain.</strong></p>
            <Summary outcomes={outcomes} />
            <div class="row-end">
              {more && <button type="button" onClick={start}>Review {BATCH} more</button>}
              <button type="button" class="primary" onClick={onClose}>Close</button>
            </div>
          </div>
        )}
        {err && !cur && <p class="error" role="alert">{err}</p>}
      </div>
    </div>
  );
}

// The top bar's entry point: "Review 5" when Hark has messages it is unsure about.
export function ReviewButton({ onOpenConv }: { onOpenConv: (id: number) => void }) {
  const [n, setN] = useState(0);
  const [open, setOpen] = useState(false);
  const timer = useRef<number | null>(null);
  const count = () => load().then((v) => setN(v.length), () => setN(0));
  useEffect(() => {
    count();
    return () => { if (timer.current !== null) clearTimeout(timer.current); };
  }, []);
  // New customer messages may be unsure ones: count again, at most every few seconds.
  useLive(['message.created'], () => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => { timer.current = null; count(); }, 3000);
  });
  const btnRef = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    count();
    btnRef.current?.focus();
  };
  if (n === 0 && !open) return null;
  return (
    <>
      <button type="button" class="ghost rv-open" ref={btnRef} onClick={() => setOpen(true)} data-testid="review-open">
        <span class="topbar-icon" aria-hidden="true">✓</span>
        <span class="rv-word">Review</span>{' '}
        {n > 0 && (
          <span class="cb-count rv-count">
            {n}
            <span class="sr-only"> messages Hark is unsure about</span>
          </span>
        )}
      </button>
      {/* On the body, not inside the dark top bar (whose colours it would inherit). */}
      {open && createPortal(<ReviewPanel onClose={close} onOpenConv={(id) => { setOpen(false); count(); onOpenConv(id); }} />, document.body)}
    </>
  );
}
