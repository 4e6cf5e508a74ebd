/* SPDX-License-Identifier: MIT */
/*
 * st_policy.c - care policy (024_care_policy.sql): the root-cause taxonomy (root_cause), the
 * root cause of each conversation (conv_root_cause), goodwill grants and their approval
 * (goodwill), the one row of policy settings (care_policy), and the two reports over them.
 *
 * Amounts are integer minor units throughout; a report sums them in SQL as integers.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/arena.h"
#include "base/buf.h"

/* ---- root causes ---------------------------------------------------------------------- */

static int
cause_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_root_cause *c = j->obj;
    struct db_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE root_cause SET name = ?1, keywords = ?2, archived = ?3, "
                            "updated_at = ?4 WHERE id = ?5");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 5, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO root_cause(name, keywords, archived, updated_at, "
                            "created_at) VALUES (?1, ?2, ?3, ?4, ?4)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, c->name);
    store__bind_cstr(s, 2, c->keywords ? c->keywords : "[]");
    db_bind_int(s, 3, c->archived);
    db_bind_i64(s, 4, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    return 0;
}

int
store_root_cause_put(struct store *st, int64_t id, const struct store_root_cause *c,
                     int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = c };
    int rc = store__submit(st, cause_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define CAUSE_COLS                                                                                 \
    "r.id, r.name, r.keywords, r.archived, r.created_at, r.updated_at, "                           \
    "(SELECT count(*) FROM conv_root_cause x WHERE x.root_cause_id = r.id) + "                    \
    "(SELECT count(*) FROM goodwill g WHERE g.root_cause_id = r.id)"

static void
cause_row(struct arena *ar, struct db_stmt *s, struct store_root_cause *c)
{
    c->id = db_i64(s, 0);
    c->name = store__col(ar, s, 1);
    c->keywords = store__col(ar, s, 2);
    c->archived = db_int(s, 3) != 0;
    c->created_at = db_i64(s, 4);
    c->updated_at = db_i64(s, 5);
    c->uses = db_i64(s, 6);
}

int
store_root_cause_get(struct store *st, struct arena *ar, int64_t id, struct store_root_cause *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " CAUSE_COLS " FROM root_cause r WHERE r.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        cause_row(ar, s, out);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    return 0;
}

int
store_root_cause_list(struct store *st, struct arena *ar, bool with_archived,
                      struct store_root_cause **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    *out = NULL;
    *n = 0;
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " CAUSE_COLS " FROM root_cause r "
                                  "WHERE ?1 <> 0 OR r.archived = 0 ORDER BY lower(r.name)");
    if (!s)
        return ERR_IO;
    db_bind_int(s, 1, with_archived);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, *out, *n, cap);
        cause_row(ar, s, &(*out)[(*n)++]);
    }
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

int
store_root_cause_delete(struct store *st, int64_t id)
{
    struct store__del_job j = {
        .id = id,
        .in_use = "SELECT (SELECT count(*) FROM conv_root_cause WHERE root_cause_id = ?1) + "
                  "(SELECT count(*) FROM goodwill WHERE root_cause_id = ?1)",
        .del = "DELETE FROM root_cause WHERE id = ?1",
    };
    return store__submit(st, store__delete_tx, &j, true);
}

/* ---- a conversation's root cause ------------------------------------------------------ */

struct cause_set_job {
    int64_t conv_id, cause_id, agent_id;
    bool suggested;
};

static int
cause_set_tx(struct store__tx *tx, void *arg)
{
    struct cause_set_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO conv_root_cause(conversation_id, "
                                      "root_cause_id, agent_id, suggested, set_at) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(conversation_id) "
                                      "DO UPDATE SET root_cause_id = ?2, agent_id = ?3, "
                                      "suggested = ?4, set_at = ?5");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    db_bind_i64(s, 2, j->cause_id);
    store__bind_id(s, 3, j->agent_id);
    db_bind_int(s, 4, j->suggested);
    db_bind_i64(s, 5, tx->now);
    int rc = store__step_done(s);
    return rc < 0 ? store__fk_err(tx, rc) : 0;
}

int
store_conv_cause_set(struct store *st, int64_t conv_id, int64_t cause_id, int64_t agent_id,
                     bool suggested)
{
    struct cause_set_job j = { conv_id, cause_id, agent_id, suggested };
    return store__submit(st, cause_set_tx, &j, true);
}

int
store_conv_cause_get(struct store *st, struct arena *ar, int64_t conv_id,
                     struct store_conv_cause *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT x.conversation_id, x.root_cause_id, "
                                  "coalesce(x.agent_id, 0), x.suggested, x.set_at, r.name "
                                  "FROM conv_root_cause x JOIN root_cause r ON "
                                  "r.id = x.root_cause_id WHERE x.conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->conversation_id = db_i64(s, 0);
        out->root_cause_id = db_i64(s, 1);
        out->agent_id = db_i64(s, 2);
        out->suggested = db_int(s, 3) != 0;
        out->set_at = db_i64(s, 4);
        out->name = store__col(ar, s, 5);
    }
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    return 0;
}

int
store_conv_inbound_text(struct store *st, struct arena *ar, int64_t conv_id, size_t max,
                        const char **out)
{
    struct store__conn *c = store__reader(st);
    *out = "";
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT text FROM message WHERE conversation_id = ? AND "
                                  "direction = 'in' AND kind = 'message' "
                                  "ORDER BY id DESC LIMIT 50");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    struct buf b;
    buf_init(&b, max + 64);
    int rc;
    while ((rc = db_step(s)) == DB_ROW && b.len < max) {
        const char *t = db_text(s, 0);
        if (!t)
            continue;
        size_t len = strlen(t);
        if (len > max - b.len)
            len = max - b.len;
        buf_add(&b, t, len);
        buf_addc(&b, '\n');
    }
    db_reset(s);
    char *txt = arena_alloc(ar, b.len + 1);
    if (b.len)
        memcpy(txt, b.p, b.len);
    txt[b.len] = '\0';
    buf_release(&b);
    *out = txt;
    return rc == DB_DONE || rc == DB_ROW ? 0 : store__err(rc);
}

/* ---- policy settings ------------------------------------------------------------------ */

static int64_t
col_limit(struct db_stmt *s, int i)
{
    return db_null(s, i) ? -1 : db_i64(s, i);
}

int
store_care_policy_get(struct store *st, struct store_care_policy *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT root_cause_required, currency, limit_agent, "
                                  "limit_store_staff, limit_supervisor, limit_admin, "
                                  "repeat_count, repeat_days, updated_at FROM care_policy "
                                  "WHERE id = 1");
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->root_cause_required = db_int(s, 0) != 0;
        const char *cur = db_text(s, 1);
        snprintf(out->currency, sizeof(out->currency), "%s", cur ? cur : "EUR");
        out->limit_agent = col_limit(s, 2);
        out->limit_store_staff = col_limit(s, 3);
        out->limit_supervisor = col_limit(s, 4);
        out->limit_admin = col_limit(s, 5);
        out->repeat_count = db_i64(s, 6);
        out->repeat_days = db_i64(s, 7);
        out->updated_at = db_i64(s, 8);
    }
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    return 0;
}

static void
bind_limit(struct db_stmt *s, int i, int64_t v)
{
    if (v < 0)
        db_bind_null(s, i);
    else
        db_bind_i64(s, i, v);
}

static int
policy_put_tx(struct store__tx *tx, void *arg)
{
    const struct store_care_policy *p = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE care_policy SET root_cause_required = ?1, "
                                      "currency = ?2, limit_agent = ?3, limit_store_staff = ?4, "
                                      "limit_supervisor = ?5, limit_admin = ?6, "
                                      "repeat_count = ?7, repeat_days = ?8, updated_at = ?9 "
                                      "WHERE id = 1");
    if (!s)
        return ERR_IO;
    db_bind_int(s, 1, p->root_cause_required);
    store__bind_cstr(s, 2, p->currency);
    bind_limit(s, 3, p->limit_agent);
    bind_limit(s, 4, p->limit_store_staff);
    bind_limit(s, 5, p->limit_supervisor);
    bind_limit(s, 6, p->limit_admin);
    db_bind_i64(s, 7, p->repeat_count);
    db_bind_i64(s, 8, p->repeat_days);
    db_bind_i64(s, 9, tx->now);
    return store__step_done(s);
}

int
store_care_policy_put(struct store *st, const struct store_care_policy *p)
{
    return store__submit(st, policy_put_tx, (void *)p, true);
}

/* ---- goodwill ------------------------------------------------------------------------- */

static int
goodwill_add_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_goodwill *g = j->obj;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO goodwill(conversation_id, contact_id, kind, "
                                      "amount_minor, currency, root_cause_id, note, status, "
                                      "requested_by, decided_by, decided_at, created_at) "
                                      "SELECT c.id, c.contact_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                      "?9, ?10, ?11 FROM conversation c WHERE c.id = ?1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, g->conversation_id);
    store__bind_cstr(s, 2, g->kind);
    db_bind_i64(s, 3, g->amount_minor);
    store__bind_cstr(s, 4, g->currency);
    db_bind_i64(s, 5, g->root_cause_id);
    store__bind_cstr(s, 6, g->note ? g->note : "");
    store__bind_cstr(s, 7, g->status);
    store__bind_id(s, 8, g->requested_by);
    store__bind_id(s, 9, g->decided_by);
    if (g->decided_at)
        db_bind_i64(s, 10, g->decided_at);
    else
        db_bind_null(s, 10);
    db_bind_i64(s, 11, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return store__fk_err(tx, rc);
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    j->out_id = db_last_id(tx->c);
    return 0;
}

int
store_goodwill_add(struct store *st, const struct store_goodwill *g, int64_t *out_id)
{
    struct store__put_job j = { .obj = g };
    int rc = store__submit(st, goodwill_add_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define GOODWILL_COLS                                                                              \
    "g.id, g.conversation_id, g.contact_id, g.kind, g.amount_minor, g.currency, "                 \
    "g.root_cause_id, g.note, g.status, coalesce(g.requested_by, 0), "                            \
    "coalesce(g.decided_by, 0), g.decision_note, coalesce(g.decided_at, 0), g.created_at, "      \
    "r.name, ra.display_name, da.display_name, ct.name "
#define GOODWILL_FROM                                                                              \
    "FROM goodwill g JOIN root_cause r ON r.id = g.root_cause_id "                                \
    "LEFT JOIN agent ra ON ra.id = g.requested_by LEFT JOIN agent da ON da.id = g.decided_by "    \
    "LEFT JOIN contact ct ON ct.id = g.contact_id "

static void
goodwill_row(struct arena *ar, struct db_stmt *s, struct store_goodwill *g)
{
    g->id = db_i64(s, 0);
    g->conversation_id = db_i64(s, 1);
    g->contact_id = db_i64(s, 2);
    g->kind = store__col(ar, s, 3);
    g->amount_minor = db_i64(s, 4);
    g->currency = store__col(ar, s, 5);
    g->root_cause_id = db_i64(s, 6);
    g->note = store__col(ar, s, 7);
    g->status = store__col(ar, s, 8);
    g->requested_by = db_i64(s, 9);
    g->decided_by = db_i64(s, 10);
    g->decision_note = store__col(ar, s, 11);
    g->decided_at = db_i64(s, 12);
    g->created_at = db_i64(s, 13);
    g->root_cause_name = store__col(ar, s, 14);
    g->requested_by_name = store__col(ar, s, 15);
    g->decided_by_name = store__col(ar, s, 16);
    g->contact_name = store__col(ar, s, 17);
}

int
store_goodwill_get(struct store *st, struct arena *ar, int64_t id, struct store_goodwill *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " GOODWILL_COLS GOODWILL_FROM "WHERE g.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        goodwill_row(ar, s, out);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    return 0;
}

int
store_goodwill_list(struct store *st, struct arena *ar, int64_t conv_id, const char *status,
                    int max, struct store_goodwill **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    *out = NULL;
    *n = 0;
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " GOODWILL_COLS GOODWILL_FROM
                                  "WHERE (?1 = 0 OR g.conversation_id = ?1) AND "
                                  "(CAST(?2 AS TEXT) IS NULL OR g.status = ?2) ORDER BY "
                                  "CASE WHEN ?2 = 'pending' THEN g.id ELSE -g.id END LIMIT ?3");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    store__bind_cstr(s, 2, status);
    db_bind_int(s, 3, max);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, *out, *n, cap);
        goodwill_row(ar, s, &(*out)[(*n)++]);
    }
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

struct decide_job {
    int64_t id;
    const char *status;
    int64_t agent_id;
    const char *note;
};

static int
decide_tx(struct store__tx *tx, void *arg)
{
    struct decide_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE goodwill SET status = ?2, decided_by = ?3, "
                                      "decision_note = ?4, decided_at = ?5 "
                                      "WHERE id = ?1 AND status = 'pending'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    store__bind_cstr(s, 2, j->status);
    store__bind_id(s, 3, j->agent_id);
    store__bind_cstr(s, 4, j->note ? j->note : "");
    db_bind_i64(s, 5, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) > 0)
        return 0;
    s = store__q(tx->c, "SELECT 1 FROM goodwill WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    rc = db_step(s);
    db_reset(s);
    return rc == DB_ROW ? ERR_CONFLICT : ERR_NOTFOUND;
}

int
store_goodwill_decide(struct store *st, int64_t id, const char *status, int64_t agent_id,
                      const char *note)
{
    struct decide_job j = { id, status, agent_id, note };
    return store__submit(st, decide_tx, &j, true);
}

int
store_goodwill_count_since(struct store *st, int64_t contact_id, int64_t since, int64_t *n)
{
    struct store__conn *c = store__reader(st);
    *n = 0;
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT count(*) FROM goodwill WHERE contact_id = ? AND "
                                  "created_at >= ? AND status IN ('approved', 'pending')");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, contact_id);
    db_bind_i64(s, 2, since);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *n = db_i64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

/* ---- reports -------------------------------------------------------------------------- */

static void
bind_filter(struct db_stmt *s, const struct store_report_filter *f)
{
    db_bind_i64(s, 1, f->from);
    db_bind_i64(s, 2, f->to);
    db_bind_i64(s, 3, f->channel_id);
    db_bind_i64(s, 4, f->team_id);
    db_bind_i64(s, 5, f->agent_id);
}

static int
report_rows(struct db_stmt *s, struct arena *ar, bool money, struct store_report_row **out,
            size_t *n)
{
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, *out, *n, cap);
        struct store_report_row *w = &(*out)[(*n)++];
        *w = (struct store_report_row){ 0 };
        w->root_cause_id = db_i64(s, 0);
        w->name = store__col(ar, s, 1);
        w->count = db_i64(s, 2);
        if (money) {
            w->currency = store__col(ar, s, 3);
            w->amount_minor = db_i64(s, 4);
        }
    }
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

int
store_report_root_causes(struct store *st, struct arena *ar,
                         const struct store_report_filter *f, struct store_report_row **out,
                         size_t *n)
{
    struct store__conn *c = store__reader(st);
    *out = NULL;
    *n = 0;
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT r.id, r.name, count(*) AS k FROM conv_root_cause x "
                                  "JOIN root_cause r ON r.id = x.root_cause_id "
                                  "JOIN conversation c ON c.id = x.conversation_id "
                                  "LEFT JOIN conv_sla sl ON sl.conversation_id = c.id "
                                  "WHERE x.set_at >= ?1 AND x.set_at < ?2 "
                                  "AND (?3 = 0 OR c.channel_id = ?3) "
                                  "AND (?4 = 0 OR sl.team_id = ?4) "
                                  "AND (?5 = 0 OR x.agent_id = ?5) "
                                  "GROUP BY r.id ORDER BY k DESC, r.name");
    if (!s)
        return ERR_IO;
    bind_filter(s, f);
    return report_rows(s, ar, false, out, n);
}

int
store_report_goodwill(struct store *st, struct arena *ar, const struct store_report_filter *f,
                      struct store_report_row **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    *out = NULL;
    *n = 0;
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT r.id, r.name, count(*), g.currency, "
                                  "sum(g.amount_minor) AS total FROM goodwill g "
                                  "JOIN root_cause r ON r.id = g.root_cause_id "
                                  "JOIN conversation c ON c.id = g.conversation_id "
                                  "LEFT JOIN conv_sla sl ON sl.conversation_id = c.id "
                                  "WHERE g.status = 'approved' AND g.created_at >= ?1 AND "
                                  "g.created_at < ?2 AND (?3 = 0 OR c.channel_id = ?3) "
                                  "AND (?4 = 0 OR sl.team_id = ?4) "
                                  "AND (?5 = 0 OR g.requested_by = ?5) "
                                  "GROUP BY r.id, g.currency ORDER BY total DESC, r.name");
    if (!s)
        return ERR_IO;
    bind_filter(s, f);
    return report_rows(s, ar, true, out, n);
}
