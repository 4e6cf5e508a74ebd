/* SPDX-License-Identifier: MIT */
/*
 * buf.c - growable, capped byte buffer with a sticky error.
 */
#include "base/base.h"
#include "base/buf.h"

#include "base/err.h"

/* What 'p' points to while nothing is allocated (cap 0). Never written. */
static char empty[1];

void
buf_init(struct buf *b, size_t max)
{
    b->p = empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = 0;
}

void
buf_release(struct buf *b)
{
    if (b->cap)
        xfree(b->p);
    buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->cap)
        b->p[0] = '\0';
}

void
buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        if (b->cap)
            b->p[len] = '\0';
    }
    b->err = 0;
}

/* Makes room for 'extra' more bytes plus the NUL, or sets the sticky error. */
static bool
reserve(struct buf *b, size_t extra)
{
    if (b->err)
        return false;
    if (extra > b->max || b->len > b->max - extra) {
        b->err = ERR_TOOBIG;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (b->cap) {
        b->p = xrealloc(b->p, cap);
    } else {
        b->p = xmalloc(cap);
        b->p[0] = '\0';
    }
    b->cap = cap;
    return true;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;

    if (b->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = ERR_INVAL;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        buf_add(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int
buf_take(struct buf *b, char **out, size_t *len)
{
    int rc = b->err;
    if (rc < 0) {
        buf_release(b);
        return rc;
    }
    char *p = b->cap ? b->p : xstrdup("");
    if (len)
        *len = b->len;
    *out = p;
    buf_init(b, b->max);
    return 0;
}
