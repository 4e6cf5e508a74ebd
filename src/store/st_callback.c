/* SPDX-License-Identifier: MIT */
/*
 * st_callback.c - phone callbacks (migration 018): an agent's offer, the customer's answer
 * through the link (once, before it expires) and the agent's task until done.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/arena.h"
#include "model/model.h"

#define COLS                                                                                    \
    "cb.id, cb.conversation_id, coalesce(cb.agent_id, 0), coalesce(cb.calendar_id, 0), "        \
    "cb.offered_at, cb.expires_at, coalesce(cb.accepted_at, 0), cb.phone, cb.note, "            \
    "coalesce(cb.slot_at, 0), coalesce(cb.done_at, 0), coalesce(cb.done_by, 0), "               \
    "coalesce(a.display_name, a.name), ct.name "                                                \
    "FROM callback cb LEFT JOIN agent a ON a.id = cb.agent_id "                                 \
    "JOIN conversation cv ON cv.id = cb.conversation_id "                                       \
    "LEFT JOIN contact ct ON ct.id = cv.contact_id "

static void
row(struct arena *ar, struct db_stmt *s, struct store_callback *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_i64(s, 0);
    o->conversation_id = db_i64(s, 1);
    o->agent_id = db_i64(s, 2);
    o->calendar_id = db_i64(s, 3);
    o->offered_at = db_i64(s, 4);
    o->expires_at = db_i64(s, 5);
    o->accepted_at = db_i64(s, 6);
    o->phone = store__col(ar, s, 7);
    o->note = store__col(ar, s, 8);
    o->slot_at = db_i64(s, 9);
    o->done_at = db_i64(s, 10);
    o->done_by = db_i64(s, 11);
    o->agent_name = store__col(ar, s, 12);
    o->contact_name = store__col(ar, s, 13);
}

struct cb_job {
    const struct store_callback *c;
    const char *token_hash, *phone, *note;
    int64_t now, slot_at, id, agent_id;
    bool done;
};

static int
emit(struct store__tx *tx, int64_t id)
{
    struct db_stmt *s = store__q(tx->c, "SELECT conversation_id, coalesce(agent_id, 0) "
                                      "FROM callback WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    int64_t conv = 0, agent = 0;
    if (rc == DB_ROW) {
        conv = db_i64(s, 0);
        agent = db_i64(s, 1);
    }
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    char *ev = codec_event_callback(id, conv, agent);
    if (!ev)
        return ERR_NOMEM;
    return store__event(tx, "callback.updated", ev);
}

static int
offer_tx(struct store__tx *tx, void *arg)
{
    struct cb_job *j = arg;
    const struct store_callback *c = j->c;
    struct db_stmt *s = store__q(tx->c, "SELECT 1 FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, c->conversation_id);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    s = store__q(tx->c, "INSERT INTO callback(conversation_id, agent_id, calendar_id, "
                        "token_hash, offered_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, c->conversation_id);
    if (c->agent_id)
        db_bind_i64(s, 2, c->agent_id);
    else
        db_bind_null(s, 2);
    db_bind_i64(s, 3, c->calendar_id);
    store__bind_cstr(s, 4, c->token_hash);
    db_bind_i64(s, 5, tx->now);
    db_bind_i64(s, 6, c->expires_at);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    j->id = db_last_id(tx->c);
    return 0;
}

int
store_callback_offer(struct store *st, const struct store_callback *c, int64_t *out_id)
{
    if (!c->token_hash || !c->conversation_id)
        return ERR_INVAL;
    struct cb_job j = { .c = c };
    int rc = store__submit(st, offer_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.id;
    return rc;
}

int
store_callback_open(struct store *st, struct arena *ar, const char *token_hash, int64_t now,
                    struct store_callback *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " COLS "WHERE cb.token_hash = ? AND "
                                  "cb.accepted_at IS NULL AND cb.expires_at > ?");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, token_hash);
    db_bind_i64(s, 2, now);
    int rc = db_step(s);
    if (rc == DB_ROW)
        row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

static int
accept_tx(struct store__tx *tx, void *arg)
{
    struct cb_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE callback SET accepted_at = ?, phone = ?, "
                                      "slot_at = ?, note = ? WHERE token_hash = ? AND "
                                      "accepted_at IS NULL AND expires_at > ? RETURNING id");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    store__bind_cstr(s, 2, j->phone);
    db_bind_i64(s, 3, j->slot_at);
    store__bind_cstr(s, 4, j->note);
    store__bind_cstr(s, 5, j->token_hash);
    db_bind_i64(s, 6, j->now);
    int rc = db_step(s);
    if (rc == DB_ROW)
        j->id = db_i64(s, 0);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    return emit(tx, j->id);
}

int
store_callback_accept(struct store *st, const char *token_hash, int64_t now, const char *phone,
                      int64_t slot_at, const char *note, int64_t *out_id)
{
    struct cb_job j = { .token_hash = token_hash, .now = now, .phone = phone,
                        .slot_at = slot_at, .note = note && note[0] ? note : NULL };
    int rc = store__submit(st, accept_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.id;
    return rc;
}

int
store_callback_get(struct store *st, struct arena *ar, int64_t id, struct store_callback *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " COLS "WHERE cb.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_callback_list(struct store *st, struct arena *ar, int64_t agent_id, int64_t conv_id,
                    bool with_done, int max, struct store_callback **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " COLS "WHERE cb.accepted_at IS NOT NULL "
                                  "AND (?1 = 0 OR cb.agent_id = ?1) "
                                  "AND (?2 = 0 OR cb.conversation_id = ?2) "
                                  "AND (?3 <> 0 OR cb.done_at IS NULL) "
                                  "ORDER BY cb.done_at IS NOT NULL, cb.slot_at, cb.id LIMIT ?4");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, agent_id);
    db_bind_i64(s, 2, conv_id);
    db_bind_int(s, 3, with_done);
    db_bind_int(s, 4, max);
    struct store_callback *v = arena_alloc(ar, (size_t)(max > 0 ? max : 1) * sizeof(*v));
    int rc;
    while ((rc = db_step(s)) == DB_ROW && *n < (size_t)max)
        row(ar, s, &v[(*n)++]);
    db_reset(s);
    if (rc != DB_DONE && rc != DB_ROW)
        return store__err(rc);
    *out = v;
    return 0;
}

static int
done_tx(struct store__tx *tx, void *arg)
{
    struct cb_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE callback SET done_at = ?, done_by = ? "
                                      "WHERE id = ? AND accepted_at IS NOT NULL");
    if (!s)
        return ERR_IO;
    if (j->done) {
        db_bind_i64(s, 1, tx->now);
        if (j->agent_id)
            db_bind_i64(s, 2, j->agent_id);
        else
            db_bind_null(s, 2);
    } else {
        db_bind_null(s, 1);
        db_bind_null(s, 2);
    }
    db_bind_i64(s, 3, j->id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    if (db_changes(tx->c) == 0)
        return ERR_NOTFOUND;
    return emit(tx, j->id);
}

int
store_callback_done(struct store *st, int64_t id, int64_t agent_id, bool done)
{
    struct cb_job j = { .id = id, .agent_id = agent_id, .done = done };
    return store__submit(st, done_tx, &j, true);
}
