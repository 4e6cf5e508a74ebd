/* SPDX-License-Identifier: MIT */
/*
 * listen_fold.c - folds post and query text into the one canonical form the matcher scans:
 * lowercase (full Unicode case folding), compatibility forms unified (NFKC), combining accents
 * removed, and tokens separated by single spaces: "Hey @Acme, CAFÉ délà 🔥!" becomes
 * " hey @acme cafe dela 🔥 ".
 *
 * ICU is used only once, to build a table for the whole Basic Multilingual Plane at first use
 * (about 30 ms); the hot path never calls ICU except for the rare letters outside the BMP.
 * Runs of plain ASCII (letters, digits, spaces, punctuation other than '@', '#' and '$') go
 * through a byte table with no branch per byte; other code points are decoded inline and cost
 * one lookup in a single table giving both the class and the folded form. The tables are
 * immutable after pthread_once, the only process-wide state in this module.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <pthread.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "base/utf8.h"

enum fcls {
    FC_SEP = 0, /* space, punctuation, control: ends a token */
    FC_WORD,    /* letter, digit, mark, '_' in a script written with spaces */
    FC_CJK,     /* word character of a script written without spaces */
    FC_SYM,     /* emoji and other symbols: a token of its own */
    FC_DROP,    /* vanishes (stripped accents, variation selectors, joiners) */
};

#define MAP_MAX 16 /* longest folded form kept, in UTF-8 bytes; longer ones stay as they are */

/* One entry per BMP code point: bits 0-2 the class, bits 3-7 the length of the folded form
 * (0 = the code point folds to itself), bits 8-31 its offset in 'pool'. */
#define FE_CLS(e) ((enum fcls)((e) & 7))
#define FE_LEN(e) (((e) >> 3) & 31)
#define FE_OFF(e) ((e) >> 8)
#define FE_POOL_MAX (1u << 24)

static pthread_once_t fold_once = PTHREAD_ONCE_INIT;
static uint32_t bmp[65536];
static char *pool;
static size_t pool_len;
/* Bytes that fold without context: ASCII letters lowercased, digits and '_' as themselves,
 * other ASCII separators as ' '; 0 for '@', '#', '$' and bytes >= 0x80 (see fold_into). */
static unsigned char ascii_plain[256];

static bool
strip_mark(UChar32 c)
{
    if (u_charType(c) != U_NON_SPACING_MARK)
        return false;
    return (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x591 && c <= 0x5C7) ||
           (c >= 0x64B && c <= 0x65F) || c == 0x670;
}

bool
listen__cp_nospace(uint32_t cp)
{
    if (cp < 0x0E00)
        return false;
    if ((cp >= 0x0E00 && cp <= 0x0EFF) || (cp >= 0x1000 && cp <= 0x109F) ||
        (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x1100 && cp <= 0x11FF) ||
        (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3130 && cp <= 0x318F) ||
        (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF66 && cp <= 0xFF9F) ||
        (cp >= 0x20000 && cp <= 0x3FFFF))
        return true;
    return false;
}

static enum fcls
class_of(UChar32 c)
{
    if (c == 0xFE0E || c == 0xFE0F || c == 0x200D || c == 0x200C || (c >= 0x1F3FB && c <= 0x1F3FF) ||
        (c >= 0xE0000 && c <= 0xE007F))
        return FC_DROP;
    switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
    case U_CONNECTOR_PUNCTUATION:
        return listen__cp_nospace((uint32_t)c) ? FC_CJK : FC_WORD;
    case U_OTHER_SYMBOL:
    case U_CURRENCY_SYMBOL:
        return FC_SYM;
    case U_FORMAT_CHAR:
        return FC_DROP;
    default:
        return FC_SEP;
    }
}

/* Folds one BMP code point with ICU: NFKC_Casefold, then NFD, drop accents and separators,
 * then NFC. Writes UTF-8 into 'out' and returns its length (may be 0). */
static size_t
fold_one(const UNormalizer2 *nfkccf, const UNormalizer2 *nfd, const UNormalizer2 *nfc, UChar32 c,
         char *out, size_t max)
{
    UChar src[2], a[64], b[64];
    int32_t n = 0, na, nb;
    UErrorCode e = U_ZERO_ERROR;
    size_t o = 0;

    U16_APPEND_UNSAFE(src, n, c);
    na = unorm2_normalize(nfkccf, src, n, a, COUNTOF(a), &e);
    if (U_FAILURE(e))
        return (size_t)-1;
    nb = unorm2_normalize(nfd, a, na, b, COUNTOF(b), &e);
    if (U_FAILURE(e))
        return (size_t)-1;
    na = 0;
    for (int32_t i = 0; i < nb;) {
        UChar32 d;
        U16_NEXT(b, i, nb, d);
        if (strip_mark(d) || class_of(d) == FC_SEP || class_of(d) == FC_DROP)
            continue;
        U16_APPEND_UNSAFE(a, na, d);
    }
    nb = unorm2_normalize(nfc, a, na, b, COUNTOF(b), &e);
    if (U_FAILURE(e))
        return (size_t)-1;
    for (int32_t i = 0; i < nb;) {
        UChar32 d;
        U16_NEXT(b, i, nb, d);
        if (o + 4 > max)
            return (size_t)-1;
        o += utf8_put(out + o, (uint32_t)d);
    }
    return o;
}

/* ASCII letters, digits and '_' lowercased; 0 for everything else (fast path of fold_into). */
static const char ascii_word[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5', ['6'] = '6',
    ['7'] = '7', ['8'] = '8', ['9'] = '9', ['_'] = '_',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g',
    ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
    ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u',
    ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f', ['G'] = 'g',
    ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u',
    ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z',
};

static void
fold_build(void)
{
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfkccf = unorm2_getNFKCCasefoldInstance(&e);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&e);
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&e);
    size_t cap = 1 << 16;

    ASSERT(!U_FAILURE(e));
    pool = xmalloc(cap);
    pool_len = 1; /* offset 0 means identity */
    for (UChar32 c = 0; c < 0x10000; c++) {
        char tmp[MAP_MAX], orig[4];
        size_t n, on;
        enum fcls cls;

        if (c >= 0xD800 && c <= 0xDFFF) {
            bmp[c] = FC_SEP;
            continue;
        }
        cls = class_of(c);
        if (cls == FC_SEP || (cls == FC_WORD && strip_mark(c))) {
            bmp[c] = cls == FC_SEP ? FC_SEP : FC_DROP;
            continue;
        }
        if (cls == FC_DROP) {
            bmp[c] = FC_DROP;
            continue;
        }
        n = fold_one(nfkccf, nfd, nfc, c, tmp, sizeof(tmp));
        on = utf8_put(orig, (uint32_t)c);
        if (n == (size_t)-1 || (n == on && memcmp(tmp, orig, n) == 0)) {
            bmp[c] = (uint32_t)cls;
            continue;
        }
        if (n == 0) {
            bmp[c] = FC_DROP;
            continue;
        }
        {
            /* The folded form's own class decides (e.g. U+2460 CIRCLED ONE folds to a digit). */
            size_t i = 0;
            uint32_t first = utf8_next((struct str){ tmp, n }, &i);
            cls = class_of((UChar32)first);
            if (cls == FC_SEP || cls == FC_DROP)
                cls = FC_WORD;
        }
        if (pool_len + n > cap) {
            cap *= 2;
            pool = xrealloc(pool, cap);
        }
        ASSERT(pool_len + n <= FE_POOL_MAX);
        memcpy(pool + pool_len, tmp, n);
        bmp[c] = (uint32_t)(pool_len << 8) | (uint32_t)(n << 3) | (uint32_t)cls;
        pool_len += n;
    }
    /* '_' joins words like a letter; '@' and '#' are handled by the tokenizer; the
     * replacement character (what invalid bytes decode to) separates words. */
    bmp['_'] = FC_WORD;
    bmp[0xFFFD] = FC_SEP;
    for (unsigned b = 0; b < 0x80; b++) {
        if (b == '@' || b == '#' || b == '$')
            continue;
        /* The byte table must agree with the general path, which it short-cuts. */
        ASSERT(FE_CLS(bmp[b]) == (ascii_word[b] ? FC_WORD : FC_SEP));
        ascii_plain[b] = ascii_word[b] ? (unsigned char)ascii_word[b] : ' ';
    }
}

void
listen__fold_init(void)
{
    pthread_once(&fold_once, fold_build);
}

/* The rare forms (4-byte, malformed) out of line, so that next_cp stays small in the loop. */
static NOINLINE uint32_t
next_cp_rare(const unsigned char *p, size_t n, size_t *i)
{
    return utf8_next((struct str){ (const char *)p, n }, i);
}

/* Decodes the code point at '*i' (advancing it) exactly as utf8_next does, with the
 * valid 2- and 3-byte forms (Latin, Greek, Cyrillic, Arabic, Indic, CJK) inline. */
static inline uint32_t
next_cp(const unsigned char *p, size_t n, size_t *i)
{
    size_t k = *i;
    unsigned char b = p[k];

    if (b < 0x80) {
        *i = k + 1;
        return b;
    }
    if (b >= 0xC2 && b <= 0xDF && n - k > 1 && (p[k + 1] & 0xC0) == 0x80) {
        *i = k + 2;
        return ((uint32_t)(b & 0x1F) << 6) | (p[k + 1] & 0x3Fu);
    }
    if (b >= 0xE0 && b <= 0xEF && n - k > 2 && (p[k + 1] & 0xC0) == 0x80 &&
        (p[k + 2] & 0xC0) == 0x80) {
        uint32_t c = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(p[k + 1] & 0x3F) << 6) |
                     (p[k + 2] & 0x3Fu);
        if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
            *i = k + 3;
            return c;
        }
    }
    return next_cp_rare(p, n, i);
}

/* The class of 'c' and, through 'map'/'mlen', its folded bytes (NULL = write 'c' itself). */
static inline enum fcls
lookup(uint32_t c, const char **map, size_t *mlen, char *tmp)
{
    if (c < 0x10000) {
        uint32_t e = bmp[c];
        if (FE_LEN(e)) {
            *map = pool + FE_OFF(e);
            *mlen = FE_LEN(e);
        }
        return FE_CLS(e);
    }
    {
        enum fcls cls = class_of((UChar32)c);
        if (cls == FC_WORD || cls == FC_CJK) {
            UChar32 f = u_foldCase((UChar32)c, U_FOLD_CASE_DEFAULT);
            if ((uint32_t)f != c) {
                *mlen = utf8_put(tmp, (uint32_t)f);
                *map = tmp;
            }
        }
        return cls;
    }
}

/* Peeks whether the code point at 'i' starts a word (used after '@', '#', '.', '-'). */
static bool
word_at(struct str s, size_t i)
{
    const char *map = NULL;
    size_t mlen = 0;
    char tmp[4];
    enum fcls c;

    if (i >= s.len)
        return false;
    c = lookup(next_cp((const unsigned char *)s.p, s.len, &i), &map, &mlen, tmp);
    return c == FC_WORD || c == FC_CJK;
}

/* Folds 's' into 'out', which has room for LISTEN_FOLD_BOUND(s.len) bytes, so the loop needs
 * no bounds checks. Returns the length. */
static size_t
fold_into(struct str s, char *out)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0, o = 0, n = s.len;
    enum fcls last = FC_SEP; /* FC_SEP: the last byte written is a space */
    bool handle = false;

    out[o++] = ' ';
    while (i < n) {
        unsigned char b = p[i];
        uint32_t c;
        const char *map = NULL;
        size_t mlen = 0;
        char tmp[4];
        enum fcls cls;

        if (ascii_plain[b]) {
            if (!handle) {
                /* The common case: a run of plain ASCII. Every byte is stored, and the
                 * output advances past a space only when the byte before it is not a space,
                 * so separators collapse with no branch per byte (word ends are too
                 * irregular for a branch to predict). */
                unsigned char prev;
                if (last == FC_CJK)
                    out[o++] = ' ';
                prev = (unsigned char)out[o - 1];
                do {
                    unsigned char t = ascii_plain[b];
                    out[o] = (char)t;
                    o += (size_t)((t != ' ') | (prev != ' '));
                    prev = t;
                } while (++i < n && (b = p[i], ascii_plain[b]));
                last = prev == ' ' ? FC_SEP : FC_WORD;
                continue;
            }
            if (ascii_word[b]) {
                /* Letters and digits inside a handle ("@jane.bsky.social"). */
                if (last == FC_CJK)
                    out[o++] = ' ';
                do {
                    out[o++] = ascii_word[b];
                    i++;
                } while (i < n && (b = p[i], ascii_word[b]));
                last = FC_WORD;
                continue;
            }
            if (b != '.' && b != '-') {
                /* A separator that ends the handle. */
                if (last != FC_SEP)
                    out[o++] = ' ';
                last = FC_SEP;
                handle = false;
                i++;
                continue;
            }
        }
        if (b < 0x80) {
            /* '@', '#', '$', or '.' and '-' inside a handle. */
            cls = FE_CLS(bmp[b]);
            c = b;
            i++;
        } else {
            size_t k = i;
            c = next_cp(p, n, &i);
            cls = lookup(c, &map, &mlen, tmp);
            if (!map && c != 0xFFFD) {
                /* Folds to itself: its own (valid) bytes are the output. */
                map = (const char *)p + k;
                mlen = i - k;
            }
        }
        switch (cls) {
        case FC_DROP:
            break;
        case FC_WORD:
        case FC_CJK:
            if (last != FC_SEP && last != cls && (last == FC_CJK || cls == FC_CJK))
                out[o++] = ' ';
            if (map) {
                for (size_t k = 0; k < mlen; k++)
                    out[o + k] = map[k];
                o += mlen;
            } else {
                o += utf8_put(out + o, c);
            }
            last = cls;
            break;
        case FC_SYM:
            if (last != FC_SEP)
                out[o++] = ' ';
            if (map) {
                memcpy(out + o, map, mlen);
                o += mlen;
            } else {
                o += utf8_put(out + o, c);
            }
            out[o++] = ' ';
            last = FC_SEP;
            handle = false;
            break;
        case FC_SEP:
            if ((c == '@' || c == '#') && last == FC_SEP && word_at(s, i)) {
                /* Start of a handle or hashtag: the marker is part of the token. */
                out[o++] = (char)c;
                last = FC_WORD;
                handle = c == '@';
                break;
            }
            if (handle && last == FC_WORD && (c == '.' || c == '-' || c == '@') && word_at(s, i)) {
                /* Inside a handle: "@jane.bsky.social", "@jane@example.social". */
                out[o++] = (char)c;
                break;
            }
            if (last != FC_SEP)
                out[o++] = ' ';
            last = FC_SEP;
            handle = false;
            break;
        }
    }
    if (last != FC_SEP)
        out[o++] = ' ';
    return o;
}

ssize_t
listen_fold(struct str s, char *out, size_t max)
{
    size_t need = LISTEN_FOLD_BOUND(s.len), n;
    char *tmp;

    listen__fold_init();
    if (max >= need)
        return (ssize_t)fold_into(s, out);
    /* A caller with a tight buffer: fold aside, then copy if it fits. */
    tmp = xmalloc(need);
    n = fold_into(s, tmp);
    if (n > max) {
        free(tmp);
        return ERR_TOOBIG;
    }
    memcpy(out, tmp, n);
    free(tmp);
    return (ssize_t)n;
}
