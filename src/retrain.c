/* SPDX-License-Identifier: MIT */
/*
 * retrain.c - `hark model retrain`: the default triage models, relearned from the shipped
 * training sets plus every label an agent corrected in Hark.
 *
 * The other `hark model` subcommands live in classify/ (they need no database); this one
 * reads the corrections through the store, so it is wired here. Each model is written to a
 * temporary file and renamed into place; a running server loads it at its next start.
 */
#include "base/base.h"
#include "cli.h"

#include <unistd.h>

#include "app.h"
#include "base/arena.h"
#include "base/limits.h"
#include "classify/classify.h"
#include "store/store.h"

static const char *const usage =
    "usage: hark model retrain [--db PATH] [--data DIR] [--models DIR] [--epochs N]\n"
    "\n"
    "Retrains the intent and sentiment models from the shipped training sets (DIR/intent.all and\n"
    "DIR/sentiment.all, built by `make` into build/classify-data) plus the labels agents\n"
    "corrected in Hark (POST /api/v1/messages/{id}/triage), and replaces the model files in\n"
    "--models (default: the folder hark loads). Restart `hark serve` to use them.\n"
    "Corrections are repeated --weight times (default 3) so a few of them count.\n"
    "This overwrites the models without comparing them with anything; a running server can\n"
    "retrain itself instead, scoring the new model against the live one on held-back\n"
    "corrections before it swaps (Settings > Triage models, or POST\n"
    "/api/v1/triage/models/retrain; docs/triage.md).\n";

/* Appends corrections for 'field' to 'out', 'weight' times each. Returns how many. */
static ssize_t
export(struct store *st, const char *field, FILE *out, int weight)
{
    ssize_t total = 0;
    int64_t after = 0;
    for (;;) {
        /* One arena per page: the number of corrections has no bound. */
        struct arena *ar = arena_new(HARK_EXPORT_PAGE_ARENA_MAX);
        struct triage_example *v;
        size_t n;
        if (store_triage_examples(st, ar, field, after, 1000, &v, &n) < 0) {
            arena_free(ar);
            return ERR_IO;
        }
        for (size_t i = 0; i < n; i++) {
            for (int w = 0; w < weight; w++) {
                fprintf(out, "__label__%s ", v[i].label);
                for (const char *p = v[i].text; *p; p++)
                    fputc(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p, out);
                fputc('\n', out);
            }
        }
        total += (ssize_t)n;
        int64_t last = n ? v[n - 1].id : after;
        arena_free(ar);
        if (n < 1000)
            break;
        after = last;
    }
    return total;
}

static int
copy_file(const char *from, FILE *to)
{
    FILE *f = fopen(from, "r");
    if (!f)
        return ERR_IO;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, to);
    fclose(f);
    return 0;
}

static int
retrain_one(struct store *st, const char *field, const char *data, const char *models,
            int epochs, int weight)
{
    char shipped[1200], tmp[1200], out[1200];
    snprintf(shipped, sizeof(shipped), "%s/%s.all", data, field);
    snprintf(tmp, sizeof(tmp), "%s/.%s.retrain.txt", models, field);
    snprintf(out, sizeof(out), "%s/%s.bin", models, field);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "hark model retrain: cannot write '%s'\n", tmp);
        return 1;
    }
    if (copy_file(shipped, f) < 0) {
        fclose(f);
        unlink(tmp);
        fprintf(stderr, "hark model retrain: cannot read the shipped set '%s' (run make)\n",
                shipped);
        return 1;
    }
    ssize_t n = export(st, field, f, weight);
    fclose(f);
    if (n < 0) {
        unlink(tmp);
        fprintf(stderr, "hark model retrain: cannot read corrections\n");
        return 1;
    }
    struct classify_dataset ds;
    struct errmsg em = { 0 };
    struct classify_model *m = NULL;
    int rc = classify_dataset_load(tmp, &ds, &em);
    unlink(tmp);
    if (rc < 0) {
        fprintf(stderr, "hark model retrain: %s\n", em.text);
        return 1;
    }
    /* The shipped models' settings (mk/classify.mk). */
    struct classify_train_opts o = classify_train_opts_default();
    o.feat.buckets = 262144;
    if (epochs > 0)
        o.epochs = (uint32_t)epochs;
    rc = classify_model_train(&ds, &o, &m, &em);
    if (rc == 0)
        rc = classify_model_save(m, out, &em);
    fprintf(stderr, "%s: %zu shipped examples + %zd corrections -> %s%s%s\n", field,
            ds.n - (size_t)n * (size_t)weight, n, out, rc < 0 ? ": " : "", rc < 0 ? em.text : "");
    classify_model_free(m);
    classify_dataset_release(&ds);
    return rc < 0 ? 1 : 0;
}

int
cli_retrain(int argc, char **argv)
{
    struct config cfg;
    char *rest[16];
    int nrest;
    struct errmsg em = { 0 };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
    }
    if (config_load(argc, argv, &cfg, rest, 16, &nrest, &em) < 0) {
        fprintf(stderr, "hark model retrain: %s\n", em.text);
        return 2;
    }
    const char *data = NULL;
    int epochs = 0, weight = 3;
    for (int i = 0; i < nrest; i++) {
        int64_t v;
        if (strcmp(rest[i], "--data") == 0 && i + 1 < nrest) {
            data = rest[++i];
        } else if (strcmp(rest[i], "--epochs") == 0 && i + 1 < nrest &&
                   str_to_i64(str_c(rest[i + 1]), 1, 1000, &v) == 0) {
            epochs = (int)v;
            i++;
        } else if (strcmp(rest[i], "--weight") == 0 && i + 1 < nrest &&
                   str_to_i64(str_c(rest[i + 1]), 1, 100, &v) == 0) {
            weight = (int)v;
            i++;
        } else {
            fprintf(stderr, "hark model retrain: unknown argument '%s' (see --help)\n", rest[i]);
            return 2;
        }
    }
    char models[1024], datadir[1024];
    if (cfg.models[0])
        snprintf(models, sizeof(models), "%s", cfg.models);
    else if (!app_find_beside_binary("build/models", "intent.bin", models, sizeof(models))) {
        fprintf(stderr, "hark model retrain: no models folder found; pass --models DIR\n");
        return 2;
    }
    if (data)
        snprintf(datadir, sizeof(datadir), "%s", data);
    else if (!app_find_beside_binary("build/classify-data", "intent.all", datadir,
                                     sizeof(datadir))) {
        fprintf(stderr, "hark model retrain: no shipped training sets found; pass --data DIR\n");
        return 2;
    }
    /* Only the store is needed: keep the models out of the way while replacing them. */
    snprintf(cfg.models, sizeof(cfg.models), "none");
    struct app app;
    if (app_open(&app, &cfg, &em) < 0) {
        fprintf(stderr, "hark model retrain: %s\n", em.text);
        app_close(&app);
        return 1;
    }
    int rc = retrain_one(app.st, "intent", datadir, models, epochs, weight);
    if (rc == 0)
        rc = retrain_one(app.st, "sentiment", datadir, models, epochs, weight);
    app_close(&app);
    return rc;
}

int
cli_model(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "retrain") == 0)
        return cli_retrain(argc - 1, argv + 1);
    return classify_cli_main(argc, argv);
}
