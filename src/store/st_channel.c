/* SPDX-License-Identifier: MIT */
/*
 * st_channel.c - channels and their secrets.
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
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO channel(type, name, secret, settings, "
                                      "created_at) VALUES (?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->ch->type);
    store__bind_cstr(s, 2, j->ch->name);
    store__bind_cstr(s, 3, j->ch->secret);
    store__bind_cstr(s, 4, j->ch->settings ? j->ch->settings : "{}");
    sqlite3_bind_int64(s, 5, tx->now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    j->id = sqlite3_last_insert_rowid(tx->c->db);
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
channel_row(struct arena *ar, sqlite3_stmt *s, struct channel *ch)
{
    ch->id = sqlite3_column_int64(s, 0);
    ch->type = store__col(ar, s, 1);
    ch->name = store__col(ar, s, 2);
    ch->secret = store__col(ar, s, 3);
    ch->settings = store__col(ar, s, 4);
    ch->created_at = sqlite3_column_int64(s, 5);
}

int
store_channel_get(struct store *st, struct arena *ar, int64_t id, struct channel *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT id, type, name, secret, settings, created_at "
                                  "FROM channel WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        channel_row(ar, s, out);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_channel_list(struct store *st, struct arena *ar, struct channel **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT id, type, name, secret, settings, created_at "
                                  "FROM channel ORDER BY id");
    if (!s)
        return ERR_IO;
    /* Every channel: the array grows with the table, nothing is cut at a fixed count. */
    size_t cnt = 0, cap = 16;
    struct channel *v = ARENA_NEW_N(ar, struct channel, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        channel_row(ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
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
    sqlite3_stmt *s = store__q(tx->c, "UPDATE channel SET settings = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->settings);
    sqlite3_bind_int64(s, 2, j->id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    return sqlite3_changes(tx->c->db) ? 0 : ERR_NOTFOUND;
}

int
store_channel_set_settings(struct store *st, int64_t id, const char *settings)
{
    struct settings_job j = { .id = id, .settings = settings };
    return store__submit(st, settings_tx, &j, true);
}
