/* SPDX-License-Identifier: MIT */
/* faqbot_test.c - the FAQ bot (care/faqbot.c): the decision, table-driven (a confident FAQ is
 * answered; negative, urgent, not a question, "human", a second message, below the threshold,
 * another channel and a blocked contact are not); asking for a person in several languages;
 * the matcher (the right FAQ, confidence in [0, 1], exact text 1, switched-off FAQs never
 * match, unrelated text below any sensible threshold); the answer's footer per language. */
#include "base/base.h"

#include "base/arena.h"
#include "care/care.h"
#include "store/store.h"

#include "../test.h"

/* A confident plain question on a bot channel, first message: the bot answers. */
static struct care_faqbot_facts
base(void)
{
    return (struct care_faqbot_facts){
        .first_message = true, .channel_on = true, .intent = "question", .sentiment = "neutral",
        .urgency = 0, .matched = true, .confidence = 0.8, .threshold = 0.5, .has_answer = true,
    };
}

TEST(decision_table)
{
    struct care_faqbot_facts f;
    static const struct {
        const char *name;
        int change;
        bool answer, handoff, held_back;
        const char *why;
    } cases[] = {
        { "confident FAQ answered", 0, true, false, false, "answered" },
        { "negative held back", 1, false, false, true, "negative" },
        { "urgent held back", 2, false, false, true, "urgent" },
        { "urgency 39 is still low", 3, true, false, false, "answered" },
        { "complaint is not a plain question", 4, false, false, true, "not_question" },
        { "no triage: not a question", 5, false, false, true, "not_question" },
        { "below threshold not answered", 6, false, false, false, "below_threshold" },
        { "at the threshold answered", 7, true, false, false, "answered" },
        { "no match", 8, false, false, false, "no_match" },
        { "asks for a human first", 9, false, false, false, "asked_for_human" },
        { "second message hands off", 10, false, true, false, "second_message" },
        { "HUMAN after the answer hands off", 11, false, true, false, "asked_for_human" },
        { "not the first message", 12, false, false, false, "not_first" },
        { "channel off", 13, false, false, false, "channel_off" },
        { "blocked never", 14, false, false, false, "blocked" },
        { "blocked never, even waiting", 15, false, false, false, "blocked" },
        { "no answer written", 16, false, false, true, "no_answer" },
        { "positive question answered", 17, true, false, false, "answered" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f = base();
        switch (cases[i].change) {
        case 1: f.sentiment = "negative"; break;
        case 2: f.urgency = 70; break;
        case 3: f.urgency = 39; break;
        case 4: f.intent = "complaint"; break;
        case 5: f.intent = NULL; f.sentiment = NULL; break;
        case 6: f.confidence = 0.49; break;
        case 7: f.confidence = 0.5; break;
        case 8: f.matched = false; f.confidence = 0; break;
        case 9: f.asked_for_human = true; break;
        case 10: f.first_message = false; f.bot_waiting = true; break;
        case 11: f.first_message = false; f.bot_waiting = true; f.asked_for_human = true; break;
        case 12: f.first_message = false; break;
        case 13: f.channel_on = false; break;
        case 14: f.blocked = true; break;
        case 15: f.blocked = true; f.bot_waiting = true; f.first_message = false; break;
        case 16: f.has_answer = false; break;
        case 17: f.sentiment = "positive"; break;
        default: break;
        }
        struct care_faqbot_decision d;
        care_faqbot_decide(&f, &d);
        if (d.answer != cases[i].answer || d.handoff != cases[i].handoff ||
            d.held_back != cases[i].held_back || strcmp(d.why, cases[i].why) != 0)
            fprintf(stderr, "case '%s': answer=%d handoff=%d held=%d why=%s\n", cases[i].name,
                    d.answer, d.handoff, d.held_back, d.why);
        CHECK(d.answer == cases[i].answer);
        CHECK(d.handoff == cases[i].handoff);
        CHECK(d.held_back == cases[i].held_back);
        CHECK_STR(d.why, cases[i].why);
        /* Every code has words for the care team. */
        CHECK(strcmp(care_faqbot_why_words(d.why), d.why) != 0);
    }
}

TEST(asks_for_human)
{
    static const struct {
        const char *text;
        bool want;
    } cases[] = {
        { "HUMAN", true },
        { "human", true },
        { "  Human! ", true },
        { "agent please", true },
        { "Can I talk to a real person?", true },
        { "Mensch", true },
        { "Ich m\xc3\xb6" "chte mit einem Mitarbeiter sprechen", true },
        { "humain svp", true },
        { "quiero hablar con un agente", true },
        { "When are you open?", false },
        { "", false },
        /* Long messages mentioning a person are questions, not a request. */
        { "Can I pick up the order in person at the store on Saturday morning or do I need to "
          "book a slot first because last time it was very busy", false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = care_faqbot_asks_for_human(str_c(cases[i].text));
        if (got != cases[i].want)
            fprintf(stderr, "'%s': got %d\n", cases[i].text, got);
        CHECK(got == cases[i].want);
    }
}

static struct care_faq_index *
sample_index(bool hours_enabled)
{
    const struct store_faq_variant v[] = {
        { 1, 0.5, hours_enabled, "What are your opening hours?" },
        { 1, 0.5, hours_enabled, "When are you open?" },
        { 1, 0.5, hours_enabled, "What time do you close?" },
        { 2, 0.6, true, "What sizes do you have?" },
        { 2, 0.6, true, "Which size should I order?" },
        { 2, 0.6, true, "size chart" },
        { 3, 0.4, true, "Where is my order?" },
        { 3, 0.4, true, "How can I track my parcel?" },
    };
    struct care_faq_index *ix = NULL;
    CHECK_INT(care_faq_index_build(v, sizeof(v) / sizeof(v[0]), &ix), 0);
    return ix;
}

TEST(matcher)
{
    struct care_faq_index *ix = sample_index(true);
    CHECK_INT((int)care_faq_index_size(ix), 3);
    struct care_faq_match m;
    CHECK(care_faq_index_match(ix, str_c("When are you open on Sunday?"), &m));
    CHECK_INT((int)m.faq_id, 1);
    CHECK(m.confidence > 0.5 && m.confidence <= 1);
    CHECK(m.threshold == 0.5);
    CHECK(care_faq_index_match(ix, str_c("which SIZE should i order??"), &m));
    CHECK_INT((int)m.faq_id, 2);
    CHECK(m.confidence > 0.9);
    CHECK(care_faq_index_match(ix, str_c("Where is my order?"), &m));
    CHECK_INT((int)m.faq_id, 3);
    CHECK(m.confidence > 0.999 && m.confidence <= 1);
    CHECK(care_faq_index_match(ix, str_c("track parcel"), &m));
    CHECK_INT((int)m.faq_id, 3);
    /* Unrelated text: nothing, or far below any threshold. */
    if (care_faq_index_match(ix, str_c("Do you sell gift cards?"), &m))
        CHECK(m.confidence < 0.3);
    CHECK(!care_faq_index_match(ix, str_c(""), &m));
    CHECK(!care_faq_index_match(ix, str_c("\xf0\x9f\x99\x82"), &m) || m.confidence < 0.3);
    care_faq_index_free(ix);
    /* A switched-off FAQ never matches, however close. */
    ix = sample_index(false);
    if (care_faq_index_match(ix, str_c("What are your opening hours?"), &m))
        CHECK(m.faq_id != 1);
    care_faq_index_free(ix);
    /* An empty set matches nothing. */
    CHECK_INT(care_faq_index_build(NULL, 0, &ix), 0);
    CHECK(!care_faq_index_match(ix, str_c("When are you open?"), &m));
    care_faq_index_free(ix);
    care_faq_index_free(NULL);
}

TEST(answer_text)
{
    struct arena *ar = arena_new(4096);
    struct store_faq_answer a = { .question = "Hours", .link = "https://example.com/h",
                                  .lang = "de", .text = "9 bis 17 Uhr." };
    const char *t = care_faqbot_compose(ar, &a);
    CHECK(strstr(t, "9 bis 17 Uhr.\nhttps://example.com/h\n\n") == t);
    CHECK(strstr(t, "Antworten Sie MENSCH") != NULL);
    a.link = NULL;
    a.lang = "sw"; /* a language the bot does not speak: English */
    t = care_faqbot_compose(ar, &a);
    CHECK(strstr(t, "Reply HUMAN to talk to a person.") != NULL);
    CHECK(strstr(t, "https://") == NULL);
    CHECK(strstr(care_faqbot_footer("pt-BR"), "HUMANO") != NULL);
    CHECK(strstr(care_faqbot_footer(NULL), "HUMAN") != NULL);
    arena_free(ar);
}

int
main(void)
{
    RUN(decision_table);
    RUN(asks_for_human);
    RUN(matcher);
    RUN(answer_text);
    return test_done();
}
