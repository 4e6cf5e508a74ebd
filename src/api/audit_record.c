/* SPDX-License-Identifier: MIT */
/*
 * audit_record.c - what the router records in the audit log, without touching any handler.
 *
 * Every route that writes with a principal gets an audit decision at startup from the prefix
 * table below (api__audit_rule_for): record it (with a settings area, so the web app's other
 * admin sessions hear settings.changed), record it as a login or logout, or skip it with a
 * reason (care work on conversations is not an admin action). A route the table does not know
 * is recorded anyway (fail closed) and counted by api_audit_undecided (api.h), which a unit
 * test keeps at zero: no route is added without a decision.
 *
 * A recorded route runs inside api__audit_call: the resource is read before and after the
 * handler through the API's own GET route for it (captured, not sent: http_capture), so the
 * entry shows it exactly as the API shows it; secrets are masked ("•••", or "changed" when the
 * request set one). Only a 2xx answer is recorded, and the entry is durable before the answer
 * leaves (the connection resumes after the handler returns).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "store/store.h"

#define SUMMARY_MAX 400
#define SNAPSHOT_MAX (4u << 20) /* the largest GET answer a snapshot reads */
#define EMAIL_MAX 254
#define MASKED "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" /* "•••", what a secret shows as */

/* One row of the prefix table. The prefix is compared segment by segment with a route's
 * pattern, and a "{x}" segment matches any "{y}". The first matching row wins: specific
 * prefixes come first. */
struct api__audit_rule {
    const char *prefix;
    enum { RECORD, LOGIN, INVITE, LOGOUT, SELF, SKIP } kind;
    const char *area;   /* settings area of the web app (settings.changed); NULL: none */
    const char *noun;   /* target type and the first half of the action */
    const char *label;  /* the noun in a summary */
    const char *action; /* a fixed action; NULL: noun.verb from the method and path */
    const char *del;    /* the verb of DELETE; NULL: "delete" */
};

static const struct api__audit_rule rules[] = {
    { "/api/v1/login", LOGIN, NULL, "agent", "Agent", NULL, NULL },
    { "/api/v1/logout", LOGOUT, NULL, "agent", "Agent", "logout", NULL },
    { "/api/v1/me/password", SELF, NULL, "agent", "Agent", "password.change", NULL },
    { "/api/v1/me", SKIP, NULL, NULL, "an agent's own profile and availability", NULL, NULL },
    { "/api/v1/agents/{id}/profile", RECORD, "agents", "agent", "Agent", "agent.profile", NULL },
    { "/api/v1/agents/invites", RECORD, "agents", "invite", "Invitation", NULL, NULL },
    { "/api/v1/agents", RECORD, "agents", "agent", "Agent", NULL, NULL },
    { "/api/v1/invites/{token}", INVITE, NULL, "agent", "Agent", "password.set", NULL },
    { "/api/v1/invites", RECORD, "agents", "invite", "Invitation", NULL, NULL },
    { "/api/v1/channels/{id}/widget", RECORD, "widget", "channel", "Chat widget", NULL, NULL },
    { "/api/v1/channels", RECORD, "channels", "channel", "Channel", NULL, NULL },
    { "/api/v1/widget/{channel}/survey", SKIP, NULL, NULL, "a visitor's survey answer", NULL,
      NULL },
    { "/api/v1/widget", RECORD, "widget", "widget", "Chat widget", NULL, NULL },
    { "/api/v1/settings/surveys", RECORD, "surveys", "survey_settings", "Survey settings",
      "survey_settings.update", NULL },
    { "/api/v1/survey", SKIP, NULL, NULL, "a customer's survey answer", NULL, NULL },
    { "/api/v1/calendars", RECORD, "calendars", "calendar", "Business hours", NULL, NULL },
    { "/api/v1/teams", RECORD, "teams", "team", "Team", NULL, NULL },
    { "/api/v1/sla", RECORD, "sla_policies", "sla_policy", "SLA policy", NULL, NULL },
    { "/api/v1/routing", RECORD, "routing_rules", "routing_rule", "Routing rule", NULL, NULL },
    { "/api/v1/listening/sources", RECORD, "listening", "listening_source",
      "Listening source", NULL, NULL },
    { "/api/v1/listening/ingest", SKIP, NULL, NULL, "posts fed to listening, not settings",
      NULL, NULL },
    { "/api/v1/listening/mentions", SKIP, NULL, NULL, "care work on a mention", NULL, NULL },
    { "/api/v1/listening/views", SKIP, NULL, NULL, "an agent's own saved views, not settings",
      NULL, NULL },
    { "/api/v1/listening", RECORD, "listening", "listening_query", "Listening query",
      NULL, NULL },
    { "/api/v1/tokens", RECORD, "tokens", "token", "API token", NULL, "revoke" },
    { "/api/v1/triage/corrections", SKIP, NULL, NULL, "care work: triage corrections", NULL,
      NULL },
    { "/api/v1/triage", RECORD, "models", "model", "Triage model", NULL, NULL },
    { "/api/v1/models", RECORD, "models", "model", "Triage model", NULL, NULL },
    { "/api/v1/messages", SKIP, NULL, NULL, "care work: delivery retries, triage corrections",
      NULL, NULL },
    { "/api/v1/conversations/{id}/root-cause", RECORD, NULL, "root_cause", "Root cause",
      "conversation.root_cause", NULL },
    { "/api/v1/conversations/{id}/goodwill", RECORD, "goodwill_queue", "goodwill", "Goodwill",
      "goodwill.create", NULL },
    { "/api/v1/goodwill", RECORD, "goodwill_queue", "goodwill", "Goodwill", NULL, NULL },
    { "/api/v1/root-causes", RECORD, "root_causes", "root_cause", "Root cause", NULL, NULL },
    { "/api/v1/care-policy", RECORD, "care_policy", "care_policy", "Care policy", NULL, NULL },
    { "/api/v1/conversations", SKIP, NULL, NULL, "care work on conversations", NULL, NULL },
    { "/api/v1/callbacks", SKIP, NULL, NULL, "care work: callback tasks", NULL, NULL },
    { "/api/v1/contacts/{id}/block", RECORD, NULL, "contact", "Contact", NULL,
      "unblock" },
    { "/api/v1/contact-merges", RECORD, NULL, "contact_merge", "Contact merge", NULL, NULL },
    { "/api/v1/contacts/{id}/merge-suggestions", SKIP, NULL, NULL,
      "care work: a suggestion set aside (contact_merge_dismissed keeps who and when)", NULL,
      NULL },
    { "/api/v1/contacts/{id}/merge", RECORD, NULL, "contact", "Contact", NULL, NULL },
    { "/api/v1/contacts", SKIP, NULL, NULL, "care work on contacts", NULL, NULL },
    { "/api/v1/canned", RECORD, "canned", "canned_reply", "Saved reply", NULL, NULL },
    { "/api/v1/faqs", RECORD, "faq_bot", "faq", "FAQ", NULL, NULL },
    { "/api/v1/faq-bot", RECORD, "faq_bot", "faq_bot", "FAQ bot settings", NULL, NULL },
    { "/api/v1/audit", SKIP, NULL, NULL, "reads (the export records itself)", NULL, NULL },
};

/* What a route that is not in the table gets: recorded, with no settings area. */
static const struct api__audit_rule undecided = { "", RECORD, NULL, NULL, "Setting", NULL, NULL };

/* Verbs of routes that change nothing (a dry run, a test event, a back-test, a canned reply
 * filled for a conversation): not recorded. */
static const char *const read_only_verbs[] = { "dry-run", "dry_run", "dryrun", "test",
                                               "preview", "backtest", "back-test", "validate",
                                               "render", "try" };

/* Compares one segment of a pattern ("{id}" matches any "{...}"). */
static bool
seg_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > 1 && blen > 1 && a[0] == '{' && b[0] == '{')
        return true;
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Length of the part of 'pattern' that 'prefix' covers (segment-wise), or 0 when it does not. */
static size_t
prefix_len(const char *prefix, const char *pattern)
{
    const char *p = prefix, *q = pattern;
    while (*p) {
        if (*p != '/' || *q != '/')
            return 0;
        p++;
        q++;
        size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
        if (!seg_eq(p, pl, q, ql))
            return 0;
        p += pl;
        q += ql;
    }
    if (*q != '\0' && *q != '/')
        return 0;
    return (size_t)(q - pattern);
}

static bool
read_only_verb(const char *pattern)
{
    const char *s = strrchr(pattern, '/');
    if (!s)
        return false;
    for (size_t i = 0; i < COUNTOF(read_only_verbs); i++) {
        if (strcmp(s + 1, read_only_verbs[i]) == 0)
            return true;
    }
    return false;
}

const struct api__audit_rule *
api__audit_rule_for(const char *method, const char *pattern, bool with_principal,
                    bool *decided)
{
    *decided = true;
    if (strcmp(method, "GET") == 0 || strcmp(method, "OPTIONS") == 0)
        return NULL;
    for (size_t i = 0; i < COUNTOF(rules); i++) {
        if (prefix_len(rules[i].prefix, pattern) == 0)
            continue;
        /* Without a principal only the login and a password set by an invitation (or reset)
         * link are recorded: webhooks, the widget's visitors and the web app are not admin
         * actions. */
        if (rules[i].kind == SKIP || read_only_verb(pattern) ||
            (!with_principal && rules[i].kind != LOGIN && rules[i].kind != INVITE))
            return NULL;
        return &rules[i];
    }
    if (!with_principal)
        return NULL;
    *decided = false;
    return &undecided;
}

/* ---- snapshots ------------------------------------------------------------------------- */

/* The GET routes a recorded route reads its resource with, found once at startup. */
struct api__audit_snap {
    http_handler_fn *exact;      /* GET on the same pattern (/agents/{id}/profile) */
    http_handler_fn *item;       /* GET on the pattern up to its target {param} */
    http_handler_fn *collection; /* GET on the pattern before its target {param} */
    int param;                   /* index of the target {param}; -1: none */
    const char *noun;            /* derived when the rule has none */
    const char *verb;            /* the verb part of the action */
};

/* Which {param} of 'pattern' names the target: the first one after the rule's prefix, else
 * the last one inside it (/agents/{id}/profile: the agent). -1 when the pattern has none. */
static int
target_param(const char *pattern, size_t plen, size_t *at)
{
    int idx = 0, found = -1;
    for (const char *s = pattern; *s; s++) {
        if (*s != '{')
            continue;
        found = idx++;
        *at = (size_t)(s - pattern);
        if ((size_t)(s - pattern) >= plen)
            break;
    }
    return found;
}

/* The GET route whose pattern is the first 'len' bytes of 'pattern' (segment-wise), or NULL.
 * Only routes with a principal that do not stream: their handlers can be captured. */
static http_handler_fn *
find_get(const struct api__route_info *routes, size_t n, const char *pattern, size_t len)
{
    if (len == 0)
        return NULL;
    char *want = xstrndup(pattern, len);
    http_handler_fn *fn = NULL;
    for (size_t i = 0; i < n && !fn; i++) {
        const struct api__route_info *t = &routes[i];
        if (strcmp(t->method, "GET") == 0 && t->with_principal && !t->streams &&
            prefix_len(want, t->pattern) == strlen(t->pattern))
            fn = t->fn;
    }
    xfree(want);
    return fn;
}

struct api__audit_snap *
api__audit_snap_new(const struct api__audit_rule *rule, const char *method, const char *pattern,
                    const struct api__route_info *routes, size_t n)
{
    struct api__audit_snap *s = xcalloc(1, sizeof(*s));
    size_t plen = prefix_len(rule->prefix, pattern);
    size_t at = 0;
    s->param = rule->kind == RECORD ? target_param(pattern, plen, &at) : -1;
    s->exact = find_get(routes, n, pattern, strlen(pattern));
    if (s->param >= 0) {
        size_t end = at + strcspn(pattern + at, "/");
        s->item = find_get(routes, n, pattern, end);
        s->collection = at > 1 ? find_get(routes, n, pattern, at - 1) : NULL;
    } else {
        s->collection = find_get(routes, n, pattern, strlen(pattern));
        s->exact = NULL;
    }
    /* The verb: a literal last segment after the target (disable, rotate) or, without a
     * target, one that is not a collection (reorder, retrain); else from the method. */
    const char *tail = strrchr(pattern, '/');
    bool literal = tail && tail[1] && tail[1] != '{';
    bool action_tail = literal && (s->param >= 0 ? (size_t)(tail - pattern) > at
                                                 : !s->collection);
    if (action_tail && s->param < 0) /* a reorder: the list it reorders, before and after */
        s->collection = find_get(routes, n, pattern, (size_t)(tail - pattern));
    if (action_tail && strcmp(method, "DELETE") != 0) {
        char *v = xstrdup(tail + 1);
        for (char *c = v; *c; c++) {
            if (*c == '-')
                *c = '_';
        }
        s->verb = v;
    } else if (strcmp(method, "DELETE") == 0) {
        s->verb = xstrdup(rule->del ? rule->del : "delete");
    } else if (strcmp(method, "POST") == 0 && s->param < 0) {
        s->verb = xstrdup("create");
    } else {
        s->verb = xstrdup("update");
    }
    if (!rule->noun) {
        /* Undecided: the first literal segment after /api/v1/ names it. */
        const char *p = strncmp(pattern, "/api/v1/", 8) == 0 ? pattern + 8 : pattern + 1;
        s->noun = xstrndup(p, strcspn(p, "/"));
    }
    return s;
}

void
api__audit_snap_free(struct api__audit_snap *s)
{
    if (!s)
        return;
    xfree((char *)s->verb);
    xfree((char *)s->noun);
    xfree(s);
}

static bool
secret_key(const char *k)
{
    static const char *const exact[] = { "password", "current_password", "secret", "token",
                                         "api_key", "password_hash", "token_hash" };
    for (size_t i = 0; i < COUNTOF(exact); i++) {
        if (strcmp(k, exact[i]) == 0)
            return true;
    }
    size_t n = strlen(k);
    static const char *const suffix[] = { "_secret", "_token", "_password", "_hash" };
    for (size_t i = 0; i < COUNTOF(suffix); i++) {
        size_t sl = strlen(suffix[i]);
        if (n > sl && strcmp(k + n - sl, suffix[i]) == 0)
            return true;
    }
    return false;
}

/* Replaces every secret-named value under 'j' by "•••" (null and "" stay: nothing to hide). */
static void
mask(json_t *j, int depth)
{
    if (depth > 16)
        return;
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
            mask(v, depth + 1);
        return;
    }
    if (!json_is_object(j))
        return;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        if (secret_key(k) && !json_is_null(v) &&
            !(json_is_string(v) && json_string_length(v) == 0))
            json_object_set_new(j, k, json_string(MASKED));
        else
            mask(v, depth + 1);
    }
}

/* True when 's' holds a run of 24 or more letters, digits, '-' or '_': what a generated
 * credential (an invite link's token, a key) looks like. */
static bool
token_like(const char *s)
{
    size_t run = 0;
    for (const char *p = s; *p; p++) {
        bool t = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 *p == '-' || *p == '_';
        run = t ? run + 1 : 0;
        if (run >= 24)
            return true;
    }
    return false;
}

/* For an answer kept as the record (a create without a GET route): besides the named
 * secrets, every string that looks like a generated credential is masked, since an answer
 * may carry one once (an invite link) under any name. */
static void
mask_answer(json_t *j, int depth)
{
    if (depth > 16)
        return;
    size_t i;
    const char *k;
    json_t *v;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) {
            if (json_is_string(v) && token_like(json_string_value(v)))
                json_array_set_new(j, i, json_string(MASKED));
            else
                mask_answer(v, depth + 1);
        }
    } else if (json_is_object(j)) {
        json_object_foreach(j, k, v) {
            if (json_is_string(v) && token_like(json_string_value(v)))
                json_object_set_new(j, k, json_string(MASKED));
            else
                mask_answer(v, depth + 1);
        }
    }
}

/* Marks in 'after' the secrets the request body set: "changed" at the same place (top level
 * and one object down, as in a channel's "settings"). */
static void
mark_changed(json_t *after, json_t *body)
{
    if (!json_is_object(after) || !json_is_object(body))
        return;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        if (secret_key(k) && !json_is_null(v)) {
            json_object_set_new(after, k, json_string("changed"));
        } else if (json_is_object(v)) {
            json_t *sub = json_object_get(after, k);
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                if (json_is_object(sub) && secret_key(k2) && !json_is_null(v2))
                    json_object_set_new(sub, k2, json_string("changed"));
            }
        }
    }
}

/* The element of 'list' (an array, or an object holding arrays) whose "id" is 'id'. A new
 * reference or NULL. */
static json_t *
pick(json_t *list, int64_t id)
{
    if (json_is_object(list)) {
        const char *k;
        json_t *v;
        json_object_foreach(list, k, v) {
            json_t *got = json_is_array(v) ? pick(v, id) : NULL;
            if (got)
                return got;
        }
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        json_t *vid = json_object_get(v, "id");
        if (json_is_integer(vid) && json_integer_value(vid) == id)
            return json_incref(v);
    }
    return NULL;
}

static json_t *
capture(struct http_req *r, struct api *a, http_handler_fn *fn)
{
    unsigned status = 0;
    struct buf body;
    buf_init(&body, SNAPSHOT_MAX);
    http_capture(r, fn, a, &status, &body);
    json_t *j = NULL;
    /* A list too long to keep is no snapshot: the entry says less, the write goes on. */
    if (status == 200 && body.len > 0 && buf_error(&body) == 0)
        j = json_loadb(body.p, body.len, 0, NULL);
    buf_release(&body);
    return j;
}

/* The resource as the API shows it (a new reference, masked), or NULL when it has no GET
 * route or does not exist. 'id' 0 reads the whole collection (a reorder). */
static json_t *
snapshot(struct http_req *r, struct api *a, const struct api__audit_snap *s, int64_t id,
         bool by_param)
{
    json_t *j = NULL;
    if (id && by_param && s->exact)
        j = capture(r, a, s->exact);
    if (!j && id && by_param && s->item)
        j = capture(r, a, s->item);
    if (!j && s->collection) {
        json_t *all = capture(r, a, s->collection);
        if (all && id) {
            j = pick(all, id);
            json_decref(all);
        } else {
            j = all;
        }
    }
    if (j)
        mask(j, 0);
    return j;
}

/* ---- the entry ------------------------------------------------------------------------- */

static char *
dump(struct arena *ar, json_t *j)
{
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s)
        return NULL;
    char *out = arena_strdup(ar, s);
    free(s);
    return out;
}

/* At most 'max' bytes of the UTF-8 text 's', cut before a character, never inside one. */
static const char *
cut(struct arena *ar, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return s;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return arena_printf(ar, "%.*s...", (int)n, s);
}

/* A readable name for the resource: its name, email or title, else '#id'. */
static const char *
display_name(struct arena *ar, json_t *after, json_t *before, int64_t id)
{
    static const char *const keys[] = { "name", "display_name", "email", "title", "spec" };
    json_t *o = after ? after : before;
    if (json_is_object(o) && json_is_object(json_object_get(o, "agent")))
        o = json_object_get(o, "agent");
    for (size_t i = 0; json_is_object(o) && i < COUNTOF(keys); i++) {
        json_t *v = json_object_get(o, keys[i]);
        if (json_is_string(v) && json_string_length(v) > 0)
            return arena_printf(ar, "\"%s\"", cut(ar, json_string_value(v), 80));
    }
    return id ? arena_printf(ar, "#%lld", (long long)id) : "";
}

/* The top-level fields that differ, as "name, members" (at most a few, then "..."). */
static void
changed_fields(struct buf *b, json_t *before, json_t *after)
{
    if (!json_is_object(before) || !json_is_object(after))
        return;
    static const char *const ignored[] = { "updated_at", "last_used_at" };
    int n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(after, k, v) {
        bool skip = false;
        for (size_t i = 0; i < COUNTOF(ignored); i++)
            skip |= strcmp(k, ignored[i]) == 0;
        if (skip || json_equal(v, json_object_get(before, k)))
            continue;
        if (n == 6) {
            buf_adds(b, ", ...");
            break;
        }
        buf_adds(b, n++ ? ", " : ": ");
        buf_adds(b, k);
    }
}

static const char *
past(const char *verb)
{
    static const char *const map[][2] = {
        { "create", "created" }, { "update", "updated" },   { "delete", "deleted" },
        { "revoke", "revoked" }, { "disable", "disabled" }, { "enable", "enabled" },
        { "password", "password reset" }, { "rotate", "secret rotated" },
        { "reorder", "reordered" },       { "role", "role changed" },
        { "profile", "routing profile updated" }, { "order", "order changed" },
        { "invite", "invited" },          { "retrain", "retraining started" },
        { "activate", "switched on" },    { "block", "blocked" },
        { "unblock", "unblocked" },       { "merge", "merged" },
        { "undo", "undone" },
        { "approve", "approved" },
        { "decline", "declined" },
    };
    for (size_t i = 0; i < COUNTOF(map); i++) {
        if (strcmp(verb, map[i][0]) == 0)
            return map[i][1];
    }
    return verb;
}

/* Fills the actor of 'e' from the request's principal. */
static void
set_actor(struct http_req *r, struct api *a, struct audit_entry *e)
{
    const struct auth_principal *p = api__principal(r);
    if (!p)
        return;
    struct arena *ar = http_arena(r);
    if (p->agent_id) {
        e->actor_agent_id = p->agent_id;
        struct agent ag;
        if (store_agent_get(a->st, ar, p->agent_id, &ag) == 0)
            e->actor = ag.name && ag.name[0] ? ag.name : ag.email;
        return;
    }
    e->actor_token_id = p->token_id;
    struct api_token *v;
    size_t n = 0;
    e->actor = arena_printf(ar, "API token #%lld", (long long)p->token_id);
    if (store_token_list(a->st, ar, &v, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (v[i].id == p->token_id)
                e->actor = arena_printf(ar, "API token \"%s\"", cut(ar, v[i].name, 80));
        }
    }
}

int
api__audit_record(struct http_req *r, struct api *a, struct audit_entry *e, const char *area)
{
    e->ip = http_client(r);
    e->request_id = http_request_id(r);
    if (!e->actor)
        set_actor(r, a, e);
    int rc = store_audit_add(a->st, e, area, NULL);
    if (rc < 0)
        log_warn("api", "audit entry not written", "action=%s err=%s", e->action, err_str(rc));
    return rc;
}

static int64_t
param_id(struct http_req *r, int i)
{
    int64_t id = 0;
    if (i < 0 || str_to_i64(http_param(r, (size_t)i), 1, INT64_MAX, &id) < 0)
        return 0;
    return id;
}

/* The id of what a create made: "id" of the answer, or of its one nested object. */
static int64_t
created_id(json_t *reply)
{
    json_t *id = json_object_get(reply, "id");
    if (json_is_integer(id))
        return json_integer_value(id);
    const char *k;
    json_t *v;
    json_object_foreach(reply, k, v) {
        id = json_is_object(v) ? json_object_get(v, "id") : NULL;
        if (json_is_integer(id))
            return json_integer_value(id);
    }
    return 0;
}

static json_t *
body_json(struct http_req *r)
{
    struct str b = http_body(r);
    if (b.len == 0)
        return NULL;
    json_t *j = json_loadb(b.p, b.len, 0, NULL);
    if (j)
        api__defer_decref(r, j);
    return j;
}

static json_t *
reply_json(struct http_req *r)
{
    struct str b = http_reply_body(r);
    json_t *j = b.len ? json_loadb(b.p, b.len, 0, NULL) : NULL;
    if (j)
        api__defer_decref(r, j);
    return j;
}

/* A login (public route): 2xx records "login" for the agent; a refused password (401)
 * records "login.failed" with the email tried, never the password. A throttled attempt (429)
 * is not recorded: the failures before it were, and recording it would turn a flood of
 * cheap refusals into a flood of writes. */
static void
login_call(struct http_req *r, struct api *a, http_handler_fn *fn)
{
    http_keep_reply(r);
    fn(r, a);
    unsigned status = http_reply_status(r);
    if (status != 200 && status != 401)
        return;
    json_t *body = body_json(r);
    json_t *email = json_object_get(body, "email");
    if (!json_is_string(email))
        return;
    struct arena *ar = http_arena(r);
    /* Jansson gave UTF-8 (a "\u0000" ends the text here). */
    const char *tried = cut(ar, arena_strndup(ar, json_string_value(email),
                                              json_string_length(email)), EMAIL_MAX);
    struct audit_entry e = { .target_type = "agent" };
    struct agent ag;
    bool known = store_agent_by_email(a->st, ar, str_c(tried), &ag) == 0;
    if (known)
        e.target_id = ag.id;
    if (status == 200) {
        e.action = "login";
        e.actor_agent_id = known ? ag.id : 0;
        e.actor = known && ag.name && ag.name[0] ? ag.name : tried;
        e.summary = "Signed in";
    } else {
        e.action = "login.failed";
        e.actor = tried;
        e.summary = arena_printf(ar, "Failed sign-in for \"%s\"%s", tried,
                                 known ? "" : " (no such agent)");
    }
    api__audit_record(r, a, &e, NULL);
}

/* A password set through an invitation or reset link (public: the link is the credential,
 * and it is never recorded): on 2xx, "password.set" for the agent the answer names. */
static void
invite_call(struct http_req *r, struct api *a, const struct api__audit_rule *rule,
            http_handler_fn *fn)
{
    http_keep_reply(r);
    fn(r, a);
    unsigned status = http_reply_status(r);
    if (status < 200 || status > 299)
        return;
    json_t *email = json_object_get(reply_json(r), "email");
    struct audit_entry e = { .action = rule->action, .target_type = "agent",
                             .summary = "Set a password with an invitation or reset link" };
    struct agent ag;
    struct arena *ar = http_arena(r);
    if (json_is_string(email) &&
        store_agent_by_email(a->st, ar, str_c(json_string_value(email)), &ag) == 0) {
        e.actor_agent_id = ag.id;
        e.target_id = ag.id;
        e.actor = ag.name && ag.name[0] ? ag.name : ag.email;
    } else {
        e.actor = "";
    }
    api__audit_record(r, a, &e, NULL);
}

void
api__audit_call(struct http_req *r, struct api *a, const struct api__audit_rule *rule,
                const struct api__audit_snap *s, http_handler_fn *fn)
{
    if (rule->kind == LOGIN) {
        login_call(r, a, fn);
        return;
    }
    if (rule->kind == INVITE) {
        invite_call(r, a, rule, fn);
        return;
    }
    const struct auth_principal *p = api__principal(r);
    struct arena *ar = http_arena(r);
    if (rule->kind == LOGOUT || rule->kind == SELF) {
        fn(r, a);
        unsigned status = http_reply_status(r);
        if (status < 200 || status > 299 || !p)
            return;
        struct audit_entry e = { .action = rule->action, .target_type = "agent",
                                 .target_id = p->agent_id };
        e.summary = rule->kind == LOGOUT ? "Signed out" : "Changed own password";
        api__audit_record(r, a, &e, NULL);
        return;
    }
    int64_t id = param_id(r, s->param);
    bool is_delete = strcmp(http_method(r), "DELETE") == 0;
    bool create = s->param < 0 && strcmp(s->verb, "create") == 0;
    json_t *before = create ? NULL : snapshot(r, a, s, id, true);
    if (before)
        api__defer_decref(r, before);
    http_keep_reply(r);
    fn(r, a);
    unsigned status = http_reply_status(r);
    if (status < 200 || status > 299)
        return;
    json_t *reply = reply_json(r);
    bool by_param = true;
    if (create) {
        id = created_id(reply);
        by_param = false; /* the request's params do not name it: read it from the list */
    }
    json_t *after = NULL;
    if (!is_delete) {
        after = snapshot(r, a, s, id, by_param);
        if (!after && create && json_is_object(reply)) {
            after = json_deep_copy(reply); /* no GET route: the answer, masked */
            mask(after, 0);
            mask_answer(after, 0);
        }
        if (after)
            api__defer_decref(r, after);
        mark_changed(after, body_json(r));
    }
    const char *noun = rule->noun ? rule->noun : s->noun;
    const char *verb = s->verb;
    /* A role change is its own action, whatever route made it. */
    if (strcmp(noun, "agent") == 0 && json_is_object(before) && json_is_object(after)) {
        json_t *rb = json_object_get(before, "role"), *ra = json_object_get(after, "role");
        if (json_is_string(rb) && json_is_string(ra) && !json_equal(rb, ra))
            verb = "role";
    }
    struct audit_entry e = {
        .action = rule->action && verb == s->verb ? rule->action
                                                  : arena_printf(ar, "%s.%s", noun, verb),
        .target_type = noun,
        .target_id = id,
        .before = dump(ar, before),
        .after = dump(ar, after),
    };
    struct buf b;
    buf_init(&b, SUMMARY_MAX);
    buf_adds(&b, rule->label);
    const char *name = display_name(ar, after, before, id);
    if (name[0]) {
        buf_addc(&b, ' ');
        buf_adds(&b, name);
    }
    buf_addc(&b, ' ');
    buf_adds(&b, past(verb));
    if (strcmp(verb, "role") == 0) {
        buf_adds(&b, arena_printf(ar, " from %s to %s",
                                 json_string_value(json_object_get(before, "role")),
                                 json_string_value(json_object_get(after, "role"))));
    } else if (strcmp(verb, "update") == 0 || strcmp(verb, "profile") == 0) {
        changed_fields(&b, before, after);
    }
    /* Past the limit (a very long name), the sticky error kept the whole pieces before it. */
    e.summary = arena_strdup(ar, b.p);
    buf_release(&b);
    /* Only a change the other admin screens must show wakes them. */
    bool changed = !before || !after || !json_equal(before, after);
    api__audit_record(r, a, &e, changed ? rule->area : NULL);
}
