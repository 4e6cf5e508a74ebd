/* SPDX-License-Identifier: MIT */
/*
 * rand.c - getrandom(2) wrapper; a short read or failure is fatal, never a weak token.
 */
#include "base/base.h"
#include "base/rand.h"

#include <errno.h>
#include <sys/random.h>

void
rand_bytes(void *p, size_t n)
{
    unsigned char *at = p;
    while (n) {
        ssize_t got = getrandom(at, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        ASSERT(got > 0);
        at += got;
        n -= (size_t)got;
    }
}

void
rand_hex_encode(const void *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void
rand_hex(char *out, size_t n)
{
    unsigned char tmp[64];
    ASSERT(n <= sizeof(tmp));
    rand_bytes(tmp, n);
    rand_hex_encode(tmp, n, out);
}
