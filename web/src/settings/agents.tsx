// agents.tsx - the Agents settings area: who is on the team, their role, store and status;
// invite someone (a one-time link, shown once, to copy), edit an agent's public profile (what
// customers see in the chat widget), role, skills, languages, store and capacity; disable or
// enable; reset a password (set one, or send a fresh invite link).
//
// Backed by GET/POST /api/v1/agents, PATCH /api/v1/agents/{id}, /disable, /enable, /password,
// /invite and GET/PATCH /api/v1/agents/{id}/profile (docs/api.md "Agents"). Names, bios and
// URLs typed here are rendered as text (JSX), never as HTML.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, Agent, Profile } from '../api';
import { useLive } from '../live';
import type { ScreenProps } from './areas';
import { ConfirmButton, CopyButton, describe, FormStatus, ListField, NumberField, SelectField, TextArea, TextField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

export const ROLES = [
  { value: 'agent', label: 'Agent' },
  { value: 'supervisor', label: 'Supervisor' },
  { value: 'store_staff', label: 'Store staff' },
  { value: 'admin', label: 'Admin' },
];
const ROLE_HINT = 'Agents answer conversations. Supervisors may also move conversations between agents. Store staff see only their store’s conversations. Admins change settings.';

export function roleLabel(role?: string) {
  return ROLES.find((r) => r.value === role)?.label ?? role ?? '';
}

function statusOf(a: Agent): { text: string; cls: string } {
  if (a.disabled) return { text: 'Disabled', cls: 'agents-off' };
  if (a.password_set === false) return { text: 'Invited', cls: 'agents-invited' };
  return { text: 'Active', cls: 'agents-on' };
}

const ONLINE: Record<string, string> = { online: 'Online', away: 'Away', offline: 'Offline' };

// A link shown once, to copy and send to the person.
function OneTimeLink({ url, who, onDone }: { url: string; who: string; onDone: () => void }) {
  return (
    <div class="agents-link settings-card" role="status">
      <p>
        <strong>Send this link to {who}.</strong> It works once, for 7 days, and is shown only now. Opening it lets them choose their password.
      </p>
      <div class="agents-link-row">
        <input readOnly aria-label="Invite link" value={url} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <CopyButton text={url} label="Copy link" />
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

function InviteForm({ onInvited }: { onInvited: (a: Agent, url: string) => void }) {
  const f = useForm({ email: '', name: '', role: 'agent', location: '', password: '' });
  return (
    <form
      class="settings-card agents-invite"
      aria-labelledby="agents-invite-title"
      onSubmit={f.submit(async (v) => {
        const a = await api<Agent>('POST', '/api/v1/agents', {
          email: v.email.trim(),
          name: v.name.trim(),
          role: v.role,
          ...(v.password ? { password: v.password } : {}),
        });
        if (v.location.trim()) await api<Profile>('PATCH', `/api/v1/agents/${a.id}/profile`, { location: v.location.trim() });
        onInvited(a, a.invite_url ?? '');
        f.reset({ email: '', name: '', role: v.role, location: '', password: '' });
        return a.invite_url ? `${a.name} is invited.` : `${a.name} can sign in now with the password you chose.`;
      })}
    >
      <h2 id="agents-invite-title">Add someone</h2>
      <div class="agents-grid">
        <TextField form={f} name="email" label="Email" type="email" required maxLength={200} autoComplete="off" />
        <TextField form={f} name="name" label="Full name" required maxLength={200} autoComplete="off" />
        <SelectField form={f} name="role" label="Role" options={ROLES} hint={ROLE_HINT} />
        <TextField form={f} name="location" label="Store (optional)" maxLength={200} hint="Store staff see this store’s conversations." />
        <TextField form={f} name="password" label="Password (optional)" type="password" autoComplete="new-password" maxLength={1024} hint="Leave empty to get an invite link; they then choose their own." />
      </div>
      <FormStatus form={f} />
      <div class="form-actions">
        <button class="primary" disabled={f.busy}>
          {f.busy ? 'Adding…' : f.values.password ? 'Add with this password' : 'Create invite link'}
        </button>
      </div>
    </form>
  );
}

// The avatar as customers see it in the widget: the picture, or initials without one.
function Face({ url, name }: { url: string; name: string }) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [url]);
  const initials = (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
  if (url.startsWith('https://') && !broken)
    return <img class="agents-face" src={url} alt="" width={48} height={48} onError={() => setBroken(true)} />;
  return (
    <span class="agents-face agents-initials" aria-hidden="true">
      {initials}
    </span>
  );
}

function EditPanel({ agent, profile, me, onSaved, onClose }: { agent: Agent; profile?: Profile; me: Agent; onSaved: () => void; onClose: () => void }) {
  const initial = () => ({
    name: agent.name ?? '',
    display_name: agent.display_name,
    role: agent.role ?? 'agent',
    bio: agent.bio,
    avatar_url: agent.avatar_url,
    skills: profile?.skills ?? [],
    languages: profile?.languages ?? [],
    location: profile?.location ?? '',
    capacity: profile?.capacity ?? 10,
  });
  const f = useForm(initial());
  const [link, setLink] = useState('');
  const [access, setAccess] = useState('');
  const pw = useForm({ password: '' });
  // Another admin's change (or ours) reloads the lists; a clean form follows it.
  useEffect(() => {
    if (!f.dirty) f.reset(initial());
  }, [agent, profile]);
  const self = agent.id === me.id;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening the panel takes the keyboard (and the eye) to it.
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, []);
  return (
    <section class="settings-card agents-edit" aria-labelledby="agents-edit-title">
      <div class="agents-edit-head">
        <Face url={f.values.avatar_url} name={f.values.display_name} />
        <div>
          <h2 id="agents-edit-title" tabIndex={-1} ref={heading}>
            {agent.name}
          </h2>
          <p class="muted">{agent.email}</p>
        </div>
        <button type="button" class="agents-close" onClick={onClose}>
          Close
        </button>
      </div>
      <form
        onSubmit={f.submit(async (v) => {
          await api<Agent>('PATCH', `/api/v1/agents/${agent.id}`, {
            name: v.name.trim(),
            display_name: v.display_name.trim(),
            role: v.role,
            bio: v.bio,
            avatar_url: v.avatar_url.trim(),
          });
          await api<Profile>('PATCH', `/api/v1/agents/${agent.id}/profile`, {
            skills: v.skills,
            languages: v.languages,
            location: v.location.trim() || null,
            capacity: v.capacity ?? 0,
          });
          onSaved();
          return 'Saved.';
        })}
      >
        <h3>What customers see</h3>
        <div class="agents-grid">
          <TextField form={f} name="display_name" label="Display name" required maxLength={200} hint="Shown to customers in the chat widget." />
          <TextField form={f} name="avatar_url" label="Photo address" type="url" maxLength={2000} placeholder="https://…" hint="An https:// address of a square picture; empty for initials." />
        </div>
        <TextArea form={f} name="bio" label="Short bio" rows={2} maxLength={1000} />
        <h3>Role and routing</h3>
        <div class="agents-grid">
          <TextField form={f} name="name" label="Full name" required maxLength={200} hint="Seen by the team only." />
          <SelectField form={f} name="role" label="Role" options={self ? ROLES.filter((r) => r.value === 'admin') : ROLES} hint={self ? 'You cannot take away your own admin role.' : ROLE_HINT} />
          <TextField form={f} name="location" label="Store" maxLength={200} hint="Conversations from this store go to its staff first." />
          <NumberField form={f} name="capacity" label="Capacity" min={0} max={10000} unit="open conversations" />
          <ListField form={f} name="skills" label="Skills" placeholder="returns, billing" />
          <ListField form={f} name="languages" label="Languages" placeholder="en, de" />
        </div>
        <FormStatus form={f} />
        <div class="form-actions">
          <button class="primary" disabled={f.busy}>
            {f.busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>

      <h3>Access</h3>
      {link && <OneTimeLink url={link} who={agent.name ?? 'them'} onDone={() => setLink('')} />}
      <div class="form-actions">
        <button
          type="button"
          onClick={async () => {
            setAccess('');
            try {
              const r = await api<{ invite_url: string }>('POST', `/api/v1/agents/${agent.id}/invite`);
              setLink(r.invite_url);
              onSaved();
            } catch (e) {
              setAccess(describe(e));
            }
          }}
        >
          {agent.password_set === false ? 'New invite link' : 'Send a password reset link'}
        </button>
        {!self &&
          (agent.disabled ? (
            <button
              type="button"
              onClick={async () => {
                setAccess('');
                try {
                  await api<Agent>('POST', `/api/v1/agents/${agent.id}/enable`);
                  setAccess(`${agent.name} can sign in again.`);
                  onSaved();
                } catch (e) {
                  setAccess(describe(e));
                }
              }}
            >
              Enable
            </button>
          ) : (
            <ConfirmButton
              label="Disable"
              question={`Disable ${agent.name}? They are signed out at once.`}
              onConfirm={async () => {
                setAccess('');
                try {
                  await api<Agent>('POST', `/api/v1/agents/${agent.id}/disable`);
                  setAccess(`${agent.name} is disabled and signed out.`);
                  onSaved();
                } catch (e) {
                  setAccess(describe(e));
                }
              }}
            />
          ))}
      </div>
      {access && (
        <p class="form-notice" role="status">
          {access}
        </p>
      )}
      <form
        class="agents-password"
        onSubmit={pw.submit(async (v) => {
          await api('POST', `/api/v1/agents/${agent.id}/password`, { password: v.password });
          pw.reset({ password: '' });
          return 'Password set. They are signed out everywhere and sign in with the new one.';
        })}
      >
        <TextField form={pw} name="password" label="Or set a new password" type="password" autoComplete="new-password" maxLength={1024} hint="At least 12 characters; common passwords are refused." />
        <FormStatus form={pw} />
        <div class="form-actions">
          <button disabled={pw.busy || !pw.values.password}>Set password</button>
        </div>
      </form>
    </section>
  );
}

export function Agents({ me }: ScreenProps) {
  const [agents, setAgents] = useState<Agent[]>([]);
  const [profiles, setProfiles] = useState<Record<number, Profile>>({});
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const [invited, setInvited] = useState<{ url: string; who: string } | null>(null);
  const load = useCallback(async () => {
    try {
      const [a, p] = await Promise.all([
        api<{ items: Agent[] }>('GET', '/api/v1/agents'),
        api<{ items: Profile[] }>('GET', '/api/v1/agents/profiles'),
      ]);
      setAgents(a.items);
      setProfiles(Object.fromEntries(p.items.map((x) => [x.agent_id, x])));
      setError('');
    } catch (e) {
      setError(describe(e));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  const changed = useSettingsChanged('agents', () => load());
  // Online state changes live.
  useLive(['agent.updated'], (e) => {
    const ag = e.agent;
    if (!ag) return;
    setProfiles((old) => (old[ag.id] ? { ...old, [ag.id]: { ...old[ag.id]!, availability: ag.availability as Profile['availability'] } } : old));
  });
  const current = agents.find((a) => a.id === editing);
  return (
    <div class="agents">
      <p class="muted">Everyone who answers customers, their role and store. Invite people with a one-time link; they choose their own password.</p>
      <ChangedBy event={changed} meId={me.id} />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {invited && <OneTimeLink url={invited.url} who={invited.who} onDone={() => setInvited(null)} />}
      <InviteForm
        onInvited={(a, url) => {
          setInvited(url ? { url, who: a.name ?? a.email ?? 'them' } : null);
          load();
        }}
      />
      <h2>Team</h2>
      <table class="settings-table agents-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Store</th>
            <th scope="col">Online</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => {
            const p = profiles[a.id];
            const st = statusOf(a);
            return (
              <tr aria-current={a.id === editing ? 'true' : undefined}>
                <td>
                  <span class="agents-who">
                    <Face url={a.avatar_url} name={a.display_name} />
                    <span>
                      <strong>{a.name}</strong>
                      {a.display_name !== a.name && <span class="muted"> · customers see “{a.display_name}”</span>}
                    </span>
                  </span>
                </td>
                <td class="agents-email">{a.email}</td>
                <td data-label="Role">{roleLabel(a.role)}</td>
                <td data-label="Status">
                  <span class={'agents-status ' + st.cls}>{st.text}</span>
                </td>
                <td data-label="Store">{p?.location || <span class="muted">—</span>}</td>
                <td data-label="Now">
                  <span class={'agents-presence agents-' + (p?.availability ?? 'offline')}>{ONLINE[p?.availability ?? 'offline']}</span>
                </td>
                <td>
                  <button type="button" aria-label={`${a.id === editing ? 'Close' : 'Edit'} ${a.name}`} aria-expanded={a.id === editing} onClick={() => setEditing(a.id === editing ? null : a.id)}>
                    {a.id === editing ? 'Close' : 'Edit'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {current && <EditPanel key={current.id} agent={current} profile={profiles[current.id]} me={me} onSaved={load} onClose={() => setEditing(null)} />}
    </div>
  );
}
