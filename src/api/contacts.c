/* SPDX-License-Identifier: MIT */
/*
 * contacts.c - GET /api/v1/contacts, GET and PATCH /api/v1/contacts/{id}, and blocking:
 * GET, POST and DELETE /api/v1/contacts/{id}/block.
 *
 * Blocking ("firing" an abusive customer) is its own call, with a required reason: any agent
 * may block (they are the ones abused), only supervisors and admins unblock. A PATCH never
 * moves a contact into or out of "blocked".
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "store/store.h"

void
api__contacts_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t limit = 50, after = 0;
    const char *q = http_query(r, "q");
    if (q && (strlen(q) > 200 || !utf8_valid(str_c(q)))) {
        http_reply_error(r, ERR_INVAL, "invalid 'q': want at most 200 bytes of text");
        return;
    }
    if (api__query_int_or_reply(r, "limit", 1, 200, &limit) < 0 ||
        api__query_int_or_reply(r, "cursor", 1, INT64_MAX, &after) < 0)
        return;
    struct contact *v;
    size_t n;
    int rc = store_contact_list(a->st, http_arena(r), &api__principal(r)->scope, q, (int)limit,
                                after, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list contacts");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, codec_contact(&v[i]));
    json_t *out = json_object();
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "next_cursor", n == (size_t)limit
                                                ? json_sprintf("%lld", (long long)v[n - 1].id)
                                                : json_null());
    api__reply(r, 200, out);
}

void
api__contact_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct contact c;
    int rc = store_contact_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot read contact");
        return;
    }
    /* The customer's history: their most recent conversations on any channel. */
    struct conv_filter f = { .contact_id = id, .limit = 20, .scope = &api__principal(r)->scope,
                             .blocked = CONV_BLOCKED_ANY };
    struct conv *convs;
    size_t n;
    int64_t nts, nid;
    rc = store_conv_list(a->st, http_arena(r), &f, &convs, &n, &nts, &nid);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read conversations");
        return;
    }
    json_t *o = codec_contact(&c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, codec_conv(&convs[i]));
    json_object_set_new(o, "conversations", arr);
    api__reply(r, 200, o);
}

static int
invalid(struct http_req *r, const char *msg)
{
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

void
api__contact_patch(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    /* The location decides the store of all of the customer's conversations: store staff
     * changing it could pull another store's conversations into their own scope. */
    if (api__principal(r)->scope.limited && json_object_get(body, "location")) {
        http_reply_error(r, ERR_PERM, "store staff cannot change a customer's location");
        return;
    }
    static const char *const known[] = { "name", "email", "phone", "locale", "location",
                                         "tags", "notes", "attributes", "status" };
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        bool ok = false;
        for (size_t i = 0; i < COUNTOF(known); i++)
            ok = ok || strcmp(key, known[i]) == 0;
        if (!ok) {
            char msg[128];
            snprintf(msg, sizeof(msg), "unknown field '%.64s'", key);
            invalid(r, msg);
            return;
        }
    }
    struct contact c = { 0 };
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &c.name) < 0 ||
        api__opt_string_or_reply(r, body, "email", MODEL_NAME_MAX, &c.email) < 0 ||
        api__opt_string_or_reply(r, body, "phone", 40, &c.phone) < 0 ||
        api__opt_string_or_reply(r, body, "locale", 35, &c.locale) < 0 ||
        api__opt_string_or_reply(r, body, "location", MODEL_NAME_MAX, &c.location) < 0 ||
        api__opt_string_or_reply(r, body, "notes", MODEL_NOTES_MAX, &c.notes) < 0 ||
        api__opt_string_or_reply(r, body, "status", 16, &c.status) < 0)
        return;
    if (c.name && !c.name[0]) {
        invalid(r, "invalid 'name': empty");
        return;
    }
    if (c.email && c.email[0] && !strchr(c.email, '@')) {
        invalid(r, "invalid 'email'");
        return;
    }
    if (c.status && strcmp(c.status, "blocked") == 0) {
        invalid(r, "invalid 'status': to block a contact, POST /api/v1/contacts/{id}/block "
                   "with a reason");
        return;
    }
    if (c.status && !model_contact_status_valid(str_c(c.status))) {
        invalid(r, "invalid 'status': want prospect, customer or advocate");
        return;
    }
    json_t *tags = json_object_get(body, "tags");
    if (tags) {
        if (!json_is_array(tags) || json_array_size(tags) > MODEL_LABELS_MAX) {
            invalid(r, "invalid 'tags': want an array of at most 32 tags");
            return;
        }
        size_t i;
        json_array_foreach(tags, i, v) {
            if (!json_is_string(v) ||
                !model_label_valid((struct str){ json_string_value(v), json_string_length(v) })) {
                invalid(r, "invalid 'tags': each tag is 1..200 bytes without commas");
                return;
            }
        }
        char *s = json_dumps(tags, JSON_COMPACT);
        c.tags = arena_strdup(http_arena(r), s);
        free(s);
    }
    json_t *attrs = json_object_get(body, "attributes");
    if (attrs) {
        char *s = json_is_object(attrs) ? json_dumps(attrs, JSON_COMPACT) : NULL;
        if (!s || strlen(s) > 8192) {
            free(s);
            invalid(r, "invalid 'attributes': want an object of at most 8 KiB");
            return;
        }
        c.attributes = arena_strdup(http_arena(r), s);
        free(s);
    }
    if (c.status) {
        struct contact cur;
        int rc = store_contact_get(a->st, http_arena(r), id, &cur);
        if (rc < 0) {
            http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot read contact");
            return;
        }
        if (strcmp(cur.status, "blocked") == 0) {
            http_reply_error(r, ERR_CONFLICT, "the contact is blocked: unblock it first "
                                              "(DELETE /api/v1/contacts/{id}/block)");
            return;
        }
    }
    int rc = care_contact_update(a->care, id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot update contact");
        return;
    }
    struct contact saved;
    rc = store_contact_get(a->st, http_arena(r), id, &saved);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read contact");
        return;
    }
    api__reply(r, 200, codec_contact(&saved));
}

/* ---- blocking ---------------------------------------------------------------------------- */

#define BLOCK_REASON_MAX 500

static void
reply_block(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct contact c;
    int rc = store_contact_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot read contact");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "contact_id", json_integer(id));
    json_object_set_new(o, "status", json_string(c.status));
    json_object_set_new(o, "blocked", codec_contact_block(&c));
    api__reply(r, status, o);
}

void
api__contact_block_get(struct http_req *r, void *ctx)
{
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_block(r, ctx, id, 200);
}

void
api__contact_block(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "reason") != 0) {
            char msg[128];
            snprintf(msg, sizeof(msg), "unknown field '%.64s'", key);
            invalid(r, msg);
            return;
        }
    }
    const char *reason = NULL;
    if (api__opt_string_or_reply(r, body, "reason", BLOCK_REASON_MAX, &reason) < 0)
        return;
    struct str t = str_trim(str_c(reason ? reason : ""));
    if (!t.len) {
        invalid(r, "invalid 'reason': say why the contact is blocked (1 to 500 bytes)");
        return;
    }
    const struct auth_principal *p = api__principal(r);
    int rc = care_contact_block(a->care, id, p->agent_id,
                                arena_strndup(http_arena(r), t.p, t.len));
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND   ? "no such contact"
                                : rc == ERR_CONFLICT ? "the contact is already blocked"
                                                     : "cannot block the contact");
        return;
    }
    reply_block(r, a, id, 200);
}

void
api__contact_unblock(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    const struct auth_principal *p = api__principal(r);
    if (strcmp(p->role, "admin") != 0 && strcmp(p->role, "supervisor") != 0) {
        http_reply_error(r, ERR_PERM, "only a supervisor or admin can unblock a contact");
        return;
    }
    int rc = care_contact_unblock(a->care, id, p->agent_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND   ? "no such contact"
                                : rc == ERR_CONFLICT ? "the contact is not blocked"
                                                     : "cannot unblock the contact");
        return;
    }
    reply_block(r, a, id, 200);
}
