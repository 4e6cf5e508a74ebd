/* SPDX-License-Identifier: MIT */
/*
 * st_widget.c - the web chat widget's view of the store: finding a web chat visitor's own
 * conversation, so a visitor only ever sees their own.
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
    struct db_stmt *s = store__q(c, "SELECT cv.id FROM identity i "
                                  "JOIN conversation cv ON cv.contact_id = i.contact_id "
                                  "WHERE i.channel_type = 'webchat' AND i.platform_id = ? "
                                  "AND cv.channel_id = ? AND cv.public = 0 "
                                  "AND cv.thread_key IS NULL "
                                  "ORDER BY cv.last_message_at DESC, cv.id DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, platform_id, -1);
    db_bind_i64(s, 2, channel_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *conv_id = db_i64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}
