/* SPDX-License-Identifier: MIT */
/* base_test.c - str, buf, arena, utf8, clock, hub. */
#include "base/base.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/hub.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/utf8.h"

#include "../test.h"

TEST(str_to_i64_strict)
{
    int64_t v = 7;
    CHECK_INT(str_to_i64(STR_LIT("42"), 0, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(str_to_i64(STR_LIT("-9223372036854775808"), INT64_MIN, INT64_MAX, &v), 0);
    CHECK(v == INT64_MIN);
    CHECK_INT(str_to_i64(STR_LIT("9223372036854775808"), INT64_MIN, INT64_MAX, &v), ERR_INVAL);
    CHECK_INT(str_to_i64(STR_LIT("12a"), 0, 100, &v), ERR_INVAL);
    CHECK_INT(str_to_i64(STR_LIT(""), 0, 100, &v), ERR_INVAL);
    CHECK_INT(str_to_i64(STR_LIT("-"), -5, 100, &v), ERR_INVAL);
    CHECK_INT(str_to_i64(STR_LIT("101"), 0, 100, &v), ERR_INVAL);
    CHECK(v == INT64_MIN); /* untouched on failure */
}

TEST(str_cut_and_trim)
{
    struct str k, v;
    CHECK(str_cut(STR_LIT("a=b=c"), '=', &k, &v));
    CHECK(str_eq_c(k, "a"));
    CHECK(str_eq_c(v, "b=c"));
    CHECK(!str_cut(STR_LIT("abc"), '=', &k, &v));
    CHECK(str_eq_c(str_trim(STR_LIT("  x y \t")), "x y"));
    CHECK(str_ct_eq("abc", "abc", 3));
    CHECK(!str_ct_eq("abc", "abd", 3));
}

TEST(buf_limits)
{
    struct buf b;
    buf_init(&b, 10);
    CHECK_STR(b.p, ""); /* never NULL, even before the first append */
    buf_adds(&b, "hello");
    buf_printf(&b, "%d", 12345);
    CHECK_INT(b.len, 10);
    CHECK_INT(buf_error(&b), 0);
    buf_addc(&b, 'x');
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    CHECK_STR(b.p, "hello12345");
    char *p = NULL;
    CHECK_INT(buf_take(&b, &p, NULL), ERR_TOOBIG); /* a cut text is never handed over */
    CHECK(p == NULL);
    CHECK_INT(b.len, 0);
    CHECK_INT(buf_error(&b), 0);
    buf_adds(&b, "ok");
    size_t n = 0;
    CHECK_INT(buf_take(&b, &p, &n), 0);
    CHECK_STR(p, "ok");
    CHECK_INT(n, 2);
    CHECK_INT(b.len, 0);
    free(p);
    /* An empty buf hands over an empty, freeable string. */
    CHECK_INT(buf_take(&b, &p, &n), 0);
    CHECK_STR(p, "");
    CHECK_INT(n, 0);
    free(p);
    buf_release(&b);

    buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%0300d", i);
    CHECK_INT(b.len, 300000);
    CHECK_INT(buf_error(&b), 0);
    buf_release(&b);
}

TEST(buf_error_is_sticky)
{
    struct buf b;
    buf_init(&b, 8);
    buf_adds(&b, "{\"a\":");
    buf_printf(&b, "\"%s\"", "too long for the rest"); /* overflows: appends nothing */
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    CHECK_STR(b.p, "{\"a\":");
    /* Later appends that would fit are no-ops: the text never gets a hole in the middle. */
    buf_addc(&b, '1');
    buf_adds(&b, "}");
    buf_add(&b, "x", 1);
    buf_printf(&b, "%d", 7);
    CHECK_STR(b.p, "{\"a\":");
    CHECK_INT(b.len, 5);
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    /* Reset clears the error and the bytes; the buf is usable again. */
    buf_reset(&b);
    CHECK_INT(buf_error(&b), 0);
    CHECK_INT(b.len, 0);
    buf_adds(&b, "{}");
    CHECK_STR(b.p, "{}");
    CHECK_INT(buf_error(&b), 0);
    /* A long printf (past the small stack buffer) that overflows is sticky too. */
    buf_printf(&b, "%0300d", 1);
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    CHECK_STR(b.p, "{}");
    /* Release clears it as well and keeps the limit. */
    buf_release(&b);
    CHECK_INT(buf_error(&b), 0);
    CHECK_INT(b.max, 8);
    buf_adds(&b, "12345678");
    CHECK_INT(buf_error(&b), 0);
    buf_addc(&b, '9');
    CHECK_INT(buf_error(&b), ERR_TOOBIG);
    buf_release(&b);
}

static int deferred;
static void
bump(void *arg)
{
    deferred = deferred * 10 + (int)(intptr_t)arg;
}

TEST(arena_alloc_and_defer)
{
    struct arena *a = arena_new(1 << 20);
    char *s = arena_printf(a, "%s-%d", "x", 5);
    CHECK_STR(s, "x-5");
    char *big = arena_alloc(a, 100000);
    CHECK(big[99999] == 0);
    CHECK_STR(arena_str(a, STR_LIT("slice")), "slice");
    arena_defer(a, bump, (void *)(intptr_t)1);
    arena_defer(a, bump, (void *)(intptr_t)2);
    arena_free(a);
    CHECK_INT(deferred, 21); /* LIFO */
}

TEST(arena_cap_fails_the_unit_not_the_process)
{
    uint64_t before = arena_cap_exceeded_total();
    struct arena *a = arena_new(4096);
    char *p = arena_alloc(a, 1000);
    CHECK(!arena_failed(a));
    /* Past the cap: the allocation is still served (zeroed, usable) and the arena is marked. */
    char *big = arena_alloc(a, 100000);
    CHECK(big != NULL);
    CHECK(big[99999] == 0);
    big[99999] = 'x';
    CHECK(arena_failed(a));
    CHECK_INT(arena_cap_exceeded_total(), before + 1);
    /* Sticky, and counted once per arena. */
    CHECK_STR(arena_printf(a, "%s", "still works"), "still works");
    arena_alloc(a, 100000);
    CHECK(arena_failed(a));
    CHECK_INT(arena_cap_exceeded_total(), before + 1);
    p[999] = 'y';
    arena_free(a);
    /* A fresh arena starts clean. */
    a = arena_new(4096);
    CHECK(!arena_failed(a));
    arena_free(a);
}

TEST(utf8_validation)
{
    CHECK(utf8_valid(STR_LIT("plain ascii")));
    CHECK(utf8_valid(STR_LIT("caf\xc3\xa9 \xf0\x9f\x98\x80 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d")));
    CHECK(!utf8_valid(STR_LIT("\xc0\xaf")));         /* overlong */
    CHECK(!utf8_valid(STR_LIT("\xed\xa0\x80")));     /* surrogate */
    CHECK(!utf8_valid(STR_LIT("\xf4\x90\x80\x80"))); /* > U+10FFFF */
    CHECK(!utf8_valid(STR_LIT("abc\xe2\x82")));      /* truncated */
    CHECK(!utf8_valid((struct str){ "a\0b", 3 }));
    CHECK_INT(utf8_len(STR_LIT("caf\xc3\xa9")), 4);
}

TEST(clock_iso_round_trip)
{
    int64_t ms = 0;
    char out[32];
    CHECK_INT(clock_parse_iso(STR_LIT("2026-11-22T20:29:23.5Z"), &ms), 0);
    clock_fmt_iso(ms, out, sizeof(out));
    CHECK_STR(out, "2026-11-22T20:29:23.500Z");
    CHECK_INT(clock_parse_iso(STR_LIT("2026-11-22T21:29:23.500+01:00"), &ms), 0);
    clock_fmt_iso(ms, out, sizeof(out));
    CHECK_STR(out, "2026-11-22T20:29:23.500Z");
    CHECK_INT(clock_parse_iso(STR_LIT("2026-13-22T20:29:23Z"), &ms), ERR_INVAL);
    CHECK_INT(clock_parse_iso(STR_LIT("yesterday"), &ms), ERR_INVAL);
}

TEST(rand_hex_is_random)
{
    char a[33], b[33];
    rand_hex(a, 16);
    rand_hex(b, 16);
    CHECK_INT(strlen(a), 32);
    CHECK(strcmp(a, b) != 0);
}

static int wakes;
static void
on_wake(void *arg)
{
    (void)arg;
    wakes++;
}

TEST(hub_ring_and_gaps)
{
    struct hub *h = hub_new(4, 10);
    struct hub_sub sub = { .wake = on_wake };
    struct hub_event ev[8];
    hub_subscribe(h, &sub);
    CHECK_INT(hub_read(h, 10, ev, 8), 0);
    for (int64_t s = 11; s <= 16; s++)
        hub_publish(h, s, "message.created", "{}", 2);
    CHECK_INT(wakes, 6);
    CHECK_INT(hub_read(h, 10, ev, 8), ERR_NOTFOUND); /* 11 and 12 left the ring */
    ssize_t n = hub_read(h, 12, ev, 8);
    CHECK_INT(n, 4);
    CHECK_INT(ev[0].seq, 13);
    CHECK_INT(ev[3].seq, 16);
    CHECK_STR(ev[0].type, "message.created");
    for (ssize_t i = 0; i < n; i++)
        hub_event_release(&ev[i]);
    CHECK_INT(hub_read(h, 16, ev, 8), 0);
    CHECK_INT(hub_subscribers(h), 1);
    hub_unsubscribe(h, &sub);
    CHECK_INT(hub_subscribers(h), 0);
    hub_free(h);
}

int
main(void)
{
    RUN(str_to_i64_strict);
    RUN(str_cut_and_trim);
    RUN(buf_limits);
    RUN(buf_error_is_sticky);
    RUN(arena_alloc_and_defer);
    RUN(arena_cap_fails_the_unit_not_the_process);
    RUN(utf8_validation);
    RUN(clock_iso_round_trip);
    RUN(rand_hex_is_random);
    RUN(hub_ring_and_gaps);
    return test_done();
}
