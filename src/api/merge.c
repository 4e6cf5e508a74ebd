/* SPDX-License-Identifier: MIT */
/*
 * merge.c - one person across channels: GET /api/v1/contacts/{id}/merge-suggestions (with the
 * evidence), POST .../merge-suggestions/dismiss, POST /api/v1/contacts/{id}/merge and GET on
 * it (the person: every identity and the contacts merged in, no message text), the contact's
 * merges (GET /api/v1/contacts/{id}/merges), one merge (GET
 * /api/v1/contact-merges/{id}) and its undo (POST /api/v1/contact-merges/{id}/undo).
 *
 * Every agent sees suggestions and the merge history (they are the ones who notice "this is
 * the same person"); supervisors and admins merge, undo and dismiss. Store staff are closed
 * out (scope.c): evidence names other stores' customers. A merge of a blocked contact with one
 * that is not blocked is refused: unblock it, or block both, first.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "store/store.h"

static bool
may_merge(const struct auth_principal *p)
{
    return strcmp(p->role, "admin") == 0 || strcmp(p->role, "supervisor") == 0;
}

static json_t *
evidence_json(const struct merge_evidence *ev, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(ev[i].kind));
        json_object_set_new(o, "value", json_string(ev[i].value));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *
merge_json(const struct contact_merge *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "contact_id", json_integer(m->contact_id));
    json_object_set_new(o, "contact_name", json_string(m->contact_name ? m->contact_name : ""));
    json_object_set_new(o, "other_id", json_integer(m->other_id));
    json_object_set_new(o, "other_name", json_string(m->other_name ? m->other_name : ""));
    json_object_set_new(o, "evidence", codec_parse_array(m->evidence));
    json_t *filled = codec_parse_object(m->filled);
    json_t *names = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(filled, key, v)
        json_array_append_new(names, json_string(key));
    json_decref(filled);
    json_object_set_new(o, "fields_filled", names);
    json_t *moved = json_object();
    json_object_set_new(moved, "identities", json_integer(m->identities));
    json_object_set_new(moved, "conversations", json_integer(m->conversations));
    json_object_set_new(o, "moved", moved);
    json_object_set_new(o, "created_at", codec_time(m->created_at));
    json_object_set_new(o, "created_by", m->created_by ? json_integer(m->created_by) : json_null());
    json_object_set_new(o, "created_by_name",
                        m->created_by_name ? json_string(m->created_by_name) : json_null());
    json_object_set_new(o, "undone_at", m->undone_at ? codec_time(m->undone_at) : json_null());
    json_object_set_new(o, "undone_by", m->undone_by ? json_integer(m->undone_by) : json_null());
    json_object_set_new(o, "undone_by_name",
                        m->undone_by_name ? json_string(m->undone_by_name) : json_null());
    return o;
}

/* Reads the body's only member, "other_id" (a contact id), with 'extra' also allowed. */
static int
other_id_or_reply(struct http_req *r, json_t *body, const char *extra, int64_t id,
                  int64_t *other)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "other_id") != 0 && !(extra && strcmp(key, extra) == 0)) {
            char msg[128];
            snprintf(msg, sizeof(msg), "unknown field '%.64s'", key);
            http_reply_error_status(r, 422, "invalid_field", msg);
            return -1;
        }
    }
    json_t *o = json_object_get(body, "other_id");
    if (!o || !json_is_integer(o) || json_integer_value(o) <= 0) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'other_id': want the id of the other contact");
        return -1;
    }
    *other = json_integer_value(o);
    if (*other == id) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'other_id': a contact cannot be merged with itself");
        return -1;
    }
    return 0;
}

void
api__contact_merge_suggestions(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct merge_suggestion *v;
    size_t n;
    int rc = store_merge_suggestions(a->st, http_arena(r), id, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot suggest merges");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "contact", codec_contact(&v[i].contact));
        json_object_set_new(o, "evidence", evidence_json(v[i].ev, v[i].nev));
        json_array_append_new(items, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "contact_id", json_integer(id));
    json_object_set_new(out, "items", items);
    api__reply(r, 200, out);
}

void
api__contact_merge_dismiss(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, other;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    const struct auth_principal *p = api__principal(r);
    if (!may_merge(p)) {
        http_reply_error(r, ERR_PERM, "only a supervisor or admin can dismiss a suggestion");
        return;
    }
    json_t *body = api__json_or_reply(r);
    if (!body || other_id_or_reply(r, body, NULL, id, &other) < 0)
        return;
    int rc = care_merge_dismiss(a->care, id, other, p->agent_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact"
                                                   : "cannot dismiss the suggestion");
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, "contact_id", json_integer(id));
    json_object_set_new(out, "other_id", json_integer(other));
    json_object_set_new(out, "dismissed", json_true());
    api__reply(r, 200, out);
}

static const char *
conflict_msg(enum merge_conflict why)
{
    switch (why) {
    case MERGE_ALREADY_MERGED:
        return "one of the contacts is already merged into another contact";
    case MERGE_BLOCKED:
        return "one of the contacts is blocked and the other is not: unblock it, or block "
               "both, first";
    case MERGE_UNDONE:
        return "this merge was already undone";
    case MERGE_LATER:
        return "a later merge of this contact is in force: undo that one first";
    case MERGE_OK:
        break;
    }
    return "conflict";
}

static const char *
conflict_code(enum merge_conflict why)
{
    switch (why) {
    case MERGE_ALREADY_MERGED:
        return "already_merged";
    case MERGE_BLOCKED:
        return "blocked_contact";
    case MERGE_UNDONE:
        return "already_undone";
    case MERGE_LATER:
        return "later_merge";
    case MERGE_OK:
        break;
    }
    return "conflict";
}

void
api__contact_merge(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, other;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    const struct auth_principal *p = api__principal(r);
    if (!may_merge(p)) {
        http_reply_error(r, ERR_PERM, "only a supervisor or admin can merge contacts");
        return;
    }
    json_t *body = api__json_or_reply(r);
    if (!body || other_id_or_reply(r, body, NULL, id, &other) < 0)
        return;
    /* The evidence as suggested now, kept with the merge (none: the agent knew better). */
    struct merge_suggestion *sv;
    size_t sn;
    int rc = store_merge_suggestions(a->st, http_arena(r), id, &sv, &sn);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot read contacts");
        return;
    }
    char *evidence = NULL;
    for (size_t i = 0; i < sn && !evidence; i++) {
        if (sv[i].contact.id == other) {
            json_t *ev = evidence_json(sv[i].ev, sv[i].nev);
            char *s = json_dumps(ev, JSON_COMPACT);
            evidence = arena_strdup(http_arena(r), s);
            free(s);
            json_decref(ev);
        }
    }
    int64_t merge_id = 0;
    enum merge_conflict why = MERGE_OK;
    rc = care_contact_merge(a->care, id, other, p->agent_id, evidence, &merge_id, &why);
    if (rc == ERR_CONFLICT) {
        http_reply_error_status(r, 409, conflict_code(why), conflict_msg(why));
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such contact" : "cannot merge");
        return;
    }
    struct contact_merge m;
    struct contact c;
    if ((rc = store_contact_merge_get(a->st, http_arena(r), merge_id, &m)) < 0 ||
        (rc = store_contact_get(a->st, http_arena(r), id, &c)) < 0) {
        http_reply_error(r, rc, "cannot read the merge");
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, "merge", merge_json(&m));
    json_object_set_new(out, "contact", codec_contact(&c));
    api__reply(r, 200, out);
}

void
api__contact_merges(struct http_req *r, void *ctx)
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
    struct contact_merge *v;
    size_t n;
    if ((rc = store_contact_merges(a->st, http_arena(r), id, &v, &n)) < 0) {
        http_reply_error(r, rc, "cannot read merges");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, merge_json(&v[i]));
    json_t *out = json_object();
    json_object_set_new(out, "contact_id", json_integer(id));
    json_object_set_new(out, "merged_into", c.merged_into ? json_integer(c.merged_into)
                                                          : json_null());
    json_object_set_new(out, "items", items);
    api__reply(r, 200, out);
}

void
api__contact_person(struct http_req *r, void *ctx)
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
    struct contact_merge *v;
    size_t n;
    if ((rc = store_contact_merges(a->st, http_arena(r), id, &v, &n)) < 0) {
        http_reply_error(r, rc, "cannot read merges");
        return;
    }
    json_t *ids = json_array();
    for (size_t i = 0; i < c.nids; i++)
        json_array_append_new(ids, codec_identity(&c.ids[i]));
    json_t *merged = json_array();
    for (size_t i = 0; i < n; i++) {
        if (v[i].contact_id != id || v[i].undone_at)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "merge_id", json_integer(v[i].id));
        json_object_set_new(o, "id", json_integer(v[i].other_id));
        json_object_set_new(o, "name", json_string(v[i].other_name ? v[i].other_name : ""));
        json_array_append_new(merged, o);
    }
    json_t *out = json_object();
    json_object_set_new(out, "contact_id", json_integer(id));
    json_object_set_new(out, "name", json_string(c.name));
    json_object_set_new(out, "merged_into", c.merged_into ? json_integer(c.merged_into)
                                                          : json_null());
    json_object_set_new(out, "identities", ids);
    json_object_set_new(out, "merged_contacts", merged);
    api__reply(r, 200, out);
}

void
api__contact_merge_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct contact_merge m;
    int rc = store_contact_merge_get(a->st, http_arena(r), id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such merge" : "cannot read the merge");
        return;
    }
    api__reply(r, 200, merge_json(&m));
}

void
api__contact_merge_undo(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    const struct auth_principal *p = api__principal(r);
    if (!may_merge(p)) {
        http_reply_error(r, ERR_PERM, "only a supervisor or admin can undo a merge");
        return;
    }
    const char *kept = NULL;
    enum merge_conflict why = MERGE_OK;
    int rc = care_contact_merge_undo(a->care, http_arena(r), id, p->agent_id, &kept, &why);
    if (rc == ERR_CONFLICT) {
        http_reply_error_status(r, 409, conflict_code(why), conflict_msg(why));
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such merge" : "cannot undo the merge");
        return;
    }
    struct contact_merge m;
    if ((rc = store_contact_merge_get(a->st, http_arena(r), id, &m)) < 0) {
        http_reply_error(r, rc, "cannot read the merge");
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, "merge", merge_json(&m));
    json_object_set_new(out, "fields_not_restored", codec_parse_array(kept));
    api__reply(r, 200, out);
}
