// resolve.tsx - resolving a conversation whose customer got no reply asks why (the API answers
// 422 reason_required; docs/routing-sla.md, "Unanswered guarantee").
import { useState } from 'preact/hooks';
import { Dialog } from './dialogs';

const REASONS: [string, string][] = [
  ['answered_elsewhere', 'Answered elsewhere (phone, email, in store)'],
  ['spam', 'Spam'],
  ['thanks_only', 'Only a thank-you'],
  ['duplicate', 'Duplicate of another conversation'],
  ['no_reply_needed', 'No reply needed'],
];

export function ResolveReasonDialog({ onClose, onResolve }: { onClose: () => void; onResolve: (reason: string) => Promise<boolean> }) {
  const [choice, setChoice] = useState('');
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const reason = choice === 'other' ? other.trim() : choice;
  return (
    <Dialog title="Resolve without a reply?" onClose={onClose}>
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
          if (!reason || busy) return;
          setBusy(true);
          const ok = await onResolve(reason);
          setBusy(false);
          if (ok) onClose();
        }}
      >
        <p class="muted">The customer's last message has no reply. Say why none is needed.</p>
        <fieldset class="reasons">
          <legend class="sr-only">Why no reply is needed</legend>
          {REASONS.map(([v, label]) => (
            <label key={v}>
              <input type="radio" name="reason" value={v} checked={choice === v} onChange={() => setChoice(v)} /> {label}
            </label>
          ))}
          <label>
            <input type="radio" name="reason" value="other" checked={choice === 'other'} onChange={() => setChoice('other')} /> Other
          </label>
        </fieldset>
        {choice === 'other' && (
          <>
            <label for="reason-other">Reason</label>
            <input id="reason-other" maxLength={200} value={other} onInput={(e) => setOther((e.target as HTMLInputElement).value)} />
          </>
        )}
        <div class="row-end">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={!reason || busy}>Resolve</button>
        </div>
      </form>
    </Dialog>
  );
}
