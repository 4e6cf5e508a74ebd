/* SPDX-License-Identifier: MIT */
/*
 * clock.c - time sources and RFC 3339 formatting and parsing (UTC only, no locale).
 */
#include "base/base.h"
#include "base/clock.h"

#include <errno.h>
#include <time.h>

#include "base/err.h"

int64_t
clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
clock_timedwait(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_ms)
{
    if (deadline_ms < 0)
        deadline_ms = 0; /* long past: a valid time that times out at once */
    struct timespec ts = { .tv_sec = (time_t)(deadline_ms / 1000),
                           .tv_nsec = (long)(deadline_ms % 1000) * 1000000L };
    int e = pthread_cond_timedwait(cv, mu, &ts);
    return e == 0 ? 0 : e == ETIMEDOUT ? ERR_TIMEOUT : ERR_INVAL;
}

void
clock_fmt_iso(int64_t ms, char *out, size_t n)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static int
digits(struct str s, size_t at, size_t n, int *out)
{
    int v = 0;
    if (at + n > s.len)
        return ERR_INVAL;
    for (size_t i = at; i < at + n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return ERR_INVAL;
        v = v * 10 + (s.p[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
clock_parse_iso(struct str s, int64_t *ms)
{
    int y, mo, d, h, mi, se, frac = 0;
    size_t i = 19;

    if (s.len < 20 || digits(s, 0, 4, &y) || s.p[4] != '-' || digits(s, 5, 2, &mo) ||
        s.p[7] != '-' || digits(s, 8, 2, &d) || (s.p[10] != 'T' && s.p[10] != 't' && s.p[10] != ' ') ||
        digits(s, 11, 2, &h) || s.p[13] != ':' || digits(s, 14, 2, &mi) || s.p[16] != ':' ||
        digits(s, 17, 2, &se))
        return ERR_INVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return ERR_INVAL;
    if (s.p[i] == '.') {
        int scale = 100;
        i++;
        size_t start = i;
        while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9') {
            frac += (s.p[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start)
            return ERR_INVAL;
    }
    int64_t off = 0;
    if (i + 1 == s.len && (s.p[i] == 'Z' || s.p[i] == 'z')) {
        off = 0;
    } else if (i + 6 == s.len && (s.p[i] == '+' || s.p[i] == '-') && s.p[i + 3] == ':') {
        int oh, om;
        if (digits(s, i + 1, 2, &oh) || digits(s, i + 4, 2, &om) || oh > 23 || om > 59)
            return ERR_INVAL;
        off = (oh * 60 + om) * 60000LL * (s.p[i] == '+' ? 1 : -1);
    } else {
        return ERR_INVAL;
    }
    int64_t days = days_from_civil(y, mo, d);
    *ms = ((days * 24 + h) * 60 + mi) * 60000LL + se * 1000LL + frac - off;
    return 0;
}
