/* SPDX-License-Identifier: MIT */
/*
 * err.c - names for ERR_* codes and the first-error-wins message buffer.
 */
#include "base/base.h"
#include "base/err.h"

const char *
err_str(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case ERR_NOMEM: return "no_memory";
    case ERR_INVAL: return "invalid";
    case ERR_NOTFOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_TOOBIG: return "too_large";
    case ERR_TIMEOUT: return "timeout";
    case ERR_IO: return "io_error";
    case ERR_UPSTREAM: return "upstream_error";
    case ERR_BUSY: return "rate_limited";
    case ERR_PERM: return "forbidden";
    case ERR_UNAVAIL: return "unavailable";
    case ERR_AUTH: return "unauthorized";
    default: return "internal";
    }
}

int
errmsg_set(struct errmsg *em, int rc, const char *fmt, ...)
{
    va_list ap;

    if (!em || em->set)
        return rc;
    va_start(ap, fmt);
    vsnprintf(em->text, sizeof(em->text), fmt, ap);
    va_end(ap);
    em->set = true;
    return rc;
}
