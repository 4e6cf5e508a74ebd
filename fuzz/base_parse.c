/* SPDX-License-Identifier: MIT */
/*
 * base_parse.c - libFuzzer target: the small parsers every request goes through (integers
 * such as ids and Last-Event-ID, RFC 3339 times, UTF-8 validation, labels, previews).
 */
#include "base/base.h"

#include "base/clock.h"
#include "base/str.h"
#include "base/utf8.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str s = { (const char *)data, size };
    int64_t v;
    if (str_to_i64(s, 1, INT64_MAX, &v) == 0 && v < 1)
        __builtin_trap();
    int64_t ms;
    if (clock_parse_iso(s, &ms) == 0) {
        char out[40];
        clock_fmt_iso(ms, out, sizeof(out));
    }
    bool valid = utf8_valid(s);
    if (valid)
        (void)utf8_len(s);
    (void)model_label_valid(s);
    char prev[MODEL_PREVIEW_MAX + 1];
    model_preview(s, prev, MODEL_PREVIEW_MAX);
    if (valid && !utf8_valid(str_c(prev)))
        __builtin_trap(); /* a preview of valid text stays valid */
    struct str head, tail;
    (void)str_cut(s, ':', &head, &tail);
    (void)str_trim(s);
    return 0;
}
