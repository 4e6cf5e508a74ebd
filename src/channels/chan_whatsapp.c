/* SPDX-License-Identifier: MIT */
/*
 * chan_whatsapp.c - the "whatsapp" channel: one WhatsApp Business Cloud API phone number.
 *
 * Inbound messages come in the "messages" field of a whatsapp_business_account webhook; only
 * those for this channel's phone_number_id are taken, so several numbers of one business
 * account can share an app. Delivery receipts (value.statuses) are acknowledged and ignored.
 * A reply is a text message, or an approved template when the agent sends one (the only kind
 * WhatsApp delivers once the 24-hour customer-service window has closed). WhatsApp is always
 * private: a conversation per customer number.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include "base/arena.h"
#include "base/buf.h"

/* The customer's profile name for 'wa_id' from value.contacts[]. */
static struct str
contact_name(json_t *contacts, struct str wa_id, struct arena *ar)
{
    size_t i;
    json_t *c;
    json_array_foreach(contacts, i, c) {
        struct str id = chan__meta_str(c, "wa_id", MODEL_EXTID_MAX, ar);
        if (str_eq(id, wa_id))
            return chan__meta_str(json_object_get(c, "profile"), "name", MODEL_NAME_MAX, ar);
    }
    return STR_NULL;
}

/* The message's readable text: the body, a caption, a button title, or a placeholder naming
 * the kind ("[image]", "[location] ..."). Media arrive as ids only; nothing is downloaded. */
static struct str
message_text(json_t *msg, const char *type, struct arena *ar)
{
    struct buf b;
    buf_init(&b, MODEL_TEXT_MAX);
    json_t *part = json_object_get(msg, type);
    struct str s = STR_NULL;
    if (strcmp(type, "text") == 0) {
        s = chan__meta_str(part, "body", MODEL_TEXT_MAX, ar);
    } else if (strcmp(type, "button") == 0) {
        s = chan__meta_str(part, "text", MODEL_TEXT_MAX, ar);
    } else if (strcmp(type, "interactive") == 0) {
        s = chan__meta_str(json_object_get(part, "button_reply"), "title", MODEL_TEXT_MAX, ar);
        if (!s.len)
            s = chan__meta_str(json_object_get(part, "list_reply"), "title", MODEL_TEXT_MAX, ar);
    } else if (strcmp(type, "image") == 0 || strcmp(type, "video") == 0 ||
               strcmp(type, "audio") == 0 || strcmp(type, "document") == 0 ||
               strcmp(type, "sticker") == 0) {
        struct str caption = chan__meta_str(part, "caption", MODEL_TEXT_MAX - 64, ar);
        struct str file = chan__meta_str(part, "filename", MODEL_NAME_MAX, ar);
        buf_printf(&b, "[%s]", type);
        if (file.len)
            buf_printf(&b, " %.*s", (int)file.len, file.p);
        if (caption.len)
            buf_printf(&b, "\n%.*s", (int)caption.len, caption.p);
    } else if (strcmp(type, "location") == 0) {
        json_t *lat = json_object_get(part, "latitude"), *lon = json_object_get(part, "longitude");
        struct str name = chan__meta_str(part, "name", MODEL_NAME_MAX, ar);
        buf_adds(&b, "[location]");
        if (json_is_number(lat) && json_is_number(lon))
            buf_printf(&b, " %.6f,%.6f", json_number_value(lat), json_number_value(lon));
        if (name.len)
            buf_printf(&b, " %.*s", (int)name.len, name.p);
    } else {
        buf_printf(&b, "[%.32s]", type);
    }
    if (s.len) {
        buf_release(&b);
        return s;
    }
    /* On overflow 'b' keeps the pieces that fitted, each whole (the type, the file name);
     * a caption that does not fit after them is left out rather than cut. */
    struct str out = { arena_strndup(ar, b.p, b.len), b.len };
    buf_release(&b);
    return out;
}

static ssize_t
whatsapp_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
               struct inbound *out, size_t max, struct errmsg *em)
{
    json_t *root = chan__meta_body(hook, "whatsapp_business_account", em);
    if (!root)
        return ERR_INVAL;
    struct chan__meta m;
    const char *number_id = NULL;
    if (chan__meta_open(ch, "phone_number_id", &m) == 0) {
        number_id = arena_strdup(ar, m.account_id);
        chan__meta_close(&m);
    }
    size_t n = 0, i, k, x;
    json_t *entry, *change, *msg;
    json_array_foreach(json_object_get(root, "entry"), i, entry) {
        json_array_foreach(json_object_get(entry, "changes"), k, change) {
            const char *field = json_string_value(json_object_get(change, "field"));
            json_t *value = json_object_get(change, "value");
            if (!field || strcmp(field, "messages") != 0)
                continue;
            struct str to = chan__meta_str(json_object_get(value, "metadata"), "phone_number_id",
                                           MODEL_EXTID_MAX, ar);
            if (number_id && to.len && !str_eq_c(to, number_id))
                continue; /* another number of the same business account */
            json_array_foreach(json_object_get(value, "messages"), x, msg) {
                const char *type = json_string_value(json_object_get(msg, "type"));
                if (!type || strcmp(type, "reaction") == 0)
                    continue; /* a reaction is not a message to answer */
                struct inbound in = { .channel_id = ch->id, .channel_type = ch->type };
                in.from_id = chan__meta_str(msg, "from", MODEL_EXTID_MAX, ar);
                in.external_id = chan__meta_str(msg, "id", MODEL_EXTID_MAX, ar);
                if (!in.from_id.len || !in.external_id.len)
                    continue;
                in.from_name = contact_name(json_object_get(value, "contacts"), in.from_id, ar);
                in.from_handle = str_c(arena_printf(ar, "+%.*s", (int)in.from_id.len,
                                                    in.from_id.p));
                in.text = message_text(msg, type, ar);
                if (strcmp(type, "interactive") == 0) {
                    json_t *part = json_object_get(msg, "interactive");
                    struct str id = chan__meta_str(json_object_get(part, "button_reply"), "id",
                                                   MODEL_EXTID_MAX, ar);
                    if (!id.len)
                        id = chan__meta_str(json_object_get(part, "list_reply"), "id",
                                            MODEL_EXTID_MAX, ar);
                    in.survey = model_survey_id(id);
                }
                in.reply_to = chan__meta_str(json_object_get(msg, "context"), "id",
                                             MODEL_EXTID_MAX, ar);
                int64_t ts;
                struct str t = chan__meta_str(msg, "timestamp", 32, ar);
                if (t.len && str_to_i64(t, 1, INT64_MAX / 1000, &ts) == 0)
                    in.created_at = ts * 1000;
                if (n >= max) {
                    json_decref(root);
                    return errmsg_set(em, ERR_TOOBIG, "more than %zu messages in one delivery",
                                      max);
                }
                out[n++] = in;
            }
        }
    }
    json_decref(root);
    return (ssize_t)n;
}

static int
whatsapp_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__meta_settings_opt("whatsapp", "phone_number_id", "business_account_id", settings,
                                   out, em);
}

static void
whatsapp_send(const struct channel *ch, const struct outbox_item *item,
              struct chan_send_result *res)
{
    struct chan__meta m;
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    if (chan__meta_open(ch, "phone_number_id", &m) < 0) {
        snprintf(res->error, sizeof(res->error), "channel settings are incomplete");
        return;
    }
    if (!item->recipient || !*item->recipient) {
        snprintf(res->error, sizeof(res->error), "the customer has no WhatsApp number");
        chan__meta_close(&m);
        return;
    }
    json_t *body = json_pack("{s:s,s:s,s:s}", "messaging_product", "whatsapp", "recipient_type",
                             "individual", "to", item->recipient);
    json_t *tpl = item->payload ? json_loads(item->payload, 0, NULL) : NULL;
    json_t *survey = json_object_get(tpl, "survey");
    if (json_is_object(json_object_get(tpl, "template"))) {
        json_object_set_new(body, "type", json_string("template"));
        json_object_set(body, "template", json_object_get(tpl, "template"));
    } else if (json_is_array(json_object_get(survey, "buttons"))) {
        /* The 1..5 scale as an interactive list (reply buttons stop at three). */
        json_t *rows = json_array();
        size_t i;
        json_t *bt;
        json_array_foreach(json_object_get(survey, "buttons"), i, bt)
            json_array_append_new(rows, json_pack("{s:O,s:O}", "id", json_object_get(bt, "id"),
                                                  "title", json_object_get(bt, "title")));
        json_object_set_new(body, "type", json_string("interactive"));
        json_object_set_new(
            body, "interactive",
            json_pack("{s:s,s:{s:s},s:{s:s,s:[{s:s,s:o}]}}", "type", "list", "body", "text",
                      item->text, "action", "button", "Rate us", "sections", "title", "Rating",
                      "rows", rows));
    } else {
        json_object_set_new(body, "type", json_string("text"));
        json_object_set_new(body, "text",
                            json_pack("{s:b,s:s}", "preview_url", 0, "body", item->text));
    }
    json_decref(tpl);
    char path[MODEL_EXTID_MAX + 16];
    snprintf(path, sizeof(path), "%s/messages", m.account_id);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    json_t *ans = chan__meta_post(&m, path, text, res);
    free(text);
    if (ans) {
        const char *id =
            json_string_value(json_object_get(json_array_get(json_object_get(ans, "messages"), 0),
                                              "id"));
        if (id && strlen(id) < sizeof(res->external_id))
            snprintf(res->external_id, sizeof(res->external_id), "%s", id);
        json_decref(ans);
    }
    chan__meta_close(&m);
}

const struct chan_ops chan_whatsapp_ops = {
    .type = "whatsapp",
    .max_text = 4096,
    .reply_window_ms = CHAN__META_WINDOW_MS,
    .settings = whatsapp_settings,
    .verify = chan__meta_verify,
    .parse = whatsapp_parse,
    .send = whatsapp_send,
    .handshake = chan__meta_handshake,
};
