/* SPDX-License-Identifier: MIT */
/*
 * watch.c - the listening service: the active queries compiled into one listen_set,
 * one thread per firehose source, and the path every post takes (match, triage, mention,
 * opportunity flag, spike detector). It is not the matcher or the sources themselves
 * (src/listen/), nor the HTTP API (src/api/listening.c).
 *
 * Threads: each source thread owns its listen_scratch; an HTTP ingest request makes its own.
 * Reloads are serialized by 'reload_mu' and publish a new matcher with listen_set_swap_take,
 * so posts in flight are matched by exactly one query set. The spike detector is shared and
 * guarded by 'spike_mu'; alerts are stored after the lock is released. The ring of recent
 * posts (for back-tests) is guarded by 'ring_mu'; a back-test takes references to its posts
 * under the lock and matches them outside it. The keeper thread renews the leases of the
 * running sources (one instance runs a source among several sharing the database).
 */
#include "base/base.h"
#include "watch/watch.h"

#include <errno.h>
#include <pthread.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/jsonw.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/utf8.h"
#include "classify/classify.h"
#include "listen/listen.h"
#include "store/store.h"

#define QUERIES_MAX 10000          /* active queries compiled into one matcher */
#define LINE_MAX_BYTES (64 * 1024) /* one record of an HTTP ingest batch */
#define CURSOR_SAVE_MS 2000        /* how often a running source saves its cursor */
#define BACKOFF_MIN_MS 1000
/* A source runs on one instance at a time among those sharing the database: the one holding
 * its lease ("listen_source:<id>", st_lease.c), renewed by the keeper thread every
 * LEASE_RENEW_MS; an instance that dies loses it after LEASE_TTL_MS and another takes over
 * from the cursor in the database. */
#define LEASE_TTL_MS 30000
#define LEASE_RENEW_MS 10000
#define BACKOFF_MAX_MS 60000
#define FUTURE_SLACK_MS 60000 /* post times further ahead than this are clamped to now */
#define TEXT_MAX_BYTES (64 * 1024) /* longer posts are not matched (no platform writes them) */

struct worker {
    struct watch *L;
    int64_t id;
    char *spec, *token;
    bool tls;
    pthread_t thread;
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t cv;
    bool stop;
    struct listen_source *src; /* while a run is in progress */
    struct watch_source_status status;
    int64_t saved_ms;   /* mono time of the last cursor save (source thread only) */
    int64_t saved_cursor;
    struct listen_scratch *scratch; /* source thread only */
    bool lease_lost; /* the keeper found another instance holding the lease (guarded by mu) */
    struct worker *next;
};

/* A post the service saw, copied for back-tests: 'p' points into 'data'. Shared by the ring
 * and the back-tests reading it; 'refs' is guarded by the ring's mutex. */
struct recent {
    int refs;
    size_t bytes;   /* what it counts against WATCH_RECENT_BYTES */
    int64_t seen_ms;
    struct listen_post p;
    char data[];
};

struct watch {
    struct store *st;
    struct classify_live *cls; /* the live models; NULL: mentions are stored untriaged */
    char *handles;
    char *cursor_prefix;
    struct listen_set *set;
    pthread_mutex_t reload_mu;
    pthread_mutex_t spike_mu; /* guards 'spike' */
    struct listen_spike *spike;
    int64_t bucket_ms;
    pthread_mutex_t src_mu; /* guards 'workers' */
    struct worker *workers;
    pthread_t keeper;       /* renews the leases of the running sources */
    pthread_mutex_t keeper_mu; /* guards 'keeper_stop' */
    pthread_cond_t keeper_cv;
    bool keeper_stop, keeper_running;
    struct watch_metrics m; /* updated with base/metrics.h atomics */
    pthread_mutex_t ring_mu; /* guards the ring of recent posts and their 'refs' */
    struct recent **ring;    /* WATCH_RECENT_POSTS slots; the oldest is at 'ring_head' */
    size_t ring_head, ring_n, ring_bytes;
};

/* ---- brand handles ---------------------------------------------------------------------- */

static bool
handle_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '-' || ch == '@';
}

static bool
word_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch >= 0x80;
}

/* 'tok' is 'h', or a handle under it ("acme.bsky.social", "acme@mastodon.social"). */
static bool
handle_matches(struct str tok, struct str h)
{
    if (h.len == 0 || tok.len < h.len || strncasecmp(tok.p, h.p, h.len) != 0)
        return false;
    return tok.len == h.len || tok.p[h.len] == '.' || tok.p[h.len] == '@';
}

/* Calls handle_matches for each handle of the comma-separated list. */
static bool
any_handle(struct str tok, const char *handles)
{
    if (!handles)
        return false;
    struct str rest = str_c(handles), h;
    for (;;) {
        bool more = str_cut(rest, ',', &h, &rest);
        if (!more)
            h = rest;
        h = str_trim(h);
        if (h.len && h.p[0] == '@') {
            h.p++;
            h.len--;
        }
        if (handle_matches(tok, h))
            return true;
        if (!more)
            return false;
    }
}

bool
watch_addressed(struct str text, const char *handles)
{
    for (size_t i = 0; i < text.len; i++) {
        if (text.p[i] != '@' || (i > 0 && word_char((unsigned char)text.p[i - 1])))
            continue;
        size_t j = i + 1;
        while (j < text.len && handle_char((unsigned char)text.p[j]))
            j++;
        struct str tok = { text.p + i + 1, j - i - 1 };
        while (tok.len && (tok.p[tok.len - 1] == '.' || tok.p[tok.len - 1] == '-'))
            tok.len--;
        if (any_handle(tok, handles))
            return true;
    }
    return false;
}

bool
watch_is_brand(struct str author, const char *handles)
{
    if (author.len && author.p[0] == '@') {
        author.p++;
        author.len--;
    }
    return author.len > 0 && any_handle(author, handles);
}

/* ---- the path of one post ----------------------------------------------------------------- */

static bool
valid_text(struct str s)
{
    return s.len == 0 || utf8_valid(s);
}

struct outcome {
    bool matched, stored, duplicate;
};

/* Stores one spike alert listing its posts. */
static void
store_alert(struct watch *L, const struct listen_spike_alert *al)
{
    struct spike_alert_row row = { 0 };
    if (str_to_i64(str_c(al->query), 1, INT64_MAX, &row.query_id) < 0)
        return;
    struct buf posts;
    buf_init(&posts, 64 * 1024);
    buf_addc(&posts, '[');
    for (size_t i = 0; i < al->nposts; i++) {
        if (i)
            buf_addc(&posts, ',');
        jsonw_cstr(&posts, al->posts[i]);
    }
    buf_addc(&posts, ']');
    if (buf_error(&posts) < 0) {
        log_warn("listen", "spike alert posts too long; alert not stored", "query=%lld",
                 (long long)row.query_id);
        buf_release(&posts);
        return;
    }
    row.kind = al->kind == LISTEN_SPIKE_NEGATIVE ? "negative" : "volume";
    row.window_start = al->bucket_start_ms;
    row.window_end = al->bucket_start_ms + L->bucket_ms;
    row.volume = al->count;
    row.baseline = al->baseline;
    row.negative_share = al->negative_share;
    row.baseline_negative_share = al->baseline_negative_share;
    row.posts = posts.p;
    int64_t id;
    int rc = store_spike_add(L->st, &row, &id);
    if (rc < 0)
        log_warn("listen", "cannot store spike alert", "query=%lld err=%s",
                 (long long)row.query_id, err_str(rc));
    else
        metrics_add(&L->m.alerts, 1);
    if (rc == 0)
        log_info("listen", "spike", "query=%lld kind=%s count=%u alert=%lld",
                 (long long)row.query_id, row.kind, al->count, (long long)id);
    buf_release(&posts);
}

/* Feeds the spike detector with a newly stored mention of 'nq' queries. */
static void
feed_spikes(struct watch *L, const struct listen_post *p, int sentiment,
            const int64_t *qids, size_t nq)
{
    struct listen_post sp = *p;
    sp.sentiment = sentiment;
    int64_t now = clock_now_ms();
    int64_t t = p->cursor > 0 ? p->cursor / 1000 : p->created_ms > 0 ? p->created_ms : now;
    if (t > now + FUTURE_SLACK_MS)
        t = now;
    struct listen_spike_alert *alerts = NULL;
    size_t nalerts = 0;
    pthread_mutex_lock(&L->spike_mu);
    for (size_t i = 0; i < nq; i++) {
        char id[32];
        snprintf(id, sizeof(id), "%lld", (long long)qids[i]);
        struct listen_spike_alert al;
        if (listen_spike_add(L->spike, str_c(id), &sp, t, &al) == 1) {
            alerts = xrealloc(alerts, (nalerts + 1) * sizeof(*alerts));
            alerts[nalerts++] = al;
        }
    }
    pthread_mutex_unlock(&L->spike_mu);
    for (size_t i = 0; i < nalerts; i++)
        store_alert(L, &alerts[i]);
    xfree(alerts);
}

/* ---- recent posts, for back-tests ---------------------------------------------------------- */

static struct str
copy_into(char **at, struct str s)
{
    struct str out = { *at, s.len };
    if (s.len)
        memcpy(*at, s.p, s.len);
    *at += s.len;
    return out;
}

/* Copies 'p' into the ring, dropping the oldest posts to stay within its bounds. */
static void
remember(struct watch *L, const struct listen_post *p)
{
    size_t len = p->platform.len + p->id.len + p->text.len + p->lang.len + p->author.len +
                 p->url.len;
    struct recent *r = xmalloc(sizeof(*r) + len + 1);
    r->refs = 1;
    r->bytes = sizeof(*r) + len;
    r->seen_ms = clock_now_ms();
    r->p = *p;
    char *at = r->data;
    r->p.platform = copy_into(&at, p->platform);
    r->p.id = copy_into(&at, p->id);
    r->p.text = copy_into(&at, p->text);
    r->p.lang = copy_into(&at, p->lang);
    r->p.author = copy_into(&at, p->author);
    r->p.url = copy_into(&at, p->url);
    pthread_mutex_lock(&L->ring_mu);
    while (L->ring_n > 0 &&
           (L->ring_n == WATCH_RECENT_POSTS || L->ring_bytes + r->bytes > WATCH_RECENT_BYTES)) {
        struct recent *old = L->ring[L->ring_head];
        L->ring[L->ring_head] = NULL;
        L->ring_head = (L->ring_head + 1) % WATCH_RECENT_POSTS;
        L->ring_n--;
        L->ring_bytes -= old->bytes;
        if (--old->refs == 0)
            xfree(old); /* a free is cheap enough to do under the lock */
    }
    L->ring[(L->ring_head + L->ring_n) % WATCH_RECENT_POSTS] = r;
    L->ring_n++;
    L->ring_bytes += r->bytes;
    pthread_mutex_unlock(&L->ring_mu);
}

/* Cuts 's' to at most 'max' bytes without splitting a UTF-8 sequence. */
static size_t
utf8_cut(struct str s, size_t max)
{
    if (s.len <= max)
        return s.len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int
add_example(struct arena *ar, const struct recent *r, struct listen_scratch *scr,
            const struct listen_result *res, struct watch_test_example *ex)
{
    const struct listen_post *p = &r->p;
    size_t tlen = utf8_cut(p->text, WATCH_TEST_TEXT_MAX);
    *ex = (struct watch_test_example){
        .platform = arena_str(ar, p->platform),
        .id = arena_str(ar, p->id),
        .author = arena_str(ar, p->author),
        .text = arena_strndup(ar, p->text.p, tlen),
        .url = arena_str(ar, p->url),
        .lang = arena_str(ar, p->lang),
        .text_cut = tlen < p->text.len,
        .created_ms = p->created_ms,
        .seen_ms = r->seen_ms,
    };
    const uint32_t *hits;
    size_t nhits = listen_match_hits(scr, &hits);
    ex->terms = ARENA_NEW_N(ar, const char *, nhits ? nhits : 1);
    for (size_t i = 0; i < nhits; i++) {
        struct str a = listen_matcher_atom(res->matcher, hits[i]);
        /* The literal carries the word-boundary space the scan needs; the term does not. */
        while (a.len && a.p[a.len - 1] == ' ')
            a.len--;
        bool seen = false;
        for (size_t k = 0; k < ex->nterms && !seen; k++)
            seen = strlen(ex->terms[k]) == a.len && memcmp(ex->terms[k], a.p, a.len) == 0;
        if (a.len && !seen)
            ex->terms[ex->nterms++] = arena_strndup(ar, a.p, a.len);
    }
    return 0;
}

int
watch_test(struct watch *L, struct arena *ar, const char *text, size_t max_examples,
           struct watch_test_result *out, struct errmsg *em, size_t *pos)
{
    if (!L)
        return errmsg_set(em, ERR_UNAVAIL, "listening is not running");
    if (max_examples > WATCH_TEST_EXAMPLES_MAX)
        max_examples = WATCH_TEST_EXAMPLES_MAX;
    size_t at = 0;
    int rc = listen_query_check(str_c(text), em, &at);
    if (rc < 0) {
        if (pos)
            *pos = at;
        return rc;
    }
    struct listen_query q = { .id = STR_LIT("test"), .text = str_c(text) };
    struct listen_matcher *m = NULL;
    rc = listen_matcher_new(&q, 1, &m, em);
    if (rc < 0) {
        if (pos)
            *pos = 0;
        return rc;
    }
    struct listen_set *set = listen_set_new_take(m);
    struct listen_scratch *scr = listen_scratch_new(set);

    /* Take references under the lock and match outside it, so the sources wait only for
     * this copy of pointers, never for the matching. */
    struct recent **snap = xmalloc(WATCH_RECENT_POSTS * sizeof(*snap));
    size_t n = 0;
    pthread_mutex_lock(&L->ring_mu);
    for (size_t i = 0; i < L->ring_n; i++) {
        struct recent *r = L->ring[(L->ring_head + i) % WATCH_RECENT_POSTS];
        r->refs++;
        snap[n++] = r;
    }
    pthread_mutex_unlock(&L->ring_mu);

    struct watch_test_result res = { .scanned = n };
    res.examples = ARENA_NEW_N(ar, struct watch_test_example, max_examples ? max_examples : 1);
    if (n) {
        res.oldest_ms = snap[0]->seen_ms;
        res.newest_ms = snap[n - 1]->seen_ms;
    }
    /* Newest first, so the examples are the latest matches. */
    for (size_t i = n; i-- > 0;) {
        struct listen_result lr;
        ssize_t k = listen_match(scr, &snap[i]->p, &lr);
        if (k <= 0)
            continue;
        res.matched++;
        if (res.nexamples < max_examples &&
            add_example(ar, snap[i], scr, &lr, &res.examples[res.nexamples]) == 0)
            res.nexamples++;
    }
    listen_scratch_free(scr);
    listen_set_free(set);

    pthread_mutex_lock(&L->ring_mu);
    for (size_t i = 0; i < n; i++) {
        if (--snap[i]->refs == 0)
            xfree(snap[i]); /* evicted while we matched it */
    }
    pthread_mutex_unlock(&L->ring_mu);
    xfree(snap);
    *out = res;
    return 0;
}

/* Matches, triages and stores one post. < 0 only for a store failure. */
static int
process(struct watch *L, struct listen_scratch *scr, const struct listen_post *p,
        struct outcome *out)
{
    memset(out, 0, sizeof(*out));
    if (!p->id.len || !p->text.len || p->text.len > TEXT_MAX_BYTES || !utf8_valid(p->text) ||
        !utf8_valid(p->id) ||
        !valid_text(p->platform) || !valid_text(p->author) || !valid_text(p->lang) ||
        !valid_text(p->url) || p->id.len > 1024 || p->author.len > 512 || p->url.len > 2048 ||
        p->lang.len > 35 || p->platform.len > 32)
        return 0;
    metrics_add(&L->m.posts, 1);
    remember(L, p);
    struct listen_result res;
    ssize_t n = listen_match(scr, p, &res);
    if (n <= 0)
        return 0;
    out->matched = true;
    metrics_add(&L->m.matched, 1);

    /* Bounded by the checks above: text 64 KiB, ids and names 4 KiB, 10,000 query ids. */
    struct arena *ar = arena_new(HARK_LISTEN_POST_ARENA_MAX);
    int64_t *qids = ARENA_NEW_N(ar, int64_t, res.n);
    size_t nq = 0;
    for (size_t i = 0; i < res.n; i++) {
        struct str id = listen_matcher_query_id(res.matcher, res.queries[i]);
        if (str_to_i64(id, 1, INT64_MAX, &qids[nq]) == 0)
            nq++;
    }
    /* Ascending ids, as the store returns them. */
    for (size_t i = 1; i < nq; i++) {
        for (size_t k = i; k > 0 && qids[k - 1] > qids[k]; k--) {
            int64_t t = qids[k];
            qids[k] = qids[k - 1];
            qids[k - 1] = t;
        }
    }

    struct mention m = { .urgency = -1 };
    m.platform = p->platform.len ? arena_str(ar, p->platform) : "unknown";
    m.external_id = arena_str(ar, p->id);
    m.author_handle = arena_str(ar, p->author);
    m.text = arena_str(ar, p->text);
    m.lang = p->lang.len ? arena_str(ar, p->lang) : NULL;
    m.url = p->url.len ? arena_str(ar, p->url) : NULL;
    m.created_at = p->created_ms;
    m.author_followers = p->followers;
    m.query_ids = qids;
    m.nqueries = nq;
    int sentiment = p->sentiment;
    enum classify_intent intent = CLASSIFY_INTENT_OTHER;
    if (L->cls) {
        struct triage t;
        const struct classify *cls = classify_live_get(L->cls);
        classify_message(cls, p->text, NULL, &t);
        classify_live_put(cls);
        intent = t.intent;
        m.intent = classify_intent_name(t.intent);
        m.intent_conf = t.intent_conf;
        m.sentiment = classify_sentiment_name(t.sentiment);
        m.sentiment_score = t.sentiment_score;
        m.urgency = t.urgency;
        if (!m.lang && t.lang[0])
            m.lang = arena_strdup(ar, t.lang);
        struct buf b;
        buf_init(&b, 1024);
        buf_addc(&b, '[');
        for (size_t i = 0; i < t.nreasons; i++)
            buf_printf(&b, "%s{\"code\":\"%s\",\"points\":%d}", i ? "," : "",
                       t.reasons[i].code, t.reasons[i].points);
        buf_addc(&b, ']');
        /* A fixed, short list of reasons always fits; never store a cut JSON array. */
        m.urgency_reasons = buf_error(&b) < 0 ? "[]" : arena_strndup(ar, b.p, b.len);
        buf_release(&b);
        sentiment = t.sentiment == CLASSIFY_SENTIMENT_NEGATIVE   ? -1
                    : t.sentiment == CLASSIFY_SENTIMENT_POSITIVE ? 1
                                                                 : 0;
    }
    m.addressed_to_brand = watch_addressed(p->text, L->handles);
    m.opportunity = !m.addressed_to_brand && !watch_is_brand(p->author, L->handles) &&
                    (intent == CLASSIFY_INTENT_COMPLAINT ||
                     intent == CLASSIFY_INTENT_PURCHASE_INTENT);

    int64_t id;
    bool dup;
    int rc = store_mention_add(L->st, &m, &id, &dup);
    if (rc == 0) {
        out->duplicate = dup;
        out->stored = !dup;
        metrics_add(dup ? &L->m.duplicates : &L->m.mentions, 1);
        /* A replayed post must not count twice in its bucket. */
        if (!dup)
            feed_spikes(L, p, sentiment, qids, nq);
    } else {
        log_warn("listen", "cannot store mention", "err=%s", err_str(rc));
    }
    arena_free(ar);
    return rc;
}

/* ---- queries ---------------------------------------------------------------------------- */

int
watch_reload(struct watch *L, struct errmsg *em)
{
    if (!L)
        return errmsg_set(em, ERR_UNAVAIL, "listening is not running");
    pthread_mutex_lock(&L->reload_mu);
    /* Up to QUERIES_MAX rows of at most LISTEN_QUERY_MAX bytes each (memory is taken lazily). */
    struct arena *ar = arena_new(HARK_LISTEN_RELOAD_ARENA_MAX);
    struct listen_query_row *rows;
    size_t n;
    struct listen_matcher *m = NULL;
    int rc = store_listen_query_list(L->st, ar, true, QUERIES_MAX, &rows, &n);
    if (rc == 0) {
        struct listen_query *qs = ARENA_NEW_N(ar, struct listen_query, n ? n : 1);
        for (size_t i = 0; i < n; i++) {
            qs[i].id = str_c(arena_printf(ar, "%lld", (long long)rows[i].id));
            qs[i].text = str_c(rows[i].text);
        }
        rc = listen_matcher_new(qs, n, &m, em);
    }
    if (rc == 0) {
        listen_set_swap_take(L->set, m);
        log_info("listen", "queries loaded", "count=%zu", n);
    } else {
        log_warn("listen", "cannot compile queries; keeping the previous set", "err=%s",
                 err_str(rc));
    }
    arena_free(ar);
    pthread_mutex_unlock(&L->reload_mu);
    return rc;
}

/* ---- HTTP ingest ------------------------------------------------------------------------ */

/* Calls 'fn' on each non-empty line of 'body'; stops at the first error. */
static int
each_line(struct str body, int (*fn)(struct str line, size_t no, void *arg), void *arg)
{
    size_t no = 0;
    struct str rest = body, line;
    while (rest.len) {
        bool more = str_cut(rest, '\n', &line, &rest);
        if (!more) {
            line = rest;
            rest = STR_NULL;
        }
        no++;
        line = str_trim(line);
        if (!line.len)
            continue;
        int rc = fn(line, no, arg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

struct ingest_ctx {
    struct watch *L;
    struct listen_decoder *dec;
    struct listen_scratch *scr;
    struct watch_ingest_result *res;
    struct errmsg *em;
    bool store;
};

static int
ingest_line(struct str line, size_t no, void *arg)
{
    struct ingest_ctx *x = arg;
    if (!x->store) {
        if (++x->res->lines > WATCH_INGEST_LINES)
            return errmsg_set(x->em, ERR_TOOBIG, "more than %d lines",
                              WATCH_INGEST_LINES);
        if (line.len > LINE_MAX_BYTES)
            return errmsg_set(x->em, ERR_TOOBIG, "line %zu: longer than %d bytes", no,
                              LINE_MAX_BYTES);
    }
    struct listen_post p;
    int rc = listen_decode_line(x->dec, line, &p);
    if (rc < 0)
        return errmsg_set(x->em, ERR_INVAL,
                          "line %zu: not a post record (flat JSON, Jetstream event or "
                          "Mastodon status)", no);
    if (rc == 0 || !x->store)
        return 0;
    x->res->posts++;
    struct outcome o;
    rc = process(x->L, x->scr, &p, &o);
    if (rc < 0)
        return errmsg_set(x->em, rc, "cannot store mentions");
    x->res->matched += o.matched;
    x->res->stored += o.stored;
    x->res->duplicates += o.duplicate;
    return 0;
}

int
watch_ingest(struct watch *L, struct str body, struct watch_ingest_result *out,
                   struct errmsg *em)
{
    if (!L)
        return errmsg_set(em, ERR_UNAVAIL, "listening is not running");
    struct watch_ingest_result res = { 0 };
    struct ingest_ctx x = { .L = L, .dec = listen_decoder_new(), .res = &res, .em = em };
    /* Validate every line before storing any, so a bad batch changes nothing. */
    int rc = each_line(body, ingest_line, &x);
    if (rc == 0) {
        x.store = true;
        x.scr = listen_scratch_new(L->set);
        rc = each_line(body, ingest_line, &x);
        listen_scratch_free(x.scr);
    }
    listen_decoder_free(x.dec);
    if (rc == 0)
        *out = res;
    return rc;
}

/* ---- source threads ----------------------------------------------------------------------- */

static void
cursor_path(struct worker *w, char *out, size_t n)
{
    snprintf(out, n, "%s.listen-%lld.cursor", w->L->cursor_prefix, (long long)w->id);
}

static void
save_cursor(struct worker *w, int64_t cursor)
{
    if (cursor <= 0 || cursor == w->saved_cursor)
        return;
    char text[32];
    snprintf(text, sizeof(text), "%lld", (long long)cursor);
    int rc = store_listen_source_set_cursor(w->L->st, w->id, text);
    if (rc < 0) {
        log_warn("listen", "cannot save source cursor", "source=%lld err=%s", (long long)w->id,
                 err_str(rc));
        return;
    }
    w->saved_cursor = cursor;
}

static int
on_post(const struct listen_post *p, void *arg)
{
    struct worker *w = arg;
    struct outcome o;
    process(w->L, w->scratch, p, &o);
    struct listen_source_stats st;
    listen_source_stats(w->src, &st);
    pthread_mutex_lock(&w->mu);
    w->status.connected_once = true;
    w->status.posts = st.posts;
    w->status.reconnects = st.reconnects;
    w->status.cursor = st.cursor;
    pthread_mutex_unlock(&w->mu);
    int64_t now = clock_mono_ms();
    if (now - w->saved_ms >= CURSOR_SAVE_MS) {
        w->saved_ms = now;
        save_cursor(w, st.cursor);
    }
    return 0;
}

/* Writes the database's cursor into the library's cursor file, so a new run resumes there. */
static void
seed_cursor_file(struct worker *w, const char *path)
{
    struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
    struct listen_source_row row;
    if (store_listen_source_get(w->L->st, ar, w->id, &row) == 0 && row.cursor) {
        char tmp[4200];
        snprintf(tmp, sizeof(tmp), "%s.seed", path);
        FILE *f = fopen(tmp, "w");
        if (f) {
            bool ok = fprintf(f, "%s\n", row.cursor) > 0;
            ok = fclose(f) == 0 && ok;
            if (!ok || rename(tmp, path) != 0)
                log_warn("listen", "cannot write cursor file", "source=%lld errno=%d",
                         (long long)w->id, errno);
        }
        str_to_i64(str_c(row.cursor), 0, INT64_MAX, &w->saved_cursor);
    } else {
        /* No saved position: a file left from an older database must not be resumed. */
        unlink(path);
    }
    arena_free(ar);
}

/* The database's cursor of the source (0: none), for a run without a cursor file. */
static int64_t
db_cursor(struct worker *w)
{
    struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
    struct listen_source_row row;
    int64_t v = 0;
    if (store_listen_source_get(w->L->st, ar, w->id, &row) == 0 && row.cursor &&
        str_to_i64(str_c(row.cursor), 1, INT64_MAX, &v) == 0)
        w->saved_cursor = v;
    else
        v = 0;
    arena_free(ar);
    return v;
}

/* Sleeps 'ms' unless stopped first; true when stopped. */
static bool
wait_stop(struct worker *w, int64_t ms)
{
    int64_t until = clock_now_ms() + ms;
    pthread_mutex_lock(&w->mu);
    while (!w->stop && clock_timedwait(&w->cv, &w->mu, until) == 0) {
    }
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void
lease_name(const struct worker *w, char *out, size_t n)
{
    snprintf(out, n, "listen_source:%lld", (long long)w->id);
}

/* Waits until this instance holds the source's lease; false when stopped first. */
static bool
take_lease(struct worker *w)
{
    char name[64];
    lease_name(w, name, sizeof(name));
    bool told = false;
    for (;;) {
        bool held = false;
        int rc = store_lease_hold(w->L->st, name, LEASE_TTL_MS, &held);
        if (held)
            return true;
        if (!told) {
            pthread_mutex_lock(&w->mu);
            snprintf(w->status.error, sizeof(w->status.error), "%s",
                     rc < 0 ? "cannot take the source's lease"
                            : "running on another instance");
            pthread_mutex_unlock(&w->mu);
            log_info("listen", "source runs on another instance; waiting", "source=%lld",
                     (long long)w->id);
            told = true;
        }
        if (wait_stop(w, LEASE_RENEW_MS))
            return false;
    }
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    char path[4096] = "";
    if (w->L->cursor_prefix)
        cursor_path(w, path, sizeof(path));
    w->scratch = listen_scratch_new(w->L->set);
    int64_t backoff = BACKOFF_MIN_MS;
    for (;;) {
        if (!take_lease(w))
            break;
        int64_t cursor = 0;
        if (path[0])
            seed_cursor_file(w, path);
        else
            cursor = db_cursor(w);
        struct listen_source_opts opts = { .cursor_file = path[0] ? path : NULL,
                                           .cursor = cursor,
                                           .token = w->token,
                                           .tls = w->tls };
        struct listen_source *src = NULL;
        struct errmsg em = { 0 };
        int rc = listen_source_open(w->spec, &opts, &src, &em);
        if (rc < 0) {
            pthread_mutex_lock(&w->mu);
            snprintf(w->status.error, sizeof(w->status.error), "%s", em.text);
            pthread_mutex_unlock(&w->mu);
            log_warn("listen", "cannot open source", "source=%lld err=\"%s\"", (long long)w->id,
                     em.text);
            break;
        }
        pthread_mutex_lock(&w->mu);
        bool stop = w->stop;
        if (!stop)
            w->src = src;
        pthread_mutex_unlock(&w->mu);
        if (stop) {
            listen_source_free(src);
            break;
        }
        log_info("listen", "source started", "source=%lld", (long long)w->id);
        uint64_t before = w->status.posts;
        rc = listen_source_run(src, on_post, w, &em);
        struct listen_source_stats st;
        listen_source_stats(src, &st);
        save_cursor(w, st.cursor);
        pthread_mutex_lock(&w->mu);
        w->src = NULL;
        stop = w->stop;
        if (rc < 0)
            snprintf(w->status.error, sizeof(w->status.error), "%s",
                     em.set ? em.text : err_str(rc));
        else
            snprintf(w->status.error, sizeof(w->status.error), "stream ended");
        bool progressed = w->status.posts > before;
        bool lost = w->lease_lost;
        w->lease_lost = false;
        pthread_mutex_unlock(&w->mu);
        listen_source_free(src);
        if (stop)
            break;
        if (lost) {
            log_warn("listen", "source lease taken by another instance; stopped here",
                     "source=%lld", (long long)w->id);
            continue; /* take_lease waits until it is ours again */
        }
        if (rc == ERR_AUTH || rc == ERR_PERM) {
            /* A refused token stays refused: wait for an admin to fix the source. */
            log_warn("listen", "source refused our credentials; stopped", "source=%lld",
                     (long long)w->id);
            break;
        }
        if (progressed)
            backoff = BACKOFF_MIN_MS;
        log_warn("listen", "source stopped; restarting", "source=%lld err=%s in_ms=%lld",
                 (long long)w->id, err_str(rc), (long long)backoff);
        if (wait_stop(w, backoff))
            break;
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    listen_scratch_free(w->scratch);
    w->scratch = NULL;
    pthread_mutex_lock(&w->mu);
    w->status.running = false;
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void
worker_stop(struct worker *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    if (w->src)
        listen_source_stop(w->src);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    char name[64];
    lease_name(w, name, sizeof(name));
    store_lease_release(w->L->st, name); /* another instance may take it over at once */
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    xfree(w->spec);
    xfree(w->token);
    xfree(w);
}

static int
worker_start(struct watch *L, const struct listen_source_row *row)
{
    struct worker *w = xcalloc(1, sizeof(*w));
    w->L = L;
    w->id = row->id;
    w->spec = xstrdup(row->spec);
    w->token = row->token ? xstrdup(row->token) : NULL;
    w->tls = row->tls;
    w->status.running = true;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        xfree(w->spec);
        xfree(w->token);
        xfree(w);
        return ERR_IO;
    }
    w->next = L->workers;
    L->workers = w;
    return 0;
}

int
watch_sources_reload(struct watch *L)
{
    if (!L)
        return ERR_UNAVAIL;
    struct arena *ar = arena_new(HARK_LISTEN_SOURCES_ARENA_MAX);
    struct listen_source_row *rows;
    size_t n;
    pthread_mutex_lock(&L->src_mu);
    int rc = store_listen_source_list(L->st, ar, WATCH_SOURCES_MAX, &rows, &n);
    if (rc == 0) {
        /* Stop the threads of sources that are gone or inactive. */
        for (struct worker **pp = &L->workers; *pp;) {
            struct worker *w = *pp;
            bool keep = false;
            for (size_t i = 0; i < n; i++)
                keep = keep || (rows[i].id == w->id && rows[i].active);
            if (keep) {
                pp = &w->next;
                continue;
            }
            *pp = w->next;
            log_info("listen", "source stopped", "source=%lld", (long long)w->id);
            bool deleted = true;
            for (size_t i = 0; i < n; i++)
                deleted = deleted && rows[i].id != w->id;
            char path[4096] = "";
            if (deleted && L->cursor_prefix)
                cursor_path(w, path, sizeof(path));
            worker_stop(w);
            /* SQLite may give the next source this id again: it must not inherit the file. */
            if (path[0])
                unlink(path);
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            bool running = false;
            for (struct worker *w = L->workers; w; w = w->next)
                running = running || w->id == rows[i].id;
            if (rows[i].active && !running)
                rc = worker_start(L, &rows[i]);
        }
    }
    pthread_mutex_unlock(&L->src_mu);
    arena_free(ar);
    return rc;
}

void
watch_source_status(struct watch *L, int64_t id, struct watch_source_status *out)
{
    memset(out, 0, sizeof(*out));
    if (!L)
        return;
    pthread_mutex_lock(&L->src_mu);
    for (struct worker *w = L->workers; w; w = w->next) {
        if (w->id != id)
            continue;
        pthread_mutex_lock(&w->mu);
        *out = w->status;
        if (w->src) {
            /* A run in progress that cannot connect retries for a while before it ends with
             * an error: say so meanwhile (approximate: read from another thread). */
            struct listen_source_stats st;
            listen_source_stats(w->src, &st);
            out->failures = st.failures;
        }
        pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_unlock(&L->src_mu);
}

void
watch_metrics(struct watch *L, struct watch_metrics *out)
{
    memset(out, 0, sizeof(*out));
    if (!L)
        return;
    out->posts = metrics_get(&L->m.posts);
    out->matched = metrics_get(&L->m.matched);
    out->mentions = metrics_get(&L->m.mentions);
    out->duplicates = metrics_get(&L->m.duplicates);
    out->alerts = metrics_get(&L->m.alerts);
    pthread_mutex_lock(&L->src_mu);
    for (struct worker *w = L->workers; w; w = w->next) {
        pthread_mutex_lock(&w->mu);
        out->sources_running += w->status.running;
        pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_unlock(&L->src_mu);
}

/* ---- leases ------------------------------------------------------------------------------- */

/* Every LEASE_RENEW_MS, renews the lease of each source running here; a source whose lease
 * another instance now holds (this one was cut off from the database longer than the lease)
 * is stopped, and its thread waits for the lease again. */
static void *
keeper_main(void *arg)
{
    struct watch *L = arg;
    for (;;) {
        int64_t until = clock_now_ms() + LEASE_RENEW_MS;
        pthread_mutex_lock(&L->keeper_mu);
        while (!L->keeper_stop && clock_timedwait(&L->keeper_cv, &L->keeper_mu, until) == 0) {
        }
        bool stop = L->keeper_stop;
        pthread_mutex_unlock(&L->keeper_mu);
        if (stop)
            break;
        pthread_mutex_lock(&L->src_mu);
        for (struct worker *w = L->workers; w; w = w->next) {
            pthread_mutex_lock(&w->mu);
            bool running = w->src != NULL;
            pthread_mutex_unlock(&w->mu);
            if (!running)
                continue;
            char name[64];
            lease_name(w, name, sizeof(name));
            bool held = false;
            if (store_lease_hold(L->st, name, LEASE_TTL_MS, &held) < 0)
                continue; /* the database is away: keep running until the lease is taken */
            if (held)
                continue;
            pthread_mutex_lock(&w->mu);
            w->lease_lost = true;
            if (w->src)
                listen_source_stop(w->src);
            pthread_mutex_unlock(&w->mu);
        }
        pthread_mutex_unlock(&L->src_mu);
    }
    return NULL;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

int
watch_start(struct store *st, struct classify_live *cls, const struct watch_config *cfg,
            struct watch **out, struct errmsg *em)
{
    struct watch *L = xcalloc(1, sizeof(*L));
    L->st = st;
    L->cls = cls;
    L->handles = xstrdup(cfg->brand_handles ? cfg->brand_handles : "");
    L->cursor_prefix = cfg->cursor_prefix ? xstrdup(cfg->cursor_prefix) : NULL;
    L->bucket_ms = cfg->bucket_ms > 0 ? cfg->bucket_ms : 5 * 60 * 1000;
    L->set = listen_set_new_take(NULL);
    struct listen_spike_opts so = { .bucket_ms = L->bucket_ms };
    L->spike = listen_spike_new(&so);
    pthread_mutex_init(&L->reload_mu, NULL);
    pthread_mutex_init(&L->spike_mu, NULL);
    pthread_mutex_init(&L->src_mu, NULL);
    pthread_mutex_init(&L->ring_mu, NULL);
    pthread_mutex_init(&L->keeper_mu, NULL);
    pthread_cond_init(&L->keeper_cv, NULL);
    L->keeper_running = pthread_create(&L->keeper, NULL, keeper_main, L) == 0;
    L->ring = xcalloc(WATCH_RECENT_POSTS, sizeof(*L->ring));
    /* A stored set that no longer compiles (queries are checked before they are stored, so
     * only a Hyperscan refusal) must not keep the server down: run with no queries, logged. */
    struct errmsg qem = { 0 };
    watch_reload(L, &qem);
    int rc = watch_sources_reload(L);
    if (rc < 0) {
        errmsg_set(em, rc, "cannot start the listening sources");
        watch_stop(L);
        return rc;
    }
    *out = L;
    return 0;
}

void
watch_stop(struct watch *L)
{
    if (!L)
        return;
    if (L->keeper_running) {
        pthread_mutex_lock(&L->keeper_mu);
        L->keeper_stop = true;
        pthread_cond_signal(&L->keeper_cv);
        pthread_mutex_unlock(&L->keeper_mu);
        pthread_join(L->keeper, NULL);
    }
    pthread_mutex_destroy(&L->keeper_mu);
    pthread_cond_destroy(&L->keeper_cv);
    pthread_mutex_lock(&L->src_mu);
    while (L->workers) {
        struct worker *w = L->workers;
        L->workers = w->next;
        worker_stop(w);
    }
    pthread_mutex_unlock(&L->src_mu);
    listen_set_free(L->set);
    listen_spike_free(L->spike);
    pthread_mutex_destroy(&L->reload_mu);
    pthread_mutex_destroy(&L->spike_mu);
    pthread_mutex_destroy(&L->src_mu);
    /* No back-test runs any more (the HTTP server has stopped): the ring holds the last
     * reference of every post. */
    for (size_t i = 0; i < L->ring_n; i++)
        xfree(L->ring[(L->ring_head + i) % WATCH_RECENT_POSTS]);
    xfree(L->ring);
    pthread_mutex_destroy(&L->ring_mu);
    xfree(L->handles);
    xfree(L->cursor_prefix);
    xfree(L);
}

/* ---- changes to queries and sources ------------------------------------------------------ */

static void
reload_queries(struct watch *w)
{
    struct errmsg em = { 0 };
    /* The rows are durable either way; a failed compile keeps the previous set and is logged
     * by watch_reload. */
    (void)watch_reload(w, &em);
}

int
watch_query_add(struct watch *w, struct store *st, const char *name, const char *text,
                bool active, int64_t *id)
{
    int rc = store_listen_query_add(st, name, text, active, id);
    if (rc < 0)
        return rc;
    reload_queries(w);
    return 0;
}

int
watch_query_update(struct watch *w, struct store *st, int64_t id, const char *name,
                   const char *text, int active)
{
    int rc = store_listen_query_update(st, id, name, text, active);
    if (rc < 0)
        return rc;
    reload_queries(w);
    return 0;
}

int
watch_query_delete(struct watch *w, struct store *st, int64_t id)
{
    int rc = store_listen_query_delete(st, id);
    if (rc < 0)
        return rc;
    reload_queries(w);
    return 0;
}

int
watch_source_add(struct watch *w, struct store *st, const char *spec, bool tls,
                 const char *token, bool active, int64_t *id)
{
    int rc = store_listen_source_add(st, spec, tls, token, active, id);
    if (rc < 0)
        return rc;
    (void)watch_sources_reload(w);
    return 0;
}

int
watch_source_update(struct watch *w, struct store *st, int64_t id, int active,
                    const char *spec, int tls, const char *token)
{
    if (w && (spec || tls >= 0 || token)) {
        /* Stop the thread first: it saves its cursor as it stops, which must not land after
         * a new spec has cleared it. watch_sources_reload starts it again with the new row. */
        pthread_mutex_lock(&w->src_mu);
        for (struct worker **pp = &w->workers; *pp; pp = &(*pp)->next) {
            struct worker *k = *pp;
            if (k->id != id)
                continue;
            *pp = k->next;
            worker_stop(k);
            break;
        }
        pthread_mutex_unlock(&w->src_mu);
    }
    int rc = store_listen_source_update(st, id, active, spec, tls, token);
    (void)watch_sources_reload(w);
    return rc;
}

int
watch_source_delete(struct watch *w, struct store *st, int64_t id)
{
    int rc = store_listen_source_delete(st, id);
    if (rc < 0)
        return rc;
    (void)watch_sources_reload(w);
    return 0;
}
