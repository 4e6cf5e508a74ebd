/* SPDX-License-Identifier: MIT */
/*
 * channels.c - GET and POST /api/v1/channels, and each platform's reply limit (counted in the
 * platform's own unit: the app's composer shows it, the reply endpoints enforce it).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/rand.h"
#include "channels/chan.h"
#include "store/store.h"

static const char *
platform_name(const char *type)
{
    static const char *const names[][2] = {
        { "x", "X" }, { "sms", "SMS" }, { "whatsapp", "WhatsApp" }, { "messenger", "Messenger" },
        { "instagram", "Instagram" }, { "telegram", "Telegram" },
    };
    for (size_t i = 0; i < COUNTOF(names); i++) {
        if (strcmp(names[i][0], type) == 0)
            return names[i][1];
    }
    return type;
}

json_t *
api__reply_limit(const char *channel_type)
{
    const struct chan_ops *ops = chan_find(channel_type);
    if (!ops || !ops->max_text)
        return json_null();
    return json_pack("{s:I,s:s}", "max", (json_int_t)ops->max_text, "unit", chan_text_unit(ops));
}

int
api__text_fits_or_reply(struct http_req *r, const char *channel_type, struct str text)
{
    const struct chan_ops *ops = chan_find(channel_type);
    if (!ops || !ops->max_text)
        return 0;
    size_t n = chan_text_len(ops, text);
    if (n <= ops->max_text)
        return 0;
    bool x = strcmp(chan_text_unit(ops), "x_weighted") == 0;
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid 'text': %s allows %zu characters per %s; this one has "
             "%zu%s (shorten it by %zu)", platform_name(channel_type), ops->max_text,
             x ? "post" : "message", n, x ? ", a link counting 23 and an emoji 2" : "",
             n - ops->max_text);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_TOOBIG;
}

void
api__channels_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct channel *v;
    size_t n;
    int rc = store_channel_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list channels");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = codec_channel(&v[i]);
        json_object_set_new(o, "webhook_url", json_sprintf("%s/hooks/%lld", a->cfg.public_url,
                                                           (long long)v[i].id));
        json_object_set_new(o, "reply_limit", api__reply_limit(v[i].type));
        json_array_append_new(items, o);
    }
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__channels_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *type, *name;
    if (api__opt_string_or_reply(r, body, "type", 32, &type) < 0 ||
        api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &name) < 0)
        return;
    if (!type) {
        http_reply_error_status(r, 422, "invalid_field", "missing 'type': want a channel type");
        return;
    }
    if (!name || !name[0]) {
        http_reply_error_status(r, 422, "invalid_field", "missing 'name': give the channel a name");
        return;
    }
    const struct chan_ops *ops = chan_find(type);
    if (!ops) {
        char msg[128];
        snprintf(msg, sizeof(msg), "unknown channel type '%s'", type);
        http_reply_error_status(r, 422, "invalid_field", msg);
        return;
    }
    json_t *settings = json_object_get(body, "settings");
    if (settings && !json_is_object(settings) && !json_is_null(settings)) {
        http_reply_error_status(r, 422, "invalid_field", "invalid 'settings': want an object");
        return;
    }
    char *in = settings && json_is_object(settings) ? json_dumps(settings, JSON_COMPACT) : NULL;
    char *norm = NULL;
    struct errmsg em = { 0 };
    int rc = ops->settings(in, &norm, &em);
    free(in);
    if (rc < 0) {
        api__reply_err(r, rc, &em, "invalid settings");
        return;
    }
    char secret[65];
    rand_hex(secret, 32);
    struct channel ch = { .type = type, .name = name, .secret = secret, .settings = norm };
    rc = care_channel_add(a->care, &ch, &ch.id);
    free(norm);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot create channel");
        return;
    }
    struct channel saved;
    rc = store_channel_get(a->st, http_arena(r), ch.id, &saved);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read channel");
        return;
    }
    json_t *o = codec_channel(&saved);
    json_object_set_new(o, "webhook_url", json_sprintf("%s/hooks/%lld", a->cfg.public_url,
                                                       (long long)saved.id));
    json_object_set_new(o, "reply_limit", api__reply_limit(saved.type));
    json_object_set_new(o, "secret", json_string(secret)); /* shown once */
    /* Meta's handshake token is pasted into the platform with the webhook URL: shown here
     * once, like the secret. */
    json_t *plain = codec_parse_object(saved.settings);
    json_t *vt = json_object_get(plain, "verify_token");
    if (json_is_string(vt))
        json_object_set(o, "verify_token", vt);
    json_decref(plain);
    api__reply(r, 201, o);
}
