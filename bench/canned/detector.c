/* SPDX-License-Identifier: MIT */
/*
 * detector.c - the robotic-template detector's cost per reply (bench/85-canned.sh): a full ring
 * of CARE_RECENT_MAX recent replies, then care_reply_nudges on many drafts of about 40 words,
 * each started from a canned text and addressed to a named customer, as the API runs it.
 * Prints "replies=N mean_us=X p50_us=Y p99_us=Z".
 */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "care/care.h"

static const char *const words[] = {
    "order", "refund", "parcel", "courier", "store", "tomorrow", "today", "card", "account",
    "delivery", "return", "label", "warehouse", "size", "colour", "jacket", "boots", "invoice",
    "payment", "address", "pick-up", "Mitte", "Friday", "sorry", "thanks", "check", "sent",
    "arrives", "days", "we", "you", "your", "the", "a", "is", "on", "its", "way", "and", "to",
};

static void
sentence(char *out, size_t cap, unsigned *seed, int n)
{
    size_t o = 0;
    for (int i = 0; i < n && o + 16 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "",
                              words[rand_r(seed) % COUNTOF(words)]);
    out[o] = '\0';
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
    int64_t n = 20000;
    if (argc > 1 && str_to_i64(str_c(argv[1]), 1, 10000000, &n) < 0)
        return 2;
    unsigned seed = 42;
    char text[1024], canned[1024];
    struct care_recent *r = care_recent_new(CARE_RECENT_MAX);
    struct arena *ar = arena_new(1 << 24);
    for (int i = 0; i < CARE_RECENT_MAX; i++) {
        sentence(text, sizeof(text), &seed, 40);
        care_recent_add(r, ar, str_c(text));
    }
    arena_free(ar);
    double *t = calloc((size_t)n, sizeof(*t));
    size_t nudged = 0;
    for (int64_t i = 0; i < n; i++) {
        sentence(canned, sizeof(canned), &seed, 30);
        snprintf(text, sizeof(text), "Hi Ana, %s. ", canned);
        size_t len = strlen(text);
        sentence(text + len, sizeof(text) - len, &seed, 10);
        ar = arena_new(1 << 20);
        struct care_draft d = { .text = str_c(text), .canned = str_c(canned), .first_name = "Ana" };
        struct care_nudge v[CARE_NUDGE_MAX];
        double t0 = now_us();
        nudged += care_reply_nudges(ar, &d, r, v) > 0;
        t[i] = now_us() - t0;
        arena_free(ar);
    }
    double sum = 0;
    for (int64_t i = 0; i < n; i++)
        sum += t[i];
    qsort(t, (size_t)n, sizeof(*t), cmp);
    printf("replies=%lld mean_us=%.1f p50_us=%.1f p99_us=%.1f nudged=%zu\n", (long long)n,
           sum / (double)n, t[n / 2], t[(int64_t)((double)n * 0.99)], nudged);
    free(t);
    care_recent_free(r);
    return 0;
}
