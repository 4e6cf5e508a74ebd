/* SPDX-License-Identifier: MIT */
/*
 * classify_live.c - the live triage models, swapped while messages are being triaged.
 *
 * A reference count on each struct classify (classify.c) is the whole scheme: the holder
 * owns one reference to the current models, and every user takes one more for as long as it
 * triages. A swap replaces the holder's pointer under its mutex and drops the holder's
 * reference to the old models, which are freed by whichever thread gives back the last
 * reference, so a message in flight always finishes on the models it started with.
 */
#include "base/base.h"

#include "classify/classify.h"

#include <pthread.h>

#include "classify/classify_int.h"

struct classify_live {
    pthread_mutex_t mu; /* guards 'cur' */
    struct classify *cur;
};

struct classify_live *
classify_live_new(struct classify *c)
{
    ASSERT(c);
    struct classify_live *l = xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    l->cur = c;
    return l;
}

void
classify_live_free(struct classify_live *l)
{
    if (!l)
        return;
    classify__unref(l->cur);
    pthread_mutex_destroy(&l->mu);
    xfree(l);
}

const struct classify *
classify_live_get(struct classify_live *l)
{
    pthread_mutex_lock(&l->mu);
    struct classify *c = l->cur;
    classify__ref(c);
    pthread_mutex_unlock(&l->mu);
    return c;
}

void
classify_live_put(const struct classify *c)
{
    classify__unref(c);
}

void
classify_live_swap(struct classify_live *l, struct classify *c)
{
    ASSERT(c);
    pthread_mutex_lock(&l->mu);
    struct classify *old = l->cur;
    l->cur = c;
    pthread_mutex_unlock(&l->mu);
    classify__unref(old);
}
