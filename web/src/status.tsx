// status.tsx - the agent's availability toggle (online / away / offline) in the top bar.
// PUT /api/v1/me/availability; presence (the live connection) may change it too, which arrives
// as agent.updated.
import { useEffect, useState } from 'preact/hooks';
import { plainError } from './words';
import { api, Profile } from './api';
import type { LiveEvent } from './app';

type Availability = Profile['availability'];
const LABEL: Record<Availability, string> = { online: 'Online', away: 'Away', offline: 'Offline' };

export function StatusToggle({ meId, subscribe }: { meId: number; subscribe: (fn: (e: LiveEvent) => void) => () => void }) {
  const [value, setValue] = useState<Availability | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    // The live event is newer than the first read: when presence (this page's own connection)
    // sets the agent online while the profile read is on its way, the read's older answer must
    // not win.
    let live = false;
    api<Profile>('GET', `/api/v1/agents/${meId}/profile`)
      .then((p) => {
        if (!live) setValue(p.availability);
      })
      .catch(() => {});
    return subscribe((e) => {
      if (e.type === 'agent.updated' && e.agent && e.agent.id === meId) {
        live = true;
        setValue(e.agent.availability as Availability);
      }
    });
  }, [meId, subscribe]);
  const change = async (v: Availability) => {
    const old = value;
    setValue(v);
    setErr('');
    try {
      const p = await api<Profile>('PUT', '/api/v1/me/availability', { availability: v });
      setValue(p.availability);
    } catch (e) {
      setValue(old);
      setErr(plainError(e, 'Your status did not change. Try again.'));
    }
  };
  return (
    <span class={'status status-' + (value ?? 'unknown')}>
      <span class="status-dot" aria-hidden="true" />
      <label class="sr-only" for="availability">My status</label>
      <select
        id="availability"
        value={value ?? ''}
        disabled={!value}
        title={err || 'Whether new conversations are routed to you'}
        onChange={(e) => change((e.target as HTMLSelectElement).value as Availability)}
      >
        {!value && <option value="">Status…</option>}
        {(Object.keys(LABEL) as Availability[]).map((k) => (
          <option key={k} value={k}>{LABEL[k]}</option>
        ))}
      </select>
      {err && <span class="sr-only" role="alert">{err}</span>}
    </span>
  );
}
