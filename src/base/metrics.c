/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - relaxed atomic counters and histograms.
 */
#include "base/base.h"
#include "base/metrics.h"

const double metrics_bounds[METRICS_BUCKETS - 1] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0 };

void
metrics_add(uint64_t *counter, uint64_t n)
{
    __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

uint64_t
metrics_get(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void
metrics_observe(struct metrics_hist *h, int64_t us)
{
    double s = (double)us / 1e6;
    size_t i = 0;
    while (i < METRICS_BUCKETS - 1 && s > metrics_bounds[i])
        i++;
    metrics_add(&h->buckets[i], 1);
    metrics_add(&h->count, 1);
    metrics_add(&h->sum_us, us > 0 ? (uint64_t)us : 0);
}

void
metrics_hist_render(const struct metrics_hist *h, const char *name, const char *help,
                    struct buf *out)
{
    uint64_t cum = 0;
    buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (size_t i = 0; i < METRICS_BUCKETS; i++) {
        cum += metrics_get(&h->buckets[i]);
        if (i < METRICS_BUCKETS - 1)
            buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, metrics_bounds[i],
                       (unsigned long long)cum);
        else
            buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
    }
    buf_printf(out, "%s_sum %.6f\n%s_count %llu\n", name, (double)metrics_get(&h->sum_us) / 1e6,
               name, (unsigned long long)metrics_get(&h->count));
}
