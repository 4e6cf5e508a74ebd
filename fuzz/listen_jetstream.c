/* SPDX-License-Identifier: MIT */
/*
 * listen_jetstream.c - libFuzzer target for the Jetstream event decoder (and, on the same
 * bytes, the JSON-lines and Mastodon decoders and the folding of any decoded text).
 */
#include "base/base.h"
#include "listen/listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct listen_decoder *d;
    struct str json = { (const char *)data, size };
    struct listen_post p;
    int rc;

    if (!d)
        d = listen_decoder_new();
    rc = listen_decode_jetstream(d, json, &p);
    ASSERT(rc == 1 || rc == 0 || rc == ERR_INVAL);
    if (rc == 1) {
        char out[4096];
        ASSERT(p.text.len <= 64 * 1024);
        (void)listen_fold(p.text, out, sizeof(out));
    }
    rc = listen_decode_line(d, json, &p);
    ASSERT(rc == 1 || rc == 0 || rc == ERR_INVAL);
    rc = listen_decode_mastodon(d, json, &p);
    ASSERT(rc == 1 || rc == 0 || rc == ERR_INVAL);
    return 0;
}
