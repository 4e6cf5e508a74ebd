/* SPDX-License-Identifier: MIT */
/*
 * router_test.c - the router's HTTP conventions through http.h: HEAD runs the GET route and
 * answers its headers and Content-Length without the body, a stream answers a HEAD with its
 * headers and ends without a fill, a 405 lists the path's methods in Allow, and a 401 always
 * carries WWW-Authenticate. Raw sockets on 127.0.0.1; every wait is bounded.
 */
#include "base/base.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"

#include "../test.h"

static atomic_int fills, dones;

static void
on_item(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_add_header(r, "X-Method", http_method(r));
    http_reply(r, 200, "text/plain", "hello", 5);
}

static void
on_locked(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_error_status(r, 401, "unauthorized", "who are you");
}

static void
on_own_challenge(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_add_header(r, "WWW-Authenticate", "Bearer realm=\"metrics\"");
    http_reply_error_status(r, 401, "unauthorized", "who are you");
}

static int
feed_fill(void *ctx, struct buf *out)
{
    (void)ctx;
    atomic_fetch_add(&fills, 1);
    buf_adds(out, "data: x\n\n");
    return 0;
}

static void
feed_done(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&dones, 1);
}

static void
on_feed(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_stream(r, "text/event-stream", "", 60000, feed_fill, feed_done, NULL);
}

static const struct http_route routes[] = {
    { "GET", "/items/{id}", on_item, NULL, 0 },
    { "POST", "/items/{id}", on_item, NULL, 0 },
    { "OPTIONS", "/items/*", on_item, NULL, 0 },
    { "GET", "/locked", on_locked, NULL, 0 },
    { "GET", "/metrics", on_own_challenge, NULL, 0 },
    { "GET", "/feed", on_feed, NULL, 0 },
    { "*", "/*", on_item, NULL, 0 },
};

/* Sends one request on a new connection and returns everything the server sent until it
 * closed (Connection: close), at most 3 s. */
static bool
fetch(int port, const char *method, const char *path, char *out, size_t max)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return false;
    }
    char req[512];
    int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     method, path);
    bool ok = write(fd, req, (size_t)n) == n, closed = false;
    size_t len = 0;
    out[0] = '\0';
    int64_t until = clock_mono_ms() + 3000;
    while (ok) {
        int left = (int)(until - clock_mono_ms());
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t k = read(fd, out + len, max - 1 - len);
        if (k <= 0) {
            closed = k == 0;
            break;
        }
        len += (size_t)k;
        out[len] = '\0';
    }
    close(fd);
    return ok && closed && len > 0;
}

/* The body: what follows the blank line after the head ("" when there is none). */
static const char *
body_of(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : "(no head)";
}

static struct http_server *
start(int *port)
{
    struct http_config cfg = { .addr = "127.0.0.1", .threads = 1, .workers = 2 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, COUNTOF(routes), &srv), 0);
    *port = srv ? http_server_port(srv) : 0;
    return srv;
}

TEST(head_runs_the_get_route_without_a_body)
{
    int port;
    struct http_server *srv = start(&port);
    if (!srv)
        return;
    char get[4096], head[4096];
    CHECK(fetch(port, "GET", "/items/1", get, sizeof(get)));
    CHECK_STR(body_of(get), "hello");
    CHECK(fetch(port, "HEAD", "/items/1", head, sizeof(head)));
    CHECK(strncmp(head, "HTTP/1.1 200", 12) == 0);
    CHECK(strstr(head, "Content-Length: 5\r\n") != NULL);
    CHECK(strstr(head, "Content-Type: text/plain\r\n") != NULL);
    CHECK(strstr(head, "X-Method: HEAD\r\n") != NULL);
    CHECK_STR(body_of(head), "");
    /* The catch-all serves HEAD as itself, like any method. */
    CHECK(fetch(port, "HEAD", "/app/page", head, sizeof(head)));
    CHECK(strncmp(head, "HTTP/1.1 200", 12) == 0);
    CHECK_STR(body_of(head), "");
    http_server_stop(srv);
}

TEST(head_on_a_stream_ends_at_once)
{
    int port;
    struct http_server *srv = start(&port);
    if (!srv)
        return;
    atomic_store(&fills, 0);
    atomic_store(&dones, 0);
    char head[4096];
    CHECK(fetch(port, "HEAD", "/feed", head, sizeof(head))); /* closed: the stream ended */
    CHECK(strncmp(head, "HTTP/1.1 200", 12) == 0);
    CHECK(strstr(head, "Content-Type: text/event-stream\r\n") != NULL);
    CHECK_STR(body_of(head), "");
    int64_t until = clock_mono_ms() + 2000;
    while (atomic_load(&dones) == 0 && clock_mono_ms() < until)
        usleep(10000);
    CHECK_INT(atomic_load(&dones), 1);
    CHECK_INT(atomic_load(&fills), 0);
    CHECK_INT((int)http_server_streams(srv), 0);
    http_server_stop(srv);
}

TEST(not_allowed_lists_the_methods)
{
    int port;
    struct http_server *srv = start(&port);
    if (!srv)
        return;
    char resp[4096];
    CHECK(fetch(port, "DELETE", "/items/1", resp, sizeof(resp)));
    CHECK(strncmp(resp, "HTTP/1.1 405", 12) == 0);
    CHECK(strstr(resp, "Allow: GET, HEAD, POST, OPTIONS\r\n") != NULL);
    CHECK(strstr(body_of(resp), "\"method_not_allowed\"") != NULL);
    CHECK(fetch(port, "POST", "/locked", resp, sizeof(resp)));
    CHECK(strncmp(resp, "HTTP/1.1 405", 12) == 0);
    CHECK(strstr(resp, "Allow: GET, HEAD\r\n") != NULL);
    http_server_stop(srv);
}

TEST(every_401_has_a_challenge)
{
    int port;
    struct http_server *srv = start(&port);
    if (!srv)
        return;
    char resp[4096];
    CHECK(fetch(port, "GET", "/locked", resp, sizeof(resp)));
    CHECK(strncmp(resp, "HTTP/1.1 401", 12) == 0);
    CHECK(strstr(resp, "WWW-Authenticate: Bearer realm=\"hark\"\r\n") != NULL);
    CHECK(fetch(port, "GET", "/metrics", resp, sizeof(resp)));
    CHECK(strstr(resp, "WWW-Authenticate: Bearer realm=\"metrics\"\r\n") != NULL);
    CHECK(strstr(resp, "realm=\"hark\"") == NULL); /* the handler's own, and only it */
    http_server_stop(srv);
}

int
main(void)
{
    RUN(head_runs_the_get_route_without_a_body);
    RUN(head_on_a_stream_ends_at_once);
    RUN(not_allowed_lists_the_methods);
    RUN(every_401_has_a_challenge);
    return test_done();
}
