// live.ts - the app's one event stream, shared: components subscribe to the events they need.
//
// The shell (app.tsx) owns the EventSource and passes every event to the subscribers registered
// through LiveContext; a component calls useLive(types, fn) and is unsubscribed when it unmounts.
import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { Conv, Msg } from './api';

export interface LiveEvent {
  type: string;
  conversation?: Conv;
  message?: Msg;
  conversation_id?: number; // sla.*, conversation.routed and callback.updated
  callback_id?: number; // callback.updated
  contact_id?: number; // contact.updated
  agent?: { id: number; availability: string }; // agent.updated
  area?: string; // settings.changed: the settings area (agents, teams, routing_rules, ...)
  id?: number | string | null; // settings.changed: the changed object
  action?: string;
  actor?: { id: number | null; name: string };
}

export type Listener = (e: LiveEvent) => void;
export type Subscribe = (fn: Listener) => () => void;

// Every event type the app asks the server for (EventSource needs each name).
export const LIVE_TYPES = [
  'audit.recorded', // admins only: the audit log screen shows new entries
  'message.created',
  'message.updated',
  'conversation.created',
  'conversation.updated',
  'agent.updated',
  'settings.changed',
  'triage.model', // a triage model version added or made live (settings/models.tsx)
  'callback.updated', // a customer picked a callback time, or one was marked done (callback.tsx)
  'contact.updated', // a contact changed: merged, undone, blocked (merge.tsx reloads the sidebar)
  'mention.created', // listening.tsx: a new post in the feed (at most 20 a second per stream)
  'mention.updated', // listening.tsx: dismissed or brought back
  'mention.held', // listening.tsx: more mentions came than were sent; read the feed again
  'listening.spike', // listening.tsx: the spike banner and its desktop alert
];

export const LiveContext = createContext<Subscribe>(() => () => {});

// Calls fn for every live event of the given types while the component is mounted.
export function useLive(types: string[], fn: Listener) {
  const subscribe = useContext(LiveContext);
  const ref = useRef(fn);
  ref.current = fn;
  const key = types.join(',');
  useEffect(() => subscribe((e) => (key.split(',').includes(e.type) ? ref.current(e) : undefined)), [subscribe, key]);
}
