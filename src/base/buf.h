/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer with a hard size limit.
 *
 * Invariants (git's strbuf): after buf_init, 'p' is never NULL and p[len] is always '\0'.
 * Every append checks 'max' and returns ERR_TOOBIG instead of growing past it, so hostile
 * input produces a 413, never an out-of-memory. A buf is embedded by its owner and released
 * with buf_release; buf_take hands the bytes to the caller (free them with free()).
 * Not thread-safe; one owner at a time.
 */
#ifndef HARK_BUF_H
#define HARK_BUF_H

#include <stddef.h>

#include "base/str.h"

struct buf {
    char *p;    /* bytes, NUL-terminated */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated, including room for the NUL */
    size_t max; /* hard limit on len */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);

/* Appends; each returns 0 or ERR_TOOBIG (and then leaves 'b' unchanged). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline struct str
buf_str(const struct buf *b)
{
    return (struct str){ b->p, b->len };
}

/* Returns the bytes (NUL-terminated, caller frees) and leaves 'b' empty but usable. */
char *buf_take(struct buf *b, size_t *len);

#endif
