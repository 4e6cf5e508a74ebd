/* SPDX-License-Identifier: MIT */
/*
 * html.h - HTML to plain text, for the channels and sources that receive HTML (email bodies,
 * Mastodon statuses). It is a text extractor, not a parser: it never builds a tree, never
 * resolves markup, and its output is text, never markup.
 */
#ifndef HARK_HTML_H
#define HARK_HTML_H

#include "base/str.h"

struct buf;

/* Flags of html_text. */
#define HTML_BLOCKS 1u /* every block element (p, div, li, tr, h1-h3, blockquote, hr) breaks a
                        * line, and line breaks in the source are spaces (a whole document, as
                        * in email); without it only <br> and </p> break a line and source
                        * line breaks stay (a post's short fragment, as from Mastodon) */

/* Appends the text of 'html' (UTF-8) to 'out'. Tags are dropped (an unterminated one to the
 * end); <br> and </p> (any case, with or without attributes or '/') become "\n", and so do the
 * block elements under HTML_BLOCKS; the content of script, style, head and title is dropped.
 * The entities &amp; &lt; &gt; &quot; &#39; &apos; &nbsp; (as a space) &euro; &copy; (any
 * case) and numeric references &#NNN; / &#xHH; (at most 7 digits, U+0020..U+10FFFF, no
 * surrogates) are decoded; anything else, a bare '&' included, is copied as it is. Returns 0
 * or the buf's sticky error (ERR_TOOBIG): 'out' then holds a prefix of the text. */
int html_text(struct buf *out, struct str html, unsigned flags);

#endif
