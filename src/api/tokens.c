/* SPDX-License-Identifier: MIT */
/*
 * tokens.c - GET and POST /api/v1/tokens, DELETE /api/v1/tokens/{id}: API tokens for
 * integrations, for admins.
 *
 * A token's secret is shown once, in the creation response; the list shows its record only.
 * Revoking keeps the record (with revoked_at) so the list still tells what existed.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)

static json_t *
token_json(const struct api_token *t, int64_t now)
{
    const char *status = t->revoked_at                             ? "revoked"
                         : t->expires_at && now >= t->expires_at ? "expired"
                         : t->owner_disabled                     ? "owner_disabled"
                                                                 : "active";
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "role", json_string(t->role));
    json_object_set_new(o, "agent_id", t->agent_id ? json_integer(t->agent_id) : json_null());
    json_object_set_new(o, "created_at", codec_time(t->created_at));
    json_object_set_new(o, "last_used_at", codec_time(t->last_used_at));
    json_object_set_new(o, "expires_at", codec_time(t->expires_at));
    json_object_set_new(o, "revoked_at", codec_time(t->revoked_at));
    json_object_set_new(o, "status", json_string(status));
    return o;
}

void
api__tokens_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct api_token *v;
    size_t n;
    int rc = store_token_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list tokens");
        return;
    }
    int64_t now = clock_now_ms();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, token_json(&v[i], now));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__tokens_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct api_token t = { 0 };
    int64_t days = 0;
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &t.name) < 0 ||
        api__opt_string_or_reply(r, body, "role", 16, &t.role) < 0 ||
        api__opt_int_or_reply(r, body, "expires_days", 1, 3650, &days) < 0)
        return;
    if (!t.role)
        t.role = "agent"; /* least privilege unless asked */
    /* The token belongs to the agent who made it (or, made with a token, to that token's
     * agent), so disabling that agent stops it too. */
    t.agent_id = p->agent_id ? p->agent_id : p->token_agent_id;
    int64_t now = clock_now_ms();
    if (days)
        t.expires_at = now + days * DAY_MS;
    char secret[80];
    int64_t id;
    struct errmsg em = { 0 };
    int rc = auth_token_create(care_auth(a->care), &t, secret, sizeof(secret), &id, &em);
    if (rc == ERR_INVAL && em.set) {
        /* A field the caller can fix: a 422 naming it, so a form shows it beside the field. */
        const char *field = strstr(em.text, "'name'")   ? "name"
                            : strstr(em.text, "'role'") ? "role"
                                                        : "expires_days";
        api__reply(r, 422, json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field",
                                     "message", em.text, "field", field));
        return;
    }
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot create token");
        return;
    }
    t.id = id;
    t.created_at = now;
    json_t *o = token_json(&t, now);
    json_object_set_new(o, "token", json_string(secret));
    api__reply(r, 201, o);
}

void
api__token_revoke(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = auth_token_revoke(care_auth(a->care), id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such token" : "cannot revoke token");
        return;
    }
    log_info("auth", "token revoked", "token=%lld by_agent=%lld by_token=%lld", (long long)id,
             (long long)p->agent_id, (long long)p->token_id);
    api__reply(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", "revoked"));
}
