/* SPDX-License-Identifier: MIT */
/*
 * hooks.c - POST /hooks/{channel_id}: inbound webhooks from platforms and integrations.
 *
 * The raw body goes to the channel adapter untouched (signatures are over exact bytes). The
 * 200 is sent only after everything in the delivery is durable: {"status":"accepted"} with the
 * first message's ids, "duplicate" when every message was stored before, "ignored" (no ids)
 * when the delivery had nothing to store; or the platform's own ack body (chan_ops.ack_*).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "channels/chan.h"

static const char *
hook_header(void *ctx, const char *name)
{
    return http_header(ctx, name);
}

static const char *
hook_query(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

void
api__hook_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t channel_id;
    if (api__id_or_reply(r, 0, &channel_id) < 0)
        return;
    struct chan_hook hook = { .method = "GET", .header = hook_header, .query = hook_query,
                              .ctx = r };
    struct chan_handshake out = { .content_type = "text/plain" };
    struct errmsg em = { 0 };
    int rc = care_hook_handshake(a->care, http_arena(r), channel_id, &hook, &out, &em);
    if (rc < 0) {
        http_reply_error(r, rc == ERR_AUTH ? ERR_PERM : rc, em.set ? em.text : "refused");
        return;
    }
    http_add_header(r, "Cache-Control", "no-store");
    http_reply(r, 200, out.content_type, out.body, out.len);
}

void
api__hook(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t channel_id;
    if (api__id_or_reply(r, 0, &channel_id) < 0)
        return;
    struct chan_hook hook = { .method = http_method(r), .body = http_body(r),
                              .header = hook_header, .query = hook_query, .ctx = r };
    hook.url = arena_printf(http_arena(r), "%s/hooks/%lld", a->cfg.public_url,
                            (long long)channel_id);
    struct care_hook_result res;
    struct errmsg em = { 0 };
    int rc = care_hook(a->care, http_arena(r), channel_id, &hook, &res, &em);
    if (rc < 0) {
        /* Malformed payloads are 400 here: platforms retry 4xx differently from 422. A store
         * that cannot write (disk full, I/O errors) is 503: nothing was stored, send again. */
        if (rc == ERR_UNAVAIL || rc == ERR_IO) {
            rc = ERR_UNAVAIL;
            http_add_header(r, "Retry-After", "5");
            if (!em.set)
                errmsg_set(&em, rc, "the store cannot write now; nothing was stored, retry later");
        }
        if (rc == ERR_AUTH) /* the platform's signature over the body, not a credential */
            http_add_header(r, "WWW-Authenticate", "Signature realm=\"hooks\"");
        http_reply_error(r, rc, em.set ? em.text : "cannot accept webhook");
        return;
    }
    if (res.ack_body) {
        http_reply(r, 200, res.ack_type, res.ack_body, strlen(res.ack_body));
        return;
    }
    json_t *out = json_object();
    if (res.accepted == 0 && res.duplicates == 0) {
        /* Nothing to store (a status-only delivery, an update without a message, an event
         * type we do not take): acknowledged, and no ids, since there are none. */
        json_object_set_new(out, "status", json_string("ignored"));
        api__reply(r, 200, out);
        return;
    }
    json_object_set_new(out, "status", json_string(res.accepted ? "accepted" : "duplicate"));
    json_object_set_new(out, "message_id", json_integer(res.first.message_id));
    json_object_set_new(out, "conversation_id", json_integer(res.first.conversation_id));
    json_object_set_new(out, "duplicate", json_boolean(res.first.duplicate));
    api__reply(r, 200, out);
}
