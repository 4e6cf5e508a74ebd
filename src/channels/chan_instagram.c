/* SPDX-License-Identifier: MIT */
/*
 * chan_instagram.c - the "instagram" channel: an Instagram professional account's DMs and
 * the comments on its media.
 *
 * DMs have Messenger's shape and thread by the customer's IGSID ("dm:<IGSID>"); one
 * customer's comments on one media item are one public conversation (thread key
 * "<media id>:<commenter id>"), answered in public with a reply under their latest comment, or
 * moved to DMs with Meta's private reply.
 * 'page_id' is the Instagram account id (Instagram Login) or the linked Page id (Facebook
 * Login); point 'api_base' at graph.instagram.com or graph.facebook.com to match.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include "base/arena.h"

static void
comment(const struct channel *ch, const char *account_id, json_t *entry, json_t *value,
        struct arena *ar, struct inbound *out, size_t max, size_t *n)
{
    json_t *from = json_object_get(value, "from");
    struct inbound in = { .channel_id = ch->id, .channel_type = ch->type, .public = true };
    in.from_id = chan__meta_str(from, "id", MODEL_EXTID_MAX, ar);
    struct str entry_id = chan__meta_str(entry, "id", MODEL_EXTID_MAX, ar);
    if (!in.from_id.len || str_eq(in.from_id, entry_id) ||
        (account_id && str_eq_c(in.from_id, account_id)))
        return; /* our own replies */
    in.external_id = chan__meta_str(value, "id", MODEL_EXTID_MAX, ar);
    in.thread_id = chan__meta_str(json_object_get(value, "media"), "id", MODEL_EXTID_MAX, ar);
    in.text = chan__meta_str(value, "text", MODEL_TEXT_MAX, ar);
    in.from_handle = chan__meta_str(from, "username", MODEL_NAME_MAX, ar);
    in.reply_to = chan__meta_str(value, "parent_id", MODEL_EXTID_MAX, ar);
    if (!in.external_id.len || !in.thread_id.len)
        return;
    /* One public conversation per post and commenter: inbound messages carry no author of
     * their own, so a thread shared by several customers would show them all as one. */
    in.thread_id = str_c(arena_printf(ar, "%.*s:%.*s", (int)in.thread_id.len, in.thread_id.p,
                                      (int)in.from_id.len, in.from_id.p));
    if (!in.text.len)
        in.text = STR_LIT("[comment]");
    json_t *t = json_object_get(entry, "time");
    if (json_is_integer(t) && json_integer_value(t) > 0) {
        int64_t v = json_integer_value(t);
        in.created_at = v < 100000000000LL ? v * 1000 : v;
    }
    if (*n >= max)
        *n = SIZE_MAX; /* more than the caller can take: refuse the delivery whole */
    else
        out[(*n)++] = in;
}

static ssize_t
instagram_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
                struct inbound *out, size_t max, struct errmsg *em)
{
    json_t *root = chan__meta_body(hook, "instagram", em);
    if (!root)
        return ERR_INVAL;
    struct chan__meta m;
    const char *account_id = NULL;
    if (chan__meta_open(ch, "page_id", &m) == 0) {
        account_id = arena_strdup(ar, m.account_id);
        chan__meta_close(&m);
    }
    size_t n = 0, i, k;
    json_t *entry, *change;
    json_array_foreach(json_object_get(root, "entry"), i, entry) {
        chan__meta_messaging(ch, entry, ar, out, max, &n);
        json_array_foreach(json_object_get(entry, "changes"), k, change) {
            const char *field = json_string_value(json_object_get(change, "field"));
            if (field && (strcmp(field, "comments") == 0 || strcmp(field, "live_comments") == 0))
                comment(ch, account_id, entry, json_object_get(change, "value"), ar, out, max, &n);
        }
    }
    json_decref(root);
    if (n == SIZE_MAX)
        return errmsg_set(em, ERR_TOOBIG, "more than %zu messages in one delivery", max);
    return (ssize_t)n;
}

static int
instagram_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__meta_settings("instagram", "page_id", settings, out, em);
}

static void
instagram_send(const struct channel *ch, const struct outbox_item *item,
               struct chan_send_result *res)
{
    chan__meta_send_page(ch, item, res, "replies", false);
}

const struct chan_ops chan_instagram_ops = {
    .type = "instagram",
    .max_text = 1000,
    .reply_window_ms = CHAN__META_WINDOW_MS,
    .settings = instagram_settings,
    .verify = chan__meta_verify,
    .parse = instagram_parse,
    .send = instagram_send,
    .handshake = chan__meta_handshake,
    .private_reply = chan__meta_private_reply,
};
