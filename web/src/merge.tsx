// merge.tsx - one person across channels, in the customer sidebar: "Possibly the same person"
// with the evidence (same email, phone, name and place, order number), a Merge button with a
// confirm step naming what will move, "Not the same person", and the contact's merges with Undo
// (right after a merge and in its history). Everyone sees suggestions; supervisors and admins
// merge, undo and dismiss (docs/api.md, "Contact merge").
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, Agent, ApiError, Contact, Identity, timeAgo } from './api';
import type { components } from './api-types';
import { Dialog } from './dialogs';
import { useLive } from './live';
import { plainError } from './words';

type Schemas = components['schemas'];
type Suggestion = Schemas['MergeSuggestions']['items'][number];
type Evidence = Schemas['MergeEvidence'];
type Merge = Schemas['ContactMerge'];

export const canMerge = (me: Agent) => me.role === 'admin' || me.role === 'supervisor';

const CHANNEL: Record<string, string> = {
  whatsapp: 'WhatsApp', email: 'Email', sms: 'SMS', messenger: 'Messenger', instagram: 'Instagram',
  telegram: 'Telegram', x: 'X', webchat: 'Chat', api: 'API',
};
export const channelWord = (t: string) => CHANNEL[t] ?? t;

const FIELD: Record<string, string> = {
  name: 'name', email: 'email', phone: 'phone', locale: 'language', location: 'location',
  tags: 'tags', notes: 'notes', attributes: 'details',
};

export function evidenceWords(e: Evidence): string {
  switch (e.kind) {
    case 'email': return `Same email: ${e.value}`;
    case 'phone': return `Same phone number: ${e.value}`;
    case 'name_location': return `Same name and location: ${e.value}`;
    case 'order_ref': return `Same order number: ${e.value}`;
  }
  return e.value;
}

const handle = (i: Identity) => `${channelWord(i.channel_type)} ${i.handle ?? i.name ?? i.platform_id}`;

function conflictWords(err: unknown, fallback: string): string {
  if (err instanceof ApiError && err.status === 409) {
    if (err.code === 'blocked_contact') return 'One of them is blocked and the other is not. Unblock them, or block both, first.';
    if (err.code === 'already_merged') return 'One of them is already part of another contact.';
    if (err.code === 'later_merge') return 'This contact was merged again later. Undo that merge first.';
    if (err.code === 'already_undone') return 'This merge was already undone.';
  }
  return plainError(err, fallback);
}

interface PanelProps {
  contact: Contact;
  me: Agent;
  onChanged: () => void; // the contact changed (identities, conversations, fields): reload it
}

// Suggestions and merges of the sidebar's contact, reloaded when either contact changes.
export function MergePanel({ contact, me, onChanged }: PanelProps) {
  const [items, setItems] = useState<Suggestion[]>([]);
  const [merges, setMerges] = useState<Merge[]>([]);
  const [asking, setAsking] = useState<Suggestion | null>(null);
  const [justMerged, setJustMerged] = useState<Merge | null>(null);
  const [msg, setMsg] = useState('');
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);
  const load = useCallback(() => {
    const n = ++seq.current;
    Promise.all([
      api<Schemas['MergeSuggestions']>('GET', `/api/v1/contacts/${contact.id}/merge-suggestions`),
      api<Schemas['ContactMerges']>('GET', `/api/v1/contacts/${contact.id}/merges`),
    ])
      .then(([s, m]) => {
        if (n !== seq.current) return; // only the newest answer shows
        setItems(s.items);
        setMerges(m.items);
      })
      .catch(() => {});
  }, [contact.id]);
  useEffect(load, [load]);
  useLive(['contact.updated'], (e) => {
    const id = e.contact_id;
    if (id === contact.id || items.some((s) => s.contact.id === id) || merges.some((m) => m.other_id === id)) load();
  });

  const merged = (m: Merge) => {
    setAsking(null);
    setJustMerged(m);
    setMsg(`Merged. ${m.other_name || 'The other contact'} is now part of ${m.contact_name || 'this contact'}.`);
    load();
    onChanged();
  };
  const undo = async (m: Merge) => {
    if (busy) return;
    setBusy(true);
    try {
      const r = await api<Schemas['ContactMergeUndo']>('POST', `/api/v1/contact-merges/${m.id}/undo`);
      const kept = r.fields_not_restored.map((f) => FIELD[f] ?? f);
      setMsg(`Merge undone. ${m.other_name || 'The other contact'} is a separate contact again` +
        (kept.length ? `; ${kept.join(', ')} changed since, so left as is.` : '.'));
      setJustMerged(null);
      load();
      onChanged();
    } catch (err) {
      setMsg(conflictWords(err, 'Not undone. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  const dismiss = async (s: Suggestion) => {
    try {
      await api('POST', `/api/v1/contacts/${contact.id}/merge-suggestions/dismiss`, { other_id: s.contact.id });
      setMsg(`${s.contact.name || 'That contact'} will not be suggested again.`);
      load();
    } catch (err) {
      setMsg(plainError(err, 'Not saved. Try again.'));
    }
  };
  const mine = merges.filter((m) => m.contact_id === contact.id);
  const may = canMerge(me);
  return (
    <div class="merge-panel" data-testid="merge-panel">
      {items.length > 0 && (
        <section class="merge-suggest" aria-labelledby="merge-suggest-h" data-testid="merge-suggestions">
          <h3 id="merge-suggest-h">Possibly the same person</h3>
          <ul>
            {items.map((s) => (
              <li key={s.contact.id} data-testid="merge-suggestion">
                <p class="merge-who">
                  <strong>{s.contact.name || `Contact ${s.contact.id}`}</strong>
                  {s.contact.blocked && <> <span class="chip chip-blocked">Blocked</span></>}
                </p>
                {(s.contact.identities ?? []).length > 0 && (
                  <p class="muted">{(s.contact.identities ?? []).map(handle).join(' · ')}</p>
                )}
                <ul class="evidence">
                  {s.evidence.map((e) => <li key={e.kind}>{evidenceWords(e)}</li>)}
                </ul>
                {may ? (
                  <div class="row-end">
                    <button type="button" class="ghost" onClick={() => dismiss(s)}>Not the same person</button>
                    <button type="button" onClick={() => setAsking(s)}>
                      Merge…<span class="sr-only"> {s.contact.name}</span>
                    </button>
                  </div>
                ) : (
                  <p class="muted">A supervisor or admin can merge them.</p>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {msg && (
        <div class="merge-msg" role="status" data-testid="merge-msg">
          <p>{msg}</p>
          {justMerged && may && (
            <button type="button" disabled={busy} onClick={() => undo(justMerged)}>Undo</button>
          )}
        </div>
      )}
      {merges.length > 0 && (
        <section aria-labelledby="merge-history-h" data-testid="merge-history">
          <h3 id="merge-history-h">Merged contacts</h3>
          <ul class="merge-history">
            {merges.map((m) => (
              <li key={m.id}>
                {m.contact_id === contact.id
                  ? <>{m.other_name || `Contact ${m.other_id}`} merged in</>
                  : <>Merged into {m.contact_name || `contact ${m.contact_id}`}</>}
                {' '}
                <span class="muted">
                  {m.created_by_name ? `by ${m.created_by_name}, ` : ''}{timeAgo(m.created_at)}
                  {m.undone_at ? ` · undone${m.undone_by_name ? ` by ${m.undone_by_name}` : ''}` : ''}
                </span>
                {may && !m.undone_at && mine.includes(m) && (
                  <button type="button" class="ghost" disabled={busy} onClick={() => undo(m)}>
                    Undo<span class="sr-only"> merge of {m.other_name}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {asking && <MergeDialog contact={contact} other={asking} onClose={() => setAsking(null)} onDone={merged} />}
    </div>
  );
}

// The confirm step: what will move (every handle, the conversations) and what gets filled.
function MergeDialog({ contact, other, onClose, onDone }: { contact: Contact; other: Suggestion; onClose: () => void; onDone: (m: Merge) => void }) {
  const [convs, setConvs] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const go = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    api<Contact>('GET', `/api/v1/contacts/${other.contact.id}`)
      .then((c) => setConvs((c.conversations ?? []).length))
      .catch(() => setConvs(null));
    go.current?.focus();
  }, [other.contact.id]);
  // Registered with the dialog's first paint (a layout effect), so an Escape pressed at once
  // is not missed.
  const close = useRef(onClose);
  close.current = onClose;
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      close.current();
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, []);
  const o = other.contact;
  const fills = (['email', 'phone', 'location', 'locale'] as const).filter((f) => !contact[f] && o[f]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const r = await api<Schemas['ContactMergeResult']>('POST', `/api/v1/contacts/${contact.id}/merge`, { other_id: o.id });
      onDone(r.merge);
    } catch (err) {
      setError(conflictWords(err, 'Not merged. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  const name = o.name || `Contact ${o.id}`;
  const here = contact.name || 'this contact';
  return (
    <Dialog title={`Merge ${name} into ${here}?`} onClose={onClose}>
      <form class="stack merge-form" onSubmit={submit}>
        <p>They become one person. This moves to {here}:</p>
        <ul class="merge-moves" data-testid="merge-moves">
          {(o.identities ?? []).map((i) => <li key={i.id}>{handle(i)}</li>)}
          <li>{convs === null ? 'Their conversations' : convs === 1 ? '1 conversation' : `${convs} conversations`}</li>
        </ul>
        {fills.length > 0 && <p>Filled in from {name}: {fills.map((f) => FIELD[f]).join(', ')}.</p>}
        <p class="muted">Details {here} already has stay as they are. You can undo this.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" ref={go} disabled={busy}>Merge</button>
        </div>
      </form>
    </Dialog>
  );
}
