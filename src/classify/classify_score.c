/* SPDX-License-Identifier: MIT */
/*
 * classify_score.c - the held-back slice of the corrections and the scores on it.
 *
 * A retrained model is only worth swapping in if it does better on messages it never saw, so
 * one message in CLASSIFY_HELDOUT_ONE_IN is set aside by a hash of its id (SplitMix64's
 * finalizer: well mixed for consecutive ids, the same on every run and platform).
 */
#include "base/base.h"

#include "classify/classify.h"

bool
classify_heldout(int64_t message_id)
{
    uint64_t z = (uint64_t)message_id + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return z % CLASSIFY_HELDOUT_ONE_IN == 0;
}

/* Index of 'label' in s->cls, adding it when new; -1 when the table is full. */
static int
class_index(struct classify_score *s, const char *label)
{
    for (size_t i = 0; i < s->nclasses; i++) {
        if (strcmp(s->cls[i].label, label) == 0)
            return (int)i;
    }
    if (s->nclasses == CLASSIFY_SCORE_MAX_CLASSES)
        return -1;
    struct classify_class_score *c = &s->cls[s->nclasses];
    memset(c, 0, sizeof(*c));
    size_t n = strlen(label);
    if (n > CLASSIFY_LABEL_MAX)
        n = CLASSIFY_LABEL_MAX;
    memcpy(c->label, label, n);
    c->label[n] = '\0';
    return (int)s->nclasses++;
}

static int
cmp_class(const void *a, const void *b)
{
    const struct classify_class_score *x = a, *y = b;
    if ((x->support > 0) != (y->support > 0))
        return x->support > 0 ? -1 : 1;
    return strcmp(x->label, y->label);
}

int
classify_score(const char *const *gold, const char *const *pred, size_t n,
               struct classify_score *out)
{
    if (n == 0 || n > UINT32_MAX)
        return ERR_INVAL;
    struct classify_score *s = xcalloc(1, sizeof(*s));
    uint32_t right = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!gold[i] || !pred[i]) {
            rc = ERR_INVAL;
            goto out;
        }
        int g = class_index(s, gold[i]);
        int p = class_index(s, pred[i]);
        if (g < 0 || p < 0) {
            rc = ERR_TOOBIG;
            goto out;
        }
        s->cls[g].support++;
        s->cls[p].predicted++;
        if (g == p) {
            s->cls[g].precision++; /* true positives, until divided below */
            right++;
        }
    }
    size_t present = 0;
    for (size_t i = 0; i < s->nclasses; i++) {
        struct classify_class_score *c = &s->cls[i];
        double tp = c->precision;
        c->precision = c->predicted ? tp / c->predicted : 0;
        c->recall = c->support ? tp / c->support : 0;
        c->f1 = c->precision + c->recall > 0
                    ? 2 * c->precision * c->recall / (c->precision + c->recall)
                    : 0;
        if (c->support) {
            s->macro_f1 += c->f1;
            present++;
        }
    }
    s->macro_f1 = present ? s->macro_f1 / (double)present : 0;
    s->n = (uint32_t)n;
    s->accuracy = (double)right / (double)n;
    qsort(s->cls, s->nclasses, sizeof(s->cls[0]), cmp_class);
    *out = *s;
out:
    xfree(s);
    return rc;
}
