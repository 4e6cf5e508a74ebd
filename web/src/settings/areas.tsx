// areas.tsx - the settings areas, in the order the navigation shows them.
//
// To add a screen: write web/src/settings/<area>.tsx exporting a component taking ScreenProps,
// import it here and add one entry. `id` is the hash route (#/settings/<id>) and the `area` of the
// server's settings.changed events for it; `roles` are who may open it (the API enforces the
// same). `summary` is the one line the overview shows.
import type { FunctionComponent } from 'preact';
import type { Agent } from '../api';
import { Overview } from './overview';
import { CannedScreen } from './canned';

export interface ScreenProps {
  me: Agent;
}

export interface Area {
  id: string;
  title: string;
  summary: string;
  roles: string[];
  Screen: FunctionComponent<ScreenProps>;
}

const ADMIN = ['admin'];

export const AREAS: Area[] = [
  { id: 'overview', title: 'Overview', summary: 'What to set up, in order.', roles: ADMIN, Screen: Overview },
  { id: 'canned', title: 'Saved replies', summary: 'Canned replies with variables, for the team and for yourself.', roles: ['admin', 'supervisor', 'agent', 'store_staff'], Screen: CannedScreen },
];
