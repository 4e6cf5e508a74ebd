/* SPDX-License-Identifier: MIT */
/* st_survey_test.c - CSAT surveys (store/st_survey.c) on one store: the question in a language
 * (else English, else the first one written), queued once per conversation, sent once, found
 * by token, message and sender, answered once, cancelled, and the figures over them. */
#include "base/base.h"

#include "fixture.h"

TEST(survey_question_fallbacks)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_survey_settings set;
    CHECK_INT(store_survey_settings_get(st, ar, &set), 0);
    const char *q;
    bool more = true;
    CHECK_INT(store_survey_question(st, ar, "fr", &q, &more), 0);
    CHECK_STR(q, "How would you rate the help you got today?"); /* the default, in English */
    CHECK(!more);
    /* "fr" written before "de": the first written is the fallback, whatever the key order. */
    set.questions = "{\"fr\":\"Comment?\",\"de\":\"Wie?\"}";
    set.nps = "{\"en\":\"Recommend us?\"}";
    CHECK_INT(store_survey_settings_put(st, &set), 0);
    CHECK_INT(store_survey_question(st, ar, "de", &q, &more), 0);
    CHECK_STR(q, "Wie?");
    CHECK(more);
    CHECK_INT(store_survey_question(st, ar, "it", &q, &more), 0);
    CHECK_STR(q, "Comment?");
    set.questions = "{\"de\":\"Wie?\",\"en\":\"How?\"}";
    set.nps = NULL;
    CHECK_INT(store_survey_settings_put(st, &set), 0);
    CHECK_INT(store_survey_question(st, ar, "it", &q, &more), 0);
    CHECK_STR(q, "How?");
    CHECK(!more);
    CHECK_INT(store_survey_settings_get(st, ar, &set), 0);
    CHECK_STR(set.questions, "{\"de\":\"Wie?\",\"en\":\"How?\"}");
    CHECK(set.nps == NULL);
    arena_free(ar);
    store_close(st);
}

TEST(survey_queue_send_answer_figures)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t ag = fx_agent(st, "hero@example.com");
    int64_t c1 = fx_conv(st, ch, "m1", "u1", "my parcel", NULL);
    int64_t c2 = fx_conv(st, ch, "m2", "u2", "my refund", NULL);

    struct store_survey_facts f;
    CHECK_INT(store_survey_facts(st, ar, c1, &f), 0);
    CHECK(!f.surveyed && !f.blocked);
    CHECK_STR(f.channel_type, "api");
    CHECK_INT(f.contact_last_survey_at, 0);
    f.agent_id = ag;
    int64_t s1 = 0, s2 = 0;
    CHECK_INT(store_survey_queue(st, &f, 1000, 0, &s1), 0);
    CHECK(s1 > 0);
    CHECK_INT(store_survey_queue(st, &f, 1000, 0, NULL), ERR_CONFLICT); /* once */
    CHECK_INT(store_survey_facts(st, ar, c1, &f), 0);
    CHECK(f.surveyed);
    CHECK(f.contact_last_survey_at > 0);
    CHECK_INT(store_survey_next_due(st), 1000);
    struct store_survey *due;
    size_t n;
    CHECK_INT(store_survey_due(st, ar, 999, 10, &due, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_survey_due(st, ar, 1000, 10, &due, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(due[0].id, s1);
    CHECK_INT(due[0].agent_id, ag);
    CHECK(!due[0].blocked);

    /* Sent once; found by its token, its message and its sender. */
    int64_t msg = 0;
    CHECK_INT(store_survey_send(st, s1, str_c("How did we do?"), "{}", "hash1", INT64_MAX / 2,
                                &msg), 0);
    CHECK(msg > 0);
    CHECK_INT(store_survey_send(st, s1, str_c("Again?"), NULL, "hash2", INT64_MAX / 2, &msg),
              ERR_CONFLICT);
    CHECK_INT(store_survey_next_due(st), 0);
    struct store_survey sv;
    CHECK_INT(store_survey_by_token(st, ar, "hash1", &sv), 0);
    CHECK_INT(sv.id, s1);
    CHECK(sv.sent_at > 0 && sv.message_id == msg);
    CHECK_INT(sv.nps, -1);
    CHECK_STR(sv.lang, "en");
    CHECK_INT(store_survey_of_message(st, ar, msg, &sv), 0);
    CHECK_INT(sv.id, s1);
    CHECK_INT(store_survey_of_sender(st, ar, ch, "api", str_c("u1"), &sv), 0);
    CHECK_INT(sv.id, s1);
    CHECK_INT(store_survey_of_sender(st, ar, ch, "api", str_c("u2"), &sv), ERR_NOTFOUND);
    CHECK_INT(store_survey_by_token(st, ar, "nope", &sv), ERR_NOTFOUND);

    /* Answered once, a comment once. */
    struct store_survey_answer a = { .score = 4, .nps = 9, .via = "buttons", .ext = "tap1" };
    CHECK_INT(store_survey_answer(st, s1, &a, "Rated 4", 5000), 0);
    CHECK_INT(store_survey_answer(st, s1, &a, "Rated 4", 5000), ERR_CONFLICT);
    CHECK_INT(store_survey_comment(st, s1, "quick", "Rated 4 - quick", 5000), 0);
    CHECK_INT(store_survey_comment(st, s1, "again", "Rated 4 - again", 5000), ERR_CONFLICT);
    CHECK_INT(store_survey_get(st, ar, s1, &sv), 0);
    CHECK_INT(sv.score, 4);
    CHECK_INT(sv.nps, 9);
    CHECK_STR(sv.comment, "quick");
    CHECK_STR(sv.via, "buttons");
    CHECK_INT(sv.answered_at, 5000);
    CHECK_INT(store_survey_last_tap(st), 5000);

    /* Another one, cancelled before it is sent: never sent, never answered. */
    CHECK_INT(store_survey_facts(st, ar, c2, &f), 0);
    CHECK_INT(store_survey_queue(st, &f, 2000, 0, &s2), 0);
    CHECK_INT(store_survey_cancel(st, s2, "reopened"), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c2, &sv), 0);
    CHECK_INT(sv.id, s2);
    CHECK(sv.cancelled_at > 0 && sv.sent_at == 0);
    CHECK_STR(sv.cancel_reason, "reopened");
    CHECK_INT(store_survey_send(st, s2, str_c("How did we do?"), NULL, "hash3", INT64_MAX / 2,
                                &msg), ERR_CONFLICT);
    struct store_survey_answer b = { .score = 1, .nps = -1, .via = "link" };
    CHECK_INT(store_survey_answer(st, s2, &b, "Rated 1", 5000), ERR_NOTFOUND);

    /* The figures. */
    struct store_csat_filter any = { 0 };
    struct store_csat cs;
    CHECK_INT(store_csat_stats(st, &any, &cs), 0);
    CHECK_INT(cs.sent, 1);
    CHECK_INT(cs.answered, 1);
    CHECK(cs.average > 3.99 && cs.average < 4.01);
    CHECK_INT(cs.scores[3], 1);
    CHECK_INT(cs.scores[0], 0);
    CHECK_INT(cs.nps_answers, 1);
    CHECK_INT(cs.promoters, 1);
    CHECK_INT(cs.detractors, 0);
    CHECK_INT(cs.comments, 1);
    struct store_csat_filter email = { .channel_type = "email" };
    CHECK_INT(store_csat_stats(st, &email, &cs), 0);
    CHECK_INT(cs.sent, 0);
    CHECK_INT(cs.scores[3], 0);
    struct store_csat_hero *h;
    CHECK_INT(store_csat_heroes(st, ar, &any, 1, 10, &h, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(h[0].agent_id, ag);
    CHECK_STR(h[0].name, "hero@example.com");
    CHECK_INT(h[0].answers, 1);
    CHECK(h[0].average > 3.99 && h[0].average < 4.01);
    CHECK_INT(store_csat_heroes(st, ar, &any, 2, 10, &h, &n), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(survey_question_fallbacks);
    RUN(survey_queue_send_answer_figures);
    return test_done();
}
