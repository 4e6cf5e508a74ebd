/* SPDX-License-Identifier: MIT */
/*
 * server.c - libmicrohttpd glue: request lifecycle, body collection with limits, routing,
 * headers, replies, connection limits and the graceful stop.
 *
 * libmicrohttpd runs a few I/O threads (epoll each). A complete request is handed to the
 * worker pool with its connection suspended, so a blocking handler never stalls the other
 * connections of its I/O thread; the reply is queued when the worker resumes the connection.
 * Requests over a connection limit, and any arriving while stopping, get a 503 right on the
 * I/O thread.
 */
#include "base/base.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rand.h"

#define DEFAULT_BODY_MAX (64u * 1024)
#define HEADERS_MAX 16
#define TICK_MS 100              /* deadline and heartbeat resolution */
#define FD_RESERVE 256           /* descriptors kept for the store, outbound HTTP, logs */
#define PER_CLIENT_MARGIN 16     /* connections over the per-client limit that still get a 503 */
#define QUEUE_PER_WORKER 512     /* requests waiting per worker before 503 (a reconnect burst
                                  * of every widget after a restart must fit) */

struct http_req {
    struct MHD_Connection *conn;
    struct http_server *srv;
    struct http__conn *k;
    struct arena *ar;
    const struct http_route *route;
    struct str params[HTTP_PARAMS_MAX];
    const char *method, *path;
    struct buf body;
    bool body_init, too_big, replied, dispatched, streaming;
    struct MHD_Response *resp; /* the reply, until queued on the I/O thread */
    unsigned status;
    struct http__job job;
    struct {
        const char *name, *value;
    } hdrs[HEADERS_MAX];
    size_t nhdrs;
    void *user;
    /* For the metrics and the access log, kept outside the arena (a stream's is freed early). */
    unsigned method_ix;
    int64_t start_us;
    uint64_t bytes;
    int64_t agent_id, token_id;
    char id[HTTP_REQUEST_ID_MAX + 1];
    /* http_capture and http_keep_reply (for the audit log). */
    bool capturing, keep;
    unsigned cap_status;
    struct str cap_body, kept;
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
    MHD_add_response_header(resp, "X-Hark-Request-Id", r->id);
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

static bool
has_header(const struct http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nhdrs; i++) {
        if (strcasecmp(r->hdrs[i].name, name) == 0)
            return true;
    }
    return false;
}

void
http__req_set_response(struct http_req *r, unsigned status, struct MHD_Response *resp,
                       bool stream)
{
    ASSERT(!r->replied);
    ASSERT(!r->capturing); /* a captured handler never streams (http_capture) */
    r->replied = true;
    r->streaming = stream;
    apply_headers(r, resp);
    r->resp = resp;
    r->status = status;
}

struct MHD_Connection *
http__req_conn(struct http_req *r)
{
    return r->conn;
}

struct http_server *
http__req_server(struct http_req *r)
{
    return r->srv;
}

void
http_reply(struct http_req *r, unsigned status, const char *content_type, const char *body,
           size_t len)
{
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
    if (r->capturing) {
        r->cap_status = status;
        r->cap_body = (struct str){ arena_strndup(r->ar, body ? body : "", len), len };
        return;
    }
    if (r->keep)
        r->kept = (struct str){ arena_strndup(r->ar, body ? body : "", len), len };
    if (status == 401 && !has_header(r, "WWW-Authenticate"))
        http_add_header(r, "WWW-Authenticate", "Bearer realm=\"hark\"");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    r->bytes = len;
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    http__req_set_response(r, status, resp, false);
}

void
http_reply_json(struct http_req *r, unsigned status, const char *json, size_t len)
{
    http_add_header(r, "Cache-Control", "no-store");
    http_reply(r, status, "application/json", json, len);
}

/* Hands the reply to libmicrohttpd. Only on the connection's I/O thread, inside the access
 * handler. */
static void
queue_reply(struct http_req *r)
{
    struct MHD_Response *resp = r->resp;
    r->resp = NULL;
    http__conns_busy(r->srv->conns, r->k);
    MHD_queue_response(r->conn, r->status, resp);
    MHD_destroy_response(resp);
}

/* A 503 that also closes the connection: for clients over a limit, and while stopping. */
static void
reply_unavailable(struct http_req *r, const char *message, const char *retry_after)
{
    http_add_header(r, "Retry-After", retry_after);
    http_add_header(r, "Connection", "close");
    http_reply_error_status(r, 503, "unavailable", message);
}

/* Whether a route of 'method' serves a request of 'want': "*" serves any, and HEAD is served
 * by the GET route (libmicrohttpd sends its headers without the body). */
static bool
method_serves(const char *method, const char *want)
{
    return strcmp(method, "*") == 0 || strcmp(method, want) == 0 ||
           (strcmp(want, "HEAD") == 0 && strcmp(method, "GET") == 0);
}

/* Whether some route other than the catch-all serves 'path' with 'method'. */
static bool
path_has_method(struct http_server *srv, const char *path, const char *method)
{
    for (size_t i = 0; i < srv->nroutes; i++) {
        const struct http_route *rt = &srv->routes[i];
        struct str params[HTTP_PARAMS_MAX];
        if (strcmp(rt->pattern, "/*") != 0 && strcmp(rt->method, "*") != 0 &&
            method_serves(rt->method, method) && match(rt->pattern, path, params))
            return true;
    }
    return false;
}

/* The 405 for a path some routes serve with other methods: Allow lists them all (HEAD beside
 * GET) in a fixed order. */
static void
reply_not_allowed(struct http_req *r)
{
    static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                           "OPTIONS" };
    char allow[64] = "";
    size_t len = 0;
    for (size_t i = 0; i < COUNTOF(methods); i++) {
        if (path_has_method(r->srv, r->path, methods[i]))
            len += (size_t)snprintf(allow + len, sizeof(allow) - len, "%s%s", len ? ", " : "",
                                    methods[i]);
    }
    http_add_header(r, "Allow", allow);
    http_reply_error_status(r, 405, "method_not_allowed", "method not allowed on this path");
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
        if (!method_serves(rt->method, r->method))
            continue;
        r->route = rt;
        memcpy(r->params, params, sizeof(params));
        return;
    }
    r->route = NULL;
    if (path_matched)
        reply_not_allowed(r);
    else
        http_reply_error_status(r, 404, "not_found", "no such endpoint");
}

/* Runs the handler on a pool worker while the connection is suspended, then resumes it; the
 * access handler is called again on the I/O thread and queues the reply. */
static void
handle_job(struct http__job *j, bool cancelled)
{
    struct http_req *r = CONTAINER_OF(j, struct http_req, job);
    if (cancelled) {
        reply_unavailable(r, "server is shutting down", "5");
    } else {
        r->route->fn(r, r->route->ctx);
        if (!r->replied) {
            log_error("http", "handler sent no reply", "path=%s", r->path);
            http_reply_error(r, ERR_IO, "internal error");
        }
    }
    if (r->streaming) {
        /* The handler is done and its headers are applied: a stream that stays open for
         * hours keeps none of the request's memory. */
        arena_free(r->ar);
        r->ar = NULL;
        if (r->body_init)
            buf_release(&r->body);
        r->body_init = false;
    }
    MHD_resume_connection(r->conn); /* 'r' belongs to the I/O thread from here on */
}

/* The client's X-Hark-Request-Id when it is 1..HTTP_REQUEST_ID_MAX of [A-Za-z0-9._-] (a
 * proxy's id carries through); else 16 hex digits of a per-thread pseudo-random sequence. */
static void
request_id(struct MHD_Connection *conn, char out[HTTP_REQUEST_ID_MAX + 1])
{
    const char *in = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Hark-Request-Id");
    size_t n = in ? strlen(in) : 0;
    bool ok = n > 0 && n <= HTTP_REQUEST_ID_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = in[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    if (ok) {
        memcpy(out, in, n + 1);
        return;
    }
    /* Unique, not secret: splitmix64 over a per-thread state seeded once from the kernel,
     * so no request pays a getrandom call. */
    static _Thread_local uint64_t state;
    if (!state)
        rand_bytes(&state, sizeof(state));
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    rand_hex_encode(&z, sizeof(z), out);
}

/* The client's address as text into 'out' ("unknown" when it is not IPv4). */
static void
client_text(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "unknown");
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)ci->client_addr;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)n);
    }
}

static struct http__conn *
conn_slot(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
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
        r = xcalloc(1, sizeof(*r)); /* outlives the arena when the reply is a stream */
        r->ar = ar;
        r->conn = conn;
        r->srv = srv;
        r->k = conn_slot(conn);
        r->method = arena_strdup(ar, method);
        r->path = arena_strdup(ar, url);
        r->method_ix = http__method_index(method);
        r->start_us = http__now_us();
        request_id(conn, r->id);
        *req_cls = r;
        atomic_fetch_add(&srv->active, 1);
        if (http__conns_over(r->k))
            reply_unavailable(r, "too many connections from this client; try again soon", "5");
        else if (atomic_load(&srv->draining))
            reply_unavailable(r, "server is shutting down", "5");
        else
            dispatch(r);
        if (!r->replied) {
            size_t max = r->route->max_body ? r->route->max_body : DEFAULT_BODY_MAX;
            const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
            int64_t n;
            if (cl && str_to_i64(str_c(cl), 0, INT64_MAX, &n) == 0 && (uint64_t)n > max) {
                http_reply_error(r, ERR_TOOBIG, "request body too large");
            } else {
                buf_init(&r->body, max);
                r->body_init = true;
            }
        }
        if (r->resp)
            queue_reply(r);
        return MHD_YES;
    }
    if (r->resp) { /* the worker's reply, after the resume */
        queue_reply(r);
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
        queue_reply(r);
        return MHD_YES;
    }
    if (r->dispatched)
        return MHD_YES; /* not expected: the connection is suspended until the worker is done */
    r->dispatched = true;
    http__conns_busy(srv->conns, r->k);
    /* Suspend before queueing: the worker resumes, and a resume must follow the suspend. */
    MHD_suspend_connection(conn);
    r->job.run = handle_job;
    int rc = http__pool_push(srv->pool, &r->job);
    if (rc < 0) {
        if (rc == ERR_BUSY) {
            atomic_fetch_add(&srv->busy_refused, 1);
            http_add_header(r, "Retry-After", "2");
            http_reply_error_status(r, 503, "unavailable", "server busy; try again soon");
        } else {
            reply_unavailable(r, "server is shutting down", "5");
        }
        MHD_resume_connection(conn);
    }
    return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_req *r = *req_cls;
    if (!r)
        return;
    char client[64] = "";
    if (http__access_log_on(srv->access))
        client_text(conn, client, sizeof(client));
    struct http__access_rec rec = {
        .route = r->route,
        .method = r->method_ix,
        .status = r->replied ? r->status : 0,
        .start_us = r->start_us,
        .bytes = r->bytes,
        .stream = r->streaming,
        .aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK,
        .id = r->id,
        .client = client,
        .agent_id = r->agent_id,
        .token_id = r->token_id,
    };
    http__access_record(srv->access, &rec);
    if (r->resp) /* never queued (the connection went away first) */
        MHD_destroy_response(r->resp);
    if (r->body_init)
        buf_release(&r->body);
    http__conns_idle(srv->conns, conn_slot(conn));
    arena_free(r->ar);
    xfree(r);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->active, 1);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = http__conns_open(srv->conns, conn);
    } else {
        http__conns_close(srv->conns, *socket_context);
        *socket_context = NULL;
    }
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

/* Deadlines and heartbeats, every TICK_MS until stopped. */
static void *
ticker(void *arg)
{
    struct http_server *s = arg;
    unsigned n = 0;
    pthread_mutex_lock(&s->tick_mu);
    while (!s->ticker_stop) {
        (void)clock_timedwait(&s->tick_cv, &s->tick_mu, clock_mono_ms() + TICK_MS);
        if (s->ticker_stop)
            break;
        pthread_mutex_unlock(&s->tick_mu);
        int64_t now = clock_mono_ms();
        http__conns_reap(s->conns, now);
        if (++n % 3 == 0) /* heartbeats are seconds apart: every third tick is plenty */
            http__streams_tick(s, now);
        pthread_mutex_lock(&s->tick_mu);
    }
    pthread_mutex_unlock(&s->tick_mu);
    return NULL;
}

/* Raises the open-files limit to its hard limit and returns how many descriptors connections
 * may use. */
static unsigned
fd_budget(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024 - FD_RESERVE;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_max;
        struct rlimit nl = { want, rl.rlim_max };
        if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
            rl.rlim_cur = want;
    }
    rlim_t cur = rl.rlim_cur == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_cur;
    if (cur > (rlim_t)1 << 24)
        cur = (rlim_t)1 << 24;
    return cur > 2 * FD_RESERVE ? (unsigned)cur - FD_RESERVE : (unsigned)cur / 2;
}

static unsigned
online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

int
http_server_start(const struct http_config *cfg, const struct http_route *routes, size_t n,
                  struct http_server **out)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port) };
    if (inet_pton(AF_INET, cfg->addr ? cfg->addr : "127.0.0.1", &sa.sin_addr) != 1)
        return ERR_INVAL;
    unsigned threads = cfg->threads ? cfg->threads : online_cpus();
    unsigned workers = cfg->workers ? cfg->workers : 32;
    unsigned max_conns = cfg->max_conns ? cfg->max_conns : 16384;
    unsigned per_client = cfg->max_per_client;
    unsigned margin = max_conns / 32 > 64 ? max_conns / 32 : 64;
    unsigned budget = fd_budget();
    unsigned avail = budget > 4 * threads + 64 ? budget - 4 * threads - 16 : 48;
    if (max_conns + margin > avail) {
        /* Keep the same proportion of 503-answering margin inside what fits. */
        margin = avail / 33 > 8 ? avail / 33 : 8;
        unsigned fit = avail - margin;
        log_warn("http", "open-files limit too low for max-connections; lowered",
                 "max_connections=%u fits=%u", max_conns, fit);
        max_conns = fit;
    }
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->routes = routes;
    s->nroutes = n;
    s->access = http__access_new(routes, n, cfg->access_log);
    s->drain_ms = cfg->drain_ms ? cfg->drain_ms : 10000;
    pthread_mutex_init(&s->streams.mu, NULL);
    pthread_mutex_init(&s->tick_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->tick_cv, &ca);
    pthread_condattr_destroy(&ca);
    s->conns = http__conns_new(max_conns, per_client,
                               cfg->request_timeout_ms ? cfg->request_timeout_ms : 10000);
    s->pool = http__pool_new(workers, (size_t)workers * QUEUE_PER_WORKER);
    if (!s->pool)
        goto fail;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    /* The pool-size pair comes last: with one I/O thread it becomes the end of the list, as
     * libmicrohttpd warns about a pool of 0 or 1. The logger comes first to catch warnings. */
    s->d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_CONNECTION_LIMIT,
        max_conns + margin, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        per_client ? per_client + PER_CLIENT_MARGIN : 0u, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(cfg->timeout_s ? cfg->timeout_s : 60), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(32 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096,
        threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, MHD_OPTION_END);
    if (!s->d)
        goto fail;
    if (pthread_create(&s->ticker, NULL, ticker, s) != 0) {
        MHD_stop_daemon(s->d);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    log_info("http", "serving", "io_threads=%u workers=%u max_connections=%u per_client=%u",
             threads, workers, max_conns, per_client);
    *out = s;
    return 0;
fail:
    http__pool_free(s->pool);
    http__conns_free(s->conns);
    http__access_free(s->access);
    pthread_cond_destroy(&s->tick_cv);
    pthread_mutex_destroy(&s->tick_mu);
    pthread_mutex_destroy(&s->streams.mu);
    xfree(s);
    return ERR_IO;
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
http_server_stats(struct http_server *s, struct http_server_stats *out)
{
    struct http__conns_stats cs;
    http__conns_stats(s->conns, &cs);
    out->connections = cs.open;
    out->refused_over_limit = cs.over;
    out->timed_out = cs.timed_out;
    out->refused_busy = atomic_load(&s->busy_refused);
    out->streams = http_server_streams(s);
    out->queued = http__pool_depth(s->pool);
    out->active = atomic_load(&s->active);
}

void
http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    int64_t deadline = clock_mono_ms() + s->drain_ms;
    /* Stop accepting; connections already open finish what they started. */
    MHD_socket lfd = MHD_quiesce_daemon(s->d);
    /* Quiesced, the socket still completes handshakes into its backlog. Shutting it down stops
     * listening (new clients are refused, queued ones reset) while the descriptor stays ours,
     * so no I/O thread can meet a reused number; it is closed after the daemon stops. */
    if (lfd != MHD_INVALID_SOCKET)
        shutdown(lfd, SHUT_RDWR);
    atomic_store(&s->draining, true);
    log_info("http", "draining", "requests=%u streams=%zu", atomic_load(&s->active),
             http_server_streams(s));
    /* Streams count as requests until their end is sent; a handler still running may open
     * one, so end them again on every round. */
    while (atomic_load(&s->active) > 0 && clock_mono_ms() < deadline) {
        http__streams_end(s);
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
    unsigned left = atomic_load(&s->active);
    if (left)
        log_warn("http", "drain deadline passed; closing what is left", "requests=%u", left);
    http__pool_stop(s->pool, deadline);
    http__streams_end(s);
    pthread_mutex_lock(&s->tick_mu);
    s->ticker_stop = true;
    pthread_cond_signal(&s->tick_cv);
    pthread_mutex_unlock(&s->tick_mu);
    pthread_join(s->ticker, NULL);
    MHD_stop_daemon(s->d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    http__pool_free(s->pool);
    http__conns_free(s->conns);
    http__access_free(s->access);
    pthread_cond_destroy(&s->tick_cv);
    pthread_mutex_destroy(&s->tick_mu);
    pthread_mutex_destroy(&s->streams.mu);
    xfree(s);
}

void
http_server_metrics(struct http_server *s, struct buf *out)
{
    http__access_render(s->access, out);
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
    char text[64];
    client_text(r->conn, text, sizeof(text));
    return arena_strdup(r->ar, text);
}

const char *
http_request_id(struct http_req *r)
{
    return r->id;
}

void
http_capture(struct http_req *r, http_handler_fn *fn, void *ctx, unsigned *status,
             struct buf *body)
{
    ASSERT(!r->capturing);
    size_t nhdrs = r->nhdrs;
    struct arena *own = r->ar;
    r->ar = arena_new(HARK_CAPTURE_ARENA_MAX);
    r->capturing = true;
    r->cap_status = 0;
    r->cap_body = (struct str){ "", 0 };
    fn(r, ctx);
    r->capturing = false;
    *status = r->cap_status;
    buf_add(body, r->cap_body.p, r->cap_body.len);
    arena_free(r->ar); /* the captured handler's memory and deferred releases */
    r->ar = own;
    r->nhdrs = nhdrs; /* headers the captured handler added are not the request's */
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

void
http_set_principal(struct http_req *r, int64_t agent_id, int64_t token_id)
{
    r->agent_id = agent_id;
    r->token_id = token_id;
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
