/* SPDX-License-Identifier: MIT */
/* st_listen_query_test.c - social listening queries (store/st_listen_query.c) through store.h:
 * add and read back, active-only lists and their cap, partial updates, delete, unknown ids
 * and missing arguments. */
#include "base/base.h"

#include "fixture.h"

TEST(listen_query_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = 0, b = 0, c = 0;
    CHECK_INT(store_listen_query_add(st, "brand", "\"acme\"", true, &a), 0);
    CHECK_INT(store_listen_query_add(st, "rival", "\"other\"", false, &b), 0);
    CHECK_INT(store_listen_query_add(st, "shoes", "shoes", true, &c), 0);
    struct listen_query_row q;
    CHECK_INT(store_listen_query_get(st, ar, a, &q), 0);
    CHECK_STR(q.name, "brand");
    CHECK_STR(q.text, "\"acme\"");
    CHECK(q.active);
    CHECK(q.created_at > 0);
    struct listen_query_row *v;
    size_t n;
    CHECK_INT(store_listen_query_list(st, ar, false, 100, &v, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(store_listen_query_list(st, ar, true, 100, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, a);
    CHECK_INT(v[1].id, c);
    CHECK_INT(store_listen_query_list(st, ar, false, 1, &v, &n), 0);
    CHECK_INT(n, 1); /* at most 'max' */
    /* Partial update: NULL keeps, -1 keeps 'active'. */
    CHECK_INT(store_listen_query_update(st, b, NULL, "\"rival\"", 1), 0);
    CHECK_INT(store_listen_query_get(st, ar, b, &q), 0);
    CHECK_STR(q.name, "rival");
    CHECK_STR(q.text, "\"rival\"");
    CHECK(q.active);
    CHECK_INT(store_listen_query_update(st, b, "renamed", NULL, -1), 0);
    CHECK_INT(store_listen_query_get(st, ar, b, &q), 0);
    CHECK_STR(q.name, "renamed");
    CHECK(q.active);
    CHECK_INT(store_listen_query_delete(st, b), 0);
    CHECK_INT(store_listen_query_get(st, ar, b, &q), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(listen_query_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t id = 0;
    struct listen_query_row q;
    CHECK_INT(store_listen_query_add(st, NULL, "x", true, &id), ERR_INVAL);
    CHECK_INT(store_listen_query_add(st, "x", NULL, true, &id), ERR_INVAL);
    CHECK_INT(store_listen_query_get(st, ar, 77, &q), ERR_NOTFOUND);
    CHECK_INT(store_listen_query_update(st, 77, "x", NULL, -1), ERR_NOTFOUND);
    CHECK_INT(store_listen_query_delete(st, 77), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(listen_query_round_trip);
    RUN(listen_query_errors);
    return test_done();
}
