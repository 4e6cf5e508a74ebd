/* SPDX-License-Identifier: MIT */
/*
 * demo_routing.c - Northwind's care set-up for `hark demo` (see demo_routing.h). Everything
 * goes through routing's entry points, the ones the admin API uses, so the demo is configured
 * exactly as an admin would configure it.
 */
#include "base/base.h"
#include "demo_routing.h"

#include <time.h>

#include "app.h"
#include "base/clock.h"
#include "base/log.h"
#include "care/care.h"
#include "routing/routing.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)

/* Agents by position in demo.c's table. */
enum { MAYA, JONAS, AIKO, SAM, LEA, NAGENTS };

/* Capacities sit a little above the seeded open load (about 13 each with the default 300
 * conversations), so the first waiting customers are assigned with a reason and the rest queue
 * behind Aiko (away) and Léa (offline). */
static const struct {
    const char *skills, *languages, *location, *availability;
    int capacity;
} profiles[NAGENTS] = {
    [MAYA] = { "[\"complaints\",\"escalations\"]", "[\"en\",\"es\"]", NULL, "online", 18 },
    [JONAS] = { "[\"returns\",\"refunds\"]", "[\"en\",\"de\"]", NULL, "online", 16 },
    [AIKO] = { "[\"sizing\",\"presales\"]", "[\"en\",\"ja\"]", NULL, "away", 12 },
    [SAM] = { "[\"stores\",\"sizing\"]", "[\"en\",\"de\"]", "Berlin Mitte", "online", 15 },
    [LEA] = { "[\"shipping\",\"orders\"]", "[\"en\",\"fr\"]", NULL, "offline", 12 },
};

/* A weekday about two weeks ahead (UTC date), as YYYYMMDD and "YYYY-MM-DD". */
static void
holiday(int32_t *day, char *iso, size_t n)
{
    time_t t = (time_t)(clock_now_ms() / 1000 + 12 * (DAY_MS / 1000));
    struct tm tm;
    gmtime_r(&t, &tm);
    while (tm.tm_wday == 0 || tm.tm_wday == 6) {
        t += DAY_MS / 1000;
        gmtime_r(&t, &tm);
    }
    *day = (int32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
    snprintf(iso, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int
failed(const char *what, int rc)
{
    log_error("demo", "demo set-up failed", "step=%s rc=%d", what, rc);
    return rc;
}

int
demo_routing_seed(struct app *app, const int64_t *agent_ids, size_t n)
{
    struct routing *rt = care_routing(app->care);
    if (n < NAGENTS)
        return failed("agents", ERR_INVAL);

    /* Berlin business hours: Mon-Fri 9-17, Sat 10-14, and a public holiday soon. */
    struct store_range ranges[6];
    for (int d = 1; d <= 5; d++)
        ranges[d - 1] = (struct store_range){ d, 9 * 60, 17 * 60 };
    ranges[5] = (struct store_range){ 6, 10 * 60, 14 * 60 };
    int32_t hday;
    char iso[40], hols[48];
    holiday(&hday, iso, sizeof(iso));
    snprintf(hols, sizeof(hols), "[\"%s\"]", iso);
    struct store_calendar cal = {
        .name = "Berlin business hours", .tz = "Europe/Berlin",
        .hours = "{\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]],"
                 "\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],"
                 "\"fri\":[[\"09:00\",\"17:00\"]],\"sat\":[[\"10:00\",\"14:00\"]]}",
        .holidays = hols, .ranges = ranges, .nranges = COUNTOF(ranges),
        .holiday_days = &hday, .nholiday_days = 1 };
    int64_t cal_id;
    int rc = routing_calendar_put(rt, 0, &cal, &cal_id);
    if (rc < 0)
        return failed("calendar", rc);

    /* SLA: complaints answered within 30 business minutes, the rest within 4 business hours,
     * all resolved within 24 business hours. Tried in order. */
    struct store_sla_policy urgent = { .name = "Complaints: 30 min", .position = 1,
                                       .priority = -1, .intent = "complaint",
                                       .first_s = 30 * 60, .next_s = 60 * 60,
                                       .resolve_s = 24 * 3600, .business_hours = true,
                                       .calendar_id = cal_id, .warn_pct = 75 };
    struct store_sla_policy normal = { .name = "Standard: 4 h", .position = 2, .priority = -1,
                                       .first_s = 4 * 3600, .next_s = 4 * 3600,
                                       .resolve_s = 24 * 3600, .business_hours = true,
                                       .calendar_id = cal_id, .warn_pct = 75 };
    int64_t id;
    if ((rc = routing_sla_policy_put(rt, 0, &urgent, &id)) < 0 ||
        (rc = routing_sla_policy_put(rt, 0, &normal, &id)) < 0)
        return failed("sla policy", rc);

    for (size_t i = 0; i < NAGENTS; i++) {
        struct store_profile p = { .agent_id = agent_ids[i], .skills = profiles[i].skills,
                                   .languages = profiles[i].languages, .channels = "[]",
                                   .location = profiles[i].location,
                                   .availability = profiles[i].availability,
                                   .capacity = profiles[i].capacity };
        if ((rc = routing_profile_put(rt, &p, true)) < 0)
            return failed("profile", rc);
    }

    /* Honest acknowledgements: when a person answers, signed by the team, never a fake agent. */
    const char *ack = "{\"en\":\"Thanks for writing to Northwind. This is an automatic message "
                      "from {team}: a person will answer by {when}.\","
                      "\"de\":\"Danke für deine Nachricht an Northwind. Dies ist eine "
                      "automatische Nachricht von {team}: Ein Mensch antwortet bis {when}.\"}";
    int64_t care_members[] = { agent_ids[MAYA], agent_ids[JONAS], agent_ids[AIKO],
                               agent_ids[LEA] };
    struct store_team care_team = { .name = "Social care", .lead_agent_id = agent_ids[MAYA],
                                    .calendar_id = cal_id, .autoack = true,
                                    .autoack_templates = ack, .members = care_members,
                                    .nmembers = COUNTOF(care_members) };
    int64_t store_members[] = { agent_ids[SAM], agent_ids[JONAS] };
    struct store_team store_team = { .name = "Store staff \u2014 Berlin Mitte",
                                     .lead_agent_id = agent_ids[SAM], .calendar_id = cal_id,
                                     .autoack = true, .autoack_templates = ack,
                                     .members = store_members,
                                     .nmembers = COUNTOF(store_members) };
    int64_t care_id, store_id;
    if ((rc = routing_team_put(rt, 0, &care_team, &care_id)) < 0 ||
        (rc = routing_team_put(rt, 0, &store_team, &store_id)) < 0)
        return failed("team", rc);

    struct store_rule rules[] = {
        { .name = "Berlin Mitte store questions", .position = 1, .enabled = true,
          .locations = "[\"Berlin Mitte\"]", .public_match = -1, .urgency_min = -1,
          .team_id = store_id, .strategy = "best_match" },
        { .name = "Store-tagged contacts", .position = 2, .enabled = true,
          .tags = "[\"store:berlin-mitte\"]", .public_match = -1, .urgency_min = -1,
          .team_id = store_id, .strategy = "best_match" },
        { .name = "Complaints", .position = 3, .enabled = true, .intents = "[\"complaint\"]",
          .public_match = -1, .urgency_min = -1, .team_id = care_id,
          .strategy = "least_loaded" },
        { .name = "Urgent", .position = 4, .enabled = true, .public_match = -1,
          .urgency_min = 70, .team_id = care_id, .strategy = "least_loaded" },
        { .name = "Everything else", .position = 5, .enabled = true, .public_match = -1,
          .urgency_min = -1, .team_id = care_id, .strategy = "round_robin" },
    };
    for (size_t i = 0; i < COUNTOF(rules); i++) {
        struct store_rule *r = &rules[i];
        const char **conds[] = { &r->channels, &r->languages, &r->tags, &r->locations,
                                 &r->intents, &r->sentiments, &r->skills };
        for (size_t k = 0; k < COUNTOF(conds); k++) {
            if (!*conds[k])
                *conds[k] = "[]";
        }
        if ((rc = routing_rule_put(rt, 0, r, &id)) < 0)
            return failed("rule", rc);
    }
    return 0;
}
