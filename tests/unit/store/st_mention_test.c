/* SPDX-License-Identifier: MIT */
/* st_mention_test.c - mentions (store/st_mention.c) through store.h: add with query ids and
 * dedupe, the mention.created event, filters and keyset paging, the conversation link,
 * unknown ids and missing fields. */
#include "base/base.h"

#include "fixture.h"

static int
add(struct store *st, const char *ext, const char *text, const char *intent, bool opp,
    const int64_t *qids, size_t nq, int64_t *id, bool *dup)
{
    struct mention m = { .platform = "bluesky", .external_id = ext, .author_handle = "bob",
                         .text = text, .created_at = 1700000000000, .intent = intent,
                         .urgency = -1, .opportunity = opp, .query_ids = qids,
                         .nqueries = nq };
    return store_mention_add(st, &m, id, dup);
}

TEST(mention_round_trip_and_dedupe)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t q1 = 0, q2 = 0, id = 0, again = 0;
    CHECK_INT(store_listen_query_add(st, "a", "a", true, &q1), 0);
    CHECK_INT(store_listen_query_add(st, "b", "b", true, &q2), 0);
    int64_t qs[] = { q2, q1 };
    bool dup = true;
    int64_t seq = store_last_event_seq(st);
    CHECK_INT(add(st, "at://1", "my \"order\" is late", "complaint", true, qs, 2, &id, &dup), 0);
    CHECK(!dup);
    CHECK_INT(store_last_event_seq(st), seq + 1);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, seq, 10, &ev, &n), 0);
    CHECK_STR(ev[0].type, "mention.created");
    CHECK(strstr(ev[0].data, "\"text\":\"my \\\"order\\\" is late\"") != NULL);
    CHECK(strstr(ev[0].data, "\"urgency\":null") != NULL);
    CHECK_INT(add(st, "at://1", "again", NULL, false, NULL, 0, &again, &dup), 0);
    CHECK(dup);
    CHECK_INT(store_last_event_seq(st), seq + 1); /* a duplicate writes nothing */
    struct mention m;
    CHECK_INT(store_mention_get(st, ar, id, &m), 0);
    CHECK_STR(m.platform, "bluesky");
    CHECK_STR(m.external_id, "at://1");
    CHECK_STR(m.text, "my \"order\" is late");
    CHECK_STR(m.intent, "complaint");
    CHECK(m.opportunity);
    CHECK_INT(m.urgency, -1);
    CHECK_INT(m.conversation_id, 0);
    CHECK_INT(m.nqueries, 2);
    CHECK_INT(m.query_ids[0], q1); /* ascending */
    CHECK_INT(m.query_ids[1], q2);
    int64_t ch = fx_channel(st, "api");
    int64_t conv = fx_conv(st, ch, "x1", "u1", "hi", NULL);
    CHECK_INT(store_mention_set_conversation(st, id, conv), 0);
    CHECK_INT(store_mention_get(st, ar, id, &m), 0);
    CHECK_INT(m.conversation_id, conv);
    arena_free(ar);
    store_close(st);
}

TEST(mention_filters_and_paging)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t q1 = 0, q2 = 0, id;
    bool dup;
    CHECK_INT(store_listen_query_add(st, "a", "a", true, &q1), 0);
    CHECK_INT(store_listen_query_add(st, "b", "b", true, &q2), 0);
    for (int i = 0; i < 7; i++) {
        char ext[16];
        snprintf(ext, sizeof(ext), "p%d", i);
        int64_t q = i % 2 ? q2 : q1;
        CHECK_INT(add(st, ext, i == 3 ? "Blue KAYAK" : "post", i < 2 ? "purchase" : NULL,
                      i == 0, &q, 1, &id, &dup), 0);
    }
    struct mention *v;
    size_t n, total = 0;
    int64_t prev = INT64_MAX;
    struct mention_filter f = { .limit = 3 };
    for (int page = 0; page < 5; page++) {
        CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &f.cursor), 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(v[i].id < prev); /* newest first */
            prev = v[i].id;
        }
        total += n;
        if (!f.cursor)
            break;
    }
    CHECK_INT(total, 7);
    int64_t next;
    struct mention_filter byq = { .query_id = q2, .limit = 50 };
    CHECK_INT(store_mention_list(st, ar, &byq, &v, &n, &next), 0);
    CHECK_INT(n, 3);
    CHECK_INT(next, 0);
    struct mention_filter byi = { .intent = "purchase", .limit = 50 };
    CHECK_INT(store_mention_list(st, ar, &byi, &v, &n, &next), 0);
    CHECK_INT(n, 2);
    struct mention_filter opp = { .opportunity = true, .limit = 50 };
    CHECK_INT(store_mention_list(st, ar, &opp, &v, &n, &next), 0);
    CHECK_INT(n, 1);
    struct mention_filter text = { .q = "kayak", .limit = 50 };
    CHECK_INT(store_mention_list(st, ar, &text, &v, &n, &next), 0);
    CHECK_INT(n, 1);
    CHECK_STR(v[0].text, "Blue KAYAK");
    struct mention_filter like = { .q = "%", .limit = 50 };
    CHECK_INT(store_mention_list(st, ar, &like, &v, &n, &next), 0);
    CHECK_INT(n, 0); /* LIKE wildcards are matched literally */
    arena_free(ar);
    store_close(st);
}

TEST(mention_errors)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t id = 0;
    bool dup;
    CHECK_INT(add(st, "", "x", NULL, false, NULL, 0, &id, &dup), ERR_INVAL);
    CHECK_INT(add(st, "p", NULL, NULL, false, NULL, 0, &id, &dup), ERR_INVAL);
    struct mention m;
    CHECK_INT(store_mention_get(st, ar, 99, &m), ERR_NOTFOUND);
    CHECK_INT(store_mention_set_conversation(st, 99, 1), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(mention_dismiss_and_new_filters)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t agent = fx_agent(st, "bo@example.com");
    struct mention a = { .platform = "bluesky", .external_id = "d1", .author_handle = "ann",
                         .text = "one", .lang = "pt-BR", .urgency = -1, .author_followers = -1,
                         .addressed_to_brand = true };
    struct mention b = { .platform = "mastodon", .external_id = "d2", .author_handle = "bea",
                         .text = "two", .lang = "en", .urgency = -1, .author_followers = 1200 };
    int64_t ida, idb;
    bool dup;
    CHECK_INT(store_mention_add(st, &a, &ida, &dup), 0);
    CHECK_INT(store_mention_add(st, &b, &idb, &dup), 0);
    struct mention m;
    CHECK_INT(store_mention_get(st, ar, ida, &m), 0);
    CHECK_INT(m.author_followers, -1);
    CHECK_INT(m.dismissed_at, 0);
    CHECK_INT(store_mention_get(st, ar, idb, &m), 0);
    CHECK_INT(m.author_followers, 1200);

    struct mention *v;
    size_t n;
    int64_t next;
    struct mention_filter f = { .limit = 10, .lang = "pt" };
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, ida);
    f = (struct mention_filter){ .limit = 10, .lang = "p" }; /* no prefix of a tag */
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK_INT(n, 0);
    f = (struct mention_filter){ .limit = 10, .platform = "mastodon" };
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, idb);
    f = (struct mention_filter){ .limit = 10, .addressed = 1 };
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK(n == 1 && v[0].id == ida);
    f = (struct mention_filter){ .limit = 10, .addressed = -1 };
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK(n == 1 && v[0].id == idb);

    int64_t seq = store_last_event_seq(st);
    CHECK_INT(store_mention_dismiss(st, ar, ida, agent, true, &m), 0);
    CHECK(m.dismissed_at > 0);
    int64_t at = m.dismissed_at;
    CHECK_INT(store_mention_dismiss(st, ar, ida, 0, true, &m), 0);
    CHECK_INT(m.dismissed_at, at); /* the first time stays */
    struct store_event *ev;
    size_t ne;
    CHECK_INT(store_events_after(st, ar, seq, 10, &ev, &ne), 0);
    CHECK_INT(ne, 2);
    CHECK_STR(ev[0].type, "mention.updated");
    CHECK(strstr(ev[0].data, "\"dismissed\":true") != NULL);
    f = (struct mention_filter){ .limit = 10, .dismissed = -1 };
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK(n == 1 && v[0].id == idb);
    f = (struct mention_filter){ .limit = 10, .dismissed = 1 };
    CHECK_INT(store_mention_list(st, ar, &f, &v, &n, &next), 0);
    CHECK(n == 1 && v[0].id == ida);
    CHECK_INT(store_mention_dismiss(st, ar, ida, agent, false, &m), 0);
    CHECK_INT(m.dismissed_at, 0);
    CHECK_INT(store_mention_dismiss(st, ar, 999, agent, true, &m), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(lview_per_agent)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t bo = fx_agent(st, "bo@example.com"), cy = fx_agent(st, "cy@example.com");
    int64_t id = 0, other = 0;
    CHECK_INT(store_lview_put(st, bo, 0, "Complaints", "{\"intent\":\"complaint\"}", &id), 0);
    CHECK_INT(store_lview_put(st, bo, 0, "Complaints", "{}", &other), ERR_CONFLICT);
    CHECK_INT(store_lview_put(st, cy, 0, "Complaints", "{}", &other), 0); /* names are per agent */
    struct store_lview *v;
    size_t n;
    CHECK_INT(store_lview_list(st, ar, bo, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(v[0].filters, "{\"intent\":\"complaint\"}");
    struct store_lview one;
    CHECK_INT(store_lview_get(st, ar, cy, id, &one), ERR_NOTFOUND);
    CHECK_INT(store_lview_put(st, cy, id, "Mine", NULL, NULL), ERR_NOTFOUND);
    CHECK_INT(store_lview_delete(st, cy, id), ERR_NOTFOUND);
    CHECK_INT(store_lview_put(st, bo, id, "Unhappy", NULL, NULL), 0);
    CHECK_INT(store_lview_get(st, ar, bo, id, &one), 0);
    CHECK_STR(one.name, "Unhappy");
    CHECK_STR(one.filters, "{\"intent\":\"complaint\"}");
    for (int i = 1; i < STORE_LVIEW_MAX; i++) {
        char name[16];
        snprintf(name, sizeof(name), "v%d", i);
        CHECK_INT(store_lview_put(st, bo, 0, name, "{}", NULL), 0);
    }
    CHECK_INT(store_lview_put(st, bo, 0, "one more", "{}", NULL), ERR_TOOBIG);
    CHECK_INT(store_lview_delete(st, bo, id), 0);
    CHECK_INT(store_lview_delete(st, bo, id), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(mention_dismiss_and_new_filters);
    RUN(lview_per_agent);
    RUN(mention_round_trip_and_dedupe);
    RUN(mention_filters_and_paging);
    RUN(mention_errors);
    return test_done();
}
