/* SPDX-License-Identifier: MIT */
/*
 * st_listen_query.c - social listening queries (listening_query): the brand queries that
 * listen/ compiles and matches public posts against. Query texts are validated by the caller
 * (listen_query_check).
 */
#include "base/base.h"
#include "store/store_int.h"

#define LQ_COLS "SELECT id, name, text, active, created_at, updated_at FROM listening_query "

static void
lq_row(struct arena *ar, struct db_stmt *s, struct listen_query_row *q)
{
    q->id = db_i64(s, 0);
    q->name = store__col(ar, s, 1);
    q->text = store__col(ar, s, 2);
    q->active = db_int(s, 3) != 0;
    q->created_at = db_i64(s, 4);
    q->updated_at = db_i64(s, 5);
}

struct lq_job {
    int64_t id;
    const char *name, *text;
    int active;
};

static int
lq_add_tx(struct store__tx *tx, void *arg)
{
    struct lq_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO listening_query(name, text, active, "
                                      "created_at, updated_at) VALUES (?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->name);
    store__bind_cstr(s, 2, j->text);
    db_bind_int(s, 3, j->active);
    db_bind_i64(s, 4, tx->now);
    db_bind_i64(s, 5, tx->now);
    int rc = store__step_done(s);
    if (rc == 0)
        j->id = db_last_id(tx->c);
    return rc;
}

int
store_listen_query_add(struct store *st, const char *name, const char *text, bool active,
                       int64_t *id)
{
    if (!name || !text)
        return ERR_INVAL;
    struct lq_job j = { .name = name, .text = text, .active = active };
    int rc = store__submit(st, lq_add_tx, &j, true);
    if (rc == 0)
        *id = j.id;
    return rc;
}

int
store_listen_query_get(struct store *st, struct arena *ar, int64_t id,
                       struct listen_query_row *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, LQ_COLS "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        lq_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_listen_query_list(struct store *st, struct arena *ar, bool active_only, size_t max,
                        struct listen_query_row **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, LQ_COLS "WHERE active >= ? ORDER BY id LIMIT ?");
    if (!s)
        return ERR_IO;
    if (max == 0 || max > STORE__LISTEN_ROWS_MAX)
        max = STORE__LISTEN_ROWS_MAX;
    db_bind_int(s, 1, active_only ? 1 : 0);
    db_bind_i64(s, 2, (int64_t)max);
    size_t cap = 16, cnt = 0;
    struct listen_query_row *v = ARENA_NEW_N(ar, struct listen_query_row, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (cnt == cap) {
            struct listen_query_row *w = ARENA_NEW_N(ar, struct listen_query_row, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        lq_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

static int
lq_update_tx(struct store__tx *tx, void *arg)
{
    struct lq_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE listening_query SET name = coalesce(?, name), "
                                      "text = coalesce(?, text), "
                                      "active = CASE WHEN ? < 0 THEN active ELSE ?3 END, "
                                      "updated_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->name);
    store__bind_cstr(s, 2, j->text);
    db_bind_int(s, 3, j->active);
    db_bind_i64(s, 4, tx->now);
    db_bind_i64(s, 5, j->id);
    int rc = store__step_done(s);
    if (rc == 0 && db_changes(tx->c) == 0)
        rc = ERR_NOTFOUND;
    return rc;
}

int
store_listen_query_update(struct store *st, int64_t id, const char *name, const char *text,
                          int active)
{
    struct lq_job j = { .id = id, .name = name, .text = text, .active = active };
    return store__submit(st, lq_update_tx, &j, true);
}

static int
lq_delete_tx(struct store__tx *tx, void *arg)
{
    struct lq_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM listening_query WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    int rc = store__step_done(s);
    if (rc == 0 && db_changes(tx->c) == 0)
        rc = ERR_NOTFOUND;
    return rc;
}

int
store_listen_query_delete(struct store *st, int64_t id)
{
    struct lq_job j = { .id = id };
    return store__submit(st, lq_delete_tx, &j, true);
}
