/* SPDX-License-Identifier: MIT */
/*
 * demo_policy.c - Northwind's care policy for `hark demo` (see demo_policy.h).
 */
#include "base/base.h"
#include "demo_policy.h"

#include "app.h"
#include "base/arena.h"
#include "base/limits.h"
#include "base/log.h"
#include "care/care.h"
#include "store/store.h"

static const struct {
    const char *name, *keywords;
} causes[] = {
    { "Damaged in transit", "[\"broken\",\"damaged\",\"arrived damaged\",\"crushed\",\"torn\"]" },
    { "Late delivery", "[\"late\",\"still waiting\",\"not arrived\",\"where is my order\",\"delayed\"]" },
    { "Billing error", "[\"charged twice\",\"double charge\",\"invoice\",\"overcharged\"]" },
    { "Product defect", "[\"defect\",\"faulty\",\"fell apart\",\"sole came off\",\"zip broke\"]" },
    { "Rude staff", "[\"rude\",\"unfriendly\",\"impolite\"]" },
};

int
demo_policy_seed(struct app *app, const int64_t *ids, size_t n)
{
    if (n < 5)
        return ERR_INVAL;
    int64_t cause_ids[COUNTOF(causes)];
    int rc = 0;
    for (size_t i = 0; i < COUNTOF(causes) && rc == 0; i++) {
        struct store_root_cause c = { .name = causes[i].name, .keywords = causes[i].keywords };
        rc = care_root_cause_put(app->care, 0, &c, &cause_ids[i]);
    }
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    struct conv *v = NULL;
    size_t nv = 0;
    int64_t nts, nid;
    if (rc == 0) {
        struct conv_filter f = { .intent = "complaint", .limit = 50 };
        rc = store_conv_list(app->st, ar, &f, &v, &nv, &nts, &nid);
        if (rc == 0 && nv < 4) { /* no triage models: any conversations */
            f.intent = NULL;
            rc = store_conv_list(app->st, ar, &f, &v, &nv, &nts, &nid);
        }
    }
    /* Resolved complaints carry their cause (as an agent picked it). */
    size_t set = 0;
    for (size_t i = 0; i < nv && rc == 0 && set < 6; i++) {
        if (strcmp(v[i].status, "resolved") != 0)
            continue;
        rc = care_conv_cause_set(app->care, v[i].id, cause_ids[set % 3], ids[2 + (set % 2) * 2],
                                 set % 3 != 2);
        set++;
    }
    /* Goodwill: two within the agents' limit, one over it (pending approval). */
    struct store_care_policy p;
    if (rc == 0)
        rc = store_care_policy_get(app->st, &p);
    static const struct {
        const char *kind;
        int64_t amount;
        size_t cause, agent;
        const char *note;
    } grants[] = {
        { "voucher", 1500, 0, 2, "Sorry about the crushed box: 15 off the next order" },
        { "refund", 1999, 1, 4, "Shipping refunded for the late parcel" },
        { "refund", 8900, 3, 2, "Full refund: the sole came off after a week" },
    };
    for (size_t i = 0; i < COUNTOF(grants) && i < nv && rc == 0; i++) {
        struct store_goodwill g = { .conversation_id = v[i].id, .kind = grants[i].kind,
                                    .amount_minor = grants[i].amount, .currency = p.currency,
                                    .root_cause_id = cause_ids[grants[i].cause],
                                    .note = grants[i].note, .requested_by = ids[grants[i].agent] };
        rc = care_goodwill_grant(app->care, &p, "agent", &g, NULL);
    }
    arena_free(ar);
    if (rc < 0)
        log_error("demo", "demo set-up failed", "step=policy rc=%d", rc);
    return rc;
}
