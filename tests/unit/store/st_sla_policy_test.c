/* SPDX-License-Identifier: MIT */
/* st_sla_policy_test.c - SLA policies (store/st_sla_policy.c) through store.h: round trip with
 * defaults, the version bump on update, list order, unknown ids and references. */
#include "base/base.h"

#include "fixture.h"

TEST(sla_policy_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_sla_policy p = { .name = "vip", .position = 2, .priority = 3,
                                  .channel_type = "email", .first_s = 60, .resolve_s = 3600 };
    int64_t id = 0, id2 = 0;
    CHECK_INT(store_sla_policy_put(st, 0, &p, &id), 0);
    struct store_sla_policy o;
    CHECK_INT(store_sla_policy_get(st, ar, id, &o), 0);
    CHECK_STR(o.name, "vip");
    CHECK_INT(o.priority, 3);
    CHECK_STR(o.channel_type, "email");
    CHECK(o.intent == NULL);
    CHECK_INT(o.first_s, 60);
    CHECK_INT(o.next_s, 0);
    CHECK_INT(o.resolve_s, 3600);
    CHECK_INT(o.warn_pct, 80); /* the default */
    CHECK_INT(o.calendar_id, 0);
    int64_t v1 = o.version;
    p.priority = -1;
    p.warn_pct = 50;
    CHECK_INT(store_sla_policy_put(st, id, &p, NULL), 0);
    CHECK_INT(store_sla_policy_get(st, ar, id, &o), 0);
    CHECK_INT(o.priority, -1);
    CHECK_INT(o.warn_pct, 50);
    CHECK_INT(o.version, v1 + 1); /* deadlines recompute lazily from the version */
    struct store_sla_policy first = { .name = "all", .position = 1, .priority = -1 };
    CHECK_INT(store_sla_policy_put(st, 0, &first, &id2), 0);
    struct store_sla_policy *v;
    size_t n;
    CHECK_INT(store_sla_policy_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, id2); /* by position */
    CHECK_INT(v[1].id, id);
    arena_free(ar);
    store_close(st);
}

TEST(sla_policy_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_sla_policy p = { .name = "x", .priority = -1 }, o;
    CHECK_INT(store_sla_policy_put(st, 31, &p, NULL), ERR_NOTFOUND);
    CHECK_INT(store_sla_policy_get(st, ar, 31, &o), ERR_NOTFOUND);
    CHECK_INT(store_sla_policy_delete(st, 31), ERR_NOTFOUND);
    p.calendar_id = 55;
    CHECK_INT(store_sla_policy_put(st, 0, &p, NULL), ERR_NOTFOUND);
    p.calendar_id = 0;
    int64_t id = 0;
    CHECK_INT(store_sla_policy_put(st, 0, &p, &id), 0);
    CHECK_INT(store_sla_policy_delete(st, id), 0);
    CHECK_INT(store_sla_policy_get(st, ar, id, &o), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(sla_policy_round_trip);
    RUN(sla_policy_errors);
    return test_done();
}
