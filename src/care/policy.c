/* SPDX-License-Identifier: MIT */
/*
 * policy.c - care policy (docs/care-policy.md): the root cause suggested from a conversation's
 * text, and the writes of root causes, goodwill grants and their approval, the policy settings
 * (the one write path of docs/architecture.md).
 *
 * The suggestion is Hark's own and explainable: each cause has keywords (words or phrases the
 * admin edits); the customer's text, folded to lower case, is searched for each keyword as
 * whole words; the cause with the most distinct keywords found wins (ties: the longer keywords,
 * then the older cause), and the keywords found are the explanation. No cloud, no model.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <ctype.h>

#include "base/arena.h"
#include "base/clock.h"

static bool
word_byte(unsigned char ch)
{
    return isalnum(ch) || ch >= 0x80;
}

static uint32_t
fnv1a(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* The words of the (lower-cased) text, indexed by a hash of each word: a keyword is looked up
 * by its first word and checked only where that word starts, so a suggestion costs one pass
 * over the text plus one lookup per keyword, whatever the size of the taxonomy. */
struct words {
    const char *text;
    size_t len;
    uint32_t *start, *wlen, *hash, *next, *head;
    size_t n, mask;
};

static void
words_index(struct arena *ar, const char *low, size_t len, struct words *w)
{
    memset(w, 0, sizeof(*w));
    w->text = low;
    w->len = len;
    size_t cap = len / 2 + 1;
    w->start = arena_alloc(ar, cap * sizeof(uint32_t));
    w->wlen = arena_alloc(ar, cap * sizeof(uint32_t));
    w->hash = arena_alloc(ar, cap * sizeof(uint32_t));
    w->next = arena_alloc(ar, cap * sizeof(uint32_t));
    for (size_t i = 0; i < len;) {
        while (i < len && !word_byte((unsigned char)low[i]))
            i++;
        size_t b = i;
        while (i < len && word_byte((unsigned char)low[i]))
            i++;
        if (i > b && w->n < cap) {
            w->start[w->n] = (uint32_t)b;
            w->wlen[w->n] = (uint32_t)(i - b);
            w->hash[w->n] = fnv1a(low + b, i - b);
            w->n++;
        }
    }
    size_t size = 16;
    while (size < w->n * 2)
        size *= 2;
    w->mask = size - 1;
    w->head = arena_alloc(ar, size * sizeof(uint32_t));
    memset(w->head, 0, size * sizeof(uint32_t));
    for (size_t i = 0; i < w->n; i++) {
        size_t b = w->hash[i] & w->mask;
        w->next[i] = w->head[b];
        w->head[b] = (uint32_t)(i + 1);
    }
}

/* Whether 'kw' (lower case, trimmed, starting with a word byte) occurs in the text as whole
 * words. */
static bool
words_has(const struct words *w, const char *kw, size_t klen)
{
    size_t f = 0;
    while (f < klen && word_byte((unsigned char)kw[f]))
        f++;
    uint32_t h = fnv1a(kw, f);
    for (uint32_t i = w->head[h & w->mask]; i; i = w->next[i - 1]) {
        size_t k = i - 1, at = w->start[k];
        if (w->hash[k] != h || w->wlen[k] != f || at + klen > w->len)
            continue;
        if (memcmp(w->text + at, kw, klen) == 0 &&
            (at + klen == w->len || !word_byte((unsigned char)w->text[at + klen]) ||
             !word_byte((unsigned char)kw[klen - 1])))
            return true;
    }
    return false;
}

static char *
lower_dup(struct arena *ar, const char *s, size_t len)
{
    char *o = arena_alloc(ar, len + 1);
    for (size_t i = 0; i < len; i++)
        o[i] = (char)tolower((unsigned char)s[i]);
    o[len] = '\0';
    return o;
}

int
care_root_cause_suggest(struct arena *ar, const struct care_cause *causes, size_t n,
                        const char *text, struct care_suggestion *out)
{
    memset(out, 0, sizeof(*out));
    if (!text || !text[0] || n == 0)
        return 0;
    size_t tlen = strlen(text);
    struct words w;
    words_index(ar, lower_dup(ar, text, tlen), tlen, &w);
    size_t best_hits = 0, best_len = 0;
    const char **found = NULL;
    size_t found_cap = 0;
    char buf[256];
    for (size_t i = 0; i < n; i++) {
        const struct care_cause *c = &causes[i];
        size_t hits = 0, len = 0;
        if (c->nkeywords > found_cap) {
            found_cap = c->nkeywords;
            found = arena_alloc(ar, found_cap * sizeof(*found));
        }
        for (size_t k = 0; k < c->nkeywords; k++) {
            const char *kw = c->keywords[k];
            size_t klen = kw ? strlen(kw) : 0;
            while (klen && isspace((unsigned char)*kw)) {
                kw++;
                klen--;
            }
            while (klen && isspace((unsigned char)kw[klen - 1]))
                klen--;
            /* A keyword starts with a letter or digit (the admin's words); others never
             * match, as a keyword longer than the buffer (60 characters at most). */
            if (!klen || klen >= sizeof(buf) || !word_byte((unsigned char)*kw))
                continue;
            for (size_t j = 0; j < klen; j++)
                buf[j] = (char)tolower((unsigned char)kw[j]);
            if (words_has(&w, buf, klen)) {
                found[hits++] = c->keywords[k];
                len += klen;
            }
        }
        if (hits && (hits > best_hits || (hits == best_hits && len > best_len))) {
            best_hits = hits;
            best_len = len;
            out->cause = c;
            out->matched = found;
            out->nmatched = hits;
            found = NULL; /* kept: the next cause gets its own array */
            found_cap = 0;
        }
    }
    return out->cause ? 1 : 0;
}

int64_t
care_goodwill_limit(const struct store_care_policy *p, const char *role)
{
    if (!role)
        return 0;
    if (strcmp(role, "admin") == 0)
        return p->limit_admin;
    if (strcmp(role, "supervisor") == 0)
        return p->limit_supervisor;
    if (strcmp(role, "agent") == 0)
        return p->limit_agent;
    if (strcmp(role, "store_staff") == 0)
        return p->limit_store_staff;
    return 0;
}

bool
care_goodwill_needs_approval(const struct store_care_policy *p, const char *role,
                             int64_t amount_minor, const char *currency)
{
    /* No conversion between currencies: a grant in another currency than the limits' always
     * asks a supervisor. */
    if (!currency || strcmp(currency, p->currency) != 0)
        return true;
    int64_t limit = care_goodwill_limit(p, role);
    return limit >= 0 && amount_minor > limit;
}

bool
care_is_approver(const char *role)
{
    return role && (strcmp(role, "admin") == 0 || strcmp(role, "supervisor") == 0);
}

int
care_root_cause_put(struct care *c, int64_t id, const struct store_root_cause *rc,
                    int64_t *out_id)
{
    return store_root_cause_put(c->st, id, rc, out_id);
}

int
care_root_cause_delete(struct care *c, int64_t id)
{
    return store_root_cause_delete(c->st, id);
}

int
care_conv_cause_set(struct care *c, int64_t conv_id, int64_t cause_id, int64_t agent_id,
                    bool suggested)
{
    return store_conv_cause_set(c->st, conv_id, cause_id, agent_id, suggested);
}

int
care_policy_put(struct care *c, const struct store_care_policy *p)
{
    return store_care_policy_put(c->st, p);
}

int
care_goodwill_grant(struct care *c, const struct store_care_policy *p, const char *role,
                    struct store_goodwill *g, int64_t *out_id)
{
    if (care_goodwill_needs_approval(p, role, g->amount_minor, g->currency)) {
        g->status = "pending";
        g->decided_by = 0;
        g->decided_at = 0;
    } else {
        g->status = "approved";
        g->decided_by = g->requested_by;
        g->decided_at = clock_now_ms();
    }
    return store_goodwill_add(c->st, g, out_id);
}

int
care_goodwill_decide(struct care *c, int64_t id, bool approve, int64_t agent_id,
                     const char *note)
{
    return store_goodwill_decide(c->st, id, approve ? "approved" : "declined", agent_id, note);
}
