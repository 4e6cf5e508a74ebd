/* SPDX-License-Identifier: MIT */
/*
 * rawsqlite.c - the anchor for the ingest benchmark: the same message rows inserted straight
 * into SQLite on the same disk, with the same durability (WAL, synchronous=FULL) and the same
 * rows per commit that hark's group commit achieved.
 *
 *   rawsqlite DB SCHEMA.sql ROWS BATCH
 *
 * Prints "rows=N batch=B secs=S rate=R". Not part of hark; built by bench/10-core.sh.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: rawsqlite DB SCHEMA.sql ROWS BATCH\n");
        return 2;
    }
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 1;
    FILE *f = fopen(argv[2], "r");
    static char schema[1 << 20];
    size_t n = fread(schema, 1, sizeof(schema) - 1, f);
    schema[n] = 0;
    fclose(f);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", 0, 0, 0);
    if (sqlite3_exec(db, schema, 0, 0, 0) != SQLITE_OK) {
        fprintf(stderr, "schema: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_exec(db, "INSERT INTO channel(type,name,secret,created_at) VALUES('api','b','s',0);"
                     "INSERT INTO contact(name,created_at,updated_at) VALUES('c',0,0);"
                     "INSERT INTO conversation(channel_id,contact_id,last_message_at,created_at,"
                     "updated_at) VALUES(1,1,0,0,0);", 0, 0, 0);
    long rows = atol(argv[3]), batch = atol(argv[4]);
    if (batch < 1)
        batch = 1;
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, "INSERT INTO message(conversation_id, channel_id, direction, kind, text, "
                           "external_id, public, status, created_at) "
                           "VALUES (1, 1, 'in', 'message', ?, ?, 0, 'received', ?)", -1, &s, 0);
    char text[200], ext[64];
    double t0 = now();
    for (long i = 0; i < rows;) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        for (long k = 0; k < batch && i < rows; k++, i++) {
            snprintf(text, sizeof(text), "Order %ld has not arrived yet, can you check the tracking?", i);
            snprintf(ext, sizeof(ext), "raw-%ld", i);
            sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, ext, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 3, i);
            sqlite3_step(s);
            sqlite3_reset(s);
        }
        sqlite3_exec(db, "COMMIT", 0, 0, 0);
    }
    double secs = now() - t0;
    printf("rows=%ld batch=%ld secs=%.2f rate=%.0f\n", rows, batch, secs, (double)rows / secs);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return 0;
}
