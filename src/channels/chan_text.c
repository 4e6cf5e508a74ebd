/* SPDX-License-Identifier: MIT */
/*
 * chan_text.c - a reply's length in its platform's own unit: X counts weighted characters
 * (twitter-text 3: Latin and common punctuation weigh 1, other scripts and emoji 2, every link
 * 23), Bluesky counts graphemes (what a reader sees as one character: an emoji with its skin
 * tone, flag or ZWJ family is one, a letter with its combining accents is one), the others
 * count characters (code points). The API checks replies with it and tells the
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

/* Code points that extend the grapheme before them (a subset of Unicode's Grapheme_Extend,
 * SpacingMark and emoji rules, kept in step with web/src/textcount.ts): combining marks,
 * variation selectors, emoji skin tones, tag characters, the zero-width joiner and non-joiner,
 * and the common Indic/Thai vowel signs and viramas. */
static bool
extends(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
           (cp >= 0x0591 && cp <= 0x05BD) || (cp >= 0x0610 && cp <= 0x061A) ||
           (cp >= 0x064B && cp <= 0x065F) || (cp >= 0x0900 && cp <= 0x0903) ||
           (cp >= 0x093A && cp <= 0x094F) || (cp >= 0x0951 && cp <= 0x0957) ||
           (cp >= 0x0E31 && cp <= 0x0E3A && cp != 0x0E32 && cp != 0x0E33) ||
           (cp >= 0x0E47 && cp <= 0x0E4E) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || cp == 0x200C || cp == 0x200D ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
           (cp >= 0xE0020 && cp <= 0xE007F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

static bool
regional(uint32_t cp)
{
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

size_t
chan_graphemes(struct str s)
{
    size_t n = 0, i = 0;
    uint32_t prev = 0;
    bool joined = false;  /* the previous code point was a ZWJ: this one joins the cluster */
    bool ri_open = false; /* an unpaired regional indicator (half a flag) ends the cluster */
    while (i < s.len) {
        uint32_t cp = utf8_next(s, &i);
        bool cont = n > 0 && (extends(cp) || joined || (prev == '\r' && cp == '\n') ||
                              (ri_open && regional(cp)));
        if (regional(cp))
            ri_open = cont ? false : true;
        else if (!extends(cp))
            ri_open = false;
        if (!cont)
            n++;
        joined = cp == 0x200D;
        prev = cp;
    }
    return n;
}

const char *
chan_text_unit(const struct chan_ops *ops)
{
    if (ops && strcmp(ops->type, "x") == 0)
        return "x_weighted";
    if (ops && strcmp(ops->type, "bluesky") == 0)
        return "graphemes";
    return "chars";
}

size_t
chan_text_len(const struct chan_ops *ops, struct str text)
{
    if (ops && strcmp(ops->type, "x") == 0)
        return x_weighted(text);
    if (ops && strcmp(ops->type, "bluesky") == 0)
        return chan_graphemes(text);
    size_t n = 0, i = 0;
    while (i < text.len) {
        (void)utf8_next(text, &i);
        n++;
    }
    return n;
}
