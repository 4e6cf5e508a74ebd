/* SPDX-License-Identifier: MIT */
/* st_faq_test.c - the FAQ bot's tables (store/st_faq.c): FAQs saved, listed, their variants
 * (the question included) and the answer per language with its fallbacks; the settings row;
 * a bot answer (message marked as the bot's, queued, not a human reply: the customer still
 * waits; the conversation pending), the handoff (note, open, counted once), the window passing
 * (counted: nobody waits, resolved) and a reopen, each with its FAQ's count. */
#include "base/base.h"

#include "fixture.h"

static int64_t
add_faq(struct store *st, const char *q, const char *variants, const char *answers)
{
    struct store_faq f = { .question = q, .variants = variants, .answers = answers,
                           .threshold = 0.5, .enabled = true };
    int64_t id = 0;
    CHECK_INT(store_faq_put(st, 0, &f, &id), 0);
    return id;
}

TEST(faqs)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 16);
    int64_t a = add_faq(st, "Hours?", "[\"When are you open?\",\"opening hours\"]",
                        "{\"de\":\"9 bis 17\",\"en\":\"9 to 5\"}");
    int64_t b = add_faq(st, "Sizes?", "[]", "{\"fr\":\"S, M, L\"}");
    struct store_faq f;
    CHECK_INT(store_faq_get(st, ar, a, &f), 0);
    CHECK_STR(f.question, "Hours?");
    CHECK(f.link == NULL);
    CHECK(f.enabled);
    struct store_faq *v;
    size_t n;
    CHECK_INT(store_faq_list(st, ar, &v, &n), 0);
    CHECK_INT((int)n, 2);
    int64_t cnt = 0;
    CHECK_INT(store_faq_count(st, &cnt), 0);
    CHECK_INT((int)cnt, 2);
    struct store_faq_variant *fv;
    CHECK_INT(store_faq_variants(st, ar, &fv, &n), 0);
    CHECK_INT((int)n, 4); /* two questions, two variants */
    CHECK_INT((int)fv[0].faq_id, (int)a);
    struct store_faq_answer ans;
    CHECK_INT(store_faq_answer(st, ar, a, "de", &ans), 0);
    CHECK_STR(ans.text, "9 bis 17");
    CHECK_INT(store_faq_answer(st, ar, a, "it", &ans), 0);
    CHECK_STR(ans.lang, "en"); /* English before the first written */
    CHECK_INT(store_faq_answer(st, ar, b, "en", &ans), 0);
    CHECK_STR(ans.lang, "fr"); /* the only one */
    CHECK_INT(store_faq_answer(st, ar, 999, "en", &ans), ERR_NOTFOUND);
    f.link = "https://example.com";
    f.enabled = false;
    CHECK_INT(store_faq_put(st, a, &f, NULL), 0);
    CHECK_INT(store_faq_get(st, ar, a, &f), 0);
    CHECK_STR(f.link, "https://example.com");
    CHECK(!f.enabled);
    CHECK_INT(store_faq_put(st, 999, &f, NULL), ERR_NOTFOUND);
    CHECK_INT(store_faq_delete(st, b), 0);
    CHECK_INT(store_faq_delete(st, b), ERR_NOTFOUND);
    struct store_faq_bot s;
    CHECK_INT(store_faq_bot_get(st, ar, &s), 0);
    CHECK_STR(s.channels, "[]");
    CHECK(s.window_ms == 3600000);
    s.channels = "[3]";
    s.window_ms = 5000;
    CHECK_INT(store_faq_bot_put(st, &s), 0);
    CHECK_INT(store_faq_bot_get(st, ar, &s), 0);
    CHECK_STR(s.channels, "[3]");
    arena_free(ar);
    store_close(st);
}

static const char *
str1(struct store *st, struct arena *ar, int64_t conv)
{
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, conv, &c), 0);
    return c.status;
}

TEST(answer_handoff_count_reopen)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 16);
    int64_t ch = fx_channel(st, "api");
    int64_t faq = add_faq(st, "Hours?", "[]", "{\"en\":\"9 to 5\"}");
    int64_t c1 = fx_conv(st, ch, "m1", "ann", "When are you open?", NULL);
    struct store_bot_send j = { .conv_id = c1, .faq_id = faq, .faq_question = "Hours?",
                                .confidence = 0.8, .text = str_c("9 to 5"), .window_ms = 1000 };
    CHECK_INT(store_bot_send(st, &j), 0);
    CHECK(j.msg_id > 0);
    CHECK_STR(str1(st, ar, c1), "pending");
    struct store_conv_sla sla;
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK(sla.awaiting_since != 0); /* not a human reply */
    struct store_bot_answer ba;
    CHECK_INT(store_bot_answer_get(st, ar, c1, &ba), 0);
    CHECK_STR(ba.state, "answered");
    CHECK_INT(store_bot_send(st, &j), ERR_CONFLICT); /* once per conversation */
    int64_t due = 0;
    CHECK_INT(store_bot_next_due(st, &due), 0);
    CHECK(due == ba.due_at);

    /* A second conversation hands off. */
    int64_t c2 = fx_conv(st, ch, "m2", "bob", "When are you open?", NULL);
    j.conv_id = c2;
    j.window_ms = 3600000;
    CHECK_INT(store_bot_send(st, &j), 0);
    CHECK_INT(store_bot_handoff(st, c2, "asked_for_human", "Handed to a person."), 0);
    CHECK_INT(store_bot_handoff(st, c2, "asked_for_human", "again"), ERR_CONFLICT);
    CHECK_STR(str1(st, ar, c2), "open");
    CHECK_INT(store_bot_answer_get(st, ar, c2, &ba), 0);
    CHECK_STR(ba.state, "handed_off");
    CHECK_STR(ba.handoff_reason, "asked_for_human");

    /* The first one's window passes: it counts. */
    int counted = 0;
    CHECK_INT(store_bot_count_due(st, ba.answered_at - 1, &counted), 0);
    CHECK_INT(counted, 0);
    CHECK_INT(store_bot_count_due(st, ba.answered_at + 10000, &counted), 0);
    CHECK_INT(counted, 1);
    CHECK_STR(str1(st, ar, c1), "resolved");
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK(sla.awaiting_since == 0);
    CHECK(sla.first_reply_at != 0);
    CHECK_INT(store_bot_reopened(st, c2), ERR_CONFLICT); /* handed off, never counted */
    CHECK_INT(store_bot_reopened(st, c1), 0);
    CHECK_INT(store_bot_held_back(st, c2, faq, "The bot did not answer."), 0);

    struct store_faq f;
    CHECK_INT(store_faq_get(st, ar, faq, &f), 0);
    CHECK_INT((int)f.answered, 2);
    CHECK_INT((int)f.handed_off, 1);
    CHECK_INT((int)f.reopened, 1);
    CHECK_INT((int)f.held_back, 1);
    /* The thread: the bot's answer and notes are marked as the bot's. */
    struct msg *m;
    size_t n;
    int64_t next = 0;
    CHECK_INT(store_msg_list(st, ar, c2, 0, 50, &m, &n, &next), 0);
    int bot = 0;
    for (size_t i = 0; i < n; i++)
        bot += m[i].bot;
    CHECK_INT(bot, 3); /* answer, handoff note, held-back note */
    /* Deleting the FAQ keeps the conversation's record. */
    CHECK_INT(store_faq_delete(st, faq), 0);
    CHECK_INT(store_bot_answer_get(st, ar, c1, &ba), 0);
    CHECK_INT((int)ba.faq_id, 0);
    CHECK_STR(ba.faq_question, "Hours?");
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(faqs);
    RUN(answer_handoff_count_reopen);
    return test_done();
}
