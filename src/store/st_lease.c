/* SPDX-License-Identifier: MIT */
/*
 * st_lease.c - leases: one instance at a time does a piece of work (a listening source, a
 * pull channel's poll) among several sharing the database. Taking and renewing are the same
 * one statement: an upsert that changes the row only when the lease is free, run out, or the
 * caller's own; whether it changed the row says whether the caller holds the lease. On
 * PostgreSQL two instances racing for a free lease serialize on the row, and the second sees
 * the first's owner.
 */
#include "base/base.h"
#include "store/store_int.h"

struct lease_job {
    const char *name, *owner;
    int64_t ttl_ms;
    bool held;
};

static int
hold_tx(struct store__tx *tx, void *arg)
{
    struct lease_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO lease(name, owner, until_at) VALUES (?1, ?2, ?3) "
                                        "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
                                        "until_at = excluded.until_at WHERE lease.owner = "
                                        "excluded.owner OR lease.until_at < ?4");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->name, -1);
    db_bind_text_ref(s, 2, j->owner, -1);
    db_bind_i64(s, 3, tx->now + j->ttl_ms);
    db_bind_i64(s, 4, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->held = db_changes(tx->c) > 0;
    return 0;
}

int
store_lease_hold(struct store *st, const char *name, int64_t ttl_ms, bool *held)
{
    struct lease_job j = { .name = name, .owner = store_instance(st), .ttl_ms = ttl_ms };
    int rc = store__submit(st, hold_tx, &j, true);
    *held = rc == 0 && j.held;
    return rc;
}

static int
release_tx(struct store__tx *tx, void *arg)
{
    struct lease_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM lease WHERE name = ? AND owner = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->name, -1);
    db_bind_text_ref(s, 2, j->owner, -1);
    return store__step_done(s);
}

int
store_lease_release(struct store *st, const char *name)
{
    struct lease_job j = { .name = name, .owner = store_instance(st) };
    return store__submit(st, release_tx, &j, true);
}

int
store_lease_owner(struct store *st, struct arena *ar, const char *name, const char **owner,
                  int64_t *until_at)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT owner, until_at FROM lease WHERE name = ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, name, -1);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        *owner = store__col(ar, s, 0);
        *until_at = db_i64(s, 1);
    }
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}
