/* SPDX-License-Identifier: MIT */
/* st_triage_test.c - triage inputs and corrections (store/st_triage.c) through store.h: the
 * sender's recent inbound count and its cap, corrections (message and conversation updated,
 * kept as examples, the latest per message), unknown and outbound messages. */
#include "base/base.h"

#include "fixture.h"

TEST(sender_recent_inbound_counts_and_caps)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "api");
    for (int i = 0; i < 20; i++) {
        char ext[16];
        snprintf(ext, sizeof(ext), "m%d", i);
        struct inbound in = fx_inbound(ch, ext, "u1", "again");
        in.created_at = 1700000000000 + i * 1000;
        struct ingest_result r;
        CHECK_INT(store_ingest(st, &in, &r), 0);
    }
    CHECK_INT(store_sender_recent_inbound(st, "api", STR_LIT("u1"), 1700000015000), 5);
    CHECK_INT(store_sender_recent_inbound(st, "api", STR_LIT("u1"), 0), 16); /* capped */
    CHECK_INT(store_sender_recent_inbound(st, "api", STR_LIT("u2"), 0), 0);
    store_close(st);
}

TEST(triage_correct_and_examples)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    struct ingest_result r1, r2;
    struct inbound in = fx_inbound(ch, "m1", "u1", "where is my refund");
    in.intent = "question";
    in.sentiment = "neutral";
    CHECK_INT(store_ingest(st, &in, &r1), 0);
    in = fx_inbound(ch, "m2", "u2", "love it");
    CHECK_INT(store_ingest(st, &in, &r2), 0);
    CHECK_INT(store_triage_correct(st, r1.message_id, a, "refund", NULL), 0);
    CHECK_INT(store_triage_correct(st, r1.message_id, a, "billing", "negative"), 0);
    CHECK_INT(store_triage_correct(st, r2.message_id, a, "praise", NULL), 0);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, r1.message_id, &m), 0);
    CHECK_STR(m.intent, "billing");
    CHECK_STR(m.sentiment, "negative");
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, r1.conversation_id, &c), 0);
    CHECK_STR(c.intent, "billing"); /* the latest inbound message's labels */
    struct triage_example *v;
    size_t n;
    CHECK_INT(store_triage_examples(st, ar, "intent", 0, 10, &v, &n), 0);
    CHECK_INT(n, 2); /* one per message: the latest */
    CHECK_STR(v[0].label, "billing");
    CHECK_STR(v[0].text, "where is my refund");
    CHECK_STR(v[1].label, "praise");
    CHECK_INT(store_triage_examples(st, ar, "intent", v[0].id, 10, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_triage_examples(st, ar, "sentiment", 0, 10, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_triage_correct(st, 4242, a, "x", NULL), ERR_NOTFOUND);
    int64_t reply = 0;
    CHECK_INT(store_reply(st, r1.conversation_id, a, STR_LIT("hi"), false, &reply), 0);
    CHECK_INT(store_triage_correct(st, reply, a, "x", NULL), ERR_INVAL);
    arena_free(ar);
    store_close(st);
}

TEST(closing_thanks_keeps_conversation_intent)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    struct ingest_result r;
    struct inbound in = fx_inbound(ch, "t1", "u1", "my card was charged twice");
    in.intent = "complaint";
    in.sentiment = "negative";
    CHECK_INT(store_ingest(st, &in, &r), 0);
    in = fx_inbound(ch, "t2", "u1", "thank you so much, all sorted");
    in.intent = "praise";
    in.sentiment = "positive";
    CHECK_INT(store_ingest(st, &in, &r), 0);
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, r.conversation_id, &c), 0);
    CHECK_STR(c.intent, "complaint");  /* the thank-you does not make it praise */
    CHECK_STR(c.sentiment, "positive"); /* but the mood is the latest */
    in = fx_inbound(ch, "t3", "u1", "and where is my refund");
    in.intent = "question";
    CHECK_INT(store_ingest(st, &in, &r), 0);
    CHECK_INT(store_conv_get(st, ar, r.conversation_id, &c), 0);
    CHECK_STR(c.intent, "question"); /* any other intent still follows the latest message */
    in = fx_inbound(ch, "t4", "u9", "love the new app");
    in.intent = "praise";
    CHECK_INT(store_ingest(st, &in, &r), 0);
    CHECK_INT(store_conv_get(st, ar, r.conversation_id, &c), 0);
    CHECK_STR(c.intent, "praise"); /* praise as the first word is praise */
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(sender_recent_inbound_counts_and_caps);
    RUN(triage_correct_and_examples);
    RUN(closing_thanks_keeps_conversation_intent);
    return test_done();
}
