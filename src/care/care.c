/* SPDX-License-Identifier: MIT */
/*
 * care.c - creating and freeing the care context and the modules it wires (auth, routing,
 * the listening service); defaults for its configuration.
 */
#include "base/base.h"
#include "care/care_int.h"

static void
reply_queued(void *arg)
{
    care_outbox_kick(arg);
}

static void
tick(void *arg, int64_t now)
{
    care__housekeep(arg, now);
}

int
care_new(const struct care_config *cfg, struct store *st, struct hub *hub, struct care **out)
{
    struct care *c = xcalloc(1, sizeof(*c));
    c->cfg = *cfg;
#define DEFAULT(field, v)                                                                          \
    if (c->cfg.field <= 0)                                                                         \
    c->cfg.field = (v)
    DEFAULT(outbox_max_attempts, 10);
    DEFAULT(outbox_base_ms, 2000);
    DEFAULT(outbox_max_delay_ms, 10LL * 60 * 1000);
#undef DEFAULT
    c->st = st;
    c->hub = hub;
    auth_new(&cfg->auth, st, &c->auth);
    struct routing_hooks hooks = { .reply_queued = reply_queued, .tick = tick, .arg = c };
    routing_new(st, hub, &hooks, &c->routing);
    pthread_mutex_init(&c->outbox_mu, NULL);
    pthread_cond_init(&c->outbox_cv, NULL);
    care__chanstat_init(c);
    c->recent = care_recent_new(CARE_RECENT_MAX);
    care__faqbot_init(c);
    atomic_store(&c->survey_tap_at, store_survey_last_tap(st));
    *out = c;
    return 0;
}

void
care_free(struct care *c)
{
    if (!c)
        return;
    care_watch_stop(c);
    care_outbox_stop(c);
    care__models_close(c);
    routing_free(c->routing);
    care__chanstat_free(c); /* after the timers worker, which flushes it, has stopped */
    auth_free(c->auth);
    care_recent_free(c->recent);
    care__faqbot_free(c);
    pthread_mutex_destroy(&c->outbox_mu);
    pthread_cond_destroy(&c->outbox_cv);
    xfree(c);
}

struct care_metrics *
care_metrics(struct care *c)
{
    return &c->metrics;
}

struct auth *
care_auth(struct care *c)
{
    return c->auth;
}

struct routing *
care_routing(struct care *c)
{
    return c->routing;
}

struct watch *
care_watch(struct care *c)
{
    return atomic_load(&c->watch);
}

int
care_watch_start(struct care *c, const struct watch_config *cfg, struct errmsg *em)
{
    if (atomic_load(&c->watch))
        return 0;
    struct watch *w;
    int rc = watch_start(c->st, c->live, cfg, &w, em);
    if (rc < 0)
        return rc;
    atomic_store(&c->watch, w);
    return 0;
}

void
care_watch_stop(struct care *c)
{
    watch_stop(atomic_exchange(&c->watch, NULL));
}

