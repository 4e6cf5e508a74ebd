// routing-kit.ts - small pieces the routing screens share (business hours, teams, SLA policies,
// routing rules): which field an API error is about, and a short-lived "saved" note.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { describe, humanize } from './form';

export interface RtError {
  field: string | null; // the request field the API named ("invalid 'name': ..."), else null
  message: string;
}

// The API's 422s carry the field they are about (error.field); the message is shown beside that
// field in the form kit's words (humanize). Anything else becomes one sentence for the form:
// 'byStatus' for a status this screen knows better, else the kit's (describe).
export function fieldError(e: unknown, _fallback: string, byStatus: Record<number, string> = {}): RtError {
  if (e instanceof ApiError) {
    if (e.status === 422 && e.field) return { field: e.field.split('.').pop()!, message: humanize(e.message) };
    if (byStatus[e.status]) return { field: null, message: byStatus[e.status] };
  }
  return { field: null, message: describe(e) };
}

// A status note ("Saved.") that clears itself after a few seconds.
export function useSaved() {
  const [note, setNote] = useState('');
  const t = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(t.current), []);
  const say = (s: string) => {
    setNote(s);
    window.clearTimeout(t.current);
    t.current = window.setTimeout(() => setNote(''), 6000);
  };
  return { note, say };
}

// Seconds as the largest whole unit: [value, 'minutes' | 'hours' | 'days'].
export function splitDuration(s: number | null | undefined): [string, string] {
  if (!s) return ['', 'minutes'];
  if (s % 86400 === 0) return [String(s / 86400), 'days'];
  if (s % 3600 === 0) return [String(s / 3600), 'hours'];
  return [String(Math.round(s / 60)), 'minutes'];
}
export const UNIT_S: Record<string, number> = { minutes: 60, hours: 3600, days: 86400 };

// Human words for an API duration in seconds.
export function words(s: number | null | undefined): string {
  if (!s) return 'none';
  const [v, u] = splitDuration(s);
  return `${v} ${Number(v) === 1 ? u.replace(/s$/, '') : u}`;
}

// The API's intents and sentiments (docs/triage.md), with the words the app shows.
export const INTENTS: [string, string][] = [
  ['question', 'Question'],
  ['complaint', 'Complaint'],
  ['request', 'Request'],
  ['praise', 'Praise'],
  ['purchase_intent', 'Purchase intent'],
  ['feedback', 'Feedback'],
  ['spam', 'Spam'],
  ['abuse', 'Abuse'],
  ['other', 'Other'],
];
export const SENTIMENTS: [string, string][] = [
  ['negative', 'Negative'],
  ['neutral', 'Neutral'],
  ['positive', 'Positive'],
];
export const CHANNEL_TYPES: [string, string][] = [
  ['whatsapp', 'WhatsApp'],
  ['messenger', 'Messenger'],
  ['instagram', 'Instagram'],
  ['telegram', 'Telegram'],
  ['x', 'X'],
  ['bluesky', 'Bluesky'],
  ['mastodon', 'Mastodon'],
  ['sms', 'SMS'],
  ['email', 'Email'],
  ['webchat', 'Website chat'],
  ['api', 'API'],
];
export const label = (list: [string, string][], v: string | null | undefined) =>
  list.find(([k]) => k === v)?.[1] ?? v ?? '';

// A comma-separated text field as a list, and back.
export const toList = (s: string) =>
  s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
export const fromList = (l: string[] | null | undefined) => (l ?? []).join(', ');

// The languages triage recognises (docs/triage.md), for suggestions in language fields.
export const LANGUAGES = ['ar', 'de', 'el', 'en', 'es', 'fr', 'he', 'hi', 'it', 'ja', 'ko', 'nl', 'pl', 'pt', 'ru', 'sv', 'th', 'tr', 'uk', 'zh'];
