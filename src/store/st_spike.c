/* SPDX-License-Identifier: MIT */
/*
 * st_spike.c - spike alerts of social listening (spike_alert): a query's volume or negative share
 * jumping above its baseline. A new alert writes a listening.spike event in the same job
 * (codec_event_spike; the fields src/api/listening.c returns for the same object).
 */
#include "base/base.h"
#include "store/store_int.h"

#define SPIKE_COLS                                                                                 \
    "SELECT id, query_id, kind, window_start, window_end, volume, baseline, negative_share, "     \
    "baseline_negative_share, posts, created_at FROM spike_alert "

static void
spike_row(struct arena *ar, struct db_stmt *s, struct spike_alert_row *a)
{
    a->id = db_i64(s, 0);
    a->query_id = db_i64(s, 1);
    a->kind = store__col(ar, s, 2);
    a->window_start = db_i64(s, 3);
    a->window_end = db_i64(s, 4);
    a->volume = db_i64(s, 5);
    a->baseline = db_double(s, 6);
    a->negative_share = db_double(s, 7);
    a->baseline_negative_share = db_double(s, 8);
    a->posts = store__col(ar, s, 9);
    a->created_at = db_i64(s, 10);
}

struct spike_job {
    const struct spike_alert_row *a;
    int64_t id;
};

static int
spike_add_tx(struct store__tx *tx, void *arg)
{
    struct spike_job *j = arg;
    const struct spike_alert_row *a = j->a;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO spike_alert(query_id, kind, window_start, "
                                      "window_end, volume, baseline, negative_share, "
                                      "baseline_negative_share, posts, created_at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, a->query_id);
    store__bind_cstr(s, 2, a->kind);
    db_bind_i64(s, 3, a->window_start);
    db_bind_i64(s, 4, a->window_end);
    db_bind_i64(s, 5, a->volume);
    db_bind_double(s, 6, a->baseline);
    db_bind_double(s, 7, a->negative_share);
    db_bind_double(s, 8, a->baseline_negative_share);
    store__bind_cstr(s, 9, a->posts);
    db_bind_i64(s, 10, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->id = db_last_id(tx->c);
    struct spike_alert_row ev = *a;
    ev.id = j->id;
    ev.created_at = tx->now;
    return store__event(tx, "listening.spike", codec_event_spike(&ev));
}

int
store_spike_add(struct store *st, const struct spike_alert_row *a, int64_t *id)
{
    if (!a->kind || !a->posts)
        return ERR_INVAL;
    struct spike_job j = { .a = a };
    int rc = store__submit(st, spike_add_tx, &j, true);
    if (rc == 0)
        *id = j.id;
    return rc;
}

int
store_spike_list(struct store *st, struct arena *ar, int64_t query_id, int limit, int64_t cursor,
                 struct spike_alert_row **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, SPIKE_COLS "WHERE (?1 = 0 OR query_id = ?1) AND "
                                             "(?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
    if (!s)
        return ERR_IO;
    if (limit <= 0 || limit > 200)
        limit = 50;
    db_bind_i64(s, 1, query_id);
    db_bind_i64(s, 2, cursor);
    db_bind_int(s, 3, limit);
    struct spike_alert_row *v = ARENA_NEW_N(ar, struct spike_alert_row, (size_t)limit);
    size_t cnt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        spike_row(ar, s, &v[cnt++]);
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
