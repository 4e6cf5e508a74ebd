/* SPDX-License-Identifier: MIT */
/*
 * classify_int.h - helpers shared by the files of src/classify/ and by nothing else.
 */
#ifndef HARK_CLASSIFY_INT_H
#define HARK_CLASSIFY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* True when 's' (n bytes) is a valid label name: 1..CLASSIFY_LABEL_MAX of [A-Za-z0-9_.-]. */
bool classify__label_ok(const char *s, size_t n);

/* Reads all of 'path' (at most 'max' bytes) into a NUL-terminated heap buffer. Returns 0 and
 * sets '*data' (caller frees) and '*len', or ERR_IO / ERR_TOOBIG with 'em' naming the file. */
int classify__read_file(const char *path, size_t max, char **data, size_t *len,
                        struct errmsg *em);

#endif
