// dialogs.tsx - My profile (what customers see, and my password) and the keyboard shortcut help.
import { useEffect, useRef, useState } from 'preact/hooks';
import { plainError } from './words';
import type { ComponentChildren } from 'preact';
import { api, Agent, ApiError, Reply, Session } from './api';
import { Avatar } from './app';
import { MyCsat, TeamCsatSection } from './csat';

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, textarea, button');
    first?.focus();
    return () => prev?.focus();
  }, []);
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref={ref}>
        <div class="dialog-head">
          <h2 id="dialog-title">{title}</h2>
          <button type="button" class="ghost" onClick={onClose} aria-label="Close">×</button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function ProfileDialog({ me, onClose, onSaved }: { me: Agent; onClose: () => void; onSaved: (a: Agent) => void }) {
  const [name, setName] = useState(me.display_name);
  const [avatar, setAvatar] = useState(me.avatar_url);
  const [bio, setBio] = useState(me.bio);
  const [msg, setMsg] = useState('');
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<Session>('PATCH', '/api/v1/me', { display_name: name, avatar_url: avatar, bio });
      onSaved(r.agent);
      setMsg('Saved.');
    } catch (err) {
      setMsg(plainError(err, 'Not saved. Try again.'));
    }
  };
  return (
    <Dialog title="My profile" onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <div class="preview-card" role="group" aria-label="How customers see you">
          <Avatar name={name} url={avatar} size={44} />
          <div>
            <strong>{name || 'Your name'}</strong>
            <p class="muted">{bio || 'A short bio customers see in the chat.'}</p>
          </div>
        </div>
        <label for="p-name">Display name (customers see this)</label>
        <input id="p-name" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="p-avatar">Avatar URL (https)</label>
        <input id="p-avatar" type="url" maxLength={2000} value={avatar} onInput={(e) => setAvatar((e.target as HTMLInputElement).value)} />
        <label for="p-bio">Short bio</label>
        <textarea id="p-bio" rows={3} maxLength={500} value={bio} onInput={(e) => setBio((e.target as HTMLTextAreaElement).value)} />
        {msg && <p role="status">{msg}</p>}
        <div class="row-end">
          <button type="button" onClick={onClose}>Close</button>
          <button type="submit" class="primary">Save profile</button>
        </div>
      </form>
      {me.role !== 'store_staff' && <MyCsat meId={me.id} />}
      {(me.role === 'admin' || me.role === 'supervisor') && <TeamCsatSection />}
      <PasswordForm />
    </Dialog>
  );
}

// What each refusal of POST /api/v1/me/password means, in words an agent can act on.
export const PASSWORD_ERRORS: Record<string, string> = {
  wrong_password: 'Your current password is wrong.',
  password_too_short: 'The new password is too short: use at least 12 characters (a few words work well).',
  password_too_long: 'The new password is too long: use at most 1024 bytes.',
  password_breached: 'That password is in a list of passwords leaked in breaches. Choose another.',
  password_invalid: 'The new password contains characters that cannot be used.',
  rate_limited: 'Too many attempts. Wait a minute and try again.',
};

// Changing my own password: needs the current one; my other sessions are signed out.
function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [msg, setMsg] = useState('');
  const [ok, setOk] = useState(false);
  const [busy, setBusy] = useState(false);
  const change = async (e: Event) => {
    e.preventDefault();
    setOk(false);
    if (next !== again) {
      setMsg('The new passwords do not match.');
      return;
    }
    setBusy(true);
    try {
      const r = await api<Reply<'/api/v1/me/password', 'post'>>('POST', '/api/v1/me/password', { current_password: current, password: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setOk(true);
      setMsg(r.sessions_ended > 0 ? `Password changed. ${r.sessions_ended} other session${r.sessions_ended === 1 ? ' was' : 's were'} signed out.` : 'Password changed.');
    } catch (err) {
      setMsg(err instanceof ApiError && PASSWORD_ERRORS[err.code] ? PASSWORD_ERRORS[err.code]! : plainError(err, 'The password was not changed. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={change} aria-label="Change password">
      <h3>Change password</h3>
      <label for="pw-current">Current password</label>
      <input id="pw-current" type="password" autoComplete="current-password" required value={current} onInput={(e) => setCurrent((e.target as HTMLInputElement).value)} />
      <label for="pw-new">New password (at least 12 characters)</label>
      <input id="pw-new" type="password" autoComplete="new-password" required value={next} onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
      <label for="pw-again">Repeat new password</label>
      <input id="pw-again" type="password" autoComplete="new-password" required value={again} onInput={(e) => setAgain((e.target as HTMLInputElement).value)} />
      {msg && (
        <p role={ok ? 'status' : 'alert'} class={ok ? '' : 'error'}>
          {msg}
        </p>
      )}
      <div class="row-end">
        <button type="submit" disabled={busy}>Change password</button>
      </div>
    </form>
  );
}

const KEYS: [string, string][] = [
  ['j / k', 'Next / previous conversation'],
  ['r', 'Reply to the customer'],
  ['n', 'Write a private note'],
  ['e', 'Resolve (or reopen) the conversation'],
  ['x', 'Select the open conversation for a bulk action'],
  ['/', 'Search'],
  ['Ctrl/⌘ + Enter', 'Send'],
  ['Esc', 'Leave a field, close a dialog'],
  ['?', 'This help'],
];

export function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl class="keys">
        {KEYS.map(([k, v]) => (
          <div key={k}>
            <dt><kbd>{k}</kbd></dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
