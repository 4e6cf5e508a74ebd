/* SPDX-License-Identifier: MIT */
/*
 * http_int.h - shared by the files of http/ only: the handler pool, the connection table and
 * streams, and the server fields they touch.
 *
 * Threads: libmicrohttpd's I/O threads (an epoll loop each) only move bytes and never run a
 * handler; handlers and stream fills run on the pool's workers while their connection is
 * suspended. Lock order: hub -> stream -> pool; conns and the stream list are leaves.
 */
#ifndef HARK_HTTP_INT_H
#define HARK_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* ---- pool.c: the handler worker pool ---------------------------------------------------- */

/* One unit of work, embedded in its owner. 'cancelled' is true when the pool is stopping and
 * its drain deadline has passed: the job must finish without doing its work. */
struct http__job {
    void (*run)(struct http__job *j, bool cancelled);
    struct http__job *next; /* owned by the pool while queued */
};

struct http__pool;

/* Starts 'threads' workers; at most 'queue_max' requests wait for one. */
struct http__pool *http__pool_new(unsigned threads, size_t queue_max);
/* Queues a request's handler. ERR_BUSY when 'queue_max' requests are already waiting,
 * ERR_UNAVAIL once the pool is stopping. */
int http__pool_push(struct http__pool *p, struct http__job *j);
/* Queues a stream fill. Never refused: a stream has at most one fill queued or running, so
 * the queue is bounded by the number of streams. Requests go first, but never more than a
 * few in a row while fills wait. */
int http__pool_push_fill(struct http__pool *p, struct http__job *j);
/* Requests waiting for a worker. */
size_t http__pool_depth(struct http__pool *p);
/* Refuses new requests, runs what is queued (jobs taken after 'deadline_ms', monotonic, run
 * cancelled) and joins the workers. Fills queued later get ERR_UNAVAIL. */
void http__pool_stop(struct http__pool *p, int64_t deadline_ms);
/* Stops (if not yet) and frees. NULL is a no-op. */
void http__pool_free(struct http__pool *p);

/* ---- conns.c: open connections, per-client counts, request deadlines -------------------- */

struct http__conn; /* one per open TCP connection (MHD's socket context) */
struct http__conns;

struct http__conns *http__conns_new(unsigned max_open, unsigned max_per_client,
                                    int64_t request_timeout_ms);
void http__conns_free(struct http__conns *c);
/* Registers a new connection. Its request deadline starts now. */
struct http__conn *http__conns_open(struct http__conns *c, struct MHD_Connection *conn);
/* Forgets a connection; called before libmicrohttpd closes its socket. */
void http__conns_close(struct http__conns *c, struct http__conn *k);
/* True when the connection went over the total or per-client limit when it was opened: its
 * requests are answered 503 and it is closed. */
bool http__conns_over(struct http__conn *k);
/* The connection received a complete request (or is answered): no deadline until idle. */
void http__conns_busy(struct http__conns *c, struct http__conn *k);
/* The connection finished a request: the next one must arrive within the deadline. */
void http__conns_idle(struct http__conns *c, struct http__conn *k);
/* Shuts down the socket of every connection past its deadline (libmicrohttpd then closes it).
 * Returns how many. */
size_t http__conns_reap(struct http__conns *c, int64_t now_ms);

struct http__conns_stats {
    uint64_t open;      /* connections open now */
    uint64_t over;      /* connections answered 503 for a connection limit, total */
    uint64_t timed_out; /* connections closed at the request deadline, total */
};
void http__conns_stats(struct http__conns *c, struct http__conns_stats *out);

/* ---- access.c: per-route metrics and the access log ------------------------------------ */

struct http__access;

/* One finished request, as access.c records it. Everything is borrowed for the call. */
struct http__access_rec {
    const struct http_route *route; /* the matched route, NULL when none matched */
    unsigned method;                /* http__method_index of the request's method */
    unsigned status;                /* the status sent; 0: none (counted as 499) */
    int64_t start_us;               /* http__now_us when the request's header arrived */
    uint64_t bytes;                 /* body bytes of a buffered reply */
    bool stream;                    /* a streamed reply: its size is not known */
    bool aborted;                   /* ended before the reply was complete */
    const char *id;                 /* the request id (X-Hark-Request-Id) */
    const char *client;             /* the client's address */
    int64_t agent_id, token_id;     /* who authenticated (http_set_principal); 0: none */
};

/* A table of counters for 'routes' (borrowed; they outlive it). 'log': write the access log. */
struct http__access *http__access_new(const struct http_route *routes, size_t n, bool log);
void http__access_free(struct http__access *a);
/* Counts a finished request and writes its access log line. Thread-safe, takes no lock. */
void http__access_record(struct http__access *a, const struct http__access_rec *rec);
/* True when a record would be logged (the access log is on and the level is info or finer). */
bool http__access_log_on(const struct http__access *a);
/* Appends hark_http_requests_total and hark_http_request_duration_seconds; an overflow is
 * 'out's sticky error. */
struct buf;
void http__access_render(const struct http__access *a, struct buf *out);
/* The method's slot in the table ("other" for any method without one). */
unsigned http__method_index(const char *method);
/* Microseconds on the monotonic clock. */
int64_t http__now_us(void);

/* ---- stream.c ------------------------------------------------------------------------- */

/* Writes heartbeats on streams silent for their interval. */
void http__streams_tick(struct http_server *srv, int64_t now_ms);
/* Ends every stream: what is buffered is sent, then the response ends. */
void http__streams_end(struct http_server *srv);

/* ---- server.c: what stream.c needs of the server --------------------------------------- */

struct http__stream_list {
    pthread_mutex_t mu;
    struct http_stream *head; /* doubly linked through the streams' prev/next */
    size_t n;
};

struct http_server {
    struct MHD_Daemon *d;
    const struct http_route *routes;
    size_t nroutes;
    int port;
    struct http__pool *pool;
    struct http__conns *conns;
    struct http__stream_list streams;
    struct http__access *access;
    atomic_uint active;    /* requests between dispatch and completion */
    atomic_bool draining;  /* stopping: new requests get 503 */
    atomic_uint_fast64_t busy_refused; /* requests answered 503 because the pool was full */
    pthread_t ticker;
    pthread_mutex_t tick_mu;
    pthread_cond_t tick_cv;
    bool ticker_stop;
    unsigned drain_ms;
};

struct MHD_Response;
/* The connection and the response of a request being answered (for stream.c). */
struct MHD_Connection *http__req_conn(struct http_req *r);
struct http_server *http__req_server(struct http_req *r);
/* Hands 'resp' (owned) to the request as its reply; 'stream': it stays open after the handler
 * (the request's arena is then freed as soon as the handler returns). */
void http__req_set_response(struct http_req *r, unsigned status, struct MHD_Response *resp,
                            bool stream);

#endif
