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
 *
 * Foreign keys are off while a migration runs (SQLite ignores the pragma inside a transaction,
 * so it is set around them) so that a migration may rebuild a table others refer to, the way
 * SQLite's ALTER TABLE documentation does it; PRAGMA foreign_key_check must then find nothing
 * before the migration commits.
 *
 * PostgreSQL (src/store/schema/pg/) keeps the number in table schema_version; instances that
 * start together take an advisory lock, so one migrates and the others find it done.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/log.h"

/* sqlite3_exec callback of PRAGMA foreign_key_check: counts the violations it lists. */
static int
count_row(void *arg, int ncol, char **vals, char **cols)
{
    (void)ncol;
    (void)vals;
    (void)cols;
    (*(int *)arg)++;
    return 0;
}

/* The value of PRAGMA foreign_keys on 'db' (0 when it cannot be read). */
static int
foreign_keys_on(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int on = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        on = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return on;
}

/* Any number that is Hark's alone: the advisory lock migrations hold on PostgreSQL. */
#define PG_MIGRATE_LOCK "7213390166"

static int
pg_version(struct store__conn *c, int *version)
{
    struct db_stmt *s = NULL;
    const char *sql = "SELECT to_regclass('schema_version') IS NOT NULL";
    int rc = db_prepare(c, sql, strlen(sql), &s);
    if (rc < 0)
        return rc;
    rc = db_step(s);
    bool exists = rc == DB_ROW && db_int(s, 0);
    db_finalize(s);
    if (rc != DB_ROW)
        return ERR_IO;
    *version = 0;
    if (!exists)
        return 0; /* an empty database: the baseline creates the table */
    sql = "SELECT coalesce(max(version), 0) FROM schema_version";
    if ((rc = db_prepare(c, sql, strlen(sql), &s)) < 0)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW)
        *version = db_int(s, 0);
    db_finalize(s);
    return rc == DB_ROW ? 0 : ERR_IO;
}

static int
migrate_pg(struct store__conn *c, struct errmsg *em)
{
    int version = 0;
    int rc = store__exec(c, "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ")");
    if (rc == 0)
        rc = store__pg_ensure_schema(c->pg);
    if (rc == 0)
        rc = pg_version(c, &version);
    if (rc < 0) {
        store__exec(c, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")");
        return errmsg_set(em, rc, "cannot read the PostgreSQL schema version");
    }
    int newest = store__pg_nmigrations ? store__pg_migrations[store__pg_nmigrations - 1].version : 0;
    if (version > newest) {
        store__exec(c, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")");
        return errmsg_set(em, ERR_INVAL, "database schema %d is newer than this hark (%d)",
                          version, newest);
    }
    for (int i = 0; i < store__pg_nmigrations && rc == 0; i++) {
        const struct store_migration *m = &store__pg_migrations[i];
        if (m->version <= version)
            continue;
        char mark[96];
        snprintf(mark, sizeof(mark), "UPDATE schema_version SET version = %d", m->version);
        rc = store__exec(c, "BEGIN");
        if (rc == 0)
            rc = store__exec(c, m->sql);
        if (rc == 0)
            rc = store__exec(c, mark);
        if (rc == 0)
            rc = store__exec(c, "COMMIT");
        if (rc < 0) {
            store__exec(c, "ROLLBACK");
            errmsg_set(em, ERR_IO, "migration '%s' failed (see the log)", m->name);
            break;
        }
        log_info("store", "migrated", "version=%d name=%s backend=postgres", m->version, m->name);
    }
    store__exec(c, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")");
    return rc < 0 ? ERR_IO : 0;
}

int
store__migrate(struct store__conn *c, struct errmsg *em)
{
    if (c->pg)
        return migrate_pg(c, em);
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
    int fk = foreign_keys_on(c->db);
    if (fk)
        sqlite3_exec(c->db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
    rc = SQLITE_OK;
    for (int i = 0; i < store__nmigrations && rc == SQLITE_OK; i++) {
        const struct store_migration *m = &store__migrations[i];
        if (m->version <= version)
            continue;
        char *msg = NULL;
        char pragma[64];
        int broken = 0;
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", m->version);
        rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, m->sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, "PRAGMA foreign_key_check", count_row, &broken, &msg);
        if (rc == SQLITE_OK && broken) {
            rc = SQLITE_CONSTRAINT;
            msg = sqlite3_mprintf("%d rows break a foreign key", broken);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, pragma, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            errmsg_set(em, ERR_IO, "migration '%s' failed: %s", m->name,
                       msg ? msg : sqlite3_errmsg(c->db));
            sqlite3_free(msg);
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            break;
        }
        log_info("store", "migrated", "version=%d name=%s", m->version, m->name);
    }
    if (fk)
        sqlite3_exec(c->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : ERR_IO;
}
