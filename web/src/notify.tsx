// notify.tsx - desktop alerts (the Notification API) for what an agent must not miss while
// looking elsewhere: a conversation newly assigned to them, a conversation turning urgent, a
// reply deadline coming close (sla.warning). Off until the agent turns them on (the browser's
// permission is asked on that click, never on page load); a sound can go with them. Only the
// customer's name is shown, never what they wrote.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import type { Conv } from './api';
import type { LiveEvent, Subscribe } from './live';
import { URGENCY_WORDS } from './words';

const KEY = 'hark.alerts';
interface Prefs {
  on: boolean;
  sound: boolean;
}
function loadPrefs(): Prefs {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (v && typeof v.on === 'boolean') return { on: v.on, sound: !!v.sound };
  } catch {
    /* default */
  }
  return { on: false, sound: true };
}

function beep() {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.08, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    o.onended = () => ctx.close();
  } catch {
    /* no sound available */
  }
}

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

// A desktop alert outside a conversation (the listening screen's spike alerts): shown only when
// the agent turned alerts on, with the sound if they chose it. Never carries customer text.
export function desktopAlert(kind: string, id: number, title: string, body: string, onClick: () => void) {
  const p = loadPrefs();
  if (!p.on || !supported() || Notification.permission !== 'granted') return;
  const n = new Notification(title, { body, tag: `hark-${kind}-${id}` });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
  if (p.sound) beep();
}

// Decides which live events alert, and shows them. 'open' opens a conversation (a click on the
// alert brings the tab forward and opens it).
// 'isOpen' says whether the agent is looking at that conversation already (no alert then).
export function useAlerts(meId: number, subscribe: Subscribe, open: (id: number) => void, isOpen: (id: number) => boolean) {
  const [prefs, setPrefs] = useState<Prefs>(loadPrefs);
  const prefsRef = useRef(prefs);
  prefsRef.current = prefs;
  const openRef = useRef(open);
  openRef.current = open;
  const isOpenRef = useRef(isOpen);
  isOpenRef.current = isOpen;
  const seen = useRef(new Map<number, { assignee: number | null; urgent: boolean; name: string }>());
  useEffect(() => {
    const show = (tag: string, title: string, body: string, id: number) => {
      const p = prefsRef.current;
      if (!p.on || !supported() || Notification.permission !== 'granted') return;
      if (document.visibilityState === 'visible' && isOpenRef.current(id)) return;
      const n = new Notification(title, { body, tag: `hark-${tag}-${id}` });
      n.onclick = () => {
        window.focus();
        openRef.current(id);
        n.close();
      };
      if (p.sound) beep();
    };
    return subscribe((e: LiveEvent) => {
      const c: Conv | undefined = e.conversation;
      if (c) {
        const name = c.contact_name ?? 'A customer';
        const was = seen.current.get(c.id);
        const urgent = (c.urgency ?? 0) >= 70;
        seen.current.set(c.id, { assignee: c.assignee_id, urgent, name });
        // A blocked contact's conversations never alert (docs/routing-sla.md, Blocked contacts).
        if (c.status === 'resolved' || c.blocked) return;
        if (c.assignee_id === meId && (!was || was.assignee !== meId))
          show('assigned', 'Assigned to you', `${name} is waiting for a reply.`, c.id);
        if (urgent && (e.type === 'conversation.created' || (was && !was.urgent)))
          show('urgent', `${URGENCY_WORDS.high}: ${name}`, 'An urgent conversation needs attention.', c.id);
      } else if (e.type === 'listening.spike') {
        // A spike of a listening query (store staff are never sent one): the query's name, never
        // a post; a click opens the listening screen with its banner.
        const a = e as unknown as { id?: number; query_id?: number; kind?: string; volume?: number };
        if (typeof a.id !== 'number') return;
        const id = a.id;
        api<{ items: { id: number; name: string }[] }>('GET', '/api/v1/listening/queries')
          .then((r) => r.items.find((q) => q.id === a.query_id)?.name ?? 'a listening query', () => 'a listening query')
          .then((name) =>
            desktopAlert('listening-spike', id, `Spike: ${name}`,
              a.kind === 'negative' ? 'More unhappy posts than usual. Open Listening to see them.' : `${a.volume ?? 'Many'} posts in a short time. Open Listening to see them.`,
              () => (location.hash = '#/listening')),
          );
      } else if (e.type === 'sla.warning' && typeof e.conversation_id === 'number') {
        const name = seen.current.get(e.conversation_id)?.name ?? 'A customer';
        show('sla', 'Reply due soon', `${name} is close to the reply deadline.`, e.conversation_id);
      }
    });
  }, [meId, subscribe]);
  const update = (p: Prefs) => {
    setPrefs(p);
    try {
      localStorage.setItem(KEY, JSON.stringify(p));
    } catch {
      /* kept for this page only */
    }
  };
  return { prefs, update };
}

// The bell in the top bar: alerts on or off (asking the browser's permission on this click), and
// the sound.
export function AlertsButton({ prefs, update }: ReturnType<typeof useAlerts>) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const toggle = async () => {
    setNote('');
    if (prefs.on) return update({ ...prefs, on: false });
    if (!supported()) return setNote('This browser cannot show desktop alerts.');
    const perm = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    if (perm !== 'granted') return setNote('The browser blocks alerts for Hark. Allow them in the site settings, then try again.');
    update({ ...prefs, on: true });
  };
  return (
    <div class="alerts" ref={ref} onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}>
      <button type="button" class="ghost" aria-expanded={open} aria-label={`Alerts: ${prefs.on ? 'on' : 'off'}`} onClick={() => setOpen(!open)} data-testid="alerts">
        <Bell off={!prefs.on} />
      </button>
      {open && (
        <div class="alerts-pop" role="group" aria-label="Alerts">
          <p class="alerts-what">Desktop alerts when a conversation is assigned to you, turns urgent, a reply is due soon, or listening sees a spike.</p>
          <label>
            <input type="checkbox" checked={prefs.on} onChange={toggle} /> Desktop alerts
          </label>
          <label>
            <input type="checkbox" checked={prefs.sound} onChange={() => update({ ...prefs, sound: !prefs.sound })} /> Play a sound
          </label>
          {note && <p class="error" role="alert">{note}</p>}
        </div>
      )}
    </div>
  );
}

function Bell({ off }: { off: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.7 21a2 2 0 0 1-3.4 0" />
      {off && <path d="M3 3l18 18" />}
    </svg>
  );
}
