/* SPDX-License-Identifier: MIT */
/*
 * jsonw.h - JSON text written into a struct buf, for the layers that do not own jansson (base/,
 * store/, http/, fetch/, classify/, care/ and the top level).
 *
 * It writes strings only; numbers, literals and punctuation are plain buf appends around it.
 * Everything goes through the buf's sticky error (base/buf.h): the producer checks once at the
 * end. The prefix is jsonw_, never jansson's json_.
 */
#ifndef HARK_JSONW_H
#define HARK_JSONW_H

#include "base/str.h"

struct buf;

/* Appends 's' as a JSON string in double quotes. '"' and '\' get a backslash; the control
 * characters U+0000..U+001F and DEL (0x7F) are written as \u00xx (lowercase hex); every other
 * byte is copied as it is. So valid UTF-8 in gives valid JSON out; bytes that are not UTF-8
 * pass through unchanged (text is validated at ingress, not here). An embedded NUL byte of 's'
 * is written as \u0000. */
void jsonw_str(struct buf *b, struct str s);

/* jsonw_str for a NUL-terminated 's'; NULL is written as null. */
void jsonw_cstr(struct buf *b, const char *s);

#endif
