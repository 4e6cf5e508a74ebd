/* SPDX-License-Identifier: MIT */
/* changes_test.c - the write entry points the API calls (care/changes.c, and the routing,
 * auth and watch ones it reaches through care): each change is durable when it returns 0 and
 * fails with the documented ERR_* otherwise. Against a real store in a temporary directory. */
#include "base/base.h"

#include "base/arena.h"
#include "care/care.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-changes-test-XXXXXX";

static struct store *
open_store(void)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/changes.db", dir);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    store_open(&cfg, NULL, &st, NULL);
    return st;
}

TEST(conversation_changes)
{
    struct store *st = open_store();
    CHECK(st != NULL);
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct arena *ar = arena_new(1 << 20);

    struct channel ch = { .type = "api", .name = "support", .secret = "s3cret", .settings = "{}" };
    CHECK_INT(care_channel_add(c, &ch, &ch.id), 0);
    CHECK(ch.id > 0);
    struct channel got;
    CHECK_INT(store_channel_get(st, ar, ch.id, &got), 0);
    CHECK_STR(got.name, "support");

    struct agent ag = { .email = "bo@example.com", .name = "Bo", .role = "agent" };
    struct errmsg em = { 0 };
    int64_t agent_id;
    CHECK_INT(auth_agent_add(care_auth(c), &ag, STR_LIT("a long password"), &agent_id, &em), 0);

    struct inbound in = { .channel_id = ch.id, .channel_type = "api",
                          .external_id = STR_LIT("m1"), .from_id = STR_LIT("cust-1"),
                          .text = STR_LIT("my parcel is late") };
    struct ingest_result res;
    CHECK_INT(care_ingest(c, ar, &in, &res), 0);
    int64_t conv_id = res.conversation_id;
    CHECK(conv_id > 0);

    struct conv cv;
    CHECK_INT(care_conv_assign(c, conv_id, agent_id, agent_id), 0);
    CHECK_INT(store_conv_get(st, ar, conv_id, &cv), 0);
    CHECK_INT(cv.assignee_id, agent_id);
    CHECK_INT(care_conv_assign(c, conv_id, agent_id + 100, agent_id), ERR_NOTFOUND);
    CHECK_INT(care_conv_assign(c, conv_id + 100, agent_id, agent_id), ERR_NOTFOUND);

    CHECK_INT(care_conv_set_status(c, conv_id, "pending", 0, NULL, agent_id), 0);
    CHECK_INT(store_conv_get(st, ar, conv_id, &cv), 0);
    CHECK_STR(cv.status, "pending");
    CHECK_INT(care_conv_set_status(c, conv_id + 100, "open", 0, NULL, agent_id), ERR_NOTFOUND);

    struct str add[] = { STR_LIT("vip") };
    CHECK_INT(care_conv_labels(c, conv_id, add, 1, NULL, 0), 0);
    CHECK_INT(store_conv_get(st, ar, conv_id, &cv), 0);
    CHECK(cv.labels && strstr(cv.labels, "\"vip\"") != NULL);
    CHECK_INT(care_conv_labels(c, conv_id, NULL, 0, add, 1), 0);
    CHECK_INT(store_conv_get(st, ar, conv_id, &cv), 0);
    CHECK(!cv.labels || strstr(cv.labels, "vip") == NULL);

    CHECK_INT(care_conv_mark_read(c, conv_id), 0);
    CHECK_INT(care_conv_mark_read(c, conv_id + 100), ERR_NOTFOUND);

    CHECK_INT(care_triage_correct(c, res.message_id, agent_id, "complaint", NULL, false), 0);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, res.message_id, &m), 0);
    CHECK_STR(m.intent, "complaint");
    CHECK_INT(care_triage_correct(c, res.message_id + 100, agent_id, "complaint", NULL, false),
              ERR_NOTFOUND);

    arena_free(ar);
    care_free(c);
    store_close(st);
}

TEST(routing_and_listening_changes)
{
    struct store *st = open_store();
    CHECK(st != NULL);
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct routing *rt = care_routing(c);
    struct arena *ar = arena_new(1 << 20);

    struct store_rule rule = { .name = "all", .enabled = true, .public_match = -1,
                               .urgency_min = -1, .team_id = 999, .strategy = "round_robin" };
    int64_t rule_id = 0, team_id = 0;
    CHECK_INT(routing_rule_put(rt, 0, &rule, &rule_id), ERR_NOTFOUND); /* no such team */
    struct store_team team = { .name = "billing" };
    CHECK_INT(routing_team_put(rt, 0, &team, &team_id), 0);
    rule.team_id = team_id;
    CHECK_INT(routing_rule_put(rt, 0, &rule, &rule_id), 0);
    struct store_rule got;
    CHECK_INT(store_rule_get(st, ar, rule_id, &got), 0);
    CHECK_INT(got.team_id, team_id);
    CHECK_INT(routing_team_delete(rt, team_id), ERR_CONFLICT); /* the rule sends to it */
    CHECK_INT(routing_rule_delete(rt, rule_id), 0);
    CHECK_INT(store_rule_get(st, ar, rule_id, &got), ERR_NOTFOUND);
    CHECK_INT(routing_rule_delete(rt, rule_id), ERR_NOTFOUND);
    CHECK_INT(routing_team_delete(rt, team_id), 0);
    CHECK_INT(routing_sla_policy_delete(rt, 12345), ERR_NOTFOUND);
    CHECK_INT(routing_calendar_delete(rt, 12345), ERR_NOTFOUND);

    /* Listening is not running (no watch): the rows are still written. */
    CHECK(care_watch(c) == NULL);
    int64_t q;
    CHECK_INT(watch_query_add(care_watch(c), st, "brand", "acme", true, &q), 0);
    struct listen_query_row row;
    CHECK_INT(store_listen_query_get(st, ar, q, &row), 0);
    CHECK_STR(row.text, "acme");
    CHECK_INT(watch_query_update(care_watch(c), st, q, NULL, NULL, 0), 0);
    CHECK_INT(store_listen_query_get(st, ar, q, &row), 0);
    CHECK(!row.active);
    CHECK_INT(watch_query_delete(care_watch(c), st, q), 0);
    CHECK_INT(watch_query_delete(care_watch(c), st, q), ERR_NOTFOUND);
    CHECK_INT(watch_source_update(care_watch(c), st, 12345, 1, NULL, -1, NULL), ERR_NOTFOUND);

    CHECK_INT(auth_token_revoke(care_auth(c), 12345), ERR_NOTFOUND);

    arena_free(ar);
    care_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(conversation_changes);
    RUN(routing_and_listening_changes);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
