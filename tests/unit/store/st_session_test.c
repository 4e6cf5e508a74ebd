/* SPDX-License-Identifier: MIT */
/* st_session_test.c - login sessions (store/st_session.c) through store.h: create and read
 * back, refused for a disabled agent or a stale password hash, touch, delete and expiry by
 * age and idleness. */
#include "base/base.h"

#include "fixture.h"

TEST(session_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = fx_agent(st, "a@x.io");
    CHECK_INT(store_session_create(st, "hash1", a, "h0", "csrf1", 1000, 50000), 0);
    CHECK_INT(store_session_create(st, "hash1", a, "h0", "csrf1", 1000, 50000), ERR_CONFLICT);
    struct session s;
    CHECK_INT(store_session_get(st, ar, "hash1", &s), 0);
    CHECK_INT(s.agent_id, a);
    CHECK_STR(s.csrf, "csrf1");
    CHECK_INT(s.created_at, 1000);
    CHECK_INT(s.last_seen_at, 1000);
    CHECK_INT(s.expires_at, 50000);
    store_session_touch(st, s.id, 2000);
    /* The touch is queued; the next waited write commits after it (one writer, in order). */
    CHECK_INT(store_session_create(st, "hash2", a, "h0", "c", 1000, 50000), 0);
    CHECK_INT(store_session_get(st, ar, "hash1", &s), 0);
    CHECK_INT(s.last_seen_at, 2000);
    CHECK_INT(store_session_delete(st, "hash1"), 0);
    CHECK_INT(store_session_get(st, ar, "hash1", &s), ERR_NOTFOUND);
    CHECK_INT(store_session_get(st, ar, "nope", &s), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(session_refused_after_disable_or_password_change)
{
    struct store *st = fx_open();
    int64_t a = fx_agent(st, "a@x.io");
    CHECK_INT(store_session_create(st, "x", a, "stale", "c", 1, 2), ERR_CONFLICT);
    CHECK_INT(store_session_create(st, "x", 999, "h0", "c", 1, 2), ERR_CONFLICT);
    CHECK_INT(store_agent_set_disabled(st, a, true, NULL), 0);
    CHECK_INT(store_session_create(st, "x", a, "h0", "c", 1, 2), ERR_CONFLICT);
    store_close(st);
}

TEST(session_expiry)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = fx_agent(st, "a@x.io");
    CHECK_INT(store_session_create(st, "old", a, "h0", "c", 1000, 5000), 0);   /* absolute */
    CHECK_INT(store_session_create(st, "idle", a, "h0", "c", 1000, 90000), 0); /* idle */
    CHECK_INT(store_session_create(st, "live", a, "h0", "c", 8000, 90000), 0);
    CHECK_INT(store_session_expire(st, 10000, 3000), 0);
    struct session s;
    CHECK_INT(store_session_get(st, ar, "old", &s), ERR_NOTFOUND);
    CHECK_INT(store_session_get(st, ar, "idle", &s), ERR_NOTFOUND);
    CHECK_INT(store_session_get(st, ar, "live", &s), 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(session_round_trip);
    RUN(session_refused_after_disable_or_password_change);
    RUN(session_expiry);
    return test_done();
}
