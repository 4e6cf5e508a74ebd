/* SPDX-License-Identifier: MIT */
/* st_backup_test.c - backup and restore (store/st_backup.c) through store.h: a backup of a
 * live store restored into a new database file holds the same rows; an existing backup file,
 * a missing backup and a non-SQLite URL are refused. */
#include "base/base.h"

#include <unistd.h>

#include "fixture.h"

static char dir[] = "/tmp/hark-st-backup-test-XXXXXX";

static void
progress(void *arg, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    ++*(int *)arg;
}

TEST(backup_then_restore_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t conv = fx_conv(st, ch, "m1", "u1", "hello", NULL);
    char bak[256], url[256];
    snprintf(bak, sizeof(bak), "%s/hark.bak", dir);
    snprintf(url, sizeof(url), "sqlite:%s/restored.db", dir);
    struct errmsg em = { 0 };
    int calls = 0;
    CHECK_INT(store_backup(st, bak, progress, &calls, &em), 0);
    CHECK_INT(access(bak, F_OK), 0);
    struct errmsg em2 = { 0 };
    CHECK_INT(store_backup(st, bak, NULL, NULL, &em2), ERR_CONFLICT); /* never overwrites */
    store_close(st);
    struct errmsg em3 = { 0 };
    CHECK_INT(store_restore(url, bak, progress, &calls, &em3), 0);
    struct store_config cfg = { .url = url };
    struct store *back = NULL;
    struct errmsg em4 = { 0 };
    CHECK_INT(store_open(&cfg, NULL, &back, &em4), 0);
    if (back) {
        struct conv c;
        CHECK_INT(store_conv_get(back, ar, conv, &c), 0);
        CHECK_STR(c.preview, "hello");
        struct channel o;
        CHECK_INT(store_channel_get(back, ar, ch, &o), 0);
        store_close(back);
    }
    arena_free(ar);
}

TEST(restore_refusals)
{
    char missing[256];
    snprintf(missing, sizeof(missing), "%s/missing.bak", dir);
    struct errmsg em = { 0 };
    CHECK_INT(store_restore("postgres://x/y", missing, NULL, NULL, &em), ERR_INVAL);
    CHECK(em.set);
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/other.db", dir);
    struct errmsg em2 = { 0 };
    CHECK_INT(store_restore(url, missing, NULL, NULL, &em2), ERR_NOTFOUND);
}

/* PostgreSQL (HARK_TEST_PG): backup is pg_dump's job; store_backup says so and writes nothing. */
TEST(backup_refused_on_postgres)
{
    struct store *st = fx_open();
    char bak[256];
    snprintf(bak, sizeof(bak), "%s/pg.bak", dir);
    struct errmsg em = { 0 };
    CHECK_INT(store_backup(st, bak, NULL, NULL, &em), ERR_INVAL);
    CHECK(em.set);
    CHECK(access(bak, F_OK) != 0);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const char *pg = getenv("HARK_TEST_PG");
    if (pg && pg[0]) {
        printf("# skip backup_then_restore_round_trip: VACUUM INTO backs up SQLite only\n");
        RUN(backup_refused_on_postgres);
    } else {
        RUN(backup_then_restore_round_trip);
    }
    RUN(restore_refusals);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
