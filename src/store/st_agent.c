/* SPDX-License-Identifier: MIT */
/*
 * st_agent.c - agents, login sessions and API tokens.
 *
 * Sessions and tokens are stored by the hex SHA-256 of the secret, never the secret itself,
 * so a copy of the database cannot be replayed as a login.
 */
#include "base/base.h"
#include "store/store_int.h"

#define AGENT_COLS                                                                                 \
    "id, email, name, display_name, avatar_url, bio, role, created_at, password_hash, "            \
    "coalesce(disabled_at, 0)"

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
    a->disabled_at = sqlite3_column_int64(s, 9);
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
          bool with_hash, struct agent *out)
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
        agent_row(ar, s, out, with_hash);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_agent_get(struct store *st, struct arena *ar, int64_t id, struct agent *out)
{
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE id = ?", id, STR_NULL, false,
                     out);
}

int
store_agent_get_secret(struct store *st, struct arena *ar, int64_t id, struct agent *out)
{
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE id = ?", id, STR_NULL, true,
                     out);
}

int
store_agent_by_email(struct store *st, struct arena *ar, struct str email, struct agent *out)
{
    if (!email.p)
        return ERR_NOTFOUND;
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE email = ?", 0, email, true,
                     out);
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

struct cred_job {
    int64_t id, keep_session;
    bool disable;
    const char *hash;
    int64_t ended; /* sessions deleted */
};

/* Deletes the sessions of agent 'j->id' except 'j->keep_session' (0: all). */
static int
end_sessions(struct store__tx *tx, struct cred_job *j)
{
    sqlite3_stmt *s = store__q(tx->c, "DELETE FROM session WHERE agent_id = ? AND id <> ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->id);
    sqlite3_bind_int64(s, 2, j->keep_session);
    int rc = store__step_done(s);
    if (rc == 0)
        j->ended = sqlite3_changes(tx->c->db);
    return rc;
}

static int
agent_disable_tx(struct store__tx *tx, void *arg)
{
    struct cred_job *j = arg;
    /* Disabling an already disabled agent keeps the first time. */
    sqlite3_stmt *s = store__q(tx->c, j->disable ? "UPDATE agent SET disabled_at = "
                                                   "coalesce(disabled_at, ?1) WHERE id = ?2"
                                                 : "UPDATE agent SET disabled_at = NULL "
                                                   "WHERE id = ?2");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, tx->now);
    sqlite3_bind_int64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (!sqlite3_changes(tx->c->db))
        return ERR_NOTFOUND;
    return j->disable ? end_sessions(tx, j) : 0;
}

int
store_agent_set_disabled(struct store *st, int64_t id, bool disabled, int64_t *ended)
{
    struct cred_job j = { .id = id, .disable = disabled };
    int rc = store__submit(st, agent_disable_tx, &j, true);
    if (rc == 0 && ended)
        *ended = j.ended;
    return rc;
}

static int
agent_password_tx(struct store__tx *tx, void *arg)
{
    struct cred_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "UPDATE agent SET password_hash = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    sqlite3_bind_int64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (!sqlite3_changes(tx->c->db))
        return ERR_NOTFOUND;
    return end_sessions(tx, j);
}

int
store_agent_set_password(struct store *st, int64_t id, const char *password_hash,
                         int64_t keep_session_id, int64_t *ended)
{
    struct cred_job j = { .id = id, .hash = password_hash, .keep_session = keep_session_id };
    int rc = store__submit(st, agent_password_tx, &j, true);
    if (rc == 0 && ended)
        *ended = j.ended;
    return rc;
}

/* ---- sessions ------------------------------------------------------------------------ */

struct session_job {
    const char *hash, *password_hash;
    int64_t agent_id, id;
    const char *csrf;
    int64_t now, expires_at, idle_ms;
};

static int
session_create_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    /* The session is created only if the agent is still active with the password that was
     * verified: a login that raced a disable or a password change creates nothing. */
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO session(token_hash, agent_id, csrf, created_at,"
                                      " last_seen_at, expires_at) SELECT ?, id, ?, ?, ?, ? "
                                      "FROM agent WHERE id = ? AND disabled_at IS NULL AND "
                                      "password_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    store__bind_cstr(s, 2, j->csrf);
    sqlite3_bind_int64(s, 3, j->now);
    sqlite3_bind_int64(s, 4, j->now);
    sqlite3_bind_int64(s, 5, j->expires_at);
    sqlite3_bind_int64(s, 6, j->agent_id);
    store__bind_cstr(s, 7, j->password_hash);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return sqlite3_changes(tx->c->db) ? 0 : ERR_CONFLICT;
}

int
store_session_create(struct store *st, const char *token_hash, int64_t agent_id,
                     const char *password_hash, const char *csrf, int64_t now, int64_t expires_at)
{
    struct session_job j = { .hash = token_hash, .agent_id = agent_id, .csrf = csrf, .now = now,
                             .expires_at = expires_at, .password_hash = password_hash };
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

#define TOKEN_COLS                                                                                 \
    "t.id, t.name, t.role, coalesce(t.agent_id, 0), t.created_at, coalesce(t.last_used_at, 0), "  \
    "coalesce(t.expires_at, 0), coalesce(t.revoked_at, 0), coalesce(a.disabled_at, 0) "            \
    "FROM api_token t LEFT JOIN agent a ON a.id = t.agent_id"

static void
token_row(struct arena *ar, sqlite3_stmt *s, struct api_token *t)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(s, 0);
    t->name = store__col(ar, s, 1);
    t->role = store__col(ar, s, 2);
    t->agent_id = sqlite3_column_int64(s, 3);
    t->created_at = sqlite3_column_int64(s, 4);
    t->last_used_at = sqlite3_column_int64(s, 5);
    t->expires_at = sqlite3_column_int64(s, 6);
    t->revoked_at = sqlite3_column_int64(s, 7);
    t->owner_disabled = sqlite3_column_int64(s, 8) != 0;
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
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO api_token(name, token_hash, role, created_at, "
                                      "agent_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->t->name);
    store__bind_cstr(s, 2, j->hash);
    store__bind_cstr(s, 3, j->t->role);
    sqlite3_bind_int64(s, 4, tx->now);
    if (j->t->agent_id)
        sqlite3_bind_int64(s, 5, j->t->agent_id);
    else
        sqlite3_bind_null(s, 5);
    if (j->t->expires_at)
        sqlite3_bind_int64(s, 6, j->t->expires_at);
    else
        sqlite3_bind_null(s, 6);
    int rc = store__step_done(s);
    if (rc == 0)
        j->id = sqlite3_last_insert_rowid(tx->c->db);
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
    sqlite3_stmt *s = store__q(c, "SELECT " TOKEN_COLS " WHERE t.token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        token_row(ar, s, out);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_token_list(struct store *st, struct arena *ar, struct api_token **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Every token: the array grows with the table, nothing is cut at a fixed count. */
    sqlite3_stmt *s = store__q(c, "SELECT " TOKEN_COLS " ORDER BY t.id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct api_token *v = ARENA_NEW_N(ar, struct api_token, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        token_row(ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

static int
token_revoke_tx(struct store__tx *tx, void *arg)
{
    struct token_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "UPDATE api_token SET revoked_at = coalesce(revoked_at, ?) "
                                      "WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, tx->now);
    sqlite3_bind_int64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return sqlite3_changes(tx->c->db) ? 0 : ERR_NOTFOUND;
}

int
store_token_revoke(struct store *st, int64_t id)
{
    struct token_job j = { .id = id };
    return store__submit(st, token_revoke_tx, &j, true);
}

static int
token_touch_tx(struct store__tx *tx, void *arg)
{
    struct token_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "UPDATE api_token SET last_used_at = ? WHERE id = ?");
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
store_token_touch(struct store *st, int64_t token_id, int64_t now)
{
    struct token_job *j = xcalloc(1, sizeof(*j));
    j->id = token_id;
    j->now = now;
    if (store__submit(st, token_touch_tx, j, false) < 0)
        xfree(j);
}
