/* SPDX-License-Identifier: MIT */
/*
 * test.h - a tiny TAP harness for Hark's unit tests (picotest-like).
 *
 *     TEST(buf_grows) { ...; CHECK(x); CHECK_INT(a, b); CHECK_STR(s, "x"); }
 *     int main(void) { RUN(buf_grows); return test_done(); }
 *
 * Each file is its own binary and process. CHECK_INT and CHECK_STR print both sides on
 * failure. A failed check marks the current test failed and continues.
 */
#ifndef HARK_TEST_H
#define HARK_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test__n, test__failed_total, test__failed;

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                                                  \
    do {                                                                                           \
        test__failed = 0;                                                                          \
        test_##name();                                                                             \
        test__n++;                                                                                 \
        printf("%sok %d - %s\n", test__failed ? "not " : "", test__n, #name);                      \
        fflush(stdout);                                                                            \
        test__failed_total += test__failed != 0;                                                   \
    } while (0)
#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #x);                         \
            test__failed = 1;                                                                      \
        }                                                                                          \
    } while (0)
#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long test__a = (long long)(a), test__b = (long long)(b);                              \
        if (test__a != test__b) {                                                                  \
            printf("# %s:%d: %s == %s: got %lld, want %lld\n", __FILE__, __LINE__, #a, #b,        \
                   test__a, test__b);                                                              \
            test__failed = 1;                                                                      \
        }                                                                                          \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *test__a = (a), *test__b = (b);                                                 \
        if (!test__a || !test__b || strcmp(test__a, test__b) != 0) {                               \
            printf("# %s:%d: %s == %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, #a, #b,    \
                   test__a ? test__a : "(null)", test__b ? test__b : "(null)");                    \
            test__failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

static inline int
test_done(void)
{
    printf("1..%d\n", test__n);
    return test__failed_total ? 1 : 0;
}

#endif
