/* SPDX-License-Identifier: MIT */
/* policy_test.c - the root-cause suggestion (whole words and phrases, any case, the most
 * keywords win, ties to the longer keywords, the keywords found are the explanation, nothing
 * for no match or no text) and the goodwill limits (per role, "no limit", another currency
 * always asks, who approves). */
#include "base/base.h"

#include <string.h>

#include "base/arena.h"
#include "care/care.h"

#include "../test.h"

static const char *const dmg_kw[] = { "broken", "arrived damaged", "smashed" };
static const char *const late_kw[] = { "late", "still waiting", "not arrived" };
static const char *const bill_kw[] = { "charged twice", "invoice" };
static const struct care_cause causes[] = {
    { 1, "Damaged in transit", dmg_kw, 3 },
    { 2, "Late delivery", late_kw, 3 },
    { 3, "Billing error", bill_kw, 2 },
};

static int64_t
suggest(const char *text, size_t *nmatched, const char **first)
{
    struct arena *ar = arena_new(1 << 16);
    struct care_suggestion s;
    int rc = care_root_cause_suggest(ar, causes, COUNTOF(causes), text, &s);
    int64_t id = rc == 1 ? s.cause->id : 0;
    if (nmatched)
        *nmatched = s.nmatched;
    if (first)
        *first = s.nmatched ? s.matched[0] : NULL;
    arena_free(ar);
    return id;
}

TEST(suggestion)
{
    static const struct {
        const char *text;
        int64_t want;
        size_t matched;
    } cases[] = {
        { "The vase ARRIVED DAMAGED and the lid is Broken.", 1, 2 },
        { "I am still waiting, it is late", 2, 2 },
        { "You charged twice on my invoice", 3, 2 },
        { "lately I love your shop", 0, 0 },        /* a keyword inside a word is no match */
        { "unbroken record, smashedly good", 0, 0 },
        { "broken? and late!", 1, 1 },              /* a tie: the longer keyword wins */
        { "", 0, 0 },
        { "it arrived arrived damaged", 1, 1 },     /* a phrase after a false start */
        { "arrived damagedly", 0, 0 },
        { "Il est arrivé cassé", 0, 0 },
    };
    for (size_t i = 0; i < COUNTOF(cases); i++) {
        size_t m = 0;
        CHECK_INT(suggest(cases[i].text, &m, NULL), cases[i].want);
        CHECK_INT(m, cases[i].matched);
    }
    const char *first;
    suggest("parcel not arrived yet", NULL, &first);
    CHECK(first && strcmp(first, "not arrived") == 0);
    struct arena *ar = arena_new(1 << 12);
    struct care_suggestion s;
    CHECK_INT(care_root_cause_suggest(ar, causes, COUNTOF(causes), NULL, &s), 0);
    CHECK(s.cause == NULL);
    CHECK_INT(care_root_cause_suggest(ar, NULL, 0, "broken", &s), 0);
    arena_free(ar);
}

TEST(limits)
{
    struct store_care_policy p = { .currency = "EUR", .limit_agent = 2000,
                                   .limit_store_staff = 0, .limit_supervisor = 10000,
                                   .limit_admin = -1 };
    CHECK(!care_goodwill_needs_approval(&p, "agent", 2000, "EUR"));
    CHECK(care_goodwill_needs_approval(&p, "agent", 2001, "EUR"));
    CHECK(care_goodwill_needs_approval(&p, "store_staff", 1, "EUR"));
    CHECK(!care_goodwill_needs_approval(&p, "supervisor", 10000, "EUR"));
    CHECK(care_goodwill_needs_approval(&p, "supervisor", 10001, "EUR"));
    CHECK(!care_goodwill_needs_approval(&p, "admin", 100000000, "EUR"));
    CHECK(care_goodwill_needs_approval(&p, "admin", 1, "USD")); /* no conversion */
    CHECK(care_goodwill_needs_approval(&p, "visitor", 1, "EUR"));
    CHECK_INT(care_goodwill_limit(&p, "admin"), -1);
    CHECK(care_is_approver("supervisor") && care_is_approver("admin"));
    CHECK(!care_is_approver("agent") && !care_is_approver("store_staff") && !care_is_approver(NULL));
}

int
main(void)
{
    RUN(suggestion);
    RUN(limits);
    return test_done();
}
