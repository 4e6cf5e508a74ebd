/* SPDX-License-Identifier: MIT */
/*
 * classify_model.c - libFuzzer target for the triage model loader (classify_model_load_mem).
 *
 * Model files are read at startup from disk, so they are less exposed than webhook bodies, but a
 * truncated or corrupt file must be rejected cleanly. When a fuzzed input does load, it is also
 * used for one prediction.
 */
#include "base/base.h"

#include "classify/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct classify_model *m = NULL;
    struct errmsg em = { 0 };
    float p[CLASSIFY_MAX_LABELS];

    if (classify_model_load_mem(data, size, &m, &em) == 0) {
        size_t best = classify_model_predict(m, STR_LIT("where is my order?"), p);
        ASSERT(best < classify_model_nlabels(m));
        classify_model_free(m);
    } else {
        ASSERT(m == NULL && em.set);
    }
    return 0;
}
