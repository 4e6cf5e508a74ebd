/* SPDX-License-Identifier: MIT */
/*
 * canned.c - the writes of canned replies and of the nudge-override count: the one path the
 * API takes for them (docs/architecture.md, "One write path"). Nothing follows a canned reply's
 * change today but the write itself; the detector's own state is in reply_check.c.
 */
#include "base/base.h"
#include "care/care_int.h"

int
care_canned_put(struct care *c, int64_t id, const struct store_canned *cr, int64_t *out_id)
{
    return store_canned_put(c->st, id, cr, out_id);
}

int
care_canned_delete(struct care *c, int64_t id)
{
    return store_canned_delete(c->st, id);
}

int
care_nudge_overridden(struct care *c, int64_t agent_id)
{
    return store_nudge_override_add(c->st, agent_id);
}

size_t
care_reply_check(struct care *c, struct arena *ar, const struct care_draft *d,
                 struct care_nudge *out)
{
    return care_reply_nudges(ar, d, c->recent, out);
}
