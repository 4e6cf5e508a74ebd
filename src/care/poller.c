/* SPDX-License-Identifier: MIT */
/*
 * poller.c - background threads for pull channels: platforms Hark must ask for new messages
 * (email over IMAP, Bluesky and Mastodon notifications) instead of being sent webhooks.
 *
 * A supervisor thread lists the channels every interval and starts one worker per channel
 * whose adapter has a 'poll' op. A worker calls 'poll' with its resume cursor, stores what it
 * gets through care_ingest (the same path webhooks take) and keeps the advanced cursor only
 * when everything was stored, so a failure means the batch is read again and dedupe drops
 * the repeats. Upstream failures back off up to a minute. All threads share one mutex and
 * condition variable, used only for sleeping and for stop. Among several instances sharing
 * the database, one polls a channel at a time: the holder of its lease ("poll:<id>"), renewed
 * at every poll; the others skip their turn.
 */
#include "base/base.h"
#include "care/care_int.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "channels/chan.h"
#include "store/store.h"

#define POLL_BATCH_MAX 50
#define BACKOFF_MAX_MS 60000

struct worker {
    struct worker *next;
    struct care__poller *p;
    int64_t channel_id;
    pthread_t thread;
    char cursor[256]; /* the adapter's resume state; only this worker touches it */
};

struct care__poller {
    struct care *c;
    int64_t interval_ms;
    pthread_t supervisor;
    pthread_mutex_t mu; /* guards 'stop' and 'workers' */
    pthread_cond_t cv;
    bool stop;
    struct worker *workers;
};

/* Sleeps up to 'ms' or until stop; returns true when stopping. */
static bool
nap(struct care__poller *p, int64_t ms)
{
    int64_t until = clock_now_ms() + ms;
    pthread_mutex_lock(&p->mu);
    while (!p->stop && clock_timedwait(&p->cv, &p->mu, until) == 0) {
    }
    bool stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

static void
lease_name(int64_t channel_id, char *out, size_t n)
{
    snprintf(out, n, "poll:%lld", (long long)channel_id);
}

/* One poll of one channel. Returns 0, ERR_NOTFOUND when the channel is gone, or an error. */
static int
poll_once(struct worker *w)
{
    struct care *c = w->p->c;
    struct arena *ar = arena_new(HARK_POLL_ARENA_MAX);
    struct channel ch;
    int rc = store_channel_get(c->st, ar, w->channel_id, &ch);
    const struct chan_ops *ops = rc == 0 ? chan_find(ch.type) : NULL;
    if (rc == 0 && (!ops || !ops->poll))
        rc = ERR_NOTFOUND;
    if (rc < 0 || !ch.enabled) { /* switched off: the worker waits for it to be switched on */
        arena_free(ar);
        return rc;
    }
    char lease[48];
    lease_name(w->channel_id, lease, sizeof(lease));
    int64_t ttl = 3 * w->p->interval_ms > 30000 ? 3 * w->p->interval_ms : 30000;
    bool held = false;
    if (store_lease_hold(c->st, lease, ttl, &held) < 0 || !held) {
        arena_free(ar); /* another instance polls this channel (or the store is away) */
        return 0;
    }
    char cursor[sizeof(w->cursor)];
    memcpy(cursor, w->cursor, sizeof(cursor));
    struct inbound *msgs = ARENA_NEW_N(ar, struct inbound, POLL_BATCH_MAX);
    struct errmsg em = { 0 };
    ssize_t n = ops->poll(&ch, cursor, sizeof(cursor), ar, msgs, POLL_BATCH_MAX, &em);
    if (n < 0) {
        log_warn("poller", "poll failed", "channel=%lld err=%s reason=\"%s\"",
                 (long long)w->channel_id, err_str((int)n), em.set ? em.text : "");
        care__status_error(c, w->channel_id, "cannot fetch new %s: %s",
                           strcmp(ch.type, "email") == 0 ? "mail" : "messages",
                           em.set ? em.text : err_str((int)n));
        arena_free(ar);
        return (int)n;
    }
    size_t added = 0;
    for (ssize_t i = 0; i < n; i++) {
        struct ingest_result r;
        rc = care_ingest(c, ar, &msgs[i], &r);
        if (rc < 0) {
            arena_free(ar);
            return rc; /* cursor not advanced: the batch is read again */
        }
        added += !r.duplicate;
    }
    memcpy(w->cursor, cursor, sizeof(cursor));
    care__status_event(c, w->channel_id, added);
    if (n > 0)
        log_info("poller", "polled", "channel=%lld messages=%zd new=%zu", (long long)w->channel_id,
                 n, added);
    arena_free(ar);
    return 0;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    int64_t backoff = 0;
    for (;;) {
        int rc = poll_once(w);
        if (rc == ERR_NOTFOUND)
            break;
        if (rc < 0) {
            backoff = backoff ? backoff * 2 : w->p->interval_ms;
            if (backoff > BACKOFF_MAX_MS)
                backoff = BACKOFF_MAX_MS;
        } else {
            backoff = 0;
        }
        if (nap(w->p, backoff ? backoff : w->p->interval_ms))
            break;
    }
    return NULL;
}

static bool
has_worker(struct care__poller *p, int64_t id)
{
    for (struct worker *w = p->workers; w; w = w->next) {
        if (w->channel_id == id)
            return true;
    }
    return false;
}

static void *
supervisor_main(void *arg)
{
    struct care__poller *p = arg;
    do {
        struct arena *ar = arena_new(HARK_CHANNEL_LIST_ARENA_MAX);
        struct channel *v;
        size_t n = 0;
        if (store_channel_list(p->c->st, ar, &v, &n) < 0)
            n = 0;
        for (size_t i = 0; i < n; i++) {
            const struct chan_ops *ops = chan_find(v[i].type);
            if (!ops || !ops->poll)
                continue;
            pthread_mutex_lock(&p->mu);
            bool start = !p->stop && !has_worker(p, v[i].id);
            struct worker *w = NULL;
            if (start) {
                w = xcalloc(1, sizeof(*w));
                w->p = p;
                w->channel_id = v[i].id;
                if (pthread_create(&w->thread, NULL, worker_main, w) == 0) {
                    w->next = p->workers;
                    p->workers = w;
                    log_info("poller", "polling channel", "channel=%lld type=%s",
                             (long long)v[i].id, v[i].type);
                } else {
                    free(w);
                }
            }
            pthread_mutex_unlock(&p->mu);
        }
        arena_free(ar);
    } while (!nap(p, p->interval_ms));
    return NULL;
}

int
care_poller_start(struct care *c, int64_t interval_ms)
{
    if (c->poller)
        return 0;
    struct care__poller *p = xcalloc(1, sizeof(*p));
    p->c = c;
    p->interval_ms = interval_ms > 0 ? interval_ms : 30000;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->supervisor, NULL, supervisor_main, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p);
        return ERR_IO;
    }
    c->poller = p;
    return 0;
}

void
care_poller_stop(struct care *c)
{
    struct care__poller *p = c->poller;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->supervisor, NULL);
    /* No worker is added after stop, so the list is final. */
    for (struct worker *w = p->workers, *next; w; w = next) {
        next = w->next;
        pthread_join(w->thread, NULL);
        char lease[48];
        lease_name(w->channel_id, lease, sizeof(lease));
        store_lease_release(c->st, lease); /* another instance may poll at once */
        free(w);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    c->poller = NULL;
}
