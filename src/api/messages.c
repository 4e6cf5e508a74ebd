/* SPDX-License-Identifier: MIT */
/*
 * messages.c - POST /api/v1/messages/{id}/retry: an agent sends a failed reply again.
 *
 * Only a reply whose delivery failed can be retried; it goes back in the outbox with a fresh
 * attempt count and keeps its idempotency key, so a platform that did receive an earlier
 * attempt can still drop the repeat.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "store/store.h"

void
api__msg_retry(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = care_msg_retry(a->care, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND   ? "no such reply"
                                : rc == ERR_CONFLICT ? "only a failed reply can be retried"
                                                     : "cannot retry");
        return;
    }
    struct msg m;
    rc = store_msg_get(a->st, http_arena(r), id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read reply");
        return;
    }
    api__reply(r, 200, codec_msg(&m));
}
