/* SPDX-License-Identifier: MIT */
/*
 * teams.c - teams (admins write; members, lead, calendar, honest acknowledgement settings).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "store/store.h"

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

static json_t *
team_json(const struct store_team *t)
{
    json_t *members = json_array();
    for (size_t i = 0; i < t->nmembers; i++)
        json_array_append_new(members, json_integer(t->members[i]));
    json_t *o = json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)t->id, "name", t->name,
                          "members", members, "lead_agent_id",
                          t->lead_agent_id ? json_integer(t->lead_agent_id) : json_null(),
                          "calendar_id",
                          t->calendar_id ? json_integer(t->calendar_id) : json_null());
    json_t *ack = json_pack("{s:b,s:b,s:o}", "enabled", t->autoack, "public", t->autoack_public,
                            "templates", codec_parse_object(t->autoack_templates));
    json_object_set_new(o, "autoack", ack);
    json_object_set_new(o, "created_at", codec_time(t->created_at));
    json_object_set_new(o, "updated_at", codec_time(t->updated_at));
    return o;
}

static int
team_body(struct http_req *r, struct store_team *t)
{
    json_t *body = api__json_or_reply(r);
    if (!body)
        return ERR_INVAL;
    memset(t, 0, sizeof(*t));
    int64_t lead = 0, cal = 0;
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &t->name) < 0 ||
        api__opt_int_or_reply(r, body, "lead_agent_id", 1, INT64_MAX, &lead) < 0 ||
        api__opt_int_or_reply(r, body, "calendar_id", 1, INT64_MAX, &cal) < 0)
        return ERR_INVAL;
    if (!t->name || !t->name[0])
        return invalid(r, "name", "a name");
    t->lead_agent_id = lead;
    t->calendar_id = cal;
    json_t *m = json_object_get(body, "members");
    if (m && !json_is_null(m)) {
        if (!json_is_array(m) || json_array_size(m) > 10000)
            return invalid(r, "members", "an array of agent ids");
        int64_t *v = ARENA_NEW_N(http_arena(r), int64_t, json_array_size(m) + 1);
        size_t i;
        json_t *e;
        json_array_foreach(m, i, e) {
            if (!json_is_integer(e) || json_integer_value(e) <= 0)
                return invalid(r, "members", "an array of agent ids");
            v[t->nmembers++] = json_integer_value(e);
        }
        t->members = v;
    }
    json_t *ack = json_object_get(body, "autoack");
    if (ack && !json_is_null(ack)) {
        if (!json_is_object(ack))
            return invalid(r, "autoack", "an object");
        if (api__opt_bool_or_reply(r, ack, "enabled", &t->autoack) < 0 ||
            api__opt_bool_or_reply(r, ack, "public", &t->autoack_public) < 0)
            return ERR_INVAL;
        json_t *tpl = json_object_get(ack, "templates");
        if (tpl && !json_is_null(tpl)) {
            const char *k;
            json_t *v;
            if (!json_is_object(tpl) || json_object_size(tpl) > 50)
                return invalid(r, "autoack.templates", "an object of language -> text");
            json_object_foreach(tpl, k, v) {
                if (strlen(k) > 16 || !json_is_string(v) || json_string_length(v) == 0 ||
                    json_string_length(v) > 1500)
                    return invalid(r, "autoack.templates",
                                   "an object of language -> text of 1..1500 bytes");
            }
            char *text = codec_dump(tpl, NULL);
            t->autoack_templates = arena_strdup(http_arena(r), text);
            xfree(text);
        }
    }
    return 0;
}

static void
reply_team(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct store_team t;
    int rc = store_team_get(a->st, http_arena(r), id, &t);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such team" : "cannot read team");
        return;
    }
    api__reply(r, status, team_json(&t));
}

static void
put_team(struct http_req *r, struct api *a, int64_t id)
{
    struct store_team t;
    if (team_body(r, &t) < 0)
        return;
    int64_t out = 0;
    int rc = routing_team_put(care_routing(a->care), id, &t, &out);
    if (rc < 0) {
        http_reply_error(r, rc,
                         rc == ERR_CONFLICT   ? "a team with this name exists"
                         : rc == ERR_NOTFOUND ? "no such team, agent or calendar"
                                              : "cannot save team");
        return;
    }
    reply_team(r, a, out, id ? 200 : 201);
}

void
api__teams_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_team *v;
    size_t n;
    int rc = store_team_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list teams");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, team_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__teams_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    put_team(r, a, 0);
}

void
api__team_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_team(r, a, id, 200);
}

void
api__team_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    put_team(r, a, id);
}

void
api__team_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = routing_team_delete(care_routing(a->care), id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND   ? "no such team"
                                : rc == ERR_CONFLICT ? "a routing rule sends to this team"
                                                     : "cannot delete team");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}
