/* SPDX-License-Identifier: MIT */
/*
 * st_inspect.c - a read-only look at a SQLite store for `hark doctor`: does it open, does
 * PRAGMA quick_check pass, which schema version does it have against this binary's newest.
 * Nothing is migrated or written.
 */
#include "base/base.h"
#include "store/store_int.h"

int
store_inspect(const char *url, struct store_health *out, struct errmsg *em)
{
    const char *path = url;
    if (strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (strstr(url, "://"))
        return errmsg_set(em, ERR_INVAL, "only SQLite stores can be inspected, not '%s'", url);
    struct store_health h = { .newest = store__migrations[store__nmigrations - 1].version };
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        rc = errmsg_set(em, ERR_NOTFOUND, "cannot open '%s': %s", path,
                        db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db, 2000);
    rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        h.intact = t && strcmp((const char *)t, "ok") == 0;
        snprintf(h.problem, sizeof(h.problem), "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (rc != SQLITE_OK) {
        rc = errmsg_set(em, ERR_IO, "cannot read '%s': %s", path, sqlite3_errmsg(db));
        goto out;
    }
    rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        h.version = sqlite3_column_int(s, 0);
    *out = h;
    rc = 0;
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}
