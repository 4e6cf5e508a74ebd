// private_reply.tsx - public to private in one click (Meta private reply, X DM): the agent
// writes the private message, and a short public acknowledgement is offered for the thread
// ("we have sent you a message"), so onlookers see the brand answered. The server links the
// two conversations as one case and gives the private one to the same agent.
import { useState } from 'preact/hooks';
import { api, ConvFull } from './api';
import { platformName } from './composer_meter';
import { plainError } from './words';

const PRIVATE_TYPES = ['messenger', 'instagram', 'x'];

export const canGoPrivate = (c: ConvFull) => c.public && PRIVATE_TYPES.includes(c.channel_type ?? '') && !c.linked_conversation_id;

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? '';

export function PrivateReplyDialog({ conv, onClose, onDone }: { conv: ConvFull; onClose: () => void; onDone: (dmId: number) => void }) {
  const who = firstName(conv.contact.name || '');
  const where = platformName(conv.channel_type);
  const [dm, setDm] = useState(`Hi ${who || 'there'}, thanks for reaching out. Could you send me your order number here, so we can sort this out privately?`);
  const [ack, setAck] = useState(true);
  const [ackText, setAckText] = useState(`Hi ${who || 'there'}, we have sent you a private message so we can look at your details safely.`);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !dm.trim()) return;
    setBusy(true);
    setErr('');
    try {
      const r = await api<{ conversation: { id: number } }>('POST', `/api/v1/conversations/${conv.id}/private-reply`, { text: dm });
      if (ack && ackText.trim())
        await api('POST', `/api/v1/conversations/${conv.id}/messages`, { text: ackText, private: false }).catch(() => {});
      onDone(r.conversation.id);
    } catch (e2) {
      setErr(plainError(e2, `${where} did not take the private message. Try again.`));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog pr-dialog" role="dialog" aria-modal="true" aria-labelledby="pr-title"
        onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}>
      <form onSubmit={submit}>
        <div class="dialog-head">
          <h2 id="pr-title">Reply privately on {where}</h2>
          <button type="button" class="ghost" onClick={onClose} aria-label="Close">×</button>
        </div>
        <p class="muted">
          {conv.contact.name || 'The customer'} gets a private message; the new private conversation is linked to this thread and stays
          with the same agent.
        </p>
        <div class="stack">
          <label for="pr-text">Private message</label>
          <textarea id="pr-text" rows={4} maxLength={16384} value={dm} onInput={(e) => setDm((e.target as HTMLTextAreaElement).value)} autoFocus />
          <label class="pr-ack">
            <input type="checkbox" checked={ack} onChange={(e) => setAck((e.target as HTMLInputElement).checked)} /> Also answer in public
          </label>
          {ack && (
            <>
              <label for="pr-ack-text" class="sr-only">Public answer</label>
              <textarea id="pr-ack-text" rows={2} maxLength={16384} value={ackText} onInput={(e) => setAckText((e.target as HTMLTextAreaElement).value)} />
            </>
          )}
          {err && <p class="error" role="alert">{err}</p>}
        </div>
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || !dm.trim()}>{busy ? 'Sending…' : 'Send privately'}</button>
        </div>
      </form>
      </div>
    </div>
  );
}
