/* SPDX-License-Identifier: MIT */
/* st_ingest_test.c - ingest (store/st_ingest.c) through store.h: dedupe on the external
 * id, contact resolution, threading by reply and thread id, reopening a resolved conversation. */
#include "base/base.h"

#include "fixture.h"

TEST(ingest_dedupes_and_threads)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "api");
    struct ingest_result a, b, c, d;
    struct inbound in = fx_inbound(ch, "x1", "u1", "hello");
    CHECK_INT(store_ingest(st, &in, &a), 0);
    CHECK(a.new_conversation && !a.duplicate);
    CHECK_INT(store_ingest(st, &in, &b), 0);
    CHECK(b.duplicate);
    CHECK_INT(b.message_id, a.message_id);
    in = fx_inbound(ch, "x2", "u1", "again");
    CHECK_INT(store_ingest(st, &in, &c), 0);
    CHECK_INT(c.conversation_id, a.conversation_id);
    CHECK_INT(c.contact_id, a.contact_id);
    /* Another sender: another contact and conversation. */
    in = fx_inbound(ch, "x3", "u2", "me too");
    CHECK_INT(store_ingest(st, &in, &d), 0);
    CHECK(d.conversation_id != a.conversation_id);
    CHECK(d.contact_id != a.contact_id);
    /* reply_to threads into the replied-to message's conversation. */
    in = fx_inbound(ch, "x4", "u3", "replying");
    in.reply_to = STR_LIT("x3");
    CHECK_INT(store_ingest(st, &in, &c), 0);
    CHECK_INT(c.conversation_id, d.conversation_id);
    /* thread_id groups any authors. */
    struct ingest_result t1, t2;
    in = fx_inbound(ch, "x5", "u4", "post");
    in.thread_id = STR_LIT("thread-1");
    CHECK_INT(store_ingest(st, &in, &t1), 0);
    in = fx_inbound(ch, "x6", "u5", "comment");
    in.thread_id = STR_LIT("thread-1");
    CHECK_INT(store_ingest(st, &in, &t2), 0);
    CHECK_INT(t2.conversation_id, t1.conversation_id);
    /* Missing dedupe key is refused. */
    in = fx_inbound(ch, "", "u1", "no id");
    CHECK_INT(store_ingest(st, &in, &c), ERR_INVAL);
    store_close(st);
}

TEST(reopen_on_new_inbound)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "api");
    struct ingest_result a, b;
    struct inbound in = fx_inbound(ch, "r1", "u1", "first");
    CHECK_INT(store_ingest(st, &in, &a), 0);
    CHECK_INT(store_conv_set_status(st, a.conversation_id, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_conv_set_status(st, a.conversation_id, "closed", 0, NULL, 0), ERR_INVAL);
    in = fx_inbound(ch, "r2", "u1", "second");
    CHECK_INT(store_ingest(st, &in, &b), 0);
    CHECK(b.reopened);
    CHECK_INT(b.conversation_id, a.conversation_id);
    struct arena *ar = arena_new(1 << 20);
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, a.conversation_id, &c), 0);
    CHECK_STR(c.status, "open");
    CHECK(c.resolution_reason == NULL);
    CHECK_INT(c.unread, 2);
    CHECK_INT(c.message_count, 2);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(ingest_dedupes_and_threads);
    RUN(reopen_on_new_inbound);
    return test_done();
}
