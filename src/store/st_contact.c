/* SPDX-License-Identifier: MIT */
/*
 * st_contact.c - contacts (customers and prospects) and their platform identities.
 */
#include "base/base.h"
#include "store/store_int.h"


#define CONTACT_COLS                                                                               \
    "id, name, email, phone, locale, location, tags, notes, attributes, status, created_at, "    \
    "updated_at"

static void
contact_row(struct arena *ar, sqlite3_stmt *s, struct contact *c)
{
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(s, 0);
    c->name = store__col(ar, s, 1);
    c->email = store__col(ar, s, 2);
    c->phone = store__col(ar, s, 3);
    c->locale = store__col(ar, s, 4);
    c->location = store__col(ar, s, 5);
    c->tags = store__col(ar, s, 6);
    c->notes = store__col(ar, s, 7);
    c->attributes = store__col(ar, s, 8);
    c->status = store__col(ar, s, 9);
    c->created_at = sqlite3_column_int64(s, 10);
    c->updated_at = sqlite3_column_int64(s, 11);
}

int
store_contact_list(struct store *st, struct arena *ar, const struct store_scope *sc, const char *q,
                   int limit, int64_t after_id, struct contact **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(
        c, "SELECT " CONTACT_COLS " FROM contact WHERE id > ?1 AND (?2 IS NULL OR "
           "name LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\' OR phone LIKE ?2 ESCAPE '\\' OR "
           "id IN (SELECT contact_id FROM identity WHERE handle LIKE ?2 ESCAPE '\\')) "
           "AND (:scope_lim = 0 OR contact.id IN (SELECT c.contact_id FROM conversation c WHERE"
           STORE_SCOPE_SQL ")) ORDER BY id LIMIT :limit");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, after_id);
    if (q && q[0])
        store__bind_like(s, 2, q);
    if (limit <= 0 || limit > 200)
        limit = 50;
    sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":limit"), limit);
    store__bind_scope(s, sc);
    struct contact *v = ARENA_NEW_N(ar, struct contact, (size_t)limit);
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        contact_row(ar, s, &v[cnt++]);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_contact_get(struct store *st, struct arena *ar, int64_t id, struct contact *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " CONTACT_COLS " FROM contact WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        contact_row(ar, s, out);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
    s = store__q(c, "SELECT id, contact_id, channel_type, platform_id, handle, name "
                    "FROM identity WHERE contact_id = ? ORDER BY id");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    /* Every identity: the array grows, nothing is cut at a fixed count. */
    size_t cap = 4;
    out->ids = ARENA_NEW_N(ar, struct identity, cap);
    out->nids = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, out->ids, out->nids, cap);
        struct identity *i = &out->ids[out->nids++];
        i->id = sqlite3_column_int64(s, 0);
        i->contact_id = sqlite3_column_int64(s, 1);
        i->channel_type = store__col(ar, s, 2);
        i->platform_id = store__col(ar, s, 3);
        i->handle = store__col(ar, s, 4);
        i->name = store__col(ar, s, 5);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store__err(rc);
}

struct contact_job {
    int64_t id;
    const struct contact *c;
};

static int
contact_update_tx(struct store__tx *tx, void *arg)
{
    struct contact_job *j = arg;
    sqlite3_stmt *s = store__q(
        tx->c, "UPDATE contact SET name = coalesce(?, name), email = coalesce(?, email), "
               "phone = coalesce(?, phone), locale = coalesce(?, locale), "
               "location = coalesce(?, location), tags = coalesce(?, tags), "
               "notes = coalesce(?, notes), attributes = coalesce(?, attributes), "
               "status = coalesce(?, status), updated_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->c->name);
    store__bind_cstr(s, 2, j->c->email);
    store__bind_cstr(s, 3, j->c->phone);
    store__bind_cstr(s, 4, j->c->locale);
    store__bind_cstr(s, 5, j->c->location);
    store__bind_cstr(s, 6, j->c->tags);
    store__bind_cstr(s, 7, j->c->notes);
    store__bind_cstr(s, 8, j->c->attributes);
    store__bind_cstr(s, 9, j->c->status);
    sqlite3_bind_int64(s, 10, tx->now);
    sqlite3_bind_int64(s, 11, j->id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    if (sqlite3_changes(tx->c->db) == 0)
        return ERR_NOTFOUND;
    /* Contact events carry the id only; clients refetch what they show. */
    return store__event(tx, "contact.updated", codec_event_contact(j->id));
}

int
store_contact_update(struct store *st, int64_t id, const struct contact *c)
{
    struct contact_job j = { .id = id, .c = c };
    return store__submit(st, contact_update_tx, &j, true);
}
