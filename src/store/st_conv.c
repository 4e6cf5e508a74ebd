/* SPDX-License-Identifier: MIT */
/*
 * st_conv.c - conversations and their messages: reads, the inbox list with keyset paging,
 * and the agent-side writes (reply, note, assign, status, labels).
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/buf.h"
#include "base/limits.h"

void
store__conv_row(struct arena *ar, struct db_stmt *s, struct conv *c)
{
    memset(c, 0, sizeof(*c));
    c->id = db_i64(s, 0);
    c->channel_id = db_i64(s, 1);
    c->contact_id = db_i64(s, 2);
    c->assignee_id = db_i64(s, 3);
    c->status = store__col(ar, s, 4);
    c->public = db_int(s, 5) != 0;
    c->priority = db_int(s, 6);
    c->labels = store__col(ar, s, 7);
    c->intent = store__col(ar, s, 8);
    c->sentiment = store__col(ar, s, 9);
    c->urgency = db_null(s, 10) ? -1 : db_int(s, 10);
    c->snooze_until = db_i64(s, 11);
    c->resolution_reason = store__col(ar, s, 12);
    c->preview = store__col(ar, s, 13);
    c->unread = db_i64(s, 14);
    c->message_count = db_i64(s, 15);
    c->last_message_at = db_i64(s, 16);
    c->created_at = db_i64(s, 17);
    c->updated_at = db_i64(s, 18);
    c->contact_name = store__col(ar, s, 19);
    c->channel_type = store__col(ar, s, 20);
    c->channel_name = store__col(ar, s, 21);
    c->last_inbound_at = db_i64(s, 22);
    c->store = store__col(ar, s, 23);
    c->linked_id = db_i64(s, 24);
    c->blocked = db_int(s, 25) != 0;
}

int
store__conv_read(struct store__conn *c, struct arena *ar, int64_t id, struct conv *out)
{
    struct db_stmt *s = store__q(c, "SELECT " STORE__CONV_COLS STORE__CONV_FROM "WHERE c.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        store__conv_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

#define MSG_COLS                                                                                   \
    "m.id, m.conversation_id, m.channel_id, m.direction, m.kind, m.text, m.author_agent_id, "     \
    "CASE WHEN m.direction = 'in' THEN ct.name WHEN m.bot_faq_id IS NOT NULL THEN 'Bot' "        \
    "ELSE a.display_name END, "                                                                    \
    "m.external_id, m.reply_to, m.public, m.status, m.error, m.lang, m.intent, m.intent_conf, "   \
    "m.sentiment, m.sentiment_score, m.urgency, m.urgency_reasons, m.created_at, m.sent_at, "     \
    "m.bot_faq_id "                                                                                \
    "FROM message m JOIN conversation c ON c.id = m.conversation_id "                              \
    "JOIN contact ct ON ct.id = c.contact_id LEFT JOIN agent a ON a.id = m.author_agent_id "

static void
msg_row(struct arena *ar, struct db_stmt *s, struct msg *m)
{
    memset(m, 0, sizeof(*m));
    m->id = db_i64(s, 0);
    m->conversation_id = db_i64(s, 1);
    m->channel_id = db_i64(s, 2);
    m->direction = store__col(ar, s, 3);
    m->kind = store__col(ar, s, 4);
    m->text = store__col(ar, s, 5);
    m->author_agent_id = db_i64(s, 6);
    m->author_name = store__col(ar, s, 7);
    m->external_id = store__col(ar, s, 8);
    m->reply_to = store__col(ar, s, 9);
    m->public = db_int(s, 10) != 0;
    m->status = store__col(ar, s, 11);
    m->error = store__col(ar, s, 12);
    m->lang = store__col(ar, s, 13);
    m->intent = store__col(ar, s, 14);
    m->intent_conf = db_double(s, 15);
    m->sentiment = store__col(ar, s, 16);
    m->sentiment_score = db_double(s, 17);
    m->urgency = db_null(s, 18) ? -1 : db_int(s, 18);
    m->urgency_reasons = store__col(ar, s, 19);
    m->created_at = db_i64(s, 20);
    m->sent_at = db_i64(s, 21);
    m->bot = !db_null(s, 22);
}

int
store__msg_read(struct store__conn *c, struct arena *ar, int64_t id, struct msg *out)
{
    struct db_stmt *s = store__q(c, "SELECT " MSG_COLS "WHERE m.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        msg_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store__emit_conv(struct store__tx *tx, const char *type, int64_t conv_id)
{
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    struct conv c;
    int rc = store__conv_read(tx->c, ar, conv_id, &c);
    if (rc == 0 && arena_failed(ar))
        rc = ERR_TOOBIG; /* the job fails alone; the arena has logged and counted it */
    if (rc == 0)
        rc = store__event(tx, type, codec_event_conv(&c));
    arena_free(ar);
    return rc;
}

int
store__emit_convs(struct store__tx *tx, struct db_stmt *s)
{
    size_t cap = 16, n = 0;
    int64_t *ids = xmalloc(cap * sizeof(*ids));
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) {
            cap *= 2;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n++] = db_i64(s, 0);
    }
    db_reset(s);
    rc = rc == DB_DONE ? 0 : store__err(rc);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = store__emit_conv(tx, "conversation.updated", ids[i]);
    xfree(ids);
    return rc;
}

int
store__emit_msg(struct store__tx *tx, const char *type, int64_t msg_id)
{
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    struct msg m;
    struct conv c;
    int rc = store__msg_read(tx->c, ar, msg_id, &m);
    if (rc == 0)
        rc = store__conv_read(tx->c, ar, m.conversation_id, &c);
    if (rc == 0 && arena_failed(ar))
        rc = ERR_TOOBIG;
    if (rc == 0)
        rc = store__event(tx, type, codec_event_msg(&m, &c));
    arena_free(ar);
    return rc;
}

/* ---- store-staff scope ------------------------------------------------------------------- */

/* Runs 'sql' (one row with one column when visible) with ?1 = 'id' and the scope bound. */
static int
visible(struct store *st, const struct store_scope *sc, const char *sql, int64_t id)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, sql);
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    store__bind_scope(s, sc);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_conv_visible(struct store *st, const struct store_scope *sc, int64_t conv_id)
{
    return visible(st, sc, "SELECT 1 FROM conversation c WHERE c.id = ?1 AND" STORE_SCOPE_SQL,
                   conv_id);
}

int
store_msg_visible(struct store *st, const struct store_scope *sc, int64_t msg_id)
{
    return visible(st, sc, "SELECT 1 FROM message m JOIN conversation c ON "
                           "c.id = m.conversation_id WHERE m.id = ?1 AND" STORE_SCOPE_SQL,
                   msg_id);
}

int
store_contact_visible(struct store *st, const struct store_scope *sc, int64_t contact_id)
{
    if (!sc || !sc->limited)
        return visible(st, sc, "SELECT 1 FROM contact WHERE id = ?1", contact_id);
    return visible(st, sc, "SELECT 1 FROM conversation c WHERE c.contact_id = ?1 AND"
                           STORE_SCOPE_SQL "LIMIT 1", contact_id);
}

int
store_conv_get(struct store *st, struct arena *ar, int64_t id, struct conv *out)
{
    struct store__conn *c = store__reader(st);
    return c ? store__conv_read(c, ar, id, out) : ERR_IO;
}

int
store_msg_get(struct store *st, struct arena *ar, int64_t id, struct msg *out)
{
    struct store__conn *c = store__reader(st);
    return c ? store__msg_read(c, ar, id, out) : ERR_IO;
}

int
store_msg_list(struct store *st, struct arena *ar, int64_t conv_id, int64_t before_id, int limit,
               struct msg **out, size_t *n, int64_t *next_before)
{
    if (limit < 1 || limit > STORE_MSG_PAGE_MAX || before_id < 0)
        return ERR_INVAL;
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Keyset paging on message_conversation(conversation_id, id): newest first from the
     * cursor, one extra row to learn whether an older page exists. */
    struct db_stmt *s = store__q(c, "SELECT " MSG_COLS "WHERE m.conversation_id = ?1 AND m.id < ?2 "
                                  "ORDER BY m.id DESC LIMIT ?3");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    db_bind_i64(s, 2, before_id ? before_id : INT64_MAX);
    db_bind_int(s, 3, limit + 1);
    struct msg *v = ARENA_NEW_N(ar, struct msg, (size_t)limit + 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        msg_row(ar, s, &v[cnt++]); /* at most limit + 1 rows: the LIMIT above */
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    int64_t next = 0;
    if (cnt > (size_t)limit) {
        cnt = (size_t)limit;
        next = v[cnt - 1].id;
    }
    /* Oldest first, as a conversation reads. */
    for (size_t i = 0; i < cnt / 2; i++) {
        struct msg t = v[i];
        v[i] = v[cnt - 1 - i];
        v[cnt - 1 - i] = t;
    }
    *out = v;
    *n = cnt;
    *next_before = next;
    return 0;
}

/* The filters of 'f' other than q, label, cursor and order, as " AND ..." clauses over the
 * conversation 'c'; store__conv_bind binds them. */
void
store__conv_where(struct buf *sql, const struct conv_filter *f)
{
    if (f->status)
        buf_adds(sql, " AND c.status = :status");
    if (f->assignee > 0)
        buf_adds(sql, " AND c.assignee_id = :assignee");
    else if (f->assignee < 0)
        buf_adds(sql, " AND c.assignee_id IS NULL");
    if (f->channel_id)
        buf_adds(sql, " AND c.channel_id = :channel");
    if (f->contact_id)
        buf_adds(sql, " AND c.contact_id = :contact");
    if (f->intent)
        buf_adds(sql, " AND c.intent = :intent");
    if (f->sentiment)
        buf_adds(sql, " AND c.sentiment = :sentiment");
    if (f->blocked == CONV_UNBLOCKED)
        buf_adds(sql, " AND" STORE_NOT_BLOCKED_SQL);
    else if (f->blocked == CONV_BLOCKED)
        buf_adds(sql, " AND c.contact_id IN (SELECT id FROM contact WHERE status = 'blocked')");
    if (f->by_urgency)
        buf_adds(sql, " AND c.urgency BETWEEN :umin AND :umax");
    if (f->scope && f->scope->limited)
        buf_adds(sql, " AND" STORE_SCOPE_SQL);
}

void
store__conv_bind(struct db_stmt *s, const struct conv_filter *f)
{
#define BIND(name) db_param(s, name)
    if (f->status)
        store__bind_cstr(s, BIND(":status"), f->status);
    if (f->assignee > 0)
        db_bind_i64(s, BIND(":assignee"), f->assignee);
    if (f->channel_id)
        db_bind_i64(s, BIND(":channel"), f->channel_id);
    if (f->contact_id)
        db_bind_i64(s, BIND(":contact"), f->contact_id);
    if (f->intent)
        store__bind_cstr(s, BIND(":intent"), f->intent);
    if (f->sentiment)
        store__bind_cstr(s, BIND(":sentiment"), f->sentiment);
    if (f->label)
        store__bind_cstr(s, BIND(":label"), f->label);
    if (f->scope && f->scope->limited)
        store__bind_scope(s, f->scope);
    if (f->by_urgency) {
        db_bind_int(s, BIND(":umin"), f->urgency_min);
        db_bind_int(s, BIND(":umax"), f->urgency_max);
    }
#undef BIND
}

int
store_conv_list(struct store *st, struct arena *ar, const struct conv_filter *f,
                struct conv **out, size_t *n, int64_t *next_ts, int64_t *next_id)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* A q made only of spaces or punctuation is no filter (see st_search.c). */
    if (f->q && store__search_words(f->q))
        return store__conv_search(c, ar, f, out, n, next_ts, next_id);
    struct buf sql;
    buf_init(&sql, 8192);
    /* With a label, drive the query from the label index (SQLite's CROSS JOIN fixes the loop
     * order; PostgreSQL has no CROSS JOIN ... ON and plans the join from its statistics): a
     * label selects few conversations, and walking the recency index instead would visit
     * them all. */
    if (f->label)
        buf_printf(&sql, "SELECT " STORE__CONV_COLS "FROM conversation_label cl %s conversation c "
                         "ON c.id = cl.conversation_id " STORE__CONV_JOINS
                         "WHERE cl.label = :label",
                   c->pg ? "JOIN" : "CROSS JOIN");
    else
        buf_adds(&sql, "SELECT " STORE__CONV_COLS STORE__CONV_FROM "WHERE 1 = 1");
    store__conv_where(&sql, f);
    /* Order (and page) by the columns of the index that drives the query. */
    const char *ts = f->label ? "cl.last_message_at" : "c.last_message_at";
    const char *id = f->label ? "cl.conversation_id" : "c.id";
    if (f->cursor_ts || f->cursor_id)
        buf_printf(&sql, " AND (%s, %s) %c (:cts, :cid)", ts, id, f->oldest_first ? '>' : '<');
    buf_printf(&sql, " ORDER BY %s %s, %s %s", ts, f->oldest_first ? "ASC" : "DESC", id,
               f->oldest_first ? "ASC" : "DESC");
    buf_adds(&sql, " LIMIT :limit");

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
    store__conv_bind(s, f);
    if (f->cursor_ts || f->cursor_id) {
        db_bind_i64(s, db_param(s, ":cts"), f->cursor_ts);
        db_bind_i64(s, db_param(s, ":cid"), f->cursor_id);
    }
    int limit = f->limit > 0 && f->limit <= 200 ? f->limit : 50;
    /* One extra row tells whether another page exists. */
    db_bind_int(s, db_param(s, ":limit"), limit + 1);
    struct conv *v = ARENA_NEW_N(ar, struct conv, (size_t)limit + 1);
    size_t cnt = 0;
    while ((rc = db_step(s)) == DB_ROW)
        store__conv_row(ar, s, &v[cnt++]);
    db_finalize(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *next_ts = *next_id = 0;
    if (cnt > (size_t)limit) {
        cnt = (size_t)limit;
        *next_ts = v[cnt - 1].last_message_at;
        *next_id = v[cnt - 1].id;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
store_conv_counts(struct store *st, int64_t agent_id, const struct store_scope *sc,
                  struct conv_counts *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(
        c, "SELECT (SELECT count(*) FROM conversation c WHERE c.assignee_id = ?1 AND "
           "c.status = 'open' AND" STORE_NOT_BLOCKED_SQL "AND" STORE_SCOPE_SQL "),"
           " (SELECT count(*) FROM conversation c WHERE c.assignee_id IS NULL AND "
           "c.status = 'open' AND" STORE_NOT_BLOCKED_SQL "AND" STORE_SCOPE_SQL "),"
           " (SELECT count(*) FROM conversation c WHERE c.status = 'open' AND"
           STORE_NOT_BLOCKED_SQL "AND" STORE_SCOPE_SQL "),"
           " (SELECT count(*) FROM conversation c WHERE c.status = 'resolved' AND"
           STORE_NOT_BLOCKED_SQL "AND" STORE_SCOPE_SQL "),"
           " (SELECT count(*) FROM conversation c WHERE c.status != 'resolved' AND "
           "c.contact_id IN (SELECT id FROM contact WHERE status = 'blocked') AND"
           STORE_SCOPE_SQL ")");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, agent_id);
    store__bind_scope(s, sc);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->mine = db_i64(s, 0);
        out->unassigned = db_i64(s, 1);
        out->open = db_i64(s, 2);
        out->resolved = db_i64(s, 3);
        out->blocked = db_i64(s, 4);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

/* ---- writes -------------------------------------------------------------------------- */

struct reply_job {
    int64_t conv_id, agent_id;
    struct str text;
    bool note;
    int64_t at;
    int64_t msg_id;
};

static int
reply_tx(struct store__tx *tx, void *arg)
{
    struct reply_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT channel_id, public FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    if (db_step(s) != DB_ROW) {
        db_reset(s);
        return ERR_NOTFOUND;
    }
    int64_t channel_id = db_i64(s, 0);
    int pub = db_int(s, 1);
    db_reset(s);

    s = store__q(tx->c, "INSERT INTO message(conversation_id, channel_id, direction, kind, text, "
                        "author_agent_id, public, status, created_at) "
                        "VALUES (?, ?, 'out', ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    db_bind_i64(s, 2, channel_id);
    db_bind_text_ref(s, 3, j->note ? "note" : "message", -1);
    store__bind_str(s, 4, j->text);
    if (j->agent_id)
        db_bind_i64(s, 5, j->agent_id);
    else
        db_bind_null(s, 5); /* an integration's API token, not an agent */
    db_bind_int(s, 6, j->note ? 0 : pub);
    db_bind_text_ref(s, 7, j->note ? "none" : "queued", -1);
    int64_t at = j->at ? j->at : tx->now;
    db_bind_i64(s, 8, at);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->msg_id = db_last_id(tx->c);
    if (!j->note) {
        if ((rc = store__outbox_add(tx, j->msg_id, channel_id)) < 0)
            return rc;
        s = store__q(tx->c, "UPDATE conversation SET unread = 0, message_count = message_count + 1,"
                            " last_message_at = max(last_message_at, ?), updated_at = ? WHERE id = ?");
    } else {
        s = store__q(tx->c, "UPDATE conversation SET message_count = message_count + 1,"
                            " updated_at = ?2 WHERE id = ?3");
    }
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, at);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, j->conv_id);
    rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return store__emit_msg(tx, "message.created", j->msg_id);
}

int
store_reply(struct store *st, int64_t conv_id, int64_t agent_id, struct str text,
            bool private_note, int64_t *msg_id)
{
    return store_reply_at(st, conv_id, agent_id, text, private_note, 0, msg_id);
}

int
store_reply_at(struct store *st, int64_t conv_id, int64_t agent_id, struct str text,
               bool private_note, int64_t at, int64_t *msg_id)
{
    struct reply_job j = { .conv_id = conv_id, .agent_id = agent_id, .text = text,
                           .note = private_note, .at = at };
    int rc = store__submit(st, reply_tx, &j, true);
    if (rc == 0)
        *msg_id = j.msg_id;
    return rc;
}

struct conv_job {
    int64_t conv_id;
    int64_t agent_id;
    const char *status;
    int64_t snooze_until;
    const char *reason;
    const struct str *add, *remove;
    size_t nadd, nremove;
};

static int
changed_or_missing(struct store__tx *tx, int64_t conv_id)
{
    if (db_changes(tx->c) > 0)
        return 0;
    struct db_stmt *s = store__q(tx->c, "SELECT 1 FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_ROW ? 1 : ERR_NOTFOUND;
}

static int
assign_tx(struct store__tx *tx, void *arg)
{
    struct conv_job *j = arg;
    struct db_stmt *s;
    if (j->agent_id) {
        s = store__q(tx->c, "SELECT 1 FROM agent WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->agent_id);
        int found = db_step(s) == DB_ROW;
        db_reset(s);
        if (!found)
            return ERR_NOTFOUND;
    }
    s = store__q(tx->c, "UPDATE conversation SET assignee_id = ?, updated_at = ? "
                        "WHERE id = ? AND assignee_id IS DISTINCT FROM ?");
    if (!s)
        return ERR_IO;
    if (j->agent_id)
        db_bind_i64(s, 1, j->agent_id);
    else
        db_bind_null(s, 1);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, j->conv_id);
    if (j->agent_id)
        db_bind_i64(s, 4, j->agent_id);
    else
        db_bind_null(s, 4);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    rc = changed_or_missing(tx, j->conv_id);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* unchanged: no event */
    return store__emit_conv(tx, "conversation.updated", j->conv_id);
}

int
store_conv_assign(struct store *st, int64_t conv_id, int64_t agent_id, int64_t actor_id)
{
    (void)actor_id;
    struct conv_job j = { .conv_id = conv_id, .agent_id = agent_id };
    return store__submit(st, assign_tx, &j, true);
}

static int
status_tx(struct store__tx *tx, void *arg)
{
    struct conv_job *j = arg;
    struct db_stmt *s = store__q(
        tx->c, "UPDATE conversation SET status = ?, snooze_until = ?, "
               "resolution_reason = CASE WHEN ?1 = 'resolved' THEN ? ELSE NULL END, "
               "updated_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->status, -1);
    if (j->snooze_until)
        db_bind_i64(s, 2, j->snooze_until);
    else
        db_bind_null(s, 2);
    store__bind_cstr(s, 3, j->reason);
    db_bind_i64(s, 4, tx->now);
    db_bind_i64(s, 5, j->conv_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    return store__emit_conv(tx, "conversation.updated", j->conv_id);
}

int
store_conv_set_status(struct store *st, int64_t conv_id, const char *status,
                      int64_t snooze_until, const char *reason, int64_t actor_id)
{
    (void)actor_id;
    if (!model_conv_status_valid(str_c(status)))
        return ERR_INVAL;
    struct conv_job j = { .conv_id = conv_id, .status = status, .snooze_until = snooze_until,
                          .reason = reason };
    return store__submit(st, status_tx, &j, true);
}

static int
labels_tx(struct store__tx *tx, void *arg)
{
    struct conv_job *j = arg;
    struct db_stmt *s;
    int rc;
    for (size_t i = 0; i < j->nadd; i++) {
        s = store__q(tx->c, "INSERT INTO conversation_label(label, conversation_id, "
                            "last_message_at) SELECT ?, id, last_message_at FROM conversation "
                            "WHERE id = ? ON CONFLICT DO NOTHING");
        if (!s)
            return ERR_IO;
        store__bind_str(s, 1, j->add[i]);
        db_bind_i64(s, 2, j->conv_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    for (size_t i = 0; i < j->nremove; i++) {
        s = store__q(tx->c, "DELETE FROM conversation_label WHERE label = ? AND conversation_id = ?");
        if (!s)
            return ERR_IO;
        store__bind_str(s, 1, j->remove[i]);
        db_bind_i64(s, 2, j->conv_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    s = store__q(tx->c, "SELECT count(*) FROM conversation_label WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    db_step(s);
    int count = db_int(s, 0);
    db_reset(s);
    if (count > MODEL_LABELS_MAX)
        return ERR_INVAL;
    /* SQLite aggregates in the subquery's order; PostgreSQL is told the order. */
    s = store__q(tx->c, store__sql(tx->c,
                                   "UPDATE conversation SET updated_at = ?, labels = (SELECT "
                                   "coalesce(json_group_array(label), '[]') FROM (SELECT label "
                                   "FROM conversation_label WHERE conversation_id = ?2 "
                                   "ORDER BY label)) WHERE id = ?2",
                                   "UPDATE conversation SET updated_at = ?, labels = (SELECT "
                                   "coalesce(json_group_array(label ORDER BY label), '[]') "
                                   "FROM conversation_label WHERE conversation_id = ?2) "
                                   "WHERE id = ?2"));
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    return store__emit_conv(tx, "conversation.updated", j->conv_id);
}

int
store_conv_labels(struct store *st, int64_t conv_id, const struct str *add, size_t nadd,
                  const struct str *remove, size_t nremove)
{
    struct conv_job j = { .conv_id = conv_id, .add = add, .nadd = nadd, .remove = remove,
                          .nremove = nremove };
    return store__submit(st, labels_tx, &j, true);
}

static int
read_tx(struct store__tx *tx, void *arg)
{
    struct conv_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE conversation SET unread = 0 WHERE id = ? AND unread > 0");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    rc = changed_or_missing(tx, j->conv_id);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    return store__emit_conv(tx, "conversation.updated", j->conv_id);
}

int
store_conv_mark_read(struct store *st, int64_t conv_id)
{
    struct conv_job j = { .conv_id = conv_id };
    return store__submit(st, read_tx, &j, true);
}
