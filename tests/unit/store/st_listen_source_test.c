/* SPDX-License-Identifier: MIT */
/* st_listen_source_test.c - listening sources (store/st_listen_source.c) through store.h: add
 * and read back (token kept), list cap, activate, edit (a new spec forgets the cursor), saved
 * cursors, delete, unknown ids. */
#include "base/base.h"

#include "fixture.h"

TEST(listen_source_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = 0, b = 0;
    CHECK_INT(store_listen_source_add(st, "jetstream://127.0.0.1:1/sub", false, NULL, true, &a),
              0);
    CHECK_INT(store_listen_source_add(st, "mastodon://127.0.0.1:2", true, "tok", false, &b), 0);
    struct listen_source_row r;
    CHECK_INT(store_listen_source_get(st, ar, b, &r), 0);
    CHECK_STR(r.spec, "mastodon://127.0.0.1:2");
    CHECK(r.tls);
    CHECK_STR(r.token, "tok");
    CHECK(!r.active);
    CHECK(r.cursor == NULL);
    struct listen_source_row *v;
    size_t n;
    CHECK_INT(store_listen_source_list(st, ar, 100, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, a);
    CHECK_INT(store_listen_source_list(st, ar, 1, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_listen_source_update(st, b, 1, NULL, -1, NULL), 0);
    CHECK_INT(store_listen_source_set_cursor(st, b, "1700000000123"), 0);
    CHECK_INT(store_listen_source_get(st, ar, b, &r), 0);
    CHECK(r.active);
    CHECK_STR(r.cursor, "1700000000123");
    CHECK_INT(store_listen_source_update(st, b, -1, NULL, -1, NULL), 0); /* keeps */
    CHECK_INT(store_listen_source_get(st, ar, b, &r), 0);
    CHECK(r.active);
    /* Same spec: the cursor stays; a new token, tls off. */
    CHECK_INT(store_listen_source_update(st, b, -1, "mastodon://127.0.0.1:2", 0, "tok2"), 0);
    CHECK_INT(store_listen_source_get(st, ar, b, &r), 0);
    CHECK_STR(r.cursor, "1700000000123");
    CHECK_STR(r.token, "tok2");
    CHECK(!r.tls);
    CHECK(r.active);
    /* A new spec forgets the cursor; "" clears the token. */
    CHECK_INT(store_listen_source_update(st, b, 0, "mastodon://127.0.0.1:3", -1, ""), 0);
    CHECK_INT(store_listen_source_get(st, ar, b, &r), 0);
    CHECK_STR(r.spec, "mastodon://127.0.0.1:3");
    CHECK(r.cursor == NULL);
    CHECK(r.token == NULL);
    CHECK(!r.active);
    CHECK_INT(store_listen_source_update(st, b, -1, "", -1, NULL), ERR_INVAL);
    CHECK_INT(store_listen_source_delete(st, a), 0);
    CHECK_INT(store_listen_source_get(st, ar, a, &r), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(listen_source_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t id = 0;
    struct listen_source_row r;
    CHECK_INT(store_listen_source_add(st, NULL, false, NULL, true, &id), ERR_INVAL);
    CHECK_INT(store_listen_source_get(st, ar, 5, &r), ERR_NOTFOUND);
    CHECK_INT(store_listen_source_update(st, 5, 1, NULL, -1, NULL), ERR_NOTFOUND);
    CHECK_INT(store_listen_source_delete(st, 5), ERR_NOTFOUND);
    CHECK_INT(store_listen_source_set_cursor(st, 5, "1"), 0); /* unknown id: not an error */
    CHECK_INT(store_listen_source_set_cursor(st, 5, NULL), ERR_INVAL);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(listen_source_round_trip);
    RUN(listen_source_errors);
    return test_done();
}
