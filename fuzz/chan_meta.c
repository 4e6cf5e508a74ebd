/* SPDX-License-Identifier: MIT */
/*
 * chan_meta.c - libFuzzer target: the Meta channels' webhook path (whatsapp, messenger,
 * instagram) on hostile bytes.
 *
 * The first byte picks the type and whether the input is a webhook body (signature check,
 * then parse into a small batch, as care/ingest.c does) or a settings object. Nothing may
 * crash, leak or read out of bounds; every parsed message must be valid UTF-8 within the size
 * limits, with a platform id and a sender.
 */
#include "base/base.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "channels/chan.h"

static const char *
header(void *ctx, const char *name)
{
    return strcmp(name, "X-Hub-Signature-256") == 0 ? ctx : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = { "whatsapp", "messenger", "instagram" };
    static const char *const settings[] = {
        "{\"app_secret\":\"fuzz\",\"verify_token\":\"v\",\"access_token\":\"t\","
        "\"phone_number_id\":\"800000000000002\"}",
        "{\"app_secret\":\"fuzz\",\"verify_token\":\"v\",\"access_token\":\"t\","
        "\"page_id\":\"111222333444555\"}",
        "{\"app_secret\":\"fuzz\",\"verify_token\":\"v\",\"access_token\":\"t\","
        "\"page_id\":\"17841400000000001\"}",
    };
    if (size < 1)
        return 0;
    size_t t = (data[0] >> 1) % COUNTOF(types);
    const struct chan_ops *ops = chan_find(types[t]);
    struct str body = { (const char *)data + 1, size - 1 };
    if (data[0] & 1) {
        char *copy = xstrndup(body.p, body.len);
        char *out = NULL;
        struct errmsg em = { 0 };
        if (ops->settings(copy, &out, &em) == 0)
            free(out);
        xfree(copy);
        return 0;
    }
    struct channel ch = { .id = 1, .type = types[t], .secret = "x", .settings = settings[t] };
    char sig[80] = "sha256=";
    chan_hmac_hex("fuzz", body, sig + 7);
    struct chan_hook hook = { .method = "POST", .body = body, .header = header, .ctx = sig };
    if (ops->verify(&ch, &hook) != 0)
        __builtin_trap(); /* a correct signature must verify */
    struct arena *ar = arena_new(64 << 20);
    struct inbound in[8];
    struct errmsg em = { 0 };
    ssize_t n = ops->parse(&ch, &hook, ar, in, COUNTOF(in), &em);
    for (ssize_t i = 0; i < n; i++) {
        if (!utf8_valid(in[i].text) || in[i].text.len > MODEL_TEXT_MAX ||
            in[i].external_id.len == 0 || in[i].from_id.len == 0)
            __builtin_trap();
    }
    arena_free(ar);
    return 0;
}
