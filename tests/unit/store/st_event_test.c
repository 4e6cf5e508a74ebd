/* SPDX-License-Identifier: MIT */
/* st_event_test.c - the event log (store/st_event.c) through store.h: events written by a
 * write job, read back after a sequence number, oldest first, at most 'max'. */
#include "base/base.h"

#include "fixture.h"

TEST(events_after_pages_in_order)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    CHECK_INT(store_last_event_seq(st), 0);
    int64_t ch = fx_channel(st, "api");
    fx_conv(st, ch, "m1", "u1", "hello", NULL); /* conversation.created + message.created */
    fx_conv(st, ch, "m2", "u1", "again", NULL); /* message.created (+ updates) */
    int64_t last = store_last_event_seq(st);
    CHECK(last >= 3);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, 0, 1000, &ev, &n), 0);
    CHECK_INT(n, last);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(ev[i].seq, (int64_t)i + 1);
    CHECK(ev[0].data[0] == '{');
    CHECK_INT(store_events_after(st, ar, 1, 2, &ev, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(ev[0].seq, 2);
    CHECK_INT(store_events_after(st, ar, last, 10, &ev, &n), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(events_after_pages_in_order);
    return test_done();
}
