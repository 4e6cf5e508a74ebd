/* SPDX-License-Identifier: MIT */
/*
 * policy.c - care policy (docs/care-policy.md): the root-cause taxonomy (/api/v1/root-causes),
 * a conversation's root cause and its suggestion (/api/v1/conversations/{id}/root-cause),
 * goodwill grants on a conversation and the approval queue (/api/v1/conversations/{id}/goodwill,
 * /api/v1/goodwill), the policy settings (/api/v1/care-policy) and the two reports
 * (/api/v1/reports/root-causes, /api/v1/reports/goodwill, JSON or CSV).
 *
 * Money is integer minor units ("amount_minor": 1250 is 12.50 EUR); a float is refused.
 */
#include "base/base.h"
#include "api/api_int.h"

#include <ctype.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "store/store.h"

#define NAME_MAX_CHARS 60
#define KEYWORDS_MAX 50
#define KEYWORD_MAX 60
#define NOTE_MAX 500
#define AMOUNT_MAX 100000000LL /* a million in major units */
#define REPEAT_DAYS_MAX 730
#define REPEAT_COUNT_MAX 100
#define SUGGEST_TEXT_MAX (32 * 1024)
#define LIST_MAX 500
#define DAY_MS (24LL * 3600 * 1000)

/* ISO 4217 active codes (2024). */
static const char *const currencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
};

static bool
currency_valid(const char *s)
{
    for (size_t i = 0; i < COUNTOF(currencies); i++) {
        if (strcmp(s, currencies[i]) == 0)
            return true;
    }
    return false;
}

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[240];
    snprintf(msg, sizeof(msg), "invalid '%s': %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

/* An optional integer member: 'present' false when absent or null. A float or a string is a
 * 422. */
static int
opt_int_or_reply(struct http_req *r, json_t *body, const char *name, int64_t min, int64_t max,
                 bool *present, int64_t *out)
{
    json_t *v = json_object_get(body, name);
    *present = false;
    if (!v || json_is_null(v))
        return 0;
    char want[120];
    snprintf(want, sizeof(want), "want a whole number from %lld to %lld", (long long)min,
             (long long)max);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return invalid(r, name, want);
    *present = true;
    *out = json_integer_value(v);
    return 0;
}

static bool
approver(const struct auth_principal *p)
{
    return care_is_approver(p->role);
}

static int
approver_or_reply(struct http_req *r, const struct auth_principal *p)
{
    if (approver(p))
        return 0;
    http_reply_error(r, ERR_PERM, "only a supervisor or admin can do this");
    return ERR_PERM;
}

/* ---- root causes ---------------------------------------------------------------------- */

static json_t *
cause_json(const struct store_root_cause *c)
{
    json_t *o = json_pack("{s:I,s:s,s:b,s:I}", "id", (json_int_t)c->id, "name", c->name,
                          "archived", c->archived, "uses", (json_int_t)c->uses);
    api__set_list(o, "keywords", c->keywords);
    json_object_set_new(o, "created_at", codec_time(c->created_at));
    json_object_set_new(o, "updated_at", codec_time(c->updated_at));
    return o;
}

void
api__root_causes_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const char *arch = http_query(r, "archived");
    struct store_root_cause *v;
    size_t n;
    int rc = store_root_cause_list(a->st, http_arena(r), arch && strcmp(arch, "1") == 0, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, cause_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__root_cause_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct store_root_cause c;
    int rc = store_root_cause_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such root cause" : "cannot read");
        return;
    }
    api__reply(r, 200, cause_json(&c));
}

/* Reads a cause from 'body' into 'c' (for an update, 'c' holds the old values). */
static int
cause_from_json(struct http_req *r, json_t *body, bool create, struct store_root_cause *c)
{
    const char *name;
    if (api__opt_string_or_reply(r, body, "name", 4 * NAME_MAX_CHARS, &name) < 0)
        return ERR_INVAL;
    if (name || create) {
        size_t len = name ? utf8_len((struct str){ name, strlen(name) }) : 0;
        const char *p = name;
        while (p && isspace((unsigned char)*p))
            p++;
        if (!name || !*p || len > NAME_MAX_CHARS)
            return invalid(r, "name", "want 1..60 characters");
        c->name = name;
    }
    json_t *kw = json_object_get(body, "keywords");
    if (kw && !json_is_null(kw)) {
        if (!json_is_array(kw) || json_array_size(kw) > KEYWORDS_MAX)
            return invalid(r, "keywords", "want a list of at most 50 words or phrases");
        json_t *clean = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(kw, i, v) {
            const char *s = json_string_value(v);
            size_t len = s ? strlen(s) : 0;
            if (!s || len == 0 || len > 4 * KEYWORD_MAX ||
                utf8_len((struct str){ s, len }) > KEYWORD_MAX ||
                !utf8_valid((struct str){ s, len })) {
                json_decref(clean);
                char want[80];
                snprintf(want, sizeof(want), "keyword %zu: want a word or phrase of 1..60 "
                                             "characters", i + 1);
                return invalid(r, "keywords", want);
            }
            char *low = arena_strdup(http_arena(r), s);
            for (char *q = low; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            json_array_append_new(clean, json_string(low));
        }
        char *txt = json_dumps(clean, JSON_COMPACT);
        json_decref(clean);
        c->keywords = arena_strdup(http_arena(r), txt);
        free(txt);
    } else if (create) {
        c->keywords = "[]";
    }
    json_t *arch = json_object_get(body, "archived");
    if (arch && !json_is_null(arch)) {
        if (!json_is_boolean(arch))
            return invalid(r, "archived", "want true or false");
        c->archived = json_is_true(arch);
    }
    return 0;
}

static void
reply_cause(struct http_req *r, struct api *a, unsigned status, int64_t id)
{
    struct store_root_cause c;
    int rc = store_root_cause_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    api__reply(r, status, cause_json(&c));
}

void
api__root_causes_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_root_cause c = { 0 };
    if (cause_from_json(r, body, true, &c) < 0)
        return;
    int64_t id;
    int rc = care_root_cause_put(a->care, 0, &c, &id);
    if (rc == ERR_CONFLICT) {
        invalid(r, "name", "a root cause has that name already");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, "cannot save");
        return;
    }
    reply_cause(r, a, 201, id);
}

void
api__root_cause_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_root_cause c;
    int rc = store_root_cause_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such root cause" : "cannot read");
        return;
    }
    if (cause_from_json(r, body, false, &c) < 0)
        return;
    rc = care_root_cause_put(a->care, id, &c, NULL);
    if (rc == ERR_CONFLICT) {
        invalid(r, "name", "a root cause has that name already");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such root cause" : "cannot save");
        return;
    }
    reply_cause(r, a, 200, id);
}

void
api__root_cause_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = care_root_cause_delete(a->care, id);
    if (rc == ERR_CONFLICT) {
        http_reply_error_status(r, 409, "in_use",
                                "conversations or goodwill name this root cause: archive it");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such root cause" : "cannot delete");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}

/* ---- the policy settings -------------------------------------------------------------- */

static json_t *
limit_json(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *
policy_json(const struct store_care_policy *p)
{
    json_t *o = json_pack("{s:s,s:s,s:{s:o,s:o,s:o,s:o},s:{s:I,s:I}}", "root_cause",
                          p->root_cause_required ? "required" : "optional", "currency",
                          p->currency, "limits", "agent", limit_json(p->limit_agent),
                          "store_staff", limit_json(p->limit_store_staff), "supervisor",
                          limit_json(p->limit_supervisor), "admin", limit_json(p->limit_admin),
                          "repeat", "count", (json_int_t)p->repeat_count, "days",
                          (json_int_t)p->repeat_days);
    json_object_set_new(o, "updated_at", p->updated_at ? codec_time(p->updated_at) : json_null());
    return o;
}

void
api__care_policy_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_care_policy p;
    int rc = store_care_policy_get(a->st, &p);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    api__reply(r, 200, policy_json(&p));
}

static int
limit_or_reply(struct http_req *r, json_t *limits, const char *role, int64_t *out)
{
    json_t *v = json_object_get(limits, role);
    char name[40];
    snprintf(name, sizeof(name), "limits.%s", role);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = -1;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > AMOUNT_MAX)
        return invalid(r, name, "want a whole amount in minor units (cents) from 0 to "
                                "100000000, or null for no limit");
    *out = json_integer_value(v);
    return 0;
}

void
api__care_policy_put(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_care_policy p;
    int rc = store_care_policy_get(a->st, &p);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    const char *req, *cur;
    if (api__opt_string_or_reply(r, body, "root_cause", 16, &req) < 0 ||
        api__opt_string_or_reply(r, body, "currency", 8, &cur) < 0)
        return;
    if (req) {
        if (strcmp(req, "required") != 0 && strcmp(req, "optional") != 0) {
            invalid(r, "root_cause", "want required or optional");
            return;
        }
        p.root_cause_required = strcmp(req, "required") == 0;
    }
    if (cur) {
        if (!currency_valid(cur)) {
            invalid(r, "currency", "want an ISO 4217 code such as EUR, USD or GBP");
            return;
        }
        snprintf(p.currency, sizeof(p.currency), "%s", cur);
    }
    json_t *limits = json_object_get(body, "limits");
    if (limits && !json_is_null(limits)) {
        if (!json_is_object(limits)) {
            invalid(r, "limits", "want an object of roles (agent, store_staff, supervisor, "
                                 "admin) to amounts");
            return;
        }
        const char *k;
        json_t *v;
        json_object_foreach(limits, k, v) {
            if (strcmp(k, "agent") != 0 && strcmp(k, "store_staff") != 0 &&
                strcmp(k, "supervisor") != 0 && strcmp(k, "admin") != 0) {
                invalid(r, "limits", "want only the roles agent, store_staff, supervisor and "
                                     "admin");
                return;
            }
        }
        if (limit_or_reply(r, limits, "agent", &p.limit_agent) < 0 ||
            limit_or_reply(r, limits, "store_staff", &p.limit_store_staff) < 0 ||
            limit_or_reply(r, limits, "supervisor", &p.limit_supervisor) < 0 ||
            limit_or_reply(r, limits, "admin", &p.limit_admin) < 0)
            return;
    }
    json_t *rep = json_object_get(body, "repeat");
    if (rep && !json_is_null(rep)) {
        bool has;
        if (!json_is_object(rep)) {
            invalid(r, "repeat", "want {\"count\": N, \"days\": D}");
            return;
        }
        if (opt_int_or_reply(r, rep, "count", 1, REPEAT_COUNT_MAX, &has, &p.repeat_count) < 0 ||
            opt_int_or_reply(r, rep, "days", 1, REPEAT_DAYS_MAX, &has, &p.repeat_days) < 0)
            return;
    }
    rc = care_policy_put(a->care, &p);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot save");
        return;
    }
    api__care_policy_get(r, ctx);
}

/* ---- a conversation's root cause and its suggestion ----------------------------------- */

/* The suggestion for conversation 'conv_id' as JSON (null when none) and its cause's id. */
static json_t *
suggestion_json(struct http_req *r, struct api *a, int64_t conv_id, int64_t *cause_id)
{
    struct arena *ar = http_arena(r);
    *cause_id = 0;
    struct store_root_cause *v;
    size_t n;
    const char *text;
    if (store_root_cause_list(a->st, ar, false, &v, &n) < 0 || n == 0 ||
        store_conv_inbound_text(a->st, ar, conv_id, SUGGEST_TEXT_MAX, &text) < 0)
        return json_null();
    struct care_cause *cs = arena_alloc(ar, n * sizeof(*cs));
    for (size_t i = 0; i < n; i++) {
        json_t *kw = codec_parse_array(v[i].keywords);
        size_t k = json_array_size(kw);
        const char **words = arena_alloc(ar, (k + 1) * sizeof(*words));
        for (size_t j = 0; j < k; j++) {
            const char *s = json_string_value(json_array_get(kw, j));
            words[j] = arena_strdup(ar, s ? s : "");
        }
        json_decref(kw);
        cs[i] = (struct care_cause){ v[i].id, v[i].name, words, k };
    }
    struct care_suggestion sg;
    if (care_root_cause_suggest(ar, cs, n, text, &sg) != 1)
        return json_null();
    *cause_id = sg.cause->id;
    json_t *matched = json_array();
    struct buf why;
    buf_init(&why, 1024);
    buf_adds(&why, "The customer wrote ");
    for (size_t i = 0; i < sg.nmatched; i++) {
        json_array_append_new(matched, json_string(sg.matched[i]));
        if (i)
            buf_adds(&why, i + 1 == sg.nmatched ? " and " : ", ");
        buf_printf(&why, "\"%s\"", sg.matched[i]);
    }
    buf_printf(&why, ": %s of %s.", sg.nmatched == 1 ? "a keyword" : "keywords", sg.cause->name);
    json_t *o = json_pack("{s:I,s:s,s:o,s:s}", "root_cause_id", (json_int_t)sg.cause->id, "name",
                          sg.cause->name, "matched", matched, "explanation", why.p);
    buf_release(&why);
    return o;
}

/* Whether resolving conversation 'c' needs a root cause: the policy says required, the
 * conversation is a complaint, and the taxonomy offers at least one cause (a new server with
 * none yet does not block resolving). */
static bool
cause_required(struct http_req *r, struct api *a, const struct conv *c)
{
    struct store_care_policy p;
    if (store_care_policy_get(a->st, &p) < 0 || !p.root_cause_required)
        return false;
    if (!c->intent || strcmp(c->intent, "complaint") != 0)
        return false;
    struct store_root_cause *v;
    size_t n = 0;
    return store_root_cause_list(a->st, http_arena(r), false, &v, &n) == 0 && n > 0;
}

static json_t *
conv_cause_json(struct http_req *r, struct api *a, const struct conv *c)
{
    struct store_conv_cause cc;
    json_t *cur = json_null();
    if (store_conv_cause_get(a->st, http_arena(r), c->id, &cc) == 0) {
        cur = json_pack("{s:I,s:s,s:b,s:o,s:o}", "root_cause_id", (json_int_t)cc.root_cause_id,
                        "name", cc.name, "suggested", cc.suggested, "agent_id",
                        cc.agent_id ? json_integer(cc.agent_id) : json_null(), "set_at",
                        codec_time(cc.set_at));
    }
    int64_t sid;
    return json_pack("{s:o,s:b,s:o}", "root_cause", cur, "required", cause_required(r, a, c),
                     "suggestion", suggestion_json(r, a, c->id, &sid));
}

void
api__conv_cause_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct conv c;
    int rc = store_conv_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    api__reply(r, 200, conv_cause_json(r, a, &c));
}

int
api__conv_cause_set_or_reply(struct http_req *r, struct api *a, int64_t conv_id,
                             int64_t cause_id)
{
    struct store_root_cause rc_row;
    int rc = store_root_cause_get(a->st, http_arena(r), cause_id, &rc_row);
    if (rc == ERR_NOTFOUND || (rc == 0 && rc_row.archived))
        return invalid(r, "root_cause_id", "no such root cause (or it is archived)");
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return rc;
    }
    int64_t sid;
    json_t *sg = suggestion_json(r, a, conv_id, &sid);
    json_decref(sg);
    rc = care_conv_cause_set(a->care, conv_id, cause_id, api__principal(r)->agent_id,
                             sid == cause_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot save");
        return rc;
    }
    return 0;
}

int
api__conv_cause_check_or_reply(struct http_req *r, struct api *a, int64_t conv_id,
                               bool given)
{
    if (given)
        return 0;
    struct conv c;
    int rc = store_conv_get(a->st, http_arena(r), conv_id, &c);
    if (rc < 0)
        return 0; /* the status change answers for a missing conversation */
    if (!cause_required(r, a, &c))
        return 0;
    struct store_conv_cause cc;
    if (store_conv_cause_get(a->st, http_arena(r), conv_id, &cc) == 0)
        return 0;
    http_reply_error_status(r, 422, "root_cause_required",
                            "invalid 'root_cause_id': a complaint is resolved with its root "
                            "cause; pick one (GET .../root-cause suggests one)");
    return ERR_INVAL;
}

void
api__conv_cause_put(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, cause;
    bool has;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    if (opt_int_or_reply(r, body, "root_cause_id", 1, INT64_MAX, &has, &cause) < 0)
        return;
    if (!has) {
        invalid(r, "root_cause_id", "want the id of a root cause");
        return;
    }
    if (api__conv_cause_set_or_reply(r, a, id, cause) < 0)
        return;
    api__conv_cause_get(r, ctx);
}

/* ---- goodwill ------------------------------------------------------------------------- */

static json_t *
goodwill_json(const struct store_goodwill *g)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:I,s:s,s:I,s:s,s:s,s:s}", "id", (json_int_t)g->id,
                          "conversation_id", (json_int_t)g->conversation_id, "contact_id",
                          (json_int_t)g->contact_id, "kind", g->kind, "amount_minor",
                          (json_int_t)g->amount_minor, "currency", g->currency, "root_cause_id",
                          (json_int_t)g->root_cause_id, "root_cause", g->root_cause_name,
                          "note", g->note ? g->note : "", "status", g->status);
    json_object_set_new(o, "requested_by",
                        g->requested_by ? json_integer(g->requested_by) : json_null());
    json_object_set_new(o, "requested_by_name",
                        g->requested_by_name ? json_string(g->requested_by_name) : json_null());
    json_object_set_new(o, "approver", g->decided_by ? json_integer(g->decided_by) : json_null());
    json_object_set_new(o, "approver_name",
                        g->decided_by_name ? json_string(g->decided_by_name) : json_null());
    json_object_set_new(o, "decision_note",
                        json_string(g->decision_note ? g->decision_note : ""));
    json_object_set_new(o, "decided_at", g->decided_at ? codec_time(g->decided_at) : json_null());
    json_object_set_new(o, "contact_name",
                        g->contact_name ? json_string(g->contact_name) : json_null());
    json_object_set_new(o, "created_at", codec_time(g->created_at));
    return o;
}

static const char *
ordinal(int64_t n, char *out, size_t len)
{
    const char *suf = "th";
    if (n % 100 < 11 || n % 100 > 13)
        suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    snprintf(out, len, "%lld%s", (long long)n, suf);
    return out;
}

/* The repeat check of a conversation's contact: its grants within the window. */
static json_t *
repeat_json(struct api *a, const struct store_care_policy *p, int64_t contact_id, bool *flagged)
{
    int64_t n = 0;
    store_goodwill_count_since(a->st, contact_id, clock_now_ms() - p->repeat_days * DAY_MS, &n);
    *flagged = n >= p->repeat_count;
    char ord[24], msg[200];
    snprintf(msg, sizeof(msg), "This would be the %s goodwill for this customer in %lld days: "
                               "fix the root cause instead?",
             ordinal(n + 1, ord, sizeof(ord)), (long long)p->repeat_days);
    return json_pack("{s:I,s:I,s:I,s:b,s:o}", "count", (json_int_t)n, "days",
                     (json_int_t)p->repeat_days, "threshold", (json_int_t)p->repeat_count,
                     "flagged", *flagged, "message", *flagged ? json_string(msg) : json_null());
}

void
api__conv_goodwill_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *pr = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct conv c;
    struct store_care_policy p;
    int rc = store_conv_get(a->st, http_arena(r), id, &c);
    if (rc == 0)
        rc = store_care_policy_get(a->st, &p);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    struct store_goodwill *v;
    size_t n;
    rc = store_goodwill_list(a->st, http_arena(r), id, NULL, LIST_MAX, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, goodwill_json(&v[i]));
    bool flagged;
    api__reply(r, 200,
               json_pack("{s:o,s:o,s:s,s:o}", "items", items, "repeat",
                         repeat_json(a, &p, c.contact_id, &flagged), "currency", p.currency,
                         "your_limit", limit_json(care_goodwill_limit(&p, pr->role))));
}

static bool
kind_valid(const char *k)
{
    return strcmp(k, "refund") == 0 || strcmp(k, "voucher") == 0 || strcmp(k, "freebie") == 0;
}

void
api__conv_goodwill_add(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *pr = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_goodwill g = { .conversation_id = id };
    const char *cur;
    bool has_amount, has_cause;
    if (api__opt_string_or_reply(r, body, "kind", 16, &g.kind) < 0 ||
        api__opt_string_or_reply(r, body, "currency", 8, &cur) < 0 ||
        api__opt_string_or_reply(r, body, "note", 4 * NOTE_MAX, &g.note) < 0)
        return;
    if (!g.kind || !kind_valid(g.kind)) {
        invalid(r, "kind", "want refund, voucher or freebie");
        return;
    }
    json_t *amt = json_object_get(body, "amount_minor");
    if (amt && json_is_real(amt)) {
        invalid(r, "amount_minor", "want a whole amount in minor units (1250 is 12.50), not a "
                                   "decimal");
        return;
    }
    if (opt_int_or_reply(r, body, "amount_minor", 1, AMOUNT_MAX, &has_amount, &g.amount_minor) <
        0)
        return;
    if (!has_amount) {
        invalid(r, "amount_minor", "want a whole amount in minor units from 1 to 100000000");
        return;
    }
    if (opt_int_or_reply(r, body, "root_cause_id", 1, INT64_MAX, &has_cause, &g.root_cause_id) <
        0)
        return;
    if (!has_cause) {
        invalid(r, "root_cause_id", "want the root cause this goodwill makes up for");
        return;
    }
    if (g.note && utf8_len((struct str){ g.note, strlen(g.note) }) > NOTE_MAX) {
        invalid(r, "note", "want at most 500 characters");
        return;
    }
    struct conv c;
    struct store_care_policy p;
    int rc = store_conv_get(a->st, http_arena(r), id, &c);
    if (rc == 0)
        rc = store_care_policy_get(a->st, &p);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    g.currency = cur ? cur : p.currency;
    if (!currency_valid(g.currency)) {
        invalid(r, "currency", "want an ISO 4217 code such as EUR, USD or GBP");
        return;
    }
    struct store_root_cause rcause;
    rc = store_root_cause_get(a->st, http_arena(r), g.root_cause_id, &rcause);
    if (rc == ERR_NOTFOUND || (rc == 0 && rcause.archived)) {
        invalid(r, "root_cause_id", "no such root cause (or it is archived)");
        return;
    }
    /* The repeat flag comes before the grant: the agent confirms having seen it. */
    bool flagged;
    json_t *rep = repeat_json(a, &p, c.contact_id, &flagged);
    json_t *confirm = json_object_get(body, "confirm_repeat");
    if (flagged && !json_is_true(confirm)) {
        json_t *e = json_pack("{s:{s:s,s:O,s:s}}", "error", "code", "repeat_goodwill",
                              "message", json_object_get(rep, "message"), "field",
                              "confirm_repeat");
        json_object_set_new(e, "repeat", rep);
        api__reply(r, 409, e);
        return;
    }
    json_decref(rep);
    g.requested_by = pr->agent_id ? pr->agent_id : pr->token_agent_id;
    int64_t gid;
    rc = care_goodwill_grant(a->care, &p, pr->role, &g, &gid);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot save");
        return;
    }
    struct store_goodwill out;
    rc = store_goodwill_get(a->st, http_arena(r), gid, &out);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    api__reply(r, 201, goodwill_json(&out));
}

void
api__goodwill_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (approver_or_reply(r, api__principal(r)) < 0)
        return;
    const char *status = http_query(r, "status");
    if (!status)
        status = "pending";
    if (strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
        strcmp(status, "declined") != 0 && strcmp(status, "all") != 0) {
        http_reply_error_status(r, 400, "bad_request",
                                "invalid 'status': want pending, approved, declined or all");
        return;
    }
    struct store_goodwill *v;
    size_t n;
    int rc = store_goodwill_list(a->st, http_arena(r), 0,
                                 strcmp(status, "all") == 0 ? NULL : status, LIST_MAX, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, goodwill_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__goodwill_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *pr = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct store_goodwill g;
    int rc = store_goodwill_get(a->st, http_arena(r), id, &g);
    /* An agent sees the grants they asked for; approvers see all. */
    if (rc == 0 && !approver(pr) && (!pr->agent_id || g.requested_by != pr->agent_id))
        rc = ERR_NOTFOUND;
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such goodwill" : "cannot read");
        return;
    }
    api__reply(r, 200, goodwill_json(&g));
}

static void
decide(struct http_req *r, void *ctx, bool approve)
{
    struct api *a = ctx;
    const struct auth_principal *pr = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    if (approver_or_reply(r, pr) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *note;
    if (api__opt_string_or_reply(r, body, "note", 4 * NOTE_MAX, &note) < 0)
        return;
    if (note && utf8_len((struct str){ note, strlen(note) }) > NOTE_MAX) {
        invalid(r, "note", "want at most 500 characters");
        return;
    }
    struct store_goodwill g;
    int rc = store_goodwill_get(a->st, http_arena(r), id, &g);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such goodwill" : "cannot read");
        return;
    }
    if (pr->agent_id && g.requested_by == pr->agent_id) {
        http_reply_error(r, ERR_PERM, "another supervisor or admin decides your own request");
        return;
    }
    rc = care_goodwill_decide(a->care, id, approve, pr->agent_id, note);
    if (rc == ERR_CONFLICT) {
        http_reply_error_status(r, 409, "conflict", "this goodwill was already decided");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such goodwill" : "cannot save");
        return;
    }
    api__goodwill_get(r, ctx);
}

void
api__goodwill_approve(struct http_req *r, void *ctx)
{
    decide(r, ctx, true);
}

void
api__goodwill_decline(struct http_req *r, void *ctx)
{
    decide(r, ctx, false);
}

/* ---- reports -------------------------------------------------------------------------- */

static int
time_arg_or_reply(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_query(r, name);
    if (!v)
        return 0;
    if (strlen(v) > 40 || clock_parse_iso((struct str){ v, strlen(v) }, out) < 0) {
        char msg[120];
        snprintf(msg, sizeof(msg), "invalid '%s': want an RFC 3339 time", name);
        http_reply_error_status(r, 400, "bad_request", msg);
        return ERR_INVAL;
    }
    return 0;
}

static int
filter_or_reply(struct http_req *r, struct store_report_filter *f, bool *csv)
{
    *f = (struct store_report_filter){ 0 };
    f->to = clock_now_ms() + 1;
    f->from = f->to - 30 * DAY_MS;
    if (time_arg_or_reply(r, "from", &f->from) < 0 || time_arg_or_reply(r, "to", &f->to) < 0 ||
        api__query_int_or_reply(r, "channel_id", 1, INT64_MAX, &f->channel_id) < 0 ||
        api__query_int_or_reply(r, "team_id", 1, INT64_MAX, &f->team_id) < 0 ||
        api__query_int_or_reply(r, "agent_id", 1, INT64_MAX, &f->agent_id) < 0)
        return ERR_INVAL;
    if (f->from >= f->to) {
        http_reply_error_status(r, 400, "bad_request", "invalid 'from': want it before 'to'");
        return ERR_INVAL;
    }
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0) {
        http_reply_error_status(r, 400, "bad_request", "invalid 'format': want json or csv");
        return ERR_INVAL;
    }
    *csv = fmt && strcmp(fmt, "csv") == 0;
    return 0;
}

/* One CSV cell, quoted; a cell a spreadsheet would run as a formula gets a leading '. */
static void
csv_cell(struct buf *b, const char *s)
{
    if (!s)
        s = "";
    buf_addc(b, '"');
    if (s[0] && strchr("=+-@\t\r", s[0]))
        buf_addc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_addc(b, '"');
        buf_addc(b, *p);
    }
    buf_addc(b, '"');
}

static void
report(struct http_req *r, void *ctx, bool money)
{
    struct api *a = ctx;
    if (approver_or_reply(r, api__principal(r)) < 0)
        return;
    struct store_report_filter f;
    bool csv;
    if (filter_or_reply(r, &f, &csv) < 0)
        return;
    struct store_report_row *v;
    size_t n;
    int rc = money ? store_report_goodwill(a->st, http_arena(r), &f, &v, &n)
                   : store_report_root_causes(a->st, http_arena(r), &f, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    char from[40], to[40];
    clock_fmt_iso(f.from, from, sizeof(from));
    clock_fmt_iso(f.to, to, sizeof(to));
    if (csv) {
        struct buf b;
        buf_init(&b, 16u << 20);
        buf_adds(&b, money ? "root_cause_id,root_cause,currency,grants,amount_minor,from,to\r\n"
                           : "root_cause_id,root_cause,conversations,from,to\r\n");
        for (size_t i = 0; i < n; i++) {
            buf_printf(&b, "%lld,", (long long)v[i].root_cause_id);
            csv_cell(&b, v[i].name);
            if (money)
                buf_printf(&b, ",%s,%lld,%lld", v[i].currency, (long long)v[i].count,
                           (long long)v[i].amount_minor);
            else
                buf_printf(&b, ",%lld", (long long)v[i].count);
            buf_printf(&b, ",%s,%s\r\n", from, to);
        }
        http_add_header(r, "Content-Disposition",
                        money ? "attachment; filename=\"goodwill.csv\""
                              : "attachment; filename=\"root-causes.csv\"");
        http_reply(r, 200, "text/csv; charset=utf-8", b.p, b.len);
        buf_release(&b);
        return;
    }
    json_t *items = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I,s:s,s:I}", "root_cause_id", (json_int_t)v[i].root_cause_id,
                              "root_cause", v[i].name, money ? "grants" : "conversations",
                              (json_int_t)v[i].count);
        if (money) {
            json_object_set_new(o, "currency", json_string(v[i].currency));
            json_object_set_new(o, "amount_minor", json_integer(v[i].amount_minor));
        }
        total += v[i].count;
        json_array_append_new(items, o);
    }
    api__reply(r, 200, json_pack("{s:s,s:s,s:o,s:I}", "from", from, "to", to, "items", items,
                                 "total", (json_int_t)total));
}

void
api__report_root_causes(struct http_req *r, void *ctx)
{
    report(r, ctx, false);
}

void
api__report_goodwill(struct http_req *r, void *ctx)
{
    report(r, ctx, true);
}
