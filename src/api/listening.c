/* SPDX-License-Identifier: MIT */
/*
 * listening.c - the /api/v1/listening endpoints: queries (admins write, everyone reads),
 * mentions with filters and paging, turning a mention into a care conversation, spike alerts,
 * firehose sources, and the HTTP POST variant of the JSON-lines source. The matching itself
 * runs in watch/watch.c; every query or source change here asks it to reload.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "listen/listen.h"
#include "store/store.h"

#define NAME_MAX_BYTES 100
#define Q_MAX 200
#define SPEC_MAX 1024
#define TOKEN_MAX 1024

static int
bad_query_arg(struct http_req *r, const char *name, const char *want)
{
    char msg[160];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error(r, ERR_INVAL, msg);
    return ERR_INVAL;
}

/* 422 {"error":{"code":"invalid_field","message","field"}}, plus "column" (in characters,
 * from 1) when 'column' > 0: the web app shows the message next to that field. */
static int
field_error(struct http_req *r, const char *field, const char *msg, size_t column)
{
    json_t *e = json_pack("{s:s,s:s,s:s}", "code", "invalid_field", "message", msg, "field",
                          field);
    if (column > 0)
        json_object_set_new(e, "column", json_integer((json_int_t)column));
    api__reply(r, 422, json_pack("{s:o}", "error", e));
    return ERR_INVAL;
}

static int
bad_field(struct http_req *r, const char *field, const char *msg)
{
    return field_error(r, field, msg, 0);
}

/* Optional boolean member 'name': -1 absent, 0 or 1. < 0 after replying 422. */
static int
opt_bool_or_reply(struct http_req *r, json_t *body, const char *name, int *out)
{
    json_t *v = json_object_get(body, name);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        char msg[80];
        snprintf(msg, sizeof(msg), "invalid '%s': want true or false", name);
        return bad_field(r, name, msg);
    }
    *out = json_is_true(v);
    return 0;
}

/* The column (in characters, from 1) of byte offset 'pos' in 'text'. */
static size_t
column_of(const char *text, size_t pos)
{
    size_t col = 1;
    for (size_t i = 0; i < pos && text[i]; i++)
        col += ((unsigned char)text[i] & 0xC0) != 0x80;
    return col;
}

/* ---- queries ---------------------------------------------------------------------------- */

static json_t *
query_json(const struct listen_query_row *q)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(q->id));
    json_object_set_new(o, "name", json_string(q->name ? q->name : ""));
    json_object_set_new(o, "query", json_string(q->text ? q->text : ""));
    json_object_set_new(o, "active", json_boolean(q->active));
    json_object_set_new(o, "created_at", codec_time(q->created_at));
    json_object_set_new(o, "updated_at", codec_time(q->updated_at));
    return o;
}

/* Checks a query text: 422 on 'query' naming the column and the problem, as
 * docs/listening.md shows, with the column also as a number. */
static int
query_text_or_reply(struct http_req *r, const char *text)
{
    struct errmsg em = { 0 };
    size_t pos = 0;
    int rc = listen_query_check(str_c(text), &em, &pos);
    size_t column = rc < 0 ? column_of(text, pos) : 0;
    if (rc == 0) {
        /* The parser accepts it; make sure the matcher compiles it too. */
        struct listen_query q = { .id = STR_LIT("check"), .text = str_c(text) };
        struct listen_matcher *m = NULL;
        rc = listen_matcher_new(&q, 1, &m, &em);
        listen_matcher_unref(m);
    }
    if (rc == 0)
        return 0;
    char msg[400];
    snprintf(msg, sizeof(msg), "invalid 'query': %s", em.set ? em.text : err_str(rc));
    field_error(r, "query", msg, column);
    return rc;
}

/* Reads "name", "query" and "active" from 'body'; each may be absent when 'partial'. */
static int
query_fields_or_reply(struct http_req *r, json_t *body, bool partial, const char **name,
                      const char **text, int *active)
{
    if (api__opt_string_or_reply(r, body, "name", NAME_MAX_BYTES, name) < 0 ||
        api__opt_string_or_reply(r, body, "query", LISTEN_QUERY_MAX, text) < 0)
        return ERR_INVAL;
    json_t *act = json_object_get(body, "active");
    *active = -1;
    if (act && !json_is_boolean(act))
        return bad_field(r, "active", "invalid 'active': want true or false");
    if (act)
        *active = json_is_true(act);
    if (!partial && (!*text || !**text))
        return bad_field(r, "query", "invalid 'query': want 1..4096 bytes of query text");
    if (*name && !**name)
        return bad_field(r, "name", "invalid 'name': want 1..100 bytes");
    if (*text && query_text_or_reply(r, *text) < 0)
        return ERR_INVAL;
    return 0;
}

void
api__lq_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct listen_query_row *rows;
    size_t n;
    int rc = store_listen_query_list(a->st, http_arena(r), false, 0, &rows, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list queries");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, query_json(&rows[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", arr));
}

static void
reply_query(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct listen_query_row q;
    int rc = store_listen_query_get(a->st, http_arena(r), id, &q);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such query" : "cannot read query");
        return;
    }
    api__reply(r, status, query_json(&q));
}

void
api__lq_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *name, *text;
    int active;
    if (query_fields_or_reply(r, body, false, &name, &text, &active) < 0)
        return;
    int64_t id;
    int rc = watch_query_add(care_watch(a->care), a->st, name ? name : text, text, active != 0,
                             &id);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot store query");
        return;
    }
    reply_query(r, a, id, 201);
}

void
api__lq_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_query(r, a, id, 200);
}

void
api__lq_patch(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *name, *text;
    int active;
    if (query_fields_or_reply(r, body, true, &name, &text, &active) < 0)
        return;
    if (text && !*text) {
        bad_field(r, "query", "invalid 'query': want 1..4096 bytes of query text");
        return;
    }
    int rc = watch_query_update(care_watch(a->care), a->st, id, name, text, active);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such query" : "cannot update query");
        return;
    }
    reply_query(r, a, id, 200);
}

void
api__lq_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = watch_query_delete(care_watch(a->care), a->st, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such query" : "cannot delete query");
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}

/* POST /api/v1/listening/queries/test: the query (as for create; nothing is stored) matched
 * with the real matcher against the posts the listening service saw last (watch_test). */
void
api__lq_test(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *name, *text;
    int active;
    int64_t examples = 10;
    if (api__opt_string_or_reply(r, body, "name", NAME_MAX_BYTES, &name) < 0 ||
        api__opt_string_or_reply(r, body, "query", LISTEN_QUERY_MAX, &text) < 0 ||
        opt_bool_or_reply(r, body, "active", &active) < 0)
        return;
    json_t *ev = json_object_get(body, "examples");
    if (ev && (!json_is_integer(ev) || json_integer_value(ev) < 0 ||
               json_integer_value(ev) > WATCH_TEST_EXAMPLES_MAX)) {
        bad_field(r, "examples", "invalid 'examples': want 0..50");
        return;
    }
    if (ev)
        examples = json_integer_value(ev);
    if (!text || !*text) {
        bad_field(r, "query", "invalid 'query': want 1..4096 bytes of query text");
        return;
    }
    struct arena *ar = http_arena(r);
    struct watch_test_result res;
    struct errmsg em = { 0 };
    size_t pos = 0;
    int rc = watch_test(care_watch(a->care), ar, text, (size_t)examples, &res, &em, &pos);
    if (rc == ERR_INVAL || rc == ERR_TOOBIG) {
        char msg[400];
        snprintf(msg, sizeof(msg), "invalid 'query': %s", em.set ? em.text : err_str(rc));
        field_error(r, "query", msg, column_of(text, pos));
        return;
    }
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot test the query");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < res.nexamples; i++) {
        const struct watch_test_example *x = &res.examples[i];
        json_t *terms = json_array();
        for (size_t k = 0; k < x->nterms; k++)
            json_array_append_new(terms, json_string(x->terms[k]));
        json_t *o = json_object();
        json_object_set_new(o, "platform", json_string(x->platform));
        json_object_set_new(o, "id", json_string(x->id));
        json_object_set_new(o, "author", json_string(x->author));
        json_object_set_new(o, "text", json_string(x->text));
        json_object_set_new(o, "text_cut", json_boolean(x->text_cut));
        json_object_set_new(o, "url", *x->url ? json_string(x->url) : json_null());
        json_object_set_new(o, "lang", *x->lang ? json_string(x->lang) : json_null());
        json_object_set_new(o, "created_at", codec_time(x->created_ms));
        json_object_set_new(o, "seen_at", codec_time(x->seen_ms));
        json_object_set_new(o, "terms", terms);
        json_array_append_new(arr, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "scanned", json_integer((json_int_t)res.scanned));
    json_object_set_new(out, "matched", json_integer((json_int_t)res.matched));
    json_object_set_new(out, "oldest_seen_at", codec_time(res.oldest_ms));
    json_object_set_new(out, "newest_seen_at", codec_time(res.newest_ms));
    json_object_set_new(out, "examples", arr);
    api__reply(r, 200, out);
}

/* ---- mentions ----------------------------------------------------------------------------- */

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static bool
plain_word(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A BCP 47-ish language tag: 2-8 letters, then '-' and letters or digits, at most 35 bytes. */
static bool
lang_ok(const char *s)
{
    size_t n = strlen(s), i = 0;
    if (n < 2 || n > 35)
        return false;
    for (; i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')); i++)
        ;
    if (i < 2 || i > 8)
        return false;
    for (; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    return true;
}

void
api__mentions_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct mention_filter f = { .limit = 50 };
    int64_t n = 0;
    const char *v;
    if (api__query_int_or_reply(r, "query", 1, INT64_MAX, &f.query_id) < 0 ||
        api__query_int_or_reply(r, "limit", 1, 200, &n) < 0 ||
        api__query_int_or_reply(r, "cursor", 1, INT64_MAX, &f.cursor) < 0 ||
        api__query_int_or_reply(r, "alert", 1, INT64_MAX, &f.alert_id) < 0)
        return;
    if (n)
        f.limit = (int)n;
    if ((v = http_query(r, "intent"))) {
        if (!plain_word(v, 32)) {
            bad_query_arg(r, "intent", "an intent name");
            return;
        }
        f.intent = v;
    }
    if ((v = http_query(r, "sentiment"))) {
        if (strcmp(v, "negative") && strcmp(v, "neutral") && strcmp(v, "positive")) {
            bad_query_arg(r, "sentiment", "negative, neutral or positive");
            return;
        }
        f.sentiment = v;
    }
    if ((v = http_query(r, "opportunity"))) {
        if (strcmp(v, "true") && strcmp(v, "false")) {
            bad_query_arg(r, "opportunity", "true or false");
            return;
        }
        f.opportunity = strcmp(v, "true") == 0;
    }
    if ((v = http_query(r, "q"))) {
        if (strlen(v) > Q_MAX || !utf8_valid(str_c(v))) {
            bad_query_arg(r, "q", "at most 200 bytes of text");
            return;
        }
        f.q = v;
    }
    if ((v = http_query(r, "lang"))) {
        if (!lang_ok(v)) {
            bad_query_arg(r, "lang", "a language code like en or pt-BR");
            return;
        }
        f.lang = v;
    }
    if ((v = http_query(r, "platform"))) {
        if (!plain_word(v, 32)) {
            bad_query_arg(r, "platform", "a platform name like bluesky or mastodon");
            return;
        }
        f.platform = v;
    }
    if ((v = http_query(r, "addressed"))) {
        if (strcmp(v, "true") && strcmp(v, "false")) {
            bad_query_arg(r, "addressed", "true or false");
            return;
        }
        f.addressed = strcmp(v, "true") == 0 ? 1 : -1;
    }
    if ((v = http_query(r, "dismissed"))) {
        if (strcmp(v, "true") && strcmp(v, "false")) {
            bad_query_arg(r, "dismissed", "true or false");
            return;
        }
        f.dismissed = strcmp(v, "true") == 0 ? 1 : -1;
    }
    struct mention *items;
    size_t count;
    int64_t next;
    int rc = store_mention_list(a->st, http_arena(r), &f, &items, &count, &next);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list mentions");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        /* The mention.created event's object (model/codec.c); NULL only for text that is
         * not valid UTF-8, which ingest never stores. */
        json_t *o = codec_mention(&items[i]);
        if (!o) {
            json_decref(arr);
            http_reply_error(r, ERR_IO, "cannot encode a mention");
            return;
        }
        json_array_append_new(arr, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "items", arr);
    json_object_set_new(out, "next_cursor", next ? json_sprintf("%lld", (long long)next)
                                                 : json_null());
    api__reply(r, 200, out);
}

void
api__mention_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct mention m;
    int rc = store_mention_get(a->st, http_arena(r), id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such mention" : "cannot read mention");
        return;
    }
    json_t *o = codec_mention(&m);
    if (!o) {
        http_reply_error(r, ERR_IO, "cannot encode the mention");
        return;
    }
    api__reply(r, 200, o);
}

/* POST /mentions/{id}/dismiss sets a mention aside; DELETE brings it back. Both answer the
 * mention as it is after (200), dismissing twice keeps the first time. */
static void
mention_dismiss(struct http_req *r, struct api *a, bool dismiss)
{
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    const struct auth_principal *p = api__principal(r);
    struct mention m;
    int rc = store_mention_dismiss(a->st, http_arena(r), id, p ? p->agent_id : 0, dismiss, &m);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such mention"
                                                   : "cannot change the mention");
        return;
    }
    json_t *o = codec_mention(&m);
    if (!o) {
        http_reply_error(r, ERR_IO, "cannot encode the mention");
        return;
    }
    api__reply(r, 200, o);
}

void
api__mention_dismiss(struct http_req *r, void *ctx)
{
    mention_dismiss(r, ctx, true);
}

void
api__mention_undismiss(struct http_req *r, void *ctx)
{
    mention_dismiss(r, ctx, false);
}

/*
 * Turns a mention into a care conversation: the post goes through the ordinary ingest path
 * (care_ingest) into the channel the caller names (the channel the brand answers that platform
 * from), as a public thread keyed by the post id, so it is triaged, routed and gets SLA clocks
 * like any inbound message. Converting twice returns the same conversation.
 */
void
api__mention_convert(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    json_t *chv = json_object_get(body, "channel_id");
    if (!json_is_integer(chv) || json_integer_value(chv) <= 0) {
        bad_field(r, "channel_id",
                  "invalid 'channel_id': want the id of the channel to answer from");
        return;
    }
    struct arena *ar = http_arena(r);
    struct mention m;
    int rc = store_mention_get(a->st, ar, id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such mention" : "cannot read mention");
        return;
    }
    if (m.conversation_id) {
        api__reply(r, 200, json_pack("{s:I,s:b,s:o?}", "conversation_id",
                                     (json_int_t)m.conversation_id, "duplicate", 1, "mention",
                                     codec_mention(&m)));
        return;
    }
    struct channel ch;
    rc = store_channel_get(a->st, ar, json_integer_value(chv), &ch);
    if (rc == ERR_NOTFOUND) {
        bad_field(r, "channel_id", "invalid 'channel_id': no such channel");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read channel");
        return;
    }
    /* A Bluesky or Mastodon channel answers on the post itself: only its own platform's. */
    if ((strcmp(ch.type, "bluesky") == 0 || strcmp(ch.type, "mastodon") == 0) &&
        strcmp(ch.type, m.platform ? m.platform : "") != 0) {
        bad_field(r, "channel_id", arena_printf(ar, "invalid 'channel_id': a %s channel answers "
                                                    "only %s posts; this one is from %s",
                                                ch.type, ch.type,
                                                m.platform ? m.platform : "elsewhere"));
        return;
    }
    const char *author = m.author_handle && *m.author_handle ? m.author_handle : "unknown";
    struct inbound in = {
        .channel_id = ch.id,
        .channel_type = ch.type,
        .external_id = str_c(m.external_id),
        .from_id = str_c(author),
        .from_name = m.author_name ? str_c(m.author_name) : STR_NULL,
        .from_handle = str_c(author),
        .text = str_c(m.text),
        .thread_id = str_c(m.external_id),
        .public = true,
        .created_at = m.created_at,
    };
    if (m.intent) {
        in.lang = m.lang ? m.lang : "und";
        in.intent = m.intent;
        in.intent_conf = m.intent_conf;
        in.sentiment = m.sentiment;
        in.sentiment_score = m.sentiment_score;
        in.urgency = m.urgency >= 0 ? m.urgency : 0;
        in.urgency_reasons = m.urgency_reasons;
    }
    /* Through care_ingest, like a webhook: triage (the mention's is the fallback without models),
     * store, then routing and the SLA clocks of a new conversation. */
    struct ingest_result res;
    rc = care_mention_convert(a->care, ar, id, &in, &res);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot create the conversation");
        return;
    }
    m.conversation_id = res.conversation_id;
    api__reply(r, 201, json_pack("{s:I,s:I,s:b,s:o?}", "conversation_id",
                                 (json_int_t)res.conversation_id, "message_id",
                                 (json_int_t)res.message_id, "duplicate", 0, "mention",
                                 codec_mention(&m)));
}

/* ---- spike alerts ------------------------------------------------------------------------ */

void
api__alerts_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t q = 0, limit = 0, cursor = 0;
    if (api__query_int_or_reply(r, "query", 1, INT64_MAX, &q) < 0 ||
        api__query_int_or_reply(r, "limit", 1, 200, &limit) < 0 ||
        api__query_int_or_reply(r, "cursor", 1, INT64_MAX, &cursor) < 0)
        return;
    struct spike_alert_row *rows;
    size_t n;
    int lim = limit ? (int)limit : 50;
    int rc = store_spike_list(a->st, http_arena(r), q, lim, cursor, &rows, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list alerts");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct spike_alert_row *s = &rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(s->id));
        json_object_set_new(o, "query_id", json_integer(s->query_id));
        json_object_set_new(o, "kind", json_string(s->kind));
        json_object_set_new(o, "window_start", codec_time(s->window_start));
        json_object_set_new(o, "window_end", codec_time(s->window_end));
        json_object_set_new(o, "volume", json_integer(s->volume));
        json_object_set_new(o, "baseline", json_real(s->baseline));
        json_object_set_new(o, "negative_share", json_real(s->negative_share));
        json_object_set_new(o, "baseline_negative_share", json_real(s->baseline_negative_share));
        json_t *posts = codec_parse_array(s->posts);
        json_object_set_new(o, "posts", posts ? posts : json_array());
        json_object_set_new(o, "created_at", codec_time(s->created_at));
        json_array_append_new(arr, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "items", arr);
    json_object_set_new(out, "next_cursor", n == (size_t)lim && n
                                                ? json_sprintf("%lld", (long long)rows[n - 1].id)
                                                : json_null());
    api__reply(r, 200, out);
}

/* ---- HTTP ingest ------------------------------------------------------------------------- */

void
api__listen_ingest(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct str body = http_body(r);
    struct watch_ingest_result res;
    struct errmsg em = { 0 };
    int rc = watch_ingest(care_watch(a->care), body, &res, &em);
    if (rc < 0) {
        http_reply_error(r, rc, em.set ? em.text : "cannot ingest");
        return;
    }
    api__reply(r, 200, json_pack("{s:I,s:I,s:I,s:I,s:I}", "lines", (json_int_t)res.lines, "posts",
                                 (json_int_t)res.posts, "matched", (json_int_t)res.matched,
                                 "stored", (json_int_t)res.stored, "duplicates",
                                 (json_int_t)res.duplicates));
}

/* ---- sources ---------------------------------------------------------------------------- */

static json_t *
source_json(struct api *a, const struct listen_source_row *s)
{
    struct watch_source_status st;
    watch_source_status(care_watch(a->care), s->id, &st);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "spec", json_string(s->spec));
    json_object_set_new(o, "tls", json_boolean(s->tls));
    json_object_set_new(o, "active", json_boolean(s->active));
    json_object_set_new(o, "has_token", json_boolean(s->token && *s->token));
    json_object_set_new(o, "cursor", str_or_null(s->cursor));
    json_object_set_new(o, "created_at", codec_time(s->created_at));
    json_t *status = json_object();
    json_object_set_new(status, "running", json_boolean(st.running));
    json_object_set_new(status, "posts", json_integer((json_int_t)st.posts));
    json_object_set_new(status, "reconnects", json_integer((json_int_t)st.reconnects));
    json_object_set_new(status, "connected", json_boolean(st.connected_once));
    json_object_set_new(status, "failures", json_integer(st.failures));
    json_object_set_new(status, "cursor", st.cursor ? json_sprintf("%lld", (long long)st.cursor)
                                                    : json_null());
    json_object_set_new(status, "error", st.error[0] ? json_string(st.error) : json_null());
    json_object_set_new(o, "status", status);
    return o;
}

void
api__lsources_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct listen_source_row *rows;
    size_t n;
    int rc = store_listen_source_list(a->st, http_arena(r), 0, &rows, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list sources");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, source_json(a, &rows[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", arr));
}

static bool
spec_ok(const char *spec)
{
    if (strncmp(spec, "jetstream://", 12) != 0 && strncmp(spec, "mastodon://", 11) != 0)
        return false;
    for (const char *s = spec; *s; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
            return false;
    }
    return true;
}

static void
reply_source(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct listen_source_row s;
    int rc = store_listen_source_get(a->st, http_arena(r), id, &s);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such source" : "cannot read source");
        return;
    }
    api__reply(r, status, source_json(a, &s));
}

/* Checks a source's "spec" (with its "tls") the way the source thread will open it; no I/O.
 * < 0 after replying 422 on 'spec'. */
static int
spec_or_reply(struct http_req *r, const char *spec, bool tls)
{
    if (!spec || !spec_ok(spec))
        return bad_field(r, "spec", "invalid 'spec': want jetstream://HOST[:PORT][/PATH] or "
                                    "mastodon://HOST[:PORT][/PATH]");
    struct listen_source_opts o = { .tls = tls };
    struct listen_source *src = NULL;
    struct errmsg em = { 0 };
    if (listen_source_open(spec, &o, &src, &em) < 0) {
        /* "invalid source 'jetstream://': missing host": the field already names the source. */
        const char *why = strstr(em.text, "': ");
        char msg[320];
        snprintf(msg, sizeof(msg), "invalid 'spec': %s", why ? why + 3 : em.text);
        return bad_field(r, "spec", msg);
    }
    listen_source_free(src);
    return 0;
}

void
api__lsource_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *spec, *token;
    int tls, active;
    if (api__opt_string_or_reply(r, body, "spec", SPEC_MAX, &spec) < 0 ||
        api__opt_string_or_reply(r, body, "token", TOKEN_MAX, &token) < 0 ||
        opt_bool_or_reply(r, body, "tls", &tls) < 0 ||
        opt_bool_or_reply(r, body, "active", &active) < 0 || spec_or_reply(r, spec, tls == 1) < 0)
        return;
    struct listen_source_row *rows;
    size_t n;
    int rc = store_listen_source_list(a->st, http_arena(r), WATCH_SOURCES_MAX, &rows, &n);
    if (rc == 0 && n >= WATCH_SOURCES_MAX) {
        http_reply_error(r, ERR_CONFLICT, "at most 100 sources; delete one first");
        return;
    }
    int64_t id;
    rc = watch_source_add(care_watch(a->care), a->st, spec, tls == 1,
                          token && *token ? token : NULL, active != 0, &id);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot store source");
        return;
    }
    reply_source(r, a, id, 201);
}

/* Changes any of "active", "spec", "tls" and "token" ("" removes it); at least one. */
void
api__lsource_patch(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *spec, *token;
    int tls, active;
    if (api__opt_string_or_reply(r, body, "spec", SPEC_MAX, &spec) < 0 ||
        api__opt_string_or_reply(r, body, "token", TOKEN_MAX, &token) < 0 ||
        opt_bool_or_reply(r, body, "tls", &tls) < 0 ||
        opt_bool_or_reply(r, body, "active", &active) < 0)
        return;
    if (!spec && !token && tls < 0 && active < 0) {
        bad_field(r, "active", "nothing to change: want 'active', 'spec', 'tls' or 'token'");
        return;
    }
    struct listen_source_row cur;
    int rc = store_listen_source_get(a->st, http_arena(r), id, &cur);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such source" : "cannot read source");
        return;
    }
    if ((spec || tls >= 0) && spec_or_reply(r, spec ? spec : cur.spec, tls >= 0 ? tls == 1
                                                                                : cur.tls) < 0)
        return;
    rc = watch_source_update(care_watch(a->care), a->st, id, active, spec, tls, token);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such source" : "cannot update source");
        return;
    }
    reply_source(r, a, id, 200);
}

void
api__lsource_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = watch_source_delete(care_watch(a->care), a->st, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such source" : "cannot delete source");
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}

/* ---- saved views of the listening screen ------------------------------------------------ */

#define VIEW_NAME_MAX 80

/* The agent whose views these are: the signed-in agent, or the agent who made the API token.
 * 0 after replying 403 (a CLI token has no agent). */
static int64_t
view_owner_or_reply(struct http_req *r)
{
    const struct auth_principal *p = api__principal(r);
    int64_t id = p ? (p->agent_id ? p->agent_id : p->token_agent_id) : 0;
    if (!id)
        http_reply_error(r, ERR_PERM, "saved views belong to an agent; this token has none");
    return id;
}

/* Checks a view's "filters" object (the mention list's filters, by the same names and rules)
 * and returns it as compact JSON with sorted keys, or NULL after replying 422. */
static char *
view_filters_or_reply(struct http_req *r, json_t *f)
{
    if (!json_is_object(f)) {
        bad_field(r, "filters", "invalid 'filters': want an object of the mention list's filters");
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        char msg[200];
        bool ok;
        const char *want;
        if (strcmp(k, "query") == 0) {
            ok = json_is_integer(v) && json_integer_value(v) > 0;
            want = "a query id";
        } else if (strcmp(k, "intent") == 0) {
            ok = json_is_string(v) && plain_word(json_string_value(v), 32);
            want = "an intent name like complaint or purchase_intent";
        } else if (strcmp(k, "sentiment") == 0) {
            const char *t = json_string_value(v);
            ok = t && (!strcmp(t, "negative") || !strcmp(t, "neutral") || !strcmp(t, "positive"));
            want = "negative, neutral or positive";
        } else if (strcmp(k, "lang") == 0) {
            ok = json_is_string(v) && lang_ok(json_string_value(v));
            want = "a language code like en or pt-BR";
        } else if (strcmp(k, "platform") == 0) {
            ok = json_is_string(v) && plain_word(json_string_value(v), 32);
            want = "a platform name like bluesky or mastodon";
        } else if (strcmp(k, "q") == 0) {
            ok = json_is_string(v) && strlen(json_string_value(v)) <= Q_MAX;
            want = "at most 200 bytes of text";
        } else if (!strcmp(k, "opportunity") || !strcmp(k, "addressed") ||
                   !strcmp(k, "dismissed")) {
            ok = json_is_boolean(v);
            want = "true or false";
        } else {
            snprintf(msg, sizeof(msg),
                     "invalid 'filters': unknown filter '%.40s' (want query, intent, sentiment, "
                     "opportunity, lang, platform, addressed, dismissed or q)",
                     k);
            bad_field(r, "filters", msg);
            return NULL;
        }
        if (!ok) {
            snprintf(msg, sizeof(msg), "invalid 'filters.%s': want %s", k, want);
            bad_field(r, "filters", msg);
            return NULL;
        }
    }
    char *t = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
    if (!t)
        http_reply_error(r, ERR_NOMEM, "cannot encode the filters");
    return t;
}

static json_t *
view_json(const struct store_lview *v)
{
    json_t *f = json_loads(v->filters, 0, NULL);
    return json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)v->id, "name", v->name,
                     "filters", f ? f : json_object(), "created_at", codec_time(v->created_at),
                     "updated_at", codec_time(v->updated_at));
}

static void
reply_view(struct http_req *r, struct api *a, int64_t owner, int64_t id, unsigned status)
{
    struct store_lview v;
    int rc = store_lview_get(a->st, http_arena(r), owner, id, &v);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such view" : "cannot read the view");
        return;
    }
    api__reply(r, status, view_json(&v));
}

void
api__lviews_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t owner = view_owner_or_reply(r);
    if (!owner)
        return;
    struct store_lview *v;
    size_t n;
    int rc = store_lview_list(a->st, http_arena(r), owner, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list views");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, view_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", arr));
}

/* Name and filters of a create (both required) or a change (either). < 0 after replying. */
static int
view_fields_or_reply(struct http_req *r, json_t *body, bool partial, const char **name,
                     char **filters)
{
    *name = NULL;
    *filters = NULL;
    json_t *n = json_object_get(body, "name"), *f = json_object_get(body, "filters");
    if (n || !partial) {
        const char *t = json_string_value(n);
        size_t len = t ? strlen(t) : 0;
        bool blank = true;
        for (size_t i = 0; i < len; i++)
            blank &= t[i] == ' ' || t[i] == '\t';
        if (!t || blank || len > VIEW_NAME_MAX || !utf8_valid(str_c(t)))
            return bad_field(r, "name", "invalid 'name': want 1-80 bytes of text");
        *name = t;
    }
    if (f || !partial) {
        if (!(*filters = view_filters_or_reply(r, f ? f : json_null())))
            return ERR_INVAL;
    }
    if (partial && !*name && !*filters) {
        bad_field(r, "name", "nothing to change: send 'name' or 'filters'");
        return ERR_INVAL;
    }
    return 0;
}

static void
view_put(struct http_req *r, struct api *a, bool create)
{
    int64_t owner = view_owner_or_reply(r);
    if (!owner)
        return;
    int64_t id = 0;
    if (!create && api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *name;
    char *filters;
    if (view_fields_or_reply(r, body, !create, &name, &filters) < 0)
        return;
    int64_t out;
    int rc = store_lview_put(a->st, owner, id, name, filters, &out);
    free(filters);
    if (rc == ERR_CONFLICT) {
        api__reply(r, 409, json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "conflict", "field",
                                     "name", "message", "you already have a view of that name"));
        return;
    }
    if (rc == ERR_TOOBIG) {
        http_reply_error_status(r, 409, "conflict", "at most 50 saved views each");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such view" : "cannot store the view");
        return;
    }
    reply_view(r, a, owner, out, create ? 201 : 200);
}

void
api__lview_create(struct http_req *r, void *ctx)
{
    view_put(r, ctx, true);
}

void
api__lview_patch(struct http_req *r, void *ctx)
{
    view_put(r, ctx, false);
}

void
api__lview_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t owner = view_owner_or_reply(r);
    if (!owner)
        return;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = store_lview_delete(a->st, owner, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such view" : "cannot delete the view");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}

