/* SPDX-License-Identifier: MIT */
/*
 * conns.c - the table of open connections: counts per client address, the total, and the
 * deadline by which each connection must deliver a complete request.
 *
 * libmicrohttpd's own idle timeout restarts with every byte, so a client sending one header
 * line every few seconds would hold its connection forever (slowloris). Here a connection
 * that is waiting for a request sits in one list ordered by when it started waiting; since
 * every deadline is that time plus one constant, the list is also ordered by deadline and
 * the reaper only looks at its head. Reaping shuts the socket down; libmicrohttpd then sees
 * the end of the stream and closes the connection itself. The hard limits are enforced by
 * libmicrohttpd at accept; this table decides which accepted connections are over the soft
 * limits and get a 503 instead of service.
 */
#include "base/base.h"
#include "http/http_int.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/rand.h"

#define BUCKETS 4096 /* chains grow; the count of clients is bounded by open connections */

struct client {
    uint8_t addr[16];
    uint8_t len;
    unsigned n; /* open connections */
    struct client *next;
};

struct http__conn {
    int fd;
    struct client *client;
    int64_t since_ms; /* when it started waiting for a request (monotonic) */
    bool waiting;     /* in the deadline list */
    bool over;        /* over a limit when opened */
    struct http__conn *prev, *next;
};

struct http__conns {
    pthread_mutex_t mu; /* guards everything below */
    struct client *buckets[BUCKETS];
    uint64_t seed;
    struct http__conn waiting; /* sentinel of the deadline list, oldest first */
    uint64_t open, over_total, timed_out;
    unsigned max_open, max_per_client;
    int64_t timeout_ms;
};

static size_t
hash(const struct http__conns *c, const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ c->seed;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return (size_t)(h % BUCKETS);
}

struct http__conns *
http__conns_new(unsigned max_open, unsigned max_per_client, int64_t request_timeout_ms)
{
    struct http__conns *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    rand_bytes(&c->seed, sizeof(c->seed));
    c->waiting.next = c->waiting.prev = &c->waiting;
    c->max_open = max_open;
    c->max_per_client = max_per_client;
    c->timeout_ms = request_timeout_ms;
    return c;
}

void
http__conns_free(struct http__conns *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < BUCKETS; i++) {
        while (c->buckets[i]) {
            struct client *next = c->buckets[i]->next;
            xfree(c->buckets[i]);
            c->buckets[i] = next;
        }
    }
    pthread_mutex_destroy(&c->mu);
    xfree(c);
}

/* The address bytes that identify a client: IPv4, or the IPv6 /64 (one host is given a
 * whole /64, so counting single IPv6 addresses would let one client open unlimited). */
static size_t
client_key(struct MHD_Connection *conn, uint8_t *out)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return 0;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)ci->client_addr;
        memcpy(out, &in->sin_addr, 4);
        return 4;
    }
    if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)ci->client_addr;
        memcpy(out, &in6->sin6_addr, 8);
        return 8;
    }
    return 0;
}

static void
unlink_waiting(struct http__conn *k)
{
    if (!k->waiting)
        return;
    k->prev->next = k->next;
    k->next->prev = k->prev;
    k->next = k->prev = NULL;
    k->waiting = false;
}

static void
link_waiting(struct http__conns *c, struct http__conn *k)
{
    unlink_waiting(k);
    k->since_ms = clock_mono_ms();
    k->prev = c->waiting.prev;
    k->next = &c->waiting;
    c->waiting.prev->next = k;
    c->waiting.prev = k;
    k->waiting = true;
}

struct http__conn *
http__conns_open(struct http__conns *c, struct MHD_Connection *conn)
{
    struct http__conn *k = xcalloc(1, sizeof(*k));
    const union MHD_ConnectionInfo *fi =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    k->fd = fi ? fi->connect_fd : -1;
    uint8_t key[16];
    size_t len = client_key(conn, key);
    pthread_mutex_lock(&c->mu);
    size_t b = hash(c, key, len);
    struct client *cl = c->buckets[b];
    while (cl && (cl->len != len || memcmp(cl->addr, key, len) != 0))
        cl = cl->next;
    if (!cl) {
        cl = xcalloc(1, sizeof(*cl));
        memcpy(cl->addr, key, len);
        cl->len = (uint8_t)len;
        cl->next = c->buckets[b];
        c->buckets[b] = cl;
    }
    cl->n++;
    c->open++;
    k->client = cl;
    k->over = (c->max_per_client && cl->n > c->max_per_client) ||
              (c->max_open && c->open > c->max_open);
    if (k->over)
        c->over_total++;
    link_waiting(c, k);
    pthread_mutex_unlock(&c->mu);
    return k;
}

void
http__conns_close(struct http__conns *c, struct http__conn *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&c->mu);
    unlink_waiting(k);
    struct client *cl = k->client;
    c->open--;
    if (--cl->n == 0) {
        struct client **pp = &c->buckets[hash(c, cl->addr, cl->len)];
        while (*pp != cl)
            pp = &(*pp)->next;
        *pp = cl->next;
        xfree(cl);
    }
    pthread_mutex_unlock(&c->mu);
    xfree(k);
}

bool
http__conns_over(struct http__conn *k)
{
    return k && k->over;
}

void
http__conns_busy(struct http__conns *c, struct http__conn *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&c->mu);
    unlink_waiting(k);
    pthread_mutex_unlock(&c->mu);
}

void
http__conns_idle(struct http__conns *c, struct http__conn *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&c->mu);
    link_waiting(c, k);
    pthread_mutex_unlock(&c->mu);
}

size_t
http__conns_reap(struct http__conns *c, int64_t now_ms)
{
    size_t n = 0;
    pthread_mutex_lock(&c->mu);
    while (c->waiting.next != &c->waiting) {
        struct http__conn *k = c->waiting.next;
        if (now_ms - k->since_ms < c->timeout_ms)
            break;
        unlink_waiting(k);
        /* The socket stays open until libmicrohttpd closes it, which happens only after it
         * told us (http__conns_close, under this lock), so 'fd' is still this connection's. */
        if (k->fd >= 0)
            shutdown(k->fd, SHUT_RDWR);
        c->timed_out++;
        n++;
    }
    pthread_mutex_unlock(&c->mu);
    return n;
}

void
http__conns_stats(struct http__conns *c, struct http__conns_stats *out)
{
    pthread_mutex_lock(&c->mu);
    out->open = c->open;
    out->over = c->over_total;
    out->timed_out = c->timed_out;
    pthread_mutex_unlock(&c->mu);
}
