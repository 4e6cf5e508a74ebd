/* SPDX-License-Identifier: MIT */
/* arena_cap_test.c - a request that runs past its arena cap (base/limits.h HARK_REQ_ARENA_MAX)
 * fails alone: the client gets a JSON 500 instead of the handler's answer, the counter behind
 * hark_arena_cap_exceeded_total moves, and the server keeps answering other requests. */
#include "base/base.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/limits.h"
#include "http/http.h"

#include "../test.h"

static void
greedy(struct http_req *r, void *ctx)
{
    (void)ctx;
    /* Past the cap in several pieces, as a page of rows would be; each is served. */
    struct arena *ar = http_arena(r);
    for (size_t i = 0; i < 5; i++) {
        char *p = arena_alloc(ar, HARK_REQ_ARENA_MAX / 4);
        p[HARK_REQ_ARENA_MAX / 4 - 1] = 'x';
    }
    http_add_header(r, "X-Greedy", "1");
    http_reply(r, 200, "text/plain", "all fine", 8);
}

static void
modest(struct http_req *r, void *ctx)
{
    (void)ctx;
    char *p = arena_alloc(http_arena(r), 4096);
    p[0] = 'o';
    http_reply(r, 200, "text/plain", "ok", 2);
}

/* One GET over a fresh connection; the whole response goes into 'out'. The status, or -1. */
static int
get(int port, const char *path, char *out, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[256];
    int len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                       path);
    if (write(fd, req, (size_t)len) != len) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    for (;;) {
        ssize_t k = read(fd, out + got, n - 1 - got);
        if (k <= 0)
            break;
        got += (size_t)k;
        if (got == n - 1)
            break;
    }
    out[got] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(out, "HTTP/1.1 %d", &status) != 1)
        return -1;
    return status;
}

TEST(overflowed_request_fails_alone)
{
    struct http_route routes[] = { { "GET", "/greedy", greedy, NULL, 0 },
                                   { "GET", "/modest", modest, NULL, 0 } };
    struct http_config cfg = { .addr = "127.0.0.1", .port = 0 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, 2, &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);
    char resp[4096];
    uint64_t before = arena_cap_exceeded_total();

    CHECK_INT(get(port, "/modest", resp, sizeof(resp)), 200);
    CHECK_INT(arena_cap_exceeded_total(), before);

    CHECK_INT(get(port, "/greedy", resp, sizeof(resp)), 500);
    CHECK(strstr(resp, "application/json") != NULL);
    CHECK(strstr(resp, "{\"error\":{\"code\":\"internal\"") != NULL);
    CHECK(strstr(resp, "memory limit") != NULL);
    CHECK(strstr(resp, "all fine") == NULL);   /* not the handler's answer */
    CHECK(strstr(resp, "X-Greedy") == NULL);   /* nor its headers */
    CHECK_INT(arena_cap_exceeded_total(), before + 1);

    /* The server carries on. */
    CHECK_INT(get(port, "/modest", resp, sizeof(resp)), 200);
    CHECK(strstr(resp, "\r\n\r\nok") != NULL);
    http_server_stop(srv);
}

int
main(void)
{
    RUN(overflowed_request_fails_alone);
    return test_done();
}
