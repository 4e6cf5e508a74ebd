/* SPDX-License-Identifier: MIT */
/*
 * profiles.c - agents' routing profiles (skills, languages, channels, location, capacity,
 * availability) and an agent's own availability toggle.
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
profile_json(const struct store_profile *x)
{
    json_t *o = json_pack("{s:I,s:s?,s:s?,s:i,s:s,s:b,s:I}", "agent_id", (json_int_t)x->agent_id,
                          "name", x->name, "location", x->location, "capacity", x->capacity,
                          "availability", x->availability, "auto_presence", x->auto_presence,
                          "open_conversations", (json_int_t)x->open_count);
    api__set_list(o, "skills", x->skills);
    api__set_list(o, "languages", x->languages);
    api__set_list(o, "channels", x->channels);
    json_object_set_new(o, "record",
                        json_pack("{s:o,s:I,s:I,s:I}", "mean_first_response_s",
                                  x->frt_count ? json_integer(x->frt_sum_ms / x->frt_count / 1000)
                                               : json_null(),
                                  "first_responses", (json_int_t)x->frt_count, "resolved",
                                  (json_int_t)x->resolved_count, "reopened",
                                  (json_int_t)x->reopen_count));
    return o;
}

static int
availability_ok(struct http_req *r, const char *v)
{
    if (v && strcmp(v, "online") && strcmp(v, "away") && strcmp(v, "offline"))
        return invalid(r, "availability", "online, away or offline");
    return 0;
}

void
api__profiles_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_profile *v;
    size_t n;
    int rc = store_profile_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list profiles");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, profile_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

static void
reply_profile(struct http_req *r, struct api *a, int64_t id)
{
    struct store_profile x;
    int rc = store_profile_get(a->st, http_arena(r), id, &x);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such agent" : "cannot read profile");
        return;
    }
    api__reply(r, 200, profile_json(&x));
}

void
api__profile_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_profile(r, a, id);
}

void
api__profile_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    if (strcmp(p->role, "admin") != 0 && p->agent_id != id) {
        http_reply_error(r, ERR_PERM, "only admins change other agents' profiles");
        return;
    }
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    /* Store staff see their store's conversations: only an admin moves them to another. */
    if (p->scope.limited && json_object_get(body, "location")) {
        http_reply_error(r, ERR_PERM, "only an admin can change the store of store staff");
        return;
    }
    struct store_profile x = { .agent_id = id, .capacity = -1 };
    int64_t cap = -1;
    bool presence = true, has_presence = json_object_get(body, "auto_presence") != NULL;
    if (api__strlist_or_reply(r, body, "skills", &x.skills) < 0 ||
        api__strlist_or_reply(r, body, "languages", &x.languages) < 0 ||
        api__strlist_or_reply(r, body, "channels", &x.channels) < 0 ||
        api__opt_string_or_reply(r, body, "location", MODEL_NAME_MAX, &x.location) < 0 ||
        api__opt_string_or_reply(r, body, "availability", 16, &x.availability) < 0 ||
        api__opt_int_or_reply(r, body, "capacity", 0, 10000, &cap) < 0 ||
        api__opt_bool_or_reply(r, body, "auto_presence", &presence) < 0 ||
        availability_ok(r, x.availability) < 0)
        return;
    json_t *loc = json_object_get(body, "location");
    if (loc && json_is_null(loc))
        x.location = "";
    x.capacity = (int)cap;
    x.auto_presence = presence;
    int rc = routing_profile_put(care_routing(a->care), &x, has_presence);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such agent" : "cannot save profile");
        return;
    }
    reply_profile(r, a, id);
}

void
api__me_availability(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    if (!p->agent_id) {
        http_reply_error(r, ERR_INVAL, "an API token has no availability");
        return;
    }
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct store_profile x = { .agent_id = p->agent_id, .capacity = -1 };
    if (api__opt_string_or_reply(r, body, "availability", 16, &x.availability) < 0 ||
        availability_ok(r, x.availability) < 0)
        return;
    if (!x.availability) {
        invalid(r, "availability", "online, away or offline");
        return;
    }
    int rc = routing_profile_put(care_routing(a->care), &x, false);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot save availability");
        return;
    }
    reply_profile(r, a, p->agent_id);
}
