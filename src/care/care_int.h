/* SPDX-License-Identifier: MIT */
/*
 * care_int.h - shared by the files of care/ only.
 */
#ifndef HARK_CARE_INT_H
#define HARK_CARE_INT_H

#include <pthread.h>

#include "care/care.h"

struct care__limiter;
struct care__poller;
struct care__presence;
struct care__timers;
struct care__listen;

struct care {
    struct care_config cfg;
    struct store *st;
    struct hub *hub;
    struct care_metrics metrics;
    struct care__limiter *limiter;
    const struct classify *cls; /* may be NULL: no triage */

    pthread_t outbox_thread;
    pthread_mutex_t outbox_mu; /* guards the three fields below */
    pthread_cond_t outbox_cv;
    bool outbox_running, outbox_stop, outbox_kicked;

    struct care__poller *poller; /* pull channels (poller.c); NULL when not running */

    /* Issue 7: routing, SLA timers, presence (route.c, timers.c). */
    struct care__timers *timers;     /* timers worker; NULL when not started */
    struct care__presence *presence; /* live web app connections per agent */
    pthread_mutex_t route_mu;        /* serializes routing decisions and 'presence' creation */
    int64_t route_gen;               /* assignments made by routing so far (route_mu) */

    struct care__listen *listen; /* listening service (listening.c), NULL when not started */
};

/* Failed-login limiter (ratelimit.c). Keys are "a:<email>" and "c:<client>". */
struct care__limiter *care__limiter_new(size_t cap);
void care__limiter_free(struct care__limiter *l);
/* 0 when 'key' may try now, else the ms until it may. */
int64_t care__limiter_check(struct care__limiter *l, const char *key, int max, int64_t window_ms,
                            int64_t now);
void care__limiter_fail(struct care__limiter *l, const char *key, int64_t window_ms, int64_t now);
void care__limiter_reset(struct care__limiter *l, const char *key);

/* Issue 7 (route.c): frees the presence table. */
void care__presence_free(struct care__presence *p);
/* route.c: an arena cap for a job that reads routing's data (every rule, team and agent
 * profile) plus one conversation's input, computed from the stored data; ERR_TOOBIG when that
 * data is beyond what one job may read. */
int care__route_cap(struct care *c, size_t *cap);
/* Issue 7 (route.c): escalation near the deadline: level 1 team lead, 2 any available agent. */
void care__escalate(struct care *c, int64_t conv_id, int level);

#endif
