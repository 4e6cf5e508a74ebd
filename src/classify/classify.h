/* SPDX-License-Identifier: MIT */
/*
 * classify.h - triage of one customer message: language, intent, sentiment and urgency.
 *
 * Our own classifier, no third-party ML: text is cut into hashed word unigrams, word bigrams
 * and character n-grams (classify_features), and a multinomial logistic regression over those
 * hashed features (struct classify_model) is trained with plain SGD, deterministically for a
 * given seed, and saved as a versioned binary file with a checked header. Intent and sentiment
 * models plus explainable urgency rules make up a struct classify, which ingest opens once at
 * startup and then calls from any thread. Language comes from a third model when one is
 * installed (trained only on research-licensed data, so not by default), else from Debian's
 * libexttextcat. Nothing here touches the network.
 *
 * Memory: models are process objects (open/free). classify_model_predict allocates nothing;
 * every result is a fixed-size field or a pointer to static or model-owned text that lives as
 * long as the model. See docs/triage.md for the taxonomy and the figures.
 */
#ifndef HARK_CLASSIFY_H
#define HARK_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

/* ---------------------------------------------------------------------------------------------
 * Features (the tokenizer)
 */

/* Only the first CLASSIFY_MAX_TEXT bytes of a message are looked at; the rest is ignored. */
#define CLASSIFY_MAX_TEXT 4096
/* Language id looks at the first CLASSIFY_LANG_TEXT bytes of the cleaned text, and gives no
 * language ("und") when fewer than CLASSIFY_LANG_MIN_LETTERS letters are left. */
#define CLASSIFY_LANG_TEXT 1024
#define CLASSIFY_LANG_MIN_LETTERS 8

/* The text language id looks at: 'text' (untrusted; its first CLASSIFY_MAX_TEXT bytes) without
 * @handles, #hashtags (the # and the tag), URLs (scheme:// or www.), email addresses and ASCII
 * tokens with a digit (UAL212, 2pm, 10:30), each dropped as a whole space-separated token
 * (NUL bytes separate tokens too), the other tokens joined by single spaces. Writes at most
 * 'cap' - 1 bytes and a NUL into 'out' (cut at a code point boundary; nothing when 'cap' is 0)
 * and returns the length. */
size_t classify_lang_clean(struct str text, char *out, size_t cap);

/* At most this many features are produced for one text. */
#define CLASSIFY_MAX_FEATURES 2048
/* Longest label name, excluding the NUL. Labels are [A-Za-z0-9_.-]. */
#define CLASSIFY_LABEL_MAX 31
/* Most classes one model can have. */
#define CLASSIFY_MAX_LABELS 256

/* How text becomes features; stored in each model file so prediction matches training. */
struct classify_feat_cfg {
    uint32_t buckets;    /* hash buckets: a power of two in [2^8, 2^24] */
    uint8_t word_ngrams; /* 0: no word features, 1: unigrams, 2: unigrams and bigrams */
    uint8_t minn;        /* shortest character n-gram, 0 for none; 1..8 */
    uint8_t maxn;        /* longest character n-gram (>= minn, <= 8) */
};

/* Writes up to 'max' hashed feature ids (each < cfg->buckets) of 'text' into 'out' and returns
 * how many. 'text' is untrusted: any bytes are accepted (invalid UTF-8 is read as U+FFFD), only
 * the first CLASSIFY_MAX_TEXT bytes are used, and the result never exceeds 'max'.
 * Normalization: ASCII and Latin-1 letters are lowercased, digits become '0', @handles become
 * one "@user" token, URLs one "<url>" token, '#' is dropped from hashtags, and each emoji and
 * each of ?!. is a token of its own. Deterministic and thread-safe. */
size_t classify_features(const struct classify_feat_cfg *cfg, struct str text, uint32_t *out,
                         size_t max);

/* Calls 'fn(word, arg)' for each normalized word of 'text' (the tokens classify_features
 * hashes, before hashing; "@user" and "<url>" included). 'word' is borrowed for the call only.
 * Stops early and returns false when 'fn' returns false. Used by the urgency rules. */
typedef bool classify_word_fn(struct str word, void *arg);
bool classify_words(struct str text, classify_word_fn *fn, void *arg);

/* ---------------------------------------------------------------------------------------------
 * One text classifier (struct classify_model)
 */

/* A trained multinomial logistic regression over hashed features. Read-only after it is
 * trained or loaded, so any number of threads may predict at once. A trained model holds float
 * weights; a loaded one holds them quantized to int8 (a quarter of the memory; probabilities
 * within 0.04 of the float model's, the same class for over 99.8% of texts). */
struct classify_model;

/* A labelled training or test set in memory. */
struct classify_example {
    struct str text; /* borrowed from the dataset's own storage */
    uint16_t label;  /* index into classify_dataset.labels */
};
struct classify_dataset {
    struct classify_example *ex; /* examples, in file order */
    size_t n;
    char (*labels)[CLASSIFY_LABEL_MAX + 1]; /* label names in order of first appearance */
    size_t nlabels;
    char *text; /* owns the bytes every example points into */
};

/* Reads a fastText-style file: one example per line, "__label__NAME text...", UTF-8, '\n' or
 * "\r\n" line ends, blank lines and lines starting with '#' skipped. A line with several labels
 * keeps the first. At most CLASSIFY_MAX_LABELS distinct labels and 1 GiB of text.
 * Returns 0 and fills '*ds' (release it with classify_dataset_release), or ERR_IO (file
 * unreadable), ERR_INVAL (a line without a valid label, with 'em' naming the line number) or
 * ERR_TOOBIG. 'em' may be NULL. */
int classify_dataset_load(const char *path, struct classify_dataset *ds, struct errmsg *em);
void classify_dataset_release(struct classify_dataset *ds);

/* Training settings; classify_train_opts_default() gives the defaults documented below. */
struct classify_train_opts {
    struct classify_feat_cfg feat; /* default: 2^20 buckets, word bigrams, char 3..5-grams */
    uint32_t epochs;               /* default 10 */
    float lr;                      /* initial learning rate, decays linearly to 0; default 0.3 */
    float l2;                      /* L2 weight decay per update; default 0 */
    uint64_t seed;                 /* shuffling seed; the same seed and data give the same
                                      model, bit for bit; default 1 */
    /* Called after each epoch with (epoch, epochs, mean training loss) when not NULL. */
    void (*progress)(uint32_t epoch, uint32_t epochs, double loss, void *arg);
    void *progress_arg;
};
struct classify_train_opts classify_train_opts_default(void);

/* Trains a model on every example of 'ds'. Single-threaded and deterministic.
 * Returns 0 and sets '*out' (free with classify_model_free), or ERR_INVAL ('em' says why:
 * empty dataset, bad options). */
int classify_model_train(const struct classify_dataset *ds, const struct classify_train_opts *o,
                         struct classify_model **out, struct errmsg *em);

/* Saves 'm' to 'path' (written to a temporary file and renamed into place). The format is
 * little-endian: a 64-byte header (magic "HARKCLF\0", format version, class count, feature
 * settings, payload size, FNV-1a 64 checksum of the payload), then the label names, the biases
 * and the weight matrix as IEEE-754 floats. A loaded model saves its dequantized weights.
 * Returns 0 or ERR_IO. */
int classify_model_save(const struct classify_model *m, const char *path, struct errmsg *em);

/* Loads a model saved by classify_model_save and quantizes its weights to int8 (one scale per
 * class) for prediction. Every field is checked (magic, version, sizes, labels, checksum,
 * finite weights): a truncated, corrupt or foreign file gives ERR_INVAL and 'em' says what is
 * wrong; an unreadable one ERR_IO; one over 1 GiB ERR_TOOBIG. */
int classify_model_load(const char *path, struct classify_model **out, struct errmsg *em);

/* The same from bytes in memory ('p' is borrowed; the model copies what it keeps). */
int classify_model_load_mem(const void *p, size_t n, struct classify_model **out,
                            struct errmsg *em);

/* Frees 'm'; classify_model_free(NULL) is a no-op. */
void classify_model_free(struct classify_model *m);

/* Number of classes and the name of class 'i' (model-owned, lives as long as 'm'). */
size_t classify_model_nlabels(const struct classify_model *m);
const char *classify_model_label(const struct classify_model *m, size_t i);
/* Index of label 'name', or -1. */
int classify_model_label_index(const struct classify_model *m, const char *name);
/* The feature settings the model was trained with. */
struct classify_feat_cfg classify_model_feat_cfg(const struct classify_model *m);

/* Writes the probability of each class of 'text' into 'probs' (room for nlabels floats) and
 * returns the index of the most probable class (the lowest index on a tie). Allocation-free,
 * thread-safe, and total: empty or hostile text gives the model's prior. */
size_t classify_model_predict(const struct classify_model *m, struct str text, float *probs);

/* ---------------------------------------------------------------------------------------------
 * Triage of one message (struct classify)
 */

enum classify_intent {
    CLASSIFY_INTENT_QUESTION,
    CLASSIFY_INTENT_COMPLAINT,
    CLASSIFY_INTENT_REQUEST,
    CLASSIFY_INTENT_PRAISE,
    CLASSIFY_INTENT_PURCHASE_INTENT,
    CLASSIFY_INTENT_FEEDBACK,
    CLASSIFY_INTENT_SPAM,
    CLASSIFY_INTENT_ABUSE,
    CLASSIFY_INTENT_OTHER,
    CLASSIFY_INTENT_COUNT
};

enum classify_sentiment {
    CLASSIFY_SENTIMENT_NEGATIVE,
    CLASSIFY_SENTIMENT_NEUTRAL,
    CLASSIFY_SENTIMENT_POSITIVE,
    CLASSIFY_SENTIMENT_COUNT
};

/* Static names: "question", ..., "purchase_intent", ..., "other"; "negative", "neutral",
 * "positive". Out-of-range values give "other" and "neutral". */
const char *classify_intent_name(enum classify_intent i);
const char *classify_sentiment_name(enum classify_sentiment s);
/* Parses the names above; returns 0 and writes '*out', or ERR_INVAL. */
int classify_intent_parse(struct str name, enum classify_intent *out);
int classify_sentiment_parse(struct str name, enum classify_sentiment *out);

/* What ingest knows about the author besides the text. */
struct classify_ctx {
    int64_t author_followers; /* public audience of the author; 0 or less when unknown */
    int32_t repeat_contacts;  /* earlier inbound messages on the same issue in the last 7
                                 days (0 when this is the first) */
};

#define CLASSIFY_MAX_REASONS 10

/* One urgency rule that fired. 'code' is static text such as "legal_threat" (see
 * docs/triage.md for the list); 'points' is what it added to the score. */
struct triage_reason {
    const char *code;
    int points;
};

/* The triage of one message: plain values, no pointers to free. */
struct triage {
    char lang[4];          /* ISO 639-1 code ("en"), or "und" when unknown */
    float lang_conf;       /* 0..1 */
    enum classify_intent intent;
    float intent_conf;     /* 0..1: probability of 'intent' */
    enum classify_sentiment sentiment;
    float sentiment_score; /* -1 (very negative) .. 1 (very positive): P(pos) - P(neg) */
    float sentiment_conf;  /* 0..1: probability of 'sentiment' */
    int urgency;           /* 0..100 */
    size_t nreasons;       /* entries used in 'reasons', strongest first */
    struct triage_reason reasons[CLASSIFY_MAX_REASONS];
};

/* The loaded triage models. Read-only after classify_open: share one between all threads. */
struct classify;

/* Opens the models in 'model_dir': intent.bin and sentiment.bin (the files `make` builds into
 * build/models/; see docs/triage.md), and lang.bin when the folder has one. Without lang.bin the
 * language comes from Debian's libexttextcat fingerprints (libexttextcat-data) restricted to 20
 * languages (classify_lang.c). Returns 0 and sets '*out', or the error of the first file that
 * fails to load (ERR_IO when missing or unreadable, ERR_INVAL when corrupt), with 'em' naming
 * the file. Free with classify_free. */
int classify_open(const char *model_dir, struct classify **out, struct errmsg *em);

/* The same from one file per model: 'intent' and 'sentiment' (required) and 'lang' (NULL:
 * libexttextcat). Used to put a retrained model beside the other live one. */
struct classify_paths {
    const char *intent, *sentiment, *lang;
};
int classify_open_paths(const struct classify_paths *paths, struct classify **out,
                        struct errmsg *em);

/* Frees 'c'; classify_free(NULL) is a no-op. Only for a 'c' never given to classify_live. */
void classify_free(struct classify *c);

/* The model of one kind ("intent" or "sentiment") inside 'c', or NULL for another kind;
 * lives as long as 'c'. */
const struct classify_model *classify_model_of(const struct classify *c, const char *kind);

/* Triages 'text' (untrusted bytes; any length, any encoding) with optional 'ctx' (may be
 * NULL) into '*out'. Never fails; thread-safe on a shared 'c'. Allocates nothing with a
 * lang.bin; without one, libexttextcat allocates inside each guess, and a caller may wait on
 * one of its handles (a pool of 4, each behind a mutex) when four threads guess at once.
 * Language is "und" (unknown, confidence 0) for text with fewer than CLASSIFY_LANG_MIN_LETTERS
 * letters once classify_lang_clean has removed handles, hashtags, URLs, emails and codes, and
 * when neither the script, the function words nor the model (or libexttextcat) decides. */
void classify_message(const struct classify *c, struct str text, const struct classify_ctx *ctx,
                      struct triage *out);

/* The urgency rules alone: adds to '*out' the urgency and reasons for 'text', given the intent
 * and sentiment already in '*out' and optional 'ctx'. classify_message calls it; exposed so the
 * rules can be tested and reused without models. */
void classify_urgency(struct str text, const struct classify_ctx *ctx, struct triage *out);

/* ---------------------------------------------------------------------------------------------
 * Model versions: the live models, swapped without a restart (classify_live.c)
 */

/* The struct classify every thread triages with, replaced atomically by classify_live_swap
 * while other threads are still triaging with the old one: each user takes a reference
 * (classify_live_get) for the length of one message or one batch and gives it back
 * (classify_live_put); the old models are freed when the last reference is given back. The
 * holder's mutex is held only to copy the pointer and count the reference. Thread-safe. */
struct classify_live;

/* Takes 'c' (not NULL). Free with classify_live_free after every user has stopped. */
struct classify_live *classify_live_new(struct classify *c);
/* Drops the holder's reference; the models are freed once no user holds them. NULL: no-op. */
void classify_live_free(struct classify_live *l);
/* The current models with a reference taken: never NULL; give back with classify_live_put. */
const struct classify *classify_live_get(struct classify_live *l);
/* Gives back a reference from classify_live_get. NULL is a no-op. */
void classify_live_put(const struct classify *c);
/* Makes 'c' (taken) current for every later classify_live_get. Calls in flight keep the old
 * models until they put them back. */
void classify_live_swap(struct classify_live *l, struct classify *c);

/* ---------------------------------------------------------------------------------------------
 * Scoring a model on the held-back slice of the corrections (classify_score.c)
 */

/* One message in CLASSIFY_HELDOUT_ONE_IN is held back: its corrections never train a model
 * and only score it. The choice is a hash of the message id alone, so it is the same on every
 * run, for every kind, and a message never moves between the two sides. */
#define CLASSIFY_HELDOUT_ONE_IN 5
bool classify_heldout(int64_t message_id);

/* Most classes a score reports (every gold and predicted label counts). */
#define CLASSIFY_SCORE_MAX_CLASSES 32

struct classify_class_score {
    char label[CLASSIFY_LABEL_MAX + 1];
    double precision, recall, f1;
    uint32_t support;   /* gold examples of the class */
    uint32_t predicted; /* examples predicted as the class */
};
struct classify_score {
    uint32_t n;       /* examples scored */
    double accuracy;  /* share predicted right */
    double macro_f1;  /* mean F1 over the classes that occur in the gold labels */
    size_t nclasses;  /* entries in 'cls': gold classes first (by name), then predicted-only */
    struct classify_class_score cls[CLASSIFY_SCORE_MAX_CLASSES];
};

/* Scores predictions 'pred[i]' against gold labels 'gold[i]' (borrowed, i < n): accuracy,
 * macro-F1 (scikit-learn's with the labels of the gold set) and per-class precision, recall,
 * F1 and support. Returns 0, ERR_INVAL for n == 0 or a NULL label, ERR_TOOBIG past
 * CLASSIFY_SCORE_MAX_CLASSES distinct labels. Writes '*out' only on success. */
int classify_score(const char *const *gold, const char *const *pred, size_t n,
                   struct classify_score *out);

/* ---------------------------------------------------------------------------------------------
 * Command line
 */

/* `hark model train|eval|predict ...`; argv[0] is "model". Returns the exit status (0 ok,
 * 1 failure, 2 usage). Prints its own --help. */
int classify_cli_main(int argc, char **argv);

#endif
