/* SPDX-License-Identifier: MIT */
/*
 * st_search.c - searching conversations: every word of a q in one message (message_fts) or in
 * the contact (contact_fts: name, handles, email, phone as digits), each conversation once,
 * newest match first or best match first, with the words that matched marked.
 *
 * Newest first never reads every match. It walks the message index down from the newest rowid
 * (message ids grow with time), merged with the conversations of matching contacts (keyed by
 * their newest message), checks each conversation it has not seen against the list's filters,
 * and stops after one page, or after SEARCH_SCAN_MAX index rows with a cursor to go on from.
 * The cursor is the (key, conversation) of the last row looked at; a conversation is shown at
 * its newest match only, so a later page skips those with a match above the cursor.
 *
 * Best first ranks (FTS5's bm25) the newest SEARCH_RANK_MAX matching messages, each
 * conversation by its best message, after every contact match (a person's name or handle is
 * what an agent most often types). It pages by offset.
 *
 * Search text is never FTS syntax: each word becomes a quoted phrase; "word*" (two or more
 * letters before the star) is a prefix, and only there.
 *
 * On PostgreSQL the same walk reads the baseline's GIN indexes instead of FTS5: a message
 * matches when to_tsvector('simple', text) @@ the tsquery of every word (message_search); a
 * contact when each word is in its contact_search or one of its identities' identity_search
 * expression, or its phone digits equal a phone-like q; the rank is ts_rank (negated: lower is
 * better, as bm25) and the marks come from ts_headline. The result of a statement is fetched
 * whole there, so the walk reads its matches in chunks (walk_step).
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/buf.h"

#define SEARCH_SCAN_MAX 100000  /* message index rows one page may read */
#define SEARCH_CONTACT_MAX 5000 /* conversations of matching contacts taken */
#define SEARCH_RANK_MAX 1000    /* newest matching messages ranked by relevance */
#define SEARCH_PHONE_MIN 5      /* digits that make a q a phone number too */

static bool
fts_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Whether 'ch' can be part of a token of FTS5's unicode61 tokenizer: an ASCII letter or digit,
 * or any byte of a non-ASCII character (some of those are separators too, which only makes the
 * word match nothing). */
static bool
fts_wordy(char ch)
{
    unsigned char u = (unsigned char)ch;
    return u >= 0x80 || (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z');
}

bool
store__search_words(const char *q)
{
    for (; *q; q++)
        if (fts_wordy(*q))
            return true;
    return false;
}

/* One word of a search: [p, end) without its trailing '*'s; 'prefix' when it ended in '*' and
 * has at least two letters or digits. */
struct search_word {
    const char *p, *end;
    bool prefix;
};

/* The next whitespace-separated word of '*pp' that has a letter or digit (the others are
 * passed over); false at the end. */
static bool
next_word(const char **pp, struct search_word *out)
{
    const char *p = *pp;
    while (*p) {
        while (fts_space(*p))
            p++;
        const char *w = p;
        size_t wordy = 0;
        while (*p && !fts_space(*p))
            wordy += fts_wordy(*p++);
        const char *end = p;
        bool star = false;
        while (end > w && end[-1] == '*') {
            end--;
            star = true;
        }
        if (!wordy)
            continue;
        *out = (struct search_word){ .p = w, .end = end, .prefix = star && wordy >= 2 };
        *pp = p;
        return true;
    }
    *pp = p;
    return false;
}

/* The digits of 'q' when it reads as a phone number (only digits, spaces and + - ( ) ., at
 * least SEARCH_PHONE_MIN digits), else NULL. */
static const char *
phone_query(struct arena *ar, const char *q)
{
    size_t digits = 0;
    for (const char *s = q; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!fts_space(*s) && !strchr("+-().", *s))
            return NULL;
    }
    if (digits < SEARCH_PHONE_MIN)
        return NULL;
    char *out = arena_alloc(ar, digits + 1);
    size_t o = 0;
    for (const char *s = q; *s; s++)
        if (*s >= '0' && *s <= '9')
            out[o++] = *s;
    out[o] = '\0';
    return out;
}

/* Turns 'q' into an FTS5 MATCH expression: each whitespace-separated word becomes a quoted
 * phrase (inner quotes doubled), followed by * when the word ended in * and has at least two
 * letters or digits; words without a letter or digit are dropped (an expression made only of
 * them is an FTS5 syntax error). When 'q' reads as a phone number (only digits, spaces and
 * + - ( ) ., at least SEARCH_PHONE_MIN digits) and 'phone' is set, the digits are also tried
 * against the contact's phone column. NULL when no word is left. Sized from 'q', never cut. */
static char *
fts_query(struct arena *ar, const char *q, bool phone, bool *has_prefix)
{
    size_t len = strlen(q);
    char *out = arena_alloc(ar, 8 * len + 32);
    size_t o = 0;
    const char *p = q;
    if (phone)
        out[o++] = '(';
    size_t words = 0;
    struct search_word w;
    while (next_word(&p, &w)) {
        if (words++)
            out[o++] = ' ';
        out[o++] = '"';
        for (const char *c = w.p; c < w.end; c++) {
            if (*c == '"')
                out[o++] = '"';
            out[o++] = *c;
        }
        out[o++] = '"';
        if (w.prefix) {
            out[o++] = '*';
            *has_prefix = true;
        }
    }
    if (!words)
        return NULL;
    if (phone) {
        const char *digits = phone_query(ar, q);
        out[o++] = ')';
        if (digits) {
            memcpy(out + o, " OR phone : \"", 13);
            o += 13;
            memcpy(out + o, digits, strlen(digits));
            o += strlen(digits);
            out[o++] = '"';
        }
    }
    out[o] = '\0';
    return out;
}

/* PostgreSQL: the words of 'q' as fts_query reads them, each as tsquery text - a quoted lexeme
 * ('' and \\ escaped inside), with :* where fts_query makes a prefix - so no character of the
 * agent's input is tsquery syntax. Returns the number of words. */
static size_t
pg_terms(struct arena *ar, const char *q, const char ***out)
{
    size_t len = strlen(q), n = 0;
    const char **v = ARENA_NEW_N(ar, const char *, len / 2 + 1);
    const char *p = q;
    struct search_word w;
    while (next_word(&p, &w)) {
        char *t = arena_alloc(ar, 2 * (size_t)(w.end - w.p) + 5);
        size_t o = 0;
        t[o++] = '\'';
        for (const char *c = w.p; c < w.end; c++) {
            if (*c == '\'' || *c == '\\')
                t[o++] = *c == '\'' ? '\'' : '\\';
            t[o++] = *c;
        }
        t[o++] = '\'';
        if (w.prefix) {
            t[o++] = ':';
            t[o++] = '*';
        }
        t[o] = '\0';
        v[n++] = t;
    }
    *out = v;
    return n;
}

/* The terms joined by 'op' (" & ": all of them; " | ": any, for marking), plus the phone
 * digits as one more term when 'digits' is set. */
static const char *
pg_join(struct arena *ar, const char *const *t, size_t n, const char *op, const char *digits)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_adds(&b, op);
        buf_adds(&b, t[i]);
    }
    if (digits)
        buf_printf(&b, "%s'%s'", n ? op : "", digits);
    const char *out = buf_error(&b) ? "" : arena_strndup(ar, b.p ? b.p : "", b.len);
    buf_release(&b);
    return out;
}

/* One candidate: a matching message, or a conversation of a matching contact. */
struct hit {
    int64_t key;     /* the matching message's id; for a contact: the conversation's newest */
    int64_t conv_id;
    int64_t msg_id;  /* the matching message; 0 for a contact match */
    int64_t contact_id;
    double rank;     /* bm25, lower is better (best-first only) */
};

/* A set of conversation ids (open addressing; 0 is never an id). */
struct idset {
    int64_t *v;
    size_t cap, n;
};

static bool
idset_add(struct arena *ar, struct idset *s, int64_t id)
{
    if ((s->n + 1) * 2 > s->cap) {
        struct idset g = { .cap = s->cap ? s->cap * 2 : 1024 };
        g.v = ARENA_NEW_N(ar, int64_t, g.cap);
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i])
                idset_add(ar, &g, s->v[i]);
        *s = g;
    }
    size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->v[i]) {
        if (s->v[i] == id)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->v[i] = id;
    s->n++;
    return true;
}

/* Everything one search needs: its statements and what it found. */
struct search {
    struct store__conn *c;
    struct arena *ar;
    const struct conv_filter *f;
    const char *fts, *cfts; /* PostgreSQL: the tsquery of all words, and of any (marks) */
    const char **terms;     /* PostgreSQL: each word's tsquery (contact_hits) */
    size_t nterms;
    const char *digits;     /* PostgreSQL: a phone-like q's digits, or NULL */
    struct db_stmt *check, *newer, *snip, *light, *phone;
    struct conv *out;
    int64_t *keys; /* the hit each taken conversation was found at */
    size_t n, limit;
    /* With a prefix, FTS5 rebuilds the prefix's whole list for every lookup, so the snippets
     * of the taken messages are made afterwards in one pass over their range (mark_pending). */
    bool prefix;
    int64_t *pend_msg; /* message ids whose snippet is still to make, for out[pend_at[i]] */
    size_t *pend_at, npend;
};

static int
prepare(struct search *s, const char *sql, size_t len, struct db_stmt **st)
{
    return db_prepare(s->c, sql, len, st);
}

static void
search_done(struct search *s)
{
    db_finalize(s->check);
    db_finalize(s->newer);
    db_finalize(s->snip);
    db_finalize(s->light);
    db_finalize(s->phone);
}

static int
search_prepare(struct search *s)
{
    struct buf sql;
    buf_init(&sql, 4096);
    buf_adds(&sql, "SELECT " STORE__CONV_COLS STORE__CONV_FROM "WHERE c.id = :id");
    store__conv_where(&sql, s->f);
    if (s->f->label)
        buf_adds(&sql, " AND EXISTS (SELECT 1 FROM conversation_label cl WHERE cl.label = :label"
                       " AND cl.conversation_id = c.id)");
    int rc = buf_error(&sql);
    if (rc == 0)
        rc = prepare(s, sql.p, sql.len, &s->check);
    buf_release(&sql);
    if (rc < 0)
        return rc;
    store__conv_bind(s->check, s->f);
    /* A match of the conversation at or past the cursor, in the walk's direction. */
    static const char newer_down[] =
        "SELECT 1 FROM message m WHERE m.conversation_id = ?1 AND m.id >= ?2 AND EXISTS "
        "(SELECT 1 FROM message_fts WHERE message_fts MATCH ?3 AND message_fts.rowid = m.id)";
    static const char newer_up[] =
        "SELECT 1 FROM message m WHERE m.conversation_id = ?1 AND m.id <= ?2 AND EXISTS "
        "(SELECT 1 FROM message_fts WHERE message_fts MATCH ?3 AND message_fts.rowid = m.id)";
    static const char snip[] =
        "SELECT snippet(message_fts, 0, char(2), char(3), '…', 16) FROM message_fts "
        "WHERE message_fts MATCH ?1 AND rowid = ?2";
    static const char light[] =
        "SELECT highlight(contact_fts, 0, char(2), char(3)), highlight(contact_fts, 1, char(2), "
        "char(3)), highlight(contact_fts, 2, char(2), char(3)), highlight(contact_fts, 3, "
        "char(2), char(3)) FROM contact_fts WHERE contact_fts MATCH ?1 AND rowid = ?2";
    static const char pg_newer_down[] =
        "SELECT 1 FROM message m WHERE m.conversation_id = ?1 AND m.id >= ?2 AND "
        "to_tsvector('simple', m.text) @@ to_tsquery('simple', ?3)";
    static const char pg_newer_up[] =
        "SELECT 1 FROM message m WHERE m.conversation_id = ?1 AND m.id <= ?2 AND "
        "to_tsvector('simple', m.text) @@ to_tsquery('simple', ?3)";
    static const char pg_snip[] =
        "SELECT ts_headline('simple', text, to_tsquery('simple', ?1), 'StartSel=' || chr(2) || "
        "', StopSel=' || chr(3) || ', MaxWords=16, MinWords=8, ShortWord=0') FROM message "
        "WHERE id = ?2";
    /* The fields of contact_fts, each whole with the words of any term marked; a field only
     * where a term matches it (ts_headline marks the words of a phrase term - "olivia_s" is
     * 'olivia' <-> 's' - even where the phrase is not there; FTS5's highlight does not). */
    static const char pg_light[] =
        "SELECT CASE WHEN to_tsvector('simple', f.a) @@ q THEN ts_headline('simple', f.a, q, o) "
        "END, CASE WHEN to_tsvector('simple', f.b) @@ q THEN ts_headline('simple', f.b, q, o) "
        "END, CASE WHEN to_tsvector('simple', f.c) @@ q THEN ts_headline('simple', f.c, q, o) "
        "END, CASE WHEN to_tsvector('simple', f.d) @@ q THEN ts_headline('simple', f.d, q, o) "
        "END FROM contact ct, to_tsquery('simple', ?1) q, (SELECT 'HighlightAll=true, "
        "StartSel=' || chr(2) || ', StopSel=' || chr(3)) x(o), LATERAL (SELECT ct.name, "
        "coalesce((SELECT string_agg(coalesce(i.handle, '') || ' ' || coalesce(i.name, ''), ' ' "
        "ORDER BY i.id) FROM identity i WHERE i.contact_id = ct.id), ''), coalesce(ct.email, "
        "''), replace(replace(replace(replace(replace(replace(coalesce(ct.phone, ''), ' ', ''), "
        "'+', ''), '-', ''), '(', ''), ')', ''), '.', '')) f(a, b, c, d) WHERE ct.id = ?2";
    static const char phone[] = "SELECT phone FROM contact WHERE id = ?1";
    const char *newer = s->c->pg ? (s->f->oldest_first ? pg_newer_up : pg_newer_down)
                                 : (s->f->oldest_first ? newer_up : newer_down);
    const char *sn = s->c->pg ? pg_snip : snip, *li = s->c->pg ? pg_light : light;
    if ((rc = prepare(s, newer, strlen(newer), &s->newer)) < 0 ||
        (rc = prepare(s, sn, strlen(sn), &s->snip)) < 0 ||
        (rc = prepare(s, li, strlen(li), &s->light)) < 0 ||
        (rc = prepare(s, phone, sizeof(phone) - 1, &s->phone)) < 0)
        return rc;
    store__bind_cstr(s->newer, 3, s->fts);
    store__bind_cstr(s->snip, 1, s->fts);
    store__bind_cstr(s->light, 1, s->cfts);
    return 0;
}

/* What matched in hit 'h', into 'cv': the message's snippet, or the contact's first field
 * with a hit. */
static int
mark_match(struct search *s, const struct hit *h, struct conv *cv)
{
    struct db_stmt *q = h->msg_id ? s->snip : s->light;
    db_bind_i64(q, 2, h->msg_id ? h->msg_id : h->contact_id);
    int rc = db_step(q);
    if (rc == DB_ROW) {
        static const char *const fields[] = { "name", "handle", "email", "phone" };
        int cols = h->msg_id ? 1 : 4;
        for (int i = 0; i < cols; i++) {
            const char *t = db_text(q, i);
            if (t && strchr(t, '\x02')) {
                cv->match = arena_strdup(s->ar, t);
                cv->match_field = h->msg_id ? "message" : fields[i];
                break;
            }
        }
        /* The index holds the phone as digits; show it as the contact wrote it. */
        if (cv->match_field && strcmp(cv->match_field, "phone") == 0) {
            db_bind_i64(s->phone, 1, h->contact_id);
            if (db_step(s->phone) == DB_ROW && db_text(s->phone, 0))
                cv->match = arena_printf(s->ar, "\x02%s\x03",
                                         db_text(s->phone, 0));
            db_reset(s->phone);
        }
    }
    db_reset(q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : store__err(rc);
}

/* Takes hit 'h' when its conversation passes the filters: 1 taken, 0 not, or ERR_*. */
static int
take(struct search *s, const struct hit *h)
{
    db_bind_i64(s->check, db_param(s->check, ":id"), h->conv_id);
    int rc = db_step(s->check);
    if (rc == DB_ROW)
        store__conv_row(s->ar, s->check, &s->out[s->n]);
    db_reset(s->check);
    if (rc == DB_DONE)
        return 0;
    if (rc != DB_ROW)
        return store__err(rc);
    if (s->prefix && h->msg_id) {
        s->pend_msg[s->npend] = h->msg_id;
        s->pend_at[s->npend++] = s->n;
    } else if ((rc = mark_match(s, h, &s->out[s->n])) < 0) {
        return rc;
    }
    s->keys[s->n++] = h->key;
    return 1;
}

/* The snippets of the pending messages, in one pass over the matches between the lowest and
 * the highest of them (the walk read those rows already). */
static int
mark_pending(struct search *s)
{
    size_t n = 0;
    int64_t lo = INT64_MAX, hi = 0;
    struct buf ids;
    buf_init(&ids, 16 * s->npend + 8);
    buf_adds(&ids, "[");
    for (size_t i = 0; i < s->npend; i++) {
        if (s->pend_at[i] >= s->n)
            continue; /* the extra row that only told of a next page */
        buf_printf(&ids, "%s%lld", n++ ? "," : "", (long long)s->pend_msg[i]);
        lo = s->pend_msg[i] < lo ? s->pend_msg[i] : lo;
        hi = s->pend_msg[i] > hi ? s->pend_msg[i] : hi;
    }
    buf_adds(&ids, "]");
    static const char sql[] =
        "SELECT rowid, CASE WHEN rowid IN (SELECT value FROM json_each(?4)) THEN "
        "snippet(message_fts, 0, char(2), char(3), '…', 16) END FROM message_fts "
        "WHERE message_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3";
    struct db_stmt *q = NULL;
    int rc = n ? buf_error(&ids) : 0;
    if (n && rc == 0)
        rc = prepare(s, sql, sizeof(sql) - 1, &q);
    if (n && rc == 0) {
        store__bind_cstr(q, 1, s->fts);
        db_bind_i64(q, 2, lo);
        db_bind_i64(q, 3, hi);
        db_bind_text_ref(q, 4, ids.p, (int)ids.len);
        while ((rc = db_step(q)) == DB_ROW) {
            const char *t = db_text(q, 1);
            int64_t id = db_i64(q, 0);
            for (size_t i = 0; t && i < s->npend; i++)
                if (s->pend_msg[i] == id && s->pend_at[i] < s->n) {
                    s->out[s->pend_at[i]].match = arena_strdup(s->ar, t);
                    s->out[s->pend_at[i]].match_field = "message";
                }
        }
        rc = rc == DB_DONE ? 0 : store__err(rc);
    }
    db_finalize(q);
    buf_release(&ids);
    return rc;
}

/* Whether conversation 'conv_id' has a match at or past 'key' in the walk's direction (it was
 * then shown on an earlier page): 1, 0 or ERR_*. */
static int
matched_before(struct search *s, int64_t conv_id, int64_t key)
{
    db_bind_i64(s->newer, 1, conv_id);
    db_bind_i64(s->newer, 2, key);
    int rc = db_step(s->newer);
    db_reset(s->newer);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : store__err(rc);
}

/* The rows of a contact_hits statement 'q' (bound), which it finalizes. */
static int
read_contact_hits(struct search *s, struct db_stmt *q, struct hit **out, size_t *n)
{
    struct hit *v = NULL;
    size_t cnt = 0, cap = 0;
    int rc;
    while ((rc = db_step(q)) == DB_ROW) {
        STORE__GROW(s->ar, v, cnt, cap);
        v[cnt++] = (struct hit){ .conv_id = db_i64(q, 0),
                                 .contact_id = db_i64(q, 1),
                                 .key = db_i64(q, 2),
                                 .rank = -1e300 };
    }
    db_finalize(q);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

/* Words one PostgreSQL contact lookup takes: each is a parameter (a contact with more distinct
 * words than this in its name, handles and email is not found through them). */
#define SEARCH_PG_WORDS_MAX 32

/* PostgreSQL's contact side: per word, the contacts whose contact_search or one of whose
 * identities' identity_search matches it (both expressions exactly as the baseline's indexes),
 * intersected over the words; and a phone-like q's digits against contact_phone_digits. */
static int
pg_contact_hits(struct search *s, bool up, struct hit **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t words = s->nterms;
    if (words > SEARCH_PG_WORDS_MAX) {
        if (!s->digits)
            return 0;
        words = 0;
    }
    if (!words && !s->digits)
        return 0;
    struct buf sql;
    buf_init(&sql, 1 << 16);
    buf_printf(&sql, "SELECT c.id, c.contact_id, coalesce((SELECT %s(m.id) FROM message m "
                     "WHERE m.conversation_id = c.id), 0) FROM conversation c WHERE "
                     "c.contact_id IN (", up ? "min" : "max");
    for (size_t i = 0; i < words; i++)
        buf_printf(&sql, "%s(SELECT id FROM contact WHERE to_tsvector('simple', name || ' ' || "
                         "coalesce(email, '') || ' ' || replace(replace(replace(replace(replace("
                         "replace(coalesce(phone, ''), ' ', ''), '+', ''), '-', ''), '(', ''), "
                         "')', ''), '.', '')) @@ to_tsquery('simple', ?%zu) UNION SELECT "
                         "contact_id FROM identity WHERE to_tsvector('simple', coalesce(handle, "
                         "'') || ' ' || coalesce(name, '')) @@ to_tsquery('simple', ?%zu))",
                   i ? " INTERSECT " : "", i + 2, i + 2);
    if (s->digits)
        buf_printf(&sql, "%sSELECT id FROM contact WHERE replace(replace(replace(replace(replace("
                         "replace(phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', "
                         "'') = ?%zu", words ? " UNION " : "", words + 2);
    buf_adds(&sql, ") LIMIT ?1");
    struct db_stmt *q = NULL;
    int rc = buf_error(&sql);
    if (rc == 0)
        rc = prepare(s, sql.p, sql.len, &q);
    buf_release(&sql);
    if (rc < 0)
        return rc;
    db_bind_int(q, 1, SEARCH_CONTACT_MAX);
    for (size_t i = 0; i < words; i++)
        store__bind_cstr(q, (int)i + 2, s->terms[i]);
    if (s->digits)
        store__bind_cstr(q, (int)words + 2, s->digits);
    return read_contact_hits(s, q, out, n);
}

/* The conversations of matching contacts, each keyed by its newest message (its oldest when
 * 'up'), at most SEARCH_CONTACT_MAX. */
static int
contact_hits(struct search *s, bool up, struct hit **out, size_t *n)
{
    if (s->c->pg)
        return pg_contact_hits(s, up, out, n);
    char sql[320];
    int len = snprintf(sql, sizeof(sql),
                       "SELECT c.id, c.contact_id, coalesce((SELECT %s(m.id) FROM message m "
                       "WHERE m.conversation_id = c.id), 0) FROM contact_fts "
                       "JOIN conversation c ON c.contact_id = contact_fts.rowid "
                       "WHERE contact_fts MATCH ?1 LIMIT ?2",
                       up ? "min" : "max");
    struct db_stmt *q;
    int rc = prepare(s, sql, (size_t)len, &q);
    if (rc < 0)
        return rc;
    store__bind_cstr(q, 1, s->cfts);
    db_bind_int(q, 2, SEARCH_CONTACT_MAX);
    return read_contact_hits(s, q, out, n);
}
/* Walk order, newest first: by key, then conversation, both descending. */
static int
cmp_down(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->conv_id > y->conv_id ? -1 : x->conv_id < y->conv_id;
}
static int
cmp_up(const void *a, const void *b)
{
    return cmp_down(b, a);
}
/* Best first: rank, then the newest. */
static int
cmp_rank(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return cmp_down(a, b);
}

/* The walk's matching messages, in order. PostgreSQL hands a statement's whole result over at
 * once, so there the statement reads SEARCH_PG_CHUNK rows at a time (LIMIT ?3) and runs again
 * past the last one when a chunk ran out full. */
#define SEARCH_PG_CHUNK 256
struct walk {
    struct db_stmt *ms;
    bool pg, up;
    size_t in_chunk; /* rows of the current chunk read */
    int64_t last;    /* the last message id read */
};

static int
walk_step(struct walk *w)
{
    int rc = db_step(w->ms);
    if (rc == DB_DONE && w->pg && w->in_chunk == SEARCH_PG_CHUNK) {
        db_reset(w->ms);
        db_bind_i64(w->ms, 2, w->up ? w->last + 1 : w->last - 1);
        w->in_chunk = 0;
        rc = db_step(w->ms);
    }
    if (rc == DB_ROW) {
        w->in_chunk++;
        w->last = db_i64(w->ms, 0);
    }
    return rc;
}

/* Newest (or oldest) match first; see the top of the file. */
static int
search_recent(struct search *s, int64_t *next_key, int64_t *next_conv)
{
    const struct conv_filter *f = s->f;
    bool up = f->oldest_first, paged = f->cursor_ts || f->cursor_id;
    int (*cmp)(const void *, const void *) = up ? cmp_up : cmp_down;
    struct hit *ch;
    size_t nch;
    int rc = contact_hits(s, up, &ch, &nch);
    if (rc < 0)
        return rc;
    if (nch > 1)
        qsort(ch, nch, sizeof(*ch), cmp);
    struct hit cur = { .key = f->cursor_ts, .conv_id = f->cursor_id };
    struct idset seen = { 0 };
    size_t ci = 0;
    /* Conversations up to the cursor were shown (or filtered out) on an earlier page. */
    while (paged && ci < nch && cmp(&ch[ci], &cur) <= 0)
        idset_add(s->ar, &seen, ch[ci++].conv_id);

    size_t scan_max = f->scan_max > 0 ? (size_t)f->scan_max : SEARCH_SCAN_MAX;
    char sql[320];
    int len = s->c->pg
        ? snprintf(sql, sizeof(sql),
                   "SELECT m.id, m.conversation_id FROM message m WHERE to_tsvector('simple', "
                   "m.text) @@ to_tsquery('simple', ?1) AND m.id %s ?2 ORDER BY m.id %s "
                   "LIMIT ?3",
                   up ? ">=" : "<=", up ? "ASC" : "DESC")
        : snprintf(sql, sizeof(sql),
                   "SELECT message_fts.rowid, m.conversation_id FROM message_fts "
                   "JOIN message m ON m.id = message_fts.rowid WHERE message_fts MATCH ?1 "
                   "AND message_fts.rowid %s ?2 ORDER BY message_fts.rowid %s",
                   up ? ">=" : "<=", up ? "ASC" : "DESC");
    struct db_stmt *ms;
    if ((rc = prepare(s, sql, (size_t)len, &ms)) < 0)
        return rc;
    store__bind_cstr(ms, 1, s->fts);
    db_bind_i64(ms, 2, paged ? f->cursor_ts : up ? 0 : INT64_MAX);
    struct walk w = { .ms = ms, .pg = s->c->pg, .up = up };
    if (w.pg)
        db_bind_i64(ms, 3, SEARCH_PG_CHUNK);
    struct hit mh = { 0 }, last = { 0 };
    bool have_m = false, more_m = true, bounded = false;
    size_t scanned = 0;
    while (s->n <= s->limit) {
        if (!have_m && more_m) {
            if (scanned == scan_max) {
                bounded = true;
                break;
            }
            rc = walk_step(&w);
            if (rc == DB_ROW) {
                int64_t id = db_i64(ms, 0);
                mh = (struct hit){ .key = id, .msg_id = id,
                                   .conv_id = db_i64(ms, 1) };
                have_m = true;
                scanned++;
            } else if (rc == DB_DONE) {
                more_m = false;
                rc = 0;
            } else {
                rc = store__err(rc);
                break;
            }
        }
        struct hit h;
        if (have_m && (ci >= nch || cmp(&mh, &ch[ci]) < 0)) {
            h = mh;
            have_m = false;
        } else if (ci < nch) {
            h = ch[ci++];
        } else {
            break;
        }
        last = h;
        if (paged && cmp(&h, &cur) <= 0)
            continue;
        if (!idset_add(s->ar, &seen, h.conv_id))
            continue;
        /* Shown already, at a match before the cursor in the walk? */
        if (paged && h.msg_id && (rc = matched_before(s, h.conv_id, f->cursor_ts)) != 0) {
            if (rc < 0)
                break;
            rc = 0;
            continue;
        }
        if ((rc = take(s, &h)) < 0)
            break;
        rc = 0;
    }
    db_finalize(ms);
    if (rc < 0)
        return rc;
    *next_key = *next_conv = 0;
    if (s->n > s->limit) {
        s->n = s->limit;
        *next_key = s->keys[s->n - 1];
        *next_conv = s->out[s->n - 1].id;
    } else if (bounded && last.conv_id) {
        /* Stopped at the scan bound: go on from the last row looked at. */
        *next_key = last.key;
        *next_conv = last.conv_id;
    }
    return 0;
}

/* Best match first; see the top of the file. The cursor is (offset, 1). */
static int
search_ranked(struct search *s, int64_t *next_off, int64_t *next_one)
{
    struct hit *v;
    size_t n, cap;
    int rc = contact_hits(s, false, &v, &n);
    if (rc < 0)
        return rc;
    cap = n;
    static const char sql[] =
        "SELECT message_fts.rowid, m.conversation_id, message_fts.rank FROM message_fts "
        "JOIN message m ON m.id = message_fts.rowid WHERE message_fts MATCH ?1 "
        "ORDER BY message_fts.rowid DESC LIMIT ?2";
    static const char pg_sql[] =
        "SELECT m.id, m.conversation_id, -ts_rank(to_tsvector('simple', m.text), "
        "to_tsquery('simple', ?1)) FROM message m WHERE to_tsvector('simple', m.text) @@ "
        "to_tsquery('simple', ?1) ORDER BY m.id DESC LIMIT ?2";
    const char *text = s->c->pg ? pg_sql : sql;
    struct db_stmt *q;
    if ((rc = prepare(s, text, strlen(text), &q)) < 0)
        return rc;
    store__bind_cstr(q, 1, s->fts);
    db_bind_int(q, 2, SEARCH_RANK_MAX);
    while ((rc = db_step(q)) == DB_ROW) {
        STORE__GROW(s->ar, v, n, cap);
        int64_t id = db_i64(q, 0);
        v[n++] = (struct hit){ .key = id, .msg_id = id, .conv_id = db_i64(q, 1),
                               .rank = db_double(q, 2) };
    }
    db_finalize(q);
    if (rc != DB_DONE)
        return store__err(rc);
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_rank);
    struct idset seen = { 0 };
    int64_t skip = s->f->cursor_ts, passed = 0;
    for (size_t i = 0; i < n && s->n <= s->limit; i++) {
        if (!idset_add(s->ar, &seen, v[i].conv_id))
            continue;
        if (passed < skip) {
            /* Earlier pages: count the ones that pass the filters without keeping them. */
            if ((rc = take(s, &v[i])) < 0)
                return rc;
            passed += rc;
            s->n = s->npend = 0;
            continue;
        }
        if ((rc = take(s, &v[i])) < 0)
            return rc;
    }
    *next_off = *next_one = 0;
    if (s->n > s->limit) {
        s->n = s->limit;
        *next_off = skip + (int64_t)s->limit;
        *next_one = 1;
    }
    return 0;
}

int
store__conv_search(struct store__conn *c, struct arena *ar, const struct conv_filter *f,
                   struct conv **out, size_t *n, int64_t *next_ts, int64_t *next_id)
{
    struct search s = { .c = c, .ar = ar, .f = f };
    s.limit = f->limit > 0 && f->limit <= 200 ? (size_t)f->limit : 50;
    bool unused = false;
    if (c->pg) {
        /* Every snippet is made as its conversation is taken (no FTS5 prefix lists). */
        s.nterms = pg_terms(ar, f->q, &s.terms);
        s.digits = phone_query(ar, f->q);
        s.fts = s.nterms ? pg_join(ar, s.terms, s.nterms, " & ", NULL) : NULL;
        s.cfts = s.nterms ? pg_join(ar, s.terms, s.nterms, " | ", s.digits) : NULL;
    } else {
        s.fts = fts_query(ar, f->q, false, &s.prefix);
        s.cfts = fts_query(ar, f->q, true, &unused);
    }
    s.out = ARENA_NEW_N(ar, struct conv, s.limit + 1);
    s.keys = ARENA_NEW_N(ar, int64_t, s.limit + 1);
    s.pend_msg = ARENA_NEW_N(ar, int64_t, s.limit + 1);
    s.pend_at = ARENA_NEW_N(ar, size_t, s.limit + 1);
    int rc = search_prepare(&s);
    if (rc == 0)
        rc = f->by_relevance ? search_ranked(&s, next_ts, next_id)
                             : search_recent(&s, next_ts, next_id);
    if (rc == 0 && s.npend)
        rc = mark_pending(&s);
    search_done(&s);
    if (rc < 0)
        return rc;
    *out = s.out;
    *n = s.n;
    return 0;
}
