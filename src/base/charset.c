/* SPDX-License-Identifier: MIT */
/*
 * charset.c - conversion to UTF-8 through ICU's ucnv_convertEx, in fixed chunks appended to a
 * bounded buf. The one place outside listen/ and care/ that includes ICU (tools/lint.sh): the
 * charset tables are ICU's, never ours. Labels are mapped to their WHATWG supersets before ICU
 * opens them, because mail labelled ISO-8859-1 or GB2312 is in practice windows-1252 or GBK.
 */
#include "base/base.h"
#include "base/charset.h"

#include <strings.h>

#include <unicode/ucnv.h>

#include "base/err.h"
#include "base/utf8.h"

#define CHARSET_NAME_MAX 64 /* longer names are not charsets */

static const char *const ascii_labels[] = {
    "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "csascii", "ibm367", "cp367",
};

/* WHATWG Encoding Standard: labels decoded as a superset of what they name. */
static const struct {
    const char *label, *use;
} supersets[] = {
    { "iso-8859-1", "windows-1252" }, { "iso8859-1", "windows-1252" },
    { "iso_8859-1", "windows-1252" }, { "latin1", "windows-1252" },
    { "l1", "windows-1252" },         { "cp819", "windows-1252" },
    { "ibm819", "windows-1252" },     { "iso-ir-100", "windows-1252" },
    { "csisolatin1", "windows-1252" }, { "iso_8859-1:1987", "windows-1252" },
    { "iso-8859-9", "windows-1254" }, { "latin5", "windows-1254" },
    { "iso8859-9", "windows-1254" },  { "tis-620", "windows-874" },
    { "iso-8859-11", "windows-874" }, { "gb2312", "GB18030" },
    { "gbk", "GB18030" },             { "x-gbk", "GB18030" },
    { "cp936", "GB18030" },           { "euc-cn", "GB18030" },
    { "csgb2312", "GB18030" },        { "chinese", "GB18030" },
    { "euc-kr", "windows-949" },      { "ks_c_5601-1987", "windows-949" },
    { "ks_c_5601-1989", "windows-949" }, { "ksc5601", "windows-949" },
    { "csksc56011987", "windows-949" }, { "korean", "windows-949" },
};

/* Copies 'cs' (trimmed) into 'name'; false when it is empty, too long or holds odd bytes. */
static bool
name_of(struct str cs, char name[CHARSET_NAME_MAX + 1])
{
    cs = str_trim(cs);
    if (cs.len == 0 || cs.len > CHARSET_NAME_MAX)
        return false;
    for (size_t i = 0; i < cs.len; i++) {
        unsigned char c = (unsigned char)cs.p[i];
        /* ICU reads ',' as the start of converter options and '@' likewise: not from mail. */
        if (c <= ' ' || c >= 0x7f || c == ',' || c == '@' || c == '"' || c == '\\')
            return false;
        name[i] = (char)c;
    }
    name[cs.len] = '\0';
    return true;
}

static bool
is_ascii_label(const char *name)
{
    for (size_t i = 0; i < COUNTOF(ascii_labels); i++) {
        if (strcasecmp(name, ascii_labels[i]) == 0)
            return true;
    }
    return false;
}

static bool
is_utf8_label(const char *name)
{
    return strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0;
}

static bool is_ascii_label(const char *name);

static const char *
superset(const char *name)
{
    if (is_ascii_label(name))
        return "windows-1252";
    for (size_t i = 0; i < COUNTOF(supersets); i++) {
        if (strcasecmp(name, supersets[i].label) == 0)
            return supersets[i].use;
    }
    return name;
}

/* Appends UTF-8 'p' (whole characters) with NUL and U+001A (ICU's substitute for an unmappable
 * byte in some single-byte charsets) written as U+FFFD, so no output holds either. */
static void
add_clean(struct buf *out, const char *p, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\0' && p[i] != 0x1a)
            continue;
        buf_add(out, p + start, i - start);
        buf_adds(out, "\xef\xbf\xbd");
        start = i + 1;
    }
    buf_add(out, p + start, n - start);
}

/* Length of the longest prefix of 'p' that does not end inside a UTF-8 sequence. */
static size_t
whole_chars(const char *p, size_t n)
{
    size_t i = n, back = 0;
    while (i > 0 && back < 4 && ((unsigned char)p[i - 1] & 0xc0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0)
        return n;
    unsigned char lead = (unsigned char)p[i - 1];
    size_t need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
    return need > back ? i - 1 : n;
}

/* Converts all of 'in' from the converter 'src' to UTF-8, appending to 'out' chunk by chunk. */
static void
convert(UConverter *src, struct str in, struct buf *out)
{
    UErrorCode e = U_ZERO_ERROR;
    UConverter *u8 = ucnv_open("UTF-8", &e);
    if (U_FAILURE(e)) {
        /* ICU without its UTF-8 converter cannot happen; still, append nothing wrong. */
        buf_adds(out, "\xef\xbf\xbd");
        return;
    }
    UChar pivot[1024];
    UChar *ps = pivot, *pt = pivot;
    const char *s = in.p ? in.p : "", *se = s + in.len;
    char chunk[8192];
    size_t carry = 0; /* bytes of a split character kept at the front of 'chunk' */
    bool reset = true;
    for (;;) {
        char *t = chunk + carry;
        e = U_ZERO_ERROR;
        ucnv_convertEx(u8, src, &t, chunk + sizeof(chunk), &s, se, pivot, &ps, &pt,
                       pivot + COUNTOF(pivot), reset, true, &e);
        reset = false;
        size_t n = (size_t)(t - chunk);
        bool more = e == U_BUFFER_OVERFLOW_ERROR;
        size_t whole = more ? whole_chars(chunk, n) : n;
        add_clean(out, chunk, whole);
        if (!more || buf_error(out) < 0)
            break;
        carry = n - whole;
        memmove(chunk, chunk + whole, carry);
    }
    ucnv_close(u8);
}

static int
convert_named(const char *name, struct str in, struct buf *out)
{
    UErrorCode e = U_ZERO_ERROR;
    UConverter *src = ucnv_open(name, &e);
    if (U_FAILURE(e) || !src)
        return ERR_NOTFOUND;
    convert(src, in, out);
    ucnv_close(src);
    return 0;
}

bool
charset_known(struct str charset)
{
    char name[CHARSET_NAME_MAX + 1];
    if (!name_of(charset, name))
        return false;
    UErrorCode e = U_ZERO_ERROR;
    UConverter *c = ucnv_open(superset(name), &e);
    if (c)
        ucnv_close(c);
    return U_SUCCESS(e) && c;
}

int
charset_to_utf8(struct str charset, struct str fallback, struct str in, struct buf *out)
{
    char name[CHARSET_NAME_MAX + 1];
    bool declared = name_of(charset, name);
    if (!declared && str_trim(charset).len == 0) {
        /* None declared: UTF-8 if it is, else the caller's guess. */
        if (utf8_valid(in)) {
            buf_add(out, in.p, in.len);
            return 0;
        }
        if (!name_of(fallback, name) || convert_named(superset(name), in, out) < 0)
            (void)convert_named("windows-1252", in, out);
        return 0;
    }
    if (declared && (is_ascii_label(name) || is_utf8_label(name)) && utf8_valid(in)) {
        buf_add(out, in.p, in.len);
        return 0;
    }
    if (declared && convert_named(superset(name), in, out) == 0)
        return 0;
    /* Unknown: UTF-8 with every invalid byte replaced. */
    (void)convert_named("UTF-8", in, out);
    return ERR_NOTFOUND;
}
