// areas.tsx - the settings areas, in the order the navigation shows them.
//
// To add a screen: write web/src/settings/<area>.tsx exporting a component taking ScreenProps,
// import it here and add one entry. `id` is the hash route (#/settings/<id>) and the `area` of the
// server's settings.changed events for it; `roles` are who may open it (the API enforces the
// same). `summary` is the one line the overview shows.
import type { FunctionComponent } from 'preact';
import type { Agent } from '../api';
import { Overview } from './overview';
import { ChannelsArea } from './channels';
import { CalendarsArea } from './calendars';
import { TeamsArea } from './teams';
import { PoliciesArea } from './policies';
import { RulesArea } from './rules';
import { ListeningSettings } from './listening';
import { TokensSettings } from './tokens';
import { Agents } from './agents';
import { AuditLog } from './audit';
import { ModelsSettings } from './models';
import { CannedScreen } from './canned';
import { RootCausesArea } from './root_causes';
import { GoodwillArea } from './goodwill';
import { SurveysSettings } from './surveys';
import { FaqBotScreen } from './faqbot';

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
  { id: 'channels', title: 'Channels', summary: 'Connect WhatsApp, Messenger, the website chat and more; see whether each one is heard.', roles: ADMIN, Screen: ChannelsArea },
  { id: 'calendars', title: 'Business hours', summary: 'Opening hours, time zone and holidays.', roles: ADMIN, Screen: CalendarsArea },
  { id: 'teams', title: 'Teams', summary: 'Members, lead, hours and the honest acknowledgement.', roles: ADMIN, Screen: TeamsArea },
  { id: 'sla_policies', title: 'SLA policies', summary: 'How fast to reply and resolve, in open hours or around the clock.', roles: ADMIN, Screen: PoliciesArea },
  { id: 'routing_rules', title: 'Routing rules', summary: 'Which team gets which conversation, and a dry run to check.', roles: ADMIN, Screen: RulesArea },
  { id: 'agents', title: 'Agents', summary: 'Invite people, set roles, stores, skills and what customers see.', roles: ADMIN, Screen: Agents },
  { id: 'listening', title: 'Listening', summary: 'What to look for in public posts, and the streams Hark reads.', roles: ADMIN, Screen: ListeningSettings },
  { id: 'tokens', title: 'API tokens', summary: 'Keys for scripts and other tools, shown once, revoked in one click.', roles: ADMIN, Screen: TokensSettings },
  { id: 'canned', title: 'Saved replies', summary: 'Canned replies with variables, for the team and for yourself.', roles: ['admin', 'supervisor', 'agent', 'store_staff'], Screen: CannedScreen },
  { id: 'root_causes', title: 'Root causes', summary: 'Why complaints happen: the causes, their keywords, and whether resolving needs one.', roles: ADMIN, Screen: RootCausesArea },
  { id: 'goodwill', title: 'Goodwill', summary: 'Limits per role for refunds and vouchers, the currency, and the repeat warning.', roles: ADMIN, Screen: GoodwillArea },
  { id: 'surveys', title: 'Surveys', summary: 'Ask customers how we did after each resolved conversation.', roles: ADMIN, Screen: SurveysSettings },
  { id: 'faq_bot', title: 'FAQ bot', summary: 'Answers plain questions (hours, sizes, order status) and hands the rest to a person.', roles: ADMIN, Screen: FaqBotScreen },
  { id: 'models', title: 'Triage models', summary: 'Retrain from corrections, compare scores, switch or roll back.', roles: ADMIN, Screen: ModelsSettings },
  { id: 'audit', title: 'Audit log', summary: 'Who changed what, and every sign-in; export as CSV.', roles: ADMIN, Screen: AuditLog },
];
