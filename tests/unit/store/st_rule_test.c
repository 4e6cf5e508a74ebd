/* SPDX-License-Identifier: MIT */
/* st_rule_test.c - routing rules (store/st_rule.c) through store.h: round trip with the
 * condition lists as text and parsed, defaults, list order, unknown ids and teams, reordering. */
#include "base/base.h"

#include "fixture.h"

TEST(rule_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_team t = { .name = "care" };
    int64_t team = 0, id = 0, id2 = 0;
    CHECK_INT(store_team_put(st, 0, &t, &team), 0);
    struct store_rule r = { .name = "german billing", .position = 5, .enabled = true,
                            .languages = "[\"de\"]", .intents = "[\"billing\",\"refund\"]",
                            .public_match = 0, .urgency_min = 2, .team_id = team,
                            .strategy = "best_match" };
    CHECK_INT(store_rule_put(st, 0, &r, &id), 0);
    struct store_rule o;
    CHECK_INT(store_rule_get(st, ar, id, &o), 0);
    CHECK_STR(o.name, "german billing");
    CHECK(o.enabled);
    CHECK_STR(o.channels, "[]"); /* NULL lists store as empty ones */
    CHECK_INT(o.channels_v.n, 0);
    CHECK_INT(o.languages_v.n, 1);
    CHECK_STR(o.languages_v.v[0], "de");
    CHECK_INT(o.intents_v.n, 2);
    CHECK_STR(o.intents_v.v[1], "refund");
    CHECK_INT(o.public_match, 0);
    CHECK_INT(o.urgency_min, 2);
    CHECK_INT(o.team_id, team);
    CHECK_STR(o.strategy, "best_match");
    r.public_match = -1;
    r.urgency_min = -1;
    r.enabled = false;
    CHECK_INT(store_rule_put(st, id, &r, NULL), 0);
    CHECK_INT(store_rule_get(st, ar, id, &o), 0);
    CHECK_INT(o.public_match, -1);
    CHECK_INT(o.urgency_min, -1);
    CHECK(!o.enabled);
    struct store_rule first = { .name = "first", .position = 1, .enabled = true,
                                .public_match = -1, .urgency_min = -1, .team_id = team,
                                .strategy = "round_robin" };
    CHECK_INT(store_rule_put(st, 0, &first, &id2), 0);
    struct store_rule *v;
    size_t n;
    CHECK_INT(store_rule_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, id2);
    CHECK_INT(v[1].id, id);
    CHECK_INT(v[1].intents_v.n, 2);
    arena_free(ar);
    store_close(st);
}

TEST(rule_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_rule r = { .name = "r", .enabled = true, .public_match = -1, .urgency_min = -1,
                            .team_id = 404, .strategy = "round_robin" }, o;
    CHECK_INT(store_rule_put(st, 0, &r, NULL), ERR_NOTFOUND); /* unknown team */
    CHECK_INT(store_rule_get(st, ar, 404, &o), ERR_NOTFOUND);
    CHECK_INT(store_rule_delete(st, 404), ERR_NOTFOUND);
    struct store_team t = { .name = "care" };
    CHECK_INT(store_team_put(st, 0, &t, &r.team_id), 0);
    CHECK_INT(store_rule_put(st, 404, &r, NULL), ERR_NOTFOUND);
    int64_t id = 0;
    CHECK_INT(store_rule_put(st, 0, &r, &id), 0);
    CHECK_INT(store_rule_delete(st, id), 0);
    CHECK_INT(store_rule_get(st, ar, id, &o), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

/* A reorder names every rule once, in one transaction: a stale set changes nothing. */
TEST(rule_order)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_team t = { .name = "care" };
    int64_t team = 0, id[3];
    CHECK_INT(store_team_put(st, 0, &t, &team), 0);
    for (int i = 0; i < 3; i++) {
        struct store_rule r = { .name = "r", .position = i, .enabled = true, .public_match = -1,
                                .urgency_min = -1, .team_id = team, .strategy = "round_robin" };
        CHECK_INT(store_rule_put(st, 0, &r, &id[i]), 0);
    }
    int64_t order[3] = { id[2], id[0], id[1] };
    CHECK_INT(store_rule_order(st, order, 3), 0);
    struct store_rule *v;
    size_t n;
    CHECK_INT(store_rule_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(v[0].id, id[2]);
    CHECK_INT(v[1].id, id[0]);
    CHECK_INT(v[2].id, id[1]);
    CHECK_INT(v[0].position, 1);
    int64_t twice[3] = { id[0], id[0], id[1] };
    CHECK_INT(store_rule_order(st, twice, 3), ERR_INVAL);
    int64_t short_list[2] = { id[1], id[0] };
    CHECK_INT(store_rule_order(st, short_list, 2), ERR_CONFLICT);
    int64_t unknown[3] = { id[1], id[0], 999 };
    CHECK_INT(store_rule_order(st, unknown, 3), ERR_CONFLICT);
    CHECK_INT(store_rule_list(st, ar, &v, &n), 0);
    CHECK_INT(v[0].id, id[2]); /* unchanged: the failed reorders rolled back */
    CHECK_INT(v[2].id, id[1]);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(rule_round_trip);
    RUN(rule_errors);
    RUN(rule_order);
    return test_done();
}
