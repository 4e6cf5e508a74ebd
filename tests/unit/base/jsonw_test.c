/* SPDX-License-Identifier: MIT */
/* jsonw_test.c - base/jsonw.c: every control character, quotes and backslash escaped; UTF-8 (and
 * bytes that are not UTF-8) copied as they are; NULL as null; the buf's sticky error. */
#include "base/base.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/jsonw.h"

#include "../test.h"

/* 's' ('n' bytes) as jsonw_str writes it. */
static const char *
w(struct buf *b, const char *s, size_t n)
{
    buf_reset(b);
    jsonw_str(b, (struct str){ s, n });
    return b->p;
}

TEST(plain_text_is_quoted)
{
    struct buf b;
    buf_init(&b, 1024);
    CHECK_STR(w(&b, "", 0), "\"\"");
    CHECK_STR(w(&b, NULL, 0), "\"\"");
    CHECK_STR(w(&b, "hello, world", 12), "\"hello, world\"");
    CHECK_STR(w(&b, "a/b'c", 5), "\"a/b'c\""); /* '/' and '\'' need no escape */
    buf_release(&b);
}

TEST(quotes_and_backslash)
{
    struct buf b;
    buf_init(&b, 1024);
    CHECK_STR(w(&b, "\"", 1), "\"\\\"\"");
    CHECK_STR(w(&b, "\\", 1), "\"\\\\\"");
    CHECK_STR(w(&b, "say \"hi\" \\o/", 12), "\"say \\\"hi\\\" \\\\o/\"");
    buf_release(&b);
}

TEST(every_control_character)
{
    struct buf b;
    buf_init(&b, 1024);
    for (unsigned c = 0; c < 0x20; c++) {
        char in[3] = { 'x', (char)c, 'y' }, want[16];
        snprintf(want, sizeof(want), "\"x\\u%04xy\"", c);
        CHECK_STR(w(&b, in, 3), want);
    }
    CHECK_STR(w(&b, "\x7f", 1), "\"\\u007f\"");
    CHECK_STR(w(&b, "\n\t\r", 3), "\"\\u000a\\u0009\\u000d\"");
    CHECK_INT(b.len, 20);
    buf_release(&b);
}

TEST(utf8_and_other_bytes_pass_through)
{
    struct buf b;
    buf_init(&b, 1024);
    CHECK_STR(w(&b, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* Not UTF-8 (a lone continuation, a cut sequence, an encoded surrogate): copied as today;
     * text is validated where it enters, not here. */
    CHECK_STR(w(&b, "\x80\xe2\x82\xed\xa0\x80\xff", 7), "\"\x80\xe2\x82\xed\xa0\x80\xff\"");
    buf_release(&b);
}

TEST(cstr_and_null)
{
    struct buf b;
    buf_init(&b, 1024);
    jsonw_cstr(&b, NULL);
    buf_addc(&b, ',');
    jsonw_cstr(&b, "a\"b");
    CHECK_STR(b.p, "null,\"a\\\"b\"");
    buf_release(&b);
}

TEST(overflow_is_the_sticky_error)
{
    struct buf b;
    buf_init(&b, 8);
    jsonw_str(&b, STR_LIT("abc"));
    CHECK_INT(buf_error(&b), 0);
    CHECK_STR(b.p, "\"abc\"");
    jsonw_str(&b, STR_LIT("\n")); /* 8 bytes would make 13: nothing of it is kept whole */
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    CHECK(b.len <= 8);
    CHECK(strncmp(b.p, "\"abc\"", 5) == 0);
    buf_release(&b);
}

int
main(void)
{
    RUN(plain_text_is_quoted);
    RUN(quotes_and_backslash);
    RUN(every_control_character);
    RUN(utf8_and_other_bytes_pass_through);
    RUN(cstr_and_null);
    RUN(overflow_is_the_sticky_error);
    return test_done();
}
