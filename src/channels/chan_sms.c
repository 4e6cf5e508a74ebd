/* SPDX-License-Identifier: MIT */
/*
 * chan_sms.c - SMS through Twilio Programmable Messaging: form webhooks in, Messages.json out.
 *
 * Twilio signs each webhook with X-Twilio-Signature: base64 HMAC-SHA1 keyed by the auth
 * token over the exact URL it called followed by every POST parameter, sorted, as name and
 * value. That URL is the channel's public webhook URL (or settings.webhook_url when a proxy
 * rewrites it). MessageSid is the dedupe key; SMS is private only, one conversation per
 * customer number. The webhook is answered with empty TwiML, since replies go through the
 * REST API later.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

#define SMS_API_BASE "https://api.twilio.com"

static const struct chan__field sms_fields[] = {
    { .name = "account_sid", .required = true, .max = 64,
      .charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" },
    { .name = "auth_token", .required = true, .max = 128 },
    { .name = "from", .required = true, .max = 64,
      .charset = "+0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" },
    { .name = "api_base", .def = SMS_API_BASE, .schemes = "http,https" },
    { .name = "webhook_url", .schemes = "http,https" },
};

static int
sms_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__settings_check(settings, "sms", sms_fields, COUNTOF(sms_fields), out, em);
}

static int
sms_verify(const struct channel *ch, const struct chan_hook *hook)
{
    /* Room for the decoded form (never larger than the body) and the settings. */
    struct arena *ar = arena_new(2 * hook->body.len + 4 * HARK_VERIFY_ARENA_MAX);
    int rc = ERR_AUTH;
    const char *token = chan__setting(ch, ar, "auth_token");
    const char *url = chan__setting(ch, ar, "webhook_url");
    const char *got = hook->header(hook->ctx, "X-Twilio-Signature");
    if (!url)
        url = hook->url;
    struct chan__pair *v;
    ssize_t n = chan__form_parse(ar, hook->body, &v);
    if (!token || !url || !got || n < 0)
        goto out;
    struct buf s;
    buf_init(&s, hook->body.len + strlen(url) + 1);
    buf_adds(&s, url);
    for (ssize_t i = 0; i < n; i++) {
        /* The SDK drops repeated identical values of one name. */
        if (i > 0 && str_eq(v[i].name, v[i - 1].name) && str_eq(v[i].value, v[i - 1].value))
            continue;
        buf_add(&s, v[i].name.p, v[i].name.len);
        buf_add(&s, v[i].value.p, v[i].value.len);
    }
    char want[64];
    chan__hmac_b64("sha1", token, buf_str(&s), want, sizeof(want));
    if (buf_error(&s) == 0 && chan__ct_streq(got, want))
        rc = 0;
    buf_release(&s);
out:
    arena_free(ar);
    return rc;
}

static ssize_t
sms_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
          struct inbound *out, size_t max, struct errmsg *em)
{
    if (max < 1)
        return ERR_INVAL;
    struct chan__pair *v;
    ssize_t n = chan__form_parse(ar, hook->body, &v);
    if (n < 0)
        return errmsg_set(em, ERR_INVAL, "malformed form body");
    const char *sid = chan__form_get(v, (size_t)n, "MessageSid");
    const char *from = chan__form_get(v, (size_t)n, "From");
    const char *body = chan__form_get(v, (size_t)n, "Body");
    if (!sid)
        sid = chan__form_get(v, (size_t)n, "SmsMessageSid");
    if (!sid || !sid[0] || strlen(sid) > MODEL_EXTID_MAX || !from || !from[0] ||
        strlen(from) > MODEL_EXTID_MAX)
        return errmsg_set(em, ERR_INVAL, "missing 'MessageSid' or 'From'");
    if (!body)
        body = "";
    struct str text = str_c(body);
    if (text.len > MODEL_TEXT_MAX || !utf8_valid(text))
        return errmsg_set(em, ERR_INVAL, "invalid 'Body': want UTF-8 text up to %d bytes",
                          MODEL_TEXT_MAX);
    /* MMS media stay on Twilio; the message names each one's type. */
    struct buf b;
    buf_init(&b, MODEL_TEXT_MAX);
    buf_add(&b, text.p, text.len);
    int64_t media = 0;
    const char *nm = chan__form_get(v, (size_t)n, "NumMedia");
    if (nm && str_to_i64(str_c(nm), 0, 10, &media) < 0)
        media = 0;
    for (int64_t i = 0; i < media; i++) {
        char key[48];
        snprintf(key, sizeof(key), "MediaContentType%lld", (long long)i);
        const char *ct = chan__form_get(v, (size_t)n, key);
        if (b.len)
            buf_addc(&b, '\n');
        buf_printf(&b, "[media %.64s]", ct && utf8_valid(str_c(ct)) ? ct : "attachment");
    }
    if (!b.len)
        buf_adds(&b, "[empty message]");
    if (buf_error(&b) < 0) {
        buf_release(&b);
        return errmsg_set(em, ERR_TOOBIG, "too many media: want at most %d bytes of text",
                          MODEL_TEXT_MAX);
    }
    struct inbound *in = out;
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    in->external_id = str_c(sid);
    in->from_id = str_c(from);
    in->from_handle = str_c(from);
    in->text = (struct str){ arena_strndup(ar, b.p, b.len), b.len };
    in->public = false;
    buf_release(&b);
    return 1;
}

static void
sms_send(const struct channel *ch, const struct outbox_item *item, struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    const char *sid = chan__setting(ch, ar, "account_sid");
    const char *token = chan__setting(ch, ar, "auth_token");
    const char *from = chan__setting(ch, ar, "from");
    const char *base = chan__setting(ch, ar, "api_base");
    if (!sid || !token || !from || !base || !item->recipient) {
        snprintf(res->error, sizeof(res->error), "sms channel has no account or recipient");
        arena_free(ar);
        return;
    }
    struct buf form;
    buf_init(&form, 64 * 1024);
    chan__form_add(&form, "To", item->recipient);
    /* A Messaging Service sends from its pool of numbers. */
    chan__form_add(&form, strncmp(from, "MG", 2) == 0 ? "MessagingServiceSid" : "From", from);
    chan__form_add(&form, "Body", item->text);
    if (buf_error(&form) < 0) {
        snprintf(res->error, sizeof(res->error), "sms: message too large to send");
        buf_release(&form);
        arena_free(ar);
        return;
    }
    const char *cred = arena_printf(ar, "%s:%s", sid, token);
    size_t clen = strlen(cred);
    char *b64 = arena_alloc(ar, 4 * ((clen + 2) / 3) + 1);
    chan__b64(cred, clen, b64, 4 * ((clen + 2) / 3) + 1);
    struct fetch_header hdrs[] = {
        { "Content-Type", "application/x-www-form-urlencoded" },
        { "Authorization", arena_printf(ar, "Basic %s", b64) },
        { "I-Twilio-Idempotency-Token", item->idempotency_key },
    };
    const char *url = arena_printf(ar, "%s/2010-04-01/Accounts/%s/Messages.json", base, sid);
    struct fetch_request req = { .method = "POST", .url = url, .headers = hdrs,
                                 .nheaders = COUNTOF(hdrs), .body = buf_str(&form),
                                 .timeout_ms = 15000, .max_response = 256 * 1024 };
    struct fetch_response resp;
    int rc = fetch_do(&req, &resp);
    bool sent = chan__http_outcome(rc, &resp, "twilio", res);
    json_t *ans = resp.status ? json_loadb(resp.body.p, resp.body.len, 0, NULL) : NULL;
    if (sent) {
        const char *msid = json_string_value(json_object_get(ans, "sid"));
        if (msid)
            snprintf(res->external_id, sizeof(res->external_id), "%s", msid);
    } else if (ans) {
        /* Twilio's own code says more than the status: 21610 (the customer replied STOP),
         * 21211 (not a valid number) and friends are permanent; 20429 is a rate limit. */
        json_int_t code = json_integer_value(json_object_get(ans, "code"));
        const char *msg = json_string_value(json_object_get(ans, "message"));
        if (code == 20429)
            res->state = CHAN_RETRY;
        snprintf(res->error, sizeof(res->error), "twilio error %lld: %.180s (HTTP %ld)",
                 (long long)code, msg ? msg : "no message", resp.status);
    }
    json_decref(ans);
    fetch_response_release(&resp);
    buf_release(&form);
    arena_free(ar);
}

const struct chan_ops chan_sms_ops = {
    .type = "sms",
    .max_text = 1600,
    .ack_type = "text/xml",
    .ack_body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>",
    .settings = sms_settings,
    .verify = sms_verify,
    .parse = sms_parse,
    .send = sms_send,
};
