/* SPDX-License-Identifier: MIT */
/* st_contact_test.c - contacts (store/st_contact.c) through store.h: contacts made by ingest,
 * search by name and handle (LIKE wildcards literal), keyset paging, identities, partial
 * updates and unknown ids; blocking: who, when, why, the conversations leaving the queue, the
 * lists, the counts and Unanswered, ingest marking a blocked contact's messages, and unblock
 * bringing it all back. */
#include "base/base.h"

#include "fixture.h"

static int64_t
contact(struct store *st, int64_t ch, const char *ext, const char *from, const char *name,
        const char *handle)
{
    struct inbound in = fx_inbound(ch, ext, from, "hello");
    in.from_name = str_c(name);
    in.from_handle = str_c(handle);
    struct ingest_result r = { 0 };
    CHECK_INT(store_ingest(st, &in, &r), 0);
    return r.contact_id;
}

TEST(contact_search_and_paging)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t ann = contact(st, ch, "m1", "u1", "Ann Lee", "annie");
    contact(st, ch, "m2", "u2", "Bob 100%", "bob");
    contact(st, ch, "m3", "u3", "Carl", "carl_x");
    struct contact *v;
    size_t n;
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 50, 0, &v, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(v[0].id, ann);
    CHECK_INT(store_contact_list(st, ar, NULL, "lee", 50, 0, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_contact_list(st, ar, NULL, "ANNIE", 50, 0, &v, &n), 0);
    CHECK_INT(n, 1); /* by handle, any case */
    CHECK_INT(store_contact_list(st, ar, NULL, "%", 50, 0, &v, &n), 0);
    CHECK_INT(n, 1); /* only "Bob 100%": the wildcard is literal */
    CHECK_INT(store_contact_list(st, ar, NULL, "a_l", 50, 0, &v, &n), 0);
    CHECK_INT(n, 0); /* '_' is literal too ("Carl" would match a wildcard) */
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 2, 0, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 2, v[1].id, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(v[0].name, "Carl");
    arena_free(ar);
    store_close(st);
}

TEST(contact_get_and_update)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t id = contact(st, ch, "m1", "u1", "Ann Lee", "annie");
    struct contact c;
    CHECK_INT(store_contact_get(st, ar, id, &c), 0);
    CHECK_STR(c.name, "Ann Lee");
    CHECK_INT(c.nids, 1);
    CHECK_STR(c.ids[0].platform_id, "u1");
    CHECK_STR(c.ids[0].handle, "annie");
    struct contact upd = { .email = "ann@x.io", .tags = "[\"vip\"]", .status = "customer" };
    CHECK_INT(store_contact_update(st, id, &upd), 0);
    CHECK_INT(store_contact_get(st, ar, id, &c), 0);
    CHECK_STR(c.email, "ann@x.io");
    CHECK_STR(c.tags, "[\"vip\"]");
    CHECK_STR(c.status, "customer");
    CHECK_STR(c.name, "Ann Lee"); /* NULL keeps */
    CHECK_INT(store_contact_get(st, ar, 4242, &c), ERR_NOTFOUND);
    CHECK_INT(store_contact_update(st, 4242, &upd), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

/* Whether conversation 'id' is in a list with filter 'f'. */
static bool
listed(struct store *st, struct arena *ar, struct conv_filter f, int64_t id)
{
    struct conv *v;
    size_t n;
    int64_t nts, nid;
    f.limit = 200;
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &nts, &nid), 0);
    for (size_t i = 0; i < n; i++) {
        if (v[i].id == id)
            return true;
    }
    return false;
}

TEST(contact_block_and_unblock)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    struct store_team t = { .name = "care", .members = &a, .nmembers = 1 };
    int64_t team = 0;
    CHECK_INT(store_team_put(st, 0, &t, &team), 0);
    struct ingest_result r1, other;
    int64_t c1 = fx_conv(st, ch, "m1", "troll", "you idiots", &r1);
    CHECK(!r1.blocked);
    int64_t c2 = fx_conv(st, ch, "m2", "nice", "hello", &other);
    int64_t troll = r1.contact_id;
    /* c1 assigned, c2 queued: both waiting for an answer. */
    struct store_route_decision to_a = { .team_id = team, .agent_id = a, .strategy = "x" };
    struct store_route_decision queued = { .team_id = team, .strategy = "x" };
    CHECK_INT(store_route_apply(st, c1, &to_a), 0);
    CHECK_INT(store_route_apply(st, c2, &queued), 0);
    struct contact pre = { .status = "advocate" };
    CHECK_INT(store_contact_update(st, troll, &pre), 0);

    CHECK_INT(store_contact_block(st, troll, a, ""), ERR_INVAL);
    CHECK_INT(store_contact_block(st, 4242, a, "rude"), ERR_NOTFOUND);
    CHECK_INT(store_contact_block(st, troll, a, "Insults"), 0);
    CHECK_INT(store_contact_block(st, troll, a, "again"), ERR_CONFLICT);
    struct contact c;
    CHECK_INT(store_contact_get(st, ar, troll, &c), 0);
    CHECK_STR(c.status, "blocked");
    CHECK_STR(c.blocked_reason, "Insults");
    CHECK_INT(c.blocked_by, a);
    CHECK_STR(c.blocked_by_name, "a@x.io");
    CHECK(c.blocked_at > 0);

    /* The conversation: unassigned, nobody waits, hidden; the other customer untouched. */
    struct conv cv;
    CHECK_INT(store_conv_get(st, ar, c1, &cv), 0);
    CHECK(cv.blocked);
    CHECK_INT(cv.assignee_id, 0);
    CHECK_STR(cv.status, "open");
    struct store_conv_sla sla;
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK_INT(sla.awaiting_since, 0);
    CHECK_INT(store_unanswered_count(st), 1);
    CHECK(!listed(st, ar, (struct conv_filter){ 0 }, c1));
    CHECK(listed(st, ar, (struct conv_filter){ 0 }, c2));
    CHECK(listed(st, ar, (struct conv_filter){ .blocked = CONV_BLOCKED }, c1));
    CHECK(!listed(st, ar, (struct conv_filter){ .blocked = CONV_BLOCKED }, c2));
    CHECK(listed(st, ar, (struct conv_filter){ .blocked = CONV_BLOCKED_ANY, .contact_id = troll },
                 c1));
    struct conv_counts cc;
    CHECK_INT(store_conv_counts(st, a, NULL, &cc), 0);
    CHECK_INT(cc.open, 1);
    CHECK_INT(cc.unassigned, 1);
    CHECK_INT(cc.mine, 0);
    CHECK_INT(cc.blocked, 1);

    /* Ingest: stored and marked, nobody waits; a decision arriving late routes nothing. */
    struct ingest_result r2;
    CHECK_INT(fx_conv(st, ch, "m3", "troll", "answer me", &r2), c1);
    CHECK(r2.blocked);
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK_INT(sla.awaiting_since, 0);
    CHECK_INT(store_route_apply(st, c1, &queued), 0);
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK_INT(sla.queued_at, 0);
    CHECK_INT(store_route_apply(st, c1, &to_a), 0);
    CHECK_INT(store_conv_get(st, ar, c1, &cv), 0);
    CHECK_INT(cv.assignee_id, 0);
    struct msg *m;
    size_t n;
    int64_t next;
    CHECK_INT(store_msg_list(st, ar, c1, 0, 10, &m, &n, &next), 0);
    CHECK_INT(n, 2); /* nothing lost */

    /* Unblock: the earlier status, the open conversation to route, waiting again from now. */
    CHECK_INT(store_contact_unblock(st, ar, 4242, &(int64_t *){ 0 }, &n), ERR_NOTFOUND);
    int64_t *open;
    CHECK_INT(store_contact_unblock(st, ar, troll, &open, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(open[0], c1);
    CHECK_INT(store_contact_unblock(st, ar, troll, &open, &n), ERR_CONFLICT);
    CHECK_INT(store_contact_get(st, ar, troll, &c), 0);
    CHECK_STR(c.status, "advocate");
    CHECK(c.blocked_reason == NULL);
    CHECK_INT(c.blocked_at, 0);
    CHECK_INT(store_conv_get(st, ar, c1, &cv), 0);
    CHECK(!cv.blocked);
    CHECK_INT(store_conv_sla_get(st, ar, c1, &sla), 0);
    CHECK(sla.awaiting_since > 0);
    CHECK_INT(store_unanswered_count(st), 2);
    CHECK(listed(st, ar, (struct conv_filter){ 0 }, c1));
    CHECK_INT(fx_conv(st, ch, "m4", "troll", "sorry", &r2), c1);
    CHECK(!r2.blocked);
    arena_free(ar);
    store_close(st);
}

TEST(contact_block_by_token_and_status_kept)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    struct ingest_result r;
    int64_t conv = fx_conv(st, ch, "m1", "u1", "hi", &r);
    CHECK_INT(store_contact_block(st, r.contact_id, 0, "spam"), 0);
    struct contact c;
    CHECK_INT(store_contact_get(st, ar, r.contact_id, &c), 0);
    CHECK_INT(c.blocked_by, 0);
    CHECK(c.blocked_by_name == NULL);
    /* A conversation resolved before the block stays resolved and is not routed on unblock. */
    CHECK_INT(store_conv_set_status(st, conv, "resolved", 0, "done", 0), 0);
    int64_t *open;
    size_t n;
    CHECK_INT(store_contact_unblock(st, ar, r.contact_id, &open, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_contact_get(st, ar, r.contact_id, &c), 0);
    CHECK_STR(c.status, "customer");
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(contact_search_and_paging);
    RUN(contact_get_and_update);
    RUN(contact_block_and_unblock);
    RUN(contact_block_by_token_and_status_kept);
    return test_done();
}
