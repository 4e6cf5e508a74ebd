/* SPDX-License-Identifier: MIT */
/*
 * swap_test.c - hot swap of the query set under load: matcher threads keep matching while
 * another thread swaps matchers; every post is matched against exactly one matcher (old or
 * new, never a mix, never none), and matchers are freed when the last thread leaves them.
 */
#include "base/base.h"
#include "listen/listen.h"

#include <pthread.h>
#include <stdatomic.h>

#include "../test.h"

#define THREADS 3
#define POSTS 20000

/* Generation g has one query whose id is "g<g>" and which matches the word "w<g % 2>" ... and
 * a second query "all" matching "post", so a post always matches exactly one matcher's pair. */
static struct listen_matcher *
gen_matcher(int g)
{
    char id[16], text[32];
    struct listen_query qs[2];
    struct listen_matcher *m = NULL;

    snprintf(id, sizeof(id), "g%d", g);
    snprintf(text, sizeof(text), "post AND NOT w%d", g % 2 ? 0 : 1);
    qs[0] = (struct listen_query){ str_c(id), str_c(text) };
    qs[1] = (struct listen_query){ STR_LIT("all"), STR_LIT("post") };
    ASSERT(listen_matcher_new(qs, 2, &m, NULL) == 0);
    return m;
}

struct worker {
    struct listen_set *set;
    int bad, matched, gens_seen;
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    struct listen_scratch *s = listen_scratch_new(w->set);
    int last = -1;

    for (int i = 0; i < POSTS; i++) {
        struct listen_post p = { .text = (i & 1) ? STR_LIT("a post w1") : STR_LIT("a post w0") };
        struct listen_result res;
        ssize_t n = listen_match(s, &p, &res);
        int g;
        if (n < 1) {
            w->bad++;
            continue;
        }
        /* "all" always matches; the generation query matches when the word differs. */
        struct str id0 = listen_matcher_query_id(res.matcher, 0);
        if (id0.p[0] != 'g' || sscanf(id0.p, "g%d", &g) != 1) {
            w->bad++;
            continue;
        }
        if (listen_matcher_count(res.matcher) != 2)
            w->bad++;
        if (n == 2)
            w->matched++;
        if (g != last) {
            if (g < last)
                w->bad++; /* generations never go backwards for one thread */
            w->gens_seen++;
            last = g;
        }
    }
    listen_scratch_free(s);
    return NULL;
}

TEST(hot_swap_under_load)
{
    struct listen_set *set = listen_set_new_take(gen_matcher(0));
    struct worker w[THREADS];
    pthread_t t[THREADS];
    int gens = 0;

    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){ .set = set };
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int g = 1; g <= 200; g++) {
        listen_set_swap_take(set, gen_matcher(g));
        gens = g;
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(w[i].bad, 0);
        CHECK(w[i].matched > 0);
    }
    {
        struct listen_matcher *cur = listen_set_current(set);
        char want[16];
        snprintf(want, sizeof(want), "g%d", gens);
        CHECK(str_eq_c(listen_matcher_query_id(cur, 0), want));
        listen_matcher_unref(cur);
    }
    listen_set_free(set);
}

TEST(generation_ids_sorted)
{
    /* Query indexes come back ascending, so id 0 ("g<n>") is reported first. */
    struct listen_set *set = listen_set_new_take(gen_matcher(1));
    struct listen_scratch *s = listen_scratch_new(set);
    struct listen_post p = { .text = STR_LIT("post w1") };
    struct listen_result res;

    CHECK_INT(listen_match(s, &p, &res), 2);
    CHECK_INT(res.queries[0], 0);
    CHECK_INT(res.queries[1], 1);
    listen_scratch_free(s);
    listen_set_free(set);
}

int
main(void)
{
    RUN(hot_swap_under_load);
    RUN(generation_ids_sorted);
    return test_done();
}
