/* SPDX-License-Identifier: MIT */
/* housekeeping_test.c - the housekeeping tick purges sessions past their absolute or idle
 * expiry, keeps live ones, and runs its chores at most once per CARE__HOUSEKEEP_MS. */
#include "base/base.h"

#include "base/arena.h"
#include "base/clock.h"
#include "care/care_int.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-housekeeping-test-XXXXXX";

static bool
session_exists(struct store *st, const char *hash)
{
    struct arena *ar = arena_new(1 << 16);
    struct session s;
    int rc = store_session_get(st, ar, hash, &s);
    arena_free(ar);
    return rc == 0;
}

TEST(expired_sessions_are_purged)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/hk.db", dir);
    struct store_config scfg = { .url = url };
    struct store *st = NULL;
    CHECK_INT(store_open(&scfg, NULL, &st, NULL), 0);
    struct care *c;
    struct care_config cfg = { .auth = { .session_idle_ms = 3600 * 1000 } };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct agent a = { .email = "hk@example.com", .name = "Hk", .role = "agent" };
    int64_t agent_id;
    CHECK_INT(auth_agent_add(care_auth(c), &a, STR_LIT("a long password here"), &agent_id, NULL), 0);

    struct arena *ar = arena_new(1 << 16);
    struct agent secret;
    CHECK_INT(store_agent_get_secret(st, ar, agent_id, &secret), 0);
    const char *pw = secret.password_hash;
    int64_t now = clock_now_ms();
    /* Absolute expiry in 10 s; idle expiry an hour after the last use; live for a week. */
    CHECK_INT(store_session_create(st, "aaaa", agent_id, pw, "csrf", now, now + 10000), 0);
    CHECK_INT(store_session_create(st, "bbbb", agent_id, pw, "csrf", now - 2 * 3600 * 1000,
                                   now + 7 * 86400 * 1000LL), 0);
    CHECK_INT(store_session_create(st, "cccc", agent_id, pw, "csrf", now, now + 7 * 86400 * 1000LL),
              0);

    care__housekeep(c, now);
    CHECK(session_exists(st, "aaaa"));
    CHECK(!session_exists(st, "bbbb")); /* idle for two hours */
    CHECK(session_exists(st, "cccc"));

    /* Within the minute nothing runs again; after it, the absolutely expired one goes. */
    care__housekeep(c, now + 20000);
    CHECK(session_exists(st, "aaaa"));
    care__housekeep(c, now + CARE__HOUSEKEEP_MS + 1);
    CHECK(!session_exists(st, "aaaa"));
    CHECK(session_exists(st, "cccc"));
    arena_free(ar);
    care_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(expired_sessions_are_purged);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
