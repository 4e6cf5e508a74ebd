/* SPDX-License-Identifier: MIT */
/*
 * demo_listen.h - the demo's simulated firehose: Northwind's listening queries, a week of
 * public posts about the brand (with one spike), then a new post every few seconds, all fed
 * through the listening service's HTTP-ingest path (watch_ingest).
 */
#ifndef HARK_DEMO_LISTEN_H
#define HARK_DEMO_LISTEN_H

#include <stdint.h>

struct app;
struct demo_listen;

/* The brand handles the demo uses when none are configured. */
#define DEMO_LISTEN_HANDLES "northwind,northwind.bsky.social"

/* Seeds queries and history on a database without listening queries, then starts the thread
 * that posts every ~'interval_ms'. Returns NULL when the thread cannot start. Call after
 * app_start. */
struct demo_listen *demo_listen_start(struct app *app, int64_t interval_ms);
/* Stops the thread and frees. NULL is a no-op. Call before app_close. */
void demo_listen_stop(struct demo_listen *d);

#endif
