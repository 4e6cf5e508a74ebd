/* SPDX-License-Identifier: MIT */
/*
 * http.h - the HTTP server (libmicrohttpd adapter), router, replies and streams.
 *
 * The server runs one thread per connection (MHD_USE_THREAD_PER_CONNECTION), so a handler may
 * block - on the store writer's group commit, or an SSE stream waiting for events - without
 * stalling any other client; a slow reader only ever holds its own thread. Request bodies are
 * collected up to the route's limit (413 beyond it, before the handler runs). Each request has
 * an arena freed when the request completes; handlers never free. A handler must send exactly
 * one reply before it returns. <microhttpd.h> appears only in this folder.
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
    const char *method;  /* "GET", "POST", "PATCH", "DELETE"; "*" matches any */
    const char *pattern; /* "/api/v1/conversations/{id}/messages": {x} matches one segment;
                          * a trailing slash-star matches any rest */
    http_handler_fn *fn;
    void *ctx;
    size_t max_body;     /* request body limit in bytes; 0: 64 KiB */
};

struct http_config {
    const char *addr;      /* listen address, e.g. "127.0.0.1" */
    int port;              /* 0 picks a free port (see http_server_port) */
    unsigned max_conns;    /* connection limit; 0: 1024 */
    unsigned timeout_s;    /* idle connection timeout; 0: 120 */
};

int http_server_start(const struct http_config *cfg, const struct http_route *routes, size_t n,
                      struct http_server **out);
/* The port actually bound. */
int http_server_port(struct http_server *s);
/* Number of requests currently being handled or streamed. */
unsigned http_server_active(struct http_server *s);
/* Stops accepting, waits for every connection thread, frees. NULL is a no-op. */
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

/* Streams a response: 'fn' is called from the connection's own thread and may block; it
 * writes up to 'max' bytes into 'buf' and returns the count, or -1 to end the stream. 'done'
 * is called once when the stream ends or the client goes away. */
typedef ssize_t http_stream_fn(void *ctx, char *buf, size_t max);
typedef void http_stream_done_fn(void *ctx);
void http_reply_stream(struct http_req *r, const char *content_type, http_stream_fn *fn,
                       http_stream_done_fn *done, void *ctx);

/* Appends 's' JSON-escaped (without quotes) to 'out'; an overflow is the buf's sticky error. */
struct buf;
void http_json_escape(struct buf *out, const char *s);

/* ---- static files (static.c; issue 3: the web app and the chat widget) -------------------- */

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
