/* SPDX-License-Identifier: MIT */
/*
 * decode_test.c - the Jetstream, Mastodon and JSON-lines decoders on real-shaped events and
 * on hostile input, and the spike detector's volume and negative-share alerts.
 */
#include "base/base.h"
#include "listen/listen.h"

#include "../test.h"

/* The golden fixture line from PROTOCOLS.md §8.3. */
static const char golden[] =
    "{\"did\":\"did:plc:q235v55g5unth4zjjdpacfdr\",\"time_us\":1779719009157119,\"kind\":\"commit\","
    "\"commit\":{\"rev\":\"3mmoojpaqkn2z\",\"operation\":\"create\",\"collection\":\"app.bsky.feed."
    "post\",\"rkey\":\"3mmoojp4cd223\",\"record\":{\"$type\":\"app.bsky.feed.post\",\"createdAt\":"
    "\"2026-05-25T14:23:28.757Z\",\"langs\":[\"en\"],\"reply\":{\"parent\":{\"cid\":\"bafyreiainko5"
    "un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai\",\"uri\":\"at://did:plc:j76trmiofvaxxpvx2vnb2vw"
    "f/app.bsky.feed.post/3mmojbrjwbs26\"},\"root\":{\"cid\":\"bafyreiainko5un5pbcdosvxpbisjnjzemojn"
    "ry6nsgtdftdgslbu37kxai\",\"uri\":\"at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mm"
    "ojbrjwbs26\"}},\"text\":\"Try RSV for a good time !!\"},\"cid\":\"bafyreicl7rzkxdrm4zz2ehbx52kuk"
    "3mvfow6p3gzfys72r5grvskxoswy4\"}}";

static char *
cstr(struct str s)
{
    static char b[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(b[k], sizeof(b[k]), "%.*s", (int)s.len, s.p ? s.p : "");
    return b[k];
}

TEST(jetstream_golden)
{
    struct listen_decoder *d = listen_decoder_new();
    struct listen_post p;

    CHECK_INT(listen_decode_jetstream(d, str_c(golden), &p), 1);
    CHECK_STR(cstr(p.platform), "bluesky");
    CHECK_STR(cstr(p.id), "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223");
    CHECK_INT(p.followers, -1); /* Jetstream posts carry no reach */
    CHECK_STR(cstr(p.text), "Try RSV for a good time !!");
    CHECK_STR(cstr(p.lang), "en");
    CHECK_STR(cstr(p.author), "did:plc:q235v55g5unth4zjjdpacfdr");
    CHECK_STR(cstr(p.url), "https://bsky.app/profile/did:plc:q235v55g5unth4zjjdpacfdr/post/3mmoojp4cd223");
    CHECK_INT(p.cursor, 1779719009157119LL);
    CHECK_INT(p.created_ms, 1779719008757LL);
    CHECK(p.is_reply);
    CHECK(!p.has_link);
    /* The same event through the JSON-lines decoder gives the same post. */
    CHECK_INT(listen_decode_line(d, str_c(golden), &p), 1);
    CHECK_STR(cstr(p.id), "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223");
    listen_decoder_free(d);
}

TEST(jetstream_not_posts_and_garbage)
{
    static const char *skip[] = {
        "{\"did\":\"did:plc:a\",\"time_us\":1,\"kind\":\"identity\",\"identity\":{}}",
        "{\"did\":\"did:plc:a\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"rev\":\"r\","
        "\"operation\":\"delete\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"k\"}}",
        "{\"did\":\"did:plc:a\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"rev\":\"r\","
        "\"operation\":\"create\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"k\",\"record\":{}}}",
    };
    static const char *bad[] = {
        "", "{", "[]", "42", "{\"did\":\"x\"}", "{\"did\":1,\"time_us\":1,\"kind\":\"commit\"}",
        "{\"did\":\"d\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"operation\":\"create\","
        "\"collection\":\"app.bsky.feed.post\",\"rkey\":\"k\",\"record\":{}}}",
        "{\"did\":\"d\",\"time_us\":1,\"kind\":\"commit\",\"text\":\"\xff\"}",
    };
    struct listen_decoder *d = listen_decoder_new();
    struct listen_post p;
    char deep[300];

    for (size_t i = 0; i < COUNTOF(skip); i++)
        CHECK_INT(listen_decode_jetstream(d, str_c(skip[i]), &p), 0);
    for (size_t i = 0; i < COUNTOF(bad); i++)
        CHECK_INT(listen_decode_jetstream(d, str_c(bad[i]), &p), ERR_INVAL);
    memset(deep, '[', sizeof(deep));
    CHECK_INT(listen_decode_jetstream(d, (struct str){ deep, sizeof(deep) }, &p), ERR_INVAL);
    listen_decoder_free(d);
}

TEST(jetstream_links)
{
    static const char ev[] =
        "{\"did\":\"d\",\"time_us\":5,\"kind\":\"commit\",\"commit\":{\"rev\":\"r\",\"operation\":"
        "\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"k\",\"record\":{\"text\":\"see "
        "this\",\"langs\":[\"pt\",\"en\"],\"facets\":[{\"index\":{\"byteStart\":0,\"byteEnd\":3},"
        "\"features\":[{\"$type\":\"app.bsky.richtext.facet#link\",\"uri\":\"https://x\"}]}]}}}";
    struct listen_decoder *d = listen_decoder_new();
    struct listen_post p;

    CHECK_INT(listen_decode_jetstream(d, str_c(ev), &p), 1);
    CHECK(p.has_link);
    CHECK(!p.is_reply);
    CHECK_STR(cstr(p.lang), "pt");
    listen_decoder_free(d);
}

TEST(mastodon_status)
{
    static const char st[] =
        "{\"id\":\"111\",\"uri\":\"https://m.example/users/jane/statuses/111\",\"url\":"
        "\"https://m.example/@jane/111\",\"created_at\":\"2024-01-01T00:00:00.000Z\",\"language\":"
        "\"fr\",\"in_reply_to_id\":\"7\",\"account\":{\"acct\":\"jane@m.example\","
        "\"followers_count\":1204},\"content\":"
        "\"<p>Caf&#233; &amp; <a href=\\\"https://x.example\\\">https://x.example</a><br>fin &lt;3"
        "</p>\",\"reblog\":null}";
    struct listen_decoder *d = listen_decoder_new();
    struct listen_post p;

    CHECK_INT(listen_decode_mastodon(d, str_c(st), &p), 1);
    CHECK_STR(cstr(p.text), "Café & https://x.example\nfin <3\n");
    CHECK_STR(cstr(p.id), "https://m.example/users/jane/statuses/111");
    CHECK_STR(cstr(p.author), "jane@m.example");
    CHECK_STR(cstr(p.lang), "fr");
    CHECK(p.is_reply);
    CHECK(p.has_link);
    CHECK_INT(p.followers, 1204); /* the author's reach */
    CHECK_INT(listen_decode_mastodon(d, STR_LIT("{\"id\":\"1\",\"content\":\"x\",\"account\":{}}"),
                                     &p),
              1);
    CHECK_INT(p.followers, -1); /* not said: unknown, not zero */
    CHECK_INT(listen_decode_mastodon(d, STR_LIT("{\"id\":\"1\"}"), &p), ERR_INVAL);
    CHECK_INT(listen_decode_mastodon(d, STR_LIT("{\"id\":\"1\",\"content\":\"x\",\"reblog\":{}}"), &p),
              0);
    listen_decoder_free(d);
}

TEST(flat_line)
{
    struct listen_decoder *d = listen_decoder_new();
    struct listen_post p;

    CHECK_INT(listen_decode_line(d, STR_LIT("{\"id\":\"a\",\"text\":\"hi\",\"sentiment\":\"negative\","
                                            "\"is_reply\":true,\"platform\":\"x\"}"),
                                 &p),
              1);
    CHECK_INT(p.sentiment, -1);
    CHECK(p.is_reply);
    CHECK_STR(cstr(p.platform), "x");
    CHECK_INT(p.followers, -1);
    CHECK_INT(listen_decode_line(d, STR_LIT("{\"text\":\"hi\",\"followers\":87}"), &p), 1);
    CHECK_INT(p.followers, 87);
    CHECK_INT(listen_decode_line(d, STR_LIT("{\"text\":\"hi\",\"followers\":-3}"), &p), 1);
    CHECK_INT(p.followers, -1); /* nonsense is unknown */
    CHECK_INT(listen_decode_line(d, STR_LIT("{\"id\":\"a\"}"), &p), ERR_INVAL);
    listen_decoder_free(d);
}

TEST(spikes)
{
    struct listen_spike_opts o = { .bucket_ms = 1000, .min_count = 5 };
    struct listen_spike *sp = listen_spike_new(&o);
    struct listen_spike_alert a;
    struct listen_post p = { .id = STR_LIT("p") };
    int fired = 0, kinds = 0;

    /* Ten quiet buckets of 2 posts, then 20 posts in one bucket. */
    for (int b = 0; b < 10; b++) {
        for (int k = 0; k < 2; k++)
            CHECK_INT(listen_spike_add(sp, STR_LIT("q"), &p, b * 1000 + k, &a), 0);
    }
    for (int k = 0; k < 20; k++) {
        if (listen_spike_add(sp, STR_LIT("q"), &p, 10000 + k, &a) == 1) {
            fired++;
            kinds |= (int)a.kind;
            CHECK_INT(a.count, 6);
            CHECK_STR(a.query, "q");
            CHECK_INT(a.nposts, 6);
            CHECK_INT(a.bucket_start_ms, 10000);
        }
    }
    CHECK_INT(fired, 1);
    CHECK_INT(kinds, LISTEN_SPIKE_VOLUME);
    /* Negative share: the next bucket at baseline volume but all negative. */
    p.sentiment = -1;
    fired = 0;
    for (int k = 0; k < 8; k++)
        fired += listen_spike_add(sp, STR_LIT("q"), &p, 11000 + k, &a);
    CHECK_INT(fired, 1);
    CHECK_INT(a.kind, LISTEN_SPIKE_NEGATIVE);
    /* Another query has its own baseline (still warming up). */
    CHECK_INT(listen_spike_add(sp, STR_LIT("other"), &p, 11500, &a), 0);
    listen_spike_free(sp);
}

int
main(void)
{
    RUN(jetstream_golden);
    RUN(jetstream_not_posts_and_garbage);
    RUN(jetstream_links);
    RUN(mastodon_status);
    RUN(flat_line);
    RUN(spikes);
    return test_done();
}
