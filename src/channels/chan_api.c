/* SPDX-License-Identifier: MIT */
/*
 * chan_api.c - the generic "api" channel: Hark's own signed JSON webhook in both directions.
 *
 * Inbound: POST /hooks/{id} with X-Hark-Signature: sha256=<hex HMAC-SHA256(secret, body)>
 * and {"id","from":{"id","name","handle"},"text","thread_id"?,"reply_to"?,"public"?,
 * "created_at"?}. Outbound: a POST to settings.callback_url, signed the same way, carrying an
 * Idempotency-Key header (the same key on every retry of one reply) so the receiver can drop
 * repeats.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

static bool
http_url(const char *u)
{
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

static int
api_settings(const char *settings, char **out, struct errmsg *em)
{
    json_error_t jerr;
    json_t *in = settings ? json_loads(settings, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    if (!json_is_object(in)) {
        json_decref(in);
        return errmsg_set(em, ERR_INVAL, "invalid 'settings': want a JSON object");
    }
    json_t *norm = json_object();
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(in, key, v) {
        if (strcmp(key, "callback_url") == 0) {
            if (!json_is_string(v) || !http_url(json_string_value(v)) ||
                json_string_length(v) > 2000) {
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.callback_url': want an http or "
                                               "https URL");
                break;
            }
            /* Settings are shown to agents; the callback is authenticated by the signature. */
            if (chan__url_userinfo(json_string_value(v))) {
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.callback_url': want no "
                                               "credentials (user:password@) in the URL; "
                                               "callbacks carry X-Hark-Signature");
                break;
            }
            json_object_set(norm, key, v);
        } else {
            rc = errmsg_set(em, ERR_INVAL, "unknown setting '%.64s' for an api channel", key);
            break;
        }
    }
    json_decref(in);
    if (rc == 0)
        *out = json_dumps(norm, JSON_COMPACT);
    json_decref(norm);
    return rc;
}

static int
api_verify(const struct channel *ch, const struct chan_hook *hook)
{
    const char *sig = hook->header(hook->ctx, "X-Hark-Signature");
    return chan_signature_ok(ch->secret, hook->body, sig) ? 0 : ERR_AUTH;
}

/* Copies a string member into 'ar' as a slice. Missing or null is allowed unless 'required';
 * numbers are accepted for ids, since many platforms use numeric ids. */
static int
member(json_t *obj, const char *name, bool required, size_t max, bool is_id, struct arena *ar,
       struct str *out, struct errmsg *em)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        if (required)
            return errmsg_set(em, ERR_INVAL, "missing '%s'", name);
        *out = STR_NULL;
        return 0;
    }
    if (is_id && json_is_integer(v)) {
        char *s = arena_printf(ar, "%lld", (long long)json_integer_value(v));
        *out = str_c(s);
        return 0;
    }
    if (!json_is_string(v))
        return errmsg_set(em, ERR_INVAL, "invalid '%s': want a string", name);
    size_t len = json_string_length(v);
    if (len > max)
        return errmsg_set(em, ERR_INVAL, "invalid '%s': longer than %zu bytes", name, max);
    if (required && len == 0)
        return errmsg_set(em, ERR_INVAL, "invalid '%s': empty", name);
    struct str s = { json_string_value(v), len };
    if (!utf8_valid(s))
        return errmsg_set(em, ERR_INVAL, "invalid '%s': not UTF-8 text", name);
    *out = (struct str){ arena_strndup(ar, s.p, s.len), len };
    return 0;
}

static ssize_t
api_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
          struct inbound *out, size_t max, struct errmsg *em)
{
    json_error_t jerr;
    int rc;
    if (max < 1)
        return ERR_INVAL;
    json_t *root = json_loadb(hook->body.p, hook->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return errmsg_set(em, ERR_INVAL, "malformed JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    struct inbound *in = out;
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    json_t *from = json_object_get(root, "from");
    if (!json_is_object(root)) {
        rc = errmsg_set(em, ERR_INVAL, "invalid body: want a JSON object");
        goto out;
    }
    if (!json_is_object(from)) {
        rc = errmsg_set(em, ERR_INVAL, "missing 'from': want an object with 'id'");
        goto out;
    }
    if ((rc = member(root, "id", true, MODEL_EXTID_MAX, true, ar, &in->external_id, em)) < 0 ||
        (rc = member(from, "id", true, MODEL_EXTID_MAX, true, ar, &in->from_id, em)) < 0 ||
        (rc = member(from, "name", false, MODEL_NAME_MAX, false, ar, &in->from_name, em)) < 0 ||
        (rc = member(from, "handle", false, MODEL_NAME_MAX, false, ar, &in->from_handle, em)) < 0 ||
        (rc = member(root, "text", true, MODEL_TEXT_MAX, false, ar, &in->text, em)) < 0 ||
        (rc = member(root, "thread_id", false, MODEL_EXTID_MAX, true, ar, &in->thread_id, em)) < 0 ||
        (rc = member(root, "reply_to", false, MODEL_EXTID_MAX, true, ar, &in->reply_to, em)) < 0)
        goto out;
    json_t *pub = json_object_get(root, "public");
    if (pub && !json_is_boolean(pub) && !json_is_null(pub)) {
        rc = errmsg_set(em, ERR_INVAL, "invalid 'public': want true or false");
        goto out;
    }
    in->public = json_is_true(pub);
    json_t *at = json_object_get(root, "created_at");
    if (at && !json_is_null(at)) {
        if (!json_is_string(at) ||
            clock_parse_iso(str_c(json_string_value(at)), &in->created_at) < 0) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'created_at': want an RFC 3339 time");
            goto out;
        }
    }
    rc = 1;
out:
    json_decref(root);
    return rc;
}

static void
api_send(const struct channel *ch, const struct outbox_item *item, struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';

    json_t *settings = json_loads(ch->settings ? ch->settings : "{}", 0, NULL);
    const char *url = json_string_value(json_object_get(settings, "callback_url"));
    if (!url) {
        snprintf(res->error, sizeof(res->error), "channel has no callback_url");
        json_decref(settings);
        return;
    }
    json_t *body = json_object();
    json_object_set_new(body, "id", json_sprintf("hark-%lld", (long long)item->message_id));
    json_object_set_new(body, "idempotency_key", json_string(item->idempotency_key));
    json_object_set_new(body, "conversation_id", json_integer(item->conversation_id));
    json_object_set_new(body, "thread_id",
                        item->thread_key ? json_string(item->thread_key) : json_null());
    json_object_set_new(body, "to", json_pack("{s:s?}", "id", item->recipient));
    json_object_set_new(body, "reply_to",
                        item->reply_to ? json_string(item->reply_to) : json_null());
    json_object_set_new(body, "text", json_string(item->text));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);

    char sig[72] = "sha256=";
    chan_hmac_hex(ch->secret, str_c(text), sig + 7);
    struct fetch_header hdrs[] = {
        { "Content-Type", "application/json" },
        { "X-Hark-Signature", sig },
        { "Idempotency-Key", item->idempotency_key },
    };
    struct fetch_request req = { .method = "POST", .url = url, .headers = hdrs,
                                 .nheaders = COUNTOF(hdrs), .body = str_c(text),
                                 .timeout_ms = 10000, .max_response = 64 * 1024 };
    struct fetch_response resp;
    int rc = fetch_do(&req, &resp);
    if (rc == ERR_INVAL) {
        snprintf(res->error, sizeof(res->error), "callback_url is not http or https");
    } else if (resp.status >= 200 && resp.status < 300) {
        res->state = CHAN_SENT;
    } else if (resp.status == 429 || resp.status >= 500 || resp.status == 408 || resp.status == 0) {
        res->state = CHAN_RETRY;
        res->retry_after_ms = resp.retry_after_ms;
        if (resp.status)
            snprintf(res->error, sizeof(res->error), "callback returned HTTP %ld", resp.status);
        else
            snprintf(res->error, sizeof(res->error), "callback unreachable: %s", resp.error);
    } else {
        snprintf(res->error, sizeof(res->error), "callback refused the reply: HTTP %ld",
                 resp.status);
    }
    fetch_response_release(&resp);
    free(text);
    json_decref(settings);
}

const struct chan_ops chan_api_ops = {
    .type = "api",
    .settings = api_settings,
    .verify = api_verify,
    .parse = api_parse,
    .send = api_send,
};
