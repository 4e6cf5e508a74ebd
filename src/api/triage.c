/* SPDX-License-Identifier: MIT */
/*
 * triage.c - POST /api/v1/messages/{id}/triage (an agent corrects, confirms or skips a
 * message's labels), GET /api/v1/triage/review (the messages the models are least sure about,
 * for agents to confirm or correct: active learning) and GET /api/v1/triage/corrections (the
 * corrections and confirmations as training data, fastText format).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "classify/classify.h"
#include "store/store.h"

/* An optional boolean member into '*out' (false when absent or null); < 0 after 422. */
static int
opt_bool_or_reply(struct http_req *r, json_t *body, const char *name, bool *out)
{
    json_t *v = json_object_get(body, name);
    *out = false;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        char msg[80];
        snprintf(msg, sizeof(msg), "invalid '%s': want true or false", name);
        http_reply_error_status(r, 422, "invalid_field", msg);
        return ERR_INVAL;
    }
    *out = json_is_true(v);
    return 0;
}

void
api__triage_correct(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *intent, *sentiment;
    bool confirm, skip;
    if (api__opt_string_or_reply(r, body, "intent", 32, &intent) < 0 ||
        api__opt_string_or_reply(r, body, "sentiment", 32, &sentiment) < 0 ||
        opt_bool_or_reply(r, body, "confirm", &confirm) < 0 ||
        opt_bool_or_reply(r, body, "skip", &skip) < 0)
        return;
    enum classify_intent ci;
    enum classify_sentiment cs;
    if (skip && (intent || sentiment || confirm)) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'skip': a skip records no label; send it alone");
        return;
    }
    if (!intent && !sentiment && !confirm && !skip) {
        http_reply_error_status(r, 422, "invalid_field",
                                "want 'intent' and/or 'sentiment', 'confirm' or 'skip'");
        return;
    }
    if (intent && classify_intent_parse(str_c(intent), &ci) < 0) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'intent': want question, complaint, request, praise, "
                                "purchase_intent, feedback, spam, abuse or other");
        return;
    }
    if (sentiment && classify_sentiment_parse(str_c(sentiment), &cs) < 0) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'sentiment': want negative, neutral or positive");
        return;
    }
    int rc = skip ? care_triage_skip(a->care, id, p->agent_id)
                  : care_triage_correct(a->care, id, p->agent_id, intent, sentiment, confirm);
    if (rc < 0) {
        http_reply_error(r, rc == ERR_INVAL ? ERR_CONFLICT : rc,
                         rc == ERR_NOTFOUND   ? "no such message"
                         : rc == ERR_INVAL    ? "only customers' messages have triage"
                         : rc == ERR_CONFLICT ? "this message has no triage to confirm"
                                              : "cannot correct triage");
        return;
    }
    struct msg m;
    rc = store_msg_get(a->st, http_arena(r), id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read message");
        return;
    }
    api__reply(r, 200, codec_msg(&m));
}

static json_t *
review_item_json(const struct triage_review_item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "message_id", json_integer(it->msg_id));
    json_object_set_new(o, "conversation_id", json_integer(it->conversation_id));
    json_object_set_new(o, "channel_id", json_integer(it->channel_id));
    json_object_set_new(o, "channel_type", json_string(it->channel_type));
    json_object_set_new(o, "channel_name", json_string(it->channel_name));
    json_object_set_new(o, "contact_name", json_string(it->contact_name ? it->contact_name : ""));
    json_object_set_new(o, "text", json_string(it->text ? it->text : ""));
    json_object_set_new(o, "text_truncated", json_boolean(it->truncated));
    json_object_set_new(o, "created_at", codec_time(it->created_at));
    json_object_set_new(o, "lang", it->lang ? json_string(it->lang) : json_null());
    json_object_set_new(o, "intent", it->intent ? json_string(it->intent) : json_null());
    json_object_set_new(o, "intent_conf", json_real(it->intent_conf));
    json_object_set_new(o, "intent_margin", json_real(it->intent_margin));
    json_object_set_new(o, "sentiment", it->sentiment ? json_string(it->sentiment) : json_null());
    json_object_set_new(o, "sentiment_conf", json_real(it->sentiment_conf));
    json_object_set_new(o, "sentiment_margin", json_real(it->sentiment_margin));
    json_object_set_new(o, "sentiment_score", json_real(it->sentiment_score));
    json_object_set_new(o, "margin", json_real(it->margin));
    return o;
}

void
api__triage_review(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t limit = 5;
    if (api__query_int_or_reply(r, "limit", 1, 20, &limit) < 0)
        return;
    struct triage_review_item *v;
    size_t n;
    int rc = store_triage_review(a->st, http_arena(r), &p->scope, p->agent_id, clock_now_ms(),
                                 (int)limit, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the review queue");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, review_item_json(&v[i]));
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    http_add_header(r, "Cache-Control", "no-store");
    api__reply(r, 200, o);
}

/* Newlines and tabs would split a training line; fold them to spaces. */
static void
add_line(struct buf *b, const char *label, const char *text)
{
    buf_printf(b, "__label__%s ", label);
    for (const char *p = text; *p; p++)
        buf_addc(b, (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p);
    buf_addc(b, '\n');
}

void
api__triage_corrections(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const char *field = http_query(r, "model");
    if (!field)
        field = "intent";
    if (strcmp(field, "intent") != 0 && strcmp(field, "sentiment") != 0) {
        http_reply_error(r, ERR_INVAL, "invalid 'model': want intent or sentiment");
        return;
    }
    struct buf b;
    buf_init(&b, 64 << 20);
    int64_t after = 0;
    for (;;) {
        /* One arena per page: the number of corrections has no bound. */
        struct arena *page = arena_new(HARK_EXPORT_PAGE_ARENA_MAX);
        struct triage_example *v;
        size_t n;
        int rc = store_triage_examples(a->st, page, field, after, 1000, &v, &n);
        if (rc < 0) {
            arena_free(page);
            buf_release(&b);
            http_reply_error(r, rc, "cannot read corrections");
            return;
        }
        for (size_t i = 0; i < n; i++)
            add_line(&b, v[i].label, v[i].text);
        int64_t last = n ? v[n - 1].id : after;
        arena_free(page);
        if (n < 1000 || buf_error(&b) < 0)
            break;
        after = last;
    }
    if (buf_error(&b) < 0) {
        buf_release(&b);
        http_reply_error(r, ERR_TOOBIG, "corrections export larger than 64 MiB");
        return;
    }
    http_add_header(r, "Cache-Control", "no-store");
    http_reply(r, 200, "text/plain; charset=utf-8", b.p, b.len);
    buf_release(&b);
}
