/* SPDX-License-Identifier: MIT */
/*
 * api_fixture.h - the services behind the api handlers for a unit test: a store
 * in memory, care over it (an admin agent "admin@example.com" / ADMIN_PASSWORD
 * and an admin API token), and the route table from api_new. Requests go
 * through fake_http.h, so no socket is opened.
 */
#ifndef HARK_TEST_API_FIXTURE_H
#define HARK_TEST_API_FIXTURE_H

#include <jansson.h>

#include "api/api.h"
#include "care/care.h"
#include "fake_http.h"
#include "store/store.h"

#define ADMIN_PASSWORD "admin-password-1"

struct fixture {
    struct store *st;
    struct care *care;
    struct api *api;
    const struct http_route *routes;
    size_t nroutes;
    int64_t admin_id;
    char token[80]; /* "Bearer ..." for the admin token */
};

static inline int
fixture_open(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    struct store_config sc = { .url = ":memory:" };
    struct care_config cc = { .auth = { .login_max_per_account = 3, .login_max_per_client = 100 } };
    struct agent admin = {
        .email = "admin@example.com", .name = "Ada Admin", .display_name = "Ada", .role = "admin"
    };
    struct api_token t = { .name = "tests", .role = "admin" };
    struct api_config ac = { .public_url = "http://127.0.0.1:1" };
    struct errmsg em = { 0 };
    char tok[72];
    int64_t tid;
    if (store_open(&sc, NULL, &f->st, &em) < 0 || care_new(&cc, f->st, NULL, &f->care) < 0) {
        printf("# fixture: %s\n", em.text);
        return -1;
    }
    struct auth *au = care_auth(f->care);
    if (auth_agent_add(au, &admin, STR_LIT(ADMIN_PASSWORD), &f->admin_id, &em) < 0 ||
        auth_token_create(au, &t, tok, sizeof(tok), &tid, &em) < 0 ||
        api_new(&ac, f->st, f->care, NULL, &f->api) < 0) {
        printf("# fixture: %s\n", em.text);
        return -1;
    }
    snprintf(f->token, sizeof(f->token), "Bearer %s", tok);
    f->routes = api_routes(f->api, &f->nroutes);
    return 0;
}

static inline void
fixture_close(struct fixture *f)
{
    api_free(f->api);
    care_free(f->care);
    store_close(f->st);
}

/* Runs 'r' with the admin token; returns the status. */
static inline unsigned
fixture_run(struct fixture *f, struct http_req *r)
{
    fake_req_header(r, "Authorization", f->token);
    fake_req_run(r, f->routes, f->nroutes);
    return r->status;
}

/* The reply parsed (a new reference; NULL when it is not JSON). */
static inline json_t *
fixture_json(const struct http_req *r)
{
    return json_loads(r->reply, 0, NULL);
}

/* The "code" of an error reply, or "" (valid while 'j' lives). */
static inline const char *
fixture_error_code(json_t *j)
{
    const char *s = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    return s ? s : "";
}

#endif
