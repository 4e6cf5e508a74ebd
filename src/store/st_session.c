/* SPDX-License-Identifier: MIT */
/*
 * st_session.c - login sessions (session): created at login while the agent is active with the
 * password the login verified, touched as the agent works, expired by age and idleness.
 *
 * A session is stored by the hex SHA-256 of its token, never the token itself, so a copy of
 * the database cannot be replayed as a login.
 */
#include "base/base.h"
#include "store/store_int.h"

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
    struct db_stmt *s = store__q(tx->c, "INSERT INTO session(token_hash, agent_id, csrf, created_at,"
                                      " last_seen_at, expires_at) SELECT ?, id, ?, ?, ?, ? "
                                      "FROM agent WHERE id = ? AND disabled_at IS NULL AND "
                                      "password_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    store__bind_cstr(s, 2, j->csrf);
    db_bind_i64(s, 3, j->now);
    db_bind_i64(s, 4, j->now);
    db_bind_i64(s, 5, j->expires_at);
    db_bind_i64(s, 6, j->agent_id);
    store__bind_cstr(s, 7, j->password_hash);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return db_changes(tx->c) ? 0 : ERR_CONFLICT;
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
    struct db_stmt *s = store__q(c, "SELECT id, agent_id, csrf, created_at, last_seen_at, "
                                  "expires_at FROM session WHERE token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->id = db_i64(s, 0);
        out->agent_id = db_i64(s, 1);
        out->csrf = store__col(ar, s, 2);
        out->created_at = db_i64(s, 3);
        out->last_seen_at = db_i64(s, 4);
        out->expires_at = db_i64(s, 5);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

static int
session_touch_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE session SET last_seen_at = ? WHERE id = ?");
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
    struct db_stmt *s = store__q(tx->c, "DELETE FROM session WHERE token_hash = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->hash);
    return store__step_done(s);
}

int
store_session_delete(struct store *st, const char *token_hash)
{
    struct session_job j = { .hash = token_hash };
    int rc = store__submit(st, session_delete_tx, &j, true);
    if (rc == 0)
        store__credentials_changed(st);
    return rc;
}

static int
session_expire_tx(struct store__tx *tx, void *arg)
{
    struct session_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM session WHERE expires_at <= ? OR "
                                      "last_seen_at <= ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->now);
    db_bind_i64(s, 2, j->now - j->idle_ms);
    return store__step_done(s);
}

int
store_session_expire(struct store *st, int64_t now, int64_t idle_ms)
{
    struct session_job j = { .now = now, .idle_ms = idle_ms };
    int rc = store__submit(st, session_expire_tx, &j, true);
    /* Also the once-a-minute tick at which open streams notice credentials that another
     * process (the CLI) changed. */
    if (rc == 0)
        store__credentials_changed(st);
    return rc;
}
