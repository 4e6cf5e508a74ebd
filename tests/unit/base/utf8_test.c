/* SPDX-License-Identifier: MIT */
/* utf8_test.c - base/utf8.h's decoder and encoder: every code point round-trips; 1- to 4-byte
 * forms at their boundaries; overlongs, surrogates, values past U+10FFFF, cut and stray bytes
 * decode as U+FFFD one byte at a time; the encoder never writes a surrogate. */
#include "base/base.h"

#include "base/utf8.h"

#include "../test.h"

/* Decodes all of 's' ('n' bytes) into 'cps'; returns the count. */
static size_t
decode_all(const char *s, size_t n, uint32_t *cps, size_t max)
{
    size_t i = 0, k = 0;
    while (i < n && k < max)
        cps[k++] = utf8_next((struct str){ s, n }, &i);
    return k;
}

TEST(every_code_point_round_trips)
{
    size_t bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char out[4];
        size_t n = utf8_put(out, cp), i = 0;
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t back = utf8_next((struct str){ out, n }, &i);
        bad += n != want || i != n || back != cp || !utf8_valid((struct str){ out, n }) != !cp;
    }
    CHECK_INT(bad, 0);
}

TEST(boundaries)
{
    char out[4];
    CHECK_INT(utf8_put(out, 0x7F), 1);
    CHECK(memcmp(out, "\x7f", 1) == 0);
    CHECK_INT(utf8_put(out, 0x80), 2);
    CHECK(memcmp(out, "\xc2\x80", 2) == 0);
    CHECK_INT(utf8_put(out, 0x7FF), 2);
    CHECK(memcmp(out, "\xdf\xbf", 2) == 0);
    CHECK_INT(utf8_put(out, 0x800), 3);
    CHECK(memcmp(out, "\xe0\xa0\x80", 3) == 0);
    CHECK_INT(utf8_put(out, 0xFFFF), 3);
    CHECK(memcmp(out, "\xef\xbf\xbf", 3) == 0);
    CHECK_INT(utf8_put(out, 0x10000), 4);
    CHECK(memcmp(out, "\xf0\x90\x80\x80", 4) == 0);
    CHECK_INT(utf8_put(out, 0x1F600), 4);
    CHECK(memcmp(out, "\xf0\x9f\x98\x80", 4) == 0);
    CHECK_INT(utf8_put(out, 0x10FFFF), 4);
    CHECK(memcmp(out, "\xf4\x8f\xbf\xbf", 4) == 0);
}

TEST(encoder_writes_no_surrogate_or_out_of_range)
{
    char out[4];
    CHECK_INT(utf8_put(out, 0xD800), 3);
    CHECK(memcmp(out, "\xef\xbf\xbd", 3) == 0); /* U+FFFD */
    CHECK_INT(utf8_put(out, 0xDFFF), 3);
    CHECK(memcmp(out, "\xef\xbf\xbd", 3) == 0);
    CHECK_INT(utf8_put(out, 0x110000), 3);
    CHECK(memcmp(out, "\xef\xbf\xbd", 3) == 0);
    CHECK_INT(utf8_put(out, UINT32_MAX), 3);
    CHECK(memcmp(out, "\xef\xbf\xbd", 3) == 0);
}

TEST(malformed_reads_as_replacement_one_byte_at_a_time)
{
    static const struct {
        const char *in;
        size_t n;       /* bytes */
        size_t ncp;     /* code points decoded */
        uint32_t first; /* the first of them */
    } cases[] = {
        { "\x80", 1, 1, 0xFFFD },                 /* stray continuation */
        { "\xc0\x80", 2, 2, 0xFFFD },             /* overlong NUL */
        { "\xc1\xbf", 2, 2, 0xFFFD },             /* overlong */
        { "\xe0\x80\x80", 3, 3, 0xFFFD },         /* overlong 3-byte */
        { "\xe0\x9f\xbf", 3, 3, 0xFFFD },         /* overlong U+07FF */
        { "\xf0\x80\x80\x80", 4, 4, 0xFFFD },     /* overlong 4-byte */
        { "\xf0\x8f\xbf\xbf", 4, 4, 0xFFFD },     /* overlong U+FFFF */
        { "\xed\xa0\x80", 3, 3, 0xFFFD },         /* surrogate U+D800 */
        { "\xed\xbf\xbf", 3, 3, 0xFFFD },         /* surrogate U+DFFF */
        { "\xf4\x90\x80\x80", 4, 4, 0xFFFD },     /* U+110000 */
        { "\xf5\x80\x80\x80", 4, 4, 0xFFFD },     /* bad lead */
        { "\xff", 1, 1, 0xFFFD },                 /* bad lead */
        { "\xe2\x82", 2, 2, 0xFFFD },             /* cut at the end */
        { "\xf0\x9f\x98", 3, 3, 0xFFFD },         /* cut 4-byte */
        { "\xe2\x82x", 3, 3, 0xFFFD },            /* bad continuation */
        { "\xc3\xa9\x80", 3, 2, 0xE9 },           /* good, then stray */
        { "\xf0\x9f\x98\x80", 4, 1, 0x1F600 },    /* good 4-byte */
    };
    for (size_t k = 0; k < COUNTOF(cases); k++) {
        uint32_t cps[8];
        size_t n = decode_all(cases[k].in, cases[k].n, cps, COUNTOF(cps));
        CHECK_INT(n, cases[k].ncp);
        CHECK_INT(cps[0], cases[k].first);
    }
    /* The byte after a bad one is read afresh: "\xe2" then "A" is U+FFFD, 'A'. */
    uint32_t cps[4];
    CHECK_INT(decode_all("\xe2" "A", 2, cps, 4), 2);
    CHECK_INT(cps[1], 'A');
}

int
main(void)
{
    RUN(every_code_point_round_trips);
    RUN(boundaries);
    RUN(encoder_writes_no_surrogate_or_out_of_range);
    RUN(malformed_reads_as_replacement_one_byte_at_a_time);
    return test_done();
}
