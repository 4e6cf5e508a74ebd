/* SPDX-License-Identifier: MIT */
/*
 * clock.h - wall and monotonic time in milliseconds, timed waits on a condition variable, and
 * RFC 3339 text in UTC.
 */
#ifndef HARK_CLOCK_H
#define HARK_CLOCK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* Milliseconds since the Unix epoch (wall clock). */
int64_t clock_now_ms(void);
/* Milliseconds from an arbitrary start; never goes backwards. */
int64_t clock_mono_ms(void);

/* Waits on 'cv' (the caller holds 'mu', as for pthread_cond_wait) until it is signalled or
 * the time 'deadline_ms' comes, on the clock of 'cv': a clock_now_ms() value for a condition
 * variable made with default attributes, a clock_mono_ms() value for one made with
 * pthread_condattr_setclock(CLOCK_MONOTONIC). Returns 0 when woken (perhaps spuriously: the
 * caller rechecks its condition and waits again with the same deadline), or ERR_TIMEOUT once
 * the deadline has passed (at once when it already had); ERR_INVAL only for a 'cv' or 'mu' that
 * pthreads refuses. 'mu' is held again on return. */
int clock_timedwait(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_ms);

/* Writes "2026-11-22T20:29:23.123Z" into 'out' (at least 25 bytes). */
void clock_fmt_iso(int64_t ms, char *out, size_t n);

/* Parses RFC 3339 ("2026-11-22T20:29:23Z", optional fraction, "Z" or "+hh:mm" offset).
 * Returns 0 and writes '*ms', or ERR_INVAL. */
int clock_parse_iso(struct str s, int64_t *ms);

#endif
