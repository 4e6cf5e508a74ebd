/* SPDX-License-Identifier: MIT */
/*
 * classify.c - the triage of one message: three models plus the urgency rules.
 *
 * The models are plain classify_model files; this file only maps their labels onto the fixed
 * enums of classify.h, once at open time, so a retrained model may order or omit labels freely
 * (a missing intent is simply never predicted, an unknown label reads as "other").
 * Language comes from lang.bin when the folder has one, else from libexttextcat
 * (classify_lang.c): the shipped default, because our only multilingual training set is
 * research-licensed (docs/triage.md).
 */
#include "base/base.h"

#include "classify/classify.h"

#include <stdatomic.h>
#include <unistd.h>

#include "classify/classify_int.h"

struct classify {
    atomic_uint refs; /* classify_live's references: 1 at open, freed at 0 */
    struct classify_model *lang, *intent, *sentiment;
    struct classify_textcat *textcat; /* when there is no lang.bin */
    enum classify_intent intent_of[CLASSIFY_MAX_LABELS];       /* model label -> enum */
    enum classify_sentiment sentiment_of[CLASSIFY_MAX_LABELS]; /* model label -> enum */
};

static const char *const intent_names[CLASSIFY_INTENT_COUNT] = {
    "question", "complaint", "request", "praise", "purchase_intent",
    "feedback", "spam",      "abuse",   "other",
};
static const char *const sentiment_names[CLASSIFY_SENTIMENT_COUNT] = {
    "negative",
    "neutral",
    "positive",
};

const char *
classify_intent_name(enum classify_intent i)
{
    return (unsigned)i < CLASSIFY_INTENT_COUNT ? intent_names[i] : "other";
}

const char *
classify_sentiment_name(enum classify_sentiment s)
{
    return (unsigned)s < CLASSIFY_SENTIMENT_COUNT ? sentiment_names[s] : "neutral";
}

int
classify_intent_parse(struct str name, enum classify_intent *out)
{
    for (int i = 0; i < CLASSIFY_INTENT_COUNT; i++) {
        if (str_eq_c(name, intent_names[i])) {
            *out = (enum classify_intent)i;
            return 0;
        }
    }
    return ERR_INVAL;
}

int
classify_sentiment_parse(struct str name, enum classify_sentiment *out)
{
    for (int i = 0; i < CLASSIFY_SENTIMENT_COUNT; i++) {
        if (str_eq_c(name, sentiment_names[i])) {
            *out = (enum classify_sentiment)i;
            return 0;
        }
    }
    return ERR_INVAL;
}

/* True when 'dir/file' exists (readable or not: an unreadable lang.bin is an error, not a
 * reason to fall back silently). */
static bool
has_file(const char *dir, const char *file)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, file);
    return n > 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0;
}

int
classify_open(const char *model_dir, struct classify **out, struct errmsg *em)
{
    char intent[4096], sentiment[4096], lang[4096];
    int a = snprintf(intent, sizeof(intent), "%s/intent.bin", model_dir);
    int b = snprintf(sentiment, sizeof(sentiment), "%s/sentiment.bin", model_dir);
    int c = snprintf(lang, sizeof(lang), "%s/lang.bin", model_dir);
    if (a < 0 || b < 0 || c < 0 || (size_t)c >= sizeof(lang))
        return errmsg_set(em, ERR_INVAL, "model directory path too long: '%s'", model_dir);
    struct classify_paths p = { .intent = intent, .sentiment = sentiment,
                                .lang = has_file(model_dir, "lang.bin") ? lang : NULL };
    return classify_open_paths(&p, out, em);
}

int
classify_open_paths(const struct classify_paths *paths, struct classify **out,
                    struct errmsg *em)
{
    struct classify *c = xcalloc(1, sizeof(*c));
    int rc;

    atomic_init(&c->refs, 1);
    rc = classify_model_load(paths->intent, &c->intent, em);
    if (rc < 0)
        goto fail;
    rc = classify_model_load(paths->sentiment, &c->sentiment, em);
    if (rc < 0)
        goto fail;
    if (paths->lang)
        rc = classify_model_load(paths->lang, &c->lang, em);
    else
        rc = classify__textcat_open(&c->textcat, em);
    if (rc < 0)
        goto fail;
    for (size_t i = 0; c->lang && i < classify_model_nlabels(c->lang); i++) {
        if (strlen(classify_model_label(c->lang, i)) != 2) {
            rc = errmsg_set(em, ERR_INVAL, "model '%s': label '%s' is not an ISO 639-1 code",
                            paths->lang, classify_model_label(c->lang, i));
            goto fail;
        }
    }
    for (size_t i = 0; i < classify_model_nlabels(c->intent); i++) {
        if (classify_intent_parse(str_c(classify_model_label(c->intent, i)), &c->intent_of[i]) < 0)
            c->intent_of[i] = CLASSIFY_INTENT_OTHER;
    }
    for (size_t i = 0; i < classify_model_nlabels(c->sentiment); i++) {
        if (classify_sentiment_parse(str_c(classify_model_label(c->sentiment, i)),
                                     &c->sentiment_of[i]) < 0) {
            rc = errmsg_set(em, ERR_INVAL, "model '%s': unknown label '%s'", paths->sentiment,
                            classify_model_label(c->sentiment, i));
            goto fail;
        }
    }
    *out = c;
    return 0;
fail:
    classify_free(c);
    return rc;
}

const struct classify_model *
classify_model_of(const struct classify *c, const char *kind)
{
    if (strcmp(kind, "intent") == 0)
        return c->intent;
    if (strcmp(kind, "sentiment") == 0)
        return c->sentiment;
    return NULL;
}

void
classify__ref(const struct classify *c)
{
    struct classify *m = (struct classify *)c;
    atomic_fetch_add(&m->refs, 1);
}

void
classify__unref(const struct classify *c)
{
    struct classify *m = (struct classify *)c;
    if (m && atomic_fetch_sub(&m->refs, 1) == 1)
        classify_free(m);
}

void
classify_free(struct classify *c)
{
    if (!c)
        return;
    classify_model_free(c->lang);
    classify__textcat_free(c->textcat);
    classify_model_free(c->intent);
    classify_model_free(c->sentiment);
    xfree(c);
}

void
classify_message(const struct classify *c, struct str text, const struct classify_ctx *ctx,
                 struct triage *out)
{
    float p[CLASSIFY_MAX_LABELS];
    size_t best, n;

    memset(out, 0, sizeof(*out));

    classify__lang_guess(c->lang, c->textcat, text, out->lang, &out->lang_conf);

    float ip[CLASSIFY_INTENT_COUNT] = { 0 }, sp[CLASSIFY_SENTIMENT_COUNT] = { 0 };
    best = classify_model_predict(c->intent, text, p);
    n = classify_model_nlabels(c->intent);
    out->intent = c->intent_of[best];
    for (size_t i = 0; i < n; i++)
        ip[c->intent_of[i]] += p[i];

    classify_model_predict(c->sentiment, text, p);
    n = classify_model_nlabels(c->sentiment);
    for (size_t i = 0; i < n; i++)
        sp[c->sentiment_of[i]] += p[i];
    classify__calibrate(text, ip, sp, out);

    classify_urgency(text, ctx, out);
}
