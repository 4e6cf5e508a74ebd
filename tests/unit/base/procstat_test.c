/* SPDX-License-Identifier: MIT */
/* procstat_test.c - this process's figures from /proc move as the process does. */
#include "base/base.h"
#include "base/procstat.h"

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "../test.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool go;

static void *
parked(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!go)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

TEST(figures_are_plausible_and_move)
{
    struct procstat a, b;
    CHECK_INT(procstat_read(&a), 0);
    CHECK(a.rss_bytes > 100000);
    CHECK(a.vsize_bytes >= a.rss_bytes);
    CHECK(a.threads >= 1);
    CHECK(a.open_fds >= 3); /* stdin, stdout, stderr */
    CHECK(a.max_fds == 0 || a.max_fds >= a.open_fds);
    time_t now = time(NULL);
    CHECK(a.start_time_seconds > (double)now - 3600 && a.start_time_seconds <= (double)now + 1);

    /* Two more descriptors and one more thread show up in the next reading. */
    int f1 = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int f2 = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, parked, NULL), 0);
    /* Burn a little CPU so the counter can only have grown. */
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 20000000; i++)
        x += i;
    CHECK_INT(procstat_read(&b), 0);
    CHECK_INT(b.open_fds, a.open_fds + 2);
    CHECK_INT(b.threads, a.threads + 1);
    CHECK(b.cpu_seconds >= a.cpu_seconds);
    CHECK(b.start_time_seconds == a.start_time_seconds);
    pthread_mutex_lock(&mu);
    go = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    close(f1);
    close(f2);
}

int
main(void)
{
    RUN(figures_are_plausible_and_move);
    return test_done();
}
