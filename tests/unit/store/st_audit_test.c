/* SPDX-License-Identifier: MIT */
/* st_audit_test.c - the audit log (store/st_audit.c): entries added with their events in one
 * job, read back, filtered and paged newest first; the triggers that refuse every UPDATE and
 * DELETE of the table (tried through a raw write job, as a bug in Hark would). */
#include "base/base.h"

#include "store/store_int.h"

#include "fixture.h"

static int64_t
add(struct store *st, const char *action, const char *type, int64_t target, int64_t agent,
    const char *area)
{
    struct audit_entry e = { .actor_agent_id = agent, .actor = agent ? "Ann Admin" : "",
                             .action = action, .target_type = type, .target_id = target,
                             .summary = "Team \"Returns\" updated: name",
                             .before = "{\"name\":\"A\"}", .after = "{\"name\":\"B\"}",
                             .ip = "127.0.0.1", .request_id = "r1" };
    int64_t id = 0;
    CHECK_INT(store_audit_add(st, &e, area, &id), 0);
    CHECK(id > 0);
    return id;
}

TEST(audit_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t seq0 = store_last_event_seq(st);
    int64_t id = add(st, "team.update", "team", 7, 3, "teams");
    struct audit_entry e;
    CHECK_INT(store_audit_get(st, ar, id, &e), 0);
    CHECK_STR(e.action, "team.update");
    CHECK_STR(e.target_type, "team");
    CHECK_INT(e.target_id, 7);
    CHECK_INT(e.actor_agent_id, 3);
    CHECK_INT(e.actor_token_id, 0);
    CHECK_STR(e.actor, "Ann Admin");
    CHECK_STR(e.before, "{\"name\":\"A\"}");
    CHECK_STR(e.after, "{\"name\":\"B\"}");
    CHECK_STR(e.ip, "127.0.0.1");
    CHECK_STR(e.request_id, "r1");
    CHECK(e.at > 0);
    /* Its two events, in the same job: audit.recorded then settings.changed. */
    struct store_event *ev;
    size_t n = 0;
    CHECK_INT(store_events_after(st, ar, seq0, 10, &ev, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(ev[0].type, "audit.recorded");
        CHECK_STR(ev[1].type, "settings.changed");
        CHECK(strstr(ev[1].data, "\"area\":\"teams\"") != NULL);
        CHECK(strstr(ev[1].data, "\"id\":7") != NULL);
        CHECK(strstr(ev[1].data, "\"name\":\"Ann Admin\"") != NULL);
    }
    /* No area: no settings.changed (a login is not a settings change). */
    int64_t seq1 = store_last_event_seq(st);
    add(st, "login", "agent", 3, 3, NULL);
    CHECK_INT(store_events_after(st, ar, seq1, 10, &ev, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_audit_get(st, ar, 999, &e), ERR_NOTFOUND);
    struct audit_entry bad = { .action = "" };
    CHECK_INT(store_audit_add(st, &bad, NULL, NULL), ERR_INVAL);
    arena_free(ar);
    store_close(st);
}

TEST(audit_filters_and_pages)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ids[5];
    ids[0] = add(st, "team.create", "team", 1, 3, "teams");
    ids[1] = add(st, "login.failed", NULL, 0, 0, NULL);
    ids[2] = add(st, "team.update", "team", 1, 4, "teams");
    ids[3] = add(st, "token.create", "token", 9, 3, "tokens");
    ids[4] = add(st, "team.delete", "team", 2, 3, "teams");
    struct audit_entry *v;
    size_t n = 0;
    bool more = true;
    struct audit_filter all = { 0 };
    CHECK_INT(store_audit_list(st, ar, &all, 10, &v, &n, &more), 0);
    CHECK_INT(n, 5);
    CHECK(!more);
    CHECK_INT(v[0].id, ids[4]); /* newest first */
    CHECK_INT(v[4].id, ids[0]);
    /* Pages of two, by keyset. */
    CHECK_INT(store_audit_list(st, ar, &all, 2, &v, &n, &more), 0);
    CHECK_INT(n, 2);
    CHECK(more);
    struct audit_filter next = { .before_id = v[1].id };
    CHECK_INT(store_audit_list(st, ar, &next, 2, &v, &n, &more), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].id, ids[2]);
    CHECK(more);
    next.before_id = v[1].id;
    CHECK_INT(store_audit_list(st, ar, &next, 2, &v, &n, &more), 0);
    CHECK_INT(n, 1);
    CHECK(!more);
    /* Action prefix, target, actor. */
    struct audit_filter f = { .action = "team." };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 3);
    f = (struct audit_filter){ .action = "login" };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 1);
    f = (struct audit_filter){ .target_type = "team", .target_id = 1 };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 2);
    f = (struct audit_filter){ .actor_agent_id = 4 };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].id, ids[2]);
    f = (struct audit_filter){ .actor = "ann" };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 4); /* LIKE is case-insensitive for ASCII; the failed login has no actor */
    /* Text search: a LIKE wildcard in 'q' is a plain character. */
    f = (struct audit_filter){ .q = "token" };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 1);
    f = (struct audit_filter){ .q = "%" };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 0);
    /* Time window. */
    struct audit_entry e;
    CHECK_INT(store_audit_get(st, ar, ids[0], &e), 0);
    f = (struct audit_filter){ .since = e.at, .until = e.at + 3600000 };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 5);
    f = (struct audit_filter){ .until = e.at };
    CHECK_INT(store_audit_list(st, ar, &f, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_audit_list(st, ar, &all, 0, &v, &n, NULL), ERR_INVAL);
    arena_free(ar);
    store_close(st);
}

/* A raw write job, as a bug elsewhere in the store would issue it. */
static int
raw_tx(struct store__tx *tx, void *arg)
{
    int rc = sqlite3_exec(tx->c->db, arg, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store__lite_err(rc);
}

TEST(audit_is_append_only)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t id = add(st, "agent.role", "agent", 5, 3, "agents");
    CHECK(store__submit(st, raw_tx, "UPDATE audit SET summary = 'nothing happened'", true) < 0);
    CHECK(store__submit(st, raw_tx, "UPDATE audit SET after = NULL WHERE id > 0", true) < 0);
    CHECK(store__submit(st, raw_tx, "DELETE FROM audit", true) < 0);
    CHECK(store__submit(st, raw_tx, "INSERT OR REPLACE INTO audit(id, at, action) "
                                    "VALUES (1, 1, 'x')", true) < 0);
    struct audit_entry e;
    CHECK_INT(store_audit_get(st, ar, id, &e), 0);
    CHECK_STR(e.summary, "Team \"Returns\" updated: name");
    CHECK_STR(e.action, "agent.role");
    /* Appending still works after the refused writes. */
    add(st, "agent.role", "agent", 5, 3, "agents");
    struct audit_entry *v;
    size_t n = 0;
    struct audit_filter all = { 0 };
    CHECK_INT(store_audit_list(st, ar, &all, 10, &v, &n, NULL), 0);
    CHECK_INT(n, 2);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(audit_round_trip);
    RUN(audit_filters_and_pages);
    RUN(audit_is_append_only);
    return test_done();
}
