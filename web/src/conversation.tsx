// conversation.tsx - one conversation: the thread, the agent's actions (assign, labels,
// resolve/reopen/snooze), the composer, and the customer sidebar.
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import { api, ApiError, Agent, Channel, clock, Contact, Conv, ConvFull, Msg, MsgPage, timeAgo } from './api';
import { Avatar, LiveEvent } from './app';
import { SlaPanel, useNow } from './sla';
import { ResolveReasonDialog } from './resolve';
import { CauseChip, GoodwillDialog, money, RootCauseDialog } from './care_policy';
import { useCanned } from './canned';
import { Audience, Meter, MeterProps, overLimit, windowClosed } from './composer_meter';
import { clearDraft, loadDraft, saveDraft } from './draft';
import { snoozeUntil } from './snooze';
import { TemplatePicker } from './template_picker';
import type { ReplyLimit } from './textcount';
import { deliveryWords, ordinal, plainError } from './words';
import { TriageChips, UrgencyLine } from './triage';
import { PrivateReplyDialog, canGoPrivate } from './private_reply';
import { ConvCallbacks, OfferCallbackDialog } from './callback';
import { BlockDialog, BlockedBox, BlockSuggestion, suggestsBlock, UnblockDialog } from './block';
import { channelWord, MergePanel } from './merge';

interface Props {
  id: number;
  me: Agent;
  agents: Agent[];
  channels: Channel[];
  subscribe: (fn: (e: LiveEvent) => void) => () => void;
  onBack: () => void;
  onOpen: (id: number) => void;
  onLabels: (labels: string[]) => void;
  composerRef: RefObject<{ focus: (mode: 'reply' | 'note') => void; resolve: () => void } | null>;
}

export function ConversationPane(p: Props) {
  const [conv, setConv] = useState<ConvFull | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [showCustomer, setShowCustomer] = useState(false);
  const [askReason, setAskReason] = useState(false);
  // Resolving a complaint asks for its root cause first (422 root_cause_required); the cause
  // picked rides along when the unanswered rule then asks why no reply.
  const [askCause, setAskCause] = useState(false);
  const [cause, setCause] = useState<number | null>(null);
  const [goodwill, setGoodwill] = useState(false);
  const [goPrivate, setGoPrivate] = useState(false);
  const [offerCall, setOfferCall] = useState(false);
  const [earlier, setEarlier] = useState<Conv[]>([]);
  // Blocking: the open dialog, and whether the agent said "Not now" to the suggestion.
  const [blockAsk, setBlockAsk] = useState<'block' | 'unblock' | null>(null);
  const [noSuggest, setNoSuggest] = useState(false);
  const threadRef = useRef<HTMLOListElement>(null);
  // Older history: 'loading' while a page is on its way, 'error' when the last try failed.
  const [older, setOlder] = useState<'idle' | 'loading' | 'error'>('idle');
  const olderBusy = useRef(false);
  // The thread's height and scroll offset before older messages were put on top, so the
  // message the agent was reading stays where it was.
  const keep = useRef<{ height: number; top: number } | null>(null);

  useEffect(() => {
    let gone = false;
    api<ConvFull>('GET', `/api/v1/conversations/${p.id}`)
      .then((c) => {
        if (gone) return;
        setConv(c);
        if (c.unread) api('POST', `/api/v1/conversations/${p.id}/read`, {}).catch(() => {});
      })
      .catch((e) => !gone && setError(e instanceof ApiError && e.status === 404 ? 'This conversation does not exist, or you cannot see it.' : plainError(e, 'The conversation could not be loaded. Try again.')));
    return () => {
      gone = true;
    };
  }, [p.id]);

  useEffect(
    () =>
      p.subscribe((e) => {
        const m = e.message;
        const c = e.conversation;
        setConv((old) => {
          if (!old) return old;
          let next = old;
          if (c && c.id === old.id) next = { ...next, ...c, contact: next.contact, messages: next.messages };
          if (m && m.conversation_id === old.id) {
            const i = next.messages.findIndex((x) => x.id === m.id);
            const msgs = next.messages.slice();
            if (i >= 0) msgs[i] = m;
            // An update to a message in a page not loaded yet stays there (ids only grow).
            else if (!next.messages_next_cursor || !msgs.length || m.id > msgs[0].id) msgs.push(m);
            next = { ...next, messages: msgs };
          }
          return next;
        });
        if (m && m.conversation_id === p.id && m.direction === 'in' && e.type === 'message.created')
          api('POST', `/api/v1/conversations/${p.id}/read`, {}).catch(() => {});
      }),
    [p.id, p.subscribe],
  );

  // The customer's other conversations this week: a repeat contact is marked, the earlier ones
  // one click away.
  const contactId = conv?.contact_id;
  useEffect(() => {
    if (!contactId) return;
    let gone = false;
    api<Contact>('GET', `/api/v1/contacts/${contactId}`)
      .then((c) => !gone && setEarlier((c.conversations ?? []).filter((x) => x.id !== p.id)))
      .catch(() => {});
    return () => {
      gone = true;
    };
  }, [contactId, p.id]);

  // Stay at the bottom of the thread as new messages arrive (older pages go on top and keep
  // the reading position instead).
  const msgs = conv?.messages ?? [];
  const newest = msgs.length ? msgs[msgs.length - 1].id : 0;
  useEffect(() => {
    const el = threadRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newest]);

  useLayoutEffect(() => {
    const el = threadRef.current;
    const k = keep.current;
    if (!el || !k) return;
    keep.current = null;
    el.scrollTop = el.scrollHeight - k.height + k.top;
  }, [msgs.length]);

  // Reset the history state when another conversation opens.
  useEffect(() => {
    olderBusy.current = false;
    setOlder('idle');
    setNoSuggest(false);
    setBlockAsk(null);
  }, [p.id]);

  const loadOlder = async () => {
    const c = conv;
    const cursor = c?.messages_next_cursor;
    if (!c || !cursor || olderBusy.current) return;
    olderBusy.current = true;
    setOlder('loading');
    try {
      const page = await api<MsgPage>(
        'GET',
        `/api/v1/conversations/${c.id}/messages?limit=50&before=${encodeURIComponent(cursor)}`,
      );
      const el = threadRef.current;
      if (el) keep.current = { height: el.scrollHeight, top: el.scrollTop };
      setConv((old) => {
        if (!old || old.id !== c.id || old.messages_next_cursor !== cursor) return old;
        const have = new Set(old.messages.map((x) => x.id));
        const add = page.items.filter((x) => !have.has(x.id));
        return { ...old, messages: [...add, ...old.messages], messages_next_cursor: page.next_cursor };
      });
      setOlder('idle');
    } catch {
      setOlder('error');
    } finally {
      olderBusy.current = false;
    }
  };

  // Near the top of the thread, fetch the page before it.
  const onThreadScroll = () => {
    const el = threadRef.current;
    if (el && el.scrollTop < 200 && older !== 'error') loadOlder();
  };

  const act = async (path: string, body: unknown, done?: string) => {
    setNotice('');
    try {
      const c = await api<Conv>('POST', `/api/v1/conversations/${p.id}/${path}`, body);
      setConv((old) => (old ? { ...old, ...c } : old));
      if (done) setNotice(done);
      return true;
    } catch (e) {
      setNotice(plainError(e));
      return false;
    }
  };

  const canMove =
    !conv || p.me.role === 'admin' || p.me.role === 'supervisor' || conv.assignee_id === null || conv.assignee_id === p.me.id;

  const toggleResolve = () => {
    if (!conv) return;
    if (conv.status === 'resolved') act('status', { status: 'open' }, 'Reopened.');
    else resolve();
  };

  // An unanswered conversation needs a reason (422 reason_required): ask for it.
  const resolve = async (causeId?: number): Promise<boolean> => {
    setNotice('');
    try {
      const c = await api<Conv>('POST', `/api/v1/conversations/${p.id}/status`, causeId ? { status: 'resolved', root_cause_id: causeId } : { status: 'resolved' });
      setConv((old) => (old ? { ...old, ...c } : old));
      setNotice('Resolved.');
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'root_cause_required') setAskCause(true);
      else if (e instanceof ApiError && e.code === 'reason_required') {
        setCause(causeId ?? null);
        setAskReason(true);
        return true;
      } else setNotice(plainError(e));
      return false;
    }
  };

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!conv) return <p class="loading">Loading…</p>;

  const lastIn = [...conv.messages].reverse().find((m) => m.direction === 'in' && m.kind === 'message');
  const suggest = !conv.blocked && !conv.contact.blocked && !noSuggest ? suggestsBlock(conv, lastIn?.triage?.intent) : null;
  const blocked = (s: { status: Contact['status']; blocked: Contact['blocked'] }) => {
    setBlockAsk(null);
    setConv((old) => (old ? { ...old, blocked: !!s.blocked, assignee_id: s.blocked ? null : old.assignee_id, contact: { ...old.contact, status: s.status, blocked: s.blocked } } : old));
    setNotice(s.blocked ? 'Blocked. Their conversations left the inbox; their messages are still kept.' : 'Unblocked. Their conversations are back in the inbox.');
  };

  return (
    <div class={'conv' + (showCustomer ? ' show-sidebar' : '')}>
      <section class="thread-col" aria-label="Conversation">
        <header class="conv-head">
          <button type="button" class="ghost back" onClick={p.onBack} aria-label="Back to inbox">←</button>
          <div class="who">
            <h1>{conv.contact.name || `Contact ${conv.contact_id}`}</h1>
            <p class="muted conv-facts">
              {conv.channel_name ?? conv.channel_type}{' '}
              {conv.linked_conversation_id ? (
                <CaseTabs conv={conv} onOpen={p.onOpen} />
              ) : (
                <span class={'chip ' + (conv.public ? 'chip-public' : 'chip-private')}>{conv.public ? 'Public thread' : 'Private conversation'}</span>
              )}{' '}
              <span class={'chip chip-st-' + conv.status} data-testid="conv-status">{STATUS_WORDS[conv.status] ?? conv.status}</span>
              {conv.blocked && <> <span class="chip chip-blocked" data-testid="conv-blocked">Blocked</span></>}
              <CauseChip convId={conv.id} status={conv.status} />
              {conv.status === 'snoozed' && conv.snooze_until && <> until {clock(conv.snooze_until)}</>}
              <RepeatMarker conv={conv} earlier={earlier} onOpen={p.onOpen} />
            </p>
          </div>
          <div class="actions">
            <label class="sr-only" for="assign">Assignee</label>
            {/* Agents and store staff take unassigned conversations and hand over their own;
                moving someone else's is for supervisors and admins (the API says the same). */}
            <select
              id="assign"
              disabled={!canMove}
              title={canMove ? undefined : 'Only a supervisor or admin can reassign another agent’s conversation'}
              value={conv.assignee_id === null ? '' : String(conv.assignee_id)}
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                act('assign', { agent_id: v === '' ? null : Number(v) }, v ? 'Assigned.' : 'Unassigned.');
              }}
            >
              <option value="">Unassigned</option>
              {p.agents.map((a) => (
                <option key={a.id} value={String(a.id)}>
                  {a.id === p.me.id ? `${a.display_name} (me)` : a.display_name}
                </option>
              ))}
            </select>
            {conv.assignee_id !== p.me.id && canMove && (
              <button type="button" onClick={() => act('assign', { agent_id: 'me' }, 'Assigned to you.')}>Assign to me</button>
            )}
            <button type="button" class={conv.status === 'resolved' ? '' : 'primary'} onClick={toggleResolve}>
              {conv.status === 'resolved' ? 'Reopen' : 'Resolve'}
            </button>
            <button type="button" class="customer-toggle" aria-expanded={showCustomer} onClick={() => setShowCustomer(!showCustomer)}>
              Customer
            </button>
            <Snooze onSnooze={(until) => act('status', { status: 'snoozed', snooze_until: until }, 'Snoozed.')} />
            {canGoPrivate(conv) && (
              <button type="button" onClick={() => setGoPrivate(true)} data-testid="go-private">Reply privately</button>
            )}
            {!conv.public && (
              <button type="button" onClick={() => setOfferCall(true)} data-testid="offer-callback">Offer a callback</button>
            )}
            <button type="button" onClick={() => setGoodwill(true)} data-testid="goodwill">Goodwill</button>
            <CopyLink id={conv.id} />
          </div>
          <div class="conv-sub">
            <UrgencyLine msgs={conv.messages} urgency={conv.urgency} />
            <SlaPanel id={conv.id} subscribe={p.subscribe} status={conv.status} isPublic={conv.public} />
            <ConvCallbacks convId={conv.id} />
          </div>
        </header>
        <Labels conv={conv} onChange={(labels) => act('labels', { labels }).then((ok) => ok && p.onLabels(labels))} />
        {notice && <p class="notice" role="status">{notice}</p>}
        {suggest && (
          <BlockSuggestion
            kind={suggest}
            onDismiss={() => setNoSuggest(true)}
            onBlock={() => setBlockAsk('block')}
          />
        )}
        <ol class="thread" ref={threadRef} aria-label="Messages" aria-live="polite" onScroll={onThreadScroll}>
          <li class="thread-top" data-testid="thread-top">
            {!conv.messages_next_cursor ? (
              <span class="thread-start">Beginning of the conversation</span>
            ) : older === 'loading' ? (
              <span class="thread-loading" role="status">Loading older messages…</span>
            ) : (
              <button type="button" class="ghost" onClick={loadOlder}>
                {older === 'error' ? 'Could not load older messages. Try again' : 'Load older messages'}
              </button>
            )}
          </li>
          {conv.messages.map((m) => (
            <Message key={m.id} m={m} conv={conv} onTriage={(x) => setConv((old) => (old ? { ...old, messages: old.messages.map((y) => (y.id === x.id ? x : y)) } : old))} />
          ))}
        </ol>
        <Composer conv={conv} composerRef={p.composerRef} resolve={toggleResolve} limit={p.channels.find((c) => c.id === conv.channel_id)?.reply_limit ?? null} />
      </section>
      {goPrivate && (
        <PrivateReplyDialog
          conv={conv}
          onClose={() => setGoPrivate(false)}
          onDone={(dmId) => {
            setGoPrivate(false);
            setConv((old) => (old ? { ...old, linked_conversation_id: dmId } : old));
            setNotice('Moved to a private conversation, assigned to the same agent.');
          }}
        />
      )}
      {offerCall && (
        <OfferCallbackDialog
          conv={conv}
          onClose={() => setOfferCall(false)}
          onDone={() => {
            setOfferCall(false);
            setNotice('Callback offered. When the customer picks a time, the call shows here and in your callbacks.');
          }}
        />
      )}
      {askCause && <RootCauseDialog convId={conv.id} onClose={() => setAskCause(false)} onResolve={(id) => resolve(id)} />}
      {askReason && (
        <ResolveReasonDialog
          onClose={() => setAskReason(false)}
          onResolve={(reason) => act('status', cause ? { status: 'resolved', reason, root_cause_id: cause } : { status: 'resolved', reason }, 'Resolved.')}
        />
      )}
      {goodwill && (
        <GoodwillDialog
          convId={conv.id}
          onClose={() => setGoodwill(false)}
          onDone={(g) => {
            setGoodwill(false);
            setNotice(g.status === 'approved'
              ? `Goodwill recorded: ${money(g.amount_minor, g.currency)}.`
              : `Goodwill of ${money(g.amount_minor, g.currency)} sent for a supervisor’s approval.`);
          }}
        />
      )}
      {blockAsk === 'block' && <BlockDialog contact={conv.contact} onClose={() => setBlockAsk(null)} onDone={blocked} />}
      {blockAsk === 'unblock' && <UnblockDialog contact={conv.contact} onClose={() => setBlockAsk(null)} onDone={blocked} />}
      <Sidebar
        contact={conv.contact}
        current={conv.id}
        blocked={conv.blocked}
        me={p.me}
        onOpen={p.onOpen}
        onClose={() => setShowCustomer(false)}
        onBlock={() => setBlockAsk('block')}
        onUnblock={() => setBlockAsk('unblock')}
      />
    </div>
  );
}

function Snooze({ onSnooze }: { onSnooze: (iso: string) => void }) {
  return (
    <>
      <label class="sr-only" for="snooze">Snooze</label>
      <select
        id="snooze"
        value=""
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          (e.target as HTMLSelectElement).value = '';
          if (!v) return;
          onSnooze(snoozeUntil(v));
        }}
      >
        <option value="">Snooze…</option>
        <option value="1h">For 1 hour</option>
        <option value="tomorrow">Until tomorrow 9:00</option>
        <option value="week">Until Monday 9:00</option>
      </select>
    </>
  );
}

function Labels({ conv, onChange }: { conv: Conv; onChange: (labels: string[]) => void }) {
  const [text, setText] = useState('');
  const add = (e: Event) => {
    e.preventDefault();
    const l = text.trim().replace(/,/g, ' ');
    if (!l || conv.labels.includes(l)) return;
    onChange([...conv.labels, l]);
    setText('');
  };
  return (
    <form class="labels" onSubmit={add} aria-label="Labels">
      {conv.labels.map((l) => (
        <span key={l} class="label">
          {l}
          <button type="button" class="x" aria-label={`Remove label ${l}`} onClick={() => onChange(conv.labels.filter((x) => x !== l))}>×</button>
        </span>
      ))}
      <label class="sr-only" for="label-add">Add label</label>
      <input id="label-add" placeholder="+ label" maxLength={200} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
    </form>
  );
}

const STATUS_WORDS: Record<string, string> = { open: 'Open', pending: 'Pending', snoozed: 'Snoozed', resolved: 'Resolved' };

// A public thread moved to private is one case with two halves: both named, the one shown
// marked, the other one click away (the inbox lists the case once).
function CaseTabs({ conv, onOpen }: { conv: ConvFull; onOpen: (id: number) => void }) {
  const other = conv.linked_conversation_id!;
  const half = (isPublic: boolean) => {
    const words = isPublic ? 'Public thread' : 'Private conversation';
    const cls = 'chip case-half ' + (isPublic ? 'chip-public' : 'chip-private');
    if (conv.public === isPublic)
      return (
        <span class={cls} aria-current="page">
          {words}
        </span>
      );
    return (
      <a class={cls + ' case-other'} href={`#/c/${other}`} data-testid="case-link" onClick={(e) => (e.preventDefault(), onOpen(other))}>
        {words} →
      </a>
    );
  };
  return (
    <span class="case-tabs" role="group" aria-label="One case, two conversations">
      {half(true)}
      {half(false)}
    </span>
  );
}

// "3rd conversation this week": a customer writing again is not a first contact.
function RepeatMarker({ conv, earlier, onOpen }: { conv: ConvFull; earlier: Conv[]; onOpen: (id: number) => void }) {
  const [open, setOpen] = useState(false);
  const start = Date.parse(conv.created_at);
  // Earlier: a smaller id (ids follow creation; two created in the same millisecond stay ordered).
  const week = earlier.filter((x) => x.id < conv.id && x.id !== conv.linked_conversation_id && start - Date.parse(x.created_at) < 7 * 86400_000);
  if (!week.length) return null;
  return (
    <span class="repeat">
      <button type="button" class="chip chip-repeat" aria-expanded={open} data-testid="repeat-contact" onClick={() => setOpen(!open)}>
        ↻ {ordinal(week.length + 1)} conversation this week
      </button>
      {open && (
        <ul class="repeat-list" aria-label="Earlier conversations this week">
          {week.map((x) => (
            <li key={x.id}>
              <a href={`#/c/${x.id}`} onClick={(e) => (e.preventDefault(), onOpen(x.id))}>
                <span class={'chip chip-st-' + x.status}>{STATUS_WORDS[x.status] ?? x.status}</span> {x.preview || 'No text'}{' '}
                <span class="muted">{timeAgo(x.last_message_at ?? x.created_at)}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

// Copies the conversation's address (#/c/<id>) to share with a colleague.
function CopyLink({ id }: { id: number }) {
  const [done, setDone] = useState(false);
  const url = `${location.origin}${location.pathname}#/c/${id}`;
  return (
    <button
      type="button"
      class="ghost copy-link"
      title={url}
      onClick={() => {
        navigator.clipboard?.writeText(url).then(() => setDone(true), () => setDone(false));
        setTimeout(() => setDone(false), 2000);
      }}
    >
      {done ? 'Link copied' : 'Copy link'}
    </button>
  );
}

function Message({ m, conv, onTriage }: { m: Msg; conv: Conv; onTriage: (m: Msg) => void }) {
  if (m.kind === 'event')
    return (
      <li class="msg event" data-msg={m.id}>
        <span>{m.text}</span> <time>{clock(m.created_at)}</time>
      </li>
    );
  const note = m.kind === 'note';
  const cls = (note ? 'note' : m.direction === 'in' ? 'in' : 'out') + (m.bot ? ' bot' : '');
  const who = m.bot ? 'FAQ bot' : m.author_name ?? (m.direction === 'in' ? 'Customer' : 'Hark');
  return (
    <li class={'msg ' + cls} data-msg={m.id} data-kind={m.kind} data-direction={m.direction} data-bot={m.bot ? 'true' : undefined}>
      <div class="meta">
        <strong>{who}</strong>
        {m.bot && <span class="tag bot">{note ? 'Why it came to a person' : 'Automatic answer · not a person'}</span>}
        {note ? (
          <span class="tag private">Private note · customer never sees this</span>
        ) : conv.public ? (
          <span class="tag public">Public</span>
        ) : (
          <span class="tag dm">Private message</span>
        )}
        <time dateTime={m.created_at} title={m.created_at}>{clock(m.created_at)}</time>
      </div>
      <p class="text">{m.text}</p>
      {m.direction === 'out' && !note && <Delivery m={m} />}
      {m.triage && <TriageChips m={m} onSaved={onTriage} />}
    </li>
  );
}

function Delivery({ m }: { m: Msg }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  if (m.status === 'failed')
    return (
      <div class="delivery failed" role="status">
        <span>Not delivered{m.error ? `: ${deliveryWords(m.error)}` : ''}</span>
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await api('POST', `/api/v1/messages/${m.id}/retry`, {});
            } catch (e) {
              setErr(plainError(e, 'Could not retry. Try again.'));
            } finally {
              setBusy(false);
            }
          }}
        >
          Retry
        </button>
        {err && <span class="error">{err}</span>}
      </div>
    );
  return (
    <div class={'delivery ' + m.status}>
      {m.status === 'queued' ? (m.error ? `Sending again soon (${deliveryWords(m.error)})` : 'Sending…') : m.status === 'sent' ? `Sent ✓ ${m.sent_at ? timeAgo(m.sent_at) : ''}` : m.status}
    </div>
  );
}

function Composer({ conv, composerRef, resolve, limit }: { conv: ConvFull; composerRef: Props['composerRef']; resolve: () => void; limit: ReplyLimit | null }) {
  // The draft (text and mode) survives reloads and switching conversations (draft.ts).
  const [mode, setMode] = useState<'reply' | 'note'>(() => loadDraft(conv.id)?.mode ?? 'reply');
  const [text, setText] = useState(() => loadDraft(conv.id)?.text ?? '');
  useEffect(() => saveDraft(conv.id, { text, mode }), [conv.id, text, mode]);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const now = useNow(15000);
  const ta = useRef<HTMLTextAreaElement>(null);
  useImperativeHandle(composerRef, () => ({
    focus: (m: 'reply' | 'note') => {
      setMode(m);
      ta.current?.focus();
    },
    resolve,
  }));
  const canned = useCanned({ convId: conv.id, text, setText, ta, note: mode === 'note' });
  const meter: MeterProps = {
    text, mode, isPublic: conv.public, channelType: conv.channel_type, channelName: conv.channel_name, limit, now,
    customer: conv.contact.name || 'the customer', windowCloses: conv.reply_window_closes_at,
  };
  const blocked = overLimit(meter) || windowClosed(meter);
  const send = async (anyway = false) => {
    if (!text.trim() || busy || blocked) return;
    setBusy(true);
    setErr('');
    try {
      const extra = await canned.check(anyway); // null: nudged, the agent decides (canned.tsx)
      if (!extra) return;
      await api<Msg>('POST', `/api/v1/conversations/${conv.id}/messages`, { text, private: mode === 'note', ...extra });
      setText('');
      canned.sent();
      clearDraft(conv.id);
    } catch (e) {
      setErr(plainError(e, 'The reply was not sent. Try again.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class={'composer ' + mode + (conv.public ? ' public' : '')}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div class="modes" role="radiogroup" aria-label="Reply or private note">
        <label class={mode === 'reply' ? 'on' : ''}>
          <input type="radio" name="mode" value="reply" checked={mode === 'reply'} onChange={() => setMode('reply')} /> {conv.public ? 'Public reply' : 'Reply'}
        </label>
        <label class={mode === 'note' ? 'on' : ''}>
          <input type="radio" name="mode" value="note" checked={mode === 'note'} onChange={() => setMode('note')} /> Private note
        </label>
      </div>
      <Audience {...meter} />
      {windowClosed(meter) && conv.channel_type === 'whatsapp' && <TemplatePicker convId={conv.id} />}
      <label for="composer-text" class="sr-only">{mode === 'reply' ? (conv.public ? 'Public reply to the customer' : 'Reply to the customer') : 'Private note for the team'}</label>
      <textarea
        id="composer-text"
        ref={ta}
        {...canned.inputProps}
        rows={3}
        maxLength={16384}
        placeholder={mode === 'reply' ? (conv.public ? 'Reply in public…' : 'Reply…') : 'Note for your team (never sent to the customer)…'}
        value={text}
        aria-invalid={blocked && !!text ? true : undefined}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (canned.onKeyDown(e)) return;
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      {canned.ui(() => send(true))}
      {err && <p class="error" role="alert">{err}</p>}
      <div class="row-end">
        <Meter {...meter} />
        <span class="muted hint">Ctrl/⌘+Enter to send</span>
        <button type="submit" class="primary" disabled={busy || !text.trim() || blocked}>
          {mode === 'reply' ? (conv.public ? 'Send public reply' : 'Send reply') : 'Add note'}
        </button>
      </div>
    </form>
  );
}

interface SidebarProps {
  contact: Contact;
  current: number;
  blocked: boolean; // the conversation's flag: a change (here or by a colleague) reloads the contact
  me: Agent;
  onOpen: (id: number) => void;
  onClose: () => void;
  onBlock: () => void;
  onUnblock: () => void;
}

function Sidebar({ contact, current, blocked, me, onOpen, onClose, onBlock, onUnblock }: SidebarProps) {
  const [c, setC] = useState<Contact>(contact);
  const [notes, setNotes] = useState(contact.notes);
  const [tag, setTag] = useState('');
  const [msg, setMsg] = useState('');
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    api<Contact>('GET', `/api/v1/contacts/${contact.id}`)
      .then((x) => {
        setC(x);
        setNotes(x.notes);
      })
      .catch(() => {});
  }, [contact.id, blocked, reloads]);
  const patch = async (body: Partial<Contact>, done: string) => {
    try {
      const x = await api<Contact>('PATCH', `/api/v1/contacts/${c.id}`, body);
      setC((old) => ({ ...old, ...x, conversations: old.conversations, identities: x.identities ?? old.identities }));
      setMsg(done);
    } catch (e) {
      setMsg(plainError(e, 'Not saved. Try again.'));
    }
  };
  return (
    <aside class="sidebar" aria-label="Customer">
      <button type="button" class="ghost sidebar-close" onClick={onClose} aria-label="Close customer details">×</button>
      <div class="contact-head">
        <Avatar name={c.name} size={40} />
        <div>
          <h2>{c.name}</h2>
          <p class="muted">{c.status}{c.location ? ` · ${c.location}` : ''}</p>
        </div>
      </div>
      <BlockedBox contact={{ ...c, blocked: c.blocked === undefined ? contact.blocked : c.blocked }} me={me} onBlock={onBlock} onUnblock={onUnblock} />
      <h3>Handles</h3>
      <ul class="handles">
        {(c.identities ?? []).map((i) => (
          <li key={i.id}>
            <span class="chan">{channelWord(i.channel_type)}</span> {i.handle ?? i.name ?? i.platform_id}
          </li>
        ))}
        {c.email && <li><span class="chan">email</span> {c.email}</li>}
        {c.phone && <li><span class="chan">phone</span> {c.phone}</li>}
      </ul>
      <MergePanel contact={c} me={me} onChanged={() => setReloads((n) => n + 1)} />
      <h3>Tags</h3>
      <form
        class="labels"
        onSubmit={(e) => {
          e.preventDefault();
          const t = tag.trim().replace(/,/g, ' ');
          if (t && !c.tags.includes(t)) patch({ tags: [...c.tags, t] }, 'Tag added.');
          setTag('');
        }}
      >
        {c.tags.map((t) => (
          <span key={t} class="label">
            {t}
            <button type="button" class="x" aria-label={`Remove tag ${t}`} onClick={() => patch({ tags: c.tags.filter((x) => x !== t) }, 'Tag removed.')}>×</button>
          </span>
        ))}
        <label for="tag-add" class="sr-only">Add tag</label>
        <input id="tag-add" placeholder="+ tag" maxLength={200} value={tag} onInput={(e) => setTag((e.target as HTMLInputElement).value)} />
      </form>
      <h3><label for="contact-notes">Notes</label></h3>
      <textarea id="contact-notes" rows={4} maxLength={8192} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
      <div class="row-end">
        <button type="button" disabled={notes === c.notes} onClick={() => patch({ notes }, 'Notes saved.')}>Save notes</button>
      </div>
      {msg && <p class="muted" role="status">{msg}</p>}
      <h3>Conversations</h3>
      <ul class="past">
        {(c.conversations ?? []).map((x) => (
          <li key={x.id}>
            <button type="button" class={'linkish' + (x.id === current ? ' current' : '')} onClick={() => onOpen(x.id)} aria-current={x.id === current ? 'true' : undefined}>
              <span class={'chip chip-st-' + x.status}>{STATUS_WORDS[x.status] ?? x.status}</span> {x.channel_type && <span class="chan">{channelWord(x.channel_type)}</span>} {x.preview || 'No text'} <span class="muted">{timeAgo(x.last_message_at)}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
