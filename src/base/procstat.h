/* SPDX-License-Identifier: MIT */
/*
 * procstat.h - this process's resource use as Linux reports it in /proc, for the
 * conventional Prometheus process_* metrics.
 *
 * Read on demand (a /metrics scrape), never on a request path. Thread-safe: it keeps no state.
 */
#ifndef HARK_PROCSTAT_H
#define HARK_PROCSTAT_H

#include <stdint.h>

struct procstat {
    uint64_t rss_bytes;        /* resident set size */
    uint64_t vsize_bytes;      /* virtual memory size */
    uint64_t open_fds;         /* entries of /proc/self/fd */
    uint64_t max_fds;          /* the soft RLIMIT_NOFILE (0 when unlimited) */
    uint64_t threads;          /* threads of the process */
    double cpu_seconds;        /* user plus system CPU time */
    double start_time_seconds; /* when the process started, seconds since the Unix epoch */
};

/* Fills '*out' from /proc/self/stat, /proc/self/fd, /proc/stat (the boot time) and getrlimit.
 * Returns 0, or ERR_IO when /proc cannot be read ('*out' untouched). */
int procstat_read(struct procstat *out);

#endif
