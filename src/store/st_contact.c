/* SPDX-License-Identifier: MIT */
/*
 * st_contact.c - contacts (customers and prospects) and their platform identities.
 */
#include "base/base.h"
#include "store/store_int.h"


#define CONTACT_COLS                                                                               \
    "id, name, email, phone, locale, location, tags, notes, attributes, status, created_at, "    \
    "updated_at, coalesce(blocked_at, 0), coalesce(blocked_by, 0), "                              \
    "(SELECT display_name FROM agent WHERE agent.id = contact.blocked_by), blocked_reason, "      \
    "coalesce(merged_into, 0)"

static void
contact_row(struct arena *ar, struct db_stmt *s, struct contact *c)
{
    memset(c, 0, sizeof(*c));
    c->id = db_i64(s, 0);
    c->name = store__col(ar, s, 1);
    c->email = store__col(ar, s, 2);
    c->phone = store__col(ar, s, 3);
    c->locale = store__col(ar, s, 4);
    c->location = store__col(ar, s, 5);
    c->tags = store__col(ar, s, 6);
    c->notes = store__col(ar, s, 7);
    c->attributes = store__col(ar, s, 8);
    c->status = store__col(ar, s, 9);
    c->created_at = db_i64(s, 10);
    c->updated_at = db_i64(s, 11);
    c->blocked_at = db_i64(s, 12);
    c->blocked_by = db_i64(s, 13);
    c->blocked_by_name = store__col(ar, s, 14);
    c->blocked_reason = store__col(ar, s, 15);
    c->merged_into = db_i64(s, 16);
}

int
store_contact_list(struct store *st, struct arena *ar, const struct store_scope *sc, const char *q,
                   int limit, int64_t after_id, struct contact **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE does the same. */
    struct db_stmt *s = store__q(
        c, store__sql(c,
           "SELECT " CONTACT_COLS " FROM contact WHERE id > ?1 AND merged_into IS NULL AND "
           "(CAST(?2 AS TEXT) IS NULL OR "
           "name LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\' OR phone LIKE ?2 ESCAPE '\\' OR "
           "id IN (SELECT contact_id FROM identity WHERE handle LIKE ?2 ESCAPE '\\')) "
           "AND (:scope_lim = 0 OR contact.id IN (SELECT c.contact_id FROM conversation c WHERE"
           STORE_SCOPE_SQL ")) ORDER BY id LIMIT :limit",
           "SELECT " CONTACT_COLS " FROM contact WHERE id > ?1 AND merged_into IS NULL AND "
           "(CAST(?2 AS TEXT) IS NULL OR "
           "name ILIKE ?2 ESCAPE '\\' OR email ILIKE ?2 ESCAPE '\\' OR "
           "phone ILIKE ?2 ESCAPE '\\' OR "
           "id IN (SELECT contact_id FROM identity WHERE handle ILIKE ?2 ESCAPE '\\')) "
           "AND (:scope_lim = 0 OR contact.id IN (SELECT c.contact_id FROM conversation c WHERE"
           STORE_SCOPE_SQL ")) ORDER BY id LIMIT :limit"));
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, after_id);
    if (q && q[0])
        store__bind_like(s, 2, q);
    if (limit <= 0 || limit > 200)
        limit = 50;
    db_bind_int(s, db_param(s, ":limit"), limit);
    store__bind_scope(s, sc);
    struct contact *v = ARENA_NEW_N(ar, struct contact, (size_t)limit);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        contact_row(ar, s, &v[cnt++]);
    db_reset(s);
    if (rc != DB_DONE)
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
    struct db_stmt *s = store__q(c, "SELECT " CONTACT_COLS " FROM contact WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        contact_row(ar, s, out);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    s = store__q(c, "SELECT id, contact_id, channel_type, platform_id, handle, name "
                    "FROM identity WHERE contact_id = ? ORDER BY id");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    /* Every identity: the array grows, nothing is cut at a fixed count. */
    size_t cap = 4;
    out->ids = ARENA_NEW_N(ar, struct identity, cap);
    out->nids = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, out->ids, out->nids, cap);
        struct identity *i = &out->ids[out->nids++];
        i->id = db_i64(s, 0);
        i->contact_id = db_i64(s, 1);
        i->channel_type = store__col(ar, s, 2);
        i->platform_id = store__col(ar, s, 3);
        i->handle = store__col(ar, s, 4);
        i->name = store__col(ar, s, 5);
    }
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

struct contact_job {
    int64_t id;
    const struct contact *c;
};

static int
contact_update_tx(struct store__tx *tx, void *arg)
{
    struct contact_job *j = arg;
    struct db_stmt *s = store__q(
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
    db_bind_i64(s, 10, tx->now);
    db_bind_i64(s, 11, j->id);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    if (db_changes(tx->c) == 0)
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

/* ---- blocking ------------------------------------------------------------------------------ */

struct block_job {
    int64_t id, agent_id;
    const char *reason;
    struct arena *ar;
    int64_t *convs; /* unblock: the open conversations to route again */
    size_t nconvs;
};

/* ERR_NOTFOUND when contact 'id' does not exist, else 'err'. */
static int
missing_or(struct store__tx *tx, int64_t id, int err)
{
    struct db_stmt *s = store__q(tx->c, "SELECT 1 FROM contact WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_ROW ? err : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

/* Writes conversation.updated for each of the contact's conversations (they change lists). */
static int
emit_convs(struct store__tx *tx, int64_t contact_id)
{
    struct db_stmt *s = store__q(tx->c, "SELECT id FROM conversation WHERE contact_id = ? "
                                      "ORDER BY id");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, contact_id);
    return store__emit_convs(tx, s);
}

/* Marks the contact's conversations for an SLA recompute (which arms no clock while blocked,
 * and cancels the live timers). */
static int
dirty_convs(struct store__tx *tx, int64_t contact_id)
{
    struct db_stmt *s = store__q(tx->c, "INSERT INTO sla_dirty(conversation_id) SELECT id FROM "
                                      "conversation WHERE contact_id = ? AND true "
                                      "ON CONFLICT(conversation_id) DO UPDATE SET "
                                      "gen = sla_dirty.gen + 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, contact_id);
    return store__step_done(s);
}

static int
block_tx(struct store__tx *tx, void *arg)
{
    struct block_job *j = arg;
    struct db_stmt *s = store__q(
        tx->c, "UPDATE contact SET status_before_block = status, status = 'blocked', "
               "blocked_at = ?, blocked_by = ?, blocked_reason = ?, updated_at = ?1 "
               "WHERE id = ? AND status != 'blocked'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    store__bind_id(s, 2, j->agent_id);
    store__bind_cstr(s, 3, j->reason);
    db_bind_i64(s, 4, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return store__fk_err(tx, rc);
    if (db_changes(tx->c) == 0)
        return missing_or(tx, j->id, ERR_CONFLICT);
    /* Out of the queue, no one waiting on a clock, off every agent's plate. */
    s = store__q(tx->c, "UPDATE conv_sla SET awaiting_since = NULL, queued_at = NULL, "
                        "updated_at = ? WHERE conversation_id IN "
                        "(SELECT id FROM conversation WHERE contact_id = ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET assignee_id = NULL, updated_at = ? "
                        "WHERE contact_id = ? AND assignee_id IS NOT NULL AND status != 'resolved'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = dirty_convs(tx, j->id)) < 0 || (rc = emit_convs(tx, j->id)) < 0)
        return rc;
    return store__event(tx, "contact.updated", codec_event_contact(j->id));
}

int
store_contact_block(struct store *st, int64_t id, int64_t agent_id, const char *reason)
{
    if (!reason || !reason[0])
        return ERR_INVAL;
    struct block_job j = { .id = id, .agent_id = agent_id, .reason = reason };
    return store__submit(st, block_tx, &j, true);
}

static int
unblock_tx(struct store__tx *tx, void *arg)
{
    struct block_job *j = arg;
    j->convs = NULL;
    j->nconvs = 0;
    struct db_stmt *s = store__q(
        tx->c, "UPDATE contact SET status = coalesce(nullif(status_before_block, 'blocked'), "
               "'customer'), status_before_block = NULL, blocked_at = NULL, blocked_by = NULL, "
               "blocked_reason = NULL, updated_at = ? WHERE id = ? AND status = 'blocked'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return missing_or(tx, j->id, ERR_CONFLICT);
    /* A conversation whose last word is the customer's waits for an answer again, from now:
     * the time they were blocked is not counted against the team. */
    s = store__q(tx->c, "INSERT INTO conv_sla(conversation_id, opened_at) "
                        "SELECT id, created_at FROM conversation WHERE contact_id = ? "
                        "AND status != 'resolved' ON CONFLICT DO NOTHING");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conv_sla SET awaiting_since = ?1, updated_at = ?1 "
                        "WHERE conversation_id IN (SELECT c.id FROM conversation c "
                        "WHERE c.contact_id = ?2 AND c.status != 'resolved' AND "
                        "coalesce(c.last_inbound_at, 0) > coalesce((SELECT max(m.created_at) "
                        "FROM message m WHERE m.conversation_id = c.id AND m.direction = 'out' "
                        "AND m.kind = 'message' AND m.id IS DISTINCT FROM "
                        "(SELECT autoack_msg_id FROM "
                        "conv_sla WHERE conversation_id = c.id)), 0))");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "SELECT id FROM conversation WHERE contact_id = ? AND status = 'open' "
                        "ORDER BY id");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    size_t cap = 8;
    j->convs = ARENA_NEW_N(j->ar, int64_t, cap);
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(j->ar, j->convs, j->nconvs, cap);
        j->convs[j->nconvs++] = db_i64(s, 0);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    if ((rc = dirty_convs(tx, j->id)) < 0 || (rc = emit_convs(tx, j->id)) < 0)
        return rc;
    return store__event(tx, "contact.updated", codec_event_contact(j->id));
}

int
store_contact_unblock(struct store *st, struct arena *ar, int64_t id, int64_t **open_convs,
                      size_t *n)
{
    struct block_job j = { .id = id, .ar = ar };
    int rc = store__submit(st, unblock_tx, &j, true);
    if (rc == 0) {
        *open_convs = j.convs;
        *n = j.nconvs;
    }
    return rc;
}
