/* SPDX-License-Identifier: MIT */
/*
 * st_sla.c - per-conversation SLA state, persisted timers, the honest auto-acknowledgement and
 * the unanswered view.
 *
 * A timer fires exactly once because marking it fired and writing its event happen in one
 * transaction, guarded by "fired_at IS NULL": after a crash either both happened or neither,
 * and a second attempt (a restart replaying overdue timers) changes no row and writes nothing.
 * Deadlines themselves are computed in care/sla.c (they need the business-hours calendar).
 */
#include "base/base.h"
#include "store/store_int.h"

#include <stdio.h>


#define SLA_COLS                                                                                   \
    "conversation_id, coalesce(team_id, 0), coalesce(rule_id, 0), strategy, route_reason, "       \
    "coalesce(routed_at, 0), coalesce(queued_at, 0), coalesce(policy_id, 0), "                    \
    "coalesce(policy_version, 0), coalesce(awaiting_since, 0), coalesce(first_reply_at, 0), "     \
    "coalesce(last_reply_at, 0), coalesce(opened_at, 0), coalesce(paused_at, 0), pause_ms, "      \
    "coalesce(first_due, 0), coalesce(next_due, 0), coalesce(resolve_due, 0), "                   \
    "coalesce(autoack_msg_id, 0), noreply_reason, escalation "

static void
sla_row(struct arena *ar, struct db_stmt *s, int o, struct store_conv_sla *x)
{
    memset(x, 0, sizeof(*x));
    x->conversation_id = db_i64(s, o + 0);
    x->team_id = db_i64(s, o + 1);
    x->rule_id = db_i64(s, o + 2);
    x->strategy = store__col(ar, s, o + 3);
    x->route_reason = store__col(ar, s, o + 4);
    x->routed_at = db_i64(s, o + 5);
    x->queued_at = db_i64(s, o + 6);
    x->policy_id = db_i64(s, o + 7);
    x->policy_version = db_i64(s, o + 8);
    x->awaiting_since = db_i64(s, o + 9);
    x->first_reply_at = db_i64(s, o + 10);
    x->last_reply_at = db_i64(s, o + 11);
    x->opened_at = db_i64(s, o + 12);
    x->paused_at = db_i64(s, o + 13);
    x->pause_ms = db_i64(s, o + 14);
    x->first_due = db_i64(s, o + 15);
    x->next_due = db_i64(s, o + 16);
    x->resolve_due = db_i64(s, o + 17);
    x->autoack_msg_id = db_i64(s, o + 18);
    x->noreply_reason = store__col(ar, s, o + 19);
    x->escalation = db_int(s, o + 20);
}

int
store_conv_sla_get(struct store *st, struct arena *ar, int64_t conv_id,
                   struct store_conv_sla *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " SLA_COLS "FROM conv_sla WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        sla_row(ar, s, 0, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_sla_dirty(struct store *st, struct arena *ar, size_t max, struct store_dirty **out,
                size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT conversation_id, gen FROM sla_dirty "
                                  "ORDER BY conversation_id LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, (int64_t)max);
    struct store_dirty *v = ARENA_NEW_N(ar, struct store_dirty, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        v[cnt].conversation_id = db_i64(s, 0);
        v[cnt].gen = db_i64(s, 1);
        cnt++;
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

static void
bind_time(struct db_stmt *s, int i, int64_t v)
{
    if (v > 0)
        db_bind_i64(s, i, v);
    else
        db_bind_null(s, i);
}

static int
apply_tx(struct store__tx *tx, void *arg)
{
    const struct store_sla_apply *a = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT coalesce(first_due, 0), coalesce(next_due, 0), "
                                      "coalesce(resolve_due, 0) FROM conv_sla "
                                      "WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, a->conversation_id);
    int64_t before[3] = { 0, 0, 0 };
    bool exists = db_step(s) == DB_ROW;
    if (exists) {
        for (int i = 0; i < 3; i++)
            before[i] = db_i64(s, i);
    }
    db_reset(s);
    int rc;
    if (exists) {
        s = store__q(tx->c, "UPDATE conv_sla SET policy_id = ?, policy_version = ?, "
                            "paused_at = ?, pause_ms = ?, first_due = ?, next_due = ?, "
                            "resolve_due = ?, updated_at = ? WHERE conversation_id = ?");
        if (!s)
            return ERR_IO;
        bind_time(s, 1, a->policy_id);
        bind_time(s, 2, a->policy_version);
        bind_time(s, 3, a->paused_at);
        db_bind_i64(s, 4, a->pause_ms);
        bind_time(s, 5, a->first_due);
        bind_time(s, 6, a->next_due);
        bind_time(s, 7, a->resolve_due);
        db_bind_i64(s, 8, tx->now);
        db_bind_i64(s, 9, a->conversation_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    s = store__q(tx->c, "UPDATE timer SET cancelled = 1 WHERE conversation_id = ? AND "
                        "fired_at IS NULL AND cancelled = 0");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, a->conversation_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    for (size_t i = 0; exists && i < a->ntimers; i++) {
        /* A deadline that already fired (same kind, same time) is not armed again: a
         * recompute after an unrelated change would otherwise repeat its warning or breach. */
        s = store__q(tx->c, "INSERT INTO timer(conversation_id, kind, due_at) SELECT ?1, ?2, ?3 "
                            "WHERE NOT EXISTS (SELECT 1 FROM timer WHERE conversation_id = ?1 "
                            "AND kind = ?2 AND due_at = ?3 AND fired_at IS NOT NULL)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, a->conversation_id);
        store__bind_cstr(s, 2, a->timers[i].kind);
        db_bind_i64(s, 3, a->timers[i].due_at);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    s = store__q(tx->c, "DELETE FROM sla_dirty WHERE conversation_id = ? AND gen = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, a->conversation_id);
    db_bind_i64(s, 2, a->gen);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (exists && (before[0] != a->first_due || before[1] != a->next_due ||
                   before[2] != a->resolve_due)) {
        return store__event(tx, "sla.updated",
                            codec_event_sla(a->conversation_id, a->paused_at != 0, a->first_due,
                                            a->next_due, a->resolve_due));
    }
    return 0;
}

int
store_sla_apply(struct store *st, const struct store_sla_apply *a)
{
    if (a->ntimers > COUNTOF(a->timers))
        return ERR_INVAL;
    return store__submit(st, apply_tx, (void *)a, true);
}

int
store_timers_after(struct store *st, struct arena *ar, int64_t after, size_t max,
                   struct store_timer **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT id, conversation_id, kind, due_at FROM timer "
                                  "WHERE id > ? AND fired_at IS NULL AND cancelled = 0 "
                                  "ORDER BY id LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, after);
    db_bind_i64(s, 2, (int64_t)max);
    struct store_timer *v = ARENA_NEW_N(ar, struct store_timer, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        v[cnt].id = db_i64(s, 0);
        v[cnt].conversation_id = db_i64(s, 1);
        v[cnt].kind = store__col(ar, s, 2);
        v[cnt].due_at = db_i64(s, 3);
        cnt++;
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

struct fire_job {
    int64_t id;
    bool fired;
};

static int
fire_tx(struct store__tx *tx, void *arg)
{
    struct fire_job *j = arg;
    j->fired = false;
    struct db_stmt *s = store__q(tx->c, "UPDATE timer SET fired_at = ? WHERE id = ? AND "
                                      "fired_at IS NULL AND cancelled = 0 "
                                      "RETURNING conversation_id, kind, due_at");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    int rc = db_step(s);
    if (rc != DB_ROW) {
        db_reset(s);
        return rc == DB_DONE ? 0 : store__err(rc);
    }
    int64_t conv = db_i64(s, 0);
    char kind[32];
    snprintf(kind, sizeof(kind), "%s", db_text(s, 1));
    int64_t due = db_i64(s, 2);
    db_step(s);
    db_reset(s);
    j->fired = true;
    if (strcmp(kind, "snooze") == 0) {
        s = store__q(tx->c, "UPDATE conversation SET status = 'open', snooze_until = NULL, "
                            "updated_at = ? WHERE id = ? AND status = 'snoozed'");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, tx->now);
        db_bind_i64(s, 2, conv);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        if (db_changes(tx->c) == 0)
            return 0;
        if ((rc = store__emit_conv(tx, "conversation.updated", conv)) < 0)
            return rc;
        return store__event(tx, "snooze.woke", codec_event_sla_timer(conv, "woke", "snooze", due));
    }
    /* "first_warning" -> clock "first_response", event sla.warning. */
    char clock[32];
    const char *us = strchr(kind, '_');
    size_t cl = us ? (size_t)(us - kind) : strlen(kind);
    snprintf(clock, sizeof(clock), "%.*s%s", (int)cl, kind,
             strncmp(kind, "resolve", 7) == 0 ? "" : "_response");
    if (strncmp(kind, "resolve", 7) == 0)
        snprintf(clock, sizeof(clock), "resolution");
    bool breach = us && strcmp(us + 1, "breach") == 0;
    return store__event(tx, breach ? "sla.breached" : "sla.warning",
                        codec_event_sla_timer(conv, breach ? "breach" : "warning", clock, due));
}

int
store_timer_fire(struct store *st, int64_t id, bool *fired)
{
    struct fire_job j = { .id = id };
    int rc = store__submit(st, fire_tx, &j, true);
    if (rc == 0)
        *fired = j.fired;
    return rc;
}

struct autoack_job {
    int64_t conv_id;
    struct str text;
    int64_t msg_id;
};

static int
autoack_tx(struct store__tx *tx, void *arg)
{
    struct autoack_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT c.channel_id, c.public, "
                                      "coalesce(x.autoack_msg_id, 0) FROM conversation c "
                                      "LEFT JOIN conv_sla x ON x.conversation_id = c.id "
                                      "WHERE c.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    if (db_step(s) != DB_ROW) {
        db_reset(s);
        return ERR_NOTFOUND;
    }
    int64_t channel_id = db_i64(s, 0);
    int pub = db_int(s, 1);
    int64_t existing = db_i64(s, 2);
    db_reset(s);
    if (existing)
        return ERR_CONFLICT;
    /* The flag keeps the sla_msg_out trigger from taking this for a human reply. */
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
    if ((rc = store__queue_auto(tx, j->conv_id, channel_id, pub, j->text, 0, &j->msg_id)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conv_sla SET autoack_pending = 0, autoack_msg_id = ? "
                        "WHERE conversation_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->msg_id);
    db_bind_i64(s, 2, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET message_count = message_count + 1, "
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
store_autoack(struct store *st, int64_t conv_id, struct str text, int64_t *msg_id)
{
    struct autoack_job j = { .conv_id = conv_id, .text = text };
    int rc = store__submit(st, autoack_tx, &j, true);
    if (rc == 0 && msg_id)
        *msg_id = j.msg_id;
    return rc;
}

int
store_unanswered_list(struct store *st, struct arena *ar, const struct store_scope *sc, int limit,
                      struct conv **convs, struct store_conv_sla **slas, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    if (limit <= 0 || limit > 200)
        limit = 50;
    /* Driven by the partial index on awaiting_since: only waiting conversations are read. */
    struct db_stmt *s = store__q(c, "SELECT conversation_id FROM conv_sla "
                                  "WHERE awaiting_since IS NOT NULL AND conversation_id "
                                  "NOT IN (SELECT c.id FROM conversation c WHERE c.contact_id IN "
                                  "(SELECT id FROM contact WHERE status = 'blocked')) AND "
                                  "(:scope_lim = 0 OR "
                                  "conversation_id IN (SELECT c.id FROM conversation c WHERE"
                                  STORE_SCOPE_SQL ")) ORDER BY "
                                  "coalesce(min(coalesce(first_due, next_due), "
                                  "coalesce(next_due, first_due)), 9e18), awaiting_since, "
                                  "conversation_id LIMIT :limit");
    if (!s)
        return ERR_IO;
    db_bind_int(s, db_param(s, ":limit"), limit);
    store__bind_scope(s, sc);
    int64_t *ids = ARENA_NEW_N(ar, int64_t, (size_t)limit);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        ids[cnt++] = db_i64(s, 0);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    struct conv *cv = ARENA_NEW_N(ar, struct conv, cnt ? cnt : 1);
    struct store_conv_sla *sv = ARENA_NEW_N(ar, struct store_conv_sla, cnt ? cnt : 1);
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (store__conv_read(c, ar, ids[i], &cv[k]) < 0)
            continue;
        struct db_stmt *q = store__q(c, "SELECT " SLA_COLS "FROM conv_sla WHERE conversation_id = ?");
        if (!q)
            return ERR_IO;
        db_bind_i64(q, 1, ids[i]);
        if (db_step(q) == DB_ROW)
            sla_row(ar, q, 0, &sv[k]);
        db_reset(q);
        k++;
    }
    *convs = cv;
    *slas = sv;
    *n = k;
    return 0;
}

int64_t
store_unanswered_count(struct store *st)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT count(*) FROM conv_sla WHERE awaiting_since IS NOT NULL "
                                  "AND conversation_id NOT IN (SELECT c.id FROM conversation c "
                                  "WHERE c.contact_id IN (SELECT id FROM contact "
                                  "WHERE status = 'blocked'))");
    if (!s)
        return ERR_IO;
    int64_t v = 0;
    int rc = db_step(s);
    if (rc == DB_ROW)
        v = db_i64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? v : store__err(rc);
}
