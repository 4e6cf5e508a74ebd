/* SPDX-License-Identifier: MIT */
/*
 * st_rule.c - routing rules (routing_rule): ordered conditions that send a conversation to a team
 * with a strategy. Condition lists are JSON arrays stored as given.
 */
#include "base/base.h"
#include "store/store_int.h"

static int
rule_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_rule *r = j->obj;
    struct db_stmt *s;
    if (j->id) {
        s = store__q(tx->c, "UPDATE routing_rule SET name = ?, position = ?, enabled = ?, "
                            "channels = ?, languages = ?, public = ?, tags = ?, locations = ?, "
                            "intents = ?, sentiments = ?, urgency_min = ?, skills = ?, "
                            "team_id = ?, strategy = ?, updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 16, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO routing_rule(name, position, enabled, channels, "
                            "languages, public, tags, locations, intents, sentiments, "
                            "urgency_min, skills, team_id, strategy, updated_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?15)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, r->name);
    db_bind_int(s, 2, r->position);
    db_bind_int(s, 3, r->enabled);
    store__bind_cstr(s, 4, r->channels ? r->channels : "[]");
    store__bind_cstr(s, 5, r->languages ? r->languages : "[]");
    if (r->public_match >= 0)
        db_bind_int(s, 6, r->public_match);
    else
        db_bind_null(s, 6);
    store__bind_cstr(s, 7, r->tags ? r->tags : "[]");
    store__bind_cstr(s, 8, r->locations ? r->locations : "[]");
    store__bind_cstr(s, 9, r->intents ? r->intents : "[]");
    store__bind_cstr(s, 10, r->sentiments ? r->sentiments : "[]");
    if (r->urgency_min >= 0)
        db_bind_int(s, 11, r->urgency_min);
    else
        db_bind_null(s, 11);
    store__bind_cstr(s, 12, r->skills ? r->skills : "[]");
    db_bind_i64(s, 13, r->team_id);
    store__bind_cstr(s, 14, r->strategy);
    db_bind_i64(s, 15, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return store__fk_err(tx, rc);
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    return 0;
}

int
store_rule_put(struct store *st, int64_t id, const struct store_rule *r, int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = r };
    int rc = store__submit(st, rule_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define RULE_COLS                                                                                  \
    "id, name, position, enabled, channels, languages, coalesce(public, -1), tags, locations, "   \
    "intents, sentiments, coalesce(urgency_min, -1), skills, team_id, strategy, created_at, "     \
    "updated_at"

static void
rule_row(struct arena *ar, struct db_stmt *s, struct store_rule *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_i64(s, 0);
    r->name = store__col(ar, s, 1);
    r->position = db_int(s, 2);
    r->enabled = db_int(s, 3) != 0;
    r->channels = store__col(ar, s, 4);
    r->languages = store__col(ar, s, 5);
    r->public_match = db_int(s, 6);
    r->tags = store__col(ar, s, 7);
    r->locations = store__col(ar, s, 8);
    r->intents = store__col(ar, s, 9);
    r->sentiments = store__col(ar, s, 10);
    r->urgency_min = db_int(s, 11);
    r->skills = store__col(ar, s, 12);
    r->team_id = db_i64(s, 13);
    r->strategy = store__col(ar, s, 14);
    r->created_at = db_i64(s, 15);
    r->updated_at = db_i64(s, 16);
}

static void
rule_lists(struct store__conn *c, struct arena *ar, struct store_rule *r)
{
    store__strs(c, ar, r->channels, &r->channels_v);
    store__strs(c, ar, r->languages, &r->languages_v);
    store__strs(c, ar, r->tags, &r->tags_v);
    store__strs(c, ar, r->locations, &r->locations_v);
    store__strs(c, ar, r->intents, &r->intents_v);
    store__strs(c, ar, r->sentiments, &r->sentiments_v);
    store__strs(c, ar, r->skills, &r->skills_v);
}

int
store_rule_get(struct store *st, struct arena *ar, int64_t id, struct store_rule *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " RULE_COLS " FROM routing_rule WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    struct store_rule r;
    int rc = db_step(s);
    if (rc == DB_ROW)
        rule_row(ar, s, &r);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    rule_lists(c, ar, &r);
    *out = r;
    return 0;
}

int
store_rule_list(struct store *st, struct arena *ar, struct store_rule **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " RULE_COLS " FROM routing_rule "
                                  "ORDER BY position, id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_rule *v = ARENA_NEW_N(ar, struct store_rule, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        rule_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++)
        rule_lists(c, ar, &v[i]);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_rule_delete(struct store *st, int64_t id)
{
    struct store__del_job j = { id, NULL, "DELETE FROM routing_rule WHERE id = ?1" };
    return store__submit(st, store__delete_tx, &j, true);
}

struct rule_order_job {
    const int64_t *ids;
    size_t n;
};

/* One transaction: the set named must be exactly the rules there are now, so a reorder made
 * from a stale list (a rule added or deleted meanwhile) changes nothing. */
static int
rule_order_tx(struct store__tx *tx, void *arg)
{
    struct rule_order_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT count(*) FROM routing_rule");
    if (!s)
        return ERR_IO;
    int64_t have = -1;
    if (db_step(s) == DB_ROW)
        have = db_i64(s, 0);
    db_reset(s);
    if (have != (int64_t)j->n)
        return ERR_CONFLICT;
    s = store__q(tx->c, "UPDATE routing_rule SET position = ?, updated_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    for (size_t i = 0; i < j->n; i++) {
        db_bind_int(s, 1, (int)(i + 1));
        db_bind_i64(s, 2, tx->now);
        db_bind_i64(s, 3, j->ids[i]);
        int rc = store__step_done(s);
        if (rc < 0)
            return rc;
        if (store__changed(tx) < 0)
            return ERR_CONFLICT;
    }
    return 0;
}

int
store_rule_order(struct store *st, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (ids[k] == ids[i])
                return ERR_INVAL;
        }
    }
    struct rule_order_job j = { ids, n };
    return store__submit(st, rule_order_tx, &j, true);
}
