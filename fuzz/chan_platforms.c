/* SPDX-License-Identifier: MIT */
/*
 * chan_platforms.c - libFuzzer target: the Telegram, X and SMS webhook paths and the email
 * MIME parser on hostile bytes.
 *
 * The first byte picks the path. Webhook bodies are signed correctly (so the parser is
 * reached) and must verify; then they are parsed into a small batch as care/ingest.c does.
 * Email input is a raw RFC 5322 message (any charset, seeds from tests/fixtures/email/). Nothing
 * may crash, leak or read out of bounds, and every parsed message's text and sender name must
 * be valid UTF-8 within the size limits, with an id and a sender.
 */
#include "base/base.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "channels/chan_int.h"

struct hdr {
    const char *name, *value;
};

static const char *
header(void *ctx, const char *name)
{
    const struct hdr *h = ctx;
    return strcasecmp(h->name, name) == 0 ? h->value : NULL;
}

static void
check(const struct inbound *in, ssize_t n)
{
    for (ssize_t i = 0; i < n; i++) {
        if (!utf8_valid(in[i].text) || in[i].text.len > MODEL_TEXT_MAX ||
            (in[i].from_name.len && !utf8_valid(in[i].from_name)) ||
            in[i].external_id.len == 0 || in[i].from_id.len == 0 ||
            memchr(in[i].text.p, '\0', in[i].text.len))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct str body = { (const char *)data + 1, size - 1 };
    struct arena *ar = arena_new(64 << 20);
    struct inbound in[8];
    struct errmsg em = { 0 };
    switch (data[0] % 4) {
    case 0: {
        struct channel ch = { .id = 1, .type = "telegram", .secret = "x",
                              .settings = "{\"bot_token\":\"1:A\",\"secret_token\":\"tok\"}" };
        struct hdr h = { "X-Telegram-Bot-Api-Secret-Token", "tok" };
        struct chan_hook hook = { .method = "POST", .body = body, .header = header, .ctx = &h };
        const struct chan_ops *ops = chan_find("telegram");
        if (ops->verify(&ch, &hook) != 0)
            __builtin_trap();
        check(in, ops->parse(&ch, &hook, ar, in, COUNTOF(in), &em));
        break;
    }
    case 1: {
        struct channel ch = { .id = 1, .type = "x", .secret = "x",
                              .settings = "{\"consumer_secret\":\"fuzz\",\"access_token\":\"t\","
                                          "\"user_id\":\"2244994945\"}" };
        char sig[64] = "sha256=";
        chan__hmac_b64("sha256", "fuzz", body, sig + 7, sizeof(sig) - 7);
        struct hdr h = { "x-twitter-webhooks-signature", sig };
        struct chan_hook hook = { .method = "POST", .body = body, .header = header, .ctx = &h };
        const struct chan_ops *ops = chan_find("x");
        if (ops->verify(&ch, &hook) != 0)
            __builtin_trap();
        check(in, ops->parse(&ch, &hook, ar, in, COUNTOF(in), &em));
        break;
    }
    case 2: {
        struct channel ch = { .id = 1, .type = "sms", .secret = "x",
                              .settings = "{\"account_sid\":\"AC1\",\"auth_token\":\"fuzz\","
                                          "\"from\":\"+1\"}" };
        struct hdr h = { "X-Twilio-Signature", "AAAA" };
        struct chan_hook hook = { .method = "POST", .body = body, .header = header, .ctx = &h,
                                  .url = "https://example.com/hooks/1" };
        const struct chan_ops *ops = chan_find("sms");
        (void)ops->verify(&ch, &hook); /* the form is parsed either way */
        check(in, ops->parse(&ch, &hook, ar, in, COUNTOF(in), &em));
        break;
    }
    default: {
        struct channel ch = { .id = 1, .type = "email", .secret = "x", .settings = "{}" };
        if (chan__email_parse(&ch, ar, body, 1, &in[0]) == 0)
            check(in, 1);
        break;
    }
    }
    arena_free(ar);
    return 0;
}
