/* SPDX-License-Identifier: MIT */
/*
 * chan_webchat.c - the "webchat" channel: Hark's own chat widget on a brand's website.
 *
 * There is no platform here. A visitor's browser posts messages to the public widget endpoints
 * (api/widget.c), which hand the raw body and headers to this adapter through the same ingest
 * pipeline as any webhook: verify checks the signed visitor token (the X-Hark-Visitor header),
 * parse turns {"id"?, "text", "name"?} into an inbound message from that visitor. Replies
 * are delivered by the visitor reading them (the widget's event stream), so send only marks
 * them sent. Settings are what the widget shows (brand_name, greeting, launcher_text, color,
 * reply_minutes; its office hours come from the business-hours calendar 'calendar_id') and
 * where it may be embedded (allowed_origins).
 */
#include "base/base.h"
#include "channels/chan.h"

#include <jansson.h>

#include "base/arena.h"
#include "base/rand.h"
#include "base/utf8.h"

#define TOKEN_CONTEXT "hark-webchat-v1"
#define ORIGINS_MAX 20

static void
sign(const struct channel *ch, const char *id, char out[65])
{
    char msg[128];
    int n = snprintf(msg, sizeof(msg), TOKEN_CONTEXT ":%lld:%s", (long long)ch->id, id);
    chan_hmac_hex(ch->secret, (struct str){ msg, (size_t)n }, out);
}

void
chan_webchat_new_visitor(const struct channel *ch, char *id, char *token)
{
    char mac[65];
    rand_hex(id, CHAN_VISITOR_ID_LEN / 2);
    sign(ch, id, mac);
    snprintf(token, CHAN_VISITOR_TOKEN_MAX, "%s.%s", id, mac);
}

int
chan_webchat_visitor(const struct channel *ch, const char *token, char *id)
{
    if (!token || strlen(token) != CHAN_VISITOR_ID_LEN + 1 + 64 || token[CHAN_VISITOR_ID_LEN] != '.')
        return ERR_AUTH;
    char got[CHAN_VISITOR_ID_LEN + 1], mac[65];
    for (int i = 0; i < CHAN_VISITOR_ID_LEN; i++) {
        char c = token[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return ERR_AUTH;
        got[i] = c;
    }
    got[CHAN_VISITOR_ID_LEN] = '\0';
    sign(ch, got, mac);
    if (!str_ct_eq(mac, token + CHAN_VISITOR_ID_LEN + 1, 64))
        return ERR_AUTH;
    memcpy(id, got, sizeof(got));
    return 0;
}

/* "https://shop.example" or "http://127.0.0.1:8080": a scheme, a host, maybe a port, and
 * nothing else (an Origin header never has a path). */
static bool
origin_valid(const char *s, size_t len)
{
    const char *host;
    if (len == 1 && s[0] == '*')
        return true;
    if (len > 8 && strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (len > 7 && strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return false;
    if (host == s + len || len > 200)
        return false;
    for (const char *p = host; p < s + len; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == ':' || c == '[' || c == ']'))
            return false;
    }
    return true;
}

static int
text_setting(json_t *v, const char *key, size_t max, json_t *norm, struct errmsg *em)
{
    if (!json_is_string(v) || json_string_length(v) > max ||
        !utf8_valid((struct str){ json_string_value(v), json_string_length(v) }))
        return errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want text of at most %zu bytes",
                          key, max);
    json_object_set(norm, key, v);
    return 0;
}

static int
webchat_settings(const char *settings, char **out, struct errmsg *em)
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
        if (strcmp(key, "brand_name") == 0) {
            rc = text_setting(v, key, MODEL_NAME_MAX, norm, em);
        } else if (strcmp(key, "office_hours") == 0) {
            /* One source of truth: the hours of a business-hours calendar. */
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.office_hours': the widget's hours "
                                           "come from a business-hours calendar; set "
                                           "'calendar_id' instead");
        } else if (strcmp(key, "calendar_id") == 0) {
            if (json_is_null(v))
                continue; /* no calendar: no hours shown */
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.calendar_id': want the id of a "
                                               "business-hours calendar");
            else
                json_object_set(norm, key, v);
        } else if (strcmp(key, "greeting") == 0) {
            rc = text_setting(v, key, 500, norm, em);
        } else if (strcmp(key, "launcher_text") == 0) {
            rc = text_setting(v, key, 40, norm, em);
        } else if (strcmp(key, "reply_minutes") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 7 * 24 * 60)
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.reply_minutes': want minutes "
                                               "in 0..10080");
            else
                json_object_set(norm, key, v);
        } else if (strcmp(key, "color") == 0) {
            const char *c = json_string_value(v);
            bool ok = c && strlen(c) == 7 && c[0] == '#';
            for (int i = 1; ok && i < 7; i++)
                ok = (c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'f') ||
                     (c[i] >= 'A' && c[i] <= 'F');
            if (!ok)
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.color': want #rrggbb");
            else
                json_object_set(norm, key, v);
        } else if (strcmp(key, "allowed_origins") == 0) {
            if (!json_is_array(v) || json_array_size(v) > ORIGINS_MAX) {
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.allowed_origins': want an "
                                               "array of at most %d origins", ORIGINS_MAX);
                break;
            }
            size_t i;
            json_t *o;
            json_array_foreach(v, i, o) {
                if (!json_is_string(o) ||
                    !origin_valid(json_string_value(o), json_string_length(o))) {
                    rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.allowed_origins[%zu]': "
                                                   "want \"https://host[:port]\" or \"*\"", i);
                    break;
                }
            }
            if (rc == 0)
                json_object_set(norm, key, v);
        } else {
            rc = errmsg_set(em, ERR_INVAL, "unknown setting '%.64s' for a webchat channel", key);
        }
        if (rc < 0)
            break;
    }
    json_decref(in);
    if (rc == 0)
        *out = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(norm);
    return rc;
}

static int
webchat_verify(const struct channel *ch, const struct chan_hook *hook)
{
    char id[CHAN_VISITOR_ID_LEN + 1];
    return chan_webchat_visitor(ch, hook->header(hook->ctx, "X-Hark-Visitor"), id);
}

static ssize_t
webchat_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
              struct inbound *out, size_t max, struct errmsg *em)
{
    char visitor[CHAN_VISITOR_ID_LEN + 1];
    if (max < 1)
        return ERR_INVAL;
    if (chan_webchat_visitor(ch, hook->header(hook->ctx, "X-Hark-Visitor"), visitor) < 0)
        return errmsg_set(em, ERR_AUTH, "unknown visitor");
    json_error_t jerr;
    json_t *root = json_loadb(hook->body.p ? hook->body.p : "", hook->body.len,
                              JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return errmsg_set(em, ERR_INVAL, "malformed body: want a JSON object");
    }
    int rc = 1;
    json_t *text = json_object_get(root, "text");
    json_t *cid = json_object_get(root, "id");
    json_t *name = json_object_get(root, "name");
    struct str t = { json_string_value(text), json_string_length(text) };
    bool blank = true;
    for (size_t i = 0; t.p && i < t.len && blank; i++)
        blank = t.p[i] == ' ' || t.p[i] == '\n' || t.p[i] == '\r' || t.p[i] == '\t';
    if (!json_is_string(text) || t.len == 0 || t.len > MODEL_TEXT_MAX || blank ||
        !utf8_valid(t) || memchr(t.p, '\0', t.len)) {
        rc = errmsg_set(em, ERR_INVAL, "invalid 'text': want 1..%d bytes of text", MODEL_TEXT_MAX);
        goto out;
    }
    const char *c = json_string_value(cid);
    size_t clen = json_string_length(cid);
    if (cid && !json_is_null(cid)) {
        bool ok = json_is_string(cid) && clen > 0 && clen <= 64;
        for (size_t i = 0; ok && i < clen; i++)
            ok = (c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z') ||
                 (c[i] >= '0' && c[i] <= '9') || c[i] == '-' || c[i] == '_';
        if (!ok) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'id': want 1..64 letters, digits, '-' or '_'");
            goto out;
        }
    }
    struct str n = { json_string_value(name), json_string_length(name) };
    if (name && !json_is_null(name) &&
        (!json_is_string(name) || n.len > MODEL_NAME_MAX || !utf8_valid(n) ||
         memchr(n.p, '\0', n.len))) {
        rc = errmsg_set(em, ERR_INVAL, "invalid 'name': want at most %d bytes of text",
                        MODEL_NAME_MAX);
        goto out;
    }
    struct inbound *in = out;
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    in->from_id = str_c(arena_strdup(ar, visitor));
    /* The browser's own message id makes a retried POST a duplicate, not a second message;
     * it is scoped to the visitor so two visitors can never collide. */
    char rnd[33];
    if (!c || json_is_null(cid))
        rand_hex(rnd, 16);
    in->external_id = str_c(arena_printf(ar, "w%s-%s", visitor, c && !json_is_null(cid) ? c : rnd));
    in->text = (struct str){ arena_strndup(ar, t.p, t.len), t.len };
    if (n.len)
        in->from_name = (struct str){ arena_strndup(ar, n.p, n.len), n.len };
    else
        in->from_name = STR_LIT("Website visitor");
    in->public = false;
out:
    json_decref(root);
    return rc;
}

static void
webchat_send(const struct channel *ch, const struct outbox_item *item,
             struct chan_send_result *res)
{
    (void)ch;
    (void)item;
    /* The visitor's widget reads the reply from Hark itself: storing it was delivering it. */
    res->state = CHAN_SENT;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
}

const struct chan_ops chan_webchat_ops = {
    .type = "webchat",
    .settings = webchat_settings,
    .verify = webchat_verify,
    .parse = webchat_parse,
    .send = webchat_send,
};
