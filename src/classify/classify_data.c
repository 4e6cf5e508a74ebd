/* SPDX-License-Identifier: MIT */
/*
 * classify_data.c - labelled text files in the fastText format ("__label__NAME text").
 *
 * The same files feed `hark model train/eval` and Debian's `fasttext` CLI in the benchmark, so
 * the format is fastText's own, read strictly: a line without a valid label is an error with
 * its line number, not a silently skipped example.
 */
#include "base/base.h"

#include "classify/classify.h"

#include <errno.h>

#include "classify/classify_int.h"

#define DATA_MAX_FILE (1ull << 30)
#define LABEL_PREFIX "__label__"

int
classify__read_file(const char *path, size_t max, char **data, size_t *len, struct errmsg *em)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (!f)
        return errmsg_set(em, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            p = xrealloc(p, cap + 1);
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            rc = errmsg_set(em, ERR_TOOBIG, "'%s' is larger than %zu bytes", path, max);
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = errmsg_set(em, ERR_IO, "cannot read '%s'", path);
        goto out;
    }
    p[n] = '\0';
out:
    fclose(f);
    if (rc < 0) {
        xfree(p);
        return rc;
    }
    *data = p;
    *len = n;
    return 0;
}

void
classify_dataset_release(struct classify_dataset *ds)
{
    xfree(ds->ex);
    xfree(ds->labels);
    xfree(ds->text);
    memset(ds, 0, sizeof(*ds));
}

static int
label_index(struct classify_dataset *ds, const char *s, size_t n)
{
    for (size_t i = 0; i < ds->nlabels; i++) {
        if (strlen(ds->labels[i]) == n && memcmp(ds->labels[i], s, n) == 0)
            return (int)i;
    }
    if (ds->nlabels >= CLASSIFY_MAX_LABELS)
        return -1;
    ds->labels = xrealloc(ds->labels, (ds->nlabels + 1) * sizeof(*ds->labels));
    memset(ds->labels[ds->nlabels], 0, sizeof(*ds->labels));
    memcpy(ds->labels[ds->nlabels], s, n);
    return (int)ds->nlabels++;
}

int
classify_dataset_load(const char *path, struct classify_dataset *out, struct errmsg *em)
{
    struct classify_dataset ds = { 0 };
    size_t len, cap = 0, lineno = 0;
    char *p, *end;
    int rc = classify__read_file(path, DATA_MAX_FILE, &ds.text, &len, em);

    if (rc < 0)
        return rc;
    p = ds.text;
    end = ds.text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end, *q, *lab;
        int li;

        lineno++;
        if (eol > p && eol[-1] == '\r')
            eol--;
        q = p;
        p = nl ? nl + 1 : end;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        if (q == eol || *q == '#')
            continue;
        if ((size_t)(eol - q) < sizeof(LABEL_PREFIX) - 1 ||
            memcmp(q, LABEL_PREFIX, sizeof(LABEL_PREFIX) - 1) != 0) {
            rc = errmsg_set(em, ERR_INVAL, "'%s' line %zu: want \"__label__NAME text\"", path,
                            lineno);
            goto fail;
        }
        lab = q + sizeof(LABEL_PREFIX) - 1;
        q = lab;
        while (q < eol && *q != ' ' && *q != '\t')
            q++;
        if (!classify__label_ok(lab, (size_t)(q - lab))) {
            rc = errmsg_set(em, ERR_INVAL, "'%s' line %zu: invalid label: want 1..%d of "
                            "[A-Za-z0-9_.-]", path, lineno, CLASSIFY_LABEL_MAX);
            goto fail;
        }
        li = label_index(&ds, lab, (size_t)(q - lab));
        if (li < 0) {
            rc = errmsg_set(em, ERR_TOOBIG, "'%s' line %zu: more than %d labels", path, lineno,
                            CLASSIFY_MAX_LABELS);
            goto fail;
        }
        /* Further labels on the line are skipped; the text is the rest. */
        for (;;) {
            while (q < eol && (*q == ' ' || *q == '\t'))
                q++;
            if ((size_t)(eol - q) >= sizeof(LABEL_PREFIX) - 1 &&
                memcmp(q, LABEL_PREFIX, sizeof(LABEL_PREFIX) - 1) == 0) {
                while (q < eol && *q != ' ' && *q != '\t')
                    q++;
                continue;
            }
            break;
        }
        if (ds.n == cap) {
            cap = cap ? cap * 2 : 1024;
            ds.ex = xrealloc(ds.ex, cap * sizeof(*ds.ex));
        }
        ds.ex[ds.n].text = (struct str){ q, (size_t)(eol - q) };
        ds.ex[ds.n].label = (uint16_t)li;
        ds.n++;
    }
    *out = ds;
    return 0;
fail:
    classify_dataset_release(&ds);
    return rc;
}
