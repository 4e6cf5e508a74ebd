/* SPDX-License-Identifier: MIT */
/* migrate_test.c - the numbered migrations (store/migrate.c, src/store/schema): numbered from
 * 001 without gaps or repeats (a gap filled later would be skipped by databases already past
 * it), and a migrated database reopens without running anything again. */
#include "base/base.h"

#include <dirent.h>
#include <unistd.h>

#include "fixture.h"

static char dir[] = "/tmp/hark-migrate-test-XXXXXX";

TEST(migrations_are_numbered_without_gaps)
{
    /* Unit tests run from the repository root (tools/run-unit.sh). */
    DIR *d = opendir("src/store/schema");
    CHECK(d != NULL);
    if (!d)
        return;
    bool seen[1000] = { false };
    int max = 0, count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 8 || strcmp(e->d_name + len - 4, ".sql") != 0)
            continue;
        int num = 0;
        for (int i = 0; i < 3; i++) {
            CHECK(e->d_name[i] >= '0' && e->d_name[i] <= '9');
            num = num * 10 + (e->d_name[i] - '0');
        }
        CHECK(e->d_name[3] == '_');
        CHECK(num >= 1 && num < 1000);
        if (num < 1 || num >= 1000)
            continue;
        CHECK(!seen[num]); /* no number used twice */
        seen[num] = true;
        count++;
        if (num > max)
            max = num;
    }
    closedir(d);
    CHECK(count >= 12);
    CHECK_INT(count, max); /* 1..max, every number once */
    for (int i = 1; i <= max; i++)
        CHECK(seen[i]);
}

TEST(a_migrated_database_reopens)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/m.db", dir);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    if (!st)
        return;
    int64_t ch = fx_channel(st, "api");
    store_close(st);
    st = NULL;
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    if (!st)
        return;
    struct arena *ar = arena_new(1 << 20);
    struct channel c;
    CHECK_INT(store_channel_get(st, ar, ch, &c), 0);
    CHECK_INT(store_check(st), 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(migrations_are_numbered_without_gaps);
    RUN(a_migrated_database_reopens);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
