/* SPDX-License-Identifier: MIT */
/*
 * arena.h - region allocation for one request, job or event.
 *
 * Everything allocated from an arena is freed at once by arena_free; handlers never call
 * free(). Non-memory resources (a json_t reference, a statement, a curl handle) are tied to
 * the arena with arena_defer and released, last-in first-out, when it is freed. An arena has a
 * hard cap on the bytes it will hand out; past it allocation aborts, so callers must bound
 * input sizes before copying (they do: every input path has its own smaller limit).
 * Not thread-safe: one arena belongs to one thread at a time.
 */
#ifndef HARK_ARENA_H
#define HARK_ARENA_H

#include <stddef.h>

#include "base/str.h"

struct arena;

/* Creates an arena that will hand out at most 'cap' bytes in total. */
struct arena *arena_new(size_t cap);
/* Runs the deferred hooks (LIFO) and frees all memory. arena_free(NULL) is a no-op. */
void arena_free(struct arena *a);

/* Returns 'n' bytes aligned for any type, zero-filled. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_str(struct arena *a, struct str s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ARENA_NEW(a, type) ((type *)arena_alloc((a), sizeof(type)))
#define ARENA_NEW_N(a, type, n) ((type *)arena_alloc((a), sizeof(type) * (n)))

typedef void arena_defer_fn(void *arg);
/* Calls 'fn(arg)' when the arena is freed. */
void arena_defer(struct arena *a, arena_defer_fn *fn, void *arg);

#endif
