/* SPDX-License-Identifier: MIT */
/*
 * writer.c - the single store writer: a job queue and group commit.
 *
 * Request threads queue jobs; the writer takes everything queued (up to batch_max), runs each
 * job inside its own SAVEPOINT of one transaction, commits once (one fsync for the whole
 * batch), publishes the batch's events to the hub in sequence order, then wakes the waiters.
 * A waiter therefore returns only when its write is durable. A job that fails is rolled back
 * to its savepoint alone; if the COMMIT itself fails, every job in the batch fails with
 * ERR_IO and nothing of the batch is published.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/clock.h"
#include "base/hub.h"
#include "base/log.h"

struct store__pending_event {
    struct store__pending_event *next;
    int64_t seq;
    char type[40];
    char *data;
};

struct store__job {
    store__job_fn *fn;
    void *arg;
    bool wait;
    bool done;
    int rc;
    struct store__job *next;
    struct store__pending_event *ev_head, *ev_tail;
};

static void
drop_events(struct store__job *j)
{
    while (j->ev_head) {
        struct store__pending_event *e = j->ev_head;
        j->ev_head = e->next;
        xfree(e->data);
        xfree(e);
    }
    j->ev_tail = NULL;
}

int
store__event(struct store__tx *tx, const char *type, char *data)
{
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO event(type, data, created_at) VALUES (?, ?, ?)");
    if (!s) {
        xfree(data);
        return ERR_IO;
    }
    sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, data, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, tx->now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        xfree(data);
        return store__err(rc);
    }
    struct store__pending_event *e = xcalloc(1, sizeof(*e));
    e->seq = sqlite3_last_insert_rowid(tx->c->db);
    snprintf(e->type, sizeof(e->type), "%s", type);
    e->data = data;
    if (tx->job->ev_tail)
        tx->job->ev_tail->next = e;
    else
        tx->job->ev_head = e;
    tx->job->ev_tail = e;
    return 0;
}

int
store__submit(struct store *st, store__job_fn *fn, void *arg, bool wait)
{
    struct store__job local = { .fn = fn, .arg = arg, .wait = wait };
    struct store__job *j = wait ? &local : xcalloc(1, sizeof(*j));
    if (!wait)
        *j = local;

    pthread_mutex_lock(&st->mu);
    if (st->depth >= st->queue_max || st->stopping) {
        pthread_mutex_unlock(&st->mu);
        if (!wait)
            xfree(j);
        return ERR_BUSY;
    }
    if (st->tail)
        st->tail->next = j;
    else
        st->head = j;
    st->tail = j;
    st->depth++;
    pthread_cond_signal(&st->work);
    if (!wait) {
        pthread_mutex_unlock(&st->mu);
        return 0;
    }
    while (!j->done)
        pthread_cond_wait(&st->done, &st->mu);
    pthread_mutex_unlock(&st->mu);
    return j->rc;
}

static int
exec(struct store__conn *c, const char *sql)
{
    sqlite3_stmt *s = store__q(c, sql);
    if (!s)
        return ERR_IO;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(rc);
}

static unsigned
hist_bucket(size_t n)
{
    unsigned b = 0;
    while (n > 1 && b < 7) {
        n >>= 1;
        b++;
    }
    return b;
}

static void
run_batch(struct store *st, struct store__job *batch, size_t n)
{
    struct store__tx tx = { .st = st, .c = st->writer, .now = clock_now_ms() };
    int rc = exec(st->writer, "BEGIN IMMEDIATE");
    for (struct store__job *j = batch; j; j = j->next) {
        if (rc < 0) {
            j->rc = rc;
            continue;
        }
        tx.job = j;
        if (exec(st->writer, "SAVEPOINT job") < 0) {
            j->rc = ERR_IO;
            continue;
        }
        j->rc = j->fn(&tx, j->arg);
        if (j->rc < 0) {
            exec(st->writer, "ROLLBACK TO job");
            drop_events(j);
        }
        exec(st->writer, "RELEASE job");
    }
    if (rc == 0)
        rc = exec(st->writer, "COMMIT");
    if (rc < 0) {
        log_error("store", "batch commit failed", "jobs=%zu err=%s", n, err_str(rc));
        sqlite3_exec(st->writer->db, "ROLLBACK", NULL, NULL, NULL);
        for (struct store__job *j = batch; j; j = j->next) {
            j->rc = rc;
            drop_events(j);
        }
    }
    /* Durable: publish events in sequence order, then release the waiters. */
    for (struct store__job *j = batch; j; j = j->next) {
        for (struct store__pending_event *e = j->ev_head; e; e = e->next) {
            if (st->hub)
                hub_publish(st->hub, e->seq, e->type, e->data, strlen(e->data));
            st->last_seq = e->seq;
        }
        drop_events(j);
    }
    pthread_mutex_lock(&st->mu);
    st->stats.batches++;
    st->stats.jobs += n;
    st->stats.batch_hist[hist_bucket(n)]++;
    for (struct store__job *j = batch, *next; j; j = next) {
        next = j->next;
        if (j->wait) {
            j->done = true;
        } else {
            xfree(j);
        }
    }
    pthread_cond_broadcast(&st->done);
    pthread_mutex_unlock(&st->mu);
}

void *
store__writer_main(void *arg)
{
    struct store *st = arg;

    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (!st->head && !st->stopping)
            pthread_cond_wait(&st->work, &st->mu);
        if (!st->head && st->stopping)
            break;
        struct store__job *batch = st->head, *last = st->head;
        size_t n = 1;
        while (last->next && n < st->batch_max) {
            last = last->next;
            n++;
        }
        st->head = last->next;
        if (!st->head)
            st->tail = NULL;
        last->next = NULL;
        st->depth -= n;
        pthread_mutex_unlock(&st->mu);
        run_batch(st, batch, n);
        pthread_mutex_lock(&st->mu);
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

int64_t
store_last_event_seq(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    sqlite3_stmt *s = store__q(c, "SELECT coalesce(max(seq), 0) FROM event");
    int64_t seq = 0;
    if (s && sqlite3_step(s) == SQLITE_ROW)
        seq = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    return seq;
}
