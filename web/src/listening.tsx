// listening.tsx - the listening screen (#/listening): a live feed of the public posts the brand's
// listening queries matched (mentions), with triage chips, the author's reach, filters and each
// agent's saved views; "Convert" turns a post into a care conversation (and opens it), "Dismiss"
// sets it aside, one click each; a spike of a query shows as a banner with the posts behind it
// (its desktop alert is notify.tsx's, on every screen). docs/listening.md "The listening screen", docs/api.md "Listening".
//
// Post text is customer text: rendered as JSX text only (Preact escapes it), never as HTML.
// The feed is virtualised like the inbox list (fixed row height, only the rows in view).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, Channel, ListeningQuery, qs, Reply, timeAgo } from './api';
import type { Subscribe } from './live';
import { intentWord, plainError, sentimentWord } from './words';

export type Mention = Reply<'/api/v1/listening/mentions/{id}', 'get'>;
type Alert = Reply<'/api/v1/listening/alerts', 'get'>['items'][number];
type SavedView = Reply<'/api/v1/listening/views', 'get'>['items'][number];

// The mention list's filters, by the API's names (docs/api.md), as strings for the selects.
export interface LFilters {
  query?: string;
  intent?: string; // complaint | purchase_intent
  opportunity?: 'true';
  lang?: string;
  platform?: string;
  addressed?: 'true' | 'false';
  dismissed?: 'true' | 'false'; // undefined: both
  q?: string;
}
const DEFAULT: LFilters = { dismissed: 'false' };

// Does a mention belong in the feed under these filters? For live events (the server applies the
// same filters to every page it sends).
export function mentionMatches(m: Mention, f: LFilters): boolean {
  if (f.query && !m.queries.includes(Number(f.query))) return false;
  if (f.intent && m.intent !== f.intent) return false;
  if (f.opportunity && !m.opportunity) return false;
  if (f.lang && !(m.lang && (m.lang === f.lang || m.lang.startsWith(f.lang + '-')))) return false;
  if (f.platform && m.platform !== f.platform) return false;
  if (f.addressed && m.addressed_to_brand !== (f.addressed === 'true')) return false;
  if (f.dismissed && m.dismissed !== (f.dismissed === 'true')) return false;
  if (f.q && !m.text.toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

// Saved views hold JSON booleans and ids; the screen's filters are strings.
function toView(f: LFilters): Record<string, string | number | boolean> {
  const o: Record<string, string | number | boolean> = {};
  if (f.query) o.query = Number(f.query);
  if (f.intent) o.intent = f.intent;
  if (f.opportunity) o.opportunity = true;
  if (f.lang) o.lang = f.lang;
  if (f.platform) o.platform = f.platform;
  if (f.addressed) o.addressed = f.addressed === 'true';
  if (f.dismissed) o.dismissed = f.dismissed === 'true';
  if (f.q) o.q = f.q;
  return o;
}
function fromView(v: Record<string, unknown>): LFilters {
  const f: LFilters = {};
  if (typeof v.query === 'number') f.query = String(v.query);
  if (typeof v.intent === 'string') f.intent = v.intent;
  if (v.opportunity === true) f.opportunity = 'true';
  if (typeof v.lang === 'string') f.lang = v.lang;
  if (typeof v.platform === 'string') f.platform = v.platform;
  if (typeof v.addressed === 'boolean') f.addressed = v.addressed ? 'true' : 'false';
  if (typeof v.dismissed === 'boolean') f.dismissed = v.dismissed ? 'true' : 'false';
  if (typeof v.q === 'string') f.q = v.q;
  return f;
}

const PLATFORM_WORDS: Record<string, string> = { bluesky: 'Bluesky', mastodon: 'Mastodon' };
const platformWord = (p: string) => PLATFORM_WORDS[p] ?? p.charAt(0).toUpperCase() + p.slice(1);

// "12.4k followers": the author's reach, said the way people say it.
export function reachWords(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  const s = n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M` : n >= 1e5 ? `${Math.round(n / 1e3)}k` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
  return `${s.replace(/\.0(?=[kM])/, '')} ${n === 1 ? 'follower' : 'followers'}`;
}

// Only web links leave the app (a post's address comes from the platform, not from us).
const safeLink = (u: string | null | undefined) => (u && /^https?:\/\/[^\s"'<>]+$/i.test(u) ? u : null);

const CHANNEL_KEY = 'hark.listening.channel';
const SEEN_ALERTS_KEY = 'hark.listening.hidden-alerts';
const RECENT_ALERT_MS = 6 * 3600 * 1000; // a spike older than this is not shown as a banner

function loadHidden(): number[] {
  try {
    const v = JSON.parse(localStorage.getItem(SEEN_ALERTS_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x) => typeof x === 'number').slice(-200) : [];
  } catch {
    return [];
  }
}

interface Props {
  subscribe: Subscribe;
  channels: Channel[];
  openConversation: (id: number) => void;
}

export function ListeningScreen({ subscribe, channels, openConversation }: Props) {
  const [filters, setFilters] = useState<LFilters>(DEFAULT);
  const [items, setItems] = useState<Mention[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [queries, setQueries] = useState<ListeningQuery[]>([]);
  const [views, setViews] = useState<SavedView[]>([]);
  const [viewId, setViewId] = useState<number | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [hidden, setHidden] = useState<number[]>(loadHidden);
  const [busy, setBusy] = useState<Set<number>>(new Set());
  const [channelId, setChannelId] = useState<string>(() => localStorage.getItem(CHANNEL_KEY) ?? '');
  const [selected, setSelected] = useState(0);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const generation = useRef(0);

  const load = useCallback(async (reset: boolean, after?: string | null) => {
    const gen = reset ? ++generation.current : generation.current;
    setLoading(true);
    try {
      const f = filtersRef.current;
      const r = await api<Reply<'/api/v1/listening/mentions', 'get'>>('GET', '/api/v1/listening/mentions' + qs({ ...f, limit: 100, cursor: reset ? undefined : after }));
      if (gen !== generation.current) return;
      setError('');
      setItems((old) => {
        if (reset) {
          // A refresh keeps live rows newer than the page (they are in the next refresh anyway).
          const seen = new Set(r.items.map((m) => m.id));
          const top = r.items[0]?.id ?? 0;
          return old.filter((m) => m.id > top && !seen.has(m.id) && mentionMatches(m, f)).concat(r.items);
        }
        const seen = new Set(old.map((m) => m.id));
        return old.concat(r.items.filter((m) => !seen.has(m.id)));
      });
      if (reset || after) setCursor(r.next_cursor);
    } catch (e) {
      if (gen === generation.current) setError(plainError(e, 'The mentions could not be loaded. Try again.'));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setItems([]);
    setSelected(0);
    load(true);
  }, [filters, load]);

  useEffect(() => {
    api<Reply<'/api/v1/listening/queries', 'get'>>('GET', '/api/v1/listening/queries').then((r) => setQueries(r.items)).catch(() => {});
    api<Reply<'/api/v1/listening/views', 'get'>>('GET', '/api/v1/listening/views').then((r) => setViews(r.items)).catch(() => {});
    api<Reply<'/api/v1/listening/alerts', 'get'>>('GET', '/api/v1/listening/alerts?limit=5')
      .then((r) => setAlerts(r.items.filter((a) => Date.now() - Date.parse(a.created_at) < RECENT_ALERT_MS)))
      .catch(() => {});
  }, []);

  const queryName = useMemo(() => new Map(queries.map((q) => [q.id, q.name])), [queries]);

  // Live: new mentions on top, changed ones in place; past 20 a second the server sends
  // mention.held instead, and the feed reads its first page again (now, and once the second is
  // over, so the last of a burst is not missed).
  useEffect(() => {
    let held: number | undefined;
    let lastHeld = 0;
    const unsub = subscribe((e) => {
      if (e.type === 'mention.created' || e.type === 'mention.updated') {
        const m = e as unknown as Mention;
        if (typeof m.id !== 'number' || typeof m.text !== 'string') return;
        setItems((old) => {
          const i = old.findIndex((x) => x.id === m.id);
          const fits = mentionMatches(m, filtersRef.current);
          if (i >= 0) {
            const next = old.slice();
            if (fits) next[i] = m;
            else next.splice(i, 1);
            return next;
          }
          if (!fits) return old;
          // New ones go on top; one brought back (mention.updated) goes back to its place.
          const at = old.findIndex((x) => x.id < m.id);
          if (at < 0 && e.type === 'mention.updated' && old.length >= 100) return old; // below the loaded pages
          const next = old.slice();
          next.splice(at < 0 ? old.length : at, 0, m);
          return next;
        });
      } else if (e.type === 'mention.held') {
        const now = Date.now();
        if (now - lastHeld > 500) {
          lastHeld = now;
          load(true);
        }
        clearTimeout(held);
        held = window.setTimeout(() => load(true), 1200);
      } else if (e.type === 'listening.spike') {
        const a = e as unknown as Alert;
        if (typeof a.id !== 'number') return;
        // The desktop alert is the app's (notify.tsx): it comes on every screen.
        setAlerts((old) => (old.some((x) => x.id === a.id) ? old : [a, ...old].slice(0, 5)));
      }
    });
    return () => {
      clearTimeout(held);
      unsub();
    };
  }, [subscribe, load]);

  const setBusyId = (id: number, on: boolean) =>
    setBusy((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const replyChannel = (m: Mention): Channel | undefined =>
    channels.find((c) => c.type === m.platform) ?? channels.find((c) => String(c.id) === channelId) ?? channels[0];

  const convert = async (m: Mention) => {
    if (m.conversation_id) return openConversation(m.conversation_id);
    const ch = replyChannel(m);
    if (!ch) return setNote('There is no channel to answer from yet. An admin adds one in Settings › Channels.');
    setBusyId(m.id, true);
    try {
      const r = await api<{ conversation_id: number; mention: Mention }>('POST', `/api/v1/listening/mentions/${m.id}/convert`, { channel_id: ch.id });
      setItems((old) => old.map((x) => (x.id === m.id ? { ...x, conversation_id: r.conversation_id } : x)));
      openConversation(r.conversation_id);
    } catch (e) {
      setNote(plainError(e, 'The post could not be turned into a conversation. Try again.'));
    } finally {
      setBusyId(m.id, false);
    }
  };

  const dismiss = async (m: Mention) => {
    setBusyId(m.id, true);
    try {
      const after = await api<Mention>(m.dismissed ? 'DELETE' : 'POST', `/api/v1/listening/mentions/${m.id}/dismiss`);
      setItems((old) => {
        const i = old.findIndex((x) => x.id === m.id);
        if (i < 0) return old;
        const next = old.slice();
        if (mentionMatches(after, filtersRef.current)) next[i] = after;
        else next.splice(i, 1);
        return next;
      });
      setNote(after.dismissed ? `Dismissed the post by ${m.author || 'someone'}.` : `Brought back the post by ${m.author || 'someone'}.`);
    } catch (e) {
      setNote(plainError(e, 'That did not work. Try again.'));
    } finally {
      setBusyId(m.id, false);
    }
  };

  const hideAlert = (id: number) => {
    const next = [...hidden.filter((x) => x !== id), id].slice(-200);
    setHidden(next);
    try {
      localStorage.setItem(SEEN_ALERTS_KEY, JSON.stringify(next));
    } catch {
      /* hidden for this page only */
    }
  };
  const shownAlerts = alerts.filter((a) => !hidden.includes(a.id));

  // Keyboard: j/k move through the feed, c converts, d dismisses (or brings back), o opens the
  // post; ignored while typing.
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const selRef = useRef(selected);
  selRef.current = selected;
  const actRef = useRef({ convert, dismiss });
  actRef.current = { convert, dismiss };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('[role="dialog"]')) return;
      const list = itemsRef.current;
      const m = list[selRef.current];
      switch (e.key) {
        case 'j': setSelected((i) => Math.min(list.length - 1, i + 1)); break;
        case 'k': setSelected((i) => Math.max(0, i - 1)); break;
        case 'c': if (m) actRef.current.convert(m); break;
        case 'd': if (m) actRef.current.dismiss(m); break;
        case 'o': { const u = safeLink(m?.url); if (u) window.open(u, '_blank', 'noopener'); break; }
        default: return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const seenLangs = useMemo(() => {
    const s = new Set(['en', 'es', 'pt', 'fr', 'de']);
    items.forEach((m) => m.lang && s.add(m.lang.split('-')[0]!.toLowerCase()));
    if (filters.lang) s.add(filters.lang);
    return [...s].sort();
  }, [items, filters.lang]);
  const seenPlatforms = useMemo(() => {
    const s = new Set(['bluesky', 'mastodon']);
    items.forEach((m) => s.add(m.platform));
    if (filters.platform) s.add(filters.platform);
    return [...s].sort();
  }, [items, filters.platform]);

  // On a phone the filters fold away behind one button (the feed needs the height).
  const [showFilters, setShowFilters] = useState(false);
  const activeCount = (Object.keys(filters) as (keyof LFilters)[]).filter((k) => filters[k] && !(k === 'dismissed' && filters[k] === 'false')).length;

  const set = (k: keyof LFilters) => (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    setViewId(null);
    setFilters((f) => ({ ...f, [k]: v || undefined }));
  };

  return (
    <main class="listening" id="conversation" aria-labelledby="listening-title">
      <div class="listening-head">
        <h1 id="listening-title">Listening</h1>
        <p class="hint">Public posts your listening queries found. Convert one to answer it as a conversation, or dismiss it.</p>
      </div>
      {shownAlerts.map((a) => (
        <SpikeBanner key={a.id} alert={a} name={queryName.get(a.query_id) ?? 'a listening query'} onHide={() => hideAlert(a.id)} openConversation={openConversation} />
      ))}
      <div class={'listening-tools' + (showFilters ? ' open' : '')}>
        <button type="button" class="filters-toggle" aria-expanded={showFilters} aria-controls="listening-filters" onClick={() => setShowFilters(!showFilters)}>
          Filters and saved views{activeCount > 0 ? ` · ${activeCount} on` : ''}
        </button>
        <SavedViews
          views={views}
          setViews={setViews}
          viewId={viewId}
          filters={filters}
          apply={(v) => {
            setViewId(v ? v.id : null);
            setFilters(v ? fromView(v.filters as Record<string, unknown>) : DEFAULT);
          }}
        />
        <div class="listening-filters" id="listening-filters" role="group" aria-label="Filters">
          <label>
            <span>Query</span>
            <select value={filters.query ?? ''} onChange={set('query')}>
              <option value="">All queries</option>
              {queries.map((q) => (
                <option key={q.id} value={String(q.id)}>{q.name}</option>
              ))}
            </select>
          </label>
          <label>
            <span>Show</span>
            <select value={filters.dismissed ?? ''} onChange={set('dismissed')}>
              <option value="false">New</option>
              <option value="true">Dismissed</option>
              <option value="">All</option>
            </select>
          </label>
          <label>
            <span>Kind</span>
            <select value={filters.intent ?? ''} onChange={set('intent')}>
              <option value="">Any kind</option>
              <option value="complaint">{intentWord('complaint')}</option>
              <option value="purchase_intent">{intentWord('purchase_intent')}</option>
              <option value="question">{intentWord('question')}</option>
              <option value="praise">{intentWord('praise')}</option>
            </select>
          </label>
          <label>
            <span>To us?</span>
            <select value={filters.addressed ?? ''} onChange={set('addressed')}>
              <option value="">Anyone</option>
              <option value="true">Addressed to us</option>
              <option value="false">Not addressed to us</option>
            </select>
          </label>
          <label>
            <span>Platform</span>
            <select value={filters.platform ?? ''} onChange={set('platform')}>
              <option value="">All platforms</option>
              {seenPlatforms.map((p) => (
                <option key={p} value={p}>{platformWord(p)}</option>
              ))}
            </select>
          </label>
          <label>
            <span>Language</span>
            <select value={filters.lang ?? ''} onChange={set('lang')}>
              <option value="">Any language</option>
              {seenLangs.map((l) => (
                <option key={l} value={l}>{l}</option>
              ))}
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={!!filters.opportunity}
              onChange={(e) => {
                setViewId(null);
                setFilters((f) => ({ ...f, opportunity: (e.target as HTMLInputElement).checked ? 'true' : undefined }));
              }}
            />
            <span>Opportunities only</span>
          </label>
          <label>
            <span>Words</span>
            <input
              type="search"
              value={filters.q ?? ''}
              maxLength={200}
              placeholder="Words in the post"
              onInput={(e) => {
                const v = (e.target as HTMLInputElement).value;
                setViewId(null);
                setFilters((f) => ({ ...f, q: v || undefined }));
              }}
            />
          </label>
          {channels.length > 1 && (
            <label>
              <span>Answer from</span>
              <select
                value={channelId}
                onChange={(e) => {
                  const v = (e.target as HTMLSelectElement).value;
                  setChannelId(v);
                  try {
                    localStorage.setItem(CHANNEL_KEY, v);
                  } catch {
                    /* this page only */
                  }
                }}
                title="The channel a converted post is answered from, when no channel is of the post's platform"
              >
                <option value="">First channel</option>
                {channels.map((c) => (
                  <option key={c.id} value={String(c.id)}>{c.name}</option>
                ))}
              </select>
            </label>
          )}
        </div>
      </div>
      {note && (
        <p class="listening-note" role="status" data-testid="listening-note">
          {note}
          <button type="button" class="ghost" aria-label="Close message" onClick={() => setNote('')}>×</button>
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <Feed
        items={items}
        loading={loading}
        hasMore={!!cursor}
        loadMore={() => cursor && !loading && load(false, cursor)}
        filters={filters}
        queryName={queryName}
        busy={busy}
        selected={selected}
        select={setSelected}
        convert={convert}
        dismiss={dismiss}
      />
      <p class="hint listening-keys">
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>c</kbd> convert · <kbd>d</kbd> dismiss · <kbd>o</kbd> open the post
      </p>
    </main>
  );
}

function spikeWords(a: Alert, name: string): string {
  const mins = Math.max(1, Math.round((Date.parse(a.window_end) - Date.parse(a.window_start)) / 60000));
  if (a.kind === 'negative')
    return `More unhappy posts than usual for “${name}”: ${Math.round((a.negative_share ?? 0) * 100)}% unhappy, usually ${Math.round((a.baseline_negative_share ?? 0) * 100)}%.`;
  return `${a.volume} posts for “${name}” in ${mins} minutes, usually about ${Math.round(a.baseline)}.`;
}

function SpikeBanner({ alert, name, onHide, openConversation }: { alert: Alert; name: string; onHide: () => void; openConversation: (id: number) => void }) {
  const [open, setOpen] = useState(false);
  const [posts, setPosts] = useState<Mention[] | null>(null);
  const [err, setErr] = useState('');
  const show = async () => {
    setOpen(!open);
    if (posts || open) return;
    try {
      const r = await api<Reply<'/api/v1/listening/mentions', 'get'>>('GET', '/api/v1/listening/mentions' + qs({ alert: alert.id, limit: 50 }));
      setPosts(r.items);
    } catch (e) {
      setErr(plainError(e, 'The posts could not be loaded. Try again.'));
    }
  };
  return (
    <section class="spike" role="region" aria-label={`Spike: ${name}`} data-alert={alert.id}>
      <div class="spike-top">
        <strong>{alert.kind === 'negative' ? 'Unhappy posts rising' : 'Spike'}</strong>
        <span>{spikeWords(alert, name)}</span>
        <span class="when">{timeAgo(alert.created_at)}</span>
        <button type="button" aria-expanded={open} onClick={show}>{open ? 'Hide the posts' : 'Show the posts'}</button>
        <button type="button" class="ghost" onClick={onHide} aria-label={`Close the spike alert for ${name}`}>×</button>
      </div>
      {open && (
        <div class="spike-posts">
          {err && <p class="error" role="alert">{err}</p>}
          {!posts && !err && <p aria-live="polite">Loading…</p>}
          {posts && posts.length === 0 && <p>The posts are no longer stored.</p>}
          {posts && (
            <ul>
              {posts.map((m) => (
                <li key={m.id}>
                  <span class="author">{m.author || 'Someone'}</span> <span class="spike-text">{m.text}</span>{' '}
                  {m.conversation_id && (
                    <button type="button" class="link" onClick={() => openConversation(m.conversation_id!)}>Open conversation</button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function SavedViews({ views, setViews, viewId, filters, apply }: {
  views: SavedView[]; setViews: (f: (old: SavedView[]) => SavedView[]) => void; viewId: number | null; filters: LFilters; apply: (v: SavedView | null) => void;
}) {
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const save = async (e: Event) => {
    e.preventDefault();
    setErr('');
    try {
      const v = await api<SavedView>('POST', '/api/v1/listening/views', { name: name.trim(), filters: toView(filters) });
      setViews((old) => [...old, v].sort((a, b) => a.name.localeCompare(b.name)));
      apply(v);
      setSaving(false);
      setName('');
    } catch (e2) {
      setErr(e2 instanceof ApiError && e2.status === 409 ? 'You already have a view of that name.' : plainError(e2, 'The view could not be saved. Try again.'));
    }
  };
  const remove = async () => {
    if (viewId === null) return;
    try {
      await api('DELETE', `/api/v1/listening/views/${viewId}`);
      setViews((old) => old.filter((v) => v.id !== viewId));
      apply(null);
    } catch (e) {
      setErr(plainError(e, 'The view could not be deleted. Try again.'));
    }
  };
  return (
    <div class="saved-views">
      <label>
        <span>Saved view</span>
        <select
          value={viewId === null ? '' : String(viewId)}
          onChange={(e) => {
            const id = Number((e.target as HTMLSelectElement).value);
            apply(views.find((v) => v.id === id) ?? null);
          }}
        >
          <option value="">None</option>
          {views.map((v) => (
            <option key={v.id} value={String(v.id)}>{v.name}</option>
          ))}
        </select>
      </label>
      {viewId !== null && (
        <button type="button" class="ghost" onClick={remove}>Delete view</button>
      )}
      {saving ? (
        <form class="save-view" onSubmit={save}>
          <label>
            <span>View name</span>
            <input
              value={name}
              maxLength={80}
              required
              autoFocus
              aria-invalid={!!err}
              aria-describedby={err ? 'save-view-err' : undefined}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
              onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setSaving(false))}
            />
          </label>
          <button type="submit" class="primary">Save</button>
          <button type="button" class="ghost" onClick={() => (setSaving(false), setErr(''))}>Cancel</button>
          {err && <p class="error field-error" id="save-view-err" role="alert">{err}</p>}
        </form>
      ) : (
        <button type="button" onClick={() => setSaving(true)}>Save these filters as a view</button>
      )}
    </div>
  );
}

// Fixed row heights (styles.css .mention uses the same): the post is cut at three lines on a
// wide screen, four on a phone.
const ROW_WIDE = 136;
const ROW_NARROW = 214;
const narrowQuery = '(max-width: 720px)';

function Feed(p: {
  items: Mention[]; loading: boolean; hasMore: boolean; loadMore: () => void; filters: LFilters; queryName: Map<number, string>;
  busy: Set<number>; selected: number; select: (i: number) => void; convert: (m: Mention) => void; dismiss: (m: Mention) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [narrow, setNarrow] = useState(() => window.matchMedia(narrowQuery).matches);
  useEffect(() => {
    const mq = window.matchMedia(narrowQuery);
    const on = () => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const ROW = narrow ? ROW_NARROW : ROW_WIDE;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && el.scrollTop) el.scrollTop = 0;
    setTop(0);
  }, [p.filters]);
  useEffect(() => {
    const el = ref.current;
    const i = p.selected;
    if (!el || i < 0 || i >= p.items.length) return;
    if (i * ROW < el.scrollTop) el.scrollTop = i * ROW;
    else if ((i + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * ROW - el.clientHeight;
    (el.querySelector(`[data-row="${i}"]`) as HTMLElement | null)?.focus({ preventScroll: true });
  }, [p.selected]);
  const first = Math.max(0, Math.floor(top / ROW) - 3);
  const last = Math.min(p.items.length, Math.ceil((top + height) / ROW) + 3);
  useEffect(() => {
    if (p.hasMore && !p.loading && last >= p.items.length - 10) p.loadMore();
  }, [last, p.items.length, p.hasMore, p.loading]);
  const rows = [];
  for (let i = first; i < last; i++) {
    const m = p.items[i]!;
    rows.push(
      <MentionRow key={m.id} m={m} top={i * ROW} height={ROW} pos={i} total={p.items.length} queryName={p.queryName} busy={p.busy.has(m.id)}
        selected={i === p.selected} select={() => p.select(i)} convert={() => p.convert(m)} dismiss={() => p.dismiss(m)} />,
    );
  }
  return (
    <div class="feed" ref={ref} onScroll={(e) => setTop((e.target as HTMLDivElement).scrollTop)} aria-busy={p.loading} data-testid="feed">
      <div class="list-inner" role={p.items.length ? 'list' : undefined} aria-label={p.items.length ? 'Mentions' : undefined} style={{ height: `${p.items.length * ROW}px` }}>
        {rows}
      </div>
      {!p.loading && !p.items.length && <p class="empty">No posts here yet. New ones appear as they are found.</p>}
      {p.loading && !p.items.length && <p class="loading" aria-live="polite">Loading…</p>}
    </div>
  );
}

function MentionRow({ m, top, height, pos, total, queryName, busy, selected, select, convert, dismiss }: {
  m: Mention; top: number; height: number; pos: number; total: number; queryName: Map<number, string>; busy: boolean;
  selected: boolean; select: () => void; convert: () => void; dismiss: () => void;
}) {
  const link = safeLink(m.url);
  const reach = reachWords(m.author_followers);
  const names = m.queries.map((q) => queryName.get(q)).filter(Boolean) as string[];
  const who = m.author || 'Someone';
  return (
    <div
      role="listitem"
      class={'mention' + (selected ? ' selected' : '') + (m.dismissed ? ' dismissed' : '')}
      style={{ transform: `translateY(${top}px)`, height: `${height}px` }}
      aria-setsize={total}
      aria-posinset={pos + 1}
      aria-label={`Post by ${who}`}
      tabIndex={selected ? 0 : -1}
      data-row={pos}
      data-mention={m.id}
      onFocus={select}
    >
      <div class="mention-top">
        <span class={'chip chip-chan chan-' + m.platform}>{platformWord(m.platform)}</span>
        <span class="author" title={m.author_name ?? undefined}>{who}</span>
        {reach && <span class="reach" data-testid="reach">{reach}</span>}
        <span class="when" title={m.created_at}>{timeAgo(m.created_at)}</span>
      </div>
      <p class="mention-text" lang={m.lang ?? undefined}>{m.text}</p>
      <div class="mention-bottom">
        <span class="row-tags">
          {m.opportunity && <span class="chip chip-opportunity">Opportunity</span>}
          {m.intent && m.intent !== 'other' && <span class="chip chip-intent">{intentWord(m.intent)}</span>}
          {m.sentiment === 'negative' && <span class="chip chip-s-negative">{sentimentWord('negative')}</span>}
          {m.addressed_to_brand && <span class="chip chip-public">Addressed to us</span>}
          {m.lang && <span class="chip">{m.lang}</span>}
          {names.slice(0, 2).map((n) => (
            <span key={n} class="chip chip-label" title="Listening query">{n}</span>
          ))}
        </span>
        <span class="mention-actions">
          {link && (
            <a href={link} target="_blank" rel="noopener noreferrer">
              Open post<span class="sr-only"> by {who} on {platformWord(m.platform)} (opens a new tab)</span> <span aria-hidden="true">↗</span>
            </a>
          )}
          <button type="button" class="primary" disabled={busy} onClick={convert} aria-label={m.conversation_id ? `Open the conversation with ${who}` : `Convert the post by ${who} to a conversation`}>
            {m.conversation_id ? 'Open conversation' : 'Convert'}
          </button>
          <button type="button" disabled={busy} onClick={dismiss} aria-label={m.dismissed ? `Bring back the post by ${who}` : `Dismiss the post by ${who}`}>
            {m.dismissed ? 'Bring back' : 'Dismiss'}
          </button>
        </span>
      </div>
    </div>
  );
}
