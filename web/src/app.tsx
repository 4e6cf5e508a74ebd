// app.tsx - the agent web app shell: session, inbox state, live events, keyboard shortcuts.
//
// Everything customers wrote is rendered as text through JSX children (which Preact escapes);
// nothing in this app ever sets innerHTML.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, Agent, Channel, Conv, Counts, Me, qs, Reply, setCsrf } from './api';
import { Login } from './login';
import { Inbox, Query, View, matches, oneRowPerCase, placeConv } from './inbox';
import { ConversationPane } from './conversation';
import { ProfileDialog, HelpDialog } from './dialogs';
import { dueOf, SLA_EVENTS, useUnanswered, Sla } from './sla';
import { StatusToggle } from './status';
import { LiveContext, LiveEvent, Listener, LIVE_TYPES } from './live';
import { useRoute } from './route';
import { BulkBar } from './bulk';
import { AlertsButton, useAlerts } from './notify';
import { plainError } from './words';
import { clearAllDrafts } from './draft';
import { InvitePage } from './invite';
import { CallbackPage } from './callback_page';
import { SurveyPage } from './survey_page';
import { CsatButton } from './csat';
import { CallbacksButton } from './callback';
import { ReviewButton } from './review';
import { ApprovalsButton } from './care_policy';
import { ListeningScreen } from './listening';

export type { LiveEvent } from './live';

type SettingsModule = typeof import('./settings/shell');

const VIEW_QUERY: Record<View, Partial<Query>> = {
  mine: { assignee: 'me', status: 'open' },
  unassigned: { assignee: 'none', status: 'open' },
  open: { status: 'open' },
  resolved: { status: 'resolved' },
  unanswered: {},
  queue: {},
  blocked: { blocked: 'true' }, // every status: what the care team chose not to see
};

// Issue 7's views come from the Unanswered list (earliest deadline first, as the API orders it).
const SPECIAL = (v: View) => v === 'unanswered' || v === 'queue';

export function App() {
  // An invite link (#/invite/<token>) needs no session: the person has no password yet.
  const route = useRoute();
  if (route[0] === 'invite') return <InvitePage token={route[1] ?? ''} />;
  // A customer's callback link (/callback/<token>, a path: it is sent in a message) is public.
  if (location.pathname.startsWith('/callback/')) return <CallbackPage token={decodeURIComponent(location.pathname.slice(10))} />;
  // A customer's survey link (/s/<token>) is public too.
  if (location.pathname.startsWith('/s/')) return <SurveyPage token={decodeURIComponent(location.pathname.slice(3))} />;
  return <SignedIn />;
}

function SignedIn() {
  const [me, setMe] = useState<Agent | null | undefined>(undefined);
  useEffect(() => {
    api<Me>('GET', '/api/v1/me')
      .then((r) => {
        if (r.csrf) setCsrf(r.csrf);
        setMe(r.agent);
      })
      .catch(() => setMe(null));
  }, []);
  if (me === undefined) return <div class="splash" aria-busy="true">Loading…</div>;
  if (!me)
    return (
      <Login
        onLogin={(agent, csrf) => {
          setCsrf(csrf);
          setMe(agent);
        }}
      />
    );
  return <Shell me={me} setMe={setMe} />;
}

function Shell({ me, setMe }: { me: Agent; setMe: (a: Agent | null) => void }) {
  const [view, setView] = useState<View>('mine');
  const [filters, setFilters] = useState<Query>({ order: 'newest' });
  const [items, setItems] = useState<Conv[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [counts, setCounts] = useState<Counts | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [knownLabels, setKnownLabels] = useState<string[]>([]);
  const [dialog, setDialog] = useState<'profile' | 'help' | null>(null);
  // The key handler reads the open dialog through a ref: a key pressed between a dialog's
  // render and the effect that would re-register the handler must still see it.
  const dialogRef = useRef(dialog);
  dialogRef.current = dialog;
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const listeners = useRef(new Set<Listener>());
  const searchRef = useRef<HTMLInputElement>(null);
  const composerRef = useRef<{ focus: (mode: 'reply' | 'note') => void; resolve: () => void } | null>(null);
  const generation = useRef(0);
  // The admin console (#/settings/...) is loaded on first use: the inbox does not pay for it.
  const route = useRoute();
  const inSettings = route[0] === 'settings';
  // The listening screen (#/listening): agents and up; store staff have no listening (scope.c).
  const canListen = me.role !== 'store_staff';
  const inListening = route[0] === 'listening' && canListen;
  // A conversation's own address: #/c/<id> opens it (a link shared by a colleague, a reload).
  const linked = route[0] === 'c' && /^\d+$/.test(route[1] ?? '') ? Number(route[1]) : null;
  const [checked, setChecked] = useState<Set<number>>(new Set());
  const [bulkNote, setBulkNote] = useState('');
  const [settings, setSettings] = useState<SettingsModule | null>(null);
  const [settingsError, setSettingsError] = useState(false);
  useEffect(() => {
    if (inSettings && !settings)
      import('./settings/shell').then(setSettings, () => setSettingsError(true));
  }, [inSettings, settings]);

  const query: Query = useMemo(() => {
    const q: Query = { ...VIEW_QUERY[view], ...filters };
    if (filters.status === 'any') delete q.status;
    else if (!filters.status) q.status = VIEW_QUERY[view].status;
    return q;
  }, [view, filters]);

  const subscribe = useCallback((fn: Listener) => {
    listeners.current.add(fn);
    return () => listeners.current.delete(fn);
  }, []);

  const queryRef = useRef(query);
  queryRef.current = query;

  const loadCounts = useCallback(() => {
    api<Counts>('GET', '/api/v1/conversations/counts').then(setCounts).catch(() => {});
  }, []);

  const loadPage = useCallback(
    async (reset: boolean, after?: string | null) => {
      const gen = reset ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const q = queryRef.current;
        const r = await api<Reply<'/api/v1/conversations', 'get'>>(
          'GET',
          '/api/v1/conversations' +
            qs({
              status: q.status,
              assignee: q.assignee,
              channel: q.channel,
              label: q.label,
              intent: q.intent,
              sentiment: q.sentiment,
              urgency: q.urgency,
              q: q.q,
              order: q.order === 'due' ? undefined : q.order,
              blocked: q.blocked,
              limit: 100,
              cursor: reset ? undefined : after,
            }),
        );
        if (gen !== generation.current) return;
        setError('');
        setItems((old) => {
          const base = reset ? [] : old;
          const seen = new Set(base.map((c) => c.id));
          return base.concat(r.items.filter((c) => !seen.has(c.id)));
        });
        setCursor(r.next_cursor);
        setKnownLabels((old) => {
          const s = new Set(old);
          r.items.forEach((c) => c.labels.forEach((l) => s.add(l)));
          return s.size === old.length ? old : [...s].sort();
        });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) setMe(null);
        else setError(plainError(e, 'The conversations could not be loaded. Try again.'));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [setMe],
  );

  useEffect(() => {
    if (!SPECIAL(view)) loadPage(true);
  }, [query, loadPage, view]);

  useEffect(() => {
    loadCounts();
    api<Reply<'/api/v1/agents', 'get'>>('GET', '/api/v1/agents').then((r) => setAgents(r.items)).catch(() => {});
    api<Reply<'/api/v1/channels', 'get'>>('GET', '/api/v1/channels').then((r) => setChannels(r.items)).catch(() => {});
  }, [loadCounts]);

  // Live events: one EventSource; the browser resumes with Last-Event-ID after a drop, and if
  // the stream is closed for good we reopen it from the last id we saw.
  useEffect(() => {
    let es: EventSource | null = null;
    let lastId = '';
    let stopped = false;
    let retry: number | undefined;
    let countsTimer: number | undefined;
    const handle = (ev: MessageEvent) => {
      if (ev.lastEventId) lastId = ev.lastEventId;
      let data: Partial<LiveEvent> = {};
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      const e: LiveEvent = { type: ev.type, ...data };
      if (e.conversation) {
        const c = e.conversation;
        setItems((old) => {
          const q = queryRef.current;
          const i = old.findIndex((x) => x.id === c.id);
          const fits = matches(c, q, me.id);
          if (i < 0 && !fits) return old;
          if (i < 0 && q.q) return old; // search results come from the server only
          const next = old.slice();
          if (i >= 0) next.splice(i, 1);
          if (!fits) return next;
          return placeConv(next, i >= 0 ? { ...old[i], ...c } : c, q.order);
        });
        if (c.labels.length)
          setKnownLabels((old) => {
            const s = new Set(old);
            c.labels.forEach((l) => s.add(l));
            return s.size === old.length ? old : [...s].sort();
          });
        clearTimeout(countsTimer);
        countsTimer = window.setTimeout(loadCounts, 250);
      }
      listeners.current.forEach((fn) => fn(e));
    };
    const open = () => {
      if (stopped) return;
      setLive('connecting');
      es = new EventSource('/api/v1/events' + qs({ last_event_id: lastId || undefined }));
      es.onopen = () => setLive('live');
      for (const t of [...LIVE_TYPES, ...SLA_EVENTS])
        es.addEventListener(t, handle as EventListener);
      es.onerror = () => {
        if (!es) return;
        setLive('offline');
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          retry = window.setTimeout(open, 3000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(countsTimer);
      es?.close();
    };
  }, [me.id, loadCounts]);

  // Every filter is applied by the server (and by matches() for live updates), so the list is
  // exactly what was loaded. The SLA order sorts what is loaded by the most urgent deadline.
  const unanswered = useUnanswered(subscribe);
  const slas = useMemo(() => new Map<number, Sla>((unanswered ?? []).map((c) => [c.id, c.sla])), [unanswered]);
  const queued = useMemo(() => (unanswered ?? []).filter((c) => c.sla.routing.queued && c.assignee_id === null), [unanswered]);
  const visible = useMemo(() => {
    if (SPECIAL(view)) {
      const f = { ...filters, status: 'any', q: undefined };
      return (view === 'queue' ? queued : unanswered ?? []).filter((c) => matches(c, f, me.id));
    }
    if (filters.order !== 'due') return oneRowPerCase(items);
    const key = (c: Conv) => dueOf(slas.get(c.id), 0)?.at ?? Infinity;
    return oneRowPerCase(items.slice().sort((a, b) => key(a) - key(b) || b.id - a.id));
  }, [view, items, unanswered, queued, slas, filters, me.id]);

  const select = useCallback((id: number | null) => {
    setSelected(id);
    const want = id === null ? '#/' : `#/c/${id}`;
    if (location.hash !== want && !(id === null && !location.hash)) history.replaceState(null, '', want);
    if (id !== null)
      setItems((old) => old.map((c) => (c.id === id && c.unread ? { ...c, unread: 0 } : c)));
  }, []);

  const move = useCallback(
    (delta: number) => {
      if (!visible.length) return;
      const i = visible.findIndex((c) => c.id === selected || (selected !== null && c.linked_conversation_id === selected));
      const j = i < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, i + delta));
      select(visible[j].id);
    },
    [visible, selected, select],
  );

  // Every hash change counts (the route is a new array each time), even to the id the route held
  // before select() rewrote the address in place.
  useEffect(() => {
    if (linked !== null) setSelected(linked);
  }, [route]);

  const toggleCheck = useCallback((id: number) => {
    setChecked((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const alerts = useAlerts(me.id, subscribe, select, (id) => selectedRef.current === id && !inSettingsRef.current);

  // Keyboard shortcuts, ignored while typing, in the settings and on the listening screen (it
  // has its own).
  const inSettingsRef = useRef(inSettings || inListening);
  inSettingsRef.current = inSettings || inListening;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      const open = dialogRef.current;
      if (e.key === 'Escape') {
        if (open) setDialog(null);
        else if (typing) (t as HTMLElement).blur();
        return;
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey || open || inSettingsRef.current) return;
      switch (e.key) {
        case 'j': move(1); break;
        case 'k': move(-1); break;
        case 'r': composerRef.current?.focus('reply'); break;
        case 'n': composerRef.current?.focus('note'); break;
        case 'e': composerRef.current?.resolve(); break;
        case '/': searchRef.current?.focus(); break;
        case '?': setDialog('help'); break;
        case 'x': if (selectedRef.current !== null) toggleCheck(selectedRef.current); break;
        default: return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [move, toggleCheck]);

  const logout = async () => {
    clearAllDrafts();
    try {
      await api('POST', '/api/v1/logout', {});
    } catch {
      /* the session is gone either way */
    }
    setMe(null);
  };

  const triagePresent = items.some((c) => c.intent || c.sentiment || c.urgency !== null);

  return (
    <LiveContext.Provider value={subscribe}>
    <div class={'shell' + (inSettings ? ' in-settings' : inListening ? ' in-listening' : selected !== null ? ' has-selection' : '')}>
      <header class="topbar">
        <a class="skip" href="#conversation">Skip to conversation</a>
        <span class="brand">Hark</span>
        <form class="search" role="search" onSubmit={(e) => e.preventDefault()}>
          <label for="search" class="sr-only">Search conversations</label>
          <input
            id="search"
            ref={searchRef}
            type="search"
            placeholder="Search  ( / )"
            title="Words in messages, or a name, handle, email or phone. End a word with * to find words that start with it."
            value={filters.q ?? ''}
            maxLength={200}
            onInput={(e) => {
              const v = (e.target as HTMLInputElement).value;
              setFilters((f) => ({ ...f, q: v || undefined }));
            }}
          />
        </form>
        <span class={'live live-' + live} role="status" title="Live updates">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        <StatusToggle meId={me.id} subscribe={subscribe} />
        <AlertsButton {...alerts} />
        <CallbacksButton onOpen={(id) => { location.hash = `#/c/${id}`; }} />
        {(me.role === 'admin' || me.role === 'supervisor') && <CsatButton />}
        <ReviewButton onOpenConv={(id) => { location.hash = `#/c/${id}`; }} />
        <ApprovalsButton role={me.role ?? ''} onOpen={(id) => { location.hash = `#/c/${id}`; }} />
        {canListen && (
          <a class={'topbar-link' + (inListening ? ' current' : '')} href={inListening ? '#/' : '#/listening'} aria-label={inListening ? 'Inbox' : 'Listening'} aria-current={inListening ? 'page' : undefined} data-testid="listening-link">
            <span class="topbar-icon" aria-hidden="true">{inListening ? '✉' : '◎'}</span>
            <span class="topbar-link-text">{inListening ? 'Inbox' : 'Listening'}</span>
          </a>
        )}
        <a class={'topbar-link' + (inSettings ? ' current' : '')} href={inSettings ? '#/' : '#/settings'} aria-label={inSettings ? 'Inbox' : 'Settings'}>
          <span class="topbar-icon" aria-hidden="true">{inSettings ? '✉' : '⚙'}</span>
          <span class="topbar-link-text">{inSettings ? 'Inbox' : 'Settings'}</span>
        </a>
        <button type="button" class="ghost" onClick={() => setDialog('help')} aria-label="Keyboard shortcuts">?</button>
        <button type="button" class="me" onClick={() => setDialog('profile')}>
          <Avatar name={me.display_name} url={me.avatar_url} />
          <span class="me-name">{me.display_name}</span>
          <span class="sr-only">My profile</span>
        </button>
        <button type="button" class="ghost" onClick={logout}>Log out</button>
      </header>
      {inListening ? (
        <ListeningScreen
          subscribe={subscribe}
          channels={channels}
          openConversation={(id) => {
            location.hash = `#/c/${id}`;
          }}
        />
      ) : inSettings ? (
        <main class="settings-pane" id="conversation">
          {settings ? (
            <settings.Settings me={me} area={route[1]} />
          ) : (
            <p class="splash" aria-busy={!settingsError}>
              {settingsError ? 'The settings could not be loaded. Check your connection and reload.' : 'Loading settings…'}
            </p>
          )}
        </main>
      ) : (
      <>
      <Inbox
        view={view}
        setView={(v) => {
          setView(v);
          select(null);
          setChecked(new Set());
        }}
        counts={counts && { ...counts, unanswered: unanswered?.length ?? 0, queue: queued.length }}
        slas={slas}
        query={query}
        filters={filters}
        setFilters={setFilters}
        channels={channels}
        labels={knownLabels}
        triagePresent={triagePresent}
        items={visible}
        loading={SPECIAL(view) ? unanswered === null : loading}
        error={error}
        hasMore={!!cursor && !SPECIAL(view)}
        loadMore={() => cursor && !loading && loadPage(false, cursor)}
        selected={selected}
        select={select}
        checked={checked}
        toggleCheck={toggleCheck}
        bulk={
          <>
            {checked.size > 0 && (
              <BulkBar
                ids={[...checked]}
                agents={agents}
                meId={me.id}
                onClear={() => {
                  setChecked(new Set());
                  setBulkNote('');
                }}
                onDone={(keep, outcome) => {
                  setChecked(new Set(keep));
                  setBulkNote(outcome);
                }}
              />
            )}
            {bulkNote && (
              <p class="bulk-msg" role="status" data-testid="bulk-note">
                {bulkNote}
                <button type="button" class="ghost" aria-label="Dismiss" onClick={() => setBulkNote('')}>×</button>
              </p>
            )}
          </>
        }
      />
      <main id="conversation" class="pane" tabIndex={-1}>
        {selected !== null ? (
          <ConversationPane
            key={selected}
            id={selected}
            me={me}
            agents={agents}
            channels={channels}
            subscribe={subscribe}
            onBack={() => select(null)}
            onOpen={select}
            composerRef={composerRef}
            onLabels={(ls) =>
              setKnownLabels((old) => {
                const s = new Set(old);
                ls.forEach((l) => s.add(l));
                return s.size === old.length ? old : [...s].sort();
              })
            }
          />
        ) : (
          <div class="empty-pane">
            <h1 class="sr-only">Inbox</h1>
            <p>Select a conversation.</p>
            <p class="hint">
              <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>r</kbd> reply · <kbd>n</kbd> note · <kbd>e</kbd> resolve ·{' '}
              <kbd>/</kbd> search · <kbd>?</kbd> help
            </p>
          </div>
        )}
      </main>
      </>
      )}
      {dialog === 'profile' && (
        <ProfileDialog
          me={me}
          onClose={() => setDialog(null)}
          onSaved={(a) => setMe({ ...me, ...a })}
        />
      )}
      {dialog === 'help' && <HelpDialog onClose={() => setDialog(null)} />}
    </div>
    </LiveContext.Provider>
  );
}

export function Avatar({ name, url, size = 28 }: { name: string; url?: string | null; size?: number }) {
  const safe = url && (/^https:\/\//i.test(url) || /^\/[^/]/.test(url)) ? url : null;
  const initials = (name || '?')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` };
  // A picture that does not load (moved, offline) shows the initials, not a broken image.
  const [broken, setBroken] = useState<string | null>(null);
  return safe && broken !== safe ? (
    <img class="avatar" src={safe} alt="" style={style} referrerpolicy="no-referrer" onError={() => setBroken(safe)} />
  ) : (
    <span class="avatar" aria-hidden="true" style={style}>
      {initials}
    </span>
  );
}
