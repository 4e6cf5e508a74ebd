/* SPDX-License-Identifier: MIT */
/* st_policy_test.c - care policy in the store: the taxonomy (a name once, any case; a cause
 * in use cannot be deleted), a conversation's root cause set and replaced, the policy row with
 * "no limit" as NULL, goodwill grants in integer minor units with the contact taken from the
 * conversation, a decision once, the repeat count (declined grants do not count), and the two
 * reports with their period and filters. */
#include "base/base.h"

#include "base/arena.h"
#include "base/clock.h"
#include "fixture.h"

static int64_t
cause(struct store *st, const char *name, const char *kw)
{
    struct store_root_cause c = { .name = name, .keywords = kw };
    int64_t id = 0;
    int rc = store_root_cause_put(st, 0, &c, &id);
    return rc < 0 ? rc : id;
}

static int64_t
grant(struct store *st, int64_t conv, int64_t cause_id, int64_t amount, const char *status,
      int64_t agent)
{
    struct store_goodwill g = { .conversation_id = conv, .kind = "voucher",
                                .amount_minor = amount, .currency = "EUR",
                                .root_cause_id = cause_id, .status = status,
                                .requested_by = agent };
    int64_t id = 0;
    int rc = store_goodwill_add(st, &g, &id);
    return rc < 0 ? rc : id;
}

TEST(taxonomy_and_conversation_cause)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 16);
    int64_t ch = fx_channel(st, "api"), ag = fx_agent(st, "ana@example.com");
    int64_t dmg = cause(st, "Damaged in transit", "[\"broken\"]");
    int64_t late = cause(st, "Late delivery", "[]");
    CHECK(dmg > 0 && late > 0);
    CHECK_INT(cause(st, "LATE delivery", "[]"), ERR_CONFLICT);
    struct store_root_cause *v;
    size_t n;
    CHECK_INT(store_root_cause_list(st, ar, false, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK(n == 2 && strcmp(v[0].name, "Damaged in transit") == 0);
    int64_t c1 = fx_conv(st, ch, "e1", "u1", "my cup is broken", NULL);
    CHECK_INT(store_conv_cause_set(st, c1, dmg, ag, true), 0);
    CHECK_INT(store_conv_cause_set(st, 999999, dmg, ag, true), ERR_NOTFOUND);
    CHECK_INT(store_conv_cause_set(st, c1, 999999, ag, true), ERR_NOTFOUND);
    struct store_conv_cause cc;
    CHECK_INT(store_conv_cause_get(st, ar, c1, &cc), 0);
    CHECK_INT(cc.root_cause_id, dmg);
    CHECK(cc.suggested);
    CHECK_INT(store_conv_cause_set(st, c1, late, ag, false), 0); /* replaced, not added */
    CHECK_INT(store_conv_cause_get(st, ar, c1, &cc), 0);
    CHECK_INT(cc.root_cause_id, late);
    CHECK(!cc.suggested);
    CHECK_INT(store_root_cause_delete(st, late), ERR_CONFLICT);
    CHECK_INT(store_root_cause_delete(st, dmg), 0);
    CHECK_INT(store_root_cause_delete(st, dmg), ERR_NOTFOUND);
    const char *text;
    CHECK_INT(store_conv_inbound_text(st, ar, c1, 1000, &text), 0);
    CHECK(strstr(text, "broken") != NULL);
    CHECK_INT(store_conv_inbound_text(st, ar, c1, 4, &text), 0);
    CHECK(strlen(text) <= 5);
    arena_free(ar);
    store_close(st);
}

TEST(policy_row)
{
    struct store *st = fx_open();
    struct store_care_policy p;
    CHECK_INT(store_care_policy_get(st, &p), 0);
    CHECK(p.root_cause_required);
    CHECK(strcmp(p.currency, "EUR") == 0);
    CHECK_INT(p.limit_agent, 2500);
    CHECK_INT(p.limit_admin, -1);
    p.limit_agent = -1;
    p.limit_admin = 0;
    snprintf(p.currency, sizeof(p.currency), "GBP");
    p.root_cause_required = false;
    CHECK_INT(store_care_policy_put(st, &p), 0);
    struct store_care_policy q;
    CHECK_INT(store_care_policy_get(st, &q), 0);
    CHECK_INT(q.limit_agent, -1);
    CHECK_INT(q.limit_admin, 0);
    CHECK(!q.root_cause_required && strcmp(q.currency, "GBP") == 0);
    store_close(st);
}

TEST(goodwill_decide_repeat_reports)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 16);
    int64_t ch = fx_channel(st, "api"), ch2 = fx_channel(st, "api");
    int64_t ana = fx_agent(st, "ana@example.com"), sue = fx_agent(st, "sue@example.com");
    int64_t dmg = cause(st, "Damaged", "[]"), late = cause(st, "Late", "[]");
    int64_t c1 = fx_conv(st, ch, "e1", "u1", "broken", NULL);
    int64_t c2 = fx_conv(st, ch2, "e2", "u2", "late", NULL);
    int64_t g1 = grant(st, c1, dmg, 1250, "approved", ana);
    int64_t g2 = grant(st, c1, dmg, 9000, "pending", ana);
    int64_t g3 = grant(st, c2, late, 700, "pending", sue);
    CHECK(g1 > 0 && g2 > 0 && g3 > 0);
    CHECK_INT(grant(st, 999999, dmg, 1, "approved", ana), ERR_NOTFOUND);
    CHECK_INT(grant(st, c1, 999999, 1, "approved", ana), ERR_NOTFOUND);
    struct store_goodwill g;
    CHECK_INT(store_goodwill_get(st, ar, g1, &g), 0);
    CHECK_INT(g.amount_minor, 1250);
    CHECK(strcmp(g.root_cause_name, "Damaged") == 0);
    CHECK_INT(g.contact_id, (int64_t)1); /* the conversation's contact */
    struct store_goodwill *v;
    size_t n;
    CHECK_INT(store_goodwill_list(st, ar, 0, "pending", 10, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(n == 2 ? v[0].id : 0, g2); /* the queue: oldest first */
    CHECK_INT(store_goodwill_list(st, ar, c1, NULL, 10, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(n == 2 ? v[0].id : 0, g2); /* a conversation's: newest first */
    CHECK_INT(store_goodwill_decide(st, g2, "approved", sue, "ok"), 0);
    CHECK_INT(store_goodwill_decide(st, g2, "declined", sue, NULL), ERR_CONFLICT);
    CHECK_INT(store_goodwill_decide(st, 999999, "declined", sue, NULL), ERR_NOTFOUND);
    CHECK_INT(store_goodwill_decide(st, g3, "declined", ana, NULL), 0);
    int64_t cnt;
    CHECK_INT(store_goodwill_count_since(st, g.contact_id, 0, &cnt), 0);
    CHECK_INT(cnt, 2);
    CHECK_INT(store_goodwill_count_since(st, g.contact_id, clock_now_ms() + 60000, &cnt), 0);
    CHECK_INT(cnt, 0);
    struct store_report_filter f = { .from = 0, .to = clock_now_ms() + 60000 };
    struct store_report_row *rows;
    CHECK_INT(store_report_goodwill(st, ar, &f, &rows, &n), 0);
    CHECK_INT(n, 1); /* the declined grant is not money given */
    CHECK_INT(n ? rows[0].amount_minor : 0, 10250);
    CHECK_INT(n ? rows[0].count : 0, 2);
    f.channel_id = ch2;
    CHECK_INT(store_report_goodwill(st, ar, &f, &rows, &n), 0);
    CHECK_INT(n, 0);
    f.channel_id = 0;
    CHECK_INT(store_conv_cause_set(st, c1, dmg, ana, true), 0);
    CHECK_INT(store_conv_cause_set(st, c2, late, sue, false), 0);
    CHECK_INT(store_report_root_causes(st, ar, &f, &rows, &n), 0);
    CHECK_INT(n, 2);
    f.agent_id = sue;
    CHECK_INT(store_report_root_causes(st, ar, &f, &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK(n == 1 && strcmp(rows[0].name, "Late") == 0);
    f.agent_id = 0;
    f.to = 1;
    CHECK_INT(store_report_root_causes(st, ar, &f, &rows, &n), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(taxonomy_and_conversation_cause);
    RUN(policy_row);
    RUN(goodwill_decide_repeat_reports);
    return test_done();
}
