/* SPDX-License-Identifier: MIT */
/*
 * callbacks_test.c - the callback handlers through the HTTP test double: the offer's
 * validation (text, calendar, conversation) and its link; the public page's answers (the same
 * 404 for a wrong or used link, a bad phone, slot or note named in error.field); the task
 * listed and marked done.
 */
#include "base/base.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;

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

/* GET /api/v1/callbacks with one query argument, as the admin token. */
static json_t *
list(const char *name, const char *value, unsigned *status)
{
    struct http_req r;
    fake_req_init(&r, "GET", "/api/v1/callbacks");
    fake_req_query(&r, name, value);
    *status = fixture_run(&fx, &r);
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

TEST(offer_answer_task)
{
    unsigned st;
    json_t *j = call("POST", "/api/v1/channels", "{\"type\":\"api\",\"name\":\"Kaffee\"}", true, &st);
    CHECK_INT(st, 201);
    int64_t ch = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    struct inbound in = { .channel_id = ch, .channel_type = "api", .external_id = STR_LIT("m1"),
                          .from_id = STR_LIT("u1"), .from_name = STR_LIT("Lena Berg"),
                          .text = STR_LIT("call me") };
    struct ingest_result res;
    CHECK_INT(store_ingest(fx.st, &in, &res), 0);
    char path[200];
    snprintf(path, sizeof(path), "/api/v1/conversations/%lld/callback-offer",
             (long long)res.conversation_id);

    /* The offer's validation. */
    char big[2100 + 20];
    memset(big, 'x', sizeof(big));
    memcpy(big, "{\"text\":\"", 9);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    j = call("POST", path, big, true, &st);
    CHECK_INT(st, 422);
    CHECK_STR(field(j), "text");
    json_decref(j);
    j = call("POST", path, "{\"calendar_id\":99}", true, &st);
    CHECK_INT(st, 422);
    CHECK_STR(field(j), "calendar_id");
    json_decref(j);
    j = call("POST", "/api/v1/conversations/999/callback-offer", "{}", true, &st);
    CHECK_INT(st, 404);
    json_decref(j);
    j = call("POST", path, "{}", false, &st);
    CHECK_INT(st, 401);
    json_decref(j);

    /* The link: the agent's text with {link} replaced. */
    j = call("POST", path, "{\"text\":\"Hi Lena, pick a time: {link} - Ada\"}", true, &st);
    CHECK_INT(st, 201);
    const char *url = json_string_value(json_object_get(json_object_get(j, "callback"), "url"));
    CHECK(url && strncmp(url, "http://127.0.0.1:1/callback/", 28) == 0);
    char tok[64] = "", pub[128];
    snprintf(tok, sizeof(tok), "%s", url ? url + 28 : "");
    CHECK_INT(strlen(tok), CARE_CALLBACK_TOKEN_LEN);
    const char *text = json_string_value(json_object_get(json_object_get(j, "message"), "text"));
    char want[200];
    snprintf(want, sizeof(want), "Hi Lena, pick a time: %s - Ada", url ? url : "");
    CHECK_STR(text, want);
    json_decref(j);
    snprintf(pub, sizeof(pub), "/api/v1/callback/%s", tok);

    /* The public side. */
    j = call("GET", pub, NULL, false, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "brand_name")), "Kaffee");
    CHECK_STR(json_string_value(json_object_get(j, "tz")), "UTC");
    char slot[40];
    snprintf(slot, sizeof(slot), "%s",
             json_string_value(json_array_get(json_object_get(j, "slots"), 2)));
    json_decref(j);
    char body[800];
    snprintf(body, sizeof(body), "{\"slot\":\"%s\",\"phone\":\"12345\"}", slot);
    j = call("POST", pub, body, false, &st);
    CHECK_INT(st, 422);
    CHECK_STR(field(j), "phone");
    json_decref(j);
    j = call("POST", pub, "{\"phone\":\"+49 151 2345678\"}", false, &st);
    CHECK_INT(st, 422);
    CHECK_STR(field(j), "slot");
    json_decref(j);
    char note[600];
    memset(note, 'n', sizeof(note) - 1);
    note[sizeof(note) - 1] = '\0';
    snprintf(body, sizeof(body), "{\"slot\":\"%s\",\"phone\":\"+49 151 2345678\",\"note\":\"%s\"}",
             slot, note);
    j = call("POST", pub, body, false, &st);
    CHECK_INT(st, 422);
    CHECK_STR(field(j), "note");
    json_decref(j);
    snprintf(body, sizeof(body), "{\"slot\":\"%s\",\"phone\":\"+49 151 2345678\"}", slot);
    j = call("POST", pub, body, false, &st);
    CHECK_INT(st, 201);
    CHECK_STR(json_string_value(json_object_get(j, "phone")), "+491512345678");
    json_decref(j);
    j = call("POST", pub, body, false, &st);
    CHECK_INT(st, 404);
    char *used = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    j = call("GET", "/api/v1/callback/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, false, &st);
    CHECK_INT(st, 404);
    char *wrong = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    CHECK_STR(wrong, used);
    free(used);
    free(wrong);
    json_decref(j);

    /* The task. */
    j = call("GET", "/api/v1/callbacks", NULL, true, &st);
    CHECK_INT(st, 200);
    json_t *it = json_array_get(json_object_get(j, "items"), 0);
    CHECK_STR(json_string_value(json_object_get(it, "phone")), "+491512345678");
    CHECK_STR(json_string_value(json_object_get(it, "contact_name")), "Lena Berg");
    CHECK_STR(json_string_value(json_object_get(it, "slot_at")), slot);
    int64_t id = json_integer_value(json_object_get(it, "id"));
    json_decref(j);
    j = list("mine", "1", &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "items")), 0); /* a token has no tasks */
    json_decref(j);
    j = list("mine", "2", &st);
    CHECK_INT(st, 400);
    json_decref(j);
    snprintf(path, sizeof(path), "/api/v1/callbacks/%lld/done", (long long)id);
    j = call("POST", path, "{}", true, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_string(json_object_get(j, "done_at")));
    json_decref(j);
    j = call("POST", "/api/v1/callbacks/999/done", "{}", true, &st);
    CHECK_INT(st, 404);
    json_decref(j);
}

int
main(void)
{
    if (fixture_open(&fx) < 0)
        return 1;
    RUN(offer_answer_task);
    fixture_close(&fx);
    return test_done();
}
