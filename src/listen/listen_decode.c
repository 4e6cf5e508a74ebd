/* SPDX-License-Identifier: MIT */
/*
 * listen_decode.c - turns platform JSON into struct listen_post: Jetstream events
 * (PROTOCOLS.md §8.3), Mastodon Status objects (§9.1, HTML content stripped) and the flat
 * JSON-lines records of `hark listen` back-tests.
 *
 * The decoder keeps the parsed document until the next call, so the post's slices can point
 * straight into jansson's strings; only derived values (the at:// URI, the web URL, the
 * stripped Mastodon text) are built in the decoder's own buffers. Input is untrusted: every
 * field is type-checked and a wrong type makes the record invalid, never a crash.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <jansson.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/html.h"

#define FIELD_MAX (64 * 1024)

struct listen_decoder {
    json_t *root;   /* the last parsed document */
    json_t *inner;  /* a second document (a Mastodon payload inside a JSON string) */
    struct buf id, url, text, key;
    struct listen_jetstream_fields js;
};

struct listen_decoder *
listen_decoder_new(void)
{
    struct listen_decoder *d = xcalloc(1, sizeof(*d));

    buf_init(&d->id, 1024);
    buf_init(&d->url, 1024);
    buf_init(&d->text, 1 << 20);
    buf_init(&d->key, 1024);
    listen__jetstream_init(&d->js);
    return d;
}

void
listen_decoder_free(struct listen_decoder *d)
{
    if (!d)
        return;
    json_decref(d->root);
    json_decref(d->inner);
    buf_release(&d->id);
    buf_release(&d->url);
    buf_release(&d->text);
    buf_release(&d->key);
    listen__jetstream_release(&d->js);
    free(d);
}

struct str
listen__decoder_key(const struct listen_decoder *d)
{
    return buf_str(&d->key);
}

static void
reset(struct listen_decoder *d)
{
    json_decref(d->root);
    json_decref(d->inner);
    d->root = NULL;
    d->inner = NULL;
    buf_reset(&d->id);
    buf_reset(&d->url);
    buf_reset(&d->text);
    buf_reset(&d->key);
}

/* A string member as a slice; false when absent or not a string. */
static bool
get_str(const json_t *obj, const char *name, struct str *out)
{
    const json_t *v = json_object_get(obj, name);

    if (!json_is_string(v))
        return false;
    *out = (struct str){ json_string_value(v), json_string_length(v) };
    return true;
}

static bool
mentions_link(struct str text)
{
    return memmem(text.p ? text.p : "", text.len, "http://", 7) ||
           memmem(text.p ? text.p : "", text.len, "https://", 8);
}

static int64_t
parse_time(const json_t *obj, const char *name)
{
    struct str s;
    int64_t ms;

    if (get_str(obj, name, &s) && clock_parse_iso(s, &ms) == 0)
        return ms;
    return 0;
}

/* Builds the post from the fields listen_jetstream.c extracted. */
static int
jetstream_post(struct listen_decoder *d, struct listen_post *p)
{
    struct listen_jetstream_fields *f = &d->js;
    struct str did = buf_str(&f->did), coll = buf_str(&f->collection), rkey = buf_str(&f->rkey);
    struct str rev = buf_str(&f->rev), text = buf_str(&f->text);

    if (did.len == 0 || !f->has_time)
        return ERR_INVAL;
    if (!f->is_commit)
        return 0; /* identity and account events reach every subscriber */
    if (!str_eq_c(coll, "app.bsky.feed.post") || !f->is_create)
        return 0;
    if (rkey.len == 0 || !f->has_text || did.len > 256 || rkey.len > 256 || rev.len > 256)
        return ERR_INVAL;
    *p = (struct listen_post){
        .platform = STR_LIT("bluesky"), .text = text, .author = did, .followers = -1
    };
    buf_printf(&d->id, "at://%.*s/%.*s/%.*s", (int)did.len, did.p, (int)coll.len, coll.p,
               (int)rkey.len, rkey.p);
    buf_printf(&d->url, "https://bsky.app/profile/%.*s/post/%.*s", (int)did.len, did.p,
               (int)rkey.len, rkey.p);
    buf_printf(&d->key, "%.*s/%.*s/%.*s", (int)did.len, did.p, (int)rkey.len, rkey.p,
               (int)rev.len, rev.p);
    if (buf_error(&d->id) < 0 || buf_error(&d->url) < 0 || buf_error(&d->key) < 0)
        return ERR_INVAL;
    p->id = buf_str(&d->id);
    p->url = buf_str(&d->url);
    p->lang = buf_str(&f->lang);
    p->created_ms = f->created_ms;
    p->cursor = f->time_us;
    p->is_reply = f->is_reply;
    p->has_link = f->link || mentions_link(text);
    return 1;
}

static int
decode_mastodon_obj(struct listen_decoder *d, const json_t *st, struct listen_post *p)
{
    const json_t *acct, *reblog;
    struct str id, content, s;

    if (!json_is_object(st) || !get_str(st, "id", &id) || !get_str(st, "content", &content))
        return ERR_INVAL;
    reblog = json_object_get(st, "reblog");
    if (json_is_object(reblog))
        return 0; /* a boost repeats someone else's post */
    if (content.len > FIELD_MAX)
        return ERR_INVAL;
    *p = (struct listen_post){ .platform = STR_LIT("mastodon"), .id = id };
    if (get_str(st, "uri", &s))
        p->id = s;
    if (get_str(st, "url", &s))
        p->url = s;
    if (get_str(st, "language", &s))
        p->lang = s;
    acct = json_object_get(st, "account");
    if (json_is_object(acct) && get_str(acct, "acct", &s))
        p->author = s;
    p->followers = -1;
    if (json_is_object(acct)) {
        json_t *fc = json_object_get(acct, "followers_count");
        if (json_is_integer(fc) && json_integer_value(fc) >= 0)
            p->followers = json_integer_value(fc);
    }
    if (html_text(&d->text, content, 0) < 0)
        return ERR_INVAL;
    p->text = buf_str(&d->text);
    p->created_ms = parse_time(st, "created_at");
    p->is_reply = json_is_string(json_object_get(st, "in_reply_to_id"));
    p->has_link = json_is_object(json_object_get(st, "card")) || mentions_link(p->text);
    buf_add(&d->key, p->id.p, p->id.len);
    if (buf_error(&d->key) < 0)
        return ERR_INVAL;
    return 1;
}

static json_t *
load(struct str json)
{
    json_error_t jerr;

    if (json.len == 0)
        return NULL;
    return json_loadb(json.p, json.len, JSON_REJECT_DUPLICATES, &jerr);
}

int
listen_decode_jetstream(struct listen_decoder *d, struct str json, struct listen_post *p)
{
    struct listen_post tmp;
    int rc;

    reset(d);
    if (listen__jetstream_parse(&d->js, json) < 0)
        return ERR_INVAL;
    rc = jetstream_post(d, &tmp);
    if (rc == 1)
        *p = tmp;
    return rc;
}

int
listen_decode_mastodon(struct listen_decoder *d, struct str json, struct listen_post *p)
{
    struct listen_post tmp;
    int rc;

    reset(d);
    d->root = load(json);
    if (!d->root)
        return ERR_INVAL;
    rc = decode_mastodon_obj(d, d->root, &tmp);
    if (rc == 1)
        *p = tmp;
    return rc;
}

static int
sentiment_of(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) < 0 ? -1 : json_integer_value(v) > 0;
    if (json_is_real(v))
        return json_real_value(v) < -0.05 ? -1 : json_real_value(v) > 0.05;
    if (json_is_string(v)) {
        struct str s = { json_string_value(v), json_string_length(v) };
        if (str_eq_c(s, "negative"))
            return -1;
        if (str_eq_c(s, "positive"))
            return 1;
    }
    return 0;
}

int
listen_decode_line(struct listen_decoder *d, struct str json, struct listen_post *p)
{
    struct listen_post tmp;
    const json_t *root;
    struct str s;
    int rc;

    reset(d);
    d->root = load(json);
    root = d->root;
    if (!json_is_object(root))
        return ERR_INVAL;
    if (json_object_get(root, "kind") && json_object_get(root, "did")) {
        rc = listen__jetstream_parse(&d->js, json) < 0 ? ERR_INVAL : jetstream_post(d, &tmp);
    } else if (json_object_get(root, "content") && json_object_get(root, "account")) {
        rc = decode_mastodon_obj(d, root, &tmp);
    } else {
        if (!get_str(root, "text", &s))
            return ERR_INVAL;
        tmp = (struct listen_post){ .platform = STR_LIT("file"), .text = s };
        get_str(root, "platform", &tmp.platform);
        get_str(root, "id", &tmp.id);
        get_str(root, "lang", &tmp.lang);
        get_str(root, "author", &tmp.author);
        get_str(root, "url", &tmp.url);
        tmp.has_link = json_is_true(json_object_get(root, "has_link")) || mentions_link(s);
        tmp.is_reply = json_is_true(json_object_get(root, "is_reply"));
        tmp.created_ms = parse_time(root, "created_at");
        tmp.followers = -1;
        json_t *fc = json_object_get(root, "followers");
        if (json_is_integer(fc) && json_integer_value(fc) >= 0)
            tmp.followers = json_integer_value(fc);
        buf_add(&d->key, tmp.id.p, tmp.id.len);
        if (buf_error(&d->key) < 0)
            return ERR_INVAL;
        rc = 1;
    }
    if (rc == 1) {
        tmp.sentiment = sentiment_of(json_object_get(root, "sentiment"));
        *p = tmp;
    }
    return rc;
}
