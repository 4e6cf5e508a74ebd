/* SPDX-License-Identifier: MIT */
/*
 * writer.c - the single store writer: a job queue and group commit.
 *
 * Request threads queue jobs; the writer takes everything queued (up to batch_max), runs each
 * job inside its own SAVEPOINT of one transaction, commits once (one fsync for the whole
 * batch), publishes the batch's events to the hub in sequence order, then wakes the waiters.
 * A waiter therefore returns only when its write is durable. A job that fails is rolled back
 * to its savepoint alone. When the transaction itself is lost - a failed SAVEPOINT, ROLLBACK
 * TO, RELEASE or COMMIT, or the database having rolled the whole transaction back on its own
 * after an I/O error (store__tx_alive) - no further job of the batch runs, every job of the
 * batch fails with ERR_UNAVAIL and nothing of it is published. Events are published and
 * waiters released only after the one outer COMMIT returned OK.
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
    if (!data)
        return ERR_NOMEM; /* the codec could not encode it: the job fails, nothing is cut */
    /* RETURNING: on PostgreSQL the seq comes from a counter row (gap-free across instances),
     * not from a sequence lastval() could read. */
    struct db_stmt *s = store__q(tx->c, "INSERT INTO event(type, data, created_at) "
                                        "VALUES (?, ?, ?) RETURNING seq");
    if (!s) {
        xfree(data);
        return ERR_IO;
    }
    db_bind_text_ref(s, 1, type, -1);
    db_bind_text_ref(s, 2, data, -1);
    db_bind_i64(s, 3, tx->now);
    int rc = db_step(s);
    int64_t seq = rc == DB_ROW ? db_i64(s, 0) : 0;
    if (rc == DB_ROW)
        rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE) {
        xfree(data);
        return rc < 0 ? rc : ERR_IO;
    }
    struct store__pending_event *e = xcalloc(1, sizeof(*e));
    e->seq = seq;
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
    struct db_stmt *s = store__q(c, sql);
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE || rc == DB_ROW ? 0 : store__err(rc);
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

/* Runs one job in its own savepoint. The job's own failure is its rc alone (rolled back to
 * the savepoint); the result is < 0 only when the batch's transaction is lost or its
 * bookkeeping statements fail, and then no job of the batch may be acknowledged. */
static int
run_job(struct store__tx *tx, struct store__job *j)
{
    struct store__conn *c = tx->c;
    if (!store__tx_alive(c))
        return ERR_IO;
    int rc = exec(c, "SAVEPOINT job");
    if (rc < 0)
        return rc;
    tx->job = j;
    j->rc = j->fn(tx, j->arg);
    if (!store__tx_alive(c))
        return ERR_IO;
    if (j->rc >= 0 && store__tx_failed(c))
        j->rc = ERR_IO; /* a statement failed and the job went on as if it had not */
    if (j->rc < 0) {
        drop_events(j);
        rc = exec(c, "ROLLBACK TO job");
        if (rc < 0)
            return rc;
    }
    rc = exec(c, "RELEASE job");
    if (rc == 0 && !store__tx_alive(c))
        rc = ERR_IO;
    return rc;
}

/* True when 'rc' from a job says the disk or the database failed, not the job's input. */
static bool
io_failure(int rc)
{
    return rc == ERR_IO || rc == ERR_UNAVAIL || rc == ERR_NOMEM;
}

/* Indexes the messages the batch added (ids past st->fts_mark) for search, in one statement:
 * FTS5 writes its pending terms at every savepoint and statement, so indexing each message as
 * it was inserted wrote one tiny segment per message. '*mark' is the new mark, to keep once the
 * batch is committed. */
static int
index_messages(struct store *st, struct store__conn *c, int64_t *mark)
{
    *mark = st->fts_mark;
    struct db_stmt *s = store__q(c, "INSERT INTO message_fts(rowid, text) "
                                  "SELECT id, text FROM message WHERE id > ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, st->fts_mark);
    int rc = store__step_done(s);
    if (rc < 0 || db_changes(c) == 0)
        return rc;
    s = store__q(c, "SELECT max(id) FROM message");
    if (!s)
        return ERR_IO;
    rc = db_step(s);
    if (rc == DB_ROW)
        *mark = db_i64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

static void
run_batch(struct store *st, struct store__job *batch, size_t n)
{
    struct store__conn *w = st->writer;
    struct store__tx tx = { .st = st, .c = w, .now = clock_now_ms() };
    bool job_io = false;
    int rc = exec(w, store__sql(w, "BEGIN IMMEDIATE", "BEGIN"));
    /* PostgreSQL: the event counter row is locked first, before any job touches a row. Every
     * batch that writes an event needs that lock until its COMMIT; taken later, it would be
     * taken after row locks another instance's batch waits for - a deadlock. Taken first, the
     * instances' batches simply take turns, as SQLite's BEGIN IMMEDIATE makes processes do. */
    if (rc == 0 && w->pg)
        rc = exec(w, "SELECT n FROM event_seq_counter WHERE id = 1 FOR UPDATE");
    if (rc == 0 && !store__tx_alive(w))
        rc = ERR_IO;
    for (struct store__job *j = batch; j && rc == 0; j = j->next) {
        rc = run_job(&tx, j);
        job_io = job_io || io_failure(j->rc);
    }
    int64_t mark = st->fts_mark;
    if (rc == 0 && !w->pg) /* PostgreSQL indexes message text itself (a GIN index) */
        rc = index_messages(st, w, &mark);
    if (rc == 0 && !store__tx_alive(w))
        rc = ERR_IO;
    if (rc == 0)
        rc = exec(w, "COMMIT");
    if (rc == 0)
        st->fts_mark = mark;
    if (rc < 0) {
        /* Nothing of this batch is durable: every job fails (the ones not run yet too), nothing
         * is published, and the waiters answer 503 so that senders retry. */
        log_error("store", "batch failed; nothing of it was acknowledged", "jobs=%zu err=%s", n,
                  err_str(rc));
        if (store__tx_alive(w))
            store__exec(w, "ROLLBACK");
        for (struct store__job *j = batch; j; j = j->next) {
            j->rc = ERR_UNAVAIL;
            drop_events(j);
        }
    }
    /* Durable: publish events in sequence order, then release the waiters. */
    for (struct store__job *j = batch; j; j = j->next) {
        for (struct store__pending_event *e = j->ev_head; e; e = e->next) {
            if (st->publish)
                st->publish(st->publish_arg, e->seq, e->type, e->data, strlen(e->data));
            else if (st->hub)
                hub_publish(st->hub, e->seq, e->type, e->data, strlen(e->data));
            st->last_seq = e->seq;
        }
        drop_events(j);
    }
    int64_t now = clock_now_ms();
    pthread_mutex_lock(&st->mu);
    if (rc < 0) {
        st->stats.batches_lost++;
        st->stats.jobs_lost += n;
    } else {
        st->stats.batches++;
        st->stats.jobs += n;
        st->stats.batch_hist[hist_bucket(n)]++;
    }
    if (rc < 0 || job_io) {
        if (st->stats.writable)
            log_warn("store", "the store cannot write", "err=%s", err_str(rc < 0 ? rc : ERR_IO));
        if (st->stats.writable)
            st->stats.unwritable_since = now;
        st->stats.writable = false;
    } else if (!st->stats.writable) {
        log_info("store", "the store writes again", "after_ms=%lld",
                 (long long)(now - st->stats.unwritable_since));
        st->stats.writable = true;
        st->stats.unwritable_since = 0;
    }
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

/* The probe write: one tiny row rewritten, so a full disk or a failing device shows. */
static int
probe_tx(struct store__tx *tx, void *arg)
{
    UNUSED(arg);
    struct db_stmt *s = store__q(tx->c, "INSERT INTO store_probe(id, at) VALUES (1, ?) "
                                      "ON CONFLICT(id) DO UPDATE SET at = excluded.at");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    return store__step_done(s);
}

#define PROBE_MS 1000

void *
store__writer_main(void *arg)
{
    struct store *st = arg;

    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (!st->head && !st->stopping) {
            if (st->stats.writable) {
                pthread_cond_wait(&st->work, &st->mu);
                continue;
            }
            /* Unwritable and idle: probe once a second until a write succeeds. */
            if (clock_timedwait(&st->work, &st->mu, clock_now_ms() + PROBE_MS) == 0 ||
                st->head || st->stopping)
                continue;
            struct store__job probe = { .fn = probe_tx, .wait = true }; /* on this stack */
            st->stats.probes++;
            pthread_mutex_unlock(&st->mu);
            run_batch(st, &probe, 1);
            pthread_mutex_lock(&st->mu);
        }
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

void
store_set_publisher(struct store *st, store_publish_fn *fn, void *arg)
{
    pthread_mutex_lock(&st->mu); /* the writer reads them after taking a batch under 'mu' */
    st->publish = fn;
    st->publish_arg = arg;
    pthread_mutex_unlock(&st->mu);
}

int64_t
store_last_event_seq(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    struct db_stmt *s = store__q(c, "SELECT coalesce(max(seq), 0) FROM event");
    int64_t seq = 0;
    if (s && db_step(s) == DB_ROW)
        seq = db_i64(s, 0);
    if (s)
        db_reset(s);
    return seq;
}
