/* SPDX-License-Identifier: MIT */
/*
 * store.c - the store as a whole, on either backend: opening it (the URL picks SQLite or
 * PostgreSQL), the connections and their statement cache, the per-thread read connections,
 * statistics. The backends' own halves are sqlite.c and pg.c; queries live in the st_*.c files.
 */
#include "base/base.h"
#include "store/store_int.h"

#include <unistd.h>

#include "base/buf.h"
#include "base/hub.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/rand.h"

/* "host:pid:random": unique among the instances sharing a database, readable in a lease row. */
static void
instance_name(char *out, size_t n)
{
    char host[64] = "";
    if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
        snprintf(host, sizeof(host), "host");
    uint8_t r[4];
    rand_bytes(r, sizeof(r));
    snprintf(out, n, "%s:%ld:%02x%02x%02x%02x", host, (long)getpid(), r[0], r[1], r[2], r[3]);
}

bool
store_shared(struct store *st)
{
    return st->pg;
}

const char *
store_instance(struct store *st)
{
    return st->instance;
}

int
store__conn_open(struct store *st, bool writer, struct store__conn **out)
{
    struct store__conn *c = xcalloc(1, sizeof(*c));
    int rc = st->pg ? store__pg_open(st->path, writer, &c->pg)
                    : store__lite_open(st->path, writer, &c->db);
    if (rc < 0) {
        xfree(c);
        return rc;
    }
    *out = c;
    return 0;
}

void
store__conn_close(struct store__conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ncache; i++)
        db_finalize(c->cache[i].stmt);
    if (c->pg)
        store__pg_close(c->pg);
    else
        store__lite_close(c->db);
    xfree(c);
}

static int
prepare(struct store__conn *c, const char *sql, size_t len, bool persistent,
        struct db_stmt **out)
{
    struct db_stmt *s = xcalloc(1, sizeof(*s));
    s->c = c;
    int rc = c->pg ? store__pg_prepare(c, sql, len, persistent, s)
                   : store__lite_prepare(c, sql, len, persistent, s);
    if (rc < 0) {
        xfree(s);
        return rc;
    }
    *out = s;
    return 0;
}

int
db_prepare(struct store__conn *c, const char *sql, size_t len, struct db_stmt **out)
{
    return prepare(c, sql, len, false, out);
}

void
db_finalize(struct db_stmt *s)
{
    if (!s)
        return;
    if (s->lite)
        sqlite3_finalize(s->lite);
    else
        store__pg_finalize(s->pg);
    xfree(s);
}

int64_t
db_changes(struct store__conn *c)
{
    return c->pg ? store__pg_changes(c->pg) : sqlite3_changes(c->db);
}

int64_t
db_last_id(struct store__conn *c)
{
    return c->pg ? store__pg_last_id(c) : sqlite3_last_insert_rowid(c->db);
}

bool
db_fk_failed(struct store__conn *c)
{
    return c->fk_failed;
}

int
store__exec(struct store__conn *c, const char *sql)
{
    return c->pg ? store__pg_exec(c->pg, sql) : store__lite_exec(c->db, sql);
}

bool
store__tx_alive(struct store__conn *c)
{
    return c->pg ? store__pg_tx_alive(c->pg) : store__lite_tx_alive(c->db);
}

bool
store__tx_failed(struct store__conn *c)
{
    return c->pg && store__pg_tx_failed(c->pg);
}

/* True while 's' is mid-step (a cached statement that must not be evicted). */
static bool
db__busy(struct db_stmt *s)
{
    return s->lite ? sqlite3_stmt_busy(s->lite) != 0 : pg_busy(s->pg);
}

/* Resets 's' and clears its bindings, for its next use from the cache. */
static void
db__clear(struct db_stmt *s)
{
    if (s->lite) {
        sqlite3_reset(s->lite);
        sqlite3_clear_bindings(s->lite);
    } else {
        store__pg_clear(s->pg);
    }
}

static size_t
cache_hash(const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15ULL; /* Fibonacci hashing */
    return (size_t)(h >> 56) & (STORE__CACHE_BUCKETS - 1);
}

/* Rebuilds the hash index after an eviction (rare: 128 entries, no tombstones to manage). */
static void
cache_reindex(struct store__conn *c)
{
    memset(c->index, 0, sizeof(c->index));
    for (size_t i = 0; i < c->ncache; i++) {
        size_t h = cache_hash(c->cache[i].sql);
        while (c->index[h])
            h = (h + 1) & (STORE__CACHE_BUCKETS - 1);
        c->index[h] = (uint8_t)(i + 1);
    }
}

/* The least recently used statement that is not mid-step, or -1 when every one is. */
static ssize_t
cache_victim(const struct store__conn *c)
{
    ssize_t victim = -1;
    for (size_t i = 0; i < c->ncache; i++) {
        if (db__busy(c->cache[i].stmt))
            continue;
        if (victim < 0 || c->cache[i].used < c->cache[victim].used)
            victim = (ssize_t)i;
    }
    return victim;
}

struct db_stmt *
store__q(struct store__conn *c, const char *sql)
{
    size_t h = cache_hash(sql);
    for (uint8_t k; (k = c->index[h]) != 0; h = (h + 1) & (STORE__CACHE_BUCKETS - 1)) {
        struct store__cached *e = &c->cache[k - 1];
        if (e->sql == sql) {
            e->used = ++c->tick;
            db__clear(e->stmt);
            return e->stmt;
        }
    }
    size_t slot = c->ncache;
    if (slot == STORE__CACHE_MAX) {
        ssize_t v = cache_victim(c);
        if (v < 0) {
            log_error("store", "statement cache full of statements in use", "max=%d",
                      STORE__CACHE_MAX);
            return NULL;
        }
        slot = (size_t)v;
    }
    struct db_stmt *s = NULL;
    if (prepare(c, sql, strlen(sql), true, &s) < 0)
        return NULL;
    struct store__cached *e = &c->cache[slot];
    if (slot < c->ncache) {
        if (c->evictions++ == 0)
            log_warn("store", "statement cache full, evicting least recently used", "max=%d",
                     STORE__CACHE_MAX);
        if (c->st)
            metrics_add(&c->st->stmt_evictions, 1);
        db_finalize(e->stmt);
        e->sql = sql;
        e->stmt = s;
        e->used = ++c->tick;
        cache_reindex(c);
        return s;
    }
    e->sql = sql;
    e->stmt = s;
    e->used = ++c->tick;
    c->ncache++;
    h = cache_hash(sql);
    while (c->index[h])
        h = (h + 1) & (STORE__CACHE_BUCKETS - 1);
    c->index[h] = (uint8_t)c->ncache;
    return s;
}

void
store__bind_str(struct db_stmt *s, int i, struct str v)
{
    if (!v.p)
        db_bind_null(s, i);
    else
        db_bind_text(s, i, v.p, (int)v.len);
}

void
store__bind_scope(struct db_stmt *s, const struct store_scope *sc)
{
    bool lim = sc && sc->limited;
    db_bind_int(s, db_param(s, ":scope_lim"), lim);
    db_bind_i64(s, db_param(s, ":scope_agent"),
                       lim && sc->agent_id ? sc->agent_id : -1);
    store__bind_cstr(s, db_param(s, ":scope_store"), lim ? sc->store : NULL);
}

void
store__bind_cstr(struct db_stmt *s, int i, const char *v)
{
    if (!v)
        db_bind_null(s, i);
    else
        db_bind_text(s, i, v, -1);
}

int
store__step_done(struct db_stmt *s)
{
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

void
store__bind_like(struct db_stmt *s, int i, const char *q)
{
    struct buf like;
    buf_init(&like, 2 * strlen(q) + 2); /* every byte escaped, plus the two '%': always fits */
    buf_addc(&like, '%');
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_addc(&like, '\\');
        buf_addc(&like, *p);
    }
    buf_addc(&like, '%');
    db_bind_text(s, i, like.p, (int)like.len);
    buf_release(&like);
}

const char *
store__col(struct arena *ar, struct db_stmt *s, int i)
{
    const char *t = db_text(s, i);
    if (!t)
        return NULL;
    return arena_strndup(ar, t, db_bytes(s, i));
}

#define IDLE_READERS_MAX 16

struct store__conn *
store__reader(struct store *st)
{
    struct store__conn *c = pthread_getspecific(st->reader_key);
    if (c)
        return c;
    pthread_mutex_lock(&st->readers_mu);
    c = st->idle;
    if (c) {
        st->idle = c->next;
        st->nidle--;
    }
    pthread_mutex_unlock(&st->readers_mu);
    if (!c) {
        if (store__conn_open(st, false, &c) < 0)
            return NULL;
        c->st = st;
    }
    c->next = NULL;
    pthread_setspecific(st->reader_key, c);
    return c;
}

/* Thread exit: give the reader back to the pool, or close it when the pool is full. Threads
 * that use the store all end before store_close, so 'st' is still alive here. */
static void
reader_release(void *arg)
{
    struct store__conn *c = arg;
    struct store *st = c->st;
    pthread_mutex_lock(&st->readers_mu);
    if (st->nidle < IDLE_READERS_MAX) {
        c->next = st->idle;
        st->idle = c;
        st->nidle++;
        c = NULL;
    }
    pthread_mutex_unlock(&st->readers_mu);
    store__conn_close(c);
}

int
store_open(const struct store_config *cfg, struct hub *hub, struct store **out,
           struct errmsg *em)
{
    const char *url = cfg->url ? cfg->url : "hark.db";
    const char *path = url;
    bool pg = false;
    int rc;

    if (strncmp(url, "sqlite:", 7) == 0) {
        path = url + 7;
        while (path[0] == '/' && path[1] == '/')
            path++;
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        pg = true;
    } else if (strstr(url, "://")) {
        return errmsg_set(em, ERR_INVAL,
                          "unsupported store url '%s': want sqlite:PATH or postgres://...", url);
    }
    if (!pg && strcmp(path, ":memory:") == 0)
        path = "file:hark-mem?mode=memory&cache=shared";

    struct store *st = xcalloc(1, sizeof(*st));
    st->path = xstrdup(path);
    st->pg = pg;
    instance_name(st->instance, sizeof(st->instance));
    st->hub = hub;
    st->queue_max = cfg->queue_max ? cfg->queue_max : 65536;
    st->batch_max = cfg->batch_max ? cfg->batch_max : 1024;
    st->stats.writable = true;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->work, NULL);
    pthread_cond_init(&st->done, NULL);
    pthread_mutex_init(&st->readers_mu, NULL);
    pthread_key_create(&st->reader_key, reader_release);

    rc = store__conn_open(st, true, &st->writer);
    if (rc < 0) {
        errmsg_set(em, rc, "cannot open database '%s'", pg ? "postgres" : path);
        goto fail;
    }
    st->writer->st = st;
    rc = store__migrate(st->writer, em);
    if (rc < 0)
        goto fail;
    struct db_stmt *s = store__q(st->writer, "SELECT coalesce(max(seq), 0) FROM event");
    if (s && db_step(s) == DB_ROW)
        st->last_seq = db_i64(s, 0);
    /* Reset now: a statement left mid-step holds a read snapshot, and the writer's next
     * BEGIN IMMEDIATE would fail with SQLITE_BUSY_SNAPSHOT once another process writes. */
    if (s)
        db_reset(s);
    s = store__q(st->writer, "SELECT coalesce(max(id), 0) FROM message");
    if (s && db_step(s) == DB_ROW)
        st->fts_mark = db_i64(s, 0);
    if (s)
        db_reset(s);
    if (pthread_create(&st->thread, NULL, store__writer_main, st) != 0) {
        rc = errmsg_set(em, ERR_IO, "cannot start the store writer");
        goto fail;
    }
    *out = st;
    return 0;

fail:
    store__conn_close(st->writer);
    pthread_key_delete(st->reader_key);
    xfree(st->path);
    xfree(st);
    return rc;
}

void
store_close(struct store *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    st->stopping = true;
    pthread_cond_signal(&st->work);
    pthread_mutex_unlock(&st->mu);
    pthread_join(st->thread, NULL);
    store__conn_close(st->writer);
    /* The calling thread's own reader, if any, is not in the pool yet. */
    struct store__conn *mine = pthread_getspecific(st->reader_key);
    if (mine) {
        pthread_setspecific(st->reader_key, NULL);
        store__conn_close(mine);
    }
    while (st->idle) {
        struct store__conn *c = st->idle;
        st->idle = c->next;
        store__conn_close(c);
    }
    pthread_key_delete(st->reader_key);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->work);
    pthread_cond_destroy(&st->done);
    pthread_mutex_destroy(&st->readers_mu);
    xfree(st->path);
    xfree(st);
}

void
store_stats(struct store *st, struct store_stats *out)
{
    pthread_mutex_lock(&st->mu);
    *out = st->stats;
    out->queue_depth = st->depth;
    pthread_mutex_unlock(&st->mu);
    out->stmt_evictions = metrics_get(&st->stmt_evictions);
}

void
store__credentials_changed(struct store *st)
{
    atomic_fetch_add(&st->credentials_epoch, 1);
    if (st->hub)
        hub_wake_all(st->hub);
}

uint64_t
store_credentials_epoch(struct store *st)
{
    return atomic_load(&st->credentials_epoch);
}

int
store_check(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* PostgreSQL checks its own pages; a query that answers is what can be asked of it here. */
    struct db_stmt *s = store__q(c, store__sql(c, "PRAGMA integrity_check", "SELECT 'ok'"));
    if (!s)
        return ERR_IO;
    int rc = ERR_IO;
    if (db_step(s) == DB_ROW && strcmp(db_text(s, 0), "ok") == 0)
        rc = 0;
    db_reset(s);
    return rc;
}
