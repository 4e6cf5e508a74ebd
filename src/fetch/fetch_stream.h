/* SPDX-License-Identifier: MIT */
/*
 * fetch_stream.h - a long-lived streaming HTTP GET (Server-Sent Events and other endless
 * bodies): the body is handed to a callback chunk by chunk as it arrives, and the call
 * returns when the server ends the stream, the callback or the caller's stop flag asks it to,
 * or the stream stays silent for too long. Separate from fetch.h's request/response calls,
 * which buffer whole bodies with size caps. libcurl stays inside src/fetch/.
 */
#ifndef HARK_FETCH_STREAM_H
#define HARK_FETCH_STREAM_H

#include <stdatomic.h>
#include <stddef.h>

#include "base/err.h"

/* Called with each chunk of the body as it arrives (borrowed, only during the call).
 * Return 0 to go on, < 0 to end the stream (fetch_stream_get then returns that value). */
typedef int fetch_stream_fn(const char *data, size_t len, void *arg);

struct fetch_stream_opts {
    const char *url;            /* http:// or https:// */
    const char *bearer;         /* "Authorization: Bearer ..." token, or NULL */
    const char *accept;         /* Accept header, or NULL (e.g. "text/event-stream") */
    long connect_timeout_ms;    /* 0 = 10 s */
    long idle_timeout_ms;       /* end the stream after this long without a byte; 0 = 60 s */
    const atomic_bool *stop;    /* polled at least every 100 ms; may be NULL */
};

/*
 * Streams 'o->url' into 'cb'. Returns 0 when the server closed the stream after a 2xx (or
 * when 'stop' was set), the callback's negative value, ERR_UPSTREAM for a non-2xx status
 * (the status is in '*status' when not NULL, and in 'em'), ERR_TIMEOUT when idle, ERR_IO for
 * connection failures. Blocks the calling thread; thread-safe (one curl handle per call).
 */
int fetch_stream_get(const struct fetch_stream_opts *o, fetch_stream_fn *cb, void *arg,
                     long *status, struct errmsg *em);

#endif
