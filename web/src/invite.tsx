// invite.tsx - the page an invite link opens (#/invite/<token>): no sign-in needed; the person
// chooses their password under the rules the server checks, then signs in. The same page serves
// a "reset your password" link an admin sends. The token stays in the URL fragment, so it never
// reaches a server log.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { go } from './route';

interface Invite {
  email: string;
  name: string;
  expires_at: string;
}

const RULES = 'At least 12 characters. Long and easy to remember beats short and complicated; common passwords (from breach lists) are refused.';

// The server's password rules (auth/password.c), in words.
const PROBLEMS: Record<string, string> = {
  password_too_short: 'Use at least 12 characters.',
  password_too_long: 'That is too long; use at most 1024 characters.',
  password_invalid: 'That password has characters Hark cannot store; type it again.',
  password_breached: 'This password is on a list of leaked passwords that attackers try first. Choose another.',
};

export function InvitePage({ token }: { token: string }) {
  const [invite, setInvite] = useState<Invite | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  useEffect(() => {
    api<Invite>('GET', `/api/v1/invites/${encodeURIComponent(token)}`)
      .then(setInvite)
      .catch((e) => {
        setInvite(null);
        if (e instanceof ApiError && e.status === 429) setError('Too many tries. Wait a minute and reload this page.');
      });
  }, [token]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (password !== again) {
      setError('The two passwords are not the same.');
      return;
    }
    setBusy(true);
    try {
      await api('POST', `/api/v1/invites/${encodeURIComponent(token)}`, { password });
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setError(PROBLEMS[err.code] ?? err.message);
      else if (err instanceof ApiError && err.status === 404) setInvite(null);
      else if (err instanceof ApiError && err.status === 429) setError('Too many tries. Wait a minute and try again.');
      else setError('Hark cannot be reached. Check your connection and try again.');
    } finally {
      setBusy(false);
    }
  };
  if (invite === undefined) return <div class="splash" aria-busy="true">Loading…</div>;
  if (done)
    return (
      <main class="login">
        <div class="card" role="status">
          <h1>Password set</h1>
          <p>You can sign in now with {invite?.email} and your new password.</p>
          <button type="button" class="primary" onClick={() => go('/')}>
            Go to sign in
          </button>
        </div>
      </main>
    );
  if (!invite)
    return (
      <main class="login">
        <div class="card">
          <h1>This link does not work any more</h1>
          <p>{error || 'It was used already, replaced by a newer one, or it is older than 7 days. Ask your admin for a new link.'}</p>
          <a href="#/">Go to sign in</a>
        </div>
      </main>
    );
  return (
    <main class="login">
      <form class="card invite-card" onSubmit={submit} aria-labelledby="invite-title">
        <h1 id="invite-title">Welcome, {invite.name}</h1>
        <p class="muted">Choose the password you will sign in to Hark with as {invite.email}.</p>
        <label for="invite-password">New password</label>
        <input id="invite-password" type="password" autoComplete="new-password" required maxLength={1024}
          aria-describedby="invite-rules" value={password} onInput={(e) => {
            setPassword((e.target as HTMLInputElement).value);
            setError('');
          }} />
        <p id="invite-rules" class="invite-rules">{RULES}</p>
        <label for="invite-again">The same password again</label>
        <input id="invite-again" type="password" autoComplete="new-password" required value={again}
          onInput={(e) => {
            setAgain((e.target as HTMLInputElement).value);
            setError('');
          }} />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Saving…' : 'Set password'}</button>
      </form>
    </main>
  );
}
