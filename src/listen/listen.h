/* SPDX-License-Identifier: MIT */
/*
 * listen.h - social listening: a query language, a compiled matcher, firehose sources and
 * per-query spike detection. This is the one public header of src/listen/.
 *
 * The pieces, in the order a post meets them:
 *
 *   source (Jetstream WebSocket, Mastodon SSE, JSON lines)  -- decodes platform bytes into a
 *       struct listen_post and hands it to a callback;
 *   matcher (listen_set + listen_scratch)                    -- folds the text (case, accents,
 *       compatibility forms), scans it with one Hyperscan database holding every literal of
 *       every query, then evaluates each candidate query's boolean tree;
 *   spike detector (listen_spike)                            -- per query, compares the current
 *       bucket's volume and negative share with that query's own rolling baseline.
 *
 * The query language is documented with examples in docs/listening.md. In short:
 *
 *   refund OR "money back"            terms and exact phrases, AND (or juxtaposition), OR, NOT
 *   acme AND (late OR broken) -spam   parentheses; "-x" is NOT x
 *   refund* NEAR/3 acme               prefix wildcards; a NEAR/n b = at most n words apart
 *   @acme #acmefail 🔥                 handles, hashtags, emoji
 *   lang:fr author:bob.bsky.social platform:bluesky has:link is:reply     field filters
 *
 * Matching is case- and accent-insensitive on all of Unicode (NFKC case folding, with
 * combining accents removed), respects word boundaries in every script, and treats scripts
 * written without spaces (Han, kana, Hangul, Thai, ...) as substrings.
 *
 * Ownership: borrowed by default. Everything a function keeps is copied, except where the
 * name says _take. Thread-safety is stated on each type.
 */
#ifndef HARK_LISTEN_H
#define HARK_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/str.h"

/* ---------------------------------------------------------------------------------------- */
/* Posts                                                                                     */

/*
 * One normalized public post, whatever platform it came from. All slices are borrowed: a
 * source's callback may use them only until it returns. 'text' is plain UTF-8 (HTML already
 * stripped for Mastodon); the matcher never trusts it to be valid and replaces bad bytes.
 */
struct listen_post {
    struct str platform; /* "bluesky", "mastodon", or whatever a JSON-lines record says */
    struct str id;       /* platform-unique id: at:// URI for Bluesky, status URI for Mastodon */
    struct str text;     /* the post's text */
    struct str lang;     /* BCP 47 tag of the post's first language, may be empty */
    struct str author;   /* handle ("jane.bsky.social", "jane@example.social") or DID */
    struct str url;      /* web link to the post, may be empty */
    int64_t created_ms;  /* when the author says it was written, ms since epoch; 0 unknown */
    int64_t cursor;      /* source position (Jetstream time_us); 0 when the source has none */
    bool has_link;       /* the post links out (a URL in the text, a link facet or embed) */
    bool is_reply;       /* the post replies to another post */
    int sentiment;       /* -1 negative, 0 neutral/unknown, +1 positive (a record may carry it) */
    int64_t followers;   /* the author's followers (reach) where the source says; -1 unknown */
};

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

/* One listening query: a caller-chosen id (kept, printed with matches) and its text. */
struct listen_query {
    struct str id;
    struct str text;
};

#define LISTEN_QUERY_MAX 4096 /* bytes of query text */
#define LISTEN_NEAR_MAX 100   /* largest n in NEAR/n */

/*
 * Checks that 'text' is a valid query without compiling anything (for a 400 from the API).
 * Returns 0, or ERR_INVAL with 'em' saying what is wrong and where, e.g.
 * "at column 12: expected ')' to close '(' at column 3", and '*pos' (may be NULL) set to the
 * byte offset of the problem. ERR_TOOBIG when 'text' is longer than LISTEN_QUERY_MAX.
 */
int listen_query_check(struct str text, struct errmsg *em, size_t *pos);

/* ---------------------------------------------------------------------------------------- */
/* Matchers                                                                                  */

/*
 * A compiled, immutable set of queries: one Hyperscan database for all literals plus the
 * boolean programs. Refcounted; thread-safe to share once built (nothing mutates it).
 */
struct listen_matcher;

/*
 * Compiles 'n' queries into '*out' (refcount 1). Query ids need not be unique, but the API
 * should keep them so. Returns 0, ERR_INVAL with 'em' naming the query id, the column and the
 * problem ("query 'q7': at column 5: ..."), ERR_TOOBIG past LISTEN_QUERY_MAX or 1,000,000
 * queries, or ERR_IO when Hyperscan refuses the database (message in 'em'). An empty set is
 * valid and matches nothing.
 */
int listen_matcher_new(const struct listen_query *qs, size_t n, struct listen_matcher **out,
                       struct errmsg *em);
struct listen_matcher *listen_matcher_ref(struct listen_matcher *m);
/* Drops one reference; the last one frees. NULL is a no-op. Thread-safe. */
void listen_matcher_unref(struct listen_matcher *m);
size_t listen_matcher_count(const struct listen_matcher *m);
/* The id of query 'i' (0 <= i < count), borrowed from 'm'. */
struct str listen_matcher_query_id(const struct listen_matcher *m, size_t i);
/* The distinct folded literals the Hyperscan stage scans for ("refund " with its boundary
 * space), borrowed from 'm': for benchmarks and diagnostics. */
size_t listen_matcher_atoms(const struct listen_matcher *m);
struct str listen_matcher_atom(const struct listen_matcher *m, size_t i);

/*
 * A published slot holding the current matcher. Writers swap in a new matcher while other
 * threads keep matching; readers (through their scratch) notice the new generation before the
 * next post. Each post is matched against exactly one matcher, old or new, so a swap never
 * drops or double-matches a post. Thread-safe.
 */
struct listen_set;

/* Creates a set holding 'm' (the set takes that reference; 'm' may be NULL = no queries). */
struct listen_set *listen_set_new_take(struct listen_matcher *m);
/* Frees the set; scratches made from it must be freed first. NULL is a no-op. */
void listen_set_free(struct listen_set *set);
/* Publishes 'm' (takes the reference) and drops the set's reference to the previous one,
 * which is freed when the last scratch still using it moves on. Thread-safe; never blocks
 * matching threads for longer than a pointer copy. */
void listen_set_swap_take(struct listen_set *set, struct listen_matcher *m);
/* Returns a new reference to the current matcher (may be NULL). Thread-safe. */
struct listen_matcher *listen_set_current(struct listen_set *set);

/*
 * Per-thread matching state: the Hyperscan scratch, the folding buffer and the hit tables,
 * plus a reference to the matcher it last used. One scratch per thread; not thread-safe.
 */
struct listen_scratch;

struct listen_scratch *listen_scratch_new(struct listen_set *set);
void listen_scratch_free(struct listen_scratch *s);

/*
 * The result of matching one post: indexes of matching queries into 'matcher' (ascending),
 * and the matcher they index. Both are owned by the scratch and valid until the next
 * listen_match call on it.
 */
struct listen_result {
    const struct listen_matcher *matcher;
    const uint32_t *queries;
    size_t n;
};

/*
 * Matches 'p' against the set's current matcher (picking up a swap first, if any).
 * Returns the number of matching queries (>= 0) and fills '*res', or ERR_TOOBIG when the text
 * is over 1 MiB, or ERR_IO when Hyperscan fails.
 */
ssize_t listen_match(struct listen_scratch *s, const struct listen_post *p,
                     struct listen_result *res);

/*
 * The atoms that hit in the last listen_match on 's' (indexes for listen_matcher_atom on that
 * result's matcher), in the order they first hit: which of the queries' words and phrases
 * the post contains, for showing why a post matched (an atom under a NOT may be among them).
 * '*atoms' is owned by the scratch and valid until the next listen_match. Returns the count.
 */
size_t listen_match_hits(const struct listen_scratch *s, const uint32_t **atoms);

/*
 * The folding used by the matcher, exposed for tests and for showing users what was matched:
 * writes the normalized form of 'text' into 'out' (" tokens separated by single spaces ",
 * with a space at each end), at most 'max' bytes. Returns the length, or ERR_TOOBIG.
 */
ssize_t listen_fold(struct str text, char *out, size_t max);

/* ---------------------------------------------------------------------------------------- */
/* Sources                                                                                   */

/* Called once per post, on the source's thread. Return 0 to go on, < 0 to stop the source
 * (listen_source_run then returns that value). */
typedef int listen_post_fn(const struct listen_post *p, void *arg);

struct listen_source_opts {
    const char *cursor_file;  /* Jetstream: file holding the last time_us; NULL = none */
    int64_t cursor;           /* Jetstream without 'cursor_file': the last time_us to resume
                                 from (kept by the caller, e.g. in the database); 0 = none */
    const char *token;        /* Mastodon: bearer token; NULL = none (fake servers) */
    bool once;                /* do not reconnect after the stream ends (tests, back-tests) */
    int max_reconnects;       /* give up after this many failed connects in a row; 0 = 10 */
    int64_t rewind_us;        /* Jetstream: resume this far before the cursor; 0 = 2 s */
    bool tls;                 /* wss:// / https:// instead of ws:// / http:// */
};

/*
 * A running source. Specs: "jetstream://HOST[:PORT][/PATH]" (path defaults to /subscribe),
 * "mastodon://HOST[:PORT][/PATH]" (path defaults to /api/v1/streaming/public; use
 * /api/v1/streaming/hashtag?tag=x for a hashtag stream), "FILE.jsonl", or "-" for stdin.
 * Not thread-safe, except listen_source_stop.
 */
struct listen_source;

/* Opens the source (no I/O yet for network sources). Returns 0, or ERR_INVAL with 'em'. */
int listen_source_open(const char *spec, const struct listen_source_opts *opts,
                       struct listen_source **out, struct errmsg *em);
/*
 * Runs the source on the calling thread, calling 'cb' for each post, until end of input
 * ('once' or a file), listen_source_stop, or a callback error. Network sources reconnect with
 * backoff and resume: Jetstream from the persisted cursor minus 'rewind_us', deduplicating
 * the overlap on (did, rkey, rev); Mastodon streams have no replay, so posts during an outage
 * are lost (the REST backfill belongs to the server). The Jetstream cursor is written to
 * 'cursor_file' (atomically, by rename) after posts are delivered.
 * Returns 0, the callback's error, or ERR_UPSTREAM / ERR_IO with 'em' when giving up.
 */
int listen_source_run(struct listen_source *src, listen_post_fn *cb, void *arg,
                      struct errmsg *em);
/* Asks a running source to return soon. Async-signal-safe and thread-safe. */
void listen_source_stop(struct listen_source *src);
void listen_source_free(struct listen_source *src);

/* Counters, readable while running (approximate when read from another thread). */
struct listen_source_stats {
    uint64_t events;     /* frames or lines read */
    uint64_t posts;      /* posts delivered to the callback */
    uint64_t skipped;    /* events that were not posts (deletes, identity, bad JSON, ...) */
    uint64_t duplicates; /* posts dropped by the resume-overlap dedupe */
    uint64_t reconnects; /* successful reconnects after the first connect */
    int64_t cursor;      /* last Jetstream time_us delivered */
    int failures;        /* failed connects in a row, 0 once a connect works */
};
void listen_source_stats(const struct listen_source *src, struct listen_source_stats *out);

/*
 * The decoders the sources use, exposed for the fuzzers, the benchmark and the server's
 * HTTP POST ingestion. Each parses one record from 'json' into '*p', whose slices point into
 * 'json' or into 'tmp' (a scratch the caller owns and reuses; see listen_decoder_*).
 * Returns 1 for a post, 0 for a valid event that is not a post (delete, identity, account,
 * other collections), ERR_INVAL for bytes that are not a valid event.
 */
struct listen_decoder;
struct listen_decoder *listen_decoder_new(void);
void listen_decoder_free(struct listen_decoder *d);
/* A Jetstream event (§8.3 of PROTOCOLS.md); 'p->cursor' is its time_us. */
int listen_decode_jetstream(struct listen_decoder *d, struct str json, struct listen_post *p);
/* A Mastodon Status object (the payload of an "update" event); HTML is stripped. */
int listen_decode_mastodon(struct listen_decoder *d, struct str json, struct listen_post *p);
/* A JSON-lines record: either a Jetstream event, or a flat object
 * {"id","text","lang","author","platform","url","has_link","is_reply","created_at",
 *  "sentiment":"negative"|"neutral"|"positive"|-1..1}. */
int listen_decode_line(struct listen_decoder *d, struct str json, struct listen_post *p);

/* ---------------------------------------------------------------------------------------- */
/* Spikes                                                                                    */

/* Tells the spike detector whether a post is negative: -1 negative, 0 neutral, +1 positive.
 * The server plugs the classifier in here; the CLI uses the record's own "sentiment". */
typedef int listen_sentiment_fn(const struct listen_post *p, void *arg);

struct listen_spike_opts {
    int64_t bucket_ms;      /* bucket width; 0 = 5 minutes */
    int baseline_buckets;   /* buckets in the rolling baseline (EWMA span); 0 = 12 */
    int warmup_buckets;     /* buckets seen before any alert; 0 = 3 */
    double volume_factor;   /* volume spike: count >= factor * baseline mean; 0 = 3.0 */
    double volume_sigmas;   /* ... and >= mean + sigmas * stddev; 0 = 3.0 */
    uint32_t min_count;     /* never alert below this many posts in a bucket; 0 = 10 */
    double negative_delta;  /* negative-share spike: share >= baseline + delta; 0 = 0.25 */
    listen_sentiment_fn *sentiment; /* NULL = use p->sentiment */
    void *sentiment_arg;
};

#define LISTEN_SPIKE_POSTS 20 /* posts listed in an alert */

enum listen_spike_kind { LISTEN_SPIKE_VOLUME = 1, LISTEN_SPIKE_NEGATIVE = 2 };

/* One alert: which query, which kind, the numbers, and the posts that caused it (ids of the
 * first LISTEN_SPIKE_POSTS matches in the bucket, NUL-terminated copies). */
struct listen_spike_alert {
    char query[128];
    enum listen_spike_kind kind;
    int64_t bucket_start_ms;
    uint32_t count;         /* posts in the bucket so far */
    double baseline;        /* baseline mean posts per bucket */
    double negative_share;  /* share of negative posts in the bucket */
    double baseline_negative_share;
    size_t nposts;
    char posts[LISTEN_SPIKE_POSTS][160];
};

/* Per-query rolling state. Not thread-safe: feed it from one thread (the one that matches). */
struct listen_spike;

struct listen_spike *listen_spike_new(const struct listen_spike_opts *opts);
void listen_spike_free(struct listen_spike *sp);
/*
 * Records that post 'p' (time 't_ms') matched query 'query'. When this post makes the bucket
 * cross a threshold for the first time, fills '*alert' and returns 1 (each kind fires at most
 * once per query per bucket); otherwise returns 0. Queries unseen so far start a baseline.
 * Buckets close as time moves forward; a post older than the current bucket counts in it.
 */
int listen_spike_add(struct listen_spike *sp, struct str query, const struct listen_post *p,
                     int64_t t_ms, struct listen_spike_alert *alert);

/* ---------------------------------------------------------------------------------------- */
/* CLI                                                                                       */

/* `hark listen`: see `hark listen --help`. Returns the process exit status. */
int listen_cli_main(int argc, char **argv);

#endif
