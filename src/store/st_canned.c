/* SPDX-License-Identifier: MIT */
/*
 * st_canned.c - canned replies (canned_reply and its full-text index canned_fts) and the
 * per-agent count of replies sent despite a robotic-template nudge (reply_nudge_override).
 *
 * A search is one statement over the replies one agent may see (the shared set and their own):
 * a prefix of the shortcut or of a title word, or FTS5 prefix terms over the title and every
 * language's body. The FTS row is rewritten in the same job as its reply, so both always agree.
 */
#include "base/base.h"
#include "store/store_int.h"

#include <ctype.h>

#include "base/arena.h"

/* On PostgreSQL the index (canned_reply_search) follows the rows: nothing to write. */
static int
fts_put(struct store__tx *tx, int64_t id)
{
    if (tx->c->pg)
        return 0;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM canned_fts WHERE rowid = ?");
    int rc;
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "INSERT INTO canned_fts(rowid, title, body) SELECT id, title, "
                        "(SELECT group_concat(value, ' ') FROM json_each(CASE WHEN "
                        "json_valid(bodies) THEN bodies ELSE '{}' END) WHERE type = 'text') "
                        "FROM canned_reply WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    return store__step_done(s);
}

static int
canned_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_canned *c = j->obj;
    struct db_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE canned_reply SET title = ?1, shortcut = ?2, tags = ?3, "
                            "bodies = ?4, default_lang = ?5, updated_at = ?6 WHERE id = ?7");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 7, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO canned_reply(title, shortcut, tags, bodies, "
                            "default_lang, updated_at, created_at, owner_agent_id) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
        if (!s)
            return ERR_IO;
        store__bind_id(s, 7, c->owner_agent_id);
    }
    store__bind_cstr(s, 1, c->title);
    store__bind_cstr(s, 2, c->shortcut);
    store__bind_cstr(s, 3, c->tags ? c->tags : "[]");
    store__bind_cstr(s, 4, c->bodies ? c->bodies : "{}");
    store__bind_cstr(s, 5, c->default_lang ? c->default_lang : "en");
    db_bind_i64(s, 6, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return store__fk_err(tx, rc);
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    return fts_put(tx, j->out_id);
}

int
store_canned_put(struct store *st, int64_t id, const struct store_canned *c, int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = c };
    int rc = store__submit(st, canned_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

static int
canned_delete_tx(struct store__tx *tx, void *arg)
{
    const int64_t *id = arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM canned_reply WHERE id = ?");
    int rc;
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = store__changed(tx)) < 0 || tx->c->pg)
        return rc;
    s = store__q(tx->c, "DELETE FROM canned_fts WHERE rowid = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *id);
    return store__step_done(s);
}

int
store_canned_delete(struct store *st, int64_t id)
{
    return store__submit(st, canned_delete_tx, &id, true);
}

#define CANNED_COLS                                                                                \
    "r.id, coalesce(r.owner_agent_id, 0), r.title, r.shortcut, r.tags, r.bodies, "                 \
    "r.default_lang, r.created_at, r.updated_at"

static void
canned_row(struct arena *ar, struct db_stmt *s, struct store_canned *c)
{
    c->id = db_i64(s, 0);
    c->owner_agent_id = db_i64(s, 1);
    c->title = store__col(ar, s, 2);
    c->shortcut = store__col(ar, s, 3);
    c->tags = store__col(ar, s, 4);
    c->bodies = store__col(ar, s, 5);
    c->default_lang = store__col(ar, s, 6);
    c->created_at = db_i64(s, 7);
    c->updated_at = db_i64(s, 8);
}

int
store_canned_get(struct store *st, struct arena *ar, int64_t id, struct store_canned *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " CANNED_COLS " FROM canned_reply r WHERE r.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        canned_row(ar, s, out);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    return 0;
}

/* The FTS5 query for the words of 'q': each word a quoted prefix term ("refu"*), all of them
 * required, so no character of the agent's input is read as FTS syntax; on PostgreSQL the
 * tsquery of the same terms ('refu':* & 'its':*). "" when 'q' has no word. */
static const char *
fts_query(struct arena *ar, const char *q, bool pg)
{
    /* Each byte of a word becomes itself; a word adds at most 6 bytes ("", * and a space;
     * '', :* and " & " on PostgreSQL). */
    size_t len = strlen(q);
    char *out = arena_alloc(ar, len * 7 + 1);
    size_t o = 0;
    const char *p = q;
    while (*p) {
        while (*p && !(isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        const char *w = p;
        while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        if (p > w) {
            if (o && pg) {
                memcpy(out + o, " & ", 3);
                o += 3;
            } else if (o) {
                out[o++] = ' ';
            }
            out[o++] = pg ? '\'' : '"';
            memcpy(out + o, w, (size_t)(p - w));
            o += (size_t)(p - w);
            out[o++] = pg ? '\'' : '"';
            if (pg)
                out[o++] = ':';
            out[o++] = '*';
        }
    }
    out[o] = '\0';
    return out;
}

/* "q%": a LIKE prefix pattern with LIKE's own characters escaped for ESCAPE '\'. */
static const char *
like_prefix(struct arena *ar, const char *q)
{
    size_t len = strlen(q), o = 0;
    char *out = arena_alloc(ar, len * 2 + 2);
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '%';
    out[o] = '\0';
    return out;
}

int
store_canned_search(struct store *st, struct arena *ar, const struct store_canned_query *q,
                    struct store_canned **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    const char *text = q->q ? q->q : "";
    const char *match = fts_query(ar, text, c->pg);
    struct db_stmt *s;
    if (!text[0]) {
        s = store__q(c, "SELECT " CANNED_COLS " FROM canned_reply r WHERE "
                        "(r.owner_agent_id IS NULL OR r.owner_agent_id = ?1) "
                        "ORDER BY r.owner_agent_id IS NULL, r.shortcut LIMIT ?2");
    } else if (!match[0]) {
        s = store__q(c, "SELECT " CANNED_COLS " FROM canned_reply r WHERE "
                        "(r.owner_agent_id IS NULL OR r.owner_agent_id = ?1) AND "
                        "(r.shortcut LIKE ?3 ESCAPE '\\' OR r.title LIKE ?3 ESCAPE '\\') "
                        "ORDER BY r.owner_agent_id IS NULL, r.shortcut LIMIT ?2");
    } else {
        /* PostgreSQL: canned_reply_search's expression, to_tsquery of fts_query's terms. */
        s = store__q(c, store__sql(c,
            "SELECT " CANNED_COLS " FROM canned_reply r WHERE "
            "(r.owner_agent_id IS NULL OR r.owner_agent_id = ?1) AND "
            "(r.shortcut LIKE ?3 ESCAPE '\\' OR r.title LIKE ?3 ESCAPE '\\' OR "
            "r.title LIKE '% ' || ?3 ESCAPE '\\' OR "
            "r.id IN (SELECT rowid FROM canned_fts WHERE canned_fts MATCH ?4)) "
            "ORDER BY r.owner_agent_id IS NULL, r.shortcut LIKE ?3 ESCAPE '\\' "
            "DESC, r.shortcut LIMIT ?2",
            "SELECT " CANNED_COLS " FROM canned_reply r WHERE "
            "(r.owner_agent_id IS NULL OR r.owner_agent_id = ?1) AND "
            "(r.shortcut LIKE ?3 ESCAPE '\\' OR r.title LIKE ?3 ESCAPE '\\' OR "
            "r.title LIKE '% ' || ?3 ESCAPE '\\' OR "
            "(to_tsvector('simple', r.title) || jsonb_to_tsvector('simple', r.bodies::jsonb, "
            "'[\"string\"]')) @@ to_tsquery('simple', ?4)) "
            "ORDER BY r.owner_agent_id IS NULL, r.shortcut LIKE ?3 ESCAPE '\\' "
            "DESC, r.shortcut LIMIT ?2"));
    }
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, q->agent_id);
    db_bind_int(s, 2, q->limit > 0 && q->limit <= STORE_CANNED_LIST_MAX
                               ? q->limit : STORE_CANNED_LIST_MAX);
    if (text[0]) {
        const char *like = like_prefix(ar, text);
        store__bind_cstr(s, 3, like);
        if (match[0])
            store__bind_cstr(s, 4, match);
    }
    size_t cnt = 0, cap = 16;
    struct store_canned *v = ARENA_NEW_N(ar, struct store_canned, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        canned_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_conv_lang(struct store *st, struct arena *ar, int64_t conv_id, const char **out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT lang FROM message WHERE conversation_id = ? AND "
                                  "direction = 'in' AND lang IS NOT NULL AND lang != '' "
                                  "ORDER BY id DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    const char *lang = rc == DB_ROW ? store__col(ar, s, 0) : NULL;
    db_reset(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return store__err(rc);
    *out = lang;
    return 0;
}

static int
override_add_tx(struct store__tx *tx, void *arg)
{
    const int64_t *agent = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO reply_nudge_override(agent_id, count, "
                                      "last_at) VALUES (?1, 1, ?2) ON CONFLICT(agent_id) DO "
                                      "UPDATE SET count = reply_nudge_override.count + 1, "
                                      "last_at = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *agent);
    db_bind_i64(s, 2, tx->now);
    int rc = store__step_done(s);
    return rc < 0 ? store__fk_err(tx, rc) : 0;
}

int
store_nudge_override_add(struct store *st, int64_t agent_id)
{
    return store__submit(st, override_add_tx, &agent_id, true);
}

int
store_nudge_override_list(struct store *st, struct arena *ar,
                          struct store_nudge_override **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT o.agent_id, a.name, o.count, o.last_at FROM "
                                  "reply_nudge_override o JOIN agent a ON a.id = o.agent_id "
                                  "ORDER BY o.agent_id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_nudge_override *v = ARENA_NEW_N(ar, struct store_nudge_override, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        v[cnt].agent_id = db_i64(s, 0);
        v[cnt].agent_name = store__col(ar, s, 1);
        v[cnt].count = db_i64(s, 2);
        v[cnt].last_at = db_i64(s, 3);
        cnt++;
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
