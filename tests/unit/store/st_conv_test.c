/* SPDX-License-Identifier: MIT */
/* st_conv_test.c - conversations and their messages (store/st_conv.c) through store.h:
 * keyset paging of the inbox list and full-text search, assignment, read marks,
 * labels, status, per-view counts and unknown ids; the conversation's store and the store-staff
 * scope every scoped read applies. */
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

TEST(conv_store_and_scope)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t staff = fx_agent(st, "staff@x.io");
    struct ingest_result r1, r2;
    int64_t in = fx_conv(st, ch, "m1", "u1", "where is my parcel", &r1);
    int64_t out = fx_conv(st, ch, "m2", "u2", "hello", &r2);
    /* The contact's location decides the store, now and for later messages. */
    struct contact loc = { .location = "Berlin Mitte" };
    CHECK_INT(store_contact_update(st, r1.contact_id, &loc), 0);
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, in, &c), 0);
    CHECK_STR(c.store, "Berlin Mitte");
    CHECK_INT(store_conv_get(st, ar, out, &c), 0);
    CHECK(c.store == NULL);
    fx_conv(st, ch, "m3", "u1", "and another thing", NULL);
    CHECK_INT(store_conv_get(st, ar, in, &c), 0);
    CHECK_STR(c.store, "Berlin Mitte");

    /* Store staff of "berlin mitte" (any case): the store's conversation and contact only. */
    struct store_scope sc = { .limited = true, .store = "berlin mitte", .agent_id = staff };
    CHECK_INT(store_conv_visible(st, &sc, in), 0);
    CHECK_INT(store_conv_visible(st, &sc, out), ERR_NOTFOUND);
    CHECK_INT(store_conv_visible(st, &sc, 4242), ERR_NOTFOUND);
    CHECK_INT(store_conv_visible(st, NULL, out), 0);
    CHECK_INT(store_msg_visible(st, &sc, r1.message_id), 0);
    CHECK_INT(store_msg_visible(st, &sc, r2.message_id), ERR_NOTFOUND);
    CHECK_INT(store_contact_visible(st, &sc, r1.contact_id), 0);
    CHECK_INT(store_contact_visible(st, &sc, r2.contact_id), ERR_NOTFOUND);
    struct conv_filter f = { .limit = 10, .scope = &sc };
    struct conv *v;
    size_t n;
    int64_t nts, nid;
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &nts, &nid), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, in);
    f.q = "hello";
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &nts, &nid), 0);
    CHECK_INT(n, 0);
    struct conv_counts cc;
    CHECK_INT(store_conv_counts(st, staff, &sc, &cc), 0);
    CHECK_INT(cc.open, 1);
    CHECK_INT(cc.unassigned, 1);
    struct contact *cv;
    CHECK_INT(store_contact_list(st, ar, &sc, NULL, 10, 0, &cv, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(cv[0].id, r1.contact_id);

    /* With no store, only what is assigned to them; an assignment brings one into scope. */
    struct store_scope none = { .limited = true, .agent_id = staff };
    CHECK_INT(store_conv_visible(st, &none, in), ERR_NOTFOUND);
    CHECK_INT(store_conv_assign(st, out, staff, staff), 0);
    CHECK_INT(store_conv_visible(st, &none, out), 0);
    CHECK_INT(store_conv_visible(st, &sc, out), 0);
    f = (struct conv_filter){ .limit = 10, .scope = &none };
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &nts, &nid), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, out);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(conv_list_keyset_paging);
    RUN(conv_writes_and_counts);
    RUN(conv_store_and_scope);
    return test_done();
}
