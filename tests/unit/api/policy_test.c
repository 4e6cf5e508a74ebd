/* SPDX-License-Identifier: MIT */
/*
 * policy_test.c - the care-policy handlers through the HTTP test double: every invalid field
 * of a grant, a root cause and the policy is a 422 naming that field (table-driven), a decimal
 * amount is refused, nothing is stored on an error; the report's query errors are 400; an
 * admin token's grant in the brand currency is approved at once and in another one waits.
 */
#include "base/base.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;

static json_t *
call(const char *method, const char *path, const char *body, unsigned *status)
{
    struct http_req r;
    fake_req_init(&r, method, path);
    if (body)
        fake_req_json(&r, body);
    fixture_run(&fx, &r);
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

TEST(validation_and_grants)
{
    unsigned st;
    json_t *j = call("POST", "/api/v1/channels", "{\"type\":\"api\",\"name\":\"Shop\"}", &st);
    CHECK_INT(st, 201);
    int64_t ch = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    struct inbound in = { .channel_id = ch, .channel_type = "api", .external_id = STR_LIT("m1"),
                          .from_id = STR_LIT("u1"), .from_name = STR_LIT("Ann Lee"),
                          .text = STR_LIT("my cup arrived broken") };
    struct ingest_result res;
    CHECK_INT(store_ingest(fx.st, &in, &res), 0);
    j = call("POST", "/api/v1/root-causes", "{\"name\":\"Damaged\",\"keywords\":[\"broken\"]}", &st);
    CHECK_INT(st, 201);
    int64_t cause = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    char path[120], good[200];
    snprintf(path, sizeof(path), "/api/v1/conversations/%lld/goodwill",
             (long long)res.conversation_id);

    static const struct {
        const char *path; /* NULL: the grant's */
        const char *method, *body, *field;
    } bad[] = {
        { NULL, "POST", "{\"kind\":\"cash\",\"amount_minor\":5,\"root_cause_id\":1}", "kind" },
        { NULL, "POST", "{\"amount_minor\":5,\"root_cause_id\":1}", "kind" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":5.0,\"root_cause_id\":1}", "amount_minor" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":-5,\"root_cause_id\":1}", "amount_minor" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":100000001,\"root_cause_id\":1}", "amount_minor" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"root_cause_id\":1}", "amount_minor" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":5,\"currency\":\"eur\",\"root_cause_id\":1}", "currency" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":5,\"currency\":\"EURO\",\"root_cause_id\":1}", "currency" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":5}", "root_cause_id" },
        { NULL, "POST", "{\"kind\":\"voucher\",\"amount_minor\":5,\"root_cause_id\":77}", "root_cause_id" },
        { NULL, "POST", "{\"kind\":7,\"amount_minor\":5,\"root_cause_id\":1}", "kind" },
        { "/api/v1/root-causes", "POST", "{\"name\":\"   \"}", "name" },
        { "/api/v1/root-causes", "POST", "{\"name\":\"damaged\"}", "name" },
        { "/api/v1/root-causes", "POST", "{\"name\":\"X\",\"keywords\":[\"\"]}", "keywords" },
        { "/api/v1/root-causes", "POST", "{\"name\":\"X\",\"archived\":\"yes\"}", "archived" },
        { "/api/v1/care-policy", "PUT", "{\"root_cause\":\"always\"}", "root_cause" },
        { "/api/v1/care-policy", "PUT", "{\"currency\":\"ABC\"}", "currency" },
        { "/api/v1/care-policy", "PUT", "{\"limits\":{\"agent\":\"10\"}}", "limits.agent" },
        { "/api/v1/care-policy", "PUT", "{\"limits\":{\"admin\":1.5}}", "limits.admin" },
        { "/api/v1/care-policy", "PUT", "{\"limits\":[]}", "limits" },
        { "/api/v1/care-policy", "PUT", "{\"repeat\":{\"days\":731}}", "days" },
        { "/api/v1/care-policy", "PUT", "{\"repeat\":{\"count\":0}}", "count" },
    };
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        j = call(bad[i].method, bad[i].path ? bad[i].path : path, bad[i].body, &st);
        CHECK_INT(st, 422);
        CHECK_STR(field(j), bad[i].field);
        json_decref(j);
    }
    int64_t n = -1;
    CHECK_INT(store_goodwill_count_since(fx.st, 1, 0, &n), 0);
    CHECK_INT(n, 0);

    /* The admin token: no limit in EUR, another currency waits for a supervisor. */
    snprintf(good, sizeof(good), "{\"kind\":\"refund\",\"amount_minor\":99999,\"root_cause_id\":%lld}",
             (long long)cause);
    j = call("POST", path, good, &st);
    CHECK_INT(st, 201);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "approved");
    CHECK_STR(json_string_value(json_object_get(j, "currency")), "EUR");
    json_decref(j);
    snprintf(good, sizeof(good), "{\"kind\":\"refund\",\"amount_minor\":1,\"currency\":\"JPY\",\"root_cause_id\":%lld}",
             (long long)cause);
    j = call("POST", path, good, &st);
    CHECK_INT(st, 201);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "pending");
    json_decref(j);

    /* Reports: bad arguments are 400. */
    static const char *const queries[] = { "from=x", "to=2020-01-01T00:00:00Z", "format=pdf",
                                           "channel_id=0" };
    static const char *const names[] = { "from", "to", "format", "channel_id" };
    for (size_t i = 0; i < COUNTOF(queries); i++) {
        struct http_req r;
        fake_req_init(&r, "GET", "/api/v1/reports/goodwill");
        const char *eq = strchr(queries[i], '=');
        fake_req_query(&r, names[i], eq + 1);
        CHECK_INT(fixture_run(&fx, &r), 400);
        fake_req_release(&r);
    }
    j = call("GET", "/api/v1/reports/goodwill", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "total")), 1);
    json_decref(j);
}

int
main(void)
{
    if (fixture_open(&fx) < 0)
        return 1;
    RUN(validation_and_grants);
    fixture_close(&fx);
    return test_done();
}
