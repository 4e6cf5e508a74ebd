/* SPDX-License-Identifier: MIT */
/*
 * contacts_test.c - blocking through the HTTP test double: a reason is required and bounded
 * (error.field "reason"), unknown fields and a PATCH to "blocked" are 422s naming the field,
 * a second block and an unblock of one not blocked are 409s, an agent token cannot unblock
 * (403), and the block shows on the contact and its conversation.
 */
#include "base/base.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;
static char agent_token[96];

/* Runs METHOD PATH [BODY] with 'bearer' ("Bearer ..."); returns the parsed answer. */
static json_t *
call(const char *bearer, const char *method, const char *path, const char *body, unsigned *status)
{
    struct http_req r;
    fake_req_init(&r, method, path);
    if (body)
        fake_req_json(&r, body);
    fake_req_header(&r, "Authorization", bearer);
    fake_req_run(&r, fx.routes, fx.nroutes);
    *status = r.status;
    json_t *j = fixture_json(&r);
    fake_req_release(&r);
    return j;
}

static const char *
field(json_t *j)
{
    const char *s = json_string_value(json_object_get(json_object_get(j, "error"), "field"));
    return s ? s : "";
}

TEST(block_validation_roles_and_effect)
{
    unsigned st;
    json_t *j = call(fx.token, "POST", "/api/v1/channels", "{\"type\":\"api\",\"name\":\"Web\"}", &st);
    CHECK_INT(st, 201);
    int64_t ch = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    struct inbound in = { .channel_id = ch, .channel_type = "api", .external_id = STR_LIT("m1"),
                          .from_id = STR_LIT("troll"), .from_name = STR_LIT("Trevor"),
                          .text = STR_LIT("idiots") };
    struct ingest_result res;
    CHECK_INT(store_ingest(fx.st, &in, &res), 0);
    char path[128], cpath[128], conv[128];
    snprintf(path, sizeof(path), "/api/v1/contacts/%lld/block", (long long)res.contact_id);
    snprintf(cpath, sizeof(cpath), "/api/v1/contacts/%lld", (long long)res.contact_id);
    snprintf(conv, sizeof(conv), "/api/v1/conversations/%lld", (long long)res.conversation_id);

    static const char *const bad[] = { "{}", "{\"reason\":\"  \"}", "{\"reason\":7}",
                                       "{\"reason\":null}" };
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        j = call(fx.token, "POST", path, bad[i], &st);
        CHECK_INT(st, 422);
        CHECK_STR(field(j), "reason");
        json_decref(j);
    }
    char big[600];
    snprintf(big, sizeof(big), "{\"reason\":\"%0501d\"}", 0);
    j = call(fx.token, "POST", path, big, &st);
    CHECK_INT(st, 422);
    json_decref(j);
    j = call(fx.token, "POST", path, "{\"reason\":\"rude\",\"days\":3}", &st);
    CHECK_INT(st, 422);
    json_decref(j);
    j = call(fx.token, "PATCH", cpath, "{\"status\":\"blocked\"}", &st);
    CHECK_INT(st, 422);
    CHECK_STR(field(j), "status");
    json_decref(j);
    j = call(fx.token, "POST", "/api/v1/contacts/4242/block", "{\"reason\":\"rude\"}", &st);
    CHECK_INT(st, 404);
    json_decref(j);
    j = call(fx.token, "DELETE", path, NULL, &st);
    CHECK_INT(st, 409);
    json_decref(j);

    /* An agent token blocks; it cannot unblock. */
    j = call(agent_token, "POST", path, "{\"reason\":\" Insults \"}", &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "blocked");
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "blocked"), "reason")),
              "Insults");
    json_decref(j);
    j = call(fx.token, "POST", path, "{\"reason\":\"again\"}", &st);
    CHECK_INT(st, 409);
    json_decref(j);
    j = call(fx.token, "GET", conv, NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_true(json_object_get(j, "blocked")));
    CHECK(json_is_object(json_object_get(json_object_get(j, "contact"), "blocked")));
    json_decref(j);
    j = call(fx.token, "PATCH", cpath, "{\"status\":\"customer\"}", &st);
    CHECK_INT(st, 409);
    json_decref(j);
    j = call(agent_token, "DELETE", path, NULL, &st);
    CHECK_INT(st, 403);
    json_decref(j);
    j = call(fx.token, "DELETE", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_null(json_object_get(j, "blocked")));
    CHECK_STR(json_string_value(json_object_get(j, "status")), "customer");
    json_decref(j);
    j = call(fx.token, "GET", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_null(json_object_get(j, "blocked")));
    json_decref(j);
}

int
main(void)
{
    if (fixture_open(&fx) < 0)
        return 1;
    struct api_token t = { .name = "agent", .role = "agent" };
    char tok[72];
    int64_t tid;
    struct errmsg em = { 0 };
    if (auth_token_create(care_auth(fx.care), &t, tok, sizeof(tok), &tid, &em) < 0)
        return 1;
    snprintf(agent_token, sizeof(agent_token), "Bearer %s", tok);
    RUN(block_validation_roles_and_effect);
    fixture_close(&fx);
    return test_done();
}
