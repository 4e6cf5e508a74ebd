/* SPDX-License-Identifier: MIT */
/*
 * demo_canned.h - the demo brand's saved (canned) replies: a few shared ones with variables and
 * English, Spanish and German texts, and one of Maya's own, so a newcomer types "/" in a reply
 * and sees the picker, the filled variables and the check before sending at once.
 */
#ifndef HARK_DEMO_CANNED_H
#define HARK_DEMO_CANNED_H

#include <stdint.h>

struct app;

/* Writes the replies through care's entry point (as the API does); 'maya_id' owns the personal
 * one. Call once, on a new demo database. 0 or ERR_* (logged). */
int demo_canned_seed(struct app *app, int64_t maya_id);

#endif
