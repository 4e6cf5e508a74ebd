/* SPDX-License-Identifier: MIT */
/* meta_test.c - the Meta channels through chan.h: PROTOCOLS.md's HMAC test vectors (GitHub's
 * cross-check, the Messenger and WhatsApp bodies), the hub.challenge handshake, settings
 * validation, and parsing of the vector bodies (escaped non-ASCII, names, timestamps). */
#include "base/base.h"

#include "base/arena.h"
#include "channels/chan.h"

#include "../test.h"

static const char *const messenger_body =
    "{\"object\":\"page\",\"entry\":[{\"id\":\"111222333444555\",\"time\":1700000000123,"
    "\"messaging\":[{\"sender\":{\"id\":\"24681357902468135\"},\"recipient\":{\"id\":"
    "\"111222333444555\"},\"timestamp\":1700000000001,\"message\":{\"mid\":\"m_TESTMID0001\","
    "\"text\":\"Hi, is my order shipped? caf\\u00e9\"}}]}]}";
static const char *const whatsapp_body =
    "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"900000000000001\",\"changes\""
    ":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":"
    "\"15550001111\",\"phone_number_id\":\"800000000000002\"},\"contacts\":[{\"profile\":{\"name"
    "\":\"Ana Lima\"},\"wa_id\":\"5511987654321\"}],\"messages\":[{\"from\":\"5511987654321\",\"id"
    "\":\"wamid.TESTWAMID0001\",\"timestamp\":\"1700000000\",\"type\":\"text\",\"text\":{\"body\":"
    "\"Where is my parcel?\"}}]},\"field\":\"messages\"}]}]}";

static const char *
header(void *ctx, const char *name)
{
    return strcmp(name, "X-Hub-Signature-256") == 0 ? ctx : NULL;
}

static const char *
query(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (; kv[0]; kv += 2) {
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    }
    return NULL;
}

TEST(hmac_vectors)
{
    char hex[65];
    chan_hmac_hex("It's a Secret to Everybody", STR_LIT("Hello, World!"), hex);
    CHECK_STR(hex, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    CHECK_INT((int)strlen(messenger_body), 266);
    CHECK_INT((int)strlen(whatsapp_body), 444);
    chan_hmac_hex("test_app_secret", str_c(messenger_body), hex);
    CHECK_STR(hex, "cbfac9c4118a8c6669af7441d9954e47bfa9f7487652a4109fd9e80350937928");
    chan_hmac_hex("test_app_secret", str_c(whatsapp_body), hex);
    CHECK_STR(hex, "be705e2343f3671a078aeb11819fb42d230c5e6e37c7a5fcad6eb2691c286a93");
}

TEST(messenger_verify_and_parse)
{
    const struct chan_ops *ops = chan_find("messenger");
    CHECK(ops != NULL);
    char *settings = NULL;
    struct errmsg em = { 0 };
    CHECK_INT(ops->settings("{\"app_secret\":\"test_app_secret\"}", &settings, &em), ERR_INVAL);
    CHECK(strstr(em.text, "verify_token") != NULL);
    CHECK_INT(ops->settings("{\"app_secret\":\"test_app_secret\",\"verify_token\":\"vt\","
                            "\"access_token\":\"tok\",\"page_id\":\"111222333444555\"}",
                            &settings, &em),
              0);
    CHECK(strstr(settings, "\"api_base\":\"https://graph.facebook.com/v19.0\"") != NULL);
    struct channel ch = { .id = 1, .type = "messenger", .secret = "x", .settings = settings };
    struct chan_hook hook = { .method = "POST", .body = str_c(messenger_body), .header = header,
                              .ctx = "sha256=cbfac9c4118a8c6669af7441d9954e47bfa9f7487652a4109fd9e8"
                                     "0350937928" };
    CHECK_INT(ops->verify(&ch, &hook), 0);
    hook.ctx = "sha256=cbfac9c4118a8c6669af7441d9954e47bfa9f7487652a4109fd9e80350937929";
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    hook.ctx = "sha1=13cddb88fbd54509cae952ebd894d1c83d460969";
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);

    struct arena *ar = arena_new(1 << 20);
    struct inbound in[4];
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 4, &em), 1);
    CHECK(str_eq_c(in[0].text, "Hi, is my order shipped? caf\xc3\xa9"));
    CHECK(str_eq_c(in[0].external_id, "m_TESTMID0001"));
    CHECK(str_eq_c(in[0].thread_id, "dm:24681357902468135"));
    CHECK(!in[0].public);
    CHECK(in[0].created_at == 1700000000001LL);
    hook.body = STR_LIT("{\"object\":\"instagram\",\"entry\":[]}");
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 4, &em), ERR_INVAL);

    const char *ok[] = { "hub.mode", "subscribe", "hub.verify_token", "vt", "hub.challenge",
                         "1158201444", NULL };
    const char *bad[] = { "hub.mode", "subscribe", "hub.verify_token", "vu", "hub.challenge",
                          "1158201444", NULL };
    struct chan_handshake hs = { 0 };
    struct chan_hook get = { .method = "GET", .query = query, .ctx = ok };
    CHECK_INT(ops->handshake(&ch, &get, &hs), 0);
    CHECK_STR(hs.body, "1158201444");
    get.ctx = bad;
    CHECK_INT(ops->handshake(&ch, &get, &hs), ERR_AUTH);
    arena_free(ar);
    free(settings);
}

TEST(whatsapp_parse)
{
    const struct chan_ops *ops = chan_find("whatsapp");
    CHECK(ops != NULL);
    CHECK(ops->reply_window_ms == 24LL * 3600 * 1000);
    CHECK_INT((int)ops->max_text, 4096);
    struct channel ch = { .id = 2, .type = "whatsapp", .secret = "x",
                          .settings = "{\"app_secret\":\"test_app_secret\",\"verify_token\":\"v\","
                                      "\"access_token\":\"t\",\"phone_number_id\":"
                                      "\"800000000000002\"}" };
    struct chan_hook hook = { .method = "POST", .body = str_c(whatsapp_body), .header = header,
                              .ctx = "sha256=be705e2343f3671a078aeb11819fb42d230c5e6e37c7a5fcad6eb2"
                                     "691c286a93" };
    CHECK_INT(ops->verify(&ch, &hook), 0);
    struct arena *ar = arena_new(1 << 20);
    struct inbound in[2];
    struct errmsg em = { 0 };
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 2, &em), 1);
    CHECK(str_eq_c(in[0].from_name, "Ana Lima"));
    CHECK(str_eq_c(in[0].from_id, "5511987654321"));
    CHECK(str_eq_c(in[0].external_id, "wamid.TESTWAMID0001"));
    CHECK(str_eq_c(in[0].text, "Where is my parcel?"));
    CHECK(in[0].created_at == 1700000000000LL);
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 0, &em), ERR_TOOBIG);
    arena_free(ar);
}

int
main(void)
{
    RUN(hmac_vectors);
    RUN(messenger_verify_and_parse);
    RUN(whatsapp_parse);
    return test_done();
}
