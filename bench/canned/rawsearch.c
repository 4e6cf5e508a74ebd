/* SPDX-License-Identifier: MIT */
/*
 * rawsearch.c - the anchor for the canned-reply search (bench/85-canned.sh): the statement
 * store_canned_search runs for a query with words (src/store/st_canned.c; keep the two the
 * same), prepared once on a read-only connection and stepped for each query of the list on
 * stdin ("like-pattern<TAB>fts-query" per line). Prints "queries=N p50_ms=X p99_ms=Y".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const sql =
    "SELECT r.id, coalesce(r.owner_agent_id, 0), r.title, r.shortcut, r.tags, r.bodies, "
    "r.default_lang, r.created_at, r.updated_at FROM canned_reply r WHERE "
    "(r.owner_agent_id IS NULL OR r.owner_agent_id = ?1) AND "
    "(r.shortcut LIKE ?3 ESCAPE '\\' OR r.title LIKE ?3 ESCAPE '\\' OR "
    "r.title LIKE '% ' || ?3 ESCAPE '\\' OR "
    "r.id IN (SELECT rowid FROM canned_fts WHERE canned_fts MATCH ?4)) "
    "ORDER BY r.owner_agent_id IS NULL, r.shortcut LIKE ?3 ESCAPE '\\' "
    "DESC, r.shortcut LIMIT ?2";

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    if (argc < 3 || sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "usage: rawsearch DB AGENT_ID < queries (%s)\n", argc > 1 ? sqlite3_errmsg(db) : "");
        return 1;
    }
    /* The pragmas of hark's read connections (src/store/sqlite.c). */
    sqlite3_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-8000;", NULL, NULL, NULL);
    double *t = calloc(100000, sizeof(*t));
    int n = 0;
    static char lines[10000][256];
    int nl = 0;
    while (nl < 10000 && fgets(lines[nl], sizeof(lines[nl]), stdin)) {
        lines[nl][strcspn(lines[nl], "\n")] = '\0';
        if (strchr(lines[nl], '\t'))
            nl++;
    }
    long rows = 0;
    /* Two passes over the list, as the HTTP side is warmed once: the second is timed. */
    for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < nl; i++) {
        char line[256];
        memcpy(line, lines[i], sizeof(line));
        char *tab = strchr(line, '\t');
        *tab = '\0';
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        sqlite3_bind_int64(s, 1, atoll(argv[2]));
        sqlite3_bind_int(s, 2, 8);
        sqlite3_bind_text(s, 3, line, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, tab + 1, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            /* Read the columns the store copies out. */
            for (int c = 0; c < 9; c++)
                (void)sqlite3_column_text(s, c);
            rows += pass;
        }
        sqlite3_reset(s);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (pass == 1)
            t[n++] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(t, (size_t)n, sizeof(*t), cmp);
    printf("queries=%d p50_ms=%.3f p99_ms=%.3f rows=%ld\n", n, n ? t[n / 2] : 0,
           n ? t[(int)(n * 0.99)] : 0, rows);
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(t);
    return 0;
}
