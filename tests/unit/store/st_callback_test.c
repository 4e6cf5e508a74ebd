/* SPDX-License-Identifier: MIT */
/* st_callback_test.c - phone callbacks (store/st_callback.c) through store.h: an offer is open
 * until it expires or is accepted once; the task lists by agent, conversation and done; done
 * and undone; the events the agent's app hears. */
#include "base/base.h"

#include "fixture.h"

static const char H1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char H2[] = "2222222222222222222222222222222222222222222222222222222222222222";

static int64_t
events(struct store *st, const char *type)
{
    struct arena *ar = arena_new(1 << 20);
    struct store_event *ev;
    size_t n = 0;
    int64_t k = 0;
    if (store_events_after(st, ar, 0, 1000, &ev, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            k += strcmp(ev[i].type, type) == 0;
    }
    arena_free(ar);
    return k;
}

TEST(offer_open_until_expired_or_used)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 16);
    int64_t ch = fx_channel(st, "api");
    int64_t ag = fx_agent(st, "ana@example.com");
    int64_t conv = fx_conv(st, ch, "m1", "u1", "call me", NULL);
    struct store_callback cb = { .conversation_id = conv, .agent_id = ag, .calendar_id = 7,
                                 .token_hash = H1, .expires_at = 5000 };
    int64_t id = 0, id2 = 0;
    CHECK_INT(store_callback_offer(st, &cb, &id), 0);
    CHECK(id > 0);
    struct store_callback o;
    CHECK_INT(store_callback_open(st, ar, H1, 4999, &o), 0);
    CHECK_INT(o.id, id);
    CHECK_INT(o.calendar_id, 7);
    CHECK_INT(o.accepted_at, 0);
    CHECK_STR(o.agent_name, "ana@example.com");
    CHECK_STR(o.contact_name, "Ann Lee");
    /* Expired: neither open nor accepted. */
    CHECK_INT(store_callback_open(st, ar, H1, 5000, &o), ERR_NOTFOUND);
    CHECK_INT(store_callback_accept(st, H1, 5000, "+491512345678", 9000, NULL, &id2),
              ERR_NOTFOUND);
    CHECK_INT(store_callback_open(st, ar, H2, 1, &o), ERR_NOTFOUND);
    /* Accepted once. */
    CHECK_INT(store_callback_accept(st, H1, 4000, "+491512345678", 9000, "mornings", &id2), 0);
    CHECK_INT(id2, id);
    CHECK_INT(store_callback_accept(st, H1, 4000, "+4900000000", 9000, NULL, &id2),
              ERR_NOTFOUND);
    CHECK_INT(store_callback_open(st, ar, H1, 4000, &o), ERR_NOTFOUND);
    CHECK_INT(store_callback_get(st, ar, id, &o), 0);
    CHECK_STR(o.phone, "+491512345678");
    CHECK_STR(o.note, "mornings");
    CHECK_INT(o.slot_at, 9000);
    CHECK(o.accepted_at > 0);
    CHECK_INT(events(st, "callback.updated"), 1);
    CHECK_INT(store_callback_offer(st, &(struct store_callback){ .conversation_id = 999,
                                        .token_hash = H2, .expires_at = 1 }, &id2),
              ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(tasks_listed_and_done)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 16);
    int64_t ch = fx_channel(st, "api");
    int64_t ana = fx_agent(st, "ana@example.com"), bo = fx_agent(st, "bo@example.com");
    int64_t c1 = fx_conv(st, ch, "m1", "u1", "call me", NULL);
    int64_t c2 = fx_conv(st, ch, "m2", "u2", "call me too", NULL);
    int64_t a = 0, b = 0, open = 0;
    CHECK_INT(store_callback_offer(st, &(struct store_callback){ .conversation_id = c1,
                .agent_id = ana, .token_hash = H1, .expires_at = INT64_MAX }, &a), 0);
    CHECK_INT(store_callback_offer(st, &(struct store_callback){ .conversation_id = c2,
                .agent_id = bo, .token_hash = H2, .expires_at = INT64_MAX }, &b), 0);
    CHECK_INT(store_callback_offer(st, &(struct store_callback){ .conversation_id = c2,
                .agent_id = ana, .token_hash = "3", .expires_at = INT64_MAX }, &open), 0);
    CHECK_INT(store_callback_accept(st, H1, 1, "+491511111111", 20000, NULL, &a), 0);
    CHECK_INT(store_callback_accept(st, H2, 1, "+491512222222", 10000, NULL, &b), 0);
    struct store_callback *v;
    size_t n;
    CHECK_INT(store_callback_list(st, ar, 0, 0, false, 10, &v, &n), 0);
    CHECK_INT(n, 2); /* the open offer is no task */
    CHECK_INT(v[0].id, b); /* soonest first */
    CHECK_INT(store_callback_list(st, ar, ana, 0, false, 10, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, a);
    CHECK_INT(store_callback_list(st, ar, 0, c2, false, 10, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_callback_list(st, ar, 0, 0, false, 1, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_callback_done(st, b, ana, true), 0);
    CHECK_INT(store_callback_list(st, ar, 0, 0, false, 10, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_callback_list(st, ar, 0, 0, true, 10, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[1].id, b); /* done ones last */
    CHECK_INT(v[1].done_by, ana);
    CHECK(v[1].done_at > 0);
    CHECK_INT(store_callback_done(st, b, ana, false), 0);
    struct store_callback o;
    CHECK_INT(store_callback_get(st, ar, b, &o), 0);
    CHECK_INT(o.done_at, 0);
    CHECK_INT(store_callback_done(st, open, ana, true), ERR_NOTFOUND);
    CHECK_INT(store_callback_done(st, 999, ana, true), ERR_NOTFOUND);
    CHECK_INT(events(st, "callback.updated"), 4);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(offer_open_until_expired_or_used);
    RUN(tasks_listed_and_done);
    return test_done();
}
