/* SPDX-License-Identifier: MIT */
/* lang_test.c - the default language id: libexttextcat when the models folder has no lang.bin,
 * short and hostile text, and many threads on one struct classify. */
#include "base/base.h"

#include "classify/classify.h"

#include <pthread.h>
#include <unistd.h>

#include "classify/classify_int.h"

#include "../test.h"

static char tmpdir[] = "/tmp/hark-lang-XXXXXX";

static const char *
path_in(const char *name)
{
    static char p[256];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    return p;
}

static void
train_file(const char *data, const char *model)
{
    struct classify_dataset ds;
    struct classify_train_opts o = classify_train_opts_default();
    struct classify_model *m;
    FILE *f = fopen(path_in("t.txt"), "w");
    ASSERT(f);
    fputs(data, f);
    fclose(f);
    ASSERT(classify_dataset_load(path_in("t.txt"), &ds, NULL) == 0);
    o.feat = (struct classify_feat_cfg){ .buckets = 1u << 12, .word_ngrams = 2, .minn = 2,
                                         .maxn = 4 };
    ASSERT(classify_model_train(&ds, &o, &m, NULL) == 0);
    ASSERT(classify_model_save(m, path_in(model), NULL) == 0);
    classify_model_free(m);
    classify_dataset_release(&ds);
}

static const struct {
    const char *text, *lang;
} cases[] = {
    { "My order is two weeks late and nobody answers my emails, this is awful.", "en" },
    { "Bonjour, je voudrais savoir si vous livrez en Belgique et combien de temps prend la "
      "livraison.", "fr" },
    { "Hola, mi pedido llegó roto y quiero que me devuelvan el dinero cuanto antes.", "es" },
    { "Wo ist meine Bestellung? Ich warte seit zwei Wochen auf eine Antwort.", "de" },
    { "Il mio ordine non è ancora arrivato, potete dirmi quando arriverà?", "it" },
    { "\xd0\x93\xd0\xb4\xd0\xb5 \xd0\xbc\xd0\xbe\xd0\xb9 \xd0\xb7\xd0\xb0\xd0\xba\xd0\xb0\xd0\xb7"
      "? \xd0\xaf \xd0\xb6\xd0\xb4\xd1\x83 \xd1\x83\xd0\xb6\xd0\xb5 \xd0\xb4\xd0\xb2\xd0\xb5 "
      "\xd0\xbd\xd0\xb5\xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb8.", "ru" },
    { "", "und" },
    { "ok", "und" },          /* too short to guess */
    { "!!! ??? 1234", "und" }, /* no letters */
    { "\xff\xfe\xfd\xff\xfe\xfd\xff\xfe\xfd\xff\xfe\xfd", "und" },
    /* Handles, hashtags, URLs and codes are not words: too few letters are left. */
    { "@united #LAX #sunrise UAL212 LAX-JFK", "und" },
    { "@JetBlue @united #travel #flights https://t.co/abcdefgh", "und" },
    { "@SouthwestAir I'm 30 mins out WAIT FOR ME", "en" }, /* function words decide */
    { "@united SHUT THE DOOR ON YOUR WAY OUT", "en" },      /* shouting is still English */
    { "\xce\x9a\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf\x81\xce\xb1 "
      "\xcf\x83\xce\xb5 \xcf\x8c\xce\xbb\xce\xbf\xcf\x85\xcf\x82", "el" }, /* script alone */
    { "\xd0\xa1\xd0\xbb\xd0\xb0\xd0\xb2\xd0\xb0 \xd0\xa3\xd0\xba\xd1\x80\xd0\xb0\xd1\x97"
      "\xd0\xbd\xd1\x96, \xd0\xb4\xd1\x8f\xd0\xba\xd1\x83\xd1\x8e", "uk" },
};

static void *
guess_many(void *arg)
{
    const struct classify *c = arg;
    struct triage t;
    long bad = 0;
    for (int i = 0; i < 200; i++) {
        size_t k = (size_t)i % COUNTOF(cases);
        classify_message(c, str_c(cases[k].text), NULL, &t);
        bad += strcmp(t.lang, cases[k].lang) != 0;
    }
    return (void *)bad;
}

TEST(textcat_without_lang_bin)
{
    struct classify *c = NULL;
    struct errmsg em = { 0 };
    struct triage t;
    pthread_t th[8];
    char *huge;

    train_file("__label__complaint late broken awful\n__label__praise great thanks love\n"
               "__label__question what time do you open\n", "intent.bin");
    train_file("__label__negative awful late broken\n__label__positive great thanks love\n"
               "__label__neutral what time do you open\n", "sentiment.bin");
    CHECK_INT(classify_open(tmpdir, &c, &em), 0);
    if (!c)
        return;
    for (size_t i = 0; i < COUNTOF(cases); i++) {
        classify_message(c, str_c(cases[i].text), NULL, &t);
        CHECK_STR(t.lang, cases[i].lang);
        CHECK(strcmp(cases[i].lang, "und") ? t.lang_conf > 0 && t.lang_conf <= 1
                                           : t.lang_conf == 0);
    }
    huge = xmalloc(1 << 20);
    for (size_t i = 0; i < 1 << 20; i++)
        huge[i] = "the order is late "[i % 18];
    classify_message(c, (struct str){ huge, 1 << 20 }, NULL, &t);
    CHECK_STR(t.lang, "en");
    xfree(huge);
    /* More threads than handles: every answer is the same as on one thread. */
    for (size_t i = 0; i < COUNTOF(th); i++)
        ASSERT(pthread_create(&th[i], NULL, guess_many, c) == 0);
    for (size_t i = 0; i < COUNTOF(th); i++) {
        void *bad;
        ASSERT(pthread_join(th[i], &bad) == 0);
        CHECK_INT((long)bad, 0);
    }
    classify_free(c);
    CHECK(strstr(classify__textcat_langs(), "en") != NULL);
}

static const char *
cleaned(const char *text, size_t cap)
{
    static char out[256];
    ASSERT(cap <= sizeof(out));
    size_t n = classify_lang_clean(str_c(text), out, cap);
    ASSERT(n < cap && out[n] == '\0' && strlen(out) == n);
    return out;
}

TEST(cleaning_for_language_id)
{
    CHECK_STR(cleaned("@united #LAX #sunrise UAL212 LAX-JFK", 256), "LAX-JFK");
    CHECK_STR(cleaned("(@united) thanks!! see https://t.co/x1 or www.united.com", 256),
              "thanks!! see or");
    CHECK_STR(cleaned("mail ann@example.com at 10:30, flight UA895 +44 7700", 256),
              "mail at flight");
    CHECK_STR(cleaned("  spaces\t\tand\nnewlines  ", 256), "spaces and newlines");
    CHECK_STR(cleaned("#\xe6\x97\xa5\xe6\x9c\xac "
                      "\xe6\x97\xa5\xe6\x9c\xac" "2015" "\xe5\xb9\xb4", 256),
              "\xe6\x97\xa5\xe6\x9c\xac" "2015" "\xe5\xb9\xb4"); /* digits inside CJK stay */
    CHECK_STR(cleaned("", 256), "");
    {
        char out[16];
        size_t n = classify_lang_clean((struct str){ "ab\0cd\0\0ef", 10 }, out, sizeof(out));
        CHECK_INT((int)n, 8);
        CHECK_STR(out, "ab cd ef"); /* a NUL separates, never ends the copy early */
    }
    CHECK_STR(cleaned("@a #b", 256), "");
    /* Cut at a code point boundary, always NUL-terminated. */
    CHECK_STR(cleaned("ab \xc3\xa9\xc3\xa9", 6), "ab \xc3\xa9");
    CHECK_STR(cleaned("abcdef", 4), "abc");
    CHECK_STR(cleaned("abcdef", 1), "");
}

/* The CLI reads lines into a buffer where the newline follows the text; ingest passes a
 * database string where a NUL follows. libexttextcat read past the length it was given, so the
 * same text got two languages. Both now go through one cleaned, NUL-terminated copy. */
TEST(same_answer_whatever_follows)
{
    struct classify *c = NULL;
    const char *texts[] = { "@united #LAX #sunrise UAL212 LAX-JFK", "spruce moose",
                            "@united we just left (delayed)", "Il mio ordine non arriva",
                            "so unhelpful today..." };
    const char *after[] = { "", "\n", "xyz", "\r\nmore text in another language, bitte" };
    CHECK_INT(classify_open(tmpdir, &c, NULL), 0);
    if (!c)
        return;
    for (size_t i = 0; i < COUNTOF(texts); i++) {
        struct triage want, got;
        char buf[256];
        classify_message(c, str_c(texts[i]), NULL, &want);
        for (size_t k = 0; k < COUNTOF(after); k++) {
            snprintf(buf, sizeof(buf), "%s%s", texts[i], after[k]);
            classify_message(c, (struct str){ buf, strlen(texts[i]) }, NULL, &got);
            CHECK_STR(got.lang, want.lang);
            CHECK(got.lang_conf == want.lang_conf);
        }
    }
    classify_free(c);
}

int
main(void)
{
    ASSERT(mkdtemp(tmpdir) != NULL);
    RUN(textcat_without_lang_bin);
    RUN(cleaning_for_language_id);
    RUN(same_answer_whatever_follows);
    unlink(path_in("t.txt"));
    unlink(path_in("intent.bin"));
    unlink(path_in("sentiment.bin"));
    rmdir(tmpdir);
    return test_done();
}
