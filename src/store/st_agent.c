/* SPDX-License-Identifier: MIT */
/*
 * st_agent.c - agents, login sessions and API tokens.
 *
 * Sessions and tokens are stored by the hex SHA-256 of the secret, never the secret itself,
 * so a copy of the database cannot be replayed as a login.
 */
#include "base/base.h"
#include "store/store_int.h"

#define AGENT_COLS "id, email, name, display_name, avatar_url, bio, role, created_at, password_hash"

static void
agent_row(struct arena *ar, sqlite3_stmt *s, struct agent *a, bool with_hash)
{
    memset(a, 0, sizeof(*a));
    a->id = sqlite3_column_int64(s, 0);
    a->email = store__col(ar, s, 1);
    a->name = store__col(ar, s, 2);
    a->display_name = store__col(ar, s, 3);
    a->avatar_url = store__col(ar, s, 4);
    a->bio = store__col(ar, s, 5);
    a->role = store__col(ar, s, 6);
    a->created_at = sqlite3_column_int64(s, 7);
    if (with_hash)
        a->password_hash = store__col(ar, s, 8);
}

struct agent_job {
    const struct agent *a;
    int64_t id;
};

static int
agent_add_tx(struct store__tx *tx, void *arg)
{
    struct agent_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO agent(email, password_hash, name, display_name,"
                                      " avatar_url, bio, role, created_at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->a->email);
    store__bind_cstr(s, 2, j->a->password_hash);
    store__bind_cstr(s, 3, j->a->name);
    store__bind_cstr(s, 4, j->a->display_name ? j->a->display_name : j->a->name);
    store__bind_cstr(s, 5, j->a->avatar_url ? j->a->avatar_url : "");
    store__bind_cstr(s, 6, j->a->bio ? j->a->bio : "");
    store__bind_cstr(s, 7, j->a->role);
    sqlite3_bind_int64(s, 8, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->id = sqlite3_last_insert_rowid(tx->c->db);
    return 0;
}

int
store_agent_add(struct store *st, const struct agent *a, int64_t *id)
{
    struct agent_job j = { .a = a };
    int rc = store__submit(st, agent_add_tx, &j, true);
    if (rc == 0 && id)
        *id = j.id;
    return rc;
}

static int
agent_update_tx(struct store__tx *tx, void *arg)
{
    struct agent_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "UPDATE agent SET name = coalesce(?, name), "
                                      "display_name = coalesce(?, display_name), "
                                      "avatar_url = coalesce(?, avatar_url), "
                                      "bio = coalesce(?, bio) WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->a->name);
    store__bind_cstr(s, 2, j->a->display_name);
    store__bind_cstr(s, 3, j->a->avatar_url);
    store__bind_cstr(s, 4, j->a->bio);
    sqlite3_bind_int64(s, 5, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return sqlite3_changes(tx->c->db) ? 0 : ERR_NOTFOUND;
}

int
store_agent_update(struct store *st, int64_t id, const struct agent *a)
{
    struct agent_job j = { .a = a, .id = id };
    return store__submit(st, agent_update_tx, &j, true);
}

static int
agent_one(struct store *st, struct arena *ar, const char *sql, int64_t id, struct str email,
          struct agent *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, sql);
    if (!s)
        return ERR_IO;
    if (email.p)
        store__bind_str(s, 1, email);
    else
        sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        agent_row(ar, s, out, email.p != NULL);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_agent_get(struct store *st, struct arena *ar, int64_t id, struct agent *out)
{
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE id = ?", id, STR_NULL, out);
}

int
store_agent_by_email(struct store *st, struct arena *ar, struct str email, struct agent *out)
{
    if (!email.p)
        return ERR_NOTFOUND;
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE email = ?", 0, email, out);
}

int
store_agent_list(struct store *st, struct arena *ar, struct agent **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Every agent: the array grows with the table, nothing is cut at a fixed count. */
    sqlite3_stmt *s = store__q(c, "SELECT " AGENT_COLS " FROM agent ORDER BY id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct agent *v = ARENA_NEW_N(ar, struct agent, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        agent_row(ar, s, &v[cnt++], false);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int64_t
store_agent_count(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    sqlite3_stmt *s = store__q(c, "SELECT count(*) FROM agent");
    int64_t n = 0;
    if (s && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    return n;
}

/* ---- sessions ------------------------------------------------------------------------ */

struct session_job {
    const char *hash;
    int64_t agent_id, id;
    const char *csrf;
    int64_t now, expires_at, idle_ms;
};

static int
session_create_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO session(token_hash, agent_id, csrf, created_at,"
                                      " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    sqlite3_bind_int64(s, 2, j->agent_id);
    store__bind_cstr(s, 3, j->csrf);
    sqlite3_bind_int64(s, 4, j->now);
    sqlite3_bind_int64(s, 5, j->now);
    sqlite3_bind_int64(s, 6, j->expires_at);
    return store__step_done(s);
}

int
store_session_create(struct store *st, const char *token_hash, int64_t agent_id,
                     const char *csrf, int64_t now, int64_t expires_at)
{
    struct session_job j = { .hash = token_hash, .agent_id = agent_id, .csrf = csrf, .now = now,
                             .expires_at = expires_at };
    return store__submit(st, session_create_tx, &j, true);
}

int
store_session_get(struct store *st, struct arena *ar, const char *token_hash,
                  struct session *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT id, agent_id, csrf, created_at, last_seen_at, "
                                  "expires_at FROM session WHERE token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        out->agent_id = sqlite3_column_int64(s, 1);
        out->csrf = store__col(ar, s, 2);
        out->created_at = sqlite3_column_int64(s, 3);
        out->last_seen_at = sqlite3_column_int64(s, 4);
        out->expires_at = sqlite3_column_int64(s, 5);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}

static int
session_touch_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "UPDATE session SET last_seen_at = ? WHERE id = ?");
    int rc = ERR_IO;
    if (s) {
        sqlite3_bind_int64(s, 1, j->now);
        sqlite3_bind_int64(s, 2, j->id);
        rc = store__step_done(s);
    }
    xfree(j);
    return rc;
}

void
store_session_touch(struct store *st, int64_t session_id, int64_t now)
{
    struct session_job *j = xcalloc(1, sizeof(*j));
    j->id = session_id;
    j->now = now;
    if (store__submit(st, session_touch_tx, j, false) < 0)
        xfree(j);
}

static int
session_delete_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "DELETE FROM session WHERE token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    return store__step_done(s);
}

int
store_session_delete(struct store *st, const char *token_hash)
{
    struct session_job j = { .hash = token_hash };
    return store__submit(st, session_delete_tx, &j, true);
}

static int
session_expire_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "DELETE FROM session WHERE expires_at <= ? OR "
                                      "last_seen_at <= ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->now);
    sqlite3_bind_int64(s, 2, j->now - j->idle_ms);
    return store__step_done(s);
}

int
store_session_expire(struct store *st, int64_t now, int64_t idle_ms)
{
    struct session_job j = { .now = now, .idle_ms = idle_ms };
    return store__submit(st, session_expire_tx, &j, true);
}

/* ---- API tokens ---------------------------------------------------------------------- */

struct token_job {
    const char *name, *hash, *role;
    int64_t id;
};

static int
token_create_tx(struct store__tx *tx, void *arg)
{
    struct token_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO api_token(name, token_hash, role, created_at) "
                                      "VALUES (?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->name);
    store__bind_cstr(s, 2, j->hash);
    store__bind_cstr(s, 3, j->role);
    sqlite3_bind_int64(s, 4, tx->now);
    int rc = store__step_done(s);
    if (rc == 0)
        j->id = sqlite3_last_insert_rowid(tx->c->db);
    return rc;
}

int
store_token_create(struct store *st, const char *name, const char *token_hash, const char *role,
                   int64_t *id)
{
    struct token_job j = { .name = name, .hash = token_hash, .role = role };
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
    sqlite3_stmt *s = store__q(c, "SELECT id, name, role FROM api_token WHERE token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        out->name = store__col(ar, s, 1);
        out->role = store__col(ar, s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}
