/* SPDX-License-Identifier: MIT */
/* st_team_test.c - teams and members (store/st_team.c) through store.h: round trip, member
 * replacement, unknown references, duplicate names, delete refused while a rule sends to the
 * team, and the acknowledgement template chosen by language. */
#include "base/base.h"

#include "fixture.h"

TEST(team_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t a1 = fx_agent(st, "a1@x.io"), a2 = fx_agent(st, "a2@x.io");
    int64_t members[] = { a2, a1, a2 };
    struct store_team t = { .name = "care", .lead_agent_id = a1, .autoack = true,
                            .autoack_templates = "{\"en\":\"Soon {when}\",\"de\":\"Bald\"}",
                            .members = members, .nmembers = 3 };
    int64_t id = 0;
    CHECK_INT(store_team_put(st, 0, &t, &id), 0);
    struct store_team o;
    CHECK_INT(store_team_get(st, ar, id, &o), 0);
    CHECK_STR(o.name, "care");
    CHECK_INT(o.lead_agent_id, a1);
    CHECK_INT(o.calendar_id, 0);
    CHECK(o.autoack && !o.autoack_public);
    CHECK_INT(o.nmembers, 2); /* a duplicate member is kept once, ordered by id */
    CHECK_INT(o.members[0], a1);
    CHECK_INT(o.members[1], a2);
    /* Replacing replaces the members. */
    t.nmembers = 1;
    t.lead_agent_id = 0;
    CHECK_INT(store_team_put(st, id, &t, NULL), 0);
    CHECK_INT(store_team_get(st, ar, id, &o), 0);
    CHECK_INT(o.nmembers, 1);
    CHECK_INT(o.members[0], a2);
    CHECK_INT(o.lead_agent_id, 0);
    struct store_team t2 = { .name = "sales" };
    CHECK_INT(store_team_put(st, 0, &t2, NULL), 0);
    struct store_team *v;
    size_t n;
    CHECK_INT(store_team_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(v[1].name, "sales");
    CHECK_INT(v[1].nmembers, 0);
    arena_free(ar);
    store_close(st);
}

TEST(team_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    struct store_team t = { .name = "care" }, o;
    int64_t id = 0, rule_id = 0;
    CHECK_INT(store_team_put(st, 0, &t, &id), 0);
    CHECK_INT(store_team_put(st, 0, &t, NULL), ERR_CONFLICT); /* duplicate name */
    CHECK_INT(store_team_put(st, 999, &t, NULL), ERR_NOTFOUND);
    CHECK_INT(store_team_get(st, ar, 999, &o), ERR_NOTFOUND);
    struct store_team bad = { .name = "x", .lead_agent_id = 777 };
    CHECK_INT(store_team_put(st, 0, &bad, NULL), ERR_NOTFOUND);
    int64_t ghost = 778;
    struct store_team bad2 = { .name = "y", .members = &ghost, .nmembers = 1 };
    CHECK_INT(store_team_put(st, 0, &bad2, NULL), ERR_NOTFOUND);
    struct store_team bad3 = { .name = "z", .calendar_id = 779 };
    CHECK_INT(store_team_put(st, 0, &bad3, NULL), ERR_NOTFOUND);
    struct store_rule r = { .name = "r", .enabled = true, .public_match = -1,
                            .urgency_min = -1, .team_id = id, .strategy = "round_robin" };
    CHECK_INT(store_rule_put(st, 0, &r, &rule_id), 0);
    CHECK_INT(store_team_delete(st, id), ERR_CONFLICT);
    CHECK_INT(store_rule_delete(st, rule_id), 0);
    CHECK_INT(store_team_delete(st, id), 0);
    CHECK_INT(store_team_delete(st, id), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(team_autoack_text_by_language)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    const char *tpl = "{\"fr\":\"Bientot\",\"en\":\"Soon\",\"de\":\"Bald\"}";
    struct store_team t = { .name = "care", .autoack_templates = tpl };
    int64_t id = 0, none = 0;
    CHECK_INT(store_team_put(st, 0, &t, &id), 0);
    const char *s = NULL;
    CHECK_INT(store_team_autoack_text(st, ar, id, "de", &s), 0);
    CHECK_STR(s, "Bald");
    CHECK_INT(store_team_autoack_text(st, ar, id, "es", &s), 0);
    CHECK_STR(s, "Soon"); /* else English */
    CHECK_INT(store_team_autoack_text(st, ar, id, NULL, &s), 0);
    CHECK_STR(s, "Soon");
    struct store_team t2 = { .name = "fr", .autoack_templates = "{\"fr\":\"Bientot\"}" };
    CHECK_INT(store_team_put(st, 0, &t2, &none), 0);
    CHECK_INT(store_team_autoack_text(st, ar, none, "es", &s), 0);
    CHECK_STR(s, "Bientot"); /* else any */
    struct store_team t3 = { .name = "empty" };
    CHECK_INT(store_team_put(st, 0, &t3, &none), 0);
    CHECK_INT(store_team_autoack_text(st, ar, none, "en", &s), 0);
    CHECK(s == NULL);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(team_round_trip);
    RUN(team_errors);
    RUN(team_autoack_text_by_language);
    return test_done();
}
