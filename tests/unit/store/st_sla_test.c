/* SPDX-License-Identifier: MIT */
/* st_sla_test.c - SLA clocks and timers (store/st_sla.c) through store.h: the dirty list fed
 * by ingest, applying a recompute (deadlines, timers, the dirty mark), timers read once and
 * fired once, the honest acknowledgement sent once, and the unanswered view. */
#include "base/base.h"

#include "fixture.h"

TEST(sla_apply_timers_fire_once)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t conv = fx_conv(st, ch, "m1", "u1", "help", NULL);
    struct store_dirty *d;
    size_t n;
    CHECK_INT(store_sla_dirty(st, ar, 100, &d, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(d[0].conversation_id, conv);
    struct store_sla_apply ap = { .conversation_id = conv, .gen = d[0].gen,
                                  .first_due = 1700000060000, .resolve_due = 1700003600000,
                                  .ntimers = 2 };
    ap.timers[0] = (struct store_timer){ .conversation_id = conv, .kind = "first_warning",
                                         .due_at = 1700000048000 };
    ap.timers[1] = (struct store_timer){ .conversation_id = conv, .kind = "first_breach",
                                         .due_at = 1700000060000 };
    CHECK_INT(store_sla_apply(st, &ap), 0);
    CHECK_INT(store_sla_dirty(st, ar, 100, &d, &n), 0);
    CHECK_INT(n, 0); /* the generation matched: clean */
    struct store_conv_sla sla;
    CHECK_INT(store_conv_sla_get(st, ar, conv, &sla), 0);
    CHECK_INT(sla.first_due, 1700000060000);
    CHECK_INT(sla.resolve_due, 1700003600000);
    CHECK_INT(sla.next_due, 0);
    CHECK(sla.awaiting_since > 0);
    struct store_timer *t;
    CHECK_INT(store_timers_after(st, ar, 0, 100, &t, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(t[0].kind, "first_warning");
    CHECK_INT(t[1].due_at, 1700000060000);
    int64_t first = t[0].id, second = t[1].id;
    CHECK_INT(store_timers_after(st, ar, first, 100, &t, &n), 0);
    CHECK_INT(n, 1);
    bool fired = false;
    int64_t seq = store_last_event_seq(st);
    CHECK_INT(store_timer_fire(st, first, &fired), 0);
    CHECK(fired);
    CHECK(store_last_event_seq(st) > seq); /* sla.warning */
    seq = store_last_event_seq(st);
    CHECK_INT(store_timer_fire(st, first, &fired), 0);
    CHECK(!fired); /* once */
    CHECK_INT(store_last_event_seq(st), seq);
    /* A new recompute cancels the live timers it replaces. */
    struct store_sla_apply ap2 = { .conversation_id = conv, .gen = 0, .ntimers = 0 };
    CHECK_INT(store_sla_apply(st, &ap2), 0);
    CHECK_INT(store_timer_fire(st, second, &fired), 0);
    CHECK(!fired);
    CHECK_INT(store_timers_after(st, ar, 0, 100, &t, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_conv_sla_get(st, ar, 4242, &sla), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(autoack_once_and_unanswered)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    int64_t c1 = fx_conv(st, ch, "m1", "u1", "help", NULL);
    int64_t c2 = fx_conv(st, ch, "m2", "u2", "help too", NULL);
    CHECK_INT(store_unanswered_count(st), 2);
    int64_t ack = 0;
    CHECK_INT(store_autoack(st, c1, STR_LIT("We answer within the hour"), &ack), 0);
    CHECK_INT(store_autoack(st, c1, STR_LIT("again"), &ack), ERR_CONFLICT);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, ack, &m), 0);
    CHECK_STR(m.direction, "out");
    CHECK_INT(m.author_agent_id, 0);
    CHECK_INT(store_unanswered_count(st), 2); /* an acknowledgement is no answer */
    int64_t reply = 0;
    CHECK_INT(store_reply(st, c2, a, STR_LIT("on it"), false, &reply), 0);
    CHECK_INT(store_unanswered_count(st), 1);
    struct conv *convs;
    struct store_conv_sla *slas;
    size_t n;
    CHECK_INT(store_unanswered_list(st, ar, NULL, 10, &convs, &slas, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(convs[0].id, c1);
    CHECK_INT(slas[0].conversation_id, c1);
    CHECK_INT(slas[0].autoack_msg_id, ack);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(sla_apply_timers_fire_once);
    RUN(autoack_once_and_unanswered);
    return test_done();
}
