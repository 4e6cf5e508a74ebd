// csat.tsx - customer satisfaction in the agent app: the agent's own rating in their profile
// (MyCsat) and the supervisors' small "Customer satisfaction" card in the top bar (CsatButton:
// average, how many answered, NPS and the heroes). The numbers come from GET /api/v1/csat over
// the last 30 days; the rating of one conversation is the event in its timeline.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, Reply } from './api';

type Csat = Reply<'/api/v1/csat', 'get'>;

const DAYS = 30;
const since = () => new Date(Date.now() - DAYS * 86400000).toISOString();
const one = (n: number) => n.toFixed(1);

function useCsat(open: boolean, agentId?: number) {
  const [c, setC] = useState<Csat | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    if (!open) return;
    api<Csat>('GET', '/api/v1/csat' + qs({ from: since(), agent_id: agentId }))
      .then((r) => {
        setC(r);
        setErr('');
      })
      .catch(() => setErr('The ratings could not be loaded. Try again in a moment.'));
  }, [open]);
  return { c, err };
}

// The agent's own rating, in the profile dialog.
export function MyCsat({ meId }: { meId: number }) {
  const { c, err } = useCsat(true, meId);
  return (
    <section class="csat-mine" aria-labelledby="csat-mine-h">
      <h3 id="csat-mine-h">Customer satisfaction (last {DAYS} days)</h3>
      {err && <p class="error" role="alert">{err}</p>}
      {c && !c.answered && <p class="muted">No ratings yet. Customers are asked after a conversation you handled is resolved.</p>}
      {c && c.answered > 0 && (
        <p data-testid="my-csat">
          <strong class="csat-avg">{one(c.average ?? 0)} ★</strong> from {c.answered} rating{c.answered === 1 ? '' : 's'}
          {c.comments > 0 && <span class="muted"> · {c.comments} with a comment</span>}
        </p>
      )}
    </section>
  );
}

// The team's figures: average, answers, NPS and the heroes.
function TeamCsat({ c, err }: { c: Csat | null; err: string }) {
  return (
    <>
      <p class="muted">Last {DAYS} days, all channels.</p>
      {err && <p class="error" role="alert">{err}</p>}
      {c && (
        <>
          <p class="csat-line">
            <strong class="csat-avg">{c.average === null ? '–' : `${one(c.average)} ★`}</strong>{' '}
            {c.answered} of {c.sent} customers answered{c.sent ? ` (${Math.round(c.response_rate * 100)}%)` : ''}
          </p>
          {c.nps !== null && <p>NPS {c.nps > 0 ? '+' : ''}{Math.round(c.nps)} from {c.nps_answers} answers</p>}
          <h3>Heroes</h3>
          {c.heroes.length === 0 ? (
            <p class="muted">Nobody has {c.heroes_min_answers} ratings yet.</p>
          ) : (
            <ol class="csat-heroes">
              {c.heroes.map((h) => (
                <li key={h.agent_id}>
                  <span>{h.name}</span> <strong>{one(h.average)} ★</strong> <span class="muted">({h.answers})</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}

// The team's card inside the profile dialog, for supervisors and admins (at phone width the top
// bar has no room for the button).
export function TeamCsatSection() {
  const { c, err } = useCsat(true);
  return (
    <section class="csat-mine" aria-labelledby="csat-team-h">
      <h3 id="csat-team-h">The team's customer satisfaction</h3>
      <TeamCsat c={c} err={err} />
    </section>
  );
}

// The supervisors' card: opened from the top bar (desktop widths).
export function CsatButton() {
  const [open, setOpen] = useState(false);
  const { c, err } = useCsat(open);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div class="cb-list csat-top" ref={ref} onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}>
      <button type="button" class="ghost" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="csat">
        <span class="topbar-icon" aria-hidden="true">★</span>
        <span class="cb-word">Satisfaction</span>
      </button>
      {open && (
        <div class="cb-pop csat-card" role="group" aria-label="Customer satisfaction">
          <h2>Customer satisfaction</h2>
          <TeamCsat c={c} err={err} />
        </div>
      )}
    </div>
  );
}
