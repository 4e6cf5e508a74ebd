/* SPDX-License-Identifier: MIT */
/*
 * st_audit.c - the audit log (table audit, migration 014): appended with its events in one
 * write job, listed newest first with keyset paging.
 *
 * The table is append-only: triggers refuse UPDATE and DELETE, and this file has no statement
 * that would try. What goes in is decided above (api/audit.c), secrets already masked.
 */
#include "base/base.h"
#include "store/store_int.h"

#define AUDIT_COLS                                                                                 \
    "id, at, coalesce(actor_agent_id, 0), coalesce(actor_token_id, 0), actor, action, "          \
    "target_type, coalesce(target_id, 0), summary, before, after, ip, request_id FROM audit"

static void
audit_row(struct arena *ar, struct db_stmt *s, struct audit_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->id = db_i64(s, 0);
    e->at = db_i64(s, 1);
    e->actor_agent_id = db_i64(s, 2);
    e->actor_token_id = db_i64(s, 3);
    e->actor = store__col(ar, s, 4);
    e->action = store__col(ar, s, 5);
    e->target_type = store__col(ar, s, 6);
    e->target_id = db_i64(s, 7);
    e->summary = store__col(ar, s, 8);
    e->before = store__col(ar, s, 9);
    e->after = store__col(ar, s, 10);
    e->ip = store__col(ar, s, 11);
    e->request_id = store__col(ar, s, 12);
    if (!e->actor)
        e->actor = "";
    if (!e->summary)
        e->summary = "";
    if (!e->ip)
        e->ip = "";
    if (!e->request_id)
        e->request_id = "";
}

struct audit_job {
    const struct audit_entry *e;
    const char *area;
    int64_t id;
};

static int
audit_add_tx(struct store__tx *tx, void *arg)
{
    struct audit_job *j = arg;
    const struct audit_entry *e = j->e;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO audit(at, actor_agent_id, actor_token_id, "
                                      "actor, action, target_type, target_id, summary, before, "
                                      "after, ip, request_id) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    store__bind_id(s, 2, e->actor_agent_id);
    store__bind_id(s, 3, e->actor_token_id);
    store__bind_cstr(s, 4, e->actor ? e->actor : "");
    store__bind_cstr(s, 5, e->action);
    store__bind_cstr(s, 6, e->target_type);
    store__bind_id(s, 7, e->target_id);
    store__bind_cstr(s, 8, e->summary ? e->summary : "");
    store__bind_cstr(s, 9, e->before);
    store__bind_cstr(s, 10, e->after);
    store__bind_cstr(s, 11, e->ip ? e->ip : "");
    store__bind_cstr(s, 12, e->request_id ? e->request_id : "");
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->id = db_last_id(tx->c);
    /* A NULL payload (not encodable) fails the job: no entry without its events. */
    char *data = codec_event_audit(j->id, e->action);
    if (!data)
        return ERR_INVAL;
    rc = store__event(tx, "audit.recorded", data);
    if (rc < 0 || !j->area)
        return rc;
    data = codec_event_settings(j->area, e->target_id, e->action, e->actor_agent_id,
                                e->actor && e->actor[0] ? e->actor : NULL);
    if (!data)
        return ERR_INVAL;
    return store__event(tx, "settings.changed", data);
}

int
store_audit_add(struct store *st, const struct audit_entry *e, const char *settings_area,
                int64_t *id)
{
    if (!e->action || !e->action[0])
        return ERR_INVAL;
    struct audit_job j = { .e = e, .area = settings_area };
    int rc = store__submit(st, audit_add_tx, &j, true);
    if (rc == 0 && id)
        *id = j.id;
    return rc;
}

int
store_audit_list(struct store *st, struct arena *ar, const struct audit_filter *f, int limit,
                 struct audit_entry **out, size_t *n, bool *more)
{
    if (limit < 1)
        return ERR_INVAL;
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* One statement for every combination of filters: an absent filter binds NULL (or 0) and
     * its clause is true. The scan walks ids downwards and stops at the page, so the common
     * case (the newest page, few filters) reads only what it returns. SQLite's LIKE ignores
     * ASCII case; PostgreSQL's ILIKE does that. */
#define AUDIT_LIST(LIKE)                                                                           \
    "SELECT " AUDIT_COLS " WHERE (?1 = 0 OR id < ?1)"                                              \
    " AND (?2 = 0 OR actor_agent_id = ?2)"                                                         \
    " AND (?3 IS NULL OR actor " LIKE " ?3 ESCAPE '\\')"                                           \
    " AND (?4 IS NULL OR substr(action, 1, length(?4)) = ?4)"                                      \
    " AND (?5 IS NULL OR target_type = ?5)"                                                        \
    " AND (?6 = 0 OR target_id = ?6)"                                                              \
    " AND (?7 = 0 OR at >= ?7)"                                                                    \
    " AND (?8 = 0 OR at < ?8)"                                                                     \
    " AND (?9 IS NULL OR summary " LIKE " ?9 ESCAPE '\\' OR actor " LIKE " ?9 ESCAPE '\\'"          \
    "      OR action " LIKE " ?9 ESCAPE '\\' OR coalesce(target_type, '') " LIKE " ?9 ESCAPE '\\')"  \
    " ORDER BY id DESC LIMIT ?10"
    struct db_stmt *s = store__q(c, store__sql(c, AUDIT_LIST("LIKE"), AUDIT_LIST("ILIKE")));
#undef AUDIT_LIST
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, f->before_id);
    db_bind_i64(s, 2, f->actor_agent_id);
    if (f->actor && f->actor[0])
        store__bind_like(s, 3, f->actor);
    if (f->action && f->action[0])
        store__bind_cstr(s, 4, f->action);
    if (f->target_type && f->target_type[0])
        store__bind_cstr(s, 5, f->target_type);
    db_bind_i64(s, 6, f->target_id);
    db_bind_i64(s, 7, f->since);
    db_bind_i64(s, 8, f->until);
    if (f->q && f->q[0])
        store__bind_like(s, 9, f->q);
    db_bind_i64(s, 10, (int64_t)limit + 1); /* one more tells whether a next page exists */
    struct audit_entry *v = ARENA_NEW_N(ar, struct audit_entry, (size_t)limit + 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        audit_row(ar, s, &v[cnt++]);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    bool extra = cnt > (size_t)limit;
    *out = v;
    *n = extra ? (size_t)limit : cnt;
    if (more)
        *more = extra;
    return 0;
}

int
store_audit_get(struct store *st, struct arena *ar, int64_t id, struct audit_entry *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " AUDIT_COLS " WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        audit_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}
