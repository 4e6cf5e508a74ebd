// security.tsx - a minimal admin screen for credentials: API tokens (list, create, revoke) and
// agents (disable, enable, reset password). Everything here is also in the CLI and the API
// (docs/api.md "Tokens", "Agents"); a fuller admin console is a separate piece of work.
import { useEffect, useState } from 'preact/hooks';
import { api, Agent, ApiError, Reply, timeAgo, Token } from './api';
import { Dialog, PASSWORD_ERRORS } from './dialogs';

// An agent as an admin sees it (with disabled).
type Managed = Agent;

const why = (err: unknown, fallback: string) =>
  err instanceof ApiError ? PASSWORD_ERRORS[err.code] ?? err.message : fallback;

export function SecurityDialog({ me, onClose }: { me: Agent; onClose: () => void }) {
  const [tokens, setTokens] = useState<Token[]>([]);
  const [agents, setAgents] = useState<Managed[]>([]);
  const [msg, setMsg] = useState('');
  const [secret, setSecret] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const [days, setDays] = useState('');
  const [resetFor, setResetFor] = useState<number | null>(null);
  const [newPw, setNewPw] = useState('');

  const load = async () => {
    try {
      const [t, a] = await Promise.all([
        api<Reply<'/api/v1/tokens', 'get'>>('GET', '/api/v1/tokens'),
        api<Reply<'/api/v1/agents', 'get'>>('GET', '/api/v1/agents'),
      ]);
      setTokens(t.items);
      setAgents(a.items);
    } catch (err) {
      setMsg(why(err, 'Cannot load tokens and agents.'));
    }
  };
  useEffect(() => {
    load();
  }, []);

  const act = async (fn: () => Promise<string>) => {
    try {
      setMsg(await fn());
    } catch (err) {
      setMsg(why(err, 'That did not work.'));
    }
    await load();
  };
  const create = (e: Event) => {
    e.preventDefault();
    act(async () => {
      const body: Record<string, unknown> = { name, role };
      if (days) body.expires_days = Number(days);
      const t = await api<Reply<'/api/v1/tokens', 'post', 201>>('POST', '/api/v1/tokens', body);
      setSecret(t.token ?? '');
      setName('');
      setDays('');
      return `Token "${t.name}" created.`;
    });
  };
  const revoke = (t: Token) =>
    act(async () => {
      await api('DELETE', `/api/v1/tokens/${t.id}`);
      return `Token "${t.name}" revoked.`;
    });
  const toggle = (a: Managed) =>
    act(async () => {
      const r = await api<Agent>('POST', `/api/v1/agents/${a.id}/${a.disabled ? 'enable' : 'disable'}`);
      return a.disabled ? `${a.name} enabled.` : `${a.name} disabled; ${r.sessions_ended} session(s) ended.`;
    });
  const reset = (e: Event, a: Managed) => {
    e.preventDefault();
    act(async () => {
      const r = await api<Reply<'/api/v1/agents/{id}/password', 'post'>>('POST', `/api/v1/agents/${a.id}/password`, { password: newPw });
      setResetFor(null);
      setNewPw('');
      return `Password set for ${a.name}; ${r.sessions_ended} session(s) ended.`;
    });
  };

  return (
    <Dialog title="Security" onClose={onClose}>
      {msg && <p role="status">{msg}</p>}
      <h3>API tokens</h3>
      <ul class="plain-list" aria-label="API tokens">
        {tokens.map((t) => (
          <li key={t.id} class="cred-row">
            <span>
              <strong>{t.name}</strong> · {t.role} · <span class={'cred-' + t.status}>{t.status.replace('_', ' ')}</span>
              <br />
              <small class="muted">
                used {t.last_used_at ? timeAgo(t.last_used_at) : 'never'} · {t.expires_at ? `expires ${t.expires_at.slice(0, 10)}` : 'no expiry'}
              </small>
            </span>
            {t.status === 'active' && (
              <button type="button" onClick={() => revoke(t)} aria-label={`Revoke ${t.name}`}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form class="stack" onSubmit={create} aria-label="New token">
        <label for="tok-name">New token name</label>
        <input id="tok-name" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="tok-role">Role</label>
        <select id="tok-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
        <label for="tok-days">Expires after (days, empty: never)</label>
        <input id="tok-days" type="number" min={1} max={3650} value={days} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
        <div class="row-end">
          <button type="submit">Create token</button>
        </div>
      </form>
      {secret && (
        <div class="stack">
          <label for="tok-secret">Copy the token now: it is shown only once</label>
          <input id="tok-secret" readOnly value={secret} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        </div>
      )}
      <h3>Agents</h3>
      <ul class="plain-list" aria-label="Agents">
        {agents.map((a) => (
          <li key={a.id} class="cred-row">
            <span>
              <strong>{a.name}</strong> · {a.role} {a.disabled && <span class="cred-revoked">· disabled</span>}
              <br />
              <small class="muted">{a.email}</small>
            </span>
            <span class="row-end">
              {a.id !== me.id && (
                <button type="button" onClick={() => toggle(a)} aria-label={`${a.disabled ? 'Enable' : 'Disable'} ${a.name}`}>
                  {a.disabled ? 'Enable' : 'Disable'}
                </button>
              )}
              <button type="button" onClick={() => setResetFor(resetFor === a.id ? null : a.id)} aria-label={`Reset password of ${a.name}`}>
                Reset password
              </button>
            </span>
            {resetFor === a.id && (
              <form class="stack cred-reset" onSubmit={(e) => reset(e, a)} aria-label={`New password for ${a.name}`}>
                <label for={`reset-${a.id}`}>New password for {a.name} (at least 12 characters)</label>
                <input id={`reset-${a.id}`} type="password" autoComplete="new-password" required value={newPw} onInput={(e) => setNewPw((e.target as HTMLInputElement).value)} />
                <div class="row-end">
                  <button type="submit">Set password</button>
                </div>
              </form>
            )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
