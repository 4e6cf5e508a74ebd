/* SPDX-License-Identifier: MIT */
/*
 * listen_ws.c - the Bluesky Jetstream source: a libwebsockets client on
 * /subscribe?wantedCollections=app.bsky.feed.post[&cursor=T], decoding each JSON text frame.
 *
 * Resume (PROTOCOLS.md §8.4): the cursor is the time_us of the last delivered post; a
 * reconnect (or a restart, through the cursor file) asks for cursor minus 'rewind_us', and the
 * overlap is dropped by the (did, rkey, rev) dedupe in listen_source.c. A connection that
 * stays silent for 30 s is treated as dead and reconnected.
 * One lws context per run, serviced on the caller's thread; a 100 ms timer notices stop
 * requests, since lws_service() ignores its timeout argument.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <libwebsockets.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"

#define FRAME_MAX (4u << 20)
#define IDLE_MS 30000

struct ws {
    struct listen_source *src;
    struct lws_context *ctx;
    struct lws *wsi;
    lws_sorted_usec_list_t tick;
    struct buf frame;     /* a message being reassembled from fragments */
    bool connected;       /* the handshake completed on this attempt */
    bool ever_connected;  /* ... on any attempt: later handshakes count as reconnects */
    bool closed;          /* the connection ended (error, close, or our own stop) */
    bool oversize;        /* the current message went past FRAME_MAX: drop it */
    int64_t last_rx_ms;
    int http_status;
};

static void
on_frame(struct ws *w)
{
    struct listen_source *src = w->src;
    struct listen_post p;
    int rc;

    src->stats.events++;
    rc = listen_decode_jetstream(src->dec, buf_str(&w->frame), &p);
    if (rc != 1) {
        src->stats.skipped++;
        return;
    }
    if (listen__deliver(src, &p) < 0)
        atomic_store(&src->stop, true);
    listen__cursor_save(src, false);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct ws *w = lws_get_opaque_user_data(wsi);

    (void)user;
    if (!w)
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (w->ever_connected)
            w->src->stats.reconnects++;
        w->connected = true;
        w->ever_connected = true;
        w->last_rx_ms = clock_mono_ms();
        log_debug("listen", "jetstream connected", "host=%s", w->src->host);
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        w->last_rx_ms = clock_mono_ms();
        if (lws_is_first_fragment(wsi)) {
            buf_reset(&w->frame);
            w->oversize = false;
        }
        if (!w->oversize) {
            buf_add(&w->frame, in, len);
            w->oversize = buf_error(&w->frame) < 0;
        }
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            if (w->oversize)
                w->src->stats.skipped++;
            else if (!lws_frame_is_binary(wsi))
                on_frame(w);
            buf_reset(&w->frame);
        }
        if (atomic_load(&w->src->stop))
            return -1;
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        log_warn("listen", "jetstream connect failed", "host=%s reason=\"%s\"", w->src->host,
                 in ? (const char *)in : "");
        w->closed = true;
        w->wsi = NULL;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        w->closed = true;
        w->wsi = NULL;
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    { "jetstream", callback, 0, 65536, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void
tick(lws_sorted_usec_list_t *sul)
{
    struct ws *w = CONTAINER_OF(sul, struct ws, tick);

    if (w->wsi && (atomic_load(&w->src->stop) ||
                   (w->connected && clock_mono_ms() - w->last_rx_ms > IDLE_MS))) {
        /* Ask lws to close: a writeable callback would do it, but setting a zero timeout
         * is the documented way to drop a connection from outside its callback. */
        lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    lws_sul_schedule(w->ctx, 0, &w->tick, tick, 100 * LWS_US_PER_MS);
}

static void
lws_log(int level, const char *line)
{
    (void)level;
    (void)line; /* libwebsockets' own chatter; our callbacks log what matters */
}

int
listen__ws_run(struct listen_source *src, struct errmsg *em)
{
    struct lws_context_creation_info info;
    struct ws w = { .src = src };
    int failures = 0, rc = 0;

    lws_set_log_level(LLL_ERR, lws_log);
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = src->opts.tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
    info.gid = -1;
    info.uid = -1;
    w.ctx = lws_create_context(&info);
    if (!w.ctx)
        return errmsg_set(em, ERR_IO, "cannot create the websocket context");
    buf_init(&w.frame, FRAME_MAX);
    lws_sul_schedule(w.ctx, 0, &w.tick, tick, 100 * LWS_US_PER_MS);
    while (!atomic_load(&src->stop)) {
        struct lws_client_connect_info ci;
        char path[2048];
        int n;

        if (src->stats.cursor > 0)
            n = snprintf(path, sizeof(path), "%s%swantedCollections=app.bsky.feed.post&cursor=%lld",
                         src->path, strchr(src->path, '?') ? "&" : "?",
                         (long long)(src->stats.cursor - src->opts.rewind_us));
        else
            n = snprintf(path, sizeof(path), "%s%swantedCollections=app.bsky.feed.post", src->path,
                         strchr(src->path, '?') ? "&" : "?");
        if (n < 0 || (size_t)n >= sizeof(path)) {
            rc = errmsg_set(em, ERR_INVAL, "jetstream path is too long");
            break;
        }
        memset(&ci, 0, sizeof(ci));
        ci.context = w.ctx;
        ci.address = src->host;
        ci.port = src->port;
        ci.path = path;
        ci.host = src->host;
        ci.origin = src->host;
        ci.ssl_connection = src->opts.tls ? LCCSCF_USE_SSL : 0;
        ci.local_protocol_name = "jetstream";
        ci.pwsi = &w.wsi;
        ci.opaque_user_data = &w;
        w.connected = false;
        w.closed = false;
        if (!lws_client_connect_via_info(&ci))
            w.closed = true;
        while (!w.closed)
            lws_service(w.ctx, 0);
        if (atomic_load(&src->stop))
            break;
        if (w.connected) {
            failures = 0;
        } else {
            failures++;
        }
        src->stats.failures = failures;
        listen__cursor_save(src, true);
        if (src->opts.once)
            break;
        if (failures >= src->opts.max_reconnects) {
            rc = errmsg_set(em, ERR_UPSTREAM, "jetstream '%s': %d failed connects in a row",
                            src->host, failures);
            break;
        }
        if (!listen__backoff(src, failures))
            break;
    }
    lws_sul_cancel(&w.tick);
    lws_context_destroy(w.ctx);
    buf_release(&w.frame);
    return rc;
}
