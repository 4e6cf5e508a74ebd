/* SPDX-License-Identifier: MIT */
/*
 * agents_test.c - the agents admin handlers through the HTTP test double: an agent added
 * without a password gets a one-time invite link that reads, refuses a weak password, sets a
 * good one once and then reads like an unknown link; PATCH validation names the field and
 * changes nothing; a role change shows at once.
 */
#include "base/base.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;

/* Runs METHOD PATH with 'body' (NULL: none) as the admin token (or anonymously); returns the
 * reply parsed (the caller decrefs) and sets '*status'. */
static json_t *
call(const char *method, const char *path, const char *body, bool admin, unsigned *status)
{
    struct http_req r;
    fake_req_init(&r, method, path);
    if (body)
        fake_req_json(&r, body);
    if (admin)
        fixture_run(&fx, &r);
    else
        fake_req_run(&r, fx.routes, fx.nroutes);
    *status = r.status;
    json_t *j = fixture_json(&r);
    fake_req_release(&r);
    return j;
}

TEST(invite_link_lifecycle)
{
    unsigned st;
    json_t *j = call("POST", "/api/v1/agents",
                     "{\"email\":\"ivy@example.com\",\"name\":\"Ivy\",\"role\":\"store_staff\"}",
                     true, &st);
    CHECK_INT(st, 201);
    CHECK_STR(json_string_value(json_object_get(j, "role")), "store_staff");
    CHECK(json_is_false(json_object_get(j, "password_set")));
    const char *url = json_string_value(json_object_get(j, "invite_url"));
    CHECK(url && strstr(url, "/#/invite/"));
    char path[160];
    snprintf(path, sizeof(path), "/api/v1/invites/%s", url ? strstr(url, "/#/invite/") + 10 : "x");
    json_decref(j);

    j = call("GET", path, NULL, false, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "email")), "ivy@example.com");
    json_decref(j);
    j = call("POST", path, "{\"password\":\"short\"}", false, &st);
    CHECK_INT(st, 422);
    CHECK_STR(fixture_error_code(j), "password_too_short");
    json_decref(j);
    j = call("POST", path, "{\"password\":\"ivy-chooses-a-long-one\"}", false, &st);
    CHECK_INT(st, 200);
    json_decref(j);
    j = call("POST", path, "{\"password\":\"ivy-chooses-another-one\"}", false, &st);
    CHECK_INT(st, 404);
    json_decref(j);
    j = call("GET", path, NULL, false, &st);
    CHECK_INT(st, 404);
    json_decref(j);
    j = call("GET", "/api/v1/invites/not-a-token", NULL, false, &st);
    CHECK_INT(st, 404);
    json_decref(j);
}

TEST(patch_validation_and_role)
{
    unsigned st;
    json_t *j = call("POST", "/api/v1/agents",
                     "{\"email\":\"bo@example.com\",\"name\":\"Bo\",\"password\":\"bo-password-long\"}",
                     true, &st);
    CHECK_INT(st, 201);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/agents/%lld",
             (long long)json_integer_value(json_object_get(j, "id")));
    json_decref(j);
    const char *bad[] = { "{\"avatar_url\":\"http://x.example/a.png\"}", "{\"role\":\"owner\"}",
                          "{\"display_name\":\"\"}", "{\"colour\":\"red\"}" };
    const char *field[] = { "avatar_url", "role", "display_name", NULL };
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        j = call("PATCH", path, bad[i], true, &st);
        CHECK_INT(st, 422);
        const char *f = json_string_value(
            json_object_get(json_object_get(j, "error"), "field"));
        if (field[i])
            CHECK_STR(f ? f : "", field[i]);
        json_decref(j);
    }
    j = call("PATCH", path, "{\"role\":\"supervisor\",\"bio\":\"Returns\"}", true, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "role")), "supervisor");
    CHECK_STR(json_string_value(json_object_get(j, "bio")), "Returns");
    CHECK_STR(json_string_value(json_object_get(j, "avatar_url")), "");
    json_decref(j);
    j = call("PATCH", "/api/v1/agents/9999", "{\"bio\":\"x\"}", true, &st);
    CHECK_INT(st, 404);
    json_decref(j);
}

int
main(void)
{
    if (fixture_open(&fx) < 0)
        return 1;
    RUN(invite_link_lifecycle);
    RUN(patch_validation_and_role);
    fixture_close(&fx);
    return test_done();
}
