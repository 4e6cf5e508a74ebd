/* SPDX-License-Identifier: MIT */
/*
 * chan_social.c - libFuzzer target: Bluesky's facet spans (links and @handles as UTF-8 byte
 * offsets) and grapheme count on hostile bytes.
 *
 * Nothing may crash or read out of bounds; spans must lie inside the text, in order, without
 * overlapping, a link starting with "http" and a mention with '@'; a text has at most as many
 * graphemes as bytes, and at least one when it is not empty.
 */
#include "base/base.h"

#include "channels/chan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str t = { (const char *)data, size };
    struct chan__bsky_span sp[32];
    ssize_t n = chan__bsky_spans(t, sp, COUNTOF(sp));
    if (n < 0 || n > (ssize_t)COUNTOF(sp))
        __builtin_trap();
    size_t prev_end = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (sp[i].start < prev_end || sp[i].start >= sp[i].end || sp[i].end > size)
            __builtin_trap();
        if (sp[i].link ? memcmp(data + sp[i].start, "http", 4) != 0
                       : data[sp[i].start] != '@')
            __builtin_trap();
        prev_end = sp[i].end;
    }
    size_t g = chan_graphemes(t);
    if (g > size || (size > 0 && g == 0))
        __builtin_trap();
    return 0;
}
