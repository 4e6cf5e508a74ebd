/* SPDX-License-Identifier: MIT */
/*
 * routing.c - creating and freeing the routing context, and every write to what routing reads
 * (teams, profiles, rules, calendars, SLA policies). The writes that may free capacity store
 * the change and then have the timers worker drain the queue, so no caller has to remember the
 * second step.
 */
#include "base/base.h"
#include "routing/routing_int.h"

#include <pthread.h>

int
routing_new(struct store *st, struct hub *hub, const struct routing_hooks *hooks,
            struct routing **out)
{
    struct routing *r = xcalloc(1, sizeof(*r));
    r->st = st;
    r->hub = hub;
    if (hooks)
        r->hooks = *hooks;
    pthread_mutex_init(&r->route_mu, NULL);
    *out = r;
    return 0;
}

void
routing_free(struct routing *r)
{
    if (!r)
        return;
    routing_timers_stop(r);
    routing__presence_free(r->presence);
    pthread_mutex_destroy(&r->route_mu);
    xfree(r);
}

struct routing_metrics *
routing_metrics(struct routing *r)
{
    return &r->metrics;
}

int
routing_team_put(struct routing *r, int64_t id, const struct store_team *t, int64_t *out)
{
    int rc = store_team_put(r->st, id, t, out);
    if (rc < 0)
        return rc;
    routing_timers_kick(r); /* members or their capacity may let queued conversations in */
    return 0;
}

int
routing_profile_put(struct routing *r, const struct store_profile *p, bool set_presence)
{
    int rc = store_profile_put(r->st, p, set_presence);
    if (rc < 0)
        return rc;
    routing_timers_kick(r); /* capacity or availability may free the queue */
    return 0;
}

int
routing_team_delete(struct routing *r, int64_t id)
{
    int rc = store_team_delete(r->st, id);
    if (rc < 0)
        return rc;
    routing_timers_kick(r); /* its queued conversations may now match another rule's team */
    return 0;
}

int
routing_rule_put(struct routing *r, int64_t id, const struct store_rule *x, int64_t *out)
{
    int rc = store_rule_put(r->st, id, x, out);
    if (rc < 0)
        return rc;
    routing_timers_kick(r); /* queued conversations may now go to a team with room */
    return 0;
}

int
routing_rule_delete(struct routing *r, int64_t id)
{
    int rc = store_rule_delete(r->st, id);
    if (rc < 0)
        return rc;
    routing_timers_kick(r); /* the next rule in order may send queued conversations elsewhere */
    return 0;
}

int
routing_rule_order(struct routing *r, const int64_t *ids, size_t n)
{
    int rc = store_rule_order(r->st, ids, n);
    if (rc < 0)
        return rc;
    routing_timers_kick(r); /* another rule may now come first for queued conversations */
    return 0;
}

int
routing_calendar_put(struct routing *r, int64_t id, const struct store_calendar *c, int64_t *out)
{
    return store_calendar_put(r->st, id, c, out);
}

int
routing_calendar_delete(struct routing *r, int64_t id)
{
    return store_calendar_delete(r->st, id);
}

int
routing_sla_policy_put(struct routing *r, int64_t id, const struct store_sla_policy *p,
                       int64_t *out)
{
    return store_sla_policy_put(r->st, id, p, out);
}

int
routing_sla_policy_delete(struct routing *r, int64_t id)
{
    return store_sla_policy_delete(r->st, id);
}
