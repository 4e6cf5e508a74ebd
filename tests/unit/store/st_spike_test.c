/* SPDX-License-Identifier: MIT */
/* st_spike_test.c - spike alerts (store/st_spike.c) through store.h: add with its
 * listening.spike event, list newest first by query with a cursor, missing fields. */
#include "base/base.h"

#include "fixture.h"

TEST(spike_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t q1 = 0, q2 = 0, id = 0;
    CHECK_INT(store_listen_query_add(st, "a", "a", true, &q1), 0);
    CHECK_INT(store_listen_query_add(st, "b", "b", true, &q2), 0);
    int64_t seq = store_last_event_seq(st);
    for (int i = 0; i < 5; i++) {
        struct spike_alert_row a = { .query_id = i < 3 ? q1 : q2,
                                     .kind = i == 4 ? "negative" : "volume",
                                     .window_start = 1700000000000, .window_end = 1700000060000,
                                     .volume = 10 + i, .baseline = 2.5, .negative_share = 0.5,
                                     .posts = "[\"at://p1\"]" };
        CHECK_INT(store_spike_add(st, &a, &id), 0);
    }
    CHECK_INT(store_last_event_seq(st), seq + 5);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, seq, 10, &ev, &n), 0);
    CHECK_INT(n, 5);
    CHECK_STR(ev[4].type, "listening.spike");
    CHECK(strstr(ev[4].data, "\"kind\":\"negative\"") != NULL);
    struct spike_alert_row *v;
    CHECK_INT(store_spike_list(st, ar, 0, 50, 0, &v, &n), 0);
    CHECK_INT(n, 5);
    CHECK_INT(v[0].id, id); /* newest first */
    CHECK_STR(v[0].kind, "negative");
    CHECK_INT(v[0].volume, 14);
    CHECK_STR(v[0].posts, "[\"at://p1\"]");
    CHECK(v[0].baseline > 2.4 && v[0].baseline < 2.6);
    CHECK_INT(store_spike_list(st, ar, q1, 2, 0, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_spike_list(st, ar, q1, 2, v[1].id, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].query_id, q1);
    arena_free(ar);
    store_close(st);
}

TEST(spike_errors)
{
    struct store *st = fx_open();
    int64_t id = 0;
    struct spike_alert_row a = { .kind = NULL, .posts = "[]" };
    CHECK_INT(store_spike_add(st, &a, &id), ERR_INVAL);
    a.kind = "volume";
    a.posts = NULL;
    CHECK_INT(store_spike_add(st, &a, &id), ERR_INVAL);
    store_close(st);
}

int
main(void)
{
    RUN(spike_round_trip);
    RUN(spike_errors);
    return test_done();
}
