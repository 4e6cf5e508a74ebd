/* SPDX-License-Identifier: MIT */
/*
 * auth.c - passwords (argon2id), login sessions, API tokens and the failed-login limiter.
 *
 * Session and API tokens are 256-bit CSPRNG values shown to the client once; the database
 * keeps only their SHA-256. An unknown email costs the same argon2 work as a wrong password,
 * so response time does not reveal which accounts exist. Every argon2 run on behalf of a
 * request takes one of cfg.verify_max slots first (each needs 19 MiB), and a login attempt is
 * counted by the limiter (ratelimit.c) before its password is checked.
 */
#include "base/base.h"
#include "auth/auth_int.h"

#include <argon2.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/rand.h"
#include "base/utf8.h"
#include "store/store.h"

#define PW_T_COST 2
#define PW_M_COST (19 * 1024) /* KiB: 19 MiB, the OWASP minimum for argon2id */
#define PW_PARALLELISM 1
#define PW_MAX 1024

int
auth_password_hash(struct str password, char *out, size_t n)
{
    unsigned char salt[16];
    if (password.len == 0 || password.len > PW_MAX)
        return ERR_INVAL;
    rand_bytes(salt, sizeof(salt));
    int rc = argon2id_hash_encoded(PW_T_COST, PW_M_COST, PW_PARALLELISM, password.p, password.len,
                                   salt, sizeof(salt), 32, out, n);
    return rc == ARGON2_OK ? 0 : ERR_INVAL;
}

bool
auth_password_verify(const char *encoded, struct str password)
{
    if (!encoded || password.len == 0 || password.len > PW_MAX)
        return false;
    return argon2id_verify(encoded, password.p, password.len) == ARGON2_OK;
}

void
auth_token_hash(const char *token, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL);
    ASSERT(n == 32);
    rand_hex_encode(md, 32, out);
}

/* A hash of a random password, checked when the email is unknown, so both paths cost one
 * argon2 verify. Computed once. */
static char dummy[160];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
    char pw[33];
    rand_hex(pw, 16);
    auth_password_hash(str_c(pw), dummy, sizeof(dummy));
}

static const char *
dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_init);
    return dummy;
}

/* Takes one of the cfg.verify_max argon2 slots; false when all are in use. */
static bool
slot_take(struct auth *c)
{
    if (atomic_fetch_add(&c->verifying, 1) < c->cfg.verify_max)
        return true;
    atomic_fetch_sub(&c->verifying, 1);
    return false;
}

static void
slot_give(struct auth *c)
{
    atomic_fetch_sub(&c->verifying, 1);
}

/* A stable, non-reversible id of an attempted account for limiter keys and logs: the first
 * 128 bits of SHA-256 of the case-folded email, in hex. Logs never carry the email itself. */
static void
account_id(struct str email, char out[33])
{
    char low[MODEL_NAME_MAX + 1], hash[65];
    size_t n = email.len < MODEL_NAME_MAX ? email.len : MODEL_NAME_MAX;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)email.p[i]);
    low[n] = '\0';
    auth_token_hash(low, hash);
    memcpy(out, hash, 32);
    out[32] = '\0';
}

/* The three limiter keys and rules of a login attempt on account 'acct' from 'client'. */
struct attempt {
    char ac[96], cl[80], a[40];
    const char *keys[3];
    struct auth__limit rules[3];
};

static void
attempt_init(struct auth *c, struct attempt *t, const char *acct, const char *client)
{
    const struct auth_config *g = &c->cfg;
    snprintf(t->ac, sizeof(t->ac), "ac:%s|%s", acct, client);
    snprintf(t->cl, sizeof(t->cl), "c:%s", client);
    snprintf(t->a, sizeof(t->a), "a:%s", acct);
    t->keys[0] = t->ac;
    t->keys[1] = t->cl;
    t->keys[2] = t->a;
    int64_t lock_max = 4 * g->login_window_ms;
    t->rules[0] = (struct auth__limit){ .max = g->login_max_per_account,
                                        .window_ms = g->login_window_ms,
                                        .lock_ms = g->login_lock_ms, .lock_max_ms = lock_max };
    t->rules[1] = (struct auth__limit){ .max = g->login_max_per_client,
                                        .window_ms = g->login_window_ms,
                                        .lock_ms = g->login_lock_ms, .lock_max_ms = lock_max };
    t->rules[2] = (struct auth__limit){ .max = g->login_max_account_global,
                                        .window_ms = g->login_window_ms,
                                        .slow_ms = g->login_slow_ms };
}

/* Admits one password check for attempt 't': a free argon2 slot and the limiter's consent.
 * ERR_BUSY with '*retry_after_ms' otherwise (then no slot is held and nothing is counted). */
static int
admit(struct auth *c, struct attempt *t, int64_t now, int64_t *retry_after_ms)
{
    if (!slot_take(c)) {
        *retry_after_ms = 1000;
        metrics_add(&c->metrics.logins_limited, 1);
        return ERR_BUSY;
    }
    int64_t wait = auth__limiter_begin(c->limiter, t->keys, t->rules, 3, now);
    if (wait) {
        slot_give(c);
        *retry_after_ms = wait;
        metrics_add(&c->metrics.logins_limited, 1);
        return ERR_BUSY;
    }
    return 0;
}

int
auth_login(struct auth *c, struct arena *ar, struct str email, struct str password,
           const char *client, struct auth_login_result *out, int64_t *retry_after_ms)
{
    int64_t now = clock_now_ms();
    char acct[33];
    struct attempt t;
    int rc;

    if (!client || !client[0])
        client = "-";
    account_id(email, acct);
    attempt_init(c, &t, acct, client);
    rc = admit(c, &t, now, retry_after_ms);
    if (rc < 0) {
        /* Debug only: refusals cost nothing, and a flood of them must not flood the log. */
        log_debug("auth", "login refused", "account=%s client=%s retry_ms=%lld", acct, client,
                  (long long)*retry_after_ms);
        return rc;
    }
    struct agent a;
    rc = store_agent_by_email(c->st, ar, email, &a);
    if (rc < 0 && rc != ERR_NOTFOUND) {
        slot_give(c);
        auth__limiter_succeed(c->limiter, t.keys, 3, 0); /* not the client's fault */
        return rc;
    }
    bool found = rc == 0;
    bool ok = auth_password_verify(found ? a.password_hash : dummy_hash(), password);
    slot_give(c);
    if (!found || !ok || a.disabled_at) {
        metrics_add(&c->metrics.logins_failed, 1);
        if (found)
            log_warn("auth", "login failed", "agent=%lld client=%s reason=%s", (long long)a.id,
                     client, ok ? "disabled" : "password");
        else
            log_warn("auth", "login failed", "account=%s client=%s reason=unknown", acct,
                     client);
        return ERR_AUTH;
    }
    auth__limiter_succeed(c->limiter, t.keys, 3, 1);

    char hash[65];
    rand_hex(out->token, 32);
    rand_hex(out->csrf, 32);
    auth_token_hash(out->token, hash);
    rc = store_session_create(c->st, hash, a.id, a.password_hash, out->csrf, now,
                              now + c->cfg.session_absolute_ms);
    if (rc == ERR_CONFLICT) {
        /* Disabled or given a new password while this login was being checked. */
        log_warn("auth", "login failed", "agent=%lld client=%s reason=changed", (long long)a.id,
                 client);
        return ERR_AUTH;
    }
    if (rc < 0)
        return rc;
    a.password_hash = NULL;
    out->agent = a;
    log_info("auth", "login", "agent=%lld client=%s", (long long)a.id, client);
    return 0;
}

int
auth_logout(struct auth *c, const char *token)
{
    char hash[65];
    auth_token_hash(token, hash);
    return store_session_delete(c->st, hash);
}

int
auth_session(struct auth *c, struct arena *ar, const char *token, struct auth_principal *out)
{
    char hash[65];
    struct session s;
    struct agent a;
    int64_t now = clock_now_ms();

    if (!token || strlen(token) != 64)
        return ERR_AUTH;
    auth_token_hash(token, hash);
    int rc = store_session_get(c->st, ar, hash, &s);
    if (rc == ERR_NOTFOUND)
        return ERR_AUTH;
    if (rc < 0)
        return rc;
    if (now >= s.expires_at || now - s.last_seen_at >= c->cfg.session_idle_ms)
        return ERR_AUTH;
    rc = store_agent_get(c->st, ar, s.agent_id, &a);
    if (rc == ERR_NOTFOUND)
        return ERR_AUTH;
    if (rc < 0)
        return rc;
    if (a.disabled_at)
        return ERR_AUTH;
    /* Refresh the idle clock at most once a minute: one small async write, not one per request. */
    if (now - s.last_seen_at > 60000)
        store_session_touch(c->st, s.id, now);
    memset(out, 0, sizeof(*out));
    if (strcmp(a.role, "store_staff") == 0) {
        /* Read at every request, so a store change or a role change applies at once. */
        struct store_profile prof;
        rc = store_profile_get(c->st, ar, a.id, &prof);
        if (rc < 0)
            return rc;
        out->scope = (struct store_scope){ .limited = true, .store = prof.location,
                                           .agent_id = a.id };
    }
    out->agent_id = a.id;
    out->role = a.role;
    out->via_cookie = true;
    out->csrf = s.csrf;
    out->session_id = s.id;
    return 0;
}

int
auth_bearer(struct auth *c, struct arena *ar, const char *token, struct auth_principal *out)
{
    char hash[65];
    struct api_token t;
    int64_t now = clock_now_ms();
    if (!token || !token[0] || strlen(token) > 200)
        return ERR_AUTH;
    auth_token_hash(token, hash);
    int rc = store_token_get(c->st, ar, hash, &t);
    if (rc == ERR_NOTFOUND)
        return ERR_AUTH;
    if (rc < 0)
        return rc;
    if (t.revoked_at || (t.expires_at && now >= t.expires_at) || t.owner_disabled)
        return ERR_AUTH;
    if (now - t.last_used_at > 60000)
        store_token_touch(c->st, t.id, now);
    memset(out, 0, sizeof(*out));
    out->role = t.role;
    out->token_id = t.id;
    out->token_agent_id = t.agent_id;
    return 0;
}

int
auth_token_create(struct auth *c, const struct api_token *t, char *out, size_t n, int64_t *id,
                  struct errmsg *em)
{
    char secret[65], hash[65];
    if (n < 70)
        return ERR_INVAL;
    if (!t->name || !t->name[0] || strlen(t->name) > MODEL_NAME_MAX ||
        !utf8_valid(str_c(t->name)))
        return errmsg_set(em, ERR_INVAL, "invalid 'name': want 1..%d bytes", MODEL_NAME_MAX);
    if (!t->role || !model_role_valid(str_c(t->role)))
        return errmsg_set(em, ERR_INVAL, "invalid 'role': want admin or agent");
    if (t->expires_at < 0 || (t->expires_at && t->expires_at <= clock_now_ms()))
        return errmsg_set(em, ERR_INVAL, "invalid expiry: want a time in the future");
    rand_hex(secret, 32);
    snprintf(out, n, "hark_%s", secret);
    auth_token_hash(out, hash);
    int rc = store_token_create(c->st, t, hash, id);
    if (rc == 0)
        log_info("auth", "token created", "token=%lld role=%s by_agent=%lld", (long long)*id,
                 t->role, (long long)t->agent_id);
    return rc;
}

/* Checks 'password' against the rules and hashes it into 'hash' in an argon2 slot. */
static int
new_hash(struct auth *c, struct str password, char *hash, size_t n, struct errmsg *em)
{
    if (auth_password_check(password, em) != AUTH_PASSWORD_OK)
        return ERR_INVAL;
    if (!slot_take(c))
        return errmsg_set(em, ERR_BUSY, "too many password checks at once; try again");
    int rc = auth_password_hash(password, hash, n);
    slot_give(c);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot hash the password");
    return 0;
}

int
auth_agent_add(struct auth *c, const struct agent *a, struct str password, int64_t *id,
               struct errmsg *em)
{
    char hash[160];
    struct agent copy = *a;
    if (!a->email || !strchr(a->email, '@') || strlen(a->email) > MODEL_NAME_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'email'");
    if (!a->name || !a->name[0] || strlen(a->name) > MODEL_NAME_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'name': want 1..%d bytes", MODEL_NAME_MAX);
    if (!a->role || !model_agent_role_valid(str_c(a->role)))
        return errmsg_set(em, ERR_INVAL,
                          "invalid 'role': want admin, supervisor, agent or store_staff");
    int rc = 0;
    if (password.p) {
        rc = new_hash(c, password, hash, sizeof(hash), em);
        if (rc < 0)
            return rc;
        copy.password_hash = hash;
    } else {
        copy.password_hash = STORE_NO_PASSWORD;
    }
    rc = store_agent_add(c->st, &copy, id);
    if (rc == ERR_CONFLICT)
        return errmsg_set(em, rc, "an agent with email '%s' exists", a->email);
    return rc;
}

int
auth_agent_set_disabled(struct auth *c, int64_t id, bool disabled, int64_t *ended)
{
    int64_t n = 0;
    int rc = store_agent_set_disabled(c->st, id, disabled, &n);
    if (rc < 0)
        return rc;
    log_info("auth", disabled ? "agent disabled" : "agent enabled", "agent=%lld sessions_ended=%lld",
             (long long)id, (long long)n);
    if (ended)
        *ended = n;
    return 0;
}

int
auth_token_revoke(struct auth *c, int64_t id)
{
    return store_token_revoke(c->st, id);
}

int
auth_agent_update(struct auth *c, int64_t id, const struct agent *a)
{
    return store_agent_update(c->st, id, a);
}

int
auth_agent_set_password(struct auth *c, int64_t id, struct str password, int64_t *ended,
                        struct errmsg *em)
{
    char hash[160];
    int64_t n = 0;
    int rc = new_hash(c, password, hash, sizeof(hash), em);
    if (rc < 0)
        return rc;
    rc = store_agent_set_password(c->st, id, hash, 0, &n);
    if (rc == ERR_NOTFOUND)
        return errmsg_set(em, rc, "no agent %lld", (long long)id);
    if (rc < 0)
        return rc;
    log_info("auth", "password reset", "agent=%lld sessions_ended=%lld", (long long)id,
             (long long)n);
    if (ended)
        *ended = n;
    return 0;
}

int
auth_password_change(struct auth *c, struct arena *ar, int64_t agent_id, struct str current,
                     struct str password, int64_t keep_session_id, const char *client,
                     int64_t *ended, int64_t *retry_after_ms, struct errmsg *em)
{
    char acct[33], hash[160];
    struct attempt t;
    struct agent a;
    int64_t now = clock_now_ms(), n = 0;

    /* The rules first: a rejected new password costs no argon2 and no attempt. */
    if (auth_password_check(password, em) != AUTH_PASSWORD_OK)
        return ERR_INVAL;
    int rc = store_agent_get_secret(c->st, ar, agent_id, &a);
    if (rc < 0)
        return rc;
    if (!client || !client[0])
        client = "-";
    /* Limited like a login to the same account, so a stolen session is no faster oracle. */
    account_id(str_c(a.email), acct);
    attempt_init(c, &t, acct, client);
    rc = admit(c, &t, now, retry_after_ms);
    if (rc < 0)
        return errmsg_set(em, rc, "too many password checks; try again later");
    bool ok = auth_password_verify(a.password_hash, current);
    if (!ok) {
        slot_give(c);
        metrics_add(&c->metrics.logins_failed, 1);
        log_warn("auth", "password change failed", "agent=%lld client=%s reason=password",
                 (long long)agent_id, client);
        return errmsg_set(em, ERR_AUTH, "the current password is wrong");
    }
    auth__limiter_succeed(c->limiter, t.keys, 3, 1);
    rc = auth_password_hash(password, hash, sizeof(hash));
    slot_give(c);
    if (rc < 0)
        return errmsg_set(em, rc, "cannot hash the password");
    rc = store_agent_set_password(c->st, agent_id, hash, keep_session_id, &n);
    if (rc < 0)
        return rc;
    log_info("auth", "password changed", "agent=%lld client=%s sessions_ended=%lld",
             (long long)agent_id, client, (long long)n);
    if (ended)
        *ended = n;
    return 0;
}

/* Whether 't' looks like an invite token: AUTH_INVITE_TOKEN_LEN base64url characters. */
static bool
invite_token_ok(const char *t)
{
    if (!t || strlen(t) != AUTH_INVITE_TOKEN_LEN)
        return false;
    for (const char *p = t; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    }
    return true;
}

int
auth_invite_create(struct auth *c, int64_t id, char *token, size_t n, int64_t *expires_at)
{
    static const char b64url[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[AUTH_INVITE_TOKEN_LEN];
    char t[AUTH_INVITE_TOKEN_LEN + 1], hash[65];
    if (n < sizeof(t))
        return ERR_INVAL;
    /* One random byte per character, 6 bits of it kept: 258 bits in all. */
    rand_bytes(raw, sizeof(raw));
    for (size_t i = 0; i < AUTH_INVITE_TOKEN_LEN; i++)
        t[i] = b64url[raw[i] & 63];
    t[AUTH_INVITE_TOKEN_LEN] = '\0';
    auth_token_hash(t, hash);
    int64_t exp = clock_now_ms() + AUTH_INVITE_TTL_MS;
    int rc = store_invite_put(c->st, id, hash, exp);
    if (rc < 0)
        return rc;
    log_info("auth", "invite link issued", "agent=%lld", (long long)id);
    memcpy(token, t, sizeof(t));
    *expires_at = exp;
    return 0;
}

int
auth_invite_get(struct auth *c, struct arena *ar, const char *token, struct agent *out,
                int64_t *expires_at)
{
    char hash[65];
    if (!invite_token_ok(token))
        return ERR_NOTFOUND;
    auth_token_hash(token, hash);
    return store_invite_get(c->st, ar, hash, clock_now_ms(), out, expires_at);
}

int
auth_invite_accept(struct auth *c, const char *token, struct str password, int64_t *agent_id,
                   struct errmsg *em)
{
    char hash[65], pw[160];
    int64_t id = 0, ended = 0;
    if (!invite_token_ok(token))
        return errmsg_set(em, ERR_NOTFOUND, "this link is not valid any more");
    auth_token_hash(token, hash);
    /* Refuse a dead link before spending argon2 on it. */
    struct arena *ar = arena_new(4096);
    struct agent a;
    int64_t exp;
    int rc = store_invite_get(c->st, ar, hash, clock_now_ms(), &a, &exp);
    arena_free(ar);
    if (rc == ERR_NOTFOUND)
        return errmsg_set(em, rc, "this link is not valid any more");
    if (rc < 0)
        return rc;
    rc = new_hash(c, password, pw, sizeof(pw), em);
    if (rc < 0)
        return rc;
    rc = store_invite_accept(c->st, hash, pw, clock_now_ms(), &id, &ended);
    if (rc == ERR_NOTFOUND)
        return errmsg_set(em, rc, "this link is not valid any more");
    if (rc < 0)
        return rc;
    log_info("auth", "invite accepted: password set", "agent=%lld sessions_ended=%lld",
             (long long)id, (long long)ended);
    *agent_id = id;
    return 0;
}

int
auth_new(const struct auth_config *cfg, struct store *st, struct auth **out)
{
    struct auth *c = xcalloc(1, sizeof(*c));
    c->cfg = *cfg;
#define DEFAULT(field, v)                                                                          \
    if (c->cfg.field <= 0)                                                                         \
    c->cfg.field = (v)
    DEFAULT(session_idle_ms, 12LL * 3600 * 1000);
    DEFAULT(session_absolute_ms, 7LL * 24 * 3600 * 1000);
    DEFAULT(login_max_per_account, 5);
    DEFAULT(login_max_per_client, 20);
    DEFAULT(login_window_ms, 15LL * 60 * 1000);
    DEFAULT(login_max_account_global, 100);
    DEFAULT(login_lock_ms, 60000);
    DEFAULT(login_slow_ms, 3000);
    DEFAULT(verify_max, (int)sysconf(_SC_NPROCESSORS_ONLN));
    DEFAULT(verify_max, 1);
#undef DEFAULT
    c->st = st;
    c->limiter = auth__limiter_new(4096);
    *out = c;
    return 0;
}

void
auth_free(struct auth *c)
{
    if (!c)
        return;
    auth__limiter_free(c->limiter);
    xfree(c);
}

struct auth_metrics *
auth_metrics(struct auth *c)
{
    return &c->metrics;
}

int
auth_sessions_expire(struct auth *c, int64_t now)
{
    return store_session_expire(c->st, now, c->cfg.session_idle_ms);
}
