/* SPDX-License-Identifier: MIT */
/*
 * queue.c - the routing queue as it stands: GET /api/v1/routing/queue. Conversations that a
 * rule sent to a team while nobody there had free capacity, oldest first, with the total; the
 * timers worker assigns them as capacity frees (routing/route.c). Keyset-paged, so any depth can
 * be read through. Not the Queue view of the web app, which filters the Unanswered view.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "store/store.h"

#define QUEUE_PAGE_MAX 1000

void
api__routing_queue(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t limit = 100;
    if (api__query_int_or_reply(r, "limit", 1, QUEUE_PAGE_MAX, &limit) < 0)
        return;
    struct store_queue_entry after = { 0 };
    const char *v = http_query(r, "cursor");
    if (v) {
        struct str ts, id;
        if (!str_cut(str_c(v), '_', &ts, &id) ||
            str_to_i64(ts, INT64_MIN, INT64_MAX, &after.queued_at) < 0 ||
            str_to_i64(id, 1, INT64_MAX, &after.conversation_id) < 0) {
            http_reply_error(r, ERR_INVAL, "invalid 'cursor': want a next_cursor value");
            return;
        }
    }
    struct store_queue_entry *items;
    size_t n;
    int64_t total = 0;
    int rc = store_route_queue_visible(a->st, http_arena(r), &api__principal(r)->scope,
                                       v ? &after : NULL, (size_t)limit, &items, &n, &total);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the routing queue");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:o,s:o}", "conversation_id",
                                             (json_int_t)items[i].conversation_id, "team_id",
                                             items[i].team_id ? json_integer(items[i].team_id)
                                                              : json_null(),
                                             "queued_at", codec_time(items[i].queued_at)));
    json_t *out = json_pack("{s:I,s:o}", "total", (json_int_t)total, "items", arr);
    json_object_set_new(out, "next_cursor",
                        n == (size_t)limit ? json_sprintf("%lld_%lld",
                                                          (long long)items[n - 1].queued_at,
                                                          (long long)items[n - 1].conversation_id)
                                           : json_null());
    api__reply(r, 200, out);
}
