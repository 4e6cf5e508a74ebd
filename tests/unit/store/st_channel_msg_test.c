/* SPDX-License-Identifier: MIT */
/* st_channel_msg_test.c - platform messages (store/st_channel_msg.c) through store.h: a reply
 * with a platform payload handed to the outbox, a private reply creating and then reusing the
 * DM conversation and linking both ways, external ids of sent replies, thread keys. */
#include "base/base.h"

#include "fixture.h"

TEST(reply_payload_reaches_the_outbox)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    int64_t conv = fx_conv(st, ch, "m1", "u1", "hi", NULL);
    int64_t id = 0;
    CHECK_INT(store_reply_payload(st, conv, a, STR_LIT("Hello (template)"),
                                  "{\"template\":{\"name\":\"hello\"}}", &id), 0);
    CHECK_INT(store_reply_payload(st, 4242, a, STR_LIT("x"), "{}", &id), ERR_NOTFOUND);
    struct outbox_item *items;
    size_t n;
    CHECK_INT(store_outbox_due(st, ar, INT64_MAX / 2, 10, &items, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(items[0].text, "Hello (template)");
    CHECK_STR(items[0].payload, "{\"template\":{\"name\":\"hello\"}}");
    /* The platform's id for the delivered reply: recorded once (asynchronously). */
    CHECK_INT(store_msg_set_external_id(st, id, "wamid.1"), 0);
    CHECK_INT(store_msg_set_external_id(st, id, "wamid.2"), 0);
    CHECK_INT(store_outbox_result(st, id, "sent", 0, NULL, 0), 0); /* waits: after both */
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, id, &m), 0);
    CHECK_STR(m.external_id, "wamid.1");
    arena_free(ar);
    store_close(st);
}

TEST(private_reply_links_both_ways)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    struct inbound in = fx_inbound(ch, "c1", "u1", "my order is late");
    in.thread_id = STR_LIT("post-1");
    struct ingest_result r;
    CHECK_INT(store_ingest(st, &in, &r), 0);
    const char *tk = NULL;
    CHECK_INT(store_conv_thread_key(st, ar, r.conversation_id, &tk), 0);
    CHECK_STR(tk, "post-1");
    CHECK_INT(store_conv_thread_key(st, ar, 4242, &tk), ERR_NOTFOUND);
    struct conv cv;
    CHECK_INT(store_conv_get(st, ar, r.conversation_id, &cv), 0);
    CHECK_INT(cv.linked_id, 0);
    struct private_reply pr = { .public_conv_id = r.conversation_id, .agent_id = a,
                                .recipient_id = "u1", .dm_thread = "dm-u1",
                                .text = STR_LIT("let's talk here"), .external_id = "dm.1" };
    int64_t dm = 0, msg = 0, dm2 = 0, msg2 = 0;
    CHECK_INT(store_private_reply(st, &pr, &dm, &msg), 0);
    CHECK(dm != r.conversation_id);
    CHECK_INT(store_conv_get(st, ar, r.conversation_id, &cv), 0);
    CHECK_INT(cv.linked_id, dm);
    CHECK_INT(store_conv_get(st, ar, dm, &cv), 0);
    CHECK_INT(cv.linked_id, r.conversation_id);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, msg, &m), 0);
    CHECK_INT(m.conversation_id, dm);
    CHECK_STR(m.text, "let's talk here");
    pr.text = STR_LIT("one more thing");
    pr.external_id = NULL;
    CHECK_INT(store_private_reply(st, &pr, &dm2, &msg2), 0);
    CHECK_INT(dm2, dm); /* found by its thread */
    CHECK_INT(store_conv_thread_key(st, ar, dm, &tk), 0);
    CHECK_STR(tk, "dm-u1");
    pr.public_conv_id = 4242;
    CHECK_INT(store_private_reply(st, &pr, &dm2, &msg2), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(reply_payload_reaches_the_outbox);
    RUN(private_reply_links_both_ways);
    return test_done();
}
