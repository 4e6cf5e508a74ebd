/* SPDX-License-Identifier: MIT */
/*
 * chan_x.c - X (Twitter) Account Activity API webhooks in, API v2 posts and DMs out.
 *
 * X proves a webhook is ours with the CRC: a GET carrying crc_token, answered with
 * "sha256=" + base64 HMAC-SHA256(consumer secret, token). Every POST carries
 * x-twitter-webhooks-signature, the same HMAC over the raw body. tweet_create_events become
 * public messages threaded by conversation (the conversation id when the payload has one,
 * else the post itself starts a thread and replies follow 'in_reply_to'); direct_message_events
 * become private messages in thread "dm:<sender id>". Events the account itself caused (its
 * own posts, echoes of its DMs) are skipped. Replies go out with the user-context OAuth 2
 * bearer token in 'access_token': public threads as a reply post, private ones as a DM.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

#define X_API_BASE "https://api.x.com"

static const struct chan__field x_fields[] = {
    { .name = "consumer_secret", .required = true, .max = 200 },
    { .name = "access_token", .required = true, .max = 2000 },
    { .name = "user_id", .required = true, .max = 32, .charset = "0123456789" },
    { .name = "api_base", .def = X_API_BASE, .schemes = "http,https" },
};

static int
x_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__settings_check(settings, "x", x_fields, COUNTOF(x_fields), out, em);
}

static int
x_verify(const struct channel *ch, const struct chan_hook *hook)
{
    struct arena *ar = arena_new(HARK_VERIFY_ARENA_MAX);
    const char *secret = chan__setting(ch, ar, "consumer_secret");
    const char *got = hook->header(hook->ctx, "x-twitter-webhooks-signature");
    bool ok = false;
    if (secret && got) {
        char want[64] = "sha256=";
        chan__hmac_b64("sha256", secret, hook->body, want + 7, sizeof(want) - 7);
        ok = chan__ct_streq(got, want);
    }
    arena_free(ar);
    return ok ? 0 : ERR_AUTH;
}

/* The longest crc_token answered. X's tokens are short opaque strings (a UUID, or base64 of
 * one: 36 to 48 bytes); twice that leaves room without answering arbitrary text. */
#define CRC_TOKEN_MAX 96

/* The CRC answers HMAC-SHA256(consumer secret, token), and that is exactly the signature X
 * puts on a POST whose raw body is the token: the unauthenticated CRC endpoint is a signing
 * oracle for every token it accepts. So it accepts only tokens of the shape X sends, 1 to
 * CRC_TOKEN_MAX bytes of [A-Za-z0-9+/=_-] (base64, base64url, UUIDs). Such a token holds no
 * '{', '"' or whitespace, so it can never be a JSON object, and x_parse refuses every body
 * that is not a JSON object: a signature obtained from the CRC signs nothing that is ever
 * accepted. The oracle is useless by construction, not by a check on what the token means. */
bool
chan__x_crc_token_ok(const char *token)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789+/=_-";
    if (!token || !token[0])
        return false;
    size_t n = strnlen(token, CRC_TOKEN_MAX + 1);
    return n <= CRC_TOKEN_MAX && strspn(token, alphabet) == n;
}

static int
x_handshake(const struct channel *ch, const struct chan_hook *hook, struct chan_handshake *out)
{
    const char *token = hook->query ? hook->query(hook->ctx, "crc_token") : NULL;
    if (!chan__x_crc_token_ok(token))
        return ERR_INVAL;
    struct arena *ar = arena_new(HARK_VERIFY_ARENA_MAX);
    const char *secret = chan__setting(ch, ar, "consumer_secret");
    if (!secret) {
        arena_free(ar);
        return ERR_AUTH;
    }
    char mac[64];
    chan__hmac_b64("sha256", secret, str_c(token), mac, sizeof(mac));
    arena_free(ar);
    snprintf(out->content_type, sizeof(out->content_type), "application/json");
    int n = snprintf(out->body, sizeof(out->body), "{\"response_token\":\"sha256=%s\"}", mac);
    out->len = (size_t)n;
    return 0;
}

/* A string id member (X ids overflow doubles, so only the string forms are trusted). */
static struct str
id_member(json_t *o, const char *name, struct arena *ar)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 32)
        return STR_NULL;
    const char *s = json_string_value(v);
    if (strspn(s, "0123456789") != json_string_length(v))
        return STR_NULL;
    return (struct str){ arena_strdup(ar, s), json_string_length(v) };
}

static struct str
text_member(json_t *o, const char *name, size_t max, struct arena *ar)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return STR_NULL;
    struct str s = { json_string_value(v), json_string_length(v) };
    if (s.len > max || !utf8_valid(s) || strlen(s.p) != s.len)
        return STR_NULL;
    return (struct str){ arena_strndup(ar, s.p, s.len), s.len };
}

static int
x_tweet(const struct channel *ch, json_t *tw, const char *me, struct arena *ar,
        struct inbound *in, struct errmsg *em)
{
    json_t *user = json_object_get(tw, "user");
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    in->public = true;
    in->external_id = id_member(tw, "id_str", ar);
    in->from_id = id_member(user, "id_str", ar);
    if (!in->external_id.len || !in->from_id.len)
        return errmsg_set(em, ERR_INVAL, "invalid post: want 'id_str' and 'user.id_str'");
    if (str_eq_c(in->from_id, me))
        return 0; /* the account's own post */
    in->from_name = text_member(user, "name", MODEL_NAME_MAX, ar);
    struct str sn = text_member(user, "screen_name", MODEL_NAME_MAX - 1, ar);
    if (sn.len)
        in->from_handle = str_c(arena_printf(ar, "@%.*s", (int)sn.len, sn.p));
    json_t *ext = json_object_get(tw, "extended_tweet");
    in->text = text_member(ext, "full_text", MODEL_TEXT_MAX, ar);
    if (!in->text.len)
        in->text = text_member(tw, "text", MODEL_TEXT_MAX, ar);
    if (!in->text.len)
        return errmsg_set(em, ERR_INVAL, "invalid post 'text': want UTF-8 text");
    in->reply_to = id_member(tw, "in_reply_to_status_id_str", ar);
    in->thread_id = id_member(tw, "conversation_id_str", ar);
    if (!in->thread_id.len)
        in->thread_id = id_member(tw, "conversation_id", ar);
    if (!in->thread_id.len && !in->reply_to.len)
        in->thread_id = in->external_id; /* a new post starts its own thread */
    const char *at = json_string_value(json_object_get(tw, "timestamp_ms"));
    int64_t ms;
    if (at && str_to_i64(str_c(at), 1, INT64_MAX, &ms) == 0)
        in->created_at = ms;
    return 1;
}

static int
x_dm(const struct channel *ch, json_t *ev, json_t *users, const char *me, struct arena *ar,
     struct inbound *in, struct errmsg *em)
{
    const char *type = json_string_value(json_object_get(ev, "type"));
    if (!type || strcmp(type, "message_create") != 0)
        return 0;
    json_t *mc = json_object_get(ev, "message_create");
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    in->external_id = id_member(ev, "id", ar);
    in->from_id = id_member(mc, "sender_id", ar);
    if (!in->external_id.len || !in->from_id.len)
        return errmsg_set(em, ERR_INVAL, "invalid DM: want 'id' and 'message_create.sender_id'");
    if (str_eq_c(in->from_id, me))
        return 0; /* an echo of the account's own DM */
    json_t *data = json_object_get(mc, "message_data");
    in->text = text_member(data, "text", MODEL_TEXT_MAX, ar);
    if (json_object_get(data, "attachment")) {
        in->text = str_c(arena_printf(ar, "%.*s%s[media]", (int)in->text.len,
                                      in->text.p ? in->text.p : "", in->text.len ? "\n" : ""));
    }
    if (!in->text.len)
        return errmsg_set(em, ERR_INVAL, "invalid DM 'message_data.text': want UTF-8 text");
    json_t *u = json_object_get(users, arena_str(ar, in->from_id));
    in->from_name = text_member(u, "name", MODEL_NAME_MAX, ar);
    struct str sn = text_member(u, "screen_name", MODEL_NAME_MAX - 1, ar);
    if (sn.len)
        in->from_handle = str_c(arena_printf(ar, "@%.*s", (int)sn.len, sn.p));
    in->thread_id = str_c(arena_printf(ar, "dm:%.*s", (int)in->from_id.len, in->from_id.p));
    in->public = false;
    const char *at = json_string_value(json_object_get(ev, "created_timestamp"));
    int64_t ms;
    if (at && str_to_i64(str_c(at), 1, INT64_MAX, &ms) == 0)
        in->created_at = ms;
    return 1;
}

static ssize_t
x_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
        struct inbound *out, size_t max, struct errmsg *em)
{
    json_error_t jerr;
    json_t *root = json_loadb(hook->body.p, hook->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return errmsg_set(em, ERR_INVAL, "malformed JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    ssize_t rc = 0;
    size_t n = 0;
    const char *me = chan__setting(ch, ar, "user_id");
    const char *for_user = json_string_value(json_object_get(root, "for_user_id"));
    if (!json_is_object(root) || !for_user) {
        rc = errmsg_set(em, ERR_INVAL, "invalid event: want an object with 'for_user_id'");
        goto out;
    }
    if (!me || strcmp(for_user, me) != 0)
        goto out; /* another subscribed account's activity: not this channel's */
    json_t *tweets = json_object_get(root, "tweet_create_events");
    json_t *dms = json_object_get(root, "direct_message_events");
    if ((tweets && !json_is_array(tweets)) || (dms && !json_is_array(dms))) {
        rc = errmsg_set(em, ERR_INVAL, "invalid event arrays: want arrays");
        goto out;
    }
    json_t *users = json_object_get(root, "users");
    size_t i;
    json_t *ev;
    json_array_foreach(tweets, i, ev) {
        if (n >= max)
            break;
        int r = x_tweet(ch, ev, me, ar, &out[n], em);
        if (r < 0) {
            rc = r;
            goto out;
        }
        n += (size_t)r;
    }
    json_array_foreach(dms, i, ev) {
        if (n >= max)
            break;
        int r = x_dm(ch, ev, users, me, ar, &out[n], em);
        if (r < 0) {
            rc = r;
            goto out;
        }
        n += (size_t)r;
    }
    rc = (ssize_t)n;
out:
    json_decref(root);
    return rc;
}

/* POSTs 'body' to 'path' under api_base with the bearer token and reads X's answer. Returns
 * the parsed answer on success (the caller releases it), else NULL with 'res' filled. */
static json_t *
x_post(const struct channel *ch, const char *path, json_t *body, struct chan_send_result *res)
{
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    const char *token = chan__setting(ch, ar, "access_token");
    const char *base = chan__setting(ch, ar, "api_base");
    if (!token || !base) {
        snprintf(res->error, sizeof(res->error), "x channel has no access_token");
        arena_free(ar);
        return NULL;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    struct fetch_header hdrs[] = {
        { "Content-Type", "application/json" },
        { "Authorization", arena_printf(ar, "Bearer %s", token) },
    };
    struct fetch_request req = { .method = "POST", .url = arena_printf(ar, "%s%s", base, path),
                                 .headers = hdrs, .nheaders = COUNTOF(hdrs),
                                 .body = str_c(text), .timeout_ms = 15000,
                                 .max_response = 256 * 1024 };
    struct fetch_response resp;
    int rc = fetch_do(&req, &resp);
    bool sent = chan__http_outcome(rc, &resp, "x", res);
    json_t *ans = resp.status ? json_loadb(resp.body.p, resp.body.len, 0, NULL) : NULL;
    if (!sent) {
        if (resp.status == 429 && res->retry_after_ms < 0)
            res->retry_after_ms = resp.rate_reset_ms;
        /* v2 problems carry 'detail'; v1.1-style errors an 'errors' array. */
        const char *why = json_string_value(json_object_get(ans, "detail"));
        if (!why)
            why = json_string_value(json_object_get(ans, "title"));
        if (!why)
            why = json_string_value(
                json_object_get(json_array_get(json_object_get(ans, "errors"), 0), "message"));
        if (why)
            snprintf(res->error, sizeof(res->error), "x: %.200s (HTTP %ld)", why, resp.status);
        json_decref(ans);
        ans = NULL;
    }
    fetch_response_release(&resp);
    free(text);
    arena_free(ar);
    return ans;
}

static int
x_dm_send(const struct channel *ch, const char *to, const char *text,
          struct chan_send_result *res)
{
    char path[128];
    snprintf(path, sizeof(path), "/2/dm_conversations/with/%s/messages", to);
    json_t *body = json_pack("{s:s}", "text", text);
    json_t *ans = x_post(ch, path, body, res);
    json_decref(body);
    if (!ans)
        return ERR_UPSTREAM;
    const char *id = json_string_value(json_object_get(json_object_get(ans, "data"),
                                                       "dm_event_id"));
    if (id)
        snprintf(res->external_id, sizeof(res->external_id), "%s", id);
    snprintf(res->recipient_id, sizeof(res->recipient_id), "%s", to);
    json_decref(ans);
    return 0;
}

static bool
digits(const char *s)
{
    return s && s[0] && strlen(s) <= 32 && strspn(s, "0123456789") == strlen(s);
}

static void
x_send(const struct channel *ch, const struct outbox_item *item, struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    if (!item->public) {
        if (!digits(item->recipient)) {
            snprintf(res->error, sizeof(res->error), "x: the customer has no X user id");
            return;
        }
        x_dm_send(ch, item->recipient, item->text, res);
        return;
    }
    if (utf8_len(str_c(item->text)) > 280) {
        snprintf(res->error, sizeof(res->error), "x: a post holds at most 280 characters");
        return;
    }
    json_t *body = json_pack("{s:s}", "text", item->text);
    if (digits(item->reply_to))
        json_object_set_new(body, "reply", json_pack("{s:s}", "in_reply_to_tweet_id",
                                                     item->reply_to));
    json_t *ans = x_post(ch, "/2/tweets", body, res);
    json_decref(body);
    const char *id = json_string_value(json_object_get(json_object_get(ans, "data"), "id"));
    if (id)
        snprintf(res->external_id, sizeof(res->external_id), "%s", id);
    json_decref(ans);
}

static int
x_private_reply(const struct channel *ch, const struct outbox_item *item,
                struct chan_send_result *res, char *dm_thread, size_t n)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    if (!digits(item->recipient)) {
        snprintf(res->error, sizeof(res->error), "x: the customer has no X user id");
        return ERR_UPSTREAM;
    }
    int rc = x_dm_send(ch, item->recipient, item->text, res);
    if (rc < 0)
        return rc;
    snprintf(dm_thread, n, "dm:%s", item->recipient);
    return 0;
}

const struct chan_ops chan_x_ops = {
    .type = "x",
    .max_text = 280,
    .settings = x_settings,
    .verify = x_verify,
    .parse = x_parse,
    .send = x_send,
    .handshake = x_handshake,
    .private_reply = x_private_reply,
};
