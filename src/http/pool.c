/* SPDX-License-Identifier: MIT */
/*
 * pool.c - the fixed set of worker threads that run request handlers and stream fills.
 *
 * Handlers may block (the store writer's durable commit, argon2), so they never run on
 * libmicrohttpd's I/O threads, where one slow handler would stall every connection of that
 * thread. Two FIFO queues: requests (bounded; a full queue is the caller's 503) and stream
 * fills (bounded by the number of streams, never refused). It is not a general executor.
 */
#include "base/base.h"
#include "http/http_int.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"

/* Requests taken in a row while a fill waits, before one fill goes first. */
#define FAIRNESS 4

struct http__pool {
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    struct http__job *req_head, *req_tail;
    size_t nreq, req_max;
    struct http__job *fill_head, *fill_tail;
    unsigned streak;
    bool stopping;
    int64_t deadline_ms;
    pthread_t *threads;
    unsigned nthreads;
};

static void *
worker(void *arg)
{
    struct http__pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->req_head && !p->fill_head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        struct http__job *j;
        if (p->req_head && (!p->fill_head || p->streak < FAIRNESS)) {
            j = p->req_head;
            p->req_head = j->next;
            if (!p->req_head)
                p->req_tail = NULL;
            p->nreq--;
            p->streak++;
        } else if (p->fill_head) {
            j = p->fill_head;
            p->fill_head = j->next;
            if (!p->fill_head)
                p->fill_tail = NULL;
            p->streak = 0;
        } else {
            break; /* stopping, nothing queued */
        }
        j->next = NULL;
        bool cancelled = p->stopping && clock_mono_ms() > p->deadline_ms;
        pthread_mutex_unlock(&p->mu);
        j->run(j, cancelled);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct http__pool *
http__pool_new(unsigned threads, size_t queue_max)
{
    struct http__pool *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->req_max = queue_max ? queue_max : 1;
    p->threads = xcalloc(threads ? threads : 1, sizeof(*p->threads));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    for (unsigned i = 0; i < (threads ? threads : 1); i++) {
        if (pthread_create(&p->threads[i], &attr, worker, p) != 0) {
            log_warn("http", "cannot start a worker thread", "started=%u", i);
            break;
        }
        p->nthreads++;
    }
    pthread_attr_destroy(&attr);
    if (p->nthreads == 0) {
        http__pool_free(p);
        return NULL;
    }
    return p;
}

int
http__pool_push(struct http__pool *p, struct http__job *j)
{
    pthread_mutex_lock(&p->mu);
    if (p->stopping || p->nreq >= p->req_max) {
        int rc = p->stopping ? ERR_UNAVAIL : ERR_BUSY;
        pthread_mutex_unlock(&p->mu);
        return rc;
    }
    j->next = NULL;
    if (p->req_tail)
        p->req_tail->next = j;
    else
        p->req_head = j;
    p->req_tail = j;
    p->nreq++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int
http__pool_push_fill(struct http__pool *p, struct http__job *j)
{
    pthread_mutex_lock(&p->mu);
    if (p->stopping && p->nthreads == 0) {
        pthread_mutex_unlock(&p->mu);
        return ERR_UNAVAIL;
    }
    j->next = NULL;
    if (p->fill_tail)
        p->fill_tail->next = j;
    else
        p->fill_head = j;
    p->fill_tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

size_t
http__pool_depth(struct http__pool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->nreq;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void
http__pool_stop(struct http__pool *p, int64_t deadline_ms)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    p->deadline_ms = deadline_ms;
    unsigned n = p->nthreads;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < n; i++)
        pthread_join(p->threads[i], NULL);
    /* A fill queued while the last workers were leaving still runs (cancelled), so its
     * stream is released. */
    pthread_mutex_lock(&p->mu);
    p->nthreads = 0;
    while (p->req_head || p->fill_head) {
        struct http__job *j = p->req_head ? p->req_head : p->fill_head;
        if (j == p->req_head) {
            p->req_head = j->next;
            p->nreq--;
        } else {
            p->fill_head = j->next;
        }
        pthread_mutex_unlock(&p->mu);
        j->run(j, true);
        pthread_mutex_lock(&p->mu);
    }
    p->req_tail = p->fill_tail = NULL;
    pthread_mutex_unlock(&p->mu);
}

void
http__pool_free(struct http__pool *p)
{
    if (!p)
        return;
    http__pool_stop(p, 0);
    xfree(p->threads);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    xfree(p);
}
