// widget.ts - Hark's customer chat widget: one <script> tag on any website.
//
//   <script src="https://hark.example/widget.js" data-channel="3" async></script>
//
// Optional attributes: data-color="#1d4ed8", data-position="left", data-open="true".
// It draws a bubble and a panel inside a shadow root (the page's CSS cannot break it, and
// ours cannot leak), talks only to the Hark server the script came from, keeps the visitor's
// signed token in localStorage so the conversation survives reloads, and renders every text
// with textContent: nothing a customer or agent typed is ever parsed as HTML.

interface Person {
  display_name: string;
  avatar_url: string;
}
interface Info {
  channel_id: number;
  brand_name: string;
  office_hours: string | null;
  greeting: string | null;
  color: string | null;
  reply_minutes: number | null;
  team: Person[];
}
interface WConv {
  id: number;
  status: string;
  agent: Person | null;
}
interface WMsg {
  id: number;
  direction: 'in' | 'out';
  text: string;
  status: string;
  created_at: string;
  author: Person | null;
}

const STYLE = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
.bubble { position: fixed; bottom: 20px; right: 20px; width: 58px; height: 58px; border-radius: 50%; border: 0;
  background: var(--hc); color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.25); z-index: 2147483000;
  display: grid; place-items: center; }
.left .bubble { right: auto; left: 20px; }
.bubble svg { width: 28px; height: 28px; }
.bubble:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #111827; outline-offset: 2px; }
.panel { position: fixed; bottom: 90px; right: 20px; width: 370px; max-width: calc(100vw - 24px); height: 560px;
  max-height: calc(100vh - 110px); background: #fff; color: #1b1f24; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.3);
  display: flex; flex-direction: column; overflow: hidden; z-index: 2147483000; font-size: 15px; }
.left .panel { right: auto; left: 20px; }
.panel[hidden] { display: none; }
.head { background: var(--hc); color: #fff; padding: 14px 16px; }
.head h2 { margin: 0; font-size: 17px; }
.head p { margin: 4px 0 0; font-size: 13px; opacity: .95; }
.people { display: flex; align-items: center; gap: 8px; margin-top: 8px; }
.faces { display: flex; }
.face { width: 30px; height: 30px; border-radius: 50%; border: 2px solid var(--hc); background: #e0e7ff; color: #1e1b4b;
  display: grid; place-items: center; font-size: 12px; font-weight: 700; margin-left: -6px; object-fit: cover; }
.faces .face:first-child { margin-left: 0; }
.close { position: absolute; top: 10px; right: 12px; background: transparent; border: 0; color: #fff; font-size: 22px; cursor: pointer; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f7f9; margin: 0; list-style: none; }
.m { max-width: 85%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 14px; }
.m.in { align-self: flex-end; background: var(--hc); color: #fff; border-bottom-right-radius: 4px; }
.m.out { align-self: flex-start; background: #fff; border: 1px solid #d9dde3; border-bottom-left-radius: 4px; }
.who { display: flex; align-items: center; gap: 6px; font-size: 12px; color: #555e6b; margin-bottom: 3px; }
.who .face { width: 20px; height: 20px; margin: 0; border: 0; font-size: 9px; }
.sys { align-self: center; font-size: 12px; color: #555e6b; text-align: center; }
.more { align-self: center; }
.more button { background: transparent; border: 1px solid #9aa3af; border-radius: 14px; padding: 3px 12px; font-size: 12px; color: #1b1f24; cursor: pointer; }
form { border-top: 1px solid #d9dde3; padding: 8px; display: flex; flex-direction: column; gap: 6px; }
.row { display: flex; gap: 6px; }
textarea { flex: 1; resize: none; border: 1px solid #9aa3af; border-radius: 8px; padding: 8px; font-size: 14px; min-height: 42px; max-height: 120px; }
input { border: 1px solid #9aa3af; border-radius: 8px; padding: 6px 8px; font-size: 13px; }
.send { background: var(--hc); color: #fff; border: 0; border-radius: 8px; padding: 0 14px; cursor: pointer; font-size: 14px; }
.send:disabled { opacity: .6; }
.err { color: #b42318; font-size: 12px; margin: 0; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (max-width: 480px) { .open .bubble { display: none; } .panel { right: 0; left: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100%; max-height: 100%; border-radius: 0; } .left .panel { left: 0; } }
`;

const ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function safeUrl(u: string | null | undefined): string | null {
  return u && /^https:\/\/[^\s"'<>]+$/i.test(u) ? u : null;
}

function face(p: Person): HTMLElement {
  const url = safeUrl(p.avatar_url);
  if (url) {
    const img = el('img', 'face');
    img.src = url;
    img.alt = '';
    img.referrerPolicy = 'no-referrer';
    return img;
  }
  const initials = (p.display_name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
  const s = el('span', 'face', initials);
  s.setAttribute('aria-hidden', 'true');
  return s;
}

function start(script: HTMLScriptElement) {
  const channel = script.dataset.channel;
  if (!channel || !/^\d+$/.test(channel)) {
    console.warn('hark widget: data-channel must be a channel id');
    return;
  }
  const base = new URL(script.src, location.href).origin;
  const api = `${base}/api/v1/widget/${channel}`;
  const storeKey = `hark-widget:${base}:${channel}`;

  const host = el('div');
  host.setAttribute('data-hark-widget', channel);
  const root = host.attachShadow({ mode: 'open' });
  const wrap = el('div', script.dataset.position === 'left' ? 'left' : '');
  const color = /^#[0-9a-fA-F]{6}$/.test(script.dataset.color ?? '') ? script.dataset.color! : '#1d4ed8';
  wrap.style.setProperty('--hc', color);
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.appendChild(el('style', undefined, STYLE));
  }

  const bubble = el('button', 'bubble');
  bubble.type = 'button';
  bubble.setAttribute('aria-label', 'Open chat');
  bubble.setAttribute('aria-expanded', 'false');
  bubble.innerHTML = ICON; // a constant of ours, never data
  const panel = el('section', 'panel');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Chat');
  const head = el('div', 'head');
  const title = el('h2', undefined, 'Chat with us');
  const people = el('div', 'people');
  const peopleText = el('span');
  const hours = el('p');
  const reply = el('p');
  const close = el('button', 'close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Close chat');
  head.append(title, people, hours, reply, close);
  const log = el('ol', 'log');
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('aria-label', 'Messages');
  const form = el('form');
  const nameLabel = el('label', 'sr', 'Your name (optional)');
  const name = el('input');
  name.id = 'hark-name';
  nameLabel.htmlFor = 'hark-name';
  name.placeholder = 'Your name (optional)';
  name.maxLength = 100;
  name.autocomplete = 'name';
  const row = el('div', 'row');
  const textLabel = el('label', 'sr', 'Message');
  const text = el('textarea');
  text.id = 'hark-text';
  textLabel.htmlFor = 'hark-text';
  text.placeholder = 'Write a message…';
  text.maxLength = 4000;
  text.rows = 1;
  const send = el('button', 'send', 'Send');
  send.type = 'submit';
  const err = el('p', 'err');
  err.setAttribute('role', 'alert');
  row.append(textLabel, text, send);
  form.append(nameLabel, name, row, err);
  panel.append(head, log, form);
  wrap.append(panel, bubble);
  root.append(wrap);
  document.body.appendChild(host);

  let token = '';
  let info: Info | null = null;
  let conv: WConv | null = null;
  let lastEventId = 0;
  let es: EventSource | null = null;
  const shown = new Map<number, HTMLElement>();
  // Older history: the cursor of the page before the oldest shown message (null: none).
  let olderCursor: string | null = null;
  const more = el('li', 'more');
  const moreBtn = el('button', undefined, 'Show earlier messages');
  moreBtn.type = 'button';
  more.append(moreBtn);

  const headers = (json: boolean): Record<string, string> => {
    const h: Record<string, string> = { 'X-Hark-Visitor': token };
    if (json) h['Content-Type'] = 'application/json';
    return h;
  };

  const renderPeople = () => {
    people.textContent = '';
    const faces = el('span', 'faces');
    if (conv?.agent) {
      faces.append(face(conv.agent));
      peopleText.textContent = `${conv.agent.display_name} is helping you`;
    } else if (info?.team.length) {
      info.team.slice(0, 4).forEach((p) => faces.append(face(p)));
      const names = info.team.slice(0, 3).map((p) => p.display_name.split(/\s+/)[0]);
      peopleText.textContent = `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} here to help`;
    } else {
      peopleText.textContent = '';
    }
    people.append(faces, peopleText);
  };

  const renderInfo = () => {
    if (!info) return;
    title.textContent = info.brand_name;
    hours.textContent = info.office_hours ? `Hours: ${info.office_hours}` : '';
    const m = info.reply_minutes;
    reply.textContent =
      m === null || m === undefined ? '' : m < 60 ? `We usually reply within ${Math.max(1, m)} minute${m === 1 ? '' : 's'}` : `We usually reply within ${Math.round(m / 60)} hour${m >= 120 ? 's' : ''}`;
    if (info.color && /^#[0-9a-fA-F]{6}$/.test(info.color) && !script.dataset.color) wrap.style.setProperty('--hc', info.color);
    renderPeople();
    if (!log.children.length && info.greeting) log.append(el('li', 'sys', info.greeting));
  };

  const msgItem = (m: WMsg) => {
    const li = el('li', `m ${m.direction}`);
    li.dataset.msg = String(m.id);
    if (m.direction === 'out') {
      const who = el('div', 'who');
      const p = m.author ?? { display_name: info?.brand_name ?? 'Support', avatar_url: '' };
      who.append(face(p), el('span', 'author', p.display_name));
      li.append(who);
    }
    li.append(el('div', 'body', m.text));
    return li;
  };

  const showMsg = (m: WMsg) => {
    const old = shown.get(m.id);
    const li = msgItem(m);
    if (old) old.replaceWith(li);
    else log.append(li);
    shown.set(m.id, li);
    log.scrollTop = log.scrollHeight;
  };

  const listen = () => {
    if (es || !token) return;
    const u = new URL(`${api}/events`);
    u.searchParams.set('token', token);
    if (lastEventId) u.searchParams.set('last_event_id', String(lastEventId));
    es = new EventSource(u.toString());
    es.addEventListener('message', (ev) => {
      const e = ev as MessageEvent;
      try {
        showMsg(JSON.parse(e.data) as WMsg);
      } catch {
        /* ignore a malformed event */
      }
    });
    es.addEventListener('conversation', (ev) => {
      try {
        conv = JSON.parse((ev as MessageEvent).data) as WConv;
        renderPeople();
      } catch {
        /* ignore */
      }
    });
    es.onerror = () => {
      if (es && es.readyState === EventSource.CLOSED) {
        es = null;
        setTimeout(listen, 5000);
      }
    };
  };

  type Page = { conversation: WConv | null; messages: WMsg[]; next_cursor?: string | null; last_event_id: number };

  const renderMore = () => {
    if (!olderCursor) more.remove();
    else if (!more.isConnected) log.prepend(more);
  };

  const load = async () => {
    const r = await fetch(`${api}/messages`, { headers: headers(false) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const d = (await r.json()) as Page;
    conv = d.conversation;
    lastEventId = d.last_event_id;
    d.messages.forEach(showMsg);
    olderCursor = d.next_cursor ?? null;
    renderMore();
    renderPeople();
  };

  // Earlier messages go above the oldest shown one; the visitor's place in the log stays put.
  moreBtn.addEventListener('click', async () => {
    if (!olderCursor || moreBtn.disabled) return;
    moreBtn.disabled = true;
    moreBtn.textContent = 'Loading…';
    try {
      const r = await fetch(`${api}/messages?before=${encodeURIComponent(olderCursor)}`, { headers: headers(false) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const d = (await r.json()) as Page;
      const height = log.scrollHeight;
      const top = log.scrollTop;
      const anchor = log.querySelector('li.m');
      for (const m of d.messages) {
        if (shown.has(m.id)) continue;
        const li = msgItem(m);
        log.insertBefore(li, anchor ?? null);
        shown.set(m.id, li);
      }
      olderCursor = d.next_cursor ?? null;
      log.scrollTop = log.scrollHeight - height + top;
      moreBtn.textContent = 'Show earlier messages';
    } catch {
      moreBtn.textContent = 'Could not load. Try again';
    } finally {
      moreBtn.disabled = false;
      renderMore();
    }
  });

  const init = async () => {
    const [ri, rs] = await Promise.all([
      fetch(`${api}/info`),
      fetch(`${api}/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: localStorage.getItem(storeKey) ?? undefined }),
      }),
    ]);
    if (!ri.ok || !rs.ok) throw new Error('chat unavailable');
    info = (await ri.json()) as Info;
    const s = (await rs.json()) as { token: string; conversation: WConv | null };
    token = s.token;
    conv = s.conversation;
    try {
      localStorage.setItem(storeKey, token);
    } catch {
      /* private mode: the chat lasts this page only */
    }
    renderInfo();
    if (conv) name.hidden = true;
  };

  let ready: Promise<void> | null = null;
  const ensure = () => {
    if (!ready)
      ready = init()
        .then(load)
        .then(listen)
        .catch((e) => {
          ready = null;
          err.textContent = 'The chat is not available right now.';
          throw e;
        });
    return ready;
  };

  const toggle = (open: boolean) => {
    panel.hidden = !open;
    wrap.classList.toggle('open', open);
    bubble.setAttribute('aria-expanded', String(open));
    bubble.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    if (open) {
      ensure().catch(() => {});
      text.focus();
    }
  };
  bubble.addEventListener('click', () => toggle(panel.hidden !== false));
  close.addEventListener('click', () => {
    toggle(false);
    bubble.focus();
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      toggle(false);
      bubble.focus();
    }
  });

  const submit = async () => {
    const t = text.value.trim();
    if (!t) return;
    send.disabled = true;
    err.textContent = '';
    try {
      await ensure();
      const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      const body: Record<string, string> = { id, text: t };
      if (name.value.trim()) body.name = name.value.trim();
      const r = await fetch(`${api}/messages`, { method: 'POST', headers: headers(true), body: JSON.stringify(body) });
      if (r.status === 429) {
        const secs = Number(r.headers.get('Retry-After')) || 5;
        err.textContent = `You're writing faster than we can read. Please wait ${secs} s and send again.`;
        return;
      }
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const d = (await r.json()) as { message: WMsg; conversation: WConv };
      showMsg(d.message);
      conv = d.conversation;
      renderPeople();
      text.value = '';
      name.hidden = true;
      listen();
    } catch {
      err.textContent = 'Your message was not sent. Please try again.';
    } finally {
      send.disabled = false;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  });

  // A returning visitor with a conversation gets live replies even before opening the panel.
  if (localStorage.getItem(storeKey)) ensure().catch(() => {});
  if (script.dataset.open === 'true') toggle(true);
}

const current = document.currentScript as HTMLScriptElement | null;
const script = current ?? (document.querySelector('script[src*="widget.js"][data-channel]') as HTMLScriptElement | null);
if (script) {
  if (document.body) start(script);
  else document.addEventListener('DOMContentLoaded', () => start(script));
}
