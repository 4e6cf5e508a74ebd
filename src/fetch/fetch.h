/* SPDX-License-Identifier: MIT */
/*
 * fetch.h - outbound HTTP for delivering replies to platforms (libcurl).
 *
 * One call is one request with a total timeout and a cap on the response body. Redirects are
 * not followed and only http and https are allowed, so a hostile callback URL cannot walk the
 * request to a file:// or gopher:// target. Thread-safe: each call uses its own handle;
 * fetch_global_init must run once before threads start.
 */
#ifndef HARK_FETCH_H
#define HARK_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/str.h"

struct fetch_header {
    const char *name;
    const char *value;
};

struct fetch_request {
    const char *method;     /* "POST", "GET", ... */
    const char *url;
    const struct fetch_header *headers;
    size_t nheaders;
    struct str body;        /* may be empty */
    long timeout_ms;        /* total; 0: 10000 */
    size_t max_response;    /* response body cap; 0: 1 MiB */
};

struct fetch_response {
    long status;            /* HTTP status, 0 when no response arrived */
    int64_t retry_after_ms; /* from Retry-After (seconds or HTTP date); -1 when absent */
    int64_t rate_reset_ms;  /* ms until x-rate-limit-reset (epoch seconds, X); -1 when absent */
    struct buf body;        /* released by fetch_response_release */
    char error[160];        /* transport error text when status is 0 */
};

void fetch_global_init(void);
void fetch_global_cleanup(void);

/* Performs the request. Returns 0 when any HTTP response arrived (check 'status'), ERR_TIMEOUT
 * on timeout, ERR_UPSTREAM on connection or protocol errors (see 'error'), ERR_TOOBIG when the
 * response exceeded 'max_response', ERR_INVAL for a URL that is not http or https. 'resp' must
 * be released with fetch_response_release in every case. */
int fetch_do(const struct fetch_request *req, struct fetch_response *resp);
void fetch_response_release(struct fetch_response *resp);

#endif
