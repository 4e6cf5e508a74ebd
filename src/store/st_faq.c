/* SPDX-License-Identifier: MIT */
/*
 * st_faq.c - the FAQ bot's tables: the FAQ set (faq), its settings (faq_bot) and what the bot
 * did in each conversation (bot_answer), with the bot's messages and notes.
 *
 * Every step of a bot conversation is one job that writes the message or note, the state and
 * the FAQ's count together, so the per-FAQ figures always agree with the conversations.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/arena.h"

/* ---- the FAQ set ------------------------------------------------------------------------- */

static int
faq_put_tx(struct store__tx *tx, void *arg)
{
    struct store__put_job *j = arg;
    const struct store_faq *f = j->obj;
    struct db_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE faq SET question = ?1, variants = ?2, answers = ?3, "
                            "link = ?4, threshold = ?5, enabled = ?6, updated_at = ?7 "
                            "WHERE id = ?8");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 8, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO faq(question, variants, answers, link, threshold, "
                            "enabled, updated_at, created_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, f->question);
    store__bind_cstr(s, 2, f->variants ? f->variants : "[]");
    store__bind_cstr(s, 3, f->answers ? f->answers : "{}");
    store__bind_cstr(s, 4, f->link && f->link[0] ? f->link : NULL);
    db_bind_double(s, 5, f->threshold);
    db_bind_int(s, 6, f->enabled);
    db_bind_i64(s, 7, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (j->id && (rc = store__changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : db_last_id(tx->c);
    return 0;
}

int
store_faq_put(struct store *st, int64_t id, const struct store_faq *f, int64_t *out_id)
{
    struct store__put_job j = { .id = id, .obj = f };
    int rc = store__submit(st, faq_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

static int
faq_delete_tx(struct store__tx *tx, void *arg)
{
    const int64_t *id = arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM faq WHERE id = ?");
    int rc;
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = store__changed(tx)) < 0)
        return rc;
    /* The conversations keep the question's text (bot_answer.faq_question). */
    s = store__q(tx->c, "UPDATE bot_answer SET faq_id = NULL WHERE faq_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *id);
    return store__step_done(s);
}

int
store_faq_delete(struct store *st, int64_t id)
{
    return store__submit(st, faq_delete_tx, &id, true);
}

#define FAQ_COLS                                                                                   \
    "id, question, variants, answers, link, threshold, enabled, answered, handed_off, "          \
    "reopened, held_back, created_at, updated_at FROM faq "

static void
faq_row(struct arena *ar, struct db_stmt *s, struct store_faq *f)
{
    memset(f, 0, sizeof(*f));
    f->id = db_i64(s, 0);
    f->question = store__col(ar, s, 1);
    f->variants = store__col(ar, s, 2);
    f->answers = store__col(ar, s, 3);
    f->link = store__col(ar, s, 4);
    f->threshold = db_double(s, 5);
    f->enabled = db_int(s, 6) != 0;
    f->answered = db_i64(s, 7);
    f->handed_off = db_i64(s, 8);
    f->reopened = db_i64(s, 9);
    f->held_back = db_i64(s, 10);
    f->created_at = db_i64(s, 11);
    f->updated_at = db_i64(s, 12);
}

int
store_faq_get(struct store *st, struct arena *ar, int64_t id, struct store_faq *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " FAQ_COLS "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        faq_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_faq_list(struct store *st, struct arena *ar, struct store_faq **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " FAQ_COLS "ORDER BY id LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_int(s, 1, STORE_FAQ_MAX);
    size_t cap = 16, k = 0;
    struct store_faq *v = ARENA_NEW_N(ar, struct store_faq, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (k == cap) {
            struct store_faq *w = ARENA_NEW_N(ar, struct store_faq, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        faq_row(ar, s, &v[k++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = k;
    return 0;
}

int
store_faq_count(struct store *st, int64_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT count(*) FROM faq");
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    if (rc == DB_ROW)
        *n = db_i64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

/* ---- settings ---------------------------------------------------------------------------- */

int
store_faq_bot_get(struct store *st, struct arena *ar, struct store_faq_bot *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT channels, window_ms, updated_at FROM faq_bot "
                                  "WHERE id = 1");
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->channels = store__col(ar, s, 0);
        out->window_ms = db_i64(s, 1);
        out->updated_at = db_i64(s, 2);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

static int
faq_bot_put_tx(struct store__tx *tx, void *arg)
{
    const struct store_faq_bot *b = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE faq_bot SET channels = ?, window_ms = ?, "
                                      "updated_at = ? WHERE id = 1");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, b->channels ? b->channels : "[]");
    db_bind_i64(s, 2, b->window_ms);
    db_bind_i64(s, 3, tx->now);
    return store__step_done(s);
}

int
store_faq_bot_put(struct store *st, const struct store_faq_bot *b)
{
    return store__submit(st, faq_bot_put_tx, (void *)b, true);
}

/* ---- what the bot did in a conversation -------------------------------------------------- */

int
store_bot_answer_get(struct store *st, struct arena *ar, int64_t conv_id,
                     struct store_bot_answer *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT conversation_id, coalesce(faq_id, 0), faq_question, "
                                  "message_id, confidence, state, answered_at, due_at, "
                                  "handoff_reason, changed_at FROM bot_answer "
                                  "WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->conversation_id = db_i64(s, 0);
        out->faq_id = db_i64(s, 1);
        out->faq_question = store__col(ar, s, 2);
        out->message_id = db_i64(s, 3);
        out->confidence = db_double(s, 4);
        out->state = store__col(ar, s, 5);
        out->answered_at = db_i64(s, 6);
        out->due_at = db_i64(s, 7);
        out->handoff_reason = store__col(ar, s, 8);
        out->changed_at = db_i64(s, 9);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

enum faq_count { FAQ_ANSWERED, FAQ_HANDED_OFF, FAQ_REOPENED, FAQ_HELD_BACK };

/* Adds one to one of the FAQ's counts. Each has its own literal: the statement cache keys on
 * the text's address, so a statement built in a buffer would find another count's. */
static int
faq_bump(struct store__tx *tx, enum faq_count which, int64_t faq_id)
{
    static const char *const sql[] = {
        [FAQ_ANSWERED] = "UPDATE faq SET answered = answered + 1 WHERE id = ?",
        [FAQ_HANDED_OFF] = "UPDATE faq SET handed_off = handed_off + 1 WHERE id = ?",
        [FAQ_REOPENED] = "UPDATE faq SET reopened = reopened + 1 WHERE id = ?",
        [FAQ_HELD_BACK] = "UPDATE faq SET held_back = held_back + 1 WHERE id = ?",
    };
    if (!faq_id)
        return 0;
    struct db_stmt *s = store__q(tx->c, sql[which]);
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, faq_id);
    return store__step_done(s);
}

/* A note by the bot in the conversation (never delivered). */
static int
bot_note(struct store__tx *tx, int64_t conv_id, int64_t faq_id, const char *text)
{
    struct db_stmt *s = store__q(tx->c, "INSERT INTO message(conversation_id, channel_id, "
                                      "direction, kind, text, public, status, created_at, "
                                      "bot_faq_id) SELECT id, channel_id, 'out', 'note', ?, 0, "
                                      "'none', ?, ? FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, text, -1);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, faq_id > 0 ? faq_id : 0);
    db_bind_i64(s, 4, conv_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    int64_t id = db_last_id(tx->c);
    s = store__q(tx->c, "UPDATE conversation SET message_count = message_count + 1, "
                        "updated_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__emit_msg(tx, "message.created", id);
}

static int
bot_send_tx(struct store__tx *tx, void *arg)
{
    struct store_bot_send *j = arg;
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
    /* The bot's answer is not a human reply: like an acknowledgement, the flag keeps the
     * sla_msg_out trigger from clearing awaiting_since. The answer counts only when its window
     * passes (store_bot_count_due). */
    s = store__q(tx->c, "INSERT INTO conv_sla(conversation_id, opened_at, autoack_pending) "
                        "VALUES (?, ?, 1) ON CONFLICT(conversation_id) DO UPDATE SET "
                        "autoack_pending = 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    db_bind_i64(s, 2, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if ((rc = store__queue_auto(tx, j->conv_id, channel_id, pub, j->text, j->faq_id,
                                &j->msg_id)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conv_sla SET autoack_pending = 0 WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "INSERT INTO bot_answer(conversation_id, faq_id, faq_question, "
                        "message_id, confidence, state, answered_at, due_at, changed_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, 'answered', ?6, ?7, ?6)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    db_bind_i64(s, 2, j->faq_id);
    store__bind_cstr(s, 3, j->faq_question);
    db_bind_i64(s, 4, j->msg_id);
    db_bind_double(s, 5, j->confidence);
    db_bind_i64(s, 6, tx->now);
    db_bind_i64(s, 7, tx->now + j->window_ms);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = faq_bump(tx, FAQ_ANSWERED, j->faq_id)) < 0)
        return rc;
    /* Waiting on the customer: pending, in nobody's queue, clocks paused. */
    s = store__q(tx->c, "UPDATE conversation SET status = 'pending', "
                        "message_count = message_count + 1, "
                        "last_message_at = max(last_message_at, ?1), updated_at = ?1 "
                        "WHERE id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__emit_msg(tx, "message.created", j->msg_id);
}

int
store_bot_send(struct store *st, struct store_bot_send *j)
{
    return store__submit(st, bot_send_tx, j, true);
}

struct handoff_job {
    int64_t conv_id;
    const char *reason, *note;
};

static int
bot_handoff_tx(struct store__tx *tx, void *arg)
{
    struct handoff_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT coalesce(faq_id, 0) FROM bot_answer WHERE "
                                      "conversation_id = ? AND state = 'answered'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    int rc = db_step(s);
    int64_t faq_id = rc == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_CONFLICT : store__err(rc);
    s = store__q(tx->c, "UPDATE bot_answer SET state = 'handed_off', handoff_reason = ?, "
                        "changed_at = ? WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->reason);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = faq_bump(tx, FAQ_HANDED_OFF, faq_id)) < 0)
        return rc;
    if ((rc = bot_note(tx, j->conv_id, faq_id, j->note)) < 0)
        return rc;
    /* Back to the team: open again (the customer's clocks resume). */
    s = store__q(tx->c, "UPDATE conversation SET status = 'open', updated_at = ? "
                        "WHERE id = ? AND status = 'pending'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__emit_conv(tx, "conversation.updated", j->conv_id);
}

int
store_bot_handoff(struct store *st, int64_t conv_id, const char *reason, const char *note)
{
    struct handoff_job j = { .conv_id = conv_id, .reason = reason, .note = note };
    return store__submit(st, bot_handoff_tx, &j, true);
}

struct held_job {
    int64_t conv_id, faq_id;
    const char *note;
};

static int
bot_held_tx(struct store__tx *tx, void *arg)
{
    struct held_job *j = arg;
    int rc = faq_bump(tx, FAQ_HELD_BACK, j->faq_id);
    if (rc < 0)
        return rc;
    return bot_note(tx, j->conv_id, j->faq_id, j->note);
}

int
store_bot_held_back(struct store *st, int64_t conv_id, int64_t faq_id, const char *note)
{
    struct held_job j = { .conv_id = conv_id, .faq_id = faq_id, .note = note };
    return store__submit(st, bot_held_tx, &j, true);
}

static int
bot_reopened_tx(struct store__tx *tx, void *arg)
{
    const int64_t *conv_id = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT coalesce(faq_id, 0) FROM bot_answer WHERE "
                                      "conversation_id = ? AND state = 'counted'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *conv_id);
    int rc = db_step(s);
    int64_t faq_id = rc == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_CONFLICT : store__err(rc);
    s = store__q(tx->c, "UPDATE bot_answer SET state = 'reopened', changed_at = ? "
                        "WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, *conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return faq_bump(tx, FAQ_REOPENED, faq_id);
}

int
store_bot_reopened(struct store *st, int64_t conv_id)
{
    return store__submit(st, bot_reopened_tx, &conv_id, true);
}

struct count_job {
    int64_t now;
    int counted;
};

static int
bot_count_tx(struct store__tx *tx, void *arg)
{
    struct count_job *j = arg;
    int64_t ids[64];
    size_t n = 0;
    struct db_stmt *s = store__q(tx->c, "SELECT conversation_id FROM bot_answer "
                                      "WHERE state = 'answered' AND due_at <= ? "
                                      "ORDER BY due_at LIMIT 64");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->now);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        ids[n++] = db_i64(s, 0);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    for (size_t i = 0; i < n; i++) {
        s = store__q(tx->c, "UPDATE bot_answer SET state = 'counted', changed_at = ? "
                            "WHERE conversation_id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, tx->now);
        db_bind_i64(s, 2, ids[i]);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        /* The answer counts: the customer is no longer waiting (the unanswered guarantee),
         * and the answer's time is the first reply's. */
        s = store__q(tx->c, "UPDATE conv_sla SET awaiting_since = NULL, "
                            "first_reply_at = coalesce(first_reply_at, (SELECT answered_at "
                            "FROM bot_answer WHERE conversation_id = ?1)), "
                            "last_reply_at = (SELECT answered_at FROM bot_answer "
                            "WHERE conversation_id = ?1) WHERE conversation_id = ?1");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, ids[i]);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        s = store__q(tx->c, "UPDATE conversation SET status = 'resolved', "
                            "resolution_reason = 'answered_by_bot', updated_at = ? "
                            "WHERE id = ? AND status = 'pending'");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, tx->now);
        db_bind_i64(s, 2, ids[i]);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        if ((rc = store__emit_conv(tx, "conversation.updated", ids[i])) < 0)
            return rc;
    }
    j->counted = (int)n;
    return 0;
}

int
store_bot_count_due(struct store *st, int64_t now, int *counted)
{
    /* A read first: nearly always nothing is due, and then no write job is queued. */
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT 1 FROM bot_answer WHERE state = 'answered' "
                                  "AND due_at <= ? LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, now);
    int rc = db_step(s);
    db_reset(s);
    *counted = 0;
    if (rc == DB_DONE)
        return 0;
    if (rc != DB_ROW)
        return store__err(rc);
    struct count_job j = { .now = now };
    rc = store__submit(st, bot_count_tx, &j, true);
    if (rc == 0)
        *counted = j.counted;
    return rc;
}

int
store_bot_next_due(struct store *st, int64_t *due)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT min(due_at) FROM bot_answer WHERE state = 'answered'");
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    *due = rc == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

int
store_faq_variants(struct store *st, struct arena *ar, struct store_faq_variant **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The question itself is a variant too. */
    struct db_stmt *s = store__q(c, "SELECT id, threshold, enabled, question FROM faq "
                                  "UNION ALL SELECT f.id, f.threshold, f.enabled, j.value "
                                  "FROM faq f, json_each(CASE WHEN json_valid(f.variants) "
                                  "THEN f.variants ELSE '[]' END) j WHERE j.type = 'text' "
                                  "ORDER BY 1 LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_int(s, 1, STORE_FAQ_MAX * (STORE_FAQ_VARIANTS_MAX + 1));
    size_t cap = 64, k = 0;
    struct store_faq_variant *v = ARENA_NEW_N(ar, struct store_faq_variant, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (k == cap) {
            struct store_faq_variant *w = ARENA_NEW_N(ar, struct store_faq_variant, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[k].faq_id = db_i64(s, 0);
        v[k].threshold = db_double(s, 1);
        v[k].enabled = db_int(s, 2) != 0;
        v[k].text = store__col(ar, s, 3);
        k++;
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = k;
    return 0;
}

int
store_faq_answer(struct store *st, struct arena *ar, int64_t id, const char *lang,
                 struct store_faq_answer *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The answer in 'lang', else in English, else the first one written. PostgreSQL: its own
     * json_each over json (not jsonb, which sorts the keys), numbered in written order. */
    struct db_stmt *s = store__q(
        c, store__sql(c,
                      "SELECT f.question, f.link, j.key, j.value FROM faq f, "
                      "json_each(CASE WHEN json_valid(f.answers) THEN f.answers "
                      "ELSE '{}' END) j WHERE f.id = ?1 AND j.type = 'text' "
                      "ORDER BY j.key = ?2 DESC, j.key = 'en' DESC, j.id LIMIT 1",
                      "SELECT f.question, f.link, j.key, j.value #>> '{}' FROM faq f, "
                      "json_each(CAST(CASE WHEN json_valid(f.answers) THEN f.answers "
                      "ELSE '{}' END AS json)) WITH ORDINALITY j(key, value, n) "
                      "WHERE f.id = ?1 AND json_typeof(j.value) = 'string' "
                      "ORDER BY j.key = ?2 DESC, j.key = 'en' DESC, j.n LIMIT 1"));
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    store__bind_cstr(s, 2, lang ? lang : "en");
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->question = store__col(ar, s, 0);
        out->link = store__col(ar, s, 1);
        out->lang = store__col(ar, s, 2);
        out->text = store__col(ar, s, 3);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}
