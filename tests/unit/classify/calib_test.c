/* SPDX-License-Identifier: MIT */
/* calib_test.c - what classify_message does after the models (classify_calib.c): the word-list
 * sentiment mixed into the model's, "a question is not a complaint", and praise around a care
 * problem read as a complaint. Driven with chosen model probabilities, so no model is needed. */
#include "base/base.h"

#include "classify/classify.h"
#include "classify/classify_int.h"

#include "../test.h"

enum { NEG = CLASSIFY_SENTIMENT_NEGATIVE, NEU = CLASSIFY_SENTIMENT_NEUTRAL,
       POS = CLASSIFY_SENTIMENT_POSITIVE };

/* Runs the calibration on 'text' with the model choosing 'intent' at probability 0.6 (0.3 for
 * question, 0.1 for praise when not chosen) and sentiment probabilities neg/neu/pos. */
static struct triage
calib(const char *text, enum classify_intent intent, float neg, float neu, float pos)
{
    float ip[CLASSIFY_INTENT_COUNT] = { 0 }, sp[CLASSIFY_SENTIMENT_COUNT];
    struct triage t = { .intent = intent };
    ip[intent] = 0.6f;
    ip[intent == CLASSIFY_INTENT_QUESTION ? CLASSIFY_INTENT_OTHER : CLASSIFY_INTENT_QUESTION] =
        0.3f;
    sp[NEG] = neg;
    sp[NEU] = neu;
    sp[POS] = pos;
    classify__calibrate(str_c(text), ip, sp, &t);
    CHECK(t.sentiment_score >= -1 && t.sentiment_score <= 1);
    CHECK(t.sentiment_conf > 0 && t.sentiment_conf <= 1);
    return t;
}

TEST(sentiment_mix)
{
    /* No sentiment words: the word list says neutral, enough to win a close call. */
    struct triage t = calib("@united flight 1234 from Denver to Chicago tomorrow",
                            CLASSIFY_INTENT_OTHER, 0.1f, 0.4f, 0.5f);
    CHECK_INT(t.sentiment, NEU);
    /* ...but not a clear one. */
    t = calib("flight 1234 from Denver to Chicago", CLASSIFY_INTENT_OTHER, 0.05f, 0.15f, 0.8f);
    CHECK_INT(t.sentiment, POS);
    /* Words lean it; negation turns them. */
    t = calib("this was awful, the worst", CLASSIFY_INTENT_OTHER, 0.3f, 0.4f, 0.3f);
    CHECK_INT(t.sentiment, NEG);
    t = calib("not bad at all", CLASSIFY_INTENT_OTHER, 0.3f, 0.4f, 0.3f);
    CHECK(t.sentiment_score > 0);
    /* Handles and URLs are not words: "@love" and a URL with "bad" in it say nothing. */
    t = calib("@love http://bad.example/awful", CLASSIFY_INTENT_OTHER, 0.3f, 0.4f, 0.3f);
    CHECK_INT(t.sentiment, NEU);
    /* The score is P(positive) - P(negative) of the mix. */
    t = calib("", CLASSIFY_INTENT_OTHER, 0.2f, 0.3f, 0.5f);
    CHECK(t.sentiment_score > 0.23f && t.sentiment_score < 0.25f); /* 0.8 x 0.3 */
}

TEST(question_is_not_a_complaint)
{
    struct triage t = calib("@united what time is boarding?", CLASSIFY_INTENT_COMPLAINT,
                            0.2f, 0.6f, 0.2f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_QUESTION);
    CHECK(t.intent_conf > 0.29f && t.intent_conf < 0.31f); /* the model's P(question) */
    t = calib("what time is boarding", CLASSIFY_INTENT_COMPLAINT, 0.2f, 0.6f, 0.2f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_QUESTION); /* question form without the '?' */
    /* A negative question stays a complaint. */
    t = calib("why is my bag still lost? third time, awful", CLASSIFY_INTENT_COMPLAINT,
              0.7f, 0.2f, 0.1f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_COMPLAINT);
    CHECK(t.intent_conf > 0.59f && t.intent_conf < 0.61f);
    /* A question about a care problem stays a complaint. */
    t = calib("is my flight delayed again?", CLASSIFY_INTENT_COMPLAINT, 0.2f, 0.6f, 0.2f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_COMPLAINT);
    /* A statement stays a complaint. */
    t = calib("the seat was fine I guess", CLASSIFY_INTENT_COMPLAINT, 0.2f, 0.6f, 0.2f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_COMPLAINT);
}

TEST(praise_around_a_problem)
{
    struct triage t = calib("@SouthwestAir great, another delay. love it", CLASSIFY_INTENT_PRAISE,
                            0.1f, 0.1f, 0.8f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_COMPLAINT);
    CHECK_INT(t.sentiment, NEG);
    CHECK(t.sentiment_score < 0);
    /* A negated problem is no problem. */
    t = calib("no delay at all, great crew, thanks", CLASSIFY_INTENT_PRAISE, 0.1f, 0.1f, 0.8f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_PRAISE);
    CHECK_INT(t.sentiment, POS);
    /* A remedy is not a problem. */
    t = calib("thanks for the quick refund!", CLASSIFY_INTENT_PRAISE, 0.1f, 0.1f, 0.8f);
    CHECK_INT(t.intent, CLASSIFY_INTENT_PRAISE);
    /* The curly apostrophe reads as one: "don’t" negates. */
    t = calib("you don\xe2\x80\x99t disappoint", CLASSIFY_INTENT_OTHER, 0.3f, 0.4f, 0.3f);
    CHECK(t.sentiment_score > 0);
}

TEST(hostile_text)
{
    char *huge = xmalloc(1 << 20);
    for (size_t i = 0; i < 1 << 20; i++)
        huge[i] = "awful? @x "[i % 10];
    float ip[CLASSIFY_INTENT_COUNT] = { 0 }, sp[CLASSIFY_SENTIMENT_COUNT] = { 0.3f, 0.4f, 0.3f };
    struct triage t = { .intent = CLASSIFY_INTENT_COMPLAINT };
    classify__calibrate((struct str){ huge, 1 << 20 }, ip, sp, &t);
    CHECK_INT(t.sentiment, NEG);
    memset(huge, 'a', 1 << 20); /* one endless word */
    classify__calibrate((struct str){ huge, 1 << 20 }, ip, sp, &t);
    memset(huge, 0xff, 1 << 20);
    classify__calibrate((struct str){ huge, 1 << 20 }, ip, sp, &t);
    xfree(huge);
    CHECK(classify__afinn_count > 3000);
}

int
main(void)
{
    RUN(sentiment_mix);
    RUN(question_is_not_a_complaint);
    RUN(praise_around_a_problem);
    RUN(hostile_text);
    return test_done();
}
