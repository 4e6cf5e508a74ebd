/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer with a hard size limit and a sticky error.
 *
 * Invariants (git's strbuf): after buf_init, 'p' is never NULL and p[len] is always '\0'.
 * buf_init allocates nothing; the first append does.
 *
 * Errors are sticky (SQLite's sqlite3_str): an append that would pass 'max' (or a printf
 * format error) appends nothing and records ERR_TOOBIG (ERR_INVAL) in the buf; every later
 * append is then a no-op, so the content is always a prefix the producer wrote in whole
 * pieces, never a silently cut document. Appends therefore return nothing. A producer of JSON,
 * MIME, SQL text or an HTTP body checks ONE final result, buf_error() or buf_take(), before it
 * sends or stores the bytes, and fails that one request or job when it is an error (hostile
 * input thus produces a 413 or a failed job, never an out-of-memory or half a document).
 *
 * A buf is embedded by its owner and released with buf_release; buf_take hands the bytes to
 * the caller (free them with free()). Not thread-safe; one owner at a time.
 */
#ifndef HARK_BUF_H
#define HARK_BUF_H

#include <stddef.h>

#include "base/str.h"

struct buf {
    char *p;    /* bytes, NUL-terminated */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated, including room for the NUL; 0: 'p' is a shared "" */
    size_t max; /* hard limit on len */
    int err;    /* sticky: 0, or the ERR_* of the first failed append */
};

/* Makes an empty buf that will hold at most 'max' bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Frees the bytes; 'b' is then as after buf_init (same 'max', no error). */
void buf_release(struct buf *b);
/* Empties 'b' and clears its error, keeping its memory. */
void buf_reset(struct buf *b);
/* Cuts 'b' back to its first 'len' bytes (a length it had before) and clears its error: undoes
 * the appends since then, e.g. one record that did not fit, keeping the whole ones before it. */
void buf_truncate(struct buf *b, size_t len);

/* Appends. On overflow (or a bad format) they append nothing and set the sticky error; once
 * it is set they do nothing. Check buf_error() or buf_take() once at the end. */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 0, or the sticky error (ERR_TOOBIG, ERR_INVAL) of the first append that failed. */
__attribute__((warn_unused_result)) static inline int
buf_error(const struct buf *b)
{
    return b->err;
}

static inline struct str
buf_str(const struct buf *b)
{
    return (struct str){ b->p, b->len };
}

/* Hands the bytes over: on success '*out' is the NUL-terminated text (the caller frees it with
 * free()), '*len' (may be NULL) its length, and 0 is returned. When an append failed it
 * returns the sticky error and leaves '*out' and '*len' untouched. Either way 'b' is left as
 * after buf_init (empty, no error, same 'max'). */
__attribute__((warn_unused_result)) int buf_take(struct buf *b, char **out, size_t *len);

#endif
