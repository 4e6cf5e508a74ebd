// listening.tsx - the Listening settings area (admins): the brand's listening queries, each
// tried as you type against the posts Hark saw last (POST /api/v1/listening/queries/test), and
// the streams Hark reads (Bluesky Jetstream, Mastodon) with their live state. See
// docs/listening.md and docs/api.md "Listening".
//
// Post text comes from strangers on the internet: it is rendered as JSX children only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, BackTest, ListeningQuery, ListeningSource, Reply } from '../api';

// ---- errors in the care team's words --------------------------------------------------------

// The field a refused request names (the API's 422 carries it; older answers only say it in
// the message, "invalid 'spec': ...").
function fieldOf(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  const f = (err as ApiError & { field?: string }).field;
  if (f) return f;
  return /invalid '([a-z_]+)'/.exec(err.message)?.[1] ?? null;
}

// "invalid 'query': at column 5: expected ..." -> "At column 5: expected ...".
function plain(err: unknown, fallback: string): string {
  if (!(err instanceof ApiError)) return fallback;
  if (err.status === 0 || err.status >= 500) return fallback;
  const m = err.message.replace(/^invalid '[a-z_]+': /, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

const SPEC_HELP = 'Enter the server name, like jetstream2.us-east.bsky.network or mastodon.social (a port and path may follow).';

function sourceMessage(field: string, err: unknown): string {
  if (field === 'spec') return `${SPEC_HELP} ${plain(err, '')}`.trim();
  return plain(err, 'That did not work. Try again.');
}

function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// ---- the back-test shown while a query is typed ---------------------------------------------

type TestState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'ok'; r: BackTest } | { kind: 'error'; msg: string };

// Runs the back-test 400 ms after the last keystroke; an older answer never replaces a newer one.
function useBackTest(query: string, onSyntax: (msg: string | null) => void): TestState {
  const [state, setState] = useState<TestState>({ kind: 'idle' });
  const seq = useRef(0);
  useEffect(() => {
    const n = ++seq.current;
    if (!query.trim()) {
      setState({ kind: 'idle' });
      onSyntax(null);
      return;
    }
    setState((s) => (s.kind === 'ok' ? s : { kind: 'busy' }));
    const t = setTimeout(async () => {
      try {
        const r = await api<BackTest>('POST', '/api/v1/listening/queries/test', { query, examples: 5 });
        if (n !== seq.current) return;
        onSyntax(null);
        setState({ kind: 'ok', r });
      } catch (err) {
        if (n !== seq.current) return;
        if (fieldOf(err) === 'query') {
          onSyntax(plain(err, 'This query cannot be read.'));
          setState({ kind: 'idle' });
        } else {
          setState({ kind: 'error', msg: 'The preview is not available right now.' });
        }
      }
    }, 400);
    return () => clearTimeout(t);
  }, [query]);
  return state;
}

function BackTestView({ state }: { state: TestState }) {
  if (state.kind === 'idle') return null;
  if (state.kind === 'busy') return <p class="ls-test muted" aria-live="polite">Trying the query on recent posts…</p>;
  if (state.kind === 'error') return <p class="ls-test muted" aria-live="polite">{state.msg}</p>;
  const r = state.r;
  if (r.scanned === 0)
    return (
      <p class="ls-test muted" aria-live="polite">
        Hark has not seen any posts yet. Once a stream below is reading, this shows what the query would catch.
      </p>
    );
  return (
    <div class="ls-test" aria-live="polite" aria-label="Back-test">
      <p class="ls-test-sum">
        <strong>
          Matches {r.matched} of the last {r.scanned} posts
        </strong>{' '}
        <span class="muted">Hark saw (since {when(r.oldest_seen_at)}).</span>
      </p>
      {r.examples.length > 0 && (
        <ul class="ls-examples" aria-label="Matching posts">
          {r.examples.map((x) => (
            <li key={x.platform + x.id} class="ls-example">
              <div class="ls-ex-head muted">
                <span>{x.author || 'someone'}</span> · <span>{x.platform}</span>
                {x.created_at && <span> · {when(x.created_at)}</span>}
                {x.url && /^https:\/\//.test(x.url) && (
                  <>
                    {' · '}
                    <a href={x.url} target="_blank" rel="noopener noreferrer">open</a>
                  </>
                )}
              </div>
              <p class="ls-ex-text">
                {x.text}
                {x.text_cut ? '…' : ''}
              </p>
              {x.terms.length > 0 && (
                <p class="ls-terms">
                  <span class="muted">Found: </span>
                  {x.terms.map((t) => (
                    <span key={t} class="ls-term">{t}</span>
                  ))}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// ---- one query's form (new or edit) ----------------------------------------------------------

function QueryForm({ initial, onDone, onCancel }: { initial?: ListeningQuery; onDone: (msg: string) => void; onCancel?: () => void }) {
  const id = initial ? `q${initial.id}` : 'qnew';
  const [name, setName] = useState(initial?.name ?? '');
  const [query, setQuery] = useState(initial?.query ?? '');
  const [active, setActive] = useState(initial?.active ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [syntax, setSyntax] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const test = useBackTest(query, setSyntax);
  const queryError = errors.query ?? syntax;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body = { name: name.trim() || query.trim(), query, active };
      if (initial) await api('PATCH', `/api/v1/listening/queries/${initial.id}`, body);
      else await api<Reply<'/api/v1/listening/queries', 'post', 201>>('POST', '/api/v1/listening/queries', body);
      if (!initial) {
        setName('');
        setQuery('');
        setActive(true);
      }
      onDone(initial ? `Query “${body.name}” saved.` : `Query “${body.name}” added.`);
    } catch (err) {
      const f = fieldOf(err);
      if (f === 'name' || f === 'query' || f === 'active') setErrors({ [f]: f === 'name' ? 'Use a name of at most 100 characters.' : plain(err, 'Check this field.') });
      else setErrors({ form: plain(err, 'The query could not be saved. Try again.') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack ls-form" onSubmit={save} aria-label={initial ? `Edit query ${initial.name}` : 'New query'} noValidate>
      <label for={`${id}-name`}>Name</label>
      <input id={`${id}-name`} maxLength={100} value={name} placeholder="Late deliveries" aria-invalid={!!errors.name}
        aria-describedby={errors.name ? `${id}-name-err` : undefined} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      {errors.name && <p id={`${id}-name-err`} class="error ls-err">{errors.name}</p>}
      <label for={`${id}-query`}>What to look for</label>
      <textarea id={`${id}-query`} rows={2} maxLength={4096} value={query} spellcheck={false} required
        placeholder={'(late OR delayed) AND (order OR parcel) -spam'} aria-invalid={!!queryError}
        aria-describedby={`${id}-query-help${queryError ? ` ${id}-query-err` : ''}`}
        onInput={(e) => setQuery((e.target as HTMLTextAreaElement).value)} />
      <p id={`${id}-query-help`} class="hint muted">
        Words and "exact phrases", AND, OR, NOT or -word, (groups), refund* for word starts, a NEAR/3 b, @handles, #tags,
        lang:fr, has:link. Upper and lower case and accents do not matter.
      </p>
      {queryError && <p id={`${id}-query-err`} class="error ls-err" role="alert">{queryError}</p>}
      <BackTestView state={test} />
      <label class="ls-check">
        <input type="checkbox" checked={active} onChange={(e) => setActive((e.target as HTMLInputElement).checked)} /> Active (matches
        new posts as they arrive)
      </label>
      {errors.form && <p class="error" role="alert">{errors.form}</p>}
      <div class="row-end">
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
        <button type="submit" class="primary" disabled={busy}>{initial ? 'Save query' : 'Add query'}</button>
      </div>
    </form>
  );
}

// An inline "are you sure" under a row: keyboard-friendly, no browser dialog.
function Confirm({ text, action, onYes, onNo }: { text: string; action: string; onYes: () => void; onNo: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="ls-confirm" role="group" aria-label={text}>
      <span>{text}</span>
      <button type="button" ref={ref} onClick={onNo}>Cancel</button>
      <button type="button" class="danger" onClick={onYes}>{action}</button>
    </div>
  );
}

// ---- streams (sources) -----------------------------------------------------------------------

const PLATFORMS: Record<string, string> = { jetstream: 'Bluesky (Jetstream)', mastodon: 'Mastodon' };

function splitSpec(spec: string): { kind: string; server: string } {
  const m = /^([a-z]+):\/\/(.*)$/.exec(spec);
  return m ? { kind: m[1], server: m[2] } : { kind: 'jetstream', server: spec };
}

// A Jetstream position is microseconds since 1970: show it as the time it stands for.
function position(cursor: string | number | null | undefined): string {
  if (cursor === null || cursor === undefined) return '';
  const us = Number(cursor);
  if (!Number.isFinite(us) || us < 1e15) return '';
  return when(new Date(us / 1000).toISOString());
}

function sourceState(s: ListeningSource): { text: string; cls: string } {
  const st = s.status;
  if (!s.active) return { text: 'Paused', cls: 'ls-paused' };
  if (st.running && st.failures > 0) return { text: `Cannot reach the server (${st.failures} tries in a row); still trying`, cls: 'ls-bad' };
  if (st.running && st.connected) return { text: `Reading · ${st.posts} posts since it started`, cls: 'ls-ok' };
  if (st.running) return { text: 'Connecting…', cls: 'ls-paused' };
  return { text: 'Stopped', cls: 'ls-bad' };
}

function SourceForm({ initial, onDone, onCancel }: { initial?: ListeningSource; onDone: (msg: string) => void; onCancel?: () => void }) {
  const id = initial ? `s${initial.id}` : 'snew';
  const start = initial ? splitSpec(initial.spec) : { kind: 'jetstream', server: '' };
  const [kind, setKind] = useState(start.kind);
  const [server, setServer] = useState(start.server);
  const [tls, setTls] = useState(initial?.tls ?? true);
  const [token, setToken] = useState('');
  const [clearToken, setClearToken] = useState(false);
  const [active, setActive] = useState(initial?.active ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const save = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    if (!server.trim()) {
      setErrors({ spec: SPEC_HELP });
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, unknown> = { spec: `${kind}://${server.trim()}`, tls, active };
      if (kind === 'mastodon' && token) body.token = token;
      else if (initial?.has_token && (clearToken || kind !== 'mastodon')) body.token = '';
      if (initial) await api('PATCH', `/api/v1/listening/sources/${initial.id}`, body);
      else await api('POST', '/api/v1/listening/sources', body);
      if (!initial) {
        setServer('');
        setToken('');
      }
      onDone(initial ? 'Stream saved.' : 'Stream added.');
    } catch (err) {
      const f = fieldOf(err) ?? 'form';
      setErrors({ [f === 'tls' || f === 'active' || f === 'token' || f === 'spec' ? f : 'form']: sourceMessage(f, err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack ls-form" onSubmit={save} aria-label={initial ? `Edit stream ${start.server}` : 'New stream'} noValidate>
      <label for={`${id}-kind`}>Platform</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
        {Object.entries(PLATFORMS).map(([k, v]) => (
          <option key={k} value={k}>{v}</option>
        ))}
      </select>
      <label for={`${id}-server`}>Server</label>
      <input id={`${id}-server`} value={server} maxLength={1000} spellcheck={false} autoComplete="off"
        placeholder={kind === 'mastodon' ? 'mastodon.social' : 'jetstream2.us-east.bsky.network'} aria-invalid={!!errors.spec}
        aria-describedby={errors.spec ? `${id}-server-err` : undefined} onInput={(e) => setServer((e.target as HTMLInputElement).value)} />
      {errors.spec && <p id={`${id}-server-err`} class="error ls-err" role="alert">{errors.spec}</p>}
      <label class="ls-check">
        <input type="checkbox" checked={tls} onChange={(e) => setTls((e.target as HTMLInputElement).checked)} /> Secure connection
        (wss:// or https://; leave on for public servers)
      </label>
      {errors.tls && <p class="error ls-err">{errors.tls}</p>}
      {kind === 'mastodon' && (
        <>
          <label for={`${id}-token`}>Access token{initial?.has_token ? ' (saved; type a new one to replace it)' : ' (if the server asks for one)'}</label>
          <input id={`${id}-token`} type="password" autoComplete="off" maxLength={1024} value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
          {initial?.has_token && (
            <label class="ls-check">
              <input type="checkbox" checked={clearToken} onChange={(e) => setClearToken((e.target as HTMLInputElement).checked)} /> Remove the saved token
            </label>
          )}
          {errors.token && <p class="error ls-err">{errors.token}</p>}
        </>
      )}
      <label class="ls-check">
        <input type="checkbox" checked={active} onChange={(e) => setActive((e.target as HTMLInputElement).checked)} /> Read it now
      </label>
      {errors.form && <p class="error" role="alert">{errors.form}</p>}
      <div class="row-end">
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
        <button type="submit" class="primary" disabled={busy}>{initial ? 'Save stream' : 'Add stream'}</button>
      </div>
    </form>
  );
}

// ---- the area ----------------------------------------------------------------------------------

export function ListeningSettings() {
  const [queries, setQueries] = useState<ListeningQuery[] | null>(null);
  const [sources, setSources] = useState<ListeningSource[] | null>(null);
  const [msg, setMsg] = useState('');
  const [loadError, setLoadError] = useState('');
  const [editing, setEditing] = useState<string | null>(null); // "q<id>" or "s<id>"
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = async () => {
    try {
      const [q, s] = await Promise.all([
        api<Reply<'/api/v1/listening/queries', 'get'>>('GET', '/api/v1/listening/queries'),
        api<Reply<'/api/v1/listening/sources', 'get'>>('GET', '/api/v1/listening/sources'),
      ]);
      setQueries(q.items);
      setSources(s.items);
      setLoadError('');
    } catch {
      setLoadError('Cannot load the listening settings. Check the connection and reload.');
    }
  };
  useEffect(() => {
    load();
    // A stream's state changes on its own (connecting, reading, failing): refresh it while open.
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);

  const act = async (fn: () => Promise<string>) => {
    try {
      setMsg(await fn());
    } catch (err) {
      setMsg(plain(err, 'That did not work. Try again.'));
    }
    setConfirming(null);
    await load();
  };
  const done = (m: string) => {
    setMsg(m);
    setEditing(null);
    load();
  };

  return (
    <div class="ls">
      <h1 class="ls-title">Listening</h1>
      <p class="muted ls-intro">
        Hark reads public posts from the streams below and keeps the ones your queries match as mentions, so the team can
        answer people who talk about the brand without tagging it.
      </p>
      {loadError && <p class="error" role="alert">{loadError}</p>}
      {msg && <p role="status" class="ls-msg">{msg}</p>}

      <section aria-labelledby="ls-q-h" class="ls-section">
        <h2 id="ls-q-h">Queries</h2>
        {queries && queries.length === 0 && <p class="muted">No queries yet. Add the first one below.</p>}
        <ul class="plain-list" aria-label="Queries">
          {(queries ?? []).map((q) => (
            <li key={q.id} class="ls-row">
              {editing === `q${q.id}` ? (
                <QueryForm initial={q} onDone={done} onCancel={() => setEditing(null)} />
              ) : (
                <>
                  <div class="ls-row-main">
                    <strong>{q.name}</strong>
                    <code class="ls-code">{q.query}</code>
                  </div>
                  <div class="ls-row-actions">
                    <label class="ls-check">
                      <input type="checkbox" checked={q.active} aria-label={`Active: ${q.name}`}
                        onChange={(e) => {
                          const on = (e.target as HTMLInputElement).checked;
                          act(async () => {
                            await api('PATCH', `/api/v1/listening/queries/${q.id}`, { active: on });
                            return on ? `“${q.name}” is on.` : `“${q.name}” is off: it no longer matches new posts.`;
                          });
                        }} />{' '}
                      {q.active ? 'On' : 'Off'}
                    </label>
                    <button type="button" onClick={() => setEditing(`q${q.id}`)} aria-label={`Edit ${q.name}`}>Edit</button>
                    <button type="button" onClick={() => setConfirming(`q${q.id}`)} aria-label={`Delete ${q.name}`}>Delete</button>
                  </div>
                  {confirming === `q${q.id}` && (
                    <Confirm text={`Delete “${q.name}”? Mentions it found stay.`} action="Delete query" onNo={() => setConfirming(null)}
                      onYes={() => act(async () => {
                        await api('DELETE', `/api/v1/listening/queries/${q.id}`);
                        return `Query “${q.name}” deleted.`;
                      })} />
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
        <h3>New query</h3>
        <QueryForm onDone={done} />
      </section>

      <section aria-labelledby="ls-s-h" class="ls-section">
        <h2 id="ls-s-h">Streams</h2>
        {sources && sources.length === 0 && <p class="muted">No streams yet: Hark only sees posts sent to it. Add one below.</p>}
        <ul class="plain-list" aria-label="Streams">
          {(sources ?? []).map((s) => {
            const sp = splitSpec(s.spec);
            const state = sourceState(s);
            const pos = position(s.status.cursor ?? s.cursor);
            return (
              <li key={s.id} class="ls-row">
                {editing === `s${s.id}` ? (
                  <SourceForm initial={s} onDone={done} onCancel={() => setEditing(null)} />
                ) : (
                  <>
                    <div class="ls-row-main">
                      <strong>{PLATFORMS[sp.kind] ?? sp.kind}</strong> <span class="ls-code">{sp.server}</span>
                      <span class={`ls-state ${state.cls}`}>{state.text}</span>
                      {pos && <small class="muted">Read up to posts from {pos}</small>}
                      {s.status.error && <small class="ls-last-err">Last problem: {s.status.error}</small>}
                    </div>
                    <div class="ls-row-actions">
                      <label class="ls-check">
                        <input type="checkbox" checked={s.active} aria-label={`Reading: ${sp.server}`}
                          onChange={(e) => {
                            const on = (e.target as HTMLInputElement).checked;
                            act(async () => {
                              await api('PATCH', `/api/v1/listening/sources/${s.id}`, { active: on });
                              return on ? `Reading ${sp.server}.` : `${sp.server} paused.`;
                            });
                          }} />{' '}
                        {s.active ? 'On' : 'Off'}
                      </label>
                      <button type="button" onClick={() => setEditing(`s${s.id}`)} aria-label={`Edit stream ${sp.server}`}>Edit</button>
                      <button type="button" onClick={() => setConfirming(`s${s.id}`)} aria-label={`Delete stream ${sp.server}`}>Delete</button>
                    </div>
                    {confirming === `s${s.id}` && (
                      <Confirm text={`Stop reading ${sp.server} and delete it?`} action="Delete stream" onNo={() => setConfirming(null)}
                        onYes={() => act(async () => {
                          await api('DELETE', `/api/v1/listening/sources/${s.id}`);
                          return `Stream ${sp.server} deleted.`;
                        })} />
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ul>
        <h3>New stream</h3>
        <SourceForm onDone={done} />
      </section>
    </div>
  );
}
