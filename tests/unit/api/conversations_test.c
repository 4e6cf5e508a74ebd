/* SPDX-License-Identifier: MIT */
/*
 * conversations_test.c - api handlers called directly through the HTTP test
 * double: the conversation list's paging (limit, cursor, next_cursor until the
 * end) and its refusals of bad arguments, 404 for an unknown conversation and
 * an unknown path, 405 for a known path with another method, 413 for a body
 * over the route's limit, 422 for a well-formed request with a bad field
 * (channels).
 */
#include "base/base.h"

#include "model/model.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;
static int64_t conv_ids[3];

static json_t *
get_json(const char *path, const char *const *query, unsigned *status)
{
    struct http_req r;
    fake_req_init(&r, "GET", path);
    for (size_t i = 0; query && query[i]; i += 2)
        fake_req_query(&r, query[i], query[i + 1]);
    *status = fixture_run(&fx, &r);
    json_t *j = fixture_json(&r);
    fake_req_release(&r);
    return j;
}

/* An api channel made through POST /api/v1/channels, then three customers
 * writing in. */
static int
seed(void)
{
    struct http_req r;
    fake_req_init(&r, "POST", "/api/v1/channels");
    fake_req_json(&r, "{\"type\":\"api\",\"name\":\"Web\"}");
    unsigned st = fixture_run(&fx, &r);
    json_t *j = fixture_json(&r);
    int64_t ch = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    fake_req_release(&r);
    if (st != 201 || ch <= 0)
        return -1;
    const char *who[3] = { "u1", "u2", "u3" };
    for (int i = 0; i < 3; i++) {
        char ext[16];
        snprintf(ext, sizeof(ext), "m%d", i);
        struct inbound in = { .channel_id = ch,
                              .channel_type = "api",
                              .external_id = str_c(ext),
                              .from_id = str_c(who[i]),
                              .from_name = STR_LIT("Customer"),
                              .text = STR_LIT("hello"),
                              .created_at = 1795379363000 + i };
        struct ingest_result res;
        if (store_ingest(fx.st, &in, &res) < 0 || !res.new_conversation)
            return -1;
        conv_ids[i] = res.conversation_id;
    }
    return 0;
}

TEST(list_pages_to_the_end)
{
    unsigned st;
    const char *q1[] = { "limit", "2", NULL };
    json_t *p1 = get_json("/api/v1/conversations", q1, &st);
    CHECK_INT(st, 200);
    json_t *items = json_object_get(p1, "items");
    CHECK_INT(json_array_size(items), 2);
    const char *cursor = json_string_value(json_object_get(p1, "next_cursor"));
    CHECK(cursor != NULL);
    int64_t seen[3] = { 0 };
    for (size_t i = 0; i < json_array_size(items) && i < 2; i++)
        seen[i] = json_integer_value(json_object_get(json_array_get(items, i), "id"));

    const char *q2[] = { "limit", "2", "cursor", cursor ? cursor : "", NULL };
    json_t *p2 = get_json("/api/v1/conversations", q2, &st);
    CHECK_INT(st, 200);
    items = json_object_get(p2, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK(json_is_null(json_object_get(p2, "next_cursor")));
    seen[2] = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    /* Newest first, each conversation once. */
    CHECK_INT(seen[0], conv_ids[2]);
    CHECK_INT(seen[1], conv_ids[1]);
    CHECK_INT(seen[2], conv_ids[0]);
    json_decref(p1);
    json_decref(p2);

    const char *q3[] = { "order", "oldest", "limit", "1", NULL };
    json_t *p3 = get_json("/api/v1/conversations", q3, &st);
    CHECK_INT(st, 200);
    CHECK_INT(
        json_integer_value(json_object_get(json_array_get(json_object_get(p3, "items"), 0), "id")),
        conv_ids[0]);
    json_decref(p3);
}

TEST(list_refuses_bad_arguments)
{
    const char *bad[][2] = {
        { "limit", "0" },       { "limit", "201" },    { "limit", "ten" },
        { "cursor", "abc" },    { "cursor", "12_0" },  { "cursor", "_5" },
        { "status", "closed" }, { "order", "random" }, { "urgency", "urgent" },
        { "sentiment", "sad" }, { "assignee", "0" },   { "label", "a,b" },
    };
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        unsigned st;
        const char *q[] = { bad[i][0], bad[i][1], NULL };
        json_t *j = get_json("/api/v1/conversations", q, &st);
        char want[64];
        snprintf(want, sizeof(want), "invalid '%s'", bad[i][0]);
        const char *msg =
            json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        if (st != 400 || !msg || !strstr(msg, want))
            printf("# %s=%s: %u %s\n", bad[i][0], bad[i][1], st, msg ? msg : "(no message)");
        CHECK_INT(st, 400);
        CHECK_STR(fixture_error_code(j), "invalid");
        CHECK(msg && strstr(msg, want));
        json_decref(j);
    }
}

TEST(unknowns_are_404_and_wrong_methods_405)
{
    unsigned st;
    json_t *j = get_json("/api/v1/conversations/999999", NULL, &st);
    CHECK_INT(st, 404);
    CHECK_STR(fixture_error_code(j), "not_found");
    json_decref(j);
    j = get_json("/api/v1/conversations/abc", NULL, &st);
    CHECK_INT(st, 404);
    json_decref(j);
    j = get_json("/api/v1/no-such-thing", NULL, &st);
    CHECK_INT(st, 404);
    CHECK_STR(fixture_error_code(j), "not_found");
    json_decref(j);

    struct http_req r;
    fake_req_init(&r, "DELETE", "/api/v1/conversations");
    CHECK_INT(fixture_run(&fx, &r), 405);
    fake_req_release(&r);
}

TEST(bodies_over_the_route_limit_are_413)
{
    /* The login route takes at most 4 KiB. */
    static char big[5000];
    memset(big, ' ', sizeof(big) - 1);
    memcpy(big, "{\"email\":\"a@b.c\",\"password\":\"x\"}", 32);
    struct http_req r;
    fake_req_init(&r, "POST", "/api/v1/login");
    fake_req_json(&r, big);
    fake_req_run(&r, fx.routes, fx.nroutes);
    CHECK_INT(r.status, 413);
    CHECK(strstr(r.reply, "\"too_large\"") != NULL);
    fake_req_release(&r);
}

TEST(bad_fields_are_422)
{
    const char *bodies[] = {
        "{\"type\":\"api\"}",
        "{\"type\":\"pigeon\",\"name\":\"x\"}",
        "{\"type\":\"api\",\"name\":\"x\",\"settings\":[1]}",
    };
    for (size_t i = 0; i < COUNTOF(bodies); i++) {
        struct http_req r;
        fake_req_init(&r, "POST", "/api/v1/channels");
        fake_req_json(&r, bodies[i]);
        CHECK_INT(fixture_run(&fx, &r), 422);
        CHECK(strstr(r.reply, "\"invalid_field\"") != NULL);
        fake_req_release(&r);
    }
    /* Nothing was created: the list holds the one channel from seed(). */
    unsigned st;
    json_t *j = get_json("/api/v1/channels", NULL, &st);
    CHECK_INT(st, 200);
    json_t *items = json_is_array(j) ? j : json_object_get(j, "items");
    CHECK_INT(json_array_size(items), 1);
    json_decref(j);
}

int
main(void)
{
    if (fixture_open(&fx) < 0 || seed() < 0) {
        printf("not ok 1 - fixture\n");
        return 1;
    }
    RUN(list_pages_to_the_end);
    RUN(list_refuses_bad_arguments);
    RUN(unknowns_are_404_and_wrong_methods_405);
    RUN(bodies_over_the_route_limit_are_413);
    RUN(bad_fields_are_422);
    fixture_close(&fx);
    return test_done();
}
