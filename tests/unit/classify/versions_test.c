/* SPDX-License-Identifier: MIT */
/* versions_test.c - model versions: the held-back split, the scores on it, and the hot swap of
 * the live models while other threads triage (run under ASan: a use after free or a leak of
 * swapped-out models fails it). */
#include "base/base.h"

#include "classify/classify.h"

#include <pthread.h>
#include <unistd.h>

#include "../test.h"

static char tmpdir[] = "/tmp/hark-versions-XXXXXX";

static char *
path_in(const char *name)
{
    static char buf[8][512];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* Trains 'text' (fastText lines) into 'out'. */
static void
train_file(const char *text, const char *out)
{
    struct classify_dataset ds;
    struct classify_train_opts o = classify_train_opts_default();
    struct classify_model *m = NULL;
    struct errmsg em = { 0 };
    FILE *f = fopen(path_in("set.txt"), "w");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
    ASSERT(classify_dataset_load(path_in("set.txt"), &ds, &em) == 0);
    o.feat = (struct classify_feat_cfg){ .buckets = 1u << 12, .word_ngrams = 2, .minn = 2,
                                         .maxn = 4 };
    o.epochs = 30;
    ASSERT(classify_model_train(&ds, &o, &m, &em) == 0);
    ASSERT(classify_model_save(m, out, &em) == 0);
    classify_model_free(m);
    classify_dataset_release(&ds);
}

/* Two intent models that disagree on purpose: A calls late orders complaints, B praise. */
static const char *const intent_a = "__label__complaint my order is late\n"
                                    "__label__complaint the parcel is late again\n"
                                    "__label__praise thank you so much\n"
                                    "__label__praise love it, great team\n";
static const char *const intent_b = "__label__praise my order is late\n"
                                    "__label__praise the parcel is late again\n"
                                    "__label__complaint thank you so much\n"
                                    "__label__complaint love it, great team\n";
static const char *const sentiment = "__label__negative awful, late, broken\n"
                                     "__label__positive great, thanks, love it\n"
                                     "__label__neutral what time do you open\n";
static const char *const lang = "__label__en the order is late thank you\n"
                                "__label__fr la commande est en retard merci\n";

static struct classify *
open_set(const char *intent_file)
{
    struct classify_paths p = { .intent = path_in(intent_file),
                                .sentiment = path_in("sentiment.bin"),
                                .lang = path_in("lang.bin") };
    struct classify *c = NULL;
    struct errmsg em = { 0 };
    ASSERT(classify_open_paths(&p, &c, &em) == 0);
    return c;
}

static enum classify_intent
intent_of(const struct classify *c, const char *text)
{
    struct triage t;
    classify_message(c, str_c(text), NULL, &t);
    return t.intent;
}

TEST(heldout_is_stable_and_about_one_in_five)
{
    size_t held = 0;
    bool off_grid = false;
    for (int64_t id = 1; id <= 10000; id++) {
        bool h = classify_heldout(id);
        CHECK(h == classify_heldout(id));
        held += h;
        off_grid |= h && id % CLASSIFY_HELDOUT_ONE_IN != 0;
    }
    CHECK(held > 1800 && held < 2200);
    /* Not simply every fifth id: consecutive messages of one burst land on both sides. */
    CHECK(off_grid);
    /* Fixed values: a change of the hash would silently move corrections between the sides
     * of existing databases' slices. */
    char got[128] = "";
    for (int64_t id = 1; id <= 40; id++) {
        if (classify_heldout(id))
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%lld ", (long long)id);
    }
    CHECK_STR(got, "1 2 13 16 18 29 30 31 35 ");
}

TEST(score_counts_classes_like_scikit_learn)
{
    const char *gold[] = { "a", "a", "b", "b" };
    const char *pred[] = { "a", "b", "b", "b" };
    struct classify_score s;
    CHECK_INT(classify_score(gold, pred, 4, &s), 0);
    CHECK_INT(s.n, 4);
    CHECK(s.accuracy > 0.749 && s.accuracy < 0.751);
    CHECK_INT(s.nclasses, 2);
    CHECK_STR(s.cls[0].label, "a");
    CHECK(s.cls[0].precision > 0.999 && s.cls[0].recall > 0.499 && s.cls[0].recall < 0.501);
    CHECK(s.cls[1].f1 > 0.799 && s.cls[1].f1 < 0.801);
    CHECK(s.macro_f1 > 0.733 && s.macro_f1 < 0.734); /* (2/3 + 4/5) / 2 */

    /* A label only predicted counts against precision, not as a class of its own. */
    const char *gold2[] = { "a", "a" };
    const char *pred2[] = { "a", "c" };
    CHECK_INT(classify_score(gold2, pred2, 2, &s), 0);
    CHECK_INT(s.nclasses, 2);
    CHECK_STR(s.cls[1].label, "c");
    CHECK_INT(s.cls[1].support, 0);
    CHECK(s.macro_f1 > 0.666 && s.macro_f1 < 0.667);

    struct classify_score keep = s;
    CHECK_INT(classify_score(gold, pred, 0, &s), ERR_INVAL);
    const char *bad[] = { "a", NULL };
    CHECK_INT(classify_score(gold, bad, 2, &s), ERR_INVAL);
    CHECK(memcmp(&keep, &s, sizeof(s)) == 0); /* untouched on failure */

    static char names[CLASSIFY_SCORE_MAX_CLASSES + 1][16];
    const char *many[CLASSIFY_SCORE_MAX_CLASSES + 1];
    for (int i = 0; i <= CLASSIFY_SCORE_MAX_CLASSES; i++) {
        snprintf(names[i], sizeof(names[i]), "l%d", i);
        many[i] = names[i];
    }
    CHECK_INT(classify_score(many, many, CLASSIFY_SCORE_MAX_CLASSES + 1, &s), ERR_TOOBIG);
}

TEST(swap_keeps_models_in_flight)
{
    struct classify_live *l = classify_live_new(open_set("intent-a.bin"));
    const struct classify *old = classify_live_get(l);
    CHECK_INT(intent_of(old, "my order is late"), CLASSIFY_INTENT_COMPLAINT);

    classify_live_swap(l, open_set("intent-b.bin"));
    /* The reference taken before the swap still reads the old models. */
    CHECK_INT(intent_of(old, "my order is late"), CLASSIFY_INTENT_COMPLAINT);
    const struct classify *now = classify_live_get(l);
    CHECK(now != old);
    CHECK_INT(intent_of(now, "my order is late"), CLASSIFY_INTENT_PRAISE);
    classify_live_put(old); /* the last reference: A is freed here */
    CHECK_INT(intent_of(now, "my order is late"), CLASSIFY_INTENT_PRAISE);
    classify_live_put(now);
    classify_live_put(NULL);
    classify_live_free(l);
    classify_live_free(NULL);
}

struct reader {
    struct classify_live *l;
    int rounds;
    int seen_a, seen_b;
};

static void *
reader_main(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < r->rounds; i++) {
        const struct classify *c = classify_live_get(r->l);
        enum classify_intent it = intent_of(c, "the parcel is late again");
        r->seen_a += it == CLASSIFY_INTENT_COMPLAINT;
        r->seen_b += it == CLASSIFY_INTENT_PRAISE;
        classify_live_put(c);
    }
    return NULL;
}

TEST(swap_while_threads_triage)
{
    struct classify_live *l = classify_live_new(open_set("intent-a.bin"));
    struct reader r[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        r[i] = (struct reader){ .l = l, .rounds = 2000 };
        CHECK_INT(pthread_create(&t[i], NULL, reader_main, &r[i]), 0);
    }
    for (int i = 0; i < 40; i++)
        classify_live_swap(l, open_set(i % 2 ? "intent-a.bin" : "intent-b.bin"));
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        /* Every answer came from one whole model or the other. */
        CHECK_INT(r[i].seen_a + r[i].seen_b, 2000);
    }
    const struct classify *c = classify_live_get(l);
    CHECK_INT(intent_of(c, "my order is late"), CLASSIFY_INTENT_COMPLAINT); /* the 40th: A */
    classify_live_put(c);
    classify_live_free(l);
}

int
main(void)
{
    ASSERT(mkdtemp(tmpdir) != NULL);
    train_file(intent_a, path_in("intent-a.bin"));
    train_file(intent_b, path_in("intent-b.bin"));
    train_file(sentiment, path_in("sentiment.bin"));
    train_file(lang, path_in("lang.bin"));
    RUN(heldout_is_stable_and_about_one_in_five);
    RUN(score_counts_classes_like_scikit_learn);
    RUN(swap_keeps_models_in_flight);
    RUN(swap_while_threads_triage);
    const char *names[] = { "set.txt", "intent-a.bin", "intent-b.bin", "sentiment.bin",
                            "lang.bin" };
    for (size_t i = 0; i < COUNTOF(names); i++)
        unlink(path_in(names[i]));
    rmdir(tmpdir);
    return test_done();
}
