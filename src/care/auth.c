/* SPDX-License-Identifier: MIT */
/*
 * auth.c - passwords (argon2id), login sessions, API tokens and the failed-login limiter.
 *
 * Session and API tokens are 256-bit CSPRNG values shown to the client once; the database
 * keeps only their SHA-256. An unknown email costs the same argon2 work as a wrong password,
 * so response time does not reveal which accounts exist.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <argon2.h>
#include <ctype.h>
#include <openssl/evp.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rand.h"
#include "store/store.h"

#define PW_T_COST 2
#define PW_M_COST (19 * 1024) /* KiB: 19 MiB, the OWASP minimum for argon2id */
#define PW_PARALLELISM 1
#define PW_MAX 1024

int
care_password_hash(struct str password, char *out, size_t n)
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
care_password_verify(const char *encoded, struct str password)
{
    if (!encoded || password.len == 0 || password.len > PW_MAX)
        return false;
    return argon2id_verify(encoded, password.p, password.len) == ARGON2_OK;
}

void
care_token_hash(const char *token, char out[65])
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
    care_password_hash(str_c(pw), dummy, sizeof(dummy));
}

static const char *
dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_init);
    return dummy;
}

int
care_login(struct care *c, struct arena *ar, struct str email, struct str password,
           const char *client, struct care_login *out, int64_t *retry_after_ms)
{
    int64_t now = clock_now_ms();
    char akey[160], ckey[160];
    int rc;

    /* Limiter keys: case-folded email, and the client address. */
    size_t n = 2;
    memcpy(akey, "a:", 2);
    for (size_t i = 0; i < email.len && n < sizeof(akey) - 1; i++)
        akey[n++] = (char)tolower((unsigned char)email.p[i]);
    akey[n] = '\0';
    snprintf(ckey, sizeof(ckey), "c:%s", client ? client : "");

    int64_t wait_a = care__limiter_check(c->limiter, akey, c->cfg.login_max_per_account,
                                         c->cfg.login_window_ms, now);
    int64_t wait_c = care__limiter_check(c->limiter, ckey, c->cfg.login_max_per_client,
                                         c->cfg.login_window_ms, now);
    if (wait_a || wait_c) {
        *retry_after_ms = wait_a > wait_c ? wait_a : wait_c;
        metrics_add(&c->metrics.logins_limited, 1);
        return ERR_BUSY;
    }

    struct agent a;
    rc = store_agent_by_email(c->st, ar, email, &a);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return rc;
    bool ok = care_password_verify(rc == 0 ? a.password_hash : dummy_hash(), password);
    if (rc < 0 || !ok) {
        care__limiter_fail(c->limiter, akey, c->cfg.login_window_ms, now);
        care__limiter_fail(c->limiter, ckey, c->cfg.login_window_ms, now);
        metrics_add(&c->metrics.logins_failed, 1);
        log_info("auth", "login failed", "client=%s", client ? client : "-");
        return ERR_AUTH;
    }
    care__limiter_reset(c->limiter, akey);

    char hash[65];
    rand_hex(out->token, 32);
    rand_hex(out->csrf, 32);
    care_token_hash(out->token, hash);
    rc = store_session_create(c->st, hash, a.id, out->csrf, now, now + c->cfg.session_absolute_ms);
    if (rc < 0)
        return rc;
    a.password_hash = NULL;
    out->agent = a;
    log_info("auth", "login", "agent=%lld", (long long)a.id);
    return 0;
}

int
care_logout(struct care *c, const char *token)
{
    char hash[65];
    care_token_hash(token, hash);
    return store_session_delete(c->st, hash);
}

int
care_session(struct care *c, struct arena *ar, const char *token, struct care_principal *out)
{
    char hash[65];
    struct session s;
    struct agent a;
    int64_t now = clock_now_ms();

    if (!token || strlen(token) != 64)
        return ERR_AUTH;
    care_token_hash(token, hash);
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
    /* Refresh the idle clock at most once a minute: one small async write, not one per request. */
    if (now - s.last_seen_at > 60000)
        store_session_touch(c->st, s.id, now);
    memset(out, 0, sizeof(*out));
    out->agent_id = a.id;
    out->role = a.role;
    out->via_cookie = true;
    out->csrf = s.csrf;
    out->session_id = s.id;
    return 0;
}

int
care_bearer(struct care *c, struct arena *ar, const char *token, struct care_principal *out)
{
    char hash[65];
    struct api_token t;
    if (!token || !token[0] || strlen(token) > 200)
        return ERR_AUTH;
    care_token_hash(token, hash);
    int rc = store_token_get(c->st, ar, hash, &t);
    if (rc == ERR_NOTFOUND)
        return ERR_AUTH;
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->role = t.role;
    out->token_id = t.id;
    return 0;
}

int
care_token_create(struct care *c, const char *name, const char *role, char *out, size_t n,
                  int64_t *id)
{
    char secret[65], hash[65];
    if (n < 70)
        return ERR_INVAL;
    rand_hex(secret, 32);
    snprintf(out, n, "hark_%s", secret);
    care_token_hash(out, hash);
    return store_token_create(c->st, name, hash, role, id);
}

int
care_agent_add(struct care *c, const struct agent *a, struct str password, int64_t *id,
               struct errmsg *em)
{
    char hash[160];
    struct agent copy = *a;
    if (!a->email || !strchr(a->email, '@') || strlen(a->email) > MODEL_NAME_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'email'");
    if (!a->name || !a->name[0] || strlen(a->name) > MODEL_NAME_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'name': want 1..%d bytes", MODEL_NAME_MAX);
    if (!a->role || !model_role_valid(str_c(a->role)))
        return errmsg_set(em, ERR_INVAL, "invalid 'role': want admin or agent");
    if (password.len < 8 || password.len > PW_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'password': want 8..%d bytes", PW_MAX);
    int rc = care_password_hash(password, hash, sizeof(hash));
    if (rc < 0)
        return errmsg_set(em, rc, "cannot hash the password");
    copy.password_hash = hash;
    rc = store_agent_add(c->st, &copy, id);
    if (rc == ERR_CONFLICT)
        return errmsg_set(em, rc, "an agent with email '%s' exists", a->email);
    return rc;
}
