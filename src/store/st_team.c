/* SPDX-License-Identifier: MIT */
/*
 * st_team.c - teams and their members (team, team_member): the lead, the calendar, the honest
 * acknowledgement settings and the round-robin cursor routing moves.
 */
#include "base/base.h"
#include "store/store_int.h"

static int
team_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_team *t = j->obj;
    struct db_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE team SET name = ?, lead_agent_id = ?, calendar_id = ?, "
                            "autoack = ?, autoack_public = ?, autoack_templates = ?, "
                            "updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 8, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO team(name, lead_agent_id, calendar_id, autoack, "
                            "autoack_public, autoack_templates, updated_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?7)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, t->name);
    store__bind_id(s, 2, t->lead_agent_id);
    store__bind_id(s, 3, t->calendar_id);
    db_bind_int(s, 4, t->autoack);
    db_bind_int(s, 5, t->autoack_public);
    store__bind_cstr(s, 6, t->autoack_templates ? t->autoack_templates : "{}");
    db_bind_i64(s, 7, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return store__fk_err(tx, rc);
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    s = store__q(tx->c, "DELETE FROM team_member WHERE team_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->out_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    for (size_t i = 0; i < t->nmembers; i++) {
        s = store__q(tx->c, "INSERT INTO team_member(team_id, agent_id) VALUES (?, ?) "
                            "ON CONFLICT(team_id, agent_id) DO NOTHING");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->out_id);
        db_bind_i64(s, 2, t->members[i]);
        if ((rc = store__step_done(s)) < 0)
            return store__fk_err(tx, rc);
    }
    return 0;
}

int
store_team_put(struct store *st, int64_t id, const struct store_team *t, int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = t };
    int rc = store__submit(st, team_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define TEAM_COLS                                                                                  \
    "id, name, coalesce(lead_agent_id, 0), coalesce(calendar_id, 0), autoack, autoack_public, "   \
    "autoack_templates, rr_last_agent, created_at, updated_at"

static int
team_row(struct store__conn *c, struct arena *ar, struct db_stmt *s, struct store_team *t)
{
    memset(t, 0, sizeof(*t));
    t->id = db_i64(s, 0);
    t->name = store__col(ar, s, 1);
    t->lead_agent_id = db_i64(s, 2);
    t->calendar_id = db_i64(s, 3);
    t->autoack = db_int(s, 4) != 0;
    t->autoack_public = db_int(s, 5) != 0;
    t->autoack_templates = store__col(ar, s, 6);
    t->rr_last_agent = db_i64(s, 7);
    t->created_at = db_i64(s, 8);
    t->updated_at = db_i64(s, 9);
    (void)c;
    return 0;
}

static int
team_members(struct store__conn *c, struct arena *ar, struct store_team *t)
{
    struct db_stmt *s = store__q(c, "SELECT agent_id FROM team_member WHERE team_id = ? "
                                  "ORDER BY agent_id");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, t->id);
    size_t cap = 16, n = 0;
    int64_t *v = ARENA_NEW_N(ar, int64_t, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) {
            int64_t *w = ARENA_NEW_N(ar, int64_t, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[n++] = db_i64(s, 0);
    }
    db_reset(s);
    t->members = v;
    t->nmembers = n;
    return rc == DB_DONE ? 0 : store__err(rc);
}

int
store_team_get(struct store *st, struct arena *ar, int64_t id, struct store_team *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " TEAM_COLS " FROM team WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    struct store_team t;
    int rc = db_step(s);
    if (rc == DB_ROW)
        team_row(c, ar, s, &t);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    rc = team_members(c, ar, &t);
    if (rc == 0)
        *out = t;
    return rc;
}

int
store_team_list(struct store *st, struct arena *ar, struct store_team **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " TEAM_COLS " FROM team ORDER BY id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_team *v = ARENA_NEW_N(ar, struct store_team, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        team_row(c, ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++) {
        if ((rc = team_members(c, ar, &v[i])) < 0)
            return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
store_team_delete(struct store *st, int64_t id)
{
    struct store__del_job j = { id, "SELECT count(*) FROM routing_rule WHERE team_id = ?1",
                         "DELETE FROM team WHERE id = ?1" };
    return store__submit(st, store__delete_tx, &j, true);
}

int
store_team_autoack_text(struct store *st, struct arena *ar, int64_t team_id, const char *lang,
                        const char **out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT j.value FROM team t, json_each(CASE WHEN "
                                  "json_valid(t.autoack_templates) THEN t.autoack_templates "
                                  "ELSE '{}' END) j WHERE t.id = ? AND j.type = 'text' "
                                  "ORDER BY j.key = ? DESC, j.key = 'en' DESC, j.key LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, team_id);
    store__bind_cstr(s, 2, lang ? lang : "en");
    *out = NULL;
    int rc = db_step(s);
    if (rc == DB_ROW)
        *out = store__col(ar, s, 0);
    db_reset(s);
    return rc == DB_ROW || rc == DB_DONE ? 0 : store__err(rc);
}
