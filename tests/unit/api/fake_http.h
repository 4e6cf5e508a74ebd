/* SPDX-License-Identifier: MIT */
/*
 * fake_http.h - a test double of the HTTP server for calling api handlers directly: it
 * implements the request and reply functions of http/http.h over a plain struct that the test
 * fills and reads, with no socket and no libmicrohttpd. Test binaries under tests/unit/api/
 * link it (tests/unit/api/fake_http.c) in place of the src/http/ files that run the server on
 * libmicrohttpd (server.c, stream.c, conns.c, pool.c); the rest of src/http/ stays real: the
 * ERR_* -> status table and JSON error bodies (reply.c), static files (static.c), the SSE
 * writer (sse.c). Streams and the server's lifecycle are not in the double: calling them
 * aborts the test.
 *
 *     struct http_req r;
 *     fake_req_init(&r, "POST", "/api/v1/login");
 *     fake_req_json(&r, "{\"email\":\"a@b.c\"}");
 *     fake_req_run(&r, routes, nroutes);     (route match, body limit, then the handler)
 *     CHECK_INT(r.status, 422);
 *     fake_req_release(&r);
 */
#ifndef HARK_TEST_FAKE_HTTP_H
#define HARK_TEST_FAKE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"
#include "http/http.h"

#define FAKE_PAIRS_MAX 16

struct fake_pair {
    const char *name;
    const char *value;
};

struct http_req {
    /* The request, set by the test (strings borrowed; they must outlive
     * fake_req_run). */
    const char *method;
    const char *path;
    const char *client; /* "127.0.0.1" unless set */
    struct fake_pair headers[FAKE_PAIRS_MAX], query[FAKE_PAIRS_MAX], cookies[FAKE_PAIRS_MAX];
    size_t nheaders, nquery, ncookies;
    struct str body;
    /* Set by fake_req_run for the handler. */
    struct str params[HTTP_PARAMS_MAX];
    struct arena *ar;
    void *user;
    int64_t agent_id, token_id; /* as http_set_principal recorded them */
    /* The reply, as the handler gave it. 'reply' is NUL-terminated (malloc'd). */
    bool replied;
    unsigned status;
    const char *content_type;
    char *reply;
    size_t reply_len;
    struct fake_pair out[FAKE_PAIRS_MAX]; /* headers added by the handler */
    size_t nout;
    /* http_capture and http_keep_reply. */
    bool capturing, keep;
    unsigned cap_status;
    struct str cap_body, kept;
};

/* An empty request for 'method' 'path' (no header, query or body) with an arena of its own. */
void fake_req_init(struct http_req *r, const char *method, const char *path);
/* Adds a request header, a (decoded) query argument or a cookie. */
void fake_req_header(struct http_req *r, const char *name, const char *value);
void fake_req_query(struct http_req *r, const char *name, const char *value);
void fake_req_cookie(struct http_req *r, const char *name, const char *value);
/* Sets the body and "Content-Type: application/json". */
void fake_req_json(struct http_req *r, const char *body);
/* Dispatches as the server does: the first route whose pattern matches the path
 * and whose method matches (404 not_found when no pattern matches, 405 when
 * only the method differs), 413 when the body exceeds the route's max_body (0:
 * 64 KiB), else the handler runs. Fails the test (abort) when the handler
 * returns without replying. */
void fake_req_run(struct http_req *r, const struct http_route *routes, size_t n);
/* A header the handler added (the last one of that name), or NULL. */
const char *fake_req_reply_header(const struct http_req *r, const char *name);
void fake_req_release(struct http_req *r);

#endif
