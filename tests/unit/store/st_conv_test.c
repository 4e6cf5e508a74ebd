/* SPDX-License-Identifier: MIT */
/* st_conv_test.c - conversations and their messages (store/st_conv.c) through store.h:
 * keyset paging of the inbox list and full-text search. */
#include "base/base.h"

#include "fixture.h"

TEST(conv_list_keyset_paging)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "api");
    for (int i = 0; i < 23; i++) {
        char ext[16], from[16];
        snprintf(ext, sizeof(ext), "p%d", i);
        snprintf(from, sizeof(from), "u%d", i);
        struct inbound in = fx_inbound(ch, ext, from, i == 5 ? "blue kayak" : "other");
        in.created_at = 1700000000000LL + i * 1000;
        struct ingest_result r;
        CHECK_INT(store_ingest(st, &in, &r), 0);
    }
    struct arena *ar = arena_new(8 << 20);
    struct conv_filter f = { .limit = 10 };
    struct conv *v;
    size_t n, total = 0;
    int64_t prev_ts = INT64_MAX;
    for (int page = 0; page < 5; page++) {
        CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &f.cursor_ts, &f.cursor_id), 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(v[i].last_message_at < prev_ts);
            prev_ts = v[i].last_message_at;
        }
        total += n;
        if (!f.cursor_id)
            break;
    }
    CHECK_INT(total, 23);
    struct conv_filter q = { .limit = 10, .q = "kayak" };
    int64_t a, b;
    CHECK_INT(store_conv_list(st, ar, &q, &v, &n, &a, &b), 0);
    CHECK_INT(n, 1);
    q.q = "\"unbalanced OR";
    CHECK_INT(store_conv_list(st, ar, &q, &v, &n, &a, &b), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(conv_list_keyset_paging);
    return test_done();
}
