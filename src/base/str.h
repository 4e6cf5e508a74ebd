/* SPDX-License-Identifier: MIT */
/*
 * str.h - borrowed byte slices.
 *
 * A struct str is passed by value and borrows its bytes; they need not be NUL-terminated.
 * Nothing here allocates. Parsers take lengths from the slice, never from strlen() on input.
 */
#ifndef HARK_STR_H
#define HARK_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct str {
    const char *p; /* first byte; may be NULL when len is 0 */
    size_t len;    /* number of bytes */
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })

/* A slice over a NUL-terminated string; NULL gives the empty slice. */
static inline struct str
str_c(const char *s)
{
    return (struct str){ s, s ? strlen(s) : 0 };
}

/* The value of hexadecimal digit 'c' (0-9, a-f, A-F), or -1. */
static inline int
str_hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool str_eq(struct str a, struct str b);
bool str_eq_c(struct str a, const char *b);
bool str_starts_with(struct str s, struct str prefix);

/* Splits 's' at the first 'sep' into 'head' and 'tail' (both exclude 'sep'). Returns false and
 * leaves the outputs untouched when 'sep' does not occur. */
bool str_cut(struct str s, char sep, struct str *head, struct str *tail);

/* Strips ASCII spaces and tabs from both ends. */
struct str str_trim(struct str s);

/* Parses the whole of 's' as a decimal integer in [min, max]. Returns 0, or ERR_INVAL when 's'
 * is empty, has other characters or is out of range; '*out' is written only on success. */
int str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out);

/* Compares two byte ranges in time that depends only on 'len'. */
bool str_ct_eq(const void *a, const void *b, size_t len);

#endif
