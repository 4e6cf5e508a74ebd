/* SPDX-License-Identifier: MIT */
/* platforms_test.c - the Telegram, X, SMS and email channels: PROTOCOLS.md's test vectors (X
 * CRC and body signature, Twilio's SDK vector and our SMS example), the Telegram secret token,
 * settings validation, and the email MIME parser (encoded words, quoted-printable HTML,
 * attachments, threading headers, quote cutting). */
#include "base/base.h"

#include "base/arena.h"
#include "base/buf.h"
#include "channels/chan_int.h"

#include "../test.h"

struct hdr {
    const char *name, *value;
};

static const char *
header(void *ctx, const char *name)
{
    const struct hdr *h = ctx;
    return h->name && strcasecmp(h->name, name) == 0 ? h->value : NULL;
}

static const char *
query(void *ctx, const char *name)
{
    const struct hdr *h = ctx;
    return h->name && strcmp(h->name, name) == 0 ? h->value : NULL;
}

static char *
settings(const char *type, const char *json)
{
    char *out = NULL;
    struct errmsg em = { 0 };
    ASSERT(chan_find(type)->settings(json, &out, &em) == 0);
    return out;
}

TEST(x_crc_and_signature)
{
    const struct chan_ops *ops = chan_find("x");
    char *s = settings("x", "{\"consumer_secret\":\"test_consumer_secret\",\"access_token\":\"t\","
                            "\"user_id\":\"2244994945\"}");
    CHECK(strstr(s, "\"api_base\":\"https://api.x.com\"") != NULL);
    struct channel ch = { .id = 1, .type = "x", .secret = "x", .settings = s };
    struct hdr q = { "crc_token", "challenge-token-123" };
    struct chan_hook hook = { .method = "GET", .header = header, .query = query, .ctx = &q };
    struct chan_handshake hs = { 0 };
    CHECK_INT(ops->handshake(&ch, &hook, &hs), 0);
    CHECK_STR(hs.body,
              "{\"response_token\":\"sha256=8Ru0z/iAMWBO5GHdNJtgqwJDLAC63yhnF2FJGphscU0=\"}");
    CHECK_STR(hs.content_type, "application/json");

    const char *body =
        "{\"for_user_id\":\"2244994945\",\"direct_message_events\":[{\"type\":\"message_create\","
        "\"id\":\"1700000000000000001\",\"created_timestamp\":\"1700000000000\",\"message_create"
        "\":{\"target\":{\"recipient_id\":\"2244994945\"},\"sender_id\":\"3805104374\",\"message_"
        "data\":{\"text\":\"Hi, my order is late\"}}}],\"users\":{\"3805104374\":{\"id\":\"38051"
        "04374\",\"name\":\"Jane Customer\",\"screen_name\":\"janec\"}}}";
    CHECK_INT((int)strlen(body), 361);
    struct hdr h = { "x-twitter-webhooks-signature",
                     "sha256=PURPyikoLGGcPRbKAR5i2YMwIw/tbkUR6tw61/W8fn4=" };
    hook = (struct chan_hook){ .method = "POST", .body = str_c(body), .header = header, .ctx = &h };
    CHECK_INT(ops->verify(&ch, &hook), 0);
    h.value = "sha256=PURPyikoLGGcPRbKAR5i2YMwIw/tbkUR6tw61/W8fn5=";
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    struct arena *ar = arena_new(1 << 20);
    struct inbound in[4];
    struct errmsg em = { 0 };
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 4, &em), 1);
    CHECK(str_eq_c(in[0].external_id, "1700000000000000001"));
    CHECK(str_eq_c(in[0].thread_id, "dm:3805104374"));
    CHECK(str_eq_c(in[0].from_handle, "@janec"));
    CHECK(!in[0].public);
    CHECK(in[0].created_at == 1700000000000LL);
    arena_free(ar);
    free(s);
}

TEST(twilio_vectors)
{
    const struct chan_ops *ops = chan_find("sms");
    char *s = settings("sms", "{\"account_sid\":\"AC00000000000000000000000000000000\","
                              "\"auth_token\":\"12345\",\"from\":\"+14155550199\"}");
    struct channel ch = { .id = 1, .type = "sms", .secret = "x", .settings = s };
    /* twilio-python's own vector; the body's parameter order does not matter. */
    struct hdr h = { "X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=" };
    struct chan_hook hook = {
        .method = "POST", .header = header, .ctx = &h,
        .url = "https://mycompany.com/myapp.php?foo=1&bar=2",
        .body = STR_LIT("To=%2B18005551212&CallSid=CA1234567890ABCDE&Caller=%2B14158675309&"
                        "Digits=1234&From=%2B14158675309"),
    };
    CHECK_INT(ops->verify(&ch, &hook), 0);
    hook.url = "https://mycompany.com/myapp.php?foo=1&bar=3";
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    h.value = "9KP6/umCXHTjoIAHUHpy/BZSTiI=";
    hook.url = "https://example.com/twilio/sms";
    hook.body = STR_LIT("AccountSid=AC00000000000000000000000000000000&Body=Hello+there&From=%2B"
                        "14155550100&MessageSid=SM00000000000000000000000000000001&NumMedia=0&"
                        "To=%2B14155550199");
    CHECK_INT(ops->verify(&ch, &hook), 0);
    struct arena *ar = arena_new(1 << 20);
    struct inbound in[2];
    struct errmsg em = { 0 };
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 2, &em), 1);
    CHECK(str_eq_c(in[0].text, "Hello there"));
    CHECK(str_eq_c(in[0].from_id, "+14155550100"));
    CHECK(str_eq_c(in[0].external_id, "SM00000000000000000000000000000001"));
    hook.body = STR_LIT("Body=%zz&MessageSid=SM1&From=x");
    CHECK_INT((int)ops->parse(&ch, &hook, ar, in, 2, &em), ERR_INVAL);
    CHECK_STR(ops->ack_type, "text/xml");
    arena_free(ar);
    free(s);
}

TEST(telegram_secret_and_settings)
{
    const struct chan_ops *ops = chan_find("telegram");
    char *out = NULL;
    struct errmsg em = { 0 };
    CHECK_INT(ops->settings("{\"bot_token\":\"1:A\",\"secret_token\":\"a b\"}", &out, &em),
              ERR_INVAL);
    CHECK_INT(ops->settings("{\"bot_token\":\"1:A\",\"secret_token\":\"s\",\"api_base\":"
                            "\"http://127.0.0.1:9/\"}",
                            &out, &em),
              0);
    CHECK(strstr(out, "\"api_base\":\"http://127.0.0.1:9\"") != NULL); /* slash cut */
    free(out);
    char *s = settings("telegram", "{\"bot_token\":\"1:A\",\"secret_token\":\"my_Secret-Token_123\"}");
    struct channel ch = { .id = 1, .type = "telegram", .secret = "x", .settings = s };
    struct hdr h = { "X-Telegram-Bot-Api-Secret-Token", "my_Secret-Token_123" };
    struct chan_hook hook = { .method = "POST", .body = STR_LIT("{}"), .header = header,
                              .ctx = &h };
    CHECK_INT(ops->verify(&ch, &hook), 0);
    h.value = "my_Secret-Token_12";
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    h.name = NULL;
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    free(s);
}

TEST(email_mime)
{
    struct channel ch = { .id = 3, .type = "email", .secret = "x", .settings = "{}" };
    struct arena *ar = arena_new(1 << 20);
    struct inbound in;
    const char *html =
        "From: \"=?ISO-8859-1?Q?Bj=F6rn?= Berg\" <BJORN@Example.NET>\r\n"
        "Subject: =?UTF-8?B?R3LDvMOfZQ==?= =?UTF-8?Q?_again?=\r\n"
        "Message-ID: <m2@example.net>\r\n"
        "Date: Tue, 14 Nov 2023 23:13:20 +0100 (CET)\r\n"
        "In-Reply-To: <p@x>\r\n"
        "References: <root@x>\r\n <p@x>\r\n"
        "Content-Type: multipart/alternative;\r\n boundary=\"b1\"\r\n\r\n"
        "preamble\r\n--b1\r\nContent-Type: text/html; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "<div>Caf=E9 &amp; <i>cr=\r\nemes</i><br>line 2</div><script>x()</script>\r\n"
        "--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "iVBORw0KGgo=\r\n--b1--\r\n";
    CHECK_INT(chan__email_parse(&ch, ar, str_c(html), 7, &in), 0);
    CHECK(str_eq_c(in.from_id, "bjorn@example.net"));
    CHECK(str_eq_c(in.from_name, "Björn Berg"));
    CHECK(str_eq_c(in.external_id, "<m2@example.net>"));
    CHECK(str_eq_c(in.thread_id, "<root@x>"));
    CHECK(str_eq_c(in.reply_to, "<p@x>"));
    CHECK(in.created_at == 1700000000000LL);
    CHECK(str_eq(in.text, STR_LIT("Café & cremes\nline 2\n\n[attachment: unnamed, image/png, 8 "
                                  "bytes]")));
    const char *plain = "From: ann@example.org\nSubject: Hello\n\nFirst line\n\n"
                        "On Mon, 1 Jan 2024, Shop <care@shop.example> wrote:\n> old\n";
    CHECK_INT(chan__email_parse(&ch, ar, str_c(plain), 9, &in), 0);
    CHECK(str_eq_c(in.external_id, "uid:9"));
    CHECK(in.created_at == 0); /* no Date: now */
    CHECK(str_eq_c(in.thread_id, "uid:9"));
    CHECK(str_eq_c(in.text, "Subject: Hello\n\nFirst line"));
    CHECK_INT(chan__email_parse(&ch, ar, STR_LIT("Subject: x\n\nno sender"), 1, &in), ERR_INVAL);
    arena_free(ar);

    /* A large attachment is decoded in scratch space: a small caller arena survives it. */
    struct buf big;
    buf_init(&big, 8 << 20);
    buf_adds(&big, "From: a@b.c\nContent-Type: multipart/mixed; boundary=z\n\n--z\n"
                   "Content-Type: text/plain\n\nsee attached\n--z\nContent-Type: "
                   "application/zip; name=big.zip\nContent-Transfer-Encoding: base64\n\n");
    for (int i = 0; i < 60000; i++)
        buf_adds(&big, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n");
    buf_adds(&big, "--z--\n");
    ar = arena_new(256 * 1024);
    CHECK_INT(chan__email_parse(&ch, ar, buf_str(&big), 2, &in), 0);
    CHECK(str_eq_c(in.text, "see attached\n\n[attachment: big.zip, application/zip, 3240000 bytes]"));
    arena_free(ar);
    buf_release(&big);
}

/* The CRC is a signing oracle for every token it answers; only X's shape is answered. */
TEST(x_crc_token_shape)
{
    CHECK(chan__x_crc_token_ok("challenge-token-123"));
    CHECK(chan__x_crc_token_ok("9b4507b3-9040-4669-9ca3-6b94edb50553"));
    CHECK(chan__x_crc_token_ok("OWI0NTA3YjM+/=_-"));
    char t[98];
    memset(t, 'A', 96);
    t[96] = '\0';
    CHECK(chan__x_crc_token_ok(t));
    t[96] = 'A';
    t[97] = '\0';
    CHECK(!chan__x_crc_token_ok(t));
    CHECK(!chan__x_crc_token_ok(NULL));
    CHECK(!chan__x_crc_token_ok(""));
    CHECK(!chan__x_crc_token_ok("{\"for_user_id\":\"1\"}"));
    CHECK(!chan__x_crc_token_ok("[1]"));
    CHECK(!chan__x_crc_token_ok("\"abc\""));
    CHECK(!chan__x_crc_token_ok("a b"));
    CHECK(!chan__x_crc_token_ok("a\nb"));
    CHECK(!chan__x_crc_token_ok("caf\xc3\xa9"));
}

TEST(url_credentials_and_loopback)
{
    CHECK(chan__url_userinfo("imap://care:pw@mail.example/INBOX"));
    CHECK(chan__url_userinfo("https://token@api.example"));
    CHECK(chan__url_userinfo("smtps://a%40b:p@h"));
    CHECK(!chan__url_userinfo("https://cb.example/hooks/@team?to=a@b.c#x@y"));
    CHECK(!chan__url_userinfo("imaps://mail.example:993/INBOX"));
    CHECK(!chan__url_userinfo("not a url @ all"));
    CHECK(!chan__url_userinfo(NULL));

    CHECK(chan__url_loopback("imap://127.0.0.1:143/INBOX"));
    CHECK(chan__url_loopback("smtp://127.1.2.3"));
    CHECK(chan__url_loopback("smtp://localhost:25"));
    CHECK(chan__url_loopback("imap://[::1]:143/INBOX"));
    CHECK(!chan__url_loopback("imap://127.0.0.1.example.com/INBOX"));
    CHECK(!chan__url_loopback("imap://127.0.0.256/"));
    CHECK(!chan__url_loopback("imap://127.1/"));
    CHECK(!chan__url_loopback("imap://127.0.0.1.1/"));
    CHECK(!chan__url_loopback("imap://0177.0.0.1/"));
    CHECK(!chan__url_loopback("imap://10.0.0.1/"));
    CHECK(!chan__url_loopback("imap://localhost.example/"));
    CHECK(!chan__url_loopback("imap://[::2]/"));
    CHECK(!chan__url_loopback("imap://[::1]x/"));
    CHECK(!chan__url_loopback("imap://u:p@127.0.0.1/"));
    CHECK(!chan__url_loopback("imap://"));
    CHECK(!chan__url_loopback(NULL));
}

int
main(void)
{
    RUN(x_crc_and_signature);
    RUN(x_crc_token_shape);
    RUN(url_credentials_and_loopback);
    RUN(twilio_vectors);
    RUN(telegram_secret_and_settings);
    RUN(email_mime);
    return test_done();
}
