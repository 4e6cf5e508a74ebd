// api.ts - the REST API v1 client (same origin, session cookie + X-CSRF-Token on writes) and
// the shapes it returns. See docs/api.md.

export interface Agent {
  id: number;
  display_name: string;
  avatar_url: string;
  bio: string;
  name?: string;
  email?: string;
  role?: string;
}

export interface Conv {
  id: number;
  channel_id: number;
  contact_id: number;
  assignee_id: number | null;
  status: 'open' | 'pending' | 'snoozed' | 'resolved';
  public: boolean;
  labels: string[];
  intent: string | null;
  sentiment: string | null;
  urgency: number | null;
  snooze_until: string | null;
  resolution_reason: string | null;
  preview: string;
  unread: number;
  message_count: number;
  last_message_at: string | null;
  created_at: string;
  updated_at: string;
  contact_name?: string;
  channel_type?: string;
  channel_name?: string;
}

export interface Msg {
  id: number;
  conversation_id: number;
  direction: 'in' | 'out';
  kind: 'message' | 'note' | 'event';
  private: boolean;
  public: boolean;
  text: string;
  author_agent_id: number | null;
  author_name: string | null;
  status: 'received' | 'queued' | 'sent' | 'failed' | 'none';
  error: string | null;
  created_at: string;
  sent_at: string | null;
  triage: { intent: string | null; sentiment: string | null; urgency: number } | null;
}

export interface Identity {
  id: number;
  channel_type: string;
  platform_id: string;
  handle: string | null;
  name: string | null;
}

export interface Contact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  location: string | null;
  tags: string[];
  notes: string;
  status: string;
  identities?: Identity[];
  conversations?: Conv[];
}

export interface ConvFull extends Conv {
  contact: Contact;
  messages: Msg[]; // the newest page, then older pages as the agent scrolls up; oldest first
  messages_next_cursor: string | null; // 'before' for the next older page; null: all loaded
}

// One page of a conversation's history (GET /api/v1/conversations/{id}/messages).
export interface MsgPage {
  items: Msg[];
  next_cursor: string | null;
}

export interface Counts {
  mine: number;
  unassigned: number;
  open: number;
  resolved: number;
}

export interface Channel {
  id: number;
  type: string;
  name: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
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
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `HTTP ${res.status}`);
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
