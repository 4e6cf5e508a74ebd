/* SPDX-License-Identifier: MIT */
/*
 * route.c - who answers a conversation: routing rules, strategies, store routing, "heroes",
 * the queue, presence.
 *
 * routing_decide() is pure: given the conversation, the ordered rules, the teams and every
 * agent's profile and current load, it returns the team, the agent (or none: queued) and the
 * reason in words. The rest reads those inputs from the store and records the decision. With
 * no rule matching, nothing is routed: the conversation stays in the shared inbox.
 */
#include "base/base.h"
#include "routing/routing_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <strings.h>

#include "base/arena.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/store.h"

#define URGENT 70                   /* urgency band "high" (docs/triage.md) */
#define HERO_DEFAULT_FRT_MS 900000  /* an agent not yet measured counts as 15 minutes */

static bool
has(const struct store_strs *l, const char *v)
{
    if (!v)
        return false;
    for (size_t i = 0; i < l->n; i++) {
        if (strcasecmp(l->v[i], v) == 0)
            return true;
    }
    return false;
}

/* An empty condition list matches anything. */
static bool
cond(const struct store_strs *l, const char *v)
{
    return l->n == 0 || has(l, v);
}

/* Case-insensitive substring search, for a store named in the message text. */
static bool
mentions(const char *text, const char *word)
{
    size_t n = strlen(word);
    if (!text || n < 3)
        return false;
    for (const char *p = text; *p; p++) {
        if (strncasecmp(p, word, n) == 0)
            return true;
    }
    return false;
}

/* The first condition of 'r' that 'in' fails, in words, into 'why' (may be NULL); true when
 * every condition holds. A real decision and a dry run both match through here. */
static bool
rule_check(const struct store_rule *r, const struct store_route_input *in, char *why, size_t n)
{
    const struct conv *cv = &in->conv;
    const char *what = NULL, *got = NULL;
    char buf[40];
    if (!r->enabled)
        what = "the rule is turned off";
    else if (!cond(&r->channels_v, cv->channel_type))
        what = "the channel type is not one of the rule's", got = cv->channel_type;
    else if (!cond(&r->languages_v, in->lang))
        what = "the language is not one of the rule's", got = in->lang;
    else if (!cond(&r->intents_v, cv->intent))
        what = "the intent is not one of the rule's", got = cv->intent;
    else if (!cond(&r->sentiments_v, cv->sentiment))
        what = "the sentiment is not one of the rule's", got = cv->sentiment;
    else if (r->public_match >= 0 && r->public_match != (cv->public ? 1 : 0))
        what = r->public_match ? "the rule is for public posts only"
                               : "the rule is for private messages only";
    else if (r->urgency_min >= 0 && cv->urgency < r->urgency_min) {
        snprintf(buf, sizeof(buf), "%d, below %d", cv->urgency, r->urgency_min);
        what = "the urgency is too low", got = buf;
    } else if (r->tags_v.n) {
        bool any = false;
        for (size_t i = 0; i < in->contact_tags.n && !any; i++)
            any = has(&r->tags_v, in->contact_tags.v[i]);
        if (!any)
            what = "the contact has none of the rule's tags";
    }
    if (!what && r->locations_v.n && !has(&r->locations_v, in->contact_location) &&
        !has(&r->locations_v, in->channel_store))
        what = "neither the contact's location nor the channel's store is one of the rule's";
    if (what && why)
        snprintf(why, n, "%s%s%s%s", what, got ? " ('" : "", got ? got : "", got ? "')" : "");
    return what == NULL;
}

static bool
rule_matches(const struct store_rule *r, const struct store_route_input *in)
{
    return rule_check(r, in, NULL, 0);
}

static const struct store_team *
team_by_id(const struct routing_ctx *x, int64_t id)
{
    for (size_t i = 0; i < x->nteams; i++) {
        if (x->teams[i].id == id)
            return &x->teams[i];
    }
    return NULL;
}

static bool
member(const struct store_team *t, int64_t agent)
{
    for (size_t i = 0; i < t->nmembers; i++) {
        if (t->members[i] == agent)
            return true;
    }
    return false;
}

static bool
available(const struct store_profile *a, const struct conv *cv, int64_t exclude)
{
    return a->agent_id != exclude && strcmp(a->availability, "online") == 0 &&
           a->open_count < a->capacity && cond(&a->channels_v, cv->channel_type);
}

/* Lower is better: mean first response, worsened by the share of conversations reopened. */
static double
hero_score(const struct store_profile *a)
{
    double frt = a->frt_count ? (double)a->frt_sum_ms / (double)a->frt_count
                              : HERO_DEFAULT_FRT_MS;
    double reopen = (double)a->reopen_count / (double)(a->resolved_count + 1);
    return frt * (1.0 + 2.0 * reopen);
}

static double
load(const struct store_profile *a)
{
    return a->capacity > 0 ? (double)a->open_count / a->capacity : 1.0;
}

static int
skill_match(const struct store_profile *a, const struct store_rule *r, const char *lang)
{
    int s = 0;
    for (size_t i = 0; i < r->skills_v.n; i++)
        s += has(&a->skills_v, r->skills_v.v[i]) ? 2 : 0;
    if (lang && has(&a->languages_v, lang))
        s += 3;
    return s;
}

/* True when 'a' should be preferred to 'b' under 'strategy' (round robin is handled apart). */
static bool
better(const char *strategy, const struct store_profile *a, const struct store_profile *b,
       const struct store_rule *r, const char *lang)
{
    if (strcmp(strategy, "best_match") == 0) {
        int sa = skill_match(a, r, lang), sb = skill_match(b, r, lang);
        if (sa != sb)
            return sa > sb;
    }
    if (load(a) != load(b))
        return load(a) < load(b);
    if (a->open_count != b->open_count)
        return a->open_count < b->open_count;
    return a->agent_id < b->agent_id;
}

void
routing_decide(const struct routing_ctx *x, struct routing_result *out)
{
    memset(out, 0, sizeof(*out));
    const struct store_route_input *in = x->in;
    const struct conv *cv = &in->conv;
    const struct store_rule *r = NULL;
    for (size_t i = 0; i < x->nrules && !r; i++) {
        if (rule_matches(&x->rules[i], in))
            r = &x->rules[i];
    }
    if (!r)
        return;
    const struct store_team *t = team_by_id(x, r->team_id);
    if (!t)
        return;
    out->matched = true;
    out->rule = r;
    out->team = t;
    snprintf(out->strategy, sizeof(out->strategy), "%s", r->strategy);

    /* Candidates: team members who are online with free capacity on this channel. */
    const struct store_profile *cand[1024];
    size_t nc = 0;
    for (size_t i = 0; i < x->nagents && nc < COUNTOF(cand); i++) {
        if (member(t, x->agents[i].agent_id) && available(&x->agents[i], cv, x->exclude_agent))
            cand[nc++] = &x->agents[i];
    }
    /* Store routing: the contact's location, the channel's store, or a store named in the
     * text (any team member's location) sends to that store's staff first. */
    const char *store = in->contact_location ? in->contact_location : in->channel_store;
    if (!store) {
        for (size_t i = 0; i < x->nagents && !store; i++) {
            const char *loc = x->agents[i].location;
            if (loc && member(t, x->agents[i].agent_id) && mentions(in->text, loc))
                store = loc;
        }
    }
    char store_note[120] = "";
    if (store) {
        size_t k = 0;
        for (size_t i = 0; i < nc; i++) {
            if (cand[i]->location && strcasecmp(cand[i]->location, store) == 0)
                cand[k++] = cand[i];
        }
        if (k) {
            nc = k;
            snprintf(store_note, sizeof(store_note), "; store staff of '%s' first", store);
        }
    }
    if (nc == 0) {
        snprintf(out->reason, sizeof(out->reason),
                 "rule '%s' -> team '%s' (%s): nobody available with free capacity, queued",
                 r->name, t->name, r->strategy);
        return;
    }
    const struct store_profile *pick = NULL;
    bool heroes = cv->urgency >= URGENT || cv->public;
    char how[120];
    if (heroes) {
        for (size_t i = 0; i < nc; i++) {
            double a = pick ? hero_score(pick) : 0, b = hero_score(cand[i]);
            if (!pick || b < a || (b == a && better(r->strategy, cand[i], pick, r, in->lang)))
                pick = cand[i];
        }
        /* An agent with no measured first response has no mean (it read "-1s"). */
        char frt[48] = "no first response measured yet";
        if (pick->frt_count)
            snprintf(frt, sizeof(frt), "mean first response %llds",
                     (long long)(pick->frt_sum_ms / pick->frt_count / 1000));
        snprintf(how, sizeof(how), "%s conversation: best measured record (%s, %lld reopened "
                 "of %lld)", cv->public ? "public" : "urgent", frt,
                 (long long)pick->reopen_count, (long long)pick->resolved_count);
        snprintf(out->strategy, sizeof(out->strategy), "%s+heroes", r->strategy);
    } else if (strcmp(r->strategy, "round_robin") == 0) {
        /* The next member after the last one given a conversation, by agent id. */
        for (size_t i = 0; i < nc; i++) {
            if (cand[i]->agent_id > t->rr_last_agent &&
                (!pick || cand[i]->agent_id < pick->agent_id))
                pick = cand[i];
        }
        for (size_t i = 0; i < nc; i++) {
            if (!pick || cand[i]->agent_id < pick->agent_id)
                pick = pick && pick->agent_id > t->rr_last_agent ? pick : cand[i];
        }
        snprintf(how, sizeof(how), "next in turn");
    } else {
        for (size_t i = 0; i < nc; i++) {
            if (!pick || better(r->strategy, cand[i], pick, r, in->lang))
                pick = cand[i];
        }
        if (strcmp(r->strategy, "best_match") == 0)
            snprintf(how, sizeof(how), "best skills and language match (score %d)",
                     skill_match(pick, r, in->lang));
        else
            snprintf(how, sizeof(how), "least loaded (%lld of %d open)",
                     (long long)pick->open_count, pick->capacity);
    }
    out->agent_id = pick->agent_id;
    snprintf(out->reason, sizeof(out->reason), "rule '%s' -> team '%s' (%s): %s%s", r->name,
             t->name, r->strategy, how, store_note);
}

/* ---- loading what a decision reads ------------------------------------------------------- */

/*
 * Memory. A decision reads every rule, team (with members) and agent profile, so its memory
 * grows with that data, never with traffic: each decision, and each batch of the queue drain,
 * gets its own arena whose cap is computed from the data it is about to read
 * (store_route_sizes), and the conversation's own input gets a separate small arena. The cap
 * is an upper bound on what the store's readers allocate: their arrays (the lists of rules and
 * teams are arrays of at least 1000 entries, grown by doubling past that; profiles and members
 * grow by doubling), each text column copied, and each JSON list split into pointers and
 * copies (at most ten bytes per byte of list text, counting the rounding of each piece).
 * A context whose bound passes ROUTE_CTX_MAX is refused with ERR_TOOBIG: that one decision
 * fails (logged, counted in hark_routing_failed_total) and the conversation stays where it is.
 */
#define ROUTE_LIST_MIN 1000              /* rules and teams are read into arrays this long */
#define ROUTE_ROW_SLACK 1024             /* per row: rounding of up to 16 text pieces */
#define ROUTE_TEXT_FACTOR 16             /* arena bytes per byte of text, lists split included */
#define ROUTE_CTX_BASE (64u << 10)
#define ROUTE_CTX_MAX ((size_t)256 << 20) /* a bigger routing setup fails its decisions */
/* A conversation's routing input: its row, the latest inbound text (MODEL_TEXT_MAX), the
 * contact's tags and location, the channel's store; each bounded at the API edge by a request
 * body of at most 64 KiB, and split tags cost at most ten times their text. */
#define ROUTE_INPUT_ARENA (1u << 20)
#define DRAIN_BATCH 64                   /* queued conversations per page, one context each */

static size_t
max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* The arena cap for reading a routing context of 'z'; ERR_TOOBIG past ROUTE_CTX_MAX. */
static int
ctx_cap(const struct store_route_sizes *z, size_t *out)
{
    double b = ROUTE_CTX_BASE;
    b += 2.0 * (double)max_sz(z->rules, ROUTE_LIST_MIN) * sizeof(struct store_rule);
    b += 2.0 * (double)max_sz(z->teams, ROUTE_LIST_MIN) * sizeof(struct store_team);
    b += 4.0 * ((double)z->members + 16.0 * (double)z->teams) * sizeof(int64_t);
    b += 4.0 * (double)max_sz(z->agents, 64) * sizeof(struct store_profile);
    b += (double)ROUTE_TEXT_FACTOR * (double)z->text;
    b += (double)ROUTE_ROW_SLACK * ((double)z->rules + (double)z->teams + (double)z->agents);
    if (b > (double)ROUTE_CTX_MAX)
        return ERR_TOOBIG;
    *out = (size_t)b;
    return 0;
}

int
routing__cap(struct routing *c, size_t *cap)
{
    struct store_route_sizes z;
    int rc = store_route_sizes(c->st, &z);
    if (rc == 0)
        rc = ctx_cap(&z, cap);
    if (rc == 0)
        *cap += ROUTE_INPUT_ARENA;
    return rc;
}

/* Rules, teams and every agent's profile with its current load, in their own arena. Owned by
 * one thread; the drain keeps one for a batch and updates the loads it assigns itself. */
struct route_ctx {
    struct arena *ar;
    struct store_rule *rules;
    size_t nrules;
    struct store_team *teams;
    size_t nteams;
    struct store_profile *agents; /* by agent id */
    size_t nagents;
    int64_t gen;                  /* 'route_gen' of struct routing when loaded (route_mu) */
};

static void
ctx_release(struct route_ctx *x)
{
    arena_free(x->ar);
    memset(x, 0, sizeof(*x));
}

/* Loads a context (teams and profiles only when there is a rule). Call with 'route_mu' held. */
static int
ctx_load(struct routing *c, struct route_ctx *x)
{
    memset(x, 0, sizeof(*x));
    struct store_route_sizes z;
    size_t cap;
    int rc = store_route_sizes(c->st, &z);
    if (rc < 0)
        return rc;
    x->gen = c->route_gen;
    if (z.rules == 0)
        return 0;
    rc = ctx_cap(&z, &cap);
    if (rc < 0)
        return rc;
    x->ar = arena_new(cap);
    rc = store_rule_list(c->st, x->ar, &x->rules, &x->nrules);
    if (rc == 0 && x->nrules)
        rc = store_team_list(c->st, x->ar, &x->teams, &x->nteams);
    if (rc == 0 && x->nrules)
        rc = store_profile_list(c->st, x->ar, &x->agents, &x->nagents);
    if (rc < 0)
        ctx_release(x);
    return rc;
}

static struct store_profile *
agent_by_id(const struct route_ctx *x, int64_t id)
{
    size_t lo = 0, hi = x->nagents;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->agents[mid].agent_id == id)
            return &x->agents[mid];
        if (x->agents[mid].agent_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Whether any member of a team that an enabled rule sends to is online with free capacity.
 * When none is, no queued conversation can be assigned and the drain stops early. */
static bool
anyone_free(const struct route_ctx *x)
{
    for (size_t i = 0; i < x->nrules; i++) {
        if (!x->rules[i].enabled)
            continue;
        for (size_t k = 0; k < x->nteams; k++) {
            const struct store_team *t = &x->teams[k];
            if (t->id != x->rules[i].team_id)
                continue;
            for (size_t m = 0; m < t->nmembers; m++) {
                const struct store_profile *a = agent_by_id(x, t->members[m]);
                if (a && strcmp(a->availability, "online") == 0 && a->open_count < a->capacity)
                    return true;
            }
        }
    }
    return false;
}

/* Decides for one conversation with context 'x'; the conversation's input is read into an
 * arena of its own, freed before returning ('res' points into 'x' only). */
static int
decide(struct routing *c, const struct route_ctx *x, int64_t conv_id, struct routing_result *res)
{
    memset(res, 0, sizeof(*res));
    if (x->nrules == 0)
        return 0;
    struct arena *ar = arena_new(ROUTE_INPUT_ARENA);
    struct store_route_input in;
    int rc = store_route_input(c->st, ar, conv_id, &in);
    if (rc == 0) {
        struct routing_ctx cx = { .in = &in, .rules = x->rules, .nrules = x->nrules,
                                     .teams = x->teams, .nteams = x->nteams,
                                     .agents = x->agents, .nagents = x->nagents };
        routing_decide(&cx, res);
    }
    arena_free(ar);
    return rc;
}

/* Records 'res' for 'conv_id'. Call with 'route_mu' held; an assignment bumps 'route_gen'. */
static int
apply(struct routing *c, int64_t conv_id, const struct routing_result *res)
{
    struct store_route_decision d = { .team_id = res->team->id, .agent_id = res->agent_id,
                                      .rule_id = res->rule->id, .strategy = res->strategy,
                                      .reason = res->reason };
    int rc = store_route_apply(c->st, conv_id, &d);
    if (rc == 0 && d.agent_id)
        c->route_gen++;
    return rc;
}

static void
failed(struct routing *c, int64_t conv_id, const char *what, int rc)
{
    metrics_add(&c->metrics.route_failed, 1);
    log_warn("route", what, "conversation=%lld err=%s", (long long)conv_id, err_str(rc));
}

static int
route_one(struct routing *c, int64_t conv_id, bool ack)
{
    struct route_ctx x;
    struct routing_result res;
    pthread_mutex_lock(&c->route_mu);
    int rc = ctx_load(c, &x);
    if (rc == 0)
        rc = decide(c, &x, conv_id, &res);
    if (rc == 0 && res.matched) {
        rc = apply(c, conv_id, &res);
        log_info("route", "routed", "conversation=%lld team=%lld agent=%lld rule=%lld",
                 (long long)conv_id, (long long)res.team->id, (long long)res.agent_id,
                 (long long)res.rule->id);
    }
    pthread_mutex_unlock(&c->route_mu);
    ctx_release(&x);
    if (rc == 0 && res.matched && ack)
        routing_autoack_maybe(c, conv_id);
    if (rc < 0)
        failed(c, conv_id, "routing failed", rc);
    return rc;
}

int
routing_conv(struct routing *c, int64_t conv_id)
{
    return route_one(c, conv_id, true);
}

int
routing_conv_again(struct routing *c, int64_t conv_id)
{
    int rc = route_one(c, conv_id, false);
    routing_timers_kick(c);
    return rc;
}

void
routing_inbound(struct routing *c, const struct ingest_result *r)
{
    if (r->duplicate)
        return;
    /* A blocked contact's message is stored and nothing more: never routed or acknowledged
     * (the timers worker only cancels what its clocks would have armed). */
    if (!r->blocked && (r->new_conversation || r->reopened))
        routing_conv(c, r->conversation_id);
    routing_timers_kick(c);
}

int
routing__dry_decide(struct routing *c, struct arena *ar, const struct store_route_input *in,
                   struct routing_dry_result *out)
{
    struct route_ctx x;
    struct routing_result res;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&c->route_mu);
    int rc = ctx_load(c, &x);
    pthread_mutex_unlock(&c->route_mu);
    if (rc < 0)
        return rc;
    struct routing_ctx cx = { .in = in, .rules = x.rules, .nrules = x.nrules, .teams = x.teams,
                              .nteams = x.nteams, .agents = x.agents, .nagents = x.nagents };
    routing_decide(&cx, &res);
    /* Why each rule before the match (or every rule, when none matched) did not. */
    out->rules = ARENA_NEW_N(ar, struct routing_dry_rule, x.nrules ? x.nrules : 1);
    for (size_t i = 0; i < x.nrules; i++) {
        char why[200] = "";
        struct routing_dry_rule *d = &out->rules[out->nrules++];
        d->id = x.rules[i].id;
        d->name = arena_strdup(ar, x.rules[i].name);
        d->matched = rule_check(&x.rules[i], in, why, sizeof(why));
        d->why = d->matched ? NULL : arena_strdup(ar, why);
        if (d->matched)
            break;
    }
    if (x.nrules == 0)
        out->why = "there are no routing rules: the conversation stays in the shared inbox";
    else if (!res.matched && out->nrules && out->rules[out->nrules - 1].matched)
        out->why = "the matching rule's team no longer exists";
    else if (!res.matched)
        out->why = "no rule matches: the conversation stays in the shared inbox";
    if (res.matched) {
        out->matched = true;
        out->rule_id = res.rule->id;
        out->rule_name = arena_strdup(ar, res.rule->name);
        out->team_id = res.team->id;
        out->team = *res.team;
        out->team.name = arena_strdup(ar, res.team->name);
        int64_t *m = ARENA_NEW_N(ar, int64_t, res.team->nmembers ? res.team->nmembers : 1);
        memcpy(m, res.team->members, res.team->nmembers * sizeof(*m));
        out->team.members = m;
        out->team.autoack_templates = NULL;
        out->agent_id = res.agent_id;
        const struct store_profile *a = res.agent_id ? agent_by_id(&x, res.agent_id) : NULL;
        out->agent_name = a && a->name ? arena_strdup(ar, a->name) : NULL;
        out->strategy = arena_strdup(ar, res.strategy);
        out->reason = arena_strdup(ar, res.reason);
    }
    ctx_release(&x);
    return 0;
}

/* The drain's own assignment, reflected in its context so the batch goes on without reading
 * every profile again: the agent's load and the team's round-robin cursor. */
static void
took(struct route_ctx *x, const struct routing_result *res, int64_t gen)
{
    struct store_profile *a = agent_by_id(x, res->agent_id);
    if (a)
        a->open_count++;
    for (size_t i = 0; i < x->nteams; i++) {
        if (x->teams[i].id == res->team->id)
            x->teams[i].rr_last_agent = res->agent_id;
    }
    x->gen = gen;
}

/*
 * One pass over the whole queue, oldest first, in keyset pages of DRAIN_BATCH: a page's
 * context is read once (a fresh arena per page) and read again when anyone else assigned a
 * conversation meanwhile ('route_gen'); each decision's input has its own arena. A
 * conversation nobody can take is passed over, not retried, so one stuck at the head never
 * hides the rest. The pass ends at the tail, when nobody at all has free capacity, or at the
 * first store error. 'route_mu' is held per decision only, so webhooks routing new
 * conversations are never held up behind a deep queue.
 */
void
routing_drain(struct routing *c)
{
    struct store_queue_entry last = { 0 }, *v;
    bool have_last = false, stop = false;
    size_t seen = 0, assigned = 0;
    while (!stop) {
        struct arena *page = arena_new(DRAIN_BATCH * sizeof(*v) + 4096);
        size_t n = 0;
        int rc = store_route_queue_page(c->st, page, have_last ? &last : NULL, DRAIN_BATCH, &v,
                                        &n);
        if (rc < 0) {
            metrics_add(&c->metrics.route_failed, 1);
            log_warn("route", "cannot read the routing queue", "err=%s", err_str(rc));
        }
        if (rc < 0 || n == 0) {
            arena_free(page);
            break;
        }
        last = v[n - 1];
        have_last = true;
        struct route_ctx x = { 0 };
        for (size_t i = 0; i < n && !stop; i++) {
            int64_t id = v[i].conversation_id;
            struct routing_result res;
            seen++;
            rc = 0;
            pthread_mutex_lock(&c->route_mu);
            if (!x.ar || x.gen != c->route_gen) {
                ctx_release(&x);
                rc = ctx_load(c, &x);
            }
            if (rc == 0 && !anyone_free(&x))
                stop = true;
            if (rc == 0 && !stop)
                rc = decide(c, &x, id, &res);
            if (rc == 0 && !stop && res.matched && res.agent_id) {
                rc = apply(c, id, &res);
                if (rc == 0) {
                    took(&x, &res, c->route_gen);
                    assigned++;
                    metrics_add(&c->metrics.route_from_queue, 1);
                    log_info("route", "assigned from queue", "conversation=%lld agent=%lld",
                             (long long)id, (long long)res.agent_id);
                }
            }
            pthread_mutex_unlock(&c->route_mu);
            if (rc == ERR_NOTFOUND) {
                rc = 0; /* deleted meanwhile */
            } else if (rc < 0) {
                failed(c, id, "queue drain stopped", rc);
                stop = true;
            }
        }
        ctx_release(&x);
        arena_free(page);
    }
    if (assigned)
        log_info("route", "queue drained", "seen=%zu assigned=%zu", seen, assigned);
}

/* Escalation near the limit (called by the timers worker): level 1 the team lead, level 2 any
 * available agent. */
void
routing__escalate(struct routing *c, int64_t conv_id, int level)
{
    size_t cap;
    int rc = routing__cap(c, &cap);
    if (rc < 0) {
        failed(c, conv_id, "cannot escalate", rc);
        return;
    }
    struct arena *ar = arena_new(cap);
    struct store_conv_sla x;
    struct conv cv;
    if (store_conv_sla_get(c->st, ar, conv_id, &x) < 0 || !x.awaiting_since ||
        x.escalation >= level || store_conv_get(c->st, ar, conv_id, &cv) < 0 ||
        strcmp(cv.status, "resolved") == 0)
        goto out;
    struct store_route_decision d = { .team_id = x.team_id, .rule_id = x.rule_id,
                                      .escalation = level };
    char reason[320];
    if (level == 1) {
        struct store_team t;
        struct store_profile lead;
        if (!x.team_id || store_team_get(c->st, ar, x.team_id, &t) < 0 || !t.lead_agent_id ||
            t.lead_agent_id == cv.assignee_id ||
            store_profile_get(c->st, ar, t.lead_agent_id, &lead) < 0 ||
            strcmp(lead.availability, "offline") == 0)
            goto out;
        d.agent_id = t.lead_agent_id;
        d.strategy = "escalation";
        snprintf(reason, sizeof(reason), "escalated to the lead of team '%s' before the "
                 "response deadline", t.name);
    } else {
        struct store_profile *ag;
        size_t n = 0;
        if (store_profile_list(c->st, ar, &ag, &n) < 0)
            goto out;
        const struct store_profile *pick = NULL;
        for (size_t i = 0; i < n; i++) {
            if (available(&ag[i], &cv, cv.assignee_id) && (!pick || load(&ag[i]) < load(pick)))
                pick = &ag[i];
        }
        if (!pick)
            goto out;
        d.agent_id = pick->agent_id;
        d.strategy = "escalation";
        snprintf(reason, sizeof(reason), "escalated to an available agent: the response "
                 "deadline passed");
    }
    d.reason = reason;
    pthread_mutex_lock(&c->route_mu);
    rc = store_route_apply(c->st, conv_id, &d);
    if (rc == 0)
        c->route_gen++;
    pthread_mutex_unlock(&c->route_mu);
    if (rc == 0)
        log_info("route", "escalated", "conversation=%lld level=%d agent=%lld",
                 (long long)conv_id, level, (long long)d.agent_id);
out:
    arena_free(ar);
}

/* ---- presence ------------------------------------------------------------------------------ */

#define PRESENCE_MAX 4096

struct routing__presence {
    pthread_mutex_t mu;
    struct {
        int64_t agent_id;
        int conns;
    } v[PRESENCE_MAX];
    size_t n;
};

void
routing__presence_free(struct routing__presence *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->mu);
    xfree(p);
}

void
routing_presence(struct routing *c, int64_t agent_id, bool connected)
{
    if (agent_id <= 0)
        return;
    pthread_mutex_lock(&c->route_mu);
    if (!c->presence) {
        c->presence = xcalloc(1, sizeof(*c->presence));
        pthread_mutex_init(&c->presence->mu, NULL);
    }
    struct routing__presence *p = c->presence;
    pthread_mutex_unlock(&c->route_mu);

    pthread_mutex_lock(&p->mu);
    size_t i;
    for (i = 0; i < p->n && p->v[i].agent_id != agent_id; i++)
        ;
    if (i == p->n) {
        if (p->n == PRESENCE_MAX) {
            pthread_mutex_unlock(&p->mu);
            return;
        }
        p->v[p->n].agent_id = agent_id;
        p->v[p->n++].conns = 0;
    }
    int before = p->v[i].conns;
    p->v[i].conns += connected ? 1 : -1;
    if (p->v[i].conns < 0)
        p->v[i].conns = 0;
    int after = p->v[i].conns;
    if ((before == 0) == (after == 0)) {
        pthread_mutex_unlock(&p->mu);
        return;
    }
    /* The transition is read and written under the table's lock: a stream that closes while
     * another of the same agent opens (a reconnect) must not have its "offline" land after the
     * other's count, or an agent with an open connection would read offline. Transitions are
     * rare (first connection, last disconnection), so the durable write under it costs little. */
    size_t cap;
    if (routing__cap(c, &cap) < 0) {
        pthread_mutex_unlock(&p->mu);
        return;
    }
    /* One profile: sized like routing's data, of which it is a part. */
    struct arena *ar = arena_new(cap);
    struct store_profile prof;
    if (store_profile_get(c->st, ar, agent_id, &prof) == 0 && prof.auto_presence) {
        /* Only the transitions presence owns: "away" is the agent's own choice. */
        const char *to = NULL;
        if (after > 0 && strcmp(prof.availability, "offline") == 0)
            to = "online";
        else if (after == 0 && strcmp(prof.availability, "online") == 0)
            to = "offline";
        if (to) {
            struct store_profile upd = { .agent_id = agent_id, .capacity = -1,
                                         .availability = to };
            routing_profile_put(c, &upd, false);
        }
    }
    pthread_mutex_unlock(&p->mu);
    arena_free(ar);
}
