/* SPDX-License-Identifier: MIT */
/*
 * rules.c - routing rules (admins): GET/POST /api/v1/routing/rules, GET/PUT/DELETE
 * /api/v1/routing/rules/{id}; and the small body helpers the routing resources share.
 * A PUT replaces the whole rule. Rules are tried in 'position' order, first match wins.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "store/store.h"

#define LIST_MAX 64
#define ITEM_MAX 100

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

int
api__strlist_or_reply(struct http_req *r, json_t *obj, const char *name, const char **out)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > LIST_MAX)
        return invalid(r, name, "an array of at most 64 strings");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        struct str s = { json_string_value(e), json_string_length(e) };
        if (!json_is_string(e) || s.len == 0 || s.len > ITEM_MAX || !utf8_valid(s))
            return invalid(r, name, "an array of 1..100 byte strings");
    }
    char *text = codec_dump(v, NULL);
    *out = arena_strdup(http_arena(r), text);
    xfree(text);
    return 0;
}

int
api__opt_int_or_reply(struct http_req *r, json_t *obj, const char *name, int64_t min,
                      int64_t max, int64_t *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char want[80];
        snprintf(want, sizeof(want), "an integer in %lld..%lld", (long long)min, (long long)max);
        return invalid(r, name, want);
    }
    *out = json_integer_value(v);
    return 0;
}

int
api__opt_bool_or_reply(struct http_req *r, json_t *obj, const char *name, bool *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return invalid(r, name, "true or false");
    *out = json_is_true(v);
    return 0;
}

void
api__set_list(json_t *o, const char *name, const char *json_text)
{
    json_object_set_new(o, name, codec_parse_array(json_text));
}

static json_t *
rule_json(const struct store_rule *x)
{
    json_t *o = json_pack("{s:I,s:s,s:i,s:b,s:I,s:s}", "id", (json_int_t)x->id, "name", x->name,
                          "position", x->position, "enabled", x->enabled, "team_id",
                          (json_int_t)x->team_id, "strategy", x->strategy);
    json_t *c = json_object();
    api__set_list(c, "channels", x->channels);
    api__set_list(c, "languages", x->languages);
    api__set_list(c, "tags", x->tags);
    api__set_list(c, "locations", x->locations);
    api__set_list(c, "intents", x->intents);
    api__set_list(c, "sentiments", x->sentiments);
    json_object_set_new(c, "public", x->public_match < 0 ? json_null()
                                                          : json_boolean(x->public_match));
    json_object_set_new(c, "urgency_min",
                        x->urgency_min < 0 ? json_null() : json_integer(x->urgency_min));
    json_object_set_new(o, "conditions", c);
    api__set_list(o, "skills", x->skills);
    json_object_set_new(o, "created_at", codec_time(x->created_at));
    json_object_set_new(o, "updated_at", codec_time(x->updated_at));
    return o;
}

/* Decodes a rule body. < 0 after replying. */
static int
rule_body(struct http_req *r, struct store_rule *x)
{
    json_t *body = api__json_or_reply(r);
    if (!body)
        return ERR_INVAL;
    memset(x, 0, sizeof(*x));
    x->enabled = true;
    x->public_match = -1;
    x->urgency_min = -1;
    int64_t pos = 0, team = 0, umin = -1;
    const char *name, *strategy;
    json_t *c = json_object_get(body, "conditions");
    if (c && !json_is_object(c))
        return invalid(r, "conditions", "an object");
    if (!c)
        c = body;
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &name) < 0 ||
        api__opt_string_or_reply(r, body, "strategy", 20, &strategy) < 0 ||
        api__opt_int_or_reply(r, body, "position", -1000000, 1000000, &pos) < 0 ||
        api__opt_int_or_reply(r, body, "team_id", 1, INT64_MAX, &team) < 0 ||
        api__opt_bool_or_reply(r, body, "enabled", &x->enabled) < 0 ||
        api__strlist_or_reply(r, c, "channels", &x->channels) < 0 ||
        api__strlist_or_reply(r, c, "languages", &x->languages) < 0 ||
        api__strlist_or_reply(r, c, "tags", &x->tags) < 0 ||
        api__strlist_or_reply(r, c, "locations", &x->locations) < 0 ||
        api__strlist_or_reply(r, c, "intents", &x->intents) < 0 ||
        api__strlist_or_reply(r, c, "sentiments", &x->sentiments) < 0 ||
        api__strlist_or_reply(r, body, "skills", &x->skills) < 0 ||
        api__opt_int_or_reply(r, c, "urgency_min", 0, 100, &umin) < 0)
        return ERR_INVAL;
    json_t *pub = json_object_get(c, "public");
    if (pub && !json_is_null(pub)) {
        if (!json_is_boolean(pub))
            return invalid(r, "public", "true, false or null");
        x->public_match = json_is_true(pub);
    }
    if (!name || !name[0])
        return invalid(r, "name", "a name");
    if (!team)
        return invalid(r, "team_id", "a team id");
    if (!strategy || (strcmp(strategy, "round_robin") && strcmp(strategy, "least_loaded") &&
                      strcmp(strategy, "best_match")))
        return invalid(r, "strategy", "round_robin, least_loaded or best_match");
    x->name = name;
    x->strategy = strategy;
    x->position = (int)pos;
    x->team_id = team;
    x->urgency_min = (int)umin;
    return 0;
}

static void
reply_rule(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct store_rule x;
    int rc = store_rule_get(a->st, http_arena(r), id, &x);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such rule" : "cannot read rule");
        return;
    }
    api__reply(r, status, rule_json(&x));
}

void
api__rules_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_rule *v;
    size_t n;
    int rc = store_rule_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list rules");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, rule_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

static void
put(struct http_req *r, struct api *a, int64_t id)
{
    struct store_rule x;
    if (rule_body(r, &x) < 0)
        return;
    int64_t out = 0;
    int rc = routing_rule_put(care_routing(a->care), id, &x, &out);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such rule or team" : "cannot save rule");
        return;
    }
    reply_rule(r, a, out, id ? 200 : 201);
}

void
api__rules_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    put(r, a, 0);
}

void
api__rule_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    put(r, a, id);
}

void
api__rule_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_rule(r, a, id, 200);
}

void
api__rule_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = routing_rule_delete(care_routing(a->care), id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such rule" : "cannot delete rule");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}

#define ORDER_MAX 1000 /* rules in one reorder; a routing setup with more is refused */

void
api__rules_order(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    json_t *ids = json_object_get(body, "ids");
    if (!json_is_array(ids) || json_array_size(ids) > ORDER_MAX) {
        invalid(r, "ids", "an array of every rule id, first to last");
        return;
    }
    size_t n = json_array_size(ids);
    int64_t *v = ARENA_NEW_N(http_arena(r), int64_t, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(ids, i);
        if (!json_is_integer(e) || json_integer_value(e) < 1) {
            invalid(r, "ids", "an array of every rule id, first to last");
            return;
        }
        v[i] = json_integer_value(e);
    }
    int rc = routing_rule_order(care_routing(a->care), v, n);
    if (rc == ERR_INVAL) {
        invalid(r, "ids", "each rule once");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_CONFLICT ? "the rules changed meanwhile: 'ids' must "
                                                     "name every rule once; reload and try again"
                                                   : "cannot reorder rules");
        return;
    }
    api__rules_list(r, ctx);
}
