/* SPDX-License-Identifier: MIT */
/*
 * pg.c - the PostgreSQL backend's half of db.h and store_int.h, on libpq.
 *
 * Statements: the st_*.c files write parameters the SQLite way ('?', '?N', ':name'); a
 * statement's text is renumbered to '$N' once, when it is prepared. A cached statement
 * (store__q) is prepared on the server at its first step, with the types of that first step's
 * bindings (integers as int8, reals as float8, text and NULL left for the server to infer), and
 * executed by name after that; a dynamic one (db_prepare) is sent with its parameters each time
 * (PQexecParams). Values travel as text and results come back as text: an integer column is
 * parsed, a boolean ('t'/'f') reads as 1/0. A whole result is held until the next step after
 * the last row or a reset.
 *
 * A connection that breaks is reset on its next use; its server-side statements are prepared
 * again (each statement remembers the connection 'epoch' it was prepared in).
 */
#include "base/base.h"
#include "store/store_int.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/log.h"

/* Parameters one statement may have: far above any statement of the st_*.c files. */
#define PG_PARAMS_MAX 100

struct pg_conn {
    PGconn *conn;
    int64_t changes;   /* rows changed by the last INSERT, UPDATE or DELETE */
    unsigned names;    /* server-side statements named so far: "h1", "h2", ... */
    unsigned epoch;    /* bumped when the connection is reset: statements prepare again */
    bool writer;       /* the store writer's connection (session_sql) */
};

struct pg_param {
    char *text;        /* NULL: SQL NULL */
    char num[32];      /* the text of a bound number ('text' points here) */
    bool owned;        /* 'text' is malloc'd */
    unsigned oid;      /* the type the binding asks for: 20 int8, 701 float8, 0 unknown */
};

struct pg_stmt {
    struct store__conn *c;
    char *sql;         /* renumbered text, NUL-terminated */
    bool persistent;   /* prepared on the server (cached statements) */
    char name[16];     /* its server-side name, "" until prepared */
    unsigned epoch;    /* pc->epoch when it was prepared */
    int nparams;
    char **pnames;     /* ':name' of each parameter number (nparams + 1 entries), or NULL */
    struct pg_param *p; /* the bindings, by parameter number (nparams + 1 entries) */
    PGresult *res;     /* the current run's rows, NULL before the first step */
    int row, nrows;
};

/* ---- connections ---------------------------------------------------------------------------- */

/* What every session is set up with. The writer's COMMIT returns only once the WAL is flushed,
 * whatever the server's default says: a webhook's 200 follows it (synchronous_commit is the
 * session's to set). */
static const char *
session_sql(bool writer)
{
    return writer ? "SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
                    "SET synchronous_commit = on"
                  : "SET client_min_messages = warning; SET TIME ZONE 'UTC'";
}

int
store__pg_open(const char *url, bool writer, struct pg_conn **out)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        log_error("store", "cannot connect to PostgreSQL", "err=\"%s\"",
                  conn ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        return ERR_IO;
    }
    PGresult *r = PQexec(conn, session_sql(writer));
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok || PQsetClientEncoding(conn, "UTF8") != 0) {
        log_error("store", "cannot set up the PostgreSQL session", "err=\"%s\"",
                  PQerrorMessage(conn));
        PQfinish(conn);
        return ERR_IO;
    }
    struct pg_conn *pc = xcalloc(1, sizeof(*pc));
    pc->conn = conn;
    pc->writer = writer;
    *out = pc;
    return 0;
}

void
store__pg_close(struct pg_conn *pc)
{
    if (!pc)
        return;
    PQfinish(pc->conn);
    xfree(pc);
}

/* A broken connection is reset before its next statement; false when that fails too. */
static bool
pg_usable(struct pg_conn *pc)
{
    if (PQstatus(pc->conn) == CONNECTION_OK)
        return true;
    PQreset(pc->conn);
    pc->epoch++;
    if (PQstatus(pc->conn) != CONNECTION_OK) {
        log_error("store", "PostgreSQL connection lost", "err=\"%s\"", PQerrorMessage(pc->conn));
        return false;
    }
    PGresult *r = PQexec(pc->conn, session_sql(pc->writer));
    PQclear(r);
    log_info("store", "PostgreSQL connection reset", "epoch=%u", pc->epoch);
    return true;
}

/* Maps a failed result to ERR_* by its SQLSTATE, and logs it (the primary message only: the
 * detail line can quote row values, which may be customer text). */
static int
pg_fail(struct store__conn *c, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!state)
        state = "";
    if (c)
        c->fk_failed = strcmp(state, "23503") == 0;
    if (strncmp(state, "23", 2) == 0)
        return ERR_CONFLICT; /* integrity: unique, foreign key, check, not null */
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return ERR_BUSY; /* serialization failure, deadlock, lock not available */
    if (strcmp(state, "57014") == 0)
        return ERR_TIMEOUT;
    log_error("store", "PostgreSQL statement failed", "sqlstate=%s err=\"%s\"", state,
              msg ? msg : (c && c->pg ? PQerrorMessage(c->pg->conn) : "unknown"));
    if (strcmp(state, "53100") == 0 || strcmp(state, "53200") == 0)
        return ERR_UNAVAIL; /* disk full, out of memory on the server */
    if (strncmp(state, "22", 2) == 0)
        return ERR_INVAL; /* data exception: a value the column cannot hold */
    return ERR_IO;
}

int
store__pg_exec(struct pg_conn *pc, const char *sql)
{
    if (!pg_usable(pc))
        return ERR_IO;
    PGresult *r = PQexec(pc->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_fail(NULL, r);
    PQclear(r);
    return rc;
}

int
store__pg_ensure_schema(struct pg_conn *pc)
{
    /* current_schema() is NULL when no schema of the search path exists yet. */
    PGresult *r = PQexec(pc->conn, "SELECT current_schema() IS NULL, "
                                   "trim(split_part(current_setting('search_path'), ',', 1))");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        int rc = pg_fail(NULL, r);
        PQclear(r);
        return rc;
    }
    bool missing = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    const char *first = PQgetvalue(r, 0, 1);
    int rc = 0;
    if (missing && first[0] && first[0] != '"' && first[0] != '$') {
        char *id = PQescapeIdentifier(pc->conn, first, strlen(first));
        struct buf b;
        buf_init(&b, 64);
        buf_printf(&b, "CREATE SCHEMA IF NOT EXISTS %s", id ? id : "\"\"");
        PQfreemem(id);
        rc = buf_error(&b) < 0 ? ERR_NOMEM : store__pg_exec(pc, b.p);
        buf_release(&b);
        if (rc == 0)
            log_info("store", "created the PostgreSQL schema", "schema=%s", first);
    }
    PQclear(r);
    return rc;
}

bool
store__pg_tx_alive(struct pg_conn *pc)
{
    PGTransactionStatusType t = PQtransactionStatus(pc->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

bool
store__pg_tx_failed(struct pg_conn *pc)
{
    return PQtransactionStatus(pc->conn) == PQTRANS_INERROR;
}

int64_t
store__pg_changes(struct pg_conn *pc)
{
    return pc->changes;
}

int64_t
store__pg_last_id(struct store__conn *c)
{
    PGresult *r = PQexec(c->pg->conn, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return id;
}

/* ---- statements ----------------------------------------------------------------------------- */

static bool
name_char(char ch, bool digits_too)
{
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (digits_too && ch >= '0' && ch <= '9');
}

/* Renumbers the SQLite-style parameters of 'sql' to $N into 'out', naming ':name' ones in
 * 'names' (index = number). SQLite's rules: '?N' is number N; '?' is one more than the highest
 * number so far; ':name' is, at its first use, one more than the highest so far. Quoted text,
 * quoted names, comments and '::' casts are copied as they are. */
static int
renumber(const char *sql, size_t len, struct buf *out, char **names, int *nparams)
{
    int max = 0;
    for (size_t i = 0; i < len;) {
        char ch = sql[i];
        if (ch == '\'' || ch == '"') {
            size_t j = i + 1;
            while (j < len && sql[j] != ch)
                j++;
            buf_add(out, sql + i, j < len ? j + 1 - i : len - i);
            i = j + 1;
            continue;
        }
        if (ch == '-' && i + 1 < len && sql[i + 1] == '-') {
            size_t j = i;
            while (j < len && sql[j] != '\n')
                j++;
            buf_add(out, sql + i, j - i);
            i = j;
            continue;
        }
        if (ch == ':' && i + 1 < len && sql[i + 1] == ':') {
            buf_add(out, "::", 2);
            i += 2;
            continue;
        }
        int num = 0;
        if (ch == '?') {
            size_t j = i + 1;
            while (j < len && sql[j] >= '0' && sql[j] <= '9')
                num = num * 10 + (sql[j++] - '0');
            if (j == i + 1)
                num = max + 1;
            i = j;
        } else if (ch == ':' && i + 1 < len && name_char(sql[i + 1], false)) {
            size_t j = i + 1;
            while (j < len && name_char(sql[j], true))
                j++;
            for (int k = 1; k <= max && !num; k++)
                if (names[k] && strlen(names[k]) == j - i && memcmp(names[k], sql + i, j - i) == 0)
                    num = k;
            if (!num) {
                num = max + 1;
                if (num <= PG_PARAMS_MAX)
                    names[num] = xstrndup(sql + i, j - i);
            }
            i = j;
        } else {
            buf_addc(out, ch);
            i++;
            continue;
        }
        if (num < 1 || num > PG_PARAMS_MAX)
            return ERR_TOOBIG;
        if (num > max)
            max = num;
        buf_printf(out, "$%d", num);
    }
    *nparams = max;
    return buf_error(out);
}

int
store__pg_prepare(struct store__conn *c, const char *sql, size_t len, bool persistent,
                  struct db_stmt *s)
{
    struct pg_stmt *ps = xcalloc(1, sizeof(*ps));
    ps->c = c;
    /* Sized for the most parameters while renumbering, then for the statement's own: a
     * connection caches ~160 statements, and every HTTP thread has its connection. */
    char **names = xcalloc(PG_PARAMS_MAX + 1, sizeof(char *));
    struct buf b;
    /* The limit, not a size: '?' becomes at most '$100', four times as long. */
    buf_init(&b, 4 * len + 16);
    int n = 0;
    int rc = renumber(sql, len, &b, names, &n);
    if (rc < 0) {
        log_error("store", "statement has too many parameters", "max=%d", PG_PARAMS_MAX);
        buf_release(&b);
        for (int i = 0; i <= PG_PARAMS_MAX; i++)
            xfree(names[i]);
        xfree(names);
        xfree(ps);
        return rc;
    }
    ps->nparams = n;
    ps->pnames = xcalloc((size_t)n + 1, sizeof(char *));
    memcpy(ps->pnames, names, ((size_t)n + 1) * sizeof(char *));
    xfree(names);
    ps->p = xcalloc((size_t)n + 1, sizeof(*ps->p));
    ps->sql = xstrndup(b.p, b.len);
    buf_release(&b);
    /* Cached statements (store__q's literals) live on the server; dynamic ones do not. */
    ps->persistent = persistent;
    s->pg = ps;
    return 0;
}

static void
param_clear(struct pg_param *p)
{
    if (p->owned)
        xfree(p->text);
    p->text = NULL;
    p->owned = false;
    p->oid = 0;
}

void
pg_reset(struct pg_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    s->row = s->nrows = 0;
}

void
store__pg_clear(struct pg_stmt *s)
{
    pg_reset(s);
    for (int i = 1; i <= s->nparams; i++)
        param_clear(&s->p[i]);
}

void
store__pg_finalize(struct pg_stmt *s)
{
    if (!s)
        return;
    store__pg_clear(s);
    if (s->name[0] && s->epoch == s->c->pg->epoch && PQstatus(s->c->pg->conn) == CONNECTION_OK) {
        char sql[40];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
        PQclear(PQexec(s->c->pg->conn, sql));
    }
    for (int i = 0; i <= s->nparams; i++)
        xfree(s->pnames[i]);
    xfree(s->pnames);
    xfree(s->p);
    xfree(s->sql);
    xfree(s);
}

static struct pg_param *
param(struct pg_stmt *s, int i)
{
    if (i < 1 || i > s->nparams)
        return NULL; /* as SQLite: binding a parameter the statement lacks does nothing */
    param_clear(&s->p[i]);
    return &s->p[i];
}

void
pg_bind_i64(struct pg_stmt *s, int i, int64_t v)
{
    struct pg_param *p = param(s, i);
    if (!p)
        return;
    snprintf(p->num, sizeof(p->num), "%lld", (long long)v);
    p->text = p->num;
    p->oid = 20; /* int8 */
}

void
pg_bind_double(struct pg_stmt *s, int i, double v)
{
    struct pg_param *p = param(s, i);
    if (!p)
        return;
    snprintf(p->num, sizeof(p->num), "%.17g", v);
    p->text = p->num;
    p->oid = 701; /* float8 */
}

void
pg_bind_null(struct pg_stmt *s, int i)
{
    param(s, i);
}

void
pg_bind_text(struct pg_stmt *s, int i, const char *v, size_t n)
{
    struct pg_param *p = param(s, i);
    if (!p)
        return;
    p->text = xstrndup(v, n);
    p->owned = true;
}

int
pg_param(struct pg_stmt *s, const char *name)
{
    for (int k = 1; k <= s->nparams; k++)
        if (s->pnames[k] && strcmp(s->pnames[k], name) == 0)
            return k;
    return 0;
}

bool
pg_busy(struct pg_stmt *s)
{
    return s->res != NULL;
}

/* Prepares 's' on the server with the types of its current bindings; when the server cannot
 * tell a parameter's type from the statement (a bare NULL, or a number the text skips), once
 * more with every untyped parameter as text. Inside a transaction the first try runs in a
 * savepoint of its own: a failed PREPARE would otherwise abort the caller's transaction. */
static int
server_prepare(struct pg_stmt *s)
{
    struct pg_conn *pc = s->c->pg;
    Oid types[PG_PARAMS_MAX];
    for (int i = 0; i < s->nparams; i++)
        types[i] = s->p[i + 1].oid;
    snprintf(s->name, sizeof(s->name), "h%u", ++pc->names);
    bool in_tx = PQtransactionStatus(pc->conn) == PQTRANS_INTRANS;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool sp = in_tx && attempt == 0;
        if (sp && store__pg_exec(pc, "SAVEPOINT hark_prepare") < 0)
            return ERR_IO;
        PGresult *r = PQprepare(pc->conn, s->name, s->sql, s->nparams, types);
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            PQclear(r);
            if (sp && store__pg_exec(pc, "RELEASE hark_prepare") < 0)
                return ERR_IO;
            s->epoch = pc->epoch;
            return 0;
        }
        if (sp && store__pg_exec(pc, "ROLLBACK TO hark_prepare") < 0) {
            PQclear(r);
            return ERR_IO;
        }
        if (sp)
            store__pg_exec(pc, "RELEASE hark_prepare");
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (attempt == 0 && state &&
            (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0)) {
            PQclear(r);
            for (int i = 0; i < s->nparams; i++)
                if (!types[i])
                    types[i] = 25; /* text */
            continue;
        }
        int rc = pg_fail(s->c, r);
        PQclear(r);
        s->name[0] = '\0';
        return rc;
    }
    s->name[0] = '\0';
    return ERR_IO;
}

int
pg_step(struct pg_stmt *s)
{
    if (s->res) {
        if (s->row + 1 < s->nrows) {
            s->row++;
            return DB_ROW;
        }
        s->row = s->nrows;
        return DB_DONE;
    }
    struct pg_conn *pc = s->c->pg;
    const char *vals[PG_PARAMS_MAX];
    for (int i = 0; i < s->nparams; i++)
        vals[i] = s->p[i + 1].text;
    PGresult *r = NULL;
    /* A connection cut while idle (the server restarted) shows only when used: outside a
     * transaction the statement is run once more on the reset connection. Inside one (the
     * writer's batch) the transaction is gone with it, and the batch fails. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!pg_usable(pc))
            return ERR_IO;
        bool idle = PQtransactionStatus(pc->conn) == PQTRANS_IDLE;
        if (s->persistent) {
            if (!s->name[0] || s->epoch != pc->epoch) {
                int rc = server_prepare(s);
                if (rc < 0 && !(idle && attempt == 0 && PQstatus(pc->conn) == CONNECTION_BAD))
                    return rc;
                if (rc < 0)
                    continue;
            }
            r = PQexecPrepared(pc->conn, s->name, s->nparams, vals, NULL, NULL, 0);
        } else {
            Oid types[PG_PARAMS_MAX];
            for (int i = 0; i < s->nparams; i++)
                types[i] = s->p[i + 1].oid;
            r = PQexecParams(pc->conn, s->sql, s->nparams, types, vals, NULL, NULL, 0);
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
            break;
        if (idle && attempt == 0 && PQstatus(pc->conn) == CONNECTION_BAD) {
            PQclear(r);
            r = NULL;
            continue;
        }
        int rc = pg_fail(s->c, r);
        PQclear(r);
        return rc;
    }
    if (!r)
        return ERR_IO;
    ExecStatusType st = PQresultStatus(r);
    const char *n = PQcmdTuples(r);
    if (n[0])
        pc->changes = strtoll(n, NULL, 10);
    s->res = r;
    s->nrows = st == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    s->row = 0;
    if (s->nrows == 0)
        return DB_DONE;
    return DB_ROW;
}

static const char *
value(struct pg_stmt *s, int i)
{
    if (!s->res || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
        PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

int64_t
pg_col_i64(struct pg_stmt *s, int i)
{
    const char *v = value(s, i);
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == '\0')
        return 1; /* a boolean expression */
    if (v[0] == 'f' && v[1] == '\0')
        return 0;
    if (strchr(v, '.') || strchr(v, 'e'))
        return (int64_t)strtod(v, NULL); /* a real read as an integer, as SQLite does */
    return strtoll(v, NULL, 10);
}

double
pg_col_double(struct pg_stmt *s, int i)
{
    const char *v = value(s, i);
    return v ? strtod(v, NULL) : 0;
}

const char *
pg_col_text(struct pg_stmt *s, int i)
{
    return value(s, i);
}

size_t
pg_col_bytes(struct pg_stmt *s, int i)
{
    return value(s, i) ? (size_t)PQgetlength(s->res, s->row, i) : 0;
}

bool
pg_col_null(struct pg_stmt *s, int i)
{
    return value(s, i) == NULL;
}

/* ---- bulk copy (hark migrate) ---------------------------------------------------------------- */

int
store__pg_copy_begin(struct pg_conn *pc, const char *sql)
{
    PGresult *r = PQexec(pc->conn, sql);
    int rc = PQresultStatus(r) == PGRES_COPY_IN ? 0 : pg_fail(NULL, r);
    PQclear(r);
    return rc;
}

int
store__pg_copy_put(struct pg_conn *pc, const char *p, size_t len)
{
    if (PQputCopyData(pc->conn, p, (int)len) == 1)
        return 0;
    log_error("store", "PostgreSQL copy failed", "err=\"%s\"", PQerrorMessage(pc->conn));
    return ERR_IO;
}

int
store__pg_copy_end(struct pg_conn *pc, const char *failure)
{
    if (PQputCopyEnd(pc->conn, failure) != 1) {
        log_error("store", "PostgreSQL copy failed", "err=\"%s\"", PQerrorMessage(pc->conn));
        return ERR_IO;
    }
    int rc = 0;
    PGresult *r;
    while ((r = PQgetResult(pc->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0)
            rc = failure ? ERR_IO : pg_fail(NULL, r);
        PQclear(r);
    }
    return rc;
}
