/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - lock-free counters and fixed-bucket latency histograms for /metrics.
 *
 * Values are updated with relaxed atomics from any thread and read (slightly racy but
 * monotonic) when /metrics is rendered. Histogram bucket bounds are in seconds, Prometheus
 * style; metrics_hist_render writes the _bucket/_sum/_count lines.
 */
#ifndef HARK_METRICS_H
#define HARK_METRICS_H

#include <stdint.h>

#include "base/buf.h"

#define METRICS_BUCKETS 12

struct metrics_hist {
    uint64_t buckets[METRICS_BUCKETS]; /* counts per upper bound (non-cumulative) */
    uint64_t count;
    uint64_t sum_us; /* sum of observations, microseconds */
};

/* Upper bounds in seconds shared by every histogram: 0.5ms ... 10s, then +Inf. */
extern const double metrics_bounds[METRICS_BUCKETS - 1];

void metrics_add(uint64_t *counter, uint64_t n);
uint64_t metrics_get(const uint64_t *counter);
void metrics_observe(struct metrics_hist *h, int64_t us);
/* Appends the histogram as Prometheus text under 'name' (with # TYPE line); an overflow is
 * 'out's sticky error. */
void metrics_hist_render(const struct metrics_hist *h, const char *name, const char *help,
                        struct buf *out);

#endif
