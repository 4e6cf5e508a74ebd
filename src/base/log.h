/* SPDX-License-Identifier: MIT */
/*
 * log.h - one logfmt line per event on stderr.
 *
 *     lvl=warn mod=store msg="commit failed" err=io_error
 *
 * Callers pass the module name and key=value pairs after the message. The level test is a
 * macro, so arguments of a disabled level are never evaluated. Never log secrets or customer
 * content (tokens, cookies, Authorization headers, message text): log ids only.
 * Thread-safe: each line is written with one call.
 */
#ifndef HARK_LOG_H
#define HARK_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern int log__level; /* set once at startup by log_set_level, then read-only */

/* Sets the level from "error", "warn", "info" or "debug". Returns 0 or ERR_INVAL. */
int log_set_level(const char *name);

void log__write(enum log_level lvl, const char *mod, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* log_info("http", "listening", "addr=%s port=%d", addr, port); the last part may be "". */
#define log_at(lvl, mod, msg, ...)                                                                 \
    do {                                                                                           \
        if ((int)(lvl) <= log__level)                                                              \
            log__write((lvl), (mod), (msg), __VA_ARGS__);                                          \
    } while (0)
#define log_error(mod, msg, ...) log_at(LOG_ERROR, mod, msg, __VA_ARGS__)
#define log_warn(mod, msg, ...) log_at(LOG_WARN, mod, msg, __VA_ARGS__)
#define log_info(mod, msg, ...) log_at(LOG_INFO, mod, msg, __VA_ARGS__)
#define log_debug(mod, msg, ...) log_at(LOG_DEBUG, mod, msg, __VA_ARGS__)

#endif
