// faqbot.tsx - the FAQ bot settings area (admins): the FAQs (ways customers ask, the answer per
// language, a link, how close a match must be), the channels the bot answers on and its window,
// a "Try it" box that shows the match, the confidence and whether the bot would answer (and why
// not), and each FAQ's figures. See docs/api.md "FAQ bot".
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Channel, Reply } from '../api';
import type { ScreenProps } from './areas';
import { CheckField, ConfirmButton, describe, FormStatus, NumberField, TextArea, TextField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

type Faq = Reply<'/api/v1/faqs', 'get'>['items'][number];
type Bot = Reply<'/api/v1/faq-bot', 'get'>;
type Tried = Reply<'/api/v1/faq-bot/try', 'post'>;

interface Answer {
  lang: string;
  text: string;
}

type Values = {
  question: string;
  variants: string; // one per line
  answers: Answer[];
  link: string;
  threshold: number | null;
  enabled: boolean;
};

function blank(): Values {
  return { question: '', variants: '', answers: [{ lang: 'en', text: '' }], link: '', threshold: 50, enabled: true };
}

function fromFaq(f: Faq): Values {
  const answers = Object.entries(f.answers).map(([lang, text]) => ({ lang, text: text as string }));
  return {
    question: f.question,
    variants: f.variants.join('\n'),
    answers: answers.length ? answers : [{ lang: 'en', text: '' }],
    link: f.link ?? '',
    threshold: Math.round(f.threshold * 100),
    enabled: f.enabled,
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

// Why the bot would not answer, in care-team words (the API's `reason` is already plain).
function Verdict({ t }: { t: Tried }) {
  return (
    <div class="fb-result" role="status" aria-live="polite">
      <p class={t.would_answer ? 'fb-yes' : 'fb-no'}>
        <strong>{t.would_answer ? 'The bot would answer.' : 'The bot would not answer.'}</strong> {t.would_answer ? '' : `Why: ${t.reason}.`}
      </p>
      {t.match ? (
        <p>
          Closest FAQ: <strong>{t.match.question ?? `#${t.match.faq_id}`}</strong>, match {pct(t.match.confidence)} (needs {pct(t.match.threshold)}).
        </p>
      ) : (
        <p>No FAQ matches these words.</p>
      )}
      <p class="muted">
        Read as: {t.triage.intent ?? 'no intent'}, {t.triage.sentiment ?? 'no sentiment'}, urgency {t.triage.urgency}
        {t.triage.lang ? `, language ${t.triage.lang}` : ''}.
      </p>
      {t.answer && (
        <>
          <p class="fb-label">The customer would get:</p>
          <blockquote class="fb-answer">{t.answer}</blockquote>
        </>
      )}
    </div>
  );
}

function TryIt({ channels }: { channels: Channel[] }) {
  const f = useForm<{ text: string; channel_id: string }>({ text: '', channel_id: '' });
  const [tried, setTried] = useState<Tried | null>(null);
  return (
    <section aria-labelledby="fb-try-h" class="settings-card fb-try">
      <h2 id="fb-try-h">Try it</h2>
      <form
        aria-label="Try the FAQ bot"
        noValidate
        onSubmit={f.submit(async (v) => {
          const body: Record<string, unknown> = { text: v.text };
          if (v.channel_id) body.channel_id = Number(v.channel_id);
          setTried(await api<Tried>('POST', '/api/v1/faq-bot/try', body));
          return ' ';
        })}
      >
        <TextArea form={f} name="text" label="A customer's first message" rows={3} maxLength={4000} placeholder="Hi! When are you open on Saturday?" />
        <div class="field">
          <label for="fb-try-channel">On channel</label>
          <select id="fb-try-channel" value={f.values.channel_id} onChange={(e) => f.set('channel_id', (e.target as HTMLSelectElement).value)}>
            <option value="">Any channel</option>
            {channels.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <FormStatus form={f} />
        <div class="form-actions">
          <button class="primary" disabled={f.busy}>
            Try
          </button>
        </div>
      </form>
      {tried && <Verdict t={tried} />}
    </section>
  );
}

function BotSettings({ bot, channels, onSaved }: { bot: Bot; channels: Channel[]; onSaved: () => void }) {
  const f = useForm<{ channels: number[]; window: number | null }>({ channels: bot.channels, window: Math.max(1, Math.round(bot.window_seconds / 60)) });
  useEffect(() => f.reset({ channels: bot.channels, window: Math.max(1, Math.round(bot.window_seconds / 60)) }), [bot.updated_at]);
  const toggle = (id: number, on: boolean) => f.set('channels', on ? [...f.values.channels, id] : f.values.channels.filter((x) => x !== id));
  const err = f.errors.channels;
  return (
    <section aria-labelledby="fb-set-h" class="settings-card">
      <h2 id="fb-set-h">Where the bot answers</h2>
      <form
        aria-label="FAQ bot settings"
        noValidate
        onSubmit={f.submit(async (v) => {
          await api('PUT', '/api/v1/faq-bot', { channels: v.channels, window_seconds: (v.window ?? 60) * 60 });
          onSaved();
          return v.channels.length ? 'Saved. The bot answers on the channels ticked.' : 'Saved. The bot is off on every channel.';
        })}
      >
        <fieldset id={`${f.id}-channels`} tabIndex={-1} class={'fb-channels' + (err ? ' field-invalid' : '')}>
          <legend>Channels</legend>
          {channels.length === 0 && <p class="muted">Connect a channel first.</p>}
          {channels.map((c) => (
            <div class="field field-check" key={c.id}>
              <input id={`fb-ch-${c.id}`} type="checkbox" checked={f.values.channels.includes(c.id)} onChange={(e) => toggle(c.id, (e.target as HTMLInputElement).checked)} />
              <label for={`fb-ch-${c.id}`}>{c.name}</label>
            </div>
          ))}
          {err && (
            <p class="field-error" role="alert">
              {err}
            </p>
          )}
        </fieldset>
        <NumberField
          form={f}
          name="window"
          label="Count an answer after"
          unit="minutes"
          min={1}
          max={10080}
          hint="If the customer writes again within this time, a person takes over. After it, the bot's answer counts as the reply and the conversation is resolved."
        />
        <FormStatus form={f} />
        <div class="form-actions">
          <button class="primary" disabled={f.busy}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}

function FaqForm({ editing, onDone }: { editing: Faq | null; onDone: (msg: string) => void }) {
  const f = useForm<Values>(editing ? fromFaq(editing) : blank());
  const v = f.values;
  const setAnswer = (i: number, patch: Partial<Answer>) => f.set('answers', v.answers.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const answersErr = f.errors.answers;
  return (
    <form
      class="settings-card fb-form"
      aria-label={editing ? `Edit “${editing.question}”` : 'New FAQ'}
      noValidate
      onSubmit={f.submit(async (x) => {
        const answers: Record<string, string> = {};
        for (const a of x.answers) if (a.lang.trim() || a.text.trim()) answers[a.lang.trim()] = a.text;
        const body = {
          question: x.question,
          variants: x.variants.split('\n').map((s) => s.trim()).filter(Boolean),
          answers,
          link: x.link.trim() || null,
          threshold: (x.threshold ?? 50) / 100,
          enabled: x.enabled,
        };
        if (editing) await api('PUT', `/api/v1/faqs/${editing.id}`, body);
        else await api('POST', '/api/v1/faqs', body);
        onDone(editing ? `“${x.question}” saved.` : `“${x.question}” added.`);
        return 'Saved.';
      })}
    >
      <h2>{editing ? `Edit “${editing.question}”` : 'New FAQ'}</h2>
      <TextField form={f} name="question" label="Question" maxLength={200} required placeholder="What are your opening hours?" />
      <TextArea
        form={f}
        name="variants"
        label="Other ways customers ask it"
        rows={4}
        placeholder={'When are you open?\nWann haben Sie geöffnet?'}
        hint="One per line. Add them in every language your customers write in: the bot matches words, not meaning."
      />
      <fieldset id={`${f.id}-answers`} tabIndex={-1} class={'canned-variants' + (answersErr ? ' field-invalid' : '')}>
        <legend>Answer, per language</legend>
        {v.answers.map((a, i) => (
          <div class="canned-variant" key={i}>
            <div class="canned-variant-head">
              <label for={`${f.id}-alang-${i}`}>Language</label>
              <input id={`${f.id}-alang-${i}`} class="canned-lang" value={a.lang} maxLength={16} placeholder="en" spellcheck={false} onInput={(e) => setAnswer(i, { lang: (e.target as HTMLInputElement).value })} />
              {v.answers.length > 1 && (
                <button type="button" class="ghost" onClick={() => f.set('answers', v.answers.filter((_, j) => j !== i))} aria-label={`Remove the ${a.lang || 'new'} answer`}>
                  Remove
                </button>
              )}
            </div>
            <label for={`${f.id}-atext-${i}`} class="sr-only">
              Answer in {a.lang || 'this language'}
            </label>
            <textarea id={`${f.id}-atext-${i}`} rows={3} maxLength={2000} value={a.text} onInput={(e) => setAnswer(i, { text: (e.target as HTMLTextAreaElement).value })} />
          </div>
        ))}
        {answersErr && (
          <p class="field-error" role="alert">
            {answersErr}
          </p>
        )}
        <p class="field-hint">The bot adds “Reply HUMAN to talk to a person” in the answer's language to every answer.</p>
        <button type="button" onClick={() => f.set('answers', [...v.answers, { lang: '', text: '' }])} disabled={v.answers.length >= 20}>
          Add a language
        </button>
      </fieldset>
      <TextField form={f} name="link" label="Link (optional)" type="url" maxLength={500} placeholder="https://shop.example.com/orders" spellcheck={false} hint="Sent under the answer." />
      <NumberField form={f} name="threshold" label="Answer only when the match is at least" unit="%" min={5} max={100} hint="Higher: fewer answers, fewer wrong ones. Try messages below to pick it." />
      <CheckField form={f} name="enabled" label="The bot may use this FAQ" />
      <FormStatus form={f} />
      <div class="form-actions">
        <button class="primary" disabled={f.busy}>
          {editing ? 'Save changes' : 'Add FAQ'}
        </button>
        <button type="button" onClick={() => onDone('')}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Figures({ s }: { s: Faq['stats'] }) {
  if (!s.answered && !s.held_back) return <span class="muted">Not used yet</span>;
  return (
    <span>
      {s.answered} answered ({pct(s.answer_rate)} of matches) · {pct(s.handoff_rate)} handed to a person · {pct(s.reopen_rate)} came back later
    </span>
  );
}

export function FaqBotScreen({ me }: ScreenProps) {
  const [faqs, setFaqs] = useState<Faq[] | null>(null);
  const [bot, setBot] = useState<Bot | null>(null);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [editing, setEditing] = useState<Faq | 'new' | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const load = async () => {
    try {
      const [l, b, c] = await Promise.all([
        api<{ items: Faq[] }>('GET', '/api/v1/faqs'),
        api<Bot>('GET', '/api/v1/faq-bot'),
        api<{ items: Channel[] }>('GET', '/api/v1/channels'),
      ]);
      setFaqs(l.items);
      setBot(b);
      setChannels(c.items);
      setError('');
    } catch (e) {
      setError(describe(e));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const changed = useSettingsChanged('faq_bot', () => load());
  const done = (msg: string) => {
    setEditing(null);
    setNotice(msg);
    load();
  };
  const remove = async (x: Faq) => {
    try {
      await api('DELETE', `/api/v1/faqs/${x.id}`);
      setNotice(`“${x.question}” deleted.`);
      load();
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <div class="fb-screen">
      <p class="muted">
        The bot answers a customer's first message only when it is a plain, calm, non-urgent question that closely matches one of these FAQs. It signs as the bot and
        always offers a person. Anything else, or any reply to the bot, goes to your team with a note saying what the bot tried.
      </p>
      <ChangedBy event={changed} meId={me.id} />
      {notice && (
        <p class="form-notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {bot && (
        <p class="fb-totals">
          All FAQs: <Figures s={bot.stats} />
        </p>
      )}
      <section aria-labelledby="fb-list-h">
        <div class="canned-toolbar">
          <h2 id="fb-list-h">FAQs</h2>
          {editing === null && (
            <button type="button" class="primary" onClick={() => { setNotice(''); setEditing('new'); }}>
              New FAQ
            </button>
          )}
        </div>
        {editing !== null && <FaqForm key={editing === 'new' ? 'new' : editing.id} editing={editing === 'new' ? null : editing} onDone={done} />}
        {faqs === null ? (
          <p class="muted" aria-busy="true">Loading FAQs…</p>
        ) : faqs.length === 0 ? (
          <p class="muted">No FAQs yet: add the questions your team answers most (opening hours, sizes, where an order is).</p>
        ) : (
          <table class="settings-table fb-table">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Languages</th>
                <th scope="col">Needs</th>
                <th scope="col">How it does</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {faqs.map((x) => (
                <tr key={x.id}>
                  <td>
                    <strong>{x.question}</strong>
                    {!x.enabled && <span class="chip fb-off">Off</span>}
                    <div class="muted fb-ways">{x.variants.length === 1 ? '1 other way of asking' : `${x.variants.length} other ways of asking`}</div>
                  </td>
                  <td>{Object.keys(x.answers).join(', ')}</td>
                  <td>{pct(x.threshold)}</td>
                  <td>
                    <Figures s={x.stats} />
                  </td>
                  <td class="canned-actions">
                    <button type="button" onClick={() => setEditing(x)} aria-label={`Edit ${x.question}`}>
                      Edit
                    </button>
                    <ConfirmButton label="Delete" question={`Delete “${x.question}”? Conversations keep the bot's answers.`} onConfirm={() => remove(x)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <TryIt channels={channels} />
      {bot && <BotSettings bot={bot} channels={channels} onSaved={load} />}
    </div>
  );
}
