/* SPDX-License-Identifier: MIT */
/* chan_text_test.c - a reply's length in its platform's unit (channels/chan_text.c): X's
 * weighted characters (Latin 1, CJK and emoji 2, links 23), Bluesky's graphemes, code points
 * elsewhere, bad UTF-8 counted per byte, and the unit names the API reports; and Bluesky's
 * facet spans (links and @handles) at UTF-8 byte offsets (channels/chan_bluesky.c). */
#include "base/base.h"

#include "channels/chan.h"
#include "channels/chan_int.h"

#include "../test.h"

TEST(x_weighs_like_twitter_text)
{
    const struct chan_ops *x = chan_find("x");
    CHECK(x != NULL);
    CHECK_STR(chan_text_unit(x), "x_weighted");
    CHECK_INT((int)chan_text_len(x, STR_LIT("")), 0);
    CHECK_INT((int)chan_text_len(x, STR_LIT("Hello")), 5);
    CHECK_INT((int)chan_text_len(x, STR_LIT("caf\xc3\xa9")), 4);          /* Latin-1: 1 */
    CHECK_INT((int)chan_text_len(x, STR_LIT("\xe6\x97\xa5\xe6\x9c\xac")), 4); /* 日本: 2 each */
    CHECK_INT((int)chan_text_len(x, STR_LIT("\xf0\x9f\x99\x82")), 2);     /* emoji: 2 */
    CHECK_INT((int)chan_text_len(x, STR_LIT("\xe2\x80\x94")), 1);         /* em dash: 1 */
    /* A link of any length counts 23, only at a word start. */
    CHECK_INT((int)chan_text_len(x, STR_LIT("see https://example.com/a/very/long/path/to/an/order "
                                            "now")), 4 + 23 + 4);
    CHECK_INT((int)chan_text_len(x, STR_LIT("xhttps://a.b")), 12);
    char big[300];
    memset(big, 'a', sizeof(big));
    CHECK_INT((int)chan_text_len(x, (struct str){ big, 281 }), 281);
}

TEST(others_count_characters)
{
    const struct chan_ops *sms = chan_find("sms");
    CHECK(sms != NULL);
    CHECK_STR(chan_text_unit(sms), "chars");
    CHECK_STR(chan_text_unit(NULL), "chars");
    CHECK_INT((int)chan_text_len(sms, STR_LIT("caf\xc3\xa9 \xf0\x9f\x99\x82")), 6);
    CHECK_INT((int)chan_text_len(NULL, STR_LIT("\xff\xfe" "a")), 3); /* bad bytes: one each */
}

TEST(bluesky_counts_graphemes)
{
    const struct chan_ops *b = chan_find("bluesky");
    CHECK(b != NULL);
    CHECK_STR(chan_text_unit(b), "graphemes");
    CHECK_INT((int)b->max_text, 300);
    CHECK_INT((int)chan_text_len(b, STR_LIT("")), 0);
    CHECK_INT((int)chan_text_len(b, STR_LIT("caf\xc3\xa9")), 4);            /* precomposed é */
    CHECK_INT((int)chan_text_len(b, STR_LIT("cafe\xcc\x81")), 4);           /* e + U+0301 */
    CHECK_INT((int)chan_text_len(b, STR_LIT("\xf0\x9f\x91\x8b\xf0\x9f\x8f\xbd")), 1); /* 👋🏽 */
    /* 👨‍👩‍👧: three people joined by two ZWJs, one grapheme. */
    CHECK_INT((int)chan_text_len(b, STR_LIT("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
                                            "\xe2\x80\x8d\xf0\x9f\x91\xa7")), 1);
    /* Flags pair regional indicators: 🇫🇷🇩🇪 is two, and a lone third starts a third. */
    CHECK_INT((int)chan_text_len(b, STR_LIT("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9"
                                            "\xf0\x9f\x87\xaa")), 2);
    CHECK_INT((int)chan_text_len(b, STR_LIT("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9")),
              2);
    CHECK_INT((int)chan_text_len(b, STR_LIT("\xe2\x9d\xa4\xef\xb8\x8f")), 1); /* ❤️ (VS16) */
    CHECK_INT((int)chan_text_len(b, STR_LIT("a\r\nb")), 3);                 /* CR LF is one */
    CHECK_INT((int)chan_text_len(b, STR_LIT("\xe0\xa4\xa8\xe0\xa4\xbf")), 1); /* नि */
    CHECK_INT((int)chan_graphemes(STR_LIT("\xcc\x81" "a")), 2); /* a leading mark stands alone */
}

TEST(bluesky_facet_spans_are_byte_offsets)
{
    /* "Jane, désolé 👋 @jane.bsky.social see https://shop.example/k/42. bye" */
    struct str t = STR_LIT("Jane, d\xc3\xa9sol\xc3\xa9 \xf0\x9f\x91\x8b @jane.bsky.social see "
                           "https://shop.example/k/42. bye");
    struct chan__bsky_span sp[8];
    ssize_t n = chan__bsky_spans(t, sp, 8);
    CHECK_INT((int)n, 2);
    CHECK(!sp[0].link);
    CHECK_INT((int)sp[0].start, 20); /* 5 + 1 + 8 (désolé: two 2-byte letters) + 1 + 4 + 1 */
    CHECK_INT((int)sp[0].end, 20 + 17);
    CHECK(sp[1].link);
    CHECK_INT((int)sp[1].start, 20 + 17 + 5);
    CHECK_INT((int)sp[1].end, 20 + 17 + 5 + 25); /* the final '.' is not in the link */
    CHECK(memcmp(t.p + sp[1].start, "https://shop.example/k/42", 25) == 0);
    /* Not handles: an e-mail address, a bare @word, an @ at the end. */
    CHECK_INT((int)chan__bsky_spans(STR_LIT("mail me@shop.example or @team or @"), sp, 8), 0);
    /* A handle in parentheses, trailing dots cut; the cap is honoured. */
    n = chan__bsky_spans(STR_LIT("(@a.bsky.social.) http://x.y http://z.w"), sp, 2);
    CHECK_INT((int)n, 2);
    CHECK_INT((int)sp[0].start, 1);
    CHECK_INT((int)sp[0].end, 15); /* "@a.bsky.social" */
}

int
main(void)
{
    RUN(x_weighs_like_twitter_text);
    RUN(others_count_characters);
    RUN(bluesky_counts_graphemes);
    RUN(bluesky_facet_spans_are_byte_offsets);
    return test_done();
}
