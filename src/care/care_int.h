/* SPDX-License-Identifier: MIT */
/*
 * care_int.h - shared by the files of care/ only.
 */
#ifndef HARK_CARE_INT_H
#define HARK_CARE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "care/care.h"

struct care__poller;

struct care {
    struct care_config cfg;
    struct store *st;
    struct hub *hub;
    struct care_metrics metrics;
    const struct classify *cls; /* may be NULL: no triage */
    struct auth *auth;
    struct routing *routing;
    _Atomic(struct watch *) watch; /* listening service; NULL when not started. Atomic: request
                                      threads read it while the server starts and stops it */

    pthread_t outbox_thread;
    pthread_mutex_t outbox_mu; /* guards the three fields below */
    pthread_cond_t outbox_cv;
    bool outbox_running, outbox_stop, outbox_kicked;

    struct care__poller *poller; /* pull channels (poller.c); NULL when not running */

    struct care_recent *recent; /* the detector's memory of recent replies (reply_check.c) */

    int64_t housekept_at; /* last housekeeping run, ms; timers worker only */
};

/* Housekeeping (housekeeping.c), called by the timers worker on every wake-up; runs its
 * chores at most once per CARE__HOUSEKEEP_MS: purges expired sessions. */
#define CARE__HOUSEKEEP_MS (60 * 1000)
void care__housekeep(struct care *c, int64_t now);

#endif
