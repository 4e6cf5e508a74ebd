// bulk.tsx - acting on many conversations at once (issue 21): assign, add a label, resolve with
// a reason, snooze. The app makes one call per conversation (the same endpoints as a single
// conversation, so every rule and event is the same) and says how many worked; the ones that
// did not stay selected.
import { useState } from 'preact/hooks';
import { api, Agent } from './api';
import { ResolveReasonDialog } from './resolve';
import { snoozeUntil } from './snooze';
import { plainError } from './words';

interface Props {
  ids: number[];
  agents: Agent[];
  meId: number;
  onClear: () => void;
  // After an action: what stays selected (all of them after assign and label, so another
  // action can follow; only the failed ones after resolve and snooze, which take them out of
  // the view) and the outcome, which the inbox shows.
  onDone: (keep: number[], outcome: string) => void;
}

export function BulkBar({ ids, agents, meId, onClear, onDone }: Props) {
  const [busy, setBusy] = useState(false);
  const [label, setLabel] = useState('');
  const [askReason, setAskReason] = useState(false);
  const n = ids.length;
  const run = async (what: string, path: string, body: (id: number) => unknown, leaves = false): Promise<boolean> => {
    setBusy(true);
    const failed: number[] = [];
    let why = '';
    for (const id of ids) {
      try {
        await api('POST', `/api/v1/conversations/${id}/${path}`, body(id));
      } catch (e) {
        failed.push(id);
        why = plainError(e);
      }
    }
    setBusy(false);
    const ok = n - failed.length;
    onDone(
      leaves || !failed.length ? (leaves ? failed : ids) : failed,
      failed.length ? `${what} ${ok} of ${n}. ${failed.length} did not work (still selected): ${why}` : `${what} ${ok} conversation${ok === 1 ? '' : 's'}.`,
    );
    return failed.length === 0;
  };
  return (
    <div class="bulk" role="region" aria-label="Selected conversations" data-testid="bulk-bar">
      <div class="bulk-row">
        <strong>{n} selected</strong>
        <button type="button" class="ghost" onClick={onClear}>Clear</button>
      </div>
      <div class="bulk-row">
        <label class="sr-only" for="bulk-assign">Assign selected to</label>
        <select
          id="bulk-assign"
          value=""
          disabled={busy}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            (e.target as HTMLSelectElement).value = '';
            if (v) run(v === 'none' ? 'Unassigned' : 'Assigned', 'assign', () => ({ agent_id: v === 'none' ? null : Number(v) }));
          }}
        >
          <option value="">Assign…</option>
          {agents.map((a) => (
            <option key={a.id} value={String(a.id)}>{a.id === meId ? `${a.display_name} (me)` : a.display_name}</option>
          ))}
          <option value="none">Nobody (unassign)</option>
        </select>
        <label class="sr-only" for="bulk-snooze">Snooze selected</label>
        <select
          id="bulk-snooze"
          value=""
          disabled={busy}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            (e.target as HTMLSelectElement).value = '';
            if (v) run('Snoozed', 'status', () => ({ status: 'snoozed', snooze_until: snoozeUntil(v) }), true);
          }}
        >
          <option value="">Snooze…</option>
          <option value="1h">For 1 hour</option>
          <option value="tomorrow">Until tomorrow 9:00</option>
          <option value="week">Until Monday 9:00</option>
        </select>
        <button type="button" class="primary" disabled={busy} onClick={() => setAskReason(true)}>Resolve…</button>
      </div>
      <form
        class="bulk-row"
        onSubmit={(e) => {
          e.preventDefault();
          const l = label.trim().replace(/,/g, ' ');
          if (!l) return;
          run(`Labelled “${l}” on`, 'labels', () => ({ add: [l] })).then((ok) => ok && setLabel(''));
        }}
      >
        <label class="sr-only" for="bulk-label">Label to add to the selected</label>
        <input id="bulk-label" placeholder="Add a label" maxLength={200} value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy || !label.trim()}>Add label</button>
      </form>
      {askReason && (
        <ResolveReasonDialog
          onClose={() => setAskReason(false)}
          onResolve={(reason) => run('Resolved', 'status', () => ({ status: 'resolved', reason }), true)}
        />
      )}
    </div>
  );
}
