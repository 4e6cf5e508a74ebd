/* SPDX-License-Identifier: MIT */
/*
 * listen_query.c - libFuzzer target for the listening query parser and compiler: any bytes
 * must give a matcher or an ERR_* with a message and an in-range position, never a crash; a
 * compiled query is then run against a post made of the same bytes.
 */
#include "base/base.h"
#include "listen/listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str text = { (const char *)data, size };
    struct errmsg em = { 0 };
    size_t pos = 0;
    int rc = listen_query_check(text, &em, &pos);

    if (rc < 0) {
        ASSERT(em.set);
        ASSERT(pos <= size);
        return 0;
    }
    {
        struct listen_query q = { STR_LIT("fuzz"), text };
        struct listen_matcher *m = NULL;
        struct listen_set *set;
        struct listen_scratch *s;
        struct listen_post p = { .text = text, .lang = STR_LIT("en"), .platform = STR_LIT("x") };
        struct listen_result res;

        if (listen_matcher_new(&q, 1, &m, &em) < 0)
            return 0;
        set = listen_set_new_take(m);
        s = listen_scratch_new(set);
        ASSERT(listen_match(s, &p, &res) >= 0);
        listen_scratch_free(s);
        listen_set_free(set);
    }
    return 0;
}
