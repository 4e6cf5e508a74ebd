/* SPDX-License-Identifier: MIT */
/*
 * base.h - included first by every .c file in Hark.
 *
 * Feature macros, the standard headers every file needs, the few unprefixed macros
 * (COUNTOF, ASSERT, UNREACHABLE, CONTAINER_OF) and the allocation wrappers that abort on
 * out-of-memory (callers never check them; every growable thing has a hard limit instead).
 * Ends by including banned.h, so the dangerous libc calls are compile errors.
 */
#ifndef HARK_BASE_H
#define HARK_BASE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))
#define CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define UNUSED(x) ((void)(x))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline)) /* keeps a rare path out of a hot loop */

/* ASSERT is for invariants, never for input. It stays on in release builds. */
#define ASSERT(x)                                                                                  \
    do {                                                                                           \
        if (!(x))                                                                                  \
            base_assert_fail(#x, __FILE__, __LINE__);                                              \
    } while (0)
#define UNREACHABLE() base_assert_fail("unreachable", __FILE__, __LINE__)

NORETURN void base_assert_fail(const char *expr, const char *file, int line);

/* Allocation that aborts with a message on out-of-memory. xfree(NULL) is a no-op. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
#define xfree(p) free(p)

#include "base/banned.h"

#endif
