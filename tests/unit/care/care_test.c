/* SPDX-License-Identifier: MIT */
/* care_test.c - passwords, sessions and tokens, the login limiter, signature checks on the
 * api channel, and the outbox retry schedule. */
#include "base/base.h"

#include "base/arena.h"
#include "care/care.h"
#include "channels/chan.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-care-test-XXXXXX";

static struct store *
open_store(void)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/care.db", dir);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    store_open(&cfg, NULL, &st, NULL);
    return st;
}

TEST(password_hash_and_verify)
{
    char hash[160], hash2[160];
    CHECK_INT(auth_password_hash(STR_LIT("correct horse"), hash, sizeof(hash)), 0);
    CHECK(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    CHECK(auth_password_verify(hash, STR_LIT("correct horse")));
    CHECK(!auth_password_verify(hash, STR_LIT("correct horsE")));
    CHECK(!auth_password_verify(hash, STR_LIT("")));
    CHECK(!auth_password_verify("garbage", STR_LIT("correct horse")));
    CHECK_INT(auth_password_hash(STR_LIT("correct horse"), hash2, sizeof(hash2)), 0);
    CHECK(strcmp(hash, hash2) != 0); /* fresh salt */
    CHECK_INT(auth_password_hash(STR_LIT(""), hash, sizeof(hash)), ERR_INVAL);
}

TEST(login_sessions_and_limits)
{
    struct store *st = open_store();
    struct care *c;
    struct care_config cfg = { .auth = { .login_max_per_account = 3, .login_max_per_client = 100,
                                         .session_idle_ms = 3600000 } };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct agent a = { .email = "Ann@Example.com", .name = "Ann Lee", .role = "agent" };
    struct errmsg em = { 0 };
    int64_t id, wait = 0;
    CHECK_INT(auth_agent_add(care_auth(c), &a, STR_LIT("short"), &id, &em), ERR_INVAL);
    CHECK_INT(auth_agent_add(care_auth(c), &a, STR_LIT("a long password"), &id, &em), 0);
    struct arena *ar = arena_new(1 << 20);
    struct auth_login_result l1, l2;
    CHECK_INT(auth_login(care_auth(c), ar, STR_LIT("ann@example.com"), STR_LIT("a long password"), "1.2.3.4",
                         &l1, &wait), 0);
    CHECK_INT(auth_login(care_auth(c), ar, STR_LIT("ann@example.com"), STR_LIT("a long password"), "1.2.3.4",
                         &l2, &wait), 0);
    CHECK(strcmp(l1.token, l2.token) != 0); /* new token at every login */
    CHECK_INT(strlen(l1.token), 64);
    struct auth_principal p;
    CHECK_INT(auth_session(care_auth(c), ar, l1.token, &p), 0);
    CHECK_INT(p.agent_id, id);
    CHECK(p.via_cookie);
    CHECK_STR(p.csrf, l1.csrf);
    CHECK_INT(auth_logout(care_auth(c), l1.token), 0);
    CHECK_INT(auth_session(care_auth(c), ar, l1.token, &p), ERR_AUTH);
    CHECK_INT(auth_session(care_auth(c), ar, l2.token, &p), 0);
    CHECK_INT(auth_session(care_auth(c), ar, "short", &p), ERR_AUTH);
    /* Three failures lock the account, even for the right password. */
    for (int i = 0; i < 3; i++)
        CHECK_INT(auth_login(care_auth(c), ar, STR_LIT("ann@example.com"), STR_LIT("wrong"), "5.6.7.8", &l1,
                             &wait), ERR_AUTH);
    CHECK_INT(auth_login(care_auth(c), ar, STR_LIT("ann@example.com"), STR_LIT("a long password"), "5.6.7.8",
                         &l1, &wait), ERR_BUSY);
    CHECK(wait > 0);
    CHECK_INT(auth_login(care_auth(c), ar, STR_LIT("nobody@example.com"), STR_LIT("x"), "5.6.7.8", &l1, &wait),
              ERR_AUTH);
    /* API tokens. */
    char tok[80];
    int64_t tid;
    struct api_token spec = { .name = "ci", .role = "admin" };
    CHECK_INT(auth_token_create(care_auth(c), &spec, tok, sizeof(tok), &tid, &em), 0);
    CHECK(strncmp(tok, "hark_", 5) == 0);
    CHECK_INT(auth_bearer(care_auth(c), ar, tok, &p), 0);
    CHECK_STR(p.role, "admin");
    CHECK(!p.via_cookie);
    CHECK_INT(auth_bearer(care_auth(c), ar, "hark_nope", &p), ERR_AUTH);
    arena_free(ar);
    care_free(c);
    store_close(st);
}

static const char *
sig_header(void *ctx, const char *name)
{
    return strcmp(name, "X-Hark-Signature") == 0 ? ctx : NULL;
}

TEST(api_channel_signature_and_parse)
{
    /* Vector: HMAC-SHA256("s3cret", body). */
    const char *body = "{\"id\":\"m1\",\"from\":{\"id\":42,\"name\":\"Ann\"},\"text\":\"hi\"}";
    char hex[65], good[80];
    chan_hmac_hex("s3cret", str_c(body), hex);
    snprintf(good, sizeof(good), "sha256=%s", hex);
    const struct chan_ops *ops = chan_find("api");
    CHECK(ops != NULL);
    CHECK(chan_find("carrier-pigeon") == NULL);
    struct channel ch = { .id = 1, .type = "api", .secret = "s3cret" };
    struct chan_hook hook = { .method = "POST", .body = str_c(body), .header = sig_header,
                              .ctx = good };
    CHECK_INT(ops->verify(&ch, &hook), 0);
    char bad[80];
    memcpy(bad, good, sizeof(bad));
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    hook.ctx = bad;
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    hook.ctx = "sha256=short";
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    hook.ctx = NULL;
    CHECK_INT(ops->verify(&ch, &hook), ERR_AUTH);
    CHECK(chan_signature_ok("s3cret", str_c(body), good));

    struct arena *ar = arena_new(1 << 20);
    struct inbound in;
    struct errmsg em = { 0 };
    hook.ctx = good;
    CHECK_INT(ops->parse(&ch, &hook, ar, &in, 1, &em), 1);
    CHECK(str_eq_c(in.from_id, "42")); /* numeric ids become text */
    CHECK(str_eq_c(in.text, "hi"));
    hook.body = STR_LIT("{\"id\":\"m1\",\"from\":{},\"text\":\"hi\"}");
    CHECK_INT(ops->parse(&ch, &hook, ar, &in, 1, &em), ERR_INVAL);
    CHECK(strstr(em.text, "'id'") != NULL);
    char *norm = NULL;
    struct errmsg em2 = { 0 };
    CHECK_INT(ops->settings("{\"callback_url\":\"file:///etc/passwd\"}", &norm, &em2), ERR_INVAL);
    CHECK_INT(ops->settings("{\"callback_url\":\"https://x.example/cb\"}", &norm, &em2), 0);
    free(norm);
    arena_free(ar);
}

TEST(outbox_retry_schedule)
{
    /* Exponential from the base, capped, never before Retry-After, jitter within 10%. */
    int64_t d1 = care_outbox_delay(1, -1, 1000, 60000, 7);
    int64_t d2 = care_outbox_delay(2, -1, 1000, 60000, 7);
    int64_t d3 = care_outbox_delay(3, -1, 1000, 60000, 7);
    CHECK(d1 >= 1000 && d1 <= 1100);
    CHECK(d2 >= 2000 && d2 <= 2200);
    CHECK(d3 >= 4000 && d3 <= 4400);
    int64_t capped = care_outbox_delay(30, -1, 1000, 60000, 7);
    CHECK(capped >= 60000 && capped <= 66000);
    CHECK_INT(care_outbox_delay(1, 30000, 1000, 60000, 7), 30000);
    CHECK(care_outbox_delay(3, 10, 1000, 60000, 7) >= 4000);
    CHECK_INT(care_outbox_delay(2, -1, 1000, 60000, 7), d2); /* deterministic */
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(password_hash_and_verify);
    RUN(login_sessions_and_limits);
    RUN(api_channel_signature_and_parse);
    RUN(outbox_retry_schedule);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
