/* SPDX-License-Identifier: MIT */
/*
 * care.h - the care context between the API and the store: the ingest pipeline for webhooks
 * and pulled mail, the outbox worker that delivers replies, and the wiring of the modules the
 * API calls through it: authentication (auth/), routing with SLA clocks and timers (routing/)
 * and the listening service (watch/).
 *
 * A struct care is created once by the server wiring (app.c) and shared by all request
 * threads; every function here is thread-safe unless stated. It borrows the store and hub,
 * which must outlive it, and owns its auth, routing and watch contexts.
 */
#ifndef HARK_CARE_H
#define HARK_CARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/err.h"
#include "base/metrics.h"
#include "base/str.h"
#include "model/model.h"
#include "routing/routing.h"
#include "store/store.h"
#include "watch/watch.h"

struct arena;
struct chan_hook;
struct classify;
struct hub;
struct store;

struct care_config {
    struct auth_config auth;      /* sessions, login limits, password checks */
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
    uint64_t faqbot_answered;  /* answers the FAQ bot sent */
    uint64_t faqbot_handoff;   /* customers who came back after the bot: handed to a person */
    uint64_t faqbot_reopened;  /* counted bot answers whose conversation came back later */
    uint64_t faqbot_held_back; /* an FAQ matched but the bot did not answer */
};

struct care;

int care_new(const struct care_config *cfg, struct store *st, struct hub *hub, struct care **out);
/* Stops the outbox worker, the timers worker and the listening service if running, and
 * frees. NULL is a no-op. */
void care_free(struct care *c);
struct care_metrics *care_metrics(struct care *c);

/* The modules the care context wires, for their own functions (auth.h, routing.h, watch.h).
 * care_auth and care_routing are never NULL; care_watch is NULL until care_watch_start. */
struct auth *care_auth(struct care *c);
struct routing *care_routing(struct care *c);
struct watch *care_watch(struct care *c);

/* Starts the listening service (watch_start) with the store and live models of 'c'. Call after
 * care_models_open, before serving; a no-op when it runs already. ERR_IO with 'em'. */
int care_watch_start(struct care *c, const struct watch_config *cfg, struct errmsg *em);
/* Stops it (watch_stop); a no-op when not started. Call after the HTTP server has stopped. */
void care_watch_stop(struct care *c);

/* ---- triage model versions (triage_models.c) ------------------------------------------- */

struct care_models_config {
    const char *shipped_dir;  /* the shipped models: intent.bin, sentiment.bin (lang.bin) */
    const char *data_dir;     /* the shipped training sets (intent.all, sentiment.all), or
                                 NULL/"": retraining is refused with a message saying so */
    const char *versions_dir; /* where retrained versions are written (<db>.models), or
                                 NULL: retraining is refused (an in-memory or PostgreSQL
                                 database) */
    int retrain_hours;        /* scheduled retrain every N hours; 0: only on demand */
    int epochs;               /* training epochs; 0: 10 (the shipped models' setting) */
    int weight;               /* times each correction is repeated in training; 0: 3 */
};

/* Opens the triage models: records the shipped ones as versions (store_triage_model_shipped),
 * loads the live version of each kind (a retrained one survives a restart; one whose file
 * fails to load falls back to the shipped model, logged) and starts the retrain worker. From
 * then on every inbound message and listened post is triaged with the live models. Call
 * before serving, once. ERR_IO/ERR_INVAL with 'em' when even the shipped models fail. */
int care_models_open(struct care *c, const struct care_models_config *cfg, struct errmsg *em);

/* Fewest held-back corrections of a kind (with at least two different labels) a retrain
 * needs; below it a score would mean nothing. */
#define CARE_MODELS_MIN_HELDOUT 10
/* Retrained versions of a kind kept with their files besides the live one; older ones are
 * deleted (rows and files) after each retrain. */
#define CARE_MODELS_KEEP 5

/* What one kind has to learn from. */
struct care_models_kind {
    const char *kind;       /* "intent" or "sentiment" (static) */
    int64_t live_id;        /* the live version, 0 when none */
    int64_t corrections;    /* messages with a corrected label of this kind */
    int64_t heldout;        /* of which held back for scoring */
    int64_t heldout_labels; /* distinct labels among the held-back ones */
    int64_t since;          /* corrected since the live version went live */
    int64_t since_confirmed; /* of which confirmations (the label was right) */
    bool enough;            /* a retrain can score it (CARE_MODELS_MIN_HELDOUT) */
};

/* One kind inside a retrain job. */
struct care_models_job_kind {
    char kind[12];
    char state[12];     /* waiting, training, scoring, live, rejected, failed */
    int64_t version_id; /* the new version once recorded, else 0 */
    int64_t trained_on, heldout;
    bool scored;
    double macro_f1, live_macro_f1;
    char message[256]; /* plain words for a failure, else "" */
};
/* A retrain job (kept in memory: the last CARE_MODELS_JOBS, lost at restart). */
#define CARE_MODELS_JOBS 16
struct care_models_job {
    int64_t id;
    char state[12]; /* running, done, failed */
    int percent;    /* 0..100 */
    bool force, scheduled;
    int64_t started_at, finished_at; /* ms; finished_at 0 while running */
    size_t nkinds;
    struct care_models_job_kind kinds[2];
};

/* The state of both kinds ('out[0]' intent, 'out[1]' sentiment) and, when 'job' is not NULL,
 * the newest job ('*has_job' false when there was none). ERR_UNAVAIL when triage is off. */
int care_models_status(struct care *c, struct care_models_kind out[2],
                       struct care_models_job *job, bool *has_job);
/* Queues a retrain of 'kinds' (NULL/0: every kind with enough corrections): trains each on
 * the shipped set plus the corrections outside the held-back slice, scores it and the live
 * model on the slice, and makes it live only when its macro-F1 is higher, or with 'force'.
 * Returns 0 with the queued job in '*out'; ERR_CONFLICT (a retrain runs already), ERR_INVAL
 * (too few corrections, unknown kind: 'em' says what in plain words), ERR_UNAVAIL (triage is
 * off, no shipped training sets or no database folder: 'em'). */
int care_models_retrain(struct care *c, const char *const *kinds, size_t nkinds, bool force,
                        struct care_models_job *out, struct errmsg *em);
/* Job 'id'; ERR_NOTFOUND when unknown or forgotten. */
int care_models_job(struct care *c, int64_t id, struct care_models_job *out);
/* Makes version 'id' live at once (a switch or a roll back): later messages are triaged with
 * it, messages in flight finish on the old one. ERR_NOTFOUND, ERR_CONFLICT when its file is
 * gone or does not load ('em'), ERR_UNAVAIL when triage is off. */
int care_models_activate(struct care *c, int64_t id, struct errmsg *em);

/* Triages 'in' with the live models (when triage is on), storing the results on it; strings
 * go into 'ar'. care_hook does this for every message; imports and the demo call it. */
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

/* ---- pull channels (poller.c) ---------------------------------------------------------- */

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

/* ---- replies (outbox.c) ------------------------------------------------------------------ */
/* The writes that queue a delivery: each stores the reply, then wakes the outbox worker, so no
 * caller has to remember the second step. */

/* Stores an agent's reply (or, with 'note', an internal note, which is never delivered) to
 * conversation 'conv_id' as store_reply does; '*msg_id' gets its id. ERR_NOTFOUND. */
int care_reply(struct care *c, int64_t conv_id, int64_t agent_id, struct str text, bool note,
               int64_t *msg_id);
/* Stores a reply with a platform payload (store_reply_payload) and queues it. ERR_NOTFOUND. */
int care_reply_payload(struct care *c, int64_t conv_id, int64_t agent_id, struct str text,
                       const char *payload, int64_t *msg_id);
/* Puts failed reply 'msg_id' back in the outbox (store_msg_retry). ERR_NOTFOUND, ERR_CONFLICT
 * (it has not failed). */
int care_msg_retry(struct care *c, int64_t msg_id);

/* ---- agents' changes (changes.c) -------------------------------------------------------- */
/* Every change an agent or admin makes to conversations, contacts, channels and triage goes
 * through one of these, so the API has one call per change and care/ decides what follows.
 * Today the store does it in the same transaction: a conversation change marks it for SLA
 * recompute and publishes the event that wakes routing (which drains the queue when the
 * change freed capacity). 'actor_id' is the agent making the change, 0 for an API token. */

/* Assigns conversation 'conv_id' to 'agent_id' (0: unassign; store_conv_assign). ERR_NOTFOUND
 * (no such conversation or agent). */
int care_conv_assign(struct care *c, int64_t conv_id, int64_t agent_id, int64_t actor_id);
/* Sets the status (a valid model status; 'snooze_until' for snoozed, 'reason' may be NULL;
 * store_conv_set_status). ERR_NOTFOUND. */
int care_conv_set_status(struct care *c, int64_t conv_id, const char *status,
                         int64_t snooze_until, const char *reason, int64_t actor_id);
/* Adds then removes labels (valid labels; store_conv_labels). ERR_NOTFOUND, ERR_INVAL (too
 * many labels). */
int care_conv_labels(struct care *c, int64_t conv_id, const struct str *add, size_t nadd,
                     const struct str *remove, size_t nremove);
/* Marks conversation 'conv_id' read. ERR_NOTFOUND. */
int care_conv_mark_read(struct care *c, int64_t conv_id);
/* Records a private reply the platform accepted: the private conversation (new or found) and
 * its message, linked to the public one (store_private_reply). ERR_NOTFOUND. */
int care_private_reply_record(struct care *c, const struct private_reply *pr,
                              int64_t *dm_conv_id, int64_t *msg_id);
/* Updates contact 'id' from 'ct' (store_contact_update). ERR_NOTFOUND, ERR_INVAL. */
int care_contact_update(struct care *c, int64_t id, const struct contact *ct);
/* Blocks contact 'id' for 'reason', by 'agent_id' (0: an API token): store_contact_block.
 * From then on its messages are stored and nothing else (care_ingest). ERR_NOTFOUND,
 * ERR_CONFLICT (already blocked), ERR_INVAL. */
int care_contact_block(struct care *c, int64_t id, int64_t agent_id, const char *reason);
/* Unblocks contact 'id' (store_contact_unblock): its open conversations are routed again,
 * unassigned, without an acknowledgement. ERR_NOTFOUND, ERR_CONFLICT (not blocked). */
int care_contact_unblock(struct care *c, int64_t id, int64_t agent_id);
/* Merges contact 'other_id' into contact 'id' by 'agent_id' (store_contact_merge, with the
 * suggestion's 'evidence' JSON): one person with every identity and conversation. */
int care_contact_merge(struct care *c, int64_t id, int64_t other_id, int64_t agent_id,
                       const char *evidence, int64_t *merge_id, enum merge_conflict *why);
/* Undoes merge 'merge_id' (store_contact_merge_undo). */
int care_contact_merge_undo(struct care *c, struct arena *ar, int64_t merge_id,
                            int64_t agent_id, const char **kept_fields, enum merge_conflict *why);
/* Remembers that contacts 'a' and 'b' are not one person (store_merge_dismiss). */
int care_merge_dismiss(struct care *c, int64_t a, int64_t b, int64_t agent_id);
/* Adds a channel ('ch' with normalized settings; store_channel_add); '*id' gets its id. */
int care_channel_add(struct care *c, const struct channel *ch, int64_t *id);
/* Changes channel 'id' (store_channel_update: name, normalized settings, a new secret,
 * enabled). ERR_NOTFOUND. */
int care_channel_update(struct care *c, int64_t id, const struct store_channel_update *u);
/* Deletes channel 'id' and its status. ERR_CONFLICT while it has conversations (disable it
 * instead), ERR_NOTFOUND. */
int care_channel_delete(struct care *c, int64_t id);

/* ---- channel status (chanstat.c) ----------------------------------------------------------- */

#define CARE_STATUS_ERROR_MAX 300 /* bytes of a channel's last error, with the NUL */
/* What Hark last heard from channel 'id' (see store_channel_status): the live values kept in
 * memory, else the stored ones, else zeros. The counts are today's (UTC). Strings in 'ar'.
 * 0 or the store's error. */
int care_channel_status(struct care *c, struct arena *ar, int64_t id,
                        struct store_channel_status *out);
/* An agent corrects the triage of customer message 'msg_id' (intent and/or sentiment, NULL:
 * unchanged, or with 'confirm' confirmed as it is; store_triage_correct). ERR_NOTFOUND,
 * ERR_INVAL (not a customer's message), ERR_CONFLICT (nothing to confirm: no triage). */
int care_triage_correct(struct care *c, int64_t msg_id, int64_t agent_id, const char *intent,
                        const char *sentiment, bool confirm);
/* The agent skips message 'msg_id' in the review queue (store_triage_skip). */
int care_triage_skip(struct care *c, int64_t msg_id, int64_t agent_id);
/* Turns listening mention 'mention_id' into a conversation: 'in' goes through care_ingest like
 * a webhook (triage, store, routing, SLA clocks) and the mention is linked to the conversation
 * in 'r'. ERR_* of either step. */
int care_mention_convert(struct care *c, struct arena *ar, int64_t mention_id,
                         struct inbound *in, struct ingest_result *r);

/* ---- canned replies (canned.c, canned_fill.c) -------------------------------------------- */

/* Saves canned reply 'id' (0: a new one, '*out_id' gets its id) as store_canned_put does. */
int care_canned_put(struct care *c, int64_t id, const struct store_canned *cr, int64_t *out_id);
/* Deletes canned reply 'id' (store_canned_delete). ERR_NOTFOUND. */
int care_canned_delete(struct care *c, int64_t id);
/* Counts one reply 'agent_id' sent despite a nudge (store_nudge_override_add). */
int care_nudge_overridden(struct care *c, int64_t agent_id);

#define CARE_FILL_BODY_MAX 8192   /* bytes of one canned body */
#define CARE_FILL_VALUE_MAX 200   /* bytes of one variable's value once filled */
#define CARE_FILL_NAME_MAX 80     /* bytes of a variable's name between its braces */
#define CARE_FILL_MISSING_MAX 32  /* distinct missing variables listed */

/* One contact attribute as text: its key and its value (a string as is, a number or a boolean
 * written out; the API leaves out other kinds). */
struct care_fill_attr {
    const char *key, *value;
};
/* What a body's variables are filled from; every field may be NULL or 0 (then unknown). */
struct care_fill_vars {
    const char *contact_name;    /* {contact.name}; its first word is {contact.first_name} */
    const char *agent_name;      /* the agent's name customers see: {agent.name}, .first_name */
    int64_t conv_id;             /* {conversation.id} */
    const struct care_fill_attr *attrs; /* {contact.attributes.<key>}; {order.ref} is the
                                         * attribute "order_ref", else "order" */
    size_t nattrs;
};
struct care_fill_result {
    const char *text;        /* the body with every known variable filled (in the arena) */
    size_t len;
    const char **missing;    /* names of the variables without a value, left as "{name}" */
    size_t nmissing;
};
/* Fills the {variables} of 'body' in one pass (values are never scanned again), as plain text:
 * control and bidirectional-override characters dropped, each value cut at
 * CARE_FILL_VALUE_MAX bytes on a character boundary. A variable that is unknown or has no
 * value stays as written and is listed in 'missing' (at most CARE_FILL_MISSING_MAX). Results
 * live in 'ar'. ERR_TOOBIG when 'body' is over CARE_FILL_BODY_MAX. Pure; thread-safe. */
int care_canned_fill(struct arena *ar, struct str body, const struct care_fill_vars *v,
                     struct care_fill_result *out);

/* ---- the robotic-template detector (reply_check.c) --------------------------------------- */

#define CARE_NUDGE_MAX 4          /* nudges one check gives at most (one per kind) */
#define CARE_CHECK_TEXT_MAX 16384 /* bytes of a reply the detector reads */
#define CARE_RECENT_MAX 2048      /* recent replies the care context remembers (signatures) */

/* The team's recent replies as similarity signatures (128 bytes each, no text) in a ring of
 * 'cap' slots fixed at creation: adding to a full ring forgets the oldest. Thread-safe. */
struct care_recent;
struct care_recent *care_recent_new(size_t cap);
/* NULL is a no-op. */
void care_recent_free(struct care_recent *r);
/* Remembers 'text' (replies under six words are not remembered). Scratch from 'ar'. */
void care_recent_add(struct care_recent *r, struct arena *ar, struct str text);

/* A reply about to be sent. */
struct care_draft {
    struct str text;
    struct str canned;      /* the canned reply it started from, filled; empty when none */
    const char *first_name; /* the customer's first name; NULL or "" when unknown */
    const struct str *earlier; /* the agents' earlier replies in this conversation (may be
                                * NULL): once one used the name, later ones need not */
    size_t nearlier;
};
struct care_nudge {
    const char *kind;  /* canned_verbatim, no_name, repetitive, boilerplate */
    char message[320]; /* one or two plain sentences for the agent */
};
/* Checks 'd' against the detector's rules (and 'recent', which may be NULL) and writes the
 * nudges into 'out' (room for CARE_NUDGE_MAX); returns how many. Scratch from 'ar'. */
size_t care_reply_nudges(struct arena *ar, const struct care_draft *d,
                         struct care_recent *recent, struct care_nudge *out);
/* care_reply_nudges against this care context's recent replies, which every care_reply of a
 * public or private reply (not a note) feeds. */
size_t care_reply_check(struct care *c, struct arena *ar, const struct care_draft *d,
                        struct care_nudge *out);

/* ---- phone callbacks (callback.c) -------------------------------------------------------- */
/* An agent offers a phone callback: the customer gets a link to /callback/<token> (a random
 * token, only its hash stored, valid CARE_CALLBACK_TTL_MS and used once) where they pick a slot
 * of the team's business hours; accepting it makes the agent's task and an internal note. */
#define CARE_CALLBACK_TTL_MS (7LL * 24 * 3600 * 1000)
#define CARE_CALLBACK_TOKEN_LEN 43           /* base64url characters */
#define CARE_CALLBACK_SLOT_MS (30LL * 60 * 1000)
#define CARE_CALLBACK_LEAD_MS (60LL * 60 * 1000) /* the first slot is at least this far off */
#define CARE_CALLBACK_SLOTS_MAX 48
#define CARE_CALLBACK_DAYS 14                /* slots within this many days */
#define CARE_CALLBACK_PHONE_MAX 32
#define CARE_CALLBACK_NOTE_MAX 500
/* The hours without a calendar: Monday to Friday, 09:00 to 17:00 in this zone. */
#define CARE_CALLBACK_DEFAULT_TZ "UTC"

/* A fresh token (CARE_CALLBACK_TOKEN_LEN characters and a NUL) and its hash. */
void care_callback_token(char token[CARE_CALLBACK_TOKEN_LEN + 1], char hash[65]);
/* Whether 't' has the shape of a token (anything else is simply not found). */
bool care_callback_token_ok(const char *t);
/* The calendar a conversation's callback slots come from: its team's (0: none). */
int64_t care_callback_calendar(struct care *c, struct arena *ar, int64_t conv_id);
/* Stores the offer 'cb' (conversation_id, agent_id, calendar_id, token_hash; expires_at is
 * set here) and sends 'text' (with the link) to the customer as the agent's reply through the
 * conversation's channel. ERR_NOTFOUND. */
int care_callback_offer(struct care *c, struct store_callback *cb, struct str text,
                        int64_t *id, int64_t *msg_id);
/* The slots offered now ('now' ms) from calendar 'calendar_id' (0 or gone: the default
 * hours): at most CARE_CALLBACK_SLOTS_MAX starts, 30 minutes apart, each within open hours,
 * into '*out' (from 'ar'); '*tz' the zone of those hours. */
int care_callback_slots(struct care *c, struct arena *ar, int64_t calendar_id, int64_t now,
                        int64_t **out, size_t *n, const char **tz);
/* The customer's answer to the offer of 'token': 'phone' (normalized E.164), 'slot_at' (one
 * of the slots offered now) and 'note' (NULL: none). Writes the task and an internal note in
 * the conversation. ERR_NOTFOUND (unknown, used or expired: the same), ERR_INVAL (the slot is
 * not offered). */
int care_callback_accept(struct care *c, const char *token, const char *phone, int64_t slot_at,
                         const char *note, int64_t *id);
/* Normalizes a phone number written by a person ("+49 151 2345-678") to E.164 ("+491512345678")
 * into 'out'; false when it is not one (a '+', then 8 to 15 digits). */
bool care_callback_phone(const char *in, char out[CARE_CALLBACK_PHONE_MAX]);
/* Marks callback 'id' done (or not) by 'agent_id'. ERR_NOTFOUND. */
int care_callback_done(struct care *c, int64_t id, int64_t agent_id, bool done);

/* ---- care policy: root causes and goodwill (policy.c, docs/care-policy.md) --------------- */

/* A root cause as the suggestion reads it: its keywords (words or phrases). */
struct care_cause {
    int64_t id;
    const char *name;
    const char *const *keywords;
    size_t nkeywords;
};
/* The suggested cause and the keywords found (its explanation). */
struct care_suggestion {
    const struct care_cause *cause; /* NULL: none */
    const char **matched;           /* the cause's keywords found in the text */
    size_t nmatched;
};
/* Suggests one of 'causes' for 'text' (the customer's words): each keyword is searched as
 * whole words, case-insensitively; the cause with the most keywords found wins (ties: the
 * longer keywords, then the earlier cause). 1 with '*out' set, or 0 when no keyword is found. */
int care_root_cause_suggest(struct arena *ar, const struct care_cause *causes, size_t n,
                            const char *text, struct care_suggestion *out);
/* The limit per grant of 'role' in minor units of the policy's currency; -1: none. */
int64_t care_goodwill_limit(const struct store_care_policy *p, const char *role);
/* Whether a grant by 'role' waits for a supervisor: over the role's limit, or in another
 * currency than the policy's (no conversion). */
bool care_goodwill_needs_approval(const struct store_care_policy *p, const char *role,
                                  int64_t amount_minor, const char *currency);
/* Supervisors and admins approve or decline grants. */
bool care_is_approver(const char *role);
int care_root_cause_put(struct care *c, int64_t id, const struct store_root_cause *rc,
                        int64_t *out_id);
int care_root_cause_delete(struct care *c, int64_t id);
int care_conv_cause_set(struct care *c, int64_t conv_id, int64_t cause_id, int64_t agent_id,
                        bool suggested);
int care_policy_put(struct care *c, const struct store_care_policy *p);
/* Stores grant 'g' by 'role': "approved" (by its requester) within the role's limit, else
 * "pending" until a supervisor or admin decides (g->status set). */
int care_goodwill_grant(struct care *c, const struct store_care_policy *p, const char *role,
                        struct store_goodwill *g, int64_t *out_id);
/* Approves or declines a pending grant (store_goodwill_decide). */
int care_goodwill_decide(struct care *c, int64_t id, bool approve, int64_t agent_id,
                         const char *note);
/* ---- CSAT surveys (survey.c) ------------------------------------------------------------- */

/* A conversation resolved (not as spam or abuse, the contact not blocked, its channel type on
 * in the settings, never surveyed, the contact not asked within repeat_days) gets one survey,
 * sent after the settings' delay on the same channel: buttons on WhatsApp, Messenger and
 * Telegram, stars in the web chat widget, elsewhere a one-time link to the survey page
 * /s/<token> (only the token's hash is kept). Answers are accepted once, within the window. */
#define CARE_SURVEY_COMMENT_MS (60LL * 60 * 1000) /* free text this soon after a score is its
                                                     comment (and not a new message) */
#define CARE_SURVEY_COMMENT_MAX 1000              /* bytes of a comment kept */
#define CARE_SURVEY_EVENT_QUOTE 200               /* bytes of it quoted in the event */

/* Why a resolved conversation gets no survey, as a code ("off", "not_resolved", "blocked",
 * "spam", "channel", "once", "recent"), or NULL when it gets one. Pure: no I/O. */
const char *care_survey_rule(const struct store_survey_settings *s,
                             const struct store_survey_facts *f, int64_t now);
/* Why an answer to 'sv' at 'now' is kept out ("not_sent", "answered", "expired"), or NULL. */
const char *care_survey_answer_rule(const struct store_survey *sv, int64_t now);
/* Whether free text arriving at 'now' is the comment of the answered survey 'sv': answered by
 * a button, no comment yet, inside the window, within CARE_SURVEY_COMMENT_MS of the score and
 * the conversation still resolved. */
bool care_survey_comment_ok(const struct store_survey *sv, int64_t now);
/* A resolution reason after which nobody is asked (spam, abuse). */
bool care_survey_spam_reason(const char *reason);
/* Applies the rules to conversation 'conv_id' (just resolved) and queues its survey. Called by
 * care_conv_set_status; 0 also when no survey is due. */
int care_survey_on_resolve(struct care *c, int64_t conv_id);
/* The base URL of survey links (the public URL). Call before serving. */
void care_survey_set_url(struct care *c, const char *url);
/* Records an answer (store_survey_answer: ERR_NOTFOUND, ERR_CONFLICT answered already,
 * ERR_TIMEOUT window closed) with the event "Rated 5 ★ — '...'" in the conversation. */
int care_survey_answer(struct care *c, int64_t id, const struct store_survey_answer *a);
/* The survey behind a link token (any state); ERR_NOTFOUND. */
int care_survey_by_token(struct care *c, struct arena *ar, const char *token,
                         struct store_survey *out);

/* ---- the FAQ bot (faqbot.c) ------------------------------------------------------------------ */
/* The bot answers a customer's first message when it is a plain question (intent question),
 * the closest FAQ matches above that FAQ's threshold, the sentiment is not negative and the
 * urgency is low, on a channel the bot is switched on for, never to a blocked contact. It
 * signs as the bot and offers a person in every answer ("Reply HUMAN"); anything else, or any
 * second message while its answer's window runs, goes to a person with the bot's attempt
 * shown as a note. docs/routing-sla.md says how its answers count for the unanswered
 * guarantee. */

#define CARE_FAQBOT_URGENCY_MAX 40   /* "low" urgency is below this (the 0-39 band) */
#define CARE_FAQBOT_HUMAN_WORDS_MAX 12 /* a message asking for a person is this short */

/* The matcher: every FAQ's question and variants as TF-IDF vectors over the classifier's
 * hashed features; immutable once built, so any number of threads may match at once. */
struct care_faq_index;
int care_faq_index_build(const struct store_faq_variant *v, size_t n,
                         struct care_faq_index **out);
void care_faq_index_free(struct care_faq_index *ix);
/* FAQs in the index. */
size_t care_faq_index_size(const struct care_faq_index *ix);
struct care_faq_match {
    int64_t faq_id;
    double confidence; /* cosine similarity with the FAQ's closest variant, 0..1 */
    double threshold;  /* that FAQ's */
};
/* The enabled FAQ closest to 'text'; false when no FAQ shares a feature with it. */
bool care_faq_index_match(const struct care_faq_index *ix, struct str text,
                          struct care_faq_match *out);

/* What the decision looks at. */
struct care_faqbot_facts {
    bool blocked;         /* the contact is blocked */
    bool bot_waiting;     /* the bot answered in this conversation and its window runs */
    bool first_message;   /* the conversation's first customer message */
    bool channel_on;      /* the bot is switched on for the channel */
    bool asked_for_human; /* care_faqbot_asks_for_human */
    const char *intent, *sentiment; /* the triage (NULL: none) */
    int urgency;
    bool matched;         /* some FAQ shares features with the message */
    double confidence, threshold;
    bool has_answer;      /* the FAQ has an answer to send */
};
struct care_faqbot_decision {
    bool answer;    /* the bot answers */
    bool handoff;   /* the bot was waiting: the conversation goes to a person now */
    bool held_back; /* an FAQ matched but the bot does not answer (the agent sees why) */
    const char *why; /* a static code: answered, blocked, asked_for_human, second_message,
                        not_first, channel_off, no_match, below_threshold, not_question,
                        negative, urgent, no_answer */
};
/* Pure: the bot's decision for 'f'. */
void care_faqbot_decide(const struct care_faqbot_facts *f, struct care_faqbot_decision *out);
/* The reason 'why' in plain words for the care team (static text). */
const char *care_faqbot_why_words(const char *why);
/* Whether 'text' is a short message asking for a person ("HUMAN", "agent please", "Mensch"). */
bool care_faqbot_asks_for_human(struct str text);
/* The line that signs every answer as the bot's and offers a person, in 'lang' (English when
 * the bot does not speak it). Static text. */
const char *care_faqbot_footer(const char *lang);
/* The answer as sent: the FAQ's text, its link, the footer. In 'ar'. */
const char *care_faqbot_compose(struct arena *ar, const struct store_faq_answer *a);

/* One message as the bot sees it. */
struct care_faqbot_input {
    int64_t channel_id; /* 0: any channel (the "try it" box) */
    struct str text;
    const char *lang, *intent, *sentiment;
    int urgency;
    bool first_message, bot_waiting, blocked;
};
struct care_faqbot_result {
    struct care_faqbot_facts facts;
    struct care_faqbot_decision decision;
    struct care_faq_match match;    /* valid when facts.matched */
    struct store_faq_answer answer; /* the FAQ's answer (question set when matched) */
    const char *text;               /* the answer as it would be sent; NULL: none */
    int64_t window_ms;
};
/* Decides for 'in' with the stored FAQs and settings, writing nothing ("try it" and ingest). */
int care_faqbot_consider(struct care *c, struct arena *ar, const struct care_faqbot_input *in,
                         struct care_faqbot_result *out);
/* Saves FAQ 'id' (0: a new one) as store_faq_put does, then rebuilds the matcher. */
int care_faq_put(struct care *c, int64_t id, const struct store_faq *f, int64_t *out_id);
/* Deletes FAQ 'id' (store_faq_delete), then rebuilds the matcher. ERR_NOTFOUND. */
int care_faq_delete(struct care *c, int64_t id);
/* Saves the bot's settings (store_faq_bot_put). */
int care_faqbot_settings_put(struct care *c, const struct store_faq_bot *b);

#endif
