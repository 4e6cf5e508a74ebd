/* SPDX-License-Identifier: MIT */
/*
 * chan_mastodon.c - Mastodon: replies posted on the status itself, and mentions of the brand's
 * account (replies to its posts included) fetched as conversations.
 *
 * The channel holds the instance's base URL and an access token (scopes read:statuses,
 * read:notifications, write:statuses). A reply is POST /api/v1/statuses with in_reply_to_id
 * and the visibility of the status answered (a followers-only or direct status is never
 * answered in public), sent with the outbox's Idempotency-Key so a retried reply is posted
 * once. The status answered is looked up first: by its local id (GET /api/v1/statuses/:id) or,
 * for a converted listening mention that carries the status URI, through the instance's search
 * (GET /api/v2/search?resolve=true&type=statuses), which gives its id on this instance.
 *
 * Inbound: a poll of /api/v1/notifications?types[]=mention&min_id=<cursor> (the cursor is
 * the newest notification id seen; ids compare as numbers). Each mention becomes a message with
 * the status id as its dedupe key and reply_to its in_reply_to_id, so a reply to one of Hark's
 * replies lands in that conversation; a direct status becomes a private message. Content is
 * HTML and is reduced to text. Errors: 429 (X-RateLimit-Reset) and 5xx are retried by the
 * outbox; other 4xx fail with the instance's own "error" text.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/html.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

#define MASTO_MAX_CHARS 500

static const struct chan__field masto_fields[] = {
    { .name = "instance_url", .required = true, .schemes = "http,https", .max = 300 },
    { .name = "access_token", .required = true, .max = 2000 },
};

static int
masto_settings(const char *settings, char **out, struct errmsg *em)
{
    return chan__settings_check(settings, "mastodon", masto_fields, COUNTOF(masto_fields), out,
                                em);
}

struct call {
    int rc;
    long status;
    json_t *ans;
    int64_t retry_ms;
    char transport[160];
};

/* One REST call: 'form' is an application/x-www-form-urlencoded body (a POST), or NULL for a
 * GET of 'path' (which may carry a query string). 'idem' may be NULL. */
static void
masto_call(const struct channel *ch, struct arena *ar, const char *path, const char *form,
           const char *idem, struct call *c)
{
    memset(c, 0, sizeof(*c));
    c->retry_ms = -1;
    const char *base = chan__setting(ch, ar, "instance_url");
    const char *token = chan__setting(ch, ar, "access_token");
    if (!base || !token) {
        c->rc = ERR_INVAL;
        snprintf(c->transport, sizeof(c->transport), "no instance_url or access_token");
        return;
    }
    struct fetch_header hdrs[3];
    size_t nh = 0;
    hdrs[nh++] = (struct fetch_header){ "Authorization", arena_printf(ar, "Bearer %s", token) };
    if (form)
        hdrs[nh++] = (struct fetch_header){ "Content-Type",
                                            "application/x-www-form-urlencoded" };
    if (idem && idem[0])
        hdrs[nh++] = (struct fetch_header){ "Idempotency-Key", idem };
    struct fetch_request req = { .method = form ? "POST" : "GET",
                                 .url = arena_printf(ar, "%s%s", base, path), .headers = hdrs,
                                 .nheaders = nh, .body = form ? str_c(form) : STR_NULL,
                                 .timeout_ms = 15000, .max_response = 1024 * 1024 };
    struct fetch_response resp;
    c->rc = fetch_do(&req, &resp);
    c->status = resp.status;
    c->retry_ms = resp.rate_reset_ms >= 0 ? resp.rate_reset_ms : resp.retry_after_ms;
    snprintf(c->transport, sizeof(c->transport), "%s", resp.error);
    if (resp.status)
        c->ans = json_loadb(resp.body.p, resp.body.len, 0, NULL);
    fetch_response_release(&resp);
}

static bool
call_ok(const struct call *c)
{
    return c->rc == 0 && c->status >= 200 && c->status < 300 && c->ans;
}

static void
call_fail(const struct call *c, const char *what, struct chan_send_result *res)
{
    const char *why = json_string_value(json_object_get(c->ans, "error"));
    if (c->rc == ERR_INVAL) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "mastodon: %s", c->transport[0] ? c->transport
                 : "instance_url is not an http or https URL");
    } else if (c->status == 0 || c->status == 408 || c->status == 429 || c->status >= 500) {
        res->state = CHAN_RETRY;
        res->retry_after_ms = c->retry_ms;
        if (c->status)
            snprintf(res->error, sizeof(res->error), "mastodon: %s: HTTP %ld", what, c->status);
        else
            snprintf(res->error, sizeof(res->error), "mastodon unreachable: %s", c->transport);
    } else if (c->status == 401) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "mastodon: the access token was refused "
                 "(%.100s): check the channel's settings", why ? why : "HTTP 401");
    } else {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "mastodon: %s: %.150s (HTTP %ld)", what,
                 why ? why : "refused", c->status);
    }
}

static bool
digits(const char *s)
{
    return s && s[0] && strlen(s) <= 32 && strspn(s, "0123456789") == strlen(s);
}

static bool
web_url(const char *s)
{
    return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
           strlen(s) < 1024;
}

/* The status answered, as this instance knows it: '*id' and '*visibility' (in 'ar'). 0, or
 * an error with 'res' filled. */
static int
lookup(const struct channel *ch, struct arena *ar, const char *ref, const char **id,
       const char **visibility, struct chan_send_result *res)
{
    struct call c;
    json_t *st;
    if (digits(ref)) {
        masto_call(ch, ar, arena_printf(ar, "/api/v1/statuses/%s", ref), NULL, NULL, &c);
        st = c.ans;
    } else {
        struct buf q;
        buf_init(&q, 4096);
        chan__form_add(&q, "q", ref);
        chan__form_add(&q, "resolve", "true");
        chan__form_add(&q, "type", "statuses");
        chan__form_add(&q, "limit", "1");
        masto_call(ch, ar, arena_printf(ar, "/api/v2/search?%s", q.p), NULL, NULL, &c);
        buf_release(&q);
        st = json_array_get(json_object_get(c.ans, "statuses"), 0);
    }
    int rc = 0;
    const char *sid = json_string_value(json_object_get(st, "id"));
    if (c.status == 404 || (call_ok(&c) && !digits(sid))) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "mastodon: the status being answered is gone "
                 "(deleted, or not visible to the brand's account)");
        rc = ERR_NOTFOUND;
    } else if (!call_ok(&c)) {
        call_fail(&c, "looking up the status answered", res);
        rc = ERR_UPSTREAM;
    } else {
        *id = arena_strdup(ar, sid);
        const char *v = json_string_value(json_object_get(st, "visibility"));
        *visibility = arena_strdup(ar, v && (strcmp(v, "public") == 0 ||
                                             strcmp(v, "unlisted") == 0 ||
                                             strcmp(v, "private") == 0 ||
                                             strcmp(v, "direct") == 0) ? v : "public");
    }
    json_decref(c.ans);
    return rc;
}

static void
masto_send(const struct channel *ch, const struct outbox_item *item,
           struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    if (utf8_len(str_c(item->text)) > MASTO_MAX_CHARS) {
        snprintf(res->error, sizeof(res->error), "mastodon: a status holds at most 500 "
                 "characters");
        return;
    }
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    const char *ref = digits(item->reply_to) || web_url(item->reply_to) ? item->reply_to
                      : web_url(item->thread_key) ? item->thread_key : NULL;
    if (!ref) {
        snprintf(res->error, sizeof(res->error), "mastodon: this conversation has no Mastodon "
                 "status to answer");
        arena_free(ar);
        return;
    }
    const char *id = NULL, *visibility = item->public ? "public" : "direct";
    if (ref && lookup(ch, ar, ref, &id, &visibility, res) < 0) {
        arena_free(ar);
        return;
    }
    struct buf form;
    buf_init(&form, 64 * 1024);
    chan__form_add(&form, "status", item->text);
    if (id)
        chan__form_add(&form, "in_reply_to_id", id);
    chan__form_add(&form, "visibility", visibility);
    struct call c;
    masto_call(ch, ar, "/api/v1/statuses", form.p, item->idempotency_key, &c);
    buf_release(&form);
    if (call_ok(&c)) {
        const char *sid = json_string_value(json_object_get(c.ans, "id"));
        res->state = CHAN_SENT;
        if (digits(sid))
            snprintf(res->external_id, sizeof(res->external_id), "%s", sid);
    } else {
        call_fail(&c, "the reply was refused", res);
    }
    json_decref(c.ans);
    arena_free(ar);
}

/* Whether numeric id 'a' is greater than 'b' (both digit strings; "" is the least). */
static bool
id_after(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? la > lb : strcmp(a, b) > 0;
}

static struct str
jstr(json_t *o, const char *name, size_t max, struct arena *ar)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max)
        return STR_NULL;
    struct str s = { json_string_value(v), json_string_length(v) };
    if (!utf8_valid(s) || strlen(s.p) != s.len)
        return STR_NULL;
    return (struct str){ arena_strndup(ar, s.p, s.len), s.len };
}

static ssize_t
masto_poll(const struct channel *ch, char *cursor, size_t cursor_len, struct arena *ar,
           struct inbound *out, size_t max, struct errmsg *em)
{
    struct buf q;
    buf_init(&q, 512);
    chan__form_add(&q, "types[]", "mention");
    if (digits(cursor))
        chan__form_add(&q, "min_id", cursor); /* the page right after it: no gap */
    char lim[16];
    snprintf(lim, sizeof(lim), "%zu", max < 40 ? max : 40);
    chan__form_add(&q, "limit", lim);
    struct call c;
    masto_call(ch, ar, arena_printf(ar, "/api/v1/notifications?%s", q.p), NULL, NULL, &c);
    buf_release(&q);
    if (!call_ok(&c) || !json_is_array(c.ans)) {
        struct chan_send_result res = { 0 };
        call_fail(&c, "reading notifications", &res);
        int rc = c.status ? ERR_UPSTREAM : ERR_TIMEOUT;
        json_decref(c.ans);
        return errmsg_set(em, rc, "%s", res.error);
    }
    char newest[64];
    snprintf(newest, sizeof(newest), "%s", digits(cursor) ? cursor : "");
    size_t n = 0, i;
    json_t *it;
    json_array_foreach(c.ans, i, it) {
        const char *nid = json_string_value(json_object_get(it, "id"));
        const char *type = json_string_value(json_object_get(it, "type"));
        if (!digits(nid) || !type || strcmp(type, "mention") != 0 || n >= max)
            continue;
        if (id_after(nid, newest))
            snprintf(newest, sizeof(newest), "%s", nid);
        json_t *st = json_object_get(it, "status");
        json_t *acct = json_object_get(st, "account");
        struct inbound *in = &out[n];
        memset(in, 0, sizeof(*in));
        in->channel_id = ch->id;
        in->channel_type = ch->type;
        in->external_id = jstr(st, "id", 32, ar);
        in->from_id = jstr(acct, "id", 32, ar);
        struct str html = jstr(st, "content", MODEL_TEXT_MAX, ar);
        if (!digits(in->external_id.p) || !in->from_id.len || !html.len)
            continue;
        struct buf text;
        buf_init(&text, MODEL_TEXT_MAX);
        if (html_text(&text, html, 0) < 0 || !text.len) {
            buf_release(&text);
            continue;
        }
        in->text = str_c(arena_strndup(ar, text.p, text.len));
        buf_release(&text);
        in->from_name = jstr(acct, "display_name", MODEL_NAME_MAX, ar);
        struct str h = jstr(acct, "acct", MODEL_NAME_MAX - 1, ar);
        if (h.len)
            in->from_handle = str_c(arena_printf(ar, "@%s", h.p));
        const char *vis = json_string_value(json_object_get(st, "visibility"));
        in->public = !vis || strcmp(vis, "direct") != 0;
        struct str parent = jstr(st, "in_reply_to_id", 32, ar);
        if (parent.len && digits(parent.p))
            in->reply_to = parent;
        if (!in->public)
            in->thread_id = str_c(arena_printf(ar, "dm:%s", in->from_id.p));
        int64_t ms;
        struct str ca = jstr(st, "created_at", 64, ar);
        if (ca.len && clock_parse_iso(ca, &ms) == 0)
            in->created_at = ms;
        n++;
    }
    json_decref(c.ans);
    snprintf(cursor, cursor_len, "%s", newest);
    return (ssize_t)n;
}

const struct chan_ops chan_mastodon_ops = {
    .type = "mastodon",
    .max_text = MASTO_MAX_CHARS,
    .settings = masto_settings,
    .send = masto_send,
    .poll = masto_poll,
};
