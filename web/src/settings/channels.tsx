// channels.tsx - Settings → Channels: every place customers write from, with what Hark last heard
// from each platform, guided connection steps in the platform's own words, secret rotation and
// the chat widget's look.
//
// Backed by /api/v1/channels (docs/api.md, Channels). The status comes from GET (Hark keeps it
// in memory and answers at once), so the "waiting for a test event" check polls the channel
// until the platform's first delivery (or Meta's handshake) has reached Hark. Secrets are shown
// once, in the answer that made them, and never kept in this app's state after the dialog
// closes. Everything a customer or platform wrote is rendered as text, never as HTML.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { api, ApiError, Channel } from '../api';
import { Dialog } from '../dialogs';
import type { ScreenProps } from './areas';
import { ConfirmButton, describe, humanize } from './form';
import { useSettingsChanged } from './live';

type Settings = Record<string, unknown>;
interface Calendar {
  id: number;
  name: string;
  tz: string;
  open_now?: boolean;
  next_open?: string | null;
}

// ---- what each type needs, in the platform's words -------------------------------------------

interface FieldSpec {
  key: string;
  label: string;
  help?: string;
  secret?: boolean; // a credential: masked by the API, kept when left empty on edit
  optional?: boolean;
  placeholder?: string;
  type?: 'text' | 'url' | 'email';
}

interface TypeSpec {
  type: string;
  label: string;
  blurb: string;
  window: string; // the reply-window rule, in plain words
  fields: FieldSpec[];
  made?: string; // the token Hark makes up for the platform to repeat (verify_token, secret_token)
}

const META_WINDOW_24 =
  'Free replies within 24 hours of the customer’s last message; a person may still answer for 7 days with the human agent tag.';

export const TYPES: TypeSpec[] = [
  {
    type: 'whatsapp',
    label: 'WhatsApp',
    blurb: 'WhatsApp Business Cloud API: messages to your business number.',
    window: 'Free replies within 24 hours of the customer’s last message (the service window); after that, only approved message templates.',
    made: 'verify_token',
    fields: [
      { key: 'phone_number_id', label: 'Phone number ID', help: 'WhatsApp → API Setup, under your business number.' },
      { key: 'business_account_id', label: 'WhatsApp Business Account ID', optional: true, placeholder: '102290129340398',
        help: 'WhatsApp → API Setup in Meta for Developers (or Account tools in WhatsApp Manager). Needed to offer your approved message templates after the 24-hour window.' },
      { key: 'access_token', label: 'Access token', secret: true, help: 'A permanent token of a system user with whatsapp_business_messaging.' },
      { key: 'app_secret', label: 'App Secret', secret: true, help: 'App settings → Basic → App Secret → Show.' },
    ],
  },
  {
    type: 'messenger',
    label: 'Messenger',
    blurb: 'Messages to your Facebook Page, and comments on its posts.',
    window: META_WINDOW_24,
    made: 'verify_token',
    fields: [
      { key: 'page_id', label: 'Page ID', help: 'Your Page → About → Page transparency, or Meta Business Suite → Settings.' },
      { key: 'access_token', label: 'Page access token', secret: true, help: 'Messenger → Settings → Access Tokens → Generate token for your Page.' },
      { key: 'app_secret', label: 'App Secret', secret: true, help: 'App settings → Basic → App Secret → Show.' },
    ],
  },
  {
    type: 'instagram',
    label: 'Instagram',
    blurb: 'Instagram Direct messages and comments on your posts.',
    window: META_WINDOW_24,
    made: 'verify_token',
    fields: [
      { key: 'page_id', label: 'Instagram account ID', help: 'The professional account linked to your Facebook Page (Instagram → Settings in your app).' },
      { key: 'access_token', label: 'Page access token', secret: true, help: 'A token of the Facebook Page linked to the Instagram account.' },
      { key: 'app_secret', label: 'App Secret', secret: true, help: 'App settings → Basic → App Secret → Show.' },
    ],
  },
  {
    type: 'telegram',
    label: 'Telegram',
    blurb: 'Messages to your Telegram bot.',
    window: 'No reply window: you can answer any time.',
    made: 'secret_token',
    fields: [{ key: 'bot_token', label: 'Bot token', secret: true, help: 'The token @BotFather gave you when you created the bot.' }],
  },
  {
    type: 'x',
    label: 'X',
    blurb: 'Direct messages and mentions of your X account.',
    window: 'No reply window: DMs and public replies can be answered any time.',
    fields: [
      { key: 'user_id', label: 'Account user ID', help: 'The numeric id of the account customers write to.' },
      { key: 'consumer_secret', label: 'API Key Secret (consumer secret)', secret: true, help: 'Developer Portal → your app → Keys and tokens.' },
      { key: 'access_token', label: 'Access token', secret: true, help: 'Keys and tokens → Access Token, for the account above.' },
    ],
  },
  {
    type: 'bluesky',
    label: 'Bluesky',
    blurb: 'Answer posts on Bluesky where they are, and replies to your own posts.',
    window: 'No reply window: a reply is posted under the customer’s post, in public, any time (300 characters at most).',
    fields: [
      { key: 'identifier', label: 'Your Bluesky handle', placeholder: 'shop.bsky.social', help: 'The handle of the brand’s account, without the @ (or its DID).' },
      { key: 'app_password', label: 'App password', secret: true,
        help: 'Bluesky → Settings → Privacy and security → App passwords → Add. Never your account password.' },
      { key: 'pds_url', label: 'Server (PDS)', type: 'url', optional: true, placeholder: 'https://bsky.social',
        help: 'Leave empty for accounts hosted by Bluesky; else your own PDS address.' },
    ],
  },
  {
    type: 'mastodon',
    label: 'Mastodon',
    blurb: 'Answer toots where they are, and mentions of your account.',
    window: 'No reply window: a reply is posted under the customer’s toot, seen by the same people (public, unlisted, followers or direct), 500 characters at most.',
    fields: [
      { key: 'instance_url', label: 'Your server', type: 'url', placeholder: 'https://mastodon.social', help: 'The address of the server the brand’s account lives on.' },
      { key: 'access_token', label: 'Access token', secret: true,
        help: 'On that server: Preferences → Development → New application, with read:statuses, read:notifications and write:statuses; then copy “Your access token”.' },
    ],
  },
  {
    type: 'sms',
    label: 'SMS (Twilio)',
    blurb: 'Text messages to your Twilio phone number.',
    window: 'No reply window.',
    fields: [
      { key: 'account_sid', label: 'Account SID', help: 'Twilio Console → Account Info.' },
      { key: 'auth_token', label: 'Auth Token', secret: true, help: 'Twilio Console → Account Info → Auth Token.' },
      { key: 'from', label: 'Your Twilio number', placeholder: '+15550001234', help: 'In international format, as Twilio shows it.' },
    ],
  },
  {
    type: 'email',
    label: 'Email',
    blurb: 'A support mailbox: Hark reads it by IMAP and answers by SMTP.',
    window: 'No reply window.',
    fields: [
      { key: 'address', label: 'Support address', type: 'email', placeholder: 'care@shop.example' },
      { key: 'imap_url', label: 'IMAP server', placeholder: 'imaps://mail.shop.example/INBOX', help: 'imaps://host[:port]/mailbox, without a user name or password.' },
      { key: 'smtp_url', label: 'SMTP server', placeholder: 'smtps://mail.shop.example', help: 'smtps://host[:port] or smtp://host:587 (STARTTLS).' },
      { key: 'username', label: 'Mailbox user name' },
      { key: 'password', label: 'Mailbox password', secret: true },
    ],
  },
  {
    type: 'webchat',
    label: 'Website chat',
    blurb: 'Hark’s own chat widget on your website.',
    window: 'No reply window: the visitor sees your answer in the chat, even later.',
    fields: [{ key: 'brand_name', label: 'Brand name shown in the chat', optional: true }],
  },
  {
    type: 'api',
    label: 'Your own system (API)',
    blurb: 'Any system that can send signed JSON: a shop, an app, a form.',
    window: 'No reply window.',
    fields: [{ key: 'callback_url', label: 'Where Hark sends your replies', type: 'url', optional: true, placeholder: 'https://shop.example/hark' }],
  },
];

// The input type of a field (preact's types want one literal per element; all four are text-like).
const inputType = (f: FieldSpec) => (f.secret ? 'password' : f.type ?? 'text') as 'text';

export const typeSpec = (t: string): TypeSpec =>
  TYPES.find((s) => s.type === t) ?? { type: t, label: t, blurb: '', window: 'No reply window.', fields: [] };

const META = ['whatsapp', 'messenger', 'instagram'];
// Types Hark polls itself: nothing to paste on the platform, no secret to copy.
const PULL = ['email', 'bluesky', 'mastodon'];
const pasteStep = (type: string) => (PULL.includes(type) ? 'Nothing to paste' : `Paste into ${platformName(type)}`);

// ---- small helpers -------------------------------------------------------------------------

// "just now", "4 minutes ago", "yesterday at 14:05", or a date.
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = new Date(t);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (h < 48) return `yesterday at ${time}`;
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'long' })} at ${time}`;
}

// A random token for the platform to repeat (Meta's verify token, Telegram's secret_token):
// hex, so it fits every platform's alphabet.
function randomToken(bytes = 24): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// The field a 422 names ("settings.color" → "color"), or '' when it names none of ours.
function fieldOf(err: unknown): string {
  if (!(err instanceof ApiError) || err.status !== 422) return '';
  // The 422 names it in "field"; the message names it too ("invalid 'settings.x': ...").
  const f = (err as ApiError & { field?: string }).field || (/^(?:invalid|missing) '([^']+)'/.exec(err.message)?.[1] ?? '');
  return (f.startsWith('settings.') ? f.slice(9) : f).replace(/\[\d+\]$/, '');
}

// An error in care-team words (the form kit's), a missing setting as "This is required.".
function errText(err: unknown): string {
  if (err instanceof ApiError && err.status === 422 && /^missing '/.test(err.message)) return 'This is required.';
  return describe(err);
}

// A status line of the API (lowercase, git-style) as a sentence.
function sentence(s: string): string {
  const t = humanize(s);
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

export function CopyField({ id, label, value, multiline }: { id: string; label: string; value: string; multiline?: boolean }) {
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      ref.current?.select(); // the person copies it with the keyboard instead
      setCopied(false);
    }
  };
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <div class="ch-copy">
      <label for={id}>{label}</label>
      <div class="ch-copy-row">
        {multiline ? (
          <textarea id={id} ref={ref} readOnly rows={3} value={value} onFocus={(e) => (e.target as HTMLTextAreaElement).select()} />
        ) : (
          <input id={id} ref={ref} readOnly value={value} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        )}
        <button type="button" onClick={copy} aria-label={`Copy ${label}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

function Field({
  id, label, help, error, children,
}: { id: string; label: string; help?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {help && (
        <p class="field-hint" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-err`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

// ---- the area ------------------------------------------------------------------------------

type Mode =
  | { kind: 'list' }
  | { kind: 'connect' }
  | { kind: 'setup'; id: number; shown: Record<string, string>; since: number }
  | { kind: 'edit'; id: number }
  | { kind: 'look'; id: number }
  | { kind: 'rotate'; id: number };

export function ChannelsArea(_: ScreenProps) {
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [loadErr, setLoadErr] = useState('');
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [note, setNote] = useState('');
  const load = useCallback(async () => {
    try {
      const r = await api<{ items: Channel[] }>('GET', '/api/v1/channels');
      setChannels(r.items);
      setLoadErr('');
    } catch (e) {
      setLoadErr(e instanceof ApiError && e.status === 403 ? 'Only an admin can see channel settings.' : 'Cannot load the channels. Retrying…');
    }
  }, []);
  useSettingsChanged('channels', () => load()); // another admin's change
  useEffect(() => {
    load();
    // Statuses change with every webhook; a light poll keeps "last message" true while open.
    const t = setInterval(() => document.visibilityState === 'visible' && load(), 10000);
    return () => clearInterval(t);
  }, [load]);

  const byId = (id: number) => channels?.find((c) => c.id === id) ?? null;
  const close = (done?: string) => {
    setMode({ kind: 'list' });
    setNote(typeof done === 'string' ? done : '');
    load();
  };
  const toggle = async (ch: Channel) => {
    try {
      await api('PATCH', `/api/v1/channels/${ch.id}`, { enabled: !ch.enabled });
      setNote(`${ch.name} is switched ${ch.enabled ? 'off' : 'on'}.`);
      load();
    } catch (e) {
      setNote(errText(e));
    }
  };

  if (mode.kind === 'connect')
    return <ConnectFlow onCancel={close} onCreated={(id, shown) => setMode({ kind: 'setup', id, shown, since: Date.now() - 1000 })} />;
  if (mode.kind === 'setup') {
    const ch = byId(mode.id);
    return <SetupSteps id={mode.id} initial={ch} shown={mode.shown} since={mode.since} onClose={close} />;
  }
  const current = mode.kind === 'list' ? null : byId(mode.id);
  if (mode.kind === 'edit' && current) return <EditChannel ch={current} onClose={close} />;
  if (mode.kind === 'look' && current) return <WidgetLook ch={current} onClose={close} />;

  return (
    <section class="ch-area">
      <div class="ch-top">
        <p class="muted">Every place customers write from, and whether Hark hears them.</p>
        <button type="button" class="primary" onClick={() => setMode({ kind: 'connect' })}>
          Connect a channel
        </button>
      </div>
      {note && (
        <p class="ch-note" role="status">
          {note}
        </p>
      )}
      {loadErr && <p class="form-error" role="alert">{loadErr}</p>}
      {channels === null && !loadErr && <p aria-busy="true">Loading…</p>}
      {channels?.length === 0 && (
        <div class="ch-empty">
          <p>No channel yet. Connect WhatsApp, Messenger, your website chat or any other place customers write from.</p>
        </div>
      )}
      <ul class="ch-list">
        {channels?.map((ch) => (
          <ChannelCard
            key={ch.id}
            ch={ch}
            onSetup={() => setMode({ kind: 'setup', id: ch.id, shown: {}, since: 0 })}
            onEdit={() => setMode({ kind: 'edit', id: ch.id })}
            onLook={() => setMode({ kind: 'look', id: ch.id })}
            onRotate={() => setMode({ kind: 'rotate', id: ch.id })}
            onToggle={() => toggle(ch)}
          />
        ))}
      </ul>
      {mode.kind === 'rotate' && current && (
        <RotateDialog
          ch={current}
          onClose={() => {
            setMode({ kind: 'list' });
            load();
          }}
        />
      )}
    </section>
  );
}

function ChannelCard({
  ch, onSetup, onEdit, onLook, onRotate, onToggle,
}: { ch: Channel; onSetup: () => void; onEdit: () => void; onLook: () => void; onRotate: () => void; onToggle: () => void }) {
  const spec = typeSpec(ch.type);
  const st = ch.status;
  // A problem is current until the platform next reached Hark (a delivery or a handshake).
  const lastGood = [st.last_event_at, st.last_verify_at].filter(Boolean).sort().pop() ?? '';
  const errorNewer = !!st.last_error && (st.last_error_at ?? '') >= lastGood;
  const health = !ch.enabled ? 'off' : errorNewer ? 'warn' : st.last_event_at ? 'ok' : 'idle';
  const healthText = { off: 'Switched off', warn: 'Needs attention', ok: 'Working', idle: 'Waiting for a first message' }[health];
  return (
    <li class="ch-card" aria-labelledby={`ch-${ch.id}-name`}>
      <div class="ch-card-head">
        <div>
          <h2 id={`ch-${ch.id}-name`}>{ch.name}</h2>
          <p class="muted">{spec.label}</p>
        </div>
        <span class={`ch-pill ch-${health}`}>{healthText}</span>
      </div>
      <dl class="ch-facts">
        <dt>Last message</dt>
        <dd>{st.last_event_at ? ago(st.last_event_at) : 'Nothing received yet'}</dd>
        {st.last_verify_at && (
          <>
            <dt>Platform check</dt>
            <dd>{ago(st.last_verify_at)}</dd>
          </>
        )}
        <dt>Today</dt>
        <dd>
          {st.messages_today} new message{st.messages_today === 1 ? '' : 's'}
          {st.errors_today > 0 && `, ${st.errors_today} problem${st.errors_today === 1 ? '' : 's'}`}
        </dd>
        <dt>Reply window</dt>
        <dd>{spec.window}</dd>
      </dl>
      {st.last_error && (
        <p class={`ch-lasterr${errorNewer ? '' : ' ch-old'}`}>
          <strong>Last problem ({ago(st.last_error_at)}):</strong> {sentence(st.last_error)}
        </p>
      )}
      <div class="ch-actions">
        <button type="button" onClick={onSetup} aria-describedby={`ch-${ch.id}-name`}>Setup steps</button>
        {ch.type === 'webchat' && <button type="button" onClick={onLook} aria-describedby={`ch-${ch.id}-name`}>Widget look</button>}
        <button type="button" onClick={onEdit} aria-describedby={`ch-${ch.id}-name`}>Edit</button>
        <button type="button" onClick={onRotate} aria-describedby={`ch-${ch.id}-name`}>Rotate secret</button>
        {ch.enabled ? (
          <ConfirmButton label="Switch off" question="New messages will be refused until it is switched on. Switch off?" onConfirm={onToggle} />
        ) : (
          <button type="button" onClick={onToggle} aria-describedby={`ch-${ch.id}-name`}>Switch on</button>
        )}
      </div>
    </li>
  );
}

// ---- connect -------------------------------------------------------------------------------

function ConnectFlow({ onCancel, onCreated }: { onCancel: () => void; onCreated: (id: number, shown: Record<string, string>) => void }) {
  const [type, setType] = useState('');
  const spec = type ? typeSpec(type) : null;
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formErr, setFormErr] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!spec) return;
    const miss: Record<string, string> = {};
    if (!name.trim()) miss.name = 'Give the channel a name your team will recognise.';
    for (const f of spec.fields) if (!f.optional && !(values[f.key] ?? '').trim()) miss[f.key] = 'This is required.';
    setErrors(miss);
    if (Object.keys(miss).length) return;
    const settings: Settings = {};
    for (const f of spec.fields) if ((values[f.key] ?? '').trim()) settings[f.key] = values[f.key]!.trim();
    if (spec.made) settings[spec.made] = randomToken();
    setBusy(true);
    setFormErr('');
    try {
      const r = await api<Channel & { secret?: string; verify_token?: string }>('POST', '/api/v1/channels', { type, name: name.trim(), settings });
      const shown: Record<string, string> = {};
      if (r.secret) shown.secret = r.secret;
      if (spec.made) shown[spec.made] = settings[spec.made] as string;
      onCreated(r.id, shown);
    } catch (err) {
      const f = fieldOf(err);
      if (f && (f === 'name' || spec.fields.some((x) => x.key === f))) setErrors({ [f]: errText(err) });
      else setFormErr(errText(err));
    } finally {
      setBusy(false);
    }
  };

  if (!spec)
    return (
      <section class="ch-area" aria-labelledby="ch-connect">
        <h2 id="ch-connect">Connect a channel</h2>
        <p class="muted">Where do your customers write from?</p>
        <ul class="ch-types">
          {TYPES.map((t) => (
            <li key={t.type}>
              <button type="button" class="ch-type" onClick={() => setType(t.type)}>
                <strong>{t.label}</strong>
                <span>{t.blurb}</span>
              </button>
            </li>
          ))}
        </ul>
        <div class="row-end">
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </section>
    );

  return (
    <section class="ch-area" aria-labelledby="ch-connect">
      <h2 id="ch-connect">Connect {spec.label}</h2>
      <p class="muted">{spec.blurb}</p>
      <ol class="ch-progress" aria-label="Steps">
        <li class="done">Choose</li>
        <li aria-current="step">Your {spec.label} details</li>
        <li>{pasteStep(type)}</li>
        <li>Test</li>
      </ol>
      <form class="ch-form" onSubmit={submit} noValidate>
        <Field id="cn-name" label="Name (your team sees this)" error={errors.name}>
          <input id="cn-name" maxLength={200} value={name} placeholder={`${spec.label} – main`} aria-invalid={!!errors.name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        {spec.fields.map((f) => (
          <Field key={f.key} id={`cn-${f.key}`} label={f.optional ? `${f.label} (optional)` : f.label} help={f.help} error={errors[f.key]}>
            <input id={`cn-${f.key}`} type={inputType(f)} autocomplete="off" spellcheck={false}
              placeholder={f.placeholder} value={values[f.key] ?? ''} aria-invalid={!!errors[f.key]}
              aria-describedby={f.help ? `cn-${f.key}-help` : undefined}
              onInput={(e) => setValues({ ...values, [f.key]: (e.target as HTMLInputElement).value })} />
          </Field>
        ))}
        {spec.made && (
          <p class="field-hint">
            Hark makes up the {spec.made === 'verify_token' ? 'verify token' : 'secret token'} for you; the next step shows it with the
            webhook URL.
          </p>
        )}
        {formErr && <p class="form-error" role="alert">{formErr}</p>}
        <div class="row-end">
          <button type="button" onClick={() => setType('')}>Back</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Connecting…' : 'Continue'}</button>
        </div>
      </form>
    </section>
  );
}

function platformName(type: string): string {
  return META.includes(type) ? 'Meta' : type === 'sms' ? 'Twilio' : type === 'webchat' ? 'your website' : type === 'api' ? 'your system' : typeSpec(type).label;
}

// ---- setup steps and the live check --------------------------------------------------------

function SetupSteps({ id, initial, shown, since, onClose }: { id: number; initial: Channel | null; shown: Record<string, string>; since: number; onClose: () => void }) {
  const [ch, setCh] = useState<Channel | null>(initial);
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      try {
        const c = await api<Channel>('GET', `/api/v1/channels/${id}`);
        if (!stop) setCh(c);
      } catch {
        /* keep the last answer; the next poll tries again */
      }
    };
    tick();
    const t = setInterval(tick, 1500);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [id]);
  if (!ch) return <p aria-busy="true">Loading…</p>;
  const spec = typeSpec(ch.type);
  const after = (iso: string | null | undefined) => !!iso && new Date(iso).getTime() >= since;
  const heard = after(ch.status.last_event_at);
  const verified = after(ch.status.last_verify_at);
  const problem = after(ch.status.last_error_at) && ch.status.last_error && !(heard && (ch.status.last_event_at ?? '') > (ch.status.last_error_at ?? ''));
  const url = ch.webhook_url;
  const origin = new URL(url).origin;
  const token = (k: string) => shown[k] ?? '';
  return (
    <section class="ch-area" aria-labelledby="ch-setup">
      <h2 id="ch-setup">Connect {spec.label}: {ch.name}</h2>
      <ol class="ch-progress" aria-label="Steps">
        <li class="done">Choose</li>
        <li class="done">Your {spec.label} details</li>
        <li aria-current="step">{pasteStep(ch.type)}</li>
        <li class={heard ? 'done' : ''}>Test</li>
      </ol>
      {Object.keys(shown).length > 0 && !PULL.includes(ch.type) && (
        <p class="ch-once">Copy these now: Hark shows secrets only once. You can rotate them later if they are lost.</p>
      )}
      <ol class="ch-steps">
        <Steps ch={ch} url={url} origin={origin} token={token} />
      </ol>
      <div class={`ch-check ${heard ? 'ch-check-ok' : problem ? 'ch-check-bad' : ''}`} role="status" aria-live="polite">
        {META.includes(ch.type) && (
          <p>
            {verified ? '✓ Meta verified the webhook URL and verify token.' : <><span class="ch-spin" aria-hidden="true" /> Waiting for Meta to verify the webhook URL.</>}
          </p>
        )}
        {heard ? (
          <p>
            <strong>✓ {platformName(ch.type) === 'your website' ? 'The chat' : platformName(ch.type)} reached Hark</strong> ({ago(ch.status.last_event_at)}). The channel works.
          </p>
        ) : (
          <p>
            <span class="ch-spin" aria-hidden="true" /> <strong>Waiting for a test event…</strong> {testHint(ch.type)}
          </p>
        )}
        {problem && !heard && <p class="form-error">Something reached Hark but was refused: {sentence(ch.status.last_error ?? '')}</p>}
      </div>
      <div class="row-end">
        <button type="button" class={heard ? 'primary' : ''} onClick={onClose}>{heard ? 'Done' : 'Finish later'}</button>
      </div>
    </section>
  );
}

function testHint(type: string): string {
  switch (type) {
    case 'whatsapp': return 'Send a WhatsApp message to your business number, or press “Test” next to “messages” in the webhook fields.';
    case 'messenger': return 'Message your Page from a personal account, or press “Test” next to “messages” in the webhook fields.';
    case 'instagram': return 'Send a Direct message to your Instagram account from another account.';
    case 'telegram': return 'Send your bot a message in Telegram.';
    case 'x': return 'Send your account a Direct message from another account.';
    case 'sms': return 'Text your Twilio number from a phone.';
    case 'email': return 'Hark checks the mailbox every minute; this turns green after its first look.';
    case 'bluesky': return 'Hark signs in and looks for replies to your posts; this turns green after its first look.';
    case 'mastodon': return 'Hark looks for mentions of your account; this turns green after its first look.';
    case 'webchat': return 'Open your website and send a message in the chat.';
    default: return 'Send a signed test request (below).';
  }
}

function Steps({ ch, url, origin, token }: { ch: Channel; url: string; origin: string; token: (k: string) => string }) {
  const vt = token('verify_token');
  const secret = token('secret');
  const vtField = vt ? (
    <CopyField id="st-vt" label="Verify token" value={vt} />
  ) : (
    <p class="field-hint">The verify token was shown when the channel was connected. Lost it? Use “Rotate secret” for a new one.</p>
  );
  switch (ch.type) {
    case 'whatsapp':
      return (
        <>
          <li>In <strong>Meta for Developers</strong>, open your app, then <strong>WhatsApp → Configuration</strong>.</li>
          <li>
            Under <strong>Webhook</strong>, press <strong>Edit</strong> and paste:
            <CopyField id="st-url" label="Callback URL" value={url} />
            {vtField}
            Then press <strong>Verify and save</strong>.
          </li>
          <li>Under <strong>Webhook fields</strong>, press <strong>Subscribe</strong> next to <strong>messages</strong>.</li>
        </>
      );
    case 'messenger':
    case 'instagram':
      return (
        <>
          <li>
            In <strong>Meta for Developers</strong>, open your app, then{' '}
            <strong>{ch.type === 'messenger' ? 'Messenger → Settings' : 'Instagram → Settings'}</strong>, section <strong>Webhooks</strong>.
          </li>
          <li>
            Press <strong>Add Callback URL</strong> and paste:
            <CopyField id="st-url" label="Callback URL" value={url} />
            {vtField}
            Then press <strong>Verify and save</strong>.
          </li>
          <li>
            Add your {ch.type === 'messenger' ? 'Page' : 'account'} and subscribe to <strong>messages</strong>
            {ch.type === 'messenger' ? <> (and <strong>feed</strong> for Page comments)</> : <> and <strong>comments</strong></>}.
          </li>
        </>
      );
    case 'telegram': {
      const st = token('secret_token');
      return (
        <>
          <li>
            Tell Telegram where to send your bot’s messages: run this once (put your bot token in place of <code>BOT_TOKEN</code>):
            {st ? (
              <CopyField id="st-cmd" label="setWebhook command" multiline
                value={`curl -F "url=${url}" -F "secret_token=${st}" https://api.telegram.org/botBOT_TOKEN/setWebhook`} />
            ) : (
              <p class="field-hint">The secret token was shown when the channel was connected. Lost it? Use “Rotate secret”, then run setWebhook again.</p>
            )}
          </li>
          <li>Telegram answers <code>"Webhook was set"</code>.</li>
        </>
      );
    }
    case 'x':
      return (
        <>
          <li>
            In the <strong>X Developer Portal</strong>, register this webhook URL for your app (Account Activity API):
            <CopyField id="st-url" label="Webhook URL" value={url} />
            X checks it at once with a CRC request, which Hark answers with your API Key Secret.
          </li>
          <li>Subscribe your account to the webhook.</li>
        </>
      );
    case 'sms':
      return (
        <>
          <li>In the <strong>Twilio Console</strong>, open <strong>Phone Numbers → Manage → Active numbers</strong> and pick your number.</li>
          <li>
            Under <strong>Messaging Configuration</strong>, for <strong>A message comes in</strong> choose <strong>Webhook</strong>, paste the URL
            and choose <strong>HTTP POST</strong>:
            <CopyField id="st-url" label="Webhook URL" value={url} />
            Then press <strong>Save configuration</strong>.
          </li>
        </>
      );
    case 'email':
      return (
        <li>Nothing to paste: Hark signs in to the mailbox itself and checks it every minute. Write to your support address to test it.</li>
      );
    case 'bluesky':
      return (
        <>
          <li>Nothing to paste: Hark signs in with the app password and checks for replies to your posts regularly.</li>
          <li>
            To answer a post Hark found in <strong>Listening</strong>, press <strong>Convert to a care conversation</strong> and choose this
            channel: your reply is posted under that post.
          </li>
        </>
      );
    case 'mastodon':
      return (
        <>
          <li>Nothing to paste: Hark uses the access token to read mentions of your account regularly.</li>
          <li>
            To answer a toot Hark found in <strong>Listening</strong>, press <strong>Convert to a care conversation</strong> and choose this
            channel: your reply is posted under that toot, as visible as the toot itself.
          </li>
        </>
      );
    case 'webchat':
      return (
        <>
          <li>
            Paste this tag just before <code>&lt;/body&gt;</code> on every page of your website:
            <CopyField id="st-snippet" label="Chat widget code" multiline value={snippet(origin, ch.id)} />
          </li>
          <li>Change its colour, greeting and office hours with “Widget look”.</li>
        </>
      );
    default:
      return (
        <>
          <li>
            Send customer messages as JSON to this URL:
            <CopyField id="st-url" label="Webhook URL" value={url} />
          </li>
          <li>
            Sign each request body: header <code>X-Hark-Signature: sha256=</code> followed by the hex HMAC-SHA256 of the body, keyed by the
            secret.
            {secret ? <CopyField id="st-secret" label="Secret" value={secret} /> : <p class="field-hint">The secret was shown when the channel was connected; “Rotate secret” makes a new one.</p>}
          </li>
        </>
      );
  }
}

export const snippet = (origin: string, id: number) => `<script src="${origin}/widget.js" data-channel="${id}" async></script>`;

// ---- rotate --------------------------------------------------------------------------------

function RotateDialog({ ch, onClose }: { ch: Channel; onClose: () => void }) {
  const [shown, setShown] = useState<Record<string, string> | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const spec = typeSpec(ch.type);
  const what = META.includes(ch.type)
    ? 'Meta must get the new verify token: paste it in your app’s webhook settings and verify again.'
    : ch.type === 'telegram'
      ? 'Telegram must get the new secret token: run setWebhook again with it.'
      : ch.type === 'webchat'
        ? 'Visitors of your website chat start a new conversation.'
        : ch.type === 'api'
          ? 'Your system must sign its requests with the new secret.'
          : `Secrets ${spec.label} issued (such as its tokens and passwords) are changed there, then under Edit.`;
  const rotate = async () => {
    setBusy(true);
    try {
      const r = await api<Channel & Record<string, unknown>>('POST', `/api/v1/channels/${ch.id}/rotate`);
      const s: Record<string, string> = {};
      for (const k of ['secret', 'verify_token', 'secret_token']) if (typeof r[k] === 'string') s[k] = r[k] as string;
      setShown(s);
    } catch (e) {
      setErr(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Rotate the secret of ${ch.name}`} onClose={onClose}>
      {!shown ? (
        <div class="stack">
          <p>The old secret stops working at once. {what}</p>
          {err && <p class="form-error" role="alert">{err}</p>}
          <div class="row-end">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="button" class="primary" disabled={busy} onClick={rotate}>Rotate now</button>
          </div>
        </div>
      ) : (
        <div class="stack">
          <p class="ch-once">Copy the new values now: Hark shows them only this once.</p>
          {shown.verify_token && <CopyField id="rt-vt" label="New verify token" value={shown.verify_token} />}
          {shown.secret_token && <CopyField id="rt-st" label="New secret token" value={shown.secret_token} />}
          {(ch.type === 'api' || !(shown.verify_token || shown.secret_token)) && shown.secret && (
            <CopyField id="rt-secret" label="New secret" value={shown.secret} />
          )}
          <div class="row-end">
            <button type="button" class="primary" onClick={onClose}>I have copied it</button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

// ---- edit ----------------------------------------------------------------------------------

function EditChannel({ ch, onClose }: { ch: Channel; onClose: (done?: string) => void }) {
  const spec = typeSpec(ch.type);
  const stored = ch.settings as Settings;
  const [name, setName] = useState(ch.name);
  const [values, setValues] = useState<Record<string, string>>(() => {
    const v: Record<string, string> = {};
    for (const f of spec.fields) v[f.key] = f.secret ? '' : String(stored[f.key] ?? '');
    return v;
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState('');
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    // Only what changed: an empty secret keeps the stored one.
    const settings: Settings = {};
    for (const f of spec.fields) {
      const v = (values[f.key] ?? '').trim();
      if (f.secret ? v !== '' : v !== String(stored[f.key] ?? '')) settings[f.key] = v === '' ? null : v;
    }
    const body: Record<string, unknown> = {};
    if (name.trim() !== ch.name) body.name = name.trim();
    if (Object.keys(settings).length) body.settings = settings;
    setErrors({});
    setMsg('');
    if (!Object.keys(body).length) {
      setMsg('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      await api('PATCH', `/api/v1/channels/${ch.id}`, body);
      onClose(`${name.trim() || ch.name} is saved.`);
    } catch (err) {
      const f = fieldOf(err);
      if (f && (f === 'name' || spec.fields.some((x) => x.key === f))) setErrors({ [f]: errText(err) });
      else setMsg(errText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="ch-area" aria-labelledby="ch-edit">
      <h2 id="ch-edit">Edit {ch.name}</h2>
      <p class="muted">{spec.label}</p>
      <form class="ch-form" onSubmit={save} noValidate>
        <Field id="ed-name" label="Name (your team sees this)" error={errors.name}>
          <input id="ed-name" maxLength={200} value={name} aria-invalid={!!errors.name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        {spec.fields.map((f) => (
          <Field key={f.key} id={`ed-${f.key}`} label={f.label} help={f.secret ? 'Saved. Leave empty to keep it; type a new one to replace it.' : f.help} error={errors[f.key]}>
            <input id={`ed-${f.key}`} type={inputType(f)} autocomplete="off" spellcheck={false}
              placeholder={f.secret ? '••••••••' : f.placeholder} value={values[f.key] ?? ''} aria-invalid={!!errors[f.key]}
              onInput={(e) => setValues({ ...values, [f.key]: (e.target as HTMLInputElement).value })} />
          </Field>
        ))}
        {msg && <p role="status">{msg}</p>}
        <div class="row-end">
          <button type="button" onClick={() => onClose()}>Back</button>
          <button type="submit" class="primary" disabled={busy}>Save</button>
        </div>
      </form>
      <DeleteChannel ch={ch} onDone={onClose} />
    </section>
  );
}

function DeleteChannel({ ch, onDone }: { ch: Channel; onDone: (done?: string) => void }) {
  const [msg, setMsg] = useState('');
  const del = async () => {
    try {
      await api('DELETE', `/api/v1/channels/${ch.id}`);
      onDone(`${ch.name} is deleted.`);
    } catch (e) {
      setMsg(e instanceof ApiError && e.status === 409
        ? 'This channel has conversations, so it cannot be deleted. Switch it off instead: its conversations stay.'
        : errText(e));
    }
  };
  return (
    <div class="ch-danger">
      <h3>Delete</h3>
      <p class="muted">Only a channel that never received a message can be deleted; otherwise switch it off.</p>
      {msg && <p class="form-error" role="alert">{msg}</p>}
      <ConfirmButton label="Delete" question={`Delete ${ch.name} for good?`} onConfirm={del} />
    </div>
  );
}

// ---- widget look ---------------------------------------------------------------------------

// "We're online", or when the team is back, as the widget says it (web/src/widget/widget.ts).
function hoursLine(c: Calendar | undefined): string {
  if (!c) return '';
  if (c.open_now) return 'We’re online';
  if (!c.next_open) return 'We’re away for now';
  const at = new Date(c.next_open);
  const days = Math.round((new Date(at.toDateString()).getTime() - new Date(new Date().toDateString()).getTime()) / 86400000);
  const when = days <= 0 ? 'today' : days === 1 ? 'tomorrow' : at.toLocaleDateString(undefined, { weekday: 'long' });
  return `Back ${when} at ${at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

function WidgetLook({ ch, onClose }: { ch: Channel; onClose: () => void }) {
  const s = ch.settings as Settings;
  const [v, setV] = useState({
    brand_name: String(s.brand_name ?? ''),
    color: String(s.color ?? '#1d4ed8'),
    greeting: String(s.greeting ?? ''),
    launcher_text: String(s.launcher_text ?? ''),
    calendar_id: s.calendar_id ? String(s.calendar_id) : '',
    reply_minutes: s.reply_minutes === undefined || s.reply_minutes === null ? '' : String(s.reply_minutes),
    allowed_origins: Array.isArray(s.allowed_origins) ? (s.allowed_origins as string[]).join('\n') : '',
  });
  const [cals, setCals] = useState<Calendar[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ items: Calendar[] }>('GET', '/api/v1/calendars').then((r) => setCals(r.items)).catch(() => setCals([]));
  }, []);
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  const colorOk = /^#[0-9a-fA-F]{6}$/.test(v.color);
  const cal = cals.find((c) => String(c.id) === v.calendar_id);
  const origin = useMemo(() => new URL(ch.webhook_url).origin, [ch.webhook_url]);

  const save = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!colorOk) errs.color = 'Use a colour like #1d4ed8 (a # and six hex digits).';
    const rm = v.reply_minutes.trim();
    if (rm && !/^\d+$/.test(rm)) errs.reply_minutes = 'Use a whole number of minutes.';
    setErrors(errs);
    setMsg('');
    if (Object.keys(errs).length) return;
    const settings: Settings = {
      brand_name: v.brand_name.trim() || null,
      color: v.color,
      greeting: v.greeting.trim() || null,
      launcher_text: v.launcher_text.trim() || null,
      calendar_id: v.calendar_id ? Number(v.calendar_id) : null,
      reply_minutes: rm ? Number(rm) : null,
      allowed_origins: v.allowed_origins.split(/[\s,]+/).filter(Boolean),
    };
    setBusy(true);
    try {
      await api('PATCH', `/api/v1/channels/${ch.id}`, { settings });
      setMsg('Saved. Visitors see the new look the next time a page with the chat loads.');
    } catch (err) {
      const f = fieldOf(err);
      if (f && f in v) setErrors({ [f]: errText(err) });
      else setMsg(errText(err));
    } finally {
      setBusy(false);
    }
  };

  const brand = v.brand_name.trim() || ch.name;
  const color = colorOk ? v.color : '#1d4ed8';
  return (
    <section class="ch-area" aria-labelledby="ch-look">
      <h2 id="ch-look">Widget look: {ch.name}</h2>
      <div class="ch-look">
        <form class="ch-form" onSubmit={save} noValidate>
          <Field id="wl-brand" label="Brand name" help={`Shown at the top of the chat. Empty: “${ch.name}”.`} error={errors.brand_name}>
            <input id="wl-brand" maxLength={200} value={v.brand_name} onInput={set('brand_name')} />
          </Field>
          <Field id="wl-color" label="Colour" help="The launcher, the chat’s header and the visitor’s messages." error={errors.color}>
            <div class="ch-color">
              <input type="color" aria-label="Pick a colour" value={color} onInput={set('color')} />
              <input id="wl-color" maxLength={7} value={v.color} aria-invalid={!!errors.color} onInput={set('color')} />
            </div>
          </Field>
          <Field id="wl-launcher" label="Launcher text" help="Words on the chat button, e.g. “Chat with us”. Empty: an icon only." error={errors.launcher_text}>
            <input id="wl-launcher" maxLength={40} value={v.launcher_text} onInput={set('launcher_text')} />
          </Field>
          <Field id="wl-greeting" label="Greeting" help="The first thing a visitor reads." error={errors.greeting}>
            <textarea id="wl-greeting" rows={3} maxLength={500} value={v.greeting} onInput={set('greeting')} />
          </Field>
          <Field id="wl-cal" label="Office hours" help="From a business-hours calendar: the chat says “We’re online” or when you are back." error={errors.calendar_id}>
            <select id="wl-cal" value={v.calendar_id} onChange={set('calendar_id')}>
              <option value="">No hours shown</option>
              {cals.map((c) => (
                <option key={c.id} value={String(c.id)}>{c.name} ({c.tz})</option>
              ))}
            </select>
          </Field>
          <Field id="wl-reply" label="Usual reply time, in minutes (optional)" error={errors.reply_minutes}>
            <input id="wl-reply" inputMode="numeric" maxLength={5} value={v.reply_minutes} onInput={set('reply_minutes')} />
          </Field>
          <Field id="wl-origins" label="Websites that may show the chat" help="One per line, like https://shop.example. Empty: any website may embed it." error={errors.allowed_origins}>
            <textarea id="wl-origins" rows={3} spellcheck={false} value={v.allowed_origins} onInput={set('allowed_origins')} />
          </Field>
          {msg && <p role="status">{msg}</p>}
          <div class="row-end">
            <button type="button" onClick={onClose}>Back</button>
            <button type="submit" class="primary" disabled={busy}>Save look</button>
          </div>
        </form>
        <div class="ch-preview" role="group" aria-label="Preview of the chat widget" style={{ '--hc': color }}>
          <div class="ch-pv-panel">
            <div class="ch-pv-head">
              <strong>{brand}</strong>
              {cal && <span class={cal.open_now ? 'ch-pv-online' : ''}>{hoursLine(cal)}</span>}
              {v.reply_minutes.trim() && /^\d+$/.test(v.reply_minutes.trim()) && <span>We usually reply within {v.reply_minutes.trim()} minutes</span>}
            </div>
            <div class="ch-pv-log">{v.greeting.trim() && <p class="ch-pv-sys">{v.greeting.trim()}</p>}</div>
          </div>
          <div class={`ch-pv-bubble${v.launcher_text.trim() ? ' ch-pv-pill' : ''}`} aria-hidden="true">
            <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z" /></svg>
            {v.launcher_text.trim() && <span>{v.launcher_text.trim()}</span>}
          </div>
        </div>
      </div>
      <CopyField id="wl-snippet" label="Paste this before </body> on your website" value={snippet(origin, ch.id)} multiline />
    </section>
  );
}
