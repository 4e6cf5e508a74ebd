/* SPDX-License-Identifier: MIT */
/*
 * merge_test.c - contact merge through the HTTP test double: suggestions with their evidence
 * for an agent token, which cannot merge, dismiss or undo (403); other_id validated (422 naming
 * the field: missing, not an integer, the contact itself; unknown fields); the merge answer
 * (moved counts, fields filled, the kept contact with both identities), 409 codes
 * (already_merged, already_undone), the undo answer and the contact's history.
 */
#include "base/base.h"

#include "../test.h"
#include "api_fixture.h"

static struct fixture fx;
static char agent_token[96];

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
str_at(json_t *j, const char *a, const char *b)
{
    json_t *v = json_object_get(j, a);
    if (b)
        v = json_object_get(v, b);
    const char *s = json_string_value(v);
    return s ? s : "";
}

static int64_t
contact(int64_t ch, const char *ext, const char *from, const char *text)
{
    struct inbound in = { .channel_id = ch, .channel_type = "api", .external_id = str_c(ext),
                          .from_id = str_c(from), .from_name = str_c(from),
                          .text = str_c(text) };
    struct ingest_result res;
    CHECK_INT(store_ingest(fx.st, &in, &res), 0);
    return res.contact_id;
}

TEST(merge_through_the_api)
{
    unsigned st;
    json_t *j = call(fx.token, "POST", "/api/v1/channels", "{\"type\":\"api\",\"name\":\"Web\"}", &st);
    CHECK_INT(st, 201);
    int64_t ch = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    int64_t a = contact(ch, "m1", "ann", "where is order #77001");
    int64_t b = contact(ch, "m2", "ann-mail", "order 77001 is late");
    char p[160], body[96];
    snprintf(p, sizeof(p), "/api/v1/contacts/%lld", (long long)b);
    j = call(fx.token, "PATCH", p, "{\"location\":\"Köln\"}", &st);
    CHECK_INT(st, 200);
    json_decref(j);

    snprintf(p, sizeof(p), "/api/v1/contacts/%lld/merge-suggestions", (long long)a);
    j = call(agent_token, "GET", p, NULL, &st);
    CHECK_INT(st, 200);
    json_t *item = json_array_get(json_object_get(j, "items"), 0);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(item, "contact"), "id")), b);
    json_t *ev = json_array_get(json_object_get(item, "evidence"), 0);
    CHECK_STR(str_at(ev, "kind", NULL), "order_ref");
    CHECK_STR(str_at(ev, "value", NULL), "#77001");
    json_decref(j);

    snprintf(p, sizeof(p), "/api/v1/contacts/%lld/merge", (long long)a);
    snprintf(body, sizeof(body), "{\"other_id\":%lld}", (long long)b);
    j = call(agent_token, "POST", p, body, &st);
    CHECK_INT(st, 403);
    json_decref(j);
    snprintf(p, sizeof(p), "/api/v1/contacts/%lld/merge-suggestions/dismiss", (long long)a);
    j = call(agent_token, "POST", p, body, &st);
    CHECK_INT(st, 403);
    json_decref(j);

    snprintf(p, sizeof(p), "/api/v1/contacts/%lld/merge", (long long)a);
    char self[64];
    snprintf(self, sizeof(self), "{\"other_id\":%lld}", (long long)a);
    const char *bad[] = { "{}", "{\"other_id\":\"2\"}", "{\"other_id\":0}", self };
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        j = call(fx.token, "POST", p, bad[i], &st);
        CHECK_INT(st, 422);
        CHECK_STR(str_at(j, "error", "field"), "other_id");
        json_decref(j);
    }
    j = call(fx.token, "POST", p, "{\"other_id\":2,\"why\":1}", &st);
    CHECK_INT(st, 422);
    json_decref(j);

    j = call(fx.token, "POST", p, body, &st);
    CHECK_INT(st, 200);
    json_t *m = json_object_get(j, "merge");
    int64_t mid = json_integer_value(json_object_get(m, "id"));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(m, "moved"), "identities")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(m, "moved"), "conversations")), 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(m, "fields_filled"), 0)), "location");
    CHECK_INT(json_array_size(json_object_get(json_object_get(j, "contact"), "identities")), 2);
    CHECK_STR(str_at(j, "contact", "location"), "Köln");
    json_decref(j);
    j = call(fx.token, "POST", p, body, &st);
    CHECK_INT(st, 409);
    CHECK_STR(str_at(j, "error", "code"), "already_merged");
    json_decref(j);

    char u[96];
    snprintf(u, sizeof(u), "/api/v1/contact-merges/%lld/undo", (long long)mid);
    j = call(agent_token, "POST", u, NULL, &st);
    CHECK_INT(st, 403);
    json_decref(j);
    j = call(fx.token, "POST", u, NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_string(json_object_get(json_object_get(j, "merge"), "undone_at")));
    CHECK_INT(json_array_size(json_object_get(j, "fields_not_restored")), 0);
    json_decref(j);
    j = call(fx.token, "POST", u, NULL, &st);
    CHECK_INT(st, 409);
    CHECK_STR(str_at(j, "error", "code"), "already_undone");
    json_decref(j);
    snprintf(p, sizeof(p), "/api/v1/contacts/%lld/merges", (long long)b);
    j = call(agent_token, "GET", p, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "items")), 1);
    CHECK(json_is_null(json_object_get(j, "merged_into")));
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
    RUN(merge_through_the_api);
    fixture_close(&fx);
    return test_done();
}
