/* SPDX-License-Identifier: MIT */
/*
 * st_widget.c - store queries added with the web app and chat widget: finding a web chat
 * visitor's own conversation, and putting a failed reply back in the outbox.
 */
#include "base/base.h"
#include "store/store_int.h"

int
store_widget_conv(struct store *st, int64_t channel_id, const char *platform_id,
                  int64_t *conv_id)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The same rule as ingest's find_conversation() for a message without thread or reply. */
    sqlite3_stmt *s = store__q(c, "SELECT cv.id FROM identity i "
                                  "JOIN conversation cv ON cv.contact_id = i.contact_id "
                                  "WHERE i.channel_type = 'webchat' AND i.platform_id = ? "
                                  "AND cv.channel_id = ? AND cv.public = 0 "
                                  "AND cv.thread_key IS NULL "
                                  "ORDER BY cv.last_message_at DESC, cv.id DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, platform_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, channel_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *conv_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
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
