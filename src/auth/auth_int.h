/* SPDX-License-Identifier: MIT */
/*
 * auth_int.h - shared by the files of auth/ only.
 */
#ifndef HARK_AUTH_INT_H
#define HARK_AUTH_INT_H

#include <stdatomic.h>

#include "auth/auth.h"

struct auth__limiter;

struct auth {
    struct auth_config cfg;
    struct store *st;
    struct auth_metrics metrics;
    struct auth__limiter *limiter;
    atomic_int verifying; /* password verifies in flight (atomic); at most cfg.verify_max */
};

/* Login limiter (ratelimit.c). Thread-safe. One attempt has several keys (auth.c uses
 * "ac:<account>|<client>", "c:<client>" and "a:<account>"), each with its rule. */
struct auth__limit {
    int max;             /* attempts counted within a window before the rule bites */
    int64_t window_ms;   /* an entry with no attempt (and no lock) for this long is forgotten */
    int64_t lock_ms;     /* lock at the max-th attempt; doubles with each attempt past it */
    int64_t lock_max_ms; /* cap on one lock */
    int64_t slow_ms;     /* non-zero: never lock; past 'max', one attempt per 'slow_ms' */
};
struct auth__limiter *auth__limiter_new(size_t cap);
void auth__limiter_free(struct auth__limiter *l);
/* Checks all 'n' keys of one attempt against their 'rules' and, only when every one allows
 * it, counts the attempt against each, atomically. Returns 0 when the attempt may go ahead,
 * else the ms until it may (nothing counted). */
int64_t auth__limiter_begin(struct auth__limiter *l, const char *const *keys,
                            const struct auth__limit *rules, size_t n, int64_t now);
/* The attempt succeeded: forgets the first 'forget' keys and gives the attempt back to the
 * others. */
void auth__limiter_succeed(struct auth__limiter *l, const char *const *keys, size_t n,
                           size_t forget);

/* The breached-password list (generated from data/passwords/ by tools/embed-passwords.sh):
 * lowercased, sorted by strcmp. */
extern const char *const auth__breached[];
extern const size_t auth__nbreached;

#endif
