/* SPDX-License-Identifier: MIT */
/*
 * listen_sse.c - the Mastodon streaming source: Server-Sent Events from
 * /api/v1/streaming/public (or hashtag, list, ...) over fetch_stream_get, framed here:
 * "event:" and "data:" lines, a blank line ends an event, lines starting with ':' are
 * heartbeats (PROTOCOLS.md §9.1). Only "update" events carry new posts; their data is a
 * Status object. Streaming has no replay, so a reconnect resumes live and the gap is lost;
 * posts repeated by a server around a reconnect are dropped by the id dedupe.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include "base/buf.h"
#include "base/log.h"
#include "fetch/fetch_stream.h"

#define EVENT_MAX (1u << 20)

struct sse {
    struct listen_source *src;
    struct buf line;   /* the current line, without its terminator */
    struct buf event;  /* the current event name */
    struct buf data;   /* the current data, lines joined with '\n' */
    bool oversize;
    bool got_bytes;      /* this connection delivered bytes */
    bool ever_connected; /* ... or an earlier one did: later ones count as reconnects */
};

static int
dispatch(struct sse *e)
{
    struct listen_source *src = e->src;
    struct listen_post p;
    int rc = 0;

    if (e->data.len > 0 || e->event.len > 0) {
        src->stats.events++;
        if (!e->oversize && str_eq_c(buf_str(&e->event), "update") &&
            listen_decode_mastodon(src->dec, buf_str(&e->data), &p) == 1)
            rc = listen__deliver(src, &p);
        else
            src->stats.skipped++;
    }
    buf_reset(&e->event);
    buf_reset(&e->data);
    e->oversize = false;
    return rc;
}

static int
on_line(struct sse *e, struct str l)
{
    struct str field = l, value = STR_NULL;

    if (l.len == 0)
        return dispatch(e);
    if (l.p[0] == ':')
        return 0; /* heartbeat ":thump" or a comment */
    if (str_cut(l, ':', &field, &value) && value.len > 0 && value.p[0] == ' ') {
        value.p++;
        value.len--;
    }
    if (str_eq_c(field, "event")) {
        buf_reset(&e->event);
        buf_add(&e->event, value.p, value.len);
        if (buf_error(&e->event) < 0)
            e->oversize = true;
    } else if (str_eq_c(field, "data")) {
        if (e->data.len > 0)
            buf_addc(&e->data, '\n');
        buf_add(&e->data, value.p, value.len);
        if (buf_error(&e->data) < 0)
            e->oversize = true;
    }
    return 0;
}

static int
on_chunk(const char *p, size_t n, void *arg)
{
    struct sse *e = arg;
    int rc;

    if (!e->got_bytes && e->ever_connected)
        e->src->stats.reconnects++;
    e->got_bytes = true;
    e->ever_connected = true;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n') {
            struct str l = buf_str(&e->line);
            if (l.len > 0 && l.p[l.len - 1] == '\r')
                l.len--;
            rc = on_line(e, l);
            buf_reset(&e->line);
            if (rc < 0)
                return rc;
            if (atomic_load(&e->src->stop))
                return 0;
            continue;
        }
        buf_addc(&e->line, c);
        if (buf_error(&e->line) < 0)
            e->oversize = true; /* the line is cut; the event is dropped at dispatch */
    }
    return 0;
}

int
listen__sse_run(struct listen_source *src, struct errmsg *em)
{
    struct sse e = { .src = src };
    char url[2048];
    int failures = 0, rc = 0, n;

    n = snprintf(url, sizeof(url), "%s://%s:%d%s", src->opts.tls ? "https" : "http", src->host,
                 src->port, src->path);
    if (n < 0 || (size_t)n >= sizeof(url))
        return errmsg_set(em, ERR_INVAL, "mastodon url is too long");
    buf_init(&e.line, EVENT_MAX);
    buf_init(&e.event, 256);
    buf_init(&e.data, EVENT_MAX);
    while (!atomic_load(&src->stop)) {
        struct fetch_stream_opts o = {
            .url = url,
            .bearer = src->opts.token,
            .accept = "text/event-stream",
            .stop = &src->stop,
        };
        struct errmsg ferr = { 0 };
        long status = 0;

        e.got_bytes = false;
        buf_reset(&e.line);
        buf_reset(&e.event);
        buf_reset(&e.data);
        rc = fetch_stream_get(&o, on_chunk, &e, &status, &ferr);
        if (src->cb_rc < 0 || atomic_load(&src->stop))
            break;
        if (rc < 0)
            log_warn("listen", "mastodon stream ended", "host=%s err=%s status=%ld", src->host,
                     err_str(rc), status);
        if (status / 100 == 2 && e.got_bytes) {
            failures = 0;
        } else {
            failures++;
        }
        src->stats.failures = failures;
        rc = 0;
        if (src->opts.once)
            break;
        if (status == 401 || status == 403) {
            rc = errmsg_set(em, ERR_AUTH, "mastodon '%s' refused the token (HTTP %ld)", src->host,
                            status);
            break;
        }
        if (failures >= src->opts.max_reconnects) {
            rc = errmsg_set(em, ERR_UPSTREAM, "mastodon '%s': %d failed connects in a row: %s",
                            src->host, failures, ferr.text);
            break;
        }
        if (!listen__backoff(src, failures))
            break;
    }
    buf_release(&e.line);
    buf_release(&e.event);
    buf_release(&e.data);
    return rc;
}
