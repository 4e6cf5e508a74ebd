/* SPDX-License-Identifier: MIT */
/*
 * demo_policy.h - the demo brand's care policy: a few root causes with their keywords, the
 * causes of some resolved complaints, and goodwill on a few complaints (two approved, one over
 * the agent's limit waiting in Jonas's and Maya's "Approvals"), so the reports and the queue
 * have something to show at once.
 */
#ifndef HARK_DEMO_POLICY_H
#define HARK_DEMO_POLICY_H

#include <stddef.h>
#include <stdint.h>

struct app;

/* Writes through care's entry points (as the API does). 'ids' are the team in demo.c's order
 * (admin, supervisor, agent, store staff, agent). Call once, after the conversations are
 * seeded. 0 or ERR_* (logged). */
int demo_policy_seed(struct app *app, const int64_t *ids, size_t n);

#endif
