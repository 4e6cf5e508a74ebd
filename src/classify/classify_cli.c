/* SPDX-License-Identifier: MIT */
/*
 * classify_cli.c - `hark model`: train, evaluate and run triage models from the command line.
 *
 * Thin on purpose: every subcommand parses its options, calls the library in classify.h and
 * prints. Results go to stdout (JSON lines for predict, a report or --json for eval); progress
 * goes to stderr, and only when stderr is a terminal or --progress is given, so scripts and the
 * build get clean output.
 */
#include "base/base.h"

#include "classify/classify.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"

#define LINE_MAX_BYTES (1u << 20)

static const char *const model_usage =
    "usage: hark model <subcommand> [options]\n"
    "\n"
    "Train, evaluate and run Hark's triage classifiers (see docs/triage.md).\n"
    "\n"
    "subcommands:\n"
    "  train     train a model from a labelled file\n"
    "  eval      accuracy, macro-F1, per-class precision/recall and confusion matrix\n"
    "  predict   classify text lines from stdin, one JSON line out per line in\n"
    "  retrain   retrain the default models from shipped data plus agent corrections\n"
    "            (wired in src/retrain.c: it reads corrections from the database)\n"
    "\n"
    "Data files are fastText-style: one \"__label__NAME text\" per line.\n"
    "Run `hark model <subcommand> --help` for its options.\n";

static const char *const train_usage =
    "usage: hark model train --data FILE --out MODEL [options]\n"
    "\n"
    "Trains a multinomial logistic regression over hashed word and character n-grams with SGD.\n"
    "The same data, options and seed give the same model file, byte for byte.\n"
    "\n"
    "  --data FILE        training examples, \"__label__NAME text\" per line (required)\n"
    "  --out MODEL        model file to write (required)\n"
    "  --epochs N         passes over the data (default 10)\n"
    "  --lr X             initial learning rate, decays linearly to 0 (default 0.3)\n"
    "  --l2 X             L2 weight decay per update (default 0)\n"
    "  --buckets N        hash buckets, a power of two in 256..16777216 (default 1048576)\n"
    "  --word-ngrams N    0 none, 1 words, 2 words and word pairs (default 2)\n"
    "  --minn N --maxn N  character n-gram lengths, 0 0 for none (default 3 5)\n"
    "  --seed N           shuffling seed (default 1)\n"
    "  --progress         report each epoch on stderr even when it is not a terminal\n"
    "  --quiet            no progress\n";

static const char *const eval_usage =
    "usage: hark model eval --model MODEL --data FILE [--json]\n"
    "\n"
    "Predicts every example of FILE and prints accuracy, macro-F1, per-class precision, recall,\n"
    "F1 and support, and the confusion matrix (rows: true label, columns: predicted). Labels\n"
    "in FILE that the model does not know count as errors.\n"
    "\n"
    "  --model MODEL   model file (required)\n"
    "  --data FILE     labelled examples (required)\n"
    "  --json          one JSON object instead of the report\n"
    "  --progress      report progress on stderr even when it is not a terminal\n";

static const char *const predict_usage =
    "usage: hark model predict (--model MODEL | --models DIR) [--top K]\n"
    "\n"
    "Reads text lines from stdin and writes one JSON line per input line, in order.\n"
    "With --model, a single classifier: {\"label\":\"complaint\",\"confidence\":0.91,\n"
    "\"top\":[[\"complaint\",0.91],...]}. With --models DIR (intent.bin, sentiment.bin and\n"
    "an optional lang.bin), the full triage with the API's field names: {\"lang\":\"en\"\n"
    "(\"und\" when unknown),\"lang_conf\",\"intent\",\"confidence\" (the intent's),\"sentiment\",\n"
    "\"sentiment_score\",\"sentiment_conf\",\"urgency\",\n"
    "\"urgency_reasons\":[{\"code\",\"points\"}]}.\n"
    "\n"
    "  --model MODEL   one model file\n"
    "  --models DIR    a directory of triage models (e.g. build/models)\n"
    "  --top K         with --model, list the K most likely labels (default 1)\n"
    "  --followers N   with --models, the author's follower count for the urgency rules\n"
    "  --repeat N      with --models, earlier contacts from the author on the same issue\n";

static bool
want_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

static int
usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "hark model: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage);
    return 2;
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    int64_t v;
    int rc = str_to_i64(str_c(s), (int64_t)min, max > INT64_MAX ? INT64_MAX : (int64_t)max, &v);
    if (rc < 0)
        return rc;
    *out = (uint64_t)v;
    return 0;
}

static int
parse_float(const char *s, float *out)
{
    char *end;
    double v;
    if (!*s)
        return ERR_INVAL;
    v = strtod(s, &end);
    if (*end || !isfinite(v))
        return ERR_INVAL;
    *out = (float)v;
    return 0;
}

struct progress {
    bool on;
    int64_t start_ms;
};

static void
train_progress(uint32_t epoch, uint32_t epochs, double loss, void *arg)
{
    struct progress *pg = arg;
    if (!pg->on)
        return;
    fprintf(stderr, "\rtrain: epoch %u/%u  loss %.4f  %.1fs%s", epoch, epochs, loss,
            (double)(clock_mono_ms() - pg->start_ms) / 1000.0, epoch == epochs ? "\n" : "");
    fflush(stderr);
}

static int
cmd_train(int argc, char **argv)
{
    struct classify_train_opts o = classify_train_opts_default();
    struct classify_dataset ds = { 0 };
    struct classify_model *m = NULL;
    struct errmsg em = { 0 };
    struct progress pg = { .on = isatty(2) != 0 };
    const char *data = NULL, *out = NULL;
    int64_t t0;
    int rc;

    if (want_help(argc, argv)) {
        fputs(train_usage, stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t u;
        if (strcmp(a, "--progress") == 0) {
            pg.on = true;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            pg.on = false;
            continue;
        }
        if (!v)
            return usage_error(train_usage, "missing value or unknown option '%s'", a);
        i++;
        if (strcmp(a, "--data") == 0) {
            data = v;
        } else if (strcmp(a, "--out") == 0) {
            out = v;
        } else if (strcmp(a, "--epochs") == 0) {
            if (parse_u64(v, 1, 10000, &u) < 0)
                return usage_error(train_usage, "invalid '--epochs': want 1..10000", NULL);
            o.epochs = (uint32_t)u;
        } else if (strcmp(a, "--lr") == 0) {
            if (parse_float(v, &o.lr) < 0 || !(o.lr > 0))
                return usage_error(train_usage, "invalid '--lr': want a number > 0", NULL);
        } else if (strcmp(a, "--l2") == 0) {
            if (parse_float(v, &o.l2) < 0 || o.l2 < 0)
                return usage_error(train_usage, "invalid '--l2': want a number >= 0", NULL);
        } else if (strcmp(a, "--buckets") == 0) {
            if (parse_u64(v, 256, 1u << 24, &u) < 0 || (u & (u - 1)) != 0)
                return usage_error(train_usage, "invalid '--buckets': want a power of two in "
                                                "256..16777216", NULL);
            o.feat.buckets = (uint32_t)u;
        } else if (strcmp(a, "--word-ngrams") == 0) {
            if (parse_u64(v, 0, 2, &u) < 0)
                return usage_error(train_usage, "invalid '--word-ngrams': want 0..2", NULL);
            o.feat.word_ngrams = (uint8_t)u;
        } else if (strcmp(a, "--minn") == 0) {
            if (parse_u64(v, 0, 8, &u) < 0)
                return usage_error(train_usage, "invalid '--minn': want 0..8", NULL);
            o.feat.minn = (uint8_t)u;
        } else if (strcmp(a, "--maxn") == 0) {
            if (parse_u64(v, 0, 8, &u) < 0)
                return usage_error(train_usage, "invalid '--maxn': want 0..8", NULL);
            o.feat.maxn = (uint8_t)u;
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_u64(v, 0, INT64_MAX, &u) < 0)
                return usage_error(train_usage, "invalid '--seed': want an integer >= 0", NULL);
            o.seed = u;
        } else {
            return usage_error(train_usage, "unknown option '%s'", a);
        }
    }
    if (!data || !out)
        return usage_error(train_usage, "%s", "--data and --out are required");
    if (o.feat.minn == 0)
        o.feat.maxn = 0;
    o.progress = train_progress;
    o.progress_arg = &pg;

    t0 = clock_mono_ms();
    pg.start_ms = t0;
    rc = classify_dataset_load(data, &ds, &em);
    if (rc < 0)
        goto out;
    rc = classify_model_train(&ds, &o, &m, &em);
    if (rc < 0)
        goto out;
    rc = classify_model_save(m, out, &em);
    if (rc < 0)
        goto out;
    if (pg.on)
        fprintf(stderr, "train: %zu examples, %zu labels, %.2fs -> %s\n", ds.n, ds.nlabels,
                (double)(clock_mono_ms() - t0) / 1000.0, out);
out:
    if (rc < 0)
        fprintf(stderr, "hark model train: %s\n", em.set ? em.text : err_str(rc));
    classify_model_free(m);
    classify_dataset_release(&ds);
    return rc < 0 ? 1 : 0;
}

static void
json_label(FILE *f, const char *s)
{
    /* Labels are [A-Za-z0-9_.-] (checked at load), so they need no escaping. */
    fprintf(f, "\"%s\"", s);
}

static int
cmd_eval(int argc, char **argv)
{
    struct classify_dataset ds = { 0 };
    struct classify_model *m = NULL;
    struct errmsg em = { 0 };
    const char *model = NULL, *data = NULL;
    bool json = false, progress = isatty(2) != 0;
    size_t k, nd, correct = 0, *conf = NULL, *map = NULL;
    double macro_f1 = 0, secs;
    int64_t t0;
    int rc;

    if (want_help(argc, argv)) {
        fputs(eval_usage, stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--progress") == 0) {
            progress = true;
        } else if (strcmp(a, "--model") == 0 && v) {
            model = v;
            i++;
        } else if (strcmp(a, "--data") == 0 && v) {
            data = v;
            i++;
        } else {
            return usage_error(eval_usage, "unknown option or missing value '%s'", a);
        }
    }
    if (!model || !data)
        return usage_error(eval_usage, "%s", "--model and --data are required");
    rc = classify_model_load(model, &m, &em);
    if (rc < 0)
        goto out;
    rc = classify_dataset_load(data, &ds, &em);
    if (rc < 0)
        goto out;

    /* Columns are the model's labels; rows are the data's labels mapped onto them, plus the
     * data's labels the model does not know, which can only ever be wrong. */
    k = classify_model_nlabels(m);
    nd = k;
    map = xcalloc(ds.nlabels, sizeof(*map));
    for (size_t i = 0; i < ds.nlabels; i++) {
        int li = classify_model_label_index(m, ds.labels[i]);
        map[i] = li >= 0 ? (size_t)li : nd++;
    }
    conf = xcalloc(nd * k, sizeof(*conf));
    t0 = clock_mono_ms();
    for (size_t i = 0; i < ds.n; i++) {
        float probs[CLASSIFY_MAX_LABELS];
        size_t y = map[ds.ex[i].label];
        size_t p = classify_model_predict(m, ds.ex[i].text, probs);
        conf[y * k + p]++;
        correct += y == p;
        if (progress && (i + 1) % 10000 == 0)
            fprintf(stderr, "\reval: %zu/%zu", i + 1, ds.n);
    }
    secs = (double)(clock_mono_ms() - t0) / 1000.0;
    if (progress && ds.n >= 10000)
        fprintf(stderr, "\n");

    {
        double *prec = xcalloc(k, sizeof(double)), *rec = xcalloc(k, sizeof(double));
        double *f1 = xcalloc(k, sizeof(double));
        size_t *support = xcalloc(k, sizeof(size_t)), present = 0;
        for (size_t c = 0; c < k; c++) {
            size_t tp = conf[c * k + c], pred = 0, sup = 0;
            for (size_t r = 0; r < nd; r++)
                pred += conf[r * k + c];
            for (size_t p = 0; p < k; p++)
                sup += conf[c * k + p];
            support[c] = sup;
            prec[c] = pred ? (double)tp / (double)pred : 0;
            rec[c] = sup ? (double)tp / (double)sup : 0;
            f1[c] = prec[c] + rec[c] > 0 ? 2 * prec[c] * rec[c] / (prec[c] + rec[c]) : 0;
            /* Macro-F1 averages over the classes that occur in the data (as scikit-learn does
             * with the labels of y_true), so a model label absent from a test set is not
             * counted as a zero. */
            if (sup) {
                macro_f1 += f1[c];
                present++;
            }
        }
        for (size_t r = k; r < nd; r++)
            present++; /* unknown labels: F1 0 */
        macro_f1 = present ? macro_f1 / (double)present : 0;
        if (json) {
            printf("{\"examples\":%zu,\"accuracy\":%.6f,\"macro_f1\":%.6f,\"seconds\":%.3f,"
                   "\"per_second\":%.0f,\"classes\":{",
                   ds.n, ds.n ? (double)correct / (double)ds.n : 0, macro_f1, secs,
                   secs > 0 ? (double)ds.n / secs : 0);
            for (size_t c = 0; c < k; c++) {
                printf("%s", c ? "," : "");
                json_label(stdout, classify_model_label(m, c));
                printf(":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"support\":%zu}",
                       prec[c], rec[c], f1[c], support[c]);
            }
            printf("}}\n");
        } else {
            printf("examples   %zu\naccuracy   %.4f\nmacro-F1   %.4f\n\n", ds.n,
                   ds.n ? (double)correct / (double)ds.n : 0, macro_f1);
            printf("%-32s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support");
            for (size_t c = 0; c < k; c++)
                printf("%-32s %9.4f %9.4f %9.4f %8zu\n", classify_model_label(m, c), prec[c],
                       rec[c], f1[c], support[c]);
            for (size_t i = 0; i < ds.nlabels; i++) {
                if (map[i] >= k)
                    printf("%-32s (not a label of the model: every example counts as wrong)\n",
                           ds.labels[i]);
            }
            printf("\nconfusion matrix (rows: true label, columns: predicted, in the order "
                   "above)\n");
            for (size_t r = 0; r < nd; r++) {
                bool any = false;
                for (size_t c = 0; c < k; c++)
                    any |= conf[r * k + c] != 0;
                if (!any && r >= k)
                    continue;
                printf("%3zu |", r);
                for (size_t c = 0; c < k; c++)
                    printf(" %5zu", conf[r * k + c]);
                printf("\n");
            }
        }
        xfree(prec);
        xfree(rec);
        xfree(f1);
        xfree(support);
    }
out:
    if (rc < 0)
        fprintf(stderr, "hark model eval: %s\n", em.set ? em.text : err_str(rc));
    xfree(conf);
    xfree(map);
    classify_model_free(m);
    classify_dataset_release(&ds);
    return rc < 0 ? 1 : 0;
}

static void
print_triage(struct buf *o, const struct triage *t)
{
    buf_reset(o);
    /* The field names of the API's Triage object (docs/openapi.yaml), plus lang_conf and
     * sentiment_conf, which only the CLI shows. */
    buf_printf(o, "{\"lang\":\"%s\",\"lang_conf\":%.4f,\"intent\":\"%s\",\"confidence\":%.4f,"
                  "\"sentiment\":\"%s\",\"sentiment_score\":%.4f,\"sentiment_conf\":%.4f,"
                  "\"urgency\":%d,\"urgency_reasons\":[",
               t->lang, t->lang_conf, classify_intent_name(t->intent), t->intent_conf,
               classify_sentiment_name(t->sentiment), t->sentiment_score, t->sentiment_conf,
               t->urgency);
    for (size_t i = 0; i < t->nreasons; i++)
        buf_printf(o, "%s{\"code\":\"%s\",\"points\":%d}", i ? "," : "", t->reasons[i].code,
                   t->reasons[i].points);
    buf_adds(o, "]}\n");
    if (buf_error(o) < 0) {
        fprintf(stderr, "hark classify: output line too long\n");
        return;
    }
    fwrite(o->p, 1, o->len, stdout);
}

static int
cmd_predict(int argc, char **argv)
{
    struct classify_model *m = NULL;
    struct classify *c = NULL;
    struct classify_ctx ctx = { 0 };
    struct errmsg em = { 0 };
    const char *model = NULL, *dir = NULL;
    uint64_t top = 1;
    struct buf out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc;

    if (want_help(argc, argv)) {
        fputs(predict_usage, stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t u;
        if (!v)
            return usage_error(predict_usage, "unknown option or missing value '%s'", a);
        i++;
        if (strcmp(a, "--model") == 0) {
            model = v;
        } else if (strcmp(a, "--models") == 0) {
            dir = v;
        } else if (strcmp(a, "--top") == 0) {
            if (parse_u64(v, 1, CLASSIFY_MAX_LABELS, &top) < 0)
                return usage_error(predict_usage, "invalid '--top': want 1..256", NULL);
        } else if (strcmp(a, "--followers") == 0) {
            if (parse_u64(v, 0, INT64_MAX, &u) < 0)
                return usage_error(predict_usage, "invalid '--followers'", NULL);
            ctx.author_followers = (int64_t)u;
        } else if (strcmp(a, "--repeat") == 0) {
            if (parse_u64(v, 0, INT32_MAX, &u) < 0)
                return usage_error(predict_usage, "invalid '--repeat'", NULL);
            ctx.repeat_contacts = (int32_t)u;
        } else {
            return usage_error(predict_usage, "unknown option '%s'", a);
        }
    }
    if (!model == !dir)
        return usage_error(predict_usage, "%s", "give exactly one of --model and --models");
    rc = model ? classify_model_load(model, &m, &em) : classify_open(dir, &c, &em);
    if (rc < 0) {
        fprintf(stderr, "hark model predict: %s\n", em.set ? em.text : err_str(rc));
        return 1;
    }
    buf_init(&out, 1 << 20);
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        struct str s = { line, (size_t)n };
        if (s.len && s.p[s.len - 1] == '\n')
            s.len--;
        if (s.len && s.p[s.len - 1] == '\r')
            s.len--;
        if (s.len > LINE_MAX_BYTES)
            s.len = LINE_MAX_BYTES;
        if (c) {
            struct triage t;
            classify_message(c, s, &ctx, &t);
            print_triage(&out, &t);
            continue;
        }
        {
            float probs[CLASSIFY_MAX_LABELS];
            size_t best = classify_model_predict(m, s, probs), k = classify_model_nlabels(m);
            buf_reset(&out);
            buf_printf(&out, "{\"label\":\"%s\",\"confidence\":%.4f",
                       classify_model_label(m, best), probs[best]);
            if (top > 1) {
                bool used[CLASSIFY_MAX_LABELS] = { false };
                buf_adds(&out, ",\"top\":[");
                for (uint64_t j = 0; j < top && j < k; j++) {
                    size_t b = k;
                    for (size_t x = 0; x < k; x++) {
                        if (!used[x] && (b == k || probs[x] > probs[b]))
                            b = x;
                    }
                    used[b] = true;
                    buf_printf(&out, "%s[\"%s\",%.4f]", j ? "," : "", classify_model_label(m, b),
                               probs[b]);
                }
                buf_adds(&out, "]");
            }
            buf_adds(&out, "}\n");
            if (buf_error(&out) < 0)
                fprintf(stderr, "hark classify: output line too long\n");
            else
                fwrite(out.p, 1, out.len, stdout);
        }
    }
    free(line);
    buf_release(&out);
    classify_model_free(m);
    classify_free(c);
    if (fflush(stdout) != 0)
        return 1;
    return 0;
}

int
classify_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(model_usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(model_usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "train") == 0)
        return cmd_train(argc - 1, argv + 1);
    if (strcmp(argv[1], "eval") == 0)
        return cmd_eval(argc - 1, argv + 1);
    if (strcmp(argv[1], "predict") == 0)
        return cmd_predict(argc - 1, argv + 1);
    fprintf(stderr, "hark model: unknown subcommand '%s'\n\n%s", argv[1], model_usage);
    return 2;
}
