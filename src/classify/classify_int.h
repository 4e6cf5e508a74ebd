/* SPDX-License-Identifier: MIT */
/*
 * classify_int.h - helpers shared by the files of src/classify/ and by nothing else.
 */
#ifndef HARK_CLASSIFY_INT_H
#define HARK_CLASSIFY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"
#include "classify/classify.h"

struct classify;
/* Reference counting of a struct classify (classify.c) for classify_live: a new one holds
 * one reference; the last classify__unref frees it. NULL is a no-op for unref. */
void classify__ref(const struct classify *c);
void classify__unref(const struct classify *c);

/* True when 's' (n bytes) is a valid label name: 1..CLASSIFY_LABEL_MAX of [A-Za-z0-9_.-]. */
bool classify__label_ok(const char *s, size_t n);

/* Reads all of 'path' (at most 'max' bytes) into a NUL-terminated heap buffer. Returns 0 and
 * sets '*data' (caller frees) and '*len', or ERR_IO / ERR_TOOBIG with 'em' naming the file. */
int classify__read_file(const char *path, size_t max, char **data, size_t *len,
                        struct errmsg *em);

/* The default language id (classify_lang.c): libexttextcat restricted to a fixed set of
 * languages, used when the models folder has no lang.bin. A process object: open once, share
 * between threads, free at shutdown. */
struct classify_textcat;

/* Loads the fingerprints from libexttextcat-data. Returns 0 and sets '*out', or ERR_IO with
 * 'em' saying what is missing. */
int classify__textcat_open(struct classify_textcat **out, struct errmsg *em);
/* classify__textcat_free(NULL) is a no-op. */
void classify__textcat_free(struct classify_textcat *t);
/* Guesses the language of 'text' (n bytes, NUL-terminated, already cleaned by
 * classify_lang_clean). Returns true and writes the ISO 639-1 code into 'lang' and a 0..1
 * confidence into '*conf', or false, writing nothing, when libexttextcat will not decide.
 * Among the languages it scores within 3% of its best, 'prefer' (may be NULL) wins.
 * Thread-safe on a shared 't' (a pool of mutex-guarded handles); the library allocates. */
bool classify__textcat_guess(struct classify_textcat *t, const char *text, size_t n,
                             const char *prefer, char lang[4], float *conf);
/* The one language-id path (classify_message): cleans 'text' (classify_lang_clean), answers
 * "und" with confidence 0 for fewer than CLASSIFY_LANG_MIN_LETTERS letters left, lets the script
 * or the function words decide when they clearly can, and otherwise asks 'model' (a lang.bin)
 * or, without one, 'tc' (libexttextcat). Writes a NUL-terminated code into 'lang'. */
struct classify_model;
void classify__lang_guess(const struct classify_model *model, struct classify_textcat *tc,
                          struct str text, char lang[4], float *conf);
/* A word list: AFINN-165's single words (classify_lexicon.c, generated), valence -5..5. */
struct classify_lex_entry {
    const char *word;
    int valence;
};
extern const struct classify_lex_entry classify__afinn[];
extern const size_t classify__afinn_count;

/* After the models (classify_calib.c): mixes a word-list sentiment into 'sent' (the sentiment
 * model's probabilities by enum classify_sentiment, changed in place) and sets out->sentiment,
 * sentiment_conf and sentiment_score from the mix; then the intent rules (a question in
 * question form that is not negative is not a complaint; praise naming a care problem is a
 * complaint) may change out->intent, and out->intent_conf becomes 'intent' (the intent model's
 * probabilities by enum classify_intent) of the final intent. Thread-safe. */
void classify__calibrate(struct str text, const float intent[CLASSIFY_INTENT_COUNT],
                         float sent[CLASSIFY_SENTIMENT_COUNT], struct triage *out);

/* The codes it can answer, space-separated and sorted (static text). */
const char *classify__textcat_langs(void);

#endif
