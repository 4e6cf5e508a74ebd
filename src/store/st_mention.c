/* SPDX-License-Identifier: MIT */
/*
 * st_mention.c - the public posts social listening matched (mention, with the ids of the
 * queries they matched): stored once per (platform, external id), listed with filters and
 * turned into care conversations. A new mention writes a mention.created event in the same
 * job (codec_event_mention, with the fields src/api/listening.c returns for the same
 * object).
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/arena.h"
#include "base/buf.h"

#define MENTION_COLS                                                                               \
    "SELECT m.id, m.platform, m.external_id, m.author_handle, m.author_name, m.text, m.lang, "    \
    "m.url, m.created_at, m.intent, m.intent_conf, m.sentiment, m.sentiment_score, m.urgency, "   \
    "m.urgency_reasons, m.addressed_to_brand, m.opportunity, m.conversation_id, m.received_at, " \
    "(SELECT group_concat(query_id) FROM (SELECT query_id FROM mention_query "                    \
    "WHERE mention_id = m.id ORDER BY query_id) q), m.author_followers, m.dismissed_at "         \
    "FROM mention m "

static void
mention_row(struct arena *ar, struct db_stmt *s, struct mention *m)
{
    memset(m, 0, sizeof(*m));
    m->id = db_i64(s, 0);
    m->platform = store__col(ar, s, 1);
    m->external_id = store__col(ar, s, 2);
    m->author_handle = store__col(ar, s, 3);
    m->author_name = store__col(ar, s, 4);
    m->text = store__col(ar, s, 5);
    m->lang = store__col(ar, s, 6);
    m->url = store__col(ar, s, 7);
    m->created_at = db_i64(s, 8);
    m->intent = store__col(ar, s, 9);
    m->intent_conf = db_double(s, 10);
    m->sentiment = store__col(ar, s, 11);
    m->sentiment_score = db_double(s, 12);
    m->urgency = db_null(s, 13) ? -1 : db_int(s, 13);
    m->urgency_reasons = store__col(ar, s, 14);
    m->addressed_to_brand = db_int(s, 15) != 0;
    m->opportunity = db_int(s, 16) != 0;
    m->conversation_id = db_i64(s, 17);
    m->received_at = db_i64(s, 18);
    m->author_followers =
        db_null(s, 20) ? -1 : db_i64(s, 20);
    m->dismissed_at = db_i64(s, 21);
    const char *ids = db_text(s, 19);
    if (ids && *ids) {
        size_t cnt = 1;
        for (const char *p = ids; *p; p++)
            cnt += *p == ',';
        int64_t *v = ARENA_NEW_N(ar, int64_t, cnt);
        size_t k = 0;
        struct str rest = str_c(ids), head;
        while (k < cnt) {
            bool more = str_cut(rest, ',', &head, &rest);
            if (!more)
                head = rest;
            if (str_to_i64(head, 1, INT64_MAX, &v[k]) == 0)
                k++;
            if (!more)
                break;
        }
        m->query_ids = v;
        m->nqueries = k;
    }
}

static int
mention_read(struct store__conn *c, struct arena *ar, int64_t id, struct mention *out)
{
    struct db_stmt *s = store__q(c, MENTION_COLS "WHERE m.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        mention_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

struct mention_job {
    const struct mention *m;
    int64_t id;
    bool duplicate;
};

static int
mention_add_tx(struct store__tx *tx, void *arg)
{
    struct mention_job *j = arg;
    const struct mention *m = j->m;
    /* (platform, external_id) is the dedupe key: a post seen before (by this or another
     * instance, at the same moment too) inserts nothing and keeps its first row. PostgreSQL
     * returns the new id with the row (no lastval() round trip). */
    struct db_stmt *s = store__q(
        tx->c,
        store__sql(tx->c,
                   "INSERT INTO mention(platform, external_id, author_handle, author_name, "
                   "text, lang, url, created_at, intent, intent_conf, sentiment, "
                   "sentiment_score, urgency, urgency_reasons, addressed_to_brand, "
                   "opportunity, received_at, author_followers) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (platform, external_id) DO NOTHING",
                   "INSERT INTO mention(platform, external_id, author_handle, author_name, "
                   "text, lang, url, created_at, intent, intent_conf, sentiment, "
                   "sentiment_score, urgency, urgency_reasons, addressed_to_brand, "
                   "opportunity, received_at, author_followers) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (platform, external_id) DO NOTHING RETURNING id"));
    if (!s)
        return ERR_IO;
    int64_t created = m->created_at ? m->created_at : tx->now;
    store__bind_cstr(s, 1, m->platform);
    store__bind_cstr(s, 2, m->external_id);
    store__bind_cstr(s, 3, m->author_handle ? m->author_handle : "");
    store__bind_cstr(s, 4, m->author_name);
    store__bind_cstr(s, 5, m->text);
    store__bind_cstr(s, 6, m->lang);
    store__bind_cstr(s, 7, m->url);
    db_bind_i64(s, 8, created);
    store__bind_cstr(s, 9, m->intent);
    store__bind_cstr(s, 11, m->sentiment);
    if (m->intent) {
        db_bind_double(s, 10, m->intent_conf);
        db_bind_double(s, 12, m->sentiment_score);
    }
    if (m->urgency >= 0)
        db_bind_int(s, 13, m->urgency);
    store__bind_cstr(s, 14, m->urgency_reasons);
    db_bind_int(s, 15, m->addressed_to_brand);
    db_bind_int(s, 16, m->opportunity);
    db_bind_i64(s, 17, tx->now);
    if (m->author_followers >= 0)
        db_bind_i64(s, 18, m->author_followers);
    int rc = db_step(s);
    int64_t new_id = rc == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    if (rc < 0)
        return rc;
    bool added = tx->c->pg ? rc == DB_ROW : db_changes(tx->c) > 0;
    if (!added) {
        s = store__q(tx->c, "SELECT id FROM mention WHERE platform = ? AND external_id = ?");
        if (!s)
            return ERR_IO;
        store__bind_cstr(s, 1, m->platform);
        store__bind_cstr(s, 2, m->external_id);
        rc = db_step(s);
        if (rc == DB_ROW)
            j->id = db_i64(s, 0);
        db_reset(s);
        if (rc != DB_ROW)
            return rc == DB_DONE ? ERR_IO : store__err(rc);
        j->duplicate = true;
        return 0;
    }
    j->id = tx->c->pg ? new_id : db_last_id(tx->c);
    s = store__q(tx->c, "INSERT INTO mention_query(query_id, mention_id) VALUES (?, ?) "
                        "ON CONFLICT (query_id, mention_id) DO NOTHING");
    if (!s)
        return ERR_IO;
    for (size_t i = 0; i < m->nqueries; i++) {
        db_bind_i64(s, 1, m->query_ids[i]);
        db_bind_i64(s, 2, j->id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    struct mention ev = *m;
    ev.id = j->id;
    ev.created_at = created;
    ev.received_at = tx->now;
    ev.conversation_id = 0;
    ev.dismissed_at = 0;
    return store__event(tx, "mention.created", codec_event_mention(&ev));
}

int
store_mention_add(struct store *st, const struct mention *m, int64_t *id, bool *duplicate)
{
    if (!m->platform || !*m->platform || !m->external_id || !*m->external_id || !m->text)
        return ERR_INVAL;
    struct mention_job j = { .m = m };
    int rc = store__submit(st, mention_add_tx, &j, true);
    if (rc == 0) {
        *id = j.id;
        *duplicate = j.duplicate;
    }
    return rc;
}

int
store_mention_get(struct store *st, struct arena *ar, int64_t id, struct mention *out)
{
    struct store__conn *c = store__reader(st);
    return c ? mention_read(c, ar, id, out) : ERR_IO;
}

int
store_mention_list(struct store *st, struct arena *ar, const struct mention_filter *f,
                   struct mention **out, size_t *n, int64_t *next)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct buf sql;
    buf_init(&sql, 8192);
    buf_adds(&sql, MENTION_COLS "WHERE 1 = 1");
    if (f->query_id)
        buf_adds(&sql, " AND m.id IN (SELECT mention_id FROM mention_query WHERE query_id = "
                       ":query)");
    if (f->intent)
        buf_adds(&sql, " AND m.intent = :intent");
    if (f->sentiment)
        buf_adds(&sql, " AND m.sentiment = :sentiment");
    if (f->opportunity)
        buf_adds(&sql, " AND m.opportunity = 1");
    /* SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE does that (LIKE would not). */
    const char *like = c->pg ? "ILIKE" : "LIKE";
    if (f->q && f->q[0])
        buf_printf(&sql, " AND m.text %s :like ESCAPE '\\'", like);
    if (f->lang)
        buf_printf(&sql, " AND (m.lang = :lang OR m.lang %s :langp ESCAPE '\\')", like);
    if (f->platform)
        buf_adds(&sql, " AND m.platform = :platform");
    if (f->alert_id)
        buf_adds(&sql, " AND m.external_id IN (SELECT value FROM json_each((SELECT posts FROM "
                       "spike_alert WHERE id = :alert)))");
    if (f->addressed)
        buf_adds(&sql, f->addressed > 0 ? " AND m.addressed_to_brand = 1"
                                        : " AND m.addressed_to_brand = 0");
    if (f->dismissed)
        buf_adds(&sql, f->dismissed > 0 ? " AND m.dismissed_at IS NOT NULL"
                                        : " AND m.dismissed_at IS NULL");
    if (f->cursor)
        buf_adds(&sql, " AND m.id < :cursor");
    buf_adds(&sql, " ORDER BY m.id DESC LIMIT :limit");
    struct db_stmt *s = NULL;
    int rc = buf_error(&sql);
    if (rc < 0) {
        buf_release(&sql);
        return rc;
    }
    rc = db_prepare(c, sql.p, sql.len, &s);
    buf_release(&sql);
    if (rc < 0)
        return rc;
#define BIND(name) db_param(s, name)
    if (f->query_id)
        db_bind_i64(s, BIND(":query"), f->query_id);
    if (f->intent)
        store__bind_cstr(s, BIND(":intent"), f->intent);
    if (f->sentiment)
        store__bind_cstr(s, BIND(":sentiment"), f->sentiment);
    if (f->q && f->q[0])
        store__bind_like(s, BIND(":like"), f->q);
    if (f->cursor)
        db_bind_i64(s, BIND(":cursor"), f->cursor);
    if (f->lang) {
        /* "pt" is also every "pt-BR": the tag's region does not split a language. */
        char langp[64];
        snprintf(langp, sizeof(langp), "%s-%%", f->lang);
        store__bind_cstr(s, BIND(":lang"), f->lang);
        store__bind_cstr(s, BIND(":langp"), langp);
    }
    if (f->platform)
        store__bind_cstr(s, BIND(":platform"), f->platform);
    if (f->alert_id)
        db_bind_i64(s, BIND(":alert"), f->alert_id);
    int limit = f->limit > 0 && f->limit <= 200 ? f->limit : 50;
    /* One extra row tells whether there is a next page. */
    db_bind_int(s, BIND(":limit"), limit + 1);
#undef BIND
    struct mention *v = ARENA_NEW_N(ar, struct mention, (size_t)limit + 1);
    size_t cnt = 0;
    while ((rc = db_step(s)) == DB_ROW)
        mention_row(ar, s, &v[cnt++]);
    db_finalize(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *next = 0;
    if (cnt > (size_t)limit) {
        cnt = (size_t)limit;
        *next = v[cnt - 1].id;
    }
    *out = v;
    *n = cnt;
    return 0;
}

struct mention_conv_job {
    int64_t id, conv_id;
};

static int
mention_conv_tx(struct store__tx *tx, void *arg)
{
    struct mention_conv_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE mention SET conversation_id = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    db_bind_i64(s, 2, j->id);
    int rc = store__step_done(s);
    if (rc == 0 && db_changes(tx->c) == 0)
        rc = ERR_NOTFOUND;
    return rc;
}

int
store_mention_set_conversation(struct store *st, int64_t id, int64_t conv_id)
{
    struct mention_conv_job j = { .id = id, .conv_id = conv_id };
    return store__submit(st, mention_conv_tx, &j, true);
}

struct mention_dismiss_job {
    int64_t id, agent_id;
    bool dismiss;
    struct arena *ar;
    struct mention *out;
};

static int
mention_dismiss_tx(struct store__tx *tx, void *arg)
{
    struct mention_dismiss_job *j = arg;
    /* Dismissing again keeps the first time and agent; bringing back clears both. */
    struct db_stmt *s = store__q(tx->c, "UPDATE mention SET "
                                      "dismissed_at = CASE WHEN :on <> 0 THEN "
                                      "coalesce(dismissed_at, :now) END, "
                                      "dismissed_by = CASE WHEN :on <> 0 THEN "
                                      "coalesce(dismissed_by, :agent) END WHERE id = :id");
    if (!s)
        return ERR_IO;
    db_bind_int(s, db_param(s, ":on"), j->dismiss);
    db_bind_i64(s, db_param(s, ":now"), tx->now);
    if (j->agent_id)
        db_bind_i64(s, db_param(s, ":agent"), j->agent_id);
    db_bind_i64(s, db_param(s, ":id"), j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    if ((rc = mention_read(tx->c, j->ar, j->id, j->out)) < 0)
        return rc;
    return store__event(tx, "mention.updated", codec_event_mention(j->out));
}

int
store_mention_dismiss(struct store *st, struct arena *ar, int64_t id, int64_t agent_id,
                      bool dismiss, struct mention *out)
{
    struct mention_dismiss_job j = {
        .id = id, .agent_id = agent_id, .dismiss = dismiss, .ar = ar, .out = out
    };
    return store__submit(st, mention_dismiss_tx, &j, true);
}

/* ---- saved views of the listening screen ---------------------------------------------------- */

static void
lview_row(struct arena *ar, struct db_stmt *s, struct store_lview *v)
{
    v->id = db_i64(s, 0);
    v->agent_id = db_i64(s, 1);
    v->name = store__col(ar, s, 2);
    v->filters = store__col(ar, s, 3);
    v->created_at = db_i64(s, 4);
    v->updated_at = db_i64(s, 5);
}

#define LVIEW_COLS "SELECT id, agent_id, name, filters, created_at, updated_at FROM listening_view "

int
store_lview_list(struct store *st, struct arena *ar, int64_t agent_id, struct store_lview **out,
                 size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, LVIEW_COLS "WHERE agent_id = ? ORDER BY name, id LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, agent_id);
    db_bind_int(s, 2, STORE_LVIEW_MAX);
    struct store_lview *v = ARENA_NEW_N(ar, struct store_lview, STORE_LVIEW_MAX);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW && cnt < STORE_LVIEW_MAX)
        lview_row(ar, s, &v[cnt++]);
    db_reset(s);
    if (rc != DB_DONE && rc != DB_ROW)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_lview_get(struct store *st, struct arena *ar, int64_t agent_id, int64_t id,
                struct store_lview *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, LVIEW_COLS "WHERE id = ? AND agent_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, agent_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        lview_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

struct lview_job {
    int64_t id, agent_id;
    const char *name, *filters; /* NULL: unchanged (put of an existing view) */
    int64_t out_id;
};

static int
lview_put_tx(struct store__tx *tx, void *arg)
{
    struct lview_job *j = arg;
    struct db_stmt *s;
    int rc;
    if (j->name) {
        s = store__q(tx->c, "SELECT 1 FROM listening_view WHERE agent_id = ? AND name = ? AND "
                            "id != ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->agent_id);
        store__bind_cstr(s, 2, j->name);
        db_bind_i64(s, 3, j->id);
        rc = db_step(s);
        db_reset(s);
        if (rc == DB_ROW)
            return ERR_CONFLICT;
        if (rc != DB_DONE)
            return store__err(rc);
    }
    if (j->id == 0) {
        s = store__q(tx->c, "SELECT count(*) FROM listening_view WHERE agent_id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->agent_id);
        rc = db_step(s);
        int64_t cnt = rc == DB_ROW ? db_i64(s, 0) : 0;
        db_reset(s);
        if (rc != DB_ROW)
            return store__err(rc);
        if (cnt >= STORE_LVIEW_MAX)
            return ERR_TOOBIG;
        s = store__q(tx->c, "INSERT INTO listening_view(agent_id, name, filters, created_at, "
                            "updated_at) VALUES (?, ?, ?, ?, ?)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->agent_id);
        store__bind_cstr(s, 2, j->name);
        store__bind_cstr(s, 3, j->filters);
        db_bind_i64(s, 4, tx->now);
        db_bind_i64(s, 5, tx->now);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        j->out_id = db_last_id(tx->c);
        return 0;
    }
    s = store__q(tx->c, "UPDATE listening_view SET name = coalesce(?, name), "
                        "filters = coalesce(?, filters), updated_at = ? "
                        "WHERE id = ? AND agent_id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->name);
    store__bind_cstr(s, 2, j->filters);
    db_bind_i64(s, 3, tx->now);
    db_bind_i64(s, 4, j->id);
    db_bind_i64(s, 5, j->agent_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    j->out_id = j->id;
    return 0;
}

int
store_lview_put(struct store *st, int64_t agent_id, int64_t id, const char *name,
                const char *filters, int64_t *out_id)
{
    if (!agent_id || (!id && (!name || !filters)))
        return ERR_INVAL;
    struct lview_job j = { .id = id, .agent_id = agent_id, .name = name, .filters = filters };
    int rc = store__submit(st, lview_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

static int
lview_delete_tx(struct store__tx *tx, void *arg)
{
    struct lview_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM listening_view WHERE id = ? AND agent_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    db_bind_i64(s, 2, j->agent_id);
    int rc = store__step_done(s);
    if (rc == 0 && db_changes(tx->c) == 0)
        rc = ERR_NOTFOUND;
    return rc;
}

int
store_lview_delete(struct store *st, int64_t agent_id, int64_t id)
{
    struct lview_job j = { .id = id, .agent_id = agent_id };
    return store__submit(st, lview_delete_tx, &j, true);
}
