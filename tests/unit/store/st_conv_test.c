/* SPDX-License-Identifier: MIT */
/* st_conv_test.c - conversations and their messages (store/st_conv.c) through store.h:
 * keyset paging of the inbox list and full-text search, assignment, read marks,
 * labels, status, per-view counts and unknown ids. */
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

TEST(conv_writes_and_counts)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    int64_t c1 = fx_conv(st, ch, "m1", "u1", "one", NULL);
    int64_t c2 = fx_conv(st, ch, "m2", "u2", "two", NULL);
    CHECK_INT(store_conv_assign(st, c1, a, a), 0);
    CHECK_INT(store_conv_assign(st, c1, 4242, a), ERR_NOTFOUND);
    CHECK_INT(store_conv_assign(st, 4242, a, a), ERR_NOTFOUND);
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, c1, &c), 0);
    CHECK_INT(c.assignee_id, a);
    CHECK_INT(c.unread, 1);
    CHECK_INT(store_conv_mark_read(st, c1), 0);
    CHECK_INT(store_conv_get(st, ar, c1, &c), 0);
    CHECK_INT(c.unread, 0);
    struct str add[] = { STR_LIT("vip"), STR_LIT("billing") }, rm[] = { STR_LIT("vip") };
    CHECK_INT(store_conv_labels(st, c1, add, 2, NULL, 0), 0);
    CHECK_INT(store_conv_get(st, ar, c1, &c), 0);
    CHECK_STR(c.labels, "[\"billing\",\"vip\"]");
    CHECK_INT(store_conv_labels(st, c1, NULL, 0, rm, 1), 0);
    CHECK_INT(store_conv_get(st, ar, c1, &c), 0);
    CHECK_STR(c.labels, "[\"billing\"]");
    CHECK_INT(store_conv_labels(st, 4242, add, 1, NULL, 0), ERR_NOTFOUND);
    CHECK_INT(store_conv_set_status(st, c2, "resolved", 0, "answered", a), 0);
    CHECK_INT(store_conv_set_status(st, c2, "nonsense", 0, NULL, a), ERR_INVAL);
    struct conv_counts cc;
    CHECK_INT(store_conv_counts(st, a, NULL, &cc), 0);
    CHECK_INT(cc.mine, 1);
    CHECK_INT(cc.unassigned, 0);
    CHECK_INT(cc.open, 1);
    CHECK_INT(cc.resolved, 1);
    struct conv_filter f = { .limit = 10, .assignee = -1 };
    struct conv *v;
    size_t n;
    int64_t nts, nid;
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &nts, &nid), 0);
    CHECK_INT(n, 1); /* unassigned: the resolved one */
    CHECK_INT(v[0].id, c2);
    f = (struct conv_filter){ .limit = 10, .label = "billing" };
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &nts, &nid), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, c1);
    CHECK_INT(store_conv_get(st, ar, 4242, &c), ERR_NOTFOUND);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, 4242, &m), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(conv_list_keyset_paging);
    RUN(conv_writes_and_counts);
    return test_done();
}
