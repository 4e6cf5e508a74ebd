/* SPDX-License-Identifier: MIT */
/* st_canned_test.c - canned replies: insert and update keep the full-text index in step (a
 * body word is found, a replaced one no longer), shortcuts unique within a set only, the
 * search shows an agent the shared set and their own (personal first) and never reads the
 * query as syntax, deletes leave nothing behind; per-agent override counts. */
#include "base/base.h"

#include "fixture.h"

static int64_t
put(struct store *st, int64_t id, int64_t owner, const char *shortcut, const char *title,
    const char *bodies)
{
    struct store_canned c = { .owner_agent_id = owner, .title = title, .shortcut = shortcut,
                              .tags = "[]", .bodies = bodies, .default_lang = "en" };
    int64_t out = 0;
    int rc = store_canned_put(st, id, &c, &out);
    return rc < 0 ? rc : out;
}

static size_t
search(struct store *st, int64_t agent, const char *q, int64_t *first)
{
    struct arena *ar = arena_new(1 << 20);
    struct store_canned_query sq = { .agent_id = agent, .q = q, .limit = 50 };
    struct store_canned *v;
    size_t n = 0;
    CHECK_INT(store_canned_search(st, ar, &sq, &v, &n), 0);
    *first = n ? v[0].id : 0;
    arena_free(ar);
    return n;
}

TEST(search_sets_and_index)
{
    struct store *st = fx_open();
    int64_t ana = fx_agent(st, "ana@example.com"), bo = fx_agent(st, "bo@example.com");
    int64_t shared = put(st, 0, 0, "refund", "Refund on its way", "{\"en\":\"Your refund left today\",\"es\":\"Tu reembolso salió hoy\"}");
    int64_t mine = put(st, 0, ana, "refund", "My refund words", "{\"en\":\"Sorted, friend\"}");
    CHECK(shared > 0 && mine > 0);
    CHECK_INT(put(st, 0, 0, "refund", "Dup", "{\"en\":\"x\"}"), ERR_CONFLICT);
    CHECK_INT(put(st, 0, 9999, "x", "Ghost owner", "{\"en\":\"x\"}"), ERR_NOTFOUND);
    int64_t first;
    CHECK_INT(search(st, ana, "ref", &first), 2);
    CHECK_INT(first, mine); /* personal first */
    CHECK_INT(search(st, bo, "ref", &first), 1);
    CHECK_INT(first, shared);
    CHECK_INT(search(st, bo, "reembol", &first), 1); /* another language's body, as a prefix */
    CHECK_INT(search(st, bo, "its", &first), 1);     /* a title word */
    CHECK_INT(search(st, bo, "\") OR * NEAR(", &first), 0);
    CHECK_INT(search(st, bo, "%", &first), 0);       /* LIKE's own characters are literal */
    CHECK_INT(search(st, bo, "", &first), 1);
    /* An update rewrites the index: the old word is gone, the new one found. */
    CHECK_INT(put(st, shared, 0, "refund", "Refund on its way", "{\"en\":\"Money back soon\"}"), shared);
    CHECK_INT(search(st, bo, "left", &first), 0);
    CHECK_INT(search(st, bo, "money", &first), 1);
    CHECK_INT(store_canned_delete(st, shared), 0);
    CHECK_INT(store_canned_delete(st, shared), ERR_NOTFOUND);
    CHECK_INT(search(st, bo, "money", &first), 0);
    /* A shortcut prefix, case aside (no title or body word starts so). */
    int64_t thx = put(st, 0, 0, "thx", "Thanks a lot", "{\"en\":\"Cheers\"}");
    CHECK_INT(search(st, bo, "THX", &first), 1);
    CHECK_INT(first, thx);
    store_close(st);
}

TEST(override_counts_per_agent)
{
    struct store *st = fx_open();
    int64_t ana = fx_agent(st, "ana@example.com"), bo = fx_agent(st, "bo@example.com");
    CHECK_INT(store_nudge_override_add(st, ana), 0);
    CHECK_INT(store_nudge_override_add(st, ana), 0);
    CHECK_INT(store_nudge_override_add(st, bo), 0);
    CHECK_INT(store_nudge_override_add(st, 9999), ERR_NOTFOUND);
    struct arena *ar = arena_new(1 << 16);
    struct store_nudge_override *v;
    size_t n = 0;
    CHECK_INT(store_nudge_override_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(n == 2 ? v[0].count : 0, 2);
    CHECK_INT(n == 2 ? v[1].count : 0, 1);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(search_sets_and_index);
    RUN(override_counts_per_agent);
    return test_done();
}
