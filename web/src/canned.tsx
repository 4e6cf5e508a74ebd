// canned.tsx - canned replies in the composer, and the robotic-template check before sending.
//
// The composer calls useCanned() and wires five things: onKeyDown (first, on its textarea) and
// inputProps (on it too), check() before it sends, sent() after, and renders `ui`. Typing "/"
// at the start of an empty reply (or Ctrl+/ anywhere) opens the picker; it searches as you type
// (GET /api/v1/canned), and picking a reply fills its variables for this conversation
// (POST /canned/{id}/render). A variable Hark could not fill stays visible as {…}, is listed
// under the text and selected in it, so the agent types over it. Before a reply goes out,
// POST /conversations/{id}/reply-check may return gentle nudges ("add something personal"); the
// agent edits or sends anyway, which the server counts for the lead. Customer text and reply
// bodies are only ever JSX text.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from './api';
import type { Reply } from './api';

export type Canned = Reply<'/api/v1/canned', 'get'>['items'][number];
// A nudge from the server's check, or the composer's own about unfilled variables.
type Nudge = { kind: string; message: string };
type Rendered = Reply<'/api/v1/canned/{id}/render', 'post'>;

// What the composer adds to the reply it sends.
export interface SendExtra {
  canned_id?: number;
  send_anyway?: boolean;
}

const VAR = /\{[A-Za-z0-9_.-]+\}/g;

// The picker's search: the replies matching `q`, a little after the last keystroke.
function useSearch(open: boolean, q: string) {
  const [items, setItems] = useState<Canned[]>([]);
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle');
  useEffect(() => {
    if (!open) return;
    let gone = false;
    setState('loading');
    const t = setTimeout(() => {
      api<{ items: Canned[] }>('GET', `/api/v1/canned${qs({ q: q.slice(0, 100), limit: 8 })}`)
        .then((r) => {
          if (gone) return;
          setItems(r.items);
          setState('idle');
        })
        .catch(() => !gone && setState('error'));
    }, 120);
    return () => {
      gone = true;
      clearTimeout(t);
    };
  }, [open, q]);
  return { items, state };
}

// Selects the first unfilled {variable} of the textarea, so typing replaces it.
function selectVariable(ta: HTMLTextAreaElement | null, name?: string) {
  if (!ta) return;
  const text = ta.value;
  const at = name ? text.indexOf(`{${name}}`) : text.search(VAR);
  if (at < 0) return;
  const len = name ? name.length + 2 : (text.slice(at).match(VAR)?.[0].length ?? 0);
  ta.focus();
  ta.setSelectionRange(at, at + len);
}

export function useCanned(opts: {
  convId: number;
  text: string;
  setText: (t: string) => void;
  ta: RefObject<HTMLTextAreaElement | null>;
  note: boolean;
}) {
  const { convId, text, setText, ta, note } = opts;
  // 'slash': the reply is "/query" (the textarea keeps focus); 'search': Ctrl+/ with its own box.
  const [mode, setMode] = useState<'closed' | 'slash' | 'search'>('closed');
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [used, setUsed] = useState<{ id: number; text: string } | null>(null);
  const [missing, setMissing] = useState<string[]>([]);
  const [nudges, setNudges] = useState<Nudge[] | null>(null);
  const [err, setErr] = useState('');
  const searchBox = useRef<HTMLInputElement>(null);
  const insertAt = useRef(0);

  const slash = /^\/([^\s]{0,40})$/.exec(text);
  const open = mode === 'search' || (mode === 'slash' && !!slash);
  const q = mode === 'slash' ? (slash?.[1] ?? '') : query;
  const { items, state } = useSearch(open, q);

  // Typing "/" into an empty reply opens the picker; anything else closes it.
  useEffect(() => {
    if (slash && mode === 'closed' && !note) setMode('slash');
    if (!slash && mode === 'slash') setMode('closed');
    setActive(0);
  }, [text]);
  // A new conversation starts clean.
  useEffect(() => {
    setMode('closed');
    setUsed(null);
    setMissing([]);
    setNudges(null);
  }, [convId]);
  // Unfilled variables the agent has since typed over are no longer listed.
  useEffect(() => {
    if (missing.length) setMissing((m) => m.filter((v) => text.includes(`{${v}}`)));
    if (nudges) setNudges(null);
  }, [text]);
  useEffect(() => {
    if (mode === 'search') searchBox.current?.focus();
  }, [mode]);

  const close = (focus = true) => {
    setMode('closed');
    setQuery('');
    if (focus) ta.current?.focus();
  };

  const pick = async (c: Canned) => {
    setErr('');
    let r: Rendered;
    try {
      r = await api<Rendered>('POST', `/api/v1/canned/${c.id}/render`, { conversation_id: convId });
    } catch {
      setErr('This saved reply could not be filled in. Try again.');
      return;
    }
    let next: string;
    if (mode === 'slash') next = r.text;
    else {
      const at = Math.min(insertAt.current, text.length);
      next = text.slice(0, at) + r.text + text.slice(at);
    }
    setMode('closed');
    setQuery('');
    setText(next);
    setUsed({ id: c.id, text: r.text });
    setMissing(r.missing);
    // After the textarea shows the new text: select the first gap, or put the cursor at the end.
    setTimeout(() => {
      const el = ta.current;
      if (!el) return;
      if (r.missing.length) selectVariable(el, r.missing[0]);
      else {
        el.focus();
        el.setSelectionRange(next.length, next.length);
      }
    }, 0);
  };

  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (e.key === '/' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (note) return true;
      insertAt.current = ta.current?.selectionStart ?? text.length;
      setMode(mode === 'search' ? 'closed' : 'search');
      return true;
    }
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = items.length || 1;
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
      return true;
    }
    if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
      const c = items[active];
      if (!c) return e.key === 'Enter';
      e.preventDefault();
      pick(c);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
      return true;
    }
    return false;
  };

  // Before sending: null means hold (the nudges are shown); else the fields to send with.
  const check = async (anyway: boolean): Promise<SendExtra | null> => {
    const extra: SendExtra = used ? { canned_id: used.id } : {};
    if (note) return {};
    if (anyway) return { ...extra, send_anyway: true };
    const gaps = text.match(VAR)?.filter((v) => missing.includes(v.slice(1, -1))) ?? [];
    let found: Nudge[] = gaps.length
      ? [{ kind: 'missing', message: `Fill in ${gaps.join(', ')} first: Hark had no value for ${gaps.length > 1 ? 'them' : 'it'}.` }]
      : [];
    try {
      const r = await api<{ nudges: Nudge[] }>('POST', `/api/v1/conversations/${convId}/reply-check`, { text, ...extra });
      found = [...found, ...r.nudges];
    } catch {
      /* the check is advice: when it cannot run, the reply still goes out */
    }
    if (found.length) {
      setNudges(found);
      return null;
    }
    return extra;
  };

  const sent = () => {
    setUsed(null);
    setMissing([]);
    setNudges(null);
  };

  const ui = (sendAnyway: () => void) => (
    <>
      {open && (
        <div class="canned-pop">
          {mode === 'search' && (
            <>
              <label for="canned-search" class="sr-only">
                Search saved replies
              </label>
              <input
                id="canned-search"
                ref={searchBox}
                class="canned-search"
                placeholder="Search saved replies…"
                value={query}
                autoComplete="off"
                onInput={(e) => {
                  setQuery((e.target as HTMLInputElement).value);
                  setActive(0);
                }}
                onKeyDown={(e) => onKeyDown(e)}
                aria-controls="canned-list"
                aria-activedescendant={items[active] ? `canned-opt-${items[active]!.id}` : undefined}
              />
            </>
          )}
          <ul id="canned-list" class="canned-list" role="listbox" aria-label="Saved replies">
            {items.map((c, i) => (
              <li
                id={`canned-opt-${c.id}`}
                role="option"
                aria-selected={i === active}
                class={'canned-opt' + (i === active ? ' active' : '')}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(c);
                }}
              >
                <span class="canned-opt-head">
                  <strong>{c.title}</strong> <span class="canned-shortcut">/{c.shortcut}</span>
                  {!c.shared && <span class="canned-mine">mine</span>}
                </span>
                <span class="canned-opt-body">{c.body}</span>
              </li>
            ))}
          </ul>
          <p class="canned-foot muted">
            {state === 'error'
              ? 'Saved replies could not be loaded.'
              : items.length === 0 && state === 'idle'
                ? `No saved reply matches “${q}”.`
                : '↑↓ to choose, Enter to insert, Esc to close.'}{' '}
            <a href="#/settings/canned">Manage saved replies</a>
          </p>
        </div>
      )}
      {err && (
        <p class="error" role="alert">
          {err}
        </p>
      )}
      {missing.length > 0 && (
        <p class="canned-missing" role="status">
          <span>Fill in before sending:</span>
          {missing.map((v) => (
            <button type="button" class="canned-var" onClick={() => selectVariable(ta.current, v)} aria-label={`Select {${v}} in the reply`}>
              {`{${v}}`}
            </button>
          ))}
        </p>
      )}
      {nudges && nudges.length > 0 && (
        <div class="canned-nudges" role="alert" aria-label="Before you send">
          <p class="canned-nudges-title">Before you send</p>
          <ul>
            {nudges.map((n) => (
              <li>{n.message}</li>
            ))}
          </ul>
          <div class="canned-nudges-actions">
            <button
              type="button"
              class="primary"
              onClick={() => {
                setNudges(null);
                ta.current?.focus();
              }}
            >
              Edit
            </button>
            <button
              type="button"
              onClick={() => {
                setNudges(null);
                sendAnyway();
              }}
            >
              Send anyway
            </button>
          </div>
        </div>
      )}
    </>
  );

  // For the composer's textarea while the "/" picker is open: the option the arrows are on.
  const inputProps =
    open && mode === 'slash'
      ? { 'aria-controls': 'canned-list', 'aria-activedescendant': items[active] ? `canned-opt-${items[active]!.id}` : undefined }
      : {};

  return { onKeyDown, check, sent, ui, open, inputProps };
}
