/* SPDX-License-Identifier: MIT */
/*
 * session_test.c - the login, me and logout handlers called directly through
 * the HTTP test double: each way a login is refused (media type, malformed
 * JSON, missing fields, wrong password, lockout with Retry-After), a login that
 * sets the session cookie, and the cookie session's CSRF rule on writes.
 */
#include "base/base.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;

/* POST /api/v1/login with 'body' (and 'content_type'; NULL: none); returns the
 * status. */
static unsigned
login(struct http_req *r, const char *content_type, const char *body)
{
    fake_req_init(r, "POST", "/api/v1/login");
    r->body = str_c(body);
    if (content_type)
        fake_req_header(r, "Content-Type", content_type);
    fake_req_run(r, fx.routes, fx.nroutes);
    return r->status;
}

static void
check_error(struct http_req *r, unsigned status, const char *code)
{
    CHECK_INT(r->status, status);
    json_t *j = fixture_json(r);
    CHECK(j != NULL);
    CHECK_STR(fixture_error_code(j), code);
    CHECK_STR(r->content_type, "application/json");
    json_decref(j);
    fake_req_release(r);
}

TEST(login_refusals)
{
    struct http_req r;
    login(&r, NULL, "{\"email\":\"admin@example.com\",\"password\":\"" ADMIN_PASSWORD "\"}");
    check_error(&r, 415, "unsupported_media_type");
    login(&r, "text/plain", "{}");
    check_error(&r, 415, "unsupported_media_type");
    login(&r, "application/json", "{\"email\":");
    check_error(&r, 400, "invalid");
    login(&r, "application/json", "{\"email\":\"admin@example.com\"}");
    check_error(&r, 422, "invalid_field");
    login(&r, "application/json", "{\"email\":\"admin@example.com\",\"password\":42}");
    check_error(&r, 422, "invalid_field");
    login(&r, "application/json", "{\"email\":\"nobody@example.com\",\"password\":\"x\"}");
    CHECK(strstr(r.reply, "wrong email or password") != NULL);
    CHECK(fake_req_reply_header(&r, "Set-Cookie") == NULL);
    check_error(&r, 401, "unauthorized");
}

TEST(login_sets_cookie_and_csrf_guards_writes)
{
    struct http_req r;
    CHECK_INT(login(&r, "application/json; charset=utf-8",
                    "{\"email\":\"ADMIN@example.com\",\"password\":\"" ADMIN_PASSWORD "\"}"),
              200);
    json_t *j = fixture_json(&r);
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "agent"), "email")),
              "admin@example.com");
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "agent"), "role")), "admin");
    char csrf[80] = "", session[80] = "";
    snprintf(csrf, sizeof(csrf), "%s", json_string_value(json_object_get(j, "csrf")));
    json_decref(j);
    const char *cookie = fake_req_reply_header(&r, "Set-Cookie");
    CHECK(cookie && strncmp(cookie, "hark_session=", 13) == 0);
    CHECK(cookie && strstr(cookie, "; HttpOnly; SameSite=Strict") != NULL);
    if (cookie)
        sscanf(cookie, "hark_session=%64[0-9a-f]", session);
    CHECK_INT(strlen(session), 64);
    CHECK_INT(strlen(csrf), 64);
    fake_req_release(&r);

    /* The cookie reads... */
    fake_req_init(&r, "GET", "/api/v1/me");
    fake_req_cookie(&r, "hark_session", session);
    fake_req_run(&r, fx.routes, fx.nroutes);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.reply, "admin@example.com") != NULL);
    fake_req_release(&r);
    /* ...but writes only with the CSRF token. */
    fake_req_init(&r, "POST", "/api/v1/logout");
    fake_req_cookie(&r, "hark_session", session);
    fake_req_run(&r, fx.routes, fx.nroutes);
    check_error(&r, 403, "forbidden");
    fake_req_init(&r, "POST", "/api/v1/logout");
    fake_req_cookie(&r, "hark_session", session);
    fake_req_header(&r, "X-CSRF-Token", csrf);
    fake_req_run(&r, fx.routes, fx.nroutes);
    CHECK_INT(r.status, 200);
    cookie = fake_req_reply_header(&r, "Set-Cookie");
    CHECK(cookie && strstr(cookie, "Max-Age=0") != NULL);
    fake_req_release(&r);
    /* The session is gone. */
    fake_req_init(&r, "GET", "/api/v1/me");
    fake_req_cookie(&r, "hark_session", session);
    fake_req_run(&r, fx.routes, fx.nroutes);
    CHECK_STR(fake_req_reply_header(&r, "WWW-Authenticate"), "Bearer realm=\"hark\"");
    check_error(&r, 401, "unauthorized");
    /* A malformed Authorization header is refused with a challenge. */
    fake_req_init(&r, "GET", "/api/v1/me");
    fake_req_header(&r, "Authorization", "Basic YWRtaW46eA==");
    fake_req_run(&r, fx.routes, fx.nroutes);
    CHECK_STR(fake_req_reply_header(&r, "WWW-Authenticate"), "Bearer realm=\"hark\"");
    check_error(&r, 401, "unauthorized");
}

TEST(login_lockout_says_when_to_retry)
{
    struct http_req r;
    for (int i = 0; i < 3; i++) {
        login(&r, "application/json", "{\"email\":\"admin@example.com\",\"password\":\"nope\"}");
        check_error(&r, 401, "unauthorized");
    }
    login(&r, "application/json",
          "{\"email\":\"admin@example.com\",\"password\":\"" ADMIN_PASSWORD "\"}");
    const char *retry = fake_req_reply_header(&r, "Retry-After");
    int64_t secs = 0;
    CHECK(retry && str_to_i64(str_c(retry), 1, 86400, &secs) == 0);
    check_error(&r, 429, "rate_limited");
}

int
main(void)
{
    if (fixture_open(&fx) < 0)
        return 1;
    RUN(login_refusals);
    RUN(login_sets_cookie_and_csrf_guards_writes);
    RUN(login_lockout_says_when_to_retry);
    fixture_close(&fx);
    return test_done();
}
