// callback.tsx - phone callbacks for the agent: "Offer a callback" in a conversation (the
// customer gets a one-time link to pick a time), the conversation's callback tasks in its
// header, and the agent's own list in the top bar, each with a done button. Both follow the
// live 'callback.updated' event, so a customer's pick shows at once.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ConvFull } from './api';
import { useLive } from './live';
import { plainError } from './words';

export interface Callback {
  id: number;
  conversation_id: number;
  agent_id: number | null;
  agent_name: string | null;
  contact_name: string | null;
  phone: string | null;
  slot_at: string | null;
  note: string | null;
  offered_at: string;
  accepted_at: string | null;
  done_at: string | null;
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? '';

export const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }) : '';

// The callbacks of one query, reloaded on every callback.updated event.
function useCallbacks(query: string) {
  const [items, setItems] = useState<Callback[] | null>(null);
  const [err, setErr] = useState('');
  const seq = useRef(0);
  const load = () => {
    const n = ++seq.current;
    api<{ items: Callback[] }>('GET', `/api/v1/callbacks?${query}`)
      .then((r) => n === seq.current && (setItems(r.items), setErr('')))
      .catch((e) => n === seq.current && setErr(plainError(e, 'The callbacks could not be loaded.')));
  };
  useEffect(load, [query]);
  useLive(['callback.updated'], load);
  return { items, err, load };
}

async function markDone(id: number, done: boolean) {
  return api<Callback>('POST', `/api/v1/callbacks/${id}/done`, { done });
}

export function OfferCallbackDialog({ conv, onClose, onDone }: { conv: ConvFull; onClose: () => void; onDone: () => void }) {
  const who = firstName(conv.contact.name || '');
  const [text, setText] = useState(`Hi ${who || 'there'}, would a phone call be easier? Pick a time that suits you here and we will call you: {link}`);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !text.trim()) return;
    setBusy(true);
    setErr('');
    try {
      await api('POST', `/api/v1/conversations/${conv.id}/callback-offer`, { text });
      onDone();
    } catch (e2) {
      setErr(plainError(e2, 'The offer could not be sent. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog cb-dialog" role="dialog" aria-modal="true" aria-labelledby="cb-offer-title"
        onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}>
        <form onSubmit={submit}>
          <div class="dialog-head">
            <h2 id="cb-offer-title">Offer a callback</h2>
            <button type="button" class="ghost" onClick={onClose} aria-label="Close">×</button>
          </div>
          <p class="muted">
            {conv.contact.name || 'The customer'} gets this message with a link to pick a time within your team's opening hours and
            leave a number. The link works once, for 7 days. When they pick, the call shows up here and in your callbacks.
          </p>
          <div class="stack">
            <label for="cb-offer-text">Message</label>
            <textarea id="cb-offer-text" rows={4} maxLength={2000} value={text} aria-describedby="cb-offer-hint"
              onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} autoFocus />
            <p id="cb-offer-hint" class="muted">{'{link}'} becomes the booking link; without it the link goes at the end.</p>
            {err && <p class="error" role="alert">{err}</p>}
          </div>
          <div class="row-end">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" class="primary" disabled={busy || !text.trim()}>{busy ? 'Sending…' : 'Send the offer'}</button>
          </div>
        </form>
      </div>
    </div>
  );
}

// The conversation's callbacks, in its header: "Call +49… Tue 8 Dec, 10:30" with a done button.
export function ConvCallbacks({ convId }: { convId: number }) {
  const { items, load } = useCallbacks(`conversation_id=${convId}&done=1`);
  const [err, setErr] = useState('');
  if (!items?.length) return null;
  return (
    <>
      <ul class="cb-tasks" aria-label="Callbacks" data-testid="conv-callbacks">
        {items.map((c) => (
          <li key={c.id} class={'cb-task' + (c.done_at ? ' done' : '')}>
            <span>
              {c.done_at ? 'Called' : 'Call'} <a href={`tel:${c.phone}`}>{c.phone}</a> · {when(c.slot_at)}
              {c.note && <> · “{c.note}”</>}
            </span>
            <button type="button" onClick={() => markDone(c.id, !c.done_at).then(load, (e) => setErr(plainError(e)))}>
              {c.done_at ? 'Not done' : 'Mark done'}
            </button>
          </li>
        ))}
      </ul>
      {err && <p class="error" role="alert">{err}</p>}
    </>
  );
}

// The agent's callbacks to make, in the top bar: a count, and the list with done buttons.
export function CallbacksButton({ onOpen }: { onOpen: (convId: number) => void }) {
  const { items, err, load } = useCallbacks('mine=1');
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const n = items?.length ?? 0;
  return (
    <div class="cb-list" ref={ref} onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}>
      <button type="button" class="ghost" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="callbacks">
        <span class="topbar-icon" aria-hidden="true">☎</span>
        <span class="cb-word">Callbacks</span>{' '}
        {n > 0 && (
          <span class="cb-count">
            {n}
            <span class="sr-only"> to make</span>
          </span>
        )}
      </button>
      {open && (
        <div class="cb-pop" role="group" aria-label="My callbacks">
          <h2>Calls to make</h2>
          {err && <p class="error" role="alert">{err}</p>}
          {note && <p role="status">{note}</p>}
          {items && !items.length && <p class="muted">No callbacks to make. Offer one from a conversation.</p>}
          <ul>
            {(items ?? []).map((c) => (
              <li key={c.id}>
                <strong>{when(c.slot_at)}</strong>
                <span>
                  {c.contact_name || 'A customer'} · <a href={`tel:${c.phone}`}>{c.phone}</a>
                </span>
                {c.note && <span class="muted">“{c.note}”</span>}
                <span class="row-end">
                  <button type="button" onClick={() => { setOpen(false); onOpen(c.conversation_id); }}>Open conversation</button>
                  <button type="button" class="primary" onClick={() =>
                    markDone(c.id, true).then(() => { setNote('Marked done.'); load(); }, (e) => setNote(plainError(e)))}>
                    Done
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
