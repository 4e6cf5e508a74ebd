/* SPDX-License-Identifier: MIT */
/*
 * policies.c - SLA policies (admins write). Targets are in seconds; an update bumps the
 * policy's version, and conversations computed under an older one are recomputed lazily
 * (sla.c).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "store/store.h"

#define DAY_S (24 * 3600)

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

static json_t *
secs(int64_t s)
{
    return s > 0 ? json_integer(s) : json_null();
}

json_t *
api__policy_json(const struct store_sla_policy *p)
{
    json_t *o = json_pack("{s:I,s:s,s:i,s:I}", "id", (json_int_t)p->id, "name", p->name,
                          "position", p->position, "version", (json_int_t)p->version);
    json_object_set_new(o, "match", json_pack("{s:o,s:o,s:o}", "priority",
                                              p->priority >= 0 ? json_integer(p->priority)
                                                               : json_null(),
                                              "channel_type",
                                              p->channel_type ? json_string(p->channel_type)
                                                              : json_null(),
                                              "intent",
                                              p->intent ? json_string(p->intent) : json_null()));
    json_object_set_new(o, "first_response_s", secs(p->first_s));
    json_object_set_new(o, "next_response_s", secs(p->next_s));
    json_object_set_new(o, "resolution_s", secs(p->resolve_s));
    json_object_set_new(o, "business_hours", json_boolean(p->business_hours));
    json_object_set_new(o, "calendar_id", p->calendar_id ? json_integer(p->calendar_id)
                                                         : json_null());
    json_object_set_new(o, "warn_pct", json_integer(p->warn_pct));
    json_object_set_new(o, "updated_at", codec_time(p->updated_at));
    return o;
}

static int
policy_body(struct http_req *r, struct store_sla_policy *p)
{
    json_t *body = api__json_or_reply(r);
    if (!body)
        return ERR_INVAL;
    memset(p, 0, sizeof(*p));
    int64_t pos = 0, prio = -1, cal = 0, warn = 80;
    json_t *m = json_object_get(body, "match");
    if (m && !json_is_object(m))
        return invalid(r, "match", "an object");
    if (!m)
        m = body;
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &p->name) < 0 ||
        api__opt_int_or_reply(r, body, "position", -1000000, 1000000, &pos) < 0 ||
        api__opt_int_or_reply(r, m, "priority", 0, 3, &prio) < 0 ||
        api__opt_string_or_reply(r, m, "channel_type", 32, &p->channel_type) < 0 ||
        api__opt_string_or_reply(r, m, "intent", 32, &p->intent) < 0 ||
        api__opt_int_or_reply(r, body, "first_response_s", 1, 365LL * DAY_S, &p->first_s) < 0 ||
        api__opt_int_or_reply(r, body, "next_response_s", 1, 365LL * DAY_S, &p->next_s) < 0 ||
        api__opt_int_or_reply(r, body, "resolution_s", 1, 365LL * DAY_S, &p->resolve_s) < 0 ||
        api__opt_bool_or_reply(r, body, "business_hours", &p->business_hours) < 0 ||
        api__opt_int_or_reply(r, body, "calendar_id", 1, INT64_MAX, &cal) < 0 ||
        api__opt_int_or_reply(r, body, "warn_pct", 1, 99, &warn) < 0)
        return ERR_INVAL;
    if (!p->name || !p->name[0])
        return invalid(r, "name", "a name");
    p->position = (int)pos;
    p->priority = (int)prio;
    p->calendar_id = cal;
    p->warn_pct = (int)warn;
    return 0;
}

static void
reply_policy(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct store_sla_policy p;
    int rc = store_sla_policy_get(a->st, http_arena(r), id, &p);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such policy" : "cannot read policy");
        return;
    }
    api__reply(r, status, api__policy_json(&p));
}

static void
put_policy(struct http_req *r, struct api *a, int64_t id)
{
    struct store_sla_policy p;
    if (policy_body(r, &p) < 0)
        return;
    int64_t out = 0;
    int rc = routing_sla_policy_put(care_routing(a->care), id, &p, &out);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such policy or calendar"
                                                   : "cannot save policy");
        return;
    }
    reply_policy(r, a, out, id ? 200 : 201);
}

void
api__policies_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_sla_policy *v;
    size_t n;
    int rc = store_sla_policy_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list policies");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, api__policy_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__policies_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    put_policy(r, a, 0);
}

void
api__policy_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_policy(r, a, id, 200);
}

void
api__policy_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    put_policy(r, a, id);
}

void
api__policy_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = routing_sla_policy_delete(care_routing(a->care), id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such policy" : "cannot delete policy");
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}
