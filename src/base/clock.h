/* SPDX-License-Identifier: MIT */
/*
 * clock.h - wall and monotonic time in milliseconds, and RFC 3339 text in UTC.
 */
#ifndef HARK_CLOCK_H
#define HARK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* Milliseconds since the Unix epoch (wall clock). */
int64_t clock_now_ms(void);
/* Milliseconds from an arbitrary start; never goes backwards. */
int64_t clock_mono_ms(void);

/* Writes "2026-11-22T20:29:23.123Z" into 'out' (at least 25 bytes). */
void clock_fmt_iso(int64_t ms, char *out, size_t n);

/* Parses RFC 3339 ("2026-11-22T20:29:23Z", optional fraction, "Z" or "+hh:mm" offset).
 * Returns 0 and writes '*ms', or ERR_INVAL. */
int clock_parse_iso(struct str s, int64_t *ms);

#endif
