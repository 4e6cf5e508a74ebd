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

/* route.c: the decision routing_conv would make now for 'in', writing nothing; every string
 * and the team copied into 'ar'. Fills the routing part of 'out' (rules tried, rule, team,
 * agent, strategy, reason or why none). */
int routing__dry_decide(struct routing *r, struct arena *ar, const struct store_route_input *in,
                        struct routing_dry_result *out);
/* sla.c: the acknowledgement a conversation 'cv' routed to 'team' would get now ('*text' from
 * 'ar', NULL when none is due) and why, in words; 'queued' with 'ahead' waiting before it.
 * Writes nothing. */
int routing__autoack_text(struct routing *r, struct arena *ar, const struct store_team *team,
                          const struct conv *cv, const char *lang, bool queued, int64_t ahead,
                          const char **text, const char **why);

#endif
