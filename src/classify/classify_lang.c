/* SPDX-License-Identifier: MIT */
/*
 * classify_lang.c - the default language id when no lang.bin is installed: Debian's
 * libexttextcat (Cavnar & Trenkle character n-gram fingerprints, MPL 2.0 / LGPL data) restricted
 * to the languages in 'langs' below.
 *
 * Why a library here when everything else is our own model: the only multilingual training set
 * we have (XLM-T) is research-licensed, and the shipped defaults must be trained on permissive
 * data only (../shared/data/README.md). The fingerprints come with Debian; our model trained on
 * XLM-T stays available as an opt-in lang.bin (`make classify-lang-research`, docs/triage.md).
 *
 * Threads: a textcat handle keeps the fingerprint of the text being classified inside itself,
 * so it is not thread-safe. We keep a small pool of handles, each behind its own mutex; a caller
 * takes the first free one (pthread_mutex_trylock) and waits on one only when all are busy.
 * A guess costs ~70 us, so TEXTCAT_HANDLES handles are far more than ingest needs.
 */
#include "base/base.h"

#include "classify/classify_int.h"

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libexttextcat/textcat.h>

#include "classify/classify.h"

#ifndef CLASSIFY_TEXTCAT_DIR
#define CLASSIFY_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

#define TEXTCAT_HANDLES 4
/* Texts with fewer letters than this get no language: on a word or two the fingerprints guess
 * ("a" -> pt, "ok" -> pl), and no answer is better than a wrong one. */
#define TEXTCAT_MIN_LETTERS 8

/* The languages we let it choose from: major customer-care markets. Latin-script languages cost
 * accuracy (each one is a new way to confuse en/es/it/pt/fr), languages with their own script
 * almost nothing. Most frequent first, which lets libexttextcat prune sooner. */
static const struct {
    const char *file; /* fingerprint in CLASSIFY_TEXTCAT_DIR */
    const char *code; /* ISO 639-1 */
} langs[] = {
    { "en.lm", "en" }, { "es.lm", "es" }, { "fr.lm", "fr" }, { "de.lm", "de" },
    { "pt.lm", "pt" }, { "it.lm", "it" }, { "ar.lm", "ar" }, { "hi.lm", "hi" },
    { "nl.lm", "nl" }, { "ru.lm", "ru" }, { "ja.lm", "ja" }, { "zh-Hans.lm", "zh" },
    { "tr.lm", "tr" }, { "pl.lm", "pl" }, { "sv.lm", "sv" }, { "uk.lm", "uk" },
    { "el.lm", "el" }, { "he.lm", "he" }, { "ko.lm", "ko" }, { "th.lm", "th" },
};

/* Confidence by how many languages scored within 3% of the best (libexttextcat reports at most
 * 5, else "unknown"): the share of such guesses that were right on the 2,592 XLM-T validation
 * tweets (1: 0.91, 2: 0.72, 3: 0.49, 4: 0.31, 5: 0.27). */
static const float conf_by_candidates[] = { 0.0f, 0.9f, 0.7f, 0.5f, 0.35f, 0.25f };

struct textcat_slot {
    pthread_mutex_t mu;
    void *h;              /* libexttextcat handle */
    candidate_t *cand;    /* its result array */
};

/* Thread-safe: any thread may call classify__textcat_guess on a shared pool. */
struct classify_textcat {
    struct textcat_slot slot[TEXTCAT_HANDLES];
    size_t nslot;
};

const char *
classify__textcat_langs(void)
{
    return "ar de el en es fr he hi it ja ko nl pl pt ru sv th tr uk zh";
}

/* Writes our fingerprint list into an anonymous memory file and returns its descriptor, or -1.
 * libexttextcat only reads its configuration from a path; /proc/self/fd/N is one with no
 * temporary file to clean up. */
static int
write_conf(void)
{
    char line[128];
    int fd = memfd_create("hark-textcat.conf", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (size_t i = 0; i < COUNTOF(langs); i++) {
        int n = snprintf(line, sizeof(line), "%s %s\n", langs[i].file, langs[i].code);
        if (n < 0 || (size_t)n >= sizeof(line) || write(fd, line, (size_t)n) != n) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

int
classify__textcat_open(struct classify_textcat **out, struct errmsg *em)
{
    struct classify_textcat *t = xcalloc(1, sizeof(*t));
    char path[64];
    int fd = write_conf(), rc = 0;

    if (fd < 0) {
        rc = errmsg_set(em, ERR_IO, "cannot write the libexttextcat configuration: %s",
                        strerror(errno));
        goto out;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    for (; t->nslot < TEXTCAT_HANDLES; t->nslot++) {
        struct textcat_slot *s = &t->slot[t->nslot];
        s->h = special_textcat_Init(path, CLASSIFY_TEXTCAT_DIR);
        if (!s->h) {
            rc = errmsg_set(em, ERR_IO, "no lang.bin, and libexttextcat cannot load its "
                            "fingerprints from '%s' (install libexttextcat-data)",
                            CLASSIFY_TEXTCAT_DIR);
            goto out;
        }
        s->cand = textcat_GetClassifyFullOutput(s->h);
        pthread_mutex_init(&s->mu, NULL);
    }
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        classify__textcat_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void
classify__textcat_free(struct classify_textcat *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nslot; i++) {
        textcat_ReleaseClassifyFullOutput(t->slot[i].h, t->slot[i].cand);
        textcat_Done(t->slot[i].h);
        pthread_mutex_destroy(&t->slot[i].mu);
    }
    xfree(t);
}

static size_t
count_letters(struct str text)
{
    size_t k = 0;
    for (size_t i = 0; i < text.len; i++) {
        unsigned char b = (unsigned char)text.p[i];
        k += (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0xc2;
    }
    return k;
}

bool
classify__textcat_guess(struct classify_textcat *t, struct str text, char lang[3], float *conf)
{
    struct textcat_slot *s = NULL;
    int k;

    if (text.len > CLASSIFY_MAX_TEXT)
        text.len = CLASSIFY_MAX_TEXT;
    if (count_letters(text) < TEXTCAT_MIN_LETTERS)
        return false;
    for (size_t i = 0; i < t->nslot && !s; i++) {
        if (pthread_mutex_trylock(&t->slot[i].mu) == 0)
            s = &t->slot[i];
    }
    if (!s) {
        s = &t->slot[(uintptr_t)pthread_self() % t->nslot];
        pthread_mutex_lock(&s->mu);
    }
    k = textcat_ClassifyFull(s->h, text.p, text.len, s->cand);
    /* SHORT (-2), UNKNOWN (0: no match, or more than 5 within 3% of the best) mean "undecided";
     * otherwise the candidates are best first and their names are our 2-letter codes. */
    if (k > 0 && (size_t)k < COUNTOF(conf_by_candidates) && strlen(s->cand[0].name) == 2) {
        memcpy(lang, s->cand[0].name, 3);
        *conf = conf_by_candidates[k];
    } else {
        k = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return k > 0;
}
