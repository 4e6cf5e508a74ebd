/* SPDX-License-Identifier: MIT */
/*
 * str.c - slice comparison, splitting and strict integer parsing.
 */
#include "base/base.h"
#include "base/str.h"

#include "base/err.h"

bool
str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
str_eq_c(struct str a, const char *b)
{
    return str_eq(a, str_c(b));
}

bool
str_starts_with(struct str s, struct str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.p, prefix.p, prefix.len) == 0);
}

bool
str_cut(struct str s, char sep, struct str *head, struct str *tail)
{
    const char *at = s.len ? memchr(s.p, sep, s.len) : NULL;

    if (!at)
        return false;
    *head = (struct str){ s.p, (size_t)(at - s.p) };
    *tail = (struct str){ at + 1, s.len - (size_t)(at - s.p) - 1 };
    return true;
}

struct str
str_trim(struct str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

int
str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0;
    uint64_t limit;

    if (s.len == 0)
        return ERR_INVAL;
    if (s.p[0] == '-' || s.p[0] == '+') {
        neg = s.p[0] == '-';
        i = 1;
        if (s.len == 1)
            return ERR_INVAL;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < s.len; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';
        if (d > 9)
            return ERR_INVAL;
        if (v > (limit - d) / 10)
            return ERR_INVAL;
        v = v * 10 + d;
    }
    int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (r < min || r > max)
        return ERR_INVAL;
    *out = r;
    return 0;
}

bool
str_ct_eq(const void *a, const void *b, size_t len)
{
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned char acc = 0;

    for (size_t i = 0; i < len; i++)
        acc |= x[i] ^ y[i];
    return acc == 0;
}
