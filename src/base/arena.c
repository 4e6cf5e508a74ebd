/* SPDX-License-Identifier: MIT */
/*
 * arena.c - bump allocation over a chain of blocks, plus deferred cleanup hooks.
 */
#include "base/base.h"
#include "base/arena.h"

#include "base/log.h"
#include "base/metrics.h"

#define BLOCK_MIN 4096

struct block {
    struct block *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

struct defer {
    struct defer *next;
    arena_defer_fn *fn;
    void *arg;
};

struct arena {
    struct block *head;
    struct defer *defers;
    size_t total;     /* bytes handed out so far */
    size_t cap;       /* limit on 'total' before the arena counts as failed */
    bool failed;      /* sticky: 'total' went past 'cap' */
    const char *file; /* where it was created, for the warning */
    int line;
};

/* Process-wide count of arenas that ran past their cap (a metric, relaxed atomics). */
static uint64_t cap_exceeded;

struct arena *
arena_new_at(size_t cap, const char *file, int line)
{
    struct arena *a = xcalloc(1, sizeof(*a));
    a->cap = cap;
    a->file = file;
    a->line = line;
    return a;
}

bool
arena_failed(const struct arena *a)
{
    return a->failed;
}

uint64_t
arena_cap_exceeded_total(void)
{
    return metrics_get(&cap_exceeded);
}

void
arena_free(struct arena *a)
{
    if (!a)
        return;
    while (a->defers) {
        struct defer *d = a->defers;
        a->defers = d->next;
        d->fn(d->arg);
    }
    while (a->head) {
        struct block *b = a->head;
        a->head = b->next;
        xfree(b);
    }
    xfree(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
    size_t align = _Alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (!a->failed && (n > a->cap || a->total > a->cap - n)) {
        a->failed = true;
        metrics_add(&cap_exceeded, 1);
        log_warn("arena", "arena cap exceeded; its request or job will fail",
                 "cap=%zu used=%zu want=%zu at=%s:%d", a->cap, a->total, n, a->file, a->line);
    }
    struct block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
        b = xmalloc(sizeof(*b) + size);
        b->used = 0;
        b->size = size;
        /* Keep the partly used head first when the new block is a one-off large one. */
        if (a->head && size > BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_str(struct arena *a, struct str s)
{
    return arena_strndup(a, s.p, s.len);
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) { /* an encoding error or a result past INT_MAX: fail the unit, not the process */
        if (!a->failed) {
            a->failed = true;
            metrics_add(&cap_exceeded, 1);
            log_warn("arena", "arena_printf failed", "at=%s:%d", a->file, a->line);
        }
        return arena_strndup(a, "", 0);
    }
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void
arena_defer(struct arena *a, arena_defer_fn *fn, void *arg)
{
    struct defer *d = arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
}
