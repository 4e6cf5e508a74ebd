/* SPDX-License-Identifier: MIT */
/*
 * migrate.c - forward-only numbered migrations, each applied in its own transaction.
 *
 * PRAGMA user_version holds the number of the last applied migration. A database newer than
 * this binary is refused rather than guessed at.
 *
 * Numbering (src/store/schema/NNN_name.sql, embedded in number order by tools/embed-sql.sh):
 * a database runs only the migrations numbered above its user_version, so
 *   - never renumber a migration that has shipped, and never edit what it does;
 *   - never fill a gap later: a database already past the gap would skip the new file
 *     silently (006_reserved.sql closes the one gap there was, and does nothing);
 *   - the next migration is the highest number + 1.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/log.h"

int
store__migrate(struct store__conn *c, struct errmsg *em)
{
    sqlite3_stmt *s = NULL;
    int version = 0;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    int newest = store__nmigrations ? store__migrations[store__nmigrations - 1].version : 0;
    if (version > newest)
        return errmsg_set(em, ERR_INVAL, "database schema %d is newer than this hark (%d)",
                          version, newest);
    for (int i = 0; i < store__nmigrations; i++) {
        const struct store_migration *m = &store__migrations[i];
        if (m->version <= version)
            continue;
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", m->version);
        rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, m->sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, pragma, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            errmsg_set(em, ERR_IO, "migration '%s' failed: %s", m->name,
                       msg ? msg : sqlite3_errmsg(c->db));
            sqlite3_free(msg);
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return ERR_IO;
        }
        log_info("store", "migrated", "version=%d name=%s", m->version, m->name);
    }
    return 0;
}
