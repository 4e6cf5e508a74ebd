/* SPDX-License-Identifier: MIT */
/*
 * st_channel_msg.c - platform-specific replies: a reply with a platform payload (a WhatsApp
 * template) and a public thread moved to private (Meta's private reply, a DM on X), with the
 * two conversations linked as one case. Plain replies stay in st_conv.c.
 */
#include "base/base.h"
#include "store/store_int.h"


/* Inserts an outbound message into 'conv_id' and bumps the conversation. 'status' "queued"
 * also adds the outbox row; "sent" records 'external_id' and sent_at. */
static int
insert_out(struct store__tx *tx, int64_t conv_id, int64_t channel_id, int64_t agent_id,
           const char *kind, struct str text, bool pub, const char *status,
           const char *external_id, int64_t *msg_id)
{
    struct db_stmt *s = store__q(tx->c,
                               "INSERT INTO message(conversation_id, channel_id, direction, kind, "
                               "text, author_agent_id, public, status, external_id, created_at, "
                               "sent_at) VALUES (?, ?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    db_bind_i64(s, 2, channel_id);
    db_bind_text_ref(s, 3, kind, -1);
    store__bind_str(s, 4, text);
    if (agent_id)
        db_bind_i64(s, 5, agent_id);
    db_bind_int(s, 6, pub);
    db_bind_text_ref(s, 7, status, -1);
    store__bind_cstr(s, 8, external_id);
    db_bind_i64(s, 9, tx->now);
    if (strcmp(status, "sent") == 0)
        db_bind_i64(s, 10, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    *msg_id = db_last_id(tx->c);
    if (strcmp(status, "queued") == 0 && (rc = store__outbox_add(tx, *msg_id, channel_id)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET unread = 0, message_count = message_count + 1, "
                        "last_message_at = max(last_message_at, ?1), updated_at = ?1 "
                        "WHERE id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, conv_id);
    return store__step_done(s);
}

static int
conv_channel(struct store__tx *tx, int64_t conv_id, int64_t *channel_id, int64_t *contact_id,
             bool *pub)
{
    struct db_stmt *s = store__q(tx->c, "SELECT channel_id, contact_id, public FROM conversation "
                                      "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        *channel_id = db_i64(s, 0);
        *contact_id = db_i64(s, 1);
        *pub = db_int(s, 2) != 0;
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

struct payload_job {
    int64_t conv_id, agent_id;
    struct str text;
    const char *payload;
    int64_t msg_id;
};

static int
payload_tx(struct store__tx *tx, void *arg)
{
    struct payload_job *j = arg;
    int64_t channel_id, contact_id;
    bool pub;
    int rc = conv_channel(tx, j->conv_id, &channel_id, &contact_id, &pub);
    if (rc < 0)
        return rc;
    rc = insert_out(tx, j->conv_id, channel_id, j->agent_id, "message", j->text, pub, "queued",
                    NULL, &j->msg_id);
    if (rc < 0)
        return rc;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO message_payload(message_id, payload) "
                                      "VALUES (?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->msg_id);
    db_bind_text_ref(s, 2, j->payload, -1);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    return store__emit_msg(tx, "message.created", j->msg_id);
}

int
store_reply_payload(struct store *st, int64_t conv_id, int64_t agent_id, struct str text,
                    const char *payload, int64_t *msg_id)
{
    if (!payload || !text.len)
        return ERR_INVAL;
    struct payload_job j = { .conv_id = conv_id, .agent_id = agent_id, .text = text,
                             .payload = payload };
    int rc = store__submit(st, payload_tx, &j, true);
    if (rc == 0)
        *msg_id = j.msg_id;
    return rc;
}

struct private_job {
    const struct private_reply *pr;
    int64_t dm_conv_id, msg_id;
};

/* The contact who owns the DM identity, adding it to 'contact_id' when it is new. */
static int
dm_contact(struct store__tx *tx, const char *channel_type, const char *platform_id,
           int64_t *contact_id)
{
    struct db_stmt *s = store__q(tx->c, "SELECT contact_id FROM identity "
                                      "WHERE channel_type = ? AND platform_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, channel_type, -1);
    db_bind_text_ref(s, 2, platform_id, -1);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *contact_id = db_i64(s, 0);
    db_reset(s);
    if (rc == DB_ROW)
        return 0;
    if (rc != DB_DONE)
        return store__err(rc);
    s = store__q(tx->c, "INSERT INTO identity(contact_id, channel_type, platform_id, created_at) "
                        "VALUES (?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, *contact_id);
    db_bind_text_ref(s, 2, channel_type, -1);
    db_bind_text_ref(s, 3, platform_id, -1);
    db_bind_i64(s, 4, tx->now);
    return store__step_done(s);
}

static int
private_tx(struct store__tx *tx, void *arg)
{
    struct private_job *j = arg;
    const struct private_reply *pr = j->pr;
    int64_t channel_id, contact_id;
    bool pub;
    int rc = conv_channel(tx, pr->public_conv_id, &channel_id, &contact_id, &pub);
    if (rc < 0)
        return rc;
    struct db_stmt *s = store__q(tx->c, "SELECT type FROM channel WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, channel_id);
    char type[64] = "";
    if (db_step(s) == DB_ROW)
        snprintf(type, sizeof(type), "%s", db_text(s, 0));
    db_reset(s);
    if ((rc = dm_contact(tx, type, pr->recipient_id, &contact_id)) < 0)
        return rc;

    bool created = false;
    s = store__q(tx->c, "SELECT id FROM conversation WHERE channel_id = ? AND thread_key = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, channel_id);
    db_bind_text_ref(s, 2, pr->dm_thread, -1);
    rc = db_step(s);
    if (rc == DB_ROW)
        j->dm_conv_id = db_i64(s, 0);
    db_reset(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return store__err(rc);
    char preview[MODEL_PREVIEW_MAX + 1];
    model_preview(pr->text, preview, MODEL_PREVIEW_MAX);
    if (rc == DB_DONE) {
        /* The private half belongs to the public thread's store, so the store staff who
         * answered there can follow the case. */
        s = store__q(tx->c, "INSERT INTO conversation(channel_id, contact_id, thread_key, public, "
                            "last_message_at, created_at, updated_at, preview, store) "
                            "VALUES (?, ?, ?, 0, ?4, ?4, ?4, ?5, (SELECT store FROM conversation "
                            "WHERE id = ?6))");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, channel_id);
        db_bind_i64(s, 2, contact_id);
        db_bind_text_ref(s, 3, pr->dm_thread, -1);
        db_bind_i64(s, 4, tx->now);
        db_bind_text_ref(s, 5, preview, -1);
        db_bind_i64(s, 6, pr->public_conv_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        j->dm_conv_id = db_last_id(tx->c);
        created = true;
    }
    if (j->dm_conv_id == pr->public_conv_id)
        return ERR_CONFLICT;
    rc = insert_out(tx, j->dm_conv_id, channel_id, pr->agent_id, "message", pr->text, false,
                    "sent", pr->external_id, &j->msg_id);
    if (rc < 0)
        return rc;
    /* The public side shows where the case went. */
    char note[96];
    snprintf(note, sizeof(note), "Replied privately: conversation %lld",
             (long long)j->dm_conv_id);
    int64_t note_id;
    rc = insert_out(tx, pr->public_conv_id, channel_id, pr->agent_id, "event", str_c(note), pub,
                    "none", NULL, &note_id);
    if (rc < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET linked_conversation_id = ?, updated_at = ? "
                        "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, pr->public_conv_id);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, j->dm_conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET linked_conversation_id = ?, updated_at = ? "
                        "WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->dm_conv_id);
    db_bind_i64(s, 2, tx->now);
    db_bind_i64(s, 3, pr->public_conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (created && (rc = store__emit_conv(tx, "conversation.created", j->dm_conv_id)) < 0)
        return rc;
    if ((rc = store__emit_msg(tx, "message.created", j->msg_id)) < 0)
        return rc;
    return store__emit_msg(tx, "message.created", note_id);
}

int
store_private_reply(struct store *st, const struct private_reply *pr, int64_t *dm_conv_id,
                    int64_t *msg_id)
{
    if (!pr->recipient_id || !*pr->recipient_id || !pr->dm_thread || !*pr->dm_thread ||
        !pr->text.len)
        return ERR_INVAL;
    struct private_job j = { .pr = pr };
    int rc = store__submit(st, private_tx, &j, true);
    if (rc == 0) {
        *dm_conv_id = j.dm_conv_id;
        *msg_id = j.msg_id;
    }
    return rc;
}

int
store_conv_thread_key(struct store *st, struct arena *ar, int64_t conv_id,
                      const char **thread_key)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT thread_key FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, conv_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *thread_key = store__col(ar, s, 0);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

struct extid_job {
    int64_t msg_id;
    char external_id[MODEL_EXTID_MAX];
};

static int
extid_tx(struct store__tx *tx, void *arg)
{
    struct extid_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE message SET external_id = ? WHERE id = ? AND "
                                      "direction = 'out' AND external_id IS NULL AND NOT EXISTS "
                                      "(SELECT 1 FROM message o WHERE o.channel_id = "
                                      "message.channel_id AND o.external_id = ?1)");
    int rc = s ? 0 : ERR_IO;
    if (s) {
        db_bind_text_ref(s, 1, j->external_id, -1);
        db_bind_i64(s, 2, j->msg_id);
        rc = store__step_done(s);
    }
    xfree(j);
    return rc;
}

int
store_msg_set_external_id(struct store *st, int64_t msg_id, const char *external_id)
{
    if (!external_id || !*external_id || strlen(external_id) >= MODEL_EXTID_MAX)
        return ERR_INVAL;
    struct extid_job *j = xcalloc(1, sizeof(*j));
    j->msg_id = msg_id;
    memcpy(j->external_id, external_id, strlen(external_id) + 1);
    int rc = store__submit(st, extid_tx, j, false);
    if (rc < 0)
        xfree(j);
    return rc;
}
