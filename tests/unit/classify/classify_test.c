/* SPDX-License-Identifier: MIT */
/* classify_test.c - tokenizer, training, model files, urgency rules and the triage API. */
#include "base/base.h"

#include "classify/classify.h"

#include <math.h>
#include <unistd.h>

#include "../test.h"

static char tmpdir[] = "/tmp/hark-classify-XXXXXX";

static const struct classify_feat_cfg cfg = {
    .buckets = 1u << 12, .word_ngrams = 2, .minn = 2, .maxn = 4
};

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
}

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;
    ASSERT(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = xmalloc((size_t)n + 1);
    ASSERT(fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static char *
path_in(const char *name)
{
    static char buf[8][512];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* A tiny, clearly separable set: enough for a model to learn it exactly. */
static const char *const toy =
    "__label__complaint my order is late and nobody answers\n"
    "__label__complaint the parcel arrived broken, awful service\n"
    "__label__complaint still waiting for my refund, terrible\n"
    "__label__praise thank you so much, great service\n"
    "__label__praise love it, amazing quality 😍\n"
    "__label__praise brilliant team, thanks for the help\n"
    "__label__question what time do you open on sunday?\n"
    "__label__question do you ship to canada?\n"
    "__label__question how much is the annual plan?\n";

static struct classify_model *
train_toy(uint64_t seed, const char *out)
{
    struct classify_dataset ds;
    struct classify_train_opts o = classify_train_opts_default();
    struct classify_model *m = NULL;
    struct errmsg em = { 0 };

    write_file(path_in("toy.txt"), toy);
    ASSERT(classify_dataset_load(path_in("toy.txt"), &ds, &em) == 0);
    o.feat = cfg;
    o.epochs = 30;
    o.seed = seed;
    ASSERT(classify_model_train(&ds, &o, &m, &em) == 0);
    if (out)
        ASSERT(classify_model_save(m, out, &em) == 0);
    classify_dataset_release(&ds);
    return m;
}

struct collect {
    char words[64][64];
    size_t n;
};

static bool
collect(struct str w, void *arg)
{
    struct collect *c = arg;
    if (c->n < 64 && w.len < 64) {
        memcpy(c->words[c->n], w.p, w.len);
        c->words[c->n][w.len] = '\0';
        c->n++;
    }
    return true;
}

TEST(words_normalize_social_text)
{
    struct collect c = { 0 };
    classify_words(STR_LIT("Hey @AcmeSupport, check https://x.co/a?b=1 #BigSale NOW!!! "
                           "don\xe2\x80\x99t 123 caf\xc3\x89 \xf0\x9f\x98\x8d\xf0\x9f\x8f\xbb"),
                   collect, &c);
    CHECK_INT(c.n, 13);
    CHECK_STR(c.words[0], "hey");
    CHECK_STR(c.words[1], "@user");
    CHECK_STR(c.words[2], "check");
    CHECK_STR(c.words[3], "<url>");
    CHECK_STR(c.words[4], "bigsale");
    CHECK_STR(c.words[5], "now");
    CHECK_STR(c.words[6], "!");
    CHECK_STR(c.words[9], "don't");
    CHECK_STR(c.words[10], "000");
    CHECK_STR(c.words[11], "caf\xc3\xa9");
    CHECK_STR(c.words[12], "\xf0\x9f\x98\x8d"); /* the skin tone is dropped */
}

TEST(features_edge_cases)
{
    uint32_t f[CLASSIFY_MAX_FEATURES], g[CLASSIFY_MAX_FEATURES];
    size_t n, m;
    char *huge;

    CHECK_INT(classify_features(&cfg, STR_NULL, f, COUNTOF(f)), 0);
    CHECK_INT(classify_features(&cfg, STR_LIT(""), f, COUNTOF(f)), 0);
    CHECK_INT(classify_features(&cfg, STR_LIT("   \t\n "), f, COUNTOF(f)), 0);

    /* Emoji-only and RTL (Arabic, Hebrew) text still produce features. */
    n = classify_features(&cfg, STR_LIT("\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1\xf0\x9f\x94\xa5"), f,
                          COUNTOF(f));
    CHECK(n >= 3);
    n = classify_features(&cfg, STR_LIT("\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7 \xd8\xac\xd8\xb2\xd9\x8a"
                                        "\xd9\x84\xd8\xa7"),
                          f, COUNTOF(f));
    CHECK(n > 5);
    n = classify_features(&cfg, STR_LIT("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\x8f"), f,
                          COUNTOF(f));
    CHECK(n > 2);

    /* Invalid UTF-8: lone continuation bytes, truncated sequences, overlongs, surrogates. */
    n = classify_features(&cfg, STR_LIT("a\x80\xbf b\xc3 c\xe0\x80\xaf d\xed\xa0\x80 \xff\xfe"),
                          f, COUNTOF(f));
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++)
        CHECK(f[i] < cfg.buckets);

    /* Huge text: only the first CLASSIFY_MAX_TEXT bytes count, and 'max' is respected. */
    huge = xmalloc(1 << 20);
    for (size_t i = 0; i < (1 << 20); i++)
        huge[i] = "abc de"[i % 6];
    n = classify_features(&cfg, (struct str){ huge, 1 << 20 }, f, COUNTOF(f));
    m = classify_features(&cfg, (struct str){ huge, CLASSIFY_MAX_TEXT }, g, COUNTOF(g));
    CHECK_INT(n, m);
    CHECK(n <= COUNTOF(f));
    CHECK(memcmp(f, g, n * sizeof(*f)) == 0);
    CHECK_INT(classify_features(&cfg, (struct str){ huge, 1 << 20 }, f, 7), 7);
    xfree(huge);

    /* Deterministic. */
    n = classify_features(&cfg, STR_LIT("Where is my parcel?"), f, COUNTOF(f));
    m = classify_features(&cfg, STR_LIT("Where is my parcel?"), g, COUNTOF(g));
    CHECK_INT(n, m);
    CHECK(memcmp(f, g, n * sizeof(*f)) == 0);
}

TEST(train_predict_save_load_round_trip)
{
    struct classify_model *m = train_toy(1, path_in("a.bin")), *l = NULL, *l2 = NULL;
    struct errmsg em = { 0 };
    const char *texts[] = { "my parcel is late, awful", "thanks, great team", "do you open on sunday?",
                            "", "\xf0\x9f\x98\x8d" };
    float p[CLASSIFY_MAX_LABELS], q[CLASSIFY_MAX_LABELS];

    CHECK_INT(classify_model_load(path_in("a.bin"), &l, &em), 0);
    if (!l) {
        classify_model_free(m);
        return;
    }
    CHECK_INT(classify_model_nlabels(l), 3);
    CHECK_STR(classify_model_label(l, 0), "complaint");
    CHECK_INT(classify_model_label_index(l, "question"), 2);
    CHECK_INT(classify_model_label_index(l, "nope"), -1);
    CHECK_INT(classify_model_feat_cfg(l).buckets, cfg.buckets);
    CHECK_INT(classify_model_predict(m, str_c(texts[0]), p), 0);
    CHECK_INT(classify_model_predict(m, str_c(texts[1]), p), 1);
    CHECK_INT(classify_model_predict(m, str_c(texts[2]), p), 2);
    /* The loaded model predicts from int8 weights: the same class, probabilities within 1%. */
    for (size_t i = 0; i < COUNTOF(texts); i++) {
        size_t a = classify_model_predict(m, str_c(texts[i]), p);
        size_t b = classify_model_predict(l, str_c(texts[i]), q);
        float sum = 0, qsum = 0;
        CHECK_INT(a, b);
        for (int c = 0; c < 3; c++) {
            CHECK(fabsf(p[c] - q[c]) < 0.01f);
            sum += p[c];
            qsum += q[c];
        }
        CHECK(fabsf(sum - 1.0f) < 1e-4f);
        CHECK(fabsf(qsum - 1.0f) < 1e-4f);
    }
    /* A loaded model saves its dequantized weights, and reloading them changes nothing. */
    CHECK_INT(classify_model_save(l, path_in("a2.bin"), &em), 0);
    CHECK_INT(classify_model_load(path_in("a2.bin"), &l2, &em), 0);
    for (size_t i = 0; l2 && i < COUNTOF(texts); i++) {
        size_t a = classify_model_predict(l, str_c(texts[i]), p);
        size_t b = classify_model_predict(l2, str_c(texts[i]), q);
        CHECK_INT(a, b);
        for (int c = 0; c < 3; c++)
            CHECK(fabsf(p[c] - q[c]) < 1e-6f);
    }
    classify_model_free(m);
    classify_model_free(l);
    classify_model_free(l2);
}

TEST(training_is_deterministic)
{
    size_t a_len, b_len, c_len;
    char *a, *b, *c;
    classify_model_free(train_toy(7, path_in("d1.bin")));
    classify_model_free(train_toy(7, path_in("d2.bin")));
    classify_model_free(train_toy(8, path_in("d3.bin")));
    a = read_all(path_in("d1.bin"), &a_len);
    b = read_all(path_in("d2.bin"), &b_len);
    c = read_all(path_in("d3.bin"), &c_len);
    CHECK(a_len == b_len && memcmp(a, b, a_len) == 0);
    CHECK(a_len != c_len || memcmp(a, c, a_len) != 0); /* the seed matters */
    xfree(a);
    xfree(b);
    xfree(c);
}

TEST(loader_rejects_truncated_and_corrupt_files)
{
    struct classify_model *m = NULL;
    struct errmsg em = { 0 };
    size_t len;
    char *file;

    classify_model_free(train_toy(1, path_in("c.bin")));
    file = read_all(path_in("c.bin"), &len);
    for (size_t n = 0; n < len; n += (n < 256 ? 1 : 97)) {
        CHECK_INT(classify_model_load_mem(file, n, &m, NULL), ERR_INVAL);
        CHECK(m == NULL);
    }
    /* A flipped bit anywhere is caught, by the header checks or by the checksum. */
    for (size_t i = 0; i < len; i += 61) {
        file[i] ^= 0x10;
        CHECK_INT(classify_model_load_mem(file, len, &m, NULL), ERR_INVAL);
        file[i] ^= 0x10;
    }
    CHECK(m == NULL);
    memcpy(file, "NOTAMODL", 8);
    CHECK_INT(classify_model_load_mem(file, len, &m, &em), ERR_INVAL);
    CHECK(strstr(em.text, "magic") != NULL);
    CHECK_INT(classify_model_load(path_in("missing.bin"), &m, NULL), ERR_IO);
    CHECK(m == NULL);
    xfree(file);
}

TEST(dataset_errors_name_the_line)
{
    struct classify_dataset ds;
    struct errmsg em = { 0 };
    write_file(path_in("bad.txt"), "__label__a fine\n\n# comment\nno label here\n");
    CHECK_INT(classify_dataset_load(path_in("bad.txt"), &ds, &em), ERR_INVAL);
    CHECK(strstr(em.text, "line 4") != NULL);
    write_file(path_in("ok.txt"), "__label__a __label__b two labels\r\n__label__b\n");
    CHECK_INT(classify_dataset_load(path_in("ok.txt"), &ds, NULL), 0);
    CHECK_INT(ds.n, 2);
    CHECK_INT(ds.nlabels, 2);
    CHECK(str_eq_c(ds.ex[0].text, "two labels"));
    CHECK_INT(ds.ex[1].text.len, 0);
    classify_dataset_release(&ds);
}

static bool
has_reason(const struct triage *t, const char *code)
{
    for (size_t i = 0; i < t->nreasons; i++) {
        if (strcmp(t->reasons[i].code, code) == 0)
            return true;
    }
    return false;
}

TEST(urgency_rules)
{
    struct triage t = { .intent = CLASSIFY_INTENT_QUESTION, .sentiment = CLASSIFY_SENTIMENT_NEUTRAL };
    struct classify_ctx ctx = { .author_followers = 250000, .repeat_contacts = 2 };

    classify_urgency(STR_LIT("What time do you open?"), NULL, &t);
    CHECK_INT(t.urgency, 0);
    CHECK_INT(t.nreasons, 0);

    classify_urgency(STR_LIT("I will contact my LAWYER about this"), NULL, &t);
    CHECK(has_reason(&t, "legal_threat"));
    CHECK_INT(t.urgency, 35);

    classify_urgency(STR_LIT("the heater caught fire and my son was injured"), NULL, &t);
    CHECK(has_reason(&t, "safety_or_health"));
    classify_urgency(STR_LIT("someone hacked my account, charged twice"), NULL, &t);
    CHECK(has_reason(&t, "fraud_or_security"));
    classify_urgency(STR_LIT("Please cancel my subscription"), NULL, &t);
    CHECK(has_reason(&t, "cancellation_or_churn"));
    CHECK_INT(t.urgency, 20);

    classify_urgency(STR_LIT("hello"), &ctx, &t);
    CHECK(has_reason(&t, "public_reach"));
    CHECK(has_reason(&t, "repeat_contact"));
    CHECK_INT(t.urgency, 40);

    t.intent = CLASSIFY_INTENT_COMPLAINT;
    t.sentiment = CLASSIFY_SENTIMENT_NEGATIVE;
    t.sentiment_score = -0.9f;
    classify_urgency(STR_LIT("I'm suing you!!! my kid got food poisoning, fraud, I cancel"), &ctx, &t);
    CHECK_INT(t.urgency, 100);
    CHECK(t.nreasons >= 8);
    for (size_t i = 1; i < t.nreasons; i++)
        CHECK(t.reasons[i - 1].points >= t.reasons[i].points);
    CHECK_STR(t.reasons[0].code, "safety_or_health");
}

TEST(names_round_trip)
{
    for (int i = 0; i < CLASSIFY_INTENT_COUNT; i++) {
        enum classify_intent x;
        CHECK_INT(classify_intent_parse(str_c(classify_intent_name((enum classify_intent)i)), &x), 0);
        CHECK_INT(x, i);
    }
    for (int i = 0; i < CLASSIFY_SENTIMENT_COUNT; i++) {
        enum classify_sentiment x;
        CHECK_INT(classify_sentiment_parse(str_c(classify_sentiment_name((enum classify_sentiment)i)),
                                           &x), 0);
        CHECK_INT(x, i);
    }
    CHECK_STR(classify_intent_name((enum classify_intent)99), "other");
    {
        enum classify_intent x = CLASSIFY_INTENT_SPAM;
        CHECK_INT(classify_intent_parse(STR_LIT("nonsense"), &x), ERR_INVAL);
        CHECK_INT(x, CLASSIFY_INTENT_SPAM);
    }
}

static void
train_file(const char *data, const char *model)
{
    struct classify_dataset ds;
    struct classify_train_opts o = classify_train_opts_default();
    struct classify_model *m;
    write_file(path_in("t.txt"), data);
    ASSERT(classify_dataset_load(path_in("t.txt"), &ds, NULL) == 0);
    o.feat = cfg;
    ASSERT(classify_model_train(&ds, &o, &m, NULL) == 0);
    ASSERT(classify_model_save(m, path_in(model), NULL) == 0);
    classify_model_free(m);
    classify_dataset_release(&ds);
}

TEST(triage_end_to_end)
{
    struct classify *c = NULL;
    struct errmsg em = { 0 };
    struct triage t;
    char *huge;
    const char *odd[] = { "", "\xff\xfe\xfd", "\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1",
                          "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "   " };

    CHECK_INT(classify_open(tmpdir, &c, &em), ERR_IO);
    CHECK(strstr(em.text, "intent.bin") != NULL); /* lang.bin is optional */
    train_file("__label__en the order is late\n__label__en thanks a lot\n"
               "__label__fr la commande est en retard\n__label__fr merci beaucoup\n", "lang.bin");
    train_file(toy, "intent.bin");
    train_file("__label__negative awful late broken\n__label__positive great thanks love\n"
               "__label__neutral what time do you open\n", "sentiment.bin");
    CHECK_INT(classify_open(tmpdir, &c, NULL), 0);
    if (!c)
        return;
    classify_message(c, STR_LIT("merci beaucoup"), NULL, &t);
    CHECK_STR(t.lang, "fr");
    classify_message(c, STR_LIT("my order is late and broken, awful. I'll call my lawyer"), NULL, &t);
    CHECK_STR(t.lang, "en");
    CHECK_INT(t.intent, CLASSIFY_INTENT_COMPLAINT);
    CHECK_INT(t.sentiment, CLASSIFY_SENTIMENT_NEGATIVE);
    CHECK(t.sentiment_score < 0 && t.sentiment_score >= -1);
    CHECK(t.urgency >= 35);
    CHECK(has_reason(&t, "legal_threat"));
    for (size_t i = 0; i < COUNTOF(odd); i++) {
        classify_message(c, str_c(odd[i]), NULL, &t);
        CHECK(t.intent_conf > 0 && t.intent_conf <= 1);
        CHECK(t.sentiment_score >= -1 && t.sentiment_score <= 1);
        CHECK(t.urgency >= 0 && t.urgency <= 100);
    }
    classify_message(c, STR_LIT(""), NULL, &t);
    CHECK_STR(t.lang, "und");
    huge = xmalloc(4 << 20);
    memset(huge, 'x', 4 << 20);
    classify_message(c, (struct str){ huge, 4 << 20 }, NULL, &t);
    CHECK(t.urgency == 0);
    xfree(huge);
    classify_free(c);
    classify_free(NULL);
}

int
main(void)
{
    ASSERT(mkdtemp(tmpdir) != NULL);
    RUN(words_normalize_social_text);
    RUN(features_edge_cases);
    RUN(train_predict_save_load_round_trip);
    RUN(training_is_deterministic);
    RUN(loader_rejects_truncated_and_corrupt_files);
    RUN(dataset_errors_name_the_line);
    RUN(urgency_rules);
    RUN(names_round_trip);
    RUN(triage_end_to_end);
    {
        const char *names[] = { "toy.txt", "a.bin", "d1.bin", "d2.bin", "d3.bin", "c.bin",
                                "bad.txt", "ok.txt", "t.txt", "lang.bin", "intent.bin",
                                "sentiment.bin" };
        for (size_t i = 0; i < COUNTOF(names); i++)
            unlink(path_in(names[i]));
        rmdir(tmpdir);
    }
    return test_done();
}
