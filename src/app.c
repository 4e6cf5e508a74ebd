/* SPDX-License-Identifier: MIT */
/*
 * app.c - opening, serving and closing Hark's services in the right order.
 */
#include "base/base.h"
#include "app.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include "api/api.h"
#include "buildinfo.h"
#include "base/hub.h"
#include "base/log.h"
#include "bus/bus.h"
#include "care/care.h"
#include "classify/classify.h"
#include "fetch/fetch.h"
#include "http/http.h"
#include "store/store.h"

static void open_models(struct app *app);

/* True for a PostgreSQL store URL: no file of its own beside which Hark could keep others. */
static bool
db_is_pg(const char *db)
{
    return strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0;
}

/* 'db' as it may be logged: a PostgreSQL URL's password (postgres://user:PASSWORD@host) as
 * "***". */
static const char *
db_for_log(const char *db, char *out, size_t n)
{
    const char *user = strstr(db, "://");
    if (!db_is_pg(db) || !user)
        return db;
    user += 3;
    const char *at = user + strcspn(user, "@/?");
    const char *colon = memchr(user, ':', (size_t)(at - user));
    if (*at != '@' || !colon)
        return db;
    snprintf(out, n, "%.*s***%s", (int)(colon + 1 - db), db, at);
    return out;
}

void
app_signals_init(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int
app_open(struct app *app, const struct config *cfg, struct errmsg *em)
{
    memset(app, 0, sizeof(*app));
    app->cfg = *cfg;
    char public_url[sizeof(cfg->public_url)];
    memcpy(public_url, cfg->public_url, sizeof(public_url));
    app_config_resolve(&app->cfg);
    /* An unset public URL follows the bound port (app_start), not the configured one. */
    memcpy(app->cfg.public_url, public_url, sizeof(public_url));
    if (log_set_level(cfg->log_level) < 0)
        return errmsg_set(em, ERR_INVAL, "invalid 'log-level': want error, warn, info or debug");
    fetch_global_init();
    struct store_config sc = { .url = cfg->db };
    app->hub = hub_new(4096, 0);
    int rc = store_open(&sc, app->hub, &app->st, em);
    if (rc < 0)
        return rc;
    /* Nothing is published before requests arrive, so the hub can start at the newest
     * persisted event now. */
    hub_set_last(app->hub, store_last_event_seq(app->st));
    struct care_config cc = {
        .auth = { .session_idle_ms = cfg->session_idle_min * 60000,
                  .session_absolute_ms = cfg->session_max_hours * 3600000,
                  .login_max_per_account = (int)cfg->login_max_failures,
                  .login_max_per_client = (int)cfg->login_max_failures * 4,
                  .login_max_account_global = (int)cfg->login_account_max_failures,
                  .verify_max = (int)cfg->login_verify_max },
        .outbox_max_attempts = (int)cfg->outbox_max_attempts,
        .outbox_base_ms = cfg->outbox_retry_ms,
    };
    rc = care_new(&cc, app->st, app->hub, &app->care);
    if (rc == 0)
        open_models(app);
    return rc;
}

bool
app_find_beside_binary(const char *rel, const char *probe, char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return false;
    exe[len] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            return false;
        *slash = '\0';
        char candidate[PATH_MAX + 64];
        snprintf(candidate, sizeof(candidate), "%s/%s/%s", exe, rel, probe);
        if (access(candidate, R_OK) == 0 && strlen(exe) + strlen(rel) + 2 <= n) {
            snprintf(out, n, "%s/%s", exe, rel);
            return true;
        }
    }
    return false;
}

/* Writes DATADIR/rel to 'out' when DATADIR/rel/probe exists (an installed hark). */
static bool
find_in_datadir(const char *rel, const char *probe, char *out, size_t n)
{
    char dir[PATH_MAX], candidate[PATH_MAX + 64];
    if (!buildinfo_datadir[0])
        return false;
    int len = snprintf(dir, sizeof(dir), "%s/%s", buildinfo_datadir, rel);
    if (len < 0 || (size_t)len >= n || (size_t)len >= sizeof(dir))
        return false;
    snprintf(candidate, sizeof(candidate), "%s/%s", dir, probe);
    if (access(candidate, R_OK) != 0)
        return false;
    memcpy(out, dir, (size_t)len + 1);
    return true;
}

void
app_config_resolve(struct config *cfg)
{
    if (!cfg->web_root[0] &&
        !app_find_beside_binary("web/dist", "index.html", cfg->web_root, sizeof(cfg->web_root)))
        find_in_datadir("web", "index.html", cfg->web_root, sizeof(cfg->web_root));
    if (!cfg->models[0] &&
        !app_find_beside_binary("build/models", "intent.bin", cfg->models, sizeof(cfg->models)) &&
        !app_find_beside_binary("models", "intent.bin", cfg->models, sizeof(cfg->models)))
        find_in_datadir("models", "intent.bin", cfg->models, sizeof(cfg->models));
    if (!cfg->triage_data[0] &&
        !app_find_beside_binary("build/classify-data", "intent.all", cfg->triage_data,
                                sizeof(cfg->triage_data)))
        find_in_datadir("classify-data", "intent.all", cfg->triage_data,
                        sizeof(cfg->triage_data));
    if (!cfg->public_url[0])
        snprintf(cfg->public_url, sizeof(cfg->public_url), "http://%s", cfg->listen);
}

/* Triage models: cfg->models as resolved by app_config_resolve ("none" or empty: no triage).
 * Retrained versions live beside the database (DB.models/); the shipped training sets they
 * learn from are cfg->triage_data. */
static void
open_models(struct app *app)
{
    const char *dir = app->cfg.models;
    if (strcmp(dir, "none") == 0)
        return;
    if (!dir[0]) {
        log_warn("main", "no triage models found; messages are stored untriaged", "%s", "");
        return;
    }
    const char *db = strncmp(app->cfg.db, "sqlite:", 7) == 0 ? app->cfg.db + 7 : app->cfg.db;
    char versions[sizeof(app->cfg.db) + 16];
    bool on_disk = strcmp(db, ":memory:") != 0 && !db_is_pg(db);
    snprintf(versions, sizeof(versions), "%s.models", db);
    struct care_models_config mc = { .shipped_dir = dir,
                                     .data_dir = app->cfg.triage_data,
                                     .versions_dir = on_disk ? versions : NULL,
                                     .retrain_hours = (int)app->cfg.triage_retrain_hours };
    struct errmsg em = { 0 };
    if (care_models_open(app->care, &mc, &em) < 0) {
        log_warn("main", "cannot load triage models; messages are stored untriaged",
                 "dir=\"%s\" err=\"%s\"", dir, em.text);
        return;
    }
    log_info("main", "triage models loaded", "dir=\"%s\"", dir);
}

int
app_start(struct app *app, struct errmsg *em)
{
    char addr[64];
    const char *web_root = app->cfg.web_root;
    int port;
    config_listen(&app->cfg, addr, sizeof(addr), &port);
    if (!app->cfg.metrics_token[0] && strncmp(addr, "127.", 4) != 0 &&
        strcmp(addr, "localhost") != 0)
        log_warn("main", "metrics open to the network: set metrics-token", "listen=%s",
                 app->cfg.listen);
    if (app->cfg.nats[0]) {
        /* Before anything serves: from here on the store writer hands events to the bus,
         * which brings every instance's events to this hub in sequence order. */
        struct bus_config bc = { .url = app->cfg.nats };
        int rc = bus_open(&bc, app->hub, app->st, &app->bus, em);
        if (rc < 0)
            return rc;
        store_set_publisher(app->st, bus_committed, app->bus);
    }
    struct api_config ac = { .public_url = app->cfg.public_url,
                             .secure_cookies = app->cfg.secure_cookies,
                             .heartbeat_ms = (int)app->cfg.sse_heartbeat_ms,
                             .max_streams = (unsigned)app->cfg.max_streams,
                             .web_root = web_root[0] ? web_root : NULL,
                             .metrics_token = app->cfg.metrics_token };
    /* The public URL needs the bound port, so build the API after binding: start the server
     * on the routes of a provisional API, then fill in the URL. */
    int rc = api_new(&ac, app->st, app->care, app->hub, &app->api);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot build the API");
    size_t nroutes;
    const struct http_route *routes = api_routes(app->api, &nroutes);
    struct http_config hc = {
        .addr = addr,
        .port = port,
        .max_conns = (unsigned)app->cfg.max_connections,
        .max_per_client = (unsigned)app->cfg.max_connections_per_client,
        .request_timeout_ms = (unsigned)app->cfg.request_timeout_ms,
        .threads = (unsigned)app->cfg.http_threads,
        .workers = (unsigned)app->cfg.http_workers,
        /* 0 would mean the default; the smallest real wait is 1 ms. */
        .drain_ms = app->cfg.drain_timeout_ms ? (unsigned)app->cfg.drain_timeout_ms : 1,
        .access_log = app->cfg.access_log,
    };
    rc = http_server_start(&hc, routes, nroutes, &app->http);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot listen on %s (in use, or not a local IPv4 address?)",
                          app->cfg.listen);
    api_set_server(app->api, app->http);
    api_set_bus(app->api, app->bus);
    snprintf(app->url, sizeof(app->url), "http://%s:%d", addr, http_server_port(app->http));
    api_set_public_url(app->api, app->cfg.public_url[0] ? app->cfg.public_url : app->url);
    rc = care_outbox_start(app->care);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot start the outbox worker");
    rc = care_poller_start(app->care, app->cfg.mail_poll_ms);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot start the mail poller");
    rc = routing_timers_start(care_routing(app->care)); /* SLA timers, routing queue */
    if (rc < 0)
        return errmsg_set(em, rc, "cannot start the timers worker");
    /* Listening: source cursor files live beside an SQLite database; on PostgreSQL (and in
     * memory) a source resumes from the cursor in the database alone. */
    const char *db = strncmp(app->cfg.db, "sqlite:", 7) == 0 ? app->cfg.db + 7 : app->cfg.db;
    bool on_disk = strcmp(db, ":memory:") != 0 && !db_is_pg(db);
    struct watch_config lc = { .brand_handles = app->cfg.brand_handles,
                                     .cursor_prefix = on_disk ? db : NULL,
                                     .bucket_ms = app->cfg.listen_bucket_ms };
    rc = care_watch_start(app->care, &lc, em);
    if (rc < 0)
        return rc;
    char shown[sizeof(app->cfg.db)];
    log_info("main", "listening", "url=%s db=\"%s\"", app->url,
             db_for_log(app->cfg.db, shown, sizeof(shown)));
    return 0;
}

void
app_wait(struct app *app)
{
    (void)app;
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    log_info("main", "stopping", "signal=%d", sig);
}

void
app_close(struct app *app)
{
    if (app->api)
        api_shutdown(app->api);
    http_server_stop(app->http);
    if (app->care)
        care_poller_stop(app->care);
    if (app->care)
        care_watch_stop(app->care);
    care_free(app->care);
    api_free(app->api);
    bus_stop(app->bus); /* the writer's last events go to the hub directly */
    store_close(app->st);
    bus_free(app->bus);
    hub_free(app->hub);
    fetch_global_cleanup();
    memset(app, 0, sizeof(*app));
}
