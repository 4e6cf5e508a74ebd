/* SPDX-License-Identifier: MIT */
/*
 * listen_bench.c - the social-listening benchmark (run by bench/50-listen.sh).
 *
 * Generates N realistic Bluesky Jetstream post events (JSON exactly in the §8.3 shape, texts
 * drawn from the public data sets in ../shared/data, in 8 languages, with handles, hashtags,
 * emoji, links and replies), builds 1,000 and 10,000 queries from the same vocabulary, and
 * times on one thread, in chunks so the corpus never sits in memory whole:
 *   (a) the full pipeline: JSON bytes -> listen_decode_jetstream -> listen_match
 *   (b) the matching stage alone: listen_match on already-decoded posts
 *   (c) the anchor: raw Hyperscan (one literal database of the same literals the matcher
 *       compiled, caseless) scanning the same texts with a counting callback
 * It also writes the texts and literals for the grep anchor (d) that the script times.
 * This is a benchmark tool, not part of the server, so it may include <hs.h> directly.
 */
#include "base/base.h"
#include "listen/listen.h"

#include <dirent.h>
#include <hs.h>
#include <time.h>

#define CHUNK 100000
#define LISTEN_FOLD_BOUND_BENCH (1024 * 8 + 16)

struct line {
    char *text;
    const char *lang;
};

static struct line *lines;
static size_t nlines, lines_cap;
static char **vocab;
static size_t nvocab;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t
rndn(size_t n)
{
    return (size_t)(rnd() % n);
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
add_line(const char *s, size_t n, const char *lang)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == '"'))
        n--;
    while (n > 0 && (*s == ' ' || *s == '"')) {
        s++;
        n--;
    }
    if (n < 8 || n > 400)
        return;
    if (nlines == lines_cap) {
        lines_cap = lines_cap ? lines_cap * 2 : 4096;
        lines = xrealloc(lines, lines_cap * sizeof(*lines));
    }
    lines[nlines].text = xstrndup(s, n);
    lines[nlines].lang = lang;
    nlines++;
}

/* kind 0: one text per line; 1: CSV "text,label" (text before the last comma);
 * 2: CSV "flags,utterance,..." (second field). */
static void
load_file(const char *path, const char *lang, int kind)
{
    FILE *f = fopen(path, "r");
    char *l = NULL;
    size_t cap = 0;
    ssize_t n;
    bool header = kind != 0;

    if (!f)
        return;
    while ((n = getline(&l, &cap, f)) > 0) {
        if (header) {
            header = false;
            continue;
        }
        if (kind == 1) {
            char *c = memrchr(l, ',', (size_t)n);
            if (c)
                add_line(l, (size_t)(c - l), lang);
        } else if (kind == 2) {
            char *a = memchr(l, ',', (size_t)n), *b;
            if (!a)
                continue;
            b = memchr(a + 1, ',', (size_t)(n - (a + 1 - l)));
            if (b)
                add_line(a + 1, (size_t)(b - a - 1), lang);
        } else {
            add_line(l, (size_t)n, lang);
        }
    }
    free(l);
    fclose(f);
}

static int
cmp_count(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[1] < y[1] ? 1 : x[1] > y[1] ? -1 : 0;
}

/* Vocabulary: ASCII-lowercase words of 4+ letters, by descending frequency. */
static void
build_vocab(void)
{
    size_t cap = 1 << 18, n = 0;
    char **keys = xcalloc(cap, sizeof(*keys));
    size_t *counts = xcalloc(cap, sizeof(*counts));

    for (size_t i = 0; i < nlines; i++) {
        const char *s = lines[i].text;
        while (*s) {
            char w[32];
            size_t k = 0;
            while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
                s++;
            while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
                if (k < sizeof(w) - 1)
                    w[k++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
                s++;
            }
            w[k] = '\0';
            if (k < 4 || k > 20)
                continue;
            uint64_t h = 1469598103934665603ull;
            for (size_t j = 0; j < k; j++)
                h = (h ^ (unsigned char)w[j]) * 1099511628211ull;
            size_t slot = h & (cap - 1);
            while (keys[slot] && strcmp(keys[slot], w) != 0)
                slot = (slot + 1) & (cap - 1);
            if (!keys[slot]) {
                if (n * 2 > cap)
                    continue;
                keys[slot] = xstrdup(w);
                n++;
            }
            counts[slot]++;
        }
    }
    size_t (*pairs)[2] = xcalloc(n, sizeof(*pairs));
    size_t k = 0;
    for (size_t i = 0; i < cap; i++) {
        if (keys[i]) {
            pairs[k][0] = i;
            pairs[k][1] = counts[i];
            k++;
        }
    }
    qsort(pairs, k, sizeof(*pairs), cmp_count);
    vocab = xcalloc(k, sizeof(*vocab));
    for (size_t i = 0; i < k; i++)
        vocab[i] = keys[pairs[i][0]];
    nvocab = k;
    free(pairs);
    free(keys);
    free(counts);
}

/* A query term from the long tail of the vocabulary: brand and product names are rare words,
 * so a realistic query set matches a few percent of the firehose, not most of it. */
static char *brands[5000];

static const char *
term(void)
{
    size_t lo = nvocab > 4000 ? 1500 : 0, hi = nvocab;
    if (rndn(2) == 0)
        return brands[rndn(COUNTOF(brands))];
    return vocab[lo + rndn(hi - lo)];
}

/* Made-up brand names ("zorvexa"): half of all query terms, mentioned by 3% of posts. */
static void
make_brands(void)
{
    static const char *syl[] = { "zor", "vex", "qua", "lin", "tro", "bex", "mira", "kol", "dax",
                                 "fen", "ulo", "ryn", "sto", "pix", "nor", "gal", "vio", "tek" };
    for (size_t i = 0; i < COUNTOF(brands); i++) {
        char b[32];
        snprintf(b, sizeof(b), "%s%s%s", syl[rndn(COUNTOF(syl))], syl[rndn(COUNTOF(syl))],
                 syl[rndn(COUNTOF(syl))]);
        brands[i] = xstrdup(b);
    }
}

static char *
make_query(size_t i)
{
    char q[256];
    switch (i % 20) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
        snprintf(q, sizeof(q), "%s", term());
        break;
    case 8: case 9: case 10: {
        /* One phrase in four is a real bigram of long words, so phrases do match. */
        const char *t = lines[rndn(nlines)].text, *w1 = NULL, *w2 = NULL;
        size_t l1 = 0, l2 = 0;
        for (const char *c = t; *c && rndn(4) == 0 && !w2;) {
            const char *s0 = c;
            while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))
                c++;
            size_t len = (size_t)(c - s0);
            if (len >= 6 && *c == ' ') {
                if (w1 && s0 == w1 + l1 + 1) {
                    w2 = s0;
                    l2 = len;
                } else {
                    w1 = s0;
                    l1 = len;
                }
            } else {
                w1 = NULL;
            }
            while (*c && !((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
                c++;
        }
        if (w2)
            snprintf(q, sizeof(q), "\"%.*s %.*s\"", (int)l1, w1, (int)l2, w2);
        else
            snprintf(q, sizeof(q), "\"%s %s\"", term(), term());
        break;
    }
    case 11: case 12: case 13:
        snprintf(q, sizeof(q), "%s OR %s OR %s", term(), term(), term());
        break;
    case 14: case 15:
        snprintf(q, sizeof(q), "%s AND (%s OR %s)", term(), term(), term());
        break;
    case 16: case 17: {
        const char *t = term();
        snprintf(q, sizeof(q), "%.7s*", t);
        break;
    }
    case 18:
        snprintf(q, sizeof(q), "%s NEAR/3 %s", term(), term());
        break;
    default:
        snprintf(q, sizeof(q), "%s -%s lang:en", term(), term());
        break;
    }
    return xstrdup(q);
}

static void
rand_b32(char *out, size_t n)
{
    static const char a[] = "abcdefghijklmnopqrstuvwxyz234567";
    for (size_t i = 0; i < n; i++)
        out[i] = a[rndn(32)];
    out[n] = '\0';
}

static void
json_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
}

static const char *emoji[] = { "🔥", "😡", "😂", "👍", "🙏", "💔", "🎉", "😭" };

/* Appends one Jetstream event line to 'f'. */
static void
gen_event(FILE *f, int64_t time_us)
{
    char did[25], rkey[14], rev[14], cid[53], pdid[25], prkey[14], pcid[53];
    const struct line *l = &lines[rndn(nlines)];
    char text[1024];
    size_t r = rndn(100);
    int n;

    rand_b32(did, 24);
    rand_b32(rkey, 13);
    rand_b32(rev, 13);
    rand_b32(cid, 52);
    n = snprintf(text, sizeof(text), "%s", l->text);
    if (r < 35 && n < 700)
        n += snprintf(text + n, sizeof(text) - (size_t)n, " %s", lines[rndn(nlines)].text);
    if (rndn(100) < 3 && n < 900)
        n += snprintf(text + n, sizeof(text) - (size_t)n, " %s", brands[rndn(COUNTOF(brands))]);
    if (rndn(100) < 15 && n < 900)
        n += snprintf(text + n, sizeof(text) - (size_t)n, " #%s", vocab[rndn(nvocab)]);
    if (rndn(100) < 10 && n < 900)
        n += snprintf(text + n, sizeof(text) - (size_t)n, " @%s.bsky.social", vocab[rndn(nvocab)]);
    if (rndn(100) < 12 && n < 900)
        n += snprintf(text + n, sizeof(text) - (size_t)n, " %s", emoji[rndn(COUNTOF(emoji))]);
    if (rndn(100) < 8 && n < 900)
        snprintf(text + n, sizeof(text) - (size_t)n, " https://example.com/%s", vocab[rndn(nvocab)]);
    fprintf(f,
            "{\"did\":\"did:plc:%s\",\"time_us\":%lld,\"kind\":\"commit\",\"commit\":{\"rev\":\"%s\","
            "\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"%s\","
            "\"record\":{\"$type\":\"app.bsky.feed.post\",\"createdAt\":\"2026-05-25T14:23:28.757Z\","
            "\"langs\":[\"%s\"],",
            did, (long long)time_us, rev, rkey, l->lang);
    if (rndn(100) < 30) {
        rand_b32(pdid, 24);
        rand_b32(prkey, 13);
        rand_b32(pcid, 52);
        fprintf(f,
                "\"reply\":{\"parent\":{\"cid\":\"bafyrei%s\",\"uri\":\"at://did:plc:%s/"
                "app.bsky.feed.post/%s\"},\"root\":{\"cid\":\"bafyrei%s\",\"uri\":\"at://did:plc:%s/"
                "app.bsky.feed.post/%s\"}},",
                pcid, pdid, prkey, pcid, pdid, prkey);
    }
    fputs("\"text\":\"", f);
    json_escape(f, text);
    fprintf(f, "\"},\"cid\":\"bafyrei%s\"}}\n", cid);
}

struct anchor {
    hs_database_t *db;
    hs_scratch_t *scratch;
};

static int
count_hit(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
          void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    ++*(uint64_t *)ctx;
    return 0;
}

static void
anchor_build(struct anchor *a, const struct listen_matcher *m, const char *lits_path)
{
    size_t n = listen_matcher_atoms(m);
    const char **ex = xcalloc(n, sizeof(*ex));
    size_t *lens = xcalloc(n, sizeof(*lens));
    unsigned *ids = xcalloc(n, sizeof(*ids)), *flags = xcalloc(n, sizeof(*flags));
    hs_compile_error_t *err = NULL;
    FILE *f = lits_path ? fopen(lits_path, "w") : NULL;

    for (size_t i = 0; i < n; i++) {
        struct str s = listen_matcher_atom(m, i);
        ex[i] = s.p;
        lens[i] = s.len;
        ids[i] = (unsigned)i;
        flags[i] = HS_FLAG_CASELESS;
        if (f)
            fprintf(f, "%.*s\n", (int)s.len, s.p);
    }
    if (f)
        fclose(f);
    if (hs_compile_lit_multi(ex, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &a->db,
                             &err) != HS_SUCCESS) {
        fprintf(stderr, "anchor compile failed: %s\n", err ? err->message : "?");
        exit(1);
    }
    a->scratch = NULL;
    hs_alloc_scratch(a->db, &a->scratch);
    free(ex);
    free(lens);
    free(ids);
    free(flags);
}

struct run {
    const char *name;
    struct listen_set *set;
    struct listen_scratch *scratch;
    struct anchor anchor;
    double ta, tb, tc, tf;
    uint64_t ma, mb, hc;
};

static int
usage(void)
{
    fprintf(stderr, "usage: listen_bench DATA_DIR POSTS OUT_DIR\n");
    return 2;
}

int
main(int argc, char **argv)
{

    static const char *langs[][2] = {
        { "english", "en" }, { "french", "fr" },  { "german", "de" },  { "spanish", "es" },
        { "italian", "it" }, { "portuguese", "pt" }, { "arabic", "ar" }, { "hindi", "hi" },
    };
    const size_t sizes[2] = { 1000, 10000 };
    struct run runs[2] = { { .name = "1k" }, { .name = "10k" } };
    struct listen_decoder *dec = listen_decoder_new();
    char path[4096];
    int64_t total, time_us = 1779719009157119;
    double tgen = 0, json_bytes = 0, text_bytes = 0;
    uint64_t posts = 0;
    FILE *texts_out;

    if (argc != 4)
        return usage();
    if (str_to_i64(str_c(argv[2]), 1000, 100000000, &total) < 0)
        return usage();
    for (size_t i = 0; i < COUNTOF(langs); i++) {
        snprintf(path, sizeof(path), "%s/xlm-t-umsab/%s/train_text.txt", argv[1], langs[i][0]);
        load_file(path, langs[i][1], 0);
    }
    snprintf(path, sizeof(path), "%s/tweeteval/sentiment/val_text.txt", argv[1]);
    load_file(path, "en", 0);
    snprintf(path, sizeof(path), "%s/tweeteval/emotion/train_text.txt", argv[1]);
    load_file(path, "en", 0);
    snprintf(path, sizeof(path), "%s/banking77/train.csv", argv[1]);
    load_file(path, "en", 1);
    snprintf(path, sizeof(path), "%s/bitext/Bitext_Sample_Customer_Service_Training_Dataset_8175.csv",
             argv[1]);
    load_file(path, "en", 2);
    if (nlines < 100) {
        fprintf(stderr, "listen_bench: no texts under '%s'\n", argv[1]);
        return 1;
    }
    build_vocab();
    make_brands();
    printf("corpus: %zu source texts, %zu vocabulary words, %lld generated posts\n", nlines, nvocab,
           (long long)total);

    for (size_t r = 0; r < 2; r++) {
        struct listen_query *qs = xcalloc(sizes[r], sizeof(*qs));
        struct listen_matcher *m = NULL;
        struct errmsg em = { 0 };
        double t0 = now_s();
        FILE *qf;
        snprintf(path, sizeof(path), "%s/queries-%s.txt", argv[3], runs[r].name);
        qf = fopen(path, "w");
        for (size_t i = 0; i < sizes[r]; i++) {
            char id[16];
            snprintf(id, sizeof(id), "q%zu", i);
            qs[i].id = str_c(xstrdup(id));
            qs[i].text = str_c(make_query(i));
            if (qf)
                fprintf(qf, "%s %s\n", id, qs[i].text.p);
        }
        if (qf)
            fclose(qf);
        if (listen_matcher_new(qs, sizes[r], &m, &em) < 0) {
            fprintf(stderr, "listen_bench: %s\n", em.text);
            return 1;
        }
        printf("queries %-3s: %zu queries, %zu distinct literals, compiled in %.2f s\n",
               runs[r].name, sizes[r], listen_matcher_atoms(m), now_s() - t0);
        snprintf(path, sizeof(path), "%s/literals-%s.txt", argv[3], runs[r].name);
        anchor_build(&runs[r].anchor, m, path);
        runs[r].set = listen_set_new_take(m);
        runs[r].scratch = listen_scratch_new(runs[r].set);
        for (size_t i = 0; i < sizes[r]; i++) {
            free((char *)qs[i].id.p);
            free((char *)qs[i].text.p);
        }
        free(qs);
    }

    snprintf(path, sizeof(path), "%s/texts.txt", argv[3]);
    texts_out = fopen(path, "w");
    for (int64_t done = 0; done < total; done += CHUNK) {
        size_t n = (size_t)(total - done < CHUNK ? total - done : CHUNK);
        char *jbuf = NULL;
        size_t jlen = 0;
        FILE *mf = open_memstream(&jbuf, &jlen);
        struct listen_post *ps = xcalloc(n, sizeof(*ps));
        char **owned = xcalloc(n, sizeof(*owned));
        double t0 = now_s();

        for (size_t i = 0; i < n; i++)
            gen_event(mf, time_us++);
        fclose(mf);
        tgen += now_s() - t0;
        json_bytes += (double)jlen;

        /* (a) full pipeline, for each query set, on the same bytes. */
        for (size_t r = 0; r < 2; r++) {
            const char *p = jbuf, *end = jbuf + jlen;
            t0 = now_s();
            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                struct listen_post post;
                struct listen_result res;
                if (listen_decode_jetstream(dec, (struct str){ p, (size_t)(nl - p) }, &post) == 1 &&
                    listen_match(runs[r].scratch, &post, &res) > 0)
                    runs[r].ma++;
                p = nl + 1;
            }
            runs[r].ta += now_s() - t0;
        }
        /* Decode once more, untimed, keeping copies for (b) and (c). */
        {
            const char *p = jbuf, *end = jbuf + jlen;
            size_t i = 0;
            while (p < end && i < n) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                struct listen_post post;
                if (listen_decode_jetstream(dec, (struct str){ p, (size_t)(nl - p) }, &post) == 1) {
                    size_t tl = post.text.len, ll = post.lang.len;
                    owned[i] = xmalloc(tl + ll + post.author.len + 3);
                    memcpy(owned[i], post.text.p, tl);
                    owned[i][tl] = '\0';
                    memcpy(owned[i] + tl + 1, post.lang.p, ll);
                    owned[i][tl + 1 + ll] = '\0';
                    ps[i] = post;
                    ps[i].text = (struct str){ owned[i], tl };
                    ps[i].lang = (struct str){ owned[i] + tl + 1, ll };
                    ps[i].author = STR_LIT("did:plc:bench");
                    ps[i].id = STR_NULL;
                    ps[i].url = STR_NULL;
                    text_bytes += (double)tl;
                    if (texts_out && done < 200000) {
                        for (size_t k = 0; k < tl; k++)
                            fputc(owned[i][k] == '\n' ? ' ' : owned[i][k], texts_out);
                        fputc('\n', texts_out);
                    }
                    i++;
                }
                p = nl + 1;
            }
            n = i;
        }
        posts += n;
        for (size_t r = 0; r < 2; r++) {
            struct listen_result res;
            t0 = now_s();
            for (size_t i = 0; i < n; i++) {
                if (listen_match(runs[r].scratch, &ps[i], &res) > 0)
                    runs[r].mb++;
            }
            runs[r].tb += now_s() - t0;
            t0 = now_s();
            for (size_t i = 0; i < n; i++)
                hs_scan(runs[r].anchor.db, ps[i].text.p, (unsigned)ps[i].text.len, 0,
                        runs[r].anchor.scratch, count_hit, &runs[r].hc);
            runs[r].tc += now_s() - t0;
        }
        /* (f) the Unicode folding alone, on the same texts. */
        {
            static char fbuf[LISTEN_FOLD_BOUND_BENCH];
            t0 = now_s();
            for (size_t i = 0; i < n; i++)
                listen_fold(ps[i].text, fbuf, sizeof(fbuf));
            runs[0].tf += now_s() - t0;
        }
        for (size_t i = 0; i < n; i++)
            free(owned[i]);
        free(owned);
        free(ps);
        free(jbuf);
    }
    if (texts_out)
        fclose(texts_out);

    printf("generated %llu posts: %.1f MB of JSON (%.0f B/post), %.1f MB of text (%.0f B/post) "
           "in %.1f s\n",
           (unsigned long long)posts, json_bytes / 1e6, json_bytes / (double)posts,
           text_bytes / 1e6, text_bytes / (double)posts, tgen);
    for (size_t r = 0; r < 2; r++) {
        struct run *x = &runs[r];
        double pa = (double)posts / x->ta, pb = (double)posts / x->tb, pc = (double)posts / x->tc;
        printf("\n%s queries (matched posts: %.2f%%)\n", x->name, 100.0 * (double)x->mb / (double)posts);
        printf("  (a) full pipeline  %10.0f posts/s %8.1f MB/s of JSON   %5.2fx of (c)\n", pa,
               json_bytes / 1e6 / x->ta, pa / pc);
        printf("  (b) matching stage %10.0f posts/s %8.1f MB/s of text   %5.2fx of (c)\n", pb,
               text_bytes / 1e6 / x->tb, pb / pc);
        printf("  (c) raw hyperscan  %10.0f posts/s %8.1f MB/s of text   (anchor)\n", pc,
               text_bytes / 1e6 / x->tc);
        printf("RESULT listen_%s_posts_per_s_a=%.0f b=%.0f c=%.0f\n", x->name, pa, pb, pc);
        if (r == 1)
            printf("  targets (10k queries, one core): (a) >= 150000 posts/s: %s;"
                   " (b) >= 50%% of (c): %s (%.0f%%)\n",
                   pa >= 150000 ? "met" : "MISSED", pb >= 0.5 * pc ? "met" : "MISSED",
                   100.0 * pb / pc);
    }
    printf("\n  (f) Unicode folding alone (inside (b)): %.0f posts/s, %.1f MB/s, %.0f ns/post\n",
           (double)posts / runs[0].tf, text_bytes / 1e6 / runs[0].tf, runs[0].tf * 1e9 / (double)posts);
    for (size_t r = 0; r < 2; r++) {
        listen_scratch_free(runs[r].scratch);
        listen_set_free(runs[r].set);
        hs_free_scratch(runs[r].anchor.scratch);
        hs_free_database(runs[r].anchor.db);
    }
    listen_decoder_free(dec);
    return 0;
}
