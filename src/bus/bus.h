/* SPDX-License-Identifier: MIT */
/*
 * bus.h - the event bus between Hark instances that share one database (NATS JetStream).
 *
 * Without a bus, the store writer hands each committed event to the local hub, so an event
 * stream sees only its own instance's events. With `--nats URL`, the writer hands them to
 * bus_committed instead, which queues each one for a publisher thread that publishes it to a
 * JetStream stream (Nats-Msg-Id = its seq, so a repeated publish is dropped by NATS), and also
 * puts it in the local reorder buffer; a pump thread
 * consumes the stream and hands every instance's events to the local hub strictly in seq
 * order. An event that comes early waits in a bounded reorder buffer for the ones before it;
 * a gap not filled within BUS_GAP_MS, or a full buffer, is repaired by reading the missing
 * events from the store (the database is the truth), and a periodic check compares the
 * store's newest seq with the hub's, so an event whose publish was lost, or that was written
 * while NATS was down, still arrives. Nothing here blocks the writer for long or aborts.
 *
 * Events must be numbered in commit order for the repair to read whole prefixes (SQLite: the
 * rowid of one writer at a time); a seq missing from the store while later ones are there is
 * waited for BUS_HOLE_MS, then passed over (counted).
 *
 * Thread-safe: bus_committed runs on the store writer (it never calls libnats), the NATS
 * callbacks on libnats' threads, the publisher and the pump on their own; one mutex guards the
 * reorder buffer, another the publish queue.
 */
#ifndef HARK_BUS_H
#define HARK_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct bus;
struct hub;
struct store;

#define BUS_GAP_MS 200       /* an out-of-order event waits this long for the ones before it */
#define BUS_CHECK_MS 1000    /* store check interval while NATS is connected */
#define BUS_CHECK_DOWN_MS 200 /* ... and while it is not */
#define BUS_HOLE_MS 5000     /* a seq missing from the store is passed over after this long */
#define BUS_WINDOW 1024      /* reorder buffer: events past the next expected one */

struct bus_config {
    const char *url;    /* "nats://HOST:PORT" (user:password@ and a comma list as libnats takes) */
    const char *stream; /* JetStream stream; NULL: "HARK_EVENTS" */
    const char *subject; /* its subject; NULL: "hark.events" */
};

/* Counters for /metrics (monotonic, read with metrics_get). */
struct bus_metrics {
    uint64_t published;      /* events handed to NATS */
    uint64_t publish_errors; /* publishes refused, failed, timed out, or skipped while down */
    uint64_t received;       /* events received from the stream */
    uint64_t repaired;       /* events read from the store to fill a gap */
    uint64_t reorder_waits;  /* times an early event waited for earlier ones */
    uint64_t holes_skipped;  /* seqs missing from the store, passed over after BUS_HOLE_MS */
    uint64_t disconnects;    /* NATS connections lost */
};

/* Connects to NATS, creates the stream (file storage, 10 min max age, 2 min duplicate window)
 * or binds to the existing one, subscribes from "now" and starts the pump, which hands events
 * after hub_last_seq(hub) to 'hub'. Then call store_set_publisher(st, bus_committed, *out).
 * Returns ERR_UNAVAIL (NATS unreachable, JetStream off) or ERR_INVAL (bad URL) with the reason
 * in 'em'. 'hub' and 'st' are borrowed and must outlive the bus. */
int bus_open(const struct bus_config *cfg, struct hub *hub, struct store *st, struct bus **out,
             struct errmsg *em);

/* The store publisher (store_publish_fn): puts the committed event in the reorder buffer for
 * the local hub and queues it for the publisher thread (a full queue, 65,536 events, or NATS
 * down counts publish_errors and leaves the other instances to the store repair). Never
 * waits on NATS. After bus_stop it hands the event to the hub directly. */
void bus_committed(void *bus, int64_t seq, const char *type, const char *data, size_t len);

/* Stops the pump, lets the publisher send what is queued, and closes the NATS connection
 * (waiting up to a second for acknowledgements); later bus_committed calls go to the hub
 * directly. Call before store_close. */
void bus_stop(struct bus *b);
/* Frees the bus (after store_close). NULL is a no-op. */
void bus_free(struct bus *b);

/* Appends the bus's metrics as Prometheus text (hark_bus_*); NULL appends nothing. */
void bus_metrics_render(struct bus *b, struct buf *out);

#endif
