/* SPDX-License-Identifier: MIT */
/*
 * fixture.h - helpers for the per-file store tests (tests/unit/store/st_*_test.c): each test
 * gets its own fresh in-memory store, and the few rows most tests need (a channel, an agent,
 * a conversation) are one call each. Everything goes through store/store.h.
 */
#ifndef HARK_TEST_STORE_FIXTURE_H
#define HARK_TEST_STORE_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "store/store.h"

#include "../test.h"

/* A fresh, empty store: a distinct shared-cache memory database per call, so no test sees
 * another's rows; or, when HARK_TEST_PG holds a PostgreSQL URL (tests/lib/pg.sh), a schema of
 * its own in that database. Its URL goes to 'url' ('n' bytes), so a test may open a second
 * store on the same database (another instance). NULL (and a note) when it cannot open. */
static inline struct store *
fx_open_url(char *url, size_t n)
{
    static int seq;
    const char *pg = getenv("HARK_TEST_PG");
    if (pg && pg[0])
        snprintf(url, n, "%s%coptions=-csearch_path%%3Dfx%d_%d", pg, strchr(pg, '?') ? '&' : '?',
                 (int)getpid(), seq++);
    else
        snprintf(url, n, "file:fx%d?mode=memory&cache=shared", seq++);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    if (store_open(&cfg, NULL, &st, &em) < 0)
        printf("# store_open: %s\n", em.text);
    return st;
}

/* Another store on the database of 'url' (fx_open_url's): a second instance. */
static inline struct store *
fx_open_again(const char *url)
{
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    if (store_open(&cfg, NULL, &st, &em) < 0)
        printf("# store_open: %s\n", em.text);
    return st;
}

static inline struct store *
fx_open(void)
{
    char url[512];
    return fx_open_url(url, sizeof(url));
}

static inline int64_t
fx_channel(struct store *st, const char *type)
{
    struct channel ch = { .type = type, .name = type, .secret = "s3cret" };
    int64_t id = 0;
    CHECK_INT(store_channel_add(st, &ch, &id), 0);
    return id;
}

static inline int64_t
fx_agent(struct store *st, const char *email)
{
    struct agent a = { .email = email, .password_hash = "h0", .name = email,
                       .display_name = email, .role = "agent" };
    int64_t id = 0;
    CHECK_INT(store_agent_add(st, &a, &id), 0);
    return id;
}

static inline struct inbound
fx_inbound(int64_t ch, const char *ext, const char *from, const char *text)
{
    return (struct inbound){ .channel_id = ch, .channel_type = "api", .external_id = str_c(ext),
                             .from_id = str_c(from), .from_name = str_c("Ann Lee"),
                             .text = str_c(text) };
}

/* Ingests one inbound message; returns its conversation id (0 on failure). */
static inline int64_t
fx_conv(struct store *st, int64_t ch, const char *ext, const char *from, const char *text,
        struct ingest_result *res)
{
    struct inbound in = fx_inbound(ch, ext, from, text);
    struct ingest_result r = { 0 };
    CHECK_INT(store_ingest(st, &in, &r), 0);
    if (res)
        *res = r;
    return r.conversation_id;
}

#endif
