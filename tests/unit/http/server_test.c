/* SPDX-License-Identifier: MIT */
/*
 * server_test.c - the HTTP server's threading contract, through http.h: with one I/O thread,
 * a handler that blocks does not stall another client; a stream is filled on wake, sends
 * heartbeats and holds no thread; the graceful stop finishes a request in progress, ends
 * streams and refuses new connections. Raw sockets on 127.0.0.1; every wait is bounded.
 */
#include "base/base.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"

#include "../test.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool released, blocked;

static void
on_block(struct http_req *r, void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&mu);
    blocked = true;
    pthread_cond_broadcast(&cv);
    int64_t until = clock_mono_ms() + 10000;
    while (!released && clock_mono_ms() < until) {
        pthread_mutex_unlock(&mu);
        usleep(5000);
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    http_reply(r, 200, "text/plain", "slow", 4);
}

static void
on_fast(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply(r, 200, "text/plain", "fast", 4);
}

struct feed {
    atomic_int fills;
    atomic_int next; /* events to write on the next fill */
    atomic_bool done;
    struct http_stream *_Atomic stream;
};

static struct feed feeds[50];
static atomic_int nfeeds;

static int
fill(void *ctx, struct buf *out)
{
    struct feed *f = ctx;
    if (atomic_fetch_add(&f->fills, 1) == 0)
        buf_adds(out, "open\n");
    for (int k = atomic_exchange(&f->next, 0); k > 0; k--)
        buf_adds(out, "event\n");
    return 0;
}

static void
done(void *ctx)
{
    struct feed *f = ctx;
    atomic_store(&f->done, true);
}

static void
on_stream(struct http_req *r, void *ctx)
{
    (void)ctx;
    struct feed *f = &feeds[atomic_fetch_add(&nfeeds, 1) % COUNTOF(feeds)];
    atomic_store(&f->stream,
                 http_reply_stream(r, "text/plain", "beat\n", 200, fill, done, f));
}

static int
dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
send_get(int fd, const char *path)
{
    char req[256];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    CHECK_INT(write(fd, req, (size_t)n), n);
}

/* Reads until 'want' appears in what was read, the peer closes, or 'ms' pass. */
static bool
read_until(int fd, char *out, size_t max, const char *want, int ms)
{
    size_t len = strlen(out);
    int64_t until = clock_mono_ms() + ms;
    while (!strstr(out, want)) {
        int left = (int)(until - clock_mono_ms());
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return false;
        ssize_t n = read(fd, out + len, max - 1 - len);
        if (n <= 0)
            return strstr(out, want) != NULL;
        len += (size_t)n;
        out[len] = '\0';
    }
    return true;
}

static int
threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Threads:", 8) == 0)
            n = (int)strtol(line + 8, NULL, 10);
    }
    if (f)
        fclose(f);
    return n;
}

static const struct http_route routes[] = {
    { "GET", "/block", on_block, NULL, 0 },
    { "GET", "/fast", on_fast, NULL, 0 },
    { "GET", "/stream", on_stream, NULL, 0 },
};

TEST(blocking_handler_does_not_stall_others)
{
    struct http_config cfg = { .addr = "127.0.0.1", .threads = 1, .workers = 2 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, COUNTOF(routes), &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);
    released = blocked = false;
    int a = dial(port);
    send_get(a, "/block");
    pthread_mutex_lock(&mu);
    while (!blocked)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    /* The only I/O thread must still serve another client while /block's handler waits. */
    int b = dial(port);
    send_get(b, "/fast");
    char rb[4096] = "";
    CHECK(read_until(b, rb, sizeof(rb), "fast", 3000));
    CHECK(strncmp(rb, "HTTP/1.1 200", 12) == 0);
    pthread_mutex_lock(&mu);
    released = true;
    pthread_mutex_unlock(&mu);
    char ra[4096] = "";
    CHECK(read_until(a, ra, sizeof(ra), "slow", 5000));
    close(a);
    close(b);
    http_server_stop(srv);
}

TEST(stream_fills_on_wake_and_holds_no_thread)
{
    struct http_config cfg = { .addr = "127.0.0.1", .threads = 1, .workers = 2 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, COUNTOF(routes), &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);
    memset(feeds, 0, sizeof(feeds));
    atomic_store(&nfeeds, 0);
    int before = threads_now();
    int fds[COUNTOF(feeds)];
    char r[COUNTOF(feeds)][2048];
    for (size_t i = 0; i < COUNTOF(fds); i++) {
        fds[i] = dial(port);
        send_get(fds[i], "/stream");
        r[i][0] = '\0';
    }
    for (size_t i = 0; i < COUNTOF(fds); i++)
        CHECK(read_until(fds[i], r[i], sizeof(r[i]), "open\n", 3000));
    CHECK_INT(threads_now(), before); /* 50 open streams, not one thread more */
    CHECK_INT(http_server_streams(srv), 50);
    /* Nothing is sent until a wake; then the fill's bytes reach that stream. */
    for (size_t i = 0; i < COUNTOF(feeds); i++) {
        atomic_store(&feeds[i].next, 2);
        http_stream_wake(atomic_load(&feeds[i].stream));
    }
    for (size_t i = 0; i < COUNTOF(fds); i++)
        CHECK(read_until(fds[i], r[i], sizeof(r[i]), "event\nevent\n", 3000));
    /* Silence brings heartbeats (every 200 ms here). */
    CHECK(read_until(fds[7], r[7], sizeof(r[7]), "beat\n", 3000));
    /* Stopping ends every stream cleanly (the chunked terminator) and refuses new clients. */
    http_server_stop(srv);
    for (size_t i = 0; i < COUNTOF(fds); i++) {
        CHECK(read_until(fds[i], r[i], sizeof(r[i]), "0\r\n\r\n", 3000));
        CHECK(atomic_load(&feeds[i].done));
    }
    CHECK_INT(dial(port), -1);
    for (size_t i = 0; i < COUNTOF(fds); i++)
        close(fds[i]);
}

static void *
stopper(void *arg)
{
    http_server_stop(arg);
    return NULL;
}

TEST(stop_finishes_request_in_progress)
{
    struct http_config cfg = { .addr = "127.0.0.1", .threads = 1, .workers = 2 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, COUNTOF(routes), &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);
    released = blocked = false;
    int a = dial(port);
    send_get(a, "/block");
    pthread_mutex_lock(&mu);
    while (!blocked)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    pthread_t t;
    pthread_create(&t, NULL, stopper, srv);
    usleep(200 * 1000);
    CHECK_INT(dial(port), -1); /* no longer accepting */
    pthread_mutex_lock(&mu);
    released = true;
    pthread_mutex_unlock(&mu);
    char ra[4096] = "";
    CHECK(read_until(a, ra, sizeof(ra), "slow", 5000));
    CHECK(strncmp(ra, "HTTP/1.1 200", 12) == 0);
    pthread_join(t, NULL);
    close(a);
}

int
main(void)
{
    RUN(blocking_handler_does_not_stall_others);
    RUN(stream_fills_on_wake_and_holds_no_thread);
    RUN(stop_finishes_request_in_progress);
    return test_done();
}
