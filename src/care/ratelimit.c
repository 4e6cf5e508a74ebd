/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.c - counts recent failed logins per key in a fixed-size table.
 *
 * Each key has a failure count and the start of its window; a window older than 'window_ms'
 * resets. The table has a hard capacity: when full, the entry with the oldest window is
 * replaced, so an attacker cycling through addresses cannot grow memory.
 */
#include "base/base.h"
#include "care/care_int.h"

struct entry {
    char key[160];
    int failures;
    int64_t start;
};

struct care__limiter {
    pthread_mutex_t mu;
    struct entry *v;
    size_t cap;
};

struct care__limiter *
care__limiter_new(size_t cap)
{
    struct care__limiter *l = xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    l->v = xcalloc(cap, sizeof(*l->v));
    l->cap = cap;
    return l;
}

void
care__limiter_free(struct care__limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    xfree(l->v);
    xfree(l);
}

static struct entry *
find(struct care__limiter *l, const char *key, bool create, int64_t now)
{
    struct entry *oldest = NULL;
    for (size_t i = 0; i < l->cap; i++) {
        struct entry *e = &l->v[i];
        if (e->key[0] && strcmp(e->key, key) == 0)
            return e;
        if (!oldest || !e->key[0] || (oldest->key[0] && e->start < oldest->start))
            oldest = e;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->key, sizeof(oldest->key), "%s", key);
    oldest->start = now;
    return oldest;
}

int64_t
care__limiter_check(struct care__limiter *l, const char *key, int max, int64_t window_ms,
                    int64_t now)
{
    int64_t wait = 0;
    pthread_mutex_lock(&l->mu);
    struct entry *e = find(l, key, false, now);
    if (e && now - e->start < window_ms && e->failures >= max)
        wait = e->start + window_ms - now;
    pthread_mutex_unlock(&l->mu);
    return wait;
}

void
care__limiter_fail(struct care__limiter *l, const char *key, int64_t window_ms, int64_t now)
{
    pthread_mutex_lock(&l->mu);
    struct entry *e = find(l, key, true, now);
    if (now - e->start >= window_ms) {
        e->start = now;
        e->failures = 0;
    }
    e->failures++;
    pthread_mutex_unlock(&l->mu);
}

void
care__limiter_reset(struct care__limiter *l, const char *key)
{
    pthread_mutex_lock(&l->mu);
    struct entry *e = find(l, key, false, 0);
    if (e)
        memset(e, 0, sizeof(*e));
    pthread_mutex_unlock(&l->mu);
}
