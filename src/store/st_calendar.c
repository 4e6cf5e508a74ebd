/* SPDX-License-Identifier: MIT */
/*
 * st_calendar.c - business-hours calendars: a time zone, weekly opening ranges
 * (calendar_range) and holidays. care/ turns them into business time; teams and SLA policies
 * refer to them.
 */
#include "base/base.h"
#include "store/store_int.h"

static int
calendar_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_calendar *c = j->obj;
    struct db_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE calendar SET name = ?, tz = ?, hours = ?, holidays = ?, "
                            "updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 6, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO calendar(name, tz, hours, holidays, updated_at, "
                            "created_at) VALUES (?, ?, ?, ?, ?, ?5)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, c->name);
    store__bind_cstr(s, 2, c->tz);
    store__bind_cstr(s, 3, c->hours ? c->hours : "{}");
    store__bind_cstr(s, 4, c->holidays ? c->holidays : "[]");
    db_bind_i64(s, 5, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    s = store__q(tx->c, "DELETE FROM calendar_range WHERE calendar_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->out_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    for (size_t i = 0; i < c->nranges; i++) {
        s = store__q(tx->c, "INSERT INTO calendar_range(calendar_id, dow, start_min, end_min) "
                            "VALUES (?, ?, ?, ?)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->out_id);
        db_bind_int(s, 2, c->ranges[i].dow);
        db_bind_int(s, 3, c->ranges[i].start_min);
        db_bind_int(s, 4, c->ranges[i].end_min);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    return 0;
}

int
store_calendar_put(struct store *st, int64_t id, const struct store_calendar *c, int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = c };
    int rc = store__submit(st, calendar_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

static void
calendar_row(struct store__conn *c, struct arena *ar, struct db_stmt *s, struct store_calendar *out)
{
    memset(out, 0, sizeof(*out));
    out->id = db_i64(s, 0);
    out->name = store__col(ar, s, 1);
    out->tz = store__col(ar, s, 2);
    out->hours = store__col(ar, s, 3);
    out->holidays = store__col(ar, s, 4);
    out->created_at = db_i64(s, 5);
    out->updated_at = db_i64(s, 6);
    (void)c;
}

/* Fills ranges and holiday days of 'out' (a separate statement: the caller's is finished). */
static int
calendar_details(struct store__conn *c, struct arena *ar, struct store_calendar *out)
{
    struct db_stmt *s = store__q(c, "SELECT dow, start_min, end_min FROM calendar_range "
                                  "WHERE calendar_id = ? ORDER BY dow, start_min");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, out->id);
    struct store_range *r = ARENA_NEW_N(ar, struct store_range, 7 * 8);
    size_t n = 0;
    while (db_step(s) == DB_ROW && n < 7 * 8) {
        r[n].dow = db_int(s, 0);
        r[n].start_min = db_int(s, 1);
        r[n].end_min = db_int(s, 2);
        n++;
    }
    db_reset(s);
    out->ranges = r;
    out->nranges = n;
    s = store__q(c, "SELECT CAST(replace(value, '-', '') AS INTEGER) FROM json_each(?) "
                    "WHERE json_valid(?1) AND type = 'text' ORDER BY 1");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, out->holidays ? out->holidays : "[]", -1);
    size_t cap = 16;
    int32_t *d = ARENA_NEW_N(ar, int32_t, cap);
    n = 0;
    while (db_step(s) == DB_ROW) {
        if (n == cap) {
            int32_t *w = ARENA_NEW_N(ar, int32_t, cap * 2);
            memcpy(w, d, cap * sizeof(*d));
            d = w;
            cap *= 2;
        }
        d[n++] = (int32_t)db_int(s, 0);
    }
    db_reset(s);
    out->holiday_days = d;
    out->nholiday_days = n;
    return 0;
}

#define CAL_COLS "id, name, tz, hours, holidays, created_at, updated_at"

int
store_calendar_get(struct store *st, struct arena *ar, int64_t id, struct store_calendar *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " CAL_COLS " FROM calendar WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    struct store_calendar cal;
    if (rc == DB_ROW)
        calendar_row(c, ar, s, &cal);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    rc = calendar_details(c, ar, &cal);
    if (rc == 0)
        *out = cal;
    return rc;
}

int
store_calendar_list(struct store *st, struct arena *ar, struct store_calendar **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " CAL_COLS " FROM calendar ORDER BY id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_calendar *v = ARENA_NEW_N(ar, struct store_calendar, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        calendar_row(c, ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++) {
        if ((rc = calendar_details(c, ar, &v[i])) < 0)
            return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
store_calendar_delete(struct store *st, int64_t id)
{
    struct store__del_job j = { id,
                         "SELECT (SELECT count(*) FROM team WHERE calendar_id = ?1) + "
                         "(SELECT count(*) FROM sla_policy WHERE calendar_id = ?1) + "
                         "(SELECT count(*) FROM channel WHERE type = 'webchat' AND "
                         "json_valid(settings) AND "
                         "CASE WHEN json_type(settings, '$.calendar_id') = 'integer' THEN "
                         "CAST(json_extract(settings, '$.calendar_id') AS BIGINT) END = ?1)",
                         "DELETE FROM calendar WHERE id = ?1" };
    return store__submit(st, store__delete_tx, &j, true);
}
