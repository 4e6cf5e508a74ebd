/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the platform rules around an agent's reply: the customer-service window (the
 * channel adapter's reply_window_ms: 24 hours on WhatsApp, Messenger and Instagram) and
 * WhatsApp templates (checked and filled in by wa_templates.c). Private replies are in private_replies.c.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "channels/chan.h"
#include "store/store.h"

#define TEMPLATE_NAME_MAX 512

int
api__platform_window_or_reply(struct http_req *r, const struct conv *c)
{
    const struct chan_ops *ops = chan_find(c->channel_type);
    if (!ops || !ops->reply_window_ms || c->public)
        return 0;
    int64_t closes = c->last_inbound_at ? c->last_inbound_at + ops->reply_window_ms : 0;
    if (closes > clock_now_ms())
        return 0;
    char when[40] = "";
    if (closes)
        clock_fmt_iso(closes, when, sizeof(when));
    char msg[400];
    if (strcmp(c->channel_type, "whatsapp") == 0) {
        snprintf(msg, sizeof(msg),
                 "outside the 24-hour WhatsApp customer-service window (%s%s): only an approved "
                 "template can be sent now; post {\"template\":{\"name\":...,\"language\":...}}",
                 closes ? "closed at " : "the customer has not written yet", when);
    } else {
        snprintf(msg, sizeof(msg),
                 "outside the 24-hour %s reply window (%s%s): the customer must write again "
                 "before a free-form reply can be sent",
                 c->channel_type, closes ? "closed at " : "the customer has not written yet",
                 when);
    }
    http_reply_error_status(r, 422, "outside_reply_window", msg);
    return ERR_PERM;
}

static bool
template_word(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

int
api__platform_template_or_reply(struct http_req *r, struct api *a, int64_t conv_id, json_t *body,
                                json_t **text, char **payload)
{
    json_t *tpl = json_object_get(body, "template");
    if (json_is_true(json_object_get(body, "private")) || json_object_get(body, "text")) {
        http_reply_error_status(r, 422, "invalid_field",
                                "a 'template' is sent alone: no 'text', not 'private'");
        return ERR_INVAL;
    }
    struct conv c;
    int rc = store_conv_get(a->st, http_arena(r), conv_id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return rc;
    }
    if (!c.channel_type || strcmp(c.channel_type, "whatsapp") != 0) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'template': only WhatsApp conversations take templates");
        return ERR_INVAL;
    }
    json_t *name = json_object_get(tpl, "name");
    json_t *lang = json_object_get(tpl, "language");
    json_t *comps = json_object_get(tpl, "components");
    if (json_is_object(lang))
        lang = json_object_get(lang, "code");
    if (!json_is_object(tpl) || !json_is_string(name) ||
        !template_word(json_string_value(name), TEMPLATE_NAME_MAX) || !json_is_string(lang) ||
        !template_word(json_string_value(lang), 16) || (comps && !json_is_array(comps))) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'template': want {\"name\":\"order_update\",\"language\":"
                                "\"en_US\",\"components\":[...]?}");
        return ERR_INVAL;
    }
    /* Checked against the templates Meta approved, every blank filled; what agents see is
     * the message as the customer reads it. */
    json_t *send_comps;
    if (api__wa_template_or_reply(r, a, conv_id, json_string_value(name),
                                  json_string_value(lang), comps, &send_comps, text) < 0)
        return ERR_INVAL;
    json_t *out = json_pack("{s:{s:O,s:{s:O}}}", "template", "name", name, "language", "code",
                            lang);
    if (json_array_size(send_comps))
        json_object_set(json_object_get(out, "template"), "components", send_comps);
    json_decref(send_comps);
    char *dump = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    *payload = arena_strdup(http_arena(r), dump);
    free(dump);
    return 0;
}
