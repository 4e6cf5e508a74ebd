/* SPDX-License-Identifier: MIT */
/* st_search_test.c - search (store/st_search.c) through store_conv_list: each matching
 * conversation once at its newest match, paging in both orders and by relevance, and a page
 * cut short at the scan bound that hands back a cursor and loses nothing. */
#include "base/base.h"

#include "fixture.h"

/* Walks every page of 'f' (limit 'limit'), recording each id's count in 'seen'; returns the
 * number of items, and counts pages that were short but had a cursor in '*short_pages'. */
static size_t
walk(struct store *st, struct conv_filter f, int limit, int *seen, size_t nseen, int *short_pages)
{
    struct arena *ar = arena_new(1 << 22);
    size_t total = 0;
    f.limit = limit;
    *short_pages = 0;
    for (int page = 0; page < 200; page++) {
        struct conv *v;
        size_t n;
        int64_t ts = 0, id = 0;
        CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &ts, &id), 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(v[i].id > 0 && (size_t)v[i].id < nseen);
            CHECK(v[i].match != NULL);
            seen[v[i].id]++;
        }
        total += n;
        if (!id)
            break;
        if (n < (size_t)limit)
            (*short_pages)++;
        f.cursor_ts = ts;
        f.cursor_id = id;
    }
    arena_free(ar);
    return total;
}

TEST(search_pages_each_conversation_once)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "api");
    enum { N = 40 };
    int64_t conv[N];
    char ext[32], from[32], text[64];
    for (int i = 0; i < N; i++) {
        snprintf(ext, sizeof(ext), "m%d", i);
        snprintf(from, sizeof(from), "u%d", i);
        snprintf(text, sizeof(text), "refund for order %d", i);
        conv[i] = fx_conv(st, ch, ext, from, text, NULL);
        CHECK(conv[i] > 0 && conv[i] < 1000);
    }
    /* A second matching message in some (newer than every first one), and noise. */
    for (int i = 0; i < N; i += 4) {
        snprintf(ext, sizeof(ext), "r%d", i);
        snprintf(from, sizeof(from), "u%d", i);
        fx_conv(st, ch, ext, from, "still no refund", NULL);
        snprintf(ext, sizeof(ext), "x%d", i);
        snprintf(from, sizeof(from), "other%d", i);
        fx_conv(st, ch, ext, from, "nothing to see", NULL);
    }
    for (int i = 0; i < N; i += 3)
        CHECK_INT(store_conv_set_status(st, conv[i], "pending", 0, NULL, 0), 0);

    static int seen[1000];
    int short_pages;
    const bool orders[][2] = { { false, false }, { true, false }, { false, true } };
    for (size_t o = 0; o < 3; o++) {
        memset(seen, 0, sizeof(seen));
        struct conv_filter f = { .q = "refund", .oldest_first = orders[o][0],
                                 .by_relevance = orders[o][1] };
        CHECK_INT(walk(st, f, 3, seen, 1000, &short_pages), N);
        for (int i = 0; i < N; i++)
            CHECK_INT(seen[conv[i]], 1);
    }
    /* A filter that keeps few, with a scan bound of 5 matching messages a page: short pages
     * with cursors, and still every pending conversation once. */
    memset(seen, 0, sizeof(seen));
    struct conv_filter f = { .q = "refund", .status = "pending", .scan_max = 5 };
    CHECK_INT(walk(st, f, 4, seen, 1000, &short_pages), (N + 2) / 3);
    CHECK(short_pages > 0);
    for (int i = 0; i < N; i++)
        CHECK_INT(seen[conv[i]], i % 3 == 0 ? 1 : 0);
    store_close(st);
}

TEST(search_newest_match_first)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_conv(st, ch, "a1", "ua", "parcel lost", NULL);
    int64_t b = fx_conv(st, ch, "b1", "ub", "parcel late", NULL);
    fx_conv(st, ch, "a2", "ua", "any news on the parcel?", NULL);
    struct conv_filter f = { .q = "parcel", .limit = 10 };
    struct conv *v;
    size_t n;
    int64_t ts, id;
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &ts, &id), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, a);
    CHECK_INT(v[1].id, b);
    CHECK_STR(v[0].match_field, "message");
    CHECK_STR(v[0].match, "any news on the \x02parcel\x03?");
    f.q = "parc";
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &ts, &id), 0);
    CHECK_INT(n, 0);
    f.q = "parc*";
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &ts, &id), 0);
    CHECK_INT(n, 2);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(search_pages_each_conversation_once);
    RUN(search_newest_match_first);
    return test_done();
}
