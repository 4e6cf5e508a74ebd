/* SPDX-License-Identifier: MIT */
/*
 * utf8.h - strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, max U+10FFFF).
 */
#ifndef HARK_UTF8_H
#define HARK_UTF8_H

#include <stdbool.h>

#include "base/str.h"

/* True when all of 's' is well-formed UTF-8 and contains no NUL byte. */
bool utf8_valid(struct str s);

/* Counts code points in valid UTF-8 's'. */
size_t utf8_len(struct str s);

#endif
