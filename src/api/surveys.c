/* SPDX-License-Identifier: MIT */
/*
 * surveys.c - CSAT surveys: the admin's "Surveys" settings (GET/PUT /api/v1/settings/surveys),
 * the figures and heroes (GET /api/v1/csat), the customer's survey page behind a link (public
 * GET/POST /api/v1/survey/{token}, rate-limited per client) and the widget's stars (POST
 * /api/v1/widget/{channel}/survey, in widget.c's visitor scheme).
 */
#include "base/base.h"
#include "api/api_int.h"

#include <ctype.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "channels/chan.h"
#include "store/store.h"

#define QUESTION_MAX 300
#define LANGS_MAX 20
#define EXTRA_MAX 3
#define ANSWER_MAX 500
#define HEROES_MAX 10
#define HEROES_MIN_ANSWERS 3
/* Public survey endpoints per client address: a burst of 20, then one every 3 s. */
#define PUBLIC_BURST 20
#define PUBLIC_PER_SEC (1.0 / 3)

static int
invalid(struct http_req *r, const char *field, const char *want)
{
    char msg[240];
    snprintf(msg, sizeof(msg), "invalid '%s': %s", field, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

static json_t *
loads(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

static json_t *
settings_json(const struct store_survey_settings *s)
{
    json_t *ch = json_array();
    if (s->channels && s->channels[0]) {
        const char *p = s->channels;
        while (*p) {
            size_t n = strcspn(p, ",");
            json_array_append_new(ch, json_stringn(p, n));
            p += n + (p[n] == ',');
        }
    }
    json_t *q = loads(s->questions), *nps = loads(s->nps), *extra = loads(s->extra);
    return json_pack("{s:b,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o}", "enabled", s->enabled,
                     "delay_seconds", (json_int_t)s->delay_s, "window_hours",
                     (json_int_t)s->window_h, "repeat_days", (json_int_t)s->repeat_days,
                     "channels", ch, "questions", q ? q : json_object(), "nps_question",
                     nps ? nps : json_null(), "extra_questions", extra ? extra : json_array(),
                     "updated_at", s->updated_at ? codec_time(s->updated_at) : json_null());
}

void
api__survey_settings_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_survey_settings s;
    int rc = store_survey_settings_get(a->st, http_arena(r), &s);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the survey settings");
        return;
    }
    api__reply(r, 200, settings_json(&s));
}

/* A language code: "en", "pt-BR", "fil". */
static bool
lang_ok(const char *k)
{
    size_t n = strlen(k), i = 0;
    while (i < n && islower((unsigned char)k[i]))
        i++;
    if (i < 2 || i > 3)
        return false;
    if (i == n)
        return true;
    return n == i + 3 && k[i] == '-' && isupper((unsigned char)k[i + 1]) &&
           isupper((unsigned char)k[i + 2]);
}

/* A text of 1..max bytes of UTF-8 with something besides spaces. */
static bool
text_ok(json_t *v, size_t max)
{
    if (!json_is_string(v))
        return false;
    struct str s = { json_string_value(v), json_string_length(v) };
    return s.len <= max && utf8_valid(s) && str_trim(s).len > 0 && !memchr(s.p, 0, s.len);
}

/* {"en": "...", ...}: '*out' its compact text. < 0 after replying 422. */
static int
texts_or_reply(struct http_req *r, json_t *v, const char *field, const char **out)
{
    char want[160];
    snprintf(want, sizeof(want), "want an object of 1..%d languages (\"en\", \"pt-BR\") to a "
                                 "question of 1..%d bytes", LANGS_MAX, QUESTION_MAX);
    if (!json_is_object(v) || json_object_size(v) < 1 || json_object_size(v) > LANGS_MAX)
        return invalid(r, field, want);
    const char *k;
    json_t *t;
    json_object_foreach(v, k, t) {
        if (!lang_ok(k) || !text_ok(t, QUESTION_MAX))
            return invalid(r, field, want);
    }
    char *d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    *out = arena_strdup(http_arena(r), d);
    free(d);
    return 0;
}

void
api__survey_settings_put(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct arena *ar = http_arena(r);
    struct store_survey_settings s;
    int rc = store_survey_settings_get(a->st, ar, &s);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the survey settings");
        return;
    }
    const char *known[] = { "enabled", "delay_seconds", "window_hours", "repeat_days",
                            "channels", "questions", "nps_question", "extra_questions",
                            "updated_at" };
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        bool ok = false;
        for (size_t i = 0; i < COUNTOF(known); i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok) {
            char msg[160];
            snprintf(msg, sizeof(msg), "invalid '%.60s': not a survey setting", k);
            http_reply_error_status(r, 422, "invalid_field", msg);
            return;
        }
    }
    if (api__opt_bool_or_reply(r, body, "enabled", &s.enabled) < 0 ||
        api__opt_int_or_reply(r, body, "delay_seconds", 0, 7 * 86400, &s.delay_s) < 0 ||
        api__opt_int_or_reply(r, body, "window_hours", 1, 30 * 24, &s.window_h) < 0 ||
        api__opt_int_or_reply(r, body, "repeat_days", 0, 365, &s.repeat_days) < 0)
        return;
    json_t *ch = json_object_get(body, "channels");
    if (ch) {
        if (!json_is_array(ch) || json_array_size(ch) > 20) {
            invalid(r, "channels", "want an array of channel types (empty: every channel)");
            return;
        }
        char list[400] = "";
        size_t i;
        json_array_foreach(ch, i, v) {
            const char *t = json_string_value(v);
            if (!t || !chan_find(t) || strlen(list) + strlen(t) + 2 > sizeof(list)) {
                invalid(r, "channels", "want channel types such as webchat, whatsapp, "
                                       "messenger, telegram, email, sms, x, api");
                return;
            }
            char pat[sizeof(list) + 2];
            snprintf(pat, sizeof(pat), ",%s,", t);
            char wrapped[sizeof(list) + 2];
            snprintf(wrapped, sizeof(wrapped), ",%s,", list);
            if (strstr(wrapped, pat))
                continue;
            size_t len = strlen(list);
            snprintf(list + len, sizeof(list) - len, "%s%s", len ? "," : "", t);
        }
        s.channels = arena_strdup(ar, list);
    }
    if ((v = json_object_get(body, "questions")) &&
        texts_or_reply(r, v, "questions", &s.questions) < 0)
        return;
    if ((v = json_object_get(body, "nps_question"))) {
        if (json_is_null(v))
            s.nps = NULL;
        else if (texts_or_reply(r, v, "nps_question", &s.nps) < 0)
            return;
    }
    if ((v = json_object_get(body, "extra_questions"))) {
        const char *want = "want at most 3 questions, each {\"text\": 1..300 bytes, \"kind\": "
                           "\"text\" or \"score\"}";
        if (!json_is_array(v) || json_array_size(v) > EXTRA_MAX) {
            invalid(r, "extra_questions", want);
            return;
        }
        json_t *out = json_array();
        size_t i;
        json_t *q;
        json_array_foreach(v, i, q) {
            const char *kind = json_string_value(json_object_get(q, "kind"));
            if (!json_is_object(q) || !text_ok(json_object_get(q, "text"), QUESTION_MAX) ||
                !kind || (strcmp(kind, "text") != 0 && strcmp(kind, "score") != 0)) {
                json_decref(out);
                invalid(r, "extra_questions", want);
                return;
            }
            json_array_append_new(out, json_pack("{s:s+,s:O,s:s}", "id", "q",
                                                 i == 0 ? "1" : i == 1 ? "2" : "3", "text",
                                                 json_object_get(q, "text"), "kind", kind));
        }
        char *d = json_dumps(out, JSON_COMPACT);
        s.extra = arena_strdup(ar, d);
        free(d);
        json_decref(out);
    }
    rc = store_survey_settings_put(a->st, &s);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot save the survey settings");
        return;
    }
    store_survey_settings_get(a->st, ar, &s);
    api__reply(r, 200, settings_json(&s));
}

/* ---- figures ------------------------------------------------------------------------------ */

static int
time_arg_or_reply(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_query(r, name);
    *out = 0;
    if (!v)
        return 0;
    if (clock_parse_iso(str_c(v), out) < 0) {
        char msg[120];
        snprintf(msg, sizeof(msg), "invalid '%s': want an RFC 3339 time", name);
        http_reply_error_status(r, 400, "invalid_query", msg);
        return ERR_INVAL;
    }
    return 0;
}

void
api__csat_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    struct store_csat_filter f = { 0 };
    int64_t min = HEROES_MIN_ANSWERS;
    if (api__query_int_or_reply(r, "agent_id", 1, INT64_MAX, &f.agent_id) < 0 ||
        api__query_int_or_reply(r, "team_id", 1, INT64_MAX, &f.team_id) < 0 ||
        api__query_int_or_reply(r, "min_answers", 1, 1000, &min) < 0 ||
        time_arg_or_reply(r, "from", &f.from) < 0 || time_arg_or_reply(r, "to", &f.to) < 0)
        return;
    if (!min)
        min = HEROES_MIN_ANSWERS;
    const char *chtype = http_query(r, "channel");
    if (chtype && !chan_find(chtype)) {
        http_reply_error_status(r, 400, "invalid_query", "invalid 'channel': want a channel type");
        return;
    }
    f.channel_type = chtype;
    /* An agent sees their own record (and the heroes); supervisors and admins anyone's. */
    bool lead = p && p->role && (strcmp(p->role, "admin") == 0 ||
                                 strcmp(p->role, "supervisor") == 0);
    if (!lead && f.agent_id && f.agent_id != p->agent_id) {
        http_reply_error(r, ERR_PERM, "agents see their own satisfaction figures only");
        return;
    }
    if (!lead)
        f.agent_id = p->agent_id;
    struct store_csat c;
    struct store_csat_hero *h;
    size_t n = 0;
    struct store_csat_filter hf = f;
    hf.agent_id = 0;
    int rc = store_csat_stats(a->st, &f, &c);
    if (rc == 0)
        rc = store_csat_heroes(a->st, http_arena(r), &hf, min, HEROES_MAX, &h, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the satisfaction figures");
        return;
    }
    json_t *scores = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(scores, json_integer(c.scores[i]));
    json_t *heroes = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(heroes, json_pack("{s:I,s:s,s:I,s:f}", "agent_id",
                                                (json_int_t)h[i].agent_id, "name",
                                                h[i].name ? h[i].name : "", "answers",
                                                (json_int_t)h[i].answers, "average",
                                                h[i].average));
    json_t *nps = c.nps_answers
                      ? json_real(100.0 * (double)(c.promoters - c.detractors) /
                                  (double)c.nps_answers)
                      : json_null();
    api__reply(r, 200,
               json_pack("{s:I,s:I,s:o,s:f,s:o,s:I,s:o,s:I,s:o,s:I,s:o}", "sent",
                         (json_int_t)c.sent, "answered", (json_int_t)c.answered, "average",
                         c.answered ? json_real(c.average) : json_null(), "response_rate",
                         c.sent ? (double)c.answered / (double)c.sent : 0.0, "scores", scores,
                         "nps_answers", (json_int_t)c.nps_answers, "nps", nps, "comments",
                         (json_int_t)c.comments, "heroes", heroes, "heroes_min_answers",
                         (json_int_t)min, "agent_id",
                         f.agent_id ? json_integer(f.agent_id) : json_null()));
}

/* ---- the customer's survey page ---------------------------------------------------------- */

static int
throttle_or_reply(struct http_req *r, struct api *a)
{
    char key[96];
    snprintf(key, sizeof(key), "sv:%.80s", http_client(r));
    return api__throttle_or_reply(r, a, key, PUBLIC_BURST, PUBLIC_PER_SEC);
}

static void
gone(struct http_req *r)
{
    http_reply_error_status(r, 404, "not_found",
                            "this survey link does not work; thank you all the same");
}

static const char *
token_of(struct http_req *r)
{
    struct str t = http_param(r, 0);
    return arena_strndup(http_arena(r), t.p ? t.p : "", t.len);
}

/* The text for the customer's language in a {"en": ...} object (else English, else any). */
static json_t *
pick(json_t *texts, const char *lang)
{
    json_t *v = json_object_get(texts, lang);
    if (!v)
        v = json_object_get(texts, "en");
    if (!v) {
        void *it = json_object_iter(texts);
        v = it ? json_object_iter_value(it) : NULL;
    }
    return v ? json_copy(v) : json_null();
}

static const char *
state_of(const struct store_survey *sv, int64_t now)
{
    const char *why = care_survey_answer_rule(sv, now);
    return !why ? "open" : strcmp(why, "not_sent") == 0 ? "closed" : why;
}

void
api__survey_public_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (throttle_or_reply(r, a) < 0)
        return;
    struct arena *ar = http_arena(r);
    struct store_survey sv;
    struct store_survey_settings s;
    struct channel ch;
    int rc = care_survey_by_token(a->care, ar, token_of(r), &sv);
    if (rc == ERR_NOTFOUND) {
        gone(r);
        return;
    }
    if (rc == 0)
        rc = store_survey_settings_get(a->st, ar, &s);
    if (rc == 0)
        rc = store_channel_get(a->st, ar, sv.channel_id, &ch);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the survey");
        return;
    }
    const char *brand = ch.name;
    json_t *cs = loads(ch.settings);
    json_t *b = json_object_get(cs, "brand_name");
    if (json_is_string(b) && json_string_length(b))
        brand = arena_strdup(ar, json_string_value(b));
    json_decref(cs);
    json_t *q = loads(s.questions), *nps = loads(s.nps), *extra = loads(s.extra);
    json_t *o = json_pack("{s:s,s:o,s:o,s:o,s:s,s:o,s:o}", "brand_name", brand, "question",
                          pick(q, sv.lang), "nps_question", nps ? pick(nps, sv.lang) : json_null(),
                          "extra_questions", extra ? extra : json_array(), "state",
                          state_of(&sv, clock_now_ms()), "expires_at",
                          codec_time(sv.expires_at), "score",
                          sv.score ? json_integer(sv.score) : json_null());
    json_decref(q);
    json_decref(nps);
    http_add_header(r, "Cache-Control", "no-store");
    api__reply(r, 200, o);
}

/* Reads score, nps, comment and extra answers of 'body' into 'ans'. < 0 after replying. */
static int
answer_or_reply(struct http_req *r, json_t *body, const char *extra_def,
                struct store_survey_answer *ans)
{
    int64_t score = 0, nps = -1;
    const char *comment;
    if (api__opt_int_or_reply(r, body, "score", 1, 5, &score) < 0 ||
        api__opt_int_or_reply(r, body, "nps", 0, 10, &nps) < 0 ||
        api__opt_string_or_reply(r, body, "comment", CARE_SURVEY_COMMENT_MAX, &comment) < 0)
        return ERR_INVAL;
    if (!score)
        return invalid(r, "score", "pick 1 to 5 stars");
    ans->score = (int)score;
    ans->nps = (int)nps;
    ans->comment = comment && str_trim(str_c(comment)).len ? comment : NULL;
    json_t *ex = json_object_get(body, "extra");
    if (ex && !json_is_null(ex)) {
        json_t *def = loads(extra_def);
        json_t *out = json_object();
        const char *k;
        json_t *v;
        bool ok = json_is_object(ex);
        json_object_foreach(ex, k, v) {
            const char *kind = NULL;
            size_t i;
            json_t *q;
            json_array_foreach(def, i, q) {
                const char *qid = json_string_value(json_object_get(q, "id"));
                if (qid && strcmp(qid, k) == 0)
                    kind = json_string_value(json_object_get(q, "kind"));
            }
            if (!ok || !kind) {
                ok = false;
                break;
            }
            if (strcmp(kind, "score") == 0 ? !json_is_integer(v) || json_integer_value(v) < 1 ||
                                                 json_integer_value(v) > 5
                                           : !text_ok(v, ANSWER_MAX)) {
                ok = false;
                break;
            }
            json_object_set(out, k, v);
        }
        json_decref(def);
        if (!ok) {
            json_decref(out);
            return invalid(r, "extra", "answer the questions asked: 1 to 5, or up to 500 bytes "
                                       "of text");
        }
        char *d = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
        ans->extra = arena_strdup(http_arena(r), d);
        free(d);
        json_decref(out);
    }
    return 0;
}

/* The answer's outcome: 200, or the reason it was kept out, in the customer's words. */
static void
answered_reply(struct http_req *r, int rc)
{
    if (rc == ERR_CONFLICT)
        http_reply_error_status(r, 409, "already_answered",
                                "you have already answered this survey \xe2\x80\x94 thank you!");
    else if (rc == ERR_TIMEOUT)
        http_reply_error_status(r, 410, "expired",
                                "this survey has closed, so your answer was not recorded");
    else if (rc == ERR_NOTFOUND)
        gone(r);
    else if (rc < 0)
        http_reply_error(r, rc, "cannot save your answer; please try again");
    else
        api__reply(r, 200, json_pack("{s:b}", "ok", 1));
}

void
api__survey_public_answer(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (throttle_or_reply(r, a) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct arena *ar = http_arena(r);
    struct store_survey sv;
    struct store_survey_settings s;
    int rc = care_survey_by_token(a->care, ar, token_of(r), &sv);
    if (rc == 0)
        rc = store_survey_settings_get(a->st, ar, &s);
    if (rc < 0) {
        answered_reply(r, rc);
        return;
    }
    struct store_survey_answer ans = { .via = "link" };
    if (answer_or_reply(r, body, s.extra, &ans) < 0)
        return;
    answered_reply(r, care_survey_answer(a->care, sv.id, &ans));
}

int
api__survey_widget_answer(struct http_req *r, struct api *a, int64_t visitor_conv)
{
    json_t *body = api__json_or_reply(r);
    if (!body)
        return ERR_INVAL;
    int64_t id = 0;
    if (api__opt_int_or_reply(r, body, "survey_id", 1, INT64_MAX, &id) < 0)
        return ERR_INVAL;
    struct arena *ar = http_arena(r);
    struct store_survey sv;
    struct store_survey_settings s;
    /* Only the survey of the visitor's own conversation. */
    if (!id || store_survey_get(a->st, ar, id, &sv) < 0 || sv.conversation_id != visitor_conv ||
        strcmp(sv.channel_type, "webchat") != 0) {
        http_reply_error(r, ERR_NOTFOUND, "no such survey");
        return ERR_NOTFOUND;
    }
    int rc = store_survey_settings_get(a->st, ar, &s);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the survey");
        return rc;
    }
    struct store_survey_answer ans = { .via = "widget" };
    if (answer_or_reply(r, body, s.extra, &ans) < 0)
        return ERR_INVAL;
    answered_reply(r, care_survey_answer(a->care, sv.id, &ans));
    return 0;
}

json_t *
api__survey_widget_json(struct api *a, struct arena *ar, int64_t msg_id)
{
    struct store_survey sv;
    if (store_survey_of_message(a->st, ar, msg_id, &sv) < 0)
        return NULL;
    return json_pack("{s:I,s:s,s:o}", "id", (json_int_t)sv.id, "state",
                     state_of(&sv, clock_now_ms()), "score",
                     sv.score ? json_integer(sv.score) : json_null());
}
