// api.ts - the REST API v1 client (same origin, session cookie + X-CSRF-Token on writes) and
// the shapes it returns. See docs/api.md and docs/openapi.yaml.

import type { components, paths } from './api-types';

// The shapes the API returns, generated from docs/openapi.yaml (web/src/api-types.ts, made by
// `make`; never edited by hand), so the app and the description cannot drift.
type Schemas = components['schemas'];
export type Agent = Schemas['Agent'];
export type Conv = Schemas['Conversation'];
export type Msg = Schemas['Message'];
export type Identity = Schemas['Identity'];
export type Contact = Schemas['Contact'];
export type Channel = Schemas['Channel'];
export type Counts = Schemas['Counts'];
export type Token = Schemas['Token'];
export type Profile = Schemas['Profile'];
export type Sla = Schemas['Sla'];
export type Policy = Schemas['Policy'];
export type Me = Schemas['Me'];
export type Session = Schemas['Session'];
// Listening settings (settings/listening.tsx).
export type ListeningQuery = Schemas['ListeningQuery'];
export type ListeningSource = Schemas['Source'];
export type BackTest = Schemas['BackTest'];
export type AuditEntry = Schemas['AuditEntry'];
// Care policy (care_policy.tsx, settings/root_causes.tsx, settings/goodwill.tsx).
export type RootCause = Schemas['RootCause'];
export type CarePolicy = Schemas['CarePolicy'];
export type ConvRootCause = Schemas['ConvRootCause'];
export type Goodwill = Schemas['Goodwill'];
export type GoodwillRepeat = Schemas['GoodwillRepeat'];
// One conversation with its contact and the newest page of its messages (oldest first), then
// older pages as the agent scrolls up; messages_next_cursor is 'before' for the next older
// page (null: all loaded).
export type ConvFull = Schemas['ConversationDetail'];

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
// The JSON body of an operation's answer: Reply<'/api/v1/tokens', 'get'> (status 200 unless
// given).
export type Reply<P extends keyof paths, M extends Method, S extends number = 200> =
  paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer B } } } } ? B : never;
// The JSON body an operation takes.
export type Body<P extends keyof paths, M extends Method> =
  paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

// One page of a conversation's history (GET /api/v1/conversations/{id}/messages).
export type MsgPage = Reply<'/api/v1/conversations/{id}/messages', 'get'>;

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string, // a 422's field, for forms (settings/form.tsx)
  ) {
    super(message);
  }
}

let csrf = '';
export function setCsrf(token: string) {
  csrf = token;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `HTTP ${res.status}`, err?.field);
  }
  return data as T;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// Only these URL kinds may become an <img src>; anything else (javascript:, data:text/html...)
// is dropped.
export function safeImage(url: string | null | undefined): string | null {
  if (!url) return null;
  if (/^https:\/\/[^\s"'<>]+$/i.test(url) || /^\/[^/\s"'<>][^\s"'<>]*$/.test(url)) return url;
  return null;
}

export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 86400 * 7) return `${Math.floor(s / 86400)}d`;
  return new Date(t).toLocaleDateString();
}

export function clock(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
