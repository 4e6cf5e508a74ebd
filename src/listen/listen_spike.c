/* SPDX-License-Identifier: MIT */
/*
 * listen_spike.c - per-query spike detection. Each query's matches are counted in fixed time
 * buckets; when a bucket closes, its volume and negative share update the query's own
 * baseline (exponentially weighted mean and variance over about 'baseline_buckets' buckets,
 * empty buckets included). The open bucket is compared with that baseline as posts arrive,
 * so an alert fires on the post that crosses the threshold, not when the bucket ends.
 * Sentiment comes from the caller (a callback or the post's own flag); this file does not
 * classify anything.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <math.h>

struct qstate {
    char id[128];
    int64_t bucket;          /* start of the open bucket, ms */
    uint32_t count, neg;     /* in the open bucket */
    double mean, var;        /* EWMA of closed buckets' volume */
    double neg_share;        /* EWMA of closed non-empty buckets' negative share */
    int closed;              /* buckets closed so far */
    bool fired_volume, fired_negative;
    size_t nposts;
    char posts[LISTEN_SPIKE_POSTS][160];
};

struct listen_spike {
    struct listen_spike_opts o;
    struct qstate **slots;
    size_t cap, n;
};

struct listen_spike *
listen_spike_new(const struct listen_spike_opts *opts)
{
    struct listen_spike *sp = xcalloc(1, sizeof(*sp));

    if (opts)
        sp->o = *opts;
    if (sp->o.bucket_ms <= 0)
        sp->o.bucket_ms = 5 * 60 * 1000;
    if (sp->o.baseline_buckets <= 0)
        sp->o.baseline_buckets = 12;
    if (sp->o.warmup_buckets <= 0)
        sp->o.warmup_buckets = 3;
    if (sp->o.volume_factor <= 0)
        sp->o.volume_factor = 3.0;
    if (sp->o.volume_sigmas <= 0)
        sp->o.volume_sigmas = 3.0;
    if (sp->o.min_count == 0)
        sp->o.min_count = 10;
    if (sp->o.negative_delta <= 0)
        sp->o.negative_delta = 0.25;
    sp->cap = 64;
    sp->slots = xcalloc(sp->cap, sizeof(*sp->slots));
    return sp;
}

void
listen_spike_free(struct listen_spike *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->cap; i++)
        free(sp->slots[i]);
    free(sp->slots);
    free(sp);
}

static uint64_t
hash(struct str s)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < s.len; i++) {
        h ^= (unsigned char)s.p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static struct qstate *
find(struct listen_spike *sp, struct str id, int64_t bucket)
{
    size_t i;

    if (id.len >= sizeof(((struct qstate *)0)->id))
        id.len = sizeof(((struct qstate *)0)->id) - 1;
    if ((sp->n + 1) * 2 > sp->cap) {
        size_t ncap = sp->cap * 2;
        struct qstate **ns = xcalloc(ncap, sizeof(*ns));
        for (size_t k = 0; k < sp->cap; k++) {
            if (!sp->slots[k])
                continue;
            size_t j = hash(str_c(sp->slots[k]->id)) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = sp->slots[k];
        }
        free(sp->slots);
        sp->slots = ns;
        sp->cap = ncap;
    }
    i = hash(id) & (sp->cap - 1);
    while (sp->slots[i]) {
        if (str_eq_c(id, sp->slots[i]->id))
            return sp->slots[i];
        i = (i + 1) & (sp->cap - 1);
    }
    sp->slots[i] = xcalloc(1, sizeof(struct qstate));
    memcpy(sp->slots[i]->id, id.p, id.len);
    sp->slots[i]->bucket = bucket;
    sp->n++;
    return sp->slots[i];
}

/* Folds the open bucket (and any empty ones after it) into the baseline. */
static void
close_buckets(const struct listen_spike *sp, struct qstate *q, int64_t bucket)
{
    double alpha = 2.0 / (sp->o.baseline_buckets + 1.0);
    int64_t gaps = (bucket - q->bucket) / sp->o.bucket_ms;

    for (int64_t k = 0; k < gaps && k <= 4 * sp->o.baseline_buckets; k++) {
        double x = k == 0 ? q->count : 0.0, d = x - q->mean;
        if (q->closed == 0) {
            q->mean = x;
            q->var = 0;
        } else {
            q->mean += alpha * d;
            q->var = (1 - alpha) * (q->var + alpha * d * d);
        }
        if (k == 0 && q->count > 0) {
            double share = (double)q->neg / q->count;
            q->neg_share = q->closed == 0 ? share : q->neg_share + alpha * (share - q->neg_share);
        }
        q->closed++;
    }
    q->bucket = bucket;
    q->count = 0;
    q->neg = 0;
    q->nposts = 0;
    q->fired_volume = false;
    q->fired_negative = false;
}

static void
fill(struct listen_spike_alert *a, const struct qstate *q, enum listen_spike_kind kind)
{
    memset(a, 0, sizeof(*a));
    memcpy(a->query, q->id, sizeof(a->query));
    a->kind = kind;
    a->bucket_start_ms = q->bucket;
    a->count = q->count;
    a->baseline = q->mean;
    a->negative_share = q->count ? (double)q->neg / q->count : 0;
    a->baseline_negative_share = q->neg_share;
    a->nposts = q->nposts;
    memcpy(a->posts, q->posts, sizeof(a->posts));
}

int
listen_spike_add(struct listen_spike *sp, struct str query, const struct listen_post *p,
                 int64_t t_ms, struct listen_spike_alert *alert)
{
    int64_t bucket = t_ms - (((t_ms % sp->o.bucket_ms) + sp->o.bucket_ms) % sp->o.bucket_ms);
    struct qstate *q = find(sp, query, bucket);
    int sentiment = sp->o.sentiment ? sp->o.sentiment(p, sp->o.sentiment_arg) : p->sentiment;

    if (bucket > q->bucket)
        close_buckets(sp, q, bucket);
    q->count++;
    q->neg += sentiment < 0;
    if (q->nposts < LISTEN_SPIKE_POSTS) {
        size_t n = p->id.len < sizeof(q->posts[0]) - 1 ? p->id.len : sizeof(q->posts[0]) - 1;
        if (n)
            memcpy(q->posts[q->nposts], p->id.p, n);
        q->posts[q->nposts][n] = '\0';
        q->nposts++;
    }
    if (q->closed < sp->o.warmup_buckets || q->count < sp->o.min_count)
        return 0;
    if (!q->fired_volume && q->count >= sp->o.volume_factor * q->mean &&
        q->count >= q->mean + sp->o.volume_sigmas * sqrt(q->var)) {
        q->fired_volume = true;
        fill(alert, q, LISTEN_SPIKE_VOLUME);
        return 1;
    }
    if (!q->fired_negative &&
        (double)q->neg / q->count >= q->neg_share + sp->o.negative_delta) {
        q->fired_negative = true;
        fill(alert, q, LISTEN_SPIKE_NEGATIVE);
        return 1;
    }
    return 0;
}
