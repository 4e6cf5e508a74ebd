// listening.tsx - the Listening settings area (admins): the brand's listening queries, each
// tried as you type against the posts Hark saw last (POST /api/v1/listening/queries/test), and
// the streams Hark reads (Bluesky Jetstream, Mastodon) with their live state. See
// docs/listening.md and docs/api.md "Listening".
//
// Post text comes from strangers on the internet: it is rendered as JSX children only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, BackTest, ListeningQuery, ListeningSource, Reply } from '../api';
import type { ScreenProps } from './areas';
import { CheckField, ConfirmButton, describe, FormStatus, humanize, SelectField, TextArea, TextField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

// ---- errors in the care team's words --------------------------------------------------------

const SPEC_HELP = 'The server name, like jetstream2.us-east.bsky.network or mastodon.social (a port and a path may follow).';

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
        if (err instanceof ApiError && err.status === 422 && err.field === 'query') {
          onSyntax(humanize(err.message));
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
    <div class="ls-test" role="group" aria-live="polite" aria-label="Back-test">
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

const QUERY_HINT =
  'Words and "exact phrases", AND, OR, NOT or -word, (groups), refund* for words starting so, a NEAR/3 b, @handles, ' +
  '#tags, lang:fr, has:link. Upper and lower case and accents do not matter.';

// The first characters of 's' that fit in 'max' bytes of UTF-8 (the API's limit on a name).
function cut(s: string, max: number): string {
  const enc = new TextEncoder();
  let out = '';
  for (const ch of s) {
    if (enc.encode(out + ch).length > max) break;
    out += ch;
  }
  return out;
}

function QueryForm({ initial, onDone, onCancel }: { initial?: ListeningQuery; onDone: (msg: string) => void; onCancel?: () => void }) {
  const f = useForm({ name: initial?.name ?? '', query: initial?.query ?? '', active: initial?.active ?? true });
  const [syntax, setSyntax] = useState<string | null>(null);
  const test = useBackTest(f.values.query, setSyntax);
  const save = f.submit(async (v) => {
    const body = { name: v.name.trim() || cut(v.query.trim(), 100), query: v.query, active: v.active };
    if (initial) await api('PATCH', `/api/v1/listening/queries/${initial.id}`, body);
    else await api<Reply<'/api/v1/listening/queries', 'post', 201>>('POST', '/api/v1/listening/queries', body);
    if (!initial) f.reset({ name: '', query: '', active: true });
    const msg = initial ? `Query “${body.name}” saved.` : `Query “${body.name}” added.`;
    onDone(msg);
    return msg;
  });
  return (
    <form class="ls-form" onSubmit={save} aria-label={initial ? `Edit query ${initial.name}` : 'New query'} noValidate>
      <TextField form={f} name="name" label="Name" maxLength={100} placeholder="Late deliveries" hint="Leave empty to use the query itself." />
      <TextArea form={f} name="query" label="What to look for" rows={2} maxLength={4096} placeholder="(late OR delayed) AND (order OR parcel) -spam" hint={QUERY_HINT} />
      {syntax && !f.errors.query && (
        <p class="field-error ls-syntax" role="alert">
          {syntax}
        </p>
      )}
      <BackTestView state={test} />
      <CheckField form={f} name="active" label="Active: match new posts as they arrive" />
      <FormStatus form={f} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={f.busy}>{initial ? 'Save query' : 'Add query'}</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
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

// The API describes a bad spec as its URL form (jetstream://HOST...); the form asks only for
// the server, so say it in those terms.
function specError(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.field !== 'spec') return err;
  const m = err.message;
  const text = /missing host/.test(m)
    ? 'Enter the server name.'
    : /bad port/.test(m)
      ? 'The port after the colon must be a number from 1 to 65535.'
      : /want jetstream:/.test(m)
        ? 'Use only the server name (and an optional :port and /path), with no spaces.'
        : m;
  return new ApiError(err.status, err.code, text, 'spec');
}

function SourceForm({ initial, onDone, onCancel }: { initial?: ListeningSource; onDone: (msg: string) => void; onCancel?: () => void }) {
  const start = initial ? splitSpec(initial.spec) : { kind: 'jetstream', server: '' };
  // 'spec' holds the server part; the field is named as the API names it, so its 422 lands here.
  const f = useForm({ kind: start.kind, spec: start.server, tls: initial?.tls ?? true, token: '', clear_token: false, active: initial?.active ?? true });
  const v = f.values;
  const save = f.submit(async (x) => {
    const body: Record<string, unknown> = { spec: `${x.kind}://${x.spec.trim()}`, tls: x.tls, active: x.active };
    if (x.kind === 'mastodon' && x.token) body.token = x.token;
    else if (initial?.has_token && (x.clear_token || x.kind !== 'mastodon')) body.token = '';
    try {
      if (initial) await api('PATCH', `/api/v1/listening/sources/${initial.id}`, body);
      else await api('POST', '/api/v1/listening/sources', body);
    } catch (err) {
      throw specError(err);
    }
    if (!initial) f.reset({ ...x, spec: '', token: '' });
    const msg = initial ? `Stream ${x.spec.trim()} saved.` : `Stream ${x.spec.trim()} added.`;
    onDone(msg);
    return msg;
  });
  return (
    <form class="ls-form" onSubmit={save} aria-label={initial ? `Edit stream ${start.server}` : 'New stream'} noValidate>
      <SelectField form={f} name="kind" label="Platform" options={Object.entries(PLATFORMS).map(([value, label]) => ({ value, label }))} />
      <TextField form={f} name="spec" label="Server" maxLength={1000} spellcheck={false} autoComplete="off"
        placeholder={v.kind === 'mastodon' ? 'mastodon.social' : 'jetstream2.us-east.bsky.network'} hint={SPEC_HELP} />
      <CheckField form={f} name="tls" label="Secure connection" hint="Leave on for public servers; off only for a test server on this machine." />
      {v.kind === 'mastodon' && (
        <>
          <TextField form={f} name="token" type="password" autoComplete="off" maxLength={1024}
            label={initial?.has_token ? 'Access token (saved; type a new one to replace it)' : 'Access token (if the server asks for one)'} />
          {initial?.has_token && <CheckField form={f} name="clear_token" label="Remove the saved token" />}
        </>
      )}
      <CheckField form={f} name="active" label="Read it now" />
      <FormStatus form={f} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={f.busy}>{initial ? 'Save stream' : 'Add stream'}</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

// ---- the area ----------------------------------------------------------------------------------

export function ListeningSettings({ me }: ScreenProps) {
  const [queries, setQueries] = useState<ListeningQuery[] | null>(null);
  const [sources, setSources] = useState<ListeningSource[] | null>(null);
  const [msg, setMsg] = useState('');
  const [loadError, setLoadError] = useState('');
  const [editing, setEditing] = useState<string | null>(null); // "q<id>" or "s<id>"

  const load = async () => {
    try {
      const [q, s] = await Promise.all([
        api<Reply<'/api/v1/listening/queries', 'get'>>('GET', '/api/v1/listening/queries'),
        api<Reply<'/api/v1/listening/sources', 'get'>>('GET', '/api/v1/listening/sources'),
      ]);
      setQueries(q.items);
      setSources(s.items);
      setLoadError('');
    } catch (err) {
      setLoadError(err instanceof ApiError ? describe(err) : 'Cannot load the listening settings. Check the connection and reload.');
    }
  };
  const changed = useSettingsChanged('listening', () => load());
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
      setMsg(describe(err));
    }
    await load();
  };
  const edited = (m: string) => {
    setMsg(m);
    setEditing(null);
    load();
  };
  const added = () => {
    setMsg('');
    load();
  };

  return (
    <div class="ls">
      <p class="muted ls-intro">
        Hark reads public posts from the streams below and keeps the ones your queries match as mentions, so the team can
        answer people who talk about the brand without tagging it.
      </p>
      <ChangedBy event={changed} meId={me.id} />
      {loadError && <p class="form-error" role="alert">{loadError}</p>}
      {msg && <p role="status" class="form-notice">{msg}</p>}

      <section aria-labelledby="ls-q-h" class="ls-section">
        <h2 id="ls-q-h">Queries</h2>
        {queries && queries.length === 0 && <p class="muted">No queries yet. Add the first one below.</p>}
        <ul class="plain-list" aria-label="Queries">
          {(queries ?? []).map((q) => (
            <li key={q.id} class="ls-row">
              {editing === `q${q.id}` ? (
                <QueryForm initial={q} onDone={edited} onCancel={() => setEditing(null)} />
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
                        }} />
                      {q.active ? 'On' : 'Off'}
                    </label>
                    <button type="button" onClick={() => setEditing(`q${q.id}`)} aria-label={`Edit ${q.name}`}>Edit</button>
                    <ConfirmButton label="Delete" question={`Delete “${q.name}”? Mentions it found stay.`}
                      onConfirm={() => act(async () => {
                        await api('DELETE', `/api/v1/listening/queries/${q.id}`);
                        return `Query “${q.name}” deleted.`;
                      })} />
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
        <h3>New query</h3>
        <QueryForm onDone={added} />
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
                  <SourceForm initial={s} onDone={edited} onCancel={() => setEditing(null)} />
                ) : (
                  <>
                    <div class="ls-row-main">
                      <span>
                        <strong>{PLATFORMS[sp.kind] ?? sp.kind}</strong> <span class="ls-code">{sp.server}</span>
                      </span>
                      <span class={`ls-state ${state.cls}`}>{state.text}</span>
                      {pos && <small class="muted">Has read posts up to {pos}</small>}
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
                          }} />
                        {s.active ? 'On' : 'Off'}
                      </label>
                      <button type="button" onClick={() => setEditing(`s${s.id}`)} aria-label={`Edit stream ${sp.server}`}>Edit</button>
                      <ConfirmButton label="Delete" question={`Stop reading ${sp.server} and delete it?`}
                        onConfirm={() => act(async () => {
                          await api('DELETE', `/api/v1/listening/sources/${s.id}`);
                          return `Stream ${sp.server} deleted.`;
                        })} />
                    </div>
                  </>
                )}
              </li>
            );
          })}
        </ul>
        <h3>New stream</h3>
        <SourceForm onDone={added} />
      </section>
    </div>
  );
}
