/* SPDX-License-Identifier: MIT */
/*
 * classify_tok.c - the tokenizer: untrusted message text to normalized words to hashed features.
 *
 * One pass over the bytes, no allocation: code points are decoded leniently (an invalid byte
 * reads as U+FFFD and the scan moves on by one byte), words are built in a fixed buffer and cut
 * at 64 code points, and feature ids are FNV-1a hashes folded into the model's bucket count.
 * Social text gets its own rules (handles, URLs, hashtags and emoji) because a tweet's "@acme"
 * or link says nothing about its intent or language, while its emoji say a lot about sentiment.
 */
#include "base/base.h"

#include "classify/classify.h"

#include "base/utf8.h"

#define WORD_MAX_CP 64
#define WORD_MAX_BYTES (WORD_MAX_CP * 4)

enum tok_kind {
    TOK_WORD,    /* letters, digits, apostrophes: gets character n-grams */
    TOK_SPECIAL, /* "@user", "<url>", "?", "!" and emoji: one token, no n-grams */
};

struct tok {
    char b[WORD_MAX_BYTES + 8];   /* normalized UTF-8 bytes */
    size_t len;                   /* bytes used */
    uint16_t off[WORD_MAX_CP + 1]; /* byte offset of each code point, then 'len' */
    size_t ncp;                   /* code points */
    enum tok_kind kind;
};

typedef bool tok_fn(const struct tok *t, void *arg);

/* The code point at 'p' (n > 0 bytes left) and its length in '*adv', by utf8_next's rules:
 * malformed input (bad lead, bad continuation, overlong, surrogate, > U+10FFFF) gives U+FFFD,
 * length 1. */
static inline uint32_t
decode(const unsigned char *p, size_t n, size_t *adv)
{
    *adv = 0;
    return utf8_next((struct str){ (const char *)p, n }, adv);
}

static bool
is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0xa0 || (c >= 0x2000 && c <= 0x200b) ||
           c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0;
}

/* Zero-width joiners, variation selectors and skin-tone modifiers: dropped, so that an emoji
 * sequence reads as its base emoji. */
static bool
is_ignorable(uint32_t c)
{
    return c == 0x200c || c == 0x200d || (c >= 0xfe00 && c <= 0xfe0f) ||
           (c >= 0x1f3fb && c <= 0x1f3ff) || c == 0xfeff || (c >= 0xe0020 && c <= 0xe007f);
}

static bool
is_emoji(uint32_t c)
{
    return (c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) ||
           (c >= 0x2b00 && c <= 0x2bff) || (c >= 0x2190 && c <= 0x21ff) || c == 0x2764;
}

/* ASCII punctuation and the general-punctuation block separate words. */
static bool
is_punct(uint32_t c)
{
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2f && c != '\'' && c != '#' && c != '@') ||
               (c >= 0x3a && c <= 0x40 && c != '@') || (c >= 0x5b && c <= 0x60 && c != '_') ||
               (c >= 0x7b && c <= 0x7e);
    return (c >= 0x2010 && c <= 0x2027 && c != 0x2019) || (c >= 0x2030 && c <= 0x205e) ||
           (c >= 0x3001 && c <= 0x3003) || c == 0xbf || c == 0xa1 || c == 0xab || c == 0xbb ||
           c == 0x60c || c == 0x61f || c == 0x6d4 || c == 0x964 || c == 0x965;
}

static uint32_t
lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= '0' && c <= '9')
        return '0';
    if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3a9) ||
        (c >= 0x410 && c <= 0x42f))
        return c + 32;
    if (c >= 0x400 && c <= 0x40f)
        return c + 80;
    if (c == 0x2019 || c == 0x2bc)
        return '\'';
    return c;
}

static void
tok_reset(struct tok *t, enum tok_kind kind)
{
    t->len = 0;
    t->ncp = 0;
    t->kind = kind;
}

static void
tok_push(struct tok *t, uint32_t c)
{
    if (t->ncp >= WORD_MAX_CP)
        return;
    t->off[t->ncp++] = (uint16_t)t->len;
    t->len += utf8_put(t->b + t->len, c);
}

static bool
tok_emit_lit(struct tok *t, const char *s, tok_fn *fn, void *arg)
{
    tok_reset(t, TOK_SPECIAL);
    for (size_t i = 0; s[i]; i++)
        tok_push(t, (unsigned char)s[i]);
    t->off[t->ncp] = (uint16_t)t->len;
    return fn(t, arg);
}

static bool
starts_ci(const unsigned char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++) {
        unsigned char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

/* The tokenizer proper: calls 'fn' for each token of the first CLASSIFY_MAX_TEXT bytes. */
static bool
tokenize(struct str text, tok_fn *fn, void *arg)
{
    const unsigned char *p = (const unsigned char *)text.p;
    size_t n = text.len < CLASSIFY_MAX_TEXT ? text.len : CLASSIFY_MAX_TEXT;
    size_t i = 0, adv;
    struct tok t;

    if (!p)
        return true;
    tok_reset(&t, TOK_WORD);
    while (i < n) {
        bool word_start = t.ncp == 0;
        uint32_t c;

        if (word_start && (starts_ci(p + i, n - i, "http://") ||
                           starts_ci(p + i, n - i, "https://") || starts_ci(p + i, n - i, "www."))) {
            while (i < n && !is_space(decode(p + i, n - i, &adv)))
                i += adv;
            if (!tok_emit_lit(&t, "<url>", fn, arg))
                return false;
            tok_reset(&t, TOK_WORD);
            continue;
        }
        c = decode(p + i, n - i, &adv);
        if (word_start && c == '@' && i + 1 < n && !is_space(p[i + 1]) &&
            !is_punct(p[i + 1])) {
            i += adv;
            while (i < n) {
                uint32_t d = decode(p + i, n - i, &adv);
                if (is_space(d) || (is_punct(d) && d != '.') || is_emoji(d))
                    break;
                i += adv;
            }
            if (!tok_emit_lit(&t, "@user", fn, arg))
                return false;
            tok_reset(&t, TOK_WORD);
            continue;
        }
        i += adv;
        if (is_ignorable(c))
            continue;
        if (is_space(c) || is_punct(c) || is_emoji(c) || c == '@' ||
            (c == '#' && !word_start) || (c == '\'' && word_start)) {
            if (t.ncp > 0) {
                t.off[t.ncp] = (uint16_t)t.len;
                if (!fn(&t, arg))
                    return false;
            }
            tok_reset(&t, TOK_WORD);
            if (c == '?' || c == '!' || c == 0xbf || c == 0xa1 || c == 0x61f) {
                if (!tok_emit_lit(&t, c == '!' || c == 0xa1 ? "!" : "?", fn, arg))
                    return false;
                tok_reset(&t, TOK_WORD);
            } else if (is_emoji(c)) {
                tok_reset(&t, TOK_SPECIAL);
                tok_push(&t, c);
                t.off[t.ncp] = (uint16_t)t.len;
                if (!fn(&t, arg))
                    return false;
                tok_reset(&t, TOK_WORD);
            }
            continue;
        }
        if (c == '#' && word_start)
            continue; /* a hashtag is read as its word */
        tok_push(&t, lower(c));
    }
    if (t.ncp > 0) {
        t.off[t.ncp] = (uint16_t)t.len;
        if (!fn(&t, arg))
            return false;
    }
    return true;
}

/* FNV-1a, 64 bits, then folded; the seed keeps words and n-grams apart. */
static uint64_t
fnv(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint32_t
fold(uint64_t h, uint32_t buckets)
{
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (uint32_t)h & (buckets - 1);
}

struct feat_state {
    const struct classify_feat_cfg *cfg;
    uint32_t *out;
    size_t n, max;
    uint64_t prev; /* hash of the previous token, 0 at the start */
};

static bool
add(struct feat_state *s, uint64_t h)
{
    if (s->n >= s->max)
        return false;
    s->out[s->n++] = fold(h, s->cfg->buckets);
    return true;
}

static bool
feat_tok(const struct tok *t, void *arg)
{
    struct feat_state *s = arg;
    const struct classify_feat_cfg *cfg = s->cfg;
    uint64_t h = fnv(t->b, t->len, 0);

    if (cfg->word_ngrams >= 1 && !add(s, h))
        return false;
    if (cfg->word_ngrams >= 2 && s->prev != 0 && !add(s, s->prev * 116049371ull + h))
        return false;
    s->prev = h;
    if (cfg->minn == 0 || t->kind != TOK_WORD)
        return true;
    /* Character n-grams of "<word>", counted in code points as fastText does. */
    {
        char w[WORD_MAX_BYTES + 8];
        uint16_t off[WORD_MAX_CP + 3];
        size_t ncp = t->ncp + 2;
        w[0] = '<';
        memcpy(w + 1, t->b, t->len);
        w[t->len + 1] = '>';
        off[0] = 0;
        for (size_t k = 0; k <= t->ncp; k++)
            off[k + 1] = (uint16_t)(t->off[k] + 1);
        off[ncp] = (uint16_t)(t->len + 2);
        for (size_t a = 0; a < ncp; a++) {
            for (size_t len = cfg->minn; len <= cfg->maxn && a + len <= ncp; len++) {
                if (len == 1 && (a == 0 || a == ncp - 1))
                    continue;
                if (len >= ncp && cfg->word_ngrams >= 1)
                    continue; /* the whole word is already a feature */
                if (!add(s, fnv(w + off[a], (size_t)(off[a + len] - off[a]), 0x9e3779b97f4a7c15ull)))
                    return false;
            }
        }
    }
    return true;
}

size_t
classify_features(const struct classify_feat_cfg *cfg, struct str text, uint32_t *out, size_t max)
{
    struct feat_state s = { .cfg = cfg, .out = out, .max = max };
    ASSERT(cfg->buckets >= 2 && (cfg->buckets & (cfg->buckets - 1)) == 0);
    tokenize(text, feat_tok, &s);
    return s.n;
}

struct words_state {
    classify_word_fn *fn;
    void *arg;
};

static bool
words_tok(const struct tok *t, void *arg)
{
    struct words_state *s = arg;
    return s->fn((struct str){ t->b, t->len }, s->arg);
}

bool
classify_words(struct str text, classify_word_fn *fn, void *arg)
{
    struct words_state s = { fn, arg };
    return tokenize(text, words_tok, &s);
}
