/* SPDX-License-Identifier: MIT */
/*
 * server.c - libmicrohttpd glue: request lifecycle, body collection with limits, routing,
 * headers, replies and streamed responses.
 */
#include "base/base.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"

#define DEFAULT_BODY_MAX (64u * 1024)
#define HEADERS_MAX 16

struct http_server {
    struct MHD_Daemon *d;
    const struct http_route *routes;
    size_t nroutes;
    int port;
    atomic_uint active;
};

struct http_req {
    struct MHD_Connection *conn;
    struct http_server *srv;
    struct arena *ar;
    const struct http_route *route;
    struct str params[HTTP_PARAMS_MAX];
    const char *method, *path;
    struct buf body;
    bool body_init, too_big, replied, dispatched;
    struct {
        const char *name, *value;
    } hdrs[HEADERS_MAX];
    size_t nhdrs;
    void *user;
};

/* Matches 'path' against 'pattern', filling params. */
static bool
match(const char *pattern, const char *path, struct str *params)
{
    size_t np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (p[0] == '/' && p[1] == '*' && p[2] == '\0')
            return *u == '/';
        if (*p == '{') {
            const char *close = strchr(p, '}');
            ASSERT(close);
            const char *end = strchr(u, '/');
            size_t len = end ? (size_t)(end - u) : strlen(u);
            if (len == 0 || np >= HTTP_PARAMS_MAX)
                return false;
            params[np++] = (struct str){ u, len };
            p = close + 1;
            u += len;
            continue;
        }
        if (*p != *u)
            return false;
        p++;
        u++;
    }
    return *p == '\0' && *u == '\0';
}

static void
apply_headers(struct http_req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    for (size_t i = 0; i < r->nhdrs; i++)
        MHD_add_response_header(resp, r->hdrs[i].name, r->hdrs[i].value);
}

void
http_add_header(struct http_req *r, const char *name, const char *value)
{
    ASSERT(r->nhdrs < HEADERS_MAX);
    r->hdrs[r->nhdrs].name = arena_strdup(r->ar, name);
    r->hdrs[r->nhdrs].value = arena_strdup(r->ar, value);
    r->nhdrs++;
}

void
http_reply(struct http_req *r, unsigned status, const char *content_type, const char *body,
           size_t len)
{
    ASSERT(!r->replied);
    r->replied = true;
    if (arena_failed(r->ar) && status < 500) {
        /* The request ran past its arena cap (base/arena.h): what the handler built may be
         * incomplete, so it fails alone with an error instead of its answer. */
        static const char err[] = "{\"error\":{\"code\":\"internal\",\"message\":"
                                  "\"the request ran past its memory limit\"}}";
        status = 500;
        content_type = "application/json";
        body = err;
        len = sizeof(err) - 1;
        r->nhdrs = 0;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    apply_headers(r, resp);
    MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
}

void
http_reply_json(struct http_req *r, unsigned status, const char *json, size_t len)
{
    http_add_header(r, "Cache-Control", "no-store");
    http_reply(r, status, "application/json", json, len);
}

struct stream {
    http_stream_fn *fn;
    http_stream_done_fn *done;
    void *ctx;
    struct http_server *srv;
};

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    (void)pos;
    ssize_t n = s->fn(s->ctx, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void
stream_free(void *cls)
{
    struct stream *s = cls;
    if (s->done)
        s->done(s->ctx);
    atomic_fetch_sub(&s->srv->active, 1);
    xfree(s);
}

void
http_reply_stream(struct http_req *r, const char *content_type, http_stream_fn *fn,
                  http_stream_done_fn *done, void *ctx)
{
    ASSERT(!r->replied);
    r->replied = true;
    struct stream *s = xcalloc(1, sizeof(*s));
    s->fn = fn;
    s->done = done;
    s->ctx = ctx;
    s->srv = r->srv;
    atomic_fetch_add(&r->srv->active, 1);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, s, stream_free);
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    apply_headers(r, resp);
    MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
}

static void
dispatch(struct http_req *r)
{
    struct http_server *srv = r->srv;
    bool path_matched = false;
    for (size_t i = 0; i < srv->nroutes; i++) {
        const struct http_route *rt = &srv->routes[i];
        struct str params[HTTP_PARAMS_MAX] = { 0 };
        /* A path some route serves with another method is a 405, not the catch-all's. */
        if (path_matched && strcmp(rt->pattern, "/*") == 0)
            break;
        if (!match(rt->pattern, r->path, params))
            continue;
        path_matched = true;
        if (strcmp(rt->method, "*") != 0 && strcmp(rt->method, r->method) != 0)
            continue;
        r->route = rt;
        memcpy(r->params, params, sizeof(params));
        return;
    }
    r->route = NULL;
    if (path_matched)
        http_reply_error_status(r, 405, "method_not_allowed", "method not allowed on this path");
    else
        http_reply_error_status(r, 404, "not_found", "no such endpoint");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    struct http_server *srv = cls;
    struct http_req *r = *req_cls;
    (void)version;

    if (!r) {
        struct arena *ar = arena_new(HARK_REQ_ARENA_MAX);
        r = ARENA_NEW(ar, struct http_req);
        r->ar = ar;
        r->conn = conn;
        r->srv = srv;
        r->method = arena_strdup(ar, method);
        r->path = arena_strdup(ar, url);
        *req_cls = r;
        dispatch(r);
        if (r->replied)
            return MHD_YES;
        size_t max = r->route->max_body ? r->route->max_body : DEFAULT_BODY_MAX;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        int64_t n;
        if (cl && str_to_i64(str_c(cl), 0, INT64_MAX, &n) == 0 && (uint64_t)n > max) {
            http_reply_error(r, ERR_TOOBIG, "request body too large");
            return MHD_YES;
        }
        buf_init(&r->body, max);
        r->body_init = true;
        return MHD_YES;
    }
    if (r->replied) {
        *upload_size = 0; /* discard the rest of a body we already answered */
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big) {
            buf_add(&r->body, upload, *upload_size);
            r->too_big = buf_error(&r->body) < 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_big) {
        http_reply_error(r, ERR_TOOBIG, "request body too large");
        return MHD_YES;
    }
    r->dispatched = true;
    r->route->fn(r, r->route->ctx);
    if (!r->replied) {
        log_error("http", "handler sent no reply", "path=%s", r->path);
        http_reply_error(r, ERR_IO, "internal error");
    }
    return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http_req *r = *req_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!r)
        return;
    if (r->body_init)
        buf_release(&r->body);
    arena_free(r->ar);
    *req_cls = NULL;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '"'))
        line[--n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '"')
            line[i] = '\'';
    }
    log_debug("http", "mhd", "detail=\"%s\"", line);
}

int
http_server_start(const struct http_config *cfg, const struct http_route *routes, size_t n,
                  struct http_server **out)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port) };
    if (inet_pton(AF_INET, cfg->addr ? cfg->addr : "127.0.0.1", &sa.sin_addr) != 1)
        return ERR_INVAL;
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->routes = routes;
    s->nroutes = n;
    s->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
            MHD_USE_POLL,
        (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(cfg->max_conns ? cfg->max_conns : 1024), MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(cfg->timeout_s ? cfg->timeout_s : 120), MHD_OPTION_THREAD_STACK_SIZE,
        (size_t)(512 * 1024), MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
    if (!s->d) {
        xfree(s);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    *out = s;
    return 0;
}

int
http_server_port(struct http_server *s)
{
    return s->port;
}

unsigned
http_server_active(struct http_server *s)
{
    return atomic_load(&s->active);
}

void
http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    xfree(s);
}

/* ---- request accessors -------------------------------------------------------------------- */

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
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_cookie(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

struct str
http_body(struct http_req *r)
{
    return r->body_init ? buf_str(&r->body) : STR_NULL;
}

const char *
http_client(struct http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[64] = "unknown";
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)ci->client_addr;
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    }
    return arena_strdup(r->ar, text);
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
