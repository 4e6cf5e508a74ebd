/* SPDX-License-Identifier: MIT */
/*
 * session.c - POST /api/v1/login, POST /api/v1/logout, GET and PATCH /api/v1/me, and
 * POST /api/v1/me/password (an agent's own change, which ends its other sessions).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "store/store.h"

static void
set_cookie(struct http_req *r, struct api *a, const char *value, bool clear)
{
    char line[256];
    snprintf(line, sizeof(line), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             a->cfg.secure_cookies ? API_COOKIE_SECURE : API_COOKIE, value,
             a->cfg.secure_cookies ? "; Secure" : "", clear ? "; Max-Age=0" : "");
    http_add_header(r, "Set-Cookie", line);
}

void
api__login(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    json_t *email = json_object_get(body, "email");
    json_t *password = json_object_get(body, "password");
    if (!json_is_string(email) || !json_is_string(password)) {
        http_reply_error_status(r, 422, "invalid_field", "want 'email' and 'password' strings");
        return;
    }
    struct auth_login_result login;
    int64_t retry_ms = 0;
    int rc = auth_login(care_auth(a->care), http_arena(r),
                        (struct str){ json_string_value(email), json_string_length(email) },
                        (struct str){ json_string_value(password), json_string_length(password) },
                        http_client(r), &login, &retry_ms);
    if (rc == ERR_BUSY) {
        char secs[32];
        snprintf(secs, sizeof(secs), "%lld", (long long)(retry_ms + 999) / 1000);
        http_add_header(r, "Retry-After", secs);
        http_reply_error(r, rc, "too many login attempts; try again later");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_AUTH ? "wrong email or password" : "cannot log in");
        return;
    }
    set_cookie(r, a, login.token, false);
    json_t *out = json_object();
    json_object_set_new(out, "agent", codec_agent(&login.agent, true));
    json_object_set_new(out, "csrf", json_string(login.csrf));
    api__reply(r, 200, out);
}

void
api__logout(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    const char *cookie = http_cookie(r, a->cfg.secure_cookies ? API_COOKIE_SECURE : API_COOKIE);
    if (p->via_cookie && cookie)
        auth_logout(care_auth(a->care), cookie);
    set_cookie(r, a, "", true);
    api__reply(r, 200, json_pack("{s:s}", "status", "logged_out"));
}

void
api__me(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    json_t *out = json_object();
    if (p->agent_id) {
        struct agent ag;
        int rc = store_agent_get(a->st, http_arena(r), p->agent_id, &ag);
        if (rc < 0) {
            http_reply_error(r, rc, "cannot read agent");
            json_decref(out);
            return;
        }
        json_object_set_new(out, "agent", codec_agent(&ag, true));
        json_object_set_new(out, "csrf", json_string(p->csrf));
    } else {
        json_object_set_new(out, "agent", json_null());
        json_object_set_new(out, "token", json_pack("{s:I,s:s}", "id", (json_int_t)p->token_id,
                                                     "role", p->role));
    }
    api__reply(r, 200, out);
}

void
api__me_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    if (!p->agent_id) {
        http_reply_error(r, ERR_INVAL, "API tokens have no profile");
        return;
    }
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct agent upd = { 0 };
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &upd.name) < 0 ||
        api__opt_string_or_reply(r, body, "display_name", MODEL_NAME_MAX, &upd.display_name) < 0 ||
        api__opt_string_or_reply(r, body, "avatar_url", 2000, &upd.avatar_url) < 0 ||
        api__opt_string_or_reply(r, body, "bio", 1000, &upd.bio) < 0)
        return;
    if ((upd.name && !upd.name[0]) || (upd.display_name && !upd.display_name[0])) {
        http_reply_error_status(r, 422, "invalid_field", "names cannot be empty");
        return;
    }
    if (upd.avatar_url && upd.avatar_url[0] && strncmp(upd.avatar_url, "https://", 8) != 0 &&
        strncmp(upd.avatar_url, "http://", 7) != 0 && strncmp(upd.avatar_url, "/", 1) != 0) {
        http_reply_error_status(r, 422, "invalid_field", "invalid 'avatar_url': want an http(s) URL");
        return;
    }
    int rc = auth_agent_update(care_auth(a->care), p->agent_id, &upd);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot update profile");
        return;
    }
    api__me(r, ctx);
}

void
api__me_password(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    if (!p->agent_id) {
        http_reply_error(r, ERR_INVAL, "API tokens have no password");
        return;
    }
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *current = NULL, *password = NULL;
    if (api__opt_string_or_reply(r, body, "current_password", AUTH_PASSWORD_MAX, &current) < 0 ||
        api__opt_string_or_reply(r, body, "password", AUTH_PASSWORD_MAX, &password) < 0)
        return;
    if (!current) {
        http_reply_error_status(r, 422, "invalid_field", "want a 'current_password' string");
        return;
    }
    if (api__password_or_reply(r, password) < 0)
        return;
    struct errmsg em = { 0 };
    int64_t ended = 0, retry_ms = 0;
    int rc = auth_password_change(care_auth(a->care), http_arena(r), p->agent_id, str_c(current),
                                  str_c(password), p->session_id, http_client(r), &ended,
                                  &retry_ms, &em);
    if (rc == ERR_BUSY) {
        char secs[32];
        snprintf(secs, sizeof(secs), "%lld", (long long)(retry_ms + 999) / 1000);
        http_add_header(r, "Retry-After", secs);
    }
    if (rc == ERR_AUTH) {
        /* Not 401: the session is fine, only the password given is wrong. */
        http_reply_error_status(r, 403, "wrong_password", em.text);
        return;
    }
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot change the password");
        return;
    }
    api__reply(r, 200, json_pack("{s:s,s:I}", "status", "password_changed", "sessions_ended",
                                 (json_int_t)ended));
}
