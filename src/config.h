/* SPDX-License-Identifier: MIT */
/*
 * config.h - Hark's settings: one table, three sources.
 *
 * Every key has a default, and may be set in a config file (`key value` lines, `#` comments;
 * see config_print_example for the quoting rules),
 * in the environment (HARK_<KEY>, upper case, '.' and '-' as '_') or on the command line
 * (--key value or --key=value), later sources winning in that order. The result is validated
 * once and then read-only.
 */
#ifndef HARK_CONFIG_H
#define HARK_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

struct config {
    char listen[64];        /* ADDR:PORT */
    char db[1024];          /* store URL or SQLite path */
    char nats[512];         /* NATS URL of the event bus between instances; empty: none */
    char public_url[512];   /* base of webhook URLs; empty: http://<listen> */
    char log_level[16];
    char web_root[1024];    /* built web app; empty: none */
    char models[1024];      /* triage models folder; empty: build/models beside the binary */
    char triage_data[1024];       /* shipped training sets; empty: build/classify-data */
    int64_t triage_retrain_hours; /* scheduled retrain every N hours; 0: on demand only */
    int64_t session_idle_min;
    int64_t session_max_hours;
    int64_t login_max_failures;
    int64_t login_account_max_failures;
    int64_t login_verify_max; /* 0: the number of online CPUs */
    int64_t outbox_max_attempts;
    int64_t outbox_retry_ms;
    int64_t mail_poll_ms;   /* pull channels (IMAP) poll interval */
    int64_t sse_heartbeat_ms;
    bool secure_cookies;
    bool access_log;        /* one logfmt line per HTTP request at info level */
    int64_t demo_interval_ms;
    int64_t demo_conversations;
    char brand_handles[512];   /* listening: the brand's own handles, comma-separated */
    int64_t listen_bucket_ms;  /* listening: spike detector bucket width */
    char metrics_token[256];   /* GET /metrics wants "Authorization: Bearer <it>"; empty: open */
    int64_t max_connections;   /* open HTTP connections served */
    int64_t max_connections_per_client; /* per client address; 0: no limit */
    int64_t request_timeout_ms; /* time for a complete request, header and body */
    int64_t max_streams;       /* open event streams (agents' and widget visitors') */
    int64_t http_threads;      /* I/O threads; 0: one per CPU */
    int64_t http_workers;      /* request handler threads */
    int64_t drain_timeout_ms;  /* longest graceful stop on SIGTERM */
};

/* Fills 'cfg' from defaults, then FILE (from --config FILE), then the environment, then argv.
 * Arguments that are not config options are copied, in order, to 'rest' (at most 'rest_max';
 * '*nrest' gets the count). Returns 0, or ERR_INVAL with a reason in 'em'. */
int config_load(int argc, char **argv, struct config *cfg, char **rest, int rest_max, int *nrest,
                struct errmsg *em);
/* Prints every option with its default and help text. */
void config_usage(FILE *f);
/* Prints the effective values; secrets (metrics-token) as "********" when set. */
void config_print(const struct config *cfg, FILE *f);
/* Prints a config file that sets nothing: a header on the syntax, then every setting as
 * comment lines (what it does, its environment variable, its default) and a commented-out
 * `name default` line, as redis.conf does. It is the installed hark.conf. */
void config_print_example(FILE *f);
/* Splits cfg->listen into address and port. */
int config_listen(const struct config *cfg, char *addr, size_t n, int *port);

#endif
