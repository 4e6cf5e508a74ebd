/* SPDX-License-Identifier: MIT */
/*
 * chanstat.c - what Hark last heard from each channel's platform: the last accepted delivery
 * or poll, the last handshake, the last error in the care team's words, and today's counts.
 *
 * Written cheaply: a webhook only updates a small table in memory under one mutex. The timers
 * worker's housekeeping flushes the changed rows in one store transaction at most every
 * CARE__STATUS_FLUSH_MS, and care_free flushes the rest, so a webhook never costs an extra
 * fsync. Reads (GET /api/v1/channels) see memory first, so the web app's "waiting for a test
 * event" check turns green at once. A crash loses at most the last flush interval of status;
 * the messages themselves are durable as ever.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <stdarg.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"

#define DAY_MS (24LL * 3600 * 1000)

struct care__stat {
    struct store_channel_status s; /* s.last_error points at 'error' when set */
    char error[CARE_STATUS_ERROR_MAX];
    bool dirty;
};

struct care__chanstat {
    pthread_mutex_t mu;       /* guards 'v', 'n', 'cap' and every entry */
    pthread_mutex_t flush_mu; /* one flush at a time, so an older snapshot never lands last */
    struct care__stat *v;
    size_t n, cap;
    int64_t flushed_at; /* timers worker only */
};

void
care__chanstat_init(struct care *c)
{
    struct care__chanstat *t = xcalloc(1, sizeof(*t));
    pthread_mutex_init(&t->mu, NULL);
    pthread_mutex_init(&t->flush_mu, NULL);
    c->chanstat = t;
}

void
care__chanstat_free(struct care *c)
{
    struct care__chanstat *t = c->chanstat;
    if (!t)
        return;
    care__chanstat_flush(c, 0, true);
    pthread_mutex_destroy(&t->mu);
    pthread_mutex_destroy(&t->flush_mu);
    xfree(t->v);
    xfree(t);
    c->chanstat = NULL;
}

/* The entry of 'id', or NULL. Call with t->mu held. */
static struct care__stat *
find(struct care__chanstat *t, int64_t id)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].s.channel_id == id)
            return &t->v[i];
    }
    return NULL;
}

/* Starts a new day's counts when 'now' is on a later UTC day than the entry's. */
static void
roll_day(struct store_channel_status *s, int64_t now)
{
    int64_t day = now / DAY_MS;
    if (s->day != day) {
        s->day = day;
        s->messages_today = 0;
        s->errors_today = 0;
    }
}

/* The entry of channel 'id', loaded from the store on first use; returns with t->mu held.
 * Entries exist only for channels that sent something, so the table grows with the channel
 * table and no further. */
static struct care__stat *
lock_entry(struct care *c, int64_t id)
{
    struct care__chanstat *t = c->chanstat;
    pthread_mutex_lock(&t->mu);
    struct care__stat *e = find(t, id);
    if (e)
        return e;
    pthread_mutex_unlock(&t->mu);
    struct store_channel_status saved = { .channel_id = id };
    struct arena *ar = arena_new(4096);
    if (store_channel_status_get(c->st, ar, id, &saved) < 0)
        saved = (struct store_channel_status){ .channel_id = id };
    pthread_mutex_lock(&t->mu);
    e = find(t, id); /* another thread may have loaded it meanwhile */
    if (!e) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 16;
            t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
        }
        e = &t->v[t->n++];
        memset(e, 0, sizeof(*e));
        e->s = saved;
        e->s.last_error = NULL;
        if (saved.last_error) {
            snprintf(e->error, sizeof(e->error), "%s", saved.last_error);
            e->s.last_error = e->error;
        }
    }
    arena_free(ar);
    return e;
}

void
care__status_event(struct care *c, int64_t id, size_t messages)
{
    int64_t now = clock_now_ms();
    struct care__stat *e = lock_entry(c, id);
    roll_day(&e->s, now);
    e->s.last_event_at = now;
    e->s.messages_today += (int64_t)messages;
    e->dirty = true;
    pthread_mutex_unlock(&c->chanstat->mu);
}

void
care__status_verify(struct care *c, int64_t id)
{
    int64_t now = clock_now_ms();
    struct care__stat *e = lock_entry(c, id);
    e->s.last_verify_at = now;
    e->dirty = true;
    pthread_mutex_unlock(&c->chanstat->mu);
}

void
care__status_error(struct care *c, int64_t id, const char *fmt, ...)
{
    int64_t now = clock_now_ms();
    struct care__stat *e = lock_entry(c, id);
    roll_day(&e->s, now);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->error, sizeof(e->error), fmt, ap); /* cut at the buffer: plain words only */
    va_end(ap);
    e->s.last_error = e->error;
    e->s.last_error_at = now;
    e->s.errors_today++;
    e->dirty = true;
    pthread_mutex_unlock(&c->chanstat->mu);
}

int
care_channel_status(struct care *c, struct arena *ar, int64_t id,
                    struct store_channel_status *out)
{
    struct care__chanstat *t = c->chanstat;
    int64_t now = clock_now_ms();
    pthread_mutex_lock(&t->mu);
    struct care__stat *e = find(t, id);
    if (e) {
        roll_day(&e->s, now);
        *out = e->s;
        out->last_error = e->s.last_error ? arena_strdup(ar, e->error) : NULL;
    }
    pthread_mutex_unlock(&t->mu);
    if (e)
        return 0;
    struct store_channel_status s = { .channel_id = id };
    int rc = store_channel_status_get(c->st, ar, id, &s);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return rc;
    roll_day(&s, now);
    *out = s;
    return 0;
}

void
care__chanstat_forget(struct care *c, int64_t id)
{
    struct care__chanstat *t = c->chanstat;
    pthread_mutex_lock(&t->mu);
    struct care__stat *e = find(t, id);
    if (e) {
        *e = t->v[--t->n];
        if (e->s.last_error)
            e->s.last_error = e->error; /* it pointed into the moved entry's own buffer */
    }
    pthread_mutex_unlock(&t->mu);
}

void
care__chanstat_flush(struct care *c, int64_t now, bool force)
{
    struct care__chanstat *t = c->chanstat;
    if (!force && t->flushed_at && now - t->flushed_at < CARE__STATUS_FLUSH_MS)
        return;
    pthread_mutex_lock(&t->flush_mu);
    t->flushed_at = now;
    pthread_mutex_lock(&t->mu);
    size_t n = 0;
    struct care__stat *copy = t->n ? xcalloc(t->n, sizeof(*copy)) : NULL;
    for (size_t i = 0; i < t->n; i++) {
        if (!t->v[i].dirty)
            continue;
        copy[n] = t->v[i];
        copy[n].s.last_error = t->v[i].s.last_error ? copy[n].error : NULL;
        t->v[i].dirty = false;
        n++;
    }
    pthread_mutex_unlock(&t->mu);
    struct store_channel_status *rows = n ? xcalloc(n, sizeof(*rows)) : NULL;
    for (size_t i = 0; i < n; i++)
        rows[i] = copy[i].s;
    int rc = store_channel_status_put(c->st, rows, n);
    if (rc < 0) {
        log_warn("care", "cannot save channel status", "channels=%zu err=%s", n, err_str(rc));
        /* Kept in memory and tried again at the next flush. */
        pthread_mutex_lock(&t->mu);
        for (size_t i = 0; i < n; i++) {
            struct care__stat *e = find(t, rows[i].channel_id);
            if (e)
                e->dirty = true;
        }
        pthread_mutex_unlock(&t->mu);
    }
    xfree(rows);
    xfree(copy);
    pthread_mutex_unlock(&t->flush_mu);
}
