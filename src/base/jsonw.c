/* SPDX-License-Identifier: MIT */
/*
 * jsonw.c - JSON string escaping. Runs of bytes that need no escape are copied in one append,
 * so plain text costs one memcpy, not one call per byte.
 */
#include "base/base.h"
#include "base/jsonw.h"

#include "base/buf.h"

void
jsonw_str(struct buf *b, struct str s)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;

    buf_addc(b, '"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
            continue;
        buf_add(b, s.p + run, i - run);
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            buf_add(b, e, sizeof(e));
        } else {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            buf_add(b, e, sizeof(e));
        }
        run = i + 1;
    }
    if (run < s.len)
        buf_add(b, s.p + run, s.len - run);
    buf_addc(b, '"');
}

void
jsonw_cstr(struct buf *b, const char *s)
{
    if (!s) {
        buf_adds(b, "null");
        return;
    }
    jsonw_str(b, str_c(s));
}
