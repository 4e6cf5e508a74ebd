/* SPDX-License-Identifier: MIT */
/*
 * html.c - HTML to text in one pass over the bytes: tags are skipped to their '>', a few
 * element names decide line breaks, and the entities people actually send are decoded.
 */
#include "base/base.h"
#include "base/html.h"

#include <strings.h>

#include "base/buf.h"
#include "base/utf8.h"

/* True when tag text 't' (after the '<') names element 'name': the name (any case), then the
 * end of the tag or one of the bytes of 'after'. */
static bool
tag_is(struct str t, const char *name, const char *after)
{
    size_t n = strlen(name);
    return t.len >= n && strncasecmp(t.p, name, n) == 0 &&
           (t.len == n || memchr(after, t.p[n], strlen(after)));
}

/* Handles the tag at 'i' ('<'); returns the index after it (after the element's end for the
 * elements whose content is dropped). */
static size_t
tag(struct buf *b, struct str h, size_t i, unsigned flags)
{
    static const char *const skip[] = { "script", "style", "head", "title" };
    static const char *const brk[] = { "br", "/p", "p", "/div", "div", "li", "/tr",
                                       "/h1", "/h2", "/h3", "blockquote", "hr" };
    size_t e = i + 1;
    while (e < h.len && h.p[e] != '>')
        e++;
    struct str t = { h.p + i + 1, e - i - 1 };
    for (size_t k = 0; k < COUNTOF(skip); k++) {
        if (!tag_is(t, skip[k], " >\t"))
            continue;
        /* Jump past the closing tag. */
        size_t n = strlen(skip[k]);
        char close[16];
        snprintf(close, sizeof(close), "</%s", skip[k]);
        size_t j = e;
        while (j + n + 2 <= h.len && strncasecmp(h.p + j, close, n + 2) != 0)
            j++;
        while (j < h.len && h.p[j] != '>')
            j++;
        return j < h.len ? j + 1 : j;
    }
    /* Without HTML_BLOCKS only the first two ("br", "/p") break a line. */
    size_t nbrk = flags & HTML_BLOCKS ? COUNTOF(brk) : 2;
    for (size_t k = 0; k < nbrk; k++) {
        if (tag_is(t, brk[k], " /")) {
            buf_addc(b, '\n');
            break;
        }
    }
    return e < h.len ? e + 1 : e;
}

/* Decodes the entity at 'i' ('&') into 'b'; returns the index after it, or 'i' when there is
 * none to decode there. */
static size_t
entity(struct buf *b, struct str h, size_t i)
{
    static const struct {
        const char *name, *text;
    } ent[] = { { "&amp;", "&" },   { "&lt;", "<" },   { "&gt;", ">" },
                { "&quot;", "\"" }, { "&#39;", "'" },  { "&apos;", "'" },
                { "&nbsp;", " " },  { "&euro;", "€" }, { "&copy;", "©" } };
    for (size_t k = 0; k < COUNTOF(ent); k++) {
        size_t n = strlen(ent[k].name);
        if (i + n <= h.len && strncasecmp(h.p + i, ent[k].name, n) == 0) {
            buf_adds(b, ent[k].text);
            return i + n;
        }
    }
    if (i + 2 >= h.len || h.p[i + 1] != '#')
        return i;
    size_t j = i + 2;
    bool hex = h.p[j] == 'x' || h.p[j] == 'X';
    j += hex;
    uint32_t cp = 0;
    size_t digits = 0;
    while (j < h.len && digits < 7 &&
           (hex ? str_hexdigit(h.p[j]) >= 0 : (h.p[j] >= '0' && h.p[j] <= '9'))) {
        cp = cp * (hex ? 16 : 10) + (uint32_t)(hex ? str_hexdigit(h.p[j]) : h.p[j] - '0');
        j++;
        digits++;
    }
    if (!digits || j >= h.len || h.p[j] != ';' || cp < 0x20 || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return i;
    char u[4];
    buf_add(b, u, utf8_put(u, cp));
    return j + 1;
}

int
html_text(struct buf *b, struct str h, unsigned flags)
{
    size_t i = 0;
    while (i < h.len && buf_error(b) == 0) {
        char c = h.p[i];
        if (c == '<') {
            i = tag(b, h, i, flags);
            continue;
        }
        if (c == '&') {
            size_t next = entity(b, h, i);
            if (next != i) {
                i = next;
                continue;
            }
        }
        /* Source line breaks are only whitespace in a document. */
        if ((flags & HTML_BLOCKS) && (c == '\r' || c == '\n' || c == '\t'))
            c = ' ';
        buf_addc(b, c);
        i++;
    }
    return buf_error(b);
}
