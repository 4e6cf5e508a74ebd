/* SPDX-License-Identifier: MIT */
/* survey_test.c - CSAT survey rules (care/survey.c): who is asked after a resolve (never when
 * off, never a blocked contact, never after spam or abuse, only on the chosen channels, once
 * per conversation, at most once per contact in N days), which answers count (once, inside the
 * window) and when free text is the comment; then the same rules through a real store: queue
 * at resolve, send once, answer once, the rating event, the figures and heroes. */
#include "base/base.h"

#include "base/arena.h"
#include "base/clock.h"
#include "care/care.h"
#include "store/store.h"

#include "../test.h"

#define DAY (86400000LL)

static char dir[] = "/tmp/hark-survey-test-XXXXXX";

TEST(who_is_asked)
{
    struct store_survey_settings s = { .enabled = true, .delay_s = 60, .window_h = 72,
                                       .repeat_days = 30, .channels = "" };
    struct store_survey_facts f = { .channel_type = "whatsapp", .status = "resolved",
                                    .reason = NULL };
    int64_t now = 100 * DAY;
    CHECK(care_survey_rule(&s, &f, now) == NULL);
    s.enabled = false;
    CHECK_STR(care_survey_rule(&s, &f, now), "off");
    s.enabled = true;
    f.status = "open";
    CHECK_STR(care_survey_rule(&s, &f, now), "not_resolved");
    f.status = "resolved";
    f.blocked = true;
    CHECK_STR(care_survey_rule(&s, &f, now), "blocked");
    f.blocked = false;
    f.reason = "spam";
    CHECK_STR(care_survey_rule(&s, &f, now), "spam");
    f.reason = "abuse";
    CHECK_STR(care_survey_rule(&s, &f, now), "spam");
    f.reason = "answered";
    CHECK(care_survey_rule(&s, &f, now) == NULL);
    /* Channels: a comma list of types, "" every type; no partial matches. */
    s.channels = "webchat,telegram";
    CHECK_STR(care_survey_rule(&s, &f, now), "channel");
    s.channels = "whatsapp_cloud,what";
    CHECK_STR(care_survey_rule(&s, &f, now), "channel");
    s.channels = "webchat,whatsapp";
    CHECK(care_survey_rule(&s, &f, now) == NULL);
    /* Once per conversation. */
    f.surveyed = true;
    CHECK_STR(care_survey_rule(&s, &f, now), "once");
    f.surveyed = false;
    /* The N-days rule, at its edge; 0 days is no rule. */
    f.contact_last_survey_at = now - 29 * DAY;
    CHECK_STR(care_survey_rule(&s, &f, now), "recent");
    f.contact_last_survey_at = now - 30 * DAY;
    CHECK(care_survey_rule(&s, &f, now) == NULL);
    f.contact_last_survey_at = now - 1;
    s.repeat_days = 0;
    CHECK(care_survey_rule(&s, &f, now) == NULL);
    /* Blocked wins over everything else the customer might qualify for. */
    f.blocked = true;
    f.reason = "spam";
    CHECK_STR(care_survey_rule(&s, &f, now), "blocked");
}

TEST(which_answers_count)
{
    int64_t now = 10 * DAY;
    struct store_survey sv = { .sent_at = 0 };
    CHECK_STR(care_survey_answer_rule(&sv, now), "not_sent");
    sv.sent_at = now - DAY;
    sv.expires_at = now + 1;
    CHECK(care_survey_answer_rule(&sv, now) == NULL);
    sv.expires_at = now; /* the window is closed at its end */
    CHECK_STR(care_survey_answer_rule(&sv, now), "expired");
    sv.expires_at = now + DAY;
    sv.answered_at = now - 1;
    CHECK_STR(care_survey_answer_rule(&sv, now), "answered");
    /* Free text is the comment: answered, none yet, inside the window and the hour after the
     * score, the conversation still resolved. */
    sv.score = 4;
    sv.conv_status = "resolved";
    sv.via = "link"; /* the page has its own comment box */
    CHECK(!care_survey_comment_ok(&sv, now));
    sv.via = "buttons";
    CHECK(care_survey_comment_ok(&sv, now));
    sv.conv_status = "open";
    CHECK(!care_survey_comment_ok(&sv, now));
    sv.conv_status = "resolved";
    sv.comment = "nice";
    CHECK(!care_survey_comment_ok(&sv, now));
    sv.comment = NULL;
    CHECK(!care_survey_comment_ok(&sv, sv.answered_at + CARE_SURVEY_COMMENT_MS + 1));
    sv.expires_at = now;
    CHECK(!care_survey_comment_ok(&sv, now));
    sv.expires_at = now + DAY;
    sv.answered_at = 0;
    CHECK(!care_survey_comment_ok(&sv, now));
}

static int64_t
conv_of(struct store *st, int64_t ch, const char *ext, const char *from, const char *thread)
{
    struct inbound in = { .channel_id = ch, .channel_type = "api", .external_id = str_c(ext),
                          .from_id = str_c(from), .from_name = str_c("Ann Lee"),
                          .thread_id = str_c(thread), .text = str_c("Where is my order?"),
                          .lang = "en", .intent = "question", .sentiment = "neutral",
                          .urgency_reasons = "[]" };
    struct ingest_result r;
    CHECK_INT(store_ingest(st, &in, &r), 0);
    return r.conversation_id;
}

TEST(through_the_store)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/survey.db", dir);
    struct store_config scfg = { .url = url };
    struct store *st = NULL;
    CHECK_INT(store_open(&scfg, NULL, &st, NULL), 0);
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    care_survey_set_url(c, "https://care.example");
    struct arena *ar = arena_new(1 << 20);
    struct channel ch = { .type = "api", .name = "api", .secret = "s3cret" };
    int64_t chid = 0, agent = 0;
    CHECK_INT(store_channel_add(st, &ch, &chid), 0);
    struct agent ag = { .email = "ana@example.com", .password_hash = "h", .name = "Ana",
                        .display_name = "Ana Alves", .role = "agent" };
    CHECK_INT(store_agent_add(st, &ag, &agent), 0);

    struct store_survey_settings s;
    CHECK_INT(store_survey_settings_get(st, ar, &s), 0);
    CHECK(!s.enabled);
    s.enabled = true;
    s.delay_s = 0;
    s.repeat_days = 30;
    s.questions = "{\"de\":\"Wie war es?\",\"en\":\"How was it?\"}";
    CHECK_INT(store_survey_settings_put(st, &s), 0);
    s.window_h = 0;
    CHECK_INT(store_survey_settings_put(st, &s), ERR_INVAL);
    s.window_h = 72;

    int64_t c1 = conv_of(st, chid, "m1", "ann", "t1");
    CHECK_INT(store_conv_assign(st, c1, agent, 0), 0);
    /* Off until resolved; the resolve queues one survey with the assignee. */
    CHECK_INT(care_conv_set_status(c, c1, "pending", 0, NULL, 0), 0);
    struct store_survey sv;
    CHECK_INT(store_survey_of_conv(st, ar, c1, &sv), ERR_NOTFOUND);
    CHECK_INT(care_conv_set_status(c, c1, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c1, &sv), 0);
    CHECK_INT(sv.agent_id, agent);
    CHECK_INT(sv.sent_at, 0);
    /* Resolving again (after a reopen) queues nothing more. */
    CHECK_INT(care_conv_set_status(c, c1, "open", 0, NULL, 0), 0);
    CHECK_INT(care_conv_set_status(c, c1, "resolved", 0, "answered", 0), 0);
    /* Due now; sent once. */
    struct store_survey *due;
    size_t n;
    CHECK_INT(store_survey_due(st, ar, clock_now_ms() + 1000, 10, &due, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_survey_send(st, sv.id, str_c("How was it?"), NULL, "h1", clock_now_ms() + DAY,
                                NULL), 0);
    CHECK_INT(store_survey_send(st, sv.id, str_c("How was it?"), NULL, "h2", clock_now_ms() + DAY,
                                NULL), ERR_CONFLICT);
    CHECK_INT(store_survey_due(st, ar, clock_now_ms() + 1000, 10, &due, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_survey_by_token(st, ar, "h1", &sv), 0);
    CHECK(sv.message_id > 0);
    CHECK_INT(store_survey_of_message(st, ar, sv.message_id, &sv), 0);

    /* Answered once; the event in the conversation. */
    struct store_survey_answer a = { .score = 5, .nps = 10, .comment = "great", .via = "link" };
    CHECK_INT(care_survey_answer(c, sv.id, &a), 0);
    a.score = 1;
    CHECK_INT(care_survey_answer(c, sv.id, &a), ERR_CONFLICT);
    a.score = 6;
    CHECK_INT(care_survey_answer(c, sv.id, &a), ERR_INVAL);
    CHECK_INT(store_survey_get(st, ar, sv.id, &sv), 0);
    CHECK_INT(sv.score, 5);
    CHECK_INT(sv.nps, 10);
    struct msg *msgs;
    size_t nm;
    int64_t older;
    CHECK_INT(store_msg_list(st, ar, c1, 0, 50, &msgs, &nm, &older), 0);
    CHECK_STR(msgs[nm - 1].kind, "event");
    CHECK_STR(msgs[nm - 1].text,
              "Rated 5 \xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85 \xe2\x80\x94 "
              "'great' \xc2\xb7 NPS 10");

    /* The same contact in another conversation within 30 days: not asked. */
    int64_t c2 = conv_of(st, chid, "m2", "ann", "t2");
    CHECK(c2 != c1);
    CHECK_INT(care_conv_set_status(c, c2, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c2, &sv), ERR_NOTFOUND);
    /* Spam: not asked; another contact: asked, then its window closes before the answer. */
    int64_t c3 = conv_of(st, chid, "m3", "bob", "t3");
    CHECK_INT(care_conv_set_status(c, c3, "resolved", 0, "spam", 0), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c3, &sv), ERR_NOTFOUND);
    int64_t c4 = conv_of(st, chid, "m4", "cai", "t4");
    CHECK_INT(care_conv_set_status(c, c4, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c4, &sv), 0);
    CHECK_INT(store_survey_send(st, sv.id, str_c("How was it?"), NULL, "h4", clock_now_ms() - 1,
                                NULL), 0);
    a.score = 3;
    CHECK_INT(care_survey_answer(c, sv.id, &a), ERR_TIMEOUT);
    /* A blocked contact: never asked, and a queued survey is cancelled at send time. */
    int64_t c5 = conv_of(st, chid, "m5", "dan", "t5");
    struct conv cv5;
    CHECK_INT(store_conv_get(st, ar, c5, &cv5), 0);
    CHECK_INT(care_conv_set_status(c, c5, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c5, &sv), 0);
    CHECK_INT(store_contact_block(st, cv5.contact_id, 0, "threats"), 0);
    CHECK_INT(store_survey_send(st, sv.id, str_c("How was it?"), NULL, "h5", clock_now_ms() + DAY,
                                NULL), 0);
    CHECK_INT(store_survey_get(st, ar, sv.id, &sv), 0);
    CHECK_INT(sv.sent_at, 0);
    CHECK_STR(sv.cancel_reason, "blocked");
    int64_t c6 = conv_of(st, chid, "m6", "dan", "t6");
    CHECK_INT(care_conv_set_status(c, c6, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_survey_of_conv(st, ar, c6, &sv), ERR_NOTFOUND);

    /* The figures: one answer of 5 on Ana's record; heroes need the minimum. */
    struct store_csat_filter f = { .agent_id = agent };
    struct store_csat cs;
    CHECK_INT(store_csat_stats(st, &f, &cs), 0);
    CHECK_INT(cs.answered, 1);
    CHECK_INT(cs.scores[4], 1);
    CHECK_INT(cs.promoters, 1);
    struct store_csat_hero *h;
    size_t nh;
    struct store_csat_filter any = { 0 };
    CHECK_INT(store_csat_heroes(st, ar, &any, 2, 10, &h, &nh), 0);
    CHECK_INT(nh, 0);
    CHECK_INT(store_csat_heroes(st, ar, &any, 1, 10, &h, &nh), 0);
    CHECK_INT(nh, 1);
    CHECK_STR(h[0].name, "Ana Alves");

    arena_free(ar);
    care_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(who_is_asked);
    RUN(which_answers_count);
    RUN(through_the_store);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
