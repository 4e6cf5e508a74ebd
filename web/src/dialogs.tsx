// dialogs.tsx - My profile (what customers see) and the keyboard shortcut help.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { api, Agent, ApiError } from './api';
import { Avatar } from './app';

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
      const r = await api<{ agent?: Agent } & Agent>('PATCH', '/api/v1/me', { display_name: name, avatar_url: avatar, bio });
      onSaved(r.agent ?? r);
      setMsg('Saved.');
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : 'Cannot save.');
    }
  };
  return (
    <Dialog title="My profile" onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <div class="preview-card" aria-label="How customers see you">
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
    </Dialog>
  );
}

const KEYS: [string, string][] = [
  ['j / k', 'Next / previous conversation'],
  ['r', 'Reply to the customer'],
  ['n', 'Write a private note'],
  ['e', 'Resolve (or reopen) the conversation'],
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
