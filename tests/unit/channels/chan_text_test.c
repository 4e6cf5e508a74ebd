/* SPDX-License-Identifier: MIT */
/* chan_text_test.c - a reply's length in its platform's unit (channels/chan_text.c): X's
 * weighted characters (Latin 1, CJK and emoji 2, links 23), code points elsewhere, bad UTF-8
 * counted per byte, and the unit names the API reports. */
#include "base/base.h"

#include "channels/chan.h"

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

int
main(void)
{
    RUN(x_weighs_like_twitter_text);
    RUN(others_count_characters);
    return test_done();
}
