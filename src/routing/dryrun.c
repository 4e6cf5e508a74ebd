/* SPDX-License-Identifier: MIT */
/*
 * dryrun.c - what routing would do with a conversation now, for the admin's dry run: the rule
 * (or why none), the team, the agent (or queued and why), the SLA policy and the
 * acknowledgement text. It is not a second router: the decision, the policy match and the
 * acknowledgement are the functions a real conversation goes through, minus their writes.
 */
#include "base/base.h"
#include "routing/routing_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "store/store.h"

int
routing_dry_cap(struct routing *c, size_t *cap)
{
    size_t n;
    int rc = routing__cap(c, &n);
    if (rc < 0)
        return rc;
    /* The decision's copies, the acknowledgement's reads (as routing_autoack_maybe sizes
     * them: a routing context plus 1 MiB) and the policies. */
    *cap = 2 * n + (2u << 20);
    return 0;
}

int
routing_dry_run(struct routing *c, struct arena *ar, const struct store_route_input *in,
                struct routing_dry_result *out)
{
    int rc = routing__dry_decide(c, ar, in, out);
    if (rc < 0)
        return rc;
    struct store_sla_policy *pols;
    size_t npols = 0;
    rc = store_sla_policy_list(c->st, ar, &pols, &npols);
    if (rc < 0)
        return rc;
    out->policy = routing_sla_match(pols, npols, &in->conv);
    if (out->policy && out->policy->business_hours) {
        int64_t cal = out->policy->calendar_id ? out->policy->calendar_id
                                               : (out->matched ? out->team.calendar_id : 0);
        struct store_calendar k;
        if (cal && store_calendar_get(c->st, ar, cal, &k) == 0)
            out->policy_calendar_tz = k.tz;
    }
    if (!out->matched) {
        out->autoack_why = "no team: nothing is acknowledged";
        return 0;
    }
    if (!out->agent_id) {
        int64_t total = 0;
        rc = store_route_queue_count(c->st, 0, &total, NULL);
        if (rc < 0)
            return rc;
        out->queue_ahead = total;
    }
    rc = routing__autoack_text(c, ar, &out->team, &in->conv, in->lang, out->agent_id == 0,
                               out->queue_ahead, &out->autoack_text, &out->autoack_why);
    return rc;
}
