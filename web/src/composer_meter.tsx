// composer_meter.tsx - what the composer tells the agent before Send: who will see the text
// (public thread, private message, or a note for the team), whether the platform's reply window
// is open, and the live length in the platform's own unit against its limit.
import { clock } from './api';
import { span } from './sla';
import { ReplyLimit, smsSegments, textLength } from './textcount';

const PLATFORM: Record<string, string> = {
  x: 'X', sms: 'SMS', whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram',
  telegram: 'Telegram', bluesky: 'Bluesky', mastodon: 'Mastodon', email: 'email', webchat: 'the chat widget',
  api: 'the channel',
};
export const platformName = (type: string | null | undefined) => PLATFORM[type ?? ''] ?? type ?? 'the channel';

export interface MeterProps {
  text: string;
  mode: 'reply' | 'note';
  isPublic: boolean;
  channelType: string | null | undefined;
  channelName?: string | null;
  customer: string;
  limit: ReplyLimit | null;
  windowCloses: string | null | undefined; // reply_window_closes_at
  now: number;
}

// Over the platform's limit: the reply cannot be sent (the server would refuse it too).
export function overLimit(p: Pick<MeterProps, 'text' | 'mode' | 'limit'>): boolean {
  return p.mode === 'reply' && !!p.limit && textLength(p.text, p.limit.unit) > p.limit.max;
}

export function windowClosed(p: Pick<MeterProps, 'mode' | 'isPublic' | 'windowCloses' | 'now'>): boolean {
  return p.mode === 'reply' && !p.isPublic && !!p.windowCloses && Date.parse(p.windowCloses) <= p.now;
}

// The line above the text box: audience, and the reply window where one applies.
export function Audience(p: MeterProps) {
  const where = PLATFORM[p.channelType ?? ''] && p.channelType !== 'api' ? platformName(p.channelType) : p.channelName ?? platformName(p.channelType);
  let who;
  if (p.mode === 'note') who = <span class="cm-aud cm-note">Private note · only your team sees this</span>;
  else if (p.isPublic) who = <span class="cm-aud cm-public">Public reply · anyone on {where} can see it</span>;
  else who = <span class="cm-aud cm-dm">Private message to {p.customer} on {where}</span>;
  let win = null;
  if (p.mode === 'reply' && !p.isPublic && p.windowCloses) {
    const at = Date.parse(p.windowCloses);
    win =
      at <= p.now ? (
        <span class="cm-win cm-win-closed" data-testid="reply-window">
          Reply window closed {clock(p.windowCloses)}: {where} only takes an approved template now
        </span>
      ) : (
        <span class={'cm-win' + (at - p.now < 3600_000 ? ' cm-win-soon' : '')} data-testid="reply-window" title={`Free replies until ${clock(p.windowCloses)}`}>
          Reply window: {span(at - p.now)} left
        </span>
      );
  }
  return (
    <div class="cm-audience" data-testid="composer-audience">
      {who}
      {win}
    </div>
  );
}

// The counter beside Send: "212 / 280" (X counts links as 23, emoji as 2), SMS parts.
export function Meter(p: MeterProps) {
  if (p.mode === 'note' || !p.limit) return null;
  const n = textLength(p.text, p.limit.unit);
  const left = p.limit.max - n;
  const sms = p.channelType === 'sms' ? smsSegments(p.text) : 0;
  const unit = p.limit.unit === 'x_weighted' ? 'characters (a link counts 23, an emoji 2)' : p.limit.unit === 'graphemes' ? 'characters (an emoji counts 1)' : 'characters';
  const cls = left < 0 ? 'cm-count cm-over' : left <= Math.max(10, p.limit.max * 0.1) ? 'cm-count cm-near' : 'cm-count';
  return (
    <span class={cls} data-testid="char-count" title={`${platformName(p.channelType)} takes at most ${p.limit.max} ${unit}`}>
      <span aria-hidden="true">
        {n} / {p.limit.max}
        {sms > 1 && ` · ${sms} texts`}
      </span>
      <span class="sr-only">
        {n} of {p.limit.max} {unit}
        {sms > 1 ? `, sent as ${sms} texts` : ''}
      </span>
      {left < 0 && <span class="cm-over-text"> · {-left} too many for {platformName(p.channelType)}</span>}
    </span>
  );
}
