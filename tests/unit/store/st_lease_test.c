/* SPDX-License-Identifier: MIT */
/* st_lease_test.c - leases: one holder at a time, renewal, running out, release. Two stores
 * on one database play two instances (SQLite: two stores on one file; PostgreSQL: two stores
 * on one schema). */
#include "base/base.h"
#include "fixture.h"

#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"

TEST(one_holder_at_a_time)
{
    char url[512];
    struct store *a = fx_open_url(url, sizeof(url));
    CHECK(a != NULL);
    struct store *b = fx_open_again(url);
    CHECK(b != NULL);
    CHECK(strcmp(store_instance(a), store_instance(b)) != 0);
    bool held = false;
    CHECK_INT(store_lease_hold(a, "listen_source:1", 60000, &held), 0);
    CHECK(held);
    CHECK_INT(store_lease_hold(b, "listen_source:1", 60000, &held), 0);
    CHECK(!held); /* a holds it */
    CHECK_INT(store_lease_hold(a, "listen_source:1", 60000, &held), 0);
    CHECK(held); /* renewed by its owner */
    CHECK_INT(store_lease_hold(b, "listen_source:2", 60000, &held), 0);
    CHECK(held); /* another lease is free */
    struct arena *ar = arena_new(4096);
    const char *owner = NULL;
    int64_t until = 0;
    CHECK_INT(store_lease_owner(a, ar, "listen_source:1", &owner, &until), 0);
    CHECK_STR(owner, store_instance(a));
    CHECK(until > clock_now_ms());
    CHECK_INT(store_lease_owner(a, ar, "nothing", &owner, &until), ERR_NOTFOUND);
    /* Released: the other instance takes it at once. */
    CHECK_INT(store_lease_release(a, "listen_source:1"), 0);
    CHECK_INT(store_lease_hold(b, "listen_source:1", 60000, &held), 0);
    CHECK(held);
    /* A release by a non-owner changes nothing. */
    CHECK_INT(store_lease_release(a, "listen_source:1"), 0);
    CHECK_INT(store_lease_hold(a, "listen_source:1", 60000, &held), 0);
    CHECK(!held);
    arena_free(ar);
    store_close(b);
    store_close(a);
}

TEST(a_lease_that_ran_out_is_taken)
{
    char url[512];
    struct store *a = fx_open_url(url, sizeof(url));
    CHECK(a != NULL);
    struct store *b = fx_open_again(url);
    CHECK(b != NULL);
    bool held = false;
    CHECK_INT(store_lease_hold(a, "poll:4", 1, &held), 0); /* 1 ms */
    CHECK(held);
    usleep(20 * 1000);
    CHECK_INT(store_lease_hold(b, "poll:4", 60000, &held), 0);
    CHECK(held); /* a stopped renewing: b takes over */
    CHECK_INT(store_lease_hold(a, "poll:4", 60000, &held), 0);
    CHECK(!held);
    store_close(b);
    store_close(a);
}

int
main(void)
{
    RUN(one_holder_at_a_time);
    RUN(a_lease_that_ran_out_is_taken);
    return test_done();
}
