/* SPDX-License-Identifier: MIT */
/*
 * widget_visitor.c - libFuzzer target: the chat widget's visitor tokens and message decode
 * (channels/chan_webchat.c) on hostile bytes.
 *
 * The first byte picks the mode:
 *   0: the rest is a token as a browser could send it: verify must never crash, and a token it
 *      accepts must have the minted shape (32 hex, '.', 64 hex) and give back its own id;
 *   1: the rest is XORed into a freshly minted token: any change at all must be refused, and
 *      the unchanged token must be accepted (for this channel only);
 *   2: the rest is a widget message body sent with a valid token: a decode that succeeds must
 *      give valid UTF-8 within the limits, from the token's visitor;
 *   3: the rest is a webchat channel's settings object.
 */
#include "base/base.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "channels/chan.h"

static const char *
header(void *ctx, const char *name)
{
    return strcmp(name, "X-Hark-Visitor") == 0 ? ctx : NULL;
}

static bool
is_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct chan_ops *ops = chan_find("webchat");
    struct channel ch = { .id = 7, .type = "webchat", .secret = "fuzz-secret" };
    struct channel other = { .id = 8, .type = "webchat", .secret = "fuzz-secret" };
    struct str rest = { (const char *)data + 1, size - 1 };
    char id[CHAN_VISITOR_ID_LEN + 1], token[CHAN_VISITOR_TOKEN_MAX];
    switch (data[0] & 3) {
    case 0: {
        char *t = xstrndup(rest.p, rest.len);
        memset(id, 'X', sizeof(id));
        if (chan_webchat_visitor(&ch, t, id) == 0) {
            size_t n = strlen(t);
            if (n != CHAN_VISITOR_ID_LEN + 1 + 64 || !is_hex(t, CHAN_VISITOR_ID_LEN) ||
                t[CHAN_VISITOR_ID_LEN] != '.' || !is_hex(t + CHAN_VISITOR_ID_LEN + 1, 64) ||
                memcmp(id, t, CHAN_VISITOR_ID_LEN) != 0 || id[CHAN_VISITOR_ID_LEN] != '\0')
                __builtin_trap();
        }
        xfree(t);
        break;
    }
    case 1: {
        chan_webchat_new_visitor(&ch, id, token);
        if (chan_webchat_visitor(&ch, token, id) != 0 || chan_webchat_visitor(&other, token, id) == 0)
            __builtin_trap();
        char t[CHAN_VISITOR_TOKEN_MAX];
        memcpy(t, token, sizeof(t));
        for (size_t i = 0; i < rest.len && i < sizeof(t) - 1; i++)
            t[i] = (char)(t[i] ^ rest.p[i]);
        t[sizeof(t) - 1] = '\0';
        /* Compare as strings: bytes changed past the token's NUL are not part of it. */
        if (strcmp(t, token) != 0 && chan_webchat_visitor(&ch, t, id) == 0)
            __builtin_trap();
        break;
    }
    case 2: {
        chan_webchat_new_visitor(&ch, id, token);
        struct chan_hook hook = { .method = "POST", .body = rest, .header = header, .ctx = token };
        if (ops->verify(&ch, &hook) != 0)
            __builtin_trap(); /* a minted token must verify */
        struct arena *ar = arena_new(64 << 20);
        struct inbound in;
        struct errmsg em = { 0 };
        if (ops->parse(&ch, &hook, ar, &in, 1, &em) == 1) {
            if (!utf8_valid(in.text) || in.text.len == 0 || in.text.len > MODEL_TEXT_MAX ||
                memchr(in.text.p, '\0', in.text.len) || !utf8_valid(in.from_name) ||
                in.from_name.len > MODEL_NAME_MAX || in.from_id.len != CHAN_VISITOR_ID_LEN ||
                memcmp(in.from_id.p, id, CHAN_VISITOR_ID_LEN) != 0 ||
                in.external_id.len < CHAN_VISITOR_ID_LEN + 2 || in.external_id.p[0] != 'w' ||
                memcmp(in.external_id.p + 1, id, CHAN_VISITOR_ID_LEN) != 0 || in.public)
                __builtin_trap();
        }
        /* The same body with no token, or another channel's, is never decoded. */
        struct chan_hook anon = { .method = "POST", .body = rest, .header = header, .ctx = NULL };
        if (ops->verify(&ch, &anon) == 0 || ops->verify(&other, &hook) == 0)
            __builtin_trap();
        arena_free(ar);
        break;
    }
    default: {
        char *copy = xstrndup(rest.p, rest.len);
        char *out = NULL;
        struct errmsg em = { 0 };
        if (ops->settings(copy, &out, &em) == 0)
            free(out);
        xfree(copy);
        break;
    }
    }
    return 0;
}
