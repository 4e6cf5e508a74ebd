/* SPDX-License-Identifier: MIT */
/*
 * classify_tok.c - libFuzzer target for the triage tokenizer: classify_features and
 * classify_words on arbitrary bytes, plus the urgency rules that read its words.
 */
#include "base/base.h"

#include "classify/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
check_word(struct str w, void *arg)
{
    (void)arg;
    ASSERT(w.len > 0 && w.len <= 256);
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct classify_feat_cfg cfgs[] = {
        { .buckets = 1u << 10, .word_ngrams = 2, .minn = 1, .maxn = 8 },
        { .buckets = 256, .word_ngrams = 0, .minn = 3, .maxn = 5 },
    };
    uint32_t f[CLASSIFY_MAX_FEATURES];
    struct str s = { (const char *)data, size };
    struct triage t = { 0 };

    for (size_t c = 0; c < COUNTOF(cfgs); c++) {
        size_t n = classify_features(&cfgs[c], s, f, COUNTOF(f));
        ASSERT(n <= COUNTOF(f));
        for (size_t i = 0; i < n; i++)
            ASSERT(f[i] < cfgs[c].buckets);
    }
    classify_words(s, check_word, NULL);
    classify_urgency(s, NULL, &t);
    ASSERT(t.urgency >= 0 && t.urgency <= 100 && t.nreasons <= CLASSIFY_MAX_REASONS);
    return 0;
}
