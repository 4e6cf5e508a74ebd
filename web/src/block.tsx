// block.tsx - blocking ("firing") an abusive customer: the suggestion on a conversation
// triaged as spam or abuse, the Block and Unblock dialogs, and the Blocked box of the customer
// sidebar. Blocking needs a reason; any agent may block, supervisors and admins unblock
// (POST/DELETE /api/v1/contacts/{id}/block; docs/routing-sla.md, "Blocked contacts").
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, Agent, ApiError, Contact, Conv, timeAgo } from './api';
import { Dialog } from './dialogs';
import { plainError } from './words';

export const BLOCK_EFFECT = 'Hidden from the queues. Their messages are still kept.';
const REASON_MAX = 500;

type BlockState = { contact_id: number; status: Contact['status']; blocked: Contact['blocked'] };

export const canUnblock = (me: Agent) => me.role === 'admin' || me.role === 'supervisor';

// Spam or abuse on the conversation or its newest customer message.
export function suggestsBlock(conv: Conv, lastIntent: string | null | undefined): 'spam' | 'abuse' | null {
  for (const i of [lastIntent, conv.intent]) if (i === 'abuse' || i === 'spam') return i;
  return null;
}

// "This looks like abuse. Block this contact?" above the thread; never automatic.
export function BlockSuggestion({ kind, onBlock, onDismiss }: { kind: 'spam' | 'abuse'; onBlock: () => void; onDismiss: () => void }) {
  return (
    <div class="block-suggest" role="group" aria-label="Suggestion" data-testid="block-suggest">
      <p>
        <strong>This looks like {kind === 'abuse' ? 'abuse' : 'spam'}. Block this contact?</strong>{' '}
        <span class="muted">{BLOCK_EFFECT}</span>
      </p>
      <div class="row-end">
        <button type="button" class="ghost" onClick={onDismiss}>Not now</button>
        <button type="button" class="danger" onClick={onBlock}>Block this contact…</button>
      </div>
    </div>
  );
}

// The confirm step with the required reason; the API's message shows beside the field.
export function BlockDialog({ contact, onClose, onDone }: { contact: Contact; onClose: () => void; onDone: (s: BlockState) => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  useEscape(onClose);
  useEffect(() => field.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!reason.trim()) {
      setError('Say why you are blocking them. The team sees this.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      onDone(await api<BlockState>('POST', `/api/v1/contacts/${contact.id}/block`, { reason: reason.trim() }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? 'They are already blocked.' : plainError(err, 'Not blocked. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Block ${contact.name || 'this contact'}?`} onClose={onClose}>
      <form class="stack block-form" onSubmit={submit}>
        <p>{BLOCK_EFFECT} Their conversations leave the inbox and nobody is timed on them. A supervisor can unblock them.</p>
        <label for="block-reason">Why are you blocking them?</label>
        <textarea
          id="block-reason"
          ref={field}
          rows={3}
          maxLength={REASON_MAX}
          value={reason}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'block-reason-error' : undefined}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
        {error && <p id="block-reason-error" class="error" role="alert">{error}</p>}
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="danger" disabled={busy}>Block contact</button>
        </div>
      </form>
    </Dialog>
  );
}

export function UnblockDialog({ contact, onClose, onDone }: { contact: Contact; onClose: () => void; onDone: (s: BlockState) => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEscape(onClose);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      onDone(await api<BlockState>('DELETE', `/api/v1/contacts/${contact.id}/block`));
    } catch (err) {
      setError(plainError(err, 'Not unblocked. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Unblock ${contact.name || 'this contact'}?`} onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <p>Their conversations come back to the inbox, unassigned, and are routed again. New messages are handled as usual.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Unblock</button>
        </div>
      </form>
    </Dialog>
  );
}

// The sidebar's box: who blocked them, when and why, and the way out for those who may.
export function BlockedBox({ contact, me, onBlock, onUnblock }: { contact: Contact; me: Agent; onBlock: () => void; onUnblock: () => void }) {
  const b = contact.blocked;
  if (!b)
    return (
      <div class="row-end">
        <button type="button" class="ghost danger-text" onClick={onBlock}>Block this contact…</button>
      </div>
    );
  return (
    <div class="blocked-box" role="group" aria-label="Blocked" data-testid="blocked-box">
      <p>
        <span class="chip chip-blocked">Blocked</span>{' '}
        {b.by_name ? `by ${b.by_name}` : 'by an API token or an older version'}
        {b.at ? `, ${timeAgo(b.at)}` : ''}
      </p>
      {b.reason && <p class="blocked-reason">“{b.reason}”</p>}
      <p class="muted">{BLOCK_EFFECT}</p>
      {canUnblock(me) ? (
        <div class="row-end">
          <button type="button" onClick={onUnblock}>Unblock…</button>
        </div>
      ) : (
        <p class="muted">A supervisor or admin can unblock them.</p>
      )}
    </div>
  );
}

// Escape closes the dialog wherever focus is inside it (Dialog gives focus back on close).
// Listening from layout time: the dialog is on screen from its first paint, and an Escape
// pressed at once must close it (useEffect would listen only after that paint).
function useEscape(onClose: () => void) {
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
}
