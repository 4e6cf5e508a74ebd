/* SPDX-License-Identifier: MIT */
/*
 * sqlite.c - the SQLite backend's connections: opening the store, pragmas, the per-thread
 * read connections and the statement cache. Queries live in the st_*.c files.
 *
 * WAL mode lets readers proceed while the single writer commits; synchronous=FULL on the
 * writer makes every commit durable (the WAL is fsynced) before a request is acknowledged.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/buf.h"
#include "base/hub.h"
#include "base/log.h"
#include "base/metrics.h"

int
store__err(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return 0;
    case SQLITE_CONSTRAINT: return ERR_CONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ERR_BUSY;
    case SQLITE_NOMEM: return ERR_NOMEM;
    case SQLITE_FULL: return ERR_UNAVAIL;
    case SQLITE_TOOBIG: return ERR_TOOBIG;
    case SQLITE_NOTFOUND: return ERR_NOTFOUND;
    default: return ERR_IO;
    }
}

static int
exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("store", "pragma failed", "err=\"%s\"", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return store__err(rc);
    }
    return 0;
}

int
store__conn_open(const char *path, bool writer, struct store__conn **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    if (writer)
        flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "open failed", "path=\"%s\" err=\"%s\"", path,
                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return ERR_IO;
    }
    sqlite3_busy_timeout(db, 10000);
    rc = exec(db, writer ? "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;"
                        : "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-8000;");
    if (rc == 0 && writer)
        rc = exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    if (rc < 0) {
        sqlite3_close(db);
        return rc;
    }
    struct store__conn *c = xcalloc(1, sizeof(*c));
    c->db = db;
    *out = c;
    return 0;
}

void
store__conn_close(struct store__conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ncache; i++)
        sqlite3_finalize(c->cache[i].stmt);
    sqlite3_close(c->db);
    xfree(c);
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
        if (sqlite3_stmt_busy(c->cache[i].stmt))
            continue;
        if (victim < 0 || c->cache[i].used < c->cache[victim].used)
            victim = (ssize_t)i;
    }
    return victim;
}

sqlite3_stmt *
store__q(struct store__conn *c, const char *sql)
{
    size_t h = cache_hash(sql);
    for (uint8_t k; (k = c->index[h]) != 0; h = (h + 1) & (STORE__CACHE_BUCKETS - 1)) {
        struct store__cached *e = &c->cache[k - 1];
        if (e->sql == sql) {
            e->used = ++c->tick;
            sqlite3_reset(e->stmt);
            sqlite3_clear_bindings(e->stmt);
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
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "prepare failed", "err=\"%s\"", sqlite3_errmsg(c->db));
        return NULL;
    }
    struct store__cached *e = &c->cache[slot];
    if (slot < c->ncache) {
        if (c->evictions++ == 0)
            log_warn("store", "statement cache full, evicting least recently used", "max=%d",
                     STORE__CACHE_MAX);
        if (c->st)
            metrics_add(&c->st->stmt_evictions, 1);
        sqlite3_finalize(e->stmt);
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
store__bind_str(sqlite3_stmt *s, int i, struct str v)
{
    if (!v.p)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v.p, (int)v.len, SQLITE_TRANSIENT);
}

void
store__bind_scope(sqlite3_stmt *s, const struct store_scope *sc)
{
    bool lim = sc && sc->limited;
    sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":scope_lim"), lim);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":scope_agent"),
                       lim && sc->agent_id ? sc->agent_id : -1);
    store__bind_cstr(s, sqlite3_bind_parameter_index(s, ":scope_store"), lim ? sc->store : NULL);
}

void
store__bind_cstr(sqlite3_stmt *s, int i, const char *v)
{
    if (!v)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

int
store__step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store__err(rc);
}

void
store__bind_like(sqlite3_stmt *s, int i, const char *q)
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
    sqlite3_bind_text(s, i, like.p, (int)like.len, SQLITE_TRANSIENT);
    buf_release(&like);
}

const char *
store__col(struct arena *ar, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (!t)
        return NULL;
    return arena_strndup(ar, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
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
        if (store__conn_open(st->path, false, &c) < 0)
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
    int rc;

    if (strncmp(url, "sqlite:", 7) == 0) {
        path = url + 7;
        while (path[0] == '/' && path[1] == '/')
            path++;
    } else if (strstr(url, "://")) {
        return errmsg_set(em, ERR_INVAL, "unsupported store url '%s': want sqlite:PATH", url);
    }
    if (strcmp(path, ":memory:") == 0)
        path = "file:hark-mem?mode=memory&cache=shared";

    struct store *st = xcalloc(1, sizeof(*st));
    st->path = xstrdup(path);
    st->hub = hub;
    st->queue_max = cfg->queue_max ? cfg->queue_max : 65536;
    st->batch_max = cfg->batch_max ? cfg->batch_max : 1024;
    st->stats.writable = true;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->work, NULL);
    pthread_cond_init(&st->done, NULL);
    pthread_mutex_init(&st->readers_mu, NULL);
    pthread_key_create(&st->reader_key, reader_release);

    rc = store__conn_open(st->path, true, &st->writer);
    if (rc < 0) {
        errmsg_set(em, rc, "cannot open database '%s'", path);
        goto fail;
    }
    st->writer->st = st;
    rc = store__migrate(st->writer, em);
    if (rc < 0)
        goto fail;
    sqlite3_stmt *s = store__q(st->writer, "SELECT coalesce(max(seq), 0) FROM event");
    if (s && sqlite3_step(s) == SQLITE_ROW)
        st->last_seq = sqlite3_column_int64(s, 0);
    /* Reset now: a statement left mid-step holds a read snapshot, and the writer's next
     * BEGIN IMMEDIATE would fail with SQLITE_BUSY_SNAPSHOT once another process writes. */
    if (s)
        sqlite3_reset(s);
    s = store__q(st->writer, "SELECT coalesce(max(id), 0) FROM message");
    if (s && sqlite3_step(s) == SQLITE_ROW)
        st->fts_mark = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
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
    sqlite3_stmt *s = store__q(c, "PRAGMA integrity_check");
    if (!s)
        return ERR_IO;
    int rc = ERR_IO;
    if (sqlite3_step(s) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0)
        rc = 0;
    sqlite3_reset(s);
    return rc;
}
