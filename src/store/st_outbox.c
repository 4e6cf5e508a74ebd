/* SPDX-License-Identifier: MIT */
/*
 * st_outbox.c - replies waiting for delivery (outbox), the results of delivery attempts, and
 * putting a reply whose delivery failed back in the outbox.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/rand.h"

/* The due items: STORE the reading, CLAIM the same rows locked on PostgreSQL (an instance
 * claiming at the same time skips them rather than waiting). */
#define OUTBOX_DUE_SQL                                                                             \
    "SELECT o.message_id, o.channel_id, m.conversation_id, o.idempotency_key, o.attempts,"      \
    " m.text, (SELECT external_id FROM message WHERE conversation_id = m.conversation_id "     \
    "AND direction = 'in' AND id < m.id ORDER BY id DESC LIMIT 1), "                           \
    "(SELECT i.platform_id FROM identity i WHERE i.contact_id = cv.contact_id AND "            \
    "i.channel_type = ch.type ORDER BY i.id LIMIT 1), cv.thread_key, cv.public, mp.payload "    \
    "FROM outbox o JOIN message m ON m.id = o.message_id "                                      \
    "LEFT JOIN message_payload mp ON mp.message_id = o.message_id "                             \
    "JOIN conversation cv ON cv.id = m.conversation_id "                                        \
    "JOIN channel ch ON ch.id = o.channel_id "                                                  \
    "WHERE o.state = 'pending' AND o.next_at <= ? ORDER BY o.next_at, o.message_id "            \
    "LIMIT ?"

static void
outbox_row(struct arena *ar, struct db_stmt *s, struct outbox_item *it)
{
    it->message_id = db_i64(s, 0);
    it->channel_id = db_i64(s, 1);
    it->conversation_id = db_i64(s, 2);
    it->idempotency_key = store__col(ar, s, 3);
    it->attempts = db_int(s, 4);
    it->text = store__col(ar, s, 5);
    it->reply_to = store__col(ar, s, 6);
    it->recipient = store__col(ar, s, 7);
    it->thread_key = store__col(ar, s, 8);
    it->public = db_int(s, 9) != 0;
    it->payload = store__col(ar, s, 10);
}

/* Reads the due rows of 's' (bound) into a new array of 'max' items in 'ar'. */
static int
outbox_rows(struct arena *ar, struct db_stmt *s, size_t max, struct outbox_item **out,
            size_t *n)
{
    struct outbox_item *v = ARENA_NEW_N(ar, struct outbox_item, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW && cnt < max)
        outbox_row(ar, s, &v[cnt++]);
    db_reset(s);
    if (rc < 0)
        return rc;
    *out = v;
    *n = cnt;
    return 0;
}

int
store_outbox_due(struct store *st, struct arena *ar, int64_t now, size_t max,
                 struct outbox_item **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, OUTBOX_DUE_SQL);
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, now);
    db_bind_i64(s, 2, (int64_t)max);
    return outbox_rows(ar, s, max, out, n);
}

struct claim_job {
    struct arena *ar; /* the caller's: it waits while the job fills it */
    int64_t now, lease_until;
    size_t max;
    struct outbox_item *v;
    size_t n;
};

static int
claim_tx(struct store__tx *tx, void *arg)
{
    struct claim_job *j = arg;
    struct db_stmt *s = store__q(tx->c, store__sql(tx->c, OUTBOX_DUE_SQL,
                                                   OUTBOX_DUE_SQL " FOR UPDATE OF o SKIP LOCKED"));
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->now);
    db_bind_i64(s, 2, (int64_t)j->max);
    struct outbox_item *v;
    size_t n = 0;
    int rc = outbox_rows(j->ar, s, j->max, &v, &n);
    if (rc < 0)
        return rc;
    /* Each row moves to the end of the lease; one another instance claimed first is not
     * changed here, and not delivered here. */
    s = store__q(tx->c, "UPDATE outbox SET next_at = ?1 WHERE message_id = ?2 AND "
                        "state = 'pending' AND next_at <= ?3");
    if (!s)
        return ERR_IO;
    j->v = v;
    j->n = 0;
    for (size_t i = 0; i < n; i++) {
        db_bind_i64(s, 1, j->lease_until);
        db_bind_i64(s, 2, v[i].message_id);
        db_bind_i64(s, 3, j->now);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        if (db_changes(tx->c) > 0)
            j->v[j->n++] = v[i];
    }
    return 0;
}

int
store_outbox_claim(struct store *st, struct arena *ar, int64_t now, int64_t lease_ms, size_t max,
                   struct outbox_item **out, size_t *n)
{
    struct claim_job j = { .ar = ar, .now = now, .lease_until = now + lease_ms, .max = max };
    int rc = store__submit(st, claim_tx, &j, true);
    if (rc < 0)
        return rc;
    *out = j.v;
    *n = j.n;
    return 0;
}

int64_t
store_outbox_next_at(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    struct db_stmt *s = store__q(c, "SELECT coalesce(min(next_at), 0) FROM outbox "
                                  "WHERE state = 'pending'");
    int64_t at = 0;
    if (s && db_step(s) == DB_ROW)
        at = db_i64(s, 0);
    if (s)
        db_reset(s);
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
    struct db_stmt *s = store__q(tx->c, "UPDATE outbox SET state = ?, attempts = attempts + 1, "
                                      "next_at = ?, last_error = ? "
                                      "WHERE message_id = ? AND state = 'pending'");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->state, -1);
    db_bind_i64(s, 2, j->next_at);
    store__bind_cstr(s, 3, j->error);
    db_bind_i64(s, 4, j->message_id);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    if (db_changes(tx->c) == 0)
        return ERR_CONFLICT;
    if (strcmp(j->state, "pending") == 0) {
        /* Still queued: record the last error so agents see why it is waiting. */
        s = store__q(tx->c, "UPDATE message SET error = ? WHERE id = ? AND "
                            "error IS DISTINCT FROM ?1");
        if (!s)
            return ERR_IO;
        store__bind_cstr(s, 1, j->error);
        db_bind_i64(s, 2, j->message_id);
        rc = db_step(s);
        db_reset(s);
        if (rc != DB_DONE)
            return store__err(rc);
        if (db_changes(tx->c) == 0)
            return 0;
        return store__emit_msg(tx, "message.updated", j->message_id);
    }
    s = store__q(tx->c, "UPDATE message SET status = ?, error = ?, sent_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->state, -1);
    store__bind_cstr(s, 2, j->error);
    if (strcmp(j->state, "sent") == 0)
        db_bind_i64(s, 3, j->sent_at ? j->sent_at : tx->now);
    db_bind_i64(s, 4, j->message_id);
    rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
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
    struct db_stmt *s = store__q(c, "SELECT coalesce(sum(CASE WHEN state = 'pending' THEN 1 "
                                  "ELSE 0 END), 0), coalesce(sum(CASE WHEN state = 'sent' "
                                  "THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN "
                                  "state = 'failed' THEN 1 ELSE 0 END), 0) FROM outbox");
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->pending = db_i64(s, 0);
        out->sent = db_i64(s, 1);
        out->failed = db_i64(s, 2);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

static int
retry_tx(struct store__tx *tx, void *arg)
{
    int64_t id = *(int64_t *)arg;
    struct db_stmt *s = store__q(tx->c, "SELECT state FROM outbox WHERE message_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    bool failed = rc == DB_ROW && strcmp(db_text(s, 0), "failed") == 0;
    db_reset(s);
    if (rc == DB_DONE)
        return ERR_NOTFOUND;
    if (rc != DB_ROW)
        return store__err(rc);
    if (!failed)
        return ERR_CONFLICT;
    s = store__q(tx->c, "UPDATE outbox SET state = 'pending', attempts = 0, next_at = ?, "
                        "last_error = NULL WHERE message_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, id);
    rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    s = store__q(tx->c, "UPDATE message SET status = 'queued', error = NULL WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
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
    struct db_stmt *s = store__q(tx->c, "INSERT INTO outbox(message_id, channel_id, "
                                      "idempotency_key, next_at) VALUES (?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, msg_id);
    db_bind_i64(s, 2, channel_id);
    db_bind_text(s, 3, key, -1);
    db_bind_i64(s, 4, tx->now);
    return store__step_done(s);
}

int
store__queue_auto(struct store__tx *tx, int64_t conv_id, int64_t channel_id, bool pub,
                  struct str text, int64_t bot_faq_id, int64_t *msg_id)
{
    struct db_stmt *s = store__q(tx->c, "INSERT INTO message(conversation_id, channel_id, "
                                      "direction, kind, text, public, status, created_at, "
                                      "bot_faq_id) VALUES (?, ?, 'out', 'message', ?, ?, "
                                      "'queued', ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    db_bind_i64(s, 2, channel_id);
    store__bind_str(s, 3, text);
    db_bind_int(s, 4, pub);
    db_bind_i64(s, 5, tx->now);
    store__bind_id(s, 6, bot_faq_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    *msg_id = db_last_id(tx->c);
    return store__outbox_add(tx, *msg_id, channel_id);
}
