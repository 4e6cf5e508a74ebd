/* SPDX-License-Identifier: MIT */
/* store_test.c - the store as a whole through its public header: opening (migrations, bad
 * URLs) and group commit under concurrency with its events. Each store file's own behaviour
 * is tested in tests/unit/store/<file>_test.c. */
#include "base/base.h"

#include <pthread.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/hub.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-store-test-XXXXXX";
static int dbn;

static struct store *
open_store(struct hub *hub)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/t%d.db", dir, dbn++);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    int rc = store_open(&cfg, hub, &st, &em);
    if (rc < 0)
        printf("# store_open: %s\n", em.text);
    return st;
}

static int64_t
add_channel(struct store *st)
{
    struct channel ch = { .type = "api", .name = "web", .secret = "s3cret" };
    int64_t id = 0;
    CHECK_INT(store_channel_add(st, &ch, &id), 0);
    return id;
}

static struct inbound
msg(int64_t ch, const char *ext, const char *from, const char *text)
{
    return (struct inbound){ .channel_id = ch, .channel_type = "api", .external_id = str_c(ext),
                             .from_id = str_c(from), .from_name = str_c("Ann Lee"),
                             .text = str_c(text) };
}

TEST(open_migrates_and_reopens)
{
    struct store *st = open_store(NULL);
    CHECK(st != NULL);
    CHECK_INT(store_check(st), 0);
    CHECK_INT(store_last_event_seq(st), 0);
    store_close(st);
    struct store_config bad = { .url = "mysql://nowhere" };
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&bad, NULL, &st, &em), ERR_INVAL);
    CHECK(em.set);
    /* A PostgreSQL URL nobody answers: the open fails as an I/O error, with a reason. */
    struct store_config gone = { .url = "postgres://127.0.0.1:1/hark?connect_timeout=2" };
    struct errmsg em2 = { 0 };
    CHECK_INT(store_open(&gone, NULL, &st, &em2), ERR_IO);
    CHECK(em2.set);
}

struct writer_arg {
    struct store *st;
    int64_t ch;
    int base;
    int ok;
};

static void *
writer(void *p)
{
    struct writer_arg *w = p;
    for (int i = 0; i < 50; i++) {
        char ext[32], from[32];
        snprintf(ext, sizeof(ext), "c%d-%d", w->base, i);
        snprintf(from, sizeof(from), "u%d", i % 7);
        struct inbound in = msg(w->ch, ext, from, "concurrent");
        struct ingest_result r;
        if (store_ingest(w->st, &in, &r) == 0 && !r.duplicate)
            w->ok++;
    }
    return NULL;
}

TEST(group_commit_under_concurrency)
{
    struct hub *hub = hub_new(8192, 0);
    struct store *st = open_store(hub);
    int64_t ch = add_channel(st);
    pthread_t th[8];
    struct writer_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (struct writer_arg){ .st = st, .ch = ch, .base = i };
        pthread_create(&th[i], NULL, writer, &args[i]);
    }
    int total = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += args[i].ok;
    }
    CHECK_INT(total, 400);
    struct store_stats ss;
    store_stats(st, &ss);
    CHECK(ss.jobs >= 401);
    CHECK(ss.batches <= ss.jobs); /* more than one job per commit when contended */
    /* Every ingest wrote message.created (+ conversation.created for 7 senders). */
    int64_t last = store_last_event_seq(st);
    CHECK_INT(last, 407);
    CHECK_INT(hub_last_seq(hub), last);
    struct arena *ar = arena_new(8 << 20);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, 400, 100, &ev, &n), 0);
    CHECK_INT(n, 7);
    CHECK_INT(ev[0].seq, 401);
    arena_free(ar);
    store_close(st);
    hub_free(hub);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(open_migrates_and_reopens);
    RUN(group_commit_under_concurrency);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
