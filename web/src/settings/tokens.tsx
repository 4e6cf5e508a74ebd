// tokens.tsx - the API tokens settings area (admins): keys for scripts and integrations
// (Zapier, a dashboard, a CRM), each acting with a role. A new token's secret is shown once,
// with Copy; the list shows when each was last used; revoking stops it at once and keeps it
// listed. See docs/api.md "Tokens".
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, Reply, Token } from '../api';

const ROLES: Record<string, string> = {
  agent: 'Agent: read and answer conversations',
  admin: 'Admin: everything, including settings',
};

const STATUS: Record<string, string> = {
  active: 'Active',
  revoked: 'Revoked',
  expired: 'Expired',
  owner_disabled: 'Off: its owner is disabled',
};

const EXPIRY: [string, string][] = [
  ['', 'Never'],
  ['30', 'In 30 days'],
  ['90', 'In 90 days'],
  ['365', 'In a year'],
];

function day(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '';
}

function ago(iso: string | null | undefined): string {
  if (!iso) return 'never used';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'used just now';
  if (s < 3600) return `used ${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `used ${Math.floor(s / 3600)} h ago`;
  return `used ${day(iso)}`;
}

function fieldOf(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  const f = (err as ApiError & { field?: string }).field;
  if (f) return f;
  const m = /invalid '([a-z_]+)'/.exec(err.message)?.[1];
  return m ?? (/expiry/.test(err.message) ? 'expires_days' : null);
}

const FIELD_TEXT: Record<string, string> = {
  name: 'Give the token a name of at most 200 characters, like “Zapier” or “Dashboard”.',
  role: 'Choose what the token may do.',
  expires_days: 'Choose when the token stops working.',
};

// The secret of a token just made: shown once, with Copy.
function Secret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied.');
    } catch {
      ref.current?.select();
      setCopied('Press Ctrl+C (or ⌘C) to copy the selected token.');
    }
  };
  return (
    <div class="tk-secret" role="group" aria-label={`Token ${name}`}>
      <label for="tk-secret">Copy the token for “{name}” now: it is shown only once</label>
      <div class="tk-secret-row">
        <input id="tk-secret" ref={ref} readOnly value={secret} spellcheck={false} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="primary" onClick={copy}>Copy</button>
      </div>
      <p class="muted hint" aria-live="polite">{copied || 'Scripts send it as “Authorization: Bearer <token>”.'}</p>
      <div class="row-end">
        <button type="button" onClick={onDone}>Done, I have copied it</button>
      </div>
    </div>
  );
}

// "Are you sure" in the row; focus starts on Cancel so Enter never revokes by accident.
function ConfirmRevoke({ t, onYes, onNo }: { t: Token; onYes: () => void; onNo: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="tk-confirm" role="group" aria-label={`Revoke ${t.name}?`}>
      <span>Revoke “{t.name}”? Tools using it stop working at once.</span>
      <button type="button" ref={ref} onClick={onNo}>Cancel</button>
      <button type="button" class="danger" onClick={onYes}>Revoke token</button>
    </div>
  );
}

export function TokensSettings() {
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const [days, setDays] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState('');
  const [made, setMade] = useState<{ name: string; secret: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [showOld, setShowOld] = useState(false);

  const load = async () => {
    try {
      const r = await api<Reply<'/api/v1/tokens', 'get'>>('GET', '/api/v1/tokens');
      setTokens(r.items);
    } catch {
      setMsg('Cannot load the tokens. Check the connection and reload.');
    }
  };
  useEffect(() => {
    load();
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setMsg('');
    if (!name.trim()) {
      setErrors({ name: FIELD_TEXT.name });
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, unknown> = { name: name.trim(), role };
      if (days) body.expires_days = Number(days);
      const t = await api<Reply<'/api/v1/tokens', 'post', 201>>('POST', '/api/v1/tokens', body);
      setMade({ name: t.name, secret: t.token ?? '' });
      setName('');
      setDays('');
      await load();
    } catch (err) {
      const f = fieldOf(err);
      if (f && FIELD_TEXT[f]) setErrors({ [f]: FIELD_TEXT[f] });
      else setErrors({ form: 'The token could not be created. Try again.' });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (t: Token) => {
    try {
      await api('DELETE', `/api/v1/tokens/${t.id}`);
      setMsg(`Token “${t.name}” revoked: it stopped working.`);
    } catch {
      setMsg(`Token “${t.name}” could not be revoked. Try again.`);
    }
    setConfirming(null);
    await load();
  };

  const list = (tokens ?? []).filter((t) => showOld || t.status === 'active');
  const hidden = (tokens ?? []).length - list.length;

  return (
    <div class="tk">
      <h1 class="tk-title">API tokens</h1>
      <p class="muted">
        A token lets a script or another tool use Hark's API with a role. Anyone holding it can act as that role, so give each
        tool its own token and revoke it when the tool goes.
      </p>
      {msg && <p role="status">{msg}</p>}
      {made && <Secret name={made.name} secret={made.secret} onDone={() => setMade(null)} />}

      <section aria-labelledby="tk-new-h" class="tk-section">
        <h2 id="tk-new-h">New token</h2>
        <form class="stack" onSubmit={create} aria-label="New token" noValidate>
          <label for="tk-name">Name</label>
          <input id="tk-name" maxLength={200} value={name} placeholder="Zapier" aria-invalid={!!errors.name}
            aria-describedby={errors.name ? 'tk-name-err' : undefined} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          {errors.name && <p id="tk-name-err" class="error" role="alert">{errors.name}</p>}
          <label for="tk-role">What it may do</label>
          <select id="tk-role" value={role} aria-invalid={!!errors.role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {Object.entries(ROLES).map(([k, v]) => (
              <option key={k} value={k}>{v}</option>
            ))}
          </select>
          {errors.role && <p class="error" role="alert">{errors.role}</p>}
          <label for="tk-expiry">Stops working</label>
          <select id="tk-expiry" value={days} aria-invalid={!!errors.expires_days} onChange={(e) => setDays((e.target as HTMLSelectElement).value)}>
            {EXPIRY.map(([k, v]) => (
              <option key={k} value={k}>{v}</option>
            ))}
          </select>
          {errors.expires_days && <p class="error" role="alert">{errors.expires_days}</p>}
          {errors.form && <p class="error" role="alert">{errors.form}</p>}
          <div class="row-end">
            <button type="submit" class="primary" disabled={busy}>Create token</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="tk-list-h" class="tk-section">
        <h2 id="tk-list-h">Tokens</h2>
        {tokens && tokens.length === 0 && <p class="muted">No tokens yet.</p>}
        <ul class="plain-list" aria-label="API tokens">
          {list.map((t) => (
            <li key={t.id} class="tk-row">
              <div class="tk-row-main">
                <strong>{t.name}</strong>
                <span class={`tk-status tk-${t.status}`}>{STATUS[t.status] ?? t.status}</span>
                <small class="muted">
                  {t.role === 'admin' ? 'Admin' : 'Agent'} · {ago(t.last_used_at)} · made {day(t.created_at)} ·{' '}
                  {t.revoked_at ? `revoked ${day(t.revoked_at)}` : t.expires_at ? `stops ${day(t.expires_at)}` : 'never expires'}
                </small>
              </div>
              {t.status === 'active' && confirming !== t.id && (
                <button type="button" onClick={() => setConfirming(t.id)} aria-label={`Revoke ${t.name}`}>Revoke</button>
              )}
              {confirming === t.id && <ConfirmRevoke t={t} onYes={() => revoke(t)} onNo={() => setConfirming(null)} />}
            </li>
          ))}
        </ul>
        {(hidden > 0 || showOld) && (
          <button type="button" class="ghost" onClick={() => setShowOld(!showOld)}>
            {showOld ? 'Hide revoked and expired tokens' : `Show ${hidden} revoked or expired`}
          </button>
        )}
      </section>
    </div>
  );
}
