/* SPDX-License-Identifier: MIT */
/*
 * st_token.c - API tokens (api_token): created, listed and revoked by admins, looked up on every
 * request that carries one, and touched (asynchronously) as they are used.
 *
 * A token is stored by the hex SHA-256 of its secret, never the secret itself.
 */
#include "base/base.h"
#include "store/store_int.h"

#define TOKEN_COLS                                                                                 \
    "t.id, t.name, t.role, coalesce(t.agent_id, 0), t.created_at, coalesce(t.last_used_at, 0), "  \
    "coalesce(t.expires_at, 0), coalesce(t.revoked_at, 0), coalesce(a.disabled_at, 0) "            \
    "FROM api_token t LEFT JOIN agent a ON a.id = t.agent_id"

static void
token_row(struct arena *ar, struct db_stmt *s, struct api_token *t)
{
    memset(t, 0, sizeof(*t));
    t->id = db_i64(s, 0);
    t->name = store__col(ar, s, 1);
    t->role = store__col(ar, s, 2);
    t->agent_id = db_i64(s, 3);
    t->created_at = db_i64(s, 4);
    t->last_used_at = db_i64(s, 5);
    t->expires_at = db_i64(s, 6);
    t->revoked_at = db_i64(s, 7);
    t->owner_disabled = db_i64(s, 8) != 0;
}

struct token_job {
    const struct api_token *t;
    const char *hash;
    int64_t id, now;
};

static int
token_create_tx(struct store__tx *tx, void *arg)
{
    struct token_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO api_token(name, token_hash, role, created_at, "
                                      "agent_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->t->name);
    store__bind_cstr(s, 2, j->hash);
    store__bind_cstr(s, 3, j->t->role);
    db_bind_i64(s, 4, tx->now);
    if (j->t->agent_id)
        db_bind_i64(s, 5, j->t->agent_id);
    else
        db_bind_null(s, 5);
    if (j->t->expires_at)
        db_bind_i64(s, 6, j->t->expires_at);
    else
        db_bind_null(s, 6);
    int rc = store__step_done(s);
    if (rc == 0)
        j->id = db_last_id(tx->c);
    return rc;
}

int
store_token_create(struct store *st, const struct api_token *t, const char *token_hash,
                   int64_t *id)
{
    struct token_job j = { .t = t, .hash = token_hash };
    int rc = store__submit(st, token_create_tx, &j, true);
    if (rc == 0 && id)
        *id = j.id;
    return rc;
}

int
store_token_get(struct store *st, struct arena *ar, const char *token_hash, struct api_token *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " TOKEN_COLS " WHERE t.token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    int rc = db_step(s);
    if (rc == DB_ROW)
        token_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_token_list(struct store *st, struct arena *ar, struct api_token **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Every token: the array grows with the table, nothing is cut at a fixed count. */
    struct db_stmt *s = store__q(c, "SELECT " TOKEN_COLS " ORDER BY t.id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct api_token *v = ARENA_NEW_N(ar, struct api_token, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        token_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

static int
token_revoke_tx(struct store__tx *tx, void *arg)
{
    struct token_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE api_token SET revoked_at = coalesce(revoked_at, ?) "
                                      "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return db_changes(tx->c) ? 0 : ERR_NOTFOUND;
}

int
store_token_revoke(struct store *st, int64_t id)
{
    struct token_job j = { .id = id };
    int rc = store__submit(st, token_revoke_tx, &j, true);
    if (rc == 0)
        store__credentials_changed(st);
    return rc;
}

static int
token_touch_tx(struct store__tx *tx, void *arg)
{
    struct token_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE api_token SET last_used_at = ? WHERE id = ?");
    int rc = ERR_IO;
    if (s) {
        db_bind_i64(s, 1, j->now);
        db_bind_i64(s, 2, j->id);
        rc = store__step_done(s);
    }
    xfree(j);
    return rc;
}

void
store_token_touch(struct store *st, int64_t token_id, int64_t now)
{
    struct token_job *j = xcalloc(1, sizeof(*j));
    j->id = token_id;
    j->now = now;
    if (store__submit(st, token_touch_tx, j, false) < 0)
        xfree(j);
}
