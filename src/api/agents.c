/* SPDX-License-Identifier: MIT */
/*
 * agents.c - GET and POST /api/v1/agents; an admin's PATCH /api/v1/agents/{id} (name, public
 * profile, role), POST /api/v1/agents/{id}/disable, /enable, /password (reset) and /invite (a
 * fresh one-time link); and the public side of invite links, GET and POST
 * /api/v1/invites/{token}, rate-limited per client like a login. Disabling, resetting or
 * accepting a link ends the agent's sessions at once.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "store/store.h"

#define BIO_MAX 1000
#define AVATAR_URL_MAX 2000
/* Public invite endpoints per client address: a burst of 20 (as login_max_per_client), then
 * one every 3 s. */
#define INVITE_BURST 20
#define INVITE_PER_SEC (1.0 / 3)

/* Replies 422 invalid_field about 'field' (the answer's error.field: the web app shows the
 * message next to it). */
static int
invalid(struct http_req *r, const char *field, const char *want)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid '%s': %s", field, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

/* An avatar URL: empty, or https:// with no spaces or control characters. */
static bool
avatar_ok(const char *u)
{
    if (!u[0])
        return true;
    if (strncmp(u, "https://", 8) != 0 || !u[8])
        return false;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>')
            return false;
    }
    return true;
}

/* Checks the profile fields an admin may set (NULL: absent). < 0 after replying 422. */
static int
fields_or_reply(struct http_req *r, const struct agent *ag)
{
    if (ag->name && (!ag->name[0] || strlen(ag->name) > MODEL_NAME_MAX))
        return invalid(r, "name", "want 1..200 bytes");
    if (ag->display_name && (!ag->display_name[0] || strlen(ag->display_name) > MODEL_NAME_MAX))
        return invalid(r, "display_name", "want 1..200 bytes");
    if (ag->avatar_url && !avatar_ok(ag->avatar_url))
        return invalid(r, "avatar_url", "want an https:// address, or empty for none");
    if (ag->role && !model_agent_role_valid(str_c(ag->role)))
        return invalid(r, "role", "want admin, supervisor, agent or store_staff");
    return 0;
}

/* The link an invite token opens in the web app. */
static json_t *
invite_json(struct http_req *r, struct api *a, const char *token, int64_t expires_at)
{
    (void)r;
    return json_pack("{s:o,s:o}", "invite_url",
                     json_sprintf("%s/#/invite/%s", a->cfg.public_url, token), "invite_expires_at",
                     codec_time(expires_at));
}

/* {token}, as a string of the request (auth/ checks its shape). */
static const char *
param_token(struct http_req *r)
{
    struct str t = http_param(r, 0);
    return arena_strndup(http_arena(r), t.p ? t.p : "", t.len);
}

/* Spends a token of the client's invite budget; < 0 after replying 429 with Retry-After. */
static int
invite_throttle_or_reply(struct http_req *r, struct api *a)
{
    char key[96];
    snprintf(key, sizeof(key), "inv:%.80s", http_client(r));
    return api__throttle_or_reply(r, a, key, INVITE_BURST, INVITE_PER_SEC);
}

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
        api__opt_string_or_reply(r, body, "avatar_url", AVATAR_URL_MAX, &ag.avatar_url) < 0 ||
        api__opt_string_or_reply(r, body, "bio", BIO_MAX, &ag.bio) < 0 ||
        api__opt_string_or_reply(r, body, "role", 16, &ag.role) < 0 ||
        api__opt_string_or_reply(r, body, "password", 1024, &password) < 0)
        return;
    if (!ag.role)
        ag.role = "agent";
    if (!ag.email || !strchr(ag.email, '@')) {
        invalid(r, "email", "want an email address");
        return;
    }
    if (!ag.name) {
        invalid(r, "name", "want 1..200 bytes");
        return;
    }
    if (fields_or_reply(r, &ag) < 0)
        return;
    /* Without a password the agent is invited: a one-time link lets them choose one. */
    if (password && api__password_or_reply(r, password) < 0)
        return;
    struct errmsg em = { 0 };
    int64_t id;
    int rc = auth_agent_add(care_auth(a->care), &ag, password ? str_c(password) : STR_NULL, &id,
                            &em);
    if (rc == ERR_CONFLICT) {
        api__reply(r, 409, json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "conflict", "message",
                                     "an agent with this email exists", "field", "email"));
        return;
    }
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot add agent");
        return;
    }
    char token[AUTH_INVITE_TOKEN_LEN + 22];
    int64_t expires = 0;
    if (!password && (rc = auth_invite_create(care_auth(a->care), id, token, sizeof(token),
                                              &expires)) < 0) {
        http_reply_error(r, rc, "cannot create the invite link");
        return;
    }
    struct agent saved;
    rc = store_agent_get(a->st, http_arena(r), id, &saved);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read agent");
        return;
    }
    json_t *o = codec_agent(&saved, true);
    if (!password)
        json_object_update_new(o, invite_json(r, a, token, expires));
    api__reply(r, 201, o);
}

void
api__agent_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *known[] = { "name", "display_name", "role", "bio", "avatar_url" };
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        bool ok = false;
        for (size_t i = 0; i < COUNTOF(known); i++)
            ok = ok || strcmp(key, known[i]) == 0;
        if (!ok) {
            char msg[120];
            snprintf(msg, sizeof(msg), "unknown field '%.40s'", key);
            http_reply_error_status(r, 422, "invalid_field", msg);
            return;
        }
    }
    struct agent ag = { 0 };
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &ag.name) < 0 ||
        api__opt_string_or_reply(r, body, "display_name", MODEL_NAME_MAX, &ag.display_name) < 0 ||
        api__opt_string_or_reply(r, body, "avatar_url", AVATAR_URL_MAX, &ag.avatar_url) < 0 ||
        api__opt_string_or_reply(r, body, "bio", BIO_MAX, &ag.bio) < 0 ||
        api__opt_string_or_reply(r, body, "role", 16, &ag.role) < 0 ||
        fields_or_reply(r, &ag) < 0)
        return;
    /* An admin cannot take away their own admin role (nobody might be left to give it back). */
    if (ag.role && id == p->agent_id && strcmp(ag.role, "admin") != 0) {
        invalid(r, "role", "you cannot take away your own admin role");
        return;
    }
    int rc = auth_agent_update(care_auth(a->care), id, &ag);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such agent" : "cannot update agent");
        return;
    }
    if (ag.role)
        log_info("auth", "role set", "agent=%lld role=%s by_agent=%lld by_token=%lld",
                 (long long)id, ag.role, (long long)p->agent_id, (long long)p->token_id);
    struct agent saved;
    rc = store_agent_get(a->st, http_arena(r), id, &saved);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read agent");
        return;
    }
    api__reply(r, 200, codec_agent(&saved, true));
}

void
api__agent_invite(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, expires;
    char token[AUTH_INVITE_TOKEN_LEN + 22];
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = auth_invite_create(care_auth(a->care), id, token, sizeof(token), &expires);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such agent" : "cannot create the link");
        return;
    }
    json_t *o = invite_json(r, a, token, expires);
    json_object_set_new(o, "id", json_integer(id));
    api__reply(r, 200, o);
}

void
api__invite_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (invite_throttle_or_reply(r, a) < 0)
        return;
    struct agent ag;
    int64_t expires;
    int rc = auth_invite_get(care_auth(a->care), http_arena(r), param_token(r), &ag, &expires);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "this link is not valid any more"
                                                   : "cannot read the link");
        return;
    }
    api__reply(r, 200, json_pack("{s:s,s:s,s:o}", "email", ag.email, "name", ag.name,
                                 "expires_at", codec_time(expires)));
}

void
api__invite_accept(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (invite_throttle_or_reply(r, a) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *password = NULL;
    if (api__opt_string_or_reply(r, body, "password", AUTH_PASSWORD_MAX, &password) < 0 ||
        api__password_or_reply(r, password) < 0)
        return;
    struct errmsg em = { 0 };
    int64_t id = 0;
    int rc = auth_invite_accept(care_auth(a->care), param_token(r), str_c(password), &id, &em);
    if (rc == ERR_BUSY)
        http_add_header(r, "Retry-After", "1");
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot set the password");
        return;
    }
    struct agent ag;
    rc = store_agent_get(a->st, http_arena(r), id, &ag);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read agent");
        return;
    }
    api__reply(r, 200, json_pack("{s:s,s:s}", "status", "password_set", "email", ag.email));
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
