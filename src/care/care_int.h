/* SPDX-License-Identifier: MIT */
/*
 * care_int.h - shared by the files of care/ only.
 */
#ifndef HARK_CARE_INT_H
#define HARK_CARE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "care/care.h"

struct auth__limiter;
struct care__poller;
struct routing__presence;
struct routing__timers;
struct watch;

struct care {
    struct care_config cfg;
    struct store *st;
    struct hub *hub;
    struct care_metrics metrics;
    struct auth__limiter *limiter;
    atomic_int verifying;       /* password verifies in flight (atomic); at most cfg.verify_max */
    const struct classify *cls; /* may be NULL: no triage */

    pthread_t outbox_thread;
    pthread_mutex_t outbox_mu; /* guards the three fields below */
    pthread_cond_t outbox_cv;
    bool outbox_running, outbox_stop, outbox_kicked;

    struct care__poller *poller; /* pull channels (poller.c); NULL when not running */

    /* Issue 7: routing, SLA timers, presence (route.c, timers.c). */
    struct routing__timers *timers;     /* timers worker; NULL when not started */
    struct routing__presence *presence; /* live web app connections per agent */
    pthread_mutex_t route_mu;        /* serializes routing decisions and 'presence' creation */
    int64_t route_gen;               /* assignments made by routing so far (route_mu) */

    struct watch *listen; /* listening service (listening.c), NULL when not started */

    int64_t housekept_at; /* last housekeeping run, ms; timers worker only */
};

/* Housekeeping (housekeeping.c), called by the timers worker on every wake-up; runs its
 * chores at most once per CARE__HOUSEKEEP_MS: purges expired sessions. */
#define CARE__HOUSEKEEP_MS (60 * 1000)
void care__housekeep(struct care *c, int64_t now);

/* Login limiter (ratelimit.c). Thread-safe. One attempt has up to AUTH__LIMIT_KEYS_MAX keys
 * (auth.c uses "ac:<account>|<client>", "c:<client>" and "a:<account>"), each with its rule. */
#define AUTH__LIMIT_KEYS_MAX 4
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

/* Issue 7 (route.c): frees the presence table. */
void routing__presence_free(struct routing__presence *p);
/* route.c: an arena cap for a job that reads routing's data (every rule, team and agent
 * profile) plus one conversation's input, computed from the stored data; ERR_TOOBIG when that
 * data is beyond what one job may read. */
int routing__cap(struct care *c, size_t *cap);
/* Issue 7 (route.c): escalation near the deadline: level 1 team lead, 2 any available agent. */
void routing__escalate(struct care *c, int64_t conv_id, int level);

#endif
