/* SPDX-License-Identifier: MIT */
/*
 * db.h - one SQL statement on either store backend, for the files of store/ only.
 *
 * The st_*.c files write their SQL once and run it through these calls on SQLite (sqlite.c) or
 * PostgreSQL (pg.c). A statement comes from store__q (cached per connection) or db_prepare
 * (dynamic SQL, released with db_finalize). Parameters are written the SQLite way - '?', '?N'
 * or ':name' - and pg.c renumbers them to '$N'. The SQL itself must mean the same on both:
 * where the dialects differ, the statement picks its text with store__sql(c, sqlite, pg).
 *
 * The calls mirror SQLite's C interface: parameters and columns are numbered like SQLite's
 * (parameters from 1, columns from 0); db_step returns DB_ROW, DB_DONE or a negative ERR_*;
 * a column read is valid until the next step or reset of its statement.
 */
#ifndef HARK_STORE_DB_H
#define HARK_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct store__conn;
struct pg_stmt;

/* A prepared statement: exactly one of 'lite' and 'pg' is set. */
struct db_stmt {
    sqlite3_stmt *lite;
    struct pg_stmt *pg;
    struct store__conn *c; /* the connection it belongs to */
};

enum { DB_DONE = 100, DB_ROW = 101 };

/* PostgreSQL's side of each call (pg.c). */
void pg_bind_i64(struct pg_stmt *s, int i, int64_t v);
void pg_bind_double(struct pg_stmt *s, int i, double v);
void pg_bind_null(struct pg_stmt *s, int i);
void pg_bind_text(struct pg_stmt *s, int i, const char *p, size_t n);
int pg_param(struct pg_stmt *s, const char *name);
int pg_step(struct pg_stmt *s);
void pg_reset(struct pg_stmt *s);
bool pg_busy(struct pg_stmt *s);
int64_t pg_col_i64(struct pg_stmt *s, int i);
double pg_col_double(struct pg_stmt *s, int i);
const char *pg_col_text(struct pg_stmt *s, int i);
size_t pg_col_bytes(struct pg_stmt *s, int i);
bool pg_col_null(struct pg_stmt *s, int i);

/* SQLite's step, with its result mapped (sqlite.c): DB_ROW, DB_DONE or ERR_*. */
int db__lite_step(struct db_stmt *s);

static inline void
db_bind_i64(struct db_stmt *s, int i, int64_t v)
{
    if (s->lite)
        sqlite3_bind_int64(s->lite, i, v);
    else
        pg_bind_i64(s->pg, i, v);
}

static inline void
db_bind_int(struct db_stmt *s, int i, int v)
{
    db_bind_i64(s, i, v);
}

static inline void
db_bind_double(struct db_stmt *s, int i, double v)
{
    if (s->lite)
        sqlite3_bind_double(s->lite, i, v);
    else
        pg_bind_double(s->pg, i, v);
}

static inline void
db_bind_null(struct db_stmt *s, int i)
{
    if (s->lite)
        sqlite3_bind_null(s->lite, i);
    else
        pg_bind_null(s->pg, i);
}

/* Binds 'n' bytes of 'p' (n < 0: up to its NUL), copied. */
static inline void
db_bind_text(struct db_stmt *s, int i, const char *p, int n)
{
    if (s->lite)
        sqlite3_bind_text(s->lite, i, p, n, SQLITE_TRANSIENT);
    else
        pg_bind_text(s->pg, i, p, n < 0 ? strlen(p) : (size_t)n);
}

/* As db_bind_text, not copied where the backend allows it: 'p' must stay unchanged until the
 * statement is stepped to its end or reset (the hot paths bind request text this way). */
static inline void
db_bind_text_ref(struct db_stmt *s, int i, const char *p, int n)
{
    if (s->lite)
        sqlite3_bind_text(s->lite, i, p, n, SQLITE_STATIC);
    else
        pg_bind_text(s->pg, i, p, n < 0 ? strlen(p) : (size_t)n);
}

/* The number of parameter ':name' ('name' with its colon), 0 when the statement has none. */
static inline int
db_param(struct db_stmt *s, const char *name)
{
    return s->lite ? sqlite3_bind_parameter_index(s->lite, name) : pg_param(s->pg, name);
}

static inline int
db_step(struct db_stmt *s)
{
    return s->lite ? db__lite_step(s) : pg_step(s->pg);
}

/* Ends the current run: the next step starts again with the same bindings. */
static inline void
db_reset(struct db_stmt *s)
{
    if (s->lite)
        sqlite3_reset(s->lite);
    else
        pg_reset(s->pg);
}

static inline int64_t
db_i64(struct db_stmt *s, int i)
{
    return s->lite ? sqlite3_column_int64(s->lite, i) : pg_col_i64(s->pg, i);
}

static inline int
db_int(struct db_stmt *s, int i)
{
    return (int)db_i64(s, i);
}

static inline double
db_double(struct db_stmt *s, int i)
{
    return s->lite ? sqlite3_column_double(s->lite, i) : pg_col_double(s->pg, i);
}

/* The column's text, NULL for SQL NULL. */
static inline const char *
db_text(struct db_stmt *s, int i)
{
    return s->lite ? (const char *)sqlite3_column_text(s->lite, i) : pg_col_text(s->pg, i);
}

/* The length of db_text's result (call it after db_text). */
static inline size_t
db_bytes(struct db_stmt *s, int i)
{
    return s->lite ? (size_t)sqlite3_column_bytes(s->lite, i) : pg_col_bytes(s->pg, i);
}

static inline bool
db_null(struct db_stmt *s, int i)
{
    return s->lite ? sqlite3_column_type(s->lite, i) == SQLITE_NULL : pg_col_null(s->pg, i);
}

/* Prepares 'sql' ('len' bytes) outside the statement cache: 0 or ERR_* (logged). */
int db_prepare(struct store__conn *c, const char *sql, size_t len, struct db_stmt **out);
void db_finalize(struct db_stmt *s);
/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t db_changes(struct store__conn *c);
/* The id of the row the connection's last INSERT added. */
int64_t db_last_id(struct store__conn *c);
/* True when the connection's last failed step broke a foreign key. */
bool db_fk_failed(struct store__conn *c);

#endif
