/* SPDX-License-Identifier: MIT */
/* st_profile_test.c - agent profiles (store/st_profile.c) through store.h: defaults without a
 * saved profile, partial updates, parsed lists, the open count, the availability event and
 * its validation. */
#include "base/base.h"

#include "base/hub.h"

#include "fixture.h"

TEST(profile_defaults_and_updates)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = fx_agent(st, "a@x.io");
    struct store_profile p;
    CHECK_INT(store_profile_get(st, ar, a, &p), 0);
    CHECK_STR(p.name, "a@x.io");
    CHECK_INT(p.capacity, 10);
    CHECK_STR(p.availability, "offline");
    CHECK(p.auto_presence);
    CHECK_INT(p.skills_v.n, 0);
    CHECK(p.location == NULL);
    struct store_profile in = { .agent_id = a, .skills = "[\"billing\",\"returns\"]",
                                .languages = "[ \"en\", \"d\\u0065\" ]", .location = "Berlin",
                                .capacity = 3, .availability = "online" };
    CHECK_INT(store_profile_put(st, &in, false), 0);
    CHECK_INT(store_profile_get(st, ar, a, &p), 0);
    CHECK_INT(p.capacity, 3);
    CHECK_STR(p.availability, "online");
    CHECK(p.auto_presence); /* not 'set_presence': kept */
    CHECK_INT(p.skills_v.n, 2);
    CHECK_STR(p.skills_v.v[1], "returns");
    CHECK_INT(p.languages_v.n, 2); /* an escape: parsed by SQLite */
    CHECK_STR(p.languages_v.v[1], "de");
    CHECK_STR(p.location, "Berlin");
    /* NULL fields and capacity -1 keep what is there; "" clears the location. */
    struct store_profile upd = { .agent_id = a, .capacity = -1, .location = "",
                                 .auto_presence = false };
    CHECK_INT(store_profile_put(st, &upd, true), 0);
    CHECK_INT(store_profile_get(st, ar, a, &p), 0);
    CHECK_INT(p.capacity, 3);
    CHECK_INT(p.skills_v.n, 2);
    CHECK(p.location == NULL);
    CHECK(!p.auto_presence);
    /* Open conversations assigned to the agent count. */
    int64_t ch = fx_channel(st, "api");
    int64_t conv = fx_conv(st, ch, "m1", "u1", "hello", NULL);
    CHECK_INT(store_conv_assign(st, conv, a, 0), 0);
    CHECK_INT(store_profile_get(st, ar, a, &p), 0);
    CHECK_INT(p.open_count, 1);
    int64_t b = fx_agent(st, "b@x.io");
    struct store_profile *v;
    size_t n;
    CHECK_INT(store_profile_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].agent_id, a);
    CHECK_INT(v[1].agent_id, b);
    CHECK_INT(v[1].capacity, 10);
    arena_free(ar);
    store_close(st);
}

TEST(profile_errors_and_event)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a = fx_agent(st, "a@x.io");
    struct store_profile p;
    CHECK_INT(store_profile_get(st, ar, 4242, &p), ERR_NOTFOUND);
    struct store_profile bad = { .agent_id = a, .capacity = -1, .availability = "asleep" };
    CHECK_INT(store_profile_put(st, &bad, false), ERR_INVAL);
    struct store_profile ghost = { .agent_id = 4242, .capacity = -1 };
    CHECK_INT(store_profile_put(st, &ghost, false), ERR_NOTFOUND);
    /* A change of availability writes agent.updated; the same value again writes nothing. */
    int64_t seq = store_last_event_seq(st);
    struct store_profile on = { .agent_id = a, .capacity = -1, .availability = "away" };
    CHECK_INT(store_profile_put(st, &on, false), 0);
    CHECK_INT(store_last_event_seq(st), seq + 1);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, seq, 10, &ev, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(ev[0].type, "agent.updated");
    CHECK(strstr(ev[0].data, "\"availability\":\"away\"") != NULL);
    CHECK_INT(store_profile_put(st, &on, false), 0);
    CHECK_INT(store_last_event_seq(st), seq + 1);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(profile_defaults_and_updates);
    RUN(profile_errors_and_event);
    return test_done();
}
