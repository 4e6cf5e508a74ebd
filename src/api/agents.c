/* SPDX-License-Identifier: MIT */
/*
 * agents.c - GET and POST /api/v1/agents.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "store/store.h"

void
api__agents_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct care_principal p;
    if (api__auth_or_reply(r, a, API_ANY, &p) < 0)
        return;
    struct agent *v;
    size_t n;
    int rc = store_agent_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list agents");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, codec_agent(&v[i], true));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__agents_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct care_principal p;
    if (api__auth_or_reply(r, a, API_ADMIN, &p) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct agent ag = { 0 };
    const char *password;
    if (api__opt_string_or_reply(r, body, "email", MODEL_NAME_MAX, &ag.email) < 0 ||
        api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &ag.name) < 0 ||
        api__opt_string_or_reply(r, body, "display_name", MODEL_NAME_MAX, &ag.display_name) < 0 ||
        api__opt_string_or_reply(r, body, "avatar_url", 2000, &ag.avatar_url) < 0 ||
        api__opt_string_or_reply(r, body, "bio", 1000, &ag.bio) < 0 ||
        api__opt_string_or_reply(r, body, "role", 16, &ag.role) < 0 ||
        api__opt_string_or_reply(r, body, "password", 1024, &password) < 0)
        return;
    if (!ag.role)
        ag.role = "agent";
    struct errmsg em = { 0 };
    int64_t id;
    int rc = care_agent_add(a->care, &ag, str_c(password), &id, &em);
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot add agent");
        return;
    }
    struct agent saved;
    rc = store_agent_get(a->st, http_arena(r), id, &saved);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read agent");
        return;
    }
    api__reply(r, 201, codec_agent(&saved, true));
}
