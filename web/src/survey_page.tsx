// survey_page.tsx - the small public page a survey link opens (/s/<token>): 1-5 stars, an
// optional comment, the NPS question and the extra questions when the team set them. No
// sign-in; the link takes one answer, until it closes. Everything shown comes from the API as
// text (JSX escapes it). Also the stars the chat widget's survey uses (Stars).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';

interface Extra {
  id?: string;
  text: string;
  kind: string;
}
interface Survey {
  brand_name: string;
  question: string;
  nps_question: string | null;
  extra_questions: Extra[];
  state: string;
  expires_at: string;
  score: number | null;
}

const WORDS = ['', 'Very bad', 'Bad', 'OK', 'Good', 'Very good'];

// 1 to 5 stars as a radio group: arrow keys move, every star is labelled.
export function Stars({ name, value, onChange, legend, error }: { name: string; value: number; onChange: (v: number) => void; legend: string; error?: string }) {
  return (
    <fieldset class="sp-stars" aria-describedby={error ? `${name}-err` : undefined}>
      <legend>{legend}</legend>
      <div class="sp-star-row">
        {[1, 2, 3, 4, 5].map((n) => (
          <label class={'sp-star' + (n <= value ? ' on' : '')} key={n} title={WORDS[n]}>
            <input type="radio" name={name} value={n} checked={value === n} onChange={() => onChange(n)} aria-label={`${n} of 5: ${WORDS[n]}`} />
            <span aria-hidden="true">★</span>
          </label>
        ))}
      </div>
      {value > 0 && <p class="sp-muted">{WORDS[value]}</p>}
      {error && <p id={`${name}-err`} class="cb-error" role="alert">{error}</p>}
    </fieldset>
  );
}

export function SurveyPage({ token }: { token: string }) {
  const [sv, setSv] = useState<Survey | null | undefined>(undefined);
  const [problem, setProblem] = useState('');
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [nps, setNps] = useState<number | null>(null);
  const [extra, setExtra] = useState<Record<string, string | number>>({});
  const [errs, setErrs] = useState<{ score?: string; comment?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');

  useEffect(() => {
    api<Survey>('GET', `/api/v1/survey/${encodeURIComponent(token)}`)
      .then((s) => {
        setSv(s);
        document.title = `How did ${s.brand_name} do?`;
      })
      .catch((e) => {
        setSv(null);
        if (e instanceof ApiError && e.status === 429) setProblem('Too many tries. Wait a minute and reload this page.');
        else if (!(e instanceof ApiError && e.status === 404)) setProblem('The page cannot reach us right now. Check your connection and reload.');
      });
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!score) {
      setErrs({ score: 'Pick 1 to 5 stars.' });
      document.querySelector<HTMLInputElement>('input[name="sp-score"]')?.focus();
      return;
    }
    setErrs({});
    setBusy(true);
    const ex: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(extra)) if (typeof v === 'number' || v.trim()) ex[k] = v;
    try {
      await api('POST', `/api/v1/survey/${encodeURIComponent(token)}`, {
        score,
        ...(comment.trim() ? { comment } : {}),
        ...(nps !== null ? { nps } : {}),
        ...(Object.keys(ex).length ? { extra: ex } : {}),
      });
      setDone('Thank you! Your answer helps the team.');
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.status === 410)) setDone(err.message[0]!.toUpperCase() + err.message.slice(1) + '.');
      else if (err instanceof ApiError && err.status === 422 && err.field === 'comment') setErrs({ comment: 'The comment is too long; keep it under 1,000 characters.' });
      else if (err instanceof ApiError && err.status === 422) setErrs({ form: 'Please check your answers.' });
      else if (err instanceof ApiError && err.status === 429) setErrs({ form: 'Too many tries. Wait a minute and try again.' });
      else setErrs({ form: 'We could not save your answer. Check your connection and try again.' });
    } finally {
      setBusy(false);
    }
  };

  if (sv === undefined) return <main class="cb-page"><p aria-busy="true">Loading…</p></main>;
  if (!sv)
    return (
      <main class="cb-page">
        <div class="cb-card">
          <h1>This survey link does not work</h1>
          <p>{problem || 'Thank you all the same.'}</p>
        </div>
      </main>
    );
  const closed = done || (sv.state === 'answered' ? 'You have already answered this survey. Thank you!' : sv.state !== 'open' ? 'This survey has closed. Thank you all the same.' : '');
  if (closed)
    return (
      <main class="cb-page">
        <div class="cb-card" role="status">
          <h1>{done.startsWith('Thank') ? 'Thank you' : `${sv.brand_name} survey`}</h1>
          <p>{closed}</p>
          <p class="cb-muted">You can close this page.</p>
        </div>
      </main>
    );
  return (
    <main class="cb-page">
      <form class="cb-card sp-card" onSubmit={submit} aria-labelledby="sp-title" noValidate>
        <h1 id="sp-title">How did {sv.brand_name} do?</h1>
        <Stars name="sp-score" legend={sv.question} value={score} onChange={(n) => { setScore(n); setErrs((x) => ({ ...x, score: undefined })); }} error={errs.score} />
        <label for="sp-comment">Anything you would like to tell us? (optional)</label>
        <textarea id="sp-comment" rows={3} maxLength={1000} value={comment} aria-invalid={!!errs.comment} aria-describedby={errs.comment ? 'sp-comment-err' : undefined}
          onInput={(e) => { setComment((e.target as HTMLTextAreaElement).value); setErrs((x) => ({ ...x, comment: undefined })); }} />
        {errs.comment && <p id="sp-comment-err" class="cb-error" role="alert">{errs.comment}</p>}
        {sv.nps_question && (
          <fieldset class="sp-nps">
            <legend>{sv.nps_question} (optional)</legend>
            <div class="sp-nps-row">
              {Array.from({ length: 11 }, (_x, n) => (
                <label class={'sp-nps-n' + (nps === n ? ' on' : '')} key={n}>
                  <input type="radio" name="sp-nps" value={n} checked={nps === n} onChange={() => setNps(n)} />
                  <span>{n}</span>
                </label>
              ))}
            </div>
            <p class="sp-muted sp-ends"><span>0: not at all likely</span><span>10: extremely likely</span></p>
          </fieldset>
        )}
        {sv.extra_questions.map((q) =>
          q.kind === 'score' ? (
            <Stars key={q.id} name={`sp-${q.id}`} legend={`${q.text} (optional)`} value={Number(extra[q.id ?? ''] ?? 0)} onChange={(n) => setExtra((x) => ({ ...x, [q.id ?? '']: n }))} />
          ) : (
            <div class="sp-extra" key={q.id}>
              <label for={`sp-${q.id}`}>{q.text} (optional)</label>
              <input id={`sp-${q.id}`} maxLength={500} value={String(extra[q.id ?? ''] ?? '')} onInput={(e) => setExtra((x) => ({ ...x, [q.id ?? '']: (e.target as HTMLInputElement).value }))} />
            </div>
          ),
        )}
        {errs.form && <p class="cb-error" role="alert">{errs.form}</p>}
        <button type="submit" class="primary cb-book" disabled={busy}>{busy ? 'Sending…' : 'Send'}</button>
      </form>
    </main>
  );
}
