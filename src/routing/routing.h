/* SPDX-License-Identifier: MIT */
/*
 * routing.h - who answers a conversation and by when: routing rules and strategies, the
 * routing queue and its drain, SLA clocks, business hours, the timers worker (SLA warnings,
 * breaches, escalation, snooze wake-ups), the honest auto-acknowledgement, and presence.
 *
 * A struct routing is created once (by care_new, which owns it) and shared by all request
 * threads; every function here is thread-safe unless stated. It borrows the store and hub,
 * which must outlive it. The pure functions (routing_decide, routing_sla_compute, the
 * calendar) need no context.
 */
#ifndef HARK_ROUTING_H
#define HARK_ROUTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "model/model.h"
#include "store/store.h"

struct hub;

/* Counters rendered by /metrics. Updated with base/metrics.h atomics. */
struct routing_metrics {
    uint64_t sla_timers_fired; /* SLA warnings, breaches and snooze wake-ups fired */
    uint64_t sla_breaches;     /* response deadlines breached */
    uint64_t route_from_queue; /* queued conversations assigned as capacity freed */
    uint64_t route_failed;     /* routing decisions that failed (store error, too big) */
};

/* What routing asks of the layer that owns it (care/), which it cannot call directly. Both
 * hooks may be NULL. */
struct routing_hooks {
    void (*reply_queued)(void *arg);        /* an auto-acknowledgement was queued: deliver it */
    void (*tick)(void *arg, int64_t now);   /* every timers wake-up: slow chores */
    void *arg;
};

struct routing;

/* Makes the routing context; borrows 'st' and 'hub' (may be NULL: no wake-ups on events) and
 * copies 'hooks' (may be NULL). Always 0. */
int routing_new(struct store *st, struct hub *hub, const struct routing_hooks *hooks,
                struct routing **out);
/* Stops the timers worker if running and frees. NULL is a no-op. */
void routing_free(struct routing *routing);
struct routing_metrics *routing_metrics(struct routing *routing);

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
int routing_sla_recompute(struct routing *routing, int64_t conv_id, int64_t gen);
/* Whether the conversation has an inbound message no human has answered: 1 yes, 0 no, or
 * ERR_*. Resolving it then needs a reason. */
int routing_sla_unanswered(struct routing *routing, int64_t conv_id);

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
int routing_conv(struct routing *routing, int64_t conv_id);
/* Routes conversation 'conv_id' again without an acknowledgement (a contact was unblocked: the
 * customer was never told anything while blocked, so nothing is said now either). */
int routing_conv_again(struct routing *routing, int64_t conv_id);
/* Called by the ingest pipeline after each stored message; a blocked contact's
 * (ingest_result.blocked) is neither routed nor acknowledged. */
void routing_inbound(struct routing *routing, const struct ingest_result *r);
/* One pass over the routing queue, oldest first: assigns every queued conversation that an
 * agent with free capacity can take now, passing over the ones nobody can. Memory is bounded
 * per page of the queue and per decision, never by its depth. Runs on the timers worker. */
void routing_drain(struct routing *routing);
/* The honest auto-acknowledgement text for a conversation routed to 'team' (sla.c). */
int routing_autoack_maybe(struct routing *routing, int64_t conv_id);

/* ---- dry run (dryrun.c) --------------------------------------------------------------------- */
/* One rule as the dry run tried it. */
struct routing_dry_rule {
    int64_t id;
    const char *name;
    bool matched;
    const char *why;          /* the first condition it fails, in words; NULL when matched */
};
/* What routing would do with a conversation now. Every pointer borrows the caller's arena. */
struct routing_dry_result {
    struct routing_dry_rule *rules; /* tried in order, up to and including the match */
    size_t nrules;
    bool matched;                 /* a rule matched and its team exists */
    const char *why;              /* when not matched: why, in words */
    int64_t rule_id, team_id;
    const char *rule_name;
    struct store_team team;       /* the team (members copied; templates not) */
    int64_t agent_id;             /* 0: nobody can take it now: queued */
    const char *agent_name;
    const char *strategy, *reason; /* as a real decision records them */
    int64_t queue_ahead;          /* when queued: conversations queued before it */
    const struct store_sla_policy *policy; /* the SLA policy that would apply; NULL: none */
    const char *policy_calendar_tz; /* the zone business time would count in; NULL: none */
    const char *autoack_text;     /* the acknowledgement that would be sent; NULL: none */
    const char *autoack_why;      /* why it would or would not be sent */
};
/* Decides for 'in' (a stored conversation's routing input, or a draft from store_route_draft
 * filled by the caller with triage and contact) exactly as routing_conv would now, and computes
 * the SLA policy and the acknowledgement that would follow, writing nothing. Reads as many
 * rows as a real decision; 'ar' should be sized with routing_dry_cap. ERR_TOOBIG when the
 * routing data is too big for one decision, ERR_IO. */
int routing_dry_run(struct routing *routing, struct arena *ar, const struct store_route_input *in,
                    struct routing_dry_result *out);
/* The arena cap routing_dry_run needs for the routing data stored now. ERR_TOOBIG. */
int routing_dry_cap(struct routing *routing, size_t *cap);
/* Previews acknowledgement template 'tpl' of team 'team_name' in 'lang' as it would read if
 * sent now, '{when}' being the next opening of calendar 'calendar_id' (0: always open).
 * '*out' from 'ar'. ERR_INVAL when the calendar never opens, ERR_TOOBIG when the text passes
 * the acknowledgement's limit. */
int routing_autoack_preview(struct routing *routing, struct arena *ar, int64_t calendar_id,
                            const char *team_name, const char *lang, const char *tpl,
                            const char **out);
/* Puts the routing rules in the order of 'ids' (store_rule_order), then drains the queue.
 * ERR_INVAL (an id twice), ERR_CONFLICT ('ids' is not the set of rules stored now). */
int routing_rule_order(struct routing *routing, const int64_t *ids, size_t n);

/* Presence (route.c): the web app's live connection of 'agent_id' opened or closed. Agents
 * whose profile has auto_presence go online with the first and offline with the last. */
void routing_presence(struct routing *routing, int64_t agent_id, bool connected);

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
int routing_timers_start(struct routing *routing);
void routing_timers_stop(struct routing *routing);
/* Wakes the worker (something changed) and has it try the routing queue again. Callers that
 * change what routing reads use the entry points below, which do the write and then this. */
void routing_timers_kick(struct routing *routing);

/* ---- changes that may free capacity (route.c) ------------------------------------------- */
/* Routing owns "this change frees capacity, so drain the queue": each entry point below does
 * the store write and then wakes the timers worker to try the queue again. A new endpoint that
 * changes an agent's capacity, availability or a team's members calls one of these, never the
 * store directly. */

/* Creates (id 0, '*out' gets the new id) or replaces team 'id' as store_team_put does, then
 * drains the queue. ERR_CONFLICT (name taken), ERR_NOTFOUND (no such team, agent or calendar),
 * ERR_INVAL. */
int routing_team_put(struct routing *routing, int64_t id, const struct store_team *t, int64_t *out);
/* Saves an agent's routing profile (skills, capacity, availability...) as store_profile_put
 * does, then drains the queue. ERR_NOTFOUND (no such agent), ERR_INVAL. */
int routing_profile_put(struct routing *routing, const struct store_profile *p, bool set_presence);
/* Deletes team 'id' (store_team_delete), then drains the queue. ERR_NOTFOUND, ERR_CONFLICT (a
 * routing rule sends to it). */
int routing_team_delete(struct routing *routing, int64_t id);
/* Creates (id 0, '*out' gets the new id) or replaces rule 'id' (store_rule_put), then drains
 * the queue: a rule that now matches may send queued conversations to a team with room.
 * ERR_NOTFOUND (no such rule or team), ERR_INVAL. */
int routing_rule_put(struct routing *routing, int64_t id, const struct store_rule *x,
                     int64_t *out);
/* Deletes rule 'id' (store_rule_delete), then drains the queue. ERR_NOTFOUND. */
int routing_rule_delete(struct routing *routing, int64_t id);

/* ---- changes that do not free capacity (routing.c) -------------------------------------- */
/* Routing decisions read no calendar and no SLA policy, so these only write. Deadlines
 * computed under an older policy version are recomputed when read (routing_sla_recompute). */

/* Creates (id 0) or replaces calendar 'id' (store_calendar_put). ERR_NOTFOUND, ERR_INVAL. */
int routing_calendar_put(struct routing *routing, int64_t id, const struct store_calendar *c,
                         int64_t *out);
/* Deletes calendar 'id'. ERR_NOTFOUND, ERR_CONFLICT (a team or SLA policy uses it). */
int routing_calendar_delete(struct routing *routing, int64_t id);
/* Creates (id 0) or replaces SLA policy 'id', bumping its version (store_sla_policy_put).
 * ERR_NOTFOUND (no such policy or calendar), ERR_INVAL. */
int routing_sla_policy_put(struct routing *routing, int64_t id, const struct store_sla_policy *p,
                           int64_t *out);
/* Deletes SLA policy 'id'. ERR_NOTFOUND. */
int routing_sla_policy_delete(struct routing *routing, int64_t id);

#endif
