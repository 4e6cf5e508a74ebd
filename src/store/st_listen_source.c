/* SPDX-License-Identifier: MIT */
/*
 * st_listen_source.c - the firehose sources social listening reads (listening_source), with
 * the cursor each one saves so a restart resumes where it stopped.
 */
#include "base/base.h"
#include "store/store_int.h"

#define SRC_COLS                                                                                   \
    "SELECT id, spec, tls, cursor, token, active, created_at, updated_at FROM listening_source "

static void
src_row(struct arena *ar, struct db_stmt *s, struct listen_source_row *r)
{
    r->id = db_i64(s, 0);
    r->spec = store__col(ar, s, 1);
    r->tls = db_int(s, 2) != 0;
    r->cursor = store__col(ar, s, 3);
    r->token = store__col(ar, s, 4);
    r->active = db_int(s, 5) != 0;
    r->created_at = db_i64(s, 6);
    r->updated_at = db_i64(s, 7);
}

struct src_job {
    int64_t id;
    const char *spec, *token, *cursor;
    const char *new_spec; /* update: the new spec, NULL unchanged */
    int tls, active;
};

static int
src_add_tx(struct store__tx *tx, void *arg)
{
    struct src_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO listening_source(spec, tls, token, active, "
                                      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->spec);
    db_bind_int(s, 2, j->tls);
    store__bind_cstr(s, 3, j->token);
    db_bind_int(s, 4, j->active);
    db_bind_i64(s, 5, tx->now);
    db_bind_i64(s, 6, tx->now);
    int rc = store__step_done(s);
    if (rc == 0)
        j->id = db_last_id(tx->c);
    return rc;
}

int
store_listen_source_add(struct store *st, const char *spec, bool tls, const char *token,
                        bool active, int64_t *id)
{
    if (!spec)
        return ERR_INVAL;
    struct src_job j = { .spec = spec, .tls = tls, .token = token, .active = active };
    int rc = store__submit(st, src_add_tx, &j, true);
    if (rc == 0)
        *id = j.id;
    return rc;
}

int
store_listen_source_get(struct store *st, struct arena *ar, int64_t id,
                        struct listen_source_row *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, SRC_COLS "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        src_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_listen_source_list(struct store *st, struct arena *ar, size_t max,
                         struct listen_source_row **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, SRC_COLS "ORDER BY id LIMIT ?");
    if (!s)
        return ERR_IO;
    if (max == 0 || max > STORE__LISTEN_ROWS_MAX)
        max = STORE__LISTEN_ROWS_MAX;
    db_bind_i64(s, 1, (int64_t)max);
    size_t cap = 8, cnt = 0;
    struct listen_source_row *v = ARENA_NEW_N(ar, struct listen_source_row, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (cnt == cap) {
            struct listen_source_row *w = ARENA_NEW_N(ar, struct listen_source_row, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        src_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

static int
src_update_tx(struct store__tx *tx, void *arg)
{
    struct src_job *j = arg;
    struct db_stmt *s;
    if (j->spec && !*j->spec) /* "" marks a delete */
        s = store__q(tx->c, "DELETE FROM listening_source WHERE id = ?1");
    else if (j->cursor)
        s = store__q(tx->c, "UPDATE listening_source SET cursor = ?2 WHERE id = ?1");
    else
        /* A new spec is another stream: its saved position means nothing there. */
        s = store__q(tx->c,
                     "UPDATE listening_source SET active = CASE WHEN ?2 < 0 THEN active "
                     "ELSE ?2 END, cursor = CASE WHEN CAST(?4 AS TEXT) IS NULL OR ?4 = spec "
                     "THEN cursor ELSE NULL END, spec = coalesce(?4, spec), tls = CASE WHEN "
                     "?5 < 0 THEN tls ELSE ?5 END, token = CASE WHEN CAST(?6 AS TEXT) IS NULL "
                     "THEN token WHEN ?6 = '' THEN NULL ELSE ?6 END, updated_at = ?3 "
                     "WHERE id = ?1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    if (j->cursor)
        store__bind_cstr(s, 2, j->cursor);
    if (!j->spec && !j->cursor) {
        db_bind_int(s, 2, j->active);
        db_bind_i64(s, 3, tx->now);
        store__bind_cstr(s, 4, j->new_spec);
        db_bind_int(s, 5, j->tls);
        store__bind_cstr(s, 6, j->token);
    }
    int rc = store__step_done(s);
    if (rc == 0 && !j->cursor && db_changes(tx->c) == 0)
        rc = ERR_NOTFOUND;
    return rc;
}

int
store_listen_source_update(struct store *st, int64_t id, int active, const char *spec, int tls,
                           const char *token)
{
    if (spec && !*spec)
        return ERR_INVAL;
    struct src_job j = { .id = id, .active = active, .new_spec = spec, .tls = tls,
                         .token = token };
    return store__submit(st, src_update_tx, &j, true);
}

int
store_listen_source_delete(struct store *st, int64_t id)
{
    struct src_job j = { .id = id, .spec = "" };
    return store__submit(st, src_update_tx, &j, true);
}

int
store_listen_source_set_cursor(struct store *st, int64_t id, const char *cursor)
{
    if (!cursor)
        return ERR_INVAL;
    struct src_job j = { .id = id, .cursor = cursor };
    return store__submit(st, src_update_tx, &j, true);
}
