/* SPDX-License-Identifier: MIT */
/*
 * listen_query.c - the listening query language: a tokenizer and a recursive-descent parser
 * that turn query text into a tree of terms, fields and boolean operators (struct lq_tree).
 *
 * Precedence, tightest first: NOT (and "-x"), NEAR/n, AND (also juxtaposition), OR.
 * Operators are uppercase words; lowercase "and" is a term. Terms and phrases are folded by
 * the same function that folds posts (listen_fold), so both sides always agree on case,
 * accents and tokenization. Every error names a column (1-based, in characters).
 * This file knows nothing of Hyperscan; listen_match.c compiles the tree.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include "base/utf8.h"

#define DEPTH_MAX 64
#define NODES_MAX 1024

enum tok_kind { T_END, T_LPAREN, T_RPAREN, T_AND, T_OR, T_NOT, T_NEAR, T_WORD, T_PHRASE };

struct tok {
    enum tok_kind kind;
    size_t pos;     /* byte offset in the query */
    struct str s;   /* T_WORD/T_PHRASE text (phrase without quotes) */
    int near;       /* T_NEAR distance */
};

struct parser {
    struct str q;
    size_t i;        /* next byte to tokenize */
    struct tok t;    /* current token */
    struct lq_tree *tree;
    struct errmsg *em;
    size_t err_pos;
    int depth;
};

static size_t
column(struct str q, size_t pos)
{
    size_t col = 1;

    for (size_t i = 0; i < pos && i < q.len; i++) {
        if (((unsigned char)q.p[i] & 0xC0) != 0x80)
            col++;
    }
    return col;
}

static int PRINTF_LIKE(3, 4)
fail(struct parser *ps, size_t pos, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ps->err_pos = pos;
    return errmsg_set(ps->em, ERR_INVAL, "at column %zu: %s", column(ps->q, pos), msg);
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
word_eq(struct str s, const char *w)
{
    return str_eq_c(s, w);
}

/* Reads the next token into ps->t. */
static int
next(struct parser *ps)
{
    struct str q = ps->q;
    size_t i = ps->i;

    while (i < q.len && is_space(q.p[i]))
        i++;
    ps->t = (struct tok){ .kind = T_END, .pos = i };
    if (i >= q.len) {
        ps->i = i;
        return 0;
    }
    if (q.p[i] == '(' || q.p[i] == ')') {
        ps->t.kind = q.p[i] == '(' ? T_LPAREN : T_RPAREN;
        ps->i = i + 1;
        return 0;
    }
    if (q.p[i] == '"') {
        size_t j = i + 1;
        while (j < q.len && q.p[j] != '"')
            j++;
        if (j >= q.len)
            return fail(ps, i, "unterminated phrase: add a closing '\"'");
        ps->t.kind = T_PHRASE;
        ps->t.s = (struct str){ q.p + i + 1, j - i - 1 };
        ps->i = j + 1;
        return 0;
    }
    if (q.p[i] == '-' && i + 1 < q.len && !is_space(q.p[i + 1]) && q.p[i + 1] != ')') {
        ps->t.kind = T_NOT;
        ps->i = i + 1;
        return 0;
    }
    {
        size_t j = i;
        struct str w;
        while (j < q.len && !is_space(q.p[j]) && q.p[j] != '(' && q.p[j] != ')' && q.p[j] != '"')
            j++;
        w = (struct str){ q.p + i, j - i };
        ps->i = j;
        ps->t.s = w;
        if (word_eq(w, "AND") || word_eq(w, "&&")) {
            ps->t.kind = T_AND;
        } else if (word_eq(w, "OR") || word_eq(w, "||")) {
            ps->t.kind = T_OR;
        } else if (word_eq(w, "NOT")) {
            ps->t.kind = T_NOT;
        } else if (word_eq(w, "NEAR") || str_starts_with(w, STR_LIT("NEAR/"))) {
            int64_t n;
            if (w.len <= 5)
                return fail(ps, i, "'NEAR' needs a distance in words, like NEAR/3");
            if (str_to_i64((struct str){ w.p + 5, w.len - 5 }, 0, LISTEN_NEAR_MAX, &n) < 0)
                return fail(ps, i, "invalid distance in '%.*s': want NEAR/0 to NEAR/%d",
                            (int)(w.len > 40 ? 40 : w.len), w.p, LISTEN_NEAR_MAX);
            ps->t.kind = T_NEAR;
            ps->t.near = (int)n;
        } else {
            ps->t.kind = T_WORD;
        }
    }
    return 0;
}

static int
new_node(struct parser *ps, enum lq_kind kind, int a, int b, int *out)
{
    struct lq_tree *t = ps->tree;

    if (t->n >= NODES_MAX)
        return fail(ps, ps->t.pos, "query is too long: more than %d parts", NODES_MAX);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->nodes = xrealloc(t->nodes, t->cap * sizeof(*t->nodes));
    }
    t->nodes[t->n] = (struct lq_node){ .kind = kind, .a = a, .b = b };
    *out = (int)t->n++;
    return 0;
}

/* Folds 's' into a literal node. 'prefix' drops the right boundary. */
static int
term_node(struct parser *ps, struct str s, bool prefix, size_t pos, int *out)
{
    size_t cap = LISTEN_FOLD_BOUND(s.len);
    char *f = xmalloc(cap);
    ssize_t n = listen_fold(s, f, cap);
    struct lq_node *nd;
    size_t i = 0, last = 0, ncp = 0;
    uint32_t first_cp, last_cp = 0;
    int rc;

    ASSERT(n >= 1);
    if (n <= 2) {
        free(f);
        return fail(ps, pos, "'%.*s' has no letters, digits or symbols to match",
                    (int)(s.len > 40 ? 40 : s.len), s.p);
    }
    /* Strip the spaces at both ends: " refund " -> "refund". */
    memmove(f, f + 1, (size_t)n - 2);
    n -= 2;
    f[n] = '\0';
    {
        struct str lit = { f, (size_t)n };
        first_cp = utf8_next(lit, &i);
        i = 0;
        while (i < lit.len) {
            last = i;
            last_cp = utf8_next(lit, &i);
            ncp++;
        }
        (void)last;
    }
    if (prefix && ncp < 2 && !listen__cp_nospace(first_cp)) {
        free(f);
        return fail(ps, pos, "prefix '%.*s' is too short: want at least 2 letters before '*'",
                    (int)(s.len > 40 ? 40 : s.len), s.p);
    }
    rc = new_node(ps, LQ_TERM, -1, -1, out);
    if (rc < 0) {
        free(f);
        return rc;
    }
    nd = &ps->tree->nodes[*out];
    nd->lit = f;
    nd->lit_len = (size_t)n;
    nd->left = !listen__cp_nospace(first_cp);
    nd->right = !prefix && !listen__cp_nospace(last_cp);
    return 0;
}

static int
field_node(struct parser *ps, enum lq_field field, struct str v, size_t pos, int *out)
{
    struct lq_node *nd;
    char *val;
    bool prefix = false;
    int rc;

    if (v.len > 0 && v.p[v.len - 1] == '*') {
        prefix = true;
        v.len--;
    }
    if (field == LQF_AUTHOR && v.len > 0 && v.p[0] == '@') {
        v.p++;
        v.len--;
    }
    if (v.len == 0 || v.len > 253)
        return fail(ps, pos, "field needs a value, like lang:en or author:jane.bsky.social");
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '*')
            return fail(ps, pos + i, "wildcard '*' is only allowed at the end of a value");
    }
    rc = new_node(ps, LQ_FIELD, -1, -1, out);
    if (rc < 0)
        return rc;
    val = xstrndup(v.p, v.len);
    for (size_t i = 0; i < v.len; i++) {
        if (val[i] >= 'A' && val[i] <= 'Z')
            val[i] = (char)(val[i] + 32);
    }
    nd = &ps->tree->nodes[*out];
    nd->field = field;
    nd->value = val;
    nd->value_len = v.len;
    nd->prefix = prefix;
    return 0;
}

/* A T_WORD: a field filter, a prefix term or a plain term. */
static int
word(struct parser *ps, int *out)
{
    struct str w = ps->t.s, head, tail;
    size_t pos = ps->t.pos;

    if (str_cut(w, ':', &head, &tail) && head.len > 0) {
        size_t hpos = pos + head.len + 1;
        if (str_eq_c(head, "lang"))
            return field_node(ps, LQF_LANG, tail, hpos, out);
        if (str_eq_c(head, "author"))
            return field_node(ps, LQF_AUTHOR, tail, hpos, out);
        if (str_eq_c(head, "platform"))
            return field_node(ps, LQF_PLATFORM, tail, hpos, out);
        if (str_eq_c(head, "has")) {
            if (!str_eq_c(tail, "link"))
                return fail(ps, hpos, "unknown 'has:' value '%.*s': want has:link",
                            (int)(tail.len > 40 ? 40 : tail.len), tail.p);
            return field_node(ps, LQF_HAS_LINK, tail, hpos, out);
        }
        if (str_eq_c(head, "is")) {
            if (!str_eq_c(tail, "reply"))
                return fail(ps, hpos, "unknown 'is:' value '%.*s': want is:reply",
                            (int)(tail.len > 40 ? 40 : tail.len), tail.p);
            return field_node(ps, LQF_IS_REPLY, tail, hpos, out);
        }
        /* Anything else with a colon ("10:30", "https://x") is an ordinary term. */
    }
    for (size_t i = 0; i < w.len; i++) {
        if (w.p[i] == '*' && i + 1 != w.len)
            return fail(ps, pos + i, "wildcard '*' is only allowed at the end of a term");
    }
    if (w.len > 0 && w.p[w.len - 1] == '*')
        return term_node(ps, (struct str){ w.p, w.len - 1 }, true, pos, out);
    return term_node(ps, w, false, pos, out);
}

static int parse_or(struct parser *ps, int *out);

static bool
near_operand(const struct lq_tree *t, int n)
{
    const struct lq_node *nd = &t->nodes[n];

    if (nd->kind == LQ_TERM)
        return true;
    if (nd->kind == LQ_OR)
        return near_operand(t, nd->a) && near_operand(t, nd->b);
    return false;
}

static bool
starts_operand(enum tok_kind k)
{
    return k == T_LPAREN || k == T_NOT || k == T_WORD || k == T_PHRASE;
}

static const char *
tok_name(const struct tok *t)
{
    switch (t->kind) {
    case T_END: return "end of query";
    case T_LPAREN: return "'('";
    case T_RPAREN: return "')'";
    case T_AND: return "'AND'";
    case T_OR: return "'OR'";
    case T_NOT: return "'NOT'";
    case T_NEAR: return "'NEAR'";
    default: return "a term";
    }
}

static int
primary(struct parser *ps, int *out)
{
    int rc;

    switch (ps->t.kind) {
    case T_LPAREN: {
        size_t open = ps->t.pos;
        if (++ps->depth > DEPTH_MAX)
            return fail(ps, open, "parentheses nest deeper than %d", DEPTH_MAX);
        rc = next(ps);
        if (rc < 0)
            return rc;
        if (ps->t.kind == T_RPAREN)
            return fail(ps, ps->t.pos, "empty parentheses");
        rc = parse_or(ps, out);
        if (rc < 0)
            return rc;
        if (ps->t.kind != T_RPAREN)
            return fail(ps, ps->t.pos, "expected ')' to close '(' at column %zu, found %s",
                        column(ps->q, open), tok_name(&ps->t));
        ps->depth--;
        return next(ps);
    }
    case T_PHRASE:
        if (str_trim(ps->t.s).len == 0)
            return fail(ps, ps->t.pos, "empty phrase");
        rc = term_node(ps, ps->t.s, false, ps->t.pos, out);
        if (rc < 0)
            return rc;
        return next(ps);
    case T_WORD:
        rc = word(ps, out);
        if (rc < 0)
            return rc;
        return next(ps);
    default:
        return fail(ps, ps->t.pos, "expected a term, phrase or '(' but found %s", tok_name(&ps->t));
    }
}

static int
unary(struct parser *ps, int *out)
{
    int rc, a;

    if (ps->t.kind == T_NOT) {
        if (++ps->depth > DEPTH_MAX)
            return fail(ps, ps->t.pos, "NOT nests deeper than %d", DEPTH_MAX);
        rc = next(ps);
        if (rc < 0)
            return rc;
        if (!starts_operand(ps->t.kind))
            return fail(ps, ps->t.pos, "expected a term after NOT but found %s",
                        tok_name(&ps->t));
        rc = unary(ps, &a);
        if (rc < 0)
            return rc;
        ps->depth--;
        return new_node(ps, LQ_NOT, a, -1, out);
    }
    rc = primary(ps, &a);
    if (rc < 0)
        return rc;
    while (ps->t.kind == T_NEAR) {
        size_t pos = ps->t.pos;
        int dist = ps->t.near, b, n;
        rc = next(ps);
        if (rc < 0)
            return rc;
        if (ps->t.kind != T_LPAREN && ps->t.kind != T_WORD && ps->t.kind != T_PHRASE)
            return fail(ps, ps->t.pos, "expected a term after NEAR/%d but found %s", dist,
                        tok_name(&ps->t));
        rc = primary(ps, &b);
        if (rc < 0)
            return rc;
        if (!near_operand(ps->tree, a) || !near_operand(ps->tree, b))
            return fail(ps, pos,
                        "NEAR needs a term, a phrase or an OR of them on each side "
                        "(chain with AND instead)");
        rc = new_node(ps, LQ_NEAR, a, b, &n);
        if (rc < 0)
            return rc;
        ps->tree->nodes[n].near = dist;
        a = n;
    }
    *out = a;
    return 0;
}

static int
parse_and(struct parser *ps, int *out)
{
    int rc, a, b;

    rc = unary(ps, &a);
    if (rc < 0)
        return rc;
    for (;;) {
        if (ps->t.kind == T_AND) {
            rc = next(ps);
            if (rc < 0)
                return rc;
            if (!starts_operand(ps->t.kind))
                return fail(ps, ps->t.pos, "expected a term after AND but found %s",
                            tok_name(&ps->t));
        } else if (!starts_operand(ps->t.kind)) {
            break;
        }
        rc = unary(ps, &b);
        if (rc < 0)
            return rc;
        rc = new_node(ps, LQ_AND, a, b, &a);
        if (rc < 0)
            return rc;
    }
    *out = a;
    return 0;
}

static int
parse_or(struct parser *ps, int *out)
{
    int rc, a, b;

    if (ps->t.kind == T_AND || ps->t.kind == T_OR || ps->t.kind == T_NEAR)
        return fail(ps, ps->t.pos, "%s needs a term before it", tok_name(&ps->t));
    rc = parse_and(ps, &a);
    if (rc < 0)
        return rc;
    while (ps->t.kind == T_OR) {
        rc = next(ps);
        if (rc < 0)
            return rc;
        if (!starts_operand(ps->t.kind))
            return fail(ps, ps->t.pos, "expected a term after OR but found %s", tok_name(&ps->t));
        rc = parse_and(ps, &b);
        if (rc < 0)
            return rc;
        rc = new_node(ps, LQ_OR, a, b, &a);
        if (rc < 0)
            return rc;
    }
    *out = a;
    return 0;
}

void
listen__query_release(struct lq_tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->nodes[i].lit);
        free(t->nodes[i].value);
    }
    free(t->nodes);
    *t = (struct lq_tree){ 0 };
}

int
listen__query_parse(struct str text, struct lq_tree *t, struct errmsg *em, size_t *pos)
{
    struct parser ps = { .q = text, .tree = t, .em = em };
    int rc;

    if (text.len > LISTEN_QUERY_MAX) {
        if (pos)
            *pos = LISTEN_QUERY_MAX;
        return errmsg_set(em, ERR_TOOBIG, "query is longer than %d bytes", LISTEN_QUERY_MAX);
    }
    if (memchr(text.p ? text.p : "", '\0', text.len)) {
        ps.err_pos = (size_t)((const char *)memchr(text.p, '\0', text.len) - text.p);
        rc = fail(&ps, ps.err_pos, "query contains a NUL byte");
        goto out;
    }
    rc = next(&ps);
    if (rc < 0)
        goto out;
    if (ps.t.kind == T_END) {
        rc = fail(&ps, 0, "empty query");
        goto out;
    }
    rc = parse_or(&ps, &t->root);
    if (rc < 0)
        goto out;
    if (ps.t.kind != T_END) {
        if (ps.t.kind == T_RPAREN)
            rc = fail(&ps, ps.t.pos, "unmatched ')'");
        else
            rc = fail(&ps, ps.t.pos, "unexpected %s", tok_name(&ps.t));
    }
out:
    if (rc < 0) {
        if (pos)
            *pos = ps.err_pos;
        listen__query_release(t);
    }
    return rc;
}

int
listen_query_check(struct str text, struct errmsg *em, size_t *pos)
{
    struct lq_tree t = { 0 };
    int rc = listen__query_parse(text, &t, em, pos);

    if (rc == 0)
        listen__query_release(&t);
    return rc;
}
