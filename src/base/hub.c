/* SPDX-License-Identifier: MIT */
/*
 * hub.c - a mutex-guarded ring of recent events and a list of wake callbacks.
 */
#include "base/base.h"
#include "base/hub.h"

#include <pthread.h>

#include "base/err.h"
#include "base/log.h"

struct hub {
    pthread_mutex_t mu;
    struct hub_event *ring; /* ring[seq % size] holds event 'seq' when seq > first - 1 */
    size_t size;
    int64_t first; /* oldest seq still in the ring (valid when count > 0) */
    int64_t last;  /* newest seq published, or the startup seq */
    size_t count;
    uint64_t resyncs; /* publishes that did not follow 'last' */
    struct hub_sub subs; /* sentinel of the circular subscriber list */
    size_t nsubs;
};

struct hub *
hub_new(size_t ring, int64_t last_seq)
{
    struct hub *h = xcalloc(1, sizeof(*h));
    pthread_mutex_init(&h->mu, NULL);
    h->size = ring ? ring : 1;
    h->ring = xcalloc(h->size, sizeof(*h->ring));
    h->last = last_seq;
    h->first = last_seq + 1;
    h->subs.next = h->subs.prev = &h->subs;
    return h;
}

void
hub_free(struct hub *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->size; i++)
        xfree(h->ring[i].data);
    xfree(h->ring);
    pthread_mutex_destroy(&h->mu);
    xfree(h);
}

static void
wake_locked(struct hub *h)
{
    for (struct hub_sub *s = h->subs.next; s != &h->subs; s = s->next)
        s->wake(s->arg);
}

void
hub_set_last(struct hub *h, int64_t last_seq)
{
    pthread_mutex_lock(&h->mu);
    ASSERT(h->count == 0);
    h->last = last_seq;
    h->first = last_seq + 1;
    pthread_mutex_unlock(&h->mu);
}

void
hub_publish(struct hub *h, int64_t seq, const char *type, const char *data, size_t len)
{
    pthread_mutex_lock(&h->mu);
    if (seq <= h->last) {
        /* The store's sequence went backwards: events in the ring past 'seq' were never
         * durable (or were replaced). Forget the ring; readers that fall outside it read the
         * store, which holds the truth. Never abort: the server carries on. */
        log_warn("hub", "event sequence went backwards; ring resynced from the store",
                 "seq=%lld last=%lld", (long long)seq, (long long)h->last);
        h->resyncs++;
        h->count = 0;
    }
    struct hub_event *e = &h->ring[(size_t)seq % h->size];
    xfree(e->data);
    e->seq = seq;
    snprintf(e->type, sizeof(e->type), "%s", type);
    e->data = xstrndup(data, len);
    e->len = len;
    if (h->count == 0 || seq != h->last + 1) {
        /* A gap (or the first event) restarts the ring so it only ever holds a contiguous run. */
        h->first = seq;
        h->count = 1;
    } else if (h->count < h->size) {
        h->count++;
    } else {
        h->first++;
    }
    h->last = seq;
    wake_locked(h);
    pthread_mutex_unlock(&h->mu);
}

ssize_t
hub_read(struct hub *h, int64_t after, struct hub_event *out, size_t max)
{
    ssize_t n = 0;

    pthread_mutex_lock(&h->mu);
    if (after >= h->last) {
        n = 0;
    } else if (h->count == 0 || after + 1 < h->first) {
        n = ERR_NOTFOUND;
    } else {
        for (int64_t seq = after + 1; seq <= h->last && (size_t)n < max; seq++) {
            const struct hub_event *e = &h->ring[(size_t)seq % h->size];
            out[n] = *e;
            out[n].data = xstrndup(e->data, e->len);
            n++;
        }
    }
    pthread_mutex_unlock(&h->mu);
    return n;
}

void
hub_event_release(struct hub_event *e)
{
    xfree(e->data);
    e->data = NULL;
}

uint64_t
hub_resyncs(struct hub *h)
{
    pthread_mutex_lock(&h->mu);
    uint64_t n = h->resyncs;
    pthread_mutex_unlock(&h->mu);
    return n;
}

int64_t
hub_last_seq(struct hub *h)
{
    pthread_mutex_lock(&h->mu);
    int64_t last = h->last;
    pthread_mutex_unlock(&h->mu);
    return last;
}

void
hub_subscribe(struct hub *h, struct hub_sub *s)
{
    pthread_mutex_lock(&h->mu);
    s->next = h->subs.next;
    s->prev = &h->subs;
    h->subs.next->prev = s;
    h->subs.next = s;
    h->nsubs++;
    pthread_mutex_unlock(&h->mu);
}

void
hub_unsubscribe(struct hub *h, struct hub_sub *s)
{
    pthread_mutex_lock(&h->mu);
    s->prev->next = s->next;
    s->next->prev = s->prev;
    s->next = s->prev = NULL;
    h->nsubs--;
    pthread_mutex_unlock(&h->mu);
}

void
hub_wake_all(struct hub *h)
{
    pthread_mutex_lock(&h->mu);
    wake_locked(h);
    pthread_mutex_unlock(&h->mu);
}

size_t
hub_subscribers(struct hub *h)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->nsubs;
    pthread_mutex_unlock(&h->mu);
    return n;
}
