/* SPDX-License-Identifier: MIT */
/*
 * triage.c - POST /api/v1/messages/{id}/triage (an agent corrects a message's labels) and
 * GET /api/v1/triage/corrections (the corrections as training data, fastText format).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/limits.h"
#include "classify/classify.h"
#include "store/store.h"

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
    if (api__opt_string_or_reply(r, body, "intent", 32, &intent) < 0 ||
        api__opt_string_or_reply(r, body, "sentiment", 32, &sentiment) < 0)
        return;
    enum classify_intent ci;
    enum classify_sentiment cs;
    if (!intent && !sentiment) {
        http_reply_error_status(r, 422, "invalid_field", "want 'intent' and/or 'sentiment'");
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
    int rc = care_triage_correct(a->care, id, p->agent_id, intent, sentiment);
    if (rc < 0) {
        http_reply_error(r, rc == ERR_INVAL ? ERR_CONFLICT : rc,
                         rc == ERR_NOTFOUND ? "no such message"
                         : rc == ERR_INVAL  ? "only customers' messages have triage"
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
