/* SPDX-License-Identifier: MIT */
/* st_triage_test.c - triage inputs and corrections (store/st_triage.c) through store.h: the
 * sender's recent inbound count and its cap, corrections (message and conversation updated,
 * kept as examples, the latest per message), unknown and outbound messages; the review queue
 * (least sure first, newest first on a tie, reviewed and skipped ones gone, blocked and spam
 * contacts never, store scope) and confirmations as examples. */
#include "base/base.h"

#include "fixture.h"

#include <math.h>

#include "base/clock.h"

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
    CHECK_INT(store_triage_correct(st, r1.message_id, a, "refund", NULL, false), 0);
    CHECK_INT(store_triage_correct(st, r1.message_id, a, "billing", "negative", false), 0);
    CHECK_INT(store_triage_correct(st, r2.message_id, a, "praise", NULL, false), 0);
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
    CHECK_INT(store_triage_correct(st, 4242, a, "x", NULL, false), ERR_NOTFOUND);
    int64_t reply = 0;
    CHECK_INT(store_reply(st, r1.conversation_id, a, STR_LIT("hi"), false, &reply), 0);
    CHECK_INT(store_triage_correct(st, reply, a, "x", NULL, false), ERR_INVAL);
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

/* An inbound message triaged with the given margins. */
static int64_t
triaged(struct store *st, int64_t ch, const char *ext, const char *from, const char *text,
        double im, double sm, struct ingest_result *r)
{
    struct inbound in = fx_inbound(ch, ext, from, text);
    in.lang = "en";
    in.intent = "complaint";
    in.intent_conf = 0.5;
    in.sentiment = "negative";
    in.sentiment_score = -0.4;
    in.urgency = 10;
    in.urgency_reasons = "[]";
    in.has_margins = true;
    in.intent_margin = im;
    in.sentiment_conf = 0.6;
    in.sentiment_margin = sm;
    CHECK_INT(store_ingest(st, &in, r), 0);
    return r->message_id;
}

/* The ids of the queue for 'agent' (and 'sc'), as "id,id,...". */
static const char *
queue(struct store *st, struct arena *ar, const struct store_scope *sc, int64_t agent, int limit)
{
    struct triage_review_item *v;
    size_t n;
    CHECK_INT(store_triage_review(st, ar, sc, agent, clock_now_ms(), limit, &v, &n), 0);
    const char *out = "";
    for (size_t i = 0; i < n; i++)
        out = arena_printf(ar, "%s%s%lld", out, i ? "," : "", (long long)v[i].msg_id);
    return out;
}

static const char *
ids(struct arena *ar, int64_t a, int64_t b, int64_t c)
{
    return arena_printf(ar, "%lld,%lld,%lld", (long long)a, (long long)b, (long long)c);
}

TEST(review_queue_order_and_reviewed)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io"), b = fx_agent(st, "b@x.io");
    struct ingest_result r;
    int64_t sure = triaged(st, ch, "q1", "u1", "sure", 0.9, 0.8, &r);
    int64_t unsure_old = triaged(st, ch, "q2", "u2", "unsure old", 0.5, 0.104, &r);
    int64_t least = triaged(st, ch, "q3", "u3", "least sure", 0.02, 0.7, &r); /* intent unsure */
    int64_t unsure_new = triaged(st, ch, "q4", "u4", "unsure new", 0.098, 0.3, &r);
    struct inbound plain = fx_inbound(ch, "q5", "u5", "never triaged");
    CHECK_INT(store_ingest(st, &plain, &r), 0);
    int64_t untriaged = r.message_id;
    /* Least sure first by the smaller margin; 0.104 and 0.098 are both 0.10: newest first. */
    CHECK_STR(queue(st, ar, NULL, a, 10),
              arena_printf(ar, "%s,%lld", ids(ar, least, unsure_new, unsure_old), (long long)sure));
    CHECK_STR(queue(st, ar, NULL, a, 2), arena_printf(ar, "%lld,%lld", (long long)least,
                                                       (long long)unsure_new));
    struct triage_review_item *v;
    size_t n;
    CHECK_INT(store_triage_review(st, ar, NULL, a, clock_now_ms(), 1, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(v[0].text, "least sure");
    CHECK_STR(v[0].intent, "complaint");
    CHECK_STR(v[0].sentiment, "negative");
    CHECK_STR(v[0].channel_type, "api");
    CHECK(fabs(v[0].intent_margin - 0.02) < 1e-9 && fabs(v[0].sentiment_conf - 0.6) < 1e-9);
    CHECK(fabs(v[0].margin - 0.02) < 1e-9);
    CHECK(!v[0].truncated);

    /* A confirmation by A: gone from everyone's queue, counted as an example (confirmed). */
    CHECK_INT(store_triage_correct(st, least, a, NULL, NULL, true), 0);
    CHECK_STR(queue(st, ar, NULL, b, 10),
              arena_printf(ar, "%s", ids(ar, unsure_new, unsure_old, sure)));
    /* A correction through the chips takes one out too. */
    CHECK_INT(store_triage_correct(st, sure, b, "question", NULL, false), 0);
    CHECK_STR(queue(st, ar, NULL, b, 10), arena_printf(ar, "%lld,%lld", (long long)unsure_new,
                                                        (long long)unsure_old));
    /* A second review by someone else replaces: still one example per message and field. */
    CHECK_INT(store_triage_correct(st, least, b, "request", NULL, true), 0);
    struct triage_example *e;
    CHECK_INT(store_triage_examples(st, ar, "intent", 0, 10, &e, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(e[0].msg_id, sure);
    CHECK_STR(e[0].label, "question");
    CHECK(!e[0].confirmed);
    CHECK_INT(e[1].msg_id, least);
    CHECK_STR(e[1].label, "request"); /* B's correction replaced A's confirmation */
    CHECK(!e[1].confirmed);
    CHECK_INT(store_triage_examples(st, ar, "sentiment", 0, 10, &e, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(e[0].msg_id, least);
    CHECK_STR(e[0].label, "negative"); /* confirmed twice, counted once */
    CHECK(e[0].confirmed);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, least, &m), 0);
    CHECK_STR(m.intent, "request");
    CHECK_STR(m.sentiment, "negative");

    /* Nothing to confirm on an untriaged message; outbound and unknown as before. */
    CHECK_INT(store_triage_correct(st, untriaged, a, NULL, NULL, true), ERR_CONFLICT);
    CHECK_INT(store_triage_correct(st, 4242, a, NULL, NULL, true), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(review_queue_skip_spam_blocked_scope)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io"), b = fx_agent(st, "b@x.io");
    struct ingest_result r1, r2, r3, r4;
    int64_t m1 = triaged(st, ch, "s1", "u1", "one", 0.1, 0.9, &r1);
    int64_t m2 = triaged(st, ch, "s2", "u2", "two", 0.2, 0.9, &r2);
    int64_t m3 = triaged(st, ch, "s3", "u3", "three", 0.3, 0.9, &r3);
    int64_t m4 = triaged(st, ch, "s4", "u4", "four", 0.4, 0.9, &r4);
    CHECK_STR(queue(st, ar, NULL, a, 10),
              arena_printf(ar, "%s,%lld", ids(ar, m1, m2, m3), (long long)m4));

    /* Skip: gone from A's queue only; skipping again is fine; no label is recorded. */
    CHECK_INT(store_triage_skip(st, m1, a), 0);
    CHECK_INT(store_triage_skip(st, m1, a), 0);
    CHECK_STR(queue(st, ar, NULL, a, 10), ids(ar, m2, m3, m4));
    CHECK_STR(queue(st, ar, NULL, b, 10),
              arena_printf(ar, "%s,%lld", ids(ar, m1, m2, m3), (long long)m4));
    struct triage_example *e;
    size_t n;
    CHECK_INT(store_triage_examples(st, ar, "intent", 0, 10, &e, &n), 0);
    CHECK_INT(n, 0);
    /* ... for a while: a week later it is back. */
    struct triage_review_item *v;
    CHECK_INT(store_triage_review(st, ar, NULL, a, clock_now_ms() + STORE_TRIAGE_SKIP_MS + 1000,
                                  10, &v, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(store_triage_skip(st, 4242, a), ERR_NOTFOUND);
    int64_t reply = 0;
    CHECK_INT(store_reply(st, r1.conversation_id, a, STR_LIT("hi"), false, &reply), 0);
    CHECK_INT(store_triage_skip(st, reply, a), ERR_INVAL);

    /* A blocked contact, and a contact with a conversation resolved as spam: never. */
    struct contact blocked = { .status = "blocked" };
    CHECK_INT(store_contact_update(st, r2.contact_id, &blocked), 0);
    CHECK_INT(store_conv_set_status(st, r3.conversation_id, "resolved", 0, "spam", 0), 0);
    CHECK_STR(queue(st, ar, NULL, b, 10), arena_printf(ar, "%lld,%lld", (long long)m1,
                                                        (long long)m4));

    /* Store staff: their store's messages only. */
    struct contact loc = { .location = "Berlin Mitte" };
    CHECK_INT(store_contact_update(st, r4.contact_id, &loc), 0);
    struct store_scope sc = { .limited = true, .store = "berlin mitte", .agent_id = b };
    CHECK_STR(queue(st, ar, &sc, b, 10), arena_printf(ar, "%lld", (long long)m4));
    struct store_scope other = { .limited = true, .store = "Hamburg", .agent_id = b };
    CHECK_STR(queue(st, ar, &other, b, 10), "");
    arena_free(ar);
    store_close(st);
}

TEST(review_text_is_bounded)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    /* 1,200 two-byte characters: cut at 1,000 characters, never inside one. */
    char *text = arena_alloc(ar, 2401);
    for (int i = 0; i < 1200; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    text[2400] = 0;
    struct ingest_result r;
    triaged(st, ch, "l1", "u1", text, 0.1, 0.1, &r);
    struct triage_review_item *v;
    size_t n;
    CHECK_INT(store_triage_review(st, ar, NULL, 0, clock_now_ms(), 5, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(strlen(v[0].text), 2000);
    CHECK(v[0].truncated);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(sender_recent_inbound_counts_and_caps);
    RUN(triage_correct_and_examples);
    RUN(closing_thanks_keeps_conversation_intent);
    RUN(review_queue_order_and_reviewed);
    RUN(review_queue_skip_spam_blocked_scope);
    RUN(review_text_is_bounded);
    return test_done();
}
