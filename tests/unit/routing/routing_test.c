/* SPDX-License-Identifier: MIT */
/* routing_test.c - business-hours arithmetic across DST, midnight and holidays (ICU zones),
 * SLA deadline computation with pause, table-driven routing decisions, and the timer heap. */
#include "base/base.h"

#include "base/clock.h"
#include "care/care.h"
#include "store/store.h"

#include "../test.h"

static int64_t
at(const char *iso)
{
    int64_t ms = 0;
    clock_parse_iso(str_c(iso), &ms);
    return ms;
}

#define H 3600000LL

static struct routing_hours *
weekdays_9_17(const char *tz, const int32_t *hol, size_t nhol)
{
    struct store_range r[5];
    for (int i = 0; i < 5; i++)
        r[i] = (struct store_range){ i + 1, 9 * 60, 17 * 60 };
    struct routing_hours *h = NULL;
    routing_hours_new(tz, r, 5, hol, nhol, &h, NULL);
    return h;
}

TEST(hours_berlin_dst)
{
    struct routing_hours *h = weekdays_9_17("Europe/Berlin", NULL, 0);
    CHECK(h != NULL);
    /* Friday 2025-03-28 16:00 CET (15:00Z) + 2 business hours = Monday 31 March 10:00 CEST
     * (08:00Z): the weekend holds the spring-forward change. */
    CHECK_INT(routing_hours_add(h, at("2025-03-28T15:00:00Z"), 2 * H), at("2025-03-31T08:00:00Z"));
    /* Open at 09:00 local on both sides of the change: 08:00Z before, 07:00Z after. */
    CHECK(routing_hours_open(h, at("2025-03-28T08:00:00Z")));
    CHECK(!routing_hours_open(h, at("2025-03-31T06:59:00Z")));
    CHECK(routing_hours_open(h, at("2025-03-31T07:00:00Z")));
    /* Autumn: Monday 27 October 2025 opens at 08:00Z (CET again). */
    CHECK_INT(routing_hours_next_open(h, at("2025-10-25T12:00:00Z")), at("2025-10-27T08:00:00Z"));
    /* Business time across a weekend: Friday 16:00 to Monday 10:00 local is 2 hours. */
    CHECK_INT(routing_hours_between(h, at("2025-03-28T15:00:00Z"), at("2025-03-31T08:00:00Z")),
              2 * H);
    routing_hours_free(h);
}

TEST(hours_new_york_dst_and_holiday)
{
    int32_t hol[] = { 20251103 };
    struct routing_hours *h = weekdays_9_17("America/New_York", hol, 1);
    /* Friday 31 Oct 2025 16:30 EDT (20:30Z) + 1 h: Monday 3 Nov is a holiday, so Tuesday
     * 4 Nov 09:30 EST (14:30Z), after the fall-back change. */
    CHECK_INT(routing_hours_add(h, at("2025-10-31T20:30:00Z"), H), at("2025-11-04T14:30:00Z"));
    CHECK(!routing_hours_open(h, at("2025-11-03T15:00:00Z")));
    routing_hours_free(h);
}

TEST(hours_midnight_and_always_open)
{
    /* 22:00-24:00 and 00:00-02:00 (a night shift split at midnight), every day, UTC. */
    struct store_range r[14];
    for (int i = 0; i < 7; i++) {
        r[2 * i] = (struct store_range){ i, 22 * 60, 1440 };
        r[2 * i + 1] = (struct store_range){ i, 0, 2 * 60 };
    }
    struct routing_hours *h = NULL;
    CHECK_INT(routing_hours_new("UTC", r, 14, NULL, 0, &h, NULL), 0);
    CHECK_INT(routing_hours_add(h, at("2025-06-01T23:00:00Z"), 2 * H), at("2025-06-02T01:00:00Z"));
    CHECK_INT(routing_hours_add(h, at("2025-06-02T01:30:00Z"), H), at("2025-06-02T22:30:00Z"));
    CHECK(!routing_hours_open(h, at("2025-06-02T12:00:00Z")));
    routing_hours_free(h);
    /* NULL: always open. */
    CHECK_INT(routing_hours_add(NULL, 1000, 500), 1500);
    CHECK(!routing_hours_valid_tz("Mars/Olympus"));
    CHECK(routing_hours_valid_tz("Europe/Berlin"));
}

TEST(sla_deadlines_and_pause)
{
    struct conv cv = { .id = 1, .status = "open", .channel_type = "api", .priority = 0 };
    struct store_sla_policy p = { .id = 7, .version = 3, .priority = -1, .first_s = 60,
                                  .next_s = 30, .resolve_s = 3600, .warn_pct = 80 };
    struct store_conv_sla x = { .conversation_id = 1, .awaiting_since = 1000000,
                                .opened_at = 1000000 };
    struct store_sla_apply a;
    struct routing_sla_input in = { .now = 1000000, .conv = &cv, .sla = &x, .policy = &p };
    routing_sla_compute(&in, &a);
    CHECK_INT(a.first_due, 1000000 + 60000);
    CHECK_INT(a.next_due, 0);
    CHECK_INT(a.resolve_due, 1000000 + 3600000);
    CHECK_INT(a.policy_version, 3);
    CHECK_INT(a.ntimers, 4); /* warning + breach for two clocks */
    CHECK_STR(a.timers[0].kind, "first_warning");
    CHECK_INT(a.timers[0].due_at, 1000000 + 48000);
    /* After a reply and a new customer message, the next-response clock runs. */
    x.first_reply_at = 1010000;
    x.awaiting_since = 1020000;
    routing_sla_compute(&in, &a);
    CHECK_INT(a.first_due, 0);
    CHECK_INT(a.next_due, 1020000 + 30000);
    /* Pending: clocks stop. */
    cv.status = "pending";
    x.paused_at = 1025000;
    routing_sla_compute(&in, &a);
    CHECK_INT(a.next_due, 0);
    CHECK_INT(a.resolve_due, 0);
    CHECK_INT(a.ntimers, 0);
    /* Back to open 10 s later: the resolution deadline moves by the 10 s paused. */
    cv.status = "open";
    cv.updated_at = 1035000;
    routing_sla_compute(&in, &a);
    CHECK_INT(a.paused_at, 0);
    CHECK_INT(a.pause_ms, 10000);
    CHECK_INT(a.resolve_due, 1000000 + 3600000 + 10000);
    /* Resolved: nothing runs. */
    cv.status = "resolved";
    routing_sla_compute(&in, &a);
    CHECK_INT(a.first_due + a.next_due + a.resolve_due, 0);
    /* Policy matching by channel and intent. */
    struct store_sla_policy v[2] = { { .id = 1, .priority = -1, .channel_type = "whatsapp" },
                                     { .id = 2, .priority = -1 } };
    CHECK_INT(routing_sla_match(v, 2, &cv)->id, 2);
    cv.channel_type = "whatsapp";
    CHECK_INT(routing_sla_match(v, 2, &cv)->id, 1);
}

static const char *en[] = { "en" };
static const char *api_ch[] = { "api" };
static const char *vip[] = { "vip" };
static const char *billing[] = { "billing" };

TEST(routing_table)
{
    int64_t members[] = { 1, 2, 3 };
    struct store_team teams[] = {
        { .id = 10, .name = "Care", .members = members, .nmembers = 3 },
        { .id = 20, .name = "VIP", .members = members, .nmembers = 1 },
    };
    struct store_profile agents[] = {
        { .agent_id = 1, .availability = "online", .capacity = 2, .open_count = 1,
          .frt_sum_ms = 600000, .frt_count = 1 },
        { .agent_id = 2, .availability = "online", .capacity = 4, .open_count = 1,
          .skills_v = { billing, 1 }, .languages_v = { en, 1 }, .frt_sum_ms = 60000,
          .frt_count = 1 },
        { .agent_id = 3, .availability = "away", .capacity = 9 },
    };
    struct store_rule rules[] = {
        { .id = 1, .name = "vip", .enabled = true, .tags_v = { vip, 1 }, .public_match = -1,
          .urgency_min = -1, .team_id = 20, .strategy = "least_loaded" },
        { .id = 2, .name = "api", .enabled = true, .channels_v = { api_ch, 1 },
          .public_match = -1, .urgency_min = -1, .team_id = 10, .strategy = "least_loaded",
          .skills_v = { billing, 1 } },
    };
    struct store_route_input in = { .conv = { .id = 5, .channel_type = "api", .urgency = 10 },
                                    .lang = "en" };
    struct routing_ctx x = { .in = &in, .rules = rules, .nrules = 2, .teams = teams,
                                .nteams = 2, .agents = agents, .nagents = 3 };
    struct routing_result r;
    struct {
        const char *strategy;
        bool vip, urgent;
        int64_t want;
    } cases[] = {
        { "least_loaded", false, false, 2 }, /* 1/4 beats 1/2 */
        { "best_match", false, false, 2 },   /* billing + en */
        { "round_robin", false, false, 1 },  /* cursor at 0: lowest id */
        { "least_loaded", false, true, 2 },  /* urgent: the faster hero */
        { "least_loaded", true, false, 1 },  /* VIP rule first: its only member */
    };
    for (size_t i = 0; i < COUNTOF(cases); i++) {
        rules[1].strategy = cases[i].strategy;
        in.contact_tags = cases[i].vip ? (struct store_strs){ vip, 1 } : (struct store_strs){ 0 };
        in.conv.urgency = cases[i].urgent ? 90 : 10;
        routing_decide(&x, &r);
        CHECK(r.matched);
        CHECK_INT(r.agent_id, cases[i].want);
        CHECK(r.reason[0] != '\0');
    }
    /* Round robin moves on from the last agent given one. */
    rules[1].strategy = "round_robin";
    in.contact_tags = (struct store_strs){ 0 };
    in.conv.urgency = 10;
    teams[0].rr_last_agent = 1;
    routing_decide(&x, &r);
    CHECK_INT(r.agent_id, 2);
    teams[0].rr_last_agent = 2;
    routing_decide(&x, &r);
    CHECK_INT(r.agent_id, 1);
    /* Everyone full: queued. */
    agents[0].open_count = 2;
    agents[1].open_count = 4;
    routing_decide(&x, &r);
    CHECK(r.matched);
    CHECK_INT(r.agent_id, 0);
    CHECK(strstr(r.reason, "queued") != NULL);
    /* No rule matches another channel: nothing routed. */
    in.conv.channel_type = "email";
    routing_decide(&x, &r);
    CHECK(!r.matched);
}

TEST(timer_heap)
{
    struct routing_heap *h = routing_heap_new();
    uint64_t s = 42;
    for (int i = 0; i < 10000; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        routing_heap_push(h, (int64_t)(s >> 40), i);
    }
    CHECK_INT(routing_heap_size(h), 10000);
    struct routing_heap_item it, prev = { INT64_MIN, 0 };
    int n = 0;
    bool sorted = true;
    while (routing_heap_pop(h, &it)) {
        sorted = sorted && it.due_at >= prev.due_at;
        prev = it;
        n++;
    }
    CHECK(sorted);
    CHECK_INT(n, 10000);
    CHECK(!routing_heap_peek(h, &it));
    routing_heap_free(h);
}

int
main(void)
{
    RUN(hours_berlin_dst);
    RUN(hours_new_york_dst_and_holiday);
    RUN(hours_midnight_and_always_open);
    RUN(sla_deadlines_and_pause);
    RUN(routing_table);
    RUN(timer_heap);
    return test_done();
}
