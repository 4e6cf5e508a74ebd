/* SPDX-License-Identifier: MIT */
/*
 * classify_model.c - multinomial logistic regression over hashed features: train, save, load,
 * predict.
 *
 * There is no hidden layer: a class score is its bias plus the sum of the weight rows of the
 * text's n features divided by sqrt(n) (the feature vector is L2-normalized; a plain mean made
 * each row learn n times slower on long texts and underfit), and a softmax turns scores into
 * probabilities. That keeps prediction to one pass over ~100 short rows (faster than fastText's
 * embedding average plus output layer) and training to one SGD update per example. Training
 * is single-threaded on purpose, so that a seed and a dataset always give the same bytes. On
 * disk only the rows that training touched are stored (a bitmap says which), so a model with
 * 2^20 buckets is a few MB, not 40.
 *
 * Training works on float weights and saves them as floats. A loaded model is read-only, so
 * the loader quantizes its weights to int8 with one float scale per class (column): a weight is
 * q * qscale[class], q in -127..127, qscale[class] = max |weight| of the class / 127. That makes
 * the in-memory matrix a quarter of the floats' (2^18 buckets x 20 classes: 5 MB, not 21), and
 * prediction sums int8 rows into int32 counters and scales each class once at the end. The
 * rounding error per weight is at most qscale / 2 and the errors of a text's ~100 features
 * mostly cancel: on the shipped test sets no probability moved by more than 0.034 and the
 * predicted class changed for fewer than 1 text in 500 (docs/triage.md has the figures).
 */
#include "base/base.h"

#include "classify/classify.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "classify/classify_int.h"

#define MODEL_MAGIC "HARKCLF"
#define MODEL_VERSION 1u
#define MODEL_HEADER 64u
#define MODEL_MAX_FILE (1ull << 30)
#define MODEL_MAX_CELLS (1ull << 27) /* buckets x classes, 512 MiB of floats */

struct classify_model {
    struct classify_feat_cfg feat;
    uint32_t nlabels;
    char (*labels)[CLASSIFY_LABEL_MAX + 1];
    float *bias;   /* nlabels */
    float *w;      /* trained: buckets x nlabels floats, row per bucket; NULL when loaded */
    int8_t *q;     /* loaded: buckets x nlabels, weight = q * qscale[class]; NULL when trained */
    float *qscale; /* loaded: nlabels */
};

#define QMAX 127

static bool
feat_cfg_ok(const struct classify_feat_cfg *f, struct errmsg *em)
{
    if (f->buckets < 256 || f->buckets > (1u << 24) || (f->buckets & (f->buckets - 1)) != 0) {
        errmsg_set(em, ERR_INVAL, "invalid 'buckets' %u: want a power of two in 2^8..2^24",
                   f->buckets);
        return false;
    }
    if (f->word_ngrams > 2 || f->minn > 8 || f->maxn > 8 || (f->minn > 0 && f->maxn < f->minn) ||
        (f->minn == 0 && f->maxn != 0)) {
        errmsg_set(em, ERR_INVAL, "invalid feature settings: word_ngrams 0..2, minn <= maxn <= 8");
        return false;
    }
    if (f->word_ngrams == 0 && f->minn == 0) {
        errmsg_set(em, ERR_INVAL, "invalid feature settings: no word and no character features");
        return false;
    }
    return true;
}

bool
classify__label_ok(const char *s, size_t n)
{
    if (n == 0 || n > CLASSIFY_LABEL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* A model with float weights (for training) or int8 ones (a loaded model). */
static struct classify_model *
model_alloc(const struct classify_feat_cfg *feat, uint32_t nlabels, bool quantized)
{
    struct classify_model *m = xcalloc(1, sizeof(*m));
    m->feat = *feat;
    m->nlabels = nlabels;
    m->labels = xcalloc(nlabels, sizeof(*m->labels));
    m->bias = xcalloc(nlabels, sizeof(float));
    if (quantized) {
        m->q = xcalloc((size_t)feat->buckets * nlabels, sizeof(int8_t));
        m->qscale = xcalloc(nlabels, sizeof(float));
    } else {
        m->w = xcalloc((size_t)feat->buckets * nlabels, sizeof(float));
    }
    return m;
}

void
classify_model_free(struct classify_model *m)
{
    if (!m)
        return;
    xfree(m->labels);
    xfree(m->bias);
    xfree(m->w);
    xfree(m->q);
    xfree(m->qscale);
    xfree(m);
}

size_t
classify_model_nlabels(const struct classify_model *m)
{
    return m->nlabels;
}

const char *
classify_model_label(const struct classify_model *m, size_t i)
{
    ASSERT(i < m->nlabels);
    return m->labels[i];
}

int
classify_model_label_index(const struct classify_model *m, const char *name)
{
    for (uint32_t i = 0; i < m->nlabels; i++) {
        if (strcmp(m->labels[i], name) == 0)
            return (int)i;
    }
    return -1;
}

struct classify_feat_cfg
classify_model_feat_cfg(const struct classify_model *m)
{
    return m->feat;
}

/* Turns the class scores in 'p' into probabilities in place; returns the arg max (the lowest
 * index on a tie). */
static size_t
softmax(uint32_t k, float *p)
{
    float max = -INFINITY, sum = 0;
    size_t best = 0;

    for (uint32_t c = 0; c < k; c++) {
        if (p[c] > max) {
            max = p[c];
            best = c;
        }
    }
    for (uint32_t c = 0; c < k; c++) {
        p[c] = expf(p[c] - max);
        sum += p[c];
    }
    for (uint32_t c = 0; c < k; c++)
        p[c] /= sum;
    return best;
}

/* Scores 'nf' features into probabilities 'p' with the float weights; returns the arg max. */
static size_t
score(const struct classify_model *m, const uint32_t *f, size_t nf, float *p)
{
    const uint32_t k = m->nlabels;
    float acc[CLASSIFY_MAX_LABELS];
    float scale = nf ? 1.0f / sqrtf((float)nf) : 0.0f;

    memset(acc, 0, sizeof(float) * k);
    for (size_t i = 0; i < nf; i++) {
        const float *row = m->w + (size_t)f[i] * k;
        for (uint32_t c = 0; c < k; c++)
            acc[c] += row[c];
    }
    for (uint32_t c = 0; c < k; c++)
        p[c] = m->bias[c] + acc[c] * scale;
    return softmax(k, p);
}

/* The same with the int8 weights of a loaded model: integer sums, one scale per class. At most
 * CLASSIFY_MAX_FEATURES x 127 per counter, far from overflowing. */
static size_t
score_q(const struct classify_model *m, const uint32_t *f, size_t nf, float *p)
{
    const uint32_t k = m->nlabels;
    int32_t acc[CLASSIFY_MAX_LABELS];
    float scale = nf ? 1.0f / sqrtf((float)nf) : 0.0f;

    memset(acc, 0, sizeof(int32_t) * k);
    for (size_t i = 0; i < nf; i++) {
        const int8_t *row = m->q + (size_t)f[i] * k;
        for (uint32_t c = 0; c < k; c++)
            acc[c] += row[c];
    }
    for (uint32_t c = 0; c < k; c++)
        p[c] = m->bias[c] + (float)acc[c] * (m->qscale[c] * scale);
    return softmax(k, p);
}

size_t
classify_model_predict(const struct classify_model *m, struct str text, float *probs)
{
    uint32_t f[CLASSIFY_MAX_FEATURES];
    size_t nf = classify_features(&m->feat, text, f, COUNTOF(f));
    return m->q ? score_q(m, f, nf, probs) : score(m, f, nf, probs);
}

struct classify_train_opts
classify_train_opts_default(void)
{
    return (struct classify_train_opts){
        .feat = { .buckets = 1u << 20, .word_ngrams = 2, .minn = 3, .maxn = 5 },
        .epochs = 10,
        .lr = 0.3f,
        .l2 = 0.0f,
        .seed = 1,
    };
}

/* splitmix64: a small, well-mixed, seedable generator; training needs repeatability, not
 * secrecy, so the CSPRNG in base/rand.h would be wrong here. */
static uint64_t
splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int
classify_model_train(const struct classify_dataset *ds, const struct classify_train_opts *o,
                     struct classify_model **out, struct errmsg *em)
{
    struct classify_model *m;
    uint32_t *feats = NULL, tmp[CLASSIFY_MAX_FEATURES];
    size_t *start = NULL, *order = NULL, total = 0, cap = 0;
    uint64_t rng = o->seed;
    const uint32_t k = (uint32_t)ds->nlabels;
    double steps, step = 0;

    if (ds->n == 0 || ds->nlabels == 0)
        return errmsg_set(em, ERR_INVAL, "empty training set");
    if (ds->nlabels > CLASSIFY_MAX_LABELS)
        return errmsg_set(em, ERR_INVAL, "too many labels: %zu, at most %d", ds->nlabels,
                          CLASSIFY_MAX_LABELS);
    if (!feat_cfg_ok(&o->feat, em))
        return ERR_INVAL;
    if ((uint64_t)o->feat.buckets * k > MODEL_MAX_CELLS)
        return errmsg_set(em, ERR_INVAL, "model too large: buckets x labels over 2^27");
    if (o->epochs == 0 || o->epochs > 10000 || !(o->lr > 0 && o->lr <= 100) ||
        !(o->l2 >= 0 && o->l2 < 1))
        return errmsg_set(em, ERR_INVAL, "invalid training options: epochs 1..10000, "
                                         "lr in (0, 100], l2 in [0, 1)");

    m = model_alloc(&o->feat, k, false);
    for (uint32_t c = 0; c < k; c++)
        memcpy(m->labels[c], ds->labels[c], sizeof(m->labels[c]));

    /* Features are computed once; epochs only revisit them in a new order. */
    start = xmalloc((ds->n + 1) * sizeof(*start));
    for (size_t i = 0; i < ds->n; i++) {
        size_t nf = classify_features(&o->feat, ds->ex[i].text, tmp, COUNTOF(tmp));
        if (total + nf > cap) {
            cap = (total + nf) * 2 + 1024;
            feats = xrealloc(feats, cap * sizeof(*feats));
        }
        if (nf)
            memcpy(feats + total, tmp, nf * sizeof(*tmp));
        start[i] = total;
        total += nf;
    }
    start[ds->n] = total;

    order = xmalloc(ds->n * sizeof(*order));
    for (size_t i = 0; i < ds->n; i++)
        order[i] = i;
    steps = (double)o->epochs * (double)ds->n;
    for (uint32_t ep = 0; ep < o->epochs; ep++) {
        double loss = 0;
        for (size_t i = ds->n - 1; i > 0; i--) {
            size_t j = (size_t)(splitmix(&rng) % (i + 1));
            size_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < ds->n; i++) {
            size_t e = order[i];
            const uint32_t *f = feats + start[e];
            size_t nf = start[e + 1] - start[e];
            uint32_t y = ds->ex[e].label;
            float p[CLASSIFY_MAX_LABELS];
            float lr = (float)(o->lr * (1.0 - step / steps));
            float g[CLASSIFY_MAX_LABELS], scale;

            step++;
            score(m, f, nf, p);
            loss -= log(p[y] > 1e-30f ? p[y] : 1e-30f);
            for (uint32_t c = 0; c < k; c++) {
                g[c] = lr * (p[c] - (c == y ? 1.0f : 0.0f));
                m->bias[c] -= g[c];
            }
            if (nf == 0)
                continue;
            scale = 1.0f / sqrtf((float)nf);
            for (uint32_t c = 0; c < k; c++)
                g[c] *= scale;
            for (size_t j = 0; j < nf; j++) {
                float *row = m->w + (size_t)f[j] * k;
                if (o->l2 > 0) {
                    float decay = 1.0f - lr * o->l2;
                    for (uint32_t c = 0; c < k; c++)
                        row[c] = row[c] * decay - g[c];
                } else {
                    for (uint32_t c = 0; c < k; c++)
                        row[c] -= g[c];
                }
            }
        }
        if (o->progress)
            o->progress(ep + 1, o->epochs, loss / (double)ds->n, o->progress_arg);
    }
    xfree(order);
    xfree(start);
    xfree(feats);
    *out = m;
    return 0;
}

/* ---- the file format ---------------------------------------------------------------------- */

static uint64_t
checksum(const unsigned char *p, size_t n)
{
    /* FNV-1a over 8-byte words (then the tail): fast enough for 40 MB at load time, and it
     * catches truncation and bit flips, which is all it is for; it is not a signature. */
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        h ^= v;
        h *= 0x100000001b3ull;
        h ^= h >> 31;
    }
    for (; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void
put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t
get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Floats are stored in the host's IEEE-754 layout, which must be little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "model files are little-endian");
_Static_assert(sizeof(float) == 4, "model files hold 32-bit floats");

/* Writes the float weights of bucket 'b' into 'row' (dequantized for a loaded model) and
 * returns whether any is nonzero (whether the file stores the row). */
static bool
row_get(const struct classify_model *m, uint32_t b, float *row)
{
    const uint32_t k = m->nlabels;
    bool used = false;
    for (uint32_t c = 0; c < k; c++) {
        if (m->w)
            row[c] = m->w[(size_t)b * k + c];
        else
            row[c] = (float)m->q[(size_t)b * k + c] * m->qscale[c];
        used |= row[c] != 0.0f;
    }
    return used;
}

int
classify_model_save(const struct classify_model *m, const char *path, struct errmsg *em)
{
    const uint32_t k = m->nlabels, B = m->feat.buckets;
    size_t bitmap = B / 8, used = 0, payload, off;
    unsigned char *file, *p;
    char tmp[4096];
    float row[CLASSIFY_MAX_LABELS];
    FILE *f;
    int rc = 0, n;

    for (uint32_t b = 0; b < B; b++)
        used += row_get(m, b, row);
    payload = (size_t)k * (CLASSIFY_LABEL_MAX + 1) + (size_t)k * 4 + bitmap + used * k * 4;
    file = xcalloc(1, MODEL_HEADER + payload);
    p = file + MODEL_HEADER;
    for (uint32_t c = 0; c < k; c++)
        memcpy(p + (size_t)c * (CLASSIFY_LABEL_MAX + 1), m->labels[c], CLASSIFY_LABEL_MAX + 1);
    off = (size_t)k * (CLASSIFY_LABEL_MAX + 1);
    memcpy(p + off, m->bias, (size_t)k * 4);
    off += (size_t)k * 4;
    {
        unsigned char *bits = p + off;
        size_t rows = off + bitmap;
        for (uint32_t b = 0; b < B; b++) {
            if (!row_get(m, b, row))
                continue;
            bits[b / 8] |= (unsigned char)(1u << (b % 8));
            memcpy(p + rows, row, (size_t)k * 4);
            rows += (size_t)k * 4;
        }
    }
    memcpy(file, MODEL_MAGIC, 8);
    put32(file + 8, MODEL_VERSION);
    put32(file + 12, k);
    put32(file + 16, B);
    file[20] = m->feat.word_ngrams;
    file[21] = m->feat.minn;
    file[22] = m->feat.maxn;
    file[23] = 0;
    put32(file + 24, MODEL_HEADER);
    put32(file + 28, 0);
    put64(file + 32, payload);
    put64(file + 40, checksum(p, payload));
    put64(file + 48, used);
    put64(file + 56, 0);

    n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        rc = errmsg_set(em, ERR_INVAL, "path too long: '%s'", path);
        goto out;
    }
    f = fopen(tmp, "wb");
    if (!f) {
        rc = errmsg_set(em, ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (fwrite(file, 1, MODEL_HEADER + payload, f) != MODEL_HEADER + payload || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        rc = errmsg_set(em, ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
        fclose(f);
        unlink(tmp);
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        rc = errmsg_set(em, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
out:
    xfree(file);
    return rc;
}

int
classify_model_load_mem(const void *data, size_t n, struct classify_model **out, struct errmsg *em)
{
    const unsigned char *h = data, *p;
    struct classify_feat_cfg feat;
    struct classify_model *m;
    uint32_t k, version;
    uint64_t payload, used, want, rows = 0;
    float bias[CLASSIFY_MAX_LABELS], colmax[CLASSIFY_MAX_LABELS];
    const unsigned char *src;
    size_t off;

    if (n < MODEL_HEADER)
        return errmsg_set(em, ERR_INVAL, "not a model: %zu bytes, shorter than the header", n);
    if (memcmp(h, MODEL_MAGIC, 8) != 0)
        return errmsg_set(em, ERR_INVAL, "not a model: bad magic");
    version = get32(h + 8);
    if (version != MODEL_VERSION)
        return errmsg_set(em, ERR_INVAL, "unsupported model version %u (want %u)", version,
                          MODEL_VERSION);
    k = get32(h + 12);
    feat.buckets = get32(h + 16);
    feat.word_ngrams = h[20];
    feat.minn = h[21];
    feat.maxn = h[22];
    if (k < 1 || k > CLASSIFY_MAX_LABELS)
        return errmsg_set(em, ERR_INVAL, "corrupt model: %u classes", k);
    if (!feat_cfg_ok(&feat, em))
        return ERR_INVAL;
    if ((uint64_t)feat.buckets * k > MODEL_MAX_CELLS)
        return errmsg_set(em, ERR_INVAL, "corrupt model: buckets x classes over 2^27");
    if (h[23] != 0 || get32(h + 24) != MODEL_HEADER || get32(h + 28) != 0 || get64(h + 56) != 0)
        return errmsg_set(em, ERR_INVAL, "corrupt model: bad header");
    payload = get64(h + 32);
    used = get64(h + 48);
    if (used > feat.buckets)
        return errmsg_set(em, ERR_INVAL, "corrupt model: %llu rows", (unsigned long long)used);
    want = (uint64_t)k * (CLASSIFY_LABEL_MAX + 1) + (uint64_t)k * 4 + feat.buckets / 8 +
           used * k * 4;
    if (payload != want || n - MODEL_HEADER != payload)
        return errmsg_set(em, ERR_INVAL, "corrupt model: %zu bytes, want %llu (truncated?)", n,
                          (unsigned long long)(MODEL_HEADER + want));
    p = h + MODEL_HEADER;
#ifndef HARK_FUZZ
    /* The fuzz build skips this one check so that libFuzzer can reach everything after it. */
    if (checksum(p, payload) != get64(h + 40))
        return errmsg_set(em, ERR_INVAL, "corrupt model: checksum mismatch");
#endif

    for (uint32_t c = 0; c < k; c++) {
        const char *l = (const char *)p + (size_t)c * (CLASSIFY_LABEL_MAX + 1);
        size_t len = strnlen(l, CLASSIFY_LABEL_MAX + 1);
        if (len > CLASSIFY_LABEL_MAX || !classify__label_ok(l, len))
            return errmsg_set(em, ERR_INVAL, "corrupt model: bad label %u", c);
        for (size_t i = len; i <= CLASSIFY_LABEL_MAX; i++) {
            if (l[i] != 0)
                return errmsg_set(em, ERR_INVAL, "corrupt model: bad label %u", c);
        }
    }
    off = (size_t)k * (CLASSIFY_LABEL_MAX + 1) + (size_t)k * 4;
    for (uint32_t b = 0; b < feat.buckets; b++)
        rows += (p[off + b / 8] >> (b % 8)) & 1;
    if (rows != used)
        return errmsg_set(em, ERR_INVAL, "corrupt model: row bitmap disagrees with header");

    /* A checksum can be forged; NaN or huge weights would poison every prediction. Check
     * them all before anything is allocated, and find each class's largest weight. */
    memcpy(bias, p + (size_t)k * (CLASSIFY_LABEL_MAX + 1), (size_t)k * 4);
    for (uint32_t c = 0; c < k; c++) {
        if (!isfinite(bias[c]) || fabsf(bias[c]) > 1e6f)
            goto bad_weight;
        colmax[c] = 0;
    }
    src = p + off + feat.buckets / 8;
    for (uint64_t r = 0; r < used; r++) {
        for (uint32_t c = 0; c < k; c++, src += 4) {
            float v;
            memcpy(&v, src, 4);
            if (!isfinite(v) || fabsf(v) > 1e6f)
                goto bad_weight;
            if (fabsf(v) > colmax[c])
                colmax[c] = fabsf(v);
        }
    }

    m = model_alloc(&feat, k, true);
    for (uint32_t c = 0; c < k; c++) {
        memcpy(m->labels[c], p + (size_t)c * (CLASSIFY_LABEL_MAX + 1), CLASSIFY_LABEL_MAX + 1);
        m->bias[c] = bias[c];
        m->qscale[c] = colmax[c] / QMAX;
    }
    {
        const unsigned char *bits = p + off;
        src = p + off + feat.buckets / 8;
        for (uint32_t b = 0; b < feat.buckets; b++) {
            int8_t *q = m->q + (size_t)b * k;
            if (!((bits[b / 8] >> (b % 8)) & 1))
                continue;
            for (uint32_t c = 0; c < k; c++, src += 4) {
                float v;
                memcpy(&v, src, 4);
                /* |v| <= colmax, so the quotient is within -127..127; a zero column stays 0. */
                if (colmax[c] > 0)
                    q[c] = (int8_t)lrintf(v / colmax[c] * QMAX);
            }
        }
    }
    *out = m;
    return 0;
bad_weight:
    return errmsg_set(em, ERR_INVAL, "corrupt model: weight out of range");
}

int
classify_model_load(const char *path, struct classify_model **out, struct errmsg *em)
{
    size_t len;
    char *data;
    bool had_msg = em && em->set;
    int rc = classify__read_file(path, MODEL_MAX_FILE, &data, &len, em);
    if (rc < 0)
        return rc;
    rc = classify_model_load_mem(data, len, out, em);
    xfree(data);
    if (rc < 0 && em && em->set && !had_msg) {
        /* Name the file: "model 'x.bin': corrupt model: ...". */
        char why[sizeof(em->text)];
        memcpy(why, em->text, sizeof(why));
        em->set = false;
        errmsg_set(em, rc, "model '%s': %s", path, why);
    }
    return rc;
}
