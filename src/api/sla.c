/* SPDX-License-Identifier: MIT */
/*
 * sla.c - a conversation's SLA: its clocks and routing reason
 * (GET /api/v1/conversations/{id}/sla; deadlines computed under an older policy version are
 * recomputed on read), and the Unanswered view (GET /api/v1/conversations?unanswered=true),
 * which lists conversations with theirs.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "channels/chan.h"
#include "store/store.h"

static json_t *
sla_json(const struct conv *c, const struct store_conv_sla *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "conversation_id", json_integer(c->id));
    json_object_set_new(o, "unanswered", json_boolean(x->awaiting_since != 0));
    json_object_set_new(o, "waiting_since", codec_time(x->awaiting_since));
    json_object_set_new(o, "paused", json_boolean(x->paused_at != 0));
    json_object_set_new(o, "policy_id", x->policy_id ? json_integer(x->policy_id) : json_null());
    json_object_set_new(o, "first_response_due", codec_time(x->first_due));
    json_object_set_new(o, "next_response_due", codec_time(x->next_due));
    json_object_set_new(o, "resolution_due", codec_time(x->resolve_due));
    json_object_set_new(o, "first_reply_at", codec_time(x->first_reply_at));
    /* The platform's own window for free-form replies, shown beside the SLA: the channel
     * adapter says how long it is (chan_ops.reply_window_ms; 0: none). Public comment threads
     * have none: the window is a private-messaging rule (api__platform_window_or_reply). */
    const struct chan_ops *ops = chan_find(c->channel_type);
    int64_t window_ms = ops && !c->public ? ops->reply_window_ms : 0;
    json_object_set_new(o, "reply_window_ends",
                        window_ms && c->last_inbound_at
                            ? codec_time(c->last_inbound_at + window_ms)
                            : json_null());
    json_object_set_new(o, "acknowledged_message_id",
                        x->autoack_msg_id ? json_integer(x->autoack_msg_id) : json_null());
    json_object_set_new(o, "no_reply_reason",
                        x->noreply_reason ? json_string(x->noreply_reason) : json_null());
    json_t *route = json_object();
    json_object_set_new(route, "team_id", x->team_id ? json_integer(x->team_id) : json_null());
    json_object_set_new(route, "rule_id", x->rule_id ? json_integer(x->rule_id) : json_null());
    json_object_set_new(route, "strategy", x->strategy ? json_string(x->strategy) : json_null());
    json_object_set_new(route, "reason",
                        x->route_reason ? json_string(x->route_reason) : json_null());
    json_object_set_new(route, "queued", json_boolean(x->queued_at != 0));
    json_object_set_new(route, "queued_at", codec_time(x->queued_at));
    json_object_set_new(route, "routed_at", codec_time(x->routed_at));
    json_object_set_new(route, "escalation", json_integer(x->escalation));
    json_object_set_new(o, "routing", route);
    return o;
}

void
api__conv_sla(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct arena *ar = http_arena(r);
    struct conv c;
    struct store_conv_sla x;
    int rc = store_conv_get(a->st, ar, id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    rc = store_conv_sla_get(a->st, ar, id, &x);
    if (rc == 0 && x.policy_id) {
        /* Lazy: a policy changed since these deadlines were computed. */
        struct store_sla_policy pol;
        if (store_sla_policy_get(a->st, ar, x.policy_id, &pol) < 0 ||
            pol.version != x.policy_version) {
            routing_sla_recompute(care_routing(a->care), id, 0);
            rc = store_conv_sla_get(a->st, ar, id, &x);
        }
    }
    if (rc == ERR_NOTFOUND) {
        memset(&x, 0, sizeof(x));
        rc = 0;
    }
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read SLA");
        return;
    }
    api__reply(r, 200, sla_json(&c, &x));
}

void
api__unanswered_list(struct http_req *r, struct api *a)
{
    int64_t limit = 50;
    if (api__query_int_or_reply(r, "limit", 1, 200, &limit) < 0)
        return;
    struct conv *cv;
    struct store_conv_sla *sv;
    size_t n;
    int rc = store_unanswered_list(a->st, http_arena(r), &api__principal(r)->scope, (int)limit,
                                   &cv, &sv, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list unanswered conversations");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = codec_conv(&cv[i]);
        json_object_set_new(o, "sla", sla_json(&cv[i], &sv[i]));
        json_array_append_new(items, o);
    }
    api__reply(r, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}
