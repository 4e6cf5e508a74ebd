/* SPDX-License-Identifier: MIT */
/* st_token_test.c - API tokens (store/st_token.c) through store.h: create and read back by
 * hash, list, touch, revoke (keeping the first time), the owner's disable shown on reads,
 * unknown hashes and ids. */
#include "base/base.h"

#include "fixture.h"

TEST(token_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = fx_agent(st, "a@x.io");
    struct api_token t = { .name = "ci", .role = "agent", .agent_id = a, .expires_at = 99999 };
    int64_t id = 0, cli = 0;
    CHECK_INT(store_token_create(st, &t, "th1", &id), 0);
    CHECK_INT(store_token_create(st, &t, "th1", NULL), ERR_CONFLICT);
    struct api_token o;
    CHECK_INT(store_token_get(st, ar, "th1", &o), 0);
    CHECK_INT(o.id, id);
    CHECK_STR(o.name, "ci");
    CHECK_STR(o.role, "agent");
    CHECK_INT(o.agent_id, a);
    CHECK_INT(o.expires_at, 99999);
    CHECK_INT(o.last_used_at, 0);
    CHECK_INT(o.revoked_at, 0);
    CHECK(!o.owner_disabled);
    CHECK_INT(store_token_get(st, ar, "nope", &o), ERR_NOTFOUND);
    struct api_token admin = { .name = "cli", .role = "admin" };
    CHECK_INT(store_token_create(st, &admin, "th2", &cli), 0);
    store_token_touch(st, id, 4242);
    CHECK_INT(store_token_revoke(st, cli), 0); /* waits: the touch before it is committed */
    CHECK_INT(store_token_get(st, ar, "th1", &o), 0);
    CHECK_INT(o.last_used_at, 4242);
    struct api_token *v;
    size_t n;
    CHECK_INT(store_token_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, id);
    CHECK_INT(v[1].agent_id, 0);
    int64_t revoked = v[1].revoked_at;
    CHECK(revoked > 0); /* revoked tokens are listed */
    CHECK_INT(store_token_revoke(st, cli), 0);
    CHECK_INT(store_token_get(st, ar, "th2", &o), 0);
    CHECK_INT(o.revoked_at, revoked); /* the first time is kept */
    CHECK_INT(store_token_revoke(st, 999), ERR_NOTFOUND);
    CHECK_INT(store_agent_set_disabled(st, a, true, NULL), 0);
    CHECK_INT(store_token_get(st, ar, "th1", &o), 0);
    CHECK(o.owner_disabled);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(token_round_trip);
    return test_done();
}
