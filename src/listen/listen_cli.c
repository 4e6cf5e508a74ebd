/* SPDX-License-Identifier: MIT */
/*
 * listen_cli.c - `hark listen`: compiles a query file, reads posts from a source and prints
 * every match (and every spike alert) as one JSON line, so a query can be back-tested on
 * saved data offline or watched live against a firehose. Progress goes to stderr.
 * Wiring only: everything it does is in the public listen.h API.
 */
#include "base/base.h"
#include "listen/listen.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>

#include "base/clock.h"

static const char usage_text[] =
    "usage: hark listen --queries FILE [options]\n"
    "\n"
    "Matches listening queries against posts and prints each match as a JSON line:\n"
    "  {\"type\":\"match\",\"queries\":[ids],\"platform\",\"id\",\"author\",\"lang\",\"url\",\n"
    "   \"created_at\",\"cursor\",\"text\"}\n"
    "and, with --spikes, each spike alert as {\"type\":\"spike\",...}.\n"
    "\n"
    "options:\n"
    "  --queries FILE       one query per line: ID, whitespace, query text ('#' starts a\n"
    "                       comment line); or JSON lines {\"id\":..,\"query\":..}\n"
    "  --source SPEC        jetstream://HOST[:PORT][/PATH]  Bluesky Jetstream (WebSocket)\n"
    "                       mastodon://HOST[:PORT][/PATH]   Mastodon streaming (SSE)\n"
    "                       FILE.jsonl | -                  JSON lines (default: -, stdin)\n"
    "  --tls                use wss:// / https:// for network sources\n"
    "  --cursor-file FILE   Jetstream: persist the cursor here and resume from it\n"
    "  --token TOKEN        Mastodon: bearer token (or env HARK_MASTODON_TOKEN)\n"
    "  --once               do not reconnect when a network stream ends\n"
    "  --max-posts N        stop after N posts\n"
    "  --spikes             run spike detection and print alerts\n"
    "  --bucket-ms N        spike bucket width (default 300000)\n"
    "  --quiet              print no matches (use with --stats)\n"
    "  --stats              print a summary line to stderr at the end\n"
    "  --check              only check the queries and exit (0 valid, 1 invalid)\n"
    "  --help               this text\n"
    "\n"
    "Query language: see docs/listening.md. Exit status: 0 ok, 1 failure, 2 usage.\n";

static struct listen_source *volatile running;

static void
on_signal(int sig)
{
    (void)sig;
    if (running)
        listen_source_stop(running);
}

struct cli {
    struct listen_set *set;
    struct listen_scratch *scratch;
    struct listen_spike *spike;
    bool quiet;
    uint64_t posts, matches, alerts;
    int64_t max_posts;
    int64_t start_ms, last_progress_ms;
    struct listen_source *src;
};

static json_t *
jstr(struct str s)
{
    return json_stringn_nocheck(s.p ? s.p : "", s.len);
}

static int
print_alert(const struct listen_spike_alert *a)
{
    json_t *o = json_object(), *posts = json_array();
    char ts[32];
    char *line;

    clock_fmt_iso(a->bucket_start_ms, ts, sizeof(ts));
    json_object_set_new(o, "type", json_string("spike"));
    json_object_set_new(o, "query", json_string(a->query));
    json_object_set_new(o, "kind",
                        json_string(a->kind == LISTEN_SPIKE_VOLUME ? "volume" : "negative"));
    json_object_set_new(o, "bucket_start", json_string(ts));
    json_object_set_new(o, "count", json_integer(a->count));
    json_object_set_new(o, "baseline", json_real(a->baseline));
    json_object_set_new(o, "negative_share", json_real(a->negative_share));
    json_object_set_new(o, "baseline_negative_share", json_real(a->baseline_negative_share));
    for (size_t i = 0; i < a->nposts; i++)
        json_array_append_new(posts, json_string(a->posts[i]));
    json_object_set_new(o, "posts", posts);
    line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!line)
        return ERR_NOMEM;
    puts(line);
    free(line);
    return 0;
}

static int
on_post(const struct listen_post *p, void *arg)
{
    struct cli *c = arg;
    struct listen_result res;
    ssize_t n;

    c->posts++;
    n = listen_match(c->scratch, p, &res);
    if (n < 0)
        return (int)n;
    if (n > 0) {
        c->matches++;
        if (!c->quiet) {
            /* Text is not guaranteed valid UTF-8; jansson needs it to be, so check. */
            json_t *o = json_object(), *ids = json_array();
            char *line;
            for (size_t i = 0; i < res.n; i++)
                json_array_append_new(ids, jstr(listen_matcher_query_id(res.matcher, res.queries[i])));
            json_object_set_new(o, "type", json_string("match"));
            json_object_set_new(o, "queries", ids);
            json_object_set_new(o, "platform", json_stringn(p->platform.p ? p->platform.p : "", p->platform.len));
            json_object_set_new(o, "id", json_stringn(p->id.p ? p->id.p : "", p->id.len));
            json_object_set_new(o, "author", json_stringn(p->author.p ? p->author.p : "", p->author.len));
            json_object_set_new(o, "lang", json_stringn(p->lang.p ? p->lang.p : "", p->lang.len));
            json_object_set_new(o, "url", json_stringn(p->url.p ? p->url.p : "", p->url.len));
            if (p->created_ms) {
                char ts[32];
                clock_fmt_iso(p->created_ms, ts, sizeof(ts));
                json_object_set_new(o, "created_at", json_string(ts));
            }
            if (p->cursor)
                json_object_set_new(o, "cursor", json_integer(p->cursor));
            json_object_set_new(o, "text", json_stringn(p->text.p ? p->text.p : "", p->text.len));
            line = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            if (line) {
                puts(line);
                free(line);
            }
        }
        if (c->spike) {
            int64_t t = p->created_ms ? p->created_ms : clock_now_ms();
            for (size_t i = 0; i < res.n; i++) {
                struct listen_spike_alert a;
                if (listen_spike_add(c->spike, listen_matcher_query_id(res.matcher, res.queries[i]),
                                     p, t, &a) == 1) {
                    c->alerts++;
                    print_alert(&a);
                }
            }
        }
    }
    if ((c->posts & 1023) == 0) {
        int64_t now = clock_mono_ms();
        if (now - c->last_progress_ms >= 5000) {
            double secs = (double)(now - c->start_ms) / 1000.0;
            fprintf(stderr, "listen: %llu posts, %llu matches, %.0f posts/s\n",
                    (unsigned long long)c->posts, (unsigned long long)c->matches,
                    secs > 0 ? (double)c->posts / secs : 0.0);
            c->last_progress_ms = now;
        }
    }
    if (c->max_posts > 0 && (int64_t)c->posts >= c->max_posts)
        listen_source_stop(c->src);
    return 0;
}

/* Reads the query file: "ID query..." lines or {"id","query"} JSON lines. */
static int
load_queries(const char *path, struct listen_query **out, size_t *nout, char **storage,
             struct errmsg *em)
{
    FILE *f = fopen(path, "r");
    struct listen_query *qs = NULL;
    size_t n = 0, cap = 0, lineno = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int rc = 0;

    if (!f)
        return errmsg_set(em, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    *storage = NULL;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        struct str l, id, text;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        l = str_trim((struct str){ line, (size_t)len });
        if (l.len == 0 || l.p[0] == '#')
            continue;
        if (l.p[0] == '{') {
            json_error_t jerr;
            json_t *o = json_loadb(l.p, l.len, 0, &jerr);
            const char *i = json_string_value(json_object_get(o, "id"));
            const char *q = json_string_value(json_object_get(o, "query"));
            if (!i || !q) {
                json_decref(o);
                rc = errmsg_set(em, ERR_INVAL, "%s:%zu: want {\"id\":..,\"query\":..}", path,
                                lineno);
                break;
            }
            id = str_c(xstrdup(i));
            text = str_c(xstrdup(q));
            json_decref(o);
        } else {
            size_t k = 0;
            while (k < l.len && l.p[k] != ' ' && l.p[k] != '\t')
                k++;
            id = (struct str){ xstrndup(l.p, k), k };
            text = str_trim((struct str){ l.p + k, l.len - k });
            text = (struct str){ xstrndup(text.p, text.len), text.len };
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            qs = xrealloc(qs, cap * sizeof(*qs));
        }
        qs[n++] = (struct listen_query){ id, text };
    }
    free(line);
    fclose(f);
    *out = qs;
    *nout = n;
    return rc;
}

static void
free_queries(struct listen_query *qs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)qs[i].id.p);
        free((char *)qs[i].text.p);
    }
    free(qs);
}

int
listen_cli_main(int argc, char **argv)
{
    const char *queries = NULL, *source = "-";
    struct listen_source_opts so = { 0 };
    struct listen_spike_opts spo = { 0 };
    struct cli c = { 0 };
    struct listen_query *qs = NULL;
    struct listen_matcher *m = NULL;
    struct errmsg em = { 0 };
    bool spikes = false, stats = false, check = false;
    size_t nq = 0;
    char *storage = NULL;
    int rc, status = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t num;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--tls") == 0) {
            so.tls = true;
        } else if (strcmp(a, "--once") == 0) {
            so.once = true;
        } else if (strcmp(a, "--spikes") == 0) {
            spikes = true;
        } else if (strcmp(a, "--quiet") == 0) {
            c.quiet = true;
        } else if (strcmp(a, "--stats") == 0) {
            stats = true;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else if (!v) {
            fprintf(stderr, "hark listen: unknown option or missing value: '%s'\n\n%s", a,
                    usage_text);
            return 2;
        } else if (strcmp(a, "--queries") == 0) {
            queries = v;
            i++;
        } else if (strcmp(a, "--source") == 0) {
            source = v;
            i++;
        } else if (strcmp(a, "--cursor-file") == 0) {
            so.cursor_file = v;
            i++;
        } else if (strcmp(a, "--token") == 0) {
            so.token = v;
            i++;
        } else if (strcmp(a, "--max-posts") == 0 || strcmp(a, "--bucket-ms") == 0) {
            if (str_to_i64(str_c(v), 1, INT64_MAX, &num) < 0) {
                fprintf(stderr, "hark listen: invalid '%s': want a positive integer\n", a);
                return 2;
            }
            if (a[2] == 'm')
                c.max_posts = num;
            else
                spo.bucket_ms = num;
            i++;
        } else {
            fprintf(stderr, "hark listen: unknown option '%s'\n\n%s", a, usage_text);
            return 2;
        }
    }
    if (!queries) {
        fprintf(stderr, "hark listen: --queries FILE is required\n\n%s", usage_text);
        return 2;
    }
    if (!so.token)
        so.token = getenv("HARK_MASTODON_TOKEN");
    rc = load_queries(queries, &qs, &nq, &storage, &em);
    if (rc < 0)
        goto out;
    rc = listen_matcher_new(qs, nq, &m, &em);
    if (rc < 0)
        goto out;
    if (check) {
        fprintf(stderr, "hark listen: %zu queries ok\n", nq);
        status = 0;
        goto out;
    }
    rc = listen_source_open(source, &so, &c.src, &em);
    if (rc < 0)
        goto out;
    c.set = listen_set_new_take(m);
    m = NULL;
    c.scratch = listen_scratch_new(c.set);
    if (spikes)
        c.spike = listen_spike_new(&spo);
    c.start_ms = c.last_progress_ms = clock_mono_ms();
    running = c.src;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = listen_source_run(c.src, on_post, &c, &em);
    running = NULL;
    fflush(stdout);
    if (stats) {
        struct listen_source_stats st;
        double secs = (double)(clock_mono_ms() - c.start_ms) / 1000.0;
        listen_source_stats(c.src, &st);
        fprintf(stderr,
                "listen: %llu events, %llu posts, %llu matches, %llu alerts, %llu skipped, "
                "%llu duplicates, %llu reconnects, cursor %lld, %.1f s\n",
                (unsigned long long)st.events, (unsigned long long)st.posts,
                (unsigned long long)c.matches, (unsigned long long)c.alerts,
                (unsigned long long)st.skipped, (unsigned long long)st.duplicates,
                (unsigned long long)st.reconnects, (long long)st.cursor, secs);
    }
    if (rc == 0)
        status = 0;
out:
    if (rc < 0)
        fprintf(stderr, "hark listen: %s\n", em.set ? em.text : err_str(rc));
    listen_spike_free(c.spike);
    listen_scratch_free(c.scratch);
    listen_set_free(c.set);
    listen_source_free(c.src);
    listen_matcher_unref(m);
    free_queries(qs, nq);
    free(storage);
    return status;
}
