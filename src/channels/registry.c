/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the table of channel adapters and the shared HMAC helpers.
 */
#include "base/base.h"
#include "channels/chan.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/rand.h"

extern const struct chan_ops chan_api_ops;
extern const struct chan_ops chan_webchat_ops;
extern const struct chan_ops chan_whatsapp_ops;  /* Meta */
extern const struct chan_ops chan_messenger_ops;
extern const struct chan_ops chan_instagram_ops;
extern const struct chan_ops chan_telegram_ops;
extern const struct chan_ops chan_x_ops;
extern const struct chan_ops chan_sms_ops;
extern const struct chan_ops chan_email_ops;
extern const struct chan_ops chan_bluesky_ops;
extern const struct chan_ops chan_mastodon_ops;

static const struct chan_ops *const adapters[] = {
    &chan_api_ops,
    &chan_webchat_ops,
    &chan_whatsapp_ops,
    &chan_messenger_ops,
    &chan_instagram_ops,
    &chan_telegram_ops,
    &chan_x_ops,
    &chan_sms_ops,
    &chan_email_ops,
    &chan_bluesky_ops,
    &chan_mastodon_ops,
};

const struct chan_ops *
chan_find(const char *type)
{
    for (size_t i = 0; i < COUNTOF(adapters); i++) {
        if (type && strcmp(adapters[i]->type, type) == 0)
            return adapters[i];
    }
    return NULL;
}

void
chan_hmac_hex(const char *secret, struct str body, char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)(body.p ? body.p : ""),
         body.len, mac, &n);
    ASSERT(n == 32);
    rand_hex_encode(mac, 32, out);
}

bool
chan_signature_ok(const char *secret, struct str body, const char *header)
{
    char want[65];
    if (!header || strncmp(header, "sha256=", 7) != 0)
        return false;
    const char *got = header + 7;
    if (strlen(got) != 64)
        return false;
    chan_hmac_hex(secret, body, want);
    /* Hex from other implementations may be upper case; normalize before comparing. */
    char lower[64];
    for (int i = 0; i < 64; i++) {
        char ch = got[i];
        lower[i] = (ch >= 'A' && ch <= 'F') ? (char)(ch - 'A' + 'a') : ch;
    }
    return str_ct_eq(lower, want, 64);
}
