/* SPDX-License-Identifier: MIT */
/*
 * throttle.c - request rate limits for the public endpoints (the chat widget, invitation and
 * callback links): a token bucket per key ("c:<client address>", "v:<channel>:<visitor id>",
 * "inv:<client address>", ...) in a fixed-size table, and the 429 answer when one runs dry.
 *
 * This is not the failed-login limiter (auth/ratelimit.c), which counts failures in a window;
 * here every request spends a token, and tokens come back at a steady rate up to a burst. The
 * table never grows: a key hashes to a slot and probes a few neighbours; when none is free or
 * its own, the least recently used of them is recycled. A stranger cycling through addresses
 * can therefore push other keys out (which only ever resets them to a full bucket), never grow
 * memory. One mutex guards the table; each call is a handful of comparisons.
 */
#include "base/base.h"
#include "api/api_int.h"

#include <pthread.h>
#include <stdio.h>

#include "base/clock.h"
#include "base/err.h"

#define THROTTLE_PROBE 8
#define THROTTLE_KEY_MAX 72

struct slot {
    char key[THROTTLE_KEY_MAX]; /* "" when free */
    double tokens;              /* tokens left at 'at' */
    int64_t at;                 /* last refill, ms (monotonic) */
};

struct api__throttle {
    pthread_mutex_t mu;
    struct slot *v;
    size_t cap; /* a power of two */
};

struct api__throttle *
api__throttle_new(size_t cap)
{
    size_t n = 16;
    while (n < cap)
        n <<= 1;
    struct api__throttle *t = xcalloc(1, sizeof(*t));
    pthread_mutex_init(&t->mu, NULL);
    t->v = xcalloc(n, sizeof(*t->v));
    t->cap = n;
    return t;
}

void
api__throttle_free(struct api__throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->mu);
    xfree(t->v);
    xfree(t);
}

static uint64_t
hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

int64_t
api__throttle_take(struct api__throttle *t, const char *key, int burst, double per_sec,
                   int64_t now)
{
    char k[THROTTLE_KEY_MAX];
    /* A longer key is cut; keys are built by us from bounded parts, so this never merges two. */
    snprintf(k, sizeof(k), "%s", key);
    int64_t wait = 0;
    pthread_mutex_lock(&t->mu);
    size_t mask = t->cap - 1, i0 = (size_t)hash(k) & mask;
    struct slot *s = NULL, *victim = NULL;
    for (size_t j = 0; j < THROTTLE_PROBE; j++) {
        struct slot *c = &t->v[(i0 + j) & mask];
        if (c->key[0] && strcmp(c->key, k) == 0) {
            s = c;
            break;
        }
        if (!victim || (victim->key[0] && (!c->key[0] || c->at < victim->at)))
            victim = c;
    }
    if (!s) {
        s = victim;
        memcpy(s->key, k, sizeof(k));
        s->tokens = burst;
        s->at = now;
    }
    if (now > s->at) {
        s->tokens += (double)(now - s->at) * per_sec / 1000.0;
        if (s->tokens > burst)
            s->tokens = burst;
        s->at = now;
    }
    if (s->tokens >= 1.0) {
        s->tokens -= 1.0;
    } else {
        wait = (int64_t)((1.0 - s->tokens) * 1000.0 / per_sec) + 1;
    }
    pthread_mutex_unlock(&t->mu);
    return wait;
}

int
api__throttle_or_reply(struct http_req *r, struct api *a, const char *key, int burst,
                       double per_sec)
{
    int64_t wait = api__throttle_take(a->throttle, key, burst, per_sec, clock_mono_ms());
    if (wait <= 0)
        return 0;
    char secs[24];
    snprintf(secs, sizeof(secs), "%lld", (long long)((wait + 999) / 1000));
    http_add_header(r, "Retry-After", secs);
    http_reply_error(r, ERR_BUSY, "too many requests; wait a moment and try again");
    return ERR_BUSY;
}
