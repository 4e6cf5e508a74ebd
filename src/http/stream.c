/* SPDX-License-Identifier: MIT */
/*
 * stream.c - long-lived streamed responses (Server-Sent Events) without a thread each.
 *
 * A stream owns a buffer of bytes ready for the socket. libmicrohttpd's I/O thread copies out
 * of it; when it is empty the connection is suspended (no thread, no polling) until there is
 * more. More comes from the owner's fill callback, which runs on a pool worker (it may read
 * the store) whenever the stream was woken and its buffer has drained: a slow reader is never
 * filled ahead, so its backlog stays in the hub or the store, not in memory. Heartbeats are
 * written by the server's ticker. The stream is freed when libmicrohttpd releases the
 * response and no fill is running; the owner's 'done' runs then, exactly once.
 */
#include "base/base.h"
#include "http/http_int.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"

#define STREAM_BUF_MAX (4u << 20)
#define STREAM_KEEP_CAP (16u << 10) /* a drained buffer larger than this is released */
#define HEARTBEAT_MAX 64

struct http_stream {
    struct http_server *srv;
    struct MHD_Connection *conn;
    http_stream_fill_fn *fill;
    http_stream_done_fn *done;
    void *ctx;
    char heartbeat[HEARTBEAT_MAX];
    int64_t heartbeat_ms;
    struct http__job job;
    struct buf scratch; /* written by the fill, only while 'filling' */
    pthread_mutex_t mu; /* guards everything below */
    struct buf out;     /* bytes for the socket; out.p[off..len) not yet sent */
    size_t off;
    bool want;      /* woken since the last fill started */
    bool filling;   /* a fill is queued or running */
    bool suspended; /* we suspended the connection until there are bytes */
    bool ended;     /* no more fills: send what is left, then end the response */
    bool closed;    /* libmicrohttpd released the response: never touch 'conn' again */
    int refs;       /* the response's, plus one while a fill is queued or running */
    int64_t last_ms; /* bytes last handed to the socket (monotonic) */
    struct http_stream *prev, *next; /* srv->streams, under its own lock */
};

static void fill_run(struct http__job *j, bool cancelled);

static void
finalize(struct http_stream *s)
{
    struct http__stream_list *l = &s->srv->streams;
    pthread_mutex_lock(&l->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        l->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    l->n--;
    pthread_mutex_unlock(&l->mu);
    if (s->done)
        s->done(s->ctx);
    buf_release(&s->out);
    buf_release(&s->scratch);
    pthread_mutex_destroy(&s->mu);
    xfree(s);
}

/* Lets the I/O thread copy again. Caller holds s->mu. */
static void
resume_locked(struct http_stream *s)
{
    if (s->suspended && !s->closed) {
        s->suspended = false;
        MHD_resume_connection(s->conn);
    }
}

/* Starts a fill when one is wanted and the buffer has drained. Caller holds s->mu. */
static void
maybe_fill_locked(struct http_stream *s)
{
    if (!s->want || s->filling || s->ended || s->closed || s->off < s->out.len)
        return;
    s->want = false;
    s->filling = true;
    s->refs++;
    s->job.run = fill_run;
    if (http__pool_push_fill(s->srv->pool, &s->job) < 0) {
        s->filling = false;
        s->refs--;
        s->ended = true;
        resume_locked(s);
    }
}

static void
fill_run(struct http__job *j, bool cancelled)
{
    struct http_stream *s = CONTAINER_OF(j, struct http_stream, job);
    pthread_mutex_lock(&s->mu);
    bool skip = cancelled || s->closed || s->ended;
    pthread_mutex_unlock(&s->mu);
    int rc = -1;
    buf_reset(&s->scratch);
    if (!skip)
        rc = s->fill(s->ctx, &s->scratch);
    pthread_mutex_lock(&s->mu);
    if (!skip && s->scratch.len) {
        buf_add(&s->out, s->scratch.p, s->scratch.len);
        if (buf_error(&s->out) < 0)
            rc = -1; /* cannot happen: a fill starts only on a drained buffer of the same limit */
    }
    if (!skip && buf_error(&s->scratch) < 0)
        rc = -1; /* a fill that overflowed its buffer ends the stream rather than send a cut */
    if (s->scratch.cap > STREAM_KEEP_CAP) {
        buf_release(&s->scratch);
        buf_init(&s->scratch, STREAM_BUF_MAX);
    }
    if (rc < 0)
        s->ended = true;
    else if (rc > 0)
        s->want = true; /* the owner has more ready: fill again once this is sent */
    s->filling = false;
    if (s->off < s->out.len || s->ended)
        resume_locked(s);
    else
        maybe_fill_locked(s); /* nothing now, but woken meanwhile: look again */
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&s->mu);
    if (last)
        finalize(s);
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct http_stream *s = cls;
    (void)pos;
    pthread_mutex_lock(&s->mu);
    if (s->off < s->out.len) {
        size_t n = s->out.len - s->off;
        if (n > max)
            n = max;
        memcpy(out, s->out.p + s->off, n);
        s->off += n;
        if (s->off == s->out.len) {
            s->off = 0;
            if (s->out.cap > STREAM_KEEP_CAP) {
                buf_release(&s->out);
                buf_init(&s->out, STREAM_BUF_MAX);
            } else {
                buf_reset(&s->out);
            }
            maybe_fill_locked(s);
        }
        s->last_ms = clock_mono_ms();
        pthread_mutex_unlock(&s->mu);
        return (ssize_t)n;
    }
    if (s->ended) {
        pthread_mutex_unlock(&s->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    maybe_fill_locked(s);
    if (s->ended) { /* the pool refused the fill */
        pthread_mutex_unlock(&s->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* Nothing to send: park the connection until a fill or a heartbeat resumes it. */
    s->suspended = true;
    MHD_suspend_connection(s->conn);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static void
finalize_run(struct http__job *j, bool cancelled)
{
    (void)cancelled; /* a release is never skipped */
    finalize(CONTAINER_OF(j, struct http_stream, job));
}

static void
stream_release(void *cls)
{
    struct http_stream *s = cls;
    pthread_mutex_lock(&s->mu);
    s->closed = true;
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&s->mu);
    if (!last)
        return;
    /* This is an I/O thread, and the owner's 'done' may block (agent presence writes the
     * store): let a worker run it. No fill holds 'job' once the last reference is gone. */
    s->job.run = finalize_run;
    if (http__pool_push_fill(s->srv->pool, &s->job) < 0)
        finalize(s); /* the pool has stopped: the server is closing, blocking is fine */
}

struct http_stream *
http_reply_stream(struct http_req *r, const char *content_type, const char *heartbeat,
                  int heartbeat_ms, http_stream_fill_fn *fill, http_stream_done_fn *done,
                  void *ctx)
{
    struct http_stream *s = xcalloc(1, sizeof(*s));
    struct http_server *srv = http__req_server(r);
    s->srv = srv;
    s->conn = http__req_conn(r);
    s->fill = fill;
    s->done = done;
    s->ctx = ctx;
    snprintf(s->heartbeat, sizeof(s->heartbeat), "%s", heartbeat ? heartbeat : "");
    s->heartbeat_ms = heartbeat_ms > 0 ? heartbeat_ms : 15000;
    buf_init(&s->out, STREAM_BUF_MAX);
    buf_init(&s->scratch, STREAM_BUF_MAX);
    pthread_mutex_init(&s->mu, NULL);
    /* The first fill writes the stream's opening. A HEAD gets the headers only and ends at
     * once: no fill runs, 'done' follows when libmicrohttpd releases the response. */
    s->want = strcmp(http_method(r), "HEAD") != 0;
    s->ended = !s->want;
    s->refs = 1;
    s->last_ms = clock_mono_ms();
    struct http__stream_list *l = &srv->streams;
    pthread_mutex_lock(&l->mu);
    s->next = l->head;
    if (l->head)
        l->head->prev = s;
    l->head = s;
    l->n++;
    pthread_mutex_unlock(&l->mu);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, s,
                                          stream_release);
    /* libmicrohttpd 0.9.75 would still send a chunked body's last chunk after a HEAD's
     * headers: answered without chunking (its end is the connection's close), a HEAD gets
     * none. */
    if (s->ended)
        MHD_set_response_options(resp, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    http__req_set_response(r, MHD_HTTP_OK, resp, true);
    return s;
}

void
http_stream_wake(struct http_stream *s)
{
    pthread_mutex_lock(&s->mu);
    if (!s->closed && !s->ended) {
        s->want = true;
        maybe_fill_locked(s);
    }
    pthread_mutex_unlock(&s->mu);
}

void
http__streams_tick(struct http_server *srv, int64_t now_ms)
{
    struct http__stream_list *l = &srv->streams;
    pthread_mutex_lock(&l->mu);
    for (struct http_stream *s = l->head; s; s = s->next) {
        pthread_mutex_lock(&s->mu);
        if (!s->closed && !s->ended && !s->filling && s->off == s->out.len &&
            now_ms - s->last_ms >= s->heartbeat_ms && s->heartbeat[0]) {
            buf_adds(&s->out, s->heartbeat);
            s->last_ms = now_ms;
            resume_locked(s);
        }
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_unlock(&l->mu);
}

void
http__streams_end(struct http_server *srv)
{
    struct http__stream_list *l = &srv->streams;
    pthread_mutex_lock(&l->mu);
    for (struct http_stream *s = l->head; s; s = s->next) {
        pthread_mutex_lock(&s->mu);
        s->ended = true;
        resume_locked(s);
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_unlock(&l->mu);
}

size_t
http_server_streams(struct http_server *srv)
{
    pthread_mutex_lock(&srv->streams.mu);
    size_t n = srv->streams.n;
    pthread_mutex_unlock(&srv->streams.mu);
    return n;
}
