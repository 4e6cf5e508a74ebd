/* SPDX-License-Identifier: MIT */
/* chanstat_test.c - channel status: kept in memory (a webhook writes nothing by itself), saved
 * by a flush at most once per CARE__STATUS_FLUSH_MS and at free, read back after a restart;
 * today's counts start again on a new UTC day; a deleted channel's status is not saved. */
#include "base/base.h"

#include "base/arena.h"
#include "base/clock.h"
#include "care/care_int.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-chanstat-test-XXXXXX";

static int64_t
stored_messages(struct store *st, int64_t id)
{
    struct arena *ar = arena_new(1 << 12);
    struct store_channel_status s;
    int rc = store_channel_status_get(st, ar, id, &s);
    arena_free(ar);
    return rc == 0 ? s.messages_today : rc;
}

TEST(status_is_kept_in_memory_and_flushed)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/cs.db", dir);
    struct store_config scfg = { .url = url };
    struct store *st = NULL;
    CHECK_INT(store_open(&scfg, NULL, &st, NULL), 0);
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct channel ch = { .type = "api", .name = "A", .secret = "s", .settings = "{}" };
    int64_t id, other;
    CHECK_INT(store_channel_add(st, &ch, &id), 0);
    CHECK_INT(store_channel_add(st, &ch, &other), 0);
    struct arena *ar = arena_new(1 << 16);

    care__status_event(c, id, 2);
    struct store_channel_status s;
    CHECK_INT(care_channel_status(c, ar, id, &s), 0);
    CHECK_INT(s.messages_today, 2);
    CHECK(s.last_event_at > 0);
    CHECK(s.last_error == NULL);
    CHECK_INT(stored_messages(st, id), ERR_NOTFOUND); /* nothing written per webhook */

    int64_t now = clock_now_ms();
    care__chanstat_flush(c, now, false);
    CHECK_INT(stored_messages(st, id), 2);
    care__status_event(c, id, 1);
    care__chanstat_flush(c, now + 1000, false); /* too soon: kept in memory */
    CHECK_INT(stored_messages(st, id), 2);
    care__chanstat_flush(c, now + CARE__STATUS_FLUSH_MS + 1, false);
    CHECK_INT(stored_messages(st, id), 3);

    care__status_error(c, id, "a request arrived with a bad signature \xe2\x80\x94 %s", "check it");
    care__status_verify(c, id);
    CHECK_INT(care_channel_status(c, ar, id, &s), 0);
    CHECK_STR(s.last_error, "a request arrived with a bad signature \xe2\x80\x94 check it");
    CHECK_INT(s.errors_today, 1);
    CHECK(s.last_verify_at > 0 && s.last_error_at > 0);

    /* A stored status from yesterday counts nothing today. */
    struct store_channel_status old = { .channel_id = other, .last_event_at = now - 86400000,
                                        .day = now / 86400000 - 1, .messages_today = 5 };
    CHECK_INT(store_channel_status_put(st, &old, 1), 0);
    CHECK_INT(care_channel_status(c, ar, other, &s), 0);
    CHECK_INT(s.messages_today, 0);
    CHECK(s.last_event_at == old.last_event_at);
    care__status_event(c, other, 1); /* loaded from the store, then counted on today */
    CHECK_INT(care_channel_status(c, ar, other, &s), 0);
    CHECK_INT(s.messages_today, 1);

    /* A status that arrives for a channel deleted meanwhile is not saved. */
    care__status_event(c, 999999, 1);
    care__chanstat_flush(c, now, true);
    CHECK_INT(stored_messages(st, 999999), ERR_NOTFOUND);

    /* care_free saves the rest; a new care context reads it back. */
    care__status_event(c, id, 4);
    care_free(c);
    CHECK_INT(stored_messages(st, id), 7);
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    CHECK_INT(care_channel_status(c, ar, id, &s), 0);
    CHECK_INT(s.messages_today, 7);
    CHECK_STR(s.last_error, "a request arrived with a bad signature \xe2\x80\x94 check it");
    CHECK_INT(care_channel_delete(c, other), 0);
    CHECK_INT(stored_messages(st, other), ERR_NOTFOUND);
    arena_free(ar);
    care_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(status_is_kept_in_memory_and_flushed);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
