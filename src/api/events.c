/* SPDX-License-Identifier: MIT */
/*
 * events.c - GET /api/v1/events: persisted, numbered events as Server-Sent Events.
 *
 * Each stream runs on its own connection thread. It copies new events from the hub's ring;
 * when it has fallen behind the ring (or resumes from an old Last-Event-ID) it reads the gap
 * from the store, so nothing is lost. With nothing to send it sleeps on its own condition
 * variable, woken by the hub, and sends a heartbeat comment every 'heartbeat_ms'. A slow
 * client blocks only its own thread; its backlog is bounded by 'pending' (refilled on demand).
 */
#include "base/base.h"
#include "api/api_int.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/hub.h"
#include "base/log.h"
#include "base/limits.h"
#include "store/store.h"

#define BATCH 128

struct sse {
    struct api *a;
    int64_t presence_agent; /* issue 7: the web app's agent, online while connected; 0: none */
    int64_t last;          /* last sequence number written to 'pending' */
    struct buf pending;    /* formatted bytes not yet handed to the socket */
    size_t off;            /* bytes of 'pending' already handed out */
    struct hub_sub sub;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool woken;
};

static void
on_wake(void *arg)
{
    struct sse *s = arg;
    pthread_mutex_lock(&s->mu);
    s->woken = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* A full 'pending' keeps its whole events and leaves 's->last' before this one, so it is
 * read again for the next write; only an event larger than the whole buffer is skipped. */
static void
add_event(struct sse *s, int64_t seq, const char *type, const char *data)
{
    size_t before = s->pending.len;
    buf_printf(&s->pending, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)seq, type, data);
    if (buf_error(&s->pending) < 0) {
        if (before > 0)
            return;
        log_warn("api", "event larger than the stream buffer skipped", "seq=%lld",
                 (long long)seq);
        buf_reset(&s->pending);
    }
    s->last = seq;
}

/* Fills 'pending' with events after 's->last'. Returns true when something was added. */
static bool
refill(struct sse *s)
{
    struct hub_event ev[BATCH];
    ssize_t n = hub_read(s->a->hub, s->last, ev, BATCH);
    if (n > 0) {
        for (ssize_t i = 0; i < n; i++) {
            add_event(s, ev[i].seq, ev[i].type, ev[i].data);
            hub_event_release(&ev[i]);
        }
        return true;
    }
    if (n == 0)
        return false;
    /* Fell behind the ring: read the gap from the database. */
    struct arena *ar = arena_new(HARK_EVENT_PAGE_ARENA_MAX);
    struct store_event *v;
    size_t cnt = 0;
    if (store_events_after(s->a->st, ar, s->last, BATCH, &v, &cnt) == 0) {
        for (size_t i = 0; i < cnt; i++)
            add_event(s, v[i].seq, v[i].type, v[i].data);
    }
    arena_free(ar);
    return cnt > 0;
}

static ssize_t
sse_read(void *ctx, char *out, size_t max)
{
    struct sse *s = ctx;
    int heartbeat = s->a->cfg.heartbeat_ms > 0 ? s->a->cfg.heartbeat_ms : 15000;

    while (s->off == s->pending.len) {
        buf_reset(&s->pending);
        s->off = 0;
        if (atomic_load(&s->a->stopping))
            return -1;
        if (refill(s))
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += heartbeat / 1000;
        ts.tv_nsec += (long)(heartbeat % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        bool timed_out = false;
        pthread_mutex_lock(&s->mu);
        while (!s->woken && !timed_out)
            timed_out = pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT;
        s->woken = false;
        pthread_mutex_unlock(&s->mu);
        if (timed_out && !refill(s)) {
            buf_adds(&s->pending, ": heartbeat\n\n");
            break;
        }
        if (s->pending.len)
            break;
    }
    size_t n = s->pending.len - s->off;
    if (n > max)
        n = max;
    memcpy(out, s->pending.p + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void
sse_done(void *ctx)
{
    struct sse *s = ctx;
    hub_unsubscribe(s->a->hub, &s->sub);
    if (s->presence_agent)
        routing_presence(care_routing(s->a->care), s->presence_agent, false);
    atomic_fetch_sub(&s->a->sse_clients, 1);
    buf_release(&s->pending);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    xfree(s);
}

void
api__events(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct auth_principal p;
    if (api__auth_or_reply(r, a, API_ANY, &p) < 0)
        return;
    int64_t last = hub_last_seq(a->hub);
    const char *resume = http_header(r, "Last-Event-ID");
    if (!resume)
        resume = http_query(r, "last_event_id");
    if (resume && str_to_i64(str_c(resume), 0, INT64_MAX, &last) < 0) {
        http_reply_error(r, ERR_INVAL, "invalid 'Last-Event-ID': want an event id");
        return;
    }
    struct sse *s = xcalloc(1, sizeof(*s));
    s->a = a;
    s->last = last;
    buf_init(&s->pending, 4 << 20);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->sub.wake = on_wake;
    s->sub.arg = s;
    buf_adds(&s->pending, "retry: 3000\n: connected\n\n");
    hub_subscribe(a->hub, &s->sub);
    atomic_fetch_add(&a->sse_clients, 1);
    if (p.via_cookie && p.agent_id) {
        s->presence_agent = p.agent_id;
        routing_presence(care_routing(a->care), p.agent_id, true);
    }
    http_reply_stream(r, "text/event-stream", sse_read, sse_done, s);
}
