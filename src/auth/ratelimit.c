/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.c - the login limiter: attempts per key in a fixed-size table, reserved before
 * the password is checked.
 *
 * auth__limiter_begin() checks every key of one attempt and counts the attempt against all of
 * them under one mutex, so concurrent attempts cannot all pass the check; a success gives the
 * attempt back. A key that reaches its limit is either locked with exponential backoff or,
 * for the slow-only rules, limited to one attempt per interval. The table has a hard
 * capacity: when full, the least recently used entry is replaced, so an attacker cycling
 * through addresses cannot grow memory. It is not a list of who is locked out; it forgets.
 */
#include "base/base.h"
#include "auth/auth_int.h"

#include <pthread.h>

#define KEY_MAX 96

struct entry {
    char key[KEY_MAX]; /* "" when free */
    uint64_t h;        /* FNV-1a of 'key', compared first */
    int failures;      /* attempts counted in the current window, in flight included */
    int64_t last;      /* last counted attempt, ms */
    int64_t locked_until;
};

struct auth__limiter {
    pthread_mutex_t mu; /* guards 'v' */
    struct entry *v;
    size_t cap;
};

struct auth__limiter *
auth__limiter_new(size_t cap)
{
    struct auth__limiter *l = xcalloc(1, sizeof(*l));
    if (cap == 0)
        cap = 1;
    pthread_mutex_init(&l->mu, NULL);
    l->v = xcalloc(cap, sizeof(*l->v));
    l->cap = cap;
    return l;
}

void
auth__limiter_free(struct auth__limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    xfree(l->v);
    xfree(l);
}

static uint64_t
fnv(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Whether 'e' has nothing left to say: no lock, and no attempt within a window of the later
 * of its last attempt and the end of its lock. */
static int64_t recent(const struct entry *e);

static bool
stale(const struct entry *e, const struct auth__limit *r, int64_t now)
{
    return now >= e->locked_until && now - recent(e) >= r->window_ms;
}

static struct entry *
find(struct auth__limiter *l, const char *key, uint64_t h)
{
    for (size_t i = 0; i < l->cap; i++) {
        struct entry *e = &l->v[i];
        if (e->h == h && e->key[0] && strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

/* When 'e' last mattered: its last attempt or the end of its lock, whichever is later. */
static int64_t
recent(const struct entry *e)
{
    return e->last > e->locked_until ? e->last : e->locked_until;
}

/* A slot for a new key: a free one, else the least recently used entry is recycled. */
static struct entry *
take_slot(struct auth__limiter *l, const char *key, uint64_t h)
{
    struct entry *victim = &l->v[0];
    for (size_t i = 0; i < l->cap; i++) {
        struct entry *e = &l->v[i];
        if (!e->key[0]) {
            victim = e;
            break;
        }
        if (recent(e) < recent(victim))
            victim = e;
    }
    memset(victim, 0, sizeof(*victim));
    snprintf(victim->key, sizeof(victim->key), "%s", key);
    victim->h = h;
    return victim;
}

/* The ms 'rule' makes the holder of entry 'e' wait now; 0 when it may try. */
static int64_t
wait_for(const struct entry *e, const struct auth__limit *r, int64_t now)
{
    if (!e)
        return 0;
    if (e->locked_until > now)
        return e->locked_until - now;
    if (r->slow_ms && e->failures >= r->max && now - e->last < r->slow_ms)
        return r->slow_ms - (now - e->last);
    return 0;
}

int64_t
auth__limiter_begin(struct auth__limiter *l, const char *const *keys,
                    const struct auth__limit *rules, size_t n, int64_t now)
{
    int64_t wait = 0;
    pthread_mutex_lock(&l->mu);
    /* First every key's verdict, then (only if all allow it) the count: two lookups per key
     * under one lock, so any number of keys is atomic and a slot recycled for one key can
     * never be counted for another. */
    for (size_t i = 0; i < n; i++) {
        struct entry *e = find(l, keys[i], fnv(keys[i]));
        if (e && stale(e, &rules[i], now)) {
            memset(e, 0, sizeof(*e));
            e = NULL;
        }
        int64_t w = wait_for(e, &rules[i], now);
        if (w > wait)
            wait = w;
    }
    for (size_t i = 0; wait == 0 && i < n; i++) {
        const struct auth__limit *r = &rules[i];
        uint64_t h = fnv(keys[i]);
        struct entry *e = find(l, keys[i], h);
        if (!e)
            e = take_slot(l, keys[i], h);
        e->failures++;
        e->last = now;
        if (!r->slow_ms && e->failures >= r->max) {
            /* Backoff: lock_ms, doubling with every attempt past the limit, capped. */
            int shift = e->failures - r->max;
            int64_t lock = r->lock_ms;
            for (int k = 0; k < shift && lock < r->lock_max_ms; k++)
                lock *= 2;
            if (lock > r->lock_max_ms)
                lock = r->lock_max_ms;
            e->locked_until = now + lock;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return wait;
}

void
auth__limiter_succeed(struct auth__limiter *l, const char *const *keys, size_t n,
                      size_t forget)
{
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < n; i++) {
        struct entry *e = find(l, keys[i], fnv(keys[i]));
        if (!e)
            continue;
        if (i < forget) {
            memset(e, 0, sizeof(*e));
        } else if (e->failures > 0) {
            e->failures--;
        }
    }
    pthread_mutex_unlock(&l->mu);
}
