/* SPDX-License-Identifier: MIT */
/*
 * bus.c - the event bus between instances on NATS JetStream (see bus.h for the guarantees).
 *
 * The reorder buffer is a window of BUS_WINDOW slots indexed by seq % BUS_WINDOW holding the
 * events in [next, next + BUS_WINDOW) that have arrived (from NATS or from this instance's own
 * writer) before 'next', the seq the hub expects. The pump moves the contiguous run starting
 * at 'next' to the hub; an event below 'next' is a duplicate and dropped; one beyond the
 * window is dropped too and makes the pump repair from the store at once.
 */
#include "base/base.h"
#include "bus/bus.h"

#include <nats/nats.h>
#include <stdatomic.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/hub.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/store.h"

#define REPAIR_PAGE 256
#define REPAIR_PAGES_MAX 64 /* per pass: the pump checks its buffer between passes */
#define EVENT_DATA_MAX (4u << 20) /* larger messages from NATS are refused (read from the store) */
#define STREAM_MAX_AGE_NS (600LL * 1000000000LL)
#define STREAM_DUPLICATES_NS (120LL * 1000000000LL)
#define PUBLISH_ACK_WAIT_MS 5000
#define PUBLISH_MAX_PENDING 65536
#define PUBLISH_STALL_MS 50
#define PUBLISH_QUEUE_MAX 65536 /* events waiting for the publisher; beyond: not published */
#define PUBLISH_WRITE_DEADLINE_MS 2000

struct slot {
    int64_t seq; /* 0: empty */
    char type[40];
    char *data;
    size_t len;
};

/* Shared by the writer thread, libnats' threads and the pump; 'mu' guards the window, 'next',
 * 'held', 'overflow' and 'stopping'. The NATS handles are set in bus_open and cleared in
 * bus_stop, after the pump has ended. */
struct bus {
    struct hub *hub;
    struct store *st;
    char stream[64], subject[128];

    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *sub;
    atomic_bool connected;
    atomic_bool closing; /* bus_stop began: NATS callbacks do nothing */

    pthread_mutex_t mu;
    pthread_cond_t wake; /* CLOCK_MONOTONIC */
    pthread_t pump;
    bool pump_running, stopping, stopped;
    int64_t next;      /* next seq for the hub */
    size_t held;       /* occupied slots */
    bool overflow;     /* an event beyond the window was dropped */
    int64_t gap_since; /* clock_mono_ms when the current wait for a gap began; 0: none */
    int64_t hole_since; /* pump only: a seq missing from the store since then; 0: none */
    struct slot win[BUS_WINDOW];

    /* The publish queue: the writer appends, the publisher thread sends to NATS, so the
     * writer never waits on a socket. 'pub_mu' guards it and 'pub_stopping'. */
    pthread_mutex_t pub_mu;
    pthread_cond_t pub_wake;
    pthread_t publisher;
    bool publisher_running, pub_stopping;
    struct pub_item *pub_head, *pub_tail;
    size_t pub_n;

    struct bus_metrics m;
};

struct pub_item {
    struct pub_item *next;
    int64_t seq;
    char type[40];
    char *data;
    size_t len;
};

static void *publisher_main(void *arg);

static void
slot_clear(struct slot *s)
{
    xfree(s->data);
    memset(s, 0, sizeof(*s));
}

/* Puts an event into the window (mu held); 'data' is copied. Returns false when it was
 * dropped (a duplicate, or beyond the window). */
static bool
window_put(struct bus *b, int64_t seq, const char *type, const char *data, size_t len)
{
    if (b->stopped || seq < b->next)
        return false;
    if (seq >= b->next + BUS_WINDOW) {
        b->overflow = true;
        return false;
    }
    struct slot *s = &b->win[seq % BUS_WINDOW];
    if (s->seq == seq)
        return false;
    if (s->seq)
        slot_clear(s), b->held--; /* stale: below 'next' (cannot be in the window twice) */
    s->seq = seq;
    snprintf(s->type, sizeof(s->type), "%s", type);
    s->data = xmalloc(len + 1);
    memcpy(s->data, data, len);
    s->data[len] = '\0';
    s->len = len;
    b->held++;
    pthread_cond_signal(&b->wake);
    return true;
}

/* Frees the slots below 'next' (mu held), after a repair moved it. */
static void
window_trim(struct bus *b)
{
    for (size_t i = 0; i < BUS_WINDOW && b->held > 0; i++) {
        if (b->win[i].seq && b->win[i].seq < b->next) {
            slot_clear(&b->win[i]);
            b->held--;
        }
    }
}

/* ---- NATS callbacks (libnats' threads) ---------------------------------------------------- */

static void
on_disconnected(natsConnection *nc, void *closure)
{
    UNUSED(nc);
    struct bus *b = closure;
    if (atomic_load(&b->closing))
        return;
    if (atomic_exchange(&b->connected, false)) {
        metrics_add(&b->m.disconnects, 1);
        log_warn("bus", "lost the connection to NATS; events from other instances now come from "
                 "the database (every 200 ms) until it is back", "%s", "");
    }
    pthread_mutex_lock(&b->mu);
    pthread_cond_signal(&b->wake); /* the pump shortens its check interval */
    pthread_mutex_unlock(&b->mu);
}

static void
on_reconnected(natsConnection *nc, void *closure)
{
    UNUSED(nc);
    struct bus *b = closure;
    if (atomic_load(&b->closing))
        return;
    if (!atomic_exchange(&b->connected, true))
        log_info("bus", "connected to NATS again", "%s", "");
}

static void
on_publish_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    UNUSED(js);
    UNUSED(pae);
    struct bus *b = closure;
    metrics_add(&b->m.publish_errors, 1);
}

static void
on_message(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    UNUSED(nc);
    UNUSED(sub);
    struct bus *b = closure;
    const char *id = NULL, *type = NULL;
    int len = natsMsg_GetDataLength(msg);
    if (atomic_load(&b->closing) || natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK ||
        natsMsgHeader_Get(msg, "Hark-Type", &type) != NATS_OK || len < 0 ||
        (size_t)len > EVENT_DATA_MAX || strlen(type) >= sizeof(((struct slot *)0)->type)) {
        natsMsg_Destroy(msg);
        return; /* not ours, or too large: the store repair brings it */
    }
    char *end = NULL;
    long long seq = strtoll(id, &end, 10);
    if (seq > 0 && end && *end == '\0') {
        metrics_add(&b->m.received, 1);
        pthread_mutex_lock(&b->mu);
        window_put(b, seq, type, natsMsg_GetData(msg), (size_t)len);
        pthread_mutex_unlock(&b->mu);
    }
    natsMsg_Destroy(msg);
}

/* ---- the pump ------------------------------------------------------------------------------ */

/* Hands one event to the hub unless it has it already (an event the writer published itself
 * before the bus was set as its publisher). */
static void
give(struct bus *b, int64_t seq, const char *type, const char *data, size_t len)
{
    if (seq > hub_last_seq(b->hub))
        hub_publish(b->hub, seq, type, data, len);
}

/* Reads events after next - 1 from the store and hands them to the hub, page by page, as long
 * as they follow each other (a hole is waited for BUS_HOLE_MS, then passed over). */
static void
repair(struct bus *b)
{
    for (int page = 0; page < REPAIR_PAGES_MAX; page++) {
        pthread_mutex_lock(&b->mu);
        int64_t last = b->next - 1;
        pthread_mutex_unlock(&b->mu);
        struct arena *ar = arena_new(HARK_EVENT_PAGE_ARENA_MAX);
        struct store_event *v = NULL;
        size_t cnt = 0;
        int rc = store_events_after(b->st, ar, last, REPAIR_PAGE, &v, &cnt);
        if (rc < 0 || cnt == 0) {
            arena_free(ar);
            return;
        }
        if (v[0].seq != last + 1) {
            int64_t now = clock_mono_ms();
            if (!b->hole_since)
                b->hole_since = now;
            if (now - b->hole_since < BUS_HOLE_MS) {
                arena_free(ar);
                return;
            }
            metrics_add(&b->m.holes_skipped, (uint64_t)(v[0].seq - last - 1));
            log_warn("bus", "events missing from the database were passed over",
                     "from=%lld to=%lld", (long long)(last + 1), (long long)(v[0].seq - 1));
        }
        b->hole_since = 0;
        int64_t prev = v[0].seq - 1;
        size_t i = 0;
        for (; i < cnt && v[i].seq == prev + 1; i++) {
            give(b, v[i].seq, v[i].type, v[i].data, strlen(v[i].data));
            prev = v[i].seq;
        }
        metrics_add(&b->m.repaired, i);
        pthread_mutex_lock(&b->mu);
        if (prev + 1 > b->next) {
            b->next = prev + 1;
            window_trim(b);
        }
        pthread_mutex_unlock(&b->mu);
        arena_free(ar);
        if (i < cnt || cnt < REPAIR_PAGE)
            return;
    }
}

/* Moves the run of events starting at 'next' out of the window (mu held) into 'out'. */
static size_t
take_ready(struct bus *b, struct slot *out, size_t max)
{
    size_t n = 0;
    while (n < max) {
        struct slot *s = &b->win[b->next % BUS_WINDOW];
        if (s->seq != b->next)
            break;
        out[n++] = *s;
        memset(s, 0, sizeof(*s));
        b->held--;
        b->next++;
    }
    return n;
}

static void *
pump_main(void *arg)
{
    struct bus *b = arg;
    struct slot ready[64];
    int64_t next_check = clock_mono_ms() + BUS_CHECK_MS;

    pthread_mutex_lock(&b->mu);
    while (!b->stopping) {
        size_t n = take_ready(b, ready, COUNTOF(ready));
        if (n > 0) {
            b->gap_since = 0;
            pthread_mutex_unlock(&b->mu);
            for (size_t i = 0; i < n; i++) {
                give(b, ready[i].seq, ready[i].type, ready[i].data, ready[i].len);
                xfree(ready[i].data);
            }
            pthread_mutex_lock(&b->mu);
            continue;
        }
        int64_t now = clock_mono_ms();
        bool fix = b->overflow;
        if (b->held > 0) {
            if (!b->gap_since) {
                b->gap_since = now;
                metrics_add(&b->m.reorder_waits, 1);
            } else if (now - b->gap_since >= BUS_GAP_MS) {
                fix = true;
            }
        } else {
            b->gap_since = 0;
        }
        bool check = now >= next_check;
        if (fix || check) {
            b->overflow = false;
            b->gap_since = 0;
            int64_t expect = b->next;
            pthread_mutex_unlock(&b->mu);
            if (check)
                next_check = now + (atomic_load(&b->connected) ? BUS_CHECK_MS : BUS_CHECK_DOWN_MS);
            if (fix || store_last_event_seq(b->st) >= expect)
                repair(b);
            pthread_mutex_lock(&b->mu);
            continue;
        }
        int64_t deadline = next_check;
        if (!atomic_load(&b->connected) && deadline > now + BUS_CHECK_DOWN_MS)
            deadline = next_check = now + BUS_CHECK_DOWN_MS;
        if (b->gap_since && b->gap_since + BUS_GAP_MS < deadline)
            deadline = b->gap_since + BUS_GAP_MS;
        clock_timedwait(&b->wake, &b->mu, deadline);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* ---- open, publish, stop ------------------------------------------------------------------ */

static int
nats_fail(struct errmsg *em, const char *what, const char *url, natsStatus s)
{
    const char *last = nats_GetLastError(NULL);
    const char *text = last && *last ? last : natsStatus_GetText(s);
    if (text[0] == '(' && strstr(text, "): ")) /* libnats' "(conn.c:2088): " */
        text = strstr(text, "): ") + 3;
    return errmsg_set(em, ERR_UNAVAIL, "cannot %s at %s: %s", what, url, text);
}

/* Binds to the stream, creating it when it does not exist. */
static int
stream_ensure(struct bus *b, const char *url, struct errmsg *em)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, b->js, b->stream, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return 0;
    }
    if (s != NATS_NOT_FOUND)
        return nats_fail(em, "use JetStream (is nats-server running with -js?)", url, s);
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char *subjects[] = { b->subject };
    sc.Name = b->stream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.MaxAge = STREAM_MAX_AGE_NS;
    sc.Duplicates = STREAM_DUPLICATES_NS;
    s = js_AddStream(&si, b->js, &sc, NULL, &jerr);
    if (s != NATS_OK)
        return nats_fail(em, "create the JetStream stream", url, s);
    jsStreamInfo_Destroy(si);
    log_info("bus", "created the JetStream stream", "stream=%s subject=%s", b->stream, b->subject);
    return 0;
}

static int
connect_nats(struct bus *b, const char *url, struct errmsg *em)
{
    natsStatus s = natsOptions_Create(&b->opts);
    if (s == NATS_OK)
        s = natsOptions_SetURL(b->opts, url);
    if (s != NATS_OK)
        return errmsg_set(em, ERR_INVAL, "invalid 'nats' URL: %s", natsStatus_GetText(s));
    natsOptions_SetName(b->opts, "hark");
    natsOptions_SetTimeout(b->opts, 2000);
    natsOptions_SetMaxReconnect(b->opts, -1);
    natsOptions_SetReconnectWait(b->opts, 250);
    natsOptions_SetDisconnectedCB(b->opts, on_disconnected, b);
    natsOptions_SetReconnectedCB(b->opts, on_reconnected, b);
    /* A stalled NATS fails the publisher's writes instead of holding it. */
    natsOptions_SetWriteDeadline(b->opts, PUBLISH_WRITE_DEADLINE_MS);
    s = natsConnection_Connect(&b->nc, b->opts);
    if (s != NATS_OK)
        return nats_fail(em, "connect to NATS", url, s);
    atomic_store(&b->connected, true);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 2000;
    jo.PublishAsync.MaxPending = PUBLISH_MAX_PENDING;
    jo.PublishAsync.StallWait = PUBLISH_STALL_MS;
    jo.PublishAsync.ErrHandler = on_publish_error;
    jo.PublishAsync.ErrHandlerClosure = b;
    s = natsConnection_JetStream(&b->js, b->nc, &jo);
    if (s != NATS_OK)
        return nats_fail(em, "use JetStream", url, s);
    int rc = stream_ensure(b, url, em);
    if (rc < 0)
        return rc;
    /* An ordered consumer from "now": libnats recreates it after a lost connection or a
     * server restart, from the last stream sequence it delivered. */
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = b->stream;
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverNew;
    jsErrCode jerr = 0;
    s = js_Subscribe(&b->sub, b->js, b->subject, on_message, b, NULL, &so, &jerr);
    if (s != NATS_OK)
        return nats_fail(em, "subscribe to the JetStream stream", url, s);
    return 0;
}

static void
close_nats(struct bus *b)
{
    atomic_store(&b->closing, true);
    if (b->sub) {
        natsSubscription_Unsubscribe(b->sub);
        natsSubscription_Destroy(b->sub);
        b->sub = NULL;
    }
    if (b->js) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = 1000;
        js_PublishAsyncComplete(b->js, &po);
        jsCtx_Destroy(b->js);
        b->js = NULL;
    }
    if (b->nc) {
        natsConnection_Close(b->nc);
        natsConnection_Destroy(b->nc);
        b->nc = NULL;
    }
    natsOptions_Destroy(b->opts);
    b->opts = NULL;
}

int
bus_open(const struct bus_config *cfg, struct hub *hub, struct store *st, struct bus **out,
         struct errmsg *em)
{
    if (!cfg->url || strncmp(cfg->url, "nats://", 7) != 0)
        return errmsg_set(em, ERR_INVAL, "invalid 'nats': want nats://HOST:PORT");
    struct bus *b = xcalloc(1, sizeof(*b));
    b->hub = hub;
    b->st = st;
    snprintf(b->stream, sizeof(b->stream), "%s", cfg->stream ? cfg->stream : "HARK_EVENTS");
    snprintf(b->subject, sizeof(b->subject), "%s", cfg->subject ? cfg->subject : "hark.events");
    pthread_mutex_init(&b->mu, NULL);
    pthread_mutex_init(&b->pub_mu, NULL);
    pthread_cond_init(&b->pub_wake, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->wake, &ca);
    pthread_condattr_destroy(&ca);
    b->next = hub_last_seq(hub) + 1;
    int rc = connect_nats(b, cfg->url, em);
    if (rc == 0 && pthread_create(&b->publisher, NULL, publisher_main, b) != 0)
        rc = errmsg_set(em, ERR_NOMEM, "cannot start the event bus threads");
    b->publisher_running = rc == 0;
    if (rc == 0 && pthread_create(&b->pump, NULL, pump_main, b) != 0)
        rc = errmsg_set(em, ERR_NOMEM, "cannot start the event bus threads");
    b->pump_running = rc == 0;
    if (rc < 0) {
        bus_stop(b);
        bus_free(b);
        return rc;
    }
    log_info("bus", "connected to NATS", "stream=%s subject=%s", b->stream, b->subject);
    *out = b;
    return 0;
}

/* Publishes one event to JetStream (the publisher thread). */
static void
publish(struct bus *b, const struct pub_item *it)
{
    /* Skipped while NATS is down: the other instances read it from the store. */
    if (!atomic_load(&b->connected)) {
        metrics_add(&b->m.publish_errors, 1);
        return;
    }
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)it->seq);
    natsMsg *msg = NULL;
    natsStatus s = natsMsg_Create(&msg, b->subject, NULL, it->data, (int)it->len);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(msg, "Hark-Type", it->type);
    if (s == NATS_OK) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = PUBLISH_ACK_WAIT_MS;
        s = js_PublishMsgAsync(b->js, &msg, &po);
    }
    natsMsg_Destroy(msg); /* NULL once the library took it */
    metrics_add(s == NATS_OK ? &b->m.published : &b->m.publish_errors, 1);
}

static void *
publisher_main(void *arg)
{
    struct bus *b = arg;
    pthread_mutex_lock(&b->pub_mu);
    for (;;) {
        while (!b->pub_head && !b->pub_stopping)
            pthread_cond_wait(&b->pub_wake, &b->pub_mu);
        if (!b->pub_head)
            break;
        struct pub_item *list = b->pub_head;
        b->pub_head = b->pub_tail = NULL;
        b->pub_n = 0;
        pthread_mutex_unlock(&b->pub_mu);
        while (list) {
            struct pub_item *it = list;
            list = it->next;
            publish(b, it);
            xfree(it->data);
            xfree(it);
        }
        pthread_mutex_lock(&b->pub_mu);
    }
    pthread_mutex_unlock(&b->pub_mu);
    return NULL;
}

void
bus_committed(void *arg, int64_t seq, const char *type, const char *data, size_t len)
{
    struct bus *b = arg;
    pthread_mutex_lock(&b->mu);
    if (b->stopped) {
        pthread_mutex_unlock(&b->mu);
        hub_publish(b->hub, seq, type, data, len);
        return;
    }
    window_put(b, seq, type, data, len);
    pthread_mutex_unlock(&b->mu);

    pthread_mutex_lock(&b->pub_mu);
    if (b->pub_stopping || b->pub_n >= PUBLISH_QUEUE_MAX) {
        pthread_mutex_unlock(&b->pub_mu);
        metrics_add(&b->m.publish_errors, 1); /* the other instances read it from the store */
        return;
    }
    struct pub_item *it = xcalloc(1, sizeof(*it));
    it->seq = seq;
    snprintf(it->type, sizeof(it->type), "%s", type);
    it->data = xmalloc(len + 1);
    memcpy(it->data, data, len);
    it->data[len] = '\0';
    it->len = len;
    if (b->pub_tail)
        b->pub_tail->next = it;
    else
        b->pub_head = it;
    b->pub_tail = it;
    b->pub_n++;
    pthread_cond_signal(&b->pub_wake);
    pthread_mutex_unlock(&b->pub_mu);
}

void
bus_stop(struct bus *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stopping = true;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->mu);
    if (b->pump_running)
        pthread_join(b->pump, NULL);
    b->pump_running = false;
    pthread_mutex_lock(&b->mu);
    b->stopped = true; /* from now on bus_committed hands events to the hub itself */
    for (size_t i = 0; i < BUS_WINDOW; i++) /* readers get what is left from the store */
        if (b->win[i].seq)
            slot_clear(&b->win[i]);
    b->held = 0;
    pthread_mutex_unlock(&b->mu);
    /* The publisher sends what is queued (or counts it while NATS is down), then ends. */
    pthread_mutex_lock(&b->pub_mu);
    b->pub_stopping = true;
    pthread_cond_signal(&b->pub_wake);
    pthread_mutex_unlock(&b->pub_mu);
    if (b->publisher_running)
        pthread_join(b->publisher, NULL);
    b->publisher_running = false;
    close_nats(b);
}

void
bus_free(struct bus *b)
{
    if (!b)
        return;
    if (!b->stopped)
        bus_stop(b);
    /* libnats' own threads (connection, subscription dispatch) end here. */
    nats_CloseAndWait(2000);
    pthread_cond_destroy(&b->wake);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->pub_wake);
    pthread_mutex_destroy(&b->pub_mu);
    xfree(b);
}

static void
counter(struct buf *out, const char *name, const char *help, const char *type, uint64_t v)
{
    buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name,
               (unsigned long long)v);
}

void
bus_metrics_render(struct bus *b, struct buf *out)
{
    if (!b)
        return;
    counter(out, "hark_bus_connected", "1 while connected to NATS, 0 while not.", "gauge",
            atomic_load(&b->connected) ? 1 : 0);
    counter(out, "hark_bus_published_total", "Events published to the NATS stream.", "counter",
            metrics_get(&b->m.published));
    counter(out, "hark_bus_publish_errors_total",
            "Events not published to NATS (refused, failed, timed out, or NATS down); other "
            "instances read them from the database.", "counter",
            metrics_get(&b->m.publish_errors));
    counter(out, "hark_bus_received_total", "Events received from the NATS stream.", "counter",
            metrics_get(&b->m.received));
    counter(out, "hark_bus_repaired_total",
            "Events read from the database to fill a gap in the stream.", "counter",
            metrics_get(&b->m.repaired));
    counter(out, "hark_bus_reorder_waits_total",
            "Times an event arrived before earlier ones and waited for them.", "counter",
            metrics_get(&b->m.reorder_waits));
    counter(out, "hark_bus_holes_skipped_total",
            "Sequence numbers missing from the database that were passed over.", "counter",
            metrics_get(&b->m.holes_skipped));
    counter(out, "hark_bus_disconnects_total", "Connections to NATS lost.", "counter",
            metrics_get(&b->m.disconnects));
}
