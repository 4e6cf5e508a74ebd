/* SPDX-License-Identifier: MIT */
/*
 * base_charset.c - libFuzzer target: charset_to_utf8 on hostile bytes and hostile charset
 * names. The first byte picks the name: below 0x80 an index into real charsets mail uses
 * (every kind of ICU converter: single-byte, multi-byte, stateful ISO-2022, UTF-16), else its
 * low bits are the length of a name taken from the input. The output must always be valid
 * UTF-8 without NUL, within the buf's limit.
 */
#include "base/base.h"

#include "base/buf.h"
#include "base/charset.h"
#include "base/utf8.h"

static const char *const names[] = {
    "",         "utf-8",       "us-ascii",    "iso-8859-1", "iso-8859-2",  "koi8-r",
    "cp1251",   "windows-1252", "shift_jis",  "x-sjis",     "euc-jp",      "iso-2022-jp",
    "gb18030",  "gb2312",      "big5",        "euc-kr",     "utf-16",      "utf-7",
    "hz-gb-2312", "iso-2022-kr", "scsu",      "bocu-1",     "x-bogus",     "utf-8*en",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct str cs;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (data[0] < 0x80) {
        cs = str_c(names[data[0] % COUNTOF(names)]);
    } else {
        size_t k = data[0] & 0x3f;
        if (k > n)
            k = n;
        cs = (struct str){ (const char *)p, k };
        p += k;
        n -= k;
    }
    struct buf b;
    /* Room for every byte as a 4-byte character (BOCU-1 and SCSU get there: one byte, one
     * supplementary-plane character). */
    buf_init(&b, 4 * n + 64);
    (void)charset_to_utf8(cs, STR_LIT("koi8-r"), (struct str){ (const char *)p, n }, &b);
    if (buf_error(&b) != 0 || !utf8_valid(buf_str(&b)) || b.len > 4 * n + 64)
        __builtin_trap();
    buf_release(&b);
    /* A small limit: the sticky error, and whole characters before it. */
    buf_init(&b, 7);
    (void)charset_to_utf8(cs, STR_NULL, (struct str){ (const char *)p, n }, &b);
    if (!utf8_valid(buf_str(&b)) || b.len > 7)
        __builtin_trap();
    buf_release(&b);
    return 0;
}
