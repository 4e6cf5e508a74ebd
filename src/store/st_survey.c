/* SPDX-License-Identifier: MIT */
/*
 * st_survey.c - CSAT surveys (migration 025): the settings row, a survey queued at resolve
 * (once per conversation), sent once when due (message, payload and outbox row in the same
 * transaction), answered once inside its window, and the averages by agent ("heroes").
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/arena.h"
#include "model/model.h"

/* ---- settings ------------------------------------------------------------------------------ */

int
store_survey_settings_get(struct store *st, struct arena *ar, struct store_survey_settings *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT enabled, delay_s, window_h, repeat_days, channels, "
                                  "questions, nps, extra, updated_at FROM survey_settings "
                                  "WHERE id = 1");
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->enabled = db_int(s, 0) != 0;
        out->delay_s = db_i64(s, 1);
        out->window_h = db_i64(s, 2);
        out->repeat_days = db_i64(s, 3);
        out->channels = store__col(ar, s, 4);
        out->questions = store__col(ar, s, 5);
        out->nps = store__col(ar, s, 6);
        out->extra = store__col(ar, s, 7);
        out->updated_at = db_i64(s, 8);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

static int
settings_tx(struct store__tx *tx, void *arg)
{
    const struct store_survey_settings *v = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE survey_settings SET enabled = ?, delay_s = ?, "
                                      "window_h = ?, repeat_days = ?, channels = ?, "
                                      "questions = ?, nps = ?, extra = ?, updated_at = ? "
                                      "WHERE id = 1");
    if (!s)
        return ERR_IO;
    db_bind_int(s, 1, v->enabled);
    db_bind_i64(s, 2, v->delay_s);
    db_bind_i64(s, 3, v->window_h);
    db_bind_i64(s, 4, v->repeat_days);
    store__bind_cstr(s, 5, v->channels ? v->channels : "");
    store__bind_cstr(s, 6, v->questions);
    store__bind_cstr(s, 7, v->nps);
    store__bind_cstr(s, 8, v->extra ? v->extra : "[]");
    db_bind_i64(s, 9, tx->now);
    return store__step_done(s);
}

int
store_survey_settings_put(struct store *st, const struct store_survey_settings *v)
{
    if (!v->questions || v->delay_s < 0 || v->window_h < 1 || v->repeat_days < 0)
        return ERR_INVAL;
    return store__submit(st, settings_tx, (void *)v, true);
}

/* ---- queue at resolve ---------------------------------------------------------------------- */

int
store_survey_facts(struct store *st, struct arena *ar, int64_t conv_id,
                   struct store_survey_facts *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c,
        "SELECT c.contact_id, c.channel_id, coalesce(c.assignee_id, 0), "
        "coalesce((SELECT team_id FROM conv_sla WHERE conversation_id = c.id), 0), ch.type, "
        "ct.status = 'blocked', c.status, c.resolution_reason, "
        "EXISTS (SELECT 1 FROM survey WHERE conversation_id = c.id), "
        "coalesce((SELECT max(queued_at) FROM survey WHERE contact_id = c.contact_id), 0) "
        "FROM conversation c JOIN contact ct ON ct.id = c.contact_id "
        "JOIN channel ch ON ch.id = c.channel_id WHERE c.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->conversation_id = conv_id;
        out->contact_id = db_i64(s, 0);
        out->channel_id = db_i64(s, 1);
        out->agent_id = db_i64(s, 2);
        out->team_id = db_i64(s, 3);
        out->channel_type = store__col(ar, s, 4);
        out->blocked = db_int(s, 5) != 0;
        out->status = store__col(ar, s, 6);
        out->reason = store__col(ar, s, 7);
        out->surveyed = db_int(s, 8) != 0;
        out->contact_last_survey_at = db_i64(s, 9);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

struct queue_job {
    const struct store_survey_facts *f;
    int64_t due_at, repeat_since, id;
};

static int
queue_tx(struct store__tx *tx, void *arg)
{
    struct queue_job *j = arg;
    /* Checked again here, in the one writer: two resolves racing queue one survey. */
    struct db_stmt *s = store__q(tx->c, "SELECT EXISTS (SELECT 1 FROM survey WHERE "
                                      "conversation_id = ?1) OR EXISTS (SELECT 1 FROM survey "
                                      "WHERE contact_id = ?2 AND queued_at > ?3 AND "
                                      "cancelled_at IS NULL)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->f->conversation_id);
    db_bind_i64(s, 2, j->f->contact_id);
    db_bind_i64(s, 3, j->repeat_since);
    int rc = db_step(s);
    bool taken = rc == DB_ROW && db_int(s, 0);
    db_reset(s);
    if (rc != DB_ROW)
        return store__err(rc);
    if (taken)
        return ERR_CONFLICT;
    s = store__q(tx->c, "INSERT INTO survey(conversation_id, contact_id, channel_id, agent_id, "
                        "team_id, queued_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->f->conversation_id);
    db_bind_i64(s, 2, j->f->contact_id);
    db_bind_i64(s, 3, j->f->channel_id);
    store__bind_id(s, 4, j->f->agent_id);
    store__bind_id(s, 5, j->f->team_id);
    db_bind_i64(s, 6, tx->now);
    db_bind_i64(s, 7, j->due_at);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    j->id = db_last_id(tx->c);
    return 0;
}

int
store_survey_queue(struct store *st, const struct store_survey_facts *f, int64_t due_at,
                   int64_t repeat_since, int64_t *id)
{
    struct queue_job j = { .f = f, .due_at = due_at, .repeat_since = repeat_since };
    int rc = store__submit(st, queue_tx, &j, true);
    if (rc == 0 && id)
        *id = j.id;
    return rc;
}

/* ---- reads ------------------------------------------------------------------------------- */

#define COLS                                                                                    \
    "sv.id, sv.conversation_id, sv.contact_id, sv.channel_id, coalesce(sv.agent_id, 0), "       \
    "coalesce(sv.team_id, 0), sv.queued_at, sv.due_at, coalesce(sv.sent_at, 0), "               \
    "coalesce(sv.expires_at, 0), coalesce(sv.answered_at, 0), coalesce(sv.cancelled_at, 0), "   \
    "coalesce(sv.score, 0), coalesce(sv.nps, -1), sv.comment, sv.extra, sv.via, "               \
    "sv.cancel_reason, ch.type, coalesce((SELECT lang FROM message WHERE conversation_id = "    \
    "sv.conversation_id AND direction = 'in' AND lang IS NOT NULL ORDER BY id DESC LIMIT 1), " \
    "'en'), ct.status = 'blocked', coalesce(sv.message_id, 0), "                                \
    "coalesce(a.display_name, a.name), ct.name, cv.status, sv.answer_ext, "                     \
    "coalesce(cv.last_inbound_at, 0) "                                   \
    "FROM survey sv JOIN channel ch ON ch.id = sv.channel_id "                                  \
    "JOIN contact ct ON ct.id = sv.contact_id JOIN conversation cv ON cv.id = "                 \
    "sv.conversation_id LEFT JOIN agent a ON a.id = sv.agent_id "

static void
row(struct arena *ar, struct db_stmt *s, struct store_survey *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_i64(s, 0);
    o->conversation_id = db_i64(s, 1);
    o->contact_id = db_i64(s, 2);
    o->channel_id = db_i64(s, 3);
    o->agent_id = db_i64(s, 4);
    o->team_id = db_i64(s, 5);
    o->queued_at = db_i64(s, 6);
    o->due_at = db_i64(s, 7);
    o->sent_at = db_i64(s, 8);
    o->expires_at = db_i64(s, 9);
    o->answered_at = db_i64(s, 10);
    o->cancelled_at = db_i64(s, 11);
    o->score = db_int(s, 12);
    o->nps = db_int(s, 13);
    o->comment = store__col(ar, s, 14);
    o->extra = store__col(ar, s, 15);
    o->via = store__col(ar, s, 16);
    o->cancel_reason = store__col(ar, s, 17);
    o->channel_type = store__col(ar, s, 18);
    o->lang = store__col(ar, s, 19);
    o->blocked = db_int(s, 20) != 0;
    o->message_id = db_i64(s, 21);
    o->agent_name = store__col(ar, s, 22);
    o->contact_name = store__col(ar, s, 23);
    o->conv_status = store__col(ar, s, 24);
    o->answer_ext = store__col(ar, s, 25);
    o->last_inbound_at = db_i64(s, 26);
}

static int
one(struct store *st, struct arena *ar, const char *sql, int64_t iv, const char *sv,
    struct store_survey *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, sql);
    if (!s)
        return ERR_IO;
    if (sv)
        store__bind_cstr(s, 1, sv);
    else
        db_bind_i64(s, 1, iv);
    int rc = db_step(s);
    if (rc == DB_ROW)
        row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_survey_get(struct store *st, struct arena *ar, int64_t id, struct store_survey *out)
{
    return one(st, ar, "SELECT " COLS "WHERE sv.id = ?", id, NULL, out);
}

int
store_survey_of_conv(struct store *st, struct arena *ar, int64_t conv_id,
                     struct store_survey *out)
{
    return one(st, ar, "SELECT " COLS "WHERE sv.conversation_id = ?", conv_id, NULL, out);
}

int
store_survey_by_token(struct store *st, struct arena *ar, const char *token_hash,
                      struct store_survey *out)
{
    return one(st, ar, "SELECT " COLS "WHERE sv.token_hash = ?", 0, token_hash, out);
}

int
store_survey_of_message(struct store *st, struct arena *ar, int64_t msg_id,
                        struct store_survey *out)
{
    return one(st, ar, "SELECT " COLS "WHERE sv.message_id = ?", msg_id, NULL, out);
}

int
store_survey_of_sender(struct store *st, struct arena *ar, int64_t channel_id,
                       const char *channel_type, struct str from_id, struct store_survey *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " COLS "WHERE sv.channel_id = ?1 AND sv.sent_at IS "
                                  "NOT NULL AND sv.contact_id = (SELECT contact_id FROM "
                                  "identity WHERE channel_type = ?2 AND platform_id = ?3) "
                                  "ORDER BY sv.sent_at DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, channel_id);
    store__bind_cstr(s, 2, channel_type);
    store__bind_str(s, 3, from_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_survey_due(struct store *st, struct arena *ar, int64_t now, size_t max,
                 struct store_survey **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " COLS "WHERE sv.sent_at IS NULL AND "
                                  "sv.cancelled_at IS NULL AND sv.due_at <= ? "
                                  "ORDER BY sv.due_at LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, now);
    db_bind_i64(s, 2, (int64_t)max);
    struct store_survey *v = ARENA_NEW_N(ar, struct store_survey, max ? max : 1);
    size_t k = 0;
    int rc = DB_DONE;
    while (k < max && (rc = db_step(s)) == DB_ROW)
        row(ar, s, &v[k++]);
    db_reset(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = k;
    return 0;
}

int64_t
store_survey_next_due(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    struct db_stmt *s = store__q(c, "SELECT min(due_at) FROM survey WHERE sent_at IS NULL AND "
                                  "cancelled_at IS NULL");
    if (!s)
        return 0;
    int64_t v = db_step(s) == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    return v;
}

int64_t
store_survey_last_tap(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return 0;
    struct db_stmt *s = store__q(c, "SELECT coalesce(max(answered_at), 0) FROM survey "
                                  "WHERE answered_at IS NOT NULL AND via = 'buttons'");
    if (!s)
        return 0;
    int64_t v = db_step(s) == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    return v;
}

/* ---- send, cancel ------------------------------------------------------------------------ */

struct send_job {
    int64_t id;
    struct str text;
    const char *payload, *token_hash;
    int64_t expires_at, msg_id;
    const char *cancel_reason;
};

static int
send_tx(struct store__tx *tx, void *arg)
{
    struct send_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT sv.conversation_id, sv.channel_id, cv.public, "
                                      "ct.status = 'blocked' FROM survey sv "
                                      "JOIN conversation cv ON cv.id = sv.conversation_id "
                                      "JOIN contact ct ON ct.id = sv.contact_id "
                                      "WHERE sv.id = ? AND sv.sent_at IS NULL AND "
                                      "sv.cancelled_at IS NULL");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    int rc = db_step(s);
    int64_t conv = 0, channel = 0;
    int pub = 0, blocked = 0;
    if (rc == DB_ROW) {
        conv = db_i64(s, 0);
        channel = db_i64(s, 1);
        pub = db_int(s, 2);
        blocked = db_int(s, 3);
    }
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_CONFLICT : store__err(rc); /* sent or cancelled */
    if (blocked || j->cancel_reason) {
        /* Blocked since it was queued: never asked. */
        s = store__q(tx->c, "UPDATE survey SET cancelled_at = ?, cancel_reason = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, tx->now);
        db_bind_text_ref(s, 2, j->cancel_reason ? j->cancel_reason : "blocked", -1);
        db_bind_i64(s, 3, j->id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        j->msg_id = 0;
        return 0;
    }
    if ((rc = store__queue_auto(tx, conv, channel, pub, j->text, 0, &j->msg_id)) < 0)
        return rc;
    if (j->payload) {
        s = store__q(tx->c, "INSERT INTO message_payload(message_id, payload) VALUES (?, ?)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->msg_id);
        db_bind_text_ref(s, 2, j->payload, -1);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    s = store__q(tx->c, "UPDATE survey SET sent_at = ?, message_id = ?, token_hash = ?, "
                        "expires_at = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->msg_id);
    store__bind_cstr(s, 3, j->token_hash);
    db_bind_i64(s, 4, j->expires_at);
    db_bind_i64(s, 5, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__emit_msg(tx, "message.created", j->msg_id);
}

int
store_survey_send(struct store *st, int64_t id, struct str text, const char *payload,
                  const char *token_hash, int64_t expires_at, int64_t *msg_id)
{
    if (!text.len || !token_hash)
        return ERR_INVAL;
    struct send_job j = { .id = id, .text = text, .payload = payload, .token_hash = token_hash,
                          .expires_at = expires_at };
    int rc = store__submit(st, send_tx, &j, true);
    if (rc == 0 && msg_id)
        *msg_id = j.msg_id;
    return rc;
}

int
store_survey_cancel(struct store *st, int64_t id, const char *reason)
{
    struct send_job j = { .id = id, .text = str_c("-"), .cancel_reason = reason };
    return store__submit(st, send_tx, &j, true);
}

/* ---- answers ----------------------------------------------------------------------------- */

struct answer_job {
    int64_t id;
    const struct store_survey_answer *a;
    const char *event_text;
    int64_t now, msg_id;
};

/* Adds (or, 'msg_id' set, rewrites) the rating event in the survey's conversation: an 'out'
 * event like the other system events, so no SLA trigger takes it for the customer writing. */
static int
rating_event(struct store__tx *tx, int64_t survey_id, const char *text, int64_t *msg_id)
{
    struct db_stmt *s;
    int rc;
    if (*msg_id) {
        s = store__q(tx->c, "UPDATE message SET text = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        store__bind_cstr(s, 1, text);
        db_bind_i64(s, 2, *msg_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        return store__emit_msg(tx, "message.updated", *msg_id);
    }
    s = store__q(tx->c, "INSERT INTO message(conversation_id, channel_id, direction, kind, text, "
                        "public, status, created_at) SELECT sv.conversation_id, sv.channel_id, "
                        "'out', 'event', ?, 0, 'sent', ? FROM survey sv WHERE sv.id = ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, text);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, survey_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    *msg_id = db_last_id(tx->c);
    s = store__q(tx->c, "UPDATE survey SET event_message_id = ? WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *msg_id);
    db_bind_i64(s, 2, survey_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__emit_msg(tx, "message.created", *msg_id);
}

static int
answer_tx(struct store__tx *tx, void *arg)
{
    struct answer_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT sent_at IS NOT NULL, answered_at IS NOT NULL, "
                                      "coalesce(expires_at, 0) FROM survey WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    int rc = db_step(s);
    int sent = 0, answered = 0;
    int64_t expires = 0;
    if (rc == DB_ROW) {
        sent = db_int(s, 0);
        answered = db_int(s, 1);
        expires = db_i64(s, 2);
    }
    db_reset(s);
    if (rc != DB_ROW || !sent)
        return rc == DB_ROW || rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    if (answered)
        return ERR_CONFLICT;
    if (j->now >= expires)
        return ERR_TIMEOUT;
    s = store__q(tx->c, "UPDATE survey SET answered_at = ?, score = ?, nps = ?, comment = ?, "
                        "extra = ?, via = ?, answer_ext = ? WHERE id = ? AND answered_at IS NULL");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->now);
    db_bind_int(s, 2, j->a->score);
    if (j->a->nps >= 0)
        db_bind_int(s, 3, j->a->nps);
    store__bind_cstr(s, 4, j->a->comment && j->a->comment[0] ? j->a->comment : NULL);
    store__bind_cstr(s, 5, j->a->extra);
    store__bind_cstr(s, 6, j->a->via);
    store__bind_cstr(s, 7, j->a->ext);
    db_bind_i64(s, 8, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    j->msg_id = 0;
    return rating_event(tx, j->id, j->event_text, &j->msg_id);
}

int
store_survey_answer(struct store *st, int64_t id, const struct store_survey_answer *a,
                    const char *event_text, int64_t now)
{
    if (!a || a->score < 1 || a->score > 5 || a->nps > 10 || !event_text)
        return ERR_INVAL;
    struct answer_job j = { .id = id, .a = a, .event_text = event_text, .now = now };
    return store__submit(st, answer_tx, &j, true);
}

static int
comment_tx(struct store__tx *tx, void *arg)
{
    struct answer_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE survey SET comment = ? WHERE id = ? AND "
                                      "answered_at IS NOT NULL AND comment IS NULL AND "
                                      "expires_at > ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, j->a->comment);
    db_bind_i64(s, 2, j->id);
    db_bind_i64(s, 3, j->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_CONFLICT;
    s = store__q(tx->c, "SELECT coalesce(event_message_id, 0) FROM survey WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    j->msg_id = db_step(s) == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    return rating_event(tx, j->id, j->event_text, &j->msg_id);
}

int
store_survey_comment(struct store *st, int64_t id, const char *comment, const char *event_text,
                     int64_t now)
{
    if (!comment || !comment[0] || !event_text)
        return ERR_INVAL;
    struct store_survey_answer a = { .comment = comment };
    struct answer_job j = { .id = id, .a = &a, .event_text = event_text, .now = now };
    return store__submit(st, comment_tx, &j, true);
}

/* ---- figures ----------------------------------------------------------------------------- */

#define FILTER_SQL                                                                              \
    " (?1 = 0 OR sv.agent_id = ?1) AND (?2 = 0 OR sv.team_id = ?2) AND "                        \
    "(?3 = '' OR ch.type = ?3) AND (?4 = 0 OR sv.queued_at >= ?4) AND "                        \
    "(?5 = 0 OR sv.queued_at < ?5) "

static void
bind_filter(struct db_stmt *s, const struct store_csat_filter *f)
{
    db_bind_i64(s, 1, f->agent_id);
    db_bind_i64(s, 2, f->team_id);
    db_bind_text_ref(s, 3, f->channel_type ? f->channel_type : "", -1);
    db_bind_i64(s, 4, f->from);
    db_bind_i64(s, 5, f->to);
}

int
store_csat_stats(struct store *st, const struct store_csat_filter *f, struct store_csat *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c,
        "SELECT count(sv.sent_at), count(sv.answered_at), coalesce(avg(sv.score), 0), "
        "sum(CASE WHEN sv.score = 1 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN sv.score = 2 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN sv.score = 3 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN sv.score = 4 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN sv.score = 5 THEN 1 ELSE 0 END), count(sv.nps), "
        "sum(CASE WHEN sv.nps >= 9 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN sv.nps <= 6 THEN 1 ELSE 0 END), count(sv.comment) "
        "FROM survey sv JOIN channel ch ON ch.id = sv.channel_id WHERE" FILTER_SQL);
    if (!s)
        return ERR_IO;
    bind_filter(s, f);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->sent = db_i64(s, 0);
        out->answered = db_i64(s, 1);
        out->average = db_double(s, 2);
        for (int i = 0; i < 5; i++)
            out->scores[i] = db_i64(s, 3 + i);
        out->nps_answers = db_i64(s, 8);
        out->promoters = db_i64(s, 9);
        out->detractors = db_i64(s, 10);
        out->comments = db_i64(s, 11);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

int
store_csat_heroes(struct store *st, struct arena *ar, const struct store_csat_filter *f,
                  int64_t min_answers, size_t max, struct store_csat_hero **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c,
        "SELECT sv.agent_id, coalesce(a.display_name, a.name), count(*), avg(sv.score) "
        "FROM survey sv JOIN channel ch ON ch.id = sv.channel_id "
        "JOIN agent a ON a.id = sv.agent_id WHERE sv.answered_at IS NOT NULL AND" FILTER_SQL
        "GROUP BY sv.agent_id, a.id HAVING count(*) >= ?6 "
        "ORDER BY avg(sv.score) DESC, count(*) DESC, sv.agent_id LIMIT ?7");
    if (!s)
        return ERR_IO;
    bind_filter(s, f);
    db_bind_i64(s, 6, min_answers);
    db_bind_i64(s, 7, (int64_t)max);
    struct store_csat_hero *v = ARENA_NEW_N(ar, struct store_csat_hero, max ? max : 1);
    size_t k = 0;
    int rc = DB_DONE;
    while (k < max && (rc = db_step(s)) == DB_ROW) {
        v[k].agent_id = db_i64(s, 0);
        v[k].name = store__col(ar, s, 1);
        v[k].answers = db_i64(s, 2);
        v[k].average = db_double(s, 3);
        k++;
    }
    db_reset(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = k;
    return 0;
}

int
store_survey_question(struct store *st, struct arena *ar, const char *lang,
                      const char **question, bool *more)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* In 'lang', else English, else the first written: on PostgreSQL that one comes from its
     * own json_each over json WITH ORDINALITY (the baseline's goes through jsonb, which sorts
     * the keys). */
    struct db_stmt *s = store__q(c, store__sql(c,
        "SELECT coalesce((SELECT value FROM json_each(questions) WHERE key = ?1), "
        "(SELECT value FROM json_each(questions) WHERE key = 'en'), "
        "(SELECT value FROM json_each(questions) LIMIT 1)), "
        "nps IS NOT NULL OR json_array_length(extra) > 0 FROM survey_settings WHERE id = 1",
        "SELECT coalesce((SELECT value FROM json_each(questions) WHERE key = ?1), "
        "(SELECT value FROM json_each(questions) WHERE key = 'en'), "
        "(SELECT j.value #>> '{}' FROM json_each(CAST(CASE WHEN json_type(questions, '$') = "
        "'object' THEN questions ELSE '{}' END AS json)) WITH ORDINALITY j(key, value, n) "
        "ORDER BY j.n LIMIT 1)), "
        "nps IS NOT NULL OR json_array_length(extra) > 0 FROM survey_settings WHERE id = 1"));
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, lang ? lang : "en");
    int rc = db_step(s);
    if (rc == DB_ROW) {
        *question = store__col(ar, s, 0);
        *more = db_int(s, 1) != 0;
    }
    db_reset(s);
    if (rc == DB_ROW && !*question)
        return ERR_NOTFOUND;
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}
