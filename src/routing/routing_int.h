/* SPDX-License-Identifier: MIT */
/*
 * routing_int.h - shared by the files of routing/ only.
 */
#ifndef HARK_ROUTING_INT_H
#define HARK_ROUTING_INT_H

#include <pthread.h>

#include "routing/routing.h"

struct routing__presence;
struct routing__timers;

struct routing {
    struct store *st;
    struct hub *hub;
    struct routing_hooks hooks;
    struct routing_metrics metrics;
    struct routing__timers *timers;     /* timers worker; NULL when not started */
    struct routing__presence *presence; /* live web app connections per agent */
    pthread_mutex_t route_mu;           /* serializes routing decisions and 'presence' creation */
    int64_t route_gen;                  /* assignments made by routing so far (route_mu) */
};

/* route.c: frees the presence table. */
void routing__presence_free(struct routing__presence *p);
/* route.c: an arena cap for a job that reads routing's data (every rule, team and agent
 * profile) plus one conversation's input, computed from the stored data; ERR_TOOBIG when that
 * data is beyond what one job may read. */
int routing__cap(struct routing *r, size_t *cap);
/* route.c: escalation near the deadline: level 1 team lead, 2 any available agent. */
void routing__escalate(struct routing *r, int64_t conv_id, int level);

#endif
