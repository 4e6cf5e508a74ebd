/* SPDX-License-Identifier: MIT */
/*
 * timers.c - the timers worker: one min-heap of persisted deadlines (SLA warnings and breaches,
 * snooze wake-ups) in one background thread, like the outbox worker.
 *
 * The heap is filled at start with every live timer and then only with timers newer than the
 * last id it saw, so nothing is ever scanned twice. Cancelled timers stay in the heap until
 * they come due and are then skipped: firing is a store job that changes nothing for a timer
 * that was cancelled or already fired, which is also what makes an overdue timer fire exactly
 * once across restarts. The same thread drains the list of conversations whose SLA inputs
 * changed (recomputing their deadlines) and, after such changes, the routing queue. It wakes
 * on any published event (the hub), on a kick, or when the earliest timer is due.
 */
#include "base/base.h"
#include "routing/routing_int.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/hub.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/store.h"

/* ---- the heap ------------------------------------------------------------------------------ */

struct routing_heap {
    struct routing_heap_item *v;
    size_t n, cap;
};

struct routing_heap *
routing_heap_new(void)
{
    struct routing_heap *h = xcalloc(1, sizeof(*h));
    h->cap = 64;
    h->v = xmalloc(h->cap * sizeof(*h->v));
    return h;
}

void
routing_heap_free(struct routing_heap *h)
{
    if (!h)
        return;
    xfree(h->v);
    xfree(h);
}

static bool
less(const struct routing_heap_item *a, const struct routing_heap_item *b)
{
    return a->due_at < b->due_at || (a->due_at == b->due_at && a->id < b->id);
}

void
routing_heap_push(struct routing_heap *h, int64_t due_at, int64_t id)
{
    if (h->n == h->cap) {
        h->cap *= 2;
        h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
    }
    size_t i = h->n++;
    h->v[i] = (struct routing_heap_item){ due_at, id };
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!less(&h->v[i], &h->v[parent]))
            break;
        struct routing_heap_item t = h->v[i];
        h->v[i] = h->v[parent];
        h->v[parent] = t;
        i = parent;
    }
}

bool
routing_heap_peek(const struct routing_heap *h, struct routing_heap_item *out)
{
    if (h->n == 0)
        return false;
    *out = h->v[0];
    return true;
}

bool
routing_heap_pop(struct routing_heap *h, struct routing_heap_item *out)
{
    if (h->n == 0)
        return false;
    *out = h->v[0];
    h->v[0] = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && less(&h->v[l], &h->v[m]))
            m = l;
        if (r < h->n && less(&h->v[r], &h->v[m]))
            m = r;
        if (m == i)
            break;
        struct routing_heap_item t = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = t;
        i = m;
    }
    return true;
}

size_t
routing_heap_size(const struct routing_heap *h)
{
    return h->n;
}

/* ---- the worker ------------------------------------------------------------------------------ */

#define TIMER_GAPS_MAX 1024
#define GAP_FORGET_MS 60000
#define GAP_CHECK_MS 1000

struct routing__timers {
    pthread_t thread;
    pthread_mutex_t mu; /* guards 'stop', 'kicked' and 'requeue' */
    pthread_cond_t cv;
    bool stop, kicked;
    bool requeue; /* an explicit kick: capacity or availability may have freed the queue */
    struct hub_sub sub;
    struct routing_heap *heap; /* worker thread only */
    int64_t last_id;        /* newest timer id loaded; worker thread only */
    /* Ids below last_id not seen yet (worker thread only). With several instances writing one
     * PostgreSQL database, ids are taken in one order and committed in another: timer 10 may
     * become visible after 11 was loaded. Each gap is looked at again until it shows up live
     * or GAP_FORGET_MS passed (a rolled-back insert never shows up). */
    struct timer_gap {
        int64_t id, seen_at;
    } gaps[TIMER_GAPS_MAX];
    size_t ngaps;
    int64_t gaps_checked_at;
};

/* A published event only wakes the worker: the changes that matter to it mark conversations
 * dirty in the same transaction, and draining those tries the queue. */
static void
on_event(void *arg)
{
    struct routing *c = arg;
    struct routing__timers *t = c->timers;
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->kicked = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void
load_new(struct routing *c, struct routing__timers *t)
{
    for (;;) {
        struct arena *ar = arena_new(HARK_TIMER_PAGE_ARENA_MAX);
        struct store_timer *v;
        size_t n = 0;
        int rc = store_timers_after(c->st, ar, t->last_id, 4096, &v, &n);
        int64_t now = clock_now_ms();
        bool shared = store_shared(c->st);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            routing_heap_push(t->heap, v[i].due_at, v[i].id);
            /* Ids skipped over: not committed yet, rolled back, or no longer live (only a
             * shared database commits them out of order). */
            for (int64_t g = t->last_id + 1;
                 shared && g < v[i].id && t->ngaps < TIMER_GAPS_MAX; g++)
                t->gaps[t->ngaps++] = (struct timer_gap){ .id = g, .seen_at = now };
            t->last_id = v[i].id;
        }
        arena_free(ar);
        if (rc < 0 || n < 4096)
            return;
    }
}

/* Looks at the gaps again (at most once a GAP_CHECK_MS): one that is now a live timer joins
 * the heap; one older than GAP_FORGET_MS is forgotten. */
static void
check_gaps(struct routing *c, struct routing__timers *t)
{
    int64_t now = clock_now_ms();
    if (t->ngaps == 0 || now - t->gaps_checked_at < GAP_CHECK_MS)
        return;
    t->gaps_checked_at = now;
    size_t keep = 0;
    for (size_t i = 0; i < t->ngaps; i++) {
        struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
        struct store_timer *v;
        size_t n = 0;
        int rc = store_timers_after(c->st, ar, t->gaps[i].id - 1, 1, &v, &n);
        bool found = rc == 0 && n == 1 && v[0].id == t->gaps[i].id;
        if (found)
            routing_heap_push(t->heap, v[0].due_at, v[0].id);
        else if (now - t->gaps[i].seen_at < GAP_FORGET_MS)
            t->gaps[keep++] = t->gaps[i];
        arena_free(ar);
    }
    t->ngaps = keep;
}

/* Recomputes changed conversations; true when any was. */
static bool
drain_dirty(struct routing *c)
{
    bool any = false;
    for (int round = 0; round < 100; round++) {
        struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
        struct store_dirty *v;
        size_t n = 0;
        int rc = store_sla_dirty(c->st, ar, 64, &v, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            routing_sla_recompute(c, v[i].conversation_id, v[i].gen);
        arena_free(ar);
        any = any || n > 0;
        if (rc < 0 || n < 64)
            break;
    }
    return any;
}

/* A timer came due. Deadlines computed under an older policy version are recomputed instead
 * of fired (the lazy half of "recompute on policy change"). */
static void
fire(struct routing *c, int64_t id)
{
    bool fired = false;
    int rc = store_timer_fire(c->st, id, &fired);
    if (rc < 0) {
        log_warn("timers", "cannot fire", "timer=%lld err=%s", (long long)id, err_str(rc));
        return;
    }
    if (!fired)
        return;
    metrics_add(&c->metrics.sla_timers_fired, 1);
}

/* After firing: escalation for response clocks, and the policy-version check. */
static void
after_fire(struct routing *c, const struct store_timer *tm)
{
    bool response = strncmp(tm->kind, "first_", 6) == 0 || strncmp(tm->kind, "next_", 5) == 0;
    if (!response)
        return;
    bool breach = strstr(tm->kind, "_breach") != NULL;
    if (breach)
        metrics_add(&c->metrics.sla_breaches, 1);
    routing__escalate(c, tm->conversation_id, breach ? 2 : 1);
}

/* Checks the policy version of a due timer's conversation; true when it was stale (and has
 * been recomputed, so the timer must not fire). */
static bool
stale(struct routing *c, struct arena *ar, int64_t conv_id)
{
    struct store_conv_sla x;
    if (store_conv_sla_get(c->st, ar, conv_id, &x) < 0 || !x.policy_id)
        return false;
    struct store_sla_policy p;
    int rc = store_sla_policy_get(c->st, ar, x.policy_id, &p);
    if (rc == 0 && p.version == x.policy_version)
        return false;
    routing_sla_recompute(c, conv_id, 0);
    return true;
}

static void
fire_due(struct routing *c, struct routing__timers *t)
{
    struct routing_heap_item it;
    int64_t now = clock_now_ms();
    while (routing_heap_peek(t->heap, &it) && it.due_at <= now) {
        routing_heap_pop(t->heap, &it);
        struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
        /* Read what the timer is before it fires (and whether it is still live). */
        struct store_timer *v;
        size_t n = 0;
        if (store_timers_after(c->st, ar, it.id - 1, 1, &v, &n) == 0 && n == 1 &&
            v[0].id == it.id) {
            struct store_timer tm = v[0];
            if (strcmp(tm.kind, "snooze") == 0 || !stale(c, ar, tm.conversation_id)) {
                fire(c, it.id);
                after_fire(c, &tm);
            }
        }
        arena_free(ar);
        load_new(c, t);
        now = clock_now_ms();
    }
}

static void *
worker(void *arg)
{
    struct routing *c = arg;
    struct routing__timers *t = c->timers;
    load_new(c, t);
    for (;;) {
        pthread_mutex_lock(&t->mu);
        bool stop = t->stop, requeue = t->requeue;
        t->kicked = false;
        t->requeue = false;
        pthread_mutex_unlock(&t->mu);
        if (stop)
            break;
        /* A profile or team change touches no conversation, yet may let queued ones in. */
        if (drain_dirty(c) || requeue) {
            load_new(c, t);
            routing_drain(c);
        }
        check_gaps(c, t);
        fire_due(c, t);
        if (c->hooks.tick)
            c->hooks.tick(c->hooks.arg, clock_now_ms());

        struct routing_heap_item it;
        int64_t wait = t->ngaps ? GAP_CHECK_MS : 60000;
        if (routing_heap_peek(t->heap, &it)) {
            int64_t d = it.due_at - clock_now_ms();
            wait = d < 0 ? 0 : d < wait ? d : wait;
        }
        if (wait == 0)
            continue;
        int64_t until = clock_now_ms() + wait;
        pthread_mutex_lock(&t->mu);
        while (!t->kicked && !t->stop && clock_timedwait(&t->cv, &t->mu, until) == 0) {
        }
        pthread_mutex_unlock(&t->mu);
    }
    return NULL;
}

int
routing_timers_start(struct routing *c)
{
    if (c->timers)
        return 0;
    struct routing__timers *t = xcalloc(1, sizeof(*t));
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    t->heap = routing_heap_new();
    t->requeue = true; /* one queue pass at start, here and not on the startup path */
    t->sub.wake = on_event;
    t->sub.arg = c;
    c->timers = t;
    if (c->hub)
        hub_subscribe(c->hub, &t->sub);
    if (pthread_create(&t->thread, NULL, worker, c) != 0) {
        if (c->hub)
            hub_unsubscribe(c->hub, &t->sub);
        c->timers = NULL;
        routing_heap_free(t->heap);
        xfree(t);
        return ERR_IO;
    }
    return 0;
}

void
routing_timers_stop(struct routing *c)
{
    struct routing__timers *t = c->timers;
    if (!t)
        return;
    if (c->hub)
        hub_unsubscribe(c->hub, &t->sub);
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    c->timers = NULL;
    routing_heap_free(t->heap);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    xfree(t);
}

void
routing_timers_kick(struct routing *c)
{
    struct routing__timers *t = c->timers;
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->kicked = true;
    t->requeue = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}
