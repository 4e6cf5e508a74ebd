/* SPDX-License-Identifier: MIT */
/* lists_test.c - the store's whole-table reads (agents, agent profiles, channels, calendars,
 * teams and their members, SLA policies, routing rules, a contact's identities) return every
 * row: none stops at a fixed count (they used to stop at 100, 1,000 or 10,000 rows without
 * saying so). */
#include "base/base.h"

#include <pthread.h>

#include "base/arena.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-lists-test-XXXXXX";

/* More than the old limits: 1,000 for most tables, 10,000 for profiles and team members. */
#define N_SMALL 1003
#define N_AGENTS 10007
#define THREADS 8

static struct store *st;
static int64_t team_id;

typedef int put_fn(int i);

struct range {
    put_fn *fn;
    int from, to;
    int failed;
};

static void *
put_range(void *p)
{
    struct range *r = p;
    for (int i = r->from; i < r->to; i++)
        r->failed += r->fn(i) != 0;
    return NULL;
}

/* Runs fn(0..n-1) from several threads so that group commit batches the writes; returns the
 * number of calls that failed. */
static int
put_many(put_fn *fn, int n)
{
    pthread_t th[THREADS];
    struct range r[THREADS];
    for (int t = 0; t < THREADS; t++) {
        r[t] = (struct range){ .fn = fn, .from = n * t / THREADS, .to = n * (t + 1) / THREADS };
        pthread_create(&th[t], NULL, put_range, &r[t]);
    }
    int failed = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        failed += r[t].failed;
    }
    return failed;
}

static int
put_agent(int i)
{
    char email[64], name[32];
    snprintf(email, sizeof(email), "agent%d@example.com", i);
    snprintf(name, sizeof(name), "Agent %d", i);
    struct agent a = { .email = email, .password_hash = "x", .name = name, .role = "agent" };
    int64_t id;
    return store_agent_add(st, &a, &id);
}

static int
put_channel(int i)
{
    char name[32];
    snprintf(name, sizeof(name), "channel %d", i);
    struct channel ch = { .type = "api", .name = name, .secret = "s3cret" };
    int64_t id;
    return store_channel_add(st, &ch, &id);
}

static int
put_calendar(int i)
{
    char name[32];
    snprintf(name, sizeof(name), "calendar %d", i);
    struct store_range r = { .dow = i % 7, .start_min = 540, .end_min = 1020 };
    struct store_calendar c = { .name = name, .tz = "UTC", .ranges = &r, .nranges = 1 };
    return store_calendar_put(st, 0, &c, NULL);
}

static int
put_team(int i)
{
    char name[32];
    snprintf(name, sizeof(name), "team %d", i);
    struct store_team t = { .name = name };
    return store_team_put(st, 0, &t, NULL);
}

static int
put_policy(int i)
{
    char name[32];
    snprintf(name, sizeof(name), "policy %d", i);
    struct store_sla_policy p = { .name = name, .position = i % 5, .priority = -1,
                                  .first_s = 60, .warn_pct = 80 };
    return store_sla_policy_put(st, 0, &p, NULL);
}

static int
put_rule(int i)
{
    char name[32];
    snprintf(name, sizeof(name), "rule %d", i);
    struct store_rule r = { .name = name, .position = i % 5, .enabled = true,
                            .public_match = -1, .urgency_min = -1, .team_id = team_id,
                            .strategy = "round_robin" };
    return store_rule_put(st, 0, &r, NULL);
}

TEST(every_row_of_every_admin_list)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
    struct store_config cfg = { .url = url };
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    if (!st)
        return;
    CHECK_INT(put_many(put_agent, N_AGENTS), 0);
    CHECK_INT(put_many(put_channel, N_SMALL), 0);
    CHECK_INT(put_many(put_calendar, N_SMALL), 0);
    CHECK_INT(put_many(put_team, N_SMALL), 0);

    /* One team with every agent as a member. */
    int64_t *members = malloc(N_AGENTS * sizeof(*members));
    for (int i = 0; i < N_AGENTS; i++)
        members[i] = i + 1;
    struct store_team big = { .name = "everyone", .members = members, .nmembers = N_AGENTS };
    CHECK_INT(store_team_put(st, 0, &big, &team_id), 0);
    free(members);
    CHECK_INT(put_many(put_policy, N_SMALL), 0);
    CHECK_INT(put_many(put_rule, N_SMALL), 0);

    struct arena *ar = arena_new(256 << 20);
    size_t n = 0;
    struct agent *agents;
    CHECK_INT(store_agent_list(st, ar, &agents, &n), 0);
    CHECK_INT(n, N_AGENTS);
    CHECK_INT(agents[n - 1].id, N_AGENTS);
    struct store_profile *profiles;
    CHECK_INT(store_profile_list(st, ar, &profiles, &n), 0);
    CHECK_INT(n, N_AGENTS);
    CHECK_INT(profiles[n - 1].agent_id, N_AGENTS);
    struct channel *channels;
    CHECK_INT(store_channel_list(st, ar, &channels, &n), 0);
    CHECK_INT(n, N_SMALL);
    struct store_calendar *cals;
    CHECK_INT(store_calendar_list(st, ar, &cals, &n), 0);
    CHECK_INT(n, N_SMALL);
    CHECK_INT(cals[n - 1].nranges, 1);
    struct store_team *teams;
    CHECK_INT(store_team_list(st, ar, &teams, &n), 0);
    CHECK_INT(n, N_SMALL + 1);
    CHECK_INT(teams[n - 1].id, team_id);
    CHECK_INT(teams[n - 1].nmembers, N_AGENTS);
    if (teams[n - 1].nmembers == N_AGENTS)
        CHECK_INT(teams[n - 1].members[N_AGENTS - 1], N_AGENTS);
    struct store_team one;
    CHECK_INT(store_team_get(st, ar, team_id, &one), 0);
    CHECK_INT(one.nmembers, N_AGENTS);
    struct store_sla_policy *pols;
    CHECK_INT(store_sla_policy_list(st, ar, &pols, &n), 0);
    CHECK_INT(n, N_SMALL);
    CHECK(pols[0].position <= pols[n - 1].position);
    struct store_rule *rules;
    CHECK_INT(store_rule_list(st, ar, &rules, &n), 0);
    CHECK_INT(n, N_SMALL);
    CHECK(rules[0].position <= rules[n - 1].position);
    arena_free(ar);
    store_close(st);
}

/* A contact gains one DM identity per private reply to a new recipient id; all of them are
 * read back (the read used to stop at 100). */
TEST(every_identity_of_a_contact)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/ids.db", dir);
    struct store_config cfg = { .url = url };
    struct errmsg em = { 0 };
    struct store *s = NULL;
    CHECK_INT(store_open(&cfg, NULL, &s, &em), 0);
    if (!s)
        return;
    struct channel ch = { .type = "api", .name = "web", .secret = "s3cret" };
    int64_t ch_id = 0;
    CHECK_INT(store_channel_add(s, &ch, &ch_id), 0);
    struct inbound in = { .channel_id = ch_id, .channel_type = "api", .external_id = str_c("p1"),
                          .from_id = str_c("u1"), .from_name = str_c("Ann Lee"),
                          .text = str_c("public post"), .thread_id = str_c("post-1"),
                          .public = true };
    struct ingest_result r;
    CHECK_INT(store_ingest(s, &in, &r), 0);
    int failed = 0;
    for (int i = 0; i < 105; i++) {
        char who[32], thread[32];
        snprintf(who, sizeof(who), "dm-user-%d", i);
        snprintf(thread, sizeof(thread), "dm-%d", i);
        struct private_reply pr = { .public_conv_id = r.conversation_id, .recipient_id = who,
                                    .dm_thread = thread, .text = str_c("hello in private") };
        int64_t dm, msg_id;
        failed += store_private_reply(s, &pr, &dm, &msg_id) != 0;
    }
    CHECK_INT(failed, 0);
    struct arena *ar = arena_new(1 << 20);
    struct contact ct;
    CHECK_INT(store_contact_get(s, ar, r.contact_id, &ct), 0);
    CHECK_INT(ct.nids, 106);
    arena_free(ar);
    store_close(s);
}

TEST(empty_lists_are_empty)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/empty.db", dir);
    struct store_config cfg = { .url = url };
    struct errmsg em = { 0 };
    struct store *e = NULL;
    CHECK_INT(store_open(&cfg, NULL, &e, &em), 0);
    if (!e)
        return;
    struct arena *ar = arena_new(1 << 20);
    size_t n = 99;
    struct store_rule *rules = NULL;
    CHECK_INT(store_rule_list(e, ar, &rules, &n), 0);
    CHECK_INT(n, 0);
    CHECK(rules != NULL);
    struct agent *agents = NULL;
    n = 99;
    CHECK_INT(store_agent_list(e, ar, &agents, &n), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
    store_close(e);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(every_row_of_every_admin_list);
    RUN(every_identity_of_a_contact);
    RUN(empty_lists_are_empty);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
