/* SPDX-License-Identifier: MIT */
/*
 * canned.c - canned replies (/api/v1/canned...), their rendering for a conversation, the
 * robotic-template check before a reply is sent (/api/v1/conversations/{id}/reply-check) and the
 * count of replies sent anyway (GET /api/v1/canned/overrides).
 *
 * Two sets: the shared one, which admins and supervisors edit and everyone uses, and each
 * agent's personal one, which only its owner sees and edits (another agent's personal reply
 * answers 404, as if it did not exist). The set of a reply is fixed when it is created.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "store/store.h"

#define TITLE_MAX 100      /* characters */
#define SHORTCUT_MAX 32    /* characters: a-z 0-9 - _ */
#define LANGS_MAX 20       /* language variants of one reply */
#define QUERY_MAX 100      /* bytes of a search */

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[240];
    snprintf(msg, sizeof(msg), "invalid '%s': %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

/* Admins and supervisors edit the shared set. */
static bool
edits_shared(const struct auth_principal *p)
{
    return p->role && (strcmp(p->role, "admin") == 0 || strcmp(p->role, "supervisor") == 0);
}

/* The agent whose personal set the caller uses: the agent of a session, or the agent who made
 * an API token; 0 for a token made from the command line (no personal set). */
static int64_t
owner_of(const struct auth_principal *p)
{
    return p->agent_id ? p->agent_id : p->token_agent_id;
}

static bool
visible(const struct auth_principal *p, const struct store_canned *c)
{
    return c->owner_agent_id == 0 || c->owner_agent_id == owner_of(p);
}

static bool
editable(const struct auth_principal *p, const struct store_canned *c)
{
    return c->owner_agent_id ? c->owner_agent_id == owner_of(p) : edits_shared(p);
}

/* The body for 'lang' (NULL: the default), else the default language's, else any; its language
 * in '*used'. NULL when the reply has no body. Borrowed from 'bodies'. */
static const char *
pick_body(json_t *bodies, const char *default_lang, const char *lang, const char **used)
{
    json_t *b = lang ? json_object_get(bodies, lang) : NULL;
    if (!json_is_string(b) && lang && strlen(lang) > 2 && lang[2] == '-') {
        /* "pt-BR" falls back to "pt" before the default. */
        const char *k;
        json_t *v;
        json_object_foreach(bodies, k, v) {
            if (strlen(k) == 2 && strncmp(k, lang, 2) == 0 && json_is_string(v)) {
                *used = k;
                return json_string_value(v);
            }
        }
    }
    if (json_is_string(b)) {
        *used = lang;
        return json_string_value(b);
    }
    b = json_object_get(bodies, default_lang ? default_lang : "en");
    if (json_is_string(b)) {
        *used = default_lang;
        return json_string_value(b);
    }
    const char *k;
    json_object_foreach(bodies, k, b) {
        if (json_is_string(b)) {
            *used = k;
            return json_string_value(b);
        }
    }
    return NULL;
}

static json_t *
canned_json(const struct auth_principal *p, const struct store_canned *c, const char *lang)
{
    json_t *bodies = codec_parse_object(c->bodies);
    json_t *o = json_pack("{s:I,s:s,s:s,s:b,s:o,s:s,s:b}", "id", (json_int_t)c->id, "title",
                          c->title, "shortcut", c->shortcut, "shared", c->owner_agent_id == 0,
                          "owner_agent_id",
                          c->owner_agent_id ? json_integer(c->owner_agent_id) : json_null(),
                          "default_lang", c->default_lang, "editable", editable(p, c));
    api__set_list(o, "tags", c->tags);
    const char *used = NULL;
    const char *body = pick_body(bodies, c->default_lang, lang, &used);
    json_object_set_new(o, "lang", used ? json_string(used) : json_null());
    json_object_set_new(o, "body", body ? json_string(body) : json_null());
    json_object_set_new(o, "bodies", bodies);
    json_object_set_new(o, "created_at", codec_time(c->created_at));
    json_object_set_new(o, "updated_at", codec_time(c->updated_at));
    return o;
}

static bool
shortcut_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SHORTCUT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
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

/* Reads and checks the body of a create or update into 'c' (strings in the request). */
static int
canned_body(struct http_req *r, json_t *body, struct store_canned *c)
{
    if (api__opt_string_or_reply(r, body, "title", 4 * TITLE_MAX, &c->title) < 0 ||
        api__opt_string_or_reply(r, body, "shortcut", 4 * SHORTCUT_MAX, &c->shortcut) < 0 ||
        api__opt_string_or_reply(r, body, "default_lang", 64, &c->default_lang) < 0 ||
        api__strlist_or_reply(r, body, "tags", &c->tags) < 0)
        return ERR_INVAL;
    if (!c->title || !str_trim(str_c(c->title)).len || utf8_len(str_c(c->title)) > TITLE_MAX)
        return invalid(r, "title", "give it a title of up to 100 characters");
    if (!c->shortcut || !shortcut_ok(c->shortcut))
        return invalid(r, "shortcut", "use 1 to 32 lowercase letters, digits, - or _ "
                                      "(like refund-late)");
    json_t *b = json_object_get(body, "bodies");
    if (!json_is_object(b) || json_object_size(b) == 0 || json_object_size(b) > LANGS_MAX)
        return invalid(r, "bodies", "write the reply's text in at least one language");
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        struct str t = { json_string_value(v), json_string_length(v) };
        if (!lang_ok(k))
            return invalid(r, "bodies", "name each language by its code, like en or pt-BR");
        if (!json_is_string(v) || !str_trim(t).len || !utf8_valid(t))
            return invalid(r, "bodies", "write the reply's text for every language you add");
        if (t.len > CARE_FILL_BODY_MAX)
            return invalid(r, "bodies", "keep each text under 8,000 characters");
    }
    if (c->default_lang && !json_is_string(json_object_get(b, c->default_lang)))
        return invalid(r, "default_lang", "pick one of the reply's languages");
    if (!c->default_lang)
        c->default_lang = json_is_string(json_object_get(b, "en")) ? "en"
                          : json_object_iter_key(json_object_iter(b));
    c->default_lang = arena_strdup(http_arena(r), c->default_lang);
    char *text = codec_dump(b, NULL);
    c->bodies = arena_strdup(http_arena(r), text);
    xfree(text);
    return 0;
}

/* Reads canned reply {id} 'i' the caller may see. < 0 after replying (404). */
static int
visible_or_reply(struct http_req *r, struct api *a, int64_t id, struct store_canned *c)
{
    int rc = store_canned_get(a->st, http_arena(r), id, c);
    if (rc == 0 && !visible(api__principal(r), c))
        rc = ERR_NOTFOUND;
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such canned reply"
                                                   : "cannot read canned reply");
        return rc;
    }
    return 0;
}

static void
save(struct http_req *r, struct api *a, int64_t id)
{
    const struct auth_principal *p = api__principal(r);
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_canned c = { 0 }, old = { 0 };
    bool shared = false;
    if (api__opt_bool_or_reply(r, body, "shared", &shared) < 0)
        return;
    if (id) {
        if (visible_or_reply(r, a, id, &old) < 0)
            return;
        if (json_object_get(body, "shared") && shared != (old.owner_agent_id == 0)) {
            invalid(r, "shared", "a reply stays in its set; create a new one in the other set");
            return;
        }
        shared = old.owner_agent_id == 0;
        c.owner_agent_id = old.owner_agent_id;
    } else {
        c.owner_agent_id = shared ? 0 : owner_of(p);
        if (!shared && !c.owner_agent_id) {
            invalid(r, "shared", "a token made from the command line has no personal replies");
            return;
        }
    }
    if (shared && !edits_shared(p)) {
        http_reply_error(r, ERR_PERM, "only admins and supervisors edit the team's shared "
                                      "replies");
        return;
    }
    if (canned_body(r, body, &c) < 0)
        return;
    int64_t out = 0;
    int rc = care_canned_put(a->care, id, &c, &out);
    if (rc == ERR_CONFLICT) {
        invalid(r, "shortcut", "another reply in this set already uses this shortcut");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such canned reply"
                                                   : "cannot save canned reply");
        return;
    }
    if ((rc = store_canned_get(a->st, http_arena(r), out, &c)) < 0) {
        http_reply_error(r, rc, "cannot read canned reply");
        return;
    }
    api__reply(r, id ? 200 : 201, canned_json(p, &c, NULL));
}

void
api__canned_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    const char *q = http_query(r, "q");
    const char *lang = http_query(r, "lang");
    int64_t limit = 50;
    if (api__query_int_or_reply(r, "limit", 1, STORE_CANNED_LIST_MAX, &limit) < 0)
        return;
    if (q && (strlen(q) > QUERY_MAX || !utf8_valid(str_c(q)))) {
        http_reply_error(r, ERR_INVAL, "invalid 'q': want up to 100 bytes of text");
        return;
    }
    if (lang && lang[0] && !lang_ok(lang)) {
        http_reply_error(r, ERR_INVAL, "invalid 'lang': want a language code like en or pt-BR");
        return;
    }
    struct store_canned_query sq = { .agent_id = owner_of(p), .q = q, .limit = (int)limit };
    struct store_canned *v;
    size_t n;
    int rc = store_canned_search(a->st, http_arena(r), &sq, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot search canned replies");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, canned_json(p, &v[i], lang && lang[0] ? lang : NULL));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__canned_create(struct http_req *r, void *ctx)
{
    save(r, ctx, 0);
}

void
api__canned_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    struct store_canned c;
    if (api__id_or_reply(r, 0, &id) < 0 || visible_or_reply(r, a, id, &c) < 0)
        return;
    const char *lang = http_query(r, "lang");
    api__reply(r, 200, canned_json(api__principal(r), &c, lang && lang_ok(lang) ? lang : NULL));
}

void
api__canned_update(struct http_req *r, void *ctx)
{
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    save(r, ctx, id);
}

void
api__canned_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    struct store_canned c;
    if (api__id_or_reply(r, 0, &id) < 0 || visible_or_reply(r, a, id, &c) < 0)
        return;
    if (!editable(api__principal(r), &c)) {
        http_reply_error(r, ERR_PERM, "only admins and supervisors edit the team's shared "
                                      "replies");
        return;
    }
    int rc = care_canned_delete(a->care, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such canned reply"
                                                   : "cannot delete canned reply");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}

/* The values a conversation gives a canned body: its contact's name and attributes, the
 * calling agent's public name and the conversation's id. The contact's first name goes to
 * '*first' too (NULL when unknown). */
static int
fill_vars_or_reply(struct http_req *r, struct api *a, const struct conv *cv,
                   struct care_fill_vars *v, const char **first)
{
    struct arena *ar = http_arena(r);
    const struct auth_principal *p = api__principal(r);
    struct contact ct;
    int rc = store_contact_get(a->st, ar, cv->contact_id, &ct);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the conversation's contact");
        return rc;
    }
    *v = (struct care_fill_vars){ .contact_name = ct.name, .conv_id = cv->id };
    struct agent ag;
    if (owner_of(p) && store_agent_get(a->st, ar, owner_of(p), &ag) == 0)
        v->agent_name = ag.display_name && ag.display_name[0] ? ag.display_name : ag.name;
    json_t *attrs = codec_parse_object(ct.attributes);
    api__defer_decref(r, attrs);
    size_t n = 0, max = json_object_size(attrs);
    struct care_fill_attr *av = ARENA_NEW_N(ar, struct care_fill_attr, max + 1);
    const char *k;
    json_t *val;
    json_object_foreach(attrs, k, val) {
        const char *text = NULL;
        if (json_is_string(val))
            text = json_string_value(val);
        else if (json_is_integer(val))
            text = arena_printf(ar, "%lld", (long long)json_integer_value(val));
        else if (json_is_real(val))
            text = arena_printf(ar, "%g", json_real_value(val));
        if (text)
            av[n++] = (struct care_fill_attr){ k, text };
    }
    v->attrs = av;
    v->nattrs = n;
    *first = NULL;
    if (ct.name) {
        struct str s = str_trim(str_c(ct.name));
        size_t w = 0;
        while (w < s.len && s.p[w] != ' ')
            w++;
        *first = arena_strndup(ar, s.p, w);
    }
    return 0;
}

/* Fills canned reply 'canned_id' for conversation 'cv' in 'lang' (NULL: the conversation's
 * language, else the reply's default). < 0 after replying. */
static int
render_or_reply(struct http_req *r, struct api *a, int64_t canned_id, const struct conv *cv,
                const char *lang, struct care_fill_result *out, const char **used,
                const char **first)
{
    struct store_canned c;
    if (visible_or_reply(r, a, canned_id, &c) < 0)
        return ERR_NOTFOUND;
    if (!lang && store_conv_lang(a->st, http_arena(r), cv->id, &lang) < 0)
        lang = NULL;
    json_t *bodies = codec_parse_object(c.bodies);
    api__defer_decref(r, bodies);
    const char *body = pick_body(bodies, c.default_lang, lang, used);
    struct care_fill_vars v;
    if (fill_vars_or_reply(r, a, cv, &v, first) < 0)
        return ERR_IO;
    int rc = care_canned_fill(http_arena(r), str_c(body ? body : ""), &v, out);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot fill the canned reply");
        return rc;
    }
    return 0;
}

/* Conversation 'id' as the caller may see it: out of a store-staff caller's scope it is "no
 * such conversation", as a missing one (the route names a canned reply, not the conversation,
 * so the router's scope check cannot see it). */
static int
conv_or_reply(struct http_req *r, struct api *a, int64_t id, struct conv *cv)
{
    const struct auth_principal *p = api__principal(r);
    int rc = p && p->scope.limited ? store_conv_visible(a->st, &p->scope, id) : 0;
    if (rc == 0)
        rc = store_conv_get(a->st, http_arena(r), id, cv);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation"
                                                   : "cannot read conversation");
        return rc;
    }
    return 0;
}

void
api__canned_render(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, conv_id = 0;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    const char *lang = NULL;
    if (!body || api__opt_int_or_reply(r, body, "conversation_id", 1, INT64_MAX, &conv_id) < 0 ||
        api__opt_string_or_reply(r, body, "lang", 16, &lang) < 0)
        return;
    if (!conv_id) {
        invalid(r, "conversation_id", "name the conversation to fill the reply for");
        return;
    }
    if (lang && !lang_ok(lang)) {
        invalid(r, "lang", "want a language code like en or pt-BR");
        return;
    }
    struct conv cv;
    struct care_fill_result f;
    const char *used = NULL, *first;
    if (conv_or_reply(r, a, conv_id, &cv) < 0 ||
        render_or_reply(r, a, id, &cv, lang, &f, &used, &first) < 0)
        return;
    json_t *missing = json_array();
    for (size_t i = 0; i < f.nmissing; i++)
        json_array_append_new(missing, json_string(f.missing[i]));
    api__reply(r, 200, json_pack("{s:s%,s:o,s:o}", "text", f.text, f.len, "missing", missing,
                                 "lang", used ? json_string(used) : json_null()));
}

int
api__reply_nudges_or_reply(struct http_req *r, struct api *a, const struct conv *cv,
                           struct str text, int64_t canned_id, struct care_nudge *out,
                           size_t *n)
{
    struct care_draft d = { .text = text };
    struct care_fill_vars v;
    const char *used;
    if (canned_id) {
        struct care_fill_result f;
        if (render_or_reply(r, a, canned_id, cv, NULL, &f, &used, &d.first_name) < 0)
            return ERR_INVAL;
        d.canned = (struct str){ f.text, f.len };
    } else if (fill_vars_or_reply(r, a, cv, &v, &d.first_name) < 0) {
        return ERR_IO;
    }
    /* The agents' replies in the conversation's newest page: whether one used the name. */
    struct msg *m;
    size_t nm = 0;
    int64_t next;
    if (d.first_name && store_msg_list(a->st, http_arena(r), cv->id, 0, 50, &m, &nm, &next) == 0) {
        struct str *earlier = ARENA_NEW_N(http_arena(r), struct str, nm + 1);
        for (size_t i = 0; i < nm; i++) {
            if (m[i].author_agent_id && m[i].text && strcmp(m[i].kind, "message") == 0)
                earlier[d.nearlier++] = str_c(m[i].text);
        }
        d.earlier = earlier;
    }
    *n = care_reply_check(a->care, http_arena(r), &d, out);
    return 0;
}

void
api__conv_reply_check(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, canned_id = 0;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    const char *text = NULL;
    if (!body || api__opt_string_or_reply(r, body, "text", MODEL_TEXT_MAX, &text) < 0 ||
        api__opt_int_or_reply(r, body, "canned_id", 1, INT64_MAX, &canned_id) < 0)
        return;
    if (!text) {
        invalid(r, "text", "write the reply to check");
        return;
    }
    struct conv cv;
    struct care_nudge v[CARE_NUDGE_MAX];
    size_t n = 0;
    if (conv_or_reply(r, a, id, &cv) < 0 ||
        api__reply_nudges_or_reply(r, a, &cv, str_c(text), canned_id, v, &n) < 0)
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s,s:s}", "kind", v[i].kind, "message",
                                               v[i].message));
    api__reply(r, 200, json_pack("{s:o}", "nudges", items));
}

void
api__canned_overrides(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (!edits_shared(api__principal(r))) {
        http_reply_error(r, ERR_PERM, "only admins and supervisors see this");
        return;
    }
    struct store_nudge_override *v;
    size_t n;
    int rc = store_nudge_override_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the counts");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I,s:s,s:I,s:o}", "agent_id",
                                               (json_int_t)v[i].agent_id, "name",
                                               v[i].agent_name ? v[i].agent_name : "", "count",
                                               (json_int_t)v[i].count, "last_at",
                                               codec_time(v[i].last_at)));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}
