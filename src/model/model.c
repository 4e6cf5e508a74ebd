/* SPDX-License-Identifier: MIT */
/*
 * model.c - validation of domain values and the conversation preview.
 */
#include "base/base.h"
#include "model/model.h"

#include "base/utf8.h"

static bool
one_of(struct str s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq_c(s, set[i]))
            return true;
    }
    return false;
}

bool
model_conv_status_valid(struct str s)
{
    static const char *const set[] = { "open", "pending", "snoozed", "resolved" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_contact_status_valid(struct str s)
{
    static const char *const set[] = { "prospect", "customer", "advocate", "blocked" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_role_valid(struct str s)
{
    static const char *const set[] = { "admin", "agent" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_agent_role_valid(struct str s)
{
    static const char *const set[] = { "admin", "supervisor", "agent", "store_staff" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_label_valid(struct str s)
{
    if (s.len == 0 || s.len > MODEL_NAME_MAX || !utf8_valid(s))
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == 0x7f || c == ',')
            return false;
    }
    return true;
}

void
model_preview(struct str s, char *out, size_t max)
{
    size_t n = s.len < max ? s.len : max;
    /* Step back to a code point boundary so the preview stays valid UTF-8. */
    if (n < s.len) {
        while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (s.p[i] == '\n' || s.p[i] == '\r' || s.p[i] == '\t') ? ' ' : s.p[i];
    out[n] = '\0';
}

/* ---- order references ------------------------------------------------------------------ */

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the 4..12 digits at s[i] that no letter or digit follows; 0 when none. */
static size_t
ref_digits(struct str s, size_t i)
{
    size_t n = 0;
    while (i + n < s.len && is_digit(s.p[i + n]))
        n++;
    if (n < 4 || n > MODEL_ORDER_REF_MAX || (i + n < s.len && is_alnum(s.p[i + n])))
        return 0;
    return n;
}

/* Whether 'word' (lower case) starts at s[i] as a whole word (case-insensitive). */
static bool
word_at(struct str s, size_t i, const char *word)
{
    size_t n = strlen(word);
    if (i + n > s.len || (i > 0 && is_alnum(s.p[i - 1])))
        return false;
    for (size_t k = 0; k < n; k++) {
        char c = s.p[i + k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[k])
            return false;
    }
    return i + n == s.len || !is_alnum(s.p[i + n]);
}

static size_t
add_ref(char (*out)[MODEL_ORDER_REF_MAX + 1], size_t n, const char *p, size_t len)
{
    for (size_t k = 0; k < n; k++) {
        if (strlen(out[k]) == len && memcmp(out[k], p, len) == 0)
            return n;
    }
    memcpy(out[n], p, len);
    out[n][len] = '\0';
    return n + 1;
}

size_t
model_order_refs(struct str s, char (*out)[MODEL_ORDER_REF_MAX + 1], size_t max)
{
    static const char *const keywords[] = { "order", "bestellung", "commande", "pedido",
                                            "ordine" };
    static const char *const fillers[] = { "number", "nr", "no", "num", "id", "nummer",
                                           "numero" };
    size_t n = 0;
    for (size_t i = 0; i < s.len && n < max; i++) {
        if (s.p[i] == '#' && (i == 0 || !is_alnum(s.p[i - 1]))) {
            size_t d = ref_digits(s, i + 1);
            if (d) {
                n = add_ref(out, n, s.p + i + 1, d);
                i += d;
            }
            continue;
        }
        const char *kw = NULL;
        for (size_t k = 0; k < COUNTOF(keywords) && !kw; k++)
            kw = word_at(s, i, keywords[k]) ? keywords[k] : NULL;
        if (!kw)
            continue;
        size_t j = i + strlen(kw);
        /* Up to a few separators and one filler word: "order no. #12345". */
        for (int round = 0; round < 2 && j < s.len; round++) {
            while (j < s.len && j - i < 40 && strchr(" \t:#.-", s.p[j]) && s.p[j])
                j++;
            for (size_t f = 0; f < COUNTOF(fillers); f++) {
                if (word_at(s, j, fillers[f])) {
                    j += strlen(fillers[f]);
                    break;
                }
            }
        }
        size_t d = j < s.len && (j == 0 || !is_alnum(s.p[j - 1])) ? ref_digits(s, j) : 0;
        if (d) {
            n = add_ref(out, n, s.p + j, d);
            i = j + d - 1;
        }
    }
    return n;
}
