/* SPDX-License-Identifier: MIT */
/* st_agent_test.c - agents (store/st_agent.c) through store.h: add, reads with and without the
 * password hash, case-insensitive email, partial update, count, disable and password change
 * ending sessions, unknown ids and duplicate emails. */
#include "base/base.h"

#include "fixture.h"

TEST(agent_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct agent a = { .email = "Ann@X.io", .password_hash = "h1", .name = "Ann Lee",
                       .role = "admin" };
    int64_t id = 0;
    CHECK_INT(store_agent_add(st, &a, &id), 0);
    CHECK_INT(store_agent_add(st, &a, NULL), ERR_CONFLICT);
    struct agent o;
    CHECK_INT(store_agent_get(st, ar, id, &o), 0);
    CHECK_STR(o.email, "Ann@X.io");
    CHECK_STR(o.display_name, "Ann Lee"); /* defaults to the name */
    CHECK_STR(o.role, "admin");
    CHECK(o.password_hash == NULL);
    CHECK_INT(o.disabled_at, 0);
    CHECK_INT(store_agent_get_secret(st, ar, id, &o), 0);
    CHECK_STR(o.password_hash, "h1");
    CHECK_INT(store_agent_by_email(st, ar, STR_LIT("ann@x.io"), &o), 0);
    CHECK_INT(o.id, id);
    CHECK_STR(o.password_hash, "h1");
    CHECK_INT(store_agent_by_email(st, ar, STR_LIT("bob@x.io"), &o), ERR_NOTFOUND);
    struct agent upd = { .display_name = "Annie", .bio = "billing" };
    CHECK_INT(store_agent_update(st, id, &upd), 0);
    CHECK_INT(store_agent_get(st, ar, id, &o), 0);
    CHECK_STR(o.display_name, "Annie");
    CHECK_STR(o.bio, "billing");
    CHECK_STR(o.name, "Ann Lee"); /* NULL keeps */
    CHECK_INT(store_agent_update(st, 999, &upd), ERR_NOTFOUND);
    CHECK_INT(store_agent_get(st, ar, 999, &o), ERR_NOTFOUND);
    fx_agent(st, "bob@x.io");
    CHECK_INT(store_agent_count(st), 2);
    struct agent *v;
    size_t n;
    CHECK_INT(store_agent_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, id);
    arena_free(ar);
    store_close(st);
}

TEST(agent_disable_and_password_end_sessions)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t id = fx_agent(st, "a@x.io");
    CHECK_INT(store_session_create(st, "s1", id, "h0", "c", 1000, 9000000), 0);
    CHECK_INT(store_session_create(st, "s2", id, "h0", "c", 1000, 9000000), 0);
    CHECK_INT(store_session_create(st, "s3", id, "h0", "c", 1000, 9000000), 0);
    struct session keep;
    CHECK_INT(store_session_get(st, ar, "s2", &keep), 0);
    int64_t ended = -1;
    CHECK_INT(store_agent_set_password(st, id, "h1", keep.id, &ended), 0);
    CHECK_INT(ended, 2);
    struct session se;
    CHECK_INT(store_session_get(st, ar, "s1", &se), ERR_NOTFOUND);
    CHECK_INT(store_session_get(st, ar, "s2", &se), 0);
    struct agent o;
    CHECK_INT(store_agent_get_secret(st, ar, id, &o), 0);
    CHECK_STR(o.password_hash, "h1");
    CHECK_INT(store_agent_set_disabled(st, id, true, &ended), 0);
    CHECK_INT(ended, 1);
    CHECK_INT(store_session_get(st, ar, "s2", &se), ERR_NOTFOUND);
    CHECK_INT(store_agent_get(st, ar, id, &o), 0);
    int64_t first = o.disabled_at;
    CHECK(first > 0);
    CHECK_INT(store_agent_set_disabled(st, id, true, NULL), 0);
    CHECK_INT(store_agent_get(st, ar, id, &o), 0);
    CHECK_INT(o.disabled_at, first); /* the first disable time is kept */
    CHECK_INT(store_agent_set_disabled(st, id, false, NULL), 0);
    CHECK_INT(store_agent_get(st, ar, id, &o), 0);
    CHECK_INT(o.disabled_at, 0);
    CHECK_INT(store_agent_set_disabled(st, 999, true, NULL), ERR_NOTFOUND);
    CHECK_INT(store_agent_set_password(st, 999, "h", 0, NULL), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(agent_round_trip);
    RUN(agent_disable_and_password_end_sessions);
    return test_done();
}
