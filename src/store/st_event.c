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
    struct db_stmt *s = store__q(c, "SELECT seq, type, data FROM event WHERE seq > ? "
                                  "ORDER BY seq LIMIT ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, after);
    db_bind_i64(s, 2, (int64_t)max);
    struct store_event *v = ARENA_NEW_N(ar, struct store_event, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        v[cnt].seq = db_i64(s, 0);
        v[cnt].type = store__col(ar, s, 1);
        v[cnt].data = store__col(ar, s, 2);
        cnt++;
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
