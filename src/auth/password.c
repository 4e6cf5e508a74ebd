/* SPDX-License-Identifier: MIT */
/*
 * password.c - the rules a new password must meet (OWASP ASVS 2.1): at least 12 characters
 * counted as code points, at most AUTH_PASSWORD_MAX bytes, valid UTF-8, and not in the shipped
 * list of common breached passwords. No composition rules (ASVS 2.1.9).
 *
 * The list (data/passwords/common.txt, lowercased) is compiled in by tools/embed-passwords.sh
 * as a sorted array, so the check is a binary search of the lowercased password. It is not
 * where passwords are hashed or verified (auth.c).
 */
#include "base/base.h"
#include "auth/auth_int.h"

#include "base/utf8.h"

static int
cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool
auth_password_breached(struct str password)
{
    char low[AUTH_PASSWORD_MAX + 1];
    if (password.len > AUTH_PASSWORD_MAX)
        return false;
    for (size_t i = 0; i < password.len; i++) {
        char ch = password.p[i];
        low[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    low[password.len] = '\0';
    if (strlen(low) != password.len)
        return false; /* an embedded NUL: not a list entry */
    return bsearch(low, auth__breached, auth__nbreached, sizeof(auth__breached[0]), cmp) != NULL;
}

enum auth_password_problem
auth_password_check(struct str password, struct errmsg *em)
{
    if (password.len > AUTH_PASSWORD_MAX) {
        errmsg_set(em, ERR_INVAL, "invalid 'password': want at most %d bytes", AUTH_PASSWORD_MAX);
        return AUTH_PASSWORD_TOO_LONG;
    }
    if (!utf8_valid(password) || memchr(password.p, '\0', password.len)) {
        errmsg_set(em, ERR_INVAL, "invalid 'password': not valid UTF-8 text");
        return AUTH_PASSWORD_INVALID;
    }
    if (utf8_len(password) < AUTH_PASSWORD_MIN) {
        errmsg_set(em, ERR_INVAL, "invalid 'password': want at least %d characters",
                   AUTH_PASSWORD_MIN);
        return AUTH_PASSWORD_TOO_SHORT;
    }
    if (auth_password_breached(password)) {
        errmsg_set(em, ERR_INVAL,
                   "invalid 'password': it is in a list of common breached passwords");
        return AUTH_PASSWORD_BREACHED;
    }
    return AUTH_PASSWORD_OK;
}

const char *
auth_password_problem_code(enum auth_password_problem p)
{
    switch (p) {
    case AUTH_PASSWORD_OK:
        return "ok";
    case AUTH_PASSWORD_TOO_SHORT:
        return "password_too_short";
    case AUTH_PASSWORD_TOO_LONG:
        return "password_too_long";
    case AUTH_PASSWORD_INVALID:
        return "password_invalid";
    case AUTH_PASSWORD_BREACHED:
        return "password_breached";
    }
    return "password_invalid";
}
