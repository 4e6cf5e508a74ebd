/* SPDX-License-Identifier: MIT */
/*
 * channels.c - /api/v1/channels: list, create, read one with its status, change (name,
 * settings, on/off), rotate its secrets, delete one that never carried a conversation.
 *
 * Secrets never leave after the answer that made them: GET masks every credential setting
 * (model/codec.c); POST and rotate show the new secret and verify token once. A PATCH of
 * settings is a partial update: the given keys replace the stored ones (null removes one, the
 * mask "********" keeps a secret as it is), and the whole result is checked by the channel
 * type's own validator, so a channel can never be left with settings it could not have been
 * created with. Every refusal of a field is a 422 naming it in "field".
 *
 * Each platform's reply limit is counted in the platform's own unit (chan_text_len): the app's
 * composer shows it, the reply endpoints enforce it (api__text_fits_or_reply).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/rand.h"
#include "channels/chan.h"
#include "store/store.h"

static const char *
platform_name(const char *type)
{
    static const char *const names[][2] = {
        { "x", "X" }, { "sms", "SMS" }, { "whatsapp", "WhatsApp" }, { "messenger", "Messenger" },
        { "instagram", "Instagram" }, { "telegram", "Telegram" }, { "bluesky", "Bluesky" },
        { "mastodon", "Mastodon" },
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

#define MASK "********"

/* The setting a validator's message is about: "invalid 'settings.color': ..." and "missing
 * 'settings.x' ..." name it; "unknown setting 'x' ..." names the key. "settings" otherwise. */
static const char *
settings_field(struct arena *ar, const char *msg)
{
    const char *q = strchr(msg, '\'');
    const char *e = q ? strchr(q + 1, '\'') : NULL;
    if (!q || !e || e - q - 1 > 80)
        return "settings";
    if (strncmp(msg, "unknown setting", 15) == 0)
        return arena_printf(ar, "settings.%.*s", (int)(e - q - 1), q + 1);
    if (strncmp(q + 1, "settings", 8) == 0)
        return arena_strndup(ar, q + 1, (size_t)(e - q - 1));
    return "settings";
}

/* A 422 naming 'field', the shape the web app's forms show next to the field. */
static void
reply_field(struct http_req *r, const char *field, const char *message)
{
    api__reply(r, 422, json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field",
                                 "message", message, "field", field));
}

static json_t *
status_json(const struct store_channel_status *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "last_event_at", codec_time(s->last_event_at));
    json_object_set_new(o, "last_verify_at", codec_time(s->last_verify_at));
    json_object_set_new(o, "last_error", s->last_error ? json_string(s->last_error) : json_null());
    json_object_set_new(o, "last_error_at", codec_time(s->last_error_at));
    json_object_set_new(o, "messages_today", json_integer(s->messages_today));
    json_object_set_new(o, "errors_today", json_integer(s->errors_today));
    return o;
}

/* A channel as the API shows it: masked settings, its webhook URL, on/off, the platform's
 * reply window and reply limit, and what Hark last heard from it. */
static json_t *
channel_json(struct api *a, struct arena *ar, const struct channel *ch)
{
    json_t *o = codec_channel(ch);
    json_object_set_new(o, "webhook_url", json_sprintf("%s/hooks/%lld", a->cfg.public_url,
                                                       (long long)ch->id));
    json_object_set_new(o, "enabled", json_boolean(ch->enabled));
    const struct chan_ops *ops = chan_find(ch->type);
    json_object_set_new(o, "reply_window_hours",
                        ops && ops->reply_window_ms
                            ? json_integer(ops->reply_window_ms / (3600 * 1000))
                            : json_null());
    json_object_set_new(o, "reply_limit", api__reply_limit(ch->type));
    struct store_channel_status st = { .channel_id = ch->id };
    if (care_channel_status(a->care, ar, ch->id, &st) < 0)
        st = (struct store_channel_status){ .channel_id = ch->id };
    json_object_set_new(o, "status", status_json(&st));
    return o;
}

/* A web chat's 'calendar_id' must name a calendar. < 0 after replying 422. */
static int
calendar_or_reply(struct http_req *r, struct api *a, const char *settings)
{
    json_t *o = codec_parse_object(settings);
    json_t *id = json_object_get(o, "calendar_id");
    int rc = 0;
    if (json_is_integer(id)) {
        struct store_calendar cal;
        rc = store_calendar_get(a->st, http_arena(r), json_integer_value(id), &cal);
        if (rc == ERR_NOTFOUND)
            reply_field(r, "settings.calendar_id", "invalid 'settings.calendar_id': no such "
                                                   "business-hours calendar");
        else if (rc < 0)
            http_reply_error(r, rc, "cannot read calendars");
    }
    json_decref(o);
    return rc;
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
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, channel_json(a, http_arena(r), &v[i]));
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
    if (rc == ERR_INVAL && em.set) {
        reply_field(r, settings_field(http_arena(r), em.text), em.text);
        return;
    }
    if (rc < 0) {
        api__reply_err(r, rc, &em, "invalid settings");
        return;
    }
    if (calendar_or_reply(r, a, norm) < 0) {
        free(norm);
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
    json_t *o = channel_json(a, http_arena(r), &saved);
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

/* Loads {id}. < 0 after replying 404. */
static int
channel_or_reply(struct http_req *r, struct api *a, struct channel *ch)
{
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    int rc = store_channel_get(a->st, http_arena(r), id, ch);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such channel" : "cannot read channel");
        return rc;
    }
    return 0;
}

static void
reply_channel(struct http_req *r, struct api *a, int64_t id, unsigned status, json_t *extra)
{
    struct channel ch;
    int rc = store_channel_get(a->st, http_arena(r), id, &ch);
    if (rc < 0) {
        json_decref(extra);
        http_reply_error(r, rc, "cannot read channel");
        return;
    }
    json_t *o = channel_json(a, http_arena(r), &ch);
    if (extra)
        json_object_update(o, extra);
    json_decref(extra);
    api__reply(r, status, o);
}

void
api__channel_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct channel ch;
    if (channel_or_reply(r, a, &ch) < 0)
        return;
    api__reply(r, 200, channel_json(a, http_arena(r), &ch));
}

/* The stored settings with 'patch' applied: a key set to null is removed, the mask keeps a
 * credential as stored. Returns a new reference, or NULL after replying 422. */
static json_t *
merge_settings(struct http_req *r, const struct channel *ch, json_t *patch)
{
    json_t *out = codec_parse_object(ch->settings);
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v) {
        if (json_is_null(v)) {
            json_object_del(out, key);
        } else if (json_is_string(v) && strcmp(json_string_value(v), MASK) == 0) {
            if (!json_object_get(out, key)) {
                char field[96];
                snprintf(field, sizeof(field), "settings.%.80s", key);
                reply_field(r, field, "a masked value can only keep a stored setting");
                json_decref(out);
                return NULL;
            }
        } else {
            json_object_set(out, key, v);
        }
    }
    return out;
}

void
api__channel_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct channel ch;
    json_t *body = api__json_or_reply(r);
    if (!body || channel_or_reply(r, a, &ch) < 0)
        return;
    struct store_channel_update u = { .enabled = -1 };
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &u.name) < 0)
        return;
    if (u.name && !u.name[0]) {
        reply_field(r, "name", "invalid 'name': want a name");
        return;
    }
    json_t *en = json_object_get(body, "enabled");
    if (en && !json_is_boolean(en)) {
        reply_field(r, "enabled", "invalid 'enabled': want true or false");
        return;
    }
    if (en)
        u.enabled = json_is_true(en);
    json_t *patch = json_object_get(body, "settings");
    if (patch && !json_is_object(patch)) {
        reply_field(r, "settings", "invalid 'settings': want an object");
        return;
    }
    char *norm = NULL;
    if (patch) {
        const struct chan_ops *ops = chan_find(ch.type);
        json_t *merged = merge_settings(r, &ch, patch);
        if (!merged)
            return;
        char *in = json_dumps(merged, JSON_COMPACT);
        json_decref(merged);
        struct errmsg em = { 0 };
        int rc = ops ? ops->settings(in, &norm, &em) : ERR_NOTFOUND;
        free(in);
        if (rc == ERR_INVAL && em.set) {
            reply_field(r, settings_field(http_arena(r), em.text), em.text);
            return;
        }
        if (rc < 0) {
            api__reply_err(r, rc, &em, "invalid settings");
            return;
        }
        if (calendar_or_reply(r, a, norm) < 0) {
            free(norm);
            return;
        }
        u.settings = arena_strdup(http_arena(r), norm);
        free(norm);
    }
    int rc = care_channel_update(a->care, ch.id, &u);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot change channel");
        return;
    }
    reply_channel(r, a, ch.id, 200, NULL);
}

/* A fresh random token of 'n' hex characters (n even, < 128) in 'ar'. */
static char *
fresh_token(struct arena *ar, size_t n)
{
    char *t = arena_alloc(ar, n + 1);
    rand_hex(t, n / 2);
    return t;
}

void
api__channel_rotate(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct channel ch;
    if (channel_or_reply(r, a, &ch) < 0)
        return;
    struct arena *ar = http_arena(r);
    struct store_channel_update u = { .enabled = -1, .secret = fresh_token(ar, 64) };
    json_t *shown = json_pack("{s:s}", "secret", u.secret);
    /* The tokens Hark made up for the platform to repeat are Hark's to change too; secrets the
     * platform issued (Meta's App Secret, X's consumer secret) are changed there and PATCHed. */
    const char *key = NULL;
    if (strcmp(ch.type, "whatsapp") == 0 || strcmp(ch.type, "messenger") == 0 ||
        strcmp(ch.type, "instagram") == 0)
        key = "verify_token";
    else if (strcmp(ch.type, "telegram") == 0)
        key = "secret_token";
    if (key) {
        json_t *settings = codec_parse_object(ch.settings);
        const char *tok = fresh_token(ar, 48);
        json_object_set_new(settings, key, json_string(tok));
        char *t = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(settings);
        u.settings = arena_strdup(ar, t);
        free(t);
        json_object_set_new(shown, key, json_string(tok));
    }
    int rc = care_channel_update(a->care, ch.id, &u);
    if (rc < 0) {
        json_decref(shown);
        http_reply_error(r, rc, "cannot rotate the channel's secret");
        return;
    }
    reply_channel(r, a, ch.id, 200, shown); /* shown once */
}

void
api__channel_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct channel ch;
    if (channel_or_reply(r, a, &ch) < 0)
        return;
    int rc = care_channel_delete(a->care, ch.id);
    if (rc == ERR_CONFLICT) {
        http_reply_error(r, rc, "the channel has conversations; switch it off instead");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, "cannot delete channel");
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}
