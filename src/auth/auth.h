/* SPDX-License-Identifier: MIT */
/*
 * auth.h - who is making a request: passwords (argon2id hashing and the rules a new one must
 * meet), login sessions, API tokens, and the failed-login limiter that guards them.
 *
 * A struct auth is created once (by care_new, which owns it) and shared by all request
 * threads; every function here is thread-safe unless stated. It borrows the store, which must
 * outlive it.
 */
#ifndef HARK_AUTH_H
#define HARK_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "model/model.h"
#include "store/store.h"

struct arena;

struct auth_config {
    int64_t session_idle_ms;      /* a session unused this long expires; default 12 h */
    int64_t session_absolute_ms;  /* a session expires this long after login; default 7 days */
    int login_max_per_account;    /* failed logins per account and client address before a
                                     lock of login_lock_ms, doubling per further try; default 5 */
    int login_max_per_client;     /* failed logins per client address, any account; default 20 */
    int login_max_account_global; /* failed logins per account from all addresses in a window
                                     before it is slowed to one try per login_slow_ms (never
                                     locked, so strangers cannot lock a user out); default 100 */
    int64_t login_window_ms;      /* a key with no attempt for this long is forgotten; 15 min */
    int64_t login_lock_ms;        /* first lock; default 1 min, capped at 4 windows */
    int64_t login_slow_ms;        /* default 3 s */
    int verify_max;               /* concurrent argon2 verifies; default: online CPUs */
};

/* Counters rendered by /metrics. Updated with base/metrics.h atomics. */
struct auth_metrics {
    uint64_t logins_failed;
    uint64_t logins_limited;
};

struct auth;

/* Makes the authentication context; fields of 'cfg' that are 0 get their defaults. Borrows
 * 'st'. Always 0. */
int auth_new(const struct auth_config *cfg, struct store *st, struct auth **out);
/* NULL is a no-op. */
void auth_free(struct auth *auth);
struct auth_metrics *auth_metrics(struct auth *auth);
/* Deletes the rows of sessions past their absolute or idle expiry at 'now' (they are refused
 * at use anyway; this keeps the table from growing with every login). */
int auth_sessions_expire(struct auth *auth, int64_t now);

/* ---- passwords (auth.c) ----------------------------------------------------------------- */

/* Encodes an argon2id hash (t=2, m=19 MiB, p=1, 16-byte random salt) of 'password' into
 * 'out' (at least 128 bytes). ERR_INVAL for an empty or over-long (> 1024 bytes) password.
 * Not gated: callers serving requests use the auth_* functions below, which are. */
int auth_password_hash(struct str password, char *out, size_t n);
bool auth_password_verify(const char *encoded, struct str password);

/* ---- password rules (password.c) ------------------------------------------------------- */

#define AUTH_PASSWORD_MIN 12   /* characters (code points) */
#define AUTH_PASSWORD_MAX 1024 /* bytes */

enum auth_password_problem {
    AUTH_PASSWORD_OK,
    AUTH_PASSWORD_TOO_SHORT, /* fewer than AUTH_PASSWORD_MIN code points */
    AUTH_PASSWORD_TOO_LONG,  /* more than AUTH_PASSWORD_MAX bytes */
    AUTH_PASSWORD_INVALID,   /* not valid UTF-8, or a NUL byte */
    AUTH_PASSWORD_BREACHED,  /* in the shipped list of common breached passwords */
};
/* Checks a new password against the rules (OWASP ASVS 2.1: length only, no composition
 * rules, plus the breached list, compared case-insensitively). Sets 'em' (may be NULL) to a
 * readable reason unless AUTH_PASSWORD_OK. Pure; thread-safe. */
enum auth_password_problem auth_password_check(struct str password, struct errmsg *em);
/* True when the lowercased 'password' is in the breached list. */
bool auth_password_breached(struct str password);
/* The API error code for 'p': "password_too_short", "password_breached", ... */
const char *auth_password_problem_code(enum auth_password_problem p);

/* Who is making a request. */
struct auth_principal {
    int64_t agent_id;      /* 0 for API tokens */
    const char *role;      /* "admin", "supervisor", "agent" or "store_staff" (tokens: admin or
                              agent) */
    struct store_scope scope; /* store staff: limited to their store (their profile's
                                 location) and what is assigned to them; else unlimited */
    bool via_cookie;       /* session cookie: writes need the CSRF token */
    const char *csrf;      /* the session's CSRF token (cookie sessions only) */
    int64_t session_id;
    int64_t token_id;
    int64_t token_agent_id; /* API tokens: the agent who created it; 0: the CLI */
};

struct auth_login_result {
    char token[65];  /* session token for the cookie: 256 bits, hex */
    char csrf[65];   /* CSRF token to send back in X-CSRF-Token */
    struct agent agent;
};

/* Checks the credentials and creates a new session. ERR_AUTH when wrong (the same answer for
 * an unknown email, a wrong password and a disabled agent). ERR_BUSY, with '*retry_after_ms'
 * set, when the attempt is refused before any password check: too many password checks are
 * in flight (cfg.verify_max), or the limiter refuses it. The attempt is counted before the
 * password is checked, atomically, against three keys: the account and 'client' together (a
 * lock of login_lock_ms at login_max_per_account, doubling), the client alone, and the
 * account alone (only slowed, never locked, so failures from elsewhere cannot lock a user
 * out). Failures are logged with the agent id (or a hash of an unknown email) and client. */
int auth_login(struct auth *auth, struct arena *ar, struct str email, struct str password,
               const char *client, struct auth_login_result *out, int64_t *retry_after_ms);
/* Deletes the session server-side; unknown tokens are not an error. */
int auth_logout(struct auth *auth, const char *token);
/* Resolves a session token (ERR_AUTH when unknown, expired or its agent is disabled) and
 * refreshes its idle clock. */
int auth_session(struct auth *auth, struct arena *ar, const char *token, struct auth_principal *out);
/* Resolves an API bearer token. ERR_AUTH when unknown, revoked, expired, or created by an
 * agent who is now disabled. Records the use (at most once a minute per token). */
int auth_bearer(struct auth *auth, struct arena *ar, const char *token, struct auth_principal *out);
/* Creates an API token from 't' (name 1..MODEL_NAME_MAX bytes, role admin or agent,
 * agent_id, expires_at 0 or in the future); writes the token (shown once) into 'out' (at least
 * 70 bytes). ERR_INVAL with 'em'. */
int auth_token_create(struct auth *auth, const struct api_token *t, char *out, size_t n,
                      int64_t *id, struct errmsg *em);
/* Adds an agent with a hashed password (which must pass auth_password_check), or with no
 * password when 'password.p' is NULL (an invite link sets it: auth_invite_create). Role: admin,
 * supervisor, agent or store_staff. ERR_CONFLICT when the email exists; ERR_INVAL with 'em';
 * ERR_BUSY when too many password checks are in flight. */
int auth_agent_add(struct auth *auth, const struct agent *a, struct str password, int64_t *id,
                   struct errmsg *em);
/* Disables or re-enables agent 'id'. Disabling ends all of its sessions at once ('*ended',
 * may be NULL, gets how many); its tokens stop working. ERR_NOTFOUND. */
int auth_agent_set_disabled(struct auth *auth, int64_t id, bool disabled, int64_t *ended);
/* Sets agent 'id''s password (an admin's reset, or the CLI) after auth_password_check, and
 * ends all of its sessions ('*ended', may be NULL). ERR_INVAL with 'em', ERR_NOTFOUND,
 * ERR_BUSY. */
int auth_agent_set_password(struct auth *auth, int64_t id, struct str password, int64_t *ended,
                            struct errmsg *em);
/* An agent changes its own password: 'current' must verify (ERR_AUTH otherwise; the check is
 * limited like a login, ERR_BUSY with '*retry_after_ms'), 'password' must pass the rules
 * (ERR_INVAL with 'em'). Ends the agent's other sessions; 'keep_session_id' stays. */
int auth_password_change(struct auth *auth, struct arena *ar, int64_t agent_id, struct str current,
                         struct str password, int64_t keep_session_id, const char *client,
                         int64_t *ended, int64_t *retry_after_ms, struct errmsg *em);
/* Revokes API token 'id' (store_token_revoke): it stops working at once. ERR_NOTFOUND. */
int auth_token_revoke(struct auth *auth, int64_t id);
/* Updates agent 'id''s own profile fields (name, avatar_url...; store_agent_update).
 * ERR_NOTFOUND, ERR_INVAL. */
int auth_agent_update(struct auth *auth, int64_t id, const struct agent *a);
/* ---- invite links (auth.c) -------------------------------------------------------------- */

#define AUTH_INVITE_TTL_MS (7LL * 24 * 3600 * 1000) /* a link works for 7 days */
#define AUTH_INVITE_TOKEN_LEN 43                    /* base64url of 32 random bytes */
/* Issues a fresh one-time link token for agent 'id' into 'token' (at least 65 bytes); only its
 * hash is stored and any older link of the agent dies. '*expires_at' (ms) gets its expiry.
 * ERR_NOTFOUND for an unknown agent. */
int auth_invite_create(struct auth *auth, int64_t id, char *token, size_t n, int64_t *expires_at);
/* The agent (id, email, name) a live link belongs to. ERR_NOTFOUND for a malformed, unknown,
 * used or expired link, or a disabled agent: the same answer for all. */
int auth_invite_get(struct auth *auth, struct arena *ar, const char *token, struct agent *out,
                    int64_t *expires_at);
/* Sets the password of the link's agent under the password rules (ERR_INVAL with 'em'; ERR_BUSY
 * when too many password checks are in flight), burns the link and ends the agent's sessions.
 * '*agent_id' gets the agent. ERR_NOTFOUND as auth_invite_get. */
int auth_invite_accept(struct auth *auth, const char *token, struct str password,
                       int64_t *agent_id, struct errmsg *em);

/* Hex SHA-256 of a secret token, as stored. */
void auth_token_hash(const char *token, char out[65]);

#endif
