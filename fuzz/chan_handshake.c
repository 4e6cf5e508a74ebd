/* SPDX-License-Identifier: MIT */
/*
 * chan_handshake.c - libFuzzer target: every channel's handshake and signature check on
 * hostile bytes, with the properties that make them no oracle.
 *
 * The first byte picks the check; the rest is split at NUL bytes into the fields it takes:
 *   0: X's CRC with a hostile crc_token: an answered token is of X's shape, and the answer,
 *      used as the signature of a POST whose body is the token, verifies but never parses;
 *   1: Meta's GET challenge (hub.mode, hub.verify_token, hub.challenge): echoed only with
 *      mode "subscribe" and the right token, exactly, as a plain token that is never JSON;
 *   2: Telegram's secret-token header: accepted only when it is the secret, exactly;
 *   3: Twilio's X-Twilio-Signature (header, form body): the signature computed the documented
 *      way verifies, and a hostile header verifies only when it equals that signature;
 *   4: the api channel's X-Hark-Signature (header, body): the same for sha256=<hex>;
 *   5: an email channel's settings (imap_url, smtp_url, insecure_transport, ca_file): what is
 *      accepted holds no credentials in a URL, and plain text only towards this host.
 * The webchat visitor token has its own target (widget_visitor.c).
 */
#include "base/base.h"

#include <jansson.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "channels/chan_int.h"

#define FIELDS 4

struct hook_ctx {
    const char *names[FIELDS];
    const char *values[FIELDS];
};

static const char *
lookup(void *ctx, const char *name)
{
    const struct hook_ctx *c = ctx;
    for (int i = 0; i < FIELDS; i++) {
        if (c->names[i] && strcasecmp(c->names[i], name) == 0)
            return c->values[i];
    }
    return NULL;
}

/* Splits 'rest' at NUL bytes into up to FIELDS NUL-terminated copies (missing ones are ""),
 * the last one taking everything left; 'len[i]' is each copy's length. */
static void
split(struct str rest, char **f, size_t *len)
{
    for (int i = 0; i < FIELDS; i++) {
        const char *nul = i < FIELDS - 1 ? memchr(rest.p, '\0', rest.len) : NULL;
        size_t n = nul ? (size_t)(nul - rest.p) : rest.len;
        f[i] = xstrndup(rest.p ? rest.p : "", n);
        len[i] = n;
        rest = nul ? (struct str){ nul + 1, rest.len - n - 1 } : (struct str){ "", 0 };
    }
}

static void
x_crc(char **f)
{
    static const struct channel ch = { .id = 1, .type = "x", .secret = "x",
                                       .settings = "{\"consumer_secret\":\"fuzz\","
                                                   "\"access_token\":\"t\",\"user_id\":\"1\"}" };
    const struct chan_ops *ops = chan_find("x");
    struct hook_ctx q = { .names = { "crc_token" }, .values = { f[0] } };
    struct chan_hook get = { .method = "GET", .header = lookup, .query = lookup, .ctx = &q };
    struct chan_handshake out = { 0 };
    if (ops->handshake(&ch, &get, &out) != 0) {
        if (chan__x_crc_token_ok(f[0]))
            __builtin_trap(); /* a token of X's shape must be answered */
        return;
    }
    if (!chan__x_crc_token_ok(f[0]) || strlen(f[0]) > 96 || strpbrk(f[0], "{}[]\" \t\r\n"))
        __builtin_trap();
    /* The answer is {"response_token":"sha256=<44 base64>"}: 72 bytes. */
    const char *tok = strstr(out.body, "sha256=");
    if (out.len != 72 || strlen(out.body) != 72 || !tok || strlen(tok) != 7 + 44 + 2)
        __builtin_trap();
    char sig[64];
    memcpy(sig, tok, 51);
    sig[51] = '\0';
    /* The attack: post the token as a body with the CRC's answer as its signature. */
    struct hook_ctx h = { .names = { "x-twitter-webhooks-signature" }, .values = { sig } };
    struct chan_hook post = { .method = "POST", .body = str_c(f[0]), .header = lookup,
                              .ctx = &h };
    if (ops->verify(&ch, &post) != 0)
        __builtin_trap(); /* the CRC is that HMAC: this is why the token shape matters */
    struct arena *ar = arena_new(1 << 20);
    struct inbound in[4];
    struct errmsg em = { 0 };
    if (ops->parse(&ch, &post, ar, in, COUNTOF(in), &em) >= 0)
        __builtin_trap(); /* a signature from the CRC must never carry a message */
    arena_free(ar);
}

static void
meta_challenge(char **f)
{
    static const struct channel ch = { .id = 1, .type = "messenger", .secret = "x",
                                       .settings = "{\"app_secret\":\"fuzz\",\"verify_token\":"
                                                   "\"vt-1\",\"access_token\":\"t\","
                                                   "\"page_id\":\"111\"}" };
    const struct chan_ops *ops = chan_find("messenger");
    struct hook_ctx q = { .names = { "hub.mode", "hub.verify_token", "hub.challenge" },
                          .values = { f[0], f[1], f[2] } };
    struct chan_hook get = { .method = "GET", .header = lookup, .query = lookup, .ctx = &q };
    struct chan_handshake out = { 0 };
    if (ops->handshake(&ch, &get, &out) != 0)
        return;
    if (strcmp(f[0], "subscribe") != 0 || strcmp(f[1], "vt-1") != 0 ||
        out.len != strlen(f[2]) || out.len == 0 || memcmp(out.body, f[2], out.len) != 0 ||
        strcmp(out.content_type, "text/plain") != 0)
        __builtin_trap();
    for (size_t i = 0; i < out.len; i++) {
        char c = out.body[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            __builtin_trap(); /* nothing odd reflected: never JSON, markup or a header */
    }
}

static void
telegram_secret(char **f, size_t *len)
{
    static const struct channel ch = { .id = 1, .type = "telegram", .secret = "x",
                                       .settings = "{\"bot_token\":\"1:A\","
                                                   "\"secret_token\":\"tg-Secret_1\"}" };
    const struct chan_ops *ops = chan_find("telegram");
    struct hook_ctx h = { .names = { "X-Telegram-Bot-Api-Secret-Token" }, .values = { f[0] } };
    struct chan_hook post = { .method = "POST", .body = { f[1], len[1] }, .header = lookup,
                              .ctx = &h };
    bool ok = ops->verify(&ch, &post) == 0;
    if (ok != (strcmp(f[0], "tg-Secret_1") == 0))
        __builtin_trap();
}

/* Twilio's documented signature: base64 HMAC-SHA1(auth token, URL + each POST parameter,
 * sorted by name, as name then value; identical repeated pairs once). */
static bool
twilio_sign(const char *url, struct str body, char *out, size_t n)
{
    /* As sms_verify sizes it: the pair table (at most 1000) and the decoded copies. */
    struct arena *ar = arena_new(2 * body.len + 256 * 1024);
    struct chan__pair *v;
    ssize_t np = chan__form_parse(ar, body, &v);
    bool ok = np >= 0;
    if (ok) {
        struct buf s;
        buf_init(&s, body.len + strlen(url) + 1);
        buf_adds(&s, url);
        for (ssize_t i = 0; i < np; i++) {
            if (i > 0 && str_eq(v[i].name, v[i - 1].name) && str_eq(v[i].value, v[i - 1].value))
                continue;
            buf_add(&s, v[i].name.p, v[i].name.len);
            buf_add(&s, v[i].value.p, v[i].value.len);
        }
        chan__hmac_b64("sha1", "fuzz-token", buf_str(&s), out, n);
        buf_release(&s);
    }
    arena_free(ar);
    return ok;
}

static void
twilio_signature(char **f, size_t *len)
{
    static const struct channel ch = { .id = 1, .type = "sms", .secret = "x",
                                       .settings = "{\"account_sid\":\"AC1\",\"auth_token\":"
                                                   "\"fuzz-token\",\"from\":\"+1\"}" };
    const struct chan_ops *ops = chan_find("sms");
    struct str body = { f[1], len[1] };
    const char *url = "https://hark.example/hooks/1";
    char want[64];
    bool signable = twilio_sign(url, body, want, sizeof(want));
    struct hook_ctx h = { .names = { "X-Twilio-Signature" }, .values = { f[0] } };
    struct chan_hook post = { .method = "POST", .body = body, .header = lookup, .ctx = &h,
                              .url = url };
    bool ok = ops->verify(&ch, &post) == 0;
    if (ok && (!signable || strcmp(f[0], want) != 0))
        __builtin_trap(); /* only the one right signature verifies */
    if (signable) {
        h.values[0] = want;
        if (ops->verify(&ch, &post) != 0)
            __builtin_trap();
        post.url = "https://hark.example/hooks/2"; /* signed for another URL */
        if (ops->verify(&ch, &post) == 0)
            __builtin_trap();
    }
}

static void
api_signature(char **f, size_t *len)
{
    static const struct channel ch = { .id = 1, .type = "api", .secret = "fuzz-secret" };
    const struct chan_ops *ops = chan_find("api");
    struct str body = { f[1], len[1] };
    char want[80] = "sha256=";
    chan_hmac_hex(ch.secret, body, want + 7);
    struct hook_ctx h = { .names = { "X-Hark-Signature" }, .values = { f[0] } };
    struct chan_hook post = { .method = "POST", .body = body, .header = lookup, .ctx = &h };
    bool ok = ops->verify(&ch, &post) == 0;
    /* Hex digits may come in either case; nothing else may differ. */
    if (ok && (strlen(f[0]) != 71 || strncmp(f[0], "sha256=", 7) != 0 ||
               strcasecmp(f[0] + 7, want + 7) != 0))
        __builtin_trap();
    h.values[0] = want;
    if (ops->verify(&ch, &post) != 0)
        __builtin_trap();
}

static void
email_settings(char **f)
{
    const struct chan_ops *ops = chan_find("email");
    json_t *s = json_pack("{s:s,s:s,s:s,s:s,s:s}", "imap_url", f[0], "smtp_url", f[1],
                          "username", "u", "password", "p", "address", "a@b.c");
    if (!s)
        return; /* not UTF-8 */
    if (f[2][0])
        json_object_set_new(s, "insecure_transport", json_boolean(f[2][0] & 1));
    if (f[3][0])
        json_object_set_new(s, "ca_file", json_string(f[3]));
    char *in = json_dumps(s, JSON_COMPACT);
    json_decref(s);
    char *out = NULL;
    struct errmsg em = { 0 };
    if (in && ops->settings(in, &out, &em) == 0) {
        json_t *o = json_loads(out, 0, NULL);
        const char *imap = json_string_value(json_object_get(o, "imap_url"));
        const char *smtp = json_string_value(json_object_get(o, "smtp_url"));
        const char *ca = json_string_value(json_object_get(o, "ca_file"));
        if (!imap || !smtp || chan__url_userinfo(imap) || chan__url_userinfo(smtp) ||
            (ca && ca[0] != '/'))
            __builtin_trap();
        if (json_is_true(json_object_get(o, "insecure_transport")) &&
            (!chan__url_loopback(imap) || !chan__url_loopback(smtp)))
            __builtin_trap();
        json_decref(o);
        free(out);
    }
    /* A loopback URL never carries credentials, and its host is one of the three forms. */
    if (chan__url_loopback(f[0])) {
        const char *host = strstr(f[0], "://") + 3;
        if (chan__url_userinfo(f[0]) ||
            !(strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) == 0 ||
              strncmp(host, "[::1]", 5) == 0))
            __builtin_trap();
    }
    free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *f[FIELDS];
    size_t len[FIELDS];
    split((struct str){ (const char *)data + 1, size - 1 }, f, len);
    switch (data[0] % 6) {
    case 0: x_crc(f); break;
    case 1: meta_challenge(f); break;
    case 2: telegram_secret(f, len); break;
    case 3: twilio_signature(f, len); break;
    case 4: api_signature(f, len); break;
    default: email_settings(f); break;
    }
    for (int i = 0; i < FIELDS; i++)
        xfree(f[i]);
    return 0;
}
