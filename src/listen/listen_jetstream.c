/* SPDX-License-Identifier: MIT */
/*
 * listen_jetstream.c - decodes one Jetstream event (PROTOCOLS.md §8.3) into a listen_post
 * with yajl's event (SAX) parser, tracking only the paths a post needs. The firehose is the
 * hot path: building a jansson tree for every 600-byte event cost three times more than the
 * matching itself, while an event parser touches each byte once and allocates almost nothing.
 * yajl validates the JSON and the UTF-8 of every string; values are copied out of its
 * callbacks into the decoder's buffers because yajl's string pointers do not outlive them.
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <yajl/yajl_parse.h>

#include "base/buf.h"
#include "base/clock.h"

#define DEPTH_MAX 64
#define FIELD_MAX (64 * 1024)

enum ctx {
    C_OTHER,
    C_ROOT,
    C_COMMIT,
    C_RECORD,
    C_LANGS,
    C_FACETS,
    C_FACET,
    C_FEATURES,
    C_FEATURE,
    C_EMBED,
};

enum key {
    K_OTHER,
    K_DID,
    K_TIME_US,
    K_KIND,
    K_COMMIT,
    K_OPERATION,
    K_COLLECTION,
    K_RKEY,
    K_REV,
    K_RECORD,
    K_TEXT,
    K_CREATED_AT,
    K_LANGS,
    K_REPLY,
    K_FACETS,
    K_FEATURES,
    K_TYPE,
    K_EMBED,
};

struct frame {
    enum ctx ctx;
    enum key key;  /* maps: the key whose value comes next */
    size_t index;  /* arrays: elements seen */
};

struct js {
    struct frame st[DEPTH_MAX];
    int depth;
    bool bad;
    struct listen_jetstream_fields *f;
};

static enum key
key_of(const unsigned char *k, size_t n, enum ctx c)
{
#define K(s, v)                                                                                    \
    if (n == sizeof(s) - 1 && memcmp(k, s, n) == 0)                                                \
        return v;
    switch (c) {
    case C_ROOT:
        K("did", K_DID);
        K("time_us", K_TIME_US);
        K("kind", K_KIND);
        K("commit", K_COMMIT);
        break;
    case C_COMMIT:
        K("operation", K_OPERATION);
        K("collection", K_COLLECTION);
        K("rkey", K_RKEY);
        K("rev", K_REV);
        K("record", K_RECORD);
        break;
    case C_RECORD:
        K("text", K_TEXT);
        K("createdAt", K_CREATED_AT);
        K("langs", K_LANGS);
        K("reply", K_REPLY);
        K("facets", K_FACETS);
        K("embed", K_EMBED);
        break;
    case C_FACET:
        K("features", K_FEATURES);
        break;
    case C_FEATURE:
    case C_EMBED:
        K("$type", K_TYPE);
        break;
    default:
        break;
    }
    return K_OTHER;
#undef K
}

/* The context of a container opening inside the current frame. */
static enum ctx
child_ctx(const struct js *j, bool is_map)
{
    const struct frame *p;

    if (j->depth == 0)
        return is_map ? C_ROOT : C_OTHER;
    p = &j->st[j->depth - 1];
    switch (p->ctx) {
    case C_ROOT: return is_map && p->key == K_COMMIT ? C_COMMIT : C_OTHER;
    case C_COMMIT: return is_map && p->key == K_RECORD ? C_RECORD : C_OTHER;
    case C_RECORD:
        if (!is_map && p->key == K_LANGS)
            return C_LANGS;
        if (!is_map && p->key == K_FACETS)
            return C_FACETS;
        if (is_map && p->key == K_EMBED)
            return C_EMBED;
        return C_OTHER;
    case C_FACETS: return is_map ? C_FACET : C_OTHER;
    case C_FACET: return !is_map && p->key == K_FEATURES ? C_FEATURES : C_OTHER;
    case C_FEATURES: return is_map ? C_FEATURE : C_OTHER;
    default: return C_OTHER;
    }
}

static int
push(struct js *j, bool is_map)
{
    enum ctx c = child_ctx(j, is_map);

    if (j->depth > 0 && j->st[j->depth - 1].ctx == C_RECORD && j->st[j->depth - 1].key == K_REPLY &&
        is_map)
        j->f->is_reply = true;
    if (j->depth >= DEPTH_MAX) {
        j->bad = true;
        return 0;
    }
    j->st[j->depth++] = (struct frame){ .ctx = c };
    return 1;
}

static int
pop(void *ctx)
{
    struct js *j = ctx;

    j->depth--;
    if (j->depth > 0 && j->st[j->depth - 1].ctx >= C_LANGS && j->st[j->depth - 1].ctx <= C_FEATURES)
        j->st[j->depth - 1].index++;
    return 1;
}

static int
on_start_map(void *ctx)
{
    return push(ctx, true);
}

static int
on_start_array(void *ctx)
{
    return push(ctx, false);
}

static int
on_key(void *ctx, const unsigned char *k, size_t n)
{
    struct js *j = ctx;
    struct frame *fr = &j->st[j->depth - 1];

    fr->key = key_of(k, n, fr->ctx);
    return 1;
}

/* After a scalar value: arrays count elements. */
static void
scalar_done(struct js *j)
{
    struct frame *fr = &j->st[j->depth - 1];

    if (fr->ctx == C_LANGS || fr->ctx == C_FACETS || fr->ctx == C_FEATURES || fr->ctx == C_OTHER)
        fr->index++;
}

static int
set(struct js *j, struct buf *b, const unsigned char *s, size_t n)
{
    buf_reset(b);
    buf_add(b, s, n);
    if (n > FIELD_MAX || buf_error(b) < 0) {
        j->bad = true;
        return 0;
    }
    return 1;
}

static int
on_string(void *ctx, const unsigned char *s, size_t n)
{
    struct js *j = ctx;
    struct listen_jetstream_fields *f = j->f;
    struct frame *fr;
    int rc = 1;

    if (j->depth == 0)
        return 1;
    fr = &j->st[j->depth - 1];
    switch (fr->ctx) {
    case C_ROOT:
        if (fr->key == K_DID)
            rc = set(j, &f->did, s, n);
        else if (fr->key == K_KIND)
            f->is_commit = n == 6 && memcmp(s, "commit", 6) == 0;
        break;
    case C_COMMIT:
        if (fr->key == K_OPERATION)
            f->is_create = n == 6 && memcmp(s, "create", 6) == 0;
        else if (fr->key == K_COLLECTION)
            rc = set(j, &f->collection, s, n);
        else if (fr->key == K_RKEY)
            rc = set(j, &f->rkey, s, n);
        else if (fr->key == K_REV)
            rc = set(j, &f->rev, s, n);
        break;
    case C_RECORD:
        if (fr->key == K_TEXT) {
            rc = set(j, &f->text, s, n);
            f->has_text = true;
        } else if (fr->key == K_CREATED_AT) {
            int64_t ms;
            if (clock_parse_iso((struct str){ (const char *)s, n }, &ms) == 0)
                f->created_ms = ms;
        }
        break;
    case C_LANGS:
        if (fr->index == 0)
            rc = set(j, &f->lang, s, n);
        break;
    case C_FEATURE:
        if (fr->key == K_TYPE && n == 28 && memcmp(s, "app.bsky.richtext.facet#link", 28) == 0)
            f->link = true;
        break;
    case C_EMBED:
        if (fr->key == K_TYPE && n == 23 && memcmp(s, "app.bsky.embed.external", 23) == 0)
            f->link = true;
        break;
    default:
        break;
    }
    scalar_done(j);
    return rc;
}

static int
on_integer(void *ctx, long long v)
{
    struct js *j = ctx;

    if (j->depth == 1 && j->st[0].key == K_TIME_US) {
        j->f->time_us = v;
        j->f->has_time = true;
    }
    if (j->depth > 0)
        scalar_done(j);
    return 1;
}

static int
on_other(void *ctx)
{
    struct js *j = ctx;

    if (j->depth > 0)
        scalar_done(j);
    return 1;
}

static int
on_bool(void *ctx, int v)
{
    (void)v;
    return on_other(ctx);
}

static int
on_double(void *ctx, double v)
{
    (void)v;
    return on_other(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_other,
    .yajl_boolean = on_bool,
    .yajl_integer = on_integer,
    .yajl_double = on_double,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = pop,
    .yajl_start_array = on_start_array,
    .yajl_end_array = pop,
};

void
listen__jetstream_init(struct listen_jetstream_fields *f)
{
    buf_init(&f->did, 1024);
    buf_init(&f->collection, 1024);
    buf_init(&f->rkey, 1024);
    buf_init(&f->rev, 1024);
    buf_init(&f->text, FIELD_MAX);
    buf_init(&f->lang, 1024);
}

void
listen__jetstream_release(struct listen_jetstream_fields *f)
{
    buf_release(&f->did);
    buf_release(&f->collection);
    buf_release(&f->rkey);
    buf_release(&f->rev);
    buf_release(&f->text);
    buf_release(&f->lang);
}

int
listen__jetstream_parse(struct listen_jetstream_fields *f, struct str json)
{
    struct js j = { .f = f };
    yajl_handle h;
    yajl_status st;

    buf_reset(&f->did);
    buf_reset(&f->collection);
    buf_reset(&f->rkey);
    buf_reset(&f->rev);
    buf_reset(&f->text);
    buf_reset(&f->lang);
    f->time_us = 0;
    f->created_ms = 0;
    f->has_time = f->has_text = f->is_commit = f->is_create = f->is_reply = f->link = false;
    h = yajl_alloc(&callbacks, NULL, &j);
    if (!h)
        return ERR_NOMEM;
    st = yajl_parse(h, (const unsigned char *)(json.p ? json.p : ""), json.len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    yajl_free(h);
    if (st != yajl_status_ok || j.bad)
        return ERR_INVAL;
    return 0;
}
