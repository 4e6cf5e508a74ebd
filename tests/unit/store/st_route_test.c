/* SPDX-License-Identifier: MIT */
/* st_route_test.c - routing decisions (store/st_route.c) through store.h: what routing reads
 * about a conversation, recording an assignment (round-robin cursor, events) and a queued
 * decision, escalation, unknown conversations and agents. The queue's paging has its own test
 * (route_queue_test.c). */
#include "base/base.h"

#include "fixture.h"

TEST(route_input_reads_message_contact_and_channel)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    CHECK_INT(store_channel_set_settings(st, ch, "{\"store\":\"Mitte\"}"), 0);
    struct ingest_result r;
    struct inbound in = fx_inbound(ch, "m1", "u1", "first");
    CHECK_INT(store_ingest(st, &in, &r), 0);
    in = fx_inbound(ch, "m2", "u1", "the Mitte store please");
    in.lang = "de";
    CHECK_INT(store_ingest(st, &in, &r), 0);
    struct contact c = { .tags = "[\"vip\",\"b2b\"]", .location = "Berlin" };
    CHECK_INT(store_contact_update(st, r.contact_id, &c), 0);
    struct store_route_input ri;
    CHECK_INT(store_route_input(st, ar, r.conversation_id, &ri), 0);
    CHECK_INT(ri.conv.id, r.conversation_id);
    CHECK_STR(ri.lang, "de"); /* of the latest inbound message */
    CHECK_STR(ri.text, "the Mitte store please");
    CHECK_INT(ri.contact_tags.n, 2);
    CHECK_STR(ri.contact_tags.v[0], "vip");
    CHECK_STR(ri.contact_location, "Berlin");
    CHECK_STR(ri.channel_store, "Mitte");
    CHECK_INT(store_route_input(st, ar, 4242, &ri), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(route_apply_assigns_or_queues)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    struct store_team t = { .name = "care", .members = &a, .nmembers = 1 };
    int64_t team = 0;
    CHECK_INT(store_team_put(st, 0, &t, &team), 0);
    int64_t c1 = fx_conv(st, ch, "m1", "u1", "one", NULL);
    int64_t c2 = fx_conv(st, ch, "m2", "u2", "two", NULL);
    /* Queued: nobody assigned, in the queue, conversation.routed says so. */
    int64_t seq = store_last_event_seq(st);
    struct store_route_decision q = { .team_id = team, .strategy = "least_loaded",
                                      .reason = "everyone \"busy\"" };
    CHECK_INT(store_route_apply(st, c1, &q), 0);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, seq, 10, &ev, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(ev[0].type, "conversation.routed");
    CHECK(strstr(ev[0].data, "\"queued\":true") != NULL);
    CHECK(strstr(ev[0].data, "\"reason\":\"everyone \\\"busy\\\"\"") != NULL);
    int64_t total = 0, ahead = -1;
    CHECK_INT(store_route_queue_count(st, c1, &total, &ahead), 0);
    CHECK_INT(total, 1);
    CHECK_INT(ahead, 0);
    struct store_conv_sla sla;
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK_INT(sla.team_id, team);
    CHECK(sla.queued_at > 0);
    CHECK_STR(sla.route_reason, "everyone \"busy\"");
    /* Assigned: out of the queue, assignee set, the team's cursor moved. */
    seq = store_last_event_seq(st);
    struct store_route_decision d = { .team_id = team, .agent_id = a,
                                      .strategy = "round_robin", .reason = "next" };
    CHECK_INT(store_route_apply(st, c1, &d), 0);
    CHECK_INT(store_events_after(st, ar, seq, 10, &ev, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(ev[0].type, "conversation.updated");
    CHECK_STR(ev[1].type, "conversation.routed");
    CHECK_INT(store_route_queue_count(st, c1, &total, &ahead), 0);
    CHECK_INT(total, 0);
    struct conv cv;
    CHECK_INT(store_conv_get(st, ar, c1, &cv), 0);
    CHECK_INT(cv.assignee_id, a);
    struct store_team to;
    CHECK_INT(store_team_get(st, ar, team, &to), 0);
    CHECK_INT(to.rr_last_agent, a);
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK_INT(sla.queued_at, 0);
    /* The same assignment again changes no assignee: only conversation.routed. */
    seq = store_last_event_seq(st);
    CHECK_INT(store_route_apply(st, c1, &d), 0);
    CHECK_INT(store_last_event_seq(st), seq + 1);
    /* An escalation is recorded on the SLA row. */
    struct store_route_decision esc = { .team_id = team, .agent_id = a, .strategy = "lead",
                                        .reason = "breach", .escalation = 2 };
    CHECK_INT(store_route_apply(st, c2, &esc), 0);
    CHECK_INT(store_conv_sla_get(st, ar, c2, &sla), 0);
    CHECK_INT(sla.escalation, 2);
    /* Unknown conversation or agent. */
    CHECK_INT(store_route_apply(st, 4242, &d), ERR_NOTFOUND);
    struct store_route_decision ghost = { .team_id = team, .agent_id = 4242,
                                          .strategy = "round_robin", .reason = "x" };
    CHECK_INT(store_route_apply(st, c2, &ghost), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(route_input_reads_message_contact_and_channel);
    RUN(route_apply_assigns_or_queues);
    return test_done();
}
