/* SPDX-License-Identifier: MIT */
/* listening_test.c - the listening service: brand handles (addressed, own posts), HTTP ingest
 * batches into mentions with dedupe, query reloads, and spike alerts stored with their posts.
 * Runs under LeakSanitizer, so every start has a matching stop. */
#include "base/base.h"

#include "base/arena.h"
#include "base/buf.h"
#include "care/care.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-listen-test-XXXXXX";

TEST(addressed_to_brand)
{
    const char *h = "acme, @acme.bsky.social ,Globex";
    CHECK(watch_addressed(STR_LIT("hey @acme where is my order"), h));
    CHECK(watch_addressed(STR_LIT("@ACME.bsky.social help"), h));
    CHECK(watch_addressed(STR_LIT("ping @acme."), h));
    CHECK(watch_addressed(STR_LIT("(@acme@mastodon.social)"), h));
    CHECK(watch_addressed(STR_LIT("cc @globex"), h));
    CHECK(!watch_addressed(STR_LIT("acme is late"), h));
    CHECK(!watch_addressed(STR_LIT("mail help@acme.com"), h));
    CHECK(!watch_addressed(STR_LIT("@acmefan says hi"), h));
    CHECK(!watch_addressed(STR_LIT("@"), h));
    CHECK(!watch_addressed(STR_LIT("@acme"), ""));
    CHECK(!watch_addressed(STR_LIT("@acme"), NULL));
    CHECK(watch_is_brand(STR_LIT("acme.bsky.social"), h));
    CHECK(watch_is_brand(STR_LIT("@Acme"), h));
    CHECK(!watch_is_brand(STR_LIT("acmefan.bsky.social"), h));
    CHECK(!watch_is_brand(STR_LIT(""), h));
}

static struct store *
open_store(const char *name)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/%s.db", dir, name);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    store_open(&cfg, NULL, &st, NULL);
    return st;
}

TEST(ingest_dedupe_reload)
{
    struct store *st = open_store("ingest");
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    int64_t q1, q2;
    CHECK_INT(store_listen_query_add(st, "brand", "acme", true, &q1), 0);
    struct watch_config lc = { .brand_handles = "acme" };
    struct errmsg em = { 0 };
    CHECK_INT(watch_ingest(care_watch(c), STR_LIT("{\"id\":\"x\",\"text\":\"acme\"}"), NULL, &em),
              ERR_UNAVAIL);
    CHECK_INT(care_watch_start(c, &lc, &em), 0);

    struct watch_ingest_result r;
    struct str batch = STR_LIT("{\"id\":\"a\",\"platform\":\"bluesky\",\"text\":\"acme is late\"}\n"
                               "\n"
                               "{\"id\":\"b\",\"platform\":\"bluesky\",\"text\":\"@acme hi\"}\n"
                               "{\"id\":\"c\",\"platform\":\"bluesky\",\"text\":\"other\"}\n");
    CHECK_INT(watch_ingest(care_watch(c), batch, &r, &em), 0);
    CHECK_INT(r.lines, 3);
    CHECK_INT(r.posts, 3);
    CHECK_INT(r.matched, 2);
    CHECK_INT(r.stored, 2);
    CHECK_INT(watch_ingest(care_watch(c), batch, &r, &em), 0);
    CHECK_INT(r.stored, 0);
    CHECK_INT(r.duplicates, 2);

    /* A bad line fails the batch before anything is stored. */
    struct errmsg em2 = { 0 };
    CHECK_INT(watch_ingest(care_watch(c), STR_LIT("{\"id\":\"d\",\"text\":\"acme\"}\n[1,2\n"), &r, &em2),
              ERR_INVAL);
    CHECK(strstr(em2.text, "line 2") != NULL);

    struct arena *ar = arena_new(1 << 20);
    struct mention_filter f = { .limit = 10 };
    struct mention *ms;
    size_t n;
    int64_t next;
    CHECK_INT(store_mention_list(st, ar, &f, &ms, &n, &next), 0);
    CHECK_INT(n, 2);
    CHECK_STR(ms[0].external_id, "b");
    CHECK(ms[0].addressed_to_brand);
    CHECK(!ms[1].addressed_to_brand);
    CHECK_INT(ms[1].nqueries, 1);
    CHECK_INT(ms[1].query_ids[0], q1);
    CHECK(ms[1].intent == NULL); /* no classifier: untriaged */

    /* A new query takes effect after a reload; the old one keeps matching. */
    CHECK_INT(store_listen_query_add(st, "other", "other OR acme", true, &q2), 0);
    CHECK_INT(watch_reload(care_watch(c), &em), 0);
    CHECK_INT(watch_ingest(care_watch(c), STR_LIT("{\"id\":\"e\",\"text\":\"acme other\"}"), &r, &em),
              0);
    CHECK_INT(r.stored, 1);
    CHECK_INT(store_mention_list(st, ar, &f, &ms, &n, &next), 0);
    CHECK_STR(ms[0].external_id, "e");
    CHECK_INT(ms[0].nqueries, 2);
    CHECK_INT(ms[0].query_ids[0], q1);
    CHECK_INT(ms[0].query_ids[1], q2);
    f.query_id = q2;
    CHECK_INT(store_mention_list(st, ar, &f, &ms, &n, &next), 0);
    CHECK_INT(n, 1);

    care_watch_stop(c);
    care_watch_stop(c); /* idempotent */
    arena_free(ar);
    care_free(c);
    store_close(st);
}

TEST(spike_alert_lists_posts)
{
    struct store *st = open_store("spike");
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    int64_t q;
    CHECK_INT(store_listen_query_add(st, "kettles", "kettle*", true, &q), 0);
    struct watch_config lc = { .bucket_ms = 60000 };
    struct errmsg em = { 0 };
    CHECK_INT(care_watch_start(c, &lc, &em), 0);
    char line[256];
    struct watch_ingest_result r;
    /* One post a minute for five minutes, then twelve in one minute. */
    for (int m = 0; m < 5; m++) {
        snprintf(line, sizeof(line),
                 "{\"id\":\"w%d\",\"text\":\"kettle\",\"created_at\":\"2026-04-01T10:0%d:00Z\"}", m,
                 m);
        CHECK_INT(watch_ingest(care_watch(c), str_c(line), &r, &em), 0);
    }
    for (int i = 0; i < 12; i++) {
        snprintf(line, sizeof(line),
                 "{\"id\":\"s%d\",\"text\":\"kettles!\",\"created_at\":\"2026-04-01T10:05:%02dZ\"}",
                 i, i);
        CHECK_INT(watch_ingest(care_watch(c), str_c(line), &r, &em), 0);
    }
    struct arena *ar = arena_new(1 << 20);
    struct spike_alert_row *al;
    size_t n;
    CHECK_INT(store_spike_list(st, ar, q, 10, 0, &al, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(al[0].kind, "volume");
        CHECK_INT(al[0].query_id, q);
        CHECK_INT(al[0].window_end - al[0].window_start, 60000);
        CHECK(strncmp(al[0].posts, "[\"s0\",\"s1\"", 10) == 0);
        CHECK(strstr(al[0].posts, "w") == NULL);
    }
    CHECK_INT(store_spike_list(st, ar, q + 1, 10, 0, &al, &n), 0);
    CHECK_INT(n, 0);
    care_watch_stop(c);
    arena_free(ar);
    care_free(c);
    store_close(st);
}

/* The back-test: recent posts (matching or not), the terms found, newest first, a syntax
 * error's offset, and the count bound (the oldest posts leave). */
TEST(back_test_recent_posts)
{
    struct store *st = open_store("backtest");
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct watch_config lc = { 0 };
    struct errmsg em = { 0 };
    struct arena *ar = arena_new(1 << 20);
    struct watch_test_result res;
    size_t pos = 0;
    CHECK_INT(watch_test(care_watch(c), ar, "acme", 5, &res, &em, &pos), ERR_UNAVAIL);
    CHECK_INT(care_watch_start(c, &lc, &em), 0);
    struct watch_ingest_result r;
    CHECK_INT(watch_ingest(care_watch(c),
                           STR_LIT("{\"id\":\"a\",\"text\":\"Café in der Straße\"}\n"
                                   "{\"id\":\"b\",\"text\":\"nothing here\"}\n"
                                   "{\"id\":\"c\",\"text\":\"CAFE and strasse again\"}\n"),
                           &r, &em),
              0);
    CHECK_INT(r.stored, 0); /* no query: nothing stored, but every post is remembered */
    CHECK_INT(watch_test(care_watch(c), ar, "cafe NEAR/3 straße -nope", 5, &res, &em, &pos), 0);
    CHECK_INT(res.scanned, 3);
    CHECK_INT(res.matched, 2);
    CHECK_INT(res.nexamples, 2);
    CHECK_STR(res.examples[0].id, "c"); /* newest first */
    CHECK_STR(res.examples[1].id, "a");
    CHECK_INT(res.examples[1].nterms, 2);
    CHECK_STR(res.examples[1].terms[0], "cafe");
    CHECK_STR(res.examples[1].terms[1], "strasse");
    CHECK_STR(res.examples[1].text, "Café in der Straße");
    CHECK(res.oldest_ms > 0 && res.newest_ms >= res.oldest_ms);
    CHECK_INT(watch_test(care_watch(c), ar, "cafe", 1, &res, &em, &pos), 0);
    CHECK_INT(res.matched, 2);
    CHECK_INT(res.nexamples, 1);
    struct errmsg em2 = { 0 };
    CHECK_INT(watch_test(care_watch(c), ar, "cafe (", 5, &res, &em2, &pos), ERR_INVAL);
    CHECK_INT(pos, 6);
    CHECK(strstr(em2.text, "column") != NULL);

    /* Past WATCH_RECENT_POSTS the oldest posts leave. */
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int k = 0; k < 6; k++) {
        buf_reset(&b);
        for (int i = 0; i < 1000; i++)
            buf_printf(&b, "{\"id\":\"n%d-%d\",\"text\":\"kettle %d\"}\n", k, i, i);
        CHECK_INT(watch_ingest(care_watch(c), (struct str){ b.p, b.len }, &r, &em), 0);
    }
    buf_release(&b);
    CHECK_INT(watch_test(care_watch(c), ar, "kettle OR cafe", 0, &res, &em, &pos), 0);
    CHECK_INT(res.scanned, WATCH_RECENT_POSTS);
    CHECK_INT(res.matched, WATCH_RECENT_POSTS);
    CHECK_INT(res.nexamples, 0);

    care_watch_stop(c);
    arena_free(ar);
    care_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(addressed_to_brand);
    RUN(ingest_dedupe_reload);
    RUN(spike_alert_lists_posts);
    RUN(back_test_recent_posts);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
