/* SPDX-License-Identifier: MIT */
/*
 * care.c - creating and freeing the care context; defaults for its configuration.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <unistd.h>

int
care_new(const struct care_config *cfg, struct store *st, struct hub *hub, struct care **out)
{
    struct care *c = xcalloc(1, sizeof(*c));
    c->cfg = *cfg;
#define DEFAULT(field, v)                                                                          \
    if (c->cfg.field <= 0)                                                                         \
    c->cfg.field = (v)
    DEFAULT(session_idle_ms, 12LL * 3600 * 1000);
    DEFAULT(session_absolute_ms, 7LL * 24 * 3600 * 1000);
    DEFAULT(login_max_per_account, 5);
    DEFAULT(login_max_per_client, 20);
    DEFAULT(login_window_ms, 15LL * 60 * 1000);
    DEFAULT(login_max_account_global, 100);
    DEFAULT(login_lock_ms, 60000);
    DEFAULT(login_slow_ms, 3000);
    DEFAULT(verify_max, (int)sysconf(_SC_NPROCESSORS_ONLN));
    DEFAULT(verify_max, 1);
    DEFAULT(outbox_max_attempts, 10);
    DEFAULT(outbox_base_ms, 2000);
    DEFAULT(outbox_max_delay_ms, 10LL * 60 * 1000);
#undef DEFAULT
    c->st = st;
    c->hub = hub;
    c->limiter = auth__limiter_new(4096);
    pthread_mutex_init(&c->outbox_mu, NULL);
    pthread_cond_init(&c->outbox_cv, NULL);
    pthread_mutex_init(&c->route_mu, NULL);
    *out = c;
    return 0;
}

void
care_free(struct care *c)
{
    if (!c)
        return;
    care_outbox_stop(c);
    routing_timers_stop(c);
    routing__presence_free(c->presence);
    pthread_mutex_destroy(&c->route_mu);
    auth__limiter_free(c->limiter);
    pthread_mutex_destroy(&c->outbox_mu);
    pthread_cond_destroy(&c->outbox_cv);
    xfree(c);
}

struct care_metrics *
care_metrics(struct care *c)
{
    return &c->metrics;
}

void
care_set_classifier(struct care *c, const struct classify *cls)
{
    c->cls = cls;
}
