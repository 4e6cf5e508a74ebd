/* SPDX-License-Identifier: MIT */
/*
 * agents.c - GET and POST /api/v1/agents; an admin's POST /api/v1/agents/{id}/disable,
 * /enable and /password (reset). Disabling or resetting ends the agent's sessions at once.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/log.h"
#include "store/store.h"

void
api__agents_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
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
    if (api__password_or_reply(r, password) < 0)
        return;
    struct errmsg em = { 0 };
    int64_t id;
    int rc = auth_agent_add(care_auth(a->care), &ag, str_c(password), &id, &em);
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

int
api__password_or_reply(struct http_req *r, const char *password)
{
    struct errmsg em = { 0 };
    if (!password) {
        http_reply_error_status(r, 422, "invalid_field", "want a 'password' string");
        return ERR_INVAL;
    }
    enum auth_password_problem pr = auth_password_check(str_c(password), &em);
    if (pr != AUTH_PASSWORD_OK) {
        http_reply_error_status(r, 422, auth_password_problem_code(pr), em.text);
        return ERR_INVAL;
    }
    return 0;
}

static void
set_disabled(struct http_req *r, struct api *a, bool disabled)
{
    const struct auth_principal *p = api__principal(r);
    int64_t id, ended = 0;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    if (disabled && id == p->agent_id) {
        http_reply_error(r, ERR_CONFLICT, "cannot disable yourself");
        return;
    }
    int rc = auth_agent_set_disabled(care_auth(a->care), id, disabled, &ended);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such agent" : "cannot update agent");
        return;
    }
    struct agent ag;
    rc = store_agent_get(a->st, http_arena(r), id, &ag);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read agent");
        return;
    }
    json_t *o = codec_agent(&ag, true);
    json_object_set_new(o, "sessions_ended", json_integer(ended));
    api__reply(r, 200, o);
}

void
api__agent_disable(struct http_req *r, void *ctx)
{
    set_disabled(r, ctx, true);
}

void
api__agent_enable(struct http_req *r, void *ctx)
{
    set_disabled(r, ctx, false);
}

void
api__agent_password(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id, ended = 0;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *password = NULL;
    if (api__opt_string_or_reply(r, body, "password", AUTH_PASSWORD_MAX, &password) < 0 ||
        api__password_or_reply(r, password) < 0)
        return;
    struct errmsg em = { 0 };
    int rc = auth_agent_set_password(care_auth(a->care), id, str_c(password), &ended, &em);
    if (rc == ERR_BUSY)
        http_add_header(r, "Retry-After", "1");
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot set the password");
        return;
    }
    log_info("auth", "password reset by admin", "agent=%lld by_agent=%lld by_token=%lld",
             (long long)id, (long long)p->agent_id, (long long)p->token_id);
    api__reply(r, 200, json_pack("{s:I,s:s,s:I}", "id", (json_int_t)id, "status", "password_set",
                                 "sessions_ended", (json_int_t)ended));
}
