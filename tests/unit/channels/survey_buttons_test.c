/* SPDX-License-Identifier: MIT */
/* survey_buttons_test.c - a tapped CSAT survey button as each platform sends it: WhatsApp's
 * interactive list_reply and button_reply, Messenger's quick_reply and Telegram's
 * callback_query are parsed with the button id in inbound.survey (anything else leaves it
 * empty), and model_survey_id only takes Hark's own ids. */
#include "base/base.h"

#include "base/arena.h"
#include "channels/chan_int.h"

#include "../test.h"

static const char *
no_header(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static ssize_t
parse(const char *type, const char *settings, const char *body, struct arena *ar,
      struct inbound *out)
{
    struct channel ch = { .id = 7, .type = type, .secret = "s", .settings = settings };
    struct chan_hook hook = { .method = "POST", .body = str_c(body), .header = no_header };
    struct errmsg em = { 0 };
    return chan_find(type)->parse(&ch, &hook, ar, out, 4, &em);
}

TEST(survey_ids)
{
    CHECK_INT((int)model_survey_id(str_c("hark-csat:12:5")).len, 14);
    CHECK_INT((int)model_survey_id(str_c("hark-csat:")).len, 0);
    CHECK_INT((int)model_survey_id(str_c("other:12:5")).len, 0);
    CHECK_INT((int)model_survey_id(STR_NULL).len, 0);
}

TEST(whatsapp)
{
    struct arena *ar = arena_new(1 << 16);
    struct inbound in[4];
    const char *s = "{\"app_secret\":\"a\",\"verify_token\":\"v\",\"access_token\":\"t\","
                    "\"phone_number_id\":\"800\"}";
    const char *list =
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{"
        "\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
        "\"phone_number_id\":\"800\"},\"messages\":[{\"from\":\"5511\",\"id\":\"wamid.T1\","
        "\"timestamp\":\"1700000000\",\"type\":\"interactive\",\"interactive\":{\"type\":"
        "\"list_reply\",\"list_reply\":{\"id\":\"hark-csat:3:4\",\"title\":\"4 stars\"}}}]}}]}]}";
    CHECK_INT(parse("whatsapp", s, list, ar, in), 1);
    CHECK(str_eq_c(in[0].survey, "hark-csat:3:4"));
    CHECK(str_eq_c(in[0].text, "4 stars"));
    const char *button =
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{"
        "\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
        "\"phone_number_id\":\"800\"},\"messages\":[{\"from\":\"5511\",\"id\":\"wamid.T2\","
        "\"timestamp\":\"1700000000\",\"type\":\"interactive\",\"interactive\":{\"type\":"
        "\"button_reply\",\"button_reply\":{\"id\":\"shop-yes\",\"title\":\"Yes\"}}}]}}]}]}";
    CHECK_INT(parse("whatsapp", s, button, ar, in), 1);
    CHECK_INT((int)in[0].survey.len, 0); /* another business's button: an ordinary message */
    arena_free(ar);
}

TEST(messenger)
{
    struct arena *ar = arena_new(1 << 16);
    struct inbound in[4];
    const char *s = "{\"app_secret\":\"a\",\"verify_token\":\"v\",\"access_token\":\"t\","
                    "\"page_id\":\"111\"}";
    const char *qr =
        "{\"object\":\"page\",\"entry\":[{\"id\":\"111\",\"time\":1700000000000,\"messaging\":[{"
        "\"sender\":{\"id\":\"246\"},\"recipient\":{\"id\":\"111\"},\"timestamp\":1700000000000,"
        "\"message\":{\"mid\":\"m_1\",\"text\":\"5 stars\",\"quick_reply\":{\"payload\":"
        "\"hark-csat:9:5\"}}}]}]}";
    CHECK_INT(parse("messenger", s, qr, ar, in), 1);
    CHECK(str_eq_c(in[0].survey, "hark-csat:9:5"));
    arena_free(ar);
}

TEST(telegram)
{
    struct arena *ar = arena_new(1 << 16);
    struct inbound in[4];
    const char *s = "{\"bot_token\":\"1:A\",\"secret_token\":\"x\"}";
    const char *cbq =
        "{\"update_id\":5,\"callback_query\":{\"id\":\"438\",\"from\":{\"id\":123,\"is_bot\":"
        "false,\"first_name\":\"Lena\"},\"message\":{\"message_id\":9,\"chat\":{\"id\":123,"
        "\"type\":\"private\"},\"date\":1},\"chat_instance\":\"-1\",\"data\":\"hark-csat:2:3\"}}";
    CHECK_INT(parse("telegram", s, cbq, ar, in), 1);
    CHECK(str_eq_c(in[0].survey, "hark-csat:2:3"));
    CHECK(str_eq_c(in[0].from_id, "123"));
    CHECK(str_eq_c(in[0].thread_id, "123"));
    CHECK(str_eq_c(in[0].external_id, "cbq:438"));
    const char *other =
        "{\"update_id\":6,\"callback_query\":{\"id\":\"439\",\"from\":{\"id\":123},\"message\":{"
        "\"message_id\":9,\"chat\":{\"id\":123}},\"data\":\"menu:2\"}}";
    CHECK_INT(parse("telegram", s, other, ar, in), 0); /* acknowledged, nothing stored */
    arena_free(ar);
}

int
main(void)
{
    RUN(survey_ids);
    RUN(whatsapp);
    RUN(messenger);
    RUN(telegram);
    return test_done();
}
