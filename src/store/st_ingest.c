/* SPDX-License-Identifier: MIT */
/*
 * st_ingest.c - the ingest transaction: dedupe, contact by identity, threading, message,
 * conversation update and events, all in one write job.
 */
#include "base/base.h"
#include "store/store_int.h"

struct ingest_job {
    const struct inbound *in;
    struct ingest_result *out;
};

/* Looks up one integer column; 0 and ERR_NOTFOUND when no row. */
static int
lookup_id(struct db_stmt *s, int64_t *id)
{
    int rc = db_step(s);
    if (rc == DB_ROW)
        *id = db_i64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

static struct str
or_null(struct str s)
{
    return s.len ? s : STR_NULL;
}

static int
resolve_contact(struct store__tx *tx, const struct inbound *in, int64_t *contact_id)
{
    struct db_stmt *s = store__q(tx->c, "SELECT contact_id FROM identity "
                                      "WHERE channel_type = ? AND platform_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, in->channel_type, -1);
    store__bind_str(s, 2, in->from_id);
    int rc = lookup_id(s, contact_id);
    if (rc != ERR_NOTFOUND) {
        if (rc == 0 && (in->from_name.len || in->from_handle.len)) {
            /* Keep the platform's latest name and handle on the identity. */
            s = store__q(tx->c, "UPDATE identity SET name = coalesce(?, name), "
                                "handle = coalesce(?, handle) WHERE channel_type = ? AND "
                                "platform_id = ? AND (name IS DISTINCT FROM ?1 OR "
                                "handle IS DISTINCT FROM ?2)");
            if (!s)
                return ERR_IO;
            store__bind_str(s, 1, or_null(in->from_name));
            store__bind_str(s, 2, or_null(in->from_handle));
            db_bind_text_ref(s, 3, in->channel_type, -1);
            store__bind_str(s, 4, in->from_id);
            rc = store__step_done(s);
        }
        return rc;
    }
    struct str name = in->from_name.len ? in->from_name
                      : in->from_handle.len ? in->from_handle : in->from_id;
    s = store__q(tx->c, "INSERT INTO contact(name, created_at, updated_at) VALUES (?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_str(s, 1, name);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    *contact_id = db_last_id(tx->c);
    s = store__q(tx->c, "INSERT INTO identity(contact_id, channel_type, platform_id, handle, name,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *contact_id);
    db_bind_text_ref(s, 2, in->channel_type, -1);
    store__bind_str(s, 3, in->from_id);
    store__bind_str(s, 4, or_null(in->from_handle));
    store__bind_str(s, 5, or_null(in->from_name));
    db_bind_i64(s, 6, tx->now);
    return store__step_done(s);
}

/* Finds the conversation the message belongs to; ERR_NOTFOUND means start a new one. */
static int
find_conversation(struct store__tx *tx, const struct inbound *in, int64_t contact_id,
                  int64_t *conv_id)
{
    struct db_stmt *s;
    if (in->thread_id.len) {
        s = store__q(tx->c, "SELECT id FROM conversation WHERE channel_id = ? AND thread_key = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, in->channel_id);
        store__bind_str(s, 2, in->thread_id);
        return lookup_id(s, conv_id);
    }
    if (in->reply_to.len) {
        s = store__q(tx->c, "SELECT conversation_id FROM message "
                            "WHERE channel_id = ? AND external_id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, in->channel_id);
        store__bind_str(s, 2, in->reply_to);
        int rc = lookup_id(s, conv_id);
        if (rc != ERR_NOTFOUND)
            return rc;
    }
    s = store__q(tx->c, "SELECT id FROM conversation WHERE contact_id = ? AND channel_id = ? "
                        "AND public = ? AND thread_key IS NULL "
                        "ORDER BY last_message_at DESC, id DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, contact_id);
    db_bind_i64(s, 2, in->channel_id);
    db_bind_int(s, 3, in->public);
    return lookup_id(s, conv_id);
}

/* For contact merges (st_merge.c): the order references in the message, kept per contact for
 * suggestions, and a conversation that an identity moved by a merge in force starts, recorded
 * with that merge so an undo takes it back with the identity. */
static int
merge_bookkeeping(struct store__tx *tx, const struct inbound *in, const struct ingest_result *out)
{
    char refs[MODEL_ORDER_REFS_PER_MESSAGE][MODEL_ORDER_REF_MAX + 1];
    size_t n = model_order_refs(in->text, refs, COUNTOF(refs));
    struct db_stmt *s;
    int rc;
    for (size_t i = 0; i < n; i++) {
        s = store__q(tx->c, "INSERT INTO contact_order_ref(ref, contact_id, created_at) "
                            "VALUES (?, ?, ?) ON CONFLICT (ref, contact_id) "
                            "DO UPDATE SET created_at = excluded.created_at");
        if (!s)
            return ERR_IO;
        db_bind_text(s, 1, refs[i], -1);
        db_bind_i64(s, 2, out->contact_id);
        db_bind_i64(s, 3, tx->now);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    if (!out->new_conversation)
        return 0;
    s = store__q(tx->c, "INSERT INTO contact_merge_item(merge_id, kind, item_id) "
                        "SELECT mi.merge_id, 'conversation', ?3 FROM contact_merge_item mi "
                        "JOIN contact_merge m ON m.id = mi.merge_id WHERE mi.kind = 'identity' "
                        "AND mi.item_id = (SELECT id FROM identity WHERE channel_type = ?1 AND "
                        "platform_id = ?2) AND m.undone_at IS NULL ON CONFLICT DO NOTHING");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, in->channel_type, -1);
    store__bind_str(s, 2, in->from_id);
    db_bind_i64(s, 3, out->conversation_id);
    return store__step_done(s);
}

static int
ingest_tx(struct store__tx *tx, void *arg)
{
    struct ingest_job *j = arg;
    const struct inbound *in = j->in;
    struct ingest_result *out = j->out;
    int64_t at = in->created_at ? in->created_at : tx->now;
    char preview[MODEL_PREVIEW_MAX + 1];
    int rc;

    memset(out, 0, sizeof(*out));
    struct db_stmt *s = store__q(tx->c, "SELECT id, conversation_id FROM message "
                                      "WHERE channel_id = ? AND external_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, in->channel_id);
    store__bind_str(s, 2, in->external_id);
    if (db_step(s) == DB_ROW) {
        out->duplicate = true;
        out->message_id = db_i64(s, 0);
        out->conversation_id = db_i64(s, 1);
        db_reset(s);
        return 0;
    }
    db_reset(s);

    if ((rc = resolve_contact(tx, in, &out->contact_id)) < 0)
        return rc;
    /* The one place that knows: everything after ingest (routing, clocks, the acknowledgement,
     * alerts) reads ingest_result.blocked. */
    s = store__q(tx->c, "SELECT status = 'blocked' FROM contact WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, out->contact_id);
    if (db_step(s) == DB_ROW)
        out->blocked = db_int(s, 0) != 0;
    db_reset(s);
    rc = find_conversation(tx, in, out->contact_id, &out->conversation_id);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return rc;
    model_preview(in->text, preview, MODEL_PREVIEW_MAX);
    if (rc == ERR_NOTFOUND) {
        s = store__q(tx->c, "INSERT INTO conversation(channel_id, contact_id, thread_key, public, "
                            "last_message_at, created_at, updated_at, preview) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, in->channel_id);
        db_bind_i64(s, 2, out->contact_id);
        store__bind_str(s, 3, or_null(in->thread_id));
        db_bind_int(s, 4, in->public);
        db_bind_i64(s, 5, at);
        db_bind_i64(s, 6, tx->now);
        db_bind_i64(s, 7, tx->now);
        db_bind_text_ref(s, 8, preview, -1);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        out->conversation_id = db_last_id(tx->c);
        out->new_conversation = true;
    }

    s = store__q(tx->c, "INSERT INTO message(conversation_id, channel_id, direction, kind, text, "
                        "external_id, reply_to, public, status, lang, intent, intent_conf, "
                        "sentiment, sentiment_score, urgency, urgency_reasons, created_at, "
                        "intent_margin, sentiment_conf, sentiment_margin, review_margin) "
                        "VALUES (?, ?, 'in', 'message', ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, round(min(?15, ?17), 2))");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, out->conversation_id);
    db_bind_i64(s, 2, in->channel_id);
    store__bind_str(s, 3, in->text);
    store__bind_str(s, 4, in->external_id);
    store__bind_str(s, 5, or_null(in->reply_to));
    db_bind_int(s, 6, in->public);
    store__bind_cstr(s, 7, in->lang);
    store__bind_cstr(s, 8, in->intent);
    if (in->lang) {
        db_bind_double(s, 9, in->intent_conf);
        db_bind_double(s, 11, in->sentiment_score);
        db_bind_int(s, 12, in->urgency);
    }
    store__bind_cstr(s, 10, in->sentiment);
    store__bind_cstr(s, 13, in->urgency_reasons);
    db_bind_i64(s, 14, at);
    if (in->lang && in->has_margins) {
        db_bind_double(s, 15, in->intent_margin);
        db_bind_double(s, 16, in->sentiment_conf);
        db_bind_double(s, 17, in->sentiment_margin);
    }
    if ((rc = store__step_done(s)) < 0)
        return rc;
    out->message_id = db_last_id(tx->c);

    /* A new customer message reopens a resolved or snoozed conversation. Its triage labels
     * become the conversation's, except that a closing "thank you" (praise) never replaces
     * the intent the conversation already has: a complaint answered well stays a complaint. */
    s = store__q(tx->c, "SELECT status FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, out->conversation_id);
    if (db_step(s) == DB_ROW) {
        const char *status = db_text(s, 0);
        out->reopened = !out->new_conversation &&
                        (strcmp(status, "resolved") == 0 || strcmp(status, "snoozed") == 0);
    }
    db_reset(s);
    s = store__q(tx->c, "UPDATE conversation SET "
                        "status = CASE WHEN status IN ('resolved', 'snoozed') THEN 'open' "
                        "ELSE status END, "
                        "snooze_until = CASE WHEN status = 'snoozed' THEN NULL ELSE snooze_until END,"
                        " resolution_reason = CASE WHEN status = 'resolved' THEN NULL "
                        "ELSE resolution_reason END, "
                        "last_message_at = max(last_message_at, ?1), preview = ?2, "
                        "last_inbound_at = max(coalesce(last_inbound_at, 0), ?1), "
                        "unread = unread + 1, message_count = message_count + 1, updated_at = ?3, "
                        "intent = CASE WHEN ?4 = 'praise' AND intent IS NOT NULL THEN intent "
                        "ELSE coalesce(?4, intent) END, sentiment = coalesce(?5, sentiment), "
                        "urgency = CASE WHEN CAST(?6 AS INTEGER) IS NULL THEN urgency "
                        "ELSE max(coalesce(urgency, 0), CAST(?6 AS INTEGER)) END "
                        "WHERE id = ?7");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, at);
    db_bind_text_ref(s, 2, preview, -1);
    db_bind_i64(s, 3, tx->now);
    store__bind_cstr(s, 4, in->intent);
    store__bind_cstr(s, 5, in->sentiment);
    if (in->lang)
        db_bind_int(s, 6, in->urgency);
    db_bind_i64(s, 7, out->conversation_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;

    if (out->blocked) {
        /* Stored, but nobody waits on it: the message trigger started the customer's clock. */
        s = store__q(tx->c, "UPDATE conv_sla SET awaiting_since = NULL, queued_at = NULL "
                            "WHERE conversation_id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, out->conversation_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    if ((rc = merge_bookkeeping(tx, in, out)) < 0)
        return rc;
    if (out->new_conversation) {
        rc = store__emit_conv(tx, "conversation.created", out->conversation_id);
        if (rc < 0)
            return rc;
    }
    return store__emit_msg(tx, "message.created", out->message_id);
}

int
store_ingest(struct store *st, const struct inbound *in, struct ingest_result *out)
{
    struct ingest_result res;
    struct ingest_job j = { .in = in, .out = &res };
    if (!in->external_id.len || !in->from_id.len || !in->channel_type)
        return ERR_INVAL;
    int rc = store__submit(st, ingest_tx, &j, true);
    if (rc == 0)
        *out = res;
    return rc;
}
