/* SPDX-License-Identifier: MIT */
/*
 * log.c - logfmt lines to stderr, one write(2) per line so threads never interleave.
 */
#include "base/base.h"
#include "base/log.h"

#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"

int log__level = LOG_INFO;

static const char *const names[] = { "error", "warn", "info", "debug" };

int
log_set_level(const char *name)
{
    for (size_t i = 0; i < COUNTOF(names); i++) {
        if (strcmp(name, names[i]) == 0) {
            log__level = (int)i;
            return 0;
        }
    }
    return ERR_INVAL;
}

void
log__write(enum log_level lvl, const char *mod, const char *msg, const char *fmt, ...)
{
    char line[1024];
    char ts[32];
    va_list ap;
    int n;

    clock_fmt_iso(clock_now_ms(), ts, sizeof(ts));
    n = snprintf(line, sizeof(line), "ts=%s lvl=%s mod=%s msg=\"%s\"", ts, names[lvl], mod, msg);
    if (n < 0 || (size_t)n >= sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    if (fmt[0]) {
        line[n++] = ' ';
        va_start(ap, fmt);
        int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
        va_end(ap);
        if (m > 0)
            n += m;
        if ((size_t)n > sizeof(line) - 2)
            n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}
