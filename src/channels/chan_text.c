/* SPDX-License-Identifier: MIT */
/*
 * chan_text.c - a reply's length in its platform's own unit: X counts weighted characters
 * (twitter-text 3: Latin and common punctuation weigh 1, other scripts and emoji 2, every link
 * 23), the others count characters (code points). The API checks replies with it and tells the
 * app each channel's limit and unit, so the composer counts exactly as the server does.
 */
#include "base/base.h"
#include "channels/chan.h"

#include "base/utf8.h"

/* twitter-text's ranges of weight 1 (everything else weighs 2). */
static bool
x_light(uint32_t cp)
{
    return cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) ||
           (cp >= 8242 && cp <= 8247);
}

static bool
starts_link(struct str s, size_t i)
{
    struct str rest = { s.p + i, s.len - i };
    return (rest.len > 8 && strncmp(rest.p, "https://", 8) == 0) ||
           (rest.len > 7 && strncmp(rest.p, "http://", 7) == 0);
}

static bool
space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static size_t
x_weighted(struct str s)
{
    size_t n = 0, i = 0;
    bool word_start = true;
    while (i < s.len) {
        if (word_start && starts_link(s, i)) {
            n += 23; /* t.co shortens every link to 23 */
            while (i < s.len && !space(s.p[i]))
                i++;
            continue;
        }
        word_start = space(s.p[i]);
        uint32_t cp = utf8_next(s, &i);
        n += x_light(cp) ? 1 : 2;
    }
    return n;
}

const char *
chan_text_unit(const struct chan_ops *ops)
{
    return ops && strcmp(ops->type, "x") == 0 ? "x_weighted" : "chars";
}

size_t
chan_text_len(const struct chan_ops *ops, struct str text)
{
    if (ops && strcmp(ops->type, "x") == 0)
        return x_weighted(text);
    size_t n = 0, i = 0;
    while (i < text.len) {
        (void)utf8_next(text, &i);
        n++;
    }
    return n;
}
