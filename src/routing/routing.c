/* SPDX-License-Identifier: MIT */
/*
 * routing.c - creating and freeing the routing context, and the writes that may free
 * capacity: each stores the change and then has the timers worker drain the queue, so no
 * caller has to remember the second step.
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
