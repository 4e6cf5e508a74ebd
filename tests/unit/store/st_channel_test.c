/* SPDX-License-Identifier: MIT */
/* st_channel_test.c - channels (store/st_channel.c) through store.h: add and read back with the
 * secret, settings replaced, list, unknown ids. */
#include "base/base.h"

#include "fixture.h"

TEST(channel_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct channel c = { .type = "email", .name = "support", .secret = "s3cret" };
    int64_t id = 0, id2 = 0;
    CHECK_INT(store_channel_add(st, &c, &id), 0);
    struct channel o;
    CHECK_INT(store_channel_get(st, ar, id, &o), 0);
    CHECK_STR(o.type, "email");
    CHECK_STR(o.name, "support");
    CHECK_STR(o.secret, "s3cret");
    CHECK(o.created_at > 0);
    CHECK_INT(store_channel_set_settings(st, id, "{\"store\":\"Mitte\"}"), 0);
    CHECK_INT(store_channel_get(st, ar, id, &o), 0);
    CHECK_STR(o.settings, "{\"store\":\"Mitte\"}");
    struct channel c2 = { .type = "api", .name = "web", .secret = "x" };
    CHECK_INT(store_channel_add(st, &c2, &id2), 0);
    struct channel *v;
    size_t n;
    CHECK_INT(store_channel_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, id);
    CHECK_INT(v[1].id, id2);
    CHECK_INT(store_channel_get(st, ar, 4242, &o), ERR_NOTFOUND);
    CHECK_INT(store_channel_set_settings(st, 4242, "{}"), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(channel_round_trip);
    return test_done();
}
