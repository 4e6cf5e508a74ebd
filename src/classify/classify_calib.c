/* SPDX-License-Identifier: MIT */
/*
 * classify_calib.c - what classify_message does after the models: a word-list sentiment mixed
 * into the model's, and two intent rules. Each is here because the models, trained on review and
 * care-desk sentences, misread social posts (docs/triage.md, "Calibration", has the figures):
 *
 *  - Sentiment mix: the final probabilities are (1 - LEX_WEIGHT) x the model's + LEX_WEIGHT x a
 *    word-list distribution (AFINN-165 plus a few care words, with negation, VADER's squash).
 *    A text with no sentiment words leans neutral, which the model, never shown neutral
 *    statements, almost never says. LEX_WEIGHT is the value with the best macro-F1 on the
 *    permissive held-out slice (build/classify-data/sentiment.test), not on any tweet set.
 *  - A question is not a complaint: a complaint in question form ("what time is boarding?")
 *    whose final sentiment is not negative and that names no care problem ("is my flight
 *    delayed again?" stays a complaint) becomes a question.
 *  - Praise that names a care problem ("great, another delay") is a complaint: thanks and
 *    compliments around a delay, a cancellation or a lost bag are mostly sarcasm or a complaint
 *    put politely.
 *
 * All read-only tables, built once; thread-safe; no allocation.
 */
#include "base/base.h"

#include <math.h>
#include <pthread.h>

#include "classify/classify.h"
#include "classify/classify_int.h"

/* Fit on the permissive slice (macro-F1 through the full triage): 0 0.876, 0.1 0.879, 0.2 0.879,
 * 0.3 0.875, 0.4 0.847. */
#define LEX_WEIGHT 0.2f
#define LEX_SCALE 0.8f    /* AFINN's -5..5 onto VADER's -4..4 */
#define LEX_NEGATED -0.74f /* VADER's factor for a word after "not", "never"... */
#define LEX_ALPHA 15.0f   /* VADER's normalization: s / sqrt(s^2 + alpha) */
#define LEX_SLOTS 8192
#define WORD_MAX 32
#define WORDS_MAX 512

/* Care problems: the words that make thanks sarcastic and a statement negative. Valences in
 * AFINN's scale; they replace AFINN's where both have the word. Hand-written by the Hark team. */
static const struct classify_lex_entry care_words[] = {
    { "delayed", -2 },   { "delay", -2 },     { "delays", -2 },    { "cancelled", -2 },
    { "canceled", -2 },  { "cancellation", -2 }, { "stranded", -2 }, { "stuck", -2 },
    { "overbooked", -2 }, { "missed", -2 },   { "lost", -2 },      { "waiting", -1 },
    { "rebooked", -1 },  { "diverted", -2 },  { "broken", -2 },    { "damaged", -2 },
    { "refund", -1 },    { "hold", -1 },
};

/* Words that turn "praise" into a complaint: the first CARE_PROBLEMS of care_words (problems,
 * not remedies such as "refund" or "rebooked"). */
#define CARE_PROBLEMS 12

static const char *const negators[] = {
    "not", "no", "never", "nothing", "nobody", "none", "cannot", "cant", "can't", "dont",
    "don't", "doesnt", "doesn't", "didnt", "didn't", "isnt", "isn't", "wasnt", "wasn't", "wont",
    "won't", "wouldnt", "wouldn't", "aint", "ain't", "havent", "haven't", "arent", "aren't",
    "without",
};

static const char *const question_words[] = {
    "what", "when", "where", "which", "who", "whom", "whose", "how", "is", "are", "am", "do",
    "does", "did", "can", "could", "will", "would", "should", "shall", "may", "any", "anyone",
    "has", "have",
};

struct lex_slot {
    const char *w;
    uint8_t n;
    int8_t v;
    bool problem;
};
static struct lex_slot lex_table[LEX_SLOTS];
static pthread_once_t lex_once = PTHREAD_ONCE_INIT;

static uint32_t
hash_word(const char *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static struct lex_slot *
slot_of(const char *w, size_t n)
{
    uint32_t h = hash_word(w, n) & (LEX_SLOTS - 1);
    while (lex_table[h].w && !(lex_table[h].n == n && memcmp(lex_table[h].w, w, n) == 0))
        h = (h + 1) & (LEX_SLOTS - 1);
    return &lex_table[h];
}

static void
lex_put(const char *w, int v, bool problem)
{
    size_t n = strlen(w);
    if (n == 0 || n > WORD_MAX)
        return;
    struct lex_slot *s = slot_of(w, n);
    *s = (struct lex_slot){ w, (uint8_t)n, (int8_t)v, problem };
}

static void
lex_build(void)
{
    /* AFINN has 3,352 words: the table stays under half full. */
    for (size_t i = 0; i < classify__afinn_count; i++)
        lex_put(classify__afinn[i].word, classify__afinn[i].valence, false);
    for (size_t i = 0; i < COUNTOF(care_words); i++)
        lex_put(care_words[i].word, care_words[i].valence, i < CARE_PROBLEMS);
}

static bool
in_list(const char *const *list, size_t n, const char *w, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0)
            return true;
    }
    return false;
}

/* The words of 'text' for the word lists: lowercase ASCII letters and apostrophes (U+2019
 * read as one), without @handles and URLs; a #hashtag counts as its word. */
struct lwords {
    char buf[WORDS_MAX][WORD_MAX + 1];
    uint8_t len[WORDS_MAX];
    size_t n;
    bool question; /* a '?' anywhere */
};

static void
split_words(struct str text, struct lwords *w)
{
    size_t i = 0;
    w->n = 0;
    w->question = false;
    if (text.len > CLASSIFY_MAX_TEXT)
        text.len = CLASSIFY_MAX_TEXT;
    while (i < text.len && w->n < WORDS_MAX) {
        unsigned char b = (unsigned char)text.p[i];
        if (b == '?')
            w->question = true;
        if (b == '@' || (b == 'h' && text.len - i > 7 &&
                         (memcmp(text.p + i, "http://", 7) == 0 ||
                          (text.len - i > 8 && memcmp(text.p + i, "https://", 8) == 0)))) {
            while (i < text.len && text.p[i] != ' ' && text.p[i] != '\n' && text.p[i] != '\t')
                i++;
            continue;
        }
        size_t k = 0;
        bool long_word = false;
        while (i < text.len) {
            unsigned char c = (unsigned char)text.p[i];
            char ch;
            size_t step = 1;
            if (c >= 'A' && c <= 'Z')
                ch = (char)(c + 32);
            else if ((c >= 'a' && c <= 'z') || c == '\'')
                ch = (char)c;
            else if (c == 0xE2 && text.len - i >= 3 && (unsigned char)text.p[i + 1] == 0x80 &&
                     (unsigned char)text.p[i + 2] == 0x99)
                ch = '\'', step = 3;
            else
                break;
            if (k < WORD_MAX)
                w->buf[w->n][k++] = ch;
            else
                long_word = true;
            i += step;
        }
        if (k && !long_word) {
            w->len[w->n] = (uint8_t)k;
            w->buf[w->n][k] = '\0';
            w->n++;
        }
        if (k == 0)
            i++;
    }
}

/* The VADER-style compound score of the words, in (-1, 1), and whether a care problem that is
 * not negated is among them. */
static float
lex_compound(const struct lwords *w, bool *problem)
{
    float s = 0;
    *problem = false;
    for (size_t i = 0; i < w->n; i++) {
        struct lex_slot *sl = slot_of(w->buf[i], w->len[i]);
        if (!sl->w)
            continue;
        bool negated = false;
        for (size_t j = i >= 3 ? i - 3 : 0; j < i; j++)
            negated |= in_list(negators, COUNTOF(negators), w->buf[j], w->len[j]);
        s += (float)sl->v * LEX_SCALE * (negated ? LEX_NEGATED : 1.0f);
        *problem |= sl->problem && !negated;
    }
    return s / sqrtf(s * s + LEX_ALPHA);
}

void
classify__calibrate(struct str text, const float intent[CLASSIFY_INTENT_COUNT],
                    float sent[CLASSIFY_SENTIMENT_COUNT], struct triage *out)
{
    struct lwords w;
    bool problem;
    float c, lex[CLASSIFY_SENTIMENT_COUNT];
    int best = 0;

    pthread_once(&lex_once, lex_build);
    split_words(text, &w);
    c = lex_compound(&w, &problem);
    lex[CLASSIFY_SENTIMENT_NEGATIVE] = c < 0 ? -c : 0;
    lex[CLASSIFY_SENTIMENT_POSITIVE] = c > 0 ? c : 0;
    lex[CLASSIFY_SENTIMENT_NEUTRAL] = 1 - fabsf(c);
    for (int i = 0; i < CLASSIFY_SENTIMENT_COUNT; i++) {
        sent[i] = (1 - LEX_WEIGHT) * sent[i] + LEX_WEIGHT * lex[i];
        if (sent[i] > sent[best])
            best = i;
    }
    out->sentiment = (enum classify_sentiment)best;
    out->sentiment_conf = sent[best];
    out->sentiment_score = sent[CLASSIFY_SENTIMENT_POSITIVE] - sent[CLASSIFY_SENTIMENT_NEGATIVE];

    bool question =
        w.question || (w.n && in_list(question_words, COUNTOF(question_words), w.buf[0], w.len[0]));
    if (out->intent == CLASSIFY_INTENT_COMPLAINT && out->sentiment != CLASSIFY_SENTIMENT_NEGATIVE &&
        !problem && question)
        out->intent = CLASSIFY_INTENT_QUESTION;
    else if (out->intent == CLASSIFY_INTENT_PRAISE && problem) {
        out->intent = CLASSIFY_INTENT_COMPLAINT;
        /* Praise around a problem reads as its opposite: the sentiment too. */
        if (out->sentiment == CLASSIFY_SENTIMENT_POSITIVE) {
            out->sentiment = CLASSIFY_SENTIMENT_NEGATIVE;
            out->sentiment_score = -out->sentiment_score;
        }
    }
    out->intent_conf = intent[out->intent];
}
