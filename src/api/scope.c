/* SPDX-License-Identifier: MIT */
/*
 * scope.c - what store staff may reach: the store-scope decision of every route a signed-in
 * caller may call, and the check guarded() runs before the handler.
 *
 * A store-staff principal (auth_principal.scope limited) sees only the conversations of their
 * store and those assigned to them. Each API_ANY route says here how that applies: a route
 * about one conversation, message or contact is refused with 404 when the object is out of
 * scope (the same answer as a missing one, so existence is never revealed); a list passes the
 * scope to its store query; a route that shows no customer data is open; listening is closed.
 * A route missing from this table is closed to store staff (fail closed), logged at startup,
 * and fails tests/api/140-store-scope.sh, so every new route gets a decision.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/log.h"
#include "store/store.h"

struct scope_rule {
    const char *method;
    const char *pattern;
    enum api__scope scope;
};

static const struct scope_rule rules[] = {
    /* The caller's own session and settings; no customer data. */
    { "POST", "/api/v1/logout", API_SCOPE_OPEN },
    { "GET", "/api/v1/me", API_SCOPE_OPEN },
    { "PATCH", "/api/v1/me", API_SCOPE_OPEN },
    { "POST", "/api/v1/me/password", API_SCOPE_OPEN },
    { "PUT", "/api/v1/me/availability", API_SCOPE_OPEN },
    /* Conversations: lists filtered in the store query, one conversation checked. */
    { "GET", "/api/v1/conversations", API_SCOPE_LIST },
    { "GET", "/api/v1/conversations/counts", API_SCOPE_LIST },
    { "GET", "/api/v1/conversations/{id}", API_SCOPE_CONV },
    { "GET", "/api/v1/conversations/{id}/messages", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/messages", API_SCOPE_CONV },
    /* The WhatsApp templates of the conversation's channel: the business's texts, no
     * customer data, but only for a conversation the caller may see. */
    { "GET", "/api/v1/conversations/{id}/templates", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/assign", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/status", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/labels", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/read", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/private-reply", API_SCOPE_CONV },
    { "GET", "/api/v1/conversations/{id}/sla", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/callback-offer", API_SCOPE_CONV },
    /* Callback tasks: the list keeps the conversations the caller may see; done checks the
     * callback's conversation itself (its {id} is the callback's). */
    { "GET", "/api/v1/callbacks", API_SCOPE_LIST },
    { "POST", "/api/v1/callbacks/{id}/done", API_SCOPE_OPEN },
    { "POST", "/api/v1/messages/{id}/triage", API_SCOPE_MSG },
    /* The review queue passes the scope to its store query: their store's messages only. */
    { "GET", "/api/v1/triage/review", API_SCOPE_LIST },
    { "POST", "/api/v1/messages/{id}/retry", API_SCOPE_MSG },
    { "GET", "/api/v1/contacts", API_SCOPE_LIST },
    { "GET", "/api/v1/contacts/{id}", API_SCOPE_CONTACT },
    { "PATCH", "/api/v1/contacts/{id}", API_SCOPE_CONTACT },
    /* Blocking hides the customer from every store's team: store staff see it, a supervisor
     * or an agent decides it. */
    { "GET", "/api/v1/contacts/{id}/block", API_SCOPE_CONTACT },
    { "POST", "/api/v1/contacts/{id}/block", API_SCOPE_DENY },
    { "DELETE", "/api/v1/contacts/{id}/block", API_SCOPE_DENY },
    /* Merging: the evidence names other stores' customers, and a merge moves their
     * conversations; store staff ask a colleague. */
    { "GET", "/api/v1/contacts/{id}/merge-suggestions", API_SCOPE_DENY },
    { "POST", "/api/v1/contacts/{id}/merge-suggestions/dismiss", API_SCOPE_DENY },
    { "GET", "/api/v1/contacts/{id}/merge", API_SCOPE_DENY },
    { "POST", "/api/v1/contacts/{id}/merge", API_SCOPE_DENY },
    { "GET", "/api/v1/contacts/{id}/merges", API_SCOPE_DENY },
    { "GET", "/api/v1/contact-merges/{id}", API_SCOPE_DENY },
    { "POST", "/api/v1/contact-merges/{id}/undo", API_SCOPE_DENY },
    /* Satisfaction figures are across stores (and the heroes name agents of every store):
     * closed to store staff. */
    { "GET", "/api/v1/csat", API_SCOPE_DENY },
    { "GET", "/api/v1/events", API_SCOPE_LIST },
    { "GET", "/api/v1/routing/queue", API_SCOPE_LIST },
    /* The team's setup, read-only for non-admins: no customer data. */
    { "GET", "/api/v1/channels", API_SCOPE_OPEN },
    { "GET", "/api/v1/channels/{id}", API_SCOPE_OPEN }, /* status in words, no customer text */
    { "GET", "/api/v1/agents", API_SCOPE_OPEN },
    { "GET", "/api/v1/agents/profiles", API_SCOPE_OPEN },
    { "GET", "/api/v1/agents/{id}/profile", API_SCOPE_OPEN },
    { "PATCH", "/api/v1/agents/{id}/profile", API_SCOPE_OPEN }, /* own, and not the store */
    { "GET", "/api/v1/teams", API_SCOPE_OPEN },
    { "GET", "/api/v1/teams/{id}", API_SCOPE_OPEN },
    { "GET", "/api/v1/calendars", API_SCOPE_OPEN },
    { "GET", "/api/v1/calendars/{id}", API_SCOPE_OPEN },
    { "GET", "/api/v1/sla/policies", API_SCOPE_OPEN },
    { "GET", "/api/v1/sla/policies/{id}", API_SCOPE_OPEN },
    { "GET", "/api/v1/routing/rules", API_SCOPE_OPEN },
    { "GET", "/api/v1/routing/rules/{id}", API_SCOPE_OPEN },
    /* Canned replies: the team's and the caller's own texts (canned.c decides who edits
     * which); render names its conversation in the body and checks the scope itself. */
    { "GET", "/api/v1/canned", API_SCOPE_OPEN },
    { "POST", "/api/v1/canned", API_SCOPE_OPEN },
    { "GET", "/api/v1/canned/overrides", API_SCOPE_OPEN },
    { "GET", "/api/v1/canned/{id}", API_SCOPE_OPEN },
    { "PUT", "/api/v1/canned/{id}", API_SCOPE_OPEN },
    { "DELETE", "/api/v1/canned/{id}", API_SCOPE_OPEN },
    { "POST", "/api/v1/canned/{id}/render", API_SCOPE_OPEN },
    { "POST", "/api/v1/conversations/{id}/reply-check", API_SCOPE_CONV },
    /* Care policy: the taxonomy and the policy are no customer data; a conversation's cause
     * and goodwill follow the conversation; approving and the reports (across stores) are for
     * supervisors and admins, never store staff. */
    { "GET", "/api/v1/root-causes", API_SCOPE_OPEN },
    { "GET", "/api/v1/root-causes/{id}", API_SCOPE_OPEN },
    { "GET", "/api/v1/care-policy", API_SCOPE_OPEN },
    { "GET", "/api/v1/conversations/{id}/root-cause", API_SCOPE_CONV },
    { "PUT", "/api/v1/conversations/{id}/root-cause", API_SCOPE_CONV },
    { "GET", "/api/v1/conversations/{id}/goodwill", API_SCOPE_CONV },
    { "POST", "/api/v1/conversations/{id}/goodwill", API_SCOPE_CONV },
    { "GET", "/api/v1/goodwill", API_SCOPE_DENY },
    { "GET", "/api/v1/goodwill/{id}", API_SCOPE_DENY },
    { "POST", "/api/v1/goodwill/{id}/approve", API_SCOPE_DENY },
    { "POST", "/api/v1/goodwill/{id}/decline", API_SCOPE_DENY },
    { "GET", "/api/v1/reports/root-causes", API_SCOPE_DENY },
    { "GET", "/api/v1/reports/goodwill", API_SCOPE_DENY },
    /* Listening is about the public web, not a store's customers: not for store staff. */
    { "GET", "/api/v1/listening/queries", API_SCOPE_DENY },
    { "GET", "/api/v1/listening/queries/{id}", API_SCOPE_DENY },
    { "GET", "/api/v1/listening/mentions", API_SCOPE_DENY },
    { "GET", "/api/v1/listening/mentions/{id}", API_SCOPE_DENY },
    { "POST", "/api/v1/listening/mentions/{id}/convert", API_SCOPE_DENY },
    { "POST", "/api/v1/listening/mentions/{id}/dismiss", API_SCOPE_DENY },
    { "DELETE", "/api/v1/listening/mentions/{id}/dismiss", API_SCOPE_DENY },
    { "GET", "/api/v1/listening/views", API_SCOPE_DENY },
    { "POST", "/api/v1/listening/views", API_SCOPE_DENY },
    { "PATCH", "/api/v1/listening/views/{id}", API_SCOPE_DENY },
    { "DELETE", "/api/v1/listening/views/{id}", API_SCOPE_DENY },
    { "GET", "/api/v1/listening/alerts", API_SCOPE_DENY },
};

enum api__scope
api__scope_of(const char *method, const char *pattern)
{
    for (size_t i = 0; i < COUNTOF(rules); i++) {
        if (strcmp(rules[i].method, method) == 0 && strcmp(rules[i].pattern, pattern) == 0)
            return rules[i].scope;
    }
    log_warn("api", "route has no store-staff scope decision: closed to store staff",
             "method=%s path=%s", method, pattern);
    return API_SCOPE_UNDECIDED;
}

int
api__scope_or_reply(struct http_req *r, struct api *a, enum api__scope scope,
                    const struct auth_principal *p)
{
    if (!p->scope.limited)
        return 0;
    int64_t id;
    int rc;
    switch (scope) {
    case API_SCOPE_OPEN:
    case API_SCOPE_LIST:
        return 0;
    case API_SCOPE_CONV:
    case API_SCOPE_MSG:
    case API_SCOPE_CONTACT:
        if (api__id_or_reply(r, 0, &id) < 0)
            return ERR_NOTFOUND;
        rc = scope == API_SCOPE_CONV  ? store_conv_visible(a->st, &p->scope, id)
             : scope == API_SCOPE_MSG ? store_msg_visible(a->st, &p->scope, id)
                                      : store_contact_visible(a->st, &p->scope, id);
        if (rc < 0) {
            http_reply_error(r, rc,
                             rc != ERR_NOTFOUND        ? "cannot read"
                             : scope == API_SCOPE_CONV ? "no such conversation"
                             : scope == API_SCOPE_MSG  ? "no such message"
                                                       : "no such contact");
            return rc;
        }
        return 0;
    case API_SCOPE_DENY:
    case API_SCOPE_UNDECIDED:
        break;
    }
    http_reply_error(r, ERR_PERM, "store staff cannot use this");
    return ERR_PERM;
}
