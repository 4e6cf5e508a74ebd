/* SPDX-License-Identifier: MIT */
/*
 * base.c - assertion failure and the out-of-memory-aborting allocators declared in base.h.
 */
#include "base/base.h"

void
base_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "lvl=fatal msg=\"assertion failed\" expr=\"%s\" at=%s:%d\n", expr, file, line);
    abort();
}

static void NORETURN
oom(size_t n)
{
    fprintf(stderr, "lvl=fatal msg=\"out of memory\" bytes=%zu\n", n);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *
xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *
xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
