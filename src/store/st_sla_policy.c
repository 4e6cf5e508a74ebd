/* SPDX-License-Identifier: MIT */
/*
 * st_sla_policy.c - SLA policies (sla_policy): which conversations they match and their
 * response and resolution targets. Every update bumps the version, so deadlines recompute
 * lazily (st_sla.c).
 */
#include "base/base.h"
#include "store/store_int.h"

static void
bind_pos_or_null(struct db_stmt *s, int i, int64_t v)
{
    if (v > 0)
        db_bind_i64(s, i, v);
    else
        db_bind_null(s, i);
}

static int
policy_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_sla_policy *p = j->obj;
    struct db_stmt *s;
    if (j->id) {
        s = store__q(tx->c, "UPDATE sla_policy SET name = ?, position = ?, priority = ?, "
                            "channel_type = ?, intent = ?, first_response_s = ?, "
                            "next_response_s = ?, resolution_s = ?, business_hours = ?, "
                            "calendar_id = ?, warn_pct = ?, updated_at = ?, "
                            "version = version + 1 WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 13, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO sla_policy(name, position, priority, channel_type, "
                            "intent, first_response_s, next_response_s, resolution_s, "
                            "business_hours, calendar_id, warn_pct, updated_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?12)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, p->name);
    db_bind_int(s, 2, p->position);
    if (p->priority >= 0)
        db_bind_int(s, 3, p->priority);
    else
        db_bind_null(s, 3);
    store__bind_cstr(s, 4, p->channel_type);
    store__bind_cstr(s, 5, p->intent);
    bind_pos_or_null(s, 6, p->first_s);
    bind_pos_or_null(s, 7, p->next_s);
    bind_pos_or_null(s, 8, p->resolve_s);
    db_bind_int(s, 9, p->business_hours);
    store__bind_id(s, 10, p->calendar_id);
    db_bind_int(s, 11, p->warn_pct > 0 ? p->warn_pct : 80);
    db_bind_i64(s, 12, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return store__fk_err(tx, rc);
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    return 0;
}

int
store_sla_policy_put(struct store *st, int64_t id, const struct store_sla_policy *p,
                     int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = p };
    int rc = store__submit(st, policy_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define POLICY_COLS                                                                                \
    "id, name, position, coalesce(priority, -1), channel_type, intent, "                          \
    "coalesce(first_response_s, 0), coalesce(next_response_s, 0), coalesce(resolution_s, 0), "    \
    "business_hours, coalesce(calendar_id, 0), warn_pct, version, created_at, updated_at"

static void
policy_row(struct arena *ar, struct db_stmt *s, struct store_sla_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->id = db_i64(s, 0);
    p->name = store__col(ar, s, 1);
    p->position = db_int(s, 2);
    p->priority = db_int(s, 3);
    p->channel_type = store__col(ar, s, 4);
    p->intent = store__col(ar, s, 5);
    p->first_s = db_i64(s, 6);
    p->next_s = db_i64(s, 7);
    p->resolve_s = db_i64(s, 8);
    p->business_hours = db_int(s, 9) != 0;
    p->calendar_id = db_i64(s, 10);
    p->warn_pct = db_int(s, 11);
    p->version = db_i64(s, 12);
    p->created_at = db_i64(s, 13);
    p->updated_at = db_i64(s, 14);
}

int
store_sla_policy_get(struct store *st, struct arena *ar, int64_t id, struct store_sla_policy *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " POLICY_COLS " FROM sla_policy WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        policy_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_sla_policy_list(struct store *st, struct arena *ar, struct store_sla_policy **out,
                      size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " POLICY_COLS " FROM sla_policy "
                                  "ORDER BY position, id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_sla_policy *v = ARENA_NEW_N(ar, struct store_sla_policy, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        policy_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_sla_policy_delete(struct store *st, int64_t id)
{
    struct store__del_job j = { id, NULL, "DELETE FROM sla_policy WHERE id = ?1" };
    return store__submit(st, store__delete_tx, &j, true);
}
