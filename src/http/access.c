/* SPDX-License-Identifier: MIT */
/*
 * access.c - per-route request counters and latency histograms, and the access log.
 *
 * Every finished request is counted under its route's PATTERN (the route table is fixed, so
 * the label set is bounded): one counter per method and status, one latency histogram per
 * method. The catch-all route (slash-star: the web app's files) is reported as "static", a request no
 * route matched (404, 405, refused before routing) as "unmatched". Counters are relaxed
 * atomics in a table made at startup: recording takes no lock. The access log line carries
 * the method, the pattern, the status, the duration, the body size, the request id, the
 * client address and the agent or API token it authenticated as - never the raw path, the
 * query string or a body, which may hold customer text or credentials.
 */
#include "base/base.h"
#include "http/http_int.h"

#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/metrics.h"

/* Methods with a label of their own; anything else is "other". */
static const char *const methods[] = { "GET",  "HEAD",    "POST",    "PUT",
                                       "PATCH", "DELETE", "OPTIONS", "other" };
#define NMETHODS COUNTOF(methods)

/* Status codes counted on their own; any other is counted under its class ("2xx".."5xx"). */
static const unsigned statuses[] = { 200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308,
                                     400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412,
                                     413, 414, 415, 416, 422, 426, 429, 431, 499, 500, 501,
                                     502, 503, 504 };
#define NSTATUS_EXACT COUNTOF(statuses)
#define NSTATUS (NSTATUS_EXACT + 5) /* then 1xx, 2xx, 3xx, 4xx, 5xx */

struct route_stats {
    uint64_t count[NMETHODS][NSTATUS];
    struct metrics_hist latency[NMETHODS];
};

struct http__access {
    const struct http_route *routes;
    size_t nroutes;
    bool log;
    struct route_stats *stats; /* nroutes + 1: the last is "unmatched" */
};

int64_t
http__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

unsigned
http__method_index(const char *m)
{
    for (unsigned i = 0; i + 1 < NMETHODS; i++) {
        if (strcmp(m, methods[i]) == 0)
            return i;
    }
    return NMETHODS - 1;
}

static size_t
status_slot(unsigned status)
{
    for (size_t i = 0; i < NSTATUS_EXACT; i++) {
        if (statuses[i] == status)
            return i;
    }
    unsigned cls = status / 100;
    return NSTATUS_EXACT + (cls >= 1 && cls <= 5 ? cls - 1 : 4);
}

static void
status_label(size_t slot, char out[8])
{
    if (slot < NSTATUS_EXACT)
        snprintf(out, 8, "%u", statuses[slot]);
    else
        snprintf(out, 8, "%zuxx", slot - NSTATUS_EXACT + 1);
}

struct http__access *
http__access_new(const struct http_route *routes, size_t n, bool log)
{
    struct http__access *a = xcalloc(1, sizeof(*a));
    a->routes = routes;
    a->nroutes = n;
    a->log = log;
    a->stats = xcalloc(n + 1, sizeof(*a->stats));
    return a;
}

void
http__access_free(struct http__access *a)
{
    if (!a)
        return;
    xfree(a->stats);
    xfree(a);
}

static const char *
route_label(const struct http__access *a, size_t i)
{
    if (i >= a->nroutes)
        return "unmatched";
    if (strcmp(a->routes[i].pattern, "/*") == 0)
        return "static";
    return a->routes[i].pattern;
}

void
http__access_record(struct http__access *a, const struct http__access_rec *rec)
{
    size_t ri = a->nroutes;
    if (rec->route && rec->route >= a->routes && rec->route < a->routes + a->nroutes)
        ri = (size_t)(rec->route - a->routes);
    unsigned mi = rec->method < NMETHODS ? rec->method : NMETHODS - 1;
    unsigned status = rec->status ? rec->status : 499;
    int64_t us = http__now_us() - rec->start_us;
    if (us < 0)
        us = 0;
    struct route_stats *st = &a->stats[ri];
    metrics_add(&st->count[mi][status_slot(status)], 1);
    metrics_observe(&st->latency[mi], us);
    if (!a->log)
        return;
    char bytes[24] = "-", who[48] = "";
    if (!rec->stream)
        snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)rec->bytes);
    if (rec->agent_id > 0)
        snprintf(who, sizeof(who), " agent=%lld", (long long)rec->agent_id);
    else if (rec->token_id > 0)
        snprintf(who, sizeof(who), " token=%lld", (long long)rec->token_id);
    log_info("http", "request",
             "method=%s route=\"%s\" status=%u ms=%.3f bytes=%s id=%s client=%s%s%s",
             methods[mi], route_label(a, ri), status, (double)us / 1000.0, bytes, rec->id,
             rec->client, who, rec->aborted ? " end=aborted" : "");
}

bool
http__access_log_on(const struct http__access *a)
{
    return a->log && LOG_INFO <= log__level;
}

static void
labels(struct buf *out, const char *method, const char *route)
{
    /* Patterns are ASCII without quotes or backslashes; they are still escaped. */
    buf_printf(out, "{method=\"%s\",route=\"", method);
    for (const char *p = route; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_add(out, "\\", 1);
        buf_add(out, p, 1);
    }
    buf_add(out, "\"", 1);
}

void
http__access_render(const struct http__access *a, struct buf *out)
{
    buf_printf(out, "# HELP hark_http_requests_total HTTP requests by method, route pattern "
                    "and status.\n# TYPE hark_http_requests_total counter\n");
    for (size_t ri = 0; ri <= a->nroutes; ri++) {
        const struct route_stats *st = &a->stats[ri];
        for (size_t mi = 0; mi < NMETHODS; mi++) {
            for (size_t si = 0; si < NSTATUS; si++) {
                uint64_t n = metrics_get(&st->count[mi][si]);
                if (!n)
                    continue;
                char sl[8];
                status_label(si, sl);
                buf_add(out, "hark_http_requests_total", 24);
                labels(out, methods[mi], route_label(a, ri));
                buf_printf(out, ",status=\"%s\"} %llu\n", sl, (unsigned long long)n);
            }
        }
    }
    const char *h = "hark_http_request_duration_seconds";
    buf_printf(out, "# HELP %s Time from a request's header to its end (a stream's: its "
                    "close), by method and route pattern.\n# TYPE %s histogram\n",
               h, h);
    for (size_t ri = 0; ri <= a->nroutes; ri++) {
        const struct route_stats *st = &a->stats[ri];
        for (size_t mi = 0; mi < NMETHODS; mi++) {
            const struct metrics_hist *hist = &st->latency[mi];
            if (!metrics_get(&hist->count))
                continue;
            uint64_t cum = 0;
            for (size_t b = 0; b < METRICS_BUCKETS; b++) {
                cum += metrics_get(&hist->buckets[b]);
                buf_printf(out, "%s_bucket", h);
                labels(out, methods[mi], route_label(a, ri));
                if (b < METRICS_BUCKETS - 1)
                    buf_printf(out, ",le=\"%g\"} %llu\n", metrics_bounds[b],
                               (unsigned long long)cum);
                else
                    buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
            }
            buf_printf(out, "%s_sum", h);
            labels(out, methods[mi], route_label(a, ri));
            buf_printf(out, "} %.6f\n%s_count", (double)metrics_get(&hist->sum_us) / 1e6, h);
            labels(out, methods[mi], route_label(a, ri));
            buf_printf(out, "} %llu\n", (unsigned long long)cum);
        }
    }
}
