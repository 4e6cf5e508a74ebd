/* SPDX-License-Identifier: MIT */
/*
 * callbacks.c - phone callbacks. An agent's POST /api/v1/conversations/{id}/callback-offer
 * sends the customer a one-time link to /callback/<token>; the page behind it uses the public
 * GET and POST /api/v1/callback/{token} (slots, then the customer's number and pick; rate-
 * limited per client); GET /api/v1/callbacks lists the agents' tasks and POST
 * /api/v1/callbacks/{id}/done marks one done.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"

#define OFFER_TEXT_MAX 2000
#define LIST_MAX 200
/* Public callback endpoints per client address: a burst of 20, then one every 3 s. */
#define PUBLIC_BURST 20
#define PUBLIC_PER_SEC (1.0 / 3)
#define DEFAULT_TEXT                                                                            \
    "Would a phone call be easier? Pick a time that suits you and we will call you: {link}"

static int
invalid(struct http_req *r, const char *field, const char *want)
{
    char msg[240];
    snprintf(msg, sizeof(msg), "invalid '%s': %s", field, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

static json_t *
callback_json(const struct store_callback *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "conversation_id", json_integer(c->conversation_id));
    json_object_set_new(o, "agent_id", c->agent_id ? json_integer(c->agent_id) : json_null());
    json_object_set_new(o, "agent_name", c->agent_name ? json_string(c->agent_name) : json_null());
    json_object_set_new(o, "contact_name",
                        c->contact_name ? json_string(c->contact_name) : json_null());
    json_object_set_new(o, "phone", c->phone ? json_string(c->phone) : json_null());
    json_object_set_new(o, "slot_at", codec_time(c->slot_at));
    json_object_set_new(o, "note", c->note ? json_string(c->note) : json_null());
    json_object_set_new(o, "offered_at", codec_time(c->offered_at));
    json_object_set_new(o, "accepted_at", codec_time(c->accepted_at));
    json_object_set_new(o, "done_at", codec_time(c->done_at));
    return o;
}

/* The offer's text: the agent's (or the default), its "{link}" replaced by the link, or the
 * link on a line of its own after it. */
static char *
offer_text(struct arena *ar, const char *text, const char *link)
{
    const char *at = strstr(text, "{link}");
    if (!at)
        return arena_printf(ar, "%s\n%s", text, link);
    return arena_printf(ar, "%.*s%s%s", (int)(at - text), text, link, at + 6);
}

void
api__conv_callback_offer(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *text;
    int64_t calendar_id = 0;
    if (api__opt_string_or_reply(r, body, "text", OFFER_TEXT_MAX, &text) < 0 ||
        api__opt_int_or_reply(r, body, "calendar_id", 1, INT64_MAX, &calendar_id) < 0)
        return;
    if (text && !str_trim(str_c(text)).len)
        text = NULL;
    struct arena *ar = http_arena(r);
    struct conv c;
    struct channel ch;
    int rc = store_conv_get(a->st, ar, id, &c);
    if (rc == 0)
        rc = store_channel_get(a->st, ar, c.channel_id, &ch);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    /* A one-time link in a public comment would let anyone book the call. */
    if (c.public) {
        http_reply_error_status(r, 422, "public_thread",
                                "this is a public thread: anyone could use the link; reply "
                                "privately first, then offer the callback there");
        return;
    }
    if (calendar_id) {
        struct store_calendar cal;
        if (store_calendar_get(a->st, ar, calendar_id, &cal) < 0) {
            invalid(r, "calendar_id", "no such business-hours calendar");
            return;
        }
    } else {
        calendar_id = care_callback_calendar(a->care, ar, id);
    }
    char token[CARE_CALLBACK_TOKEN_LEN + 1], hash[65];
    care_callback_token(token, hash);
    const char *link = arena_printf(ar, "%s/callback/%s", a->cfg.public_url, token);
    char *full = offer_text(ar, text ? text : DEFAULT_TEXT, link);
    if (api__text_fits_or_reply(r, ch.type, str_c(full)) < 0)
        return;
    struct store_callback cb = { .conversation_id = id, .agent_id = p->agent_id,
                                 .calendar_id = calendar_id, .token_hash = hash };
    int64_t cb_id = 0, msg_id = 0;
    rc = care_callback_offer(a->care, &cb, str_c(full), &cb_id, &msg_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation"
                                                   : "cannot offer the callback");
        return;
    }
    struct msg m;
    if ((rc = store_msg_get(a->st, ar, msg_id, &m)) < 0) {
        http_reply_error(r, rc, "cannot read the message");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(cb_id));
    json_object_set_new(o, "conversation_id", json_integer(id));
    json_object_set_new(o, "url", json_string(link));
    json_object_set_new(o, "expires_at", codec_time(cb.expires_at));
    json_object_set_new(o, "calendar_id", calendar_id ? json_integer(calendar_id) : json_null());
    api__reply(r, 201, json_pack("{s:o,s:o}", "callback", o, "message", codec_msg(&m)));
}

/* Spends a token of the client's budget; < 0 after replying 429 with Retry-After. */
static int
throttle_or_reply(struct http_req *r, struct api *a)
{
    char key[96];
    snprintf(key, sizeof(key), "cb:%.80s", http_client(r));
    return api__throttle_or_reply(r, a, key, PUBLIC_BURST, PUBLIC_PER_SEC);
}

/* {token} as a C string. */
static const char *
param_token(struct http_req *r)
{
    struct str t = http_param(r, 0);
    return arena_strndup(http_arena(r), t.p ? t.p : "", t.len);
}

/* The same answer for an unknown, used or expired link. */
static void
gone(struct http_req *r)
{
    http_reply_error_status(r, 404, "not_found",
                            "this link does not work any more; please write to us again");
}

void
api__callback_public_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (throttle_or_reply(r, a) < 0)
        return;
    const char *token = param_token(r);
    struct arena *ar = http_arena(r);
    struct store_callback cb;
    char hash[65];
    if (!care_callback_token_ok(token)) {
        gone(r);
        return;
    }
    auth_token_hash(token, hash);
    int64_t now = clock_now_ms();
    int rc = store_callback_open(a->st, ar, hash, now, &cb);
    if (rc == ERR_NOTFOUND) {
        gone(r);
        return;
    }
    int64_t *slots = NULL;
    size_t n = 0;
    const char *tz = NULL;
    if (rc == 0)
        rc = care_callback_slots(a->care, ar, cb.calendar_id, now, &slots, &n, &tz);
    struct conv c;
    struct channel ch;
    if (rc == 0)
        rc = store_conv_get(a->st, ar, cb.conversation_id, &c);
    if (rc == 0)
        rc = store_channel_get(a->st, ar, c.channel_id, &ch);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    /* The brand as the widget names it, else the channel's name; the agent by first name.
     * Nothing of the customer's. */
    const char *brand = ch.name;
    json_t *s = ch.settings ? json_loads(ch.settings, 0, NULL) : NULL;
    json_t *b = s ? json_object_get(s, "brand_name") : NULL;
    if (json_is_string(b) && json_string_length(b))
        brand = arena_strdup(ar, json_string_value(b));
    json_decref(s);
    char first[64] = "";
    if (cb.agent_name) {
        size_t len = strcspn(cb.agent_name, " ");
        snprintf(first, sizeof(first), "%.*s", (int)(len < 60 ? len : 60), cb.agent_name);
    }
    json_t *v = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(v, codec_time(slots[i]));
    api__reply(r, 200,
               json_pack("{s:s,s:o,s:s,s:o,s:o,s:i}", "brand_name", brand, "agent_first_name",
                         first[0] ? json_string(first) : json_null(), "tz", tz, "slots", v,
                         "expires_at", codec_time(cb.expires_at), "slot_minutes",
                         (int)(CARE_CALLBACK_SLOT_MS / 60000)));
}

void
api__callback_public_accept(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (throttle_or_reply(r, a) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *slot, *phone, *note;
    if (api__opt_string_or_reply(r, body, "slot", 40, &slot) < 0 ||
        api__opt_string_or_reply(r, body, "phone", CARE_CALLBACK_PHONE_MAX, &phone) < 0 ||
        api__opt_string_or_reply(r, body, "note", CARE_CALLBACK_NOTE_MAX, &note) < 0)
        return;
    char e164[CARE_CALLBACK_PHONE_MAX];
    if (!phone || !care_callback_phone(phone, e164)) {
        invalid(r, "phone", "write the number with its country code, like +49 151 2345678");
        return;
    }
    int64_t slot_at;
    if (!slot || clock_parse_iso(str_c(slot), &slot_at) < 0) {
        invalid(r, "slot", "pick one of the times offered");
        return;
    }
    int64_t id;
    int rc = care_callback_accept(a->care, param_token(r), e164, slot_at,
                                  note && str_trim(str_c(note)).len ? note : NULL, &id);
    if (rc == ERR_NOTFOUND) {
        gone(r);
        return;
    }
    if (rc == ERR_INVAL) {
        invalid(r, "slot", "that time is no longer offered; please pick another");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, "cannot save your choice; please try again");
        return;
    }
    api__reply(r, 201, json_pack("{s:s,s:o}", "phone", e164, "slot_at", codec_time(slot_at)));
}

void
api__callbacks_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t conv = 0, mine = 0, done = 0;
    if (api__query_int_or_reply(r, "conversation_id", 1, INT64_MAX, &conv) < 0 ||
        api__query_int_or_reply(r, "mine", 0, 1, &mine) < 0 ||
        api__query_int_or_reply(r, "done", 0, 1, &done) < 0)
        return;
    struct arena *ar = http_arena(r);
    struct store_callback *v;
    size_t n;
    int64_t agent = mine ? (p->agent_id ? p->agent_id : -1) : 0;
    int rc = store_callback_list(a->st, ar, agent, conv, done != 0, LIST_MAX, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list callbacks");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        /* Store staff see the callbacks of the conversations they may see. */
        if (p->scope.limited && store_conv_visible(a->st, &p->scope, v[i].conversation_id) < 0)
            continue;
        json_array_append_new(items, callback_json(&v[i]));
    }
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__callback_done(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    bool done = true;
    if (api__opt_bool_or_reply(r, body, "done", &done) < 0)
        return;
    struct arena *ar = http_arena(r);
    struct store_callback cb;
    int rc = store_callback_get(a->st, ar, id, &cb);
    if (rc == 0 && !cb.accepted_at)
        rc = ERR_NOTFOUND;
    if (rc == 0 && p->scope.limited)
        rc = store_conv_visible(a->st, &p->scope, cb.conversation_id);
    if (rc == 0)
        rc = care_callback_done(a->care, id, p->agent_id, done);
    if (rc == 0)
        rc = store_callback_get(a->st, ar, id, &cb);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such callback" : "cannot save");
        return;
    }
    api__reply(r, 200, callback_json(&cb));
}
