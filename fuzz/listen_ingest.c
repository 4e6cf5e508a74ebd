/* SPDX-License-Identifier: MIT */
/*
 * listen_ingest.c - libFuzzer target: the body of POST /api/v1/listening/ingest through the
 * listening service (line splitting, limits, decoding, matching, triage-free mention storage
 * in an in-memory database), and the brand-handle checks on arbitrary text.
 */
#include "base/base.h"

#include "care/care.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct care *care;

static void
setup(void)
{
    struct store_config sc = { .url = ":memory:" };
    struct store *st = NULL;
    if (store_open(&sc, NULL, &st, NULL) < 0)
        __builtin_trap();
    struct care_config cc = { 0 };
    care_new(&cc, st, NULL, &care);
    int64_t id;
    store_listen_query_add(st, "a", "acme OR @acme* OR refund* OR \"order is late\"", true, &id);
    store_listen_query_add(st, "b", "(late NEAR/3 order) -spam lang:en", true, &id);
    struct watch_config lc = { .brand_handles = "acme,acme.bsky.social" };
    struct errmsg em = { 0 };
    if (care_watch_start(care, &lc, &em) < 0)
        __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!care)
        setup();
    struct str s = { (const char *)data, size };
    (void)watch_addressed(s, "acme,@acme.bsky.social");
    (void)watch_is_brand(s, "acme");
    struct watch_ingest_result r;
    struct errmsg em = { 0 };
    int rc = watch_ingest(care_watch(care), s, &r, &em);
    if (rc == 0 && (r.stored + r.duplicates > r.matched || r.matched > r.posts ||
                    r.posts > r.lines))
        __builtin_trap();
    return 0;
}
