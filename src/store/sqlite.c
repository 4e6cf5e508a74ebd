/* SPDX-License-Identifier: MIT */
/*
 * sqlite.c - the SQLite backend's half of db.h and store_int.h: connections with Hark's pragmas,
 * preparing and stepping statements, transactions. Queries live in the st_*.c files.
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
store__lite_err(int rc)
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
        log_error("store", "statement failed", "err=\"%s\"", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return store__lite_err(rc);
    }
    return 0;
}

int
store__lite_open(const char *path, bool writer, sqlite3 **out)
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
    *out = db;
    return 0;
}

void
store__lite_close(sqlite3 *db)
{
    sqlite3_close(db);
}

int
store__lite_prepare(struct store__conn *c, const char *sql, size_t len, bool persistent,
                    struct db_stmt *s)
{
    int rc = sqlite3_prepare_v3(c->db, sql, (int)len, persistent ? SQLITE_PREPARE_PERSISTENT : 0,
                                &s->lite, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "prepare failed", "err=\"%s\"", sqlite3_errmsg(c->db));
        return store__lite_err(rc);
    }
    return 0;
}

int
db__lite_step(struct db_stmt *s)
{
    int rc = sqlite3_step(s->lite);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    s->c->fk_failed = sqlite3_extended_errcode(s->c->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
    return store__lite_err(rc);
}

int
store__lite_exec(sqlite3 *db, const char *sql)
{
    return exec(db, sql);
}

bool
store__lite_tx_alive(sqlite3 *db)
{
    /* SQLite rolls a whole transaction back on its own after some errors (an I/O error, a
     * full disk, out of memory); from then on every statement would autocommit by itself. */
    return sqlite3_get_autocommit(db) == 0;
}
