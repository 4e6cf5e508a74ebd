// triage.tsx - triage in the open: the conversation's urgency with the reasons behind it, and
// each customer message's intent and sentiment as chips an agent corrects in two clicks (chip,
// then the right word), which POST /api/v1/messages/{id}/triage records for retraining.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Msg } from './api';
import { INTENTS, intentWord, plainError, reasonWord, SENTIMENTS, sentimentWord, urgencyLevel, URGENCY_WORDS } from './words';

// The strongest urgency among the loaded customer messages, with its reasons.
export function urgencyOf(msgs: Msg[], convUrgency: number | null): { score: number; reasons: string[] } | null {
  let best: Msg | null = null;
  for (const m of msgs)
    if (m.direction === 'in' && m.triage && m.triage.urgency >= 0 && (!best || m.triage.urgency >= best.triage!.urgency)) best = m;
  const score = convUrgency ?? best?.triage?.urgency ?? null;
  if (score === null || score < 0) return null;
  const reasons = (best?.triage?.urgency_reasons ?? [])
    .filter((r) => r.code && (r.points ?? 0) > 0)
    .map((r) => reasonWord(r.code!));
  return { score, reasons };
}

// "Urgent 85 · Legal threat · Fraud or security": the score and why, never cut.
export function UrgencyLine({ msgs, urgency }: { msgs: Msg[]; urgency: number | null }) {
  const u = urgencyOf(msgs, urgency);
  if (!u) return null;
  const level = urgencyLevel(u.score)!;
  return (
    <p class="tr-urgency" data-testid="urgency">
      <span class={'chip chip-u-' + level} title={`Urgency ${u.score} of 100`}>
        {URGENCY_WORDS[level]} · {u.score}
      </span>
      {u.reasons.length > 0 && (
        <span class="tr-reasons" data-testid="urgency-reasons">
          <span class="sr-only">Why: </span>
          {u.reasons.map((r) => (
            <span key={r} class="chip chip-reason">{r}</span>
          ))}
        </span>
      )}
    </p>
  );
}

export function Pick({ label, value, options, words, onPick, kind }: {
  label: string; value: string | null; options: string[]; words: (v: string) => string;
  onPick: (v: string) => void; kind: 'intent' | 'sentiment';
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const cls = kind === 'sentiment' ? 'chip chip-s-' + (value ?? 'none') : 'chip chip-intent';
  return (
    <span class="tr-pick" ref={ref}>
      <button
        type="button"
        class={cls + ' tr-chip'}
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`${label}: ${value ? words(value) : 'not set'}. Change`}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}
      >
        {value ? words(value) : `Set ${label.toLowerCase()}`} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <span class="tr-menu" role="group" aria-label={`Correct the ${label.toLowerCase()}`}>
          {options.map((o) => (
            <button
              key={o}
              type="button"
              class={'tr-opt' + (o === value ? ' on' : '')}
              aria-pressed={o === value}
              onClick={() => {
                setOpen(false);
                if (o !== value) onPick(o);
              }}
              onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setOpen(false))}
            >
              {words(o)}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}

// A customer message's intent and sentiment, correctable.
export function TriageChips({ m, onSaved }: { m: Msg; onSaved: (m: Msg) => void }) {
  const [err, setErr] = useState('');
  if (m.direction !== 'in' || m.kind !== 'message') return null;
  const t = m.triage;
  const save = async (body: { intent?: string; sentiment?: string }) => {
    setErr('');
    try {
      onSaved(await api<Msg>('POST', `/api/v1/messages/${m.id}/triage`, body));
    } catch (e) {
      setErr(plainError(e, 'The correction was not saved. Try again.'));
    }
  };
  return (
    <div class="triage" data-testid="triage">
      <Pick label="Intent" kind="intent" value={t?.intent ?? null} options={INTENTS} words={intentWord} onPick={(intent) => save({ intent })} />
      <Pick label="Mood" kind="sentiment" value={t?.sentiment ?? null} options={SENTIMENTS} words={sentimentWord} onPick={(sentiment) => save({ sentiment })} />
      {err && <span class="error" role="alert">{err}</span>}
    </div>
  );
}
