/* SPDX-License-Identifier: MIT */
/*
 * doctor.c - `hark doctor`: checks a deployment and says what to fix.
 *
 * One line per check, "ok", "warn" or "fail", the subject, then what was found and, when it is
 * not ok, what to do. The checks read and never write: the database is inspected read-only
 * (no migration), the public URL is only fetched. Exit status 1 when any check fails.
 */
#include "base/base.h"
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "app.h"
#include "base/arena.h"
#include "channels/chan.h"
#include "classify/classify.h"
#include "fetch/fetch.h"
#include "store/store.h"

#define REST_MAX 32
#define GIB (1024.0 * 1024.0 * 1024.0)

enum verdict { OK, WARN, FAIL };

struct report {
    int fails, warns;
};

static void
say(struct report *r, enum verdict v, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
say(struct report *r, enum verdict v, const char *subject, const char *fmt, ...)
{
    static const char *const names[] = { "ok", "warn", "fail" };
    va_list ap;
    printf("%-5s %-10s ", names[v], subject);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    r->fails += v == FAIL;
    r->warns += v == WARN;
}

/* The database file's path, or NULL for a store that is not a file. */
static const char *
db_path(const char *url)
{
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    if (strstr(url, "://") || strcmp(url, ":memory:") == 0)
        return NULL;
    return url;
}

/* Returns true when the schema is current, so the store may be opened without migrating. */
static bool
check_database(struct report *r, const struct config *cfg)
{
    struct store_health h;
    struct errmsg em = { 0 };
    const char *path = db_path(cfg->db);
    if (strncmp(cfg->db, "postgres://", 11) == 0 || strncmp(cfg->db, "postgresql://", 13) == 0) {
        /* Read-only checks of a PostgreSQL store are PostgreSQL's own (pg_amcheck); opening
         * it here would migrate it. */
        say(r, WARN, "database", "a PostgreSQL store: not inspected by hark doctor; check it "
                                 "with pg_amcheck, and the server's log for its schema version");
        return false;
    }
    if (path && access(path, F_OK) != 0) {
        say(r, FAIL, "database", "'%s' does not exist: check 'db', or create it with `hark agent "
                                 "add` (or `hark restore` from a backup)", path);
        return false;
    }
    if (store_inspect(cfg->db, &h, &em) < 0) {
        say(r, FAIL, "database", "%s", em.text);
        return false;
    }
    if (!h.intact) {
        say(r, FAIL, "database", "'%s' is damaged (quick_check: %s): restore the newest backup "
                                 "with `hark restore`", path, h.problem);
        return false;
    }
    if (h.version > h.newest) {
        say(r, FAIL, "database", "'%s' has schema %d, newer than this hark (%d): upgrade hark",
            path, h.version, h.newest);
        return false;
    }
    if (h.version < h.newest) {
        say(r, WARN, "database", "'%s' is intact, schema %d of %d: the next `hark serve` "
                                 "migrates it (take a `hark backup` first)", path, h.version,
            h.newest);
        return false;
    }
    say(r, OK, "database", "'%s' is intact, schema %d (current)", path, h.version);
    return true;
}

static void
check_disk(struct report *r, const struct config *cfg)
{
    const char *path = db_path(cfg->db);
    if (!path)
        return;
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0) {
        say(r, FAIL, "disk", "cannot stat '%s': %s", dir, strerror(errno));
        return;
    }
    double avail = (double)sv.f_bavail * (double)sv.f_frsize;
    double total = (double)sv.f_blocks * (double)sv.f_frsize;
    double pct = total > 0 ? 100.0 * avail / total : 0;
    if (avail < GIB || pct < 10.0)
        say(r, WARN, "disk", "%.2f GiB (%.0f%%) free in '%s': under 1 GiB or 10%%, free space "
                             "before the database fills it", avail / GIB, pct, dir);
    else
        say(r, OK, "disk", "%.1f GiB (%.0f%%) free in '%s'", avail / GIB, pct, dir);
}

static void
check_web_root(struct report *r, const struct config *cfg)
{
    if (!cfg->web_root[0]) {
        say(r, FAIL, "web-root", "no web app found beside the binary or installed: build it "
                                 "(`make`) or set 'web-root'");
        return;
    }
    char index[1100];
    snprintf(index, sizeof(index), "%s/index.html", cfg->web_root);
    if (access(index, R_OK) != 0)
        say(r, FAIL, "web-root", "'%s' has no readable index.html: set 'web-root' to the built "
                                 "web app (web/dist)", cfg->web_root);
    else
        say(r, OK, "web-root", "'%s'", cfg->web_root);
}

static void
check_models(struct report *r, const struct config *cfg)
{
    if (strcmp(cfg->models, "none") == 0) {
        say(r, OK, "models", "triage is off ('models none')");
        return;
    }
    if (!cfg->models[0]) {
        say(r, WARN, "models", "no triage models found: messages are stored untriaged; set "
                               "'models', or 'models none' to say so");
        return;
    }
    struct classify *c = NULL;
    struct errmsg em = { 0 };
    if (classify_open(cfg->models, &c, &em) < 0) {
        say(r, FAIL, "models", "cannot load '%s': %s", cfg->models, em.text);
        return;
    }
    classify_free(c);
    say(r, OK, "models", "'%s' loads", cfg->models);
    /* What retraining in the server starts from (care/triage_models.c). */
    char probe[sizeof(cfg->triage_data) + 32];
    snprintf(probe, sizeof(probe), "%s/intent.all", cfg->triage_data);
    if (cfg->triage_data[0] && access(probe, R_OK) == 0)
        say(r, OK, "triage-data", "'%s': the triage models can be retrained from corrections",
            cfg->triage_data);
    else
        say(r, WARN, "triage-data", "no shipped training sets%s%s%s: triage works, but retraining "
            "from agents' corrections is refused; set 'triage-data'",
            cfg->triage_data[0] ? " in '" : "", cfg->triage_data, cfg->triage_data[0] ? "'" : "");
}

/* GET url/healthz; true on a 200. 'why' gets the status or transport error. */
static bool
healthz(const char *base, char *why, size_t n)
{
    char url[600];
    size_t len = strlen(base);
    snprintf(url, sizeof(url), "%.*s/healthz", (int)(len && base[len - 1] == '/' ? len - 1 : len),
             base);
    struct fetch_request req = { .method = "GET", .url = url, .timeout_ms = 5000,
                                 .max_response = 64 * 1024 };
    struct fetch_response resp;
    int rc = fetch_do(&req, &resp);
    if (rc < 0)
        snprintf(why, n, "%s", resp.error[0] ? resp.error : err_str(rc));
    else
        snprintf(why, n, "HTTP %ld", resp.status);
    bool ok = rc == 0 && resp.status == 200;
    fetch_response_release(&resp);
    return ok;
}

static void
check_public_url(struct report *r, const struct config *cfg)
{
    char local[128], why[200];
    snprintf(local, sizeof(local), "http://%s", cfg->listen);
    if (!healthz(local, why, sizeof(why))) {
        say(r, WARN, "public-url", "not checked: no server answers at %s/healthz (%s); run "
                                   "`hark doctor` again while `hark serve` runs", local, why);
        return;
    }
    if (healthz(cfg->public_url, why, sizeof(why)))
        say(r, OK, "public-url", "%s/healthz answers", cfg->public_url);
    else
        say(r, FAIL, "public-url", "%s/healthz does not answer (%s) while the server answers "
                                   "at %s: fix 'public-url', DNS or the proxy, or platforms "
                                   "cannot deliver webhooks", cfg->public_url, why, local);
}

static void
check_channels(struct report *r, const struct config *cfg)
{
    struct store_config sc = { .url = cfg->db };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    if (store_open(&sc, NULL, &st, &em) < 0) {
        say(r, FAIL, "channels", "cannot open the database: %s", em.text);
        return;
    }
    struct arena *ar = arena_new(4 << 20);
    struct channel *chs = NULL;
    size_t n = 0;
    int rc = store_channel_list(st, ar, &chs, &n);
    if (rc < 0) {
        say(r, FAIL, "channels", "cannot list them: %s", err_str(rc));
        goto out;
    }
    if (n == 0)
        say(r, WARN, "channels", "none yet: add one with `hark channel add` or the web app");
    for (size_t i = 0; i < n; i++) {
        char subject[32];
        snprintf(subject, sizeof(subject), "channel %lld", (long long)chs[i].id);
        const struct chan_ops *ops = chan_find(chs[i].type);
        if (!ops) {
            say(r, FAIL, subject, "'%s' has type '%s', which this hark does not know",
                chs[i].name, chs[i].type);
            continue;
        }
        char *norm = NULL;
        em = (struct errmsg){ 0 };
        if (ops->settings(chs[i].settings, &norm, &em) < 0)
            say(r, FAIL, subject, "'%s' (%s): %s: fix it in the web app (Channels) or the API",
                chs[i].name, chs[i].type, em.text);
        else
            say(r, OK, subject, "'%s' (%s) settings valid", chs[i].name, chs[i].type);
        free(norm);
    }
out:
    arena_free(ar);
    store_close(st);
}

int
cli_doctor(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: hark doctor [--config FILE] [--db PATH] [settings]\n\n"
                   "Checks a deployment with the settings `hark serve` would use: the database\n"
                   "(opens, quick_check, schema version; read-only, never migrated), free disk\n"
                   "space beside it (warn under 1 GiB or 10%%), the web app, the triage models,\n"
                   "the public URL (GET <public-url>/healthz, when a server answers on\n"
                   "'listen'), and every channel's settings. One line per check: ok, warn or\n"
                   "fail, and what to fix. Exit status 1 when a check fails, else 0.\n");
            return 0;
        }
    }
    struct config cfg;
    char *rest[REST_MAX];
    int nrest;
    struct errmsg em = { 0 };
    if (config_load(argc, argv, &cfg, rest, REST_MAX, &nrest, &em) < 0) {
        fprintf(stderr, "hark doctor: %s\n", em.text);
        return 2;
    }
    if (nrest > 0) {
        fprintf(stderr, "hark doctor: unknown argument '%s' (see --help)\n", rest[0]);
        return 2;
    }
    app_config_resolve(&cfg);
    fetch_global_init();
    struct report r = { 0 };
    bool current = check_database(&r, &cfg);
    check_disk(&r, &cfg);
    check_web_root(&r, &cfg);
    check_models(&r, &cfg);
    check_public_url(&r, &cfg);
    if (current)
        check_channels(&r, &cfg);
    else if (strstr(cfg.db, "://") && strncmp(cfg.db, "sqlite:", 7) != 0)
        say(&r, WARN, "channels", "not checked: hark doctor does not open a PostgreSQL store");
    else
        say(&r, WARN, "channels", "not checked: the database needs fixing first");
    fetch_global_cleanup();
    printf("%d failed, %d warnings\n", r.fails, r.warns);
    return r.fails ? 1 : 0;
}
