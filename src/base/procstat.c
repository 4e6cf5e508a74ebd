/* SPDX-License-Identifier: MIT */
/*
 * procstat.c - /proc/self/stat (proc(5)): fields 14-15 utime/stime, 20 num_threads,
 * 22 starttime (clock ticks after boot), 23 vsize (bytes), 24 rss (pages).
 */
#include "base/base.h"
#include "base/procstat.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/err.h"

/* Parses the decimal digits at '*pp' and moves past them; false when there are none. */
static bool
parse_u64(const char **pp, uint64_t *v)
{
    const char *p = *pp;
    uint64_t n = 0;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        n = n * 10 + (uint64_t)(*p++ - '0');
    *pp = p;
    *v = n;
    return true;
}

/* Reads a small file whole into 'buf' (NUL-terminated). Returns the length or ERR_IO. */
static ssize_t
read_small(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    size_t got = 0;
    while (got + 1 < n) {
        ssize_t k = read(fd, buf + got, n - 1 - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    buf[got] = '\0';
    return (ssize_t)got;
}

/* The boot time from the "btime" line of /proc/stat, seconds since the epoch; 0 unknown.
 * The "intr" line before it can be long, so lines are read in pieces. */
static uint64_t
boot_time(void)
{
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return 0;
    char line[4096];
    bool at_start = true;
    uint64_t bt = 0;
    while (fgets(line, sizeof(line), f)) {
        if (at_start && strncmp(line, "btime ", 6) == 0) {
            const char *p = line + 6;
            if (!parse_u64(&p, &bt))
                bt = 0;
            break;
        }
        at_start = strchr(line, '\n') != NULL;
    }
    fclose(f);
    return bt;
}

static uint64_t
count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 0;
    uint64_t n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.')
            n++;
    }
    closedir(d);
    return n > 0 ? n - 1 : 0; /* not the directory's own descriptor */
}

int
procstat_read(struct procstat *out)
{
    char buf[1024];
    if (read_small("/proc/self/stat", buf, sizeof(buf)) < 0)
        return ERR_IO;
    /* The command name (field 2) may hold spaces and parentheses: fields follow the last ')'. */
    const char *p = strrchr(buf, ')');
    if (!p)
        return ERR_IO;
    p++;
    uint64_t f[25] = { 0 }; /* f[i]: field i (1-based); field 3 is a letter */
    int field = 3;
    while (*p && field <= 24) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (*p == '-')
            p++; /* priority and nice (18, 19) may be negative; they are not used */
        if (field == 3)
            p++;
        else if (!parse_u64(&p, &f[field]))
            return ERR_IO;
        field++;
    }
    if (field <= 24)
        return ERR_IO;
    long ticks = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    if (ticks <= 0)
        ticks = 100;
    if (page <= 0)
        page = 4096;
    struct procstat ps = { 0 };
    ps.cpu_seconds = (double)(f[14] + f[15]) / (double)ticks;
    ps.threads = f[20];
    uint64_t bt = boot_time();
    ps.start_time_seconds = bt ? (double)bt + (double)f[22] / (double)ticks : 0;
    ps.vsize_bytes = f[23];
    ps.rss_bytes = f[24] * (uint64_t)page;
    ps.open_fds = count_fds();
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        ps.max_fds = (uint64_t)rl.rlim_cur;
    *out = ps;
    return 0;
}
