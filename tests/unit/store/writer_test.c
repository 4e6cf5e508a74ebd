/* SPDX-License-Identifier: MIT */
/* writer_test.c - the store writer never acknowledges what is not durable: a batch whose
 * transaction SQLite rolled back on its own fails as a whole (nothing published, no further
 * job run), a job's own failure stays its own, and the unwritable state clears by itself. */
#include "base/base.h"

#include <pthread.h>
#include <unistd.h>

#include "base/hub.h"
#include "store/store_int.h"

#include "../test.h"

static char dir[] = "/tmp/hark-writer-test-XXXXXX";

static struct store *
open_store(struct hub *hub, const char *name)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/%s", dir, name);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    if (store_open(&cfg, hub, &st, NULL) < 0)
        return NULL;
    return st;
}

/* ---- jobs ------------------------------------------------------------------------------ */

enum action { INSERT, INSERT_FAIL, KILL_TX };

struct job {
    struct store *st;
    enum action action;
    bool ran;
    int rc; /* what store__submit returned */
};

static int
job_fn(struct store__tx *tx, void *arg)
{
    struct job *j = arg;
    j->ran = true;
    if (j->action == KILL_TX) {
        /* What SQLite does by itself after an I/O error or a full disk: the whole
         * transaction is rolled back under the writer's feet. */
        sqlite3_exec(tx->c->db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_IO;
    }
    /* An event row: stored in the transaction and published only after its commit. */
    char *data = xstrdup("{}");
    int rc = store__event(tx, "test.event", data);
    if (rc < 0)
        return rc;
    return j->action == INSERT_FAIL ? ERR_CONFLICT : 0;
}

static void *
submit_thread(void *arg)
{
    struct job *j = arg;
    j->rc = store__submit(j->st, job_fn, j, true);
    return NULL;
}

/* A job that holds the writer until 'want' further jobs are queued behind it, so they all
 * land in the next batch together. */
struct gate {
    struct store *st;
    size_t want;
    volatile bool running;
};

static int
gate_fn(struct store__tx *tx, void *arg)
{
    struct gate *g = arg;
    UNUSED(tx);
    g->running = true;
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&g->st->mu);
        size_t depth = g->st->depth;
        pthread_mutex_unlock(&g->st->mu);
        if (depth >= g->want)
            break;
        usleep(1000);
    }
    return 0;
}

static int64_t
count_events(struct store *st)
{
    return store_last_event_seq(st);
}

/* Runs the gate, then 'n' jobs in one batch; returns after all answered. */
static void
run_batch_of(struct store *st, struct job *jobs, size_t n)
{
    /* The gate is submitted without waiting (the writer frees that job; 'g' outlives it
     * because the jobs behind it are waited for below); the jobs queue up behind it. */
    struct gate g = { .st = st, .want = n };
    CHECK_INT(store__submit(st, gate_fn, &g, false), 0);
    for (int k = 0; k < 5000 && !g.running; k++)
        usleep(1000);
    pthread_t th[8];
    for (size_t i = 0; i < n; i++) {
        jobs[i].st = st;
        pthread_create(&th[i], NULL, submit_thread, &jobs[i]);
        /* Queue them in order: wait until this one is in the queue. */
        for (int k = 0; k < 5000; k++) {
            pthread_mutex_lock(&st->mu);
            size_t depth = st->depth;
            pthread_mutex_unlock(&st->mu);
            if (depth >= i + 1)
                break;
            usleep(1000);
        }
    }
    for (size_t i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

TEST(lost_transaction_fails_the_whole_batch)
{
    struct hub *hub = hub_new(64, 0);
    struct store *st = open_store(hub, "lost.db");
    CHECK(st != NULL);
    if (!st)
        return;
    int64_t before = count_events(st);
    int64_t hub_before = hub_last_seq(hub);

    struct job jobs[3] = { { .action = INSERT }, { .action = KILL_TX }, { .action = INSERT } };
    run_batch_of(st, jobs, 3);

    /* The first job succeeded inside the transaction, but the transaction is gone: it must
     * not be acknowledged. The third must not run at all. */
    CHECK_INT(jobs[0].rc, ERR_UNAVAIL);
    CHECK_INT(jobs[1].rc, ERR_UNAVAIL);
    CHECK_INT(jobs[2].rc, ERR_UNAVAIL);
    CHECK(jobs[0].ran);
    CHECK(jobs[1].ran);
    CHECK(!jobs[2].ran);
    CHECK_INT(count_events(st), before);   /* nothing of the batch was stored */
    CHECK_INT(hub_last_seq(hub), hub_before); /* ... nor published */

    struct store_stats ss;
    store_stats(st, &ss);
    CHECK(!ss.writable || ss.probes > 0); /* unless the idle probe already healed it */
    CHECK_INT(ss.batches_lost, 1);
    CHECK_INT(ss.jobs_lost, 3);

    /* The next batch works, is published, and the store is writable again. */
    struct job ok = { .st = st, .action = INSERT };
    submit_thread(&ok);
    CHECK_INT(ok.rc, 0);
    CHECK_INT(count_events(st), before + 1);
    CHECK_INT(hub_last_seq(hub), before + 1);
    store_stats(st, &ss);
    CHECK(ss.writable);
    CHECK_INT(hub_resyncs(hub), 0);
    store_close(st);
    hub_free(hub);
}

TEST(a_job_failure_is_its_own)
{
    struct hub *hub = hub_new(64, 0);
    struct store *st = open_store(hub, "own.db");
    CHECK(st != NULL);
    if (!st)
        return;
    int64_t before = count_events(st);
    struct job jobs[3] = { { .action = INSERT }, { .action = INSERT_FAIL }, { .action = INSERT } };
    run_batch_of(st, jobs, 3);
    CHECK_INT(jobs[0].rc, 0);
    CHECK_INT(jobs[1].rc, ERR_CONFLICT);
    CHECK_INT(jobs[2].rc, 0);
    CHECK(jobs[2].ran);
    /* The failed job's event was rolled back with its savepoint; the others are durable and
     * published in order. */
    CHECK_INT(count_events(st), before + 2);
    CHECK_INT(hub_last_seq(hub), before + 2);
    struct store_stats ss;
    store_stats(st, &ss);
    CHECK(ss.writable);
    store_close(st);
    hub_free(hub);
}

/* The publisher set with store_set_publisher gets each committed event, in seq order, in place
 * of the hub; a rolled-back job's event never reaches it. */
struct seen {
    int64_t seq[8];
    size_t n;
    bool typed; /* every event had its type and data */
};

static void
record_event(void *arg, int64_t seq, const char *type, const char *data, size_t len)
{
    struct seen *s = arg;
    if (s->n < COUNTOF(s->seq))
        s->seq[s->n++] = seq;
    s->typed = s->typed && strcmp(type, "test.event") == 0 && len == 2 &&
               memcmp(data, "{}", 2) == 0;
}

TEST(a_publisher_replaces_the_hub)
{
    struct hub *hub = hub_new(64, 0);
    struct store *st = open_store(hub, "publisher.db");
    CHECK(st != NULL);
    if (!st)
        return;
    int64_t before = count_events(st);
    hub_set_last(hub, before);
    struct seen seen = { .typed = true };
    store_set_publisher(st, record_event, &seen);
    struct job jobs[3] = { { .action = INSERT }, { .action = INSERT_FAIL }, { .action = INSERT } };
    run_batch_of(st, jobs, 3);
    CHECK_INT(seen.n, 2);
    CHECK_INT(seen.seq[0], before + 1);
    CHECK_INT(seen.seq[1], before + 2);
    CHECK(seen.typed);
    CHECK_INT(hub_last_seq(hub), before); /* the hub got nothing itself */
    /* Unset: the hub again. */
    store_set_publisher(st, NULL, NULL);
    struct job again = { .st = st, .action = INSERT };
    again.rc = store__submit(st, job_fn, &again, true);
    CHECK_INT(again.rc, 0);
    CHECK_INT(hub_last_seq(hub), before + 3);
    CHECK_INT(seen.n, 2);
    store_close(st);
    hub_free(hub);
}

TEST(hub_survives_a_sequence_going_backwards)
{
    struct hub *h = hub_new(8, 0);
    hub_publish(h, 1, "a", "{}", 2);
    hub_publish(h, 2, "a", "{}", 2);
    hub_publish(h, 2, "b", "{\"x\":1}", 7); /* reused: was an abort before */
    CHECK_INT(hub_resyncs(h), 1);
    CHECK_INT(hub_last_seq(h), 2);
    hub_publish(h, 3, "c", "{}", 2);
    struct hub_event ev[4];
    ssize_t n = hub_read(h, 2, ev, 4);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(ev[0].type, "c");
        hub_event_release(&ev[0]);
    }
    /* Readers from before the resync read the store instead. */
    CHECK_INT(hub_read(h, 0, ev, 4), ERR_NOTFOUND);
    hub_free(h);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(lost_transaction_fails_the_whole_batch);
    RUN(a_job_failure_is_its_own);
    RUN(a_publisher_replaces_the_hub);
    RUN(hub_survives_a_sequence_going_backwards);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
