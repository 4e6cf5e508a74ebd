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

/* Whether 'kw' (lower case) occurs in 'text' (lower case) as whole words. */
static bool
has_phrase(const char *text, size_t tlen, const char *kw, size_t klen)
{
    if (!klen || klen > tlen)
        return false;
    for (size_t i = 0; i + klen <= tlen; i++) {
        if (memcmp(text + i, kw, klen) != 0)
            continue;
        bool left = i == 0 || !word_byte((unsigned char)text[i - 1]);
        bool right = i + klen == tlen || !word_byte((unsigned char)text[i + klen]);
        if (left && right)
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
    if (!text || !text[0])
        return 0;
    size_t tlen = strlen(text);
    const char *low = lower_dup(ar, text, tlen);
    size_t best_hits = 0, best_len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct care_cause *c = &causes[i];
        size_t hits = 0, len = 0;
        const char **found = arena_alloc(ar, (c->nkeywords + 1) * sizeof(*found));
        for (size_t k = 0; k < c->nkeywords; k++) {
            const char *kw = c->keywords[k];
            size_t klen = kw ? strlen(kw) : 0;
            while (klen && isspace((unsigned char)*kw)) {
                kw++;
                klen--;
            }
            while (klen && isspace((unsigned char)kw[klen - 1]))
                klen--;
            if (!klen)
                continue;
            const char *lk = lower_dup(ar, kw, klen);
            if (has_phrase(low, tlen, lk, klen)) {
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
