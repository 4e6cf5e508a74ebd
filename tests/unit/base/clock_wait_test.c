/* SPDX-License-Identifier: MIT */
/* clock_wait_test.c - base/clock.c's clock_timedwait: it returns when signalled, and times out
 * only once its deadline has come, on a default (wall clock) condition variable and on a
 * monotonic one. No durations are asserted; every wait is bounded by its deadline. */
#include "base/base.h"

#include "base/clock.h"
#include "base/err.h"

#include "../test.h"

struct pair {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool set;
};

static void *
signaller(void *arg)
{
    struct pair *p = arg;
    pthread_mutex_lock(&p->mu);
    p->set = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Waits for the other thread's signal with a far deadline, on 'now' and its clock. */
static void
wakes_on_signal(struct pair *p, int64_t (*now)(void))
{
    pthread_t t;
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    CHECK_INT(pthread_create(&t, NULL, signaller, p), 0);
    int64_t until = now() + 60000;
    while (!p->set && rc == 0)
        rc = clock_timedwait(&p->cv, &p->mu, until);
    CHECK(p->set);
    CHECK_INT(rc, 0);
    pthread_mutex_unlock(&p->mu);
    pthread_join(t, NULL);
}

/* Nobody signals: the wait ends with ERR_TIMEOUT, not before the deadline. */
static void
times_out(struct pair *p, int64_t (*now)(void))
{
    pthread_mutex_lock(&p->mu);
    int64_t until = now() + 30;
    int rc;
    while ((rc = clock_timedwait(&p->cv, &p->mu, until)) == 0) {
    }
    CHECK_INT(rc, ERR_TIMEOUT);
    CHECK(now() >= until);
    /* A deadline already past (or nonsense) times out at once. */
    CHECK_INT(clock_timedwait(&p->cv, &p->mu, now() - 1000), ERR_TIMEOUT);
    CHECK_INT(clock_timedwait(&p->cv, &p->mu, -5), ERR_TIMEOUT);
    pthread_mutex_unlock(&p->mu);
}

TEST(wall_clock_condition)
{
    struct pair p = { .set = false };
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    wakes_on_signal(&p, clock_now_ms);
    times_out(&p, clock_now_ms);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
}

TEST(monotonic_condition)
{
    struct pair p = { .set = false };
    pthread_condattr_t ca;
    pthread_mutex_init(&p.mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p.cv, &ca);
    pthread_condattr_destroy(&ca);
    wakes_on_signal(&p, clock_mono_ms);
    times_out(&p, clock_mono_ms);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
}

int
main(void)
{
    RUN(wall_clock_condition);
    RUN(monotonic_condition);
    return test_done();
}
