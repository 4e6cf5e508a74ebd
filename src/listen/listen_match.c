/* SPDX-License-Identifier: MIT */
/*
 * listen_match.c - compiles parsed queries into one matcher and matches posts against it.
 *
 * Two stages. The literal stage is one Hyperscan literal database holding every distinct
 * folded term of every query (an "atom"), each with a trailing space when the term must end
 * at a word boundary; the leading boundary is checked in the match callback by looking at the
 * byte before the hit, which keeps the database purely literal (Hyperscan's fastest mode).
 * The boolean stage then evaluates only the queries that reference an atom that hit, plus the
 * few queries that can match without any atom (pure filters, pure negations).
 *
 * Hot swap: a listen_set publishes the current matcher under a mutex and bumps an atomic
 * generation number; each scratch caches a reference to the matcher it last used and checks
 * the generation once per post, so the hot path takes no lock and each post sees exactly one
 * matcher. Matchers are refcounted and freed by whichever thread drops the last reference.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <hs.h>
#include <pthread.h>
#include <stdatomic.h>

#define QUERIES_MAX 1000000
#define TEXT_MAX (1u << 20)
#define POS_MAX 256 /* NEAR occurrences remembered per post */

struct atom {
    char *lit;    /* folded literal plus the boundary space when 'right' (owned) */
    size_t len;   /* bytes Hyperscan matches */
    bool left;    /* check the byte before the hit */
    bool strict;  /* the literal starts with '@' or '#': only a space may precede it */
    bool near;    /* some NEAR needs its positions */
};

/* What the match callback needs of an atom, packed into 32 bits so that the table of a large
 * query set stays in cache: the length Hyperscan matches and three flags. */
#define AI_LEN(x) ((x) & 0x0FFFFFFFu)
#define AI_LEFT 0x10000000u   /* atom.left */
#define AI_STRICT 0x20000000u /* atom.strict */
#define AI_NEAR 0x40000000u   /* atom.near */
#define AI_SPACE 0x80000000u  /* the literal ends with the boundary space */

struct listen_matcher {
    atomic_int refs;
    hs_database_t *db;   /* NULL when there are no atoms */
    struct atom *atoms;
    uint32_t *atom_info; /* AI_* per atom */
    size_t natoms;
    struct lq_tree *trees; /* one per query */
    char **ids;
    size_t *id_lens;
    size_t nq;
    uint32_t *aq_off;    /* CSR: queries of atom a are aq[aq_off[a] .. aq_off[a+1]) */
    uint32_t *aq;
    uint32_t *always;    /* queries evaluated on every post */
    size_t nalways;
    bool *any;           /* the query is only terms and ORs: true as soon as one atom hits */
};

struct listen_set {
    pthread_mutex_t mu;
    struct listen_matcher *cur;
    atomic_uint_fast64_t gen;
};

struct near_hit {
    uint32_t atom;
    uint32_t start, end; /* byte offsets of the literal (without the boundary space) */
};

struct listen_scratch {
    struct listen_set *set;
    struct listen_matcher *m; /* the matcher this scratch is sized for (a reference) */
    uint64_t gen;
    hs_scratch_t *hs;
    char *fold;
    size_t fold_cap;
    uint32_t stamp;
    uint32_t *atom_stamp;
    uint32_t *q_stamp;
    uint32_t *cand;
    uint32_t *out;
    size_t ncand, nout;
    uint32_t *hits;
    size_t nhits;
    struct near_hit pos[POS_MAX];
    size_t npos;
    const char *text; /* the folded text being scanned */
    const struct listen_post *post;
};

/* ---- atom table (string -> index) used only while compiling ---- */

struct atom_map {
    uint32_t *slots; /* index + 1; 0 = empty */
    size_t cap;
};

static uint64_t
hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint32_t
atom_intern(struct listen_matcher *m, struct atom_map *map, size_t *acap, const struct lq_node *nd)
{
    size_t len = nd->lit_len + (nd->right ? 1 : 0);
    char *key = xmalloc(len + 1);
    size_t i;

    memcpy(key, nd->lit, nd->lit_len);
    if (nd->right)
        key[nd->lit_len] = ' ';
    key[len] = '\0';
    if ((m->natoms + 1) * 2 > map->cap) {
        size_t ncap = map->cap ? map->cap * 2 : 1024;
        uint32_t *ns = xcalloc(ncap, sizeof(*ns));
        for (size_t k = 0; k < map->cap; k++) {
            if (!map->slots[k])
                continue;
            const struct atom *a = &m->atoms[map->slots[k] - 1];
            size_t j = hash_bytes(a->lit, a->len) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = map->slots[k];
        }
        free(map->slots);
        map->slots = ns;
        map->cap = ncap;
    }
    i = hash_bytes(key, len) & (map->cap - 1);
    while (map->slots[i]) {
        struct atom *a = &m->atoms[map->slots[i] - 1];
        if (a->len == len && memcmp(a->lit, key, len) == 0) {
            free(key);
            return map->slots[i] - 1;
        }
        i = (i + 1) & (map->cap - 1);
    }
    if (m->natoms == *acap) {
        *acap = *acap ? *acap * 2 : 256;
        m->atoms = xrealloc(m->atoms, *acap * sizeof(*m->atoms));
    }
    m->atoms[m->natoms] = (struct atom){
        .lit = key,
        .len = len,
        .left = nd->left,
        .strict = nd->lit[0] == '@' || nd->lit[0] == '#',
    };
    map->slots[i] = (uint32_t)++m->natoms;
    return (uint32_t)(m->natoms - 1);
}

/* True when node 'n' can only be true if one of its atoms hit. */
static bool
needs_atom(const struct lq_tree *t, int n)
{
    const struct lq_node *nd = &t->nodes[n];

    switch (nd->kind) {
    case LQ_TERM:
    case LQ_NEAR: return true;
    case LQ_AND: return needs_atom(t, nd->a) || needs_atom(t, nd->b);
    case LQ_OR: return needs_atom(t, nd->a) && needs_atom(t, nd->b);
    default: return false;
    }
}

/* True when node 'n' is made only of terms and ORs, so it holds whenever one of its atoms hit. */
static bool
any_only(const struct lq_tree *t, int n)
{
    const struct lq_node *nd = &t->nodes[n];

    switch (nd->kind) {
    case LQ_TERM: return true;
    case LQ_OR: return any_only(t, nd->a) && any_only(t, nd->b);
    default: return false;
    }
}

static void
mark_near(struct listen_matcher *m, const struct lq_tree *t, int n)
{
    const struct lq_node *nd = &t->nodes[n];

    if (nd->kind == LQ_TERM) {
        m->atoms[nd->atom].near = true;
        return;
    }
    mark_near(m, t, nd->a);
    mark_near(m, t, nd->b);
}

static void
matcher_free(struct listen_matcher *m)
{
    if (!m)
        return;
    hs_free_database(m->db);
    for (size_t i = 0; i < m->natoms; i++)
        free(m->atoms[i].lit);
    free(m->atoms);
    free(m->atom_info);
    free(m->any);
    for (size_t i = 0; i < m->nq; i++) {
        listen__query_release(&m->trees[i]);
        free(m->ids[i]);
    }
    free(m->trees);
    free(m->ids);
    free(m->id_lens);
    free(m->aq_off);
    free(m->aq);
    free(m->always);
    free(m);
}

int
listen_matcher_new(const struct listen_query *qs, size_t n, struct listen_matcher **out,
                   struct errmsg *em)
{
    struct listen_matcher *m;
    struct atom_map map = { 0 };
    size_t acap = 0, nrefs = 0;
    uint32_t *cnt = NULL;
    int rc = 0;

    if (n > QUERIES_MAX)
        return errmsg_set(em, ERR_TOOBIG, "too many queries: %zu, max %d", n, QUERIES_MAX);
    listen__fold_init();
    m = xcalloc(1, sizeof(*m));
    atomic_init(&m->refs, 1);
    m->trees = xcalloc(n ? n : 1, sizeof(*m->trees));
    m->ids = xcalloc(n ? n : 1, sizeof(*m->ids));
    m->id_lens = xcalloc(n ? n : 1, sizeof(*m->id_lens));
    m->always = xcalloc(n ? n : 1, sizeof(*m->always));
    m->any = xcalloc(n ? n : 1, sizeof(*m->any));
    for (size_t q = 0; q < n; q++) {
        struct errmsg qem = { 0 };
        struct lq_tree *t = &m->trees[q];
        rc = listen__query_parse(qs[q].text, t, &qem, NULL);
        if (rc < 0) {
            errmsg_set(em, rc, "query '%.*s': %s", (int)(qs[q].id.len > 64 ? 64 : qs[q].id.len),
                       qs[q].id.p ? qs[q].id.p : "", qem.text);
            m->nq = q;
            goto out;
        }
        m->ids[q] = xstrndup(qs[q].id.p ? qs[q].id.p : "", qs[q].id.len);
        m->id_lens[q] = qs[q].id.len;
        m->nq = q + 1;
        for (size_t k = 0; k < t->n; k++) {
            if (t->nodes[k].kind == LQ_TERM) {
                t->nodes[k].atom = atom_intern(m, &map, &acap, &t->nodes[k]);
                nrefs++;
            }
        }
        for (size_t k = 0; k < t->n; k++) {
            if (t->nodes[k].kind == LQ_NEAR)
                mark_near(m, t, (int)k);
        }
        if (!needs_atom(t, t->root))
            m->always[m->nalways++] = (uint32_t)q;
        m->any[q] = any_only(t, t->root);
    }
    m->atom_info = xcalloc(m->natoms ? m->natoms : 1, sizeof(*m->atom_info));
    for (size_t a = 0; a < m->natoms; a++) {
        const struct atom *at = &m->atoms[a];
        ASSERT(at->len <= AI_LEN(~0u));
        m->atom_info[a] = (uint32_t)at->len | (at->left ? AI_LEFT : 0) |
                          (at->strict ? AI_STRICT : 0) | (at->near ? AI_NEAR : 0) |
                          (at->len > 0 && at->lit[at->len - 1] == ' ' ? AI_SPACE : 0);
    }
    /* Atom -> queries, as compressed rows (each query listed once per atom). */
    m->aq_off = xcalloc(m->natoms + 1, sizeof(*m->aq_off));
    m->aq = xcalloc(nrefs ? nrefs : 1, sizeof(*m->aq));
    cnt = xcalloc(m->natoms + 1, sizeof(*cnt));
    for (size_t q = 0; q < n; q++) {
        const struct lq_tree *t = &m->trees[q];
        for (size_t k = 0; k < t->n; k++) {
            if (t->nodes[k].kind == LQ_TERM)
                m->aq_off[t->nodes[k].atom + 1]++;
        }
    }
    for (size_t a = 0; a < m->natoms; a++)
        m->aq_off[a + 1] += m->aq_off[a];
    for (size_t q = 0; q < n; q++) {
        const struct lq_tree *t = &m->trees[q];
        for (size_t k = 0; k < t->n; k++) {
            if (t->nodes[k].kind == LQ_TERM) {
                uint32_t a = t->nodes[k].atom;
                m->aq[m->aq_off[a] + cnt[a]++] = (uint32_t)q;
            }
        }
    }
    if (m->natoms > 0) {
        /* Literals go in as fully escaped patterns rather than through hs_compile_lit_multi:
         * Hyperscan 5.4's literal API returned HS_UNKNOWN_ERROR from hs_scan on some sets
         * the fuzzer found (tests/unit/listen/query_test.c: hyperscan_literal_bug), and the
         * pattern API compiles the same literal matcher without it. */
        char **exprs = xcalloc(m->natoms, sizeof(*exprs));
        unsigned *ids = xcalloc(m->natoms, sizeof(*ids));
        unsigned *flags = xcalloc(m->natoms, sizeof(*flags));
        hs_compile_error_t *cerr = NULL;
        for (size_t a = 0; a < m->natoms; a++) {
            const struct atom *at = &m->atoms[a];
            char *e = xmalloc(at->len * 4 + 1), *o = e;
            for (size_t k = 0; k < at->len; k++) {
                unsigned char c = (unsigned char)at->lit[k];
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                    *o++ = (char)c;
                } else {
                    static const char hex[] = "0123456789abcdef";
                    *o++ = '\\';
                    *o++ = 'x';
                    *o++ = hex[c >> 4];
                    *o++ = hex[c & 15];
                }
            }
            *o = '\0';
            exprs[a] = e;
            ids[a] = (unsigned)a;
        }
        if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)m->natoms,
                             HS_MODE_BLOCK, NULL, &m->db, &cerr) != HS_SUCCESS) {
            rc = errmsg_set(em, ERR_IO, "hyperscan refused the queries: %s",
                            cerr ? cerr->message : "unknown error");
            hs_free_compile_error(cerr);
        }
        for (size_t a = 0; a < m->natoms; a++)
            free(exprs[a]);
        free(exprs);
        free(ids);
        free(flags);
    }
out:
    free(cnt);
    free(map.slots);
    if (rc < 0) {
        matcher_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

struct listen_matcher *
listen_matcher_ref(struct listen_matcher *m)
{
    if (m)
        atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    return m;
}

void
listen_matcher_unref(struct listen_matcher *m)
{
    if (m && atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1)
        matcher_free(m);
}

size_t
listen_matcher_count(const struct listen_matcher *m)
{
    return m ? m->nq : 0;
}

struct str
listen_matcher_query_id(const struct listen_matcher *m, size_t i)
{
    ASSERT(m && i < m->nq);
    return (struct str){ m->ids[i], m->id_lens[i] };
}

size_t
listen_matcher_atoms(const struct listen_matcher *m)
{
    return m ? m->natoms : 0;
}

struct str
listen_matcher_atom(const struct listen_matcher *m, size_t i)
{
    ASSERT(m && i < m->natoms);
    return (struct str){ m->atoms[i].lit, m->atoms[i].len };
}

/* ---- sets ---- */

struct listen_set *
listen_set_new_take(struct listen_matcher *m)
{
    struct listen_set *set = xcalloc(1, sizeof(*set));

    pthread_mutex_init(&set->mu, NULL);
    set->cur = m;
    atomic_init(&set->gen, 1);
    return set;
}

void
listen_set_free(struct listen_set *set)
{
    if (!set)
        return;
    listen_matcher_unref(set->cur);
    pthread_mutex_destroy(&set->mu);
    free(set);
}

void
listen_set_swap_take(struct listen_set *set, struct listen_matcher *m)
{
    struct listen_matcher *old;

    pthread_mutex_lock(&set->mu);
    old = set->cur;
    set->cur = m;
    atomic_fetch_add_explicit(&set->gen, 1, memory_order_release);
    pthread_mutex_unlock(&set->mu);
    listen_matcher_unref(old);
}

struct listen_matcher *
listen_set_current(struct listen_set *set)
{
    struct listen_matcher *m;

    pthread_mutex_lock(&set->mu);
    m = listen_matcher_ref(set->cur);
    pthread_mutex_unlock(&set->mu);
    return m;
}

/* ---- scratch ---- */

struct listen_scratch *
listen_scratch_new(struct listen_set *set)
{
    struct listen_scratch *s = xcalloc(1, sizeof(*s));

    s->set = set;
    return s;
}

void
listen_scratch_free(struct listen_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    listen_matcher_unref(s->m);
    free(s->fold);
    free(s->atom_stamp);
    free(s->q_stamp);
    free(s->cand);
    free(s->out);
    free(s->hits);
    free(s);
}

/* Moves 's' onto the set's current matcher. */
static int
refresh(struct listen_scratch *s, uint64_t gen)
{
    struct listen_matcher *m, *old = s->m;

    pthread_mutex_lock(&s->set->mu);
    m = listen_matcher_ref(s->set->cur);
    gen = atomic_load_explicit(&s->set->gen, memory_order_acquire);
    pthread_mutex_unlock(&s->set->mu);
    if (m && m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) {
        listen_matcher_unref(m);
        return ERR_IO;
    }
    s->m = m;
    s->gen = gen;
    listen_matcher_unref(old);
    free(s->atom_stamp);
    free(s->q_stamp);
    free(s->cand);
    free(s->out);
    free(s->hits);
    s->atom_stamp = xcalloc(m && m->natoms ? m->natoms : 1, sizeof(uint32_t));
    s->hits = xcalloc(m && m->natoms ? m->natoms : 1, sizeof(uint32_t));
    s->q_stamp = xcalloc(m && m->nq ? m->nq : 1, sizeof(uint32_t));
    s->cand = xcalloc(m && m->nq ? m->nq : 1, sizeof(uint32_t));
    s->out = xcalloc(m && m->nq ? m->nq : 1, sizeof(uint32_t));
    s->stamp = 0;
    return 0;
}

static int
on_hit(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
       void *ctx)
{
    struct listen_scratch *s = ctx;
    uint32_t info = s->m->atom_info[id];
    size_t start = (size_t)to - AI_LEN(info);

    (void)from;
    (void)flags;
    if (info & AI_LEFT) {
        /* The folded text starts with a space and literals never do, so start >= 1. */
        char prev = s->text[start - 1];
        if (prev != ' ' && ((info & AI_STRICT) || (prev != '@' && prev != '#')))
            return 0;
    }
    if (s->atom_stamp[id] != s->stamp) {
        s->atom_stamp[id] = s->stamp;
        s->hits[s->nhits++] = id;
    }
    if ((info & AI_NEAR) && s->npos < POS_MAX) {
        s->pos[s->npos++] = (struct near_hit){
            .atom = id,
            .start = (uint32_t)start,
            .end = (uint32_t)(to - ((info & AI_SPACE) ? 1 : 0)),
        };
    }
    return 0;
}

static bool
ascii_ieq(struct str a, const char *b, size_t blen, bool prefix)
{
    if (prefix ? a.len < blen : a.len != blen)
        return false;
    for (size_t i = 0; i < blen; i++) {
        char c = a.p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != b[i])
            return false;
    }
    return true;
}

static bool
field_true(const struct lq_node *nd, const struct listen_post *p)
{
    switch (nd->field) {
    case LQF_LANG:
        if (ascii_ieq(p->lang, nd->value, nd->value_len, true)) {
            /* "en" matches "en" and "en-GB", not "eng". */
            return nd->prefix || p->lang.len == nd->value_len || p->lang.p[nd->value_len] == '-' ||
                   p->lang.p[nd->value_len] == '_';
        }
        return false;
    case LQF_AUTHOR: {
        struct str a = p->author;
        if (a.len > 0 && a.p[0] == '@') {
            a.p++;
            a.len--;
        }
        return ascii_ieq(a, nd->value, nd->value_len, nd->prefix);
    }
    case LQF_PLATFORM: return ascii_ieq(p->platform, nd->value, nd->value_len, nd->prefix);
    case LQF_HAS_LINK: return p->has_link;
    case LQF_IS_REPLY: return p->is_reply;
    }
    return false;
}

/* The word index of byte 'off' in the folded text: tokens are separated by single spaces. */
static uint32_t
word_index(const char *text, uint32_t off)
{
    uint32_t w = 0;

    for (uint32_t i = 0; i < off; i++)
        w += text[i] == ' ';
    return w;
}

static bool
in_operand(const struct lq_tree *t, int n, uint32_t atom)
{
    const struct lq_node *nd = &t->nodes[n];

    if (nd->kind == LQ_TERM)
        return nd->atom == atom;
    return in_operand(t, nd->a, atom) || in_operand(t, nd->b, atom);
}

static bool
near_true(const struct listen_scratch *s, const struct lq_tree *t, const struct lq_node *nd)
{
    for (size_t i = 0; i < s->npos; i++) {
        const struct near_hit *x = &s->pos[i];
        if (!in_operand(t, nd->a, x->atom))
            continue;
        uint32_t xs = word_index(s->text, x->start), xe = word_index(s->text, x->end - 1);
        for (size_t j = 0; j < s->npos; j++) {
            const struct near_hit *y = &s->pos[j];
            if (!in_operand(t, nd->b, y->atom))
                continue;
            uint32_t ys = word_index(s->text, y->start), ye = word_index(s->text, y->end - 1);
            int64_t gap;
            if (xe < ys)
                gap = (int64_t)ys - xe - 1;
            else if (ye < xs)
                gap = (int64_t)xs - ye - 1;
            else
                continue; /* overlapping occurrences are not "near" each other */
            if (gap <= nd->near)
                return true;
        }
    }
    return false;
}

static bool
eval(const struct listen_scratch *s, const struct lq_tree *t, int n)
{
    const struct lq_node *nd = &t->nodes[n];

    switch (nd->kind) {
    case LQ_TERM: return s->atom_stamp[nd->atom] == s->stamp;
    case LQ_AND: return eval(s, t, nd->a) && eval(s, t, nd->b);
    case LQ_OR: return eval(s, t, nd->a) || eval(s, t, nd->b);
    case LQ_NOT: return !eval(s, t, nd->a);
    case LQ_FIELD: return field_true(nd, s->post);
    case LQ_NEAR: return eval(s, t, nd->a) && eval(s, t, nd->b) && near_true(s, t, nd);
    }
    return false;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

ssize_t
listen_match(struct listen_scratch *s, const struct listen_post *p, struct listen_result *res)
{
    uint64_t gen = atomic_load_explicit(&s->set->gen, memory_order_acquire);
    const struct listen_matcher *m;
    ssize_t flen;
    int rc;

    if (gen != s->gen) {
        rc = refresh(s, gen);
        if (rc < 0)
            return rc;
    }
    m = s->m;
    s->nhits = 0; /* listen_match_hits reports nothing for a post that is not scanned */
    *res = (struct listen_result){ .matcher = m };
    if (!m || m->nq == 0)
        return 0;
    if (p->text.len > TEXT_MAX)
        return ERR_TOOBIG;
    if (s->fold_cap < LISTEN_FOLD_BOUND(p->text.len)) {
        s->fold_cap = LISTEN_FOLD_BOUND(p->text.len) < 4096 ? 4096 : LISTEN_FOLD_BOUND(p->text.len);
        free(s->fold);
        s->fold = xmalloc(s->fold_cap);
    }
    flen = listen_fold(p->text, s->fold, s->fold_cap);
    if (flen < 0)
        return flen;
    if (++s->stamp == 0) {
        memset(s->atom_stamp, 0, m->natoms * sizeof(uint32_t));
        memset(s->q_stamp, 0, m->nq * sizeof(uint32_t));
        s->stamp = 1;
    }
    s->nhits = 0;
    s->npos = 0;
    s->ncand = 0;
    s->nout = 0;
    s->text = s->fold;
    s->post = p;
    if (m->db && hs_scan(m->db, s->fold, (unsigned)flen, 0, s->hs, on_hit, s) != HS_SUCCESS)
        return ERR_IO;
    for (size_t h = 0; h < s->nhits; h++) {
        uint32_t a = s->hits[h];
        for (uint32_t k = m->aq_off[a]; k < m->aq_off[a + 1]; k++) {
            uint32_t q = m->aq[k];
            if (s->q_stamp[q] != s->stamp) {
                s->q_stamp[q] = s->stamp;
                if (m->any[q])
                    s->out[s->nout++] = q; /* an atom of it hit: no need to evaluate */
                else
                    s->cand[s->ncand++] = q;
            }
        }
    }
    for (size_t k = 0; k < m->nalways; k++) {
        uint32_t q = m->always[k];
        if (s->q_stamp[q] != s->stamp) {
            s->q_stamp[q] = s->stamp;
            s->cand[s->ncand++] = q;
        }
    }
    for (size_t k = 0; k < s->ncand; k++) {
        const struct lq_tree *t = &m->trees[s->cand[k]];
        if (eval(s, t, t->root))
            s->out[s->nout++] = s->cand[k];
    }
    if (s->nout > 1)
        qsort(s->out, s->nout, sizeof(uint32_t), cmp_u32);
    res->queries = s->out;
    res->n = s->nout;
    return (ssize_t)s->nout;
}

size_t
listen_match_hits(const struct listen_scratch *s, const uint32_t **atoms)
{
    *atoms = s->hits;
    return s->m ? s->nhits : 0;
}
