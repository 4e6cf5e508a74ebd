/* SPDX-License-Identifier: MIT */
/*
 * route.c - who answers a conversation: routing rules, strategies, store routing, "heroes",
 * the queue, presence.
 *
 * care_route_decide() is pure: given the conversation, the ordered rules, the teams and every
 * agent's profile and current load, it returns the team, the agent (or none: queued) and the
 * reason in words. The rest reads those inputs from the store and records the decision. With
 * no rule matching, nothing is routed: the conversation stays in the shared inbox.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <strings.h>

#include "base/arena.h"
#include "base/limits.h"
#include "base/log.h"
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

static bool
rule_matches(const struct store_rule *r, const struct store_route_input *in)
{
    const struct conv *cv = &in->conv;
    if (!r->enabled)
        return false;
    if (!cond(&r->channels_v, cv->channel_type) || !cond(&r->languages_v, in->lang) ||
        !cond(&r->intents_v, cv->intent) || !cond(&r->sentiments_v, cv->sentiment))
        return false;
    if (r->public_match >= 0 && r->public_match != (cv->public ? 1 : 0))
        return false;
    if (r->urgency_min >= 0 && cv->urgency < r->urgency_min)
        return false;
    if (r->tags_v.n) {
        bool any = false;
        for (size_t i = 0; i < in->contact_tags.n && !any; i++)
            any = has(&r->tags_v, in->contact_tags.v[i]);
        if (!any)
            return false;
    }
    if (r->locations_v.n && !has(&r->locations_v, in->contact_location) &&
        !has(&r->locations_v, in->channel_store))
        return false;
    return true;
}

static const struct store_team *
team_by_id(const struct care_route_ctx *x, int64_t id)
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
care_route_decide(const struct care_route_ctx *x, struct care_route_result *out)
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
        snprintf(how, sizeof(how), "%s conversation: best measured record (mean first response "
                 "%llds, %lld reopened of %lld)",
                 cv->public ? "public" : "urgent",
                 (long long)(pick->frt_count ? pick->frt_sum_ms / pick->frt_count / 1000 : -1),
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

/* Loads everything routing needs and decides. */
static int
decide(struct care *c, struct arena *ar, int64_t conv_id, int64_t exclude,
       struct store_route_input *in, struct care_route_result *res)
{
    struct care_route_ctx x = { .in = in, .exclude_agent = exclude };
    struct store_rule *rules;
    struct store_team *teams;
    struct store_profile *agents;
    int rc = store_route_input(c->st, ar, conv_id, in);
    if (rc == 0)
        rc = store_rule_list(c->st, ar, &rules, &x.nrules);
    if (rc == 0 && x.nrules == 0) {
        memset(res, 0, sizeof(*res));
        return 0;
    }
    if (rc == 0)
        rc = store_team_list(c->st, ar, &teams, &x.nteams);
    if (rc == 0)
        rc = store_profile_list(c->st, ar, &agents, &x.nagents);
    if (rc < 0)
        return rc;
    x.rules = rules;
    x.teams = teams;
    x.agents = agents;
    care_route_decide(&x, res);
    return 0;
}

int
care_route_conv(struct care *c, int64_t conv_id)
{
    struct arena *ar = arena_new(HARK_ROUTE_ARENA_MAX);
    struct store_route_input in;
    struct care_route_result res;
    pthread_mutex_lock(&c->route_mu);
    int rc = decide(c, ar, conv_id, 0, &in, &res);
    if (rc == 0 && res.matched) {
        struct store_route_decision d = { .team_id = res.team->id, .agent_id = res.agent_id,
                                          .rule_id = res.rule->id, .strategy = res.strategy,
                                          .reason = res.reason };
        rc = store_route_apply(c->st, conv_id, &d);
        log_info("route", "routed", "conversation=%lld team=%lld agent=%lld rule=%lld",
                 (long long)conv_id, (long long)d.team_id, (long long)d.agent_id,
                 (long long)d.rule_id);
    }
    pthread_mutex_unlock(&c->route_mu);
    if (rc == 0 && res.matched)
        care_autoack_maybe(c, conv_id);
    arena_free(ar);
    if (rc < 0)
        log_warn("route", "routing failed", "conversation=%lld err=%s", (long long)conv_id,
                 err_str(rc));
    return rc;
}

void
care_route_inbound(struct care *c, const struct ingest_result *r)
{
    if (r->duplicate)
        return;
    if (r->new_conversation || r->reopened)
        care_route_conv(c, r->conversation_id);
    care_timers_kick(c);
}

void
care_route_drain(struct care *c)
{
    struct arena *ar = arena_new(HARK_ROUTE_PAGE_ARENA_MAX);
    int64_t *ids;
    size_t n = 0;
    if (store_route_queue(c->st, ar, 100, &ids, &n) < 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        struct store_route_input in;
        struct care_route_result res;
        pthread_mutex_lock(&c->route_mu);
        int rc = decide(c, ar, ids[i], 0, &in, &res);
        if (rc == 0 && res.matched && res.agent_id) {
            struct store_route_decision d = { .team_id = res.team->id, .agent_id = res.agent_id,
                                              .rule_id = res.rule->id, .strategy = res.strategy,
                                              .reason = res.reason };
            rc = store_route_apply(c->st, ids[i], &d);
            log_info("route", "assigned from queue", "conversation=%lld agent=%lld",
                     (long long)ids[i], (long long)d.agent_id);
        }
        pthread_mutex_unlock(&c->route_mu);
        if (rc < 0)
            break;
    }
    arena_free(ar);
}

/* Escalation near the limit (called by the timers worker): level 1 the team lead, level 2 any
 * available agent. */
void
care__escalate(struct care *c, int64_t conv_id, int level)
{
    struct arena *ar = arena_new(HARK_ROUTE_ARENA_MAX);
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
    int rc = store_route_apply(c->st, conv_id, &d);
    pthread_mutex_unlock(&c->route_mu);
    if (rc == 0)
        log_info("route", "escalated", "conversation=%lld level=%d agent=%lld",
                 (long long)conv_id, level, (long long)d.agent_id);
out:
    arena_free(ar);
}

/* ---- presence ------------------------------------------------------------------------------ */

#define PRESENCE_MAX 4096

struct care__presence {
    pthread_mutex_t mu;
    struct {
        int64_t agent_id;
        int conns;
    } v[PRESENCE_MAX];
    size_t n;
};

void
care__presence_free(struct care__presence *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->mu);
    xfree(p);
}

void
care_presence(struct care *c, int64_t agent_id, bool connected)
{
    if (agent_id <= 0)
        return;
    pthread_mutex_lock(&c->route_mu);
    if (!c->presence) {
        c->presence = xcalloc(1, sizeof(*c->presence));
        pthread_mutex_init(&c->presence->mu, NULL);
    }
    struct care__presence *p = c->presence;
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
    pthread_mutex_unlock(&p->mu);
    if ((before == 0) == (after == 0))
        return;
    struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
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
            store_profile_put(c->st, &upd, false);
            care_timers_kick(c);
        }
    }
    arena_free(ar);
}
