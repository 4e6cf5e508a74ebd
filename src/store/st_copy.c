/* SPDX-License-Identifier: MIT */
/*
 * st_copy.c - moving a brand from the embedded SQLite store to PostgreSQL (hark migrate).
 *
 * Both stores are open (so both are migrated to the same schema version). Every table the
 * PostgreSQL schema has is copied from SQLite in one PostgreSQL transaction, with COPY ...
 * FROM STDIN, in the order the schema lists them; triggers and foreign-key checks are off for
 * that transaction (session_replication_role = replica: the rows are already consistent, and
 * the SLA and store triggers must not add rows of their own). Then each identity moves past the
 * largest id copied, the event counter past the largest seq, the transaction commits, and every
 * table is counted on both sides. Nothing is left half-copied: any failure rolls it all back.
 * SQLite's search tables (FTS5) are not copied: PostgreSQL's GIN indexes follow the rows.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/buf.h"
#include "base/log.h"

/* Tables of the PostgreSQL schema that SQLite does not have (kept by the copy itself). */
static bool
pg_only(const char *table)
{
    return strcmp(table, "schema_version") == 0 || strcmp(table, "event_seq_counter") == 0;
}

/* One SELECT of a single integer on 'c' ('sql' is dynamic): 0 or ERR_*. */
static int
scalar(struct store__conn *c, const char *sql, int64_t *out)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(c, sql, strlen(sql), &s);
    if (rc < 0)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW)
        *out = db_i64(s, 0);
    db_finalize(s);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_IO;
}

static int
exec_dyn(struct store__conn *c, const char *sql)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(c, sql, strlen(sql), &s);
    if (rc < 0)
        return rc;
    rc = db_step(s);
    db_finalize(s);
    return rc < 0 ? rc : 0;
}

/* The schema's tables, in the order they were created (foreign keys point backwards). */
static int
list_tables(struct store__conn *to, struct arena *ar, struct store_copy_table **out, size_t *n)
{
    const char *sql = "SELECT c.relname FROM pg_class c JOIN pg_namespace ns ON "
                      "ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND "
                      "c.relkind = 'r' ORDER BY c.oid";
    struct db_stmt *s = NULL;
    int rc = db_prepare(to, sql, strlen(sql), &s);
    if (rc < 0)
        return rc;
    struct store_copy_table *v = NULL;
    size_t cnt = 0, cap = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (pg_only(db_text(s, 0)))
            continue;
        STORE__GROW(ar, v, cnt, cap);
        v[cnt++] = (struct store_copy_table){ .name = arena_strdup(ar, db_text(s, 0)) };
    }
    db_finalize(s);
    if (rc != DB_DONE)
        return rc < 0 ? rc : ERR_IO;
    *out = v;
    *n = cnt;
    return 0;
}

/* The column names of 'table' in order, as "a, b, c", and which are double precision. */
static int
list_columns(struct store__conn *to, const char *table, struct buf *cols, bool *real,
             int max, int *ncols)
{
    struct buf q;
    buf_init(&q, 256);
    buf_printf(&q, "SELECT column_name, data_type = 'double precision' FROM "
                   "information_schema.columns WHERE table_schema = current_schema() AND "
                   "table_name = '%s' ORDER BY ordinal_position", table);
    struct db_stmt *s = NULL;
    int rc = buf_error(&q) < 0 ? ERR_NOMEM : db_prepare(to, q.p, q.len, &s);
    buf_release(&q);
    if (rc < 0)
        return rc;
    int n = 0;
    while ((rc = db_step(s)) == DB_ROW && n < max) {
        buf_printf(cols, "%s%s", n ? ", " : "", db_text(s, 0));
        real[n++] = db_int(s, 1) != 0;
    }
    db_finalize(s);
    if (rc == DB_ROW)
        return ERR_TOOBIG;
    if (rc != DB_DONE)
        return rc < 0 ? rc : ERR_IO;
    *ncols = n;
    return buf_error(cols);
}

/* One value in COPY's text format: \N for NULL, backslash, tab, newline and CR escaped. */
static void
put_value(struct buf *row, struct db_stmt *s, int i, bool real)
{
    if (db_null(s, i)) {
        buf_adds(row, "\\N");
        return;
    }
    if (real) {
        buf_printf(row, "%.17g", db_double(s, i));
        return;
    }
    const char *t = db_text(s, i);
    size_t len = db_bytes(s, i);
    for (size_t k = 0; k < len; k++) {
        char ch = t[k];
        if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
            buf_addc(row, '\\');
            ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
        }
        buf_addc(row, ch);
    }
}

#define COPY_COLS_MAX 64
#define COPY_CHUNK (256 * 1024) /* bytes of rows sent to the server at once */

static int
copy_table(struct store__conn *from, struct store__conn *to, struct store_copy_table *t,
           store_copy_fn *fn, void *arg, struct errmsg *em)
{
    struct buf cols, sql, rows;
    bool real[COPY_COLS_MAX];
    int ncols = 0;
    buf_init(&cols, 512);
    buf_init(&sql, 1024);
    buf_init(&rows, COPY_CHUNK + 4096);
    int rc = list_columns(to, t->name, &cols, real, COPY_COLS_MAX, &ncols);
    if (rc < 0) {
        errmsg_set(em, rc, "cannot read the columns of '%s'", t->name);
        goto out;
    }
    buf_printf(&sql, "SELECT count(*) FROM %s", t->name);
    if ((rc = buf_error(&sql)) < 0 || (rc = scalar(from, sql.p, &t->from_rows)) < 0) {
        errmsg_set(em, rc, "cannot count '%s' in the SQLite database", t->name);
        goto out;
    }
    buf_reset(&sql);
    buf_printf(&sql, "COPY %s (%s) FROM STDIN", t->name, cols.p);
    if ((rc = buf_error(&sql)) < 0 || (rc = store__pg_copy_begin(to->pg, sql.p)) < 0) {
        errmsg_set(em, rc, "cannot start copying '%s' into PostgreSQL", t->name);
        goto out;
    }
    buf_reset(&sql);
    buf_printf(&sql, "SELECT %s FROM %s", cols.p, t->name);
    struct db_stmt *s = NULL;
    if ((rc = buf_error(&sql)) < 0 || (rc = db_prepare(from, sql.p, sql.len, &s)) < 0) {
        store__pg_copy_end(to->pg, "cannot read the SQLite table");
        errmsg_set(em, rc, "cannot read '%s' from the SQLite database", t->name);
        goto out;
    }
    uint64_t done = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        for (int i = 0; i < ncols; i++) {
            if (i)
                buf_addc(&rows, '\t');
            put_value(&rows, s, i, real[i]);
        }
        buf_addc(&rows, '\n');
        done++;
        if (rows.len >= COPY_CHUNK) {
            if ((rc = buf_error(&rows)) < 0 ||
                (rc = store__pg_copy_put(to->pg, rows.p, rows.len)) < 0)
                break;
            buf_reset(&rows);
            if (fn)
                fn(arg, t->name, done, (uint64_t)t->from_rows);
        }
    }
    db_finalize(s);
    if (rc == DB_DONE && rows.len)
        rc = buf_error(&rows) < 0 ? ERR_NOMEM : store__pg_copy_put(to->pg, rows.p, rows.len);
    else if (rc == DB_DONE)
        rc = 0;
    if (rc < 0) {
        store__pg_copy_end(to->pg, "the copy stopped");
        errmsg_set(em, rc, "copying '%s' failed after %llu rows", t->name,
                   (unsigned long long)done);
        goto out;
    }
    if ((rc = store__pg_copy_end(to->pg, NULL)) < 0) {
        errmsg_set(em, rc, "PostgreSQL refused the rows of '%s' (see the log)", t->name);
        goto out;
    }
    if (fn)
        fn(arg, t->name, done, (uint64_t)t->from_rows);
out:
    buf_release(&cols);
    buf_release(&sql);
    buf_release(&rows);
    return rc;
}

/* Moves each identity past the largest id copied, and the event counter past the last seq. */
static int
move_counters(struct store__conn *to)
{
    const char *sql = "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                      "current_schema() AND column_name = 'id' AND is_identity = 'YES'";
    struct db_stmt *s = NULL;
    int rc = db_prepare(to, sql, strlen(sql), &s);
    if (rc < 0)
        return rc;
    struct buf fix;
    buf_init(&fix, 4096);
    while ((rc = db_step(s)) == DB_ROW)
        buf_printf(&fix, "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                         "coalesce((SELECT max(id) FROM %s), 0) + 1, false);",
                   db_text(s, 0), db_text(s, 0));
    db_finalize(s);
    buf_adds(&fix, "UPDATE event_seq_counter SET n = (SELECT coalesce(max(seq), 0) FROM event);");
    if (rc == DB_DONE)
        rc = buf_error(&fix) < 0 ? ERR_NOMEM : store__exec(to, fix.p);
    buf_release(&fix);
    return rc < 0 ? rc : 0;
}

int
store_copy(struct store *from, struct store *to, struct arena *ar, store_copy_fn *fn, void *arg,
           struct store_copy_table **out, size_t *n, struct errmsg *em)
{
    if (from->pg || !to->pg)
        return errmsg_set(em, ERR_INVAL, "hark migrate copies from SQLite to PostgreSQL");
    struct store__conn *src = NULL, *dst = NULL;
    struct store_copy_table *v = NULL;
    size_t cnt = 0;
    int rc = store__conn_open(from, false, &src);
    if (rc == 0)
        rc = store__conn_open(to, false, &dst);
    if (rc < 0) {
        errmsg_set(em, rc, "cannot open a connection to both databases");
        goto out;
    }
    if ((rc = list_tables(dst, ar, &v, &cnt)) < 0) {
        errmsg_set(em, rc, "cannot list the PostgreSQL tables");
        goto out;
    }
    /* An empty target only: a second run must not double a brand's history. Tables the
     * migrations seed with one row (settings) hold at most that row; the copy replaces it. */
    char sql[512];
    for (size_t i = 0; i < cnt; i++) {
        int64_t rows = 0;
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", v[i].name);
        if ((rc = scalar(dst, sql, &rows)) < 0) {
            errmsg_set(em, rc, "cannot count '%s' in PostgreSQL", v[i].name);
            goto out;
        }
        bool core = strcmp(v[i].name, "agent") == 0 || strcmp(v[i].name, "channel") == 0 ||
                    strcmp(v[i].name, "contact") == 0 || strcmp(v[i].name, "event") == 0;
        if (rows > (core ? 0 : 1)) {
            rc = errmsg_set(em, ERR_CONFLICT, "the PostgreSQL database already holds rows "
                                              "('%s': %lld): hark migrate copies into an empty "
                                              "one", v[i].name, (long long)rows);
            goto out;
        }
    }
    rc = store__exec(dst, "BEGIN");
    if (rc == 0 && (rc = store__exec(dst, "SET LOCAL session_replication_role = replica")) < 0)
        errmsg_set(em, rc, "PostgreSQL refused session_replication_role (a superuser, or "
                           "GRANT SET ON PARAMETER session_replication_role TO the store's role)");
    /* The seeded one-row tables (settings) are replaced by the source's rows. */
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        snprintf(sql, sizeof(sql), "DELETE FROM %s", v[i].name);
        rc = exec_dyn(dst, sql);
        if (rc < 0)
            errmsg_set(em, rc, "cannot empty '%s'", v[i].name);
    }
    for (size_t i = 0; i < cnt && rc == 0; i++)
        rc = copy_table(src, dst, &v[i], fn, arg, em);
    if (rc == 0 && (rc = move_counters(dst)) < 0)
        errmsg_set(em, rc, "cannot move the id counters past the copied rows");
    if (rc == 0 && (rc = store__exec(dst, "COMMIT")) < 0)
        errmsg_set(em, rc, "the copy did not commit");
    if (rc < 0) {
        store__exec(dst, "ROLLBACK");
        goto out;
    }
    /* The verification: every table counted again on both sides, after the commit. */
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", v[i].name);
        if ((rc = scalar(src, sql, &v[i].from_rows)) == 0)
            rc = scalar(dst, sql, &v[i].to_rows);
        if (rc < 0)
            errmsg_set(em, rc, "cannot count '%s' for the verification", v[i].name);
    }
    *out = v;
    *n = cnt;
out:
    store__conn_close(src);
    store__conn_close(dst);
    return rc;
}
