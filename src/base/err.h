/* SPDX-License-Identifier: MIT */
/*
 * err.h - Hark's one error convention.
 *
 * Functions return an int: 0 is success, a negative ERR_* value is failure. Count-returning
 * functions return ssize_t (>= 0 or ERR_*). When a caller needs a readable reason, the callee
 * fills a struct errmsg (first error wins). Messages are lowercase, say what failed first and
 * quote the subject: "invalid 'priority': want 0..3".
 */
#ifndef HARK_ERR_H
#define HARK_ERR_H

#include <stdbool.h>
#include <stddef.h>

enum {
    ERR_NOMEM = -1,    /* out of memory (normally fatal; kept for library boundaries) */
    ERR_INVAL = -2,    /* invalid input: maps to 400/422 */
    ERR_NOTFOUND = -3, /* no such object: 404 */
    ERR_CONFLICT = -4, /* state conflict or duplicate: 409 */
    ERR_TOOBIG = -5,   /* a size limit was hit: 413 */
    ERR_TIMEOUT = -6,  /* a deadline passed: 504 */
    ERR_IO = -7,       /* disk, database or socket failure: 500 */
    ERR_UPSTREAM = -8, /* a remote platform failed: 502 */
    ERR_BUSY = -9,     /* rate limited or overloaded: 429 */
    ERR_PERM = -10,    /* not allowed: 403 */
    ERR_UNAVAIL = -11, /* temporarily unavailable: 503 */
    ERR_AUTH = -12,    /* not authenticated: 401 */
};

/* Returns a static lowercase name for 'rc' ("not_found", "invalid", ...). */
const char *err_str(int rc);

/* A fixed buffer for a human-readable reason; the first error written wins. */
struct errmsg {
    char text[256];
    bool set;
};

/* Writes the message if none is set yet and returns 'rc', so callers can
 * `return errmsg_set(em, ERR_INVAL, "invalid '%s'", name);`. 'em' may be NULL. */
int errmsg_set(struct errmsg *em, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
