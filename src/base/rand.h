/* SPDX-License-Identifier: MIT */
/*
 * rand.h - bytes from the kernel CSPRNG (getrandom) and hex encoding.
 *
 * Used for session tokens, API tokens, channel secrets and idempotency keys. Thread-safe.
 */
#ifndef HARK_RAND_H
#define HARK_RAND_H

#include <stddef.h>

/* Fills 'p' with 'n' random bytes; aborts if the kernel cannot supply them. */
void rand_bytes(void *p, size_t n);

/* Writes 2*'n' lowercase hex digits of 'n' random bytes plus a NUL into 'out'
 * (which must hold 2*n+1 bytes). */
void rand_hex(char *out, size_t n);

/* Writes 2*'n' lowercase hex digits of 'p' plus a NUL into 'out'. */
void rand_hex_encode(const void *p, size_t n, char *out);

#endif
