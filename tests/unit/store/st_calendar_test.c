/* SPDX-License-Identifier: MIT */
/* st_calendar_test.c - business-hours calendars (store/st_calendar.c) through store.h: round
 * trip with ranges and holidays, replace, unknown ids, delete refused while in use. */
#include "base/base.h"

#include "fixture.h"

static const struct store_range week[] = { { 1, 540, 1020 }, { 2, 540, 1020 }, { 0, 0, 1440 } };

TEST(calendar_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_calendar c = { .name = "Berlin", .tz = "Europe/Berlin",
                                .holidays = "[\"2026-12-25\",\"2026-01-01\"]", .ranges = week,
                                .nranges = 3 };
    int64_t id = 0;
    CHECK_INT(store_calendar_put(st, 0, &c, &id), 0);
    CHECK(id > 0);
    struct store_calendar o;
    CHECK_INT(store_calendar_get(st, ar, id, &o), 0);
    CHECK_STR(o.name, "Berlin");
    CHECK_STR(o.tz, "Europe/Berlin");
    CHECK_STR(o.hours, "{}");
    CHECK_INT(o.nranges, 3);
    CHECK_INT(o.ranges[0].dow, 0); /* ordered by day, then start */
    CHECK_INT(o.ranges[1].dow, 1);
    CHECK_INT(o.ranges[1].start_min, 540);
    CHECK_INT(o.ranges[1].end_min, 1020);
    CHECK_INT(o.nholiday_days, 2);
    CHECK_INT(o.holiday_days[0], 20260101); /* sorted */
    CHECK_INT(o.holiday_days[1], 20261225);
    CHECK(o.created_at > 0);
    /* Replacing keeps the id and replaces the ranges. */
    c.name = "Berlin office";
    c.nranges = 1;
    c.holidays = NULL;
    CHECK_INT(store_calendar_put(st, id, &c, NULL), 0);
    CHECK_INT(store_calendar_get(st, ar, id, &o), 0);
    CHECK_STR(o.name, "Berlin office");
    CHECK_INT(o.nranges, 1);
    CHECK_INT(o.nholiday_days, 0);
    struct store_calendar *v;
    size_t n;
    CHECK_INT(store_calendar_put(st, 0, &c, NULL), 0);
    CHECK_INT(store_calendar_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, id);
    CHECK_INT(v[0].nranges, 1);
    arena_free(ar);
    store_close(st);
}

TEST(calendar_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_calendar c = { .name = "x", .tz = "UTC" }, o;
    CHECK_INT(store_calendar_put(st, 4242, &c, NULL), ERR_NOTFOUND);
    CHECK_INT(store_calendar_get(st, ar, 4242, &o), ERR_NOTFOUND);
    CHECK_INT(store_calendar_delete(st, 4242), ERR_NOTFOUND);
    int64_t id = 0, team_id = 0, pol_id = 0;
    CHECK_INT(store_calendar_put(st, 0, &c, &id), 0);
    /* In use by a team, then by a policy: refused; free again: deleted. */
    struct store_team t = { .name = "care", .calendar_id = id };
    CHECK_INT(store_team_put(st, 0, &t, &team_id), 0);
    CHECK_INT(store_calendar_delete(st, id), ERR_CONFLICT);
    CHECK_INT(store_team_delete(st, team_id), 0);
    struct store_sla_policy p = { .name = "p", .priority = -1, .calendar_id = id };
    CHECK_INT(store_sla_policy_put(st, 0, &p, &pol_id), 0);
    CHECK_INT(store_calendar_delete(st, id), ERR_CONFLICT);
    CHECK_INT(store_sla_policy_delete(st, pol_id), 0);
    CHECK_INT(store_calendar_delete(st, id), 0);
    CHECK_INT(store_calendar_get(st, ar, id, &o), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(calendar_round_trip);
    RUN(calendar_errors);
    return test_done();
}
