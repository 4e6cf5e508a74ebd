/* SPDX-License-Identifier: MIT */
/*
 * config.c - the settings table and its three sources (file, environment, argv).
 */
#include "base/base.h"
#include "config.h"

#include <ctype.h>
#include <stddef.h>

#include "base/str.h"

enum kind { STRING, INT, BOOL };

struct key {
    const char *name;
    enum kind kind;
    size_t offset, size;
    const char *def;
    int64_t min, max;
    const char *help;
};

#define S(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)

static const struct key keys[] = {
    { "listen", STRING, S(listen), "127.0.0.1:8080", 0, 0, "address and port to serve on" },
    { "db", STRING, S(db), "hark.db", 0, 0, "database: an SQLite path, sqlite:PATH or postgres://USER@HOST[:PORT]/NAME" },
    { "nats", STRING, S(nats), "", 0, 0,
      "NATS JetStream URL (nats://HOST:PORT) carrying events between instances that share one "
      "database; empty: this instance alone (docs/scale.md)" },
    { "public-url", STRING, S(public_url), "", 0, 0,
      "base URL platforms reach Hark at (default http://LISTEN)" },
    { "log-level", STRING, S(log_level), "info", 0, 0, "error, warn, info or debug" },
    { "web-root", STRING, S(web_root), "", 0, 0, "folder of the built web app (default: web/dist beside the binary, else the installed "
      "share/hark/web)" },
    { "models", STRING, S(models), "", 0, 0,
      "folder of the triage models (default: build/models beside the binary, else the installed "
      "share/hark/models; none: no triage)" },
    { "triage-data", STRING, S(triage_data), "", 0, 0,
      "folder of the shipped triage training sets that retraining learns from (default: "
      "build/classify-data beside the binary, else the installed share/hark/classify-data)" },
    { "triage-retrain-hours", INT, S(triage_retrain_hours), "0", 0, 8760,
      "retrain the triage models from agents' corrections every N hours (a new version goes "
      "live only if it scores better); 0: only when an admin asks" },
    { "session-idle-min", INT, S(session_idle_min), "720", 1, 525600,
      "minutes of inactivity before a session expires" },
    { "session-max-hours", INT, S(session_max_hours), "168", 1, 8760,
      "hours after login when a session expires" },
    { "login-max-failures", INT, S(login_max_failures), "5", 1, 1000,
      "failed logins per account and client address before 429 (1 min lock, doubling)" },
    { "login-account-max-failures", INT, S(login_account_max_failures), "100", 1, 1000000,
      "failed logins per account from all addresses per 15 min before it slows to 1 per 3 s" },
    { "login-verify-max", INT, S(login_verify_max), "0", 0, 1024,
      "concurrent password checks (argon2id, 19 MiB each) before 429; 0: the CPU count" },
    { "outbox-max-attempts", INT, S(outbox_max_attempts), "10", 1, 100,
      "delivery attempts before a reply is marked failed" },
    { "outbox-retry-ms", INT, S(outbox_retry_ms), "2000", 10, 3600000,
      "first delivery retry delay (doubles per attempt, max 10 min)" },
    { "mail-poll-ms", INT, S(mail_poll_ms), "30000", 50, 3600000,
      "how often pull channels (email over IMAP) are checked for new messages" },
    { "sse-heartbeat-ms", INT, S(sse_heartbeat_ms), "15000", 100, 600000,
      "interval of heartbeat comments on live event streams" },
    { "max-connections", INT, S(max_connections), "16384", 16, 1000000,
      "open HTTP connections served; beyond: 503 and closed "
      "(lowered to fit the open-files limit)" },
    { "max-connections-per-client", INT, S(max_connections_per_client), "256", 0, 1000000,
      "open connections per client address (IPv6: per /64); 0: no limit (behind a proxy)" },
    { "request-timeout-ms", INT, S(request_timeout_ms), "10000", 100, 600000,
      "time a connection has for a complete request (header and body) before it is closed" },
    { "max-streams", INT, S(max_streams), "12000", 1, 1000000,
      "open live-event streams, agents' and widget visitors' together" },
    { "http-threads", INT, S(http_threads), "0", 0, 64,
      "HTTP I/O threads; 0: one per CPU (at most 8)" },
    { "http-workers", INT, S(http_workers), "32", 1, 1024,
      "threads running request handlers (each request waits for one)" },
    { "drain-timeout-ms", INT, S(drain_timeout_ms), "10000", 0, 600000,
      "on SIGTERM/SIGINT: longest wait for requests in progress before exiting" },
    { "access-log", BOOL, S(access_log), "true", 0, 1,
      "log one line per HTTP request at info level (method, route pattern, status, duration, "
      "bytes, request id, client address; never paths, queries or bodies)" },
    { "secure-cookies", BOOL, S(secure_cookies), "false", 0, 1,
      "served over TLS (via a proxy): Secure, __Host- session cookie" },
    { "demo-interval-ms", INT, S(demo_interval_ms), "4000", 50, 600000,
      "hark demo: average time between simulated customer messages" },
    { "demo-conversations", INT, S(demo_conversations), "300", 0, 2000000,
      "hark demo: conversations seeded into a new demo database" },
    { "brand-handles", STRING, S(brand_handles), "", 0, 0,
      "listening: the brand's handles, comma-separated (posts @mentioning them are addressed)" },
    { "listen-bucket-ms", INT, S(listen_bucket_ms), "300000", 1000, 86400000,
      "listening: spike detector bucket width" },
    { "metrics-token", STRING, S(metrics_token), "", 0, 0,
      "bearer token GET /metrics requires (set it when listening beyond loopback); empty: open" },
};

static int
set(struct config *cfg, const struct key *k, const char *value, const char *source,
    struct errmsg *em)
{
    char *field = (char *)cfg + k->offset;
    int64_t v;
    switch (k->kind) {
    case STRING:
        if (strlen(value) >= k->size)
            return errmsg_set(em, ERR_INVAL, "invalid '%s' from %s: longer than %zu bytes",
                              k->name, source, k->size - 1);
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case INT:
        if (str_to_i64(str_c(value), k->min, k->max, &v) < 0)
            return errmsg_set(em, ERR_INVAL, "invalid '%s' from %s: want %lld..%lld", k->name,
                              source, (long long)k->min, (long long)k->max);
        memcpy(field, &v, sizeof(v));
        return 0;
    case BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0)
            *(bool *)(void *)field = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 || strcmp(value, "no") == 0)
            *(bool *)(void *)field = false;
        else
            return errmsg_set(em, ERR_INVAL, "invalid '%s' from %s: want true or false", k->name,
                              source);
        return 0;
    }
    return ERR_INVAL;
}

static const struct key *
find(struct str name)
{
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        if (str_eq_c(name, keys[i].name))
            return &keys[i];
    }
    return NULL;
}

/*
 * Parses the value part of a file line into 'out' (n bytes). Unquoted: the text up to a '#'
 * that follows a space or tab (or ends the line), trimmed. Double-quoted: the text between the
 * quotes, where \" is a quote and \\ a backslash, so '#' and edge spaces are kept; only
 * spaces and a comment may follow the closing quote. Returns 0, or ERR_INVAL with 'why' set.
 */
static int
parse_value(struct str v, char *out, size_t n, const char **why)
{
    size_t o = 0;
    v = str_trim(v);
    if (v.len && v.p[0] == '"') {
        size_t i = 1;
        for (; i < v.len && v.p[i] != '"'; i++) {
            char c = v.p[i];
            if (c == '\\' && i + 1 < v.len && (v.p[i + 1] == '"' || v.p[i + 1] == '\\'))
                c = v.p[++i];
            if (o + 1 >= n) {
                *why = "value too long";
                return ERR_INVAL;
            }
            out[o++] = c;
        }
        if (i >= v.len) {
            *why = "unterminated quote";
            return ERR_INVAL;
        }
        struct str after = str_trim((struct str){ v.p + i + 1, v.len - i - 1 });
        if (after.len && after.p[0] != '#') {
            *why = "text after the closing quote";
            return ERR_INVAL;
        }
        out[o] = '\0';
        return 0;
    }
    size_t end = v.len;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '#' && (i == 0 || v.p[i - 1] == ' ' || v.p[i - 1] == '\t')) {
            end = i;
            break;
        }
    }
    struct str t = str_trim((struct str){ v.p, end });
    if (t.len >= n) {
        *why = "value too long";
        return ERR_INVAL;
    }
    memcpy(out, t.p ? t.p : "", t.len);
    out[t.len] = '\0';
    return 0;
}

static int
load_file(struct config *cfg, const char *path, struct errmsg *em)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errmsg_set(em, ERR_INVAL, "cannot read config file '%s'", path);
    char line[2048];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        lineno++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        struct str s = str_trim(str_c(line));
        if (s.len == 0 || s.p[0] == '#')
            continue;
        size_t nl = 0;
        while (nl < s.len && s.p[nl] != ' ' && s.p[nl] != '\t')
            nl++;
        struct str name = { s.p, nl };
        struct str value = { s.p + nl, s.len - nl };
        /* Accept underscores or dots in file keys too. */
        char key[64];
        if (name.len >= sizeof(key)) {
            rc = errmsg_set(em, ERR_INVAL, "%s:%d: unknown key", path, lineno);
            break;
        }
        for (size_t i = 0; i < name.len; i++)
            key[i] = (name.p[i] == '_' || name.p[i] == '.') ? '-' : name.p[i];
        key[name.len] = '\0';
        const struct key *k = find(str_c(key));
        if (!k) {
            rc = errmsg_set(em, ERR_INVAL, "%s:%d: unknown key '%s'", path, lineno, key);
            break;
        }
        char val[1024];
        const char *why = NULL;
        if (parse_value(value, val, sizeof(val), &why) < 0) {
            rc = errmsg_set(em, ERR_INVAL, "%s:%d: '%s': %s", path, lineno, key, why);
            break;
        }
        char source[1100];
        snprintf(source, sizeof(source), "%s:%d", path, lineno);
        rc = set(cfg, k, val, source, em);
    }
    fclose(f);
    return rc;
}

static void
env_name(const char *key, char *env, size_t size)
{
    size_t n = 5;
    memcpy(env, "HARK_", 6);
    for (const char *p = key; *p && n < size - 1; p++)
        env[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    env[n] = '\0';
}

int
config_load(int argc, char **argv, struct config *cfg, char **rest, int rest_max, int *nrest,
            struct errmsg *em)
{
    int rc;
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        rc = set(cfg, &keys[i], keys[i].def, "defaults", em);
        ASSERT(rc == 0);
    }
    const char *file = getenv("HARK_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    }
    if (file && (rc = load_file(cfg, file, em)) < 0)
        return rc;
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        char env[80];
        env_name(keys[i].name, env, sizeof(env));
        const char *v = getenv(env);
        if (v && (rc = set(cfg, &keys[i], v, env, em)) < 0)
            return rc;
    }
    *nrest = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) == 0) {
            struct str name = str_c(arg + 2);
            struct str value = STR_NULL;
            struct str head, tail;
            bool inline_value = str_cut(name, '=', &head, &tail);
            if (inline_value) {
                name = head;
                value = tail;
            }
            if (str_eq_c(name, "config")) {
                if (!inline_value)
                    i++;
                continue;
            }
            const struct key *k = find(name);
            if (k) {
                char val[1024];
                if (!inline_value) {
                    if (k->kind == BOOL && (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
                        value = STR_LIT("true");
                    } else if (i + 1 >= argc) {
                        return errmsg_set(em, ERR_INVAL, "option '--%s' needs a value", k->name);
                    } else {
                        value = str_c(argv[++i]);
                    }
                }
                if (value.len >= sizeof(val))
                    return errmsg_set(em, ERR_INVAL, "option '--%s': value too long", k->name);
                memcpy(val, value.p, value.len);
                val[value.len] = '\0';
                if ((rc = set(cfg, k, val, "the command line", em)) < 0)
                    return rc;
                continue;
            }
        }
        if (*nrest >= rest_max)
            return errmsg_set(em, ERR_INVAL, "too many arguments");
        rest[(*nrest)++] = argv[i];
    }
    char addr[64];
    int port;
    if (config_listen(cfg, addr, sizeof(addr), &port) < 0)
        return errmsg_set(em, ERR_INVAL, "invalid 'listen': want ADDR:PORT, e.g. 127.0.0.1:8080");
    return 0;
}

int
config_listen(const struct config *cfg, char *addr, size_t n, int *port)
{
    struct str head, tail;
    int64_t p;
    if (!str_cut(str_c(cfg->listen), ':', &head, &tail) || head.len == 0 || head.len >= n ||
        str_to_i64(tail, 0, 65535, &p) < 0)
        return ERR_INVAL;
    memcpy(addr, head.p, head.len);
    addr[head.len] = '\0';
    *port = (int)p;
    return 0;
}

void
config_usage(FILE *f)
{
    fprintf(f, "\nsettings (also HARK_<NAME> in the environment, or `name value` lines in "
               "--config FILE):\n");
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        char opt[48];
        snprintf(opt, sizeof(opt), "--%s %s", keys[i].name,
                 keys[i].kind == BOOL ? "" : keys[i].kind == INT ? "N" : "VALUE");
        if (strstr(keys[i].help, "(default"))
            fprintf(f, "  %-28s %s\n", opt, keys[i].help);
        else
            fprintf(f, "  %-28s %s (default: %s)\n", opt, keys[i].help,
                    keys[i].def[0] ? keys[i].def : "none");
    }
}

void
config_print_example(FILE *f)
{
    fprintf(f, "# hark.conf - Hark's settings. Every line here is a comment: uncomment and edit\n"
               "# the ones you need. Read with `hark serve --config FILE` (or HARK_CONFIG=FILE).\n"
               "#\n"
               "# Syntax: one `name value` per line, name and value separated by spaces or tabs.\n"
               "# A '#' starts a comment at the start of a line or after a space or tab, so\n"
               "#     listen 127.0.0.1:8080   # a comment\n"
               "# sets 127.0.0.1:8080, while `public-url https://x.example/#a` keeps its '#'.\n"
               "# Double quotes keep everything inside, spaces and '#' included, and \\\" and\n"
               "# \\\\ stand for a quote and a backslash: brand-handles \"acme, acme #support\".\n"
               "# Booleans are true/false, yes/no or 1/0. The environment (HARK_<NAME>, shown\n"
               "# for each setting) overrides this file, and the command line (--name value)\n"
               "# overrides both. `hark serve --print-config` prints the effective values.\n");
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        char env[80];
        env_name(keys[i].name, env, sizeof(env));
        fprintf(f, "\n# %s.\n# Environment: %s. Default: %s.\n", keys[i].help, env,
                keys[i].def[0] ? keys[i].def : "empty");
        if (keys[i].kind == INT)
            fprintf(f, "# Range: %lld..%lld.\n", (long long)keys[i].min, (long long)keys[i].max);
        fprintf(f, "# %s %s\n", keys[i].name, keys[i].def[0] ? keys[i].def : "\"\"");
    }
}

static bool
token_key(const char *name)
{
    size_t n = strlen(name);
    return n >= 6 && strcmp(name + n - 6, "-token") == 0;
}

void
config_print(const struct config *cfg, FILE *f)
{
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        const char *field = (const char *)cfg + keys[i].offset;
        int64_t v;
        switch (keys[i].kind) {
        case STRING:
            /* Keys named "*-token" are credentials: shown only as set or not. */
            fprintf(f, "%s %s\n", keys[i].name,
                    field[0] && token_key(keys[i].name) ? "********" : field);
            break;
        case INT:
            memcpy(&v, field, sizeof(v));
            fprintf(f, "%s %lld\n", keys[i].name, (long long)v);
            break;
        case BOOL: fprintf(f, "%s %s\n", keys[i].name, *(const bool *)(const void *)field ? "true" : "false"); break;
        }
    }
}
