/* SPDX-License-Identifier: MIT */
/*
 * st_channel.c - channels, their secrets and what Hark last heard from each platform.
 */
#include "base/base.h"
#include "store/store_int.h"

struct channel_job {
    const struct channel *ch;
    int64_t id;
};

static int
channel_add_tx(struct store__tx *tx, void *arg)
{
    struct channel_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO channel(type, name, secret, settings, "
                                      "created_at) VALUES (?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->ch->type);
    store__bind_cstr(s, 2, j->ch->name);
    store__bind_cstr(s, 3, j->ch->secret);
    store__bind_cstr(s, 4, j->ch->settings ? j->ch->settings : "{}");
    db_bind_i64(s, 5, tx->now);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    j->id = db_last_id(tx->c);
    return 0;
}

int
store_channel_add(struct store *st, const struct channel *ch, int64_t *id)
{
    struct channel_job j = { .ch = ch };
    int rc = store__submit(st, channel_add_tx, &j, true);
    if (rc == 0 && id)
        *id = j.id;
    return rc;
}

static void
channel_row(struct arena *ar, struct db_stmt *s, struct channel *ch)
{
    ch->id = db_i64(s, 0);
    ch->type = store__col(ar, s, 1);
    ch->name = store__col(ar, s, 2);
    ch->secret = store__col(ar, s, 3);
    ch->settings = store__col(ar, s, 4);
    ch->created_at = db_i64(s, 5);
    ch->enabled = db_int(s, 6) != 0;
}

int
store_channel_get(struct store *st, struct arena *ar, int64_t id, struct channel *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT id, type, name, secret, settings, created_at, enabled "
                                  "FROM channel WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        channel_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_channel_list(struct store *st, struct arena *ar, struct channel **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT id, type, name, secret, settings, created_at, enabled "
                                  "FROM channel ORDER BY id");
    if (!s)
        return ERR_IO;
    /* Every channel: the array grows with the table, nothing is cut at a fixed count. */
    size_t cnt = 0, cap = 16;
    struct channel *v = ARENA_NEW_N(ar, struct channel, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        channel_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

struct settings_job {
    int64_t id;
    const char *settings;
};

static int
settings_tx(struct store__tx *tx, void *arg)
{
    struct settings_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE channel SET settings = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->settings);
    db_bind_i64(s, 2, j->id);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    return db_changes(tx->c) ? 0 : ERR_NOTFOUND;
}

int
store_channel_set_settings(struct store *st, int64_t id, const char *settings)
{
    struct settings_job j = { .id = id, .settings = settings };
    return store__submit(st, settings_tx, &j, true);
}

struct update_job {
    int64_t id;
    const struct store_channel_update *u;
};

static int
update_tx(struct store__tx *tx, void *arg)
{
    struct update_job *j = arg;
    const struct store_channel_update *u = j->u;
    /* NULL keeps a column: one statement for every combination of fields. */
    struct db_stmt *s = store__q(tx->c, "UPDATE channel SET name = coalesce(?1, name), "
                                      "settings = coalesce(?2, settings), "
                                      "secret = coalesce(?3, secret), "
                                      "enabled = coalesce(?4, enabled) WHERE id = ?5");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, u->name);
    store__bind_cstr(s, 2, u->settings);
    store__bind_cstr(s, 3, u->secret);
    if (u->enabled >= 0)
        db_bind_int(s, 4, u->enabled);
    else
        db_bind_null(s, 4);
    db_bind_i64(s, 5, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return store__changed(tx);
}

int
store_channel_update(struct store *st, int64_t id, const struct store_channel_update *u)
{
    struct update_job j = { .id = id, .u = u };
    return store__submit(st, update_tx, &j, true);
}

static int
delete_tx(struct store__tx *tx, void *arg)
{
    int64_t id = *(int64_t *)arg;
    struct db_stmt *s = store__q(tx->c, "SELECT EXISTS (SELECT 1 FROM conversation "
                                      "WHERE channel_id = ?1) OR EXISTS (SELECT 1 FROM message "
                                      "WHERE channel_id = ?1)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    int used = rc == DB_ROW ? db_int(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return store__err(rc);
    if (used)
        return ERR_CONFLICT;
    s = store__q(tx->c, "DELETE FROM channel_status WHERE channel_id = ?1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "DELETE FROM channel WHERE id = ?1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__changed(tx);
}

int
store_channel_delete(struct store *st, int64_t id)
{
    return store__submit(st, delete_tx, &id, true);
}

/* ---- status ------------------------------------------------------------------------------- */

static void
status_row(struct arena *ar, struct db_stmt *s, struct store_channel_status *out)
{
    out->channel_id = db_i64(s, 0);
    out->last_event_at = db_i64(s, 1);
    out->last_verify_at = db_i64(s, 2);
    out->last_error = store__col(ar, s, 3);
    out->last_error_at = db_i64(s, 4);
    out->day = db_i64(s, 5);
    out->messages_today = db_i64(s, 6);
    out->errors_today = db_i64(s, 7);
}

int
store_channel_status_get(struct store *st, struct arena *ar, int64_t id,
                         struct store_channel_status *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT channel_id, last_event_at, last_verify_at, "
                                  "last_error, last_error_at, day, messages_today, "
                                  "errors_today FROM channel_status WHERE channel_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        status_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

struct status_job {
    const struct store_channel_status *v;
    size_t n;
};

static int
status_put_tx(struct store__tx *tx, void *arg)
{
    struct status_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        const struct store_channel_status *v = &j->v[i];
        /* A channel deleted since its status was taken in memory has no row to keep. */
        struct db_stmt *s = store__q(tx->c, "INSERT INTO channel_status(channel_id, "
                                          "last_event_at, last_verify_at, last_error, "
                                          "last_error_at, day, messages_today, errors_today) "
                                          "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 "
                                          "WHERE EXISTS (SELECT 1 FROM channel WHERE id = ?1) "
                                          "ON CONFLICT(channel_id) DO UPDATE SET "
                                          "last_event_at = excluded.last_event_at, "
                                          "last_verify_at = excluded.last_verify_at, "
                                          "last_error = excluded.last_error, "
                                          "last_error_at = excluded.last_error_at, "
                                          "day = excluded.day, "
                                          "messages_today = excluded.messages_today, "
                                          "errors_today = excluded.errors_today");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, v->channel_id);
        store__bind_id(s, 2, v->last_event_at);
        store__bind_id(s, 3, v->last_verify_at);
        store__bind_cstr(s, 4, v->last_error);
        store__bind_id(s, 5, v->last_error_at);
        db_bind_i64(s, 6, v->day);
        db_bind_i64(s, 7, v->messages_today);
        db_bind_i64(s, 8, v->errors_today);
        int rc = store__step_done(s);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int
store_channel_status_put(struct store *st, const struct store_channel_status *v, size_t n)
{
    struct status_job j = { .v = v, .n = n };
    return n ? store__submit(st, status_put_tx, &j, true) : 0;
}
