/* SPDX-License-Identifier: MIT */
/*
 * http.h - the HTTP server (libmicrohttpd adapter), router, replies and streams.
 *
 * A few I/O threads (libmicrohttpd's epoll mode) move bytes; each complete request runs on a
 * fixed pool of worker threads, so a handler may block - on the store writer's group commit,
 * on argon2 - without stalling other clients, and an open stream holds no thread at all (see
 * http_reply_stream). Connections are limited in total and per client address (beyond the
 * limit: 503 with Retry-After and the connection closed), and a connection must deliver a
 * complete request, header and body, within 'request_timeout_ms' of opening or of its previous
 * response (slowloris); requests beyond what the pool can queue also get a 503. Request bodies
 * are collected up to the route's limit (413 beyond it, before the handler runs). Each request
 * has an arena freed when the request completes; handlers never free. A handler must send
 * exactly one reply before it returns. <microhttpd.h> appears only in this folder.
 *
 * The router follows HTTP's conventions: a HEAD runs the GET route's handler (http_method
 * says "HEAD") and is answered with its status and headers, Content-Length included, and no
 * body; a stream answers a HEAD with its headers and ends at once. A path that routes serve
 * with other methods only is a 405 whose Allow lists them (HEAD beside GET); a path no route
 * serves is a 404. Every 401 carries WWW-Authenticate: the handler's own, else
 * 'Bearer realm="hark"'.
 */
#ifndef HARK_HTTP_H
#define HARK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/str.h"

struct arena;
struct http_req;
struct http_server;

typedef void http_handler_fn(struct http_req *req, void *ctx);

#define HTTP_PARAMS_MAX 4

struct http_route {
    const char *method;  /* "GET" (serves HEAD too), "POST", "PATCH", "DELETE", "OPTIONS";
                          * "*" matches any */
    const char *pattern; /* "/api/v1/conversations/{id}/messages": {x} matches one segment;
                          * a trailing slash-star matches any rest */
    http_handler_fn *fn;
    void *ctx;
    size_t max_body;     /* request body limit in bytes; 0: 64 KiB */
};

struct http_config {
    const char *addr;            /* listen address, e.g. "127.0.0.1" */
    int port;                    /* 0 picks a free port (see http_server_port) */
    unsigned max_conns;          /* open connections served; 0: 16384 (lowered to fit the
                                  * open-files limit) */
    unsigned max_per_client;     /* open connections per client address (IPv6: per /64);
                                  * 0: no limit */
    unsigned request_timeout_ms; /* time for a complete request; 0: 10000 */
    unsigned timeout_s;          /* no byte either way for this long closes; 0: 60 */
    unsigned threads;            /* I/O threads; 0: one per CPU, at most 8 */
    unsigned workers;            /* handler threads; 0: 32 */
    unsigned drain_ms;           /* longest graceful stop; 0: 10000 */
    bool access_log;             /* one logfmt line per request at info level (access.c) */
};

/* Binds and starts serving. Raises the process's open-files limit to its hard limit first. */
int http_server_start(const struct http_config *cfg, const struct http_route *routes, size_t n,
                      struct http_server **out);
/* The port actually bound. */
int http_server_port(struct http_server *s);
/* Number of requests currently being received, handled or streamed. */
unsigned http_server_active(struct http_server *s);
/* Number of open streams. */
size_t http_server_streams(struct http_server *s);

struct http_server_stats {
    uint64_t connections;        /* open now */
    uint64_t streams;            /* open now */
    uint64_t active;             /* requests in progress now, streams included */
    uint64_t queued;             /* requests waiting for a worker now */
    uint64_t refused_over_limit; /* connections answered 503 for a connection limit, total */
    uint64_t refused_busy;       /* requests answered 503 because the queue was full, total */
    uint64_t timed_out;          /* connections closed at the request deadline, total */
};
void http_server_stats(struct http_server *s, struct http_server_stats *out);

/* Appends the per-route request metrics in Prometheus text: hark_http_requests_total{method,
 * route,status} and the histogram hark_http_request_duration_seconds{method,route}. 'route' is
 * the route's pattern ("/api/v1/conversations/{id}"), "static" for the catch-all route (slash-star) and
 * "unmatched" when no route took the request; a request that ended before any reply counts as
 * status 499. Only series that saw a request are written. An overflow is 'out's sticky error.
 * Thread-safe. */
struct buf;
void http_server_metrics(struct http_server *s, struct buf *out);

/* The graceful stop: stops accepting, answers new requests on open connections 503, ends
 * every stream cleanly, lets requests in progress finish for up to 'drain_ms', then closes
 * everything and frees. NULL is a no-op. */
void http_server_stop(struct http_server *s);

/* ---- request ---------------------------------------------------------------------------- */

const char *http_method(struct http_req *r);
const char *http_path(struct http_req *r);
/* Header value (case-insensitive name) or NULL. */
const char *http_header(struct http_req *r, const char *name);
/* Query-string argument (decoded) or NULL. */
const char *http_query(struct http_req *r, const char *name);
/* Cookie value or NULL. */
const char *http_cookie(struct http_req *r, const char *name);
/* The raw body bytes (empty for none). */
struct str http_body(struct http_req *r);
/* The client's address as text ("127.0.0.1"). */
const char *http_client(struct http_req *r);
/* The request's id, sent back as X-Hark-Request-Id and logged in the access log: the client's
 * own X-Hark-Request-Id when it is 1..HTTP_REQUEST_ID_MAX of [A-Za-z0-9._-], else 16 random
 * hex digits. Valid until the request completes. */
#define HTTP_REQUEST_ID_MAX 64
const char *http_request_id(struct http_req *r);
/* Who the request authenticated as, for its access log line (agent=, token=; 0: none). */
void http_set_principal(struct http_req *r, int64_t agent_id, int64_t token_id);
/* The i-th {param} of the matched pattern. */
struct str http_param(struct http_req *r, size_t i);
struct arena *http_arena(struct http_req *r);
/* Per-request slot for the API layer (e.g. the authenticated principal). */
void *http_user(struct http_req *r);
void http_set_user(struct http_req *r, void *p);

/* ---- reply ------------------------------------------------------------------------------ */

/* Adds a response header to the reply about to be sent. Values are copied. */
void http_add_header(struct http_req *r, const char *name, const char *value);
/* Sends 'body' (copied) with 'status'. */
void http_reply(struct http_req *r, unsigned status, const char *content_type, const char *body,
                size_t len);
/* Sends a JSON body (copied). */
void http_reply_json(struct http_req *r, unsigned status, const char *json, size_t len);
/* Sends {"error":{"code","message"}} with the status mapped from 'rc' (one table, reply.c). */
void http_reply_error(struct http_req *r, int rc, const char *message);
/* Same, with an explicit status and code (e.g. 415 "unsupported_media_type"). */
void http_reply_error_status(struct http_req *r, unsigned status, const char *code,
                             const char *message);
/* The HTTP status for an ERR_* code. */
unsigned http_status_for(int rc);

/* ---- reply capture (for the audit log, api/audit.c) ------------------------------------ */

/* Runs 'fn' (a GET route's handler, never one that streams) on request 'r' with its reply
 * captured instead of sent: '*status' gets the status it answered (0: none) and 'body' (the
 * caller's, with its limit; an overflow is its sticky error) the body; headers it added are
 * dropped. The handler runs in an arena of its own (HARK_CAPTURE_ARENA_MAX, freed before the
 * return), so it never uses up 'r''s. 'r''s own reply, sent before or after, is not touched,
 * and the captured handler sees 'r''s method, path, params and user. */
void http_capture(struct http_req *r, http_handler_fn *fn, void *ctx, unsigned *status,
                  struct buf *body);
/* Keeps a copy of the body of the reply 'r' sends next (http_reply_body). */
void http_keep_reply(struct http_req *r);
/* The status of the reply 'r' has sent (0: none yet). */
unsigned http_reply_status(struct http_req *r);
/* The body kept by http_keep_reply: empty when none was kept. Lives as long as the request. */
struct str http_reply_body(struct http_req *r);

/* ---- streams (stream.c) ---------------------------------------------------------------- */

/* A streamed reply that holds no thread while it waits. 'fill' appends what is ready to 'out'
 * (limit 4 MiB) and returns 0 (done for now), 1 (more is ready: call again once this is sent)
 * or -1 (end the stream). It runs on a worker thread, never twice at once for one stream, and
 * may block briefly (store reads). It is called once at the start (write the opening there)
 * and again after http_stream_wake, but only when what it wrote before has been sent, so a slow
 * reader is never filled ahead. After 'heartbeat_ms' without a byte sent, 'heartbeat' (e.g.
 * ": heartbeat\n\n"; "" for none) is sent. 'done' is called exactly once, after the last
 * fill, when the response ends or the client goes away; no wake may follow its return (the
 * owner unsubscribes there). */
struct http_stream;
struct buf;
typedef int http_stream_fill_fn(void *ctx, struct buf *out);
typedef void http_stream_done_fn(void *ctx);
/* Sends the stream as the request's reply. The stream stays valid until 'done' is called. */
struct http_stream *http_reply_stream(struct http_req *r, const char *content_type,
                                      const char *heartbeat, int heartbeat_ms,
                                      http_stream_fill_fn *fill, http_stream_done_fn *done,
                                      void *ctx);
/* Something new may be ready: schedules a fill. Thread-safe, never blocks on I/O; safe from a
 * hub wake callback. */
void http_stream_wake(struct http_stream *s);

/* ---- Server-Sent Events (sse.c) ---------------------------------------------------------- */

/* Appends one event to 'out', for a stream's fill: "id: <seq>\nevent: <type>\ndata: <data>\n\n".
 * Each line of 'data' (its 'len' bytes split at CR, LF or CRLF) gets its own "data: " line, as
 * the SSE spec requires; JSON from the codec has no raw line breaks, so it is one line. 'type'
 * must have no line break. Returns 0, or ERR_TOOBIG when the event does not fit in what is left
 * of 'out': then 'out' is cut back to its length before the call and its error is cleared
 * (buf_truncate), so the caller keeps the whole events before it and may retry this one in the
 * next fill. */
struct buf;
int http_sse_event(struct buf *out, int64_t seq, const char *type, const char *data, size_t len);

/* Appends the opening of a stream: the client's reconnect delay 'retry_ms' and a comment, so
 * the client sees the stream open before the first event. */
void http_sse_open(struct buf *out, int retry_ms);

/* ---- static files (static.c: the web app and the chat widget) ----------------------------- */

/* Serves built front-end assets from one folder. Paths are checked segment by segment before
 * the file system is touched: empty, "." and ".." segments, hidden names (leading '.'),
 * backslashes and control bytes are refused, and the opened file must be a regular file inside
 * the folder (no symlink may lead out of it). Files larger than HTTP_STATIC_MAX are refused.
 * The reply carries the content type for the file's extension, 'cache_control', a strong ETag
 * (hash of the bytes) and answers a matching If-None-Match with 304. */
#define HTTP_STATIC_MAX (8u << 20)

/* Sends 'rel' ("/assets/app-1a2b.js") from the folder 'root' and returns 0, or returns
 * ERR_NOTFOUND (no such file, or a refused path) or ERR_TOOBIG WITHOUT replying, so the caller
 * can fall back (e.g. to index.html) or send its own error. Extra headers set before the call
 * with http_add_header are sent with the file. Thread-safe. */
int http_send_file(struct http_req *r, const char *root, const char *rel,
                   const char *cache_control);
/* The MIME type Hark sends for a file name, by extension ("application/octet-stream" when
 * unknown). Text types carry "; charset=utf-8". */
const char *http_content_type(const char *name);
/* True when 'rel' is a path http_send_file would try to open (see the rules above). */
bool http_static_path_ok(const char *rel);

#endif
