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
    sqlite3_stmt *s = store__q(
        c, "SELECT count(*) FROM (SELECT 1 FROM message m JOIN conversation cv ON "
           "cv.id = m.conversation_id WHERE cv.contact_id = (SELECT contact_id FROM identity "
           "WHERE channel_type = ? AND platform_id = ?) AND m.direction = 'in' AND "
           "m.created_at >= ? LIMIT 16)");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, channel_type, -1, SQLITE_STATIC);
    store__bind_str(s, 2, platform_id);
    sqlite3_bind_int64(s, 3, since_ms);
    int rc = sqlite3_step(s);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : store__err(rc);
    sqlite3_reset(s);
    return n;
}

struct correct_job {
    int64_t msg_id, agent_id;
    const char *intent, *sentiment;
};

static int
correct_field(struct store__tx *tx, struct correct_job *j, const char *field, const char *value)
{
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO triage_correction(message_id, agent_id, field, "
                                      "old_value, new_value, created_at) SELECT id, ?, ?, "
                                      "CASE WHEN ?2 = 'intent' THEN intent ELSE sentiment END, ?, ? "
                                      "FROM message WHERE id = ?");
    if (!s)
        return ERR_IO;
    if (j->agent_id)
        sqlite3_bind_int64(s, 1, j->agent_id);
    sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, tx->now);
    sqlite3_bind_int64(s, 5, j->msg_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    s = store__q(tx->c, strcmp(field, "intent") == 0
                            ? "UPDATE message SET intent = ?, triage_corrected = 1 WHERE id = ?"
                            : "UPDATE message SET sentiment = ?, triage_corrected = 1 WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, j->msg_id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store__err(rc);
}

static int
correct_tx(struct store__tx *tx, void *arg)
{
    struct correct_job *j = arg;
    sqlite3_stmt *s = store__q(tx->c, "SELECT direction, conversation_id, id = (SELECT max(id) FROM "
                                      "message WHERE conversation_id = m.conversation_id AND "
                                      "direction = 'in') FROM message m WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->msg_id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return ERR_NOTFOUND;
    }
    bool inbound = strcmp((const char *)sqlite3_column_text(s, 0), "in") == 0;
    int64_t conv = sqlite3_column_int64(s, 1);
    bool latest = sqlite3_column_int(s, 2) != 0;
    sqlite3_reset(s);
    if (!inbound)
        return ERR_INVAL;
    int rc = 0;
    if (j->intent && (rc = correct_field(tx, j, "intent", j->intent)) < 0)
        return rc;
    if (j->sentiment && (rc = correct_field(tx, j, "sentiment", j->sentiment)) < 0)
        return rc;
    if (latest) {
        s = store__q(tx->c, "UPDATE conversation SET intent = coalesce(?, intent), "
                            "sentiment = coalesce(?, sentiment), updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        store__bind_cstr(s, 1, j->intent);
        store__bind_cstr(s, 2, j->sentiment);
        sqlite3_bind_int64(s, 3, tx->now);
        sqlite3_bind_int64(s, 4, conv);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return store__err(rc);
    }
    return store__emit_msg(tx, "message.updated", j->msg_id);
}

int
store_triage_correct(struct store *st, int64_t msg_id, int64_t agent_id, const char *intent,
                     const char *sentiment)
{
    struct correct_job j = { .msg_id = msg_id, .agent_id = agent_id, .intent = intent,
                             .sentiment = sentiment };
    return store__submit(st, correct_tx, &j, true);
}

int
store_triage_examples(struct store *st, struct arena *ar, const char *field, int64_t after,
                      size_t max, struct triage_example **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The newest correction per message for the field. */
    sqlite3_stmt *s = store__q(
        c, "SELECT t.id, t.new_value, m.text, t.message_id, t.created_at FROM triage_correction t JOIN message m ON "
           "m.id = t.message_id WHERE t.field = ?1 AND t.id > ?2 AND t.id = (SELECT max(id) FROM "
           "triage_correction WHERE message_id = t.message_id AND field = ?1) ORDER BY t.id LIMIT ?3");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, field, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, after);
    sqlite3_bind_int64(s, 3, (int64_t)max);
    struct triage_example *v = ARENA_NEW_N(ar, struct triage_example, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v[cnt].id = sqlite3_column_int64(s, 0);
        v[cnt].label = store__col(ar, s, 1);
        v[cnt].text = store__col(ar, s, 2);
        v[cnt].msg_id = sqlite3_column_int64(s, 3);
        v[cnt].created_at = sqlite3_column_int64(s, 4);
        cnt++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
