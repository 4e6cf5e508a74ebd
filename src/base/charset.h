/* SPDX-License-Identifier: MIT */
/*
 * charset.h - text in any charset a message declares, converted to UTF-8 through ICU's
 * converters (ucnv). Never a charset table of our own: ICU resolves the names and aliases mail
 * uses ("latin2", "x-sjis", "cp1251", "koi8-r", "GB18030", "ISO-2022-JP").
 *
 * The output is always valid UTF-8 without NUL bytes: bytes the charset cannot map, an unknown
 * charset's invalid UTF-8, and NULs all become U+FFFD. It is never guessed from the bytes,
 * with two exceptions that real mail needs: labels WHATWG's Encoding Standard maps to a
 * superset are read as that superset (ISO-8859-1, Latin-1 and US-ASCII as windows-1252,
 * GB2312 and GBK as GB18030, EUC-KR as windows-949), and text declared US-ASCII (or not
 * declared at all) that is valid UTF-8 is read as UTF-8 (RFC 6532 mail, and mailers that lie).
 * Thread-safe: each call opens its own converter.
 */
#ifndef HARK_CHARSET_H
#define HARK_CHARSET_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/str.h"

/* Appends 'in', written in 'charset' (a MIME charset name; empty: none declared), to 'out' as
 * UTF-8. Text without a charset is read as UTF-8 when it is valid UTF-8, else as
 * 'fallback' (a charset name; STR_NULL: windows-1252). A charset ICU does not know is read as
 * UTF-8 with every invalid byte replaced. Returns 0, or ERR_NOTFOUND when 'charset' was unknown
 * (the text was still appended, as UTF-8). Overflowing 'out' sets its sticky error (check
 * buf_error() once at the end); what was appended before is whole characters. */
int charset_to_utf8(struct str charset, struct str fallback, struct str in, struct buf *out);

/* True when ICU knows 'charset' (a MIME charset name or alias). */
bool charset_known(struct str charset);

#endif
