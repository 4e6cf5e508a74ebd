/* SPDX-License-Identifier: MIT */
/*
 * faqbot_test.c - the FAQ bot's handlers through the HTTP test double: every field's 422 names
 * the field; create, read, replace (figures kept), delete; the settings' channels and window
 * checked; "try it" without models (no triage: the FAQ matches, the bot would not answer, and
 * says why); the routes are admins' only.
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

static const char *
field(json_t *j)
{
    const char *s = json_string_value(json_object_get(json_object_get(j, "error"), "field"));
    return s ? s : "";
}

TEST(validation)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        { "{\"answers\":{\"en\":\"x\"}}", "question" },
        { "{\"question\":\"  \",\"answers\":{\"en\":\"x\"}}", "question" },
        { "{\"question\":\"Hours?\"}", "answers" },
        { "{\"question\":\"Hours?\",\"answers\":{}}", "answers" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"\"}}", "answers" },
        { "{\"question\":\"Hours?\",\"answers\":{\"e n\":\"x\"}}", "answers" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":5}}", "answers" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"variants\":\"x\"}", "variants" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"variants\":[\"\"]}", "variants" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"threshold\":0}", "threshold" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"threshold\":\"high\"}",
          "threshold" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"link\":\"ftp://x\"}", "link" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"link\":\"https://a b\"}", "link" },
        { "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},\"enabled\":\"yes\"}", "enabled" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned st;
        json_t *j = call("POST", "/api/v1/faqs", cases[i].body, true, &st);
        if (st != 422 || strcmp(field(j), cases[i].field) != 0)
            printf("# case %zu: %u %s\n", i, st, field(j));
        CHECK_INT((int)st, 422);
        CHECK_STR(field(j), cases[i].field);
        json_decref(j);
    }
    /* Fifty-one variants are one too many. */
    char body[2048];
    int k = snprintf(body, sizeof(body), "{\"question\":\"Hours?\",\"answers\":{\"en\":\"x\"},"
                                         "\"variants\":[");
    for (int i = 0; i < 51; i++)
        k += snprintf(body + k, sizeof(body) - (size_t)k, "%s\"v%d\"", i ? "," : "", i);
    snprintf(body + k, sizeof(body) - (size_t)k, "]}");
    unsigned st;
    json_t *j = call("POST", "/api/v1/faqs", body, true, &st);
    CHECK_INT((int)st, 422);
    CHECK_STR(field(j), "variants");
    json_decref(j);
}

TEST(crud_settings_try)
{
    unsigned st;
    json_t *j = call("POST", "/api/v1/faqs",
                     "{\"question\":\"What are your opening hours?\",\"variants\":[\"When are you "
                     "open?\"],\"answers\":{\"en\":\"9 to 5.\"},\"link\":\"https://example.com/h\","
                     "\"threshold\":0.4}",
                     true, &st);
    CHECK_INT((int)st, 201);
    int64_t id = json_integer_value(json_object_get(j, "id"));
    CHECK(json_real_value(json_object_get(j, "threshold")) == 0.4);
    CHECK(json_is_true(json_object_get(j, "enabled")));
    CHECK_INT((int)json_integer_value(json_object_get(json_object_get(j, "stats"), "answered")), 0);
    json_decref(j);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/faqs/%lld", (long long)id);
    j = call("PUT", path, "{\"question\":\"Opening hours\",\"answers\":{\"de\":\"9 bis 17.\"}}",
             true, &st);
    CHECK_INT((int)st, 200);
    CHECK(json_is_null(json_object_get(j, "link")));
    CHECK(json_real_value(json_object_get(j, "threshold")) == 0.5); /* the default again */
    json_decref(j);
    j = call("GET", "/api/v1/faqs", NULL, true, &st);
    CHECK_INT((int)st, 200);
    CHECK_INT((int)json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    j = call("PUT", "/api/v1/faqs/999", "{\"question\":\"x\",\"answers\":{\"en\":\"x\"}}", true,
             &st);
    CHECK_INT((int)st, 404);
    json_decref(j);

    /* Settings. */
    j = call("PUT", "/api/v1/faq-bot", "{\"channels\":[42]}", true, &st);
    CHECK_INT((int)st, 422);
    CHECK_STR(field(j), "channels");
    json_decref(j);
    j = call("PUT", "/api/v1/faq-bot", "{\"window_seconds\":604801}", true, &st);
    CHECK_INT((int)st, 422);
    CHECK_STR(field(j), "window_seconds");
    json_decref(j);
    j = call("PUT", "/api/v1/faq-bot", "{\"window_seconds\":90}", true, &st);
    CHECK_INT((int)st, 200);
    CHECK_INT((int)json_integer_value(json_object_get(j, "window_seconds")), 90);
    CHECK_INT((int)json_integer_value(json_object_get(j, "faqs")), 1);
    json_decref(j);

    /* Try it, without triage models: the FAQ matches, but nothing says it is a question. */
    j = call("POST", "/api/v1/faq-bot/try", "{\"text\":\"Opening hours\"}", true, &st);
    CHECK_INT((int)st, 200);
    CHECK(json_is_false(json_object_get(j, "would_answer")));
    CHECK_STR(json_string_value(json_object_get(j, "why")), "not_question");
    CHECK_INT((int)json_integer_value(json_object_get(json_object_get(j, "match"), "faq_id")),
              (int)id);
    CHECK(json_is_null(json_object_get(j, "answer")));
    json_decref(j);
    j = call("POST", "/api/v1/faq-bot/try", "{\"text\":\"HUMAN\"}", true, &st);
    CHECK_STR(json_string_value(json_object_get(j, "why")), "asked_for_human");
    json_decref(j);
    j = call("POST", "/api/v1/faq-bot/try", "{\"text\":\"   \"}", true, &st);
    CHECK_INT((int)st, 422);
    CHECK_STR(field(j), "text");
    json_decref(j);

    /* Admins only: without a principal, 401. */
    j = call("GET", "/api/v1/faqs", NULL, false, &st);
    CHECK_INT((int)st, 401);
    json_decref(j);

    j = call("DELETE", path, NULL, true, &st);
    CHECK_INT((int)st, 204);
    json_decref(j);
    j = call("DELETE", path, NULL, true, &st);
    CHECK_INT((int)st, 404);
    json_decref(j);
}

int
main(void)
{
    if (fixture_open(&fx) < 0)
        return 1;
    RUN(validation);
    RUN(crud_settings_try);
    fixture_close(&fx);
    return test_done();
}
