/* SPDX-License-Identifier: MIT */
/* sse_test.c - http/sse.c: the bytes of one event and of the opening; data with line breaks
 * (LF, CRLF, CR) split into one "data:" line each; an event that does not fit leaves the
 * buffer exactly as it was, error cleared, so the whole events before it stay. */
#include "base/base.h"

#include "base/buf.h"
#include "base/err.h"
#include "http/http.h"

#include "../test.h"

static const char *
ev(struct buf *b, int64_t seq, const char *type, const char *data)
{
    buf_reset(b);
    CHECK_INT(http_sse_event(b, seq, type, data, strlen(data)), 0);
    return b->p;
}

TEST(one_event)
{
    struct buf b;
    buf_init(&b, 4096);
    CHECK_STR(ev(&b, 42, "message.created", "{\"id\":1,\"text\":\"a\\nb\"}"),
              "id: 42\nevent: message.created\ndata: {\"id\":1,\"text\":\"a\\nb\"}\n\n");
    CHECK_STR(ev(&b, 9007199254740993LL, "x", ""), "id: 9007199254740993\nevent: x\ndata: \n\n");
    buf_reset(&b);
    http_sse_open(&b, 3000);
    CHECK_STR(b.p, "retry: 3000\n: connected\n\n");
    buf_release(&b);
}

TEST(multi_line_data)
{
    struct buf b;
    buf_init(&b, 4096);
    CHECK_STR(ev(&b, 1, "t", "a\nb"), "id: 1\nevent: t\ndata: a\ndata: b\n\n");
    CHECK_STR(ev(&b, 1, "t", "a\r\nb\rc"), "id: 1\nevent: t\ndata: a\ndata: b\ndata: c\n\n");
    CHECK_STR(ev(&b, 1, "t", "a\n"), "id: 1\nevent: t\ndata: a\ndata: \n\n");
    CHECK_STR(ev(&b, 1, "t", "\n\n"), "id: 1\nevent: t\ndata: \ndata: \ndata: \n\n");
    /* Only 'len' bytes count. */
    buf_reset(&b);
    CHECK_INT(http_sse_event(&b, 2, "t", "abc\ndef", 2), 0);
    CHECK_STR(b.p, "id: 2\nevent: t\ndata: ab\n\n");
    buf_release(&b);
}

TEST(full_buffer_is_undone)
{
    struct buf b;
    buf_init(&b, 60);
    CHECK_INT(http_sse_event(&b, 1, "t", "first", 5), 0);
    size_t one = b.len;
    CHECK_INT(one, 28);
    /* The second event would pass 60 bytes: nothing of it stays, and the buf has no error. */
    CHECK_INT(http_sse_event(&b, 2, "t", "second\nline", 11), ERR_TOOBIG);
    CHECK_INT(b.len, one);
    CHECK_INT(buf_error(&b), 0);
    CHECK_STR(b.p, "id: 1\nevent: t\ndata: first\n\n");
    /* A smaller one still fits after it. */
    CHECK_INT(http_sse_event(&b, 3, "t", "x", 1), 0);
    CHECK_STR(b.p, "id: 1\nevent: t\ndata: first\n\nid: 3\nevent: t\ndata: x\n\n");
    /* Larger than the whole buffer: refused on an empty buffer too. */
    buf_reset(&b);
    char big[100];
    memset(big, 'z', sizeof(big));
    CHECK_INT(http_sse_event(&b, 4, "t", big, sizeof(big)), ERR_TOOBIG);
    CHECK_INT(b.len, 0);
    CHECK_INT(buf_error(&b), 0);
    buf_release(&b);
}

int
main(void)
{
    RUN(one_event);
    RUN(multi_line_data);
    RUN(full_buffer_is_undone);
    return test_done();
}
