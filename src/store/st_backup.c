/* SPDX-License-Identifier: MIT */
/*
 * st_backup.c - online backup and offline restore of a SQLite store.
 *
 * Backup is `VACUUM INTO` on a read connection: one read snapshot, so the copy is consistent
 * while the server keeps writing (WAL readers never block the writer), and compact. Progress
 * is the size of the file being written beside the database's size, sampled from SQLite's
 * progress handler.
 *
 * Restore checks the backup first (integrity, a Hark schema this binary knows), refuses while
 * any other process has the target open (a running server: leaving WAL mode needs every other
 * connection gone), then copies it page by page with the online backup API.
 */
#include "base/base.h"
#include "store/store_int.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

struct progress {
    const char *path;
    uint64_t total;
    store_progress_fn *fn;
    void *arg;
    unsigned ticks;
};

static int
on_progress(void *arg)
{
    struct progress *p = arg;
    /* Called every 10,000 VM steps; stat() every 64th call is cheap enough. */
    if (p->fn && (p->ticks++ & 63) == 0) {
        struct stat sb;
        if (stat(p->path, &sb) == 0)
            p->fn(p->arg, (uint64_t)sb.st_size, p->total);
    }
    return 0;
}

static uint64_t
db_file_bytes(sqlite3 *db)
{
    uint64_t pages = 0, size = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        pages = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        size = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return pages * size;
}

int
store_backup(struct store *st, const char *dest, store_progress_fn *fn, void *arg,
             struct errmsg *em)
{
    struct stat sb;
    if (stat(dest, &sb) == 0)
        return errmsg_set(em, ERR_CONFLICT, "'%s' exists; a backup never overwrites a file", dest);
    struct store__conn *c = store__reader(st);
    if (!c)
        return errmsg_set(em, ERR_IO, "cannot open the database");
    if (c->pg)
        return errmsg_set(em, ERR_INVAL, "a PostgreSQL store is backed up with pg_dump "
                                         "(see docs/scale.md), not by hark backup");
    struct progress p = { .path = dest, .total = db_file_bytes(c->db), .fn = fn, .arg = arg };
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(c->db, "VACUUM INTO ?", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, dest, -1, SQLITE_STATIC);
        sqlite3_progress_handler(c->db, 10000, on_progress, &p);
        rc = sqlite3_step(s);
        sqlite3_progress_handler(c->db, 0, NULL, NULL);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        int err = store__lite_err(rc);
        errmsg_set(em, err, "backup to '%s' failed: %s", dest, sqlite3_errmsg(c->db));
        unlink(dest);
        return err;
    }
    if (fn && stat(dest, &sb) == 0)
        fn(arg, (uint64_t)sb.st_size, (uint64_t)sb.st_size);
    return 0;
}

/* Opens 'path' with flags; logs nothing (the caller words the error). */
static int
open_db(const char *path, int flags, sqlite3 **out)
{
    *out = NULL;
    int rc = sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(*out);
        *out = NULL;
    }
    return rc;
}

static int
scalar_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Checks that 'db' is a sound Hark database this binary can run. */
static int
check_backup(sqlite3 *db, const char *path, struct errmsg *em)
{
    sqlite3_stmt *s = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        ok = t && strcmp((const char *)t, "ok") == 0;
    }
    sqlite3_finalize(s);
    if (!ok)
        return errmsg_set(em, ERR_INVAL, "'%s' is not an intact SQLite database", path);
    int64_t version = 0, tables = 0;
    scalar_int(db, "PRAGMA user_version", &version);
    scalar_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                   "('conversation', 'message', 'event')", &tables);
    if (version < 1 || tables != 3)
        return errmsg_set(em, ERR_INVAL, "'%s' is not a Hark database", path);
    int newest = store__migrations[store__nmigrations - 1].version;
    if (version > newest)
        return errmsg_set(em, ERR_INVAL,
                          "'%s' is from a newer Hark (schema %lld; this one knows up to %d)", path,
                          (long long)version, newest);
    return 0;
}

int
store_restore(const char *url, const char *src, store_progress_fn *fn, void *arg,
              struct errmsg *em)
{
    const char *path = url;
    if (strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (strstr(url, "://"))
        return errmsg_set(em, ERR_INVAL, "restore works on SQLite stores only, not '%s'", url);

    sqlite3 *from = NULL, *to = NULL;
    int rc = open_db(src, SQLITE_OPEN_READONLY, &from);
    if (rc != SQLITE_OK) {
        rc = errmsg_set(em, ERR_NOTFOUND, "cannot open the backup '%s'", src);
        goto out;
    }
    if ((rc = check_backup(from, src, em)) < 0)
        goto out;
    rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &to);
    if (rc != SQLITE_OK) {
        rc = errmsg_set(em, ERR_IO, "cannot open '%s' for writing", path);
        goto out;
    }
    /* Leaving WAL mode needs every other connection gone: it fails while a server runs. */
    sqlite3_busy_timeout(to, 0);
    if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = errmsg_set(em, ERR_CONFLICT, "'%s' is in use (is hark serve running on it?); stop "
                                          "the server first", path);
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) {
        rc = errmsg_set(em, ERR_IO, "cannot start the restore: %s", sqlite3_errmsg(to));
        goto out;
    }
    int step;
    do {
        step = sqlite3_backup_step(b, 1024);
        if (fn) {
            int total = sqlite3_backup_pagecount(b);
            fn(arg, (uint64_t)(total - sqlite3_backup_remaining(b)), (uint64_t)total);
        }
    } while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        rc = errmsg_set(em, store__lite_err(step), "restore into '%s' failed: %s", path,
                        sqlite3_errstr(step));
        goto out;
    }
    if (sqlite3_exec(to, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
        rc = errmsg_set(em, ERR_IO, "restored, but cannot switch '%s' back to WAL mode", path);
        goto out;
    }
    log_info("store", "restored", "from=\"%s\" to=\"%s\"", src, path);
    rc = 0;
out:
    sqlite3_close(from);
    sqlite3_close(to);
    return rc;
}
