/* SPDX-License-Identifier: MIT */
/*
 * model.c - validation of domain values and the conversation preview.
 */
#include "base/base.h"
#include "model/model.h"

#include "base/utf8.h"

static bool
one_of(struct str s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq_c(s, set[i]))
            return true;
    }
    return false;
}

bool
model_conv_status_valid(struct str s)
{
    static const char *const set[] = { "open", "pending", "snoozed", "resolved" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_contact_status_valid(struct str s)
{
    static const char *const set[] = { "prospect", "customer", "advocate", "blocked" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_role_valid(struct str s)
{
    static const char *const set[] = { "admin", "agent" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_agent_role_valid(struct str s)
{
    static const char *const set[] = { "admin", "supervisor", "agent", "store_staff" };
    return one_of(s, set, COUNTOF(set));
}

bool
model_label_valid(struct str s)
{
    if (s.len == 0 || s.len > MODEL_NAME_MAX || !utf8_valid(s))
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == 0x7f || c == ',')
            return false;
    }
    return true;
}

void
model_preview(struct str s, char *out, size_t max)
{
    size_t n = s.len < max ? s.len : max;
    /* Step back to a code point boundary so the preview stays valid UTF-8. */
    if (n < s.len) {
        while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (s.p[i] == '\n' || s.p[i] == '\r' || s.p[i] == '\t') ? ' ' : s.p[i];
    out[n] = '\0';
}
