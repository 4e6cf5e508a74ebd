/* SPDX-License-Identifier: MIT */
/*
 * history.c - a conversation's message history, page by page: the 'limit' and 'before' query
 * arguments shared by every read of messages (the conversation, its messages, the widget's
 * own view) and GET /api/v1/conversations/{id}/messages.
 *
 * Pages are keyset pages on the message id, newest page first and each page oldest first. The
 * cursor is opaque to clients (today the id of the oldest message of the page), so a message
 * that arrives while a client pages back never shifts or repeats a page.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "store/store.h"

int
api__msg_page_or_reply(struct http_req *r, int64_t *before, int *limit)
{
    int64_t n = 0, b = 0;
    if (api__query_int_or_reply(r, "limit", 1, STORE_MSG_PAGE_MAX, &n) < 0)
        return ERR_INVAL;
    const char *v = http_query(r, "before");
    if (v && str_to_i64(str_c(v), 1, INT64_MAX, &b) < 0) {
        http_reply_error(r, ERR_INVAL, "invalid 'before': want a next_cursor from a previous page");
        return ERR_INVAL;
    }
    *limit = n ? (int)n : STORE_MSG_PAGE_DEFAULT;
    *before = b;
    return 0;
}

json_t *
api__msg_cursor(int64_t next_before)
{
    return next_before ? json_sprintf("%lld", (long long)next_before) : json_null();
}

void
api__conv_messages(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, before, next;
    int limit;
    if (api__id_or_reply(r, 0, &id) < 0 ||
        api__msg_page_or_reply(r, &before, &limit) < 0)
        return;
    struct arena *ar = http_arena(r);
    struct conv c;
    struct msg *msgs;
    size_t n;
    int rc = store_conv_get(a->st, ar, id, &c);
    if (rc == 0)
        rc = store_msg_list(a->st, ar, id, before, limit, &msgs, &n, &next);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, codec_msg(&msgs[i]));
    json_t *out = json_object();
    json_object_set_new(out, "items", arr);
    json_object_set_new(out, "next_cursor", api__msg_cursor(next));
    api__reply(r, 200, out);
}
