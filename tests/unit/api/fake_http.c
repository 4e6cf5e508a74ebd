/* SPDX-License-Identifier: MIT */
/*
 * fake_http.c - the test double of the HTTP server described in fake_http.h.
 */
#include "fake_http.h"
#include "base/base.h"

#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"

#define FAKE_BODY_MAX (64u * 1024) /* as the server's default */

void
fake_req_init(struct http_req *r, const char *method, const char *path)
{
    memset(r, 0, sizeof(*r));
    r->method = method;
    r->path = path;
    r->client = "127.0.0.1";
    r->ar = arena_new(1 << 20);
}

static void
add_pair(struct fake_pair *set, size_t *n, const char *name, const char *value)
{
    if (*n >= FAKE_PAIRS_MAX) {
        fprintf(stderr, "fake_http: more than %d pairs\n", FAKE_PAIRS_MAX);
        abort();
    }
    set[*n].name = name;
    set[*n].value = value;
    (*n)++;
}

static const char *
find_pair(const struct fake_pair *set, size_t n, const char *name, bool nocase)
{
    const char *v = NULL;
    for (size_t i = 0; i < n; i++) {
        if (nocase ? strcasecmp(set[i].name, name) == 0 : strcmp(set[i].name, name) == 0)
            v = set[i].value;
    }
    return v;
}

void
fake_req_header(struct http_req *r, const char *name, const char *value)
{
    add_pair(r->headers, &r->nheaders, name, value);
}

void
fake_req_query(struct http_req *r, const char *name, const char *value)
{
    add_pair(r->query, &r->nquery, name, value);
}

void
fake_req_cookie(struct http_req *r, const char *name, const char *value)
{
    add_pair(r->cookies, &r->ncookies, name, value);
}

void
fake_req_json(struct http_req *r, const char *body)
{
    r->body = str_c(body);
    fake_req_header(r, "Content-Type", "application/json");
}

/* The server's pattern match: {x} is one non-empty segment, a trailing
 * slash-star any rest. */
static bool
match(const char *pattern, const char *path, struct str *params)
{
    size_t np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (p[0] == '/' && p[1] == '*' && p[2] == '\0')
            return *u == '/';
        if (*p == '{') {
            const char *end = strchr(u, '/');
            size_t len = end ? (size_t)(end - u) : strlen(u);
            if (len == 0 || np >= HTTP_PARAMS_MAX)
                return false;
            params[np++] = (struct str){ u, len };
            p = strchr(p, '}') + 1;
            u += len;
            continue;
        }
        if (*p++ != *u++)
            return false;
    }
    return *p == '\0' && *u == '\0';
}

void
fake_req_run(struct http_req *r, const struct http_route *routes, size_t n)
{
    bool path_matched = false;
    for (size_t i = 0; i < n; i++) {
        const struct http_route *rt = &routes[i];
        struct str params[HTTP_PARAMS_MAX] = { 0 };
        if (path_matched && strcmp(rt->pattern, "/*") == 0)
            break;
        if (!match(rt->pattern, r->path, params))
            continue;
        path_matched = true;
        if (strcmp(rt->method, "*") != 0 && strcmp(rt->method, r->method) != 0)
            continue;
        memcpy(r->params, params, sizeof(params));
        if (r->body.len > (rt->max_body ? rt->max_body : FAKE_BODY_MAX)) {
            http_reply_error(r, ERR_TOOBIG, "request body too large");
            return;
        }
        rt->fn(r, rt->ctx);
        if (!r->replied) {
            fprintf(stderr, "fake_http: %s %s returned without a reply\n", r->method, r->path);
            abort();
        }
        return;
    }
    if (path_matched)
        http_reply_error_status(r, 405, "method_not_allowed", "method not allowed on this path");
    else
        http_reply_error_status(r, 404, "not_found", "no such endpoint");
}

const char *
fake_req_reply_header(const struct http_req *r, const char *name)
{
    return find_pair(r->out, r->nout, name, true);
}

void
fake_req_release(struct http_req *r)
{
    free(r->reply);
    arena_free(r->ar);
    memset(r, 0, sizeof(*r));
}

/* ---- http.h, as the handlers see it
 * ------------------------------------------------------ */

const char *
http_method(struct http_req *r)
{
    return r->method;
}

const char *
http_path(struct http_req *r)
{
    return r->path;
}

const char *
http_header(struct http_req *r, const char *name)
{
    return find_pair(r->headers, r->nheaders, name, true);
}

const char *
http_query(struct http_req *r, const char *name)
{
    return find_pair(r->query, r->nquery, name, false);
}

const char *
http_cookie(struct http_req *r, const char *name)
{
    return find_pair(r->cookies, r->ncookies, name, false);
}

struct str
http_body(struct http_req *r)
{
    return r->body;
}

const char *
http_client(struct http_req *r)
{
    return arena_strdup(r->ar, r->client);
}

struct str
http_param(struct http_req *r, size_t i)
{
    return i < HTTP_PARAMS_MAX ? r->params[i] : STR_NULL;
}

struct arena *
http_arena(struct http_req *r)
{
    return r->ar;
}

void *
http_user(struct http_req *r)
{
    return r->user;
}

void
http_set_user(struct http_req *r, void *p)
{
    r->user = p;
}

void
http_set_principal(struct http_req *r, int64_t agent_id, int64_t token_id)
{
    r->agent_id = agent_id;
    r->token_id = token_id;
}

const char *
http_request_id(struct http_req *r)
{
    (void)r;
    return "fake-request";
}

void
http_capture(struct http_req *r, http_handler_fn *fn, void *ctx, unsigned *status,
             struct buf *body)
{
    size_t nout = r->nout;
    struct arena *own = r->ar;
    r->ar = arena_new(16u << 20);
    r->capturing = true;
    r->cap_status = 0;
    r->cap_body = (struct str){ "", 0 };
    fn(r, ctx);
    r->capturing = false;
    *status = r->cap_status;
    buf_add(body, r->cap_body.p, r->cap_body.len);
    arena_free(r->ar);
    r->ar = own;
    r->nout = nout;
}

void
http_keep_reply(struct http_req *r)
{
    r->keep = true;
}

unsigned
http_reply_status(struct http_req *r)
{
    return r->replied ? r->status : 0;
}

struct str
http_reply_body(struct http_req *r)
{
    return r->kept.p ? r->kept : (struct str){ "", 0 };
}

/* No server, so no per-route metrics: writes nothing. */
void
http_server_metrics(struct http_server *s, struct buf *out)
{
    (void)s;
    (void)out;
}

void
http_add_header(struct http_req *r, const char *name, const char *value)
{
    add_pair(r->out, &r->nout, arena_strdup(r->ar, name), arena_strdup(r->ar, value));
}

void
http_reply(struct http_req *r, unsigned status, const char *content_type, const char *body,
           size_t len)
{
    if (r->capturing) {
        r->cap_status = status;
        r->cap_body = (struct str){ arena_strndup(r->ar, body ? body : "", len), len };
        return;
    }
    if (r->keep)
        r->kept = (struct str){ arena_strndup(r->ar, body ? body : "", len), len };
    if (r->replied) {
        fprintf(stderr, "fake_http: %s %s replied twice\n", r->method, r->path);
        abort();
    }
    r->replied = true;
    r->status = status;
    r->content_type = arena_strdup(r->ar, content_type ? content_type : "");
    r->reply = xmalloc(len + 1);
    memcpy(r->reply, body ? body : "", body ? len : 0);
    r->reply[body ? len : 0] = '\0';
    r->reply_len = body ? len : 0;
}

void
http_reply_json(struct http_req *r, unsigned status, const char *json, size_t len)
{
    http_reply(r, status, "application/json", json, len);
}

/* ---- not in the double
 * -------------------------------------------------------------------- */

static NORETURN void
absent(const char *what)
{
    fprintf(stderr, "fake_http: %s is not in the test double\n", what);
    abort();
}

struct http_stream *
http_reply_stream(struct http_req *r, const char *content_type, const char *heartbeat,
                  int heartbeat_ms, http_stream_fill_fn *fill, http_stream_done_fn *done, void *ctx)
{
    UNUSED(r), UNUSED(content_type), UNUSED(heartbeat), UNUSED(heartbeat_ms), UNUSED(fill);
    UNUSED(done), UNUSED(ctx);
    absent("http_reply_stream");
}

void
http_stream_wake(struct http_stream *s)
{
    UNUSED(s);
    absent("http_stream_wake");
}

int
http_server_start(const struct http_config *cfg, const struct http_route *routes, size_t n,
                  struct http_server **out)
{
    UNUSED(cfg), UNUSED(routes), UNUSED(n), UNUSED(out);
    absent("http_server_start");
}

int
http_server_port(struct http_server *s)
{
    UNUSED(s);
    absent("http_server_port");
}

unsigned
http_server_active(struct http_server *s)
{
    UNUSED(s);
    absent("http_server_active");
}

size_t
http_server_streams(struct http_server *s)
{
    UNUSED(s);
    absent("http_server_streams");
}

void
http_server_stats(struct http_server *s, struct http_server_stats *out)
{
    UNUSED(s), UNUSED(out);
    absent("http_server_stats");
}

void
http_server_stop(struct http_server *s)
{
    UNUSED(s);
    absent("http_server_stop");
}
