/* SPDX-License-Identifier: MIT */
/*
 * faqbot.c - the FAQ bot (/api/v1/faqs..., /api/v1/faq-bot...): the FAQ set with each FAQ's
 * figures, the bot's settings (channels, window) with its totals, and "try it", which shows
 * what the bot would do with a pasted message and why, writing nothing. Admins only.
 */
#include "base/base.h"
#include "api/api_int.h"

#include <math.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "store/store.h"

#define QUESTION_MAX 200  /* characters */
#define VARIANT_MAX 300   /* characters of one variant */
#define ANSWER_MAX 2000   /* characters of one answer */
#define LINK_MAX 500      /* bytes */
#define LANGS_MAX 20
#define TRY_MAX 4000      /* bytes of a pasted message */
#define WINDOW_MIN_S 1
#define WINDOW_MAX_S (7 * 24 * 3600)
#define CHANNELS_MAX 100

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[240];
    snprintf(msg, sizeof(msg), "invalid '%s': %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

static double
rate(int64_t part, int64_t whole)
{
    return whole > 0 ? round((double)part / (double)whole * 1000) / 1000 : 0;
}

/* An FAQ's figures: counts and rates. The answer rate is over the times it matched closely
 * enough (answered or held back); handoff and reopen rates are over its answers. */
static json_t *
stats_json(int64_t answered, int64_t handed_off, int64_t reopened, int64_t held_back)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:f,s:f,s:f}", "answered", (json_int_t)answered,
                     "handed_off", (json_int_t)handed_off, "reopened", (json_int_t)reopened,
                     "held_back", (json_int_t)held_back, "answer_rate",
                     rate(answered, answered + held_back), "handoff_rate",
                     rate(handed_off, answered), "reopen_rate", rate(reopened, answered));
}

static json_t *
faq_json(const struct store_faq *f)
{
    json_t *o = json_pack("{s:I,s:s,s:o,s:o,s:o,s:f,s:b}", "id", (json_int_t)f->id, "question",
                          f->question, "variants", codec_parse_array(f->variants), "answers",
                          codec_parse_object(f->answers), "link",
                          f->link ? json_string(f->link) : json_null(), "threshold",
                          f->threshold, "enabled", f->enabled);
    json_object_set_new(o, "stats",
                        stats_json(f->answered, f->handed_off, f->reopened, f->held_back));
    json_object_set_new(o, "created_at", codec_time(f->created_at));
    json_object_set_new(o, "updated_at", codec_time(f->updated_at));
    return o;
}

static bool
lang_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c == '-' && i >= 2)))
            return false;
    }
    return true;
}

static bool
text_ok(json_t *v, size_t max_chars)
{
    if (!json_is_string(v))
        return false;
    struct str t = { json_string_value(v), json_string_length(v) };
    return utf8_valid(t) && str_trim(t).len > 0 && utf8_len(t) <= max_chars &&
           !memchr(t.p, '\0', t.len);
}

/* Reads and checks a create or update body into 'f' (strings in the request's arena). */
static int
faq_body(struct http_req *r, json_t *body, struct store_faq *f)
{
    struct arena *ar = http_arena(r);
    json_t *q = json_object_get(body, "question");
    if (!text_ok(q, QUESTION_MAX))
        return invalid(r, "question", "write the question, up to 200 characters");
    f->question = arena_strdup(ar, json_string_value(q));
    json_t *v = json_object_get(body, "variants");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > STORE_FAQ_VARIANTS_MAX)
            return invalid(r, "variants", "give a list of up to 50 ways customers ask it");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!text_ok(x, VARIANT_MAX))
                return invalid(r, "variants", "write each way of asking as text, up to 300 "
                                              "characters");
        }
        char *t = codec_dump(v, NULL);
        f->variants = arena_strdup(ar, t);
        xfree(t);
    } else {
        f->variants = "[]";
    }
    json_t *a = json_object_get(body, "answers");
    if (!json_is_object(a) || json_object_size(a) == 0 || json_object_size(a) > LANGS_MAX)
        return invalid(r, "answers", "write the answer in at least one language");
    const char *k;
    json_t *x;
    json_object_foreach(a, k, x) {
        if (!lang_ok(k))
            return invalid(r, "answers", "name each language by its code, like en or pt-BR");
        if (!text_ok(x, ANSWER_MAX))
            return invalid(r, "answers", "write the answer for every language you add, up to "
                                         "2,000 characters");
    }
    char *t = codec_dump(a, NULL);
    f->answers = arena_strdup(ar, t);
    xfree(t);
    const char *link = NULL;
    if (api__opt_string_or_reply(r, body, "link", LINK_MAX, &link) < 0)
        return ERR_INVAL;
    if (link && link[0] && strncmp(link, "https://", 8) != 0 && strncmp(link, "http://", 7) != 0)
        return invalid(r, "link", "give a web address starting with https://");
    for (const char *p = link; p && *p; p++) {
        if ((unsigned char)*p <= ' ')
            return invalid(r, "link", "a web address has no spaces");
    }
    f->link = link && link[0] ? link : NULL;
    json_t *th = json_object_get(body, "threshold");
    f->threshold = 0.5;
    if (th && !json_is_null(th)) {
        if (!json_is_number(th) || json_number_value(th) < 0.05 || json_number_value(th) > 1)
            return invalid(r, "threshold", "give a number from 0.05 to 1");
        f->threshold = json_number_value(th);
    }
    f->enabled = true;
    if (api__opt_bool_or_reply(r, body, "enabled", &f->enabled) < 0)
        return ERR_INVAL;
    return 0;
}

static int
faq_or_reply(struct http_req *r, struct api *a, int64_t id, struct store_faq *f)
{
    int rc = store_faq_get(a->st, http_arena(r), id, f);
    if (rc < 0)
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such FAQ" : "cannot read the FAQ");
    return rc;
}

static void
save(struct http_req *r, struct api *a, int64_t id)
{
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_faq f = { 0 }, old;
    if (id && faq_or_reply(r, a, id, &old) < 0)
        return;
    if (!id) {
        int64_t n = 0;
        if (store_faq_count(a->st, &n) == 0 && n >= STORE_FAQ_MAX) {
            http_reply_error_status(r, 422, "invalid_field",
                                    "invalid 'question': a server keeps up to 1,000 FAQs; "
                                    "delete one first");
            return;
        }
    }
    if (faq_body(r, body, &f) < 0)
        return;
    int64_t out = 0;
    int rc = care_faq_put(a->care, id, &f, &out);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such FAQ" : "cannot save the FAQ");
        return;
    }
    if (faq_or_reply(r, a, out, &f) < 0)
        return;
    api__reply(r, id ? 200 : 201, faq_json(&f));
}

void
api__faqs_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_faq *v;
    size_t n;
    int rc = store_faq_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the FAQs");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, faq_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__faqs_create(struct http_req *r, void *ctx)
{
    save(r, ctx, 0);
}

void
api__faq_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    struct store_faq f;
    if (api__id_or_reply(r, 0, &id) < 0 || faq_or_reply(r, a, id, &f) < 0)
        return;
    api__reply(r, 200, faq_json(&f));
}

void
api__faq_update(struct http_req *r, void *ctx)
{
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    save(r, ctx, id);
}

void
api__faq_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = care_faq_delete(a->care, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such FAQ" : "cannot delete the FAQ");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}

/* ---- settings and totals ------------------------------------------------------------------- */

static void
settings_reply(struct http_req *r, struct api *a, unsigned status)
{
    struct store_faq_bot b;
    struct store_faq *v;
    size_t n;
    int rc = store_faq_bot_get(a->st, http_arena(r), &b);
    if (rc == 0)
        rc = store_faq_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the FAQ bot's settings");
        return;
    }
    int64_t ans = 0, hand = 0, reo = 0, held = 0;
    for (size_t i = 0; i < n; i++) {
        ans += v[i].answered;
        hand += v[i].handed_off;
        reo += v[i].reopened;
        held += v[i].held_back;
    }
    json_t *o = json_pack("{s:o,s:I,s:I}", "channels", codec_parse_array(b.channels),
                          "window_seconds", (json_int_t)(b.window_ms / 1000), "faqs",
                          (json_int_t)n);
    json_object_set_new(o, "stats", stats_json(ans, hand, reo, held));
    json_object_set_new(o, "updated_at", codec_time(b.updated_at));
    api__reply(r, status, o);
}

void
api__faqbot_get(struct http_req *r, void *ctx)
{
    settings_reply(r, ctx, 200);
}

void
api__faqbot_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_faq_bot b;
    if (store_faq_bot_get(a->st, http_arena(r), &b) < 0) {
        http_reply_error(r, ERR_IO, "cannot read the FAQ bot's settings");
        return;
    }
    json_t *ch = json_object_get(body, "channels");
    if (ch) {
        if (!json_is_array(ch) || json_array_size(ch) > CHANNELS_MAX) {
            invalid(r, "channels", "give the list of channel ids the bot answers on");
            return;
        }
        size_t i;
        json_t *x;
        json_array_foreach(ch, i, x) {
            struct channel c;
            if (!json_is_integer(x) || json_integer_value(x) <= 0 ||
                store_channel_get(a->st, http_arena(r), json_integer_value(x), &c) < 0) {
                invalid(r, "channels", "pick channels that exist");
                return;
            }
        }
        char *t = codec_dump(ch, NULL);
        b.channels = arena_strdup(http_arena(r), t);
        xfree(t);
    }
    int64_t win = b.window_ms / 1000;
    if (api__opt_int_or_reply(r, body, "window_seconds", WINDOW_MIN_S, WINDOW_MAX_S, &win) < 0)
        return;
    b.window_ms = win * 1000;
    int rc = care_faqbot_settings_put(a->care, &b);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot save the FAQ bot's settings");
        return;
    }
    settings_reply(r, a, 200);
}

/* ---- try it -------------------------------------------------------------------------------- */

void
api__faqbot_try(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct arena *ar = http_arena(r);
    const char *text = NULL;
    if (api__opt_string_or_reply(r, body, "text", TRY_MAX, &text) < 0)
        return;
    if (!text || !str_trim(str_c(text)).len) {
        invalid(r, "text", "write a message as a customer would, up to 4,000 bytes");
        return;
    }
    int64_t channel = 0;
    if (api__opt_int_or_reply(r, body, "channel_id", 1, INT64_MAX, &channel) < 0)
        return;
    struct channel ch = { 0 };
    if (channel && store_channel_get(a->st, ar, channel, &ch) < 0) {
        invalid(r, "channel_id", "pick a channel that exists");
        return;
    }
    struct inbound m = { .channel_id = channel, .channel_type = channel ? ch.type : "api",
                         .text = str_c(text) };
    care_triage(a->care, ar, &m);
    struct care_faqbot_input in = {
        .channel_id = channel, .text = m.text, .lang = m.lang, .intent = m.intent,
        .sentiment = m.sentiment, .urgency = m.lang ? m.urgency : 0, .first_message = true,
    };
    struct care_faqbot_result res;
    int rc = care_faqbot_consider(a->care, ar, &in, &res);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot try the FAQ bot");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "would_answer", json_boolean(res.decision.answer));
    json_object_set_new(o, "why", json_string(res.decision.why));
    json_object_set_new(o, "reason", json_string(care_faqbot_why_words(res.decision.why)));
    json_object_set_new(o, "triage",
                        json_pack("{s:o,s:o,s:o,s:i}", "lang",
                                  m.lang ? json_string(m.lang) : json_null(), "intent",
                                  m.intent ? json_string(m.intent) : json_null(), "sentiment",
                                  m.sentiment ? json_string(m.sentiment) : json_null(),
                                  "urgency", m.lang ? m.urgency : 0));
    if (res.facts.matched)
        json_object_set_new(o, "match",
                            json_pack("{s:I,s:o,s:f,s:f}", "faq_id",
                                      (json_int_t)res.match.faq_id, "question",
                                      res.answer.question ? json_string(res.answer.question)
                                                          : json_null(),
                                      "confidence", round(res.match.confidence * 1000) / 1000,
                                      "threshold", res.match.threshold));
    else
        json_object_set_new(o, "match", json_null());
    /* The text only when it would be sent. */
    bool sent = res.decision.answer && res.text;
    json_object_set_new(o, "answer", sent ? json_string(res.text) : json_null());
    json_object_set_new(o, "answer_lang", sent && res.answer.lang ? json_string(res.answer.lang)
                                                                  : json_null());
    api__reply(r, 200, o);
}
