/* SPDX-License-Identifier: MIT */
/*
 * demo_listen.c - the demo's simulated firehose for social listening. Public posts about
 * Northwind Outfitters are written here from templates (never drawn from real posts): people
 * complaining without tagging the brand, asking each other before buying, praising it, or
 * addressing @northwind directly, plus noise the queries must not match. They enter through
 * watch_ingest, the same path as POST /api/v1/listening/ingest.
 */
#include "base/base.h"
#include "demo_listen.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "app.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/jsonw.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rand.h"
#include "care/care.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)

static const struct {
    const char *name, *query;
} queries[] = {
    { "Brand mentions", "northwind OR @northwind*" },
    { "Pre-purchase questions",
      "(\"anyone tried\" OR \"worth it\" OR \"should i buy\" OR recommend*) NEAR/8 northwind" },
    { "Delivery problems", "northwind (late OR lost OR delayed OR \"still waiting\" OR parcel)" },
};

static const char *const products[] = { "Trailrunner 3", "Summit 40L", "Aurora jacket",
                                        "StormShell", "Basecamp 2 tent", "Glacier bag" };
static const char *const people[] = { "olivia", "liam", "emma.hikes", "noah", "ava.trails",
                                      "mateo", "sofia", "lucas.runs", "mia", "ethan", "chloe",
                                      "arjun", "zara", "hiro", "fatima", "diego" };

/* %P is a product. */
static const char *const texts[] = {
    "Northwind lost my parcel again. Three weeks waiting for a %P and nobody answers emails.",
    "Still waiting on my Northwind order, it's so late I bought elsewhere. Never again.",
    "Anyone tried the Northwind %P? Is it worth it for a week of rain?",
    "Should I buy the %P from Northwind or wait for the sale? Anyone?",
    "Can anyone recommend a good rain shell? Looking at the Northwind %P.",
    "@northwind my %P order is delayed, can you check it please?",
    "Hey @northwind.bsky.social, do you ship the %P to Japan?",
    "Just did 30 km in my Northwind %P and my feet are still happy.",
    "Northwind's %P is the best gear I bought this year, no question.",
    "The zipper on my Northwind %P broke after two hikes. Disappointed.",
    "Northwind support sorted my return in ten minutes, impressive.",
    "Great trail run this morning, the views were worth it.",
    "Anyone tried the new cafe on Main street? Worth it?",
};
#define NOISE_FROM 11 /* texts from here on match no query */

struct demo_listen {
    struct app *app;
    int64_t interval_ms;
    atomic_bool stop;
    pthread_t thread;
};

static unsigned
rnd(unsigned n)
{
    unsigned v;
    rand_bytes(&v, sizeof(v));
    return n ? v % n : 0;
}

/* Appends one flat JSON-lines record for a generated post written at 'at' (ms). */
static void
add_post(struct buf *b, unsigned t, int64_t at)
{
    char text[400], when[32], hex[17];
    const char *product = products[rnd(COUNTOF(products))];
    const char *tmpl = texts[t];
    const char *cut = strstr(tmpl, "%P");
    if (cut)
        snprintf(text, sizeof(text), "%.*s%s%s", (int)(cut - tmpl), tmpl, product, cut + 2);
    else
        snprintf(text, sizeof(text), "%s", tmpl);
    const char *who = people[rnd(COUNTOF(people))];
    bool masto = rnd(3) == 0;
    rand_hex(hex, 8);
    clock_fmt_iso(at, when, sizeof(when));
    if (masto)
        buf_printf(b, "{\"id\":\"https://social.example/users/%s/statuses/%s\",\"platform\":"
                      "\"mastodon\",\"author\":\"%s@social.example\",\"url\":"
                      "\"https://social.example/@%s/%s\",",
                   who, hex, who, who, hex);
    else
        buf_printf(b, "{\"id\":\"at://did:plc:demo%s/app.bsky.feed.post/%s\",\"platform\":"
                      "\"bluesky\",\"author\":\"%s.bsky.social\",\"url\":"
                      "\"https://bsky.app/profile/%s.bsky.social/post/%s\",",
                   who, hex, who, who, hex);
    buf_printf(b, "\"lang\":\"en\",\"created_at\":\"%s\",\"text\":", when);
    jsonw_cstr(b, text);
    buf_adds(b, "}\n");
}

static void
ingest(struct demo_listen *d, struct buf *b)
{
    struct watch_ingest_result r;
    struct errmsg em = { 0 };
    int rc = buf_error(b);
    if (rc < 0)
        errmsg_set(&em, rc, "simulated posts larger than their buffer");
    else
        rc = watch_ingest(care_watch(d->app->care), buf_str(b), &r, &em);
    if (rc < 0)
        log_warn("demo", "simulated posts refused", "err=\"%s\"", em.text);
    buf_reset(b);
}

/* A week of posts, oldest first, with a burst of delivery complaints two days ago. */
static void
seed(struct demo_listen *d)
{
    int64_t now = clock_now_ms(), start = now - 7 * DAY_MS;
    struct buf b;
    buf_init(&b, 1 << 20);
    int n = 0;
    bool burst = false;
    for (int64_t at = start; at < now - 60000; at += 45 * 60000 + rnd(60) * 60000) {
        if (!burst && at >= now - 2 * DAY_MS) {
            /* The spike: a courier's bad afternoon, twenty complaints in a minute (so at least
             * ten share a bucket however the minute falls). */
            for (int i = 0; i < 20; i++)
                add_post(&b, rnd(2), at + i * 3000);
            n += 20;
            burst = true;
        }
        add_post(&b, rnd(COUNTOF(texts)), at);
        if (++n % 200 == 0)
            ingest(d, &b);
    }
    ingest(d, &b);
    buf_release(&b);
}

static void *
run(void *arg)
{
    struct demo_listen *d = arg;
    struct buf b;
    buf_init(&b, 64 * 1024);
    while (!atomic_load(&d->stop)) {
        int64_t wait = d->interval_ms / 2 + rnd((unsigned)d->interval_ms);
        for (int64_t slept = 0; slept < wait && !atomic_load(&d->stop); slept += 100)
            usleep(100 * 1000);
        if (atomic_load(&d->stop))
            break;
        add_post(&b, rnd(COUNTOF(texts)), clock_now_ms());
        ingest(d, &b);
    }
    buf_release(&b);
    return NULL;
}

struct demo_listen *
demo_listen_start(struct app *app, int64_t interval_ms)
{
    struct demo_listen *d = xcalloc(1, sizeof(*d));
    d->app = app;
    d->interval_ms = interval_ms > 0 ? interval_ms : 4000;
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    struct listen_query_row *rows;
    size_t n = 0;
    if (store_listen_query_list(app->st, ar, false, 1, &rows, &n) == 0 && n == 0) {
        for (size_t i = 0; i < COUNTOF(queries); i++) {
            int64_t id;
            store_listen_query_add(app->st, queries[i].name, queries[i].query, true, &id);
        }
        struct errmsg em = { 0 };
        watch_reload(care_watch(app->care), &em);
        seed(d);
    }
    arena_free(ar);
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        xfree(d);
        return NULL;
    }
    return d;
}

void
demo_listen_stop(struct demo_listen *d)
{
    if (!d)
        return;
    atomic_store(&d->stop, true);
    pthread_join(d->thread, NULL);
    xfree(d);
}
