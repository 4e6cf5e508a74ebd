/* SPDX-License-Identifier: MIT */
/*
 * access_test.c - per-route request metrics through http.h: requests are counted under the
 * route's pattern (never the path), the catch-all as "static", a 405 as "unmatched", with a
 * latency histogram per method and route; every response carries X-Hark-Request-Id, a
 * client's well-formed id carries through. Raw sockets on 127.0.0.1; every wait is bounded.
 */
#include "base/base.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"

#include "../test.h"

static void
on_ok(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply(r, 200, "text/plain", "ok", 2);
}

static void
on_missing(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_error_status(r, 404, "not_found", "no such item");
}

static const struct http_route routes[] = {
    { "GET", "/items/{id}", on_ok, NULL, 0 },
    { "DELETE", "/items/{id}", on_missing, NULL, 0 },
    { "GET", "/*", on_ok, NULL, 0 },
};

/* Sends one request on a new connection and returns the response head and body in 'out'. */
static bool
fetch(int port, const char *method, const char *path, const char *extra, char *out, size_t max)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return false;
    }
    char req[512];
    int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
                     method, path, extra);
    bool ok = write(fd, req, (size_t)n) == n;
    size_t len = 0;
    out[0] = '\0';
    int64_t until = clock_mono_ms() + 3000;
    while (ok) {
        int left = (int)(until - clock_mono_ms());
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t k = read(fd, out + len, max - 1 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
        out[len] = '\0';
    }
    close(fd);
    return ok && len > 0;
}

/* Renders the metrics until 'want' appears (the count is taken when the request completes,
 * just after the client has its response) or 2 s pass. */
static bool
metrics_have(struct http_server *srv, const char *want)
{
    int64_t until = clock_mono_ms() + 2000;
    for (;;) {
        struct buf b;
        buf_init(&b, 1 << 20);
        http_server_metrics(srv, &b);
        bool found = strstr(b.p, want) != NULL;
        buf_release(&b);
        if (found)
            return true;
        if (clock_mono_ms() > until)
            return false;
        usleep(10000);
    }
}

TEST(counted_by_pattern)
{
    struct http_config cfg = { .addr = "127.0.0.1", .threads = 1, .workers = 2 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, COUNTOF(routes), &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);
    char resp[4096];
    CHECK(fetch(port, "GET", "/items/41", "", resp, sizeof(resp)));
    CHECK(fetch(port, "GET", "/items/42?q=private", "", resp, sizeof(resp)));
    CHECK(fetch(port, "DELETE", "/items/7", "", resp, sizeof(resp)));
    CHECK(strncmp(resp, "HTTP/1.1 404", 12) == 0);
    CHECK(fetch(port, "POST", "/items/7", "", resp, sizeof(resp)));
    CHECK(strncmp(resp, "HTTP/1.1 405", 12) == 0);
    CHECK(fetch(port, "GET", "/app/page", "", resp, sizeof(resp)));
    CHECK(metrics_have(srv, "hark_http_requests_total{method=\"GET\",route=\"/items/{id}\","
                            "status=\"200\"} 2\n"));
    CHECK(metrics_have(srv, "hark_http_requests_total{method=\"DELETE\",route=\"/items/{id}\","
                            "status=\"404\"} 1\n"));
    CHECK(metrics_have(srv, "hark_http_requests_total{method=\"POST\",route=\"unmatched\","
                            "status=\"405\"} 1\n"));
    CHECK(metrics_have(srv, "hark_http_requests_total{method=\"GET\",route=\"static\","
                            "status=\"200\"} 1\n"));
    CHECK(metrics_have(srv, "hark_http_request_duration_seconds_count{method=\"GET\","
                            "route=\"/items/{id}\"} 2\n"));
    CHECK(metrics_have(srv, "hark_http_request_duration_seconds_bucket{method=\"GET\","
                            "route=\"/items/{id}\",le=\"+Inf\"} 2\n"));
    struct buf b;
    buf_init(&b, 1 << 20);
    http_server_metrics(srv, &b);
    CHECK(strstr(b.p, "/items/41") == NULL);
    CHECK(strstr(b.p, "private") == NULL);
    CHECK(strstr(b.p, "/app/page") == NULL);
    buf_release(&b);
    http_server_stop(srv);
}

TEST(request_id_on_every_response)
{
    struct http_config cfg = { .addr = "127.0.0.1", .threads = 1, .workers = 2 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, COUNTOF(routes), &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);
    char a[4096], b[4096];
    CHECK(fetch(port, "GET", "/items/1", "", a, sizeof(a)));
    CHECK(fetch(port, "GET", "/items/1", "", b, sizeof(b)));
    const char *ia = strstr(a, "X-Hark-Request-Id: ");
    const char *ib = strstr(b, "X-Hark-Request-Id: ");
    CHECK(ia && ib);
    if (ia && ib) {
        CHECK(strspn(ia + 19, "0123456789abcdef") == 16);
        CHECK(strncmp(ia + 19, ib + 19, 16) != 0);
    }
    CHECK(fetch(port, "GET", "/items/1", "X-Hark-Request-Id: edge-7.a_b\r\n", a, sizeof(a)));
    CHECK(strstr(a, "X-Hark-Request-Id: edge-7.a_b\r\n") != NULL);
    CHECK(fetch(port, "GET", "/nothing", "X-Hark-Request-Id: bad id\r\n", a, sizeof(a)));
    CHECK(strstr(a, "bad id") == NULL);
    http_server_stop(srv);
}

int
main(void)
{
    RUN(counted_by_pattern);
    RUN(request_id_on_every_response);
    return test_done();
}
