/* SPDX-License-Identifier: MIT */
/*
 * chan_messenger.c - the "messenger" channel: a Facebook Page's Messenger DMs and the public
 * comments on its posts (the Page "feed" webhook field), on one channel.
 *
 * DMs thread by the customer's page-scoped id ("dm:<PSID>"); one customer's comments on one
 * post are one public conversation (thread key "<post id>:<commenter id>"), answered in public
 * under their latest comment, or moved to Messenger with Meta's private reply. The shared Meta
 * mechanics live in chan_meta.c.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include "base/arena.h"

/* A Page feed change that is a new comment by someone other than the Page. */
static void
feed_comment(const struct channel *ch, const char *page_id, json_t *value, struct arena *ar,
             struct inbound *out, size_t max, size_t *n)
{
    const char *item = json_string_value(json_object_get(value, "item"));
    const char *verb = json_string_value(json_object_get(value, "verb"));
    if (!item || strcmp(item, "comment") != 0 || !verb || strcmp(verb, "add") != 0)
        return; /* posts, likes, edits, removals */
    json_t *from = json_object_get(value, "from");
    struct inbound in = { .channel_id = ch->id, .channel_type = ch->type, .public = true };
    in.from_id = chan__meta_str(from, "id", MODEL_EXTID_MAX, ar);
    if (!in.from_id.len || (page_id && str_eq_c(in.from_id, page_id)))
        return; /* the Page's own replies */
    in.external_id = chan__meta_str(value, "comment_id", MODEL_EXTID_MAX, ar);
    in.thread_id = chan__meta_str(value, "post_id", MODEL_EXTID_MAX, ar);
    in.text = chan__meta_str(value, "message", MODEL_TEXT_MAX, ar);
    in.from_name = chan__meta_str(from, "name", MODEL_NAME_MAX, ar);
    struct str parent = chan__meta_str(value, "parent_id", MODEL_EXTID_MAX, ar);
    if (parent.len && !str_eq(parent, in.thread_id))
        in.reply_to = parent;
    if (!in.external_id.len || !in.thread_id.len)
        return;
    /* One public conversation per post and commenter: inbound messages carry no author of
     * their own, so a thread shared by several customers would show them all as one. */
    in.thread_id = str_c(arena_printf(ar, "%.*s:%.*s", (int)in.thread_id.len, in.thread_id.p,
                                      (int)in.from_id.len, in.from_id.p));
    if (!in.text.len)
        in.text = json_object_get(value, "photo") ? STR_LIT("[image]") : STR_LIT("[comment]");
    json_t *t = json_object_get(value, "created_time");
    if (json_is_integer(t) && json_integer_value(t) > 0)
        in.created_at = json_integer_value(t) * 1000;
    if (*n >= max)
        *n = SIZE_MAX; /* more than the caller can take: refuse the delivery whole */
    else
        out[(*n)++] = in;
}

static ssize_t
messenger_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
                struct inbound *out, size_t max, struct errmsg *em)
{
    json_t *root = chan__meta_body(hook, "page", em);
    if (!root)
        return ERR_INVAL;
    struct chan__meta m;
    const char *page_id = NULL;
    if (chan__meta_open(ch, "page_id", &m) == 0) {
        page_id = arena_strdup(ar, m.account_id);
        chan__meta_close(&m);
    }
    size_t n = 0, i, k;
    json_t *entry, *change;
    json_array_foreach(json_object_get(root, "entry"), i, entry) {
        chan__meta_messaging(ch, entry, ar, out, max, &n);
        json_array_foreach(json_object_get(entry, "changes"), k, change) {
            const char *field = json_string_value(json_object_get(change, "field"));
            if (field && strcmp(field, "feed") == 0)
                feed_comment(ch, page_id, json_object_get(change, "value"), ar, out, max, &n);
        }
    }
    json_decref(root);
    if (n == SIZE_MAX)
        return errmsg_set(em, ERR_TOOBIG, "more than %zu messages in one delivery", max);
    return (ssize_t)n;
}

static int
messenger_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__meta_settings("messenger", "page_id", settings, out, em);
}

static void
messenger_send(const struct channel *ch, const struct outbox_item *item,
               struct chan_send_result *res)
{
    chan__meta_send_page(ch, item, res, "comments", true);
}

const struct chan_ops chan_messenger_ops = {
    .type = "messenger",
    .max_text = 2000,
    .reply_window_ms = CHAN__META_WINDOW_MS,
    .settings = messenger_settings,
    .verify = chan__meta_verify,
    .parse = messenger_parse,
    .send = messenger_send,
    .handshake = chan__meta_handshake,
    .private_reply = chan__meta_private_reply,
};
