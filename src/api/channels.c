/* SPDX-License-Identifier: MIT */
/*
 * channels.c - GET and POST /api/v1/channels.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/rand.h"
#include "channels/chan.h"
#include "store/store.h"

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
