/* SPDX-License-Identifier: MIT */
/*
 * st_agent.c - agents (agent): accounts, their profile fields, disabling and password
 * changes. Disabling an agent or changing its password ends its login sessions in the same
 * transaction (the sessions themselves are st_session.c). Invite links (agent_invite) are the
 * other way to set a password, so they live here too.
 */
#include "base/base.h"
#include "store/store_int.h"

#define AGENT_COLS                                                                                 \
    "id, email, name, display_name, avatar_url, bio, role, created_at, password_hash, "            \
    "coalesce(disabled_at, 0)"

static void
agent_row(struct arena *ar, struct db_stmt *s, struct agent *a, bool with_hash)
{
    memset(a, 0, sizeof(*a));
    a->id = db_i64(s, 0);
    a->email = store__col(ar, s, 1);
    a->name = store__col(ar, s, 2);
    a->display_name = store__col(ar, s, 3);
    a->avatar_url = store__col(ar, s, 4);
    a->bio = store__col(ar, s, 5);
    a->role = store__col(ar, s, 6);
    a->created_at = db_i64(s, 7);
    a->disabled_at = db_i64(s, 9);
    const char *hash = db_text(s, 8);
    a->password_set = hash && strcmp(hash, STORE_NO_PASSWORD) != 0;
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
    struct db_stmt *s = store__q(tx->c, "INSERT INTO agent(email, password_hash, name, display_name,"
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
    db_bind_i64(s, 8, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->id = db_last_id(tx->c);
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
    struct db_stmt *s = store__q(tx->c, "UPDATE agent SET name = coalesce(?, name), "
                                      "display_name = coalesce(?, display_name), "
                                      "avatar_url = coalesce(?, avatar_url), "
                                      "bio = coalesce(?, bio), role = coalesce(?, role) "
                                      "WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->a->name);
    store__bind_cstr(s, 2, j->a->display_name);
    store__bind_cstr(s, 3, j->a->avatar_url);
    store__bind_cstr(s, 4, j->a->bio);
    store__bind_cstr(s, 5, j->a->role);
    db_bind_i64(s, 6, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return db_changes(tx->c) ? 0 : ERR_NOTFOUND;
}

int
store_agent_update(struct store *st, int64_t id, const struct agent *a)
{
    struct agent_job j = { .a = a, .id = id };
    int rc = store__submit(st, agent_update_tx, &j, true);
    if (rc == 0 && a->role)
        store__credentials_changed(st);
    return rc;
}

/* 'sql' on SQLite, 'pgsql' (NULL: the same) on PostgreSQL. */
static int
agent_one(struct store *st, struct arena *ar, const char *sql, const char *pgsql, int64_t id,
          struct str email, bool with_hash, struct agent *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, pgsql ? store__sql(c, sql, pgsql) : sql);
    if (!s)
        return ERR_IO;
    if (email.p)
        store__bind_str(s, 1, email);
    else
        db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        agent_row(ar, s, out, with_hash);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_agent_get(struct store *st, struct arena *ar, int64_t id, struct agent *out)
{
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE id = ?", NULL, id, STR_NULL,
                     false, out);
}

int
store_agent_get_secret(struct store *st, struct arena *ar, int64_t id, struct agent *out)
{
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE id = ?", NULL, id, STR_NULL,
                     true, out);
}

int
store_agent_by_email(struct store *st, struct arena *ar, struct str email, struct agent *out)
{
    if (!email.p)
        return ERR_NOTFOUND;
    /* SQLite's column is NOCASE (its unique index answers '='); PostgreSQL's unique index is on
     * lower(email). */
    return agent_one(st, ar, "SELECT " AGENT_COLS " FROM agent WHERE email = ?",
                     "SELECT " AGENT_COLS " FROM agent WHERE lower(email) = lower(?)", 0, email,
                     true, out);
}

int
store_agent_list(struct store *st, struct arena *ar, struct agent **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Every agent: the array grows with the table, nothing is cut at a fixed count. */
    struct db_stmt *s = store__q(c, "SELECT " AGENT_COLS " FROM agent ORDER BY id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct agent *v = ARENA_NEW_N(ar, struct agent, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        agent_row(ar, s, &v[cnt++], false);
    }
    db_reset(s);
    if (rc != DB_DONE)
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
    struct db_stmt *s = store__q(c, "SELECT count(*) FROM agent");
    int64_t n = 0;
    if (s && db_step(s) == DB_ROW)
        n = db_i64(s, 0);
    if (s)
        db_reset(s);
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
    struct db_stmt *s = store__q(tx->c, "DELETE FROM session WHERE agent_id = ? AND id <> ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    db_bind_i64(s, 2, j->keep_session);
    int rc = store__step_done(s);
    if (rc == 0)
        j->ended = db_changes(tx->c);
    return rc;
}

static int
agent_disable_tx(struct store__tx *tx, void *arg)
{
    struct cred_job *j = arg;
    /* Disabling an already disabled agent keeps the first time. */
    struct db_stmt *s = store__q(tx->c, j->disable ? "UPDATE agent SET disabled_at = "
                                                   "coalesce(disabled_at, ?1) WHERE id = ?2"
                                                 : "UPDATE agent SET disabled_at = NULL "
                                                   "WHERE id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (!db_changes(tx->c))
        return ERR_NOTFOUND;
    return j->disable ? end_sessions(tx, j) : 0;
}

int
store_agent_set_disabled(struct store *st, int64_t id, bool disabled, int64_t *ended)
{
    struct cred_job j = { .id = id, .disable = disabled };
    int rc = store__submit(st, agent_disable_tx, &j, true);
    if (rc == 0 && disabled)
        store__credentials_changed(st);
    if (rc == 0 && ended)
        *ended = j.ended;
    return rc;
}

static int
agent_password_tx(struct store__tx *tx, void *arg)
{
    struct cred_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE agent SET password_hash = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    db_bind_i64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (!db_changes(tx->c))
        return ERR_NOTFOUND;
    /* A password set another way ends the pending invite link. */
    s = store__q(tx->c, "DELETE FROM agent_invite WHERE agent_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return end_sessions(tx, j);
}

int
store_agent_set_password(struct store *st, int64_t id, const char *password_hash,
                         int64_t keep_session_id, int64_t *ended)
{
    struct cred_job j = { .id = id, .hash = password_hash, .keep_session = keep_session_id };
    int rc = store__submit(st, agent_password_tx, &j, true);
    if (rc == 0)
        store__credentials_changed(st);
    if (rc == 0 && ended)
        *ended = j.ended;
    return rc;
}

/* ---- invite links ------------------------------------------------------------------------- */

struct invite_job {
    int64_t agent_id, expires_at;
    const char *token_hash;
    struct cred_job cred;
};

static int
invite_put_tx(struct store__tx *tx, void *arg)
{
    struct invite_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO agent_invite(agent_id, token_hash, created_at, "
                                      "expires_at) SELECT id, ?2, ?3, ?4 FROM agent WHERE id = ?1 "
                                      "ON CONFLICT(agent_id) DO UPDATE SET token_hash = "
                                      "excluded.token_hash, created_at = excluded.created_at, "
                                      "expires_at = excluded.expires_at");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->agent_id);
    store__bind_cstr(s, 2, j->token_hash);
    db_bind_i64(s, 3, tx->now);
    db_bind_i64(s, 4, j->expires_at);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return db_changes(tx->c) ? 0 : ERR_NOTFOUND;
}

int
store_invite_put(struct store *st, int64_t agent_id, const char *token_hash, int64_t expires_at)
{
    struct invite_job j = { .agent_id = agent_id, .token_hash = token_hash,
                            .expires_at = expires_at };
    return store__submit(st, invite_put_tx, &j, true);
}

int
store_invite_get(struct store *st, struct arena *ar, const char *token_hash, int64_t now,
                 struct agent *out, int64_t *expires_at)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT a.id, a.email, a.name, i.expires_at FROM agent_invite i "
                                  "JOIN agent a ON a.id = i.agent_id WHERE i.token_hash = ? AND "
                                  "i.expires_at > ? AND a.disabled_at IS NULL");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    db_bind_i64(s, 2, now);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = db_i64(s, 0);
        out->email = store__col(ar, s, 1);
        out->name = store__col(ar, s, 2);
        *expires_at = db_i64(s, 3);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

static int
invite_accept_tx(struct store__tx *tx, void *arg)
{
    struct invite_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT i.agent_id FROM agent_invite i JOIN agent a ON "
                                      "a.id = i.agent_id WHERE i.token_hash = ? AND "
                                      "i.expires_at > ? AND a.disabled_at IS NULL");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->token_hash);
    db_bind_i64(s, 2, j->expires_at);
    int rc = db_step(s);
    if (rc == DB_ROW)
        j->agent_id = db_i64(s, 0);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    j->cred.id = j->agent_id;
    return agent_password_tx(tx, &j->cred); /* deletes the link and the sessions too */
}

int
store_invite_accept(struct store *st, const char *token_hash, const char *password_hash,
                    int64_t now, int64_t *agent_id, int64_t *ended)
{
    struct invite_job j = { .token_hash = token_hash, .expires_at = now,
                            .cred = { .hash = password_hash } };
    int rc = store__submit(st, invite_accept_tx, &j, true);
    if (rc == 0)
        store__credentials_changed(st);
    if (rc == 0 && agent_id)
        *agent_id = j.agent_id;
    if (rc == 0 && ended)
        *ended = j.cred.ended;
    return rc;
}
