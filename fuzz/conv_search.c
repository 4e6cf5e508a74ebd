/* SPDX-License-Identifier: MIT */
/*
 * conv_search.c - libFuzzer target: the inbox search 'q' (store_conv_list's full-text filter,
 * turned into an FTS5 MATCH expression in store/st_conv.c) on hostile text.
 *
 * The input is used as 'q' exactly as the API passes it (valid UTF-8, at most 200 bytes, cut at
 * the first NUL). Whatever it holds (quotes, NEAR, AND/OR/NOT, column filters, '^', '-', '*',
 * parentheses, unicode punctuation), the search must succeed: an error here is a 500.
 */
#include "base/base.h"

#include <unistd.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "store/store.h"

static struct store *st;

/* One store for the whole run, with a few messages for MATCH to search. */
static void
setup(void)
{
    static char dir[] = "/tmp/hark-fuzz-search-XXXXXX";
    if (!mkdtemp(dir))
        __builtin_trap();
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
    struct store_config cfg = { .url = url };
    struct errmsg em = { 0 };
    if (store_open(&cfg, NULL, &st, &em) < 0)
        __builtin_trap();
    struct channel ch = { .type = "api", .name = "web", .secret = "s3cret" };
    int64_t ch_id = 0;
    if (store_channel_add(st, &ch, &ch_id) < 0)
        __builtin_trap();
    static const char *texts[] = { "My order #1234 never arrived", "Is the shop NEAR the station?",
                                   "refund AND replacement, please", "Café au lait — naïve «quote»" };
    for (size_t i = 0; i < COUNTOF(texts); i++) {
        char ext[16], from[16];
        snprintf(ext, sizeof(ext), "m%zu", i);
        snprintf(from, sizeof(from), "u%zu", i);
        struct inbound in = { .channel_id = ch_id, .channel_type = "api", .external_id = str_c(ext),
                              .from_id = str_c(from), .from_name = str_c("Ann Lee"),
                              .text = str_c(texts[i]) };
        struct ingest_result r;
        if (store_ingest(st, &in, &r) < 0)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!st)
        setup();
    size_t n = strnlen((const char *)data, size);
    if (n > 200 || !utf8_valid((struct str){ (const char *)data, n }))
        return 0; /* the API answers 400 before the store sees it */
    char q[201];
    memcpy(q, data, n);
    q[n] = '\0';
    struct arena *ar = arena_new(4 << 20);
    struct conv_filter f = { .q = q, .limit = 50 };
    struct conv *items;
    size_t count;
    int64_t next_ts, next_id;
    int rc = store_conv_list(st, ar, &f, &items, &count, &next_ts, &next_id);
    if (rc < 0)
        __builtin_trap(); /* a 500 for this q */
    arena_free(ar);
    return 0;
}
