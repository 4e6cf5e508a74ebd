/* SPDX-License-Identifier: MIT */
/*
 * housekeeping.c - the slow periodic chores of a running server, run by the timers worker
 * at most once per CARE__HOUSEKEEP_MS: purging expired sessions today; and, more often (at
 * most once per CARE__STATUS_FLUSH_MS), saving the channel status kept in memory.
 *
 * Sessions are checked for expiry at each use (auth/auth.c); this only removes the rows of
 * sessions nobody will use again, so the table does not grow with every login forever.
 */
#include "base/base.h"
#include "care/care_int.h"

#include "base/log.h"

void
care__housekeep(struct care *c, int64_t now)
{
    care__chanstat_flush(c, now, false);
    care__faqbot_tick(c, now); /* a read, unless an answer's window passed */
    if (c->housekept_at && now - c->housekept_at < CARE__HOUSEKEEP_MS)
        return;
    c->housekept_at = now;
    int rc = auth_sessions_expire(c->auth, now);
    if (rc < 0)
        log_warn("care", "cannot purge expired sessions", "err=%s", err_str(rc));
}
