/* SPDX-License-Identifier: MIT */
/*
 * cli.c - the administrative subcommands: version, serve, agent (add, disable, enable,
 * passwd), token (create, list, revoke), channel, backup, restore, migrate (SQLite to
 * PostgreSQL).
 *
 * Each opens the app (store and care), does one thing, prints the result, and closes. They
 * work beside a running server: SQLite serializes the two processes' writes.
 */
#include "base/base.h"
#include "cli.h"

#include <unistd.h>

#include "app.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/jsonw.h"
#include "base/rand.h"
#include "buildinfo.h"
#include "channels/chan.h"
#include "care/care.h"
#include "store/store.h"

#define REST_MAX 32

int
cli_version(int argc, char **argv)
{
    bool verbose = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: hark version [--short]\n\n"
                   "Prints the version, the git revision and how this binary was built.\n");
            return 0;
        }
        if (strcmp(argv[i], "--short") == 0)
            verbose = false;
    }
    printf("hark %s (git %s)\n", buildinfo_version, buildinfo_git);
    if (!verbose)
        return 0;
#if defined(__SANITIZE_ADDRESS__)
    const char *flavour = "sanitizers (address, undefined)";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    const char *flavour = "sanitizers (address, undefined)";
#else
    const char *flavour = "release";
#endif
#else
    const char *flavour = "release";
#endif
    printf("build: %s%s\ncompiler: %s\nbuilt against: %s\ndata: %s\n", flavour,
#ifdef HARK_TEST_BUILD
           ", test hooks",
#else
           "",
#endif
           buildinfo_cc, buildinfo_libs, buildinfo_datadir);
    return 0;
}

static bool
wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

/* Loads the config; on error prints it and returns 2. */
static int
load(int argc, char **argv, struct config *cfg, char **rest, int *nrest)
{
    struct errmsg em = { 0 };
    if (config_load(argc, argv, cfg, rest, REST_MAX, nrest, &em) < 0) {
        fprintf(stderr, "hark %s: %s\n", argv[0], em.text);
        return 2;
    }
    return 0;
}

static int
open_app(struct app *app, const struct config *cfg, const char *cmd)
{
    struct errmsg em = { 0 };
    if (app_open(app, cfg, &em) < 0) {
        fprintf(stderr, "hark %s: %s\n", cmd, em.set ? em.text : "cannot open the database");
        app_close(app);
        return 1;
    }
    return 0;
}

/* Finds "--name value" in 'rest'; NULL when absent. Marks consumed entries NULL. */
static const char *
opt(char **rest, int nrest, const char *name)
{
    for (int i = 0; i < nrest; i++) {
        if (rest[i] && strcmp(rest[i], name) == 0 && i + 1 < nrest && rest[i + 1]) {
            const char *v = rest[i + 1];
            rest[i] = rest[i + 1] = NULL;
            return v;
        }
    }
    return NULL;
}

static bool
flag(char **rest, int nrest, const char *name)
{
    for (int i = 0; i < nrest; i++) {
        if (rest[i] && strcmp(rest[i], name) == 0) {
            rest[i] = NULL;
            return true;
        }
    }
    return false;
}

/* Reports any argument left unconsumed; returns 2 if so. */
static int
leftovers(const char *cmd, char **rest, int nrest, int from)
{
    for (int i = from; i < nrest; i++) {
        if (rest[i]) {
            fprintf(stderr, "hark %s: unknown argument '%s' (see --help)\n", cmd, rest[i]);
            return 2;
        }
    }
    return 0;
}

int
cli_serve(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    if (wants_help(argc, argv)) {
        printf("usage: hark serve [--listen ADDR:PORT] [--db PATH] [--config FILE] [options]\n"
               "       hark serve [options] --print-config [--commented]\n\n"
               "Runs the Hark server until SIGINT or SIGTERM. --print-config prints the\n"
               "effective settings and exits; with --commented, as a config file in which every\n"
               "setting is explained and commented out (the installed hark.conf).\n");
        config_usage(stdout);
        return 0;
    }
    if ((rc = load(argc, argv, &cfg, rest, &nrest)) != 0)
        return rc;
    if (flag(rest, nrest, "--print-config")) {
        bool commented = flag(rest, nrest, "--commented");
        if ((rc = leftovers("serve", rest, nrest, 0)) != 0)
            return rc;
        if (commented) {
            config_print_example(stdout);
            return 0;
        }
        app_config_resolve(&cfg);
        /* Nothing found means none is used: say so rather than print an empty value. */
        if (!cfg.models[0])
            snprintf(cfg.models, sizeof(cfg.models), "none");
        if (!cfg.web_root[0])
            snprintf(cfg.web_root, sizeof(cfg.web_root), "none");
        config_print(&cfg, stdout);
        return 0;
    }
    if ((rc = leftovers("serve", rest, nrest, 0)) != 0)
        return rc;
    app_signals_init();
    struct app app;
    if (open_app(&app, &cfg, "serve"))
        return 1;
    struct errmsg em = { 0 };
    if (app_start(&app, &em) < 0) {
        fprintf(stderr, "hark serve: %s\n", em.text);
        app_close(&app);
        return 1;
    }
    if (store_agent_count(app.st) == 0)
        fprintf(stderr, "hark serve: no agents yet; add one with `hark agent add --email E "
                        "--name N --role admin --password-stdin`\n");
    app_wait(&app);
    app_close(&app);
    return 0;
}

/* Reads a password from stdin (first line) or prompts when stdin is a terminal. */
static int
read_password(char *out, size_t n)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "password: ");
    if (!fgets(out, (int)n, stdin))
        return ERR_INVAL;
    size_t len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return len ? 0 : ERR_INVAL;
}

/* The first argument not consumed as an option; NULL when none. Marks it consumed. */
static const char *
positional(char **rest, int nrest)
{
    for (int i = 0; i < nrest; i++) {
        if (rest[i] && rest[i][0] != '-') {
            const char *v = rest[i];
            rest[i] = NULL;
            return v;
        }
    }
    return NULL;
}

/* Finds an agent by id or email ('who'); prints the error and returns < 0 when not found. */
static int
find_agent(struct app *app, struct arena *ar, const char *cmd, const char *who, struct agent *out)
{
    int64_t id;
    int rc;
    if (str_to_i64(str_c(who), 1, INT64_MAX, &id) == 0)
        rc = store_agent_get(app->st, ar, id, out);
    else
        rc = store_agent_by_email(app->st, ar, str_c(who), out);
    if (rc < 0)
        fprintf(stderr, "hark %s: %s '%s'\n", cmd,
                rc == ERR_NOTFOUND ? "no agent" : err_str(rc), who);
    return rc;
}

/* Records a change made from the command line in the audit log (actor "command line": the
 * CLI has no principal; whoever runs it can open the database). A failure is reported and
 * does not undo the change. */
static void
audited(struct app *app, const char *action, const char *type, int64_t id, const char *summary)
{
    struct audit_entry e = { .actor = "command line", .action = action, .target_type = type,
                             .target_id = id, .summary = summary, .request_id = "cli" };
    int rc = store_audit_add(app->st, &e, NULL, NULL);
    if (rc < 0)
        fprintf(stderr, "hark: the audit log entry was not written: %s\n", err_str(rc));
}

static const char agent_usage[] =
    "usage: hark agent add --email E --name N --role admin|supervisor|agent|store_staff\n"
    "                      [--display-name D] [--password-stdin] [--db PATH]\n"
    "       hark agent disable ID|EMAIL [--db PATH]\n"
    "       hark agent enable ID|EMAIL [--db PATH]\n"
    "       hark agent passwd ID|EMAIL [--password-stdin] [--db PATH]\n\n"
    "add      adds an agent. A supervisor may also reassign other agents' conversations;\n"
    "         store staff see only their store's conversations (the store is the agent's\n"
    "         location, set in the web app or PATCH /api/v1/agents/{id}/profile).\n"
    "disable  the agent can no longer log in; its sessions end at once and the API tokens\n"
    "         it created stop working (until enabled again).\n"
    "enable   undoes disable.\n"
    "passwd   sets a new password and ends all of the agent's sessions.\n\n"
    "With --password-stdin the password is read from standard input (one line); without it a\n"
    "random one is generated and printed once. Passwords need at least 12 characters and must\n"
    "not be in the list of common breached passwords.\n";

/* hark agent disable|enable|passwd ID|EMAIL */
static int
agent_change(const char *verb, struct config *cfg, char **rest, int nrest)
{
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "agent %s", verb);
    bool passwd = strcmp(verb, "passwd") == 0;
    bool from_stdin = passwd && flag(rest, nrest, "--password-stdin");
    const char *who = positional(rest, nrest);
    int rc = leftovers(cmd, rest, nrest, 0);
    if (rc != 0)
        return rc;
    if (!who) {
        fprintf(stderr, "hark %s: want an agent id or email (see --help)\n", cmd);
        return 2;
    }
    char password[AUTH_PASSWORD_MAX + 80];
    bool generated = false;
    if (passwd && from_stdin) {
        if (read_password(password, sizeof(password)) < 0) {
            fprintf(stderr, "hark %s: no password on standard input\n", cmd);
            return 2;
        }
    } else if (passwd) {
        rand_hex(password, 12);
        generated = true;
    }
    struct app app;
    if (open_app(&app, cfg, cmd))
        return 1;
    struct arena *ar = arena_new(64 * 1024);
    struct agent ag;
    int64_t ended = 0;
    struct errmsg em = { 0 };
    rc = find_agent(&app, ar, cmd, who, &ag);
    if (rc == 0 && passwd)
        rc = auth_agent_set_password(care_auth(app.care), ag.id, str_c(password), &ended, &em);
    else if (rc == 0)
        rc = auth_agent_set_disabled(care_auth(app.care), ag.id, strcmp(verb, "disable") == 0, &ended);
    if (rc == 0) {
        char what[600];
        snprintf(what, sizeof(what), "Agent \"%s\" %s from the command line", ag.name,
                 passwd ? "password reset" : strcmp(verb, "disable") == 0 ? "disabled" : "enabled");
        audited(&app, passwd ? "agent.password" : strcmp(verb, "disable") == 0 ? "agent.disable"
                                                                                : "agent.enable",
                "agent", ag.id, what);
    }
    if (rc < 0 && rc != ERR_NOTFOUND)
        fprintf(stderr, "hark %s: %s\n", cmd, em.set ? em.text : err_str(rc));
    else if (rc == 0)
        printf("agent %lld %s: %s; %lld session(s) ended\n", (long long)ag.id,
               passwd ? "password set" : strcmp(verb, "disable") == 0 ? "disabled" : "enabled",
               ag.email, (long long)ended);
    if (rc == 0 && generated)
        printf("password: %s\n", password);
    arena_free(ar);
    app_close(&app);
    return rc < 0 ? 1 : 0;
}

int
cli_agent(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    const char *verb = argc >= 2 ? argv[1] : "";
    bool known = strcmp(verb, "add") == 0 || strcmp(verb, "disable") == 0 ||
                 strcmp(verb, "enable") == 0 || strcmp(verb, "passwd") == 0;
    if (argc < 2 || wants_help(argc, argv) || !known) {
        fputs(agent_usage, stdout);
        return argc < 2 || !wants_help(argc, argv) ? 2 : 0;
    }
    if ((rc = load(argc - 1, argv + 1, &cfg, rest, &nrest)) != 0)
        return rc;
    if (strcmp(verb, "add") != 0)
        return agent_change(verb, &cfg, rest, nrest);
    struct agent a = { 0 };
    a.email = opt(rest, nrest, "--email");
    a.name = opt(rest, nrest, "--name");
    a.role = opt(rest, nrest, "--role");
    a.display_name = opt(rest, nrest, "--display-name");
    a.bio = opt(rest, nrest, "--bio");
    a.avatar_url = opt(rest, nrest, "--avatar-url");
    bool from_stdin = flag(rest, nrest, "--password-stdin");
    if ((rc = leftovers("agent add", rest, nrest, 0)) != 0)
        return rc;
    if (!a.email || !a.name) {
        fprintf(stderr, "hark agent add: --email and --name are required\n");
        return 2;
    }
    if (!a.role)
        a.role = "agent";
    if (!model_agent_role_valid(str_c(a.role))) {
        fprintf(stderr, "hark agent add: invalid --role '%s': want admin, supervisor, agent or "
                        "store_staff\n", a.role);
        return 2;
    }
    if (!a.display_name) {
        /* Customers see the first name by default. */
        static char first[128];
        snprintf(first, sizeof(first), "%s", a.name);
        char *sp = strchr(first, ' ');
        if (sp)
            *sp = '\0';
        a.display_name = first;
    }
    char password[AUTH_PASSWORD_MAX + 80];
    bool generated = false;
    if (from_stdin) {
        if (read_password(password, sizeof(password)) < 0) {
            fprintf(stderr, "hark agent add: no password on standard input\n");
            return 2;
        }
    } else {
        rand_hex(password, 12);
        generated = true;
    }
    struct app app;
    if (open_app(&app, &cfg, "agent add"))
        return 1;
    struct errmsg em = { 0 };
    int64_t id;
    rc = auth_agent_add(care_auth(app.care), &a, str_c(password), &id, &em);
    if (rc == 0) {
        char what[1200]; /* names and emails are at most MODEL_NAME_MAX: never cut */
        snprintf(what, sizeof(what), "Agent \"%s\" created from the command line (%s, %s)",
                 a.name, a.email, a.role);
        audited(&app, "agent.create", "agent", id, what);
    }
    app_close(&app);
    if (rc < 0) {
        fprintf(stderr, "hark agent add: %s\n", em.set ? em.text : err_str(rc));
        return 1;
    }
    printf("agent %lld added: %s (%s)\n", (long long)id, a.email, a.role);
    if (generated)
        printf("password: %s\n", password);
    return 0;
}

static const char token_usage[] =
    "usage: hark token create --name N [--role admin|agent] [--expires-days DAYS] [--db PATH]\n"
    "       hark token list [--db PATH]\n"
    "       hark token revoke ID [--db PATH]\n\n"
    "create  creates an API token for integrations and prints it once; use it as\n"
    "        'Authorization: Bearer <token>'. Without --expires-days it never expires.\n"
    "list    shows every token (never the secret): id, name, role, status, times.\n"
    "revoke  makes the token fail with 401 at once; it stays in the list as revoked.\n";

static void
fmt_time(int64_t ms, char *out, size_t n)
{
    if (ms)
        clock_fmt_iso(ms, out, n);
    else
        snprintf(out, n, "-");
}

static int
token_list(struct app *app)
{
    struct arena *ar = arena_new(1 << 20);
    struct api_token *v;
    size_t n;
    int rc = store_token_list(app->st, ar, &v, &n);
    if (rc < 0) {
        fprintf(stderr, "hark token list: %s\n", err_str(rc));
        arena_free(ar);
        return 1;
    }
    int64_t now = clock_now_ms();
    printf("%-5s %-20s %-6s %-14s %-24s %-24s %s\n", "ID", "NAME", "ROLE", "STATUS", "CREATED",
           "LAST_USED", "EXPIRES");
    for (size_t i = 0; i < n; i++) {
        const struct api_token *t = &v[i];
        char created[40], used[40], expires[40];
        fmt_time(t->created_at, created, sizeof(created));
        fmt_time(t->last_used_at, used, sizeof(used));
        fmt_time(t->expires_at, expires, sizeof(expires));
        const char *status = t->revoked_at                             ? "revoked"
                             : t->expires_at && now >= t->expires_at ? "expired"
                             : t->owner_disabled                     ? "owner_disabled"
                                                                     : "active";
        printf("%-5lld %-20s %-6s %-14s %-24s %-24s %s\n", (long long)t->id, t->name, t->role,
               status, created, used, expires);
    }
    arena_free(ar);
    return 0;
}

int
cli_token(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    const char *verb = argc >= 2 ? argv[1] : "";
    bool known = strcmp(verb, "create") == 0 || strcmp(verb, "list") == 0 ||
                 strcmp(verb, "revoke") == 0;
    if (argc < 2 || wants_help(argc, argv) || !known) {
        fputs(token_usage, stdout);
        return argc < 2 || !wants_help(argc, argv) ? 2 : 0;
    }
    if ((rc = load(argc - 1, argv + 1, &cfg, rest, &nrest)) != 0)
        return rc;
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "token %s", verb);
    if (strcmp(verb, "list") == 0 || strcmp(verb, "revoke") == 0) {
        const char *idtext = verb[0] == 'r' ? positional(rest, nrest) : NULL;
        if ((rc = leftovers(cmd, rest, nrest, 0)) != 0)
            return rc;
        int64_t id = 0;
        if (verb[0] == 'r' && (!idtext || str_to_i64(str_c(idtext), 1, INT64_MAX, &id) < 0)) {
            fprintf(stderr, "hark token revoke: want a token id (see `hark token list`)\n");
            return 2;
        }
        struct app app;
        if (open_app(&app, &cfg, cmd))
            return 1;
        if (verb[0] == 'l') {
            rc = token_list(&app);
        } else {
            rc = store_token_revoke(app.st, id);
            if (rc == 0)
                audited(&app, "token.revoke", "token", id,
                        "API token revoked from the command line");
            if (rc < 0)
                fprintf(stderr, "hark token revoke: %s %lld\n",
                        rc == ERR_NOTFOUND ? "no token" : err_str(rc), (long long)id);
            else
                printf("token %lld revoked\n", (long long)id);
            rc = rc < 0 ? 1 : 0;
        }
        app_close(&app);
        return rc;
    }
    const char *name = opt(rest, nrest, "--name");
    const char *role = opt(rest, nrest, "--role");
    const char *days_text = opt(rest, nrest, "--expires-days");
    if ((rc = leftovers("token create", rest, nrest, 0)) != 0)
        return rc;
    if (!name || !name[0]) {
        fprintf(stderr, "hark token create: --name is required\n");
        return 2;
    }
    if (!role)
        role = "admin";
    if (!model_role_valid(str_c(role))) {
        fprintf(stderr, "hark token create: invalid --role '%s': want admin or agent\n", role);
        return 2;
    }
    int64_t days = 0;
    if (days_text && str_to_i64(str_c(days_text), 1, 3650, &days) < 0) {
        fprintf(stderr, "hark token create: invalid --expires-days '%s': want 1..3650\n",
                days_text);
        return 2;
    }
    struct app app;
    if (open_app(&app, &cfg, "token create"))
        return 1;
    char token[80];
    int64_t id;
    struct api_token t = { .name = name, .role = role };
    if (days)
        t.expires_at = clock_now_ms() + days * 24LL * 3600 * 1000;
    struct errmsg em = { 0 };
    rc = auth_token_create(care_auth(app.care), &t, token, sizeof(token), &id, &em);
    if (rc == 0) {
        char what[600];
        snprintf(what, sizeof(what), "API token \"%s\" (%s) created from the command line", name,
                 role);
        audited(&app, "token.create", "token", id, what);
    }
    app_close(&app);
    if (rc < 0) {
        fprintf(stderr, "hark token create: %s\n", em.set ? em.text : err_str(rc));
        return 1;
    }
    printf("%s\n", token);
    fprintf(stderr, "token %lld '%s' (%s) created; it is shown only now\n", (long long)id, name,
            role);
    return 0;
}

int
cli_channel(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    if (argc < 2 || wants_help(argc, argv) || strcmp(argv[1], "add") != 0) {
        printf("usage: hark channel add --type T --name N [--callback-url URL]\n"
               "                        [--setting KEY=VALUE]... [--settings JSON] [--db PATH]\n\n"
               "Adds a channel and prints its id, webhook URL and signing secret (once).\n"
               "Per-type settings (docs/channels.md) come as repeated --setting KEY=VALUE\n"
               "(string values) or as one --settings JSON object.\n");
        return argc < 2 || !wants_help(argc, argv) ? 2 : 0;
    }
    if ((rc = load(argc - 1, argv + 1, &cfg, rest, &nrest)) != 0)
        return rc;
    const char *type = opt(rest, nrest, "--type");
    const char *name = opt(rest, nrest, "--name");
    const char *callback = opt(rest, nrest, "--callback-url");
    const char *json_settings = opt(rest, nrest, "--settings");
    /* Repeated --setting KEY=VALUE pairs become one JSON object of strings. */
    struct buf pairs;
    buf_init(&pairs, 16 * 1024);
    for (const char *kv; (kv = opt(rest, nrest, "--setting"));) {
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            fprintf(stderr, "hark channel add: invalid --setting '%s': want KEY=VALUE\n", kv);
            buf_release(&pairs);
            return 2;
        }
        buf_addc(&pairs, pairs.len ? ',' : '{');
        jsonw_str(&pairs, (struct str){ kv, (size_t)(eq - kv) });
        buf_addc(&pairs, ':');
        jsonw_cstr(&pairs, eq + 1);
    }
    if (pairs.len)
        buf_addc(&pairs, '}');
    if (buf_error(&pairs) < 0) {
        fprintf(stderr, "hark channel add: --setting values too long\n");
        buf_release(&pairs);
        return 2;
    }
    rc = leftovers("channel add", rest, nrest, 0);
    if (rc == 0 && (callback != NULL) + (json_settings != NULL) + (pairs.len > 0) > 1) {
        fprintf(stderr, "hark channel add: use one of --callback-url, --setting, --settings\n");
        rc = 2;
    }
    if (rc != 0) {
        buf_release(&pairs);
        return rc;
    }
    if (!type || !name || !name[0]) {
        fprintf(stderr, "hark channel add: --type and --name are required\n");
        buf_release(&pairs);
        return 2;
    }
    const struct chan_ops *ops = chan_find(type);
    if (!ops) {
        fprintf(stderr, "hark channel add: unknown --type '%s'\n", type);
        buf_release(&pairs);
        return 2;
    }
    char in[2200] = "{}";
    if (callback) {
        if (strlen(callback) > 2000 || strchr(callback, '"') || strchr(callback, '\\')) {
            fprintf(stderr, "hark channel add: invalid --callback-url\n");
            buf_release(&pairs);
            return 2;
        }
        snprintf(in, sizeof(in), "{\"callback_url\":\"%s\"}", callback);
    }
    char *settings = NULL;
    struct errmsg em = { 0 };
    rc = ops->settings(json_settings ? json_settings : pairs.len ? pairs.p : in, &settings, &em);
    buf_release(&pairs);
    if (rc < 0) {
        fprintf(stderr, "hark channel add: %s\n", em.text);
        return 2;
    }
    struct app app;
    if (open_app(&app, &cfg, "channel add")) {
        free(settings);
        return 1;
    }
    char secret[65];
    rand_hex(secret, 32);
    struct channel ch = { .type = type, .name = name, .secret = secret, .settings = settings };
    int64_t id;
    rc = store_channel_add(app.st, &ch, &id);
    if (rc == 0) {
        char what[600];
        snprintf(what, sizeof(what), "Channel \"%s\" (%s) created from the command line", name,
                 type);
        audited(&app, "channel.create", "channel", id, what);
    }
    app_close(&app);
    char *settings_shown = settings;
    if (rc < 0) {
        free(settings);
        fprintf(stderr, "hark channel add: %s\n", err_str(rc));
        return 1;
    }
    char addr[64];
    int port;
    config_listen(&cfg, addr, sizeof(addr), &port);
    printf("id: %lld\n", (long long)id);
    if (cfg.public_url[0])
        printf("webhook_url: %s/hooks/%lld\n", cfg.public_url, (long long)id);
    else
        printf("webhook_url: http://%s:%d/hooks/%lld\n", addr, port, (long long)id);
    printf("secret: %s\n", secret);
    /* Meta's handshake token, to paste into the app dashboard with the URL. Meta
     * adapters accept tokens without quotes or backslashes, so the JSON text is the value. */
    const char *vt = settings_shown ? strstr(settings_shown, "\"verify_token\":\"") : NULL;
    if (vt) {
        vt += strlen("\"verify_token\":\"");
        printf("verify_token: %.*s\n", (int)strcspn(vt, "\""), vt);
    }
    free(settings_shown);
    return 0;
}

/* ---- backup and restore ----------------------------------------------------------------- */

struct progress_line {
    const char *verb;
    const char *unit; /* "MB" (bytes) or "pages" */
    bool tty;
    int last_pct;
};

static void
show_progress(void *arg, uint64_t done, uint64_t total)
{
    struct progress_line *p = arg;
    if (!p->tty || total == 0)
        return;
    int pct = done >= total ? 100 : (int)(done * 100 / total);
    if (pct == p->last_pct)
        return;
    p->last_pct = pct;
    if (strcmp(p->unit, "MB") == 0)
        fprintf(stderr, "\r%s: %3d%% (%.1f of %.1f MB)", p->verb, pct, (double)done / 1e6,
                (double)total / 1e6);
    else
        fprintf(stderr, "\r%s: %3d%% (%llu of %llu pages)", p->verb, pct,
                (unsigned long long)done, (unsigned long long)total);
}

int
cli_backup(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    if (wants_help(argc, argv)) {
        printf("usage: hark backup [--db PATH] FILE\n\n"
               "Writes a consistent copy of the database into FILE (a new file), online: the\n"
               "server may keep running and writing. Restore it with `hark restore`.\n");
        return 0;
    }
    if ((rc = load(argc, argv, &cfg, rest, &nrest)) != 0)
        return rc;
    const char *file = positional(rest, nrest);
    if ((rc = leftovers("backup", rest, nrest, 0)) != 0)
        return rc;
    if (!file) {
        fprintf(stderr, "hark backup: which FILE? (see --help)\n");
        return 2;
    }
    struct store_config scfg = { .url = cfg.db };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    if (store_open(&scfg, NULL, &st, &em) < 0) {
        fprintf(stderr, "hark backup: %s\n", em.set ? em.text : "cannot open the database");
        return 1;
    }
    struct progress_line p = { "backing up", "MB", isatty(STDERR_FILENO), -1 };
    rc = store_backup(st, file, show_progress, &p, &em);
    store_close(st);
    if (p.tty && p.last_pct >= 0)
        fprintf(stderr, "\n");
    if (rc < 0) {
        fprintf(stderr, "hark backup: %s\n", em.set ? em.text : err_str(rc));
        return 1;
    }
    fprintf(stderr, "backup of '%s' written to '%s'\n", cfg.db, file);
    return 0;
}

int
cli_restore(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    if (wants_help(argc, argv)) {
        printf("usage: hark restore [--db PATH] [--force] FILE\n\n"
               "Replaces the database with the backup FILE, after checking that FILE is an\n"
               "intact Hark database. Stop the server first (restore refuses while the\n"
               "database is in use). An existing database is replaced only with --force.\n");
        return 0;
    }
    if ((rc = load(argc, argv, &cfg, rest, &nrest)) != 0)
        return rc;
    bool force = flag(rest, nrest, "--force");
    const char *file = positional(rest, nrest);
    if ((rc = leftovers("restore", rest, nrest, 0)) != 0)
        return rc;
    if (!file) {
        fprintf(stderr, "hark restore: which FILE? (see --help)\n");
        return 2;
    }
    if (strncmp(cfg.db, "postgres://", 11) == 0 || strncmp(cfg.db, "postgresql://", 13) == 0) {
        fprintf(stderr, "hark restore: a PostgreSQL store is restored with pg_restore (see "
                        "docs/scale.md), not by hark restore\n");
        return 1;
    }
    const char *path = strncmp(cfg.db, "sqlite:", 7) == 0 ? cfg.db + 7 : cfg.db;
    if (!force && access(path, F_OK) == 0) {
        fprintf(stderr, "hark restore: '%s' exists; add --force to replace it\n", path);
        return 1;
    }
    struct errmsg em = { 0 };
    struct progress_line p = { "restoring", "pages", isatty(STDERR_FILENO), -1 };
    rc = store_restore(cfg.db, file, show_progress, &p, &em);
    if (p.tty && p.last_pct >= 0)
        fprintf(stderr, "\n");
    if (rc < 0) {
        fprintf(stderr, "hark restore: %s\n", em.set ? em.text : err_str(rc));
        return 1;
    }
    fprintf(stderr, "'%s' restored from '%s'\n", path, file);
    return 0;
}

/* ---- migrate: SQLite to PostgreSQL ------------------------------------------------------- */

struct copy_progress {
    bool tty;
    const char *table; /* the table the last line was about */
    int last_pct;
};

static void
show_copy(void *arg, const char *table, uint64_t done, uint64_t total)
{
    struct copy_progress *p = arg;
    int pct = total == 0 || done >= total ? 100 : (int)(done * 100 / total);
    bool same = p->table && strcmp(p->table, table) == 0;
    if (same && pct == p->last_pct)
        return;
    if (p->tty) {
        if (p->table && !same)
            fprintf(stderr, "\n");
        fprintf(stderr, "\rcopying %-24s %3d%% (%llu of %llu rows)", table, pct,
                (unsigned long long)done, (unsigned long long)total);
    } else if (pct == 100) {
        fprintf(stderr, "copied %s: %llu rows\n", table, (unsigned long long)done);
    }
    p->table = table;
    p->last_pct = pct;
}

int
cli_migrate(int argc, char **argv)
{
    struct config cfg;
    char *rest[REST_MAX];
    int nrest, rc;
    if (wants_help(argc, argv)) {
        printf("usage: hark migrate --from sqlite:PATH --to postgres://USER@HOST:PORT/DB\n\n"
               "Moves a brand from the embedded SQLite store to PostgreSQL: every row of every\n"
               "table, in one PostgreSQL transaction (all or nothing), with progress per table,\n"
               "then counts every table on both sides and prints the verification. The\n"
               "PostgreSQL database must be empty (a second run is refused) and its role must\n"
               "be allowed to set session_replication_role (a superuser, or PostgreSQL 15's\n"
               "GRANT SET ON PARAMETER session_replication_role TO ROLE). Stop the servers on\n"
               "the SQLite file first: rows written during the copy would be left behind.\n"
               "See docs/scale.md.\n");
        return 0;
    }
    if ((rc = load(argc, argv, &cfg, rest, &nrest)) != 0)
        return rc;
    const char *from = opt(rest, nrest, "--from");
    const char *to = opt(rest, nrest, "--to");
    if ((rc = leftovers("migrate", rest, nrest, 0)) != 0)
        return rc;
    if (!from || !to) {
        fprintf(stderr, "hark migrate: want --from sqlite:PATH and --to postgres://... "
                        "(see --help)\n");
        return 2;
    }
    if (strncmp(to, "postgres://", 11) != 0 && strncmp(to, "postgresql://", 13) != 0) {
        fprintf(stderr, "hark migrate: --to must be a postgres:// URL\n");
        return 2;
    }
    const char *path = strncmp(from, "sqlite:", 7) == 0 ? from + 7 : from;
    if (strstr(from, "://") || access(path, R_OK) != 0) {
        fprintf(stderr, "hark migrate: --from must be an existing SQLite file ('%s')\n", from);
        return 2;
    }
    struct store_config fcfg = { .url = from }, tcfg = { .url = to };
    struct store *src = NULL, *dst = NULL;
    struct errmsg em = { 0 };
    if (store_open(&fcfg, NULL, &src, &em) < 0) {
        fprintf(stderr, "hark migrate: %s\n", em.set ? em.text : "cannot open the SQLite file");
        return 1;
    }
    if (store_open(&tcfg, NULL, &dst, &em) < 0) {
        fprintf(stderr, "hark migrate: %s\n", em.set ? em.text : "cannot open PostgreSQL");
        store_close(src);
        return 1;
    }
    struct arena *ar = arena_new(64 * 1024);
    struct copy_progress p = { .tty = isatty(STDERR_FILENO), .last_pct = -1 };
    struct store_copy_table *v = NULL;
    size_t n = 0;
    int64_t t0 = clock_now_ms();
    rc = store_copy(src, dst, ar, show_copy, &p, &v, &n, &em);
    if (p.tty && p.table)
        fprintf(stderr, "\n");
    store_close(src);
    store_close(dst);
    if (rc < 0) {
        fprintf(stderr, "hark migrate: %s; nothing was copied\n", em.set ? em.text : err_str(rc));
        arena_free(ar);
        return 1;
    }
    int64_t total = 0, bad = 0;
    printf("%-28s %12s %12s\n", "table", "sqlite", "postgres");
    for (size_t i = 0; i < n; i++) {
        bool same = v[i].from_rows == v[i].to_rows;
        printf("%-28s %12lld %12lld%s\n", v[i].name, (long long)v[i].from_rows,
               (long long)v[i].to_rows, same ? "" : "  DIFFERS");
        total += v[i].to_rows;
        bad += !same;
    }
    printf("verified: %zu tables, %lld rows, %lld differ, in %.1f s\n", n, (long long)total,
           (long long)bad, (double)(clock_now_ms() - t0) / 1000.0);
    arena_free(ar);
    return bad ? 1 : 0;
}
