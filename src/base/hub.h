/* SPDX-License-Identifier: MIT */
/*
 * hub.h - in-memory fan-out of persisted, numbered events.
 *
 * The store writer publishes each event after its transaction is durable, in sequence order.
 * The hub keeps the most recent events in a ring so live readers (SSE streams) copy them out
 * without touching the database; a reader that has fallen behind the ring gets ERR_NOTFOUND
 * and reads the gap from the store instead, so nothing is ever lost. Subscribers register a
 * wake callback that is called (with no hub lock held by the caller's own code path, but from
 * the publishing thread) after each publish; it must not block.
 * Thread-safe: one mutex guards the ring and the subscriber list.
 */
#ifndef HARK_HUB_H
#define HARK_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hub;

struct hub_event {
    int64_t seq;   /* event sequence number, strictly increasing */
    char type[40]; /* "message.created", ... */
    char *data;    /* JSON object text, NUL-terminated; owned by whoever holds the copy */
    size_t len;    /* length of 'data' */
};

typedef void hub_wake_fn(void *arg);

struct hub_sub {
    hub_wake_fn *wake;
    void *arg;
    struct hub_sub *prev, *next; /* owned by the hub while subscribed */
};

/* Creates a hub whose ring holds the last 'ring' events; 'last_seq' is the newest event already
 * persisted before startup (readers asking for events after it wait for new ones). */
struct hub *hub_new(size_t ring, int64_t last_seq);
void hub_free(struct hub *h);

/* Sets the newest already-persisted seq; only before the first publish. */
void hub_set_last(struct hub *h, int64_t last_seq);

/* Copies 'type' and 'data' into the ring and wakes every subscriber. 'seq' should be greater
 * than any seq published before; when it is not (the store's sequence went backwards after a
 * failure), the hub logs, empties its ring (readers then read the gap from the store) and
 * carries on. It never aborts. */
void hub_publish(struct hub *h, int64_t seq, const char *type, const char *data, size_t len);

/* Copies up to 'max' events with seq > 'after' into 'out' (release each with
 * hub_event_release). Returns the count (0 when there is nothing newer yet), or ERR_NOTFOUND
 * when events after 'after' have already left the ring. */
ssize_t hub_read(struct hub *h, int64_t after, struct hub_event *out, size_t max);
void hub_event_release(struct hub_event *e);

/* Publishes whose seq did not follow the newest one (each emptied the ring). */
uint64_t hub_resyncs(struct hub *h);

/* Newest published sequence number. */
int64_t hub_last_seq(struct hub *h);

void hub_subscribe(struct hub *h, struct hub_sub *s);
void hub_unsubscribe(struct hub *h, struct hub_sub *s);
/* Calls every subscriber's wake callback (used for heartbeats). */
void hub_wake_all(struct hub *h);
/* Number of current subscribers. */
size_t hub_subscribers(struct hub *h);

#endif
