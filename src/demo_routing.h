/* SPDX-License-Identifier: MIT */
/*
 * demo_routing.h - the demo brand's care set-up: business hours with a public holiday, an SLA
 * policy, the "Social care" and "Store staff - Berlin Mitte" teams with honest acknowledgement
 * texts (en, de), agent profiles (skills, languages, capacity, presence) and routing rules, so
 * the first screens show SLA clocks, the queue, routing reasons and acknowledgements.
 */
#ifndef HARK_DEMO_ROUTING_H
#define HARK_DEMO_ROUTING_H

#include <stddef.h>
#include <stdint.h>

struct app;

/* The demo's agents, in the order of demo.c's team table (Maya first, then Jonas, Aiko,
 * Sam, Léa): 'agent_ids' has 'n' of them. Writes calendar, policies, profiles, teams and rules
 * through routing's entry points (as the API does). Call once, on a new demo database, before
 * any conversation is routed. 0 or ERR_* (logged). */
int demo_routing_seed(struct app *app, const int64_t *agent_ids, size_t n);

#endif
