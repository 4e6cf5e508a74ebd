/* SPDX-License-Identifier: MIT */
/*
 * classify_tok.c - libFuzzer target for the triage tokenizer: classify_features and
 * classify_words on arbitrary bytes, plus the urgency rules that read its words, the cleaning
 * that language id reads (classify_lang_clean) and the calibration's word lists.
 */
#include "base/base.h"

#include "classify/classify.h"
#include "classify/classify_int.h"

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

    static char clean[CLASSIFY_LANG_TEXT + 1];
    size_t cap = size % (sizeof(clean) + 1); /* every capacity, 0 included */
    size_t n = classify_lang_clean(s, clean, cap);
    ASSERT(cap == 0 ? n == 0 : n < cap && clean[n] == '\0' && strlen(clean) == n);

    float ip[CLASSIFY_INTENT_COUNT] = { 0.5f, 0.5f };
    float sp[CLASSIFY_SENTIMENT_COUNT] = { 0.3f, 0.4f, 0.3f };
    t.intent = (enum classify_intent)(size % CLASSIFY_INTENT_COUNT);
    classify__calibrate(s, ip, sp, &t);
    ASSERT(t.sentiment_score >= -1.001f && t.sentiment_score <= 1.001f);
    ASSERT((unsigned)t.intent < CLASSIFY_INTENT_COUNT);
    ASSERT((unsigned)t.sentiment < CLASSIFY_SENTIMENT_COUNT);
    return 0;
}
