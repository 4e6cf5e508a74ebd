/* SPDX-License-Identifier: MIT */
/*
 * fetch_test.c - fetch_do against a tiny HTTP server that this test runs in a
 * thread on 127.0.0.1 (a raw socket, one connection at a time, each answered by
 * the request's path): method, headers and body arrive as given; Retry-After in
 * seconds, as an HTTP date and malformed; x-rate-limit-reset (X), X-RateLimit-Reset (Mastodon,
 * ISO 8601) and ratelimit-reset (Bluesky); the response body
 * cap; redirects returned, never followed; a total timeout; refused connections
 * and non-HTTP schemes.
 */
#include "base/base.h"
#include "fetch/fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../test.h"
#include "base/err.h"

static int listen_fd = -1;
static int port;
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static char seen[8192]; /* the last request, head and body */
static int nseen;       /* requests received */

/* Reads one request (head, then Content-Length bytes of body) into 'req';
 * returns its length, or -1. Waits at most 5 s for each read. */
static int
read_request(int fd, char *req, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    long want = -1;
    while (n < cap - 1) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1)
            return -1;
        ssize_t r = read(fd, req + n, cap - 1 - n);
        if (r <= 0)
            return -1;
        n += (size_t)r;
        req[n] = '\0';
        if (!end && (end = strstr(req, "\r\n\r\n"))) {
            const char *cl = strcasestr(req, "\r\ncontent-length:");
            want = cl && cl < end ? strtol(cl + 17, NULL, 10) : 0;
        }
        if (end && (long)(n - (size_t)(end + 4 - req)) >= want)
            return (int)n;
    }
    return -1;
}

static void
reply(int fd, const char *status, const char *headers, const char *body)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n", status,
                     headers, strlen(body));
    if (write(fd, head, (size_t)n) != n || write(fd, body, strlen(body)) < 0)
        fprintf(stderr, "# server: short write\n");
}

static void
answer(int fd, const char *req)
{
    static char big[4097];
    if (strncmp(strchr(req, ' ') + 1, "/ok ", 4) == 0) {
        reply(fd, "200 OK", "", "hello");
    } else if (strstr(req, " /retry-secs ")) {
        reply(fd, "429 Too Many Requests", "retry-after:   30\r\n", "slow down");
    } else if (strstr(req, " /retry-space ")) {
        reply(fd, "429 Too Many Requests", "Retry-After: 30 \t\r\n", "");
    } else if (strstr(req, " /retry-future ")) {
        reply(fd, "503 Service Unavailable", "Retry-After: Wed, 21 Oct 2099 07:28:00 GMT\r\n", "");
    } else if (strstr(req, " /retry-past ")) {
        reply(fd, "503 Service Unavailable", "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", "");
    } else if (strstr(req, " /retry-bad ")) {
        reply(fd, "503 Service Unavailable", "Retry-After: soon\r\n", "");
    } else if (strstr(req, " /retry-week ")) {
        reply(fd, "429 Too Many Requests", "Retry-After: 999999999\r\n", "");
    } else if (strstr(req, " /rate-reset ")) {
        reply(fd, "429 Too Many Requests", "x-rate-limit-reset: 1000\r\n", "");
    } else if (strstr(req, " /masto-reset ")) {
        reply(fd, "429 Too Many Requests", "X-RateLimit-Reset: 2099-10-21T07:28:00.000Z\r\n", "");
    } else if (strstr(req, " /masto-past ")) {
        reply(fd, "429 Too Many Requests", "X-RateLimit-Reset: 2015-10-21T07:28:00.000Z\r\n", "");
    } else if (strstr(req, " /bsky-reset ")) {
        reply(fd, "429 Too Many Requests", "ratelimit-reset: 4096000000\r\n", "");
    } else if (strstr(req, " /reset-bad ")) {
        reply(fd, "429 Too Many Requests", "X-RateLimit-Reset: tomorrow\r\n", "");
    } else if (strstr(req, " /big ")) {
        memset(big, 'b', sizeof(big) - 1);
        reply(fd, "200 OK", "", big);
    } else if (strstr(req, " /redirect ")) {
        reply(fd, "302 Found", "Location: /ok\r\n", "moved");
    } else if (strstr(req, " /slow ")) {
        /* No answer: wait (bounded) until the client gives up and closes. */
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char b[64];
        while (poll(&p, 1, 5000) == 1 && read(fd, b, sizeof(b)) > 0) {
        }
    } else {
        reply(fd, "404 Not Found", "", "no such path");
    }
}

static void *
server(void *arg)
{
    UNUSED(arg);
    for (;;) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0)
            return NULL; /* shut down */
        char req[sizeof(seen)];
        if (read_request(fd, req, sizeof(req)) > 0) {
            pthread_mutex_lock(&seen_mu);
            memcpy(seen, req, sizeof(seen));
            nseen++;
            pthread_mutex_unlock(&seen_mu);
            answer(fd, req);
        }
        close(fd);
    }
}

static int
requests_seen(char *copy, size_t cap)
{
    pthread_mutex_lock(&seen_mu);
    int n = nseen;
    if (copy)
        snprintf(copy, cap, "%s", seen);
    pthread_mutex_unlock(&seen_mu);
    return n;
}

static int
get(const char *path, size_t max_response, long timeout_ms, struct fetch_response *resp)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    struct fetch_request req = {
        .method = "GET", .url = url, .max_response = max_response, .timeout_ms = timeout_ms
    };
    return fetch_do(&req, resp);
}

TEST(post_sends_method_headers_and_body)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", port);
    const struct fetch_header h[] = { { "Content-Type", "application/json" },
                                      { "X-Hark-Signature", "sha256=abc" } };
    struct fetch_request req = { .method = "POST",
                                 .url = url,
                                 .headers = h,
                                 .nheaders = 2,
                                 .body = STR_LIT("{\"text\":\"caf\xc3\xa9\"}") };
    struct fetch_response resp;
    CHECK_INT(fetch_do(&req, &resp), 0);
    CHECK_INT(resp.status, 200);
    CHECK_INT(resp.body.len, 5);
    CHECK(resp.body.len == 5 && memcmp(resp.body.p, "hello", 5) == 0);
    CHECK_INT(resp.retry_after_ms, -1);
    CHECK_INT(resp.rate_reset_ms, -1);
    fetch_response_release(&resp);
    char s[sizeof(seen)];
    requests_seen(s, sizeof(s));
    CHECK(strncmp(s, "POST /ok HTTP/1.1\r\n", 19) == 0);
    CHECK(strcasestr(s, "\r\nContent-Type: application/json\r\n") != NULL);
    CHECK(strcasestr(s, "\r\nX-Hark-Signature: sha256=abc\r\n") != NULL);
    CHECK(strcasestr(s, "\r\nExpect:") == NULL);
    char *body = strstr(s, "\r\n\r\n");
    CHECK(body && strcmp(body + 4, "{\"text\":\"caf\xc3\xa9\"}") == 0);
}

TEST(retry_after_seconds_and_dates)
{
    struct fetch_response resp;
    CHECK_INT(get("/retry-secs", 0, 0, &resp), 0);
    CHECK_INT(resp.status, 429);
    CHECK_INT(resp.retry_after_ms, 30000);
    fetch_response_release(&resp);

    /* Spaces after the value, before the line end, are still only spaces. */
    CHECK_INT(get("/retry-space", 0, 0, &resp), 0);
    CHECK_INT(resp.retry_after_ms, 30000);
    fetch_response_release(&resp);

    CHECK_INT(get("/retry-future", 0, 0, &resp), 0);
    CHECK_INT(resp.status, 503);
    CHECK(resp.retry_after_ms > (int64_t)86400 * 365 * 1000); /* 2099 is years away */
    fetch_response_release(&resp);

    CHECK_INT(get("/retry-past", 0, 0, &resp), 0);
    CHECK_INT(resp.retry_after_ms, 0);
    fetch_response_release(&resp);

    CHECK_INT(get("/retry-bad", 0, 0, &resp), 0);
    CHECK_INT(resp.status, 503);
    CHECK_INT(resp.retry_after_ms, -1);
    fetch_response_release(&resp);

    /* More than a week of seconds is not a number fetch accepts (nor a date). */
    CHECK_INT(get("/retry-week", 0, 0, &resp), 0);
    CHECK_INT(resp.retry_after_ms, -1);
    fetch_response_release(&resp);

    /* x-rate-limit-reset is epoch seconds: 1000 is long past, so 0 ms to wait. */
    CHECK_INT(get("/rate-reset", 0, 0, &resp), 0);
    CHECK_INT(resp.rate_reset_ms, 0);
    CHECK_INT(resp.retry_after_ms, -1);
    fetch_response_release(&resp);

    /* Mastodon's X-RateLimit-Reset is an ISO 8601 time; Bluesky's ratelimit-reset epoch
     * seconds. A time ahead is a wait of about that long; a past one 0; nonsense none. */
    CHECK_INT(get("/masto-reset", 0, 0, &resp), 0);
    CHECK(resp.rate_reset_ms > (int64_t)(2099 - 2027) * 365 * 86400 * 1000);
    fetch_response_release(&resp);
    CHECK_INT(get("/masto-past", 0, 0, &resp), 0);
    CHECK_INT(resp.rate_reset_ms, 0);
    fetch_response_release(&resp);
    CHECK_INT(get("/bsky-reset", 0, 0, &resp), 0);
    CHECK(resp.rate_reset_ms > (int64_t)(4096000000LL - 1900000000LL) * 1000);
    fetch_response_release(&resp);
    CHECK_INT(get("/reset-bad", 0, 0, &resp), 0);
    CHECK_INT(resp.rate_reset_ms, -1);
    fetch_response_release(&resp);
}

TEST(body_cap_refuses_a_larger_response)
{
    struct fetch_response resp;
    CHECK_INT(get("/big", 1000, 0, &resp), ERR_TOOBIG);
    CHECK_INT(resp.status, 200);
    CHECK(resp.body.len <= 1000);
    CHECK(strstr(resp.error, "too large") != NULL);
    fetch_response_release(&resp);

    CHECK_INT(get("/big", 8192, 0, &resp), 0);
    CHECK_INT(resp.body.len, 4096);
    fetch_response_release(&resp);
}

TEST(redirect_is_returned_not_followed)
{
    struct fetch_response resp;
    int before = requests_seen(NULL, 0);
    CHECK_INT(get("/redirect", 0, 0, &resp), 0);
    CHECK_INT(resp.status, 302);
    CHECK(resp.body.len == 5 && memcmp(resp.body.p, "moved", 5) == 0);
    fetch_response_release(&resp);
    char s[sizeof(seen)];
    CHECK_INT(requests_seen(s, sizeof(s)), before + 1);
    CHECK(strncmp(s, "GET /redirect ", 14) == 0);
}

TEST(timeout_gives_err_timeout)
{
    struct fetch_response resp;
    CHECK_INT(get("/slow", 0, 300, &resp), ERR_TIMEOUT);
    CHECK_INT(resp.status, 0);
    CHECK(resp.error[0] != '\0');
    fetch_response_release(&resp);
}

TEST(refused_connection_and_bad_schemes)
{
    /* A port that was just bound and closed: nothing listens there. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
    close(fd);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", ntohs(a.sin_port));
    struct fetch_request req = { .method = "GET", .url = url };
    struct fetch_response resp;
    CHECK_INT(fetch_do(&req, &resp), ERR_UPSTREAM);
    CHECK_INT(resp.status, 0);
    CHECK(resp.error[0] != '\0');
    fetch_response_release(&resp);

    const char *bad[] = { "file:///etc/passwd", "gopher://127.0.0.1/", "ftp://127.0.0.1/x",
                          "HTTP://127.0.0.1/", "127.0.0.1/ok" };
    int before = requests_seen(NULL, 0);
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        req.url = bad[i];
        CHECK_INT(fetch_do(&req, &resp), ERR_INVAL);
        CHECK_INT(resp.status, 0);
        CHECK_STR(resp.error, "unsupported url scheme");
        fetch_response_release(&resp);
    }
    CHECK_INT(requests_seen(NULL, 0), before);
}

int
main(void)
{
    fetch_global_init();
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(listen_fd, 8) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0) {
        printf("not ok 1 - server socket\n");
        return 1;
    }
    port = ntohs(a.sin_port);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);

    RUN(post_sends_method_headers_and_body);
    RUN(retry_after_seconds_and_dates);
    RUN(body_cap_refuses_a_larger_response);
    RUN(redirect_is_returned_not_followed);
    RUN(timeout_gives_err_timeout);
    RUN(refused_connection_and_bad_schemes);

    shutdown(listen_fd, SHUT_RDWR);
    pthread_join(t, NULL);
    close(listen_fd);
    fetch_global_cleanup();
    return test_done();
}
