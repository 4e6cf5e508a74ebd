/* SPDX-License-Identifier: MIT */
/*
 * canned_fill.c - fills the {variables} of a canned reply's body for one conversation.
 *
 * One pass over the body: a variable's value is copied in as plain text and never scanned
 * again, so a contact attribute holding "{agent.first_name}" or markup stays exactly that text.
 * Values lose their control and bidirectional-override characters and are cut (on a character
 * boundary) at CARE_FILL_VALUE_MAX bytes. A variable without a value stays visible as written,
 * "{contact.first_name}", and is listed in 'missing', so the agent fills it before sending.
 * Pure: no store, no I/O; the API gathers the values.
 */
#include "base/base.h"
#include "care/care.h"

#include <string.h>

#include "base/arena.h"
#include "base/utf8.h"

/* True for the characters a variable's value never carries: C0 and C1 controls (newlines
 * included: a value is one line), DEL, and the bidirectional overrides and isolates that could
 * make the reply read differently from what it says. */
static bool
dropped(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFFFD;
}

/* Appends 'v' cleaned and bounded to 'out' at '*o' (room for CARE_FILL_VALUE_MAX bytes). The
 * number of bytes appended; 0 when nothing printable is left. */
static size_t
put_value(char *out, size_t *o, struct str v)
{
    size_t start = *o, i = 0;
    bool space = false;
    v = str_trim(v);
    while (i < v.len) {
        uint32_t cp = utf8_next(v, &i);
        if (dropped(cp)) {
            /* A newline or tab between words still separates them. */
            space = space || cp == '\n' || cp == '\r' || cp == '\t';
            continue;
        }
        char enc[4];
        size_t n = utf8_put(enc, cp);
        if (*o - start + n + (space ? 1 : 0) > CARE_FILL_VALUE_MAX)
            break;
        if (space && *o > start)
            out[(*o)++] = ' ';
        space = false;
        memcpy(out + *o, enc, n);
        *o += n;
    }
    return *o - start;
}

/* The first word of a name: "Ana María López" -> "Ana". */
static struct str
first_word(const char *name)
{
    struct str s = str_trim(str_c(name ? name : ""));
    size_t n = 0;
    while (n < s.len && s.p[n] != ' ' && s.p[n] != '\t')
        n++;
    return (struct str){ s.p, n };
}

static bool
var_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

/* The value of variable 'name' (without braces); false when it has none. */
static bool
lookup(const struct care_fill_vars *v, struct str name, struct str *val, char *num, size_t numlen)
{
    static const char attrs[] = "contact.attributes.";
    if (str_eq_c(name, "contact.first_name"))
        *val = first_word(v->contact_name);
    else if (str_eq_c(name, "contact.name"))
        *val = str_trim(str_c(v->contact_name ? v->contact_name : ""));
    else if (str_eq_c(name, "agent.first_name"))
        *val = first_word(v->agent_name);
    else if (str_eq_c(name, "agent.name"))
        *val = str_trim(str_c(v->agent_name ? v->agent_name : ""));
    else if (str_eq_c(name, "conversation.id")) {
        if (v->conv_id <= 0)
            return false;
        snprintf(num, numlen, "%lld", (long long)v->conv_id);
        *val = str_c(num);
    } else {
        struct str key = { 0 };
        struct str alt = { 0 };
        if (str_eq_c(name, "order.ref")) {
            key = STR_LIT("order_ref");
            alt = STR_LIT("order");
        } else if (name.len > sizeof(attrs) - 1 &&
                   str_starts_with(name, (struct str){ attrs, sizeof(attrs) - 1 })) {
            key = (struct str){ name.p + sizeof(attrs) - 1, name.len - (sizeof(attrs) - 1) };
        } else {
            return false;
        }
        *val = (struct str){ 0 };
        for (size_t i = 0; i < v->nattrs && !val->len; i++) {
            if (str_eq_c(key, v->attrs[i].key) ||
                (alt.len && str_eq_c(alt, v->attrs[i].key)))
                *val = str_c(v->attrs[i].value ? v->attrs[i].value : "");
        }
    }
    return val->len > 0;
}

int
care_canned_fill(struct arena *ar, struct str body, const struct care_fill_vars *v,
                 struct care_fill_result *out)
{
    if (body.len > CARE_FILL_BODY_MAX)
        return ERR_TOOBIG;
    /* Each variable is at least 3 bytes ("{x}") and becomes at most CARE_FILL_VALUE_MAX. */
    size_t cap = body.len + (body.len / 3 + 1) * CARE_FILL_VALUE_MAX + 1;
    char *text = arena_alloc(ar, cap);
    const char **missing = ARENA_NEW_N(ar, const char *, CARE_FILL_MISSING_MAX);
    size_t o = 0, nmissing = 0, i = 0;
    char num[24];
    while (i < body.len) {
        char ch = body.p[i];
        size_t j = i + 1;
        if (ch == '{') {
            while (j < body.len && j - i <= CARE_FILL_NAME_MAX && var_char(body.p[j]))
                j++;
        }
        if (ch != '{' || j >= body.len || body.p[j] != '}' || j == i + 1) {
            text[o++] = ch;
            i++;
            continue;
        }
        struct str name = { body.p + i + 1, j - i - 1 };
        struct str val;
        size_t mark = o;
        if (!lookup(v, name, &val, num, sizeof(num)) || put_value(text, &o, val) == 0) {
            o = mark;
            memcpy(text + o, body.p + i, j + 1 - i);
            o += j + 1 - i;
            bool seen = false;
            for (size_t k = 0; k < nmissing; k++)
                seen = seen || str_eq_c(name, missing[k]);
            if (!seen && nmissing < CARE_FILL_MISSING_MAX)
                missing[nmissing++] = arena_strndup(ar, name.p, name.len);
        }
        i = j + 1;
    }
    text[o] = '\0';
    out->text = text;
    out->len = o;
    out->missing = missing;
    out->nmissing = nmissing;
    return 0;
}
