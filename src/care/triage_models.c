/* SPDX-License-Identifier: MIT */
/*
 * triage_models.c - triage model versions: the live models, retraining in the server (on
 * demand and on a schedule), the comparison on a held-back slice, switch and roll back.
 *
 * One worker thread runs retrain jobs one at a time, off the request and writer threads. A
 * job trains each kind on the shipped set plus the corrections outside the held-back slice
 * (classify_heldout), saves the model beside the database, scores it and the live model on
 * the slice and records the version with both scores. It goes live only when it scores higher
 * (or the job is forced): a new struct classify is opened with it and the other kind's live
 * model and swapped in (classify_live_swap), so messages in flight finish on the old models.
 * 'swap_mu' orders every change of the live versions (a job's swap, an activation), so the
 * store's live rows and the models in memory never disagree for long.
 *
 * Memory and time are bounded: at most MODELS_MAX_CORRECTIONS corrections per kind are read
 * (newest ignored past it, logged), at most HARK_MODELS_HELDOUT_MAX held-back texts are kept
 * (cut to what the classifier reads) in one capped arena, and a training run is the shipped
 * models' (a few seconds on the shipped sets).
 */
#include "base/base.h"
#include "care/care_int.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "classify/classify.h"
#include "store/store.h"

#define MODELS_MAX_CORRECTIONS 200000
#define MODELS_PAGE 1000

static const char *const kinds_all[2] = { "intent", "sentiment" };

struct care__models {
    struct care *c;
    char shipped_dir[1024], data_dir[1024], versions_dir[1024];
    int retrain_hours, epochs, weight;

    pthread_mutex_t swap_mu; /* orders changes of the live versions */

    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop;
    bool pending;    /* a queued job waits in jobs[newest] */
    int64_t next_id; /* job ids */
    struct care_models_job jobs[CARE_MODELS_JOBS]; /* ring: job id N in jobs[N % JOBS] */
    int64_t newest;  /* id of the newest job, 0 when none */
};

static int
kind_index(const char *kind)
{
    for (int i = 0; i < 2; i++) {
        if (strcmp(kind, kinds_all[i]) == 0)
            return i;
    }
    return -1;
}

/* The live version rows of both kinds (live[i] for kinds_all[i]; id 0 when none). */
static int
live_rows(struct store *st, struct arena *ar, struct triage_model live[2])
{
    struct triage_model *v;
    size_t n;
    memset(live, 0, 2 * sizeof(live[0]));
    int rc = store_triage_model_list(st, ar, NULL, &v, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int k = kind_index(v[i].kind);
        if (k >= 0 && strcmp(v[i].status, "live") == 0)
            live[k] = v[i];
    }
    return 0;
}

/* Opens the models of the live versions, with 'path' for 'kind' instead when 'kind' is not
 * NULL; a kind without a live row uses the shipped file. */
static int
open_set(struct care__models *M, struct arena *ar, const char *kind, const char *path,
         struct classify **out, struct errmsg *em)
{
    struct triage_model live[2];
    int rc = live_rows(M->c->st, ar, live);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot read the model versions");
    const char *p[2];
    for (int i = 0; i < 2; i++) {
        p[i] = live[i].id ? live[i].path
                          : arena_printf(ar, "%s/%s.bin", M->shipped_dir, kinds_all[i]);
        if (kind && strcmp(kind, kinds_all[i]) == 0)
            p[i] = path;
    }
    const char *lang = arena_printf(ar, "%s/lang.bin", M->shipped_dir);
    struct classify_paths paths = { .intent = p[0], .sentiment = p[1],
                                    .lang = access(lang, F_OK) == 0 ? lang : NULL };
    return classify_open_paths(&paths, out, em);
}

/* ---- counting the corrections ------------------------------------------------------------ */

/* Calls 'fn' for each current correction of 'kind' (at most MODELS_MAX_CORRECTIONS), one
 * arena per page. */
typedef int example_fn(const struct triage_example *e, void *arg);

static int
each_example(struct store *st, const char *kind, example_fn *fn, void *arg)
{
    int64_t after = 0;
    size_t seen = 0;
    for (;;) {
        struct arena *ar = arena_new(HARK_EXPORT_PAGE_ARENA_MAX);
        struct triage_example *v;
        size_t n;
        int rc = store_triage_examples(st, ar, kind, after, MODELS_PAGE, &v, &n);
        for (size_t i = 0; rc == 0 && i < n && seen < MODELS_MAX_CORRECTIONS; i++, seen++)
            rc = fn(&v[i], arg);
        int64_t last = n ? v[n - 1].id : after;
        arena_free(ar);
        if (rc < 0)
            return rc;
        if (n < MODELS_PAGE)
            return 0;
        if (seen >= MODELS_MAX_CORRECTIONS) {
            log_warn("care", "corrections past the retrain limit ignored", "kind=%s max=%d",
                     kind, MODELS_MAX_CORRECTIONS);
            return 0;
        }
        after = last;
    }
}

struct count {
    struct care_models_kind *k;
    int64_t since_ms;
    char labels[CLASSIFY_SCORE_MAX_CLASSES][CLASSIFY_LABEL_MAX + 1];
};

static int
count_one(const struct triage_example *e, void *arg)
{
    struct count *ct = arg;
    ct->k->corrections++;
    if (e->created_at > ct->since_ms) {
        ct->k->since++;
        ct->k->since_confirmed += e->confirmed;
    }
    if (!classify_heldout(e->msg_id))
        return 0;
    ct->k->heldout++;
    for (int64_t i = 0; i < ct->k->heldout_labels; i++) {
        if (strcmp(ct->labels[i], e->label) == 0)
            return 0;
    }
    if (ct->k->heldout_labels < CLASSIFY_SCORE_MAX_CLASSES)
        snprintf(ct->labels[ct->k->heldout_labels++], CLASSIFY_LABEL_MAX + 1, "%s", e->label);
    return 0;
}

static int
count_kind(struct care *c, const struct triage_model *live, int k, struct care_models_kind *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = kinds_all[k];
    out->live_id = live->id;
    struct count *ct = xcalloc(1, sizeof(*ct));
    ct->k = out;
    ct->since_ms = live->activated_at ? live->activated_at : live->created_at;
    int rc = each_example(c->st, kinds_all[k], count_one, ct);
    xfree(ct);
    out->enough = out->heldout >= CARE_MODELS_MIN_HELDOUT && out->heldout_labels >= 2;
    return rc;
}

/* Plain words for a kind without enough corrections. */
static void
too_few(const struct care_models_kind *k, struct errmsg *em)
{
    if (k->heldout < CARE_MODELS_MIN_HELDOUT) {
        /* About one in CLASSIFY_HELDOUT_ONE_IN corrections is set aside for scoring. */
        int64_t more = (CARE_MODELS_MIN_HELDOUT - k->heldout) * CLASSIFY_HELDOUT_ONE_IN;
        errmsg_set(em, ERR_INVAL,
                   "too few corrections to judge a new %s model: %lld of the %d needed are set "
                   "aside for scoring so far (one correction in %d is); correct about %lld more "
                   "messages",
                   k->kind, (long long)k->heldout, CARE_MODELS_MIN_HELDOUT,
                   CLASSIFY_HELDOUT_ONE_IN, (long long)more);
    } else {
        errmsg_set(em, ERR_INVAL,
                   "the %s corrections held back for scoring all have the same label; correct "
                   "messages with other labels too",
                   k->kind);
    }
}

int
care_models_status(struct care *c, struct care_models_kind out[2], struct care_models_job *job,
                   bool *has_job)
{
    struct care__models *M = c->models;
    if (!M)
        return ERR_UNAVAIL;
    struct arena *ar = arena_new(64 * 1024);
    struct triage_model live[2];
    int rc = live_rows(c->st, ar, live);
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = count_kind(c, &live[k], k, &out[k]);
    arena_free(ar);
    if (rc < 0)
        return rc;
    if (job) {
        pthread_mutex_lock(&M->mu);
        *has_job = M->newest > 0;
        if (M->newest)
            *job = M->jobs[M->newest % CARE_MODELS_JOBS];
        pthread_mutex_unlock(&M->mu);
    }
    return 0;
}

/* ---- one retrain ------------------------------------------------------------------------- */

/* Updates the job's kind 'k' (and percent) under the lock. */
static void
job_set(struct care__models *M, int64_t id, int k, const char *state, int percent)
{
    pthread_mutex_lock(&M->mu);
    struct care_models_job *j = &M->jobs[id % CARE_MODELS_JOBS];
    if (j->id == id) {
        if (k >= 0 && state)
            snprintf(j->kinds[k].state, sizeof(j->kinds[k].state), "%s", state);
        if (percent >= 0)
            j->percent = percent;
    }
    pthread_mutex_unlock(&M->mu);
}

/* The training file and the held-back slice of one kind. */
struct gather {
    FILE *f;
    int weight;
    struct arena *ar; /* held-back texts and labels */
    const char **text, **gold;
    size_t n, cap;
    int64_t trained_on;
};

static int
gather_one(const struct triage_example *e, void *arg)
{
    struct gather *g = arg;
    if (classify_heldout(e->msg_id)) {
        if (g->n == HARK_MODELS_HELDOUT_MAX)
            return 0; /* enough to score on; never trained on either */
        if (g->n == g->cap) {
            size_t ncap = g->cap ? g->cap * 2 : 256;
            const char **t = arena_alloc(g->ar, ncap * sizeof(*t));
            const char **l = arena_alloc(g->ar, ncap * sizeof(*l));
            if (g->n) {
                memcpy(t, g->text, g->n * sizeof(*t));
                memcpy(l, g->gold, g->n * sizeof(*l));
            }
            g->text = t;
            g->gold = l;
            g->cap = ncap;
        }
        size_t len = strlen(e->text); /* the classifier reads no further than this */
        g->text[g->n] = arena_strndup(g->ar, e->text, len < CLASSIFY_MAX_TEXT ? len : CLASSIFY_MAX_TEXT);
        g->gold[g->n] = arena_strdup(g->ar, e->label);
        g->n++;
        return 0;
    }
    for (int w = 0; w < g->weight; w++) {
        fprintf(g->f, "__label__%s ", e->label);
        /* Only what the classifier reads (CLASSIFY_MAX_TEXT), so the set stays bounded. */
        for (size_t i = 0; e->text[i] && i < CLASSIFY_MAX_TEXT; i++) {
            char ch = e->text[i];
            fputc(ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch, g->f);
        }
        fputc('\n', g->f);
    }
    g->trained_on++;
    return ferror(g->f) ? ERR_IO : 0;
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
    bool bad = ferror(f) || ferror(to);
    fclose(f);
    return bad ? ERR_IO : 0;
}

/* Scores 'm' on the slice of 'g' into '*out' (classes in 'ar'). */
static int
score_model(const struct classify_model *m, const struct gather *g, struct arena *ar,
            struct triage_model_scores *out)
{
    const char **pred = arena_alloc(ar, g->n * sizeof(*pred));
    float probs[CLASSIFY_MAX_LABELS];
    for (size_t i = 0; i < g->n; i++)
        pred[i] = classify_model_label(m, classify_model_predict(m, str_c(g->text[i]), probs));
    struct classify_score *s = xcalloc(1, sizeof(*s));
    int rc = classify_score(g->gold, pred, g->n, s);
    if (rc == 0) {
        out->scored = true;
        out->macro_f1 = s->macro_f1;
        out->accuracy = s->accuracy;
        out->nclasses = s->nclasses;
        out->cls = arena_alloc(ar, s->nclasses * sizeof(out->cls[0]));
        for (size_t i = 0; i < s->nclasses; i++) {
            out->cls[i] = (struct triage_model_class){ .label = arena_strdup(ar, s->cls[i].label),
                                                       .precision = s->cls[i].precision,
                                                       .recall = s->cls[i].recall,
                                                       .f1 = s->cls[i].f1,
                                                       .support = s->cls[i].support };
        }
    }
    xfree(s);
    return rc;
}

struct progress {
    struct care__models *M;
    int64_t job;
    int base, span; /* percent range of this training run */
};

static void
on_epoch(uint32_t epoch, uint32_t epochs, double loss, void *arg)
{
    (void)loss;
    struct progress *p = arg;
    job_set(p->M, p->job, -1, NULL, p->base + (int)((int64_t)p->span * epoch / epochs));
}

/* Keeps the newest CARE_MODELS_KEEP retrained versions of 'kind' that are not live; deletes
 * the rest with their files. */
static void
prune(struct care__models *M, const char *kind)
{
    struct arena *ar = arena_new(256 * 1024);
    struct triage_model *v;
    size_t n, kept = 0;
    if (store_triage_model_list(M->c->st, ar, kind, &v, &n) == 0) {
        for (size_t i = 0; i < n; i++) { /* newest first */
            if (strcmp(v[i].source, "retrain") != 0 || strcmp(v[i].status, "live") == 0)
                continue;
            if (++kept <= CARE_MODELS_KEEP)
                continue;
            if (store_triage_model_delete(M->c->st, v[i].id) == 0) {
                unlink(v[i].path);
                log_info("care", "model version pruned", "id=%lld kind=%s", (long long)v[i].id,
                         kind);
            }
        }
    }
    arena_free(ar);
}

/* Retrains kind 'k' for job 'id'; records the outcome in the job. */
static void
retrain_kind(struct care__models *M, int64_t id, int k, bool force)
{
    const char *kind = kinds_all[k];
    struct care *c = M->c;
    struct arena *ar = arena_new(HARK_MODELS_HELDOUT_ARENA_MAX);
    struct errmsg em = { 0 };
    struct classify_dataset ds = { 0 };
    struct classify_model *m = NULL, *loaded = NULL;
    struct classify *set = NULL;
    bool have_ds = false, saved = false;
    struct gather g = { .weight = M->weight, .ar = ar };
    struct triage_model v = { .kind = kind, .source = "retrain" };
    const char *state = "failed";
    int rc;

    int64_t now = clock_now_ms();
    const char *tmp = arena_printf(ar, "%s/.%s-%lld.train", M->versions_dir, kind, (long long)id);
    const char *out = arena_printf(ar, "%s/%s-%lld-j%lld.bin", M->versions_dir, kind,
                                   (long long)now, (long long)id);
    const char *shipped = arena_printf(ar, "%s/%s.all", M->data_dir, kind);
    job_set(M, id, k, "training", -1);

    g.f = fopen(tmp, "w");
    if (!g.f) {
        rc = errmsg_set(&em, ERR_IO, "cannot write in the models folder");
        goto out;
    }
    rc = copy_file(shipped, g.f);
    if (rc < 0) {
        errmsg_set(&em, rc, "cannot read the shipped training set");
        fclose(g.f);
        goto out;
    }
    rc = each_example(c->st, kind, gather_one, &g);
    if (fclose(g.f) != 0 && rc == 0)
        rc = ERR_IO;
    if (rc == 0 && arena_failed(ar))
        rc = ERR_TOOBIG;
    if (rc < 0) {
        errmsg_set(&em, rc, "cannot read the corrections");
        goto out;
    }
    rc = classify_dataset_load(tmp, &ds, &em);
    if (rc < 0)
        goto out;
    have_ds = true;
    struct classify_train_opts o = classify_train_opts_default();
    o.feat.buckets = 262144; /* the shipped models' settings (mk/classify.mk) */
    o.epochs = (uint32_t)M->epochs;
    struct progress pr = { .M = M, .job = id, .base = k == 0 ? 0 : 50, .span = 40 };
    o.progress = on_epoch;
    o.progress_arg = &pr;
    rc = classify_model_train(&ds, &o, &m, &em);
    if (rc == 0)
        rc = classify_model_save(m, out, &em);
    if (rc < 0)
        goto out;
    saved = true;
    /* Score the model as it would run: loaded (quantized) from its file. */
    rc = classify_model_load(out, &loaded, &em);
    if (rc < 0)
        goto out;
    job_set(M, id, k, "scoring", pr.base + pr.span);
    if (g.n == 0) {
        rc = errmsg_set(&em, ERR_INVAL, "no held-back corrections to score on");
        goto out;
    }

    pthread_mutex_lock(&M->swap_mu);
    struct triage_model live[2];
    rc = live_rows(c->st, ar, live);
    if (rc == 0) {
        const struct classify *cur = classify_live_get(c->live);
        rc = score_model(classify_model_of(cur, kind), &g, ar, &v.live);
        classify_live_put(cur);
    }
    if (rc == 0)
        rc = score_model(loaded, &g, ar, &v.cand);
    if (rc < 0) {
        pthread_mutex_unlock(&M->swap_mu);
        errmsg_set(&em, rc, "cannot score the models");
        goto out;
    }
    v.path = out;
    v.created_at = now;
    v.trained_on = g.trained_on;
    v.heldout = (int64_t)g.n;
    v.compared_with = live[k].id;
    bool better = v.cand.macro_f1 > v.live.macro_f1 + 1e-9;
    v.status = better || force ? "live" : "rejected";
    if (better || force)
        rc = open_set(M, ar, kind, out, &set, &em);
    int64_t vid = 0;
    if (rc == 0)
        rc = store_triage_model_add(c->st, &v, &vid);
    if (rc == 0 && set) {
        classify_live_swap(c->live, set);
        set = NULL;
    }
    pthread_mutex_unlock(&M->swap_mu);
    if (rc < 0) {
        errmsg_set(&em, rc, "cannot record the new version");
        goto out;
    }
    saved = false; /* recorded: the file stays */
    state = strcmp(v.status, "live") == 0 ? "live" : "rejected";
    log_info("care", "model retrained", "kind=%s id=%lld status=%s f1=%.4f live_f1=%.4f "
             "heldout=%zu trained_on=%lld", kind, (long long)vid, v.status, v.cand.macro_f1,
             v.live.macro_f1, g.n, (long long)g.trained_on);
    pthread_mutex_lock(&M->mu);
    struct care_models_job *j = &M->jobs[id % CARE_MODELS_JOBS];
    if (j->id == id) {
        j->kinds[k].version_id = vid;
        j->kinds[k].scored = true;
        j->kinds[k].macro_f1 = v.cand.macro_f1;
        j->kinds[k].live_macro_f1 = v.live.macro_f1;
        j->kinds[k].trained_on = g.trained_on;
        j->kinds[k].heldout = (int64_t)g.n;
    }
    pthread_mutex_unlock(&M->mu);
    prune(M, kind);
out:
    if (rc < 0) {
        log_warn("care", "model retrain failed", "kind=%s err=\"%s\"", kind, em.text);
        pthread_mutex_lock(&M->mu);
        struct care_models_job *jf = &M->jobs[id % CARE_MODELS_JOBS];
        if (jf->id == id)
            snprintf(jf->kinds[k].message, sizeof(jf->kinds[k].message), "%s",
                     em.text[0] ? em.text : "the retrain failed");
        pthread_mutex_unlock(&M->mu);
    }
    job_set(M, id, k, state, -1);
    unlink(tmp);
    if (saved)
        unlink(out);
    classify_free(set);
    classify_model_free(loaded);
    classify_model_free(m);
    if (have_ds)
        classify_dataset_release(&ds);
    arena_free(ar);
}

static void
run_job(struct care__models *M, int64_t id)
{
    pthread_mutex_lock(&M->mu);
    struct care_models_job j = M->jobs[id % CARE_MODELS_JOBS];
    pthread_mutex_unlock(&M->mu);
    for (size_t i = 0; i < j.nkinds; i++)
        retrain_kind(M, id, kind_index(j.kinds[i].kind), j.force);
    pthread_mutex_lock(&M->mu);
    struct care_models_job *r = &M->jobs[id % CARE_MODELS_JOBS];
    bool failed = false;
    for (size_t i = 0; i < r->nkinds; i++)
        failed |= strcmp(r->kinds[i].state, "failed") == 0;
    snprintf(r->state, sizeof(r->state), "%s", failed ? "failed" : "done");
    r->percent = 100;
    r->finished_at = clock_now_ms();
    pthread_mutex_unlock(&M->mu);
}

/* Fills a new job for 'kinds' in the ring (M->mu held). */
static struct care_models_job *
job_new(struct care__models *M, const char *const *kinds, size_t n, bool force, bool scheduled)
{
    int64_t id = ++M->next_id;
    struct care_models_job *j = &M->jobs[id % CARE_MODELS_JOBS];
    memset(j, 0, sizeof(*j));
    j->id = id;
    snprintf(j->state, sizeof(j->state), "running");
    j->force = force;
    j->scheduled = scheduled;
    j->started_at = clock_now_ms();
    for (size_t i = 0; i < n && i < 2; i++) {
        snprintf(j->kinds[i].kind, sizeof(j->kinds[i].kind), "%s", kinds[i]);
        snprintf(j->kinds[i].state, sizeof(j->kinds[i].state), "waiting");
    }
    j->nkinds = n < 2 ? n : 2;
    M->newest = id;
    return j;
}

/* Checks what a retrain of 'kinds' needs; fills 'use' with the kinds to train. */
static int
plan(struct care__models *M, const char *const *kinds, size_t nkinds, const char *use[2],
     size_t *nuse, struct errmsg *em)
{
    char probe[sizeof(M->data_dir) + 32];
    snprintf(probe, sizeof(probe), "%s/intent.all", M->data_dir);
    if (!M->data_dir[0] || access(probe, R_OK) != 0)
        return errmsg_set(em, ERR_UNAVAIL, "the training examples Hark ships with are not on "
                          "this server, so there is nothing to retrain from (setting "
                          "triage-data; see docs/triage.md)");
    if (!M->versions_dir[0])
        return errmsg_set(em, ERR_UNAVAIL, "retraining needs a database file to keep the "
                          "model versions beside (this server's database is in memory or on "
                          "PostgreSQL)");
    struct care_models_kind st[2];
    int rc = care_models_status(M->c, st, NULL, NULL);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot count the corrections");
    *nuse = 0;
    if (!kinds || nkinds == 0) {
        for (int k = 0; k < 2; k++) {
            if (st[k].enough)
                use[(*nuse)++] = kinds_all[k];
        }
        if (*nuse == 0) {
            too_few(&st[0], em);
            return ERR_INVAL;
        }
        return 0;
    }
    for (size_t i = 0; i < nkinds; i++) {
        int k = kind_index(kinds[i]);
        if (k < 0)
            return errmsg_set(em, ERR_INVAL, "unknown model '%s': want intent or sentiment",
                              kinds[i]);
        bool dup = false;
        for (size_t u = 0; u < *nuse; u++)
            dup |= strcmp(use[u], kinds_all[k]) == 0;
        if (dup)
            continue;
        if (!st[k].enough) {
            too_few(&st[k], em);
            return ERR_INVAL;
        }
        use[(*nuse)++] = kinds_all[k];
    }
    return 0;
}

int
care_models_retrain(struct care *c, const char *const *kinds, size_t nkinds, bool force,
                    struct care_models_job *out, struct errmsg *em)
{
    struct care__models *M = c->models;
    if (!M)
        return errmsg_set(em, ERR_UNAVAIL, "triage is off: this server runs without models");
    pthread_mutex_lock(&M->mu);
    bool busy = M->pending ||
                (M->newest && strcmp(M->jobs[M->newest % CARE_MODELS_JOBS].state, "running") == 0);
    pthread_mutex_unlock(&M->mu);
    if (busy)
        return errmsg_set(em, ERR_CONFLICT, "a retrain is already running");
    const char *use[2];
    size_t nuse;
    int rc = plan(M, kinds, nkinds, use, &nuse, em);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&M->mu);
    if (M->pending ||
        (M->newest && strcmp(M->jobs[M->newest % CARE_MODELS_JOBS].state, "running") == 0)) {
        pthread_mutex_unlock(&M->mu);
        return errmsg_set(em, ERR_CONFLICT, "a retrain is already running");
    }
    struct care_models_job *j = job_new(M, use, nuse, force, false);
    M->pending = true;
    *out = *j;
    pthread_cond_signal(&M->cv);
    pthread_mutex_unlock(&M->mu);
    return 0;
}

int
care_models_job(struct care *c, int64_t id, struct care_models_job *out)
{
    struct care__models *M = c->models;
    if (!M)
        return ERR_NOTFOUND;
    pthread_mutex_lock(&M->mu);
    const struct care_models_job *j = &M->jobs[id % CARE_MODELS_JOBS];
    bool ok = id > 0 && j->id == id;
    if (ok)
        *out = *j;
    pthread_mutex_unlock(&M->mu);
    return ok ? 0 : ERR_NOTFOUND;
}

int
care_models_activate(struct care *c, int64_t id, struct errmsg *em)
{
    struct care__models *M = c->models;
    if (!M)
        return errmsg_set(em, ERR_UNAVAIL, "triage is off: this server runs without models");
    struct arena *ar = arena_new(64 * 1024);
    struct classify *set = NULL;
    struct triage_model v;
    pthread_mutex_lock(&M->swap_mu);
    int rc = store_triage_model_get(c->st, ar, id, &v);
    if (rc < 0) {
        errmsg_set(em, rc, rc == ERR_NOTFOUND ? "no such model version" : "cannot read it");
        goto out;
    }
    if (strcmp(v.status, "live") == 0)
        goto out;
    rc = open_set(M, ar, v.kind, v.path, &set, em);
    if (rc < 0) {
        log_warn("care", "model version does not load", "id=%lld err=\"%s\"", (long long)id,
                 em->text);
        em->text[0] = '\0';
        rc = errmsg_set(em, ERR_CONFLICT, "the file of this model version is missing or "
                        "damaged, so it cannot be switched to");
        goto out;
    }
    rc = store_triage_model_activate(c->st, id);
    if (rc < 0) {
        errmsg_set(em, rc, "cannot record the switch");
        goto out;
    }
    classify_live_swap(c->live, set);
    set = NULL;
    log_info("care", "model version activated", "id=%lld kind=%s", (long long)id, v.kind);
out:
    pthread_mutex_unlock(&M->swap_mu);
    classify_free(set);
    arena_free(ar);
    return rc;
}

/* ---- the worker ---------------------------------------------------------------------------- */

static void *
worker_main(void *arg)
{
    struct care__models *M = arg;
    int64_t every = (int64_t)M->retrain_hours * 3600 * 1000;
    int64_t next = clock_now_ms() + every;
    pthread_mutex_lock(&M->mu);
    while (!M->stop) {
        if (!M->pending) {
            int rc = 0;
            if (every)
                rc = clock_timedwait(&M->cv, &M->mu, next);
            else
                pthread_cond_wait(&M->cv, &M->mu); /* on demand only */
            if (rc == ERR_TIMEOUT && !M->stop && !M->pending) {
                next = clock_now_ms() + every;
                pthread_mutex_unlock(&M->mu);
                const char *use[2];
                size_t nuse = 0;
                struct errmsg em = { 0 };
                if (plan(M, NULL, 0, use, &nuse, &em) < 0) {
                    log_info("care", "scheduled retrain skipped", "why=\"%s\"", em.text);
                    pthread_mutex_lock(&M->mu);
                    continue;
                }
                pthread_mutex_lock(&M->mu);
                job_new(M, use, nuse, false, true);
                M->pending = true;
            }
            continue;
        }
        int64_t id = M->newest;
        M->pending = false;
        pthread_mutex_unlock(&M->mu);
        run_job(M, id);
        pthread_mutex_lock(&M->mu);
    }
    pthread_mutex_unlock(&M->mu);
    return NULL;
}

int
care_models_open(struct care *c, const struct care_models_config *cfg, struct errmsg *em)
{
    struct care__models *M = xcalloc(1, sizeof(*M));
    M->c = c;
    snprintf(M->shipped_dir, sizeof(M->shipped_dir), "%s", cfg->shipped_dir);
    snprintf(M->data_dir, sizeof(M->data_dir), "%s", cfg->data_dir ? cfg->data_dir : "");
    snprintf(M->versions_dir, sizeof(M->versions_dir), "%s",
             cfg->versions_dir ? cfg->versions_dir : "");
    M->retrain_hours = cfg->retrain_hours;
    M->epochs = cfg->epochs > 0 ? cfg->epochs : 10;
    M->weight = cfg->weight > 0 ? cfg->weight : 3;
    pthread_mutex_init(&M->swap_mu, NULL);
    pthread_mutex_init(&M->mu, NULL);
    pthread_cond_init(&M->cv, NULL);

    struct arena *ar = arena_new(64 * 1024);
    struct classify *set = NULL;
    int rc = 0;
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = store_triage_model_shipped(c->st, kinds_all[k],
                                        arena_printf(ar, "%s/%s.bin", M->shipped_dir,
                                                     kinds_all[k]));
    if (rc < 0) {
        errmsg_set(em, rc, "cannot record the shipped models");
        goto fail;
    }
    rc = open_set(M, ar, NULL, NULL, &set, em);
    if (rc < 0) {
        /* A retrained live file gone or damaged: back to the shipped models. */
        log_warn("care", "live model versions do not load; using the shipped models",
                 "err=\"%s\"", em->text);
        em->text[0] = '\0';
        struct triage_model *v;
        size_t n;
        rc = store_triage_model_list(c->st, ar, NULL, &v, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (strcmp(v[i].source, "shipped") == 0)
                rc = store_triage_model_activate(c->st, v[i].id);
        }
        if (rc == 0)
            rc = open_set(M, ar, NULL, NULL, &set, em);
        if (rc < 0)
            goto fail;
    }
    if (M->versions_dir[0] && mkdir(M->versions_dir, 0700) < 0 && errno != EEXIST) {
        log_warn("care", "cannot create the model versions folder; retraining is off",
                 "dir=\"%s\"", M->versions_dir);
        M->versions_dir[0] = '\0';
    }
    c->live = classify_live_new(set);
    c->models = M;
    if (pthread_create(&M->thread, NULL, worker_main, M) != 0) {
        c->models = NULL;
        classify_live_free(c->live);
        c->live = NULL;
        rc = errmsg_set(em, ERR_IO, "cannot start the retrain worker");
        goto fail_set;
    }
    M->running = true;
    arena_free(ar);
    return 0;
fail:
    classify_free(set);
fail_set:
    pthread_mutex_destroy(&M->swap_mu);
    pthread_mutex_destroy(&M->mu);
    pthread_cond_destroy(&M->cv);
    xfree(M);
    arena_free(ar);
    return rc;
}

void
care__models_close(struct care *c)
{
    struct care__models *M = c->models;
    if (M) {
        pthread_mutex_lock(&M->mu);
        M->stop = true;
        pthread_cond_signal(&M->cv);
        pthread_mutex_unlock(&M->mu);
        if (M->running)
            pthread_join(M->thread, NULL);
        pthread_mutex_destroy(&M->swap_mu);
        pthread_mutex_destroy(&M->mu);
        pthread_cond_destroy(&M->cv);
        xfree(M);
        c->models = NULL;
    }
    classify_live_free(c->live);
    c->live = NULL;
}
