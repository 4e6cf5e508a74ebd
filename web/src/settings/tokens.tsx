// tokens.tsx - the API tokens settings area (admins): keys for scripts and integrations
// (Zapier, a dashboard, a CRM), each acting with a role. A new token's secret is shown once,
// with Copy; the list shows when each was last used; revoking stops it at once and keeps it
// listed. See docs/api.md "Tokens".
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, Reply, Token } from '../api';
import type { ScreenProps } from './areas';
import { ConfirmButton, CopyButton, describe, FormStatus, SelectField, TextField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

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

const EXPIRY = [
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
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

// The secret of a token just made: shown once, with Copy.
function Secret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  return (
    <div class="tk-secret" role="group" aria-label={`New token ${name}`}>
      <label for="tk-secret">Copy the token for “{name}” now: it is shown only once</label>
      <div class="tk-secret-row">
        <input id="tk-secret" ref={ref} readOnly value={secret} spellcheck={false} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <CopyButton text={secret} />
      </div>
      <p class="field-hint">Scripts send it in the header “Authorization: Bearer …”. Hark keeps only a fingerprint of it.</p>
      <div class="form-actions">
        <button type="button" onClick={onDone}>Done, I have copied it</button>
      </div>
    </div>
  );
}

export function TokensSettings({ me }: ScreenProps) {
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const f = useForm<{ name: string; role: string; expires_days: number | null }>({ name: '', role: 'agent', expires_days: null });
  const [msg, setMsg] = useState('');
  const [made, setMade] = useState<{ name: string; secret: string } | null>(null);
  const [showOld, setShowOld] = useState(false);

  const load = async () => {
    try {
      const r = await api<Reply<'/api/v1/tokens', 'get'>>('GET', '/api/v1/tokens');
      setTokens(r.items);
    } catch (err) {
      setMsg(err instanceof ApiError ? describe(err) : 'Cannot load the tokens. Check the connection and reload.');
    }
  };
  const changed = useSettingsChanged('tokens', () => load());
  useEffect(() => {
    load();
  }, []);

  const create = f.submit(async (v) => {
    const body: Record<string, unknown> = { name: v.name.trim(), role: v.role };
    if (v.expires_days) body.expires_days = v.expires_days;
    const t = await api<Reply<'/api/v1/tokens', 'post', 201>>('POST', '/api/v1/tokens', body);
    setMade({ name: t.name, secret: t.token ?? '' });
    f.reset({ name: '', role: v.role, expires_days: null });
    setMsg('');
    await load();
    return `Token “${t.name}” created.`;
  });

  const revoke = async (t: Token) => {
    try {
      await api('DELETE', `/api/v1/tokens/${t.id}`);
      setMsg(`Token “${t.name}” revoked: it stopped working.`);
    } catch (err) {
      setMsg(describe(err));
    }
    await load();
  };

  const list = (tokens ?? []).filter((t) => showOld || t.status === 'active');
  const hidden = (tokens ?? []).length - list.length;

  return (
    <div class="tk">
      <p class="muted">
        A token lets a script or another tool use Hark's API with a role. Anyone holding it can act with that role, so give
        each tool its own token and revoke it when the tool goes.
      </p>
      <ChangedBy event={changed} meId={me.id} />
      {made && <Secret name={made.name} secret={made.secret} onDone={() => setMade(null)} />}

      <section aria-labelledby="tk-new-h" class="tk-section">
        <h2 id="tk-new-h">New token</h2>
        <form onSubmit={create} aria-label="New token" noValidate>
          <TextField form={f} name="name" label="Name" maxLength={200} placeholder="Zapier" hint="Say which tool uses it." />
          <SelectField form={f} name="role" label="What it may do" options={Object.entries(ROLES).map(([value, label]) => ({ value, label }))} />
          <SelectField form={f} name="expires_days" label="Stops working" empty="Never" options={EXPIRY} />
          <FormStatus form={f} />
          <div class="form-actions">
            <button type="submit" class="primary" disabled={f.busy}>Create token</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="tk-list-h" class="tk-section">
        <h2 id="tk-list-h">Tokens</h2>
        {msg && <p role="status" class="form-notice">{msg}</p>}
        {tokens && tokens.length === 0 && <p class="muted">No tokens yet.</p>}
        <ul class="plain-list" aria-label="API tokens">
          {list.map((t) => (
            <li key={t.id} class="tk-row">
              <div class="tk-row-main">
                <span>
                  <strong>{t.name}</strong> <span class={`tk-status tk-${t.status}`}>{STATUS[t.status] ?? t.status}</span>
                </span>
                <small class="muted">
                  {t.role === 'admin' ? 'Admin' : 'Agent'} · {ago(t.last_used_at)} · made {day(t.created_at)} ·{' '}
                  {t.revoked_at ? `revoked ${day(t.revoked_at)}` : t.expires_at ? `stops ${day(t.expires_at)}` : 'never expires'}
                </small>
              </div>
              {t.status === 'active' && (
                <ConfirmButton label="Revoke" question={`Revoke “${t.name}”? Tools using it stop working at once.`} onConfirm={() => revoke(t)} />
              )}
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
