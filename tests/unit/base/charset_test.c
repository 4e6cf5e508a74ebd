/* SPDX-License-Identifier: MIT */
/* charset_test.c - charset_to_utf8: ICU's charsets and aliases, WHATWG supersets, undeclared
 * text, unknown charsets, NUL and unmappable bytes, the output limit and long inputs. */
#include "base/base.h"

#include "base/buf.h"
#include "base/charset.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"

#include "../test.h"

/* The UTF-8 of 'in' read as 'cs' (fallback 'fb'), NUL-terminated in a static buffer. */
static const char *
conv(const char *cs, const char *fb, struct str in, int *rc)
{
    static char out[4096];
    struct buf b;
    buf_init(&b, sizeof(out) - 1);
    int r = charset_to_utf8(str_c(cs), str_c(fb), in, &b);
    if (rc)
        *rc = r;
    snprintf(out, sizeof(out), "%s", buf_error(&b) < 0 ? "(toobig)" : b.p);
    buf_release(&b);
    return out;
}

#define C(cs, bytes) conv((cs), NULL, STR_LIT(bytes), NULL)

TEST(charset_named)
{
    CHECK_STR(C("iso-8859-2", "\xa3\xf3\xbf\xe6"), "Łóżć");
    CHECK_STR(C("latin2", "\xa3\xf3\xbf\xe6"), "Łóżć");
    CHECK_STR(C("KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет");
    CHECK_STR(C("cp1251", "\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет");
    CHECK_STR(C("windows-1250", "\x8a\x9a\xe8"), "Ššč");
    CHECK_STR(C("x-sjis", "\x93\xfa\x96\x7b"), "日本");
    CHECK_STR(C("Shift_JIS", "\x83\x65\x83\x58\x83\x67"), "テスト");
    CHECK_STR(C("GB18030", "\xc4\xe3\xba\xc3\x81\x30\x81\x30"), "你好\xc2\x80");
    CHECK_STR(C("ISO-2022-JP", "\x1b$B$3$s$K$A$O\x1b(B"), "こんにちは");
    CHECK_STR(C("iso-8859-15", "\xa4"), "€");
    CHECK_STR(C(" \"UTF-8\" ", "Zo\xc3\xab"), "Zoë"); /* param() keeps no quotes; trimmed */
}

TEST(charset_supersets)
{
    /* ISO-8859-1 mail is windows-1252 in practice (WHATWG): 0x80 is the euro sign. */
    CHECK_STR(C("iso-8859-1", "caf\xe9 \x80"), "café €");
    CHECK_STR(C("us-ascii", "\x93quoted\x94"), "“quoted”");
    /* Declared US-ASCII (or UTF-8) but valid UTF-8: kept. */
    CHECK_STR(C("us-ascii", "Zo\xc3\xab"), "Zoë");
    CHECK_STR(C("gb2312", "\xc4\xe3\xba\xc3"), "你好");
    CHECK_STR(C("euc-kr", "\xbe\xc8\xb3\xe7"), "안녕");
    CHECK_STR(C("ks_c_5601-1987", "\xbe\xc8\xb3\xe7"), "안녕");
}

TEST(charset_undeclared)
{
    CHECK_STR(C("", "Zo\xc3\xab"), "Zoë");
    CHECK_STR(C("", "Zo\xeb"), "Zoë"); /* windows-1252 */
    CHECK_STR(conv(NULL, "koi8-r", STR_LIT("\xf0\xd2\xc9"), NULL), "При");
    CHECK_STR(conv("", "no-such", STR_LIT("Zo\xeb"), NULL), "Zoë");
}

TEST(charset_unknown_and_bad_bytes)
{
    int rc = 0;
    CHECK_STR(conv("x-no-such-charset", NULL, STR_LIT("ok \xc3\xa9 \xff!"), &rc),
              "ok é \xef\xbf\xbd!");
    CHECK_INT(rc, ERR_NOTFOUND);
    CHECK_STR(conv("utf-8*en", NULL, STR_LIT("a"), &rc), "a");
    CHECK_INT(rc, ERR_NOTFOUND);
    /* Names ICU would read as options, or with controls, are not charsets. */
    CHECK(!charset_known(STR_LIT("utf-8,version=1")));
    CHECK(!charset_known(STR_LIT("")));
    CHECK(charset_known(STR_LIT("koi8-r")));
    /* Invalid UTF-8 in UTF-8 text: replaced, never stored. */
    CHECK_STR(C("utf-8", "a\xed\xa0\x80z\xc0\xaf"),
              "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(utf8_valid(str_c(C("utf-8", "\xf8\x88\x80\x80\x80"))));
    /* NUL never reaches the output. */
    struct buf b;
    buf_init(&b, 100);
    CHECK_INT(charset_to_utf8(STR_LIT("windows-1252"), STR_NULL, (struct str){ "a\0b", 3 }, &b), 0);
    CHECK_STR(b.p, "a\xef\xbf\xbd" "b");
    buf_reset(&b);
    CHECK_INT(charset_to_utf8(STR_LIT("utf-8"), STR_NULL, (struct str){ "a\0b", 3 }, &b), 0);
    CHECK_STR(b.p, "a\xef\xbf\xbd" "b");
    buf_release(&b);
    /* A truncated multibyte character at the end. */
    CHECK_STR(C("shift_jis", "\x93\xfa\x96"), "日\xef\xbf\xbd");
}

TEST(charset_limits)
{
    /* Longer than the internal chunk: whole characters in order. */
    static char in[60000];
    for (size_t i = 0; i < sizeof(in); i += 2) {
        in[i] = (char)0xa4; /* "あ" in EUC-JP */
        in[i + 1] = (char)0xa2;
    }
    struct buf b;
    buf_init(&b, 1 << 20);
    CHECK_INT(charset_to_utf8(STR_LIT("euc-jp"), STR_NULL, (struct str){ in, sizeof(in) }, &b), 0);
    CHECK_INT(buf_error(&b), 0);
    CHECK_INT(b.len, sizeof(in) / 2 * 3);
    CHECK(utf8_valid(buf_str(&b)));
    buf_release(&b);
    /* Over the limit: the sticky error, and what is there is whole characters. */
    buf_init(&b, 10000);
    CHECK_INT(charset_to_utf8(STR_LIT("euc-jp"), STR_NULL, (struct str){ in, sizeof(in) }, &b), 0);
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    CHECK(b.len <= 10000 && b.len % 3 == 0);
    CHECK(utf8_valid(buf_str(&b)));
    buf_release(&b);
}

int
main(void)
{
    RUN(charset_named);
    RUN(charset_supersets);
    RUN(charset_undeclared);
    RUN(charset_unknown_and_bad_bytes);
    RUN(charset_limits);
    return test_done();
}
