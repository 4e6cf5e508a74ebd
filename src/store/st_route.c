/* SPDX-License-Identifier: MIT */
/*
 * st_route.c - routing decisions and the routing queue: what routing reads about a
 * conversation, recording a decision on its conv_sla row, the queue of conversations waiting
 * for capacity and the sizes a decision will read. Not the decision itself: that is made
 * by routing in care/.
 */
#include "base/base.h"
#include "store/store_int.h"

int
store_route_input(struct store *st, struct arena *ar, int64_t conv_id,
                  struct store_route_input *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct store_route_input in;
    memset(&in, 0, sizeof(in));
    int rc = store__conv_read(c, ar, conv_id, &in.conv);
    if (rc < 0)
        return rc;
    struct db_stmt *s = store__q(c, "SELECT m.lang, m.text FROM message m WHERE "
                                  "m.conversation_id = ? AND m.direction = 'in' "
                                  "ORDER BY m.id DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    if (db_step(s) == DB_ROW) {
        in.lang = store__col(ar, s, 0);
        in.text = store__col(ar, s, 1);
    }
    db_reset(s);
    s = store__q(c, "SELECT ct.tags, ct.location, json_extract(CASE WHEN json_valid(ch.settings) "
                    "THEN ch.settings ELSE '{}' END, '$.store') FROM conversation cv "
                    "JOIN contact ct ON ct.id = cv.contact_id JOIN channel ch ON "
                    "ch.id = cv.channel_id WHERE cv.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    const char *tags = NULL;
    if (db_step(s) == DB_ROW) {
        tags = store__col(ar, s, 0);
        in.contact_location = store__col(ar, s, 1);
        in.channel_store = store__col(ar, s, 2);
    }
    db_reset(s);
    store__strs(c, ar, tags, &in.contact_tags);
    *out = in;
    return 0;
}

int
store_route_draft(struct store *st, struct arena *ar, int64_t channel_id,
                  struct store_route_input *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT ch.type, ch.name, json_extract(CASE WHEN "
                                  "json_valid(ch.settings) THEN ch.settings ELSE '{}' END, "
                                  "'$.store') FROM channel ch WHERE ch.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, channel_id);
    struct store_route_input in;
    memset(&in, 0, sizeof(in));
    int rc = db_step(s);
    if (rc == DB_ROW) {
        in.conv.channel_id = channel_id;
        in.conv.channel_type = store__col(ar, s, 0);
        in.conv.channel_name = store__col(ar, s, 1);
        in.channel_store = store__col(ar, s, 2);
    }
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    in.conv.status = "open";
    in.conv.urgency = -1;
    *out = in;
    return 0;
}

struct route_job {
    int64_t conv_id;
    const struct store_route_decision *d;
};

static int
route_apply_tx(struct store__tx *tx, void *arg)
{
    struct route_job *j = arg;
    const struct store_route_decision *d = j->d;
    /* A blocked contact's conversation is never routed or queued (a decision taken just
     * before the block lands here after it). */
    struct db_stmt *s = store__q(tx->c, "SELECT 1 FROM conversation c WHERE c.id = ? AND NOT"
                                      STORE_NOT_BLOCKED_SQL);
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    int blocked = db_step(s);
    db_reset(s);
    if (blocked == DB_ROW)
        return 0;
    s = store__q(tx->c, "INSERT INTO conv_sla(conversation_id, opened_at) "
                        "SELECT id, created_at FROM conversation WHERE id = ? "
                        "ON CONFLICT(conversation_id) DO NOTHING");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->conv_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conv_sla SET team_id = ?, rule_id = ?, strategy = ?, "
                        "route_reason = ?, routed_at = ?5, "
                        "queued_at = CASE WHEN ?6 <> 0 THEN coalesce(queued_at, ?5) ELSE NULL END, "
                        "escalation = CASE WHEN ?7 > 0 THEN ?7 ELSE escalation END, "
                        "updated_at = ?5 WHERE conversation_id = ?8");
    if (!s)
        return ERR_IO;
    store__bind_id(s, 1, d->team_id);
    store__bind_id(s, 2, d->rule_id);
    store__bind_cstr(s, 3, d->strategy);
    store__bind_cstr(s, 4, d->reason);
    db_bind_i64(s, 5, tx->now);
    db_bind_int(s, 6, d->agent_id == 0);
    db_bind_int(s, 7, d->escalation);
    db_bind_i64(s, 8, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = store__changed(tx)) < 0)
        return rc;
    if (d->agent_id) {
        /* ?1 is never NULL here: SQLite's 'IS NOT ?1' is this on both backends. */
        s = store__q(tx->c, "UPDATE conversation SET assignee_id = ?, updated_at = ? "
                            "WHERE id = ? AND (assignee_id IS NULL OR assignee_id <> ?1)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, d->agent_id);
        db_bind_i64(s, 2, tx->now);
        db_bind_i64(s, 3, j->conv_id);
        if ((rc = store__step_done(s)) < 0)
            return store__fk_err(tx, rc);
        bool moved = db_changes(tx->c) > 0;
        if (d->team_id) {
            s = store__q(tx->c, "UPDATE team SET rr_last_agent = ? WHERE id = ?");
            if (!s)
                return ERR_IO;
            db_bind_i64(s, 1, d->agent_id);
            db_bind_i64(s, 2, d->team_id);
            if ((rc = store__step_done(s)) < 0)
                return rc;
        }
        if (moved && (rc = store__emit_conv(tx, "conversation.updated", j->conv_id)) < 0)
            return rc;
    } else if (!d->escalation) {
        /* Queued means assigned to nobody (a reopened conversation may still have one). */
        s = store__q(tx->c, "UPDATE conversation SET assignee_id = NULL, updated_at = ? "
                            "WHERE id = ? AND assignee_id IS NOT NULL");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, tx->now);
        db_bind_i64(s, 2, j->conv_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        if (db_changes(tx->c) > 0 &&
            (rc = store__emit_conv(tx, "conversation.updated", j->conv_id)) < 0)
            return rc;
    }
    struct routed ev = {
        .conversation_id = j->conv_id,
        .team_id = d->team_id,
        .agent_id = d->agent_id,
        .rule_id = d->rule_id,
        .strategy = d->strategy,
        .reason = d->reason,
        .escalation = d->escalation,
    };
    return store__event(tx, "conversation.routed", codec_event_routed(&ev));
}

int
store_route_apply(struct store *st, int64_t conv_id, const struct store_route_decision *d)
{
    struct route_job j = { conv_id, d };
    return store__submit(st, route_apply_tx, &j, true);
}

int
store_route_queue_page(struct store *st, struct arena *ar, const struct store_queue_entry *after,
                       size_t max, struct store_queue_entry **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The row value comparison walks the partial index conv_sla_queue, whose entries carry
     * the rowid (the conversation id) after 'queued_at': each page is an index range. */
    struct db_stmt *s = store__q(c, "SELECT conversation_id, coalesce(team_id, 0), queued_at "
                                  "FROM conv_sla WHERE queued_at IS NOT NULL AND "
                                  "(queued_at, conversation_id) > (?1, ?2) "
                                  "ORDER BY queued_at, conversation_id LIMIT ?3");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, after ? after->queued_at : INT64_MIN);
    db_bind_i64(s, 2, after ? after->conversation_id : INT64_MIN);
    db_bind_i64(s, 3, (int64_t)max);
    struct store_queue_entry *v = ARENA_NEW_N(ar, struct store_queue_entry, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while (cnt < max && (rc = db_step(s)) == DB_ROW) {
        v[cnt].conversation_id = db_i64(s, 0);
        v[cnt].team_id = db_i64(s, 1);
        v[cnt].queued_at = db_i64(s, 2);
        cnt++;
    }
    if (cnt == max)
        rc = DB_DONE;
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_route_queue_count(struct store *st, int64_t conv_id, int64_t *total, int64_t *ahead)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT count(*), coalesce(sum(CASE WHEN (q.queued_at, "
                                  "q.conversation_id) < (me.queued_at, me.conversation_id) "
                                  "THEN 1 ELSE 0 END), 0) FROM conv_sla q "
                                  "LEFT JOIN conv_sla me ON me.conversation_id = ?1 "
                                  "WHERE q.queued_at IS NOT NULL");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        if (total)
            *total = db_i64(s, 0);
        if (ahead)
            *ahead = db_i64(s, 1);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}

int
store_route_queue_visible(struct store *st, struct arena *ar, const struct store_scope *sc,
                          const struct store_queue_entry *after, size_t max,
                          struct store_queue_entry **out, size_t *n, int64_t *total)
{
    if (!sc || !sc->limited) {
        int rc = store_route_queue_count(st, 0, total, NULL);
        return rc < 0 ? rc : store_route_queue_page(st, ar, after, max, out, n);
    }
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT count(*) FROM conv_sla q JOIN conversation c ON "
                                  "c.id = q.conversation_id WHERE q.queued_at IS NOT NULL AND"
                                  STORE_SCOPE_SQL);
    if (!s)
        return ERR_IO;
    store__bind_scope(s, sc);
    int rc = db_step(s);
    int64_t count = rc == DB_ROW ? db_i64(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return store__err(rc);
    s = store__q(c, "SELECT q.conversation_id, coalesce(q.team_id, 0), q.queued_at "
                    "FROM conv_sla q JOIN conversation c ON c.id = q.conversation_id "
                    "WHERE q.queued_at IS NOT NULL AND (q.queued_at, q.conversation_id) > (?1, ?2) "
                    "AND" STORE_SCOPE_SQL "ORDER BY q.queued_at, q.conversation_id LIMIT :limit");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, after ? after->queued_at : INT64_MIN);
    db_bind_i64(s, 2, after ? after->conversation_id : INT64_MIN);
    db_bind_i64(s, db_param(s, ":limit"), (int64_t)max);
    store__bind_scope(s, sc);
    struct store_queue_entry *v = ARENA_NEW_N(ar, struct store_queue_entry, max ? max : 1);
    size_t cnt = 0;
    while (cnt < max && (rc = db_step(s)) == DB_ROW) {
        v[cnt].conversation_id = db_i64(s, 0);
        v[cnt].team_id = db_i64(s, 1);
        v[cnt].queued_at = db_i64(s, 2);
        cnt++;
    }
    if (cnt == max)
        rc = DB_DONE;
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    if (total)
        *total = count;
    return 0;
}

int
store_route_sizes(struct store *st, struct store_route_sizes *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Bytes, not characters: SQLite's length() of a BLOB counts bytes, PostgreSQL's
     * octet_length() does. */
#define ROUTE_SIZES(BYTES, END)                                                                    \
    "SELECT (SELECT count(*) FROM routing_rule), (SELECT count(*) FROM team), "                    \
    "(SELECT count(*) FROM team_member), (SELECT count(*) FROM agent), "                           \
    "coalesce((SELECT sum(" BYTES "name || channels || languages || tags || "                      \
    "locations || intents || sentiments || skills || strategy" END ") "                            \
    "FROM routing_rule), 0) + "                                                                    \
    "coalesce((SELECT sum(" BYTES "name || autoack_templates" END ") FROM team), 0) + "            \
    "coalesce((SELECT sum(" BYTES "coalesce(a.display_name, '') || "                               \
    "coalesce(p.skills, '') || coalesce(p.languages, '') || coalesce(p.channels, '') || "          \
    "coalesce(p.location, '') || coalesce(p.availability, '')" END ") "                            \
    "FROM agent a LEFT JOIN agent_profile p ON p.agent_id = a.id), 0)"
    struct db_stmt *s = store__q(c, store__sql(c, ROUTE_SIZES("length(CAST(", " AS BLOB))"),
                                               ROUTE_SIZES("octet_length((", "))")));
#undef ROUTE_SIZES
    if (!s)
        return ERR_IO;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->rules = (size_t)db_i64(s, 0);
        out->teams = (size_t)db_i64(s, 1);
        out->members = (size_t)db_i64(s, 2);
        out->agents = (size_t)db_i64(s, 3);
        out->text = (size_t)db_i64(s, 4);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : store__err(rc);
}
