/* SPDX-License-Identifier: MIT */
/*
 * watch.h - the listening service: the server side of social listening. The active queries
 * compiled into one matcher (recompiled and hot-swapped on every change), one background
 * thread per active firehose source (resuming from its saved cursor, restarted with backoff),
 * and for every matching post: triage, a stored mention with its query ids (deduplicated on
 * platform + post id), the opportunity flag and the spike detector. See docs/listening.md.
 *
 * Named "watch" so it is not confused with the matcher and sources it runs (listen/), the
 * REST resource (api/listening.c) or the tables (store/st_listen.c). Every function taking a
 * struct watch accepts NULL (the service is not running) and is thread-safe.
 */
#ifndef HARK_WATCH_H
#define HARK_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

struct arena;
struct classify_live;
struct store;
struct watch;

struct watch_config {
    const char *brand_handles; /* the brand's own handles, comma-separated ("acme,
                                  acme.bsky.social"); '@' optional; may be NULL */
    const char *cursor_prefix; /* source cursor files are PREFIX.listen-<id>.cursor; NULL: a
                                  restart resumes from the cursor in the database only */
    int64_t bucket_ms;         /* spike bucket width; 0 = 5 minutes */
};

/* Compiles the active queries and starts a thread per active source; '*out' gets the service.
 * Borrows 'st' and 'cls', the live triage models (may be NULL: mentions are stored
 * untriaged), which must outlive it.
 * A stored set that does not compile is logged and the service runs with no queries until the
 * next reload. ERR_IO (with 'em') when a thread cannot start ('*out' untouched). */
int watch_start(struct store *st, struct classify_live *cls, const struct watch_config *cfg,
                struct watch **out, struct errmsg *em);
/* Stops every source thread, frees the matcher and 'w'. NULL is a no-op. Call after the HTTP
 * server has stopped. */
void watch_stop(struct watch *w);
/* Recompiles the active queries from the store and swaps them in while posts flow: each post
 * is matched by the old set or the new one, never both or neither. Serialized, so the last
 * call wins with the newest rows. ERR_UNAVAIL when 'w' is NULL (not started); ERR_INVAL/ERR_IO with 'em'
 * when the set does not compile (the previous set stays). */
int watch_reload(struct watch *w, struct errmsg *em);
#define WATCH_SOURCES_MAX 100 /* sources (rows); the API refuses more */
/* Starts threads for active sources that have none and stops those of deleted or deactivated
 * sources. ERR_UNAVAIL when 'w' is NULL (not started). */
int watch_sources_reload(struct watch *w);

/* ---- changes to queries and sources ----------------------------------------------------- */
/* Each writes to 'st' (durable when it returns 0) and then brings the running service 'w' (may
 * be NULL: not running) up to date: query changes recompile the matcher (a set that does not
 * compile keeps the previous one and is logged by the service; the rows stay), source changes
 * start or stop source threads. */

/* Adds a query; '*id' gets its id. */
int watch_query_add(struct watch *w, struct store *st, const char *name, const char *text,
                    bool active, int64_t *id);
/* Updates query 'id' ('name' and 'text' NULL: unchanged; 'active' -1: unchanged).
 * ERR_NOTFOUND. */
int watch_query_update(struct watch *w, struct store *st, int64_t id, const char *name,
                       const char *text, int active);
/* Deletes query 'id'; the mentions it matched keep its id. ERR_NOTFOUND. */
int watch_query_delete(struct watch *w, struct store *st, int64_t id);
/* Adds a firehose source; '*id' gets its id. */
int watch_source_add(struct watch *w, struct store *st, const char *spec, bool tls,
                     const char *token, bool active, int64_t *id);
/* Changes source 'id': 'active' 1 or 0 (-1: unchanged); 'spec', 'tls' (0/1, -1: unchanged)
 * and 'token' ("" removes it) when not NULL. A changed spec, tls or token restarts its
 * thread, and a changed spec forgets the saved cursor. ERR_NOTFOUND. */
int watch_source_update(struct watch *w, struct store *st, int64_t id, int active,
                        const char *spec, int tls, const char *token);
/* Deletes source 'id'. ERR_NOTFOUND. */
int watch_source_delete(struct watch *w, struct store *st, int64_t id);

struct watch_source_status {
    bool running;        /* a thread is reading it */
    bool connected_once; /* it has delivered at least one event since it started */
    uint64_t posts;      /* posts delivered since the thread started */
    uint64_t reconnects;
    int failures;        /* failed connects in a row of the current run (it retries) */
    int64_t cursor;      /* last delivered position (Jetstream time_us), 0 when none */
    char error[256];     /* why the last run ended, "" when none */
};
/* Status of the thread reading source 'id' ('running' false when there is none). */
void watch_source_status(struct watch *w, int64_t id, struct watch_source_status *out);

struct watch_ingest_result {
    size_t lines;      /* non-empty lines */
    size_t posts;      /* lines that were posts (others: deletes, identity events) */
    size_t matched;    /* posts matching at least one query */
    size_t stored;     /* new mentions */
    size_t duplicates; /* matching posts already stored */
};
#define WATCH_INGEST_LINES 1000 /* lines in one HTTP ingest batch */
/* The HTTP POST variant of the JSON-lines source: 'body' holds records as `hark listen`
 * reads them (flat records, Jetstream events or Mastodon statuses), one per line. Every line
 * is decoded first; a line that is not a valid record fails the whole batch with ERR_INVAL
 * and 'em' naming the line, and nothing is stored. ERR_TOOBIG past WATCH_INGEST_LINES
 * lines or 64 KiB in one line. Waits until the mentions are durable. */
int watch_ingest(struct watch *w, struct str body, struct watch_ingest_result *out,
                       struct errmsg *em);

/* ---- back-test over recent posts ---------------------------------------------------------- */
/* The service keeps the last posts it saw (from every source and the HTTP ingest, matching or
 * not, in memory only: gone after a restart) so a query can be tried before it is saved. */
#define WATCH_RECENT_POSTS 5000          /* posts kept */
#define WATCH_RECENT_BYTES (8u << 20)    /* bytes those posts may hold; older ones make room */
#define WATCH_TEST_EXAMPLES_MAX 50       /* examples one back-test may return */
#define WATCH_TEST_TEXT_MAX 1000         /* bytes of an example's text (cut on a character) */

struct watch_test_example {
    const char *platform, *id, *author, *text, *url, *lang; /* "" when the post had none */
    bool text_cut;      /* 'text' is the first WATCH_TEST_TEXT_MAX bytes of a longer post */
    int64_t created_ms; /* when the author wrote it, 0 unknown */
    int64_t seen_ms;    /* when Hark saw it, ms since epoch */
    const char **terms; /* the query's words and phrases found in it, folded ("cafe") */
    size_t nterms;
};

struct watch_test_result {
    size_t scanned;     /* recent posts the query was matched against */
    size_t matched;     /* of those, posts it matches */
    int64_t oldest_ms;  /* when Hark saw the oldest of them, 0 when there are none */
    int64_t newest_ms;
    struct watch_test_example *examples; /* the newest matches, at most 'max_examples' */
    size_t nexamples;
};

/* Matches the query 'text' (not stored; any active state) with the real matcher against the
 * recent posts and fills '*out', whose strings come from 'ar'. Bounded by WATCH_RECENT_POSTS
 * and WATCH_RECENT_BYTES; runs on the caller's thread without blocking the sources for more
 * than a copy of the post pointers. ERR_INVAL (or ERR_TOOBIG past LISTEN_QUERY_MAX) with 'em'
 * and '*pos' (the byte offset of the problem) when the query does not parse or compile;
 * ERR_UNAVAIL when 'w' is NULL. */
int watch_test(struct watch *w, struct arena *ar, const char *text, size_t max_examples,
               struct watch_test_result *out, struct errmsg *em, size_t *pos);

/* Counters for /metrics, since start. Zero when 'w' is NULL (not running). */
struct watch_metrics {
    uint64_t posts;      /* posts seen by the matcher (sources and HTTP ingest) */
    uint64_t matched;    /* posts matching at least one query */
    uint64_t mentions;   /* new mentions stored */
    uint64_t duplicates; /* matching posts already stored */
    uint64_t alerts;     /* spike alerts stored */
    uint64_t sources_running;
};
void watch_metrics(struct watch *w, struct watch_metrics *out);

/* True when 'text' @mentions one of 'handles' (comma-separated, '@' optional): "@acme" or
 * "@acme.bsky.social" for the handle "acme", case-insensitively; an e-mail address
 * ("help@acme.com") is not a mention. Pure; for the opportunity flag. */
bool watch_addressed(struct str text, const char *handles);
/* True when 'author' is one of 'handles' (or a handle under it: "acme.bsky.social" for
 * "acme"): the brand's own posts are never opportunities. */
bool watch_is_brand(struct str author, const char *handles);

#endif
