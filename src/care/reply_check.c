/* SPDX-License-Identifier: MIT */
/*
 * reply_check.c - the robotic-template detector: before a reply is sent, gentle explained
 * nudges when it is a canned text sent word for word, does not use the customer's name, is
 * near-identical to many of the team's recent replies, or is mostly stock phrases. The name is
 * asked for once per conversation: after an agent's reply there used it, later ones need not.
 *
 * Near-identical means shingled similarity: the reply's word 3-grams are hashed and summed up
 * in a MinHash signature of CARE__SIG_K minimums, whose share of equal slots estimates the
 * Jaccard similarity of two replies' 3-gram sets. The team's recent replies are kept only as
 * those signatures, in a ring of fixed size made at start (struct care_recent): memory never
 * grows with traffic, no reply text is kept, and the oldest signature makes room for the next.
 */
#include "base/base.h"
#include "care/care.h"

#include <pthread.h>
#include <string.h>

#include "base/arena.h"

#define CARE__SIG_K 32
#define CARE__NEAR 0.7        /* similarity from which two replies count as near-identical */
#define CARE__VERBATIM 0.9    /* similarity to the canned text that counts as word for word */
#define CARE__REPEATS 3       /* near-identical recent replies that make a reply repetitive */
#define CARE__MIN_WORDS 6     /* shorter replies ("Thanks!", "Done") are never nudged for
                               * repetition or a missing name */

struct sig {
    uint32_t min[CARE__SIG_K];
};

/* Guarded by 'mu'; 'v' has 'cap' slots, 'n' used, 'next' the slot the next add overwrites. */
struct care_recent {
    pthread_mutex_t mu;
    struct sig *v;
    size_t cap, n, next;
};

/* The words of a reply, lowercased (ASCII), hashed: a word is a run of letters, digits and
 * non-ASCII bytes, so "don't" is "don" "t" and punctuation never matters. */
struct words {
    uint64_t *h;
    size_t n;
};

static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static bool
word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static void
split(struct arena *ar, struct str s, struct words *w)
{
    w->h = ARENA_NEW_N(ar, uint64_t, s.len / 2 + 1);
    w->n = 0;
    size_t i = 0;
    while (i < s.len) {
        while (i < s.len && !word_byte((unsigned char)s.p[i]))
            i++;
        if (i == s.len)
            break;
        uint64_t h = 0xcbf29ce484222325ULL;
        while (i < s.len && word_byte((unsigned char)s.p[i])) {
            h ^= lower((unsigned char)s.p[i++]);
            h *= 0x100000001b3ULL;
        }
        w->h[w->n++] = h;
    }
}

static void
signature(const struct words *w, struct sig *out)
{
    for (size_t k = 0; k < CARE__SIG_K; k++)
        out->min[k] = UINT32_MAX;
    size_t span = w->n < 3 ? w->n : 3;
    for (size_t i = 0; span && i + span <= w->n; i++) {
        uint64_t sh = 0;
        for (size_t j = 0; j < span; j++)
            sh = mix64(sh ^ w->h[i + j]);
        for (size_t k = 0; k < CARE__SIG_K; k++) {
            uint32_t v = (uint32_t)mix64(sh + 0x9e3779b97f4a7c15ULL * (k + 1));
            if (v < out->min[k])
                out->min[k] = v;
        }
    }
}

static double
similarity(const struct sig *a, const struct sig *b)
{
    size_t eq = 0;
    for (size_t k = 0; k < CARE__SIG_K; k++)
        eq += a->min[k] == b->min[k];
    return (double)eq / CARE__SIG_K;
}

struct care_recent *
care_recent_new(size_t cap)
{
    struct care_recent *r = xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    r->cap = cap ? cap : 1;
    r->v = xcalloc(r->cap, sizeof(*r->v));
    return r;
}

void
care_recent_free(struct care_recent *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    xfree(r->v);
    xfree(r);
}

void
care_recent_add(struct care_recent *r, struct arena *ar, struct str text)
{
    struct words w;
    struct sig s;
    split(ar, text, &w);
    if (w.n < CARE__MIN_WORDS)
        return;
    signature(&w, &s);
    pthread_mutex_lock(&r->mu);
    r->v[r->next] = s;
    r->next = (r->next + 1) % r->cap;
    if (r->n < r->cap)
        r->n++;
    pthread_mutex_unlock(&r->mu);
}

static size_t
recent_similar(struct care_recent *r, const struct sig *s)
{
    size_t count = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n; i++)
        count += similarity(&r->v[i], s) >= CARE__NEAR;
    pthread_mutex_unlock(&r->mu);
    return count;
}

/* Stock phrases, lowercase words as split() reads them. */
static const char *const boilerplate[] = {
    "we apologize for any inconvenience", "we apologise for any inconvenience",
    "we apologize for the inconvenience", "we apologise for the inconvenience",
    "sorry for any inconvenience", "sorry for the inconvenience",
    "apologies for any inconvenience", "your call is important to us",
    "your message is important to us", "your feedback is important to us",
    "your satisfaction is our priority", "your satisfaction is our top priority",
    "thank you for your patience", "thank you for your understanding",
    "thank you for reaching out", "thank you for contacting us", "thanks for reaching out",
    "thanks for contacting us", "we value your feedback", "we value your business",
    "we appreciate your business", "we understand your frustration",
    "please do not hesitate to contact us", "do not hesitate to contact us",
    "don t hesitate to contact us", "don t hesitate to reach out", "feel free to reach out",
    "is there anything else i can help you with", "is there anything else we can help you with",
    "we are looking into it", "we are looking into this", "at your earliest convenience",
    "have a nice day", "have a great day", "kind regards", "best regards",
    "as per our policy", "we will get back to you as soon as possible",
};

/* Marks the words of 'w' covered by a stock phrase; the number covered, and in '*first' the
 * first phrase found (NULL when none). */
static size_t
stock_words(struct arena *ar, const struct words *w, const char **first)
{
    bool *covered = ARENA_NEW_N(ar, bool, w->n + 1);
    memset(covered, 0, w->n + 1);
    *first = NULL;
    for (size_t p = 0; p < COUNTOF(boilerplate); p++) {
        struct words ph;
        split(ar, str_c(boilerplate[p]), &ph);
        for (size_t i = 0; ph.n && i + ph.n <= w->n; i++) {
            if (memcmp(w->h + i, ph.h, ph.n * sizeof(*ph.h)) != 0)
                continue;
            for (size_t j = 0; j < ph.n; j++)
                covered[i + j] = true;
            if (!*first)
                *first = boilerplate[p];
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += covered[i];
    return n;
}

/* True when 'name' reads like a person's first name rather than a handle or a number. */
static bool
usable_name(struct str name)
{
    if (!name.len || name.p[0] == '@' || name.p[0] == '+')
        return false;
    for (size_t i = 0; i < name.len; i++) {
        if (name.p[i] >= '0' && name.p[i] <= '9')
            return false;
    }
    return true;
}

static bool
mentions(struct str text, struct str name)
{
    for (size_t i = 0; i + name.len <= text.len; i++) {
        size_t j = 0;
        while (j < name.len && lower((unsigned char)text.p[i + j]) == lower((unsigned char)name.p[j]))
            j++;
        if (j == name.len)
            return true;
    }
    return false;
}

static void
nudge(struct care_nudge *out, size_t *n, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
nudge(struct care_nudge *out, size_t *n, const char *kind, const char *fmt, ...)
{
    if (*n >= CARE_NUDGE_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    out[*n].kind = kind;
    vsnprintf(out[*n].message, sizeof(out[*n].message), fmt, ap);
    va_end(ap);
    (*n)++;
}

size_t
care_reply_nudges(struct arena *ar, const struct care_draft *d, struct care_recent *recent,
                  struct care_nudge *out)
{
    size_t n = 0;
    struct str text = d->text.len > CARE_CHECK_TEXT_MAX
                          ? (struct str){ d->text.p, CARE_CHECK_TEXT_MAX } : d->text;
    struct words w;
    split(ar, text, &w);
    if (w.n == 0)
        return 0;
    struct str name = str_trim(str_c(d->first_name ? d->first_name : ""));
    if (name.len > 64 || !usable_name(name))
        name = (struct str){ 0 };
    char who[96];
    if (name.len)
        snprintf(who, sizeof(who), "%.*s", (int)name.len, name.p);
    else
        snprintf(who, sizeof(who), "the customer");
    struct sig s;
    signature(&w, &s);

    if (d->canned.len) {
        struct words cw;
        struct sig cs;
        split(ar, d->canned, &cw);
        signature(&cw, &cs);
        if (cw.n && similarity(&s, &cs) >= CARE__VERBATIM)
            nudge(out, &n, "canned_verbatim",
                  "This is the saved reply word for word. Add a sentence about what %s actually "
                  "asked, so it reads like you wrote it.", who);
    }
    bool named = false;
    for (size_t i = 0; name.len && i < d->nearlier && !named; i++)
        named = mentions(d->earlier[i], name);
    if (name.len && !named && w.n >= CARE__MIN_WORDS && !mentions(text, name))
        nudge(out, &n, "no_name", "Add something personal: use %s's name.", who);
    if (recent && w.n >= CARE__MIN_WORDS) {
        size_t same = recent_similar(recent, &s);
        if (same >= CARE__REPEATS)
            nudge(out, &n, "repetitive",
                  "The team sent nearly the same reply %zu times recently. Say something about "
                  "%s's own situation.", same, who);
    }
    const char *phrase;
    size_t stock = stock_words(ar, &w, &phrase);
    if (phrase && stock * 2 >= w.n)
        nudge(out, &n, "boilerplate",
              "Most of this reply is stock phrases (\"%s\"). Say what happened and what you "
              "will do, in your own words.", phrase);
    return n;
}
