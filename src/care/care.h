/* SPDX-License-Identifier: MIT */
/*
 * care.h - Hark's care logic between the API and the store: authentication, the ingest
 * pipeline for webhooks, and the outbox worker that delivers replies.
 *
 * A struct care is created once by the server wiring (app.c) and shared by all request
 * threads; every function here is thread-safe unless stated. It borrows the store and hub,
 * which must outlive it.
 */
#ifndef HARK_CARE_H
#define HARK_CARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/metrics.h"
#include "base/str.h"
#include "model/model.h"
#include "store/store.h"

struct arena;
struct chan_hook;
struct classify;
struct hub;
struct store;

struct care_config {
    int64_t session_idle_ms;      /* a session unused this long expires; default 12 h */
    int64_t session_absolute_ms;  /* a session expires this long after login; default 7 days */
    int login_max_per_account;    /* failed logins per account per window; default 5 */
    int login_max_per_client;     /* failed logins per client address per window; default 20 */
    int64_t login_window_ms;      /* default 15 min */
    int outbox_max_attempts;      /* delivery attempts before a reply fails; default 10 */
    int64_t outbox_base_ms;       /* first retry delay; doubles each attempt; default 2 s */
    int64_t outbox_max_delay_ms;  /* cap on one retry delay; default 10 min */
};

/* Counters rendered by /metrics. Updated with base/metrics.h atomics. */
struct care_metrics {
    uint64_t ingest_accepted;    /* new inbound messages stored */
    uint64_t ingest_duplicate;   /* webhook retries recognized by external id */
    uint64_t ingest_rejected;    /* bad signature or malformed payload */
    struct metrics_hist ingest_latency;
    uint64_t outbox_attempts;
    uint64_t logins_failed;
    uint64_t logins_limited;
};

struct care;

int care_new(const struct care_config *cfg, struct store *st, struct hub *hub, struct care **out);
/* Stops the outbox worker if running and frees. NULL is a no-op. */
void care_free(struct care *c);
struct care_metrics *care_metrics(struct care *c);

/* ---- authentication (auth.c) ----------------------------------------------------------- */

/* Encodes an argon2id hash (t=2, m=19 MiB, p=1, 16-byte random salt) of 'password' into
 * 'out' (at least 128 bytes). ERR_INVAL for an empty or over-long (> 1024 bytes) password. */
int care_password_hash(struct str password, char *out, size_t n);
bool care_password_verify(const char *encoded, struct str password);

/* Who is making a request. */
struct care_principal {
    int64_t agent_id;      /* 0 for API tokens */
    const char *role;      /* "admin" or "agent" */
    bool via_cookie;       /* session cookie: writes need the CSRF token */
    const char *csrf;      /* the session's CSRF token (cookie sessions only) */
    int64_t session_id;
    int64_t token_id;
};

struct care_login {
    char token[65];  /* session token for the cookie: 256 bits, hex */
    char csrf[65];   /* CSRF token to send back in X-CSRF-Token */
    struct agent agent;
};

/* Checks the credentials and creates a new session. ERR_AUTH when wrong (the same answer for
 * an unknown email and a wrong password), ERR_BUSY when the account or 'client' has too many
 * recent failures ('*retry_after_ms' says when to try again). */
int care_login(struct care *c, struct arena *ar, struct str email, struct str password,
               const char *client, struct care_login *out, int64_t *retry_after_ms);
/* Deletes the session server-side; unknown tokens are not an error. */
int care_logout(struct care *c, const char *token);
/* Resolves a session token (ERR_AUTH when unknown or expired) and refreshes its idle clock. */
int care_session(struct care *c, struct arena *ar, const char *token, struct care_principal *out);
/* Resolves an API bearer token. ERR_AUTH when unknown. */
int care_bearer(struct care *c, struct arena *ar, const char *token, struct care_principal *out);
/* Creates an API token; writes the token (shown once) into 'out' (at least 70 bytes). */
int care_token_create(struct care *c, const char *name, const char *role, char *out, size_t n,
                      int64_t *id);
/* Adds an agent with a hashed password. ERR_CONFLICT when the email exists. */
int care_agent_add(struct care *c, const struct agent *a, struct str password, int64_t *id,
                   struct errmsg *em);
/* Hex SHA-256 of a secret token, as stored. */
void care_token_hash(const char *token, char out[65]);

/* Uses 'cls' (borrowed, may be NULL) to triage every inbound message from now on. Call
 * before serving. Without one, messages are stored untriaged. */
void care_set_classifier(struct care *c, const struct classify *cls);

/* Triages 'in' with the classifier (when one is set), storing the results on it; strings go
 * into 'ar'. care_hook does this for every message; imports and the demo call it directly. */
void care_triage(struct care *c, struct arena *ar, struct inbound *in);

/* ---- ingest (ingest.c) ------------------------------------------------------------------ */

struct care_hook_result {
    struct ingest_result first; /* the first message of the delivery */
    size_t accepted;            /* new messages stored */
    size_t duplicates;          /* messages seen before */
    const char *ack_type, *ack_body; /* the adapter's own 200 body (chan_ops.ack_*), or NULL */
};

/* Handles one webhook delivery for 'channel_id': verify the signature on the raw body, parse,
 * triage, store durably. Returns 0 only when everything in the delivery is durable.
 * ERR_NOTFOUND (no such channel), ERR_AUTH (bad signature), ERR_INVAL (malformed, reason in
 * 'em'), ERR_BUSY (writer queue full). Nothing is stored unless the signature is good. */
int care_hook(struct care *c, struct arena *ar, int64_t channel_id, const struct chan_hook *hook,
              struct care_hook_result *out, struct errmsg *em);

struct chan_handshake;
/* Answers a platform's GET verification of the webhook of 'channel_id'. ERR_NOTFOUND (no such
 * channel, or its type has no handshake), ERR_AUTH (wrong verify token). */
int care_hook_handshake(struct care *c, struct arena *ar, int64_t channel_id,
                        const struct chan_hook *hook, struct chan_handshake *out,
                        struct errmsg *em);

/* ---- outbox (outbox.c) ------------------------------------------------------------------ */

/* Starts the background delivery worker; pending deliveries from before a restart resume. */
int care_outbox_start(struct care *c);
/* Stops it after the attempt in progress. */
void care_outbox_stop(struct care *c);
/* Wakes the worker (a reply was just queued). */
void care_outbox_kick(struct care *c);
/* The delay before retry number 'attempts' (1-based): exponential from 'base_ms', capped at
 * 'max_ms', never sooner than the platform's 'retry_after_ms' (when >= 0), with up to 10%
 * deterministic jitter keyed by 'key' so retries of many replies spread out. */
int64_t care_outbox_delay(int attempts, int64_t retry_after_ms, int64_t base_ms, int64_t max_ms,
                          int64_t key);

#endif
