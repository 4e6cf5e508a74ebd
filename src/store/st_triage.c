/* SPDX-License-Identifier: MIT */
/*
 * st_triage.c - triage inputs and agents' corrections of triage labels.
 */
#include "base/base.h"
#include "store/store_int.h"

int64_t
store_sender_recent_inbound(struct store *st, const char *channel_type, struct str platform_id,
                            int64_t since_ms)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(
        c, "SELECT count(*) FROM (SELECT 1 FROM message m JOIN conversation cv ON "
           "cv.id = m.conversation_id WHERE cv.contact_id = (SELECT contact_id FROM identity "
           "WHERE channel_type = ? AND platform_id = ?) AND m.direction = 'in' AND "
           "m.created_at >= ? LIMIT 16) recent");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, channel_type, -1);
    store__bind_str(s, 2, platform_id);
    db_bind_i64(s, 3, since_ms);
    int rc = db_step(s);
    int64_t n = rc == DB_ROW ? db_i64(s, 0) : store__err(rc);
    db_reset(s);
    return n;
}

struct correct_job {
    int64_t msg_id, agent_id;
    const char *intent, *sentiment;
    bool confirm;
};

/* One field's label: 'value', or with 'value' NULL the current one (a confirmation; skipped
 * when the message has none). Sets '*done' when a row was written. */
static int
correct_field(struct store__tx *tx, struct correct_job *j, const char *field, const char *value,
              bool *done)
{
    struct db_stmt *s = store__q(tx->c, "INSERT INTO triage_correction(message_id, agent_id, field, "
                                      "old_value, new_value, created_at) SELECT id, ?1, ?2, "
                                      "CASE WHEN ?2 = 'intent' THEN intent ELSE sentiment END, "
                                      "coalesce(?3, CASE WHEN ?2 = 'intent' THEN intent "
                                      "ELSE sentiment END), ?4 FROM message WHERE id = ?5 AND "
                                      "coalesce(?3, CASE WHEN ?2 = 'intent' THEN intent "
                                      "ELSE sentiment END) IS NOT NULL");
    if (!s)
        return ERR_IO;
    if (j->agent_id)
        db_bind_i64(s, 1, j->agent_id);
    db_bind_text_ref(s, 2, field, -1);
    store__bind_cstr(s, 3, value);
    db_bind_i64(s, 4, tx->now);
    db_bind_i64(s, 5, j->msg_id);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    if (db_changes(tx->c) == 0)
        return 0;
    *done = true;
    if (!value)
        return 0;
    s = store__q(tx->c, strcmp(field, "intent") == 0
                            ? "UPDATE message SET intent = ?, triage_corrected = 1 WHERE id = ?"
                            : "UPDATE message SET sentiment = ?, triage_corrected = 1 WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, value, -1);
    db_bind_i64(s, 2, j->msg_id);
    rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

static int
correct_tx(struct store__tx *tx, void *arg)
{
    struct correct_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT direction, conversation_id, id = (SELECT max(id) FROM "
                                      "message WHERE conversation_id = m.conversation_id AND "
                                      "direction = 'in') FROM message m WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->msg_id);
    if (db_step(s) != DB_ROW) {
        db_reset(s);
        return ERR_NOTFOUND;
    }
    bool inbound = strcmp(db_text(s, 0), "in") == 0;
    int64_t conv = db_i64(s, 1);
    bool latest = db_int(s, 2) != 0;
    db_reset(s);
    if (!inbound)
        return ERR_INVAL;
    int rc = 0;
    bool done = false;
    if ((j->intent || j->confirm) &&
        (rc = correct_field(tx, j, "intent", j->intent, &done)) < 0)
        return rc;
    if ((j->sentiment || j->confirm) &&
        (rc = correct_field(tx, j, "sentiment", j->sentiment, &done)) < 0)
        return rc;
    if (!done)
        return ERR_CONFLICT; /* a confirmation of a message without triage */
    /* Reviewed: out of everyone's review queue, and skips of it are moot. */
    s = store__q(tx->c, "UPDATE message SET review_margin = NULL WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->msg_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "DELETE FROM triage_skip WHERE message_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->msg_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (latest && (j->intent || j->sentiment)) {
        s = store__q(tx->c, "UPDATE conversation SET intent = coalesce(?, intent), "
                            "sentiment = coalesce(?, sentiment), updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        store__bind_cstr(s, 1, j->intent);
        store__bind_cstr(s, 2, j->sentiment);
        db_bind_i64(s, 3, tx->now);
        db_bind_i64(s, 4, conv);
        rc = db_step(s);
        db_reset(s);
        if (rc != DB_DONE)
            return store__err(rc);
    }
    return store__emit_msg(tx, "message.updated", j->msg_id);
}

int
store_triage_correct(struct store *st, int64_t msg_id, int64_t agent_id, const char *intent,
                     const char *sentiment, bool confirm)
{
    struct correct_job j = { .msg_id = msg_id, .agent_id = agent_id, .intent = intent,
                             .sentiment = sentiment, .confirm = confirm };
    return store__submit(st, correct_tx, &j, true);
}

/* ---- the review queue --------------------------------------------------------------------- */

struct skip_job {
    int64_t msg_id, agent_id;
};

static int
skip_tx(struct store__tx *tx, void *arg)
{
    struct skip_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT direction FROM message WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->msg_id);
    if (db_step(s) != DB_ROW) {
        db_reset(s);
        return ERR_NOTFOUND;
    }
    bool inbound = strcmp(db_text(s, 0), "in") == 0;
    db_reset(s);
    if (!inbound)
        return ERR_INVAL;
    /* The agent's expired skips go first, so the table stays as small as the window. */
    s = store__q(tx->c, "DELETE FROM triage_skip WHERE agent_id = ? AND skipped_at < ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->agent_id);
    db_bind_i64(s, 2, tx->now - STORE_TRIAGE_SKIP_MS);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    s = store__q(tx->c, "INSERT INTO triage_skip(agent_id, message_id, skipped_at) VALUES (?, ?, ?) "
                        "ON CONFLICT(agent_id, message_id) DO UPDATE SET skipped_at = excluded.skipped_at");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->agent_id);
    db_bind_i64(s, 2, j->msg_id);
    db_bind_i64(s, 3, tx->now);
    return store__step_done(s);
}

int
store_triage_skip(struct store *st, int64_t msg_id, int64_t agent_id)
{
    struct skip_job j = { .msg_id = msg_id, .agent_id = agent_id };
    return store__submit(st, skip_tx, &j, true);
}

int
store_triage_review(struct store *st, struct arena *ar, const struct store_scope *sc,
                    int64_t agent_id, int64_t now_ms, int limit, struct triage_review_item **out,
                    size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    if (limit < 1)
        limit = 1;
    /* Everyone's queue walks the partial index message_review least sure first (newest first
     * on a tie) and stops at 'limit': reviewed messages have left the index, so the walk only
     * steps over this agent's skips and blocked or spam contacts. Store staff start from their
     * store's and their own conversations instead (conversation_store, conversation_assignee),
     * so a small store in a big backlog does not walk everyone's messages. */
#define REVIEW_COLS                                                                                \
    "SELECT m.id, m.conversation_id, m.channel_id, ch.type, ch.name, "                             \
    "substr(m.text, 1, CAST(:max_text AS INTEGER)), length(m.text) > :max_text, m.lang, "         \
    "m.intent, m.intent_conf, m.intent_margin, m.sentiment, m.sentiment_conf, "                    \
    "m.sentiment_margin, m.sentiment_score, m.review_margin, m.created_at, ct.name "
#define REVIEW_JOINS                                                                               \
    "JOIN contact ct ON ct.id = c.contact_id JOIN channel ch ON ch.id = m.channel_id "
#define REVIEW_COND                                                                                \
    "m.review_margin IS NOT NULL AND ct.status <> 'blocked' "                                      \
    "AND NOT EXISTS (SELECT 1 FROM conversation x WHERE x.contact_id = c.contact_id AND "          \
    "x.resolution_reason = 'spam') "                                                               \
    "AND NOT EXISTS (SELECT 1 FROM triage_skip k WHERE k.agent_id = :agent AND "                   \
    "k.message_id = m.id AND k.skipped_at >= :since) AND" STORE_SCOPE_SQL                          \
    "ORDER BY m.review_margin, m.id DESC LIMIT :limit"
    /* The same two statements on PostgreSQL: its store index is on lower(store), and it has
     * no INDEXED BY (message_review is its plan for the ORDER BY ... LIMIT too). */
    bool lim = sc && sc->limited;
    struct db_stmt *s = store__q(
        c, lim ? store__sql(c,
                     REVIEW_COLS "FROM conversation c JOIN message m ON m.conversation_id = c.id "
                     REVIEW_JOINS "WHERE c.id IN (SELECT id FROM conversation WHERE store = "
                     ":scope_store COLLATE NOCASE UNION SELECT id FROM conversation WHERE "
                     "assignee_id = :scope_agent) AND " REVIEW_COND,
                     REVIEW_COLS "FROM conversation c JOIN message m ON m.conversation_id = c.id "
                     REVIEW_JOINS "WHERE c.id IN (SELECT id FROM conversation WHERE lower(store) "
                     "= lower(:scope_store) UNION SELECT id FROM conversation WHERE "
                     "assignee_id = :scope_agent) AND " REVIEW_COND)
               : store__sql(c,
                     REVIEW_COLS "FROM message m INDEXED BY message_review JOIN conversation c ON "
                     "c.id = m.conversation_id " REVIEW_JOINS "WHERE " REVIEW_COND,
                     REVIEW_COLS "FROM message m JOIN conversation c ON "
                     "c.id = m.conversation_id " REVIEW_JOINS "WHERE " REVIEW_COND));
#undef REVIEW_COLS
#undef REVIEW_JOINS
#undef REVIEW_COND
    if (!s)
        return ERR_IO;
    db_bind_int(s, db_param(s, ":max_text"), STORE_TRIAGE_REVIEW_TEXT);
    db_bind_i64(s, db_param(s, ":agent"), agent_id);
    db_bind_i64(s, db_param(s, ":since"),
                       now_ms - STORE_TRIAGE_SKIP_MS);
    db_bind_int(s, db_param(s, ":limit"), limit);
    store__bind_scope(s, sc);
    struct triage_review_item *v = ARENA_NEW_N(ar, struct triage_review_item, (size_t)limit);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW && cnt < (size_t)limit) {
        struct triage_review_item *it = &v[cnt++];
        it->msg_id = db_i64(s, 0);
        it->conversation_id = db_i64(s, 1);
        it->channel_id = db_i64(s, 2);
        it->channel_type = store__col(ar, s, 3);
        it->channel_name = store__col(ar, s, 4);
        it->text = store__col(ar, s, 5);
        it->truncated = db_int(s, 6) != 0;
        it->lang = store__col(ar, s, 7);
        it->intent = store__col(ar, s, 8);
        it->intent_conf = db_double(s, 9);
        it->intent_margin = db_double(s, 10);
        it->sentiment = store__col(ar, s, 11);
        it->sentiment_conf = db_double(s, 12);
        it->sentiment_margin = db_double(s, 13);
        it->sentiment_score = db_double(s, 14);
        it->margin = db_double(s, 15);
        it->created_at = db_i64(s, 16);
        it->contact_name = store__col(ar, s, 17);
    }
    db_reset(s);
    if (rc != DB_DONE && rc != DB_ROW)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_triage_examples(struct store *st, struct arena *ar, const char *field, int64_t after,
                      size_t max, struct triage_example **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The newest correction per message for the field. */
    struct db_stmt *s = store__q(
        c, "SELECT t.id, t.new_value, m.text, t.message_id, t.created_at, "
           "t.old_value IS NOT DISTINCT FROM t.new_value "
           "FROM triage_correction t JOIN message m ON "
           "m.id = t.message_id WHERE t.field = ?1 AND t.id > ?2 AND t.id = (SELECT max(id) FROM "
           "triage_correction WHERE message_id = t.message_id AND field = ?1) ORDER BY t.id LIMIT ?3");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, field, -1);
    db_bind_i64(s, 2, after);
    db_bind_i64(s, 3, (int64_t)max);
    struct triage_example *v = ARENA_NEW_N(ar, struct triage_example, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        v[cnt].id = db_i64(s, 0);
        v[cnt].label = store__col(ar, s, 1);
        v[cnt].text = store__col(ar, s, 2);
        v[cnt].msg_id = db_i64(s, 3);
        v[cnt].created_at = db_i64(s, 4);
        v[cnt].confirmed = db_int(s, 5) != 0;
        cnt++;
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
