/* SPDX-License-Identifier: MIT */
/*
 * st_event.c - reading persisted events back, for SSE clients that fell behind the hub's ring.
 */
#include "base/base.h"
#include "store/store_int.h"

int
store_events_after(struct store *st, struct arena *ar, int64_t after, size_t max,
                   struct store_event **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT seq, type, data FROM event WHERE seq > ? "
                                  "ORDER BY seq LIMIT ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, (int64_t)max);
    struct store_event *v = ARENA_NEW_N(ar, struct store_event, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v[cnt].seq = sqlite3_column_int64(s, 0);
        v[cnt].type = store__col(ar, s, 1);
        v[cnt].data = store__col(ar, s, 2);
        cnt++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
