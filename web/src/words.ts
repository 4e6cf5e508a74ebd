// words.ts - the care team's words for what the API says in codes: intents, sentiments,
// urgency and its reasons, the routing sentence, and error messages without API field names.
// Every badge and chip in the app takes its text from here, so one thing reads the same way
// everywhere.

export const INTENT_WORDS: Record<string, string> = {
  question: 'Question',
  complaint: 'Complaint',
  request: 'Request',
  praise: 'Praise',
  purchase_intent: 'Wants to buy',
  feedback: 'Feedback',
  spam: 'Spam',
  abuse: 'Abuse',
  other: 'Other',
};
export const INTENTS = Object.keys(INTENT_WORDS);

export const SENTIMENT_WORDS: Record<string, string> = {
  negative: 'Unhappy',
  neutral: 'Neutral',
  positive: 'Happy',
};
export const SENTIMENTS = Object.keys(SENTIMENT_WORDS);

export const intentWord = (v: string | null | undefined) => (v ? INTENT_WORDS[v] ?? v.replace(/_/g, ' ') : '');
export const sentimentWord = (v: string | null | undefined) => (v ? SENTIMENT_WORDS[v] ?? v : '');

// The classifier's urgency reasons (classify/classify_urgency.c), as a person would say them.
const REASON_WORDS: Record<string, string> = {
  legal_threat: 'Legal threat',
  fraud_or_security: 'Fraud or security',
  safety_or_health: 'Safety or health',
  cancellation_or_churn: 'Wants to cancel',
  repeat_contact: 'Wrote before',
  public_reach: 'Public, widely seen',
  complaint: 'Complaint',
  strong_negative_sentiment: 'Very unhappy',
  shouting: 'Shouting',
};
export const reasonWord = (code: string) => REASON_WORDS[code] ?? code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

// Urgency bands (the API's urgency=high|medium|low).
export function urgencyLevel(u: number | null | undefined): 'high' | 'medium' | 'low' | null {
  if (u === null || u === undefined || u < 0) return null;
  return u >= 70 ? 'high' : u >= 40 ? 'medium' : 'low';
}
export const URGENCY_WORDS = { high: 'Urgent', medium: 'Soon', low: 'Not urgent' } as const;

// "1st", "2nd", "3rd", "4th"...
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const s = teen ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}

function minutes(secs: number): string {
  if (secs < 60) return `${secs} s`;
  const m = Math.round(secs / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

// The routing decision's sentence (routing/route.c writes it for logs and the API) in plain words:
// which team, which rule, and why this agent.
export function routeSentence(reason: string | null | undefined): string {
  if (!reason) return '';
  const m = /^rule '(.*)' -> team '(.*)' \(([^)]*)\): (.*)$/.exec(reason);
  if (!m) {
    const esc = /^escalated to the lead of team '(.*)' before the response deadline$/.exec(reason);
    if (esc) return `Passed to the lead of ${esc[1]} before the reply deadline.`;
    if (/^escalated to an available agent/.test(reason)) return 'Passed to a free agent: the reply deadline had passed.';
    return reason.charAt(0).toUpperCase() + reason.slice(1);
  }
  const [, rule, team] = m;
  let how = m[4]!;
  let store = '';
  const st = /; store staff of '(.*)' first$/.exec(how);
  if (st) {
    store = ` Staff of the ${st[1]} store first.`;
    how = how.slice(0, st.index);
  }
  const head = `Team ${team}, by the rule “${rule}”`;
  if (/nobody available/.test(how)) return `Waiting for ${team}: nobody on the team has room right now (rule “${rule}”).${store}`;
  if (how === 'next in turn') return `${head}: next agent in turn.${store}`;
  let x = /^least loaded \((\d+) of (\d+) open\)$/.exec(how);
  if (x) return `${head}: the agent with the fewest open conversations (${x[1]} of ${x[2]}).${store}`;
  if (/^best skills and language match/.test(how)) return `${head}: best match for skills and language.${store}`;
  x = /^(public|urgent) conversation: best measured record \((?:mean first response (\d+)s|no first response measured yet), (\d+) reopened of (\d+)\)$/.exec(how);
  if (x) {
    const what = x[1] === 'public' ? 'Public conversations' : 'Urgent conversations';
    const rec = x[2] !== undefined ? `first reply in ${minutes(Number(x[2]))} on average` : 'no replies measured yet';
    return `${head}. ${what} go to the agent with the best record (${rec}; ${x[3]} of ${x[4]} reopened).${store}`;
  }
  return `${head}: ${how}.${store}`;
}

// An API error's message for people: without the "invalid 'field': " prefix, capitalised, and
// never an HTTP status or a code.
export function plainError(e: unknown, fallback = 'That did not work. Try again.'): string {
  const msg = e instanceof Error ? e.message : '';
  if (!msg || /^HTTP \d+$/.test(msg) || /failed to fetch|networkerror/i.test(msg))
    return /failed to fetch|networkerror/i.test(msg) ? 'No connection to Hark. Check your network and try again.' : fallback;
  const t = msg.replace(/^(invalid|missing) '[^']*': /, '');
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

// A platform's delivery error ("x: You are not permitted ... (HTTP 403)") as the agent reads it:
// "X said: You are not permitted ... (error 403)".
const PLATFORMS: Record<string, string> = { x: 'X', sms: 'SMS', whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', telegram: 'Telegram', bluesky: 'Bluesky', mastodon: 'The Mastodon server', email: 'The mail server', api: 'The channel', webchat: 'The chat' };
export function deliveryWords(err: string): string {
  // The status number stays (an admin can look it up) but reads as an error number.
  let t = err.replace(/\bHTTP (\d+)\b/g, 'error $1');
  const m = /^([a-z_]+): (.*)$/.exec(t);
  if (m && PLATFORMS[m[1]!]) t = `${PLATFORMS[m[1]!]} said: ${m[2]}`;
  return t || 'the platform did not say why';
}
