/* SPDX-License-Identifier: MIT */
/*
 * care_password.c - libFuzzer target: the password rules every new password goes through
 * (UTF-8 code point count, byte limit, the case-folded binary search of the breached list).
 */
#include "base/base.h"

#include "base/utf8.h"
#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str s = { (const char *)data, size };
    struct errmsg em = { 0 };
    enum auth_password_problem p = auth_password_check(s, &em);
    if (p == AUTH_PASSWORD_OK &&
        (size > AUTH_PASSWORD_MAX || !utf8_valid(s) || utf8_len(s) < AUTH_PASSWORD_MIN ||
         auth_password_breached(s)))
        __builtin_trap(); /* accepted a password that breaks a rule */
    if (p != AUTH_PASSWORD_OK && !em.set)
        __builtin_trap(); /* refused without a reason */
    (void)auth_password_problem_code(p);
    return 0;
}
