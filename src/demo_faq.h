/* SPDX-License-Identifier: MIT */
/*
 * demo_faq.h - the demo brand's FAQ bot: three FAQs (opening hours, sizes, where an order is,
 * with a link), the bot switched on for the website channel, one conversation it answered and
 * then handed to a person ("HUMAN"), and plain questions among the simulated customers, so the
 * bot answers in the live traffic too.
 */
#ifndef HARK_DEMO_FAQ_H
#define HARK_DEMO_FAQ_H

#include <stdint.h>

struct app;

/* Writes the FAQs and the bot's settings through care's entry points (as the API does) and
 * plays the one handoff. Call once, on a new demo database, after routing is seeded. 0 or
 * ERR_* (logged). */
int demo_faq_seed(struct app *app, int64_t channel_id);
/* A plain question the bot can answer, for simulated customer 'n' (static text). */
const char *demo_faq_question(unsigned n);

#endif
