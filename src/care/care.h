/* SPDX-License-Identifier: MIT */
/*
 * care.h - Hark's care logic between the API and the store: authentication, the ingest
 * pipeline for webhooks, and the outbox worker that delivers replies.
 *
 * A struct care is created once by the server wiring (app.c) and shared by all request
 * threads; every function here is thread-safe unless stated. It borrows the store and hub,
 * which must outlive it.
 */
#ifndef HARK_CARE_H
#define HARK_CARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/metrics.h"
#include "base/str.h"
#include "model/model.h"
#include "store/store.h"

struct arena;
struct chan_hook;
struct classify;
struct hub;
struct store;

struct care_config {
    int64_t session_idle_ms;      /* a session unused this long expires; default 12 h */
    int64_t session_absolute_ms;  /* a session expires this long after login; default 7 days */
    int login_max_per_account;    /* failed logins per account and client address before a
                                     lock of login_lock_ms, doubling per further try; default 5 */
    int login_max_per_client;     /* failed logins per client address, any account; default 20 */
    int login_max_account_global; /* failed logins per account from all addresses in a window
                                     before it is slowed to one try per login_slow_ms (never
                                     locked, so strangers cannot lock a user out); default 100 */
    int64_t login_window_ms;      /* a key with no attempt for this long is forgotten; 15 min */
    int64_t login_lock_ms;        /* first lock; default 1 min, capped at 4 windows */
    int64_t login_slow_ms;        /* default 3 s */
    int verify_max;               /* concurrent argon2 verifies; default: online CPUs */
    int outbox_max_attempts;      /* delivery attempts before a reply fails; default 10 */
    int64_t outbox_base_ms;       /* first retry delay; doubles each attempt; default 2 s */
    int64_t outbox_max_delay_ms;  /* cap on one retry delay; default 10 min */
};

/* Counters rendered by /metrics. Updated with base/metrics.h atomics. */
struct care_metrics {
    uint64_t ingest_accepted;    /* new inbound messages stored */
    uint64_t ingest_duplicate;   /* webhook retries recognized by external id */
    uint64_t ingest_rejected;    /* bad signature or malformed payload */
    struct metrics_hist ingest_latency;
    uint64_t outbox_attempts;
    uint64_t logins_failed;
    uint64_t logins_limited;
    uint64_t sla_timers_fired;   /* issue 7: SLA warnings, breaches and snooze wake-ups fired */
    uint64_t sla_breaches;       /* issue 7: response deadlines breached */
    uint64_t route_from_queue;   /* queued conversations assigned as capacity freed */
    uint64_t route_failed;       /* routing decisions that failed (store error, too big) */
};

struct care;

int care_new(const struct care_config *cfg, struct store *st, struct hub *hub, struct care **out);
/* Stops the outbox worker if running and frees. NULL is a no-op. */
void care_free(struct care *c);
struct care_metrics *care_metrics(struct care *c);

/* ---- authentication (auth.c) ----------------------------------------------------------- */

/* Encodes an argon2id hash (t=2, m=19 MiB, p=1, 16-byte random salt) of 'password' into
 * 'out' (at least 128 bytes). ERR_INVAL for an empty or over-long (> 1024 bytes) password.
 * Not gated: callers serving requests use the care_* functions below, which are. */
int auth_password_hash(struct str password, char *out, size_t n);
bool auth_password_verify(const char *encoded, struct str password);

/* ---- password rules (password.c) ------------------------------------------------------- */

#define AUTH_PASSWORD_MIN 12   /* characters (code points) */
#define AUTH_PASSWORD_MAX 1024 /* bytes */

enum auth_password_problem {
    AUTH_PASSWORD_OK,
    AUTH_PASSWORD_TOO_SHORT, /* fewer than AUTH_PASSWORD_MIN code points */
    AUTH_PASSWORD_TOO_LONG,  /* more than AUTH_PASSWORD_MAX bytes */
    AUTH_PASSWORD_INVALID,   /* not valid UTF-8, or a NUL byte */
    AUTH_PASSWORD_BREACHED,  /* in the shipped list of common breached passwords */
};
/* Checks a new password against the rules (OWASP ASVS 2.1: length only, no composition
 * rules, plus the breached list, compared case-insensitively). Sets 'em' (may be NULL) to a
 * readable reason unless AUTH_PASSWORD_OK. Pure; thread-safe. */
enum auth_password_problem auth_password_check(struct str password, struct errmsg *em);
/* True when the lowercased 'password' is in the breached list. */
bool auth_password_breached(struct str password);
/* The API error code for 'p': "password_too_short", "password_breached", ... */
const char *auth_password_problem_code(enum auth_password_problem p);

/* Who is making a request. */
struct auth_principal {
    int64_t agent_id;      /* 0 for API tokens */
    const char *role;      /* "admin" or "agent" */
    bool via_cookie;       /* session cookie: writes need the CSRF token */
    const char *csrf;      /* the session's CSRF token (cookie sessions only) */
    int64_t session_id;
    int64_t token_id;
    int64_t token_agent_id; /* API tokens: the agent who created it; 0: the CLI */
};

struct auth_login_result {
    char token[65];  /* session token for the cookie: 256 bits, hex */
    char csrf[65];   /* CSRF token to send back in X-CSRF-Token */
    struct agent agent;
};

/* Checks the credentials and creates a new session. ERR_AUTH when wrong (the same answer for
 * an unknown email, a wrong password and a disabled agent). ERR_BUSY, with '*retry_after_ms'
 * set, when the attempt is refused before any password check: too many password checks are
 * in flight (cfg.verify_max), or the limiter refuses it. The attempt is counted before the
 * password is checked, atomically, against three keys: the account and 'client' together (a
 * lock of login_lock_ms at login_max_per_account, doubling), the client alone, and the
 * account alone (only slowed, never locked, so failures from elsewhere cannot lock a user
 * out). Failures are logged with the agent id (or a hash of an unknown email) and client. */
int auth_login(struct care *c, struct arena *ar, struct str email, struct str password,
               const char *client, struct auth_login_result *out, int64_t *retry_after_ms);
/* Deletes the session server-side; unknown tokens are not an error. */
int auth_logout(struct care *c, const char *token);
/* Resolves a session token (ERR_AUTH when unknown, expired or its agent is disabled) and
 * refreshes its idle clock. */
int auth_session(struct care *c, struct arena *ar, const char *token, struct auth_principal *out);
/* Resolves an API bearer token. ERR_AUTH when unknown, revoked, expired, or created by an
 * agent who is now disabled. Records the use (at most once a minute per token). */
int auth_bearer(struct care *c, struct arena *ar, const char *token, struct auth_principal *out);
/* Creates an API token from 't' (name 1..MODEL_NAME_MAX bytes, role admin or agent,
 * agent_id, expires_at 0 or in the future); writes the token (shown once) into 'out' (at least
 * 70 bytes). ERR_INVAL with 'em'. */
int auth_token_create(struct care *c, const struct api_token *t, char *out, size_t n,
                      int64_t *id, struct errmsg *em);
/* Adds an agent with a hashed password (which must pass auth_password_check). ERR_CONFLICT
 * when the email exists; ERR_INVAL with 'em'; ERR_BUSY when too many password checks are in
 * flight. */
int auth_agent_add(struct care *c, const struct agent *a, struct str password, int64_t *id,
                   struct errmsg *em);
/* Disables or re-enables agent 'id'. Disabling ends all of its sessions at once ('*ended',
 * may be NULL, gets how many); its tokens stop working. ERR_NOTFOUND. */
int auth_agent_set_disabled(struct care *c, int64_t id, bool disabled, int64_t *ended);
/* Sets agent 'id''s password (an admin's reset, or the CLI) after auth_password_check, and
 * ends all of its sessions ('*ended', may be NULL). ERR_INVAL with 'em', ERR_NOTFOUND,
 * ERR_BUSY. */
int auth_agent_set_password(struct care *c, int64_t id, struct str password, int64_t *ended,
                            struct errmsg *em);
/* An agent changes its own password: 'current' must verify (ERR_AUTH otherwise; the check is
 * limited like a login, ERR_BUSY with '*retry_after_ms'), 'password' must pass the rules
 * (ERR_INVAL with 'em'). Ends the agent's other sessions; 'keep_session_id' stays. */
int auth_password_change(struct care *c, struct arena *ar, int64_t agent_id, struct str current,
                         struct str password, int64_t keep_session_id, const char *client,
                         int64_t *ended, int64_t *retry_after_ms, struct errmsg *em);
/* Hex SHA-256 of a secret token, as stored. */
void auth_token_hash(const char *token, char out[65]);

/* Uses 'cls' (borrowed, may be NULL) to triage every inbound message from now on. Call
 * before serving. Without one, messages are stored untriaged. */
void care_set_classifier(struct care *c, const struct classify *cls);

/* Triages 'in' with the classifier (when one is set), storing the results on it; strings go
 * into 'ar'. care_hook does this for every message; imports and the demo call it directly. */
void care_triage(struct care *c, struct arena *ar, struct inbound *in);

/* ---- ingest (ingest.c) ------------------------------------------------------------------ */

struct care_hook_result {
    struct ingest_result first; /* the first message of the delivery */
    size_t accepted;            /* new messages stored */
    size_t duplicates;          /* messages seen before */
    const char *ack_type, *ack_body; /* the adapter's own 200 body (chan_ops.ack_*), or NULL */
};

/* Stores one parsed inbound message as a webhook's would be: triage, store (dedupe,
 * threading), metrics, routing. Webhooks and the mail poller both come through here. 0 with
 * 'r' filled (r->duplicate for a repeat), or the store's error. */
int care_ingest(struct care *c, struct arena *ar, struct inbound *in, struct ingest_result *r);
/* Handles one webhook delivery for 'channel_id': verify the signature on the raw body, parse,
 * triage, store durably. Returns 0 only when everything in the delivery is durable.
 * ERR_NOTFOUND (no such channel), ERR_AUTH (bad signature), ERR_INVAL (malformed, reason in
 * 'em'), ERR_BUSY (writer queue full). Nothing is stored unless the signature is good. */
int care_hook(struct care *c, struct arena *ar, int64_t channel_id, const struct chan_hook *hook,
              struct care_hook_result *out, struct errmsg *em);

struct chan_handshake;
/* Answers a platform's GET verification of the webhook of 'channel_id'. ERR_NOTFOUND (no such
 * channel, or its type has no handshake), ERR_AUTH (wrong verify token). */
int care_hook_handshake(struct care *c, struct arena *ar, int64_t channel_id,
                        const struct chan_hook *hook, struct chan_handshake *out,
                        struct errmsg *em);

/* ---- pull channels (poller.c; issue 6) ------------------------------------------------- */

/* Starts the poller: one thread per channel whose adapter has a 'poll' op (email by IMAP),
 * each polling every 'interval_ms' and ingesting through care_ingest; channels added later
 * are picked up within one interval. Resume cursors live in memory: after a restart the
 * adapter starts from its own default (email: the last week) and dedupe drops repeats. */
int care_poller_start(struct care *c, int64_t interval_ms);
/* Stops and joins every poller thread; a no-op when not running. */
void care_poller_stop(struct care *c);

/* ---- outbox (outbox.c) ------------------------------------------------------------------ */

/* Starts the background delivery worker; pending deliveries from before a restart resume. */
int care_outbox_start(struct care *c);
/* Stops it after the attempt in progress. */
void care_outbox_stop(struct care *c);
/* Wakes the worker (a reply was just queued). */
void care_outbox_kick(struct care *c);
/* The delay before retry number 'attempts' (1-based): exponential from 'base_ms', capped at
 * 'max_ms', never sooner than the platform's 'retry_after_ms' (when >= 0), with up to 10%
 * deterministic jitter keyed by 'key' so retries of many replies spread out. */
int64_t care_outbox_delay(int attempts, int64_t retry_after_ms, int64_t base_ms, int64_t max_ms,
                          int64_t key);

/* ---- listening (listening.c; issue 5) ---------------------------------------------------- */
/* The server side of social listening: the active queries compiled into one matcher
 * (recompiled and hot-swapped on every change), one background thread per active firehose
 * source (resuming from its saved cursor, restarted with backoff), and for every matching post:
 * triage, a stored mention with its query ids (deduplicated on platform + post id), the
 * opportunity flag and the spike detector. See docs/listening.md. */

struct watch_config {
    const char *brand_handles; /* the brand's own handles, comma-separated ("acme,
                                  acme.bsky.social"); '@' optional; may be NULL */
    const char *cursor_prefix; /* source cursor files are PREFIX.listen-<id>.cursor; NULL: a
                                  restart resumes from the cursor in the database only */
    int64_t bucket_ms;         /* spike bucket width; 0 = 5 minutes */
};

/* Compiles the active queries and starts a thread per active source. Call after
 * care_set_classifier, before serving. A stored set that does not compile is logged and the
 * service runs with no queries until the next reload. ERR_IO (with 'em') when a thread cannot
 * start. */
int watch_start(struct care *c, const struct watch_config *cfg, struct errmsg *em);
/* Stops every source thread and frees the matcher. No-op when not started. Call after the
 * HTTP server has stopped. */
void watch_stop(struct care *c);
/* Recompiles the active queries from the store and swaps them in while posts flow: each post
 * is matched by the old set or the new one, never both or neither. Serialized, so the last
 * call wins with the newest rows. ERR_UNAVAIL when not started; ERR_INVAL/ERR_IO with 'em'
 * when the set does not compile (the previous set stays). */
int watch_reload(struct care *c, struct errmsg *em);
#define WATCH_SOURCES_MAX 100 /* sources (rows); the API refuses more */
/* Starts threads for active sources that have none and stops those of deleted or deactivated
 * sources. ERR_UNAVAIL when not started. */
int watch_sources_reload(struct care *c);

struct watch_source_status {
    bool running;        /* a thread is reading it */
    bool connected_once; /* it has delivered at least one event since it started */
    uint64_t posts;      /* posts delivered since the thread started */
    uint64_t reconnects;
    int64_t cursor;      /* last delivered position (Jetstream time_us), 0 when none */
    char error[256];     /* why the last run ended, "" when none */
};
/* Status of the thread reading source 'id' ('running' false when there is none). */
void watch_source_status(struct care *c, int64_t id, struct watch_source_status *out);

struct watch_ingest_result {
    size_t lines;      /* non-empty lines */
    size_t posts;      /* lines that were posts (others: deletes, identity events) */
    size_t matched;    /* posts matching at least one query */
    size_t stored;     /* new mentions */
    size_t duplicates; /* matching posts already stored */
};
#define WATCH_INGEST_LINES 1000 /* lines in one HTTP ingest batch */
/* The HTTP POST variant of the JSON-lines source: 'body' holds records as `hark listen`
 * reads them (flat records, Jetstream events or Mastodon statuses), one per line. Every line
 * is decoded first; a line that is not a valid record fails the whole batch with ERR_INVAL
 * and 'em' naming the line, and nothing is stored. ERR_TOOBIG past WATCH_INGEST_LINES
 * lines or 64 KiB in one line. Waits until the mentions are durable. */
int watch_ingest(struct care *c, struct str body, struct watch_ingest_result *out,
                       struct errmsg *em);

/* Counters for /metrics, since start. Zero when the service is not running. */
struct watch_metrics {
    uint64_t posts;      /* posts seen by the matcher (sources and HTTP ingest) */
    uint64_t matched;    /* posts matching at least one query */
    uint64_t mentions;   /* new mentions stored */
    uint64_t duplicates; /* matching posts already stored */
    uint64_t alerts;     /* spike alerts stored */
    uint64_t sources_running;
};
void watch_metrics(struct care *c, struct watch_metrics *out);

/* True when 'text' @mentions one of 'handles' (comma-separated, '@' optional): "@acme" or
 * "@acme.bsky.social" for the handle "acme", case-insensitively; an e-mail address
 * ("help@acme.com") is not a mention. Pure; for the opportunity flag. */
bool watch_addressed(struct str text, const char *handles);
/* True when 'author' is one of 'handles' (or a handle under it: "acme.bsky.social" for
 * "acme"): the brand's own posts are never opportunities. */
bool watch_is_brand(struct str author, const char *handles);

/* ---- routing, SLA clocks, business hours, timers (hours.c, sla.c, route.c, timers.c; issue 7) */

/* A compiled business-hours calendar. Immutable once made, so it may be shared by threads.
 * Every function below treats a NULL calendar as "always open". */
struct routing_hours;
struct store_range;
/* True when 'tz' is an IANA time zone ICU knows ("Europe/Berlin"). */
bool routing_hours_valid_tz(const char *tz);
/* Compiles a calendar: weekly 'ranges' (no range crosses midnight: split it), holiday dates
 * (YYYYMMDD, local). ERR_INVAL with the reason in 'em'. */
int routing_hours_new(const char *tz, const struct store_range *ranges, size_t nranges,
                   const int32_t *holidays, size_t nholidays, struct routing_hours **out,
                   struct errmsg *em);
void routing_hours_free(struct routing_hours *h);
bool routing_hours_open(const struct routing_hours *h, int64_t t);
/* 't' when open, else the next opening; INT64_MAX when it never opens (within ~2 years). */
int64_t routing_hours_next_open(const struct routing_hours *h, int64_t t);
/* The instant when 'ms' business milliseconds have passed after 't'; INT64_MAX when never. */
int64_t routing_hours_add(const struct routing_hours *h, int64_t t, int64_t ms);
/* Business milliseconds in [a, b). */
int64_t routing_hours_between(const struct routing_hours *h, int64_t a, int64_t b);
/* Writes 't' as a localized date and time for 'lang' in the calendar's zone (or 'tz' when 'h'
 * is NULL) into 'out'. ERR_INVAL, ERR_TOOBIG. */
int routing_hours_format(const struct routing_hours *h, const char *tz, int64_t t, const char *lang,
                      char *out, size_t n);

/* SLA deadlines (sla.c). Pure: what the clocks of one conversation are at 'now'. */
struct routing_sla_input {
    int64_t now;
    const struct conv *conv;
    const struct store_conv_sla *sla;
    const struct store_sla_policy *policy; /* NULL: no targets */
    const struct routing_hours *hours;        /* NULL: 24/7 (or the policy counts wall time) */
};
/* Fills deadlines, pause state and timers of 'out' (conversation_id and gen are the
 * caller's). Clocks: first response runs from the first inbound message until the first human
 * reply; next response from the oldest unanswered inbound message after a reply; resolution
 * from opening (or reopening) until resolved. All stop while the conversation is pending
 * (waiting on the customer) and resume, shifted by the business time paused, when it is not. */
void routing_sla_compute(const struct routing_sla_input *in, struct store_sla_apply *out);
/* The first policy (by position) matching the conversation's priority, channel type and
 * intent, or NULL. */
const struct store_sla_policy *routing_sla_match(const struct store_sla_policy *v, size_t n,
                                              const struct conv *conv);
/* Recomputes one conversation's deadlines and timers now. 'gen' (0: unknown) clears its dirty
 * mark when it still matches. */
int routing_sla_recompute(struct care *c, int64_t conv_id, int64_t gen);
/* Whether the conversation has an inbound message no human has answered: 1 yes, 0 no, or
 * ERR_*. Resolving it then needs a reason. */
int routing_sla_unanswered(struct care *c, int64_t conv_id);

/* Routing (route.c). */
struct routing_ctx {
    const struct store_route_input *in;
    const struct store_rule *rules;     /* ordered */
    size_t nrules;
    const struct store_team *teams;
    size_t nteams;
    const struct store_profile *agents; /* with current loads */
    size_t nagents;
    int64_t exclude_agent;              /* never pick this agent (escalation); 0: none */
};
struct routing_result {
    bool matched;                /* a rule matched */
    const struct store_rule *rule;
    const struct store_team *team;
    int64_t agent_id;            /* 0: nobody can take it now: queued */
    char strategy[40];
    char reason[320];            /* why, in words, for agents */
};
/* Pure and deterministic: the first enabled rule whose conditions all hold picks the team;
 * its strategy picks an available member with free capacity (store staff first when the
 * conversation is tied to a store; urgent or public ones to the members with the best measured
 * record). */
void routing_decide(const struct routing_ctx *x, struct routing_result *out);
/* Routes a conversation (new or reopened) and sends the honest acknowledgement when due.
 * Errors are logged; the conversation stays where it was. */
int routing_conv(struct care *c, int64_t conv_id);
/* Called by the ingest pipeline after each stored message. */
void routing_inbound(struct care *c, const struct ingest_result *r);
/* One pass over the routing queue, oldest first: assigns every queued conversation that an
 * agent with free capacity can take now, passing over the ones nobody can. Memory is bounded
 * per page of the queue and per decision, never by its depth. Runs on the timers worker. */
void routing_drain(struct care *c);
/* The honest auto-acknowledgement text for a conversation routed to 'team' (sla.c). */
int routing_autoack_maybe(struct care *c, int64_t conv_id);

/* Presence (route.c): the web app's live connection of 'agent_id' opened or closed. Agents
 * whose profile has auto_presence go online with the first and offline with the last. */
void routing_presence(struct care *c, int64_t agent_id, bool connected);

/* Timers (timers.c): a min-heap over persisted deadlines, in one background thread that also
 * recomputes the deadlines of changed conversations and drains the routing queue. */
struct routing_heap;
struct routing_heap_item {
    int64_t due_at;
    int64_t id;
};
struct routing_heap *routing_heap_new(void);
void routing_heap_free(struct routing_heap *h);
void routing_heap_push(struct routing_heap *h, int64_t due_at, int64_t id);
/* The earliest item without removing it; false when empty. */
bool routing_heap_peek(const struct routing_heap *h, struct routing_heap_item *out);
bool routing_heap_pop(struct routing_heap *h, struct routing_heap_item *out);
size_t routing_heap_size(const struct routing_heap *h);

/* Starts the worker: loads every live timer (overdue ones fire at once, each exactly once). */
int routing_timers_start(struct care *c);
void routing_timers_stop(struct care *c);
/* Wakes the worker (something changed) and has it try the routing queue again: call it after
 * a change that touches no conversation but may free capacity (an agent's capacity or
 * availability, a team's members). */
void routing_timers_kick(struct care *c);

#endif
