/* SPDX-License-Identifier: MIT */
/*
 * utf8.h - UTF-8 (RFC 3629: no overlongs, no surrogates, max U+10FFFF): validation, the one
 * decoder and the one encoder.
 *
 * The decoder and encoder are inline because the tokenizer (classify/) and the folder
 * (listen/) call them once per character of every message.
 */
#ifndef HARK_UTF8_H
#define HARK_UTF8_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"

/* True when all of 's' is well-formed UTF-8 and contains no NUL byte. */
bool utf8_valid(struct str s);

/* Counts code points in valid UTF-8 's'. */
size_t utf8_len(struct str s);

/* Decodes the code point of 's' at byte '*i' (< s.len) and moves '*i' past it. Lenient, for
 * untrusted text: a byte that does not start a well-formed sequence (bad lead, missing or bad
 * continuation, overlong, surrogate, past U+10FFFF, cut at the end) reads as U+FFFD and
 * '*i' moves on by that one byte, so a scan always makes progress. */
static inline uint32_t
utf8_next(struct str s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s.p + *i;
    size_t left = s.len - *i, need;
    uint32_t c = p[0], min;

    *i += 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        c &= 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        c &= 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0xFFFD;
    }
    if (left <= need)
        return 0xFFFD;
    for (size_t k = 1; k <= need; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0xFFFD;
        c = (c << 6) | (p[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    *i += need;
    return c;
}

/* Writes code point 'cp' as 1 to 4 bytes at 'out' (room for 4) and returns how many. A value
 * that is not a Unicode scalar value (a surrogate, or past U+10FFFF) is written as U+FFFD. */
static inline size_t
utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

#endif
