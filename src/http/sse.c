/* SPDX-License-Identifier: MIT */
/*
 * sse.c - the Server-Sent Events wire format (one event, the opening), written into a stream's
 * fill buffer. The streaming itself (suspend, wake, heartbeat) is stream.c; what to send is the
 * caller's (api/events.c, api/widget.c).
 */
#include "base/base.h"
#include "http/http.h"

#include "base/buf.h"
#include "base/err.h"

int
http_sse_event(struct buf *out, int64_t seq, const char *type, const char *data, size_t len)
{
    size_t before = out->len;

    buf_printf(out, "id: %lld\nevent: %s\n", (long long)seq, type);
    /* One "data:" line per line of 'data' (so "a\n" is "a" and an empty line); CRLF is one
     * break. Empty 'data' is one empty "data:" line. */
    for (size_t i = 0;;) {
        size_t e = i;
        while (e < len && data[e] != '\n' && data[e] != '\r')
            e++;
        buf_add(out, "data: ", 6);
        buf_add(out, data + i, e - i);
        buf_addc(out, '\n');
        if (e == len)
            break;
        if (data[e] == '\r' && e + 1 < len && data[e + 1] == '\n')
            e++;
        i = e + 1;
    }
    buf_addc(out, '\n');
    if (buf_error(out) < 0) {
        buf_truncate(out, before);
        return ERR_TOOBIG;
    }
    return 0;
}

void
http_sse_open(struct buf *out, int retry_ms)
{
    buf_printf(out, "retry: %d\n: connected\n\n", retry_ms);
}
