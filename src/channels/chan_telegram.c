/* SPDX-License-Identifier: MIT */
/*
 * chan_telegram.c - Telegram Bot API: webhook updates in, sendMessage out.
 *
 * Telegram signs nothing: it repeats the secret_token given to setWebhook in the
 * X-Telegram-Bot-Api-Secret-Token header, which is compared in constant time. Every message
 * is keyed "<chat id>:<message id>" (message ids are only unique per chat), so a redelivered
 * update is a duplicate; edits get their own key. Each chat is one conversation (thread
 * "<chat id>"); group, supergroup and channel chats are public, private chats private.
 * Replies go to the chat, quoting the customer's last message.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

#define TG_API_BASE "https://api.telegram.org"

static const struct chan__field tg_fields[] = {
    { .name = "bot_token", .required = true, .max = 200,
      .charset = "0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-" },
    { .name = "secret_token", .required = true, .max = 256,
      .charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-" },
    { .name = "api_base", .def = TG_API_BASE, .schemes = "http,https" },
};

static int
tg_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__settings_check(settings, "telegram", tg_fields, COUNTOF(tg_fields), out, em);
}

static int
tg_verify(const struct channel *ch, const struct chan_hook *hook)
{
    struct arena *ar = arena_new(HARK_VERIFY_ARENA_MAX);
    const char *want = chan__setting(ch, ar, "secret_token");
    const char *got = hook->header(hook->ctx, "X-Telegram-Bot-Api-Secret-Token");
    bool ok = want && chan__ct_streq(got, want);
    arena_free(ar);
    return ok ? 0 : ERR_AUTH;
}

/* An integer id (Telegram ids are up to 52 bits, so JSON numbers hold them exactly). */
static bool
int_id(json_t *v, long long *out)
{
    if (!json_is_integer(v))
        return false;
    *out = (long long)json_integer_value(v);
    return true;
}

static struct str
text_member(json_t *o, const char *name, size_t max, struct arena *ar)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return STR_NULL;
    struct str s = { json_string_value(v), json_string_length(v) };
    if (s.len > max || !utf8_valid(s))
        return STR_NULL;
    return (struct str){ arena_strndup(ar, s.p, s.len), s.len };
}

static ssize_t
tg_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
         struct inbound *out, size_t max, struct errmsg *em)
{
    json_error_t jerr;
    if (max < 1)
        return ERR_INVAL;
    json_t *root = json_loadb(hook->body.p, hook->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return errmsg_set(em, ERR_INVAL, "malformed JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    ssize_t rc = 0;
    long long update_id, msg_id, chat_id;
    if (!json_is_object(root) || !int_id(json_object_get(root, "update_id"), &update_id)) {
        rc = errmsg_set(em, ERR_INVAL, "invalid update: want an object with 'update_id'");
        goto out;
    }
    bool edited = false;
    json_t *m = json_object_get(root, "message");
    if (!m) {
        m = json_object_get(root, "edited_message");
        edited = m != NULL;
    }
    if (!m)
        m = json_object_get(root, "business_message");
    json_t *cbq = json_object_get(root, "callback_query");
    if (!m && json_is_object(cbq)) {
        /* A tapped inline button: only Hark's survey buttons mean anything. */
        struct str data = model_survey_id(text_member(cbq, "data", 63, ar));
        json_t *cfrom = json_object_get(cbq, "from");
        json_t *cmsg = json_object_get(cbq, "message");
        struct str qid = text_member(cbq, "id", MODEL_EXTID_MAX - 8, ar);
        long long cfrom_id;
        if (!data.len || !qid.len || !json_is_object(cfrom) ||
            !int_id(json_object_get(cfrom, "id"), &cfrom_id) ||
            !int_id(json_object_get(json_object_get(cmsg, "chat"), "id"), &chat_id))
            goto out;
        struct inbound *in = out;
        memset(in, 0, sizeof(*in));
        in->channel_id = ch->id;
        in->channel_type = ch->type;
        in->external_id = str_c(arena_printf(ar, "cbq:%.*s", (int)qid.len, qid.p));
        in->from_id = str_c(arena_printf(ar, "%lld", cfrom_id));
        in->thread_id = str_c(arena_printf(ar, "%lld", chat_id));
        in->text = data;
        in->survey = data;
        rc = 1;
        goto out;
    }
    if (!m)
        goto out; /* reactions, other callback queries, ...: acknowledged, nothing to store */
    json_t *chat = json_object_get(m, "chat");
    json_t *from = json_object_get(m, "from");
    long long from_id;
    if (!json_is_object(m) || !int_id(json_object_get(m, "message_id"), &msg_id) ||
        !json_is_object(chat) || !int_id(json_object_get(chat, "id"), &chat_id) ||
        !json_is_object(from) || !int_id(json_object_get(from, "id"), &from_id)) {
        rc = errmsg_set(em, ERR_INVAL,
                        "invalid message: want 'message_id', 'chat.id' and 'from.id'");
        goto out;
    }
    if (json_is_true(json_object_get(from, "is_bot")))
        goto out; /* our own bot, or another bot in a group */
    struct inbound *in = out;
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    if (edited) {
        long long ed = 0;
        int_id(json_object_get(m, "edit_date"), &ed);
        in->external_id = str_c(arena_printf(ar, "%lld:%lld:edit:%lld", chat_id, msg_id, ed));
    } else {
        in->external_id = str_c(arena_printf(ar, "%lld:%lld", chat_id, msg_id));
    }
    in->from_id = str_c(arena_printf(ar, "%lld", from_id));
    struct str first = text_member(from, "first_name", MODEL_NAME_MAX / 2, ar);
    struct str last = text_member(from, "last_name", MODEL_NAME_MAX / 2, ar);
    if (first.len || last.len)
        in->from_name = str_c(arena_printf(ar, "%.*s%s%.*s", (int)first.len, first.p,
                                           first.len && last.len ? " " : "", (int)last.len,
                                           last.p));
    struct str user = text_member(from, "username", MODEL_NAME_MAX - 1, ar);
    if (user.len)
        in->from_handle = str_c(arena_printf(ar, "@%.*s", (int)user.len, user.p));
    in->text = text_member(m, "text", MODEL_TEXT_MAX, ar);
    if (!in->text.len)
        in->text = text_member(m, "caption", MODEL_TEXT_MAX, ar);
    if (json_object_get(m, "text") && !in->text.len) {
        rc = errmsg_set(em, ERR_INVAL, "invalid 'text': want UTF-8 text up to %d bytes",
                        MODEL_TEXT_MAX);
        goto out;
    }
    /* Media become a line naming what was sent; the file itself stays on Telegram. */
    static const char *const kinds[] = { "photo", "document", "voice", "video", "audio",
                                         "sticker", "location", "contact", "animation" };
    for (size_t i = 0; i < COUNTOF(kinds); i++) {
        if (!json_object_get(m, kinds[i]))
            continue;
        in->text = str_c(arena_printf(ar, "%.*s%s[%s]", (int)in->text.len,
                                      in->text.p ? in->text.p : "", in->text.len ? "\n" : "",
                                      kinds[i]));
        break;
    }
    if (!in->text.len)
        in->text = STR_LIT("[unsupported message]");
    in->thread_id = str_c(arena_printf(ar, "%lld", chat_id));
    long long topic;
    if (int_id(json_object_get(m, "message_thread_id"), &topic) &&
        json_is_true(json_object_get(m, "is_topic_message")))
        in->thread_id = str_c(arena_printf(ar, "%lld/%lld", chat_id, topic));
    const char *type = json_string_value(json_object_get(chat, "type"));
    in->public = !type || strcmp(type, "private") != 0;
    json_t *rt = json_object_get(m, "reply_to_message");
    long long rt_id;
    if (json_is_object(rt) && int_id(json_object_get(rt, "message_id"), &rt_id))
        in->reply_to = str_c(arena_printf(ar, "%lld:%lld", chat_id, rt_id));
    long long date;
    if (int_id(json_object_get(m, "date"), &date) && date > 0)
        in->created_at = date * 1000;
    rc = 1;
out:
    json_decref(root);
    return rc;
}

/* Parses "<a><sep><b>" (two integers) or, when 'b' is NULL, "<a>". */
static bool
two_ids(const char *s, char sep, long long *a, long long *b)
{
    struct str head, tail;
    int64_t x, y;
    if (!b) {
        if (str_to_i64(str_c(s), INT64_MIN, INT64_MAX, &x) < 0)
            return false;
        *a = x;
        return true;
    }
    if (!str_cut(str_c(s), sep, &head, &tail) ||
        str_to_i64(head, INT64_MIN, INT64_MAX, &x) < 0 ||
        str_to_i64(tail, INT64_MIN, INT64_MAX, &y) < 0)
        return false;
    *a = x;
    *b = y;
    return true;
}

static void
tg_send(const struct channel *ch, const struct outbox_item *item, struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    const char *token = chan__setting(ch, ar, "bot_token");
    const char *base = chan__setting(ch, ar, "api_base");
    /* The chat is the thread key ("<chat>" or "<chat>/<topic>"); older conversations without
     * one are private chats, whose id is the user's. */
    const char *chat = item->thread_key ? item->thread_key : item->recipient;
    if (!token || !base || !chat) {
        snprintf(res->error, sizeof(res->error), "telegram channel has no bot_token or chat");
        arena_free(ar);
        return;
    }
    long long chat_id = 0, topic = 0, reply = 0, rchat = 0;
    bool has_topic = two_ids(chat, '/', &chat_id, &topic);
    if (!has_topic && !two_ids(chat, 0, &chat_id, NULL)) {
        snprintf(res->error, sizeof(res->error), "telegram: conversation has no chat id");
        arena_free(ar);
        return;
    }
    json_t *body = json_object();
    json_object_set_new(body, "chat_id", json_integer(chat_id));
    if (has_topic)
        json_object_set_new(body, "message_thread_id", json_integer(topic));
    json_object_set_new(body, "text", json_string(item->text));
    json_t *pl = item->payload ? json_loads(item->payload, 0, NULL) : NULL;
    json_t *buttons = json_object_get(json_object_get(pl, "survey"), "buttons");
    if (json_is_array(buttons)) {
        /* The survey's scale as one row of inline buttons; a tap is a callback_query. */
        json_t *row = json_array();
        size_t i;
        json_t *bt;
        json_array_foreach(buttons, i, bt)
            json_array_append_new(row, json_pack("{s:O,s:O}", "text",
                                                 json_object_get(bt, "short"), "callback_data",
                                                 json_object_get(bt, "id")));
        json_object_set_new(body, "reply_markup", json_pack("{s:[o]}", "inline_keyboard", row));
    }
    json_decref(pl);
    if (item->reply_to && two_ids(item->reply_to, ':', &rchat, &reply) && rchat == chat_id)
        json_object_set_new(body, "reply_parameters",
                            json_pack("{s:I,s:b}", "message_id", (json_int_t)reply,
                                      "allow_sending_without_reply", 1));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    const char *url = arena_printf(ar, "%s/bot%s/sendMessage", base, token);
    struct fetch_header hdrs[] = { { "Content-Type", "application/json" } };
    struct fetch_request req = { .method = "POST", .url = url, .headers = hdrs,
                                 .nheaders = COUNTOF(hdrs), .body = str_c(text),
                                 .timeout_ms = 15000, .max_response = 256 * 1024 };
    struct fetch_response resp;
    int rc = fetch_do(&req, &resp);
    bool sent = chan__http_outcome(rc, &resp, "telegram", res);
    json_t *ans = resp.status ? json_loadb(resp.body.p, resp.body.len, 0, NULL) : NULL;
    if (sent) {
        json_int_t mid = json_integer_value(json_object_get(json_object_get(ans, "result"),
                                                            "message_id"));
        if (mid)
            snprintf(res->external_id, sizeof(res->external_id), "%lld:%lld", chat_id,
                     (long long)mid);
    } else if (ans) {
        const char *desc = json_string_value(json_object_get(ans, "description"));
        json_t *params = json_object_get(ans, "parameters");
        json_int_t after = json_integer_value(json_object_get(params, "retry_after"));
        if (after > 0) {
            res->state = CHAN_RETRY;
            res->retry_after_ms = (int64_t)after * 1000;
        }
        if (desc)
            snprintf(res->error, sizeof(res->error), "telegram: %.200s", desc);
    }
    json_decref(ans);
    fetch_response_release(&resp);
    free(text);
    arena_free(ar);
}

/* answerCallbackQuery for a tapped survey button ("cbq:<callback query id>"). */
static void
tg_tap_ack(const struct channel *ch, struct str external_id, const char *text)
{
    if (external_id.len <= 4 || memcmp(external_id.p, "cbq:", 4) != 0)
        return;
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    const char *token = chan__setting(ch, ar, "bot_token");
    const char *base = chan__setting(ch, ar, "api_base");
    if (!token || !base) {
        arena_free(ar);
        return;
    }
    json_t *body = json_pack("{s:s%,s:s}", "callback_query_id", external_id.p + 4,
                             external_id.len - 4, "text", text);
    char *raw = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct fetch_header hdrs[] = { { "Content-Type", "application/json" } };
    struct fetch_request req = { .method = "POST",
                                 .url = arena_printf(ar, "%s/bot%s/answerCallbackQuery", base,
                                                     token),
                                 .headers = hdrs, .nheaders = COUNTOF(hdrs), .body = str_c(raw),
                                 .timeout_ms = 3000, .max_response = 16 * 1024 };
    struct fetch_response resp;
    if (fetch_do(&req, &resp) == 0)
        fetch_response_release(&resp);
    free(raw);
    arena_free(ar);
}

const struct chan_ops chan_telegram_ops = {
    .type = "telegram",
    .max_text = 4096,
    .settings = tg_settings,
    .verify = tg_verify,
    .parse = tg_parse,
    .send = tg_send,
    .tap_ack = tg_tap_ack,
};
