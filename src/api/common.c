/* SPDX-License-Identifier: MIT */
/*
 * common.c - what every API handler shares: authentication and CSRF, JSON bodies, ids and
 * replies.
 */
#include "base/base.h"
#include "api/api_int.h"

#include <strings.h>

#include "base/arena.h"
#include "base/utf8.h"

static void
decref(void *p)
{
    json_decref(p);
}

void
api__defer_decref(struct http_req *r, json_t *j)
{
    arena_defer(http_arena(r), decref, j);
}

void
api__reply(struct http_req *r, unsigned status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, status, s, strlen(s));
    free(s);
}

void
api__reply_err(struct http_req *r, int rc, const struct errmsg *em, const char *fallback)
{
    if (rc == ERR_INVAL && em && em->set && strncmp(em->text, "malformed", 9) != 0) {
        /* A well-formed request with a bad field value is 422. */
        http_reply_error_status(r, 422, "invalid_field", em->text);
        return;
    }
    http_reply_error(r, rc, em && em->set ? em->text : fallback);
}

int
api__auth_or_reply(struct http_req *r, struct api *a, enum api__role role,
                   struct auth_principal *p)
{
    const char *authz = http_header(r, "Authorization");
    int rc;
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            http_add_header(r, "WWW-Authenticate", "Bearer realm=\"hark\"");
            http_reply_error(r, ERR_AUTH, "want 'Authorization: Bearer <token>'");
            return ERR_AUTH;
        }
        rc = auth_bearer(care_auth(a->care), http_arena(r), authz + 7, p);
    } else {
        const char *cookie = http_cookie(r, a->cfg.secure_cookies ? API_COOKIE_SECURE : API_COOKIE);
        rc = cookie ? auth_session(care_auth(a->care), http_arena(r), cookie, p) : ERR_AUTH;
    }
    if (rc < 0) {
        /* RFC 6750: a token that was sent and refused is an invalid_token. */
        if (rc == ERR_AUTH)
            http_add_header(r, "WWW-Authenticate", authz ? "Bearer realm=\"hark\", error=\"invalid_token\""
                                                         : "Bearer realm=\"hark\"");
        http_reply_error(r, rc, rc == ERR_AUTH ? "authentication required" : "cannot authenticate");
        return rc;
    }
    http_set_principal(r, p->agent_id, p->token_id);
    if (p->via_cookie && strcmp(http_method(r), "GET") != 0 && strcmp(http_method(r), "HEAD") != 0) {
        const char *token = http_header(r, "X-CSRF-Token");
        if (!token || strlen(token) != strlen(p->csrf) || !str_ct_eq(token, p->csrf, strlen(token))) {
            http_reply_error(r, ERR_PERM, "missing or wrong X-CSRF-Token");
            return ERR_PERM;
        }
    }
    if (role == API_ADMIN && strcmp(p->role, "admin") != 0) {
        http_reply_error(r, ERR_PERM, "admins only");
        return ERR_PERM;
    }
    return 0;
}

json_t *
api__json_or_reply(struct http_req *r)
{
    const char *ct = http_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        http_reply_error_status(r, 415, "unsupported_media_type", "want Content-Type: application/json");
        return NULL;
    }
    struct str body = http_body(r);
    json_error_t jerr;
    json_t *j = json_loadb(body.p ? body.p : "", body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        char msg[256];
        snprintf(msg, sizeof(msg), "malformed JSON at line %d column %d: %s", jerr.line, jerr.column,
                 jerr.text);
        http_reply_error(r, ERR_INVAL, msg);
        return NULL;
    }
    arena_defer(http_arena(r), decref, j);
    if (!json_is_object(j)) {
        http_reply_error(r, ERR_INVAL, "malformed body: want a JSON object");
        return NULL;
    }
    return j;
}

int
api__id_or_reply(struct http_req *r, size_t i, int64_t *id)
{
    if (str_to_i64(http_param(r, i), 1, INT64_MAX, id) < 0) {
        http_reply_error(r, ERR_NOTFOUND, "no such object");
        return ERR_NOTFOUND;
    }
    return 0;
}

int
api__opt_string_or_reply(struct http_req *r, json_t *obj, const char *name, size_t max,
                         const char **out)
{
    json_t *v = json_object_get(obj, name);
    char msg[160];
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        snprintf(msg, sizeof(msg), "invalid '%s': want a string", name);
    } else if (json_string_length(v) > max) {
        snprintf(msg, sizeof(msg), "invalid '%s': longer than %zu bytes", name, max);
    } else if (!utf8_valid((struct str){ json_string_value(v), json_string_length(v) })) {
        snprintf(msg, sizeof(msg), "invalid '%s': not UTF-8 text", name);
    } else {
        *out = json_string_value(v);
        return 0;
    }
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

int
api__query_int_or_reply(struct http_req *r, const char *name, int64_t min, int64_t max,
                        int64_t *out)
{
    const char *v = http_query(r, name);
    if (!v)
        return 0;
    if (str_to_i64(str_c(v), min, max, out) < 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "invalid '%s': want an integer in %lld..%lld", name,
                 (long long)min, (long long)max);
        http_reply_error(r, ERR_INVAL, msg);
        return ERR_INVAL;
    }
    return 0;
}
