/* SPDX-License-Identifier: MIT */
/*
 * listen_source.c - what every listening source shares: parsing the source spec, the
 * JSON-lines reader (file or stdin), the overlap dedupe, the persisted Jetstream cursor and
 * reconnect backoff. The network protocols live in listen_ws.c (Jetstream over WebSocket) and
 * listen_sse.c (Mastodon over Server-Sent Events).
 */
#include "base/base.h"
#include "listen/listen_int.h"

#include <errno.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"

#define LINE_MAX_BYTES (1u << 20)

static uint64_t
fingerprint(struct str key)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < key.len; i++) {
        h ^= (unsigned char)key.p[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1; /* 0 marks an empty slot */
}

static bool
gen_has(const uint64_t *g, uint64_t f)
{
    size_t i = f & (DEDUPE_SLOTS - 1);

    if (!g)
        return false;
    while (g[i]) {
        if (g[i] == f)
            return true;
        i = (i + 1) & (DEDUPE_SLOTS - 1);
    }
    return false;
}

bool
listen__dedupe_seen(struct dedupe *d, struct str key)
{
    uint64_t f = fingerprint(key);
    size_t i;

    if (gen_has(d->gen[0], f) || gen_has(d->gen[1], f))
        return true;
    if (!d->gen[0])
        d->gen[0] = xcalloc(DEDUPE_SLOTS, sizeof(uint64_t));
    if (d->count >= DEDUPE_SLOTS / 2) {
        /* Retire the older generation; what we remember spans 16k to 32k recent posts. */
        free(d->gen[1]);
        d->gen[1] = d->gen[0];
        d->gen[0] = xcalloc(DEDUPE_SLOTS, sizeof(uint64_t));
        d->count = 0;
    }
    i = f & (DEDUPE_SLOTS - 1);
    while (d->gen[0][i])
        i = (i + 1) & (DEDUPE_SLOTS - 1);
    d->gen[0][i] = f;
    d->count++;
    return false;
}

void
listen__cursor_save(struct listen_source *src, bool force)
{
    char tmp[4096], text[32];
    int64_t now = clock_mono_ms();
    FILE *f;
    int n;

    if (!src->opts.cursor_file || src->stats.cursor == 0 || src->stats.cursor == src->saved_cursor)
        return;
    if (!force && now - src->saved_ms < 1000)
        return;
    n = snprintf(tmp, sizeof(tmp), "%s.tmp", src->opts.cursor_file);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return;
    f = fopen(tmp, "w");
    if (!f) {
        log_warn("listen", "cannot write cursor file", "errno=%d", errno);
        return;
    }
    n = snprintf(text, sizeof(text), "%lld\n", (long long)src->stats.cursor);
    if (fwrite(text, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
        log_warn("listen", "cannot write cursor file", "errno=%d", errno);
        return;
    }
    if (rename(tmp, src->opts.cursor_file) != 0) {
        log_warn("listen", "cannot rename cursor file", "errno=%d", errno);
        return;
    }
    src->saved_cursor = src->stats.cursor;
    src->saved_ms = now;
}

static void
cursor_load(struct listen_source *src)
{
    char text[64];
    FILE *f;
    size_t n;
    int64_t v;

    if (!src->opts.cursor_file) {
        if (src->opts.cursor > 0) {
            src->stats.cursor = src->opts.cursor;
            src->saved_cursor = src->opts.cursor;
            src->resume_floor = src->opts.cursor;
        }
        return;
    }
    f = fopen(src->opts.cursor_file, "r");
    if (!f)
        return;
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    if (str_to_i64(str_trim((struct str){ text, strcspn(text, "\r\n") }), 1, INT64_MAX, &v) == 0) {
        src->stats.cursor = v;
        src->saved_cursor = v;
        src->resume_floor = v;
    } else {
        log_warn("listen", "ignoring unreadable cursor file", "%s", "");
    }
}

int
listen__deliver(struct listen_source *src, const struct listen_post *p)
{
    int rc;

    /* After a restart the in-memory dedupe is empty, so the rewound replay up to the saved
     * cursor is recognised by time instead (Jetstream's time_us is unique per instance). */
    if ((p->cursor && p->cursor <= src->resume_floor) ||
        listen__dedupe_seen(&src->seen, listen__decoder_key(src->dec))) {
        src->stats.duplicates++;
        return 0;
    }
    src->stats.posts++;
    rc = src->cb(p, src->arg);
    if (p->cursor > src->stats.cursor)
        src->stats.cursor = p->cursor;
    if (rc < 0)
        src->cb_rc = rc;
    return rc;
}

bool
listen__backoff(struct listen_source *src, int attempt)
{
    int64_t ms = 100, until;

    for (int i = 0; i < attempt && ms < 5000; i++)
        ms *= 2;
    if (ms > 5000)
        ms = 5000;
    until = clock_mono_ms() + ms;
    while (clock_mono_ms() < until) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        if (atomic_load(&src->stop))
            return false;
        nanosleep(&ts, NULL);
    }
    return !atomic_load(&src->stop);
}

/* "scheme://host[:port][/path]" -> host, port, path. */
static int
parse_url(struct listen_source *src, const char *rest, int def_port, const char *def_path,
          struct errmsg *em)
{
    const char *slash = strchr(rest, '/');
    size_t hl = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *colon = memchr(rest, ':', hl);
    int64_t port = def_port;

    if (hl == 0)
        return errmsg_set(em, ERR_INVAL, "invalid source '%s': missing host", src->spec);
    if (colon) {
        if (str_to_i64((struct str){ colon + 1, hl - (size_t)(colon + 1 - rest) }, 1, 65535,
                       &port) < 0)
            return errmsg_set(em, ERR_INVAL, "invalid source '%s': bad port", src->spec);
        hl = (size_t)(colon - rest);
    }
    src->host = xstrndup(rest, hl);
    src->port = (int)port;
    src->path = xstrdup(slash ? slash : def_path);
    return 0;
}

int
listen_source_open(const char *spec, const struct listen_source_opts *opts,
                   struct listen_source **out, struct errmsg *em)
{
    struct listen_source *src = xcalloc(1, sizeof(*src));
    int rc = 0;

    src->spec = xstrdup(spec);
    if (opts)
        src->opts = *opts;
    if (src->opts.max_reconnects <= 0)
        src->opts.max_reconnects = 10;
    if (src->opts.rewind_us <= 0)
        src->opts.rewind_us = 2 * 1000 * 1000;
    atomic_init(&src->stop, false);
    src->dec = listen_decoder_new();
    if (strncmp(spec, "jetstream://", 12) == 0) {
        src->kind = SRC_JETSTREAM;
        rc = parse_url(src, spec + 12, src->opts.tls ? 443 : 80, "/subscribe", em);
        cursor_load(src);
    } else if (strncmp(spec, "mastodon://", 11) == 0) {
        src->kind = SRC_MASTODON;
        rc = parse_url(src, spec + 11, src->opts.tls ? 443 : 80, "/api/v1/streaming/public", em);
    } else if (strstr(spec, "://")) {
        rc = errmsg_set(em, ERR_INVAL,
                        "invalid source '%s': want jetstream://HOST, mastodon://HOST, a file or -",
                        spec);
    } else {
        src->kind = SRC_FILE;
        src->file = strcmp(spec, "-") == 0 ? NULL : xstrdup(spec);
    }
    if (rc < 0) {
        listen_source_free(src);
        return rc;
    }
    *out = src;
    return 0;
}

void
listen_source_stop(struct listen_source *src)
{
    atomic_store(&src->stop, true);
}

void
listen_source_free(struct listen_source *src)
{
    if (!src)
        return;
    listen_decoder_free(src->dec);
    free(src->seen.gen[0]);
    free(src->seen.gen[1]);
    free(src->spec);
    free(src->host);
    free(src->path);
    free(src->file);
    free(src);
}

void
listen_source_stats(const struct listen_source *src, struct listen_source_stats *out)
{
    *out = src->stats;
}

static int
file_run(struct listen_source *src, struct errmsg *em)
{
    FILE *f = src->file ? fopen(src->file, "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;

    if (!f)
        return errmsg_set(em, ERR_IO, "cannot open '%s': %s", src->file, strerror(errno));
    while (!atomic_load(&src->stop)) {
        struct listen_post p;
        n = getline(&line, &cap, f);
        if (n < 0)
            break;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        src->stats.events++;
        if ((size_t)n > LINE_MAX_BYTES) {
            src->stats.skipped++;
            continue;
        }
        rc = listen_decode_line(src->dec, (struct str){ line, (size_t)n }, &p);
        if (rc != 1) {
            src->stats.skipped++;
            rc = 0;
            continue;
        }
        rc = listen__deliver(src, &p);
        if (rc < 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = errmsg_set(em, ERR_IO, "cannot read '%s'", src->file ? src->file : "stdin");
    free(line);
    if (src->file)
        fclose(f);
    return rc;
}

int
listen_source_run(struct listen_source *src, listen_post_fn *cb, void *arg, struct errmsg *em)
{
    int rc;

    src->cb = cb;
    src->arg = arg;
    src->cb_rc = 0;
    switch (src->kind) {
    case SRC_FILE: rc = file_run(src, em); break;
    case SRC_JETSTREAM: rc = listen__ws_run(src, em); break;
    case SRC_MASTODON: rc = listen__sse_run(src, em); break;
    default: UNREACHABLE();
    }
    listen__cursor_save(src, true);
    return src->cb_rc < 0 ? src->cb_rc : rc;
}
