/* SPDX-License-Identifier: MIT */
/*
 * listen_int.h - what the files of src/listen/ share and nobody else sees: the folding
 * classes, the parsed query tree, and the source helpers.
 */
#ifndef HARK_LISTEN_INT_H
#define HARK_LISTEN_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "listen/listen.h"

/* ---- folding (listen_fold.c) ---- */

/* Builds the folding tables once per process (thread-safe, idempotent). They are immutable
 * afterwards, so they are the one piece of process-wide state here. */
void listen__fold_init(void);

/* True when code point 'cp' belongs to a script written without spaces between words
 * (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar): literals starting or ending with such a
 * character need no word boundary on that side. */
bool listen__cp_nospace(uint32_t cp);

/* Worst-case folded size of 'len' input bytes. */
#define LISTEN_FOLD_BOUND(len) ((len) * 8 + 16)

/* ---- queries (listen_query.c) ---- */

enum lq_kind {
    LQ_TERM,   /* literal (word, phrase, prefix, handle, hashtag) */
    LQ_AND,
    LQ_OR,
    LQ_NOT,
    LQ_NEAR,   /* a NEAR/n b; a and b are TERM nodes or ORs of TERM nodes */
    LQ_FIELD,
};

enum lq_field { LQF_LANG, LQF_AUTHOR, LQF_PLATFORM, LQF_HAS_LINK, LQF_IS_REPLY };

struct lq_node {
    enum lq_kind kind;
    int a, b;          /* children (node indexes), -1 when unused */
    /* LQ_TERM */
    char *lit;         /* folded literal, without boundary spaces (NUL-terminated, owned) */
    size_t lit_len;
    bool left;         /* needs a word boundary before */
    bool right;        /* needs a word boundary after (false for prefix*) */
    /* LQ_NEAR */
    int near;
    /* LQ_FIELD */
    enum lq_field field;
    char *value;       /* lowercased value, '*' stripped (owned) */
    size_t value_len;
    bool prefix;       /* value ended in '*' */
    /* filled by the compiler */
    uint32_t atom;     /* LQ_TERM: atom index in the matcher */
};

struct lq_tree {
    struct lq_node *nodes;
    size_t n, cap;
    int root;
};

/* Parses 'text' into 't' (which must be zeroed). Returns 0, or ERR_INVAL/ERR_TOOBIG with 'em'
 * ("at column N: ...") and '*pos' (byte offset; may be NULL). Frees partial work on error. */
int listen__query_parse(struct str text, struct lq_tree *t, struct errmsg *em, size_t *pos);
void listen__query_release(struct lq_tree *t);

/* ---- decoding and sources (listen_decode.c, listen_source.c, listen_ws.c, listen_sse.c) ---- */

/* What the Jetstream event parser (listen_jetstream.c, yajl) extracts from one event. */
struct listen_jetstream_fields {
    struct buf did, collection, rkey, rev, text, lang;
    int64_t time_us, created_ms;
    bool has_time, has_text, is_commit, is_create, is_reply, link;
};
void listen__jetstream_init(struct listen_jetstream_fields *f);
void listen__jetstream_release(struct listen_jetstream_fields *f);
/* Parses 'json'; 0 when it is a well-formed JSON object (whatever it holds), else ERR_INVAL. */
int listen__jetstream_parse(struct listen_jetstream_fields *f, struct str json);

/* The dedupe key of the last decoded post: "did/rkey/rev" for Jetstream, the id otherwise. */
struct str listen__decoder_key(const struct listen_decoder *d);

enum src_kind { SRC_FILE, SRC_JETSTREAM, SRC_MASTODON };

/* Two generations of 64-bit fingerprints: membership in either means "seen recently". */
#define DEDUPE_SLOTS 32768 /* per generation; a generation holds at most half */
struct dedupe {
    uint64_t *gen[2];
    size_t count; /* entries in gen[0] */
};

struct listen_source {
    enum src_kind kind;
    char *spec;
    char *host;          /* network sources */
    int port;
    char *path;          /* request path including any query string */
    char *file;          /* SRC_FILE: path, or NULL for stdin */
    struct listen_source_opts opts;
    atomic_bool stop;
    struct listen_source_stats stats;
    struct listen_decoder *dec;
    struct dedupe seen;
    int64_t saved_cursor; /* last cursor written to opts.cursor_file */
    int64_t resume_floor; /* cursor read from the file at start: older replays are duplicates */
    int64_t saved_ms;     /* when it was written (monotonic) */
    listen_post_fn *cb;
    void *arg;
    int cb_rc;            /* a callback's error, to return from run */
};

/* True when 'key' was seen recently; records it either way. */
bool listen__dedupe_seen(struct dedupe *d, struct str key);
/* Delivers a decoded post: dedupe, callback, counters, cursor bookkeeping. Returns the
 * callback's result (< 0 stops the source). */
int listen__deliver(struct listen_source *src, const struct listen_post *p);
/* Writes the cursor file now when 'force', or when a second has passed since the last write. */
void listen__cursor_save(struct listen_source *src, bool force);
/* Sleeps up to 'ms' while watching the stop flag; returns false when asked to stop. */
bool listen__backoff(struct listen_source *src, int attempt);

int listen__ws_run(struct listen_source *src, struct errmsg *em);
int listen__sse_run(struct listen_source *src, struct errmsg *em);

#endif
