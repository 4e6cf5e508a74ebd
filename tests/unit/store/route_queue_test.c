/* SPDX-License-Identifier: MIT */
/* route_queue_test.c - the routing queue in the store: keyset pages visit every queued
 * conversation once in (queued_at, id) order whatever the page size, the count of those ahead,
 * an assignment leaving the queue, and the measured sizes routing sizes its arenas from. */
#include "base/base.h"

#include <unistd.h>

#include "base/arena.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-queue-test-XXXXXX";

#define NCONV 7

static struct store *st;
static int64_t conv[NCONV], team_id, agent_id;
static int64_t order[NCONV]; /* the queue order, read by the first test */

static void
setup(void)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/q.db", dir);
    struct store_config cfg = { .url = url };
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    struct channel ch = { .type = "api", .name = "web", .secret = "s3cret" };
    int64_t chid = 0;
    CHECK_INT(store_channel_add(st, &ch, &chid), 0);
    for (int i = 0; i < NCONV; i++) {
        char ext[16], from[16];
        snprintf(ext, sizeof(ext), "m%d", i);
        snprintf(from, sizeof(from), "u%d", i);
        struct inbound in = { .channel_id = chid, .channel_type = "api",
                              .external_id = str_c(ext), .from_id = str_c(from),
                              .from_name = str_c("Ann Lee"), .text = str_c("hello") };
        struct ingest_result r;
        CHECK_INT(store_ingest(st, &in, &r), 0);
        conv[i] = r.conversation_id;
    }
    struct agent a = { .email = "ann@example.com", .name = "Ann", .display_name = "Ann",
                       .role = "agent", .password_hash = "x" };
    CHECK_INT(store_agent_add(st, &a, &agent_id), 0);
    struct store_team t = { .name = "Care" };
    CHECK_INT(store_team_put(st, 0, &t, &team_id), 0);
}

/* Queues the conversations in reverse order, a few per millisecond, so the queue order differs
 * from the id order and has ties on 'queued_at'. */
static void
queue_all(void)
{
    for (int i = NCONV - 1; i >= 0; i--) {
        struct store_route_decision d = { .team_id = team_id, .strategy = "least_loaded",
                                          .reason = "nobody available, queued" };
        CHECK_INT(store_route_apply(st, conv[i], &d), 0);
        if (i % 2 == 0)
            usleep(2000);
    }
}

/* Fills 'want' with the conversations in queue order: the recorded 'queued_at', then id. */
static void
queue_order(int64_t *want)
{
    int64_t at[NCONV];
    struct arena *ar = arena_new(1 << 16);
    for (int i = 0; i < NCONV; i++) {
        struct store_conv_sla x;
        CHECK_INT(store_conv_sla_get(st, ar, conv[i], &x), 0);
        CHECK(x.queued_at > 0);
        want[i] = conv[i];
        at[i] = x.queued_at;
    }
    arena_free(ar);
    for (int i = 1; i < NCONV; i++) {
        for (int k = i; k > 0; k--) {
            if (at[k] > at[k - 1] || (at[k] == at[k - 1] && want[k] > want[k - 1]))
                break;
            int64_t t = at[k];
            at[k] = at[k - 1];
            at[k - 1] = t;
            t = want[k];
            want[k] = want[k - 1];
            want[k - 1] = t;
        }
    }
}

TEST(pages_visit_every_queued_conversation_once_in_order)
{
    int64_t total = -1, ahead = -1, *want = order;
    queue_order(want);
    CHECK(want[0] != conv[0]); /* queued in reverse: the queue order is not the id order */
    CHECK_INT(want[0], conv[NCONV - 1]);
    for (int i = 0; i < NCONV; i++) {
        CHECK_INT(store_route_queue_count(st, want[i], &total, &ahead), 0);
        CHECK_INT(total, NCONV);
        CHECK_INT(ahead, i);
    }
    for (size_t max = 1; max <= NCONV + 1; max++) {
        struct arena *ar = arena_new(1 << 16);
        struct store_queue_entry last = { 0 }, *v;
        int64_t seen[NCONV];
        size_t nseen = 0, n = 0;
        bool more = true;
        for (int guard = 0; more && guard < 2 * NCONV; guard++) {
            CHECK_INT(store_route_queue_page(st, ar, nseen ? &last : NULL, max, &v, &n), 0);
            CHECK(n <= max);
            for (size_t i = 0; i < n && nseen < COUNTOF(seen); i++) {
                if (nseen) {
                    CHECK(v[i].queued_at > last.queued_at ||
                          (v[i].queued_at == last.queued_at &&
                           v[i].conversation_id > last.conversation_id));
                }
                CHECK_INT(v[i].team_id, team_id);
                seen[nseen++] = v[i].conversation_id;
                last = v[i];
            }
            more = n == max;
        }
        CHECK_INT(nseen, NCONV);
        for (size_t i = 0; i < nseen; i++)
            CHECK_INT(seen[i], want[i]);
        arena_free(ar);
    }
}

TEST(an_assignment_leaves_the_queue)
{
    struct store_route_decision d = { .team_id = team_id, .agent_id = agent_id,
                                      .strategy = "least_loaded", .reason = "least loaded" };
    CHECK_INT(store_route_apply(st, conv[3], &d), 0);
    int64_t total = -1, ahead = -1;
    CHECK_INT(store_route_queue_count(st, conv[3], &total, &ahead), 0);
    CHECK_INT(total, NCONV - 1);
    CHECK_INT(ahead, 0); /* not queued */
    int64_t tail = order[NCONV - 1] == conv[3] ? order[NCONV - 2] : order[NCONV - 1];
    CHECK_INT(store_route_queue_count(st, tail, NULL, &ahead), 0);
    CHECK_INT(ahead, NCONV - 2);
}

/* Queued means assigned to nobody: queuing an assigned conversation (a reopen nobody can take)
 * unassigns it, and assigning a queued one takes it out of the queue. */
TEST(queued_and_assigned_exclude_each_other)
{
    struct arena *ar = arena_new(1 << 16);
    struct conv cv;
    struct store_route_decision q = { .team_id = team_id, .strategy = "least_loaded",
                                      .reason = "nobody available, queued" };
    CHECK_INT(store_route_apply(st, conv[3], &q), 0);
    CHECK_INT(store_conv_get(st, ar, conv[3], &cv), 0);
    CHECK_INT(cv.assignee_id, 0);
    int64_t total = -1;
    CHECK_INT(store_route_queue_count(st, 0, &total, NULL), 0);
    CHECK_INT(total, NCONV);
    CHECK_INT(store_conv_assign(st, conv[5], agent_id, 0), 0);
    CHECK_INT(store_route_queue_count(st, 0, &total, NULL), 0);
    CHECK_INT(total, NCONV - 1);
    arena_free(ar);
}

TEST(sizes_count_rows_and_text_bytes)
{
    struct store_route_sizes z;
    CHECK_INT(store_route_sizes(st, &z), 0);
    CHECK_INT(z.rules, 0);
    CHECK_INT(z.teams, 1);
    CHECK_INT(z.members, 0);
    CHECK_INT(z.agents, 1);
    CHECK_INT(z.text, 4 + 2 + 3); /* "Care" and "{}"; the agent "Ann", no profile yet */
    struct store_rule r = { .name = "all", .team_id = team_id, .strategy = "least_loaded",
                            .enabled = true, .public_match = -1, .urgency_min = -1 };
    int64_t rid = 0;
    CHECK_INT(store_rule_put(st, 0, &r, &rid), 0);
    struct store_profile p = { .agent_id = agent_id, .capacity = -1,
                               .skills = "[\"b\xc3\xa4r\"]" };
    CHECK_INT(store_profile_put(st, &p, false), 0);
    CHECK_INT(store_route_sizes(st, &z), 0);
    CHECK_INT(z.rules, 1);
    /* The rule: "all", seven "[]" lists, "least_loaded"; the profile adds its lists and its
     * availability, counted in bytes (the skill has 7 characters, 8 bytes). */
    struct arena *ar = arena_new(1 << 16);
    struct store_profile got;
    CHECK_INT(store_profile_get(st, ar, agent_id, &got), 0);
    CHECK_INT(strlen(got.skills), 8);
    size_t want = 4 + 2 + 3 + (3 + 7 * 2 + 12) + strlen(got.skills) + strlen(got.languages) +
                  strlen(got.channels) + strlen(got.availability);
    CHECK_INT(z.text, want);
    arena_free(ar);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    setup();
    queue_all();
    RUN(pages_visit_every_queued_conversation_once_in_order);
    RUN(an_assignment_leaves_the_queue);
    RUN(queued_and_assigned_exclude_each_other);
    RUN(sizes_count_rows_and_text_bytes);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
