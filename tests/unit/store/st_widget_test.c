/* SPDX-License-Identifier: MIT */
/* st_widget_test.c - the web chat widget's view (store/st_widget.c) through store.h: a
 * visitor finds their own newest conversation on the channel, and nobody else's. */
#include "base/base.h"

#include "fixture.h"

static int64_t
visit(struct store *st, int64_t ch, const char *ext, const char *visitor)
{
    struct inbound in = fx_inbound(ch, ext, visitor, "hi");
    in.channel_type = "webchat";
    struct ingest_result r = { 0 };
    CHECK_INT(store_ingest(st, &in, &r), 0);
    return r.conversation_id;
}

TEST(widget_conv_is_the_visitors_own)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "webchat");
    int64_t other = fx_channel(st, "webchat");
    int64_t mine = visit(st, ch, "w1", "visitor-1");
    int64_t theirs = visit(st, ch, "w2", "visitor-2");
    CHECK(mine != theirs);
    int64_t conv = 0;
    CHECK_INT(store_widget_conv(st, ch, "visitor-1", &conv), 0);
    CHECK_INT(conv, mine);
    CHECK_INT(store_widget_conv(st, ch, "visitor-2", &conv), 0);
    CHECK_INT(conv, theirs);
    conv = 0;
    CHECK_INT(store_widget_conv(st, ch, "visitor-3", &conv), ERR_NOTFOUND);
    CHECK_INT(store_widget_conv(st, other, "visitor-1", &conv), ERR_NOTFOUND);
    CHECK_INT(conv, 0); /* out-parameters are written only on success */
    store_close(st);
}

int
main(void)
{
    RUN(widget_conv_is_the_visitors_own);
    return test_done();
}
