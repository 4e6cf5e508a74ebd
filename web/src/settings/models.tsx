// models.tsx - "Triage models": the live intent and sentiment models with their scores, what the
// team's corrections add up to, "Retrain now" with its progress, the new model's scores beside
// the live one's on the held-back corrections, and switching or rolling back between versions.
//
// Backed by GET /api/v1/triage/models, POST .../retrain, GET .../jobs/{id} and
// POST .../{id}/activate (docs/api.md, "Triage model versions"). A retrain or a switch made
// elsewhere arrives as a triage.model event and the screen reloads.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, Reply } from '../api';
import { useLive } from '../live';
import type { ScreenProps } from './areas';
import { ConfirmButton, describe } from './form';
import { useSettingsChanged } from './live';

type Models = Reply<'/api/v1/triage/models', 'get'>;
type Version = Models['versions'][number];
type Job = NonNullable<Models['job']>;
type Scores = Version['scores'];
type KindState = Models['kinds'][number];

const KIND_TITLE: Record<string, string> = {
  intent: 'Intent — what the customer wants',
  sentiment: 'Sentiment — how the customer feels',
};
const KIND_SHORT: Record<string, string> = { intent: 'Intent', sentiment: 'Sentiment' };
const STATUS: Record<string, string> = {
  live: 'Live',
  previous: 'Previous — can be rolled back to',
  rejected: 'Not better — kept aside',
  candidate: 'Being checked',
};

// A label as people say it: purchase_intent → purchase intent.
const label = (s: string) => s.replace(/_/g, ' ');
// A 0..1 score as a number out of 100, which reads more plainly than a fraction.
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}`);
const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) : '';

function versionName(v: Version) {
  return v.source === 'shipped' ? `#${v.id} (shipped with Hark)` : `#${v.id} (retrained ${when(v.created_at)})`;
}

// The new model's scores beside the live model's, label by label, on the same held-back corrections.
function Compare({ cand, live, heldBack }: { cand: Scores; live: Scores; heldBack: number }) {
  if (!cand) return <p class="muted">Not scored: this version came with Hark.</p>;
  const labels = [...new Set([...(cand.classes ?? []), ...(live?.classes ?? [])].filter((c) => c.support > 0).map((c) => c.label))].sort();
  const f1 = (s: Scores, l: string) => s?.classes.find((c) => c.label === l)?.f1;
  const support = (l: string) => cand.classes.find((c) => c.label === l)?.support ?? 0;
  return (
    <table class="models-compare">
      <caption class="muted">
        Scores out of 100 on {heldBack} held-back correction{heldBack === 1 ? '' : 's'} (messages no model learnt from).
      </caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">New model</th>
          <th scope="col">Live model then</th>
        </tr>
      </thead>
      <tbody>
        <tr class="models-overall">
          <th scope="row">Overall</th>
          <td data-label="New model">{pct(cand.macro_f1)}</td>
          <td data-label="Live model then">{pct(live?.macro_f1)}</td>
        </tr>
        {labels.map((l) => (
          <tr>
            <th scope="row">
              {label(l)} <span class="muted">({support(l)})</span>
            </th>
            <td data-label="New model">{pct(f1(cand, l))}</td>
            <td data-label="Live model then">{pct(f1(live, l))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function KindCard({ k, live, needed, oneIn }: { k: KindState; live?: Version; needed: number; oneIn: number }) {
  const missing = Math.max(0, needed - k.held_back);
  return (
    <section class="settings-card models-kind" aria-labelledby={`models-${k.kind}`}>
      <h2 id={`models-${k.kind}`}>{KIND_TITLE[k.kind] ?? k.kind}</h2>
      <p>
        Live: <strong>{live ? versionName(live) : 'none'}</strong>
        {live?.scores && (
          <>
            {' '}
            — scored <strong>{pct(live.scores.macro_f1)}</strong> out of 100 on {live.held_back} held-back corrections
          </>
        )}
      </p>
      <p data-testid={`models-waiting-${k.kind}`}>
        <strong>Waiting for the next retrain:</strong> {k.since_live_confirmed} confirmation{k.since_live_confirmed === 1 ? '' : 's'} and{' '}
        {k.since_live - k.since_live_confirmed} correction{k.since_live - k.since_live_confirmed === 1 ? '' : 's'} (agents' answers since this version went live).
      </p>
      <p>
        {k.corrections} labelled message{k.corrections === 1 ? '' : 's'} so far. {k.held_back} of them{' '}
        {k.held_back === 1 ? 'is' : 'are'} held back to score new models (one in {oneIn}).
      </p>
      {!k.ready && (
        <p class="muted">
          {missing > 0
            ? `Retraining needs ${needed} held-back corrections: confirm or correct about ${missing * oneIn} more messages' ${k.kind} (Review triage in the top bar asks about the ones Hark is least sure of).`
            : 'The held-back corrections all have the same label: correct some messages with other labels too.'}
        </p>
      )}
    </section>
  );
}

function JobResult({ job, versions }: { job: Job; versions: Version[] }) {
  return (
    <div class="models-result" aria-live="polite">
      <h3 class="models-result-title">Last retrain{job.finished_at ? `, finished ${when(job.finished_at)}` : ''}{job.scheduled ? ' (scheduled)' : ''}</h3>
      {job.kinds.map((k) => {
        const v = versions.find((x) => x.id === k.version_id);
        return (
          <div class="models-result-kind">
            <h4>{KIND_SHORT[k.kind] ?? k.kind}</h4>
            {k.state === 'live' && <p class="form-notice">The new model scored better ({pct(k.macro_f1)} against {pct(k.live_macro_f1)}) and is now live.</p>}
            {k.state === 'rejected' && (
              <p>
                The new model did not score better ({pct(k.macro_f1)} against {pct(k.live_macro_f1)}), so the live model stays. You can still switch to it
                below.
              </p>
            )}
            {k.state === 'failed' && <p class="form-error">Retraining failed: {k.message ?? 'unknown error'}.</p>}
            {v && <Compare cand={v.scores} live={v.live_scores} heldBack={v.held_back} />}
          </div>
        );
      })}
    </div>
  );
}

export function ModelsSettings(_: ScreenProps) {
  const [data, setData] = useState<Models | null>(null);
  const [loadError, setLoadError] = useState('');
  const [job, setJob] = useState<Job | null>(null);
  const [force, setForce] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const d = await api<Models>('GET', '/api/v1/triage/models');
      setData(d);
      setLoadError('');
      setJob((j) => (j && d.job && d.job.id < j.id ? j : d.job));
    } catch (e) {
      setLoadError(e instanceof ApiError && e.status === 503 ? 'Triage is off on this server: it runs without models.' : describe(e));
    }
  };
  useEffect(() => {
    load();
  }, []);
  useLive(['triage.model'], () => load());
  useSettingsChanged('models', () => load());

  // While a job runs, follow its progress.
  const running = job?.state === 'running';
  useEffect(() => {
    if (!running || !job) return;
    const t = setInterval(async () => {
      try {
        const j = await api<Job>('GET', `/api/v1/triage/models/jobs/${job.id}`);
        setJob(j);
        if (j.state !== 'running') load();
      } catch {
        /* the next tick tries again; a restart forgets the job and load() shows the versions */
      }
    }, 700);
    return () => clearInterval(t);
  }, [running, job?.id]);

  const retrain = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setNotice('');
    try {
      setJob(await api<Job>('POST', '/api/v1/triage/models/retrain', { force }));
    } catch (err) {
      // The API says why in care-team words: too few corrections, one already running, or no
      // training sets / database folder on this server (503 with a message, not a busy server).
      const own = err instanceof ApiError && (err.status === 422 || err.status === 409 || (err.status === 503 && err.code === 'retrain_unavailable'));
      setError(own ? (err as ApiError).message.replace(/^./, (c) => c.toUpperCase()) + '.' : describe(err));
    } finally {
      setBusy(false);
    }
  };

  const activate = async (v: Version, verb: string) => {
    setError('');
    setNotice('');
    try {
      await api('POST', `/api/v1/triage/models/${v.id}/activate`);
      setNotice(`${verb}: ${KIND_SHORT[v.kind]} now uses version ${versionName(v)}. New messages are triaged with it.`);
      await load();
    } catch (err) {
      setError(describe(err));
    }
  };

  if (loadError)
    return (
      <p class="form-error" role="alert">
        {loadError}
      </p>
    );
  if (!data) return <p class="muted">Loading…</p>;
  const liveOf = (kind: string) => data.versions.find((v) => v.kind === kind && v.status === 'live');

  return (
    <div class="models">
      <p class="muted models-intro">
        Hark learns from your team's corrections. Retraining builds a new model from the examples Hark ships with plus your corrections, then scores it and
        the live model on corrections neither learnt from. The new model goes live only if it scores better; the one it replaces is kept so you can roll back.
      </p>
      <div class="models-kinds">
        {data.kinds.map((k) => (
          <KindCard k={k} live={liveOf(k.kind)} needed={data.held_back_needed} oneIn={data.held_back_one_in} />
        ))}
      </div>

      <h2>Retrain</h2>
      <form class="models-retrain" onSubmit={retrain}>
        <div class="field field-check">
          <input id="models-force" type="checkbox" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} />
          <label for="models-force">Make the new model live even if it does not score better</label>
        </div>
        <div class="form-actions">
          <button class="primary" disabled={busy || running}>
            {running ? 'Retraining…' : 'Retrain now'}
          </button>
          {running && job && (
            <span class="models-progress">
              <progress max={100} value={job.percent} aria-label="Retraining progress" /> {job.percent}%
            </span>
          )}
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {notice && (
          <p class="form-notice" role="status">
            {notice}
          </p>
        )}
      </form>
      {job && job.state !== 'running' && <JobResult job={job} versions={data.versions} />}

      <h2>Versions</h2>
      <table class="settings-table models-versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col">Score</th>
            <th scope="col">Live model's score then</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.versions.map((v) => (
            <tr data-version={v.id} class={v.status === 'live' ? 'models-live' : ''}>
              <td data-label="Version">
                {versionName(v)}
                {v.scores && (
                  <details>
                    <summary>Scores by label</summary>
                    <Compare cand={v.scores} live={v.live_scores} heldBack={v.held_back} />
                  </details>
                )}
              </td>
              <td data-label="Model">{KIND_SHORT[v.kind] ?? v.kind}</td>
              <td data-label="Status">{STATUS[v.status] ?? v.status}</td>
              <td data-label="Score">{pct(v.scores?.macro_f1)}</td>
              <td data-label="Live model's score then">{pct(v.live_scores?.macro_f1)}</td>
              <td>
                {v.status !== 'live' && (
                  <ConfirmButton
                    label={v.status === 'previous' ? 'Roll back' : 'Switch'}
                    question={`${v.status === 'previous' ? 'Roll back' : 'Switch'} ${KIND_SHORT[v.kind]?.toLowerCase()} to ${versionName(v)}?`}
                    onConfirm={() => activate(v, v.status === 'previous' ? 'Rolled back' : 'Switched')}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
