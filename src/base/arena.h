/* SPDX-License-Identifier: MIT */
/*
 * arena.h - region allocation for one request, job or event.
 *
 * Everything allocated from an arena is freed at once by arena_free; handlers never call
 * free(). Non-memory resources (a json_t reference, a statement, a curl handle) are tied to
 * the arena with arena_defer and released, last-in first-out, when it is freed.
 *
 * The cap. Each arena has a cap on the bytes it hands out, named in base/limits.h and derived
 * from the input limits of the unit of work it serves. Running past the cap NEVER aborts and
 * never returns NULL: the arena records a sticky failure (arena_failed), logs one warning per
 * arena (the cap and the file:line that created it), counts
 * hark_arena_cap_exceeded_total (arena_cap_exceeded_total), and keeps serving allocations,
 * because the unit of work it belongs to is itself bounded and frees everything at its end.
 * The owner of the unit checks arena_failed() when the unit ends and fails that one unit with
 * a clear error: the HTTP server answers 503 instead of the handler's answer, store jobs and
 * care ticks log and count. Only true out-of-memory aborts (xmalloc).
 * Not thread-safe: one arena belongs to one thread at a time.
 */
#ifndef HARK_ARENA_H
#define HARK_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

struct arena;

/* Creates an arena meant to hand out at most 'cap' bytes in total (see the cap above); 'file'
 * and 'line' name it in the warning. Call it as arena_new(cap). */
struct arena *arena_new_at(size_t cap, const char *file, int line);
#define arena_new(cap) arena_new_at((cap), __FILE__, __LINE__)
/* True once an allocation ran past the cap (sticky until arena_free). */
bool arena_failed(const struct arena *a);
/* Arenas that ran past their cap since the process started, for /metrics. Thread-safe. */
uint64_t arena_cap_exceeded_total(void);
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
