// care_policy.tsx - care policy in the conversation (docs/care-policy.md): the root cause asked
// for when a complaint is resolved (the suggested cause preselected, with why), the "Goodwill"
// form with the limit and the repeat warning, and the supervisors' "Approvals" queue in the top
// bar. Amounts are typed as money ("12.50") and sent as integer minor units.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, clock, ConvRootCause, Goodwill, GoodwillRepeat, RootCause } from './api';
import { Dialog } from './dialogs';
import { useLive } from './live';
import { plainError } from './words';

// ISO 4217 minor-unit exponents that are not 2.
const EXPONENT: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};
const exponent = (cur: string) => EXPONENT[cur] ?? 2;

// 1250, "EUR" -> "12.50 EUR".
export function money(minor: number, cur: string): string {
  const e = exponent(cur);
  const s = e ? (minor / 10 ** e).toFixed(e) : String(minor);
  return `${s} ${cur}`;
}

// "12.5" -> 1250 (EUR); null when it is not an amount with at most the currency's decimals.
export function toMinor(text: string, cur: string): number | null {
  const e = exponent(cur);
  const t = text.trim().replace(',', '.');
  const m = /^(\d{1,9})(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] && m[2].length > e)) return null;
  const frac = (m[2] ?? '').padEnd(e, '0');
  return Number(m[1]) * 10 ** e + (e ? Number(frac) : 0);
}

const KIND_WORDS: Record<string, string> = { refund: 'Refund', voucher: 'Voucher', freebie: 'Freebie' };
const STATUS_WORDS: Record<string, string> = { approved: 'Approved', pending: 'Waiting for approval', declined: 'Declined' };

function useCauses() {
  const [causes, setCauses] = useState<RootCause[] | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    api<{ items: RootCause[] }>('GET', '/api/v1/root-causes').then((r) => setCauses(r.items), (e) => setErr(plainError(e)));
  }, []);
  return { causes, err };
}

// Asked when resolving a complaint needs its root cause (422 root_cause_required).
export function RootCauseDialog({ convId, onClose, onResolve }: { convId: number; onClose: () => void; onResolve: (causeId: number) => Promise<boolean> }) {
  const { causes, err } = useCauses();
  const [info, setInfo] = useState<ConvRootCause | null>(null);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<ConvRootCause>('GET', `/api/v1/conversations/${convId}/root-cause`).then((r) => {
      setInfo(r);
      const pick = r.root_cause?.root_cause_id ?? r.suggestion?.root_cause_id;
      if (pick) setChoice(String(pick));
    }, () => {});
  }, [convId]);
  const sg = info?.suggestion;
  return (
    <Dialog title="What caused this complaint?" onClose={onClose}>
      <form
        class="stack"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
        onSubmit={async (e) => {
          e.preventDefault();
          if (!choice || busy) return;
          setBusy(true);
          const ok = await onResolve(Number(choice));
          setBusy(false);
          if (ok) onClose();
        }}
      >
        <p class="muted">Pick the root cause so the team can fix it, not only this customer's case.</p>
        {err && <p class="error" role="alert">{err}</p>}
        {sg && (
          <p class="rc-why" data-testid="rc-why">
            <strong>Suggested: {sg.name}.</strong> {sg.explanation}
          </p>
        )}
        <label for="rc-pick">Root cause</label>
        <select id="rc-pick" value={choice} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)} required>
          <option value="">Choose…</option>
          {(causes ?? []).map((c) => (
            <option key={c.id} value={String(c.id)}>
              {c.name}
              {sg && sg.root_cause_id === c.id ? ' (suggested)' : ''}
            </option>
          ))}
        </select>
        {causes && !causes.length && <p class="muted">No root causes yet: an admin adds them in Settings → Root causes.</p>}
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={!choice || busy}>Resolve</button>
        </div>
      </form>
    </Dialog>
  );
}

interface GoodwillList {
  items: Goodwill[];
  repeat: GoodwillRepeat;
  currency: string;
  your_limit: number | null;
}

// The "Goodwill" form of a conversation: earlier grants, the repeat warning, the limit.
export function GoodwillDialog({ convId, onClose, onDone }: { convId: number; onClose: () => void; onDone: (g: Goodwill) => void }) {
  const { causes } = useCauses();
  const [list, setList] = useState<GoodwillList | null>(null);
  const [kind, setKind] = useState('voucher');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('');
  const [cause, setCause] = useState('');
  const [note, setNote] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [repeatAsk, setRepeatAsk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<GoodwillList>('GET', `/api/v1/conversations/${convId}/goodwill`).then((r) => {
      setList(r);
      setCurrency((c) => c || r.currency);
    }, (e) => setErrs({ form: plainError(e) }));
    api<ConvRootCause>('GET', `/api/v1/conversations/${convId}/root-cause`).then((r) => {
      const pick = r.root_cause?.root_cause_id ?? r.suggestion?.root_cause_id;
      if (pick) setCause((c) => c || String(pick));
    }, () => {});
  }, [convId]);
  const cur = (currency || list?.currency || 'EUR').toUpperCase();
  const minor = toMinor(amount, cur);
  const over = list && minor !== null && (cur !== list.currency || (list.your_limit !== null && minor > list.your_limit));
  const submit = async (confirm: boolean) => {
    const bad: Record<string, string> = {};
    if (minor === null || minor < 1) bad.amount_minor = `Type an amount such as ${exponent(cur) ? '12.50' : '1250'}.`;
    if (!cause) bad.root_cause_id = 'Pick the root cause this makes up for.';
    setErrs(bad);
    if (Object.keys(bad).length || busy) return;
    setBusy(true);
    try {
      const g = await api<Goodwill>('POST', `/api/v1/conversations/${convId}/goodwill`, {
        kind, amount_minor: minor, currency: cur, root_cause_id: Number(cause), note: note.trim() || undefined, confirm_repeat: confirm || undefined,
      });
      onDone(g);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'repeat_goodwill') setRepeatAsk(e.message);
      else if (e instanceof ApiError && e.field) setErrs({ [e.field]: plainError(e) });
      else setErrs({ form: plainError(e) });
    } finally {
      setBusy(false);
    }
  };
  const fieldErr = (k: string) => errs[k] && <p class="field-error" id={`gw-${k}-err`} role="alert">{errs[k]}</p>;
  const warning = repeatAsk ?? (list?.repeat.flagged ? list.repeat.message : null);
  return (
    <Dialog title="Goodwill" onClose={onClose}>
      <form
        class="stack gw-form"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
        onSubmit={(e) => {
          e.preventDefault();
          submit(false);
        }}
      >
        {warning && (
          <div class="gw-warn" role="alert" data-testid="gw-repeat">
            <strong>{warning}</strong>
            <span>Earlier grants to this customer are counted across all their conversations.</span>
          </div>
        )}
        {list && list.items.length > 0 && (
          <ul class="gw-earlier" aria-label="Goodwill in this conversation">
            {list.items.map((g) => (
              <li key={g.id}>
                {KIND_WORDS[g.kind]} {money(g.amount_minor, g.currency)} · {g.root_cause} · <span class={'chip gw-st-' + g.status}>{STATUS_WORDS[g.status]}</span>
                {g.decision_note && <span class="muted"> “{g.decision_note}”</span>}
              </li>
            ))}
          </ul>
        )}
        <div class="gw-row">
          <div>
            <label for="gw-kind">Kind</label>
            <select id="gw-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
              <option value="voucher">Voucher</option>
              <option value="refund">Refund</option>
              <option value="freebie">Freebie</option>
            </select>
          </div>
          <div>
            <label for="gw-amount">Amount</label>
            <input id="gw-amount" inputMode="decimal" autoComplete="off" value={amount} maxLength={14}
              aria-invalid={!!errs.amount_minor} aria-describedby={errs.amount_minor ? 'gw-amount_minor-err' : 'gw-limit'}
              onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
            {fieldErr('amount_minor')}
          </div>
          <div>
            <label for="gw-currency">Currency</label>
            <input id="gw-currency" value={currency} maxLength={3} size={4} autoComplete="off"
              aria-invalid={!!errs.currency}
              onInput={(e) => setCurrency((e.target as HTMLInputElement).value.toUpperCase())} />
            {fieldErr('currency')}
          </div>
        </div>
        {list && (
          <p class="muted" id="gw-limit">
            {list.your_limit === null ? 'No limit for your role' : `Your limit: ${money(list.your_limit, list.currency)} per grant`}
            {over ? ' — this one waits for a supervisor’s approval.' : '.'}
          </p>
        )}
        <label for="gw-cause">Root cause</label>
        <select id="gw-cause" value={cause} aria-invalid={!!errs.root_cause_id} onChange={(e) => setCause((e.target as HTMLSelectElement).value)}>
          <option value="">Choose…</option>
          {(causes ?? []).map((c) => (
            <option key={c.id} value={String(c.id)}>{c.name}</option>
          ))}
        </select>
        {fieldErr('root_cause_id')}
        <label for="gw-note">Note (optional)</label>
        <input id="gw-note" maxLength={500} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        {fieldErr('note')}
        {errs.form && <p class="error" role="alert">{errs.form}</p>}
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          {repeatAsk ? (
            <button type="button" class="primary" disabled={busy} onClick={() => submit(true)}>Grant anyway</button>
          ) : (
            <button type="submit" class="primary" disabled={busy}>{over ? 'Ask for approval' : 'Grant'}</button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

// The approval queue in the top bar: supervisors and admins only.
export function ApprovalsButton({ role, onOpen }: { role: string; onOpen: (convId: number) => void }) {
  const can = role === 'admin' || role === 'supervisor';
  const [items, setItems] = useState<Goodwill[] | null>(null);
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [notes, setNotes] = useState<Record<number, string>>({});
  const ref = useRef<HTMLDivElement>(null);
  const load = () => {
    if (!can) return;
    api<{ items: Goodwill[] }>('GET', '/api/v1/goodwill').then((r) => setItems(r.items), (e) => setNote(plainError(e)));
  };
  useEffect(load, [can]);
  useLive(['settings.changed'], (e) => {
    if (e.area === 'goodwill_queue') load();
  });
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  if (!can) return null;
  const n = items?.length ?? 0;
  const decide = async (g: Goodwill, verb: 'approve' | 'decline') => {
    try {
      const n = (notes[g.id] ?? '').trim();
      await api('POST', `/api/v1/goodwill/${g.id}/${verb}`, n ? { note: n } : {});
      setNote(`${verb === 'approve' ? 'Approved' : 'Declined'}: ${money(g.amount_minor, g.currency)} for ${g.contact_name || 'the customer'}.`);
      load();
    } catch (e) {
      setNote(plainError(e));
      load();
    }
  };
  return (
    <div class="cb-list" ref={ref} onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}>
      <button type="button" class="ghost" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="approvals">
        <span class="topbar-icon" aria-hidden="true">⚖</span>
        <span class="cb-word">Approvals</span>{' '}
        {n > 0 && (
          <span class="cb-count">
            {n}
            <span class="sr-only"> waiting</span>
          </span>
        )}
      </button>
      {open && (
        <div class="cb-pop" role="group" aria-label="Goodwill waiting for approval">
          <h2>Goodwill to approve</h2>
          {note && <p role="status">{note}</p>}
          {items && !items.length && <p class="muted">Nothing waiting. Grants over an agent's limit show here.</p>}
          <ul>
            {(items ?? []).map((g) => (
              <li key={g.id} data-testid="approval">
                <strong>{KIND_WORDS[g.kind]} {money(g.amount_minor, g.currency)}</strong>
                <span>
                  {g.contact_name || 'A customer'} · {g.root_cause} · asked by {g.requested_by_name || 'an integration'} {clock(g.created_at)}
                </span>
                {g.note && <span class="muted">“{g.note}”</span>}
                <label for={`ap-note-${g.id}`}>Note to {g.requested_by_name || 'the agent'} (optional)</label>
                <input id={`ap-note-${g.id}`} maxLength={500} value={notes[g.id] ?? ''}
                  onInput={(e) => setNotes((m) => ({ ...m, [g.id]: (e.target as HTMLInputElement).value }))} />
                <span class="row-end">
                  <button type="button" onClick={() => { setOpen(false); onOpen(g.conversation_id); }}>Open conversation</button>
                  <button type="button" onClick={() => decide(g, 'decline')}>Decline</button>
                  <button type="button" class="primary" onClick={() => decide(g, 'approve')}>Approve</button>
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

// The root cause of a resolved conversation, as a chip in its header (nothing when none).
export function CauseChip({ convId, status }: { convId: number; status: string }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    setName(null);
    if (status !== 'resolved') return;
    let gone = false;
    api<ConvRootCause>('GET', `/api/v1/conversations/${convId}/root-cause`).then((r) => !gone && setName(r.root_cause?.name ?? null), () => {});
    return () => {
      gone = true;
    };
  }, [convId, status]);
  return name ? <> <span class="chip chip-cause" data-testid="conv-cause">Root cause: {name}</span></> : null;
}
