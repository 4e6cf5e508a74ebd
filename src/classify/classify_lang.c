/* SPDX-License-Identifier: MIT */
/*
 * classify_lang.c - language id, one path for every caller (classify__lang_guess; the rules are
 * in docs/triage.md): clean the text (no handles, hashtags, URLs, emails, codes), count the
 * letters left, let the script or the function words decide when they clearly can, else ask
 * lang.bin or, by default, Debian's libexttextcat (Cavnar & Trenkle character n-gram
 * fingerprints, MPL 2.0 / LGPL data) restricted to the languages in 'langs' below.
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
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libexttextcat/textcat.h>

#include "base/utf8.h"
#include "classify/classify.h"

#ifndef CLASSIFY_TEXTCAT_DIR
#define CLASSIFY_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

#define TEXTCAT_HANDLES 4

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

/* Guesses with a textcat handle from the pool on NUL-terminated 'text' (n bytes):
 * libexttextcat reads past the length it is given (its n-gram scan looks at the byte after the
 * last one), so the same text followed by a newline in a line buffer and by a NUL in a database
 * row came out as "de" and "en". We only ever hand it our own cleaned, NUL-terminated copy. */
bool
classify__textcat_guess(struct classify_textcat *t, const char *text, size_t n,
                        const char *prefer, char lang[4], float *conf)
{
    struct textcat_slot *s = NULL;
    int k;

    for (size_t i = 0; i < t->nslot && !s; i++) {
        if (pthread_mutex_trylock(&t->slot[i].mu) == 0)
            s = &t->slot[i];
    }
    if (!s) {
        s = &t->slot[(uintptr_t)pthread_self() % t->nslot];
        pthread_mutex_lock(&s->mu);
    }
    k = textcat_ClassifyFull(s->h, text, n, s->cand);
    /* SHORT (-2), UNKNOWN (0: no match, or more than 5 within 3% of the best) mean "undecided";
     * otherwise the candidates are best first and their names are our 2-letter codes. */
    if (k > 0 && (size_t)k < COUNTOF(conf_by_candidates) && strlen(s->cand[0].name) == 2) {
        int pick = 0;
        for (int i = 1; prefer && i < k; i++) {
            if (strcmp(s->cand[i].name, prefer) == 0)
                pick = i;
        }
        memcpy(lang, s->cand[pick].name, 3);
        *conf = conf_by_candidates[k];
    } else {
        k = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return k > 0;
}

/* ---------------------------------------------------------------------------------------------
 * The one language-id path (classify_message, so the CLI and ingest alike): clean, count the
 * letters left, let the script decide when it can, then the function words, then the model
 * (lang.bin) or libexttextcat.
 */

/* Token separators; a NUL byte is one too, so the cleaned copy has no NUL inside. */
static bool
is_space(unsigned char b)
{
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f' || b == 0;
}

static bool
is_ascii_punct(unsigned char b)
{
    return (b >= '!' && b <= '/') || (b >= ':' && b <= '?') || (b >= '[' && b <= '`') ||
           (b >= '{' && b <= '~');
}

/* True when the token 'w' (no spaces) says nothing about the language: a @handle, a #hashtag,
 * a URL, an email address, or an ASCII token with a digit (UAL212, 2pm, 10:30, +44...). */
static bool
drop_token(struct str w)
{
    size_t i = 0;
    bool ascii = true, digit = false;

    while (i < w.len && is_ascii_punct((unsigned char)w.p[i]) && w.p[i] != '@' && w.p[i] != '#')
        i++;
    if (i < w.len && (w.p[i] == '@' || w.p[i] == '#'))
        return true;
    w = (struct str){ w.p + i, w.len - i };
    if (w.len >= 4 && (strncasecmp(w.p, "www.", 4) == 0))
        return true;
    for (size_t k = 0; k < w.len; k++) {
        unsigned char b = (unsigned char)w.p[k];
        if (b >= 0x80)
            ascii = false;
        digit |= b >= '0' && b <= '9';
        if (b == ':' && k + 2 < w.len && w.p[k + 1] == '/' && w.p[k + 2] == '/')
            return true;
        if (b == '@' && k > 0)
            return true; /* an email address, or a handle glued to a word */
    }
    return ascii && digit;
}

size_t
classify_lang_clean(struct str text, char *out, size_t cap)
{
    size_t n = 0, i = 0;

    if (!cap)
        return 0;
    if (text.len > CLASSIFY_MAX_TEXT)
        text.len = CLASSIFY_MAX_TEXT;
    while (i < text.len) {
        size_t j;
        while (i < text.len && is_space((unsigned char)text.p[i]))
            i++;
        for (j = i; j < text.len && !is_space((unsigned char)text.p[j]); j++)
            ;
        if (j > i && !drop_token((struct str){ text.p + i, j - i })) {
            size_t len = j - i, room = cap - 1 - n - (n > 0);
            if (n + (n > 0) >= cap - 1)
                break;
            if (len > room) { /* cut at a code point boundary */
                len = room;
                while (len > 0 && ((unsigned char)text.p[i + len] & 0xC0) == 0x80)
                    len--;
            }
            if (n)
                out[n++] = ' ';
            memcpy(out + n, text.p + i, len);
            n += len;
        }
        i = j;
    }
    out[n] = '\0';
    return n;
}

/* Scripts that alone name one of our languages, and the two we look at more closely. */
enum script { SC_LATIN, SC_CYRILLIC, SC_GREEK, SC_ARABIC, SC_HEBREW, SC_DEVANAGARI, SC_THAI,
              SC_HANGUL, SC_KANA, SC_HAN, SC_OTHER, SC_COUNT };

/* The script of letter 'c', or SC_COUNT when 'c' is not a letter (punctuation, symbols, emoji,
 * digits, U+FFFD). Coarse ranges; enough to count letters and to spot a script. */
static enum script
script_of(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return SC_LATIN;
    if (c < 0xC0 || c == 0xD7 || c == 0xF7)
        return SC_COUNT;
    if (c < 0x250 || (c >= 0x1E00 && c <= 0x1EFF))
        return SC_LATIN;
    if (c >= 0x370 && c <= 0x3FF)
        return SC_GREEK;
    if (c >= 0x400 && c <= 0x52F)
        return SC_CYRILLIC;
    if (c >= 0x590 && c <= 0x5FF)
        return SC_HEBREW;
    if ((c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) || (c >= 0xFB50 && c <= 0xFDFF) ||
        (c >= 0xFE70 && c <= 0xFEFF))
        return c == 0x60C || c == 0x61B || c == 0x61F || (c >= 0x660 && c <= 0x66D) ||
                       (c >= 0x6F0 && c <= 0x6F9)
                   ? SC_COUNT
                   : SC_ARABIC;
    if (c >= 0x900 && c <= 0x97F)
        return (c >= 0x964 && c <= 0x96F) ? SC_COUNT : SC_DEVANAGARI;
    if (c >= 0xE00 && c <= 0xE7F)
        return SC_THAI;
    if ((c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
        (c >= 0xAC00 && c <= 0xD7AF))
        return SC_HANGUL;
    if (c >= 0x3040 && c <= 0x30FF)
        return c == 0x30FB || c == 0x30FC ? SC_COUNT : SC_KANA;
    if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
        (c >= 0xF900 && c <= 0xFAFF))
        return SC_HAN;
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x303F) ||
        (c >= 0xFE00 && c <= 0xFE6F) ||
        (c >= 0xFF00 && c <= 0xFF20) || (c >= 0xFFF0 && c <= 0xFFFF) || c >= 0x1F000)
        return SC_COUNT;
    return SC_OTHER;
}

/* Words that occur in one of our Latin-script languages and in no other of them (a word in two
 * lists counts for neither: see fw_build), lowercase ASCII or UTF-8. Common on social text. */
static const char *const fw_words[][2] = {
#define FW(lang, words) { lang, words }
    FW("en", " the and you to is my for of it with this that was are have not what your me we just"
             " can get so but they will how from why now when been our has would about there"
             " thank thanks please were us all who did does an any could should than them their"
             " got being again still back help need great love today hours really going want"
             " know like never good time after over only very more here if or by up out one"
             " day guys"),
    FW("es", " el los las que y por para con una es lo mi su del pero muy más como está esta"
             " estoy gracias hola qué porque también tiene hay son ya le yo tu sin cuando"),
    FW("fr", " le les des et est une je pas qui pour dans sur avec ce cette mais vous nous elle"
             " sont tout très merci bonjour au aux du ne on ça suis fait comme"),
    FW("de", " der die das und ist nicht ich ein eine mit auf den dem zu sich auch wir für noch"
             " aber wie sind hat bei nach danke mir mich schon nur"),
    FW("pt", " os que em um uma não para com por mais muito está é eu você meu minha obrigado"
             " isso foi tem ao da do dos das mas se"),
    FW("it", " il che di un una non per con sono è ma mi ho del della questo anche grazie come ci"
             " gli alla più"),
    FW("nl", " het een van niet ik je dat op te met voor zijn maar ook wat er bedankt hoe"),
    FW("pl", " nie się jest na że to do jak ale co tak jestem dla czy już"),
    FW("sv", " och att det är jag inte som på för med har till av men tack den du vi"),
    FW("tr", " ve bir bu da ne için çok ile ben sen var yok ama gibi değil"),
#undef FW
};

/* fw_words as an open-addressing hash table, built once: word -> index in fw_words, or -1 for
 * a word in two lists. */
#define FW_SLOTS 1024
struct fw_slot {
    const char *w; /* into fw_words (not NUL-terminated there) */
    uint8_t n;
    int8_t lang;
};
static struct fw_slot fw_table[FW_SLOTS];
static pthread_once_t fw_once = PTHREAD_ONCE_INIT;

static uint32_t
fw_hash(const char *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static void
fw_build(void)
{
    for (size_t l = 0; l < COUNTOF(fw_words); l++) {
        const char *p = fw_words[l][1];
        while (*p) {
            while (*p == ' ')
                p++;
            size_t n = strcspn(p, " ");
            if (!n)
                break;
            uint32_t h = fw_hash(p, n) & (FW_SLOTS - 1);
            while (fw_table[h].w && !(fw_table[h].n == n && memcmp(fw_table[h].w, p, n) == 0))
                h = (h + 1) & (FW_SLOTS - 1);
            if (!fw_table[h].w)
                fw_table[h] = (struct fw_slot){ p, (uint8_t)n, (int8_t)l };
            else if (fw_table[h].lang != (int8_t)l)
                fw_table[h].lang = -1;
            p += n;
        }
    }
}

/* Index in fw_words of the one language whose list has 'w' (lowercase), or -1 when none or
 * more than one has it. */
static int
fw_lookup(const char *w, size_t n)
{
    uint32_t h = fw_hash(w, n) & (FW_SLOTS - 1);
    while (fw_table[h].w) {
        if (fw_table[h].n == n && memcmp(fw_table[h].w, w, n) == 0)
            return fw_table[h].lang;
        h = (h + 1) & (FW_SLOTS - 1);
    }
    return -1;
}

/* What the function words of 'text' say: the language whose words clearly dominate ('*sure'
 * true), or one that alone has any ('*sure' false), or NULL. */
static const char *
by_function_words(const char *text, size_t n, bool *sure)
{
    int hits[COUNTOF(fw_words)] = { 0 };
    char w[40];
    size_t i = 0;

    pthread_once(&fw_once, fw_build);

    while (i < n) {
        size_t k = 0;
        bool long_word = false;
        while (i < n) {
            unsigned char b = (unsigned char)text[i];
            bool letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80;
            if (!letter)
                break;
            if (k + 1 < sizeof(w))
                w[k++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            else
                long_word = true;
            i++;
        }
        if (k && !long_word) {
            int l = fw_lookup(w, k);
            if (l >= 0)
                hits[l]++;
        }
        if (i < n && k == 0)
            i++;
    }
    int best = 0, second = -1;
    for (int l = 1; l < (int)COUNTOF(fw_words); l++) {
        if (hits[l] > hits[best])
            best = l;
    }
    for (int l = 0; l < (int)COUNTOF(fw_words); l++) {
        if (l != best && (second < 0 || hits[l] > hits[second]))
            second = l;
    }
    *sure = (hits[best] >= 3 && hits[best] >= 3 * hits[second]) ||
            (hits[best] >= 2 && hits[second] == 0);
    return hits[best] > hits[second] ? fw_words[best][0] : NULL;
}

/* Cyrillic: Ukrainian letters і ї є ґ say uk, ы э ъ ё say ru; else undecided. */
static const char *
cyrillic_lang(const char *text, size_t n)
{
    struct str s = { text, n };
    bool uk = false, ru = false;
    for (size_t i = 0; i < n;) {
        uint32_t c = utf8_next(s, &i);
        uk |= c == 0x456 || c == 0x457 || c == 0x454 || c == 0x491 || c == 0x406 || c == 0x407 ||
              c == 0x404 || c == 0x490;
        ru |= c == 0x44B || c == 0x44D || c == 0x44A || c == 0x451 || c == 0x42B || c == 0x42D ||
              c == 0x401;
    }
    return uk == ru ? NULL : uk ? "uk" : "ru";
}

void
classify__lang_guess(const struct classify_model *model, struct classify_textcat *tc,
                     struct str text, char lang[4], float *conf)
{
    char buf[CLASSIFY_LANG_TEXT + 1];
    size_t n = classify_lang_clean(text, buf, sizeof(buf)), letters = 0;
    size_t by[SC_COUNT + 1] = { 0 };
    struct str s = { buf, n };
    const char *code = NULL, *prefer = NULL;
    bool sure = false;

    memcpy(lang, "und", 4);
    *conf = 0;
    for (size_t i = 0; i < n;) {
        enum script sc = script_of(utf8_next(s, &i));
        by[sc]++;
        letters += sc != SC_COUNT;
    }
    if (letters < CLASSIFY_LANG_MIN_LETTERS)
        return;
    /* A script that only one of our languages writes decides alone when it has most letters. */
    static const struct {
        enum script sc;
        const char *code;
    } alone[] = { { SC_GREEK, "el" }, { SC_ARABIC, "ar" }, { SC_HEBREW, "he" },
                  { SC_DEVANAGARI, "hi" }, { SC_THAI, "th" }, { SC_HANGUL, "ko" } };
    for (size_t i = 0; i < COUNTOF(alone) && !code; i++) {
        if (2 * by[alone[i].sc] > letters)
            code = alone[i].code;
    }
    if (!code && by[SC_KANA] > 0 && 2 * (by[SC_KANA] + by[SC_HAN]) > letters)
        code = "ja";
    else if (!code && 2 * by[SC_HAN] > letters)
        code = "zh";
    else if (!code && 2 * by[SC_CYRILLIC] > letters)
        code = cyrillic_lang(buf, n);
    else if (!code && 10 * by[SC_LATIN] >= 9 * letters) {
        prefer = by_function_words(buf, n, &sure);
        if (sure)
            code = prefer;
    }
    if (code) {
        memcpy(lang, code, 3);
        *conf = 0.9f;
        return;
    }
    if (model) {
        float p[CLASSIFY_MAX_LABELS];
        size_t best = classify_model_predict(model, s, p);
        memcpy(lang, classify_model_label(model, best), 2);
        lang[2] = '\0';
        *conf = p[best];
        return;
    }
    /* libexttextcat's fingerprints are mostly lowercase text: SHOUTED English came out as de. */
    if (by[SC_LATIN] == letters) {
        size_t upper = 0;
        for (size_t i = 0; i < n; i++)
            upper += buf[i] >= 'A' && buf[i] <= 'Z';
        if (2 * upper > letters) {
            for (size_t i = 0; i < n; i++)
                buf[i] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] + 32 : buf[i]);
        }
    }
    /* When it will not decide, or is torn, a language that alone has function words wins. */
    if (tc && classify__textcat_guess(tc, buf, n, prefer, lang, conf))
        return;
    if (prefer) {
        memcpy(lang, prefer, 3);
        *conf = 0.5f;
    }
}
