/* SPDX-License-Identifier: MIT */
/* auth_test.c - the login limiter under concurrency, lockout keys and backoff, the argon2
 * slot cap, password rules, and the credential lifecycle (disable, reset, own change, token
 * revoke and expiry). */
#include "base/base.h"

#include <pthread.h>

#include "base/arena.h"
#include "base/clock.h"
#include "auth/auth.h"
#include "auth/auth_int.h" /* the limiter, to test backoff with a synthetic clock */
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-auth-test-XXXXXX";
static int dbn;

static struct store *
open_store(void)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/auth%d.db", dir, dbn++);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    store_open(&cfg, NULL, &st, NULL);
    return st;
}

#define PW "plum tree at dawn"

static int64_t
add_agent(struct auth *c, const char *email, const char *role)
{
    struct agent a = { .email = email, .name = "Test Agent", .role = role };
    struct errmsg em = { 0 };
    int64_t id = 0;
    CHECK_INT(auth_agent_add(c, &a, STR_LIT(PW), &id, &em), 0);
    return id;
}

TEST(password_rules)
{
    struct errmsg em = { 0 };
    CHECK_INT(auth_password_check(STR_LIT("northwind-demo"), NULL), AUTH_PASSWORD_OK);
    CHECK_INT(auth_password_check(STR_LIT("eleven char"), &em), AUTH_PASSWORD_TOO_SHORT);
    CHECK(strstr(em.text, "at least 12") != NULL);
    /* Length counts code points: 11 two-byte letters are 22 bytes but 11 characters. */
    CHECK_INT(auth_password_check(STR_LIT("ééééééééééé"), NULL), AUTH_PASSWORD_TOO_SHORT);
    CHECK_INT(auth_password_check(STR_LIT("éééééééééééé"), NULL), AUTH_PASSWORD_OK);
    CHECK_INT(auth_password_check(STR_LIT("\xff\xfe long enough text"), NULL),
              AUTH_PASSWORD_INVALID);
    char big[AUTH_PASSWORD_MAX + 2];
    memset(big, 'k', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_INT(auth_password_check(str_c(big), NULL), AUTH_PASSWORD_TOO_LONG);
    big[AUTH_PASSWORD_MAX] = '\0';
    CHECK_INT(auth_password_check(str_c(big), NULL), AUTH_PASSWORD_OK);
    /* Entries of the shipped list (12+ characters), in any case. */
    CHECK_INT(auth_password_check(STR_LIT("1qaz2wsx3edc"), NULL), AUTH_PASSWORD_BREACHED);
    CHECK_INT(auth_password_check(STR_LIT("1QAZ2wsx3EDC"), NULL), AUTH_PASSWORD_BREACHED);
    CHECK_INT(auth_password_check(STR_LIT("qwertyuiopasdfghjkl"), NULL), AUTH_PASSWORD_OK);
    CHECK(auth_password_breached(STR_LIT("password")));
    CHECK(auth_password_breached(STR_LIT("qwertyuiop")));
    CHECK(!auth_password_breached(STR_LIT("plum tree at dawn")));
    CHECK_STR(auth_password_problem_code(AUTH_PASSWORD_BREACHED), "password_breached");
    struct auth *c;
    struct store *st = open_store();
    CHECK_INT(auth_new(&(struct auth_config){ 0 }, st, &c), 0);
    struct agent a = { .email = "x@example.com", .name = "X", .role = "agent" };
    int64_t id;
    CHECK_INT(auth_agent_add(c, &a, STR_LIT("password1234"), &id, &em), ERR_INVAL);
    auth_free(c);
    store_close(st);
}

struct racer {
    struct auth *c;
    const char *client;
    const char *password;
    pthread_barrier_t *go;
    int rc;
};

static void *
race(void *arg)
{
    struct racer *r = arg;
    struct arena *ar = arena_new(64 * 1024);
    struct auth_login_result l;
    int64_t wait = 0;
    pthread_barrier_wait(r->go);
    r->rc = auth_login(r->c, ar, STR_LIT("ann@example.com"), str_c(r->password), r->client, &l,
                       &wait);
    arena_free(ar);
    return NULL;
}

/* 'n' logins at once to ann@example.com from 'client', all with 'password' except the last
 * (the right one); counts the results. */
static void
race_logins(struct auth *c, int n, int *auth, int *busy, int *ok)
{
    enum { MAX = 60 };
    pthread_t th[MAX];
    struct racer rs[MAX];
    pthread_barrier_t go;
    ASSERT(n <= MAX);
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        rs[i] = (struct racer){ .c = c, .client = "9.9.9.9", .go = &go,
                                .password = i == n - 1 ? PW : "wrong password!" };
        pthread_create(&th[i], NULL, race, &rs[i]);
    }
    *auth = *busy = *ok = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        *auth += rs[i].rc == ERR_AUTH;
        *busy += rs[i].rc == ERR_BUSY;
        *ok += rs[i].rc == 0;
    }
    pthread_barrier_destroy(&go);
}

TEST(concurrent_logins_are_counted_before_verify)
{
    struct store *st = open_store();
    struct auth *c;
    /* Many argon2 slots, so only the limiter stands between the racers and the password. */
    struct auth_config cfg = { .login_max_per_account = 5, .verify_max = 64 };
    CHECK_INT(auth_new(&cfg, st, &c), 0);
    add_agent(c, "ann@example.com", "agent");
    int auth, busy, ok;
    race_logins(c, 40, &auth, &busy, &ok);
    CHECK(auth + ok <= 5); /* at most the limit reached argon2 */
    CHECK_INT(auth + ok + busy, 40);
    auth_free(c);
    store_close(st);
}

TEST(verify_slots_are_capped)
{
    struct store *st = open_store();
    struct auth *c;
    /* A generous limiter, one argon2 slot: racers beyond the slot get ERR_BUSY at once. */
    struct auth_config cfg = { .login_max_per_account = 1000, .login_max_per_client = 1000,
                               .verify_max = 1 };
    CHECK_INT(auth_new(&cfg, st, &c), 0);
    add_agent(c, "ann@example.com", "agent");
    int auth, busy, ok;
    race_logins(c, 20, &auth, &busy, &ok);
    CHECK(busy > 0);
    CHECK(auth + ok >= 1);
    CHECK_INT(auth + ok + busy, 20);
    auth_free(c);
    store_close(st);
}

TEST(stranger_cannot_lock_out)
{
    struct store *st = open_store();
    struct auth *c;
    struct auth_config cfg = { .login_max_per_account = 3, .login_max_per_client = 100,
                               .login_max_account_global = 9, .login_lock_ms = 60000,
                               .login_slow_ms = 3000 };
    CHECK_INT(auth_new(&cfg, st, &c), 0);
    add_agent(c, "ann@example.com", "agent");
    struct arena *ar = arena_new(1 << 20);
    struct auth_login_result l;
    int64_t wait = 0;
    for (int i = 0; i < 3; i++)
        CHECK_INT(auth_login(c, ar, STR_LIT("ANN@example.com"), STR_LIT("wrong pw"), "6.6.6.6",
                             &l, &wait), ERR_AUTH);
    /* The stranger is locked for about a minute... */
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT(PW), "6.6.6.6", &l, &wait),
              ERR_BUSY);
    CHECK(wait > 50000 && wait <= 60000);
    /* ... the real user, from another address, is not. */
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT(PW), "1.1.1.1", &l, &wait),
              0);
    /* Past the account-wide limit (failures from many addresses) the account is slowed, not
     * locked: one try per slow_ms. */
    char client[32];
    for (int i = 0; i < 6; i++) {
        snprintf(client, sizeof(client), "7.7.7.%d", i);
        CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT("wrong pw"), client, &l,
                             &wait), ERR_AUTH);
    }
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT(PW), "1.1.1.1", &l, &wait),
              ERR_BUSY);
    CHECK(wait > 0 && wait <= 3000);
    arena_free(ar);
    auth_free(c);
    store_close(st);

}

TEST(limiter_backoff_and_slow_rule)
{
    /* Driven with a synthetic clock, so no assertion depends on timing. */
    struct auth__limiter *l = auth__limiter_new(8);
    const char *keys[] = { "ac:x|1.1.1.1", "a:x" };
    struct auth__limit rules[] = {
        { .max = 2, .window_ms = 1000000, .lock_ms = 1000, .lock_max_ms = 8000 },
        { .max = 4, .window_ms = 1000000, .slow_ms = 500 },
    };
    int64_t now = 1000000;
    CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 0);
    CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 0); /* 2nd: counted, then locked */
    CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 1000);
    int64_t want[] = { 2000, 4000, 8000, 8000 }; /* doubling, capped at lock_max_ms */
    for (int i = 0; i < 4; i++) {
        now += 100000; /* past the lock, within the window */
        CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 0);
        CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), want[i]);
    }
    /* A success forgets the key. */
    auth__limiter_succeed(l, keys, 1, 1);
    CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 0);
    /* An entry idle for a window after its lock is forgotten too. */
    CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 0);
    CHECK(auth__limiter_begin(l, keys, rules, 1, now) > 0);
    now += 2000000;
    CHECK_INT(auth__limiter_begin(l, keys, rules, 1, now), 0);

    /* The slow rule never locks: past 'max', one attempt per slow_ms. */
    const char *acct[] = { "a:y" };
    const struct auth__limit *slow = &rules[1];
    for (int i = 0; i < 4; i++)
        CHECK_INT(auth__limiter_begin(l, acct, slow, 1, now), 0);
    CHECK_INT(auth__limiter_begin(l, acct, slow, 1, now), 500);
    CHECK_INT(auth__limiter_begin(l, acct, slow, 1, now + 499), 1);
    CHECK_INT(auth__limiter_begin(l, acct, slow, 1, now + 500), 0);
    CHECK_INT(auth__limiter_begin(l, acct, slow, 1, now + 700), 300);

    /* All keys or none: a refusal on one key counts nothing on the others. */
    const char *pair[] = { "ac:z|2.2.2.2", "a:y" };
    struct auth__limit pr[] = { rules[0], rules[1] };
    CHECK_INT(auth__limiter_begin(l, pair, pr, 2, now + 700), 300);
    CHECK_INT(auth__limiter_begin(l, pair, pr, 2, now + 1000), 0);
    CHECK_INT(auth__limiter_begin(l, pair, pr, 1, now + 1000), 0); /* 2nd on "ac:z": locks */
    CHECK(auth__limiter_begin(l, pair, pr, 1, now + 1000) > 0);

    /* A full table recycles its least recently used entry instead of growing. */
    char k[32];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof(k), "c:10.0.0.%d", i);
        const char *one[] = { k };
        CHECK_INT(auth__limiter_begin(l, one, rules, 1, now + 2000 + i), 0);
    }
    auth__limiter_free(l);
}

TEST(credential_lifecycle)
{
    struct store *st = open_store();
    struct auth *c;
    CHECK_INT(auth_new(&(struct auth_config){ .session_idle_ms = 3600000 }, st, &c), 0);
    int64_t ann = add_agent(c, "ann@example.com", "admin");
    struct arena *ar = arena_new(1 << 20);
    struct auth_login_result l1, l2;
    struct auth_principal p;
    struct errmsg em = { 0 };
    int64_t wait = 0, ended = -1;
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT(PW), "1.1.1.1", &l1, &wait), 0);
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT(PW), "1.1.1.1", &l2, &wait), 0);
    char tok[80];
    int64_t tid, tid2;
    struct api_token spec = { .name = "ann's", .role = "admin", .agent_id = ann };
    CHECK_INT(auth_token_create(c, &spec, tok, sizeof(tok), &tid, &em), 0);

    /* Own change: wrong current password refused; the right one keeps this session only. */
    CHECK_INT(auth_session(c, ar, l1.token, &p), 0);
    CHECK_INT(auth_password_change(c, ar, ann, STR_LIT("not it at all"), STR_LIT("new words here"),
                                   p.session_id, "1.1.1.1", &ended, &wait, &em),
              ERR_AUTH);
    CHECK_INT(auth_password_change(c, ar, ann, STR_LIT(PW), STR_LIT("short"), p.session_id,
                                   "1.1.1.1", &ended, &wait, &em),
              ERR_INVAL);
    CHECK_INT(auth_password_change(c, ar, ann, STR_LIT(PW), STR_LIT("new words here"),
                                   p.session_id, "1.1.1.1", &ended, &wait, &em),
              0);
    CHECK_INT(ended, 1);
    CHECK_INT(auth_session(c, ar, l1.token, &p), 0);
    CHECK_INT(auth_session(c, ar, l2.token, &p), ERR_AUTH);
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT(PW), "1.1.1.1", &l2, &wait),
              ERR_AUTH);
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT("new words here"), "1.1.1.1",
                         &l2, &wait), 0);

    /* Admin reset ends every session. */
    CHECK_INT(auth_agent_set_password(c, ann, STR_LIT("third password!"), &ended, &em), 0);
    CHECK_INT(ended, 2);
    CHECK_INT(auth_session(c, ar, l1.token, &p), ERR_AUTH);
    CHECK_INT(auth_agent_set_password(c, 999, STR_LIT("third password!"), &ended, &em),
              ERR_NOTFOUND);

    /* Disable: no login, no session, no token it made; enable restores login and tokens. */
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT("third password!"), "1.1.1.1",
                         &l1, &wait), 0);
    CHECK_INT(auth_bearer(c, ar, tok, &p), 0);
    CHECK_INT(auth_agent_set_disabled(c, ann, true, &ended), 0);
    CHECK_INT(ended, 1);
    CHECK_INT(auth_session(c, ar, l1.token, &p), ERR_AUTH);
    CHECK_INT(auth_bearer(c, ar, tok, &p), ERR_AUTH);
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT("third password!"), "1.1.1.1",
                         &l1, &wait), ERR_AUTH);
    CHECK_INT(auth_agent_set_disabled(c, ann, false, &ended), 0);
    CHECK_INT(auth_bearer(c, ar, tok, &p), 0);
    CHECK_INT(auth_login(c, ar, STR_LIT("ann@example.com"), STR_LIT("third password!"), "1.1.1.1",
                         &l1, &wait), 0);
    CHECK_INT(auth_agent_set_disabled(c, 999, true, &ended), ERR_NOTFOUND);

    /* Revoked and expired tokens fail; the list keeps them. */
    CHECK_INT(store_token_revoke(st, tid), 0);
    CHECK_INT(auth_bearer(c, ar, tok, &p), ERR_AUTH);
    CHECK_INT(store_token_revoke(st, 12345), ERR_NOTFOUND);
    struct api_token soon = { .name = "soon", .role = "agent",
                              .expires_at = clock_now_ms() + 1500 };
    CHECK_INT(auth_token_create(c, &soon, tok, sizeof(tok), &tid2, &em), 0);
    CHECK_INT(auth_bearer(c, ar, tok, &p), 0);
    CHECK_STR(p.role, "agent");
    struct timespec ts = { 1, 600 * 1000000L };
    nanosleep(&ts, NULL);
    CHECK_INT(auth_bearer(c, ar, tok, &p), ERR_AUTH);
    struct api_token past = { .name = "past", .role = "agent", .expires_at = 1000 };
    CHECK_INT(auth_token_create(c, &past, tok, sizeof(tok), &tid2, &em), ERR_INVAL);
    struct api_token *v;
    size_t n;
    CHECK_INT(store_token_list(st, ar, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK(v[0].revoked_at > 0);
    CHECK_INT(v[0].agent_id, ann);
    CHECK(v[1].expires_at > 0 && v[1].revoked_at == 0);
    arena_free(ar);
    auth_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(password_rules);
    RUN(concurrent_logins_are_counted_before_verify);
    RUN(verify_slots_are_capped);
    RUN(stranger_cannot_lock_out);
    RUN(limiter_backoff_and_slow_rule);
    RUN(credential_lifecycle);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
