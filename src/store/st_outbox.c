/* SPDX-License-Identifier: MIT */
/*
 * st_outbox.c - replies waiting for delivery (outbox), the results of delivery attempts, and
 * putting a reply whose delivery failed back in the outbox.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/rand.h"

int
store_outbox_due(struct store *st, struct arena *ar, int64_t now, size_t max,
                 struct outbox_item **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(
        c, "SELECT o.message_id, o.channel_id, m.conversation_id, o.idempotency_key, o.attempts,"
           " m.text, (SELECT external_id FROM message WHERE conversation_id = m.conversation_id "
           "AND direction = 'in' AND id < m.id ORDER BY id DESC LIMIT 1), "
           "(SELECT i.platform_id FROM identity i WHERE i.contact_id = cv.contact_id AND "
           "i.channel_type = ch.type ORDER BY i.id LIMIT 1), cv.thread_key, cv.public, mp.payload "
           "FROM outbox o JOIN message m ON m.id = o.message_id "
           "LEFT JOIN message_payload mp ON mp.message_id = o.message_id "
           "JOIN conversation cv ON cv.id = m.conversation_id "
           "JOIN channel ch ON ch.id = o.channel_id "
           "WHERE o.state = 'pending' AND o.next_at <= ? ORDER BY o.next_at, o.message_id "
           "LIMIT ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, (int64_t)max);
    struct outbox_item *v = ARENA_NEW_N(ar, struct outbox_item, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct outbox_item *it = &v[cnt++];
        it->message_id = sqlite3_column_int64(s, 0);
        it->channel_id = sqlite3_column_int64(s, 1);
        it->conversation_id = sqlite3_column_int64(s, 2);
        it->idempotency_key = store__col(ar, s, 3);
        it->attempts = sqlite3_column_int(s, 4);
        it->text = store__col(ar, s, 5);
        it->reply_to = store__col(ar, s, 6);
        it->recipient = store__col(ar, s, 7);
        it->thread_key = store__col(ar, s, 8);
        it->public = sqlite3_column_int(s, 9) != 0;
        it->payload = store__col(ar, s, 10);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int64_t
store_outbox_next_at(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    sqlite3_stmt *s = store__q(c, "SELECT coalesce(min(next_at), 0) FROM outbox "
                                  "WHERE state = 'pending'");
    int64_t at = 0;
    if (s && sqlite3_step(s) == SQLITE_ROW)
        at = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    return at;
}

struct result_job {
    int64_t message_id;
    const char *state;
    int64_t next_at;
    const char *error;
    int64_t sent_at;
};

static int
result_tx(struct store__tx *tx, void *arg)
{
    struct result_job *j = arg;
    /* Only a pending row may change, so a delivery is recorded once even if two workers raced. */
    sqlite3_stmt *s = store__q(tx->c, "UPDATE outbox SET state = ?, attempts = attempts + 1, "
                                      "next_at = ?, last_error = ? "
                                      "WHERE message_id = ? AND state = 'pending'");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, j->state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, j->next_at);
    store__bind_cstr(s, 3, j->error);
    sqlite3_bind_int64(s, 4, j->message_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    if (sqlite3_changes(tx->c->db) == 0)
        return ERR_CONFLICT;
    if (strcmp(j->state, "pending") == 0) {
        /* Still queued: record the last error so agents see why it is waiting. */
        s = store__q(tx->c, "UPDATE message SET error = ? WHERE id = ? AND error IS NOT ?1");
        if (!s)
            return ERR_IO;
        store__bind_cstr(s, 1, j->error);
        sqlite3_bind_int64(s, 2, j->message_id);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return store__err(rc);
        if (sqlite3_changes(tx->c->db) == 0)
            return 0;
        return store__emit_msg(tx, "message.updated", j->message_id);
    }
    s = store__q(tx->c, "UPDATE message SET status = ?, error = ?, sent_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, j->state, -1, SQLITE_STATIC);
    store__bind_cstr(s, 2, j->error);
    if (strcmp(j->state, "sent") == 0)
        sqlite3_bind_int64(s, 3, j->sent_at ? j->sent_at : tx->now);
    sqlite3_bind_int64(s, 4, j->message_id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    return store__emit_msg(tx, "message.updated", j->message_id);
}

int
store_outbox_result(struct store *st, int64_t message_id, const char *state, int64_t next_at,
                    const char *error, int64_t external_sent_at)
{
    struct result_job j = { .message_id = message_id, .state = state, .next_at = next_at,
                            .error = error, .sent_at = external_sent_at };
    return store__submit(st, result_tx, &j, true);
}

int
store_outbox_counts(struct store *st, struct outbox_counts *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT coalesce(sum(state = 'pending'), 0), "
                                  "coalesce(sum(state = 'sent'), 0), "
                                  "coalesce(sum(state = 'failed'), 0) FROM outbox");
    if (!s)
        return ERR_IO;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->pending = sqlite3_column_int64(s, 0);
        out->sent = sqlite3_column_int64(s, 1);
        out->failed = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : store__err(rc);
}

static int
retry_tx(struct store__tx *tx, void *arg)
{
    int64_t id = *(int64_t *)arg;
    sqlite3_stmt *s = store__q(tx->c, "SELECT state FROM outbox WHERE message_id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    bool failed = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), "failed") == 0;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return ERR_NOTFOUND;
    if (rc != SQLITE_ROW)
        return store__err(rc);
    if (!failed)
        return ERR_CONFLICT;
    s = store__q(tx->c, "UPDATE outbox SET state = 'pending', attempts = 0, next_at = ?, "
                        "last_error = NULL WHERE message_id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, tx->now);
    sqlite3_bind_int64(s, 2, id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    s = store__q(tx->c, "UPDATE message SET status = 'queued', error = NULL WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    return store__emit_msg(tx, "message.updated", id);
}

int
store_msg_retry(struct store *st, int64_t msg_id)
{
    return store__submit(st, retry_tx, &msg_id, true);
}

int
store__outbox_add(struct store__tx *tx, int64_t msg_id, int64_t channel_id)
{
    char key[33];
    rand_hex(key, 16);
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO outbox(message_id, channel_id, "
                                      "idempotency_key, next_at) VALUES (?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, msg_id);
    sqlite3_bind_int64(s, 2, channel_id);
    sqlite3_bind_text(s, 3, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, tx->now);
    return store__step_done(s);
}

int
store__queue_auto(struct store__tx *tx, int64_t conv_id, int64_t channel_id, bool pub,
                  struct str text, int64_t bot_faq_id, int64_t *msg_id)
{
    sqlite3_stmt *s = store__q(tx->c, "INSERT INTO message(conversation_id, channel_id, "
                                      "direction, kind, text, public, status, created_at, "
                                      "bot_faq_id) VALUES (?, ?, 'out', 'message', ?, ?, "
                                      "'queued', ?, ?)");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, conv_id);
    sqlite3_bind_int64(s, 2, channel_id);
    store__bind_str(s, 3, text);
    sqlite3_bind_int(s, 4, pub);
    sqlite3_bind_int64(s, 5, tx->now);
    store__bind_id(s, 6, bot_faq_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    *msg_id = sqlite3_last_insert_rowid(tx->c->db);
    return store__outbox_add(tx, *msg_id, channel_id);
}
