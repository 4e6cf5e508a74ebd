// surveys.tsx - the "Surveys" settings area (admins): customer satisfaction after a resolve.
// On/off, the delay, the question per language, an optional NPS question, up to three extra
// questions (a short answer or 1-5), which channels ask, how long an answer is accepted and
// "don't ask the same customer more than once in N days". See docs/api.md "Customer
// satisfaction".
import { useEffect, useState } from 'preact/hooks';
import { api, Reply } from '../api';
import type { ScreenProps } from './areas';
import { CheckField, describe, FormStatus, NumberField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

type Settings = Reply<'/api/v1/settings/surveys', 'get'>;

const CHANNELS: [string, string][] = [
  ['webchat', 'Website chat (stars in the chat)'],
  ['whatsapp', 'WhatsApp (buttons)'],
  ['messenger', 'Messenger (buttons)'],
  ['telegram', 'Telegram (buttons)'],
  ['instagram', 'Instagram (a link)'],
  ['x', 'X (a link)'],
  ['sms', 'SMS (a link)'],
  ['email', 'Email (a link)'],
  ['api', 'API channels (a link)'],
];

interface Question {
  lang: string;
  text: string;
}
interface Extra {
  text: string;
  kind: string;
}
interface Values extends Record<string, unknown> {
  enabled: boolean;
  delay_seconds: number | null; // shown in minutes
  window_hours: number | null;
  repeat_days: number | null;
  all_channels: boolean;
  channels: string[];
  questions: Question[];
  nps: boolean;
  nps_question: string;
  extra_questions: Extra[];
}

function toValues(s: Settings): Values {
  return {
    enabled: s.enabled,
    delay_seconds: Math.round(s.delay_seconds / 60),
    window_hours: s.window_hours,
    repeat_days: s.repeat_days,
    all_channels: s.channels.length === 0,
    channels: s.channels.length ? s.channels : CHANNELS.map(([t]) => t),
    questions: Object.entries(s.questions).map(([lang, text]) => ({ lang, text: text as string })),
    nps: !!s.nps_question,
    nps_question: (s.nps_question && (s.nps_question.en ?? Object.values(s.nps_question)[0])) || 'How likely are you to recommend us to a friend?',
    extra_questions: s.extra_questions.map((q) => ({ text: q.text, kind: q.kind })),
  };
}

// An error beside a group of inputs that are not one form field.
function GroupError({ id, text }: { id: string; text?: string }) {
  if (!text) return null;
  return (
    <p class="field-error" id={`${id}-err`} role="alert">
      {text}
    </p>
  );
}

export function SurveysSettings({ me }: ScreenProps) {
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState('');
  const f = useForm<Values>(toValues({ enabled: false, delay_seconds: 300, window_hours: 72, repeat_days: 30, channels: [], questions: { en: '' }, nps_question: null, extra_questions: [], updated_at: null }));
  const load = async () => {
    try {
      const s = await api<Settings>('GET', '/api/v1/settings/surveys');
      f.reset(toValues(s));
      setLoaded(true);
    } catch (err) {
      setLoadError(describe(err));
    }
  };
  const changed = useSettingsChanged('surveys', () => load());
  useEffect(() => {
    load();
  }, []);
  const v = f.values;
  const save = f.submit(async (x) => {
    const questions: Record<string, string> = {};
    for (const q of x.questions) if (q.lang.trim()) questions[q.lang.trim()] = q.text;
    const body = {
      enabled: x.enabled,
      delay_seconds: x.delay_seconds === null ? null : Math.round(x.delay_seconds * 60),
      window_hours: x.window_hours,
      repeat_days: x.repeat_days,
      channels: x.all_channels ? [] : x.channels,
      questions,
      nps_question: x.nps ? { en: x.nps_question } : null,
      extra_questions: x.extra_questions,
    };
    const s = await api<Settings>('PUT', '/api/v1/settings/surveys', body);
    f.reset(toValues(s));
    return s.enabled ? 'Saved. Customers are asked after each resolved conversation.' : 'Saved. Surveys are off.';
  });
  const setQ = (i: number, q: Partial<Question>) => f.set('questions', v.questions.map((o, k) => (k === i ? { ...o, ...q } : o)));
  const setX = (i: number, q: Partial<Extra>) => f.set('extra_questions', v.extra_questions.map((o, k) => (k === i ? { ...o, ...q } : o)));
  const qid = `${f.id}-questions`;
  const xid = `${f.id}-extra_questions`;
  const cid = `${f.id}-channels`;
  return (
    <div class="sv">
      <p class="muted">
        After a conversation is resolved, Hark asks the customer how it went, once, on the same channel: buttons on WhatsApp,
        Messenger and Telegram, stars in the website chat, a short link elsewhere. Never after spam or abuse, never to a blocked
        customer. The answer shows in the conversation and counts for the agent who handled it.
      </p>
      <ChangedBy event={changed} meId={me.id} />
      {loadError && <p class="form-error" role="alert">{loadError}</p>}
      <form onSubmit={save} aria-label="Survey settings" noValidate aria-busy={!loaded}>
        <CheckField form={f} name="enabled" label="Ask customers how we did after each resolved conversation" />
        <NumberField form={f} name="delay_seconds" label="Wait after resolving" min={0} max={10080} unit="minutes" hint="So a quick follow-up from the customer can reopen it first." />
        <fieldset class="sv-group">
          <legend>Question</legend>
          {v.questions.map((q, i) => (
            <div class="sv-row" key={i}>
              <label class="sv-lang">
                Language
                <input value={q.lang} maxLength={6} size={6} aria-describedby={`${qid}-hint`} onInput={(e) => setQ(i, { lang: (e.target as HTMLInputElement).value })} />
              </label>
              <label class="sv-text">
                Question in this language
                <input id={i === 0 ? qid : undefined} value={q.text} maxLength={300} aria-invalid={f.errors.questions ? true : undefined} aria-describedby={f.errors.questions ? `${qid}-err` : undefined} onInput={(e) => setQ(i, { text: (e.target as HTMLInputElement).value })} />
              </label>
              {v.questions.length > 1 && (
                <button type="button" class="ghost" onClick={() => f.set('questions', v.questions.filter((_o, k) => k !== i))}>
                  Remove
                </button>
              )}
            </div>
          ))}
          <p class="field-hint" id={`${qid}-hint`}>A language code such as en, de or pt-BR. Customers get the question in the language they wrote in, else English.</p>
          <GroupError id={qid} text={f.errors.questions} />
          {v.questions.length < 20 && (
            <button type="button" onClick={() => f.set('questions', [...v.questions, { lang: '', text: '' }])}>
              Add a language
            </button>
          )}
        </fieldset>
        <CheckField form={f} name="nps" label="Also ask how likely they are to recommend us (0–10, NPS)" hint="Asked on the survey page and in the website chat." />
        {v.nps && (
          <div class="field">
            <label for={`${f.id}-nps_question`}>Recommendation question</label>
            <input id={`${f.id}-nps_question`} value={v.nps_question} maxLength={300} aria-invalid={f.errors.nps_question ? true : undefined} onInput={(e) => f.set('nps_question', (e.target as HTMLInputElement).value)} />
            <GroupError id={`${f.id}-nps_question`} text={f.errors.nps_question} />
          </div>
        )}
        <fieldset class="sv-group">
          <legend>Extra questions (up to 3)</legend>
          {v.extra_questions.length === 0 && <p class="muted">None. The survey page can ask up to three more.</p>}
          {v.extra_questions.map((q, i) => (
            <div class="sv-row" key={i}>
              <label class="sv-text">
                Question {i + 1}
                <input id={i === 0 ? xid : undefined} value={q.text} maxLength={300} onInput={(e) => setX(i, { text: (e.target as HTMLInputElement).value })} />
              </label>
              <label class="sv-lang">
                Answer
                <select value={q.kind} onChange={(e) => setX(i, { kind: (e.target as HTMLSelectElement).value })}>
                  <option value="text">A short text</option>
                  <option value="score">1 to 5</option>
                </select>
              </label>
              <button type="button" class="ghost" onClick={() => f.set('extra_questions', v.extra_questions.filter((_o, k) => k !== i))}>
                Remove
              </button>
            </div>
          ))}
          <GroupError id={xid} text={f.errors.extra_questions} />
          {v.extra_questions.length < 3 && (
            <button type="button" onClick={() => f.set('extra_questions', [...v.extra_questions, { text: '', kind: 'text' }])}>
              Add a question
            </button>
          )}
        </fieldset>
        <fieldset class="sv-group" id={cid} tabIndex={-1}>
          <legend>Channels that ask</legend>
          <div class="field field-check">
            <input id={`${cid}-all`} type="checkbox" checked={v.all_channels} onChange={(e) => f.set('all_channels', (e.target as HTMLInputElement).checked)} />
            <label for={`${cid}-all`}>Every channel, including ones added later</label>
          </div>
          {!v.all_channels &&
            CHANNELS.map(([t, label]) => (
              <div class="field field-check" key={t}>
                <input
                  id={`${cid}-${t}`}
                  type="checkbox"
                  checked={v.channels.includes(t)}
                  onChange={(e) => f.set('channels', (e.target as HTMLInputElement).checked ? [...v.channels, t] : v.channels.filter((x) => x !== t))}
                />
                <label for={`${cid}-${t}`}>{label}</label>
              </div>
            ))}
          <GroupError id={cid} text={f.errors.channels} />
        </fieldset>
        <NumberField form={f} name="window_hours" label="Accept answers for" min={1} max={720} unit="hours" hint="A later answer is kept out, and the customer is told." />
        <NumberField form={f} name="repeat_days" label="Ask the same customer at most once in" min={0} max={365} unit="days" hint="0: after every conversation." />
        <FormStatus form={f} />
        <div class="form-actions">
          <button type="submit" class="primary" disabled={f.busy || !loaded}>
            Save
          </button>
        </div>
      </form>
    </div>
  );
}
