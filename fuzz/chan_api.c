/* SPDX-License-Identifier: MIT */
/*
 * chan_api.c - libFuzzer target: the api channel's webhook path on hostile bytes.
 *
 * The first byte picks what the input is: a webhook body (signature check, then parse, as
 * care/ingest.c does) or a settings object for channel creation. Nothing may crash, leak or
 * read out of bounds, and a parse that succeeds must give valid UTF-8 within the size limits.
 */
#include "base/base.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "channels/chan.h"

static const char *
header(void *ctx, const char *name)
{
    return strcmp(name, "X-Hark-Signature") == 0 ? ctx : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct chan_ops *ops = chan_find("api");
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
    struct channel ch = { .id = 1, .type = "api", .secret = "fuzz-secret" };
    char sig[80] = "sha256=";
    chan_hmac_hex(ch.secret, body, sig + 7);
    struct chan_hook hook = { .method = "POST", .body = body, .header = header, .ctx = sig };
    if (ops->verify(&ch, &hook) != 0)
        __builtin_trap(); /* a correct signature must verify */
    struct arena *ar = arena_new(64 << 20);
    struct inbound in;
    struct errmsg em = { 0 };
    if (ops->parse(&ch, &hook, ar, &in, 1, &em) == 1) {
        if (!utf8_valid(in.text) || in.text.len > MODEL_TEXT_MAX || in.external_id.len == 0 ||
            in.from_id.len == 0)
            __builtin_trap();
    }
    arena_free(ar);
    return 0;
}
