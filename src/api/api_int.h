/* SPDX-License-Identifier: MIT */
/*
 * api_int.h - shared by the files of api/ only: the api context, authentication, body
 * decoding and JSON replies. Helpers named *_or_reply have already sent the error response
 * when they return < 0 (or NULL); the handler just returns.
 */
#ifndef HARK_API_INT_H
#define HARK_API_INT_H

#include <jansson.h>
#include <stdatomic.h>

#include "api/api.h"
#include "base/err.h"
#include "base/str.h"
#include "care/care.h"
#include "http/http.h"

struct api__guard;
struct api__audit_slot;

struct api {
    struct api_config cfg;
    struct store *st;
    struct care *care;
    struct hub *hub;
    struct http_server *srv;
    struct bus *bus; /* NULL without --nats */
    atomic_bool stopping;
    atomic_uint sse_clients;
    struct http_route *routes;   /* what http/ serves, built from the route table */
    struct api__guard *guards;   /* per route: the role guarded() checks (routes.c) */
    size_t nroutes;
    struct api__throttle *throttle; /* widget rate limits (throttle.c) */
    struct api__tpl_cache *tpl_cache; /* WhatsApp template lists (wa_templates.c) */
    struct api__audit_slot *audits; /* per route: what the audit log records (routes.c) */
    size_t audit_undecided;         /* write routes without an audit decision (audit_record.c) */
    const char *audit_first_undecided; /* the pattern of the first one (a route table string) */
};

#define API_COOKIE "hark_session"
#define API_COOKIE_SECURE "__Host-hark_session"

/* Who may call a route: the role column of the route table (routes.c). The router checks
 * API_ANY and API_ADMIN before the handler runs and hands it the principal (api__principal);
 * the other roles reach the handler unauthenticated, and the handler checks the credential
 * that role names. */
enum api__role {
    API_PUBLIC,   /* anyone: login, health, the web app and its assets, the widget's bootstrap */
    API_VISITOR,  /* a chat widget visitor: the handler checks the visitor session (widget.c) */
    API_PLATFORM, /* a platform's webhook: the channel adapter checks the signature (hooks.c) */
    API_METRICS,  /* the scraper: the handler checks the metrics token (health.c) */
    API_ANY,      /* any authenticated caller: an agent's session or an API token */
    API_ADMIN     /* admins and admin API tokens only */
};

/* What store staff may reach through a route (scope.c): the decision every API_ANY route has. */
enum api__scope {
    API_SCOPE_UNDECIDED, /* not in scope.c's table: closed to store staff */
    API_SCOPE_OPEN,      /* no customer data: the same for everyone */
    API_SCOPE_LIST,      /* the handler passes the principal's scope to its store query */
    API_SCOPE_CONV,      /* {param} 0 is a conversation id: 404 when out of scope */
    API_SCOPE_MSG,       /* {param} 0 is a message id: 404 when its conversation is out of scope */
    API_SCOPE_CONTACT,   /* {param} 0 is a contact id: 404 without a conversation in scope */
    API_SCOPE_DENY,      /* closed to store staff (403) */
};
/* The decision for a route of the table (scope.c); API_SCOPE_UNDECIDED, logged, when none. */
enum api__scope api__scope_of(const char *method, const char *pattern);
/* Applies 'scope' for 'p' before the handler runs: 0, or < 0 after replying 404 (an object out
 * of scope) or 403 (a route closed to store staff). Always 0 for unlimited principals. */
int api__scope_or_reply(struct http_req *r, struct api *a, enum api__scope scope,
                        const struct auth_principal *p);

/* Authenticates the request (Bearer token, else session cookie), checks the CSRF token on
 * cookie-authenticated writes, and 'role' (API_ANY or API_ADMIN). 0, or < 0 after replying
 * 401/403. The router calls it (routes.c); handlers read the result with api__principal. */
int api__auth_or_reply(struct http_req *r, struct api *a, enum api__role role,
                       struct auth_principal *p);
/* The caller of a route whose role is API_ANY or API_ADMIN, authenticated by the router before
 * the handler ran; it lives as long as the request. NULL on the other routes. */
const struct auth_principal *api__principal(struct http_req *r);
/* Decodes the body as a JSON object (Content-Type application/json). NULL after replying
 * 400 or 415. The result is released with the request's arena. */
json_t *api__json_or_reply(struct http_req *r);
/* Releases 'j' when the request ends. */
void api__defer_decref(struct http_req *r, json_t *j);
/* Parses {param} 'i' as a positive id. < 0 after replying 404. */
int api__id_or_reply(struct http_req *r, size_t i, int64_t *id);
/* Sends 'j' (stolen) as JSON with 'status'. */
void api__reply(struct http_req *r, unsigned status, json_t *j);
/* Sends the error for 'rc' with the errmsg text when set, else 'fallback'. */
void api__reply_err(struct http_req *r, int rc, const struct errmsg *em, const char *fallback);

/* Optional string member: NULL when absent or null; < 0 after replying 422 when the wrong
 * type, invalid UTF-8 or longer than 'max'. */
int api__opt_string_or_reply(struct http_req *r, json_t *obj, const char *name, size_t max,
                             const char **out);
/* Parses an optional positive integer query argument within [min, max]. < 0 after 400. */
int api__query_int_or_reply(struct http_req *r, const char *name, int64_t min, int64_t max,
                            int64_t *out);
/* Parses the message page arguments of a history read (history.c): 'limit' 1..200 (default
 * 50) and 'before', a next_cursor from an earlier page ('*before' 0 when absent). < 0 after
 * replying 400. */
int api__msg_page_or_reply(struct http_req *r, int64_t *before, int *limit);
/* The next_cursor JSON for a page: the cursor string, or null when no older message exists. */
json_t *api__msg_cursor(int64_t next_before);

/* Route handlers, one file per resource. */
/* Care policy (policy.c): root causes, goodwill, the policy settings, the reports. */
void api__root_causes_list(struct http_req *r, void *ctx);
void api__root_causes_create(struct http_req *r, void *ctx);
void api__root_cause_get(struct http_req *r, void *ctx);
void api__root_cause_update(struct http_req *r, void *ctx);
void api__root_cause_delete(struct http_req *r, void *ctx);
void api__care_policy_get(struct http_req *r, void *ctx);
void api__care_policy_put(struct http_req *r, void *ctx);
void api__conv_cause_get(struct http_req *r, void *ctx);
void api__conv_cause_put(struct http_req *r, void *ctx);
void api__conv_goodwill_list(struct http_req *r, void *ctx);
void api__conv_goodwill_add(struct http_req *r, void *ctx);
void api__goodwill_list(struct http_req *r, void *ctx);
void api__goodwill_get(struct http_req *r, void *ctx);
void api__goodwill_approve(struct http_req *r, void *ctx);
void api__goodwill_decline(struct http_req *r, void *ctx);
void api__report_root_causes(struct http_req *r, void *ctx);
void api__report_goodwill(struct http_req *r, void *ctx);
/* For the status change (conversations.c): sets the conversation's root cause (422 for an
 * unknown or archived cause), and checks that resolving it has one when the policy requires it
 * ('given': the request names one); < 0 after replying. */
int api__conv_cause_set_or_reply(struct http_req *r, struct api *a, int64_t conv_id,
                                 int64_t cause_id);
int api__conv_cause_check_or_reply(struct http_req *r, struct api *a, int64_t conv_id,
                                   bool given);
void api__login(struct http_req *r, void *ctx);
void api__logout(struct http_req *r, void *ctx);
void api__me(struct http_req *r, void *ctx);
void api__me_update(struct http_req *r, void *ctx);
void api__channels_list(struct http_req *r, void *ctx);
void api__channels_create(struct http_req *r, void *ctx);
void api__channel_get(struct http_req *r, void *ctx);
void api__channel_update(struct http_req *r, void *ctx);
void api__channel_rotate(struct http_req *r, void *ctx);
void api__channel_delete(struct http_req *r, void *ctx);
void api__convs_list(struct http_req *r, void *ctx);
void api__convs_counts(struct http_req *r, void *ctx);
void api__conv_get(struct http_req *r, void *ctx);
void api__conv_messages(struct http_req *r, void *ctx);
void api__conv_reply(struct http_req *r, void *ctx);
/* wa_templates.c: the approved WhatsApp templates of a conversation's channel, cached. */
void api__conv_templates(struct http_req *r, void *ctx);
struct api__tpl_cache *api__tpl_cache_new(void);
void api__tpl_cache_free(struct api__tpl_cache *c);
/* Checks a template reply against the approved list of conversation 'conv_id' (the cached
 * list, read again when the template is not in it and the list is a minute old) and fills it
 * in: 'comps' are the agent's Meta-shaped components, '*components' (a new reference) what
 * goes to Meta, '*text' (released with the request) the message as the customer reads it.
 * < 0 after replying (409/502/503 when the list cannot be read, 422 naming the template or
 * the blank). */
int api__wa_template_or_reply(struct http_req *r, struct api *a, int64_t conv_id,
                              const char *name, const char *lang, json_t *comps,
                              json_t **components, json_t **text);
void api__conv_assign(struct http_req *r, void *ctx);
void api__conv_status(struct http_req *r, void *ctx);
void api__conv_labels(struct http_req *r, void *ctx);
void api__conv_read(struct http_req *r, void *ctx);
void api__contacts_list(struct http_req *r, void *ctx);
void api__contact_get(struct http_req *r, void *ctx);
void api__contact_patch(struct http_req *r, void *ctx);
void api__contact_block_get(struct http_req *r, void *ctx);
void api__contact_block(struct http_req *r, void *ctx);
void api__contact_unblock(struct http_req *r, void *ctx);
/* merge.c */
void api__contact_merge_suggestions(struct http_req *r, void *ctx);
void api__contact_merge_dismiss(struct http_req *r, void *ctx);
void api__contact_merge(struct http_req *r, void *ctx);
void api__contact_merges(struct http_req *r, void *ctx);
void api__contact_person(struct http_req *r, void *ctx);
void api__contact_merge_get(struct http_req *r, void *ctx);
void api__contact_merge_undo(struct http_req *r, void *ctx);
void api__agents_list(struct http_req *r, void *ctx);
void api__agents_create(struct http_req *r, void *ctx);
/* agents.c: an admin edits an agent; invite links (admin: issue; public: read, accept). */
void api__agent_update(struct http_req *r, void *ctx);
void api__agent_invite(struct http_req *r, void *ctx);
void api__invite_get(struct http_req *r, void *ctx);
void api__invite_accept(struct http_req *r, void *ctx);
/* Credential lifecycle (agents.c, session.c, tokens.c). */
void api__agent_disable(struct http_req *r, void *ctx);
void api__agent_enable(struct http_req *r, void *ctx);
void api__agent_password(struct http_req *r, void *ctx);
void api__me_password(struct http_req *r, void *ctx);
void api__tokens_list(struct http_req *r, void *ctx);
void api__tokens_create(struct http_req *r, void *ctx);
void api__token_revoke(struct http_req *r, void *ctx);
/* Checks a new 'password' (NULL: missing) against auth_password_check. < 0 after replying 422
 * with the rule's code (password_too_short, password_breached, ...). */
int api__password_or_reply(struct http_req *r, const char *password);
void api__events(struct http_req *r, void *ctx);
void api__triage_correct(struct http_req *r, void *ctx);
void api__triage_corrections(struct http_req *r, void *ctx);
void api__triage_review(struct http_req *r, void *ctx);
void api__models_list(struct http_req *r, void *ctx);
void api__models_retrain(struct http_req *r, void *ctx);
void api__models_job(struct http_req *r, void *ctx);
void api__models_activate(struct http_req *r, void *ctx);
void api__hook(struct http_req *r, void *ctx);
void api__hook_get(struct http_req *r, void *ctx);
void api__healthz(struct http_req *r, void *ctx);
void api__metrics(struct http_req *r, void *ctx);

/* ---- the web app, the chat widget and delivery retry ------------------------------------ */

/* web.c: the built app (catch-all: must be the last route), its hashed assets, widget.js. */
void api__web_app(struct http_req *r, void *ctx);
void api__web_asset(struct http_req *r, void *ctx);
void api__web_widget_js(struct http_req *r, void *ctx);
/* widget.c: the public chat widget endpoints, /api/v1/widget/{channel}/... */
void api__widget_preflight(struct http_req *r, void *ctx);
void api__widget_info(struct http_req *r, void *ctx);
void api__widget_session(struct http_req *r, void *ctx);
void api__widget_messages(struct http_req *r, void *ctx);
void api__widget_send(struct http_req *r, void *ctx);
void api__widget_events(struct http_req *r, void *ctx);
/* throttle.c: token buckets per key in a table of at least 'cap' slots that never grows (the
 * least recently used of a key's neighbours is recycled). Thread-safe. */
struct api__throttle *api__throttle_new(size_t cap);
void api__throttle_free(struct api__throttle *t);
/* Spends one token of 'key' (a bucket of 'burst' tokens refilled at 'per_sec'; 'now' in ms):
 * 0 when allowed, else how many ms until a token is back (nothing is spent). */
int64_t api__throttle_take(struct api__throttle *t, const char *key, int burst, double per_sec,
                           int64_t now);
/* Spends one token of 'key' in the api's table (clock_mono_ms): 0 when allowed, else replies
 * 429 with Retry-After (whole seconds) and returns ERR_BUSY. */
int api__throttle_or_reply(struct http_req *r, struct api *a, const char *key, int burst,
                           double per_sec);
/* messages.c: POST /api/v1/messages/{id}/retry. */
void api__msg_retry(struct http_req *r, void *ctx);

/* ---- listening (listening.c) ----------------------------------------------------------- */
void api__lq_list(struct http_req *r, void *ctx);
void api__lq_test(struct http_req *r, void *ctx);
void api__lq_create(struct http_req *r, void *ctx);
void api__lq_get(struct http_req *r, void *ctx);
void api__lq_patch(struct http_req *r, void *ctx);
void api__lq_delete(struct http_req *r, void *ctx);
void api__mentions_list(struct http_req *r, void *ctx);
void api__mention_get(struct http_req *r, void *ctx);
void api__mention_convert(struct http_req *r, void *ctx);
void api__mention_dismiss(struct http_req *r, void *ctx);
void api__mention_undismiss(struct http_req *r, void *ctx);
void api__lviews_list(struct http_req *r, void *ctx);
void api__lview_create(struct http_req *r, void *ctx);
void api__lview_patch(struct http_req *r, void *ctx);
void api__lview_delete(struct http_req *r, void *ctx);
void api__alerts_list(struct http_req *r, void *ctx);
void api__listen_ingest(struct http_req *r, void *ctx);
void api__lsources_list(struct http_req *r, void *ctx);
void api__lsource_create(struct http_req *r, void *ctx);
void api__lsource_patch(struct http_req *r, void *ctx);
void api__lsource_delete(struct http_req *r, void *ctx);

/* ---- platform rules: reply windows and templates (platform.c), private replies ---------- */

struct conv;
/* Refuses a free-form reply in 'c' once its channel's customer-service window
 * (chan_ops.reply_window_ms after the customer's last message) has closed: < 0 after replying
 * 422 outside_reply_window with a message that offers a template where the platform has them.
 * Public threads have no window. */
int api__platform_window_or_reply(struct http_req *r, const struct conv *c);
/* A channel type's reply limit for the app: {"max": n, "unit": "chars"|"x_weighted"} (a new
 * reference), or JSON null when the platform has no limit of its own. */
json_t *api__reply_limit(const char *channel_type);
/* Refuses a reply 'text' longer than its channel's limit, counted in the platform's unit:
 * < 0 after replying 422 invalid_field, field 'text' ("X allows 280 characters per post;
 * this one has 312 ..."), 0 when it fits or the channel has no limit. */
int api__text_fits_or_reply(struct http_req *r, const char *channel_type, struct str text);
/* Reads body.template ({"name","language","components"?}) for a WhatsApp conversation: sets
 * '*text' to the readable text agents see (a new string released with the request) and
 * '*payload' to the JSON handed to the adapter (request arena). < 0 after replying 404/422. */
int api__platform_template_or_reply(struct http_req *r, struct api *a, int64_t conv_id,
                                    json_t *body, json_t **text, char **payload);
/* private_replies.c: POST /api/v1/conversations/{id}/private-reply {"text"}. */
void api__conv_private_reply(struct http_req *r, void *ctx);
/* callbacks.c */
void api__conv_callback_offer(struct http_req *r, void *ctx);
void api__callback_public_get(struct http_req *r, void *ctx);
void api__callback_public_accept(struct http_req *r, void *ctx);
void api__callbacks_list(struct http_req *r, void *ctx);
void api__callback_done(struct http_req *r, void *ctx);

/* ---- routing, SLA, business hours ------------------------------------------------------- */

/* rules.c: an optional member that must be an array of at most 64 plain strings (1..100 bytes
 * of UTF-8); '*out' gets its compact JSON text (NULL when absent). < 0 after replying 422. */
int api__strlist_or_reply(struct http_req *r, json_t *obj, const char *name, const char **out);
/* rules.c: an optional integer member within [min, max]; '*out' untouched when absent. < 0
 * after replying 422. */
int api__opt_int_or_reply(struct http_req *r, json_t *obj, const char *name, int64_t min,
                          int64_t max, int64_t *out);
/* rules.c: an optional boolean member; '*out' untouched when absent. < 0 after replying 422. */
int api__opt_bool_or_reply(struct http_req *r, json_t *obj, const char *name, bool *out);
/* rules.c: adds 'json_text' (a stored JSON array, may be NULL) to 'o' as 'name'. */
void api__set_list(json_t *o, const char *name, const char *json_text);
void api__rules_list(struct http_req *r, void *ctx);
void api__rules_create(struct http_req *r, void *ctx);
void api__rule_get(struct http_req *r, void *ctx);
void api__rule_update(struct http_req *r, void *ctx);
void api__rule_delete(struct http_req *r, void *ctx);
/* rules.c: PUT /api/v1/routing/rules/order. */
void api__rules_order(struct http_req *r, void *ctx);
/* dry_run.c: POST /api/v1/routing/dry-run and POST /api/v1/routing/autoack/preview. */
void api__routing_dry_run(struct http_req *r, void *ctx);
void api__autoack_preview(struct http_req *r, void *ctx);
/* queue.c: GET /api/v1/routing/queue, the routing queue oldest first with its total. */
void api__routing_queue(struct http_req *r, void *ctx);
/* teams.c */
void api__teams_list(struct http_req *r, void *ctx);
void api__teams_create(struct http_req *r, void *ctx);
void api__team_get(struct http_req *r, void *ctx);
void api__team_update(struct http_req *r, void *ctx);
void api__team_delete(struct http_req *r, void *ctx);
/* profiles.c: agents' routing profiles and an agent's own availability. */
void api__profiles_list(struct http_req *r, void *ctx);
void api__profile_get(struct http_req *r, void *ctx);
void api__profile_update(struct http_req *r, void *ctx);
void api__me_availability(struct http_req *r, void *ctx);
/* calendars.c */
void api__calendars_list(struct http_req *r, void *ctx);
void api__calendars_create(struct http_req *r, void *ctx);
void api__calendar_get(struct http_req *r, void *ctx);
void api__calendar_update(struct http_req *r, void *ctx);
void api__calendar_delete(struct http_req *r, void *ctx);
/* policies.c: SLA policies. */
void api__policies_list(struct http_req *r, void *ctx);
void api__policies_create(struct http_req *r, void *ctx);
void api__policy_get(struct http_req *r, void *ctx);
void api__policy_update(struct http_req *r, void *ctx);
void api__policy_delete(struct http_req *r, void *ctx);
/* policies.c: an SLA policy as the API shows it. */
json_t *api__policy_json(const struct store_sla_policy *p);
/* sla.c: a conversation's SLA and routing, the unanswered view. */
void api__conv_sla(struct http_req *r, void *ctx);
/* GET /api/v1/conversations?unanswered=true (called by api__convs_list). */
void api__unanswered_list(struct http_req *r, struct api *a);

/* ---- the audit log (audit.c: the resource; audit_record.c: what the router records) ---- */

struct audit_entry;
struct api__audit_rule;
struct api__audit_snap;
/* A route of the table as the audit hook sees it (routes.c builds them). */
struct api__route_info {
    const char *method, *pattern;
    http_handler_fn *fn;  /* the handler itself, not the router's guard */
    bool with_principal;  /* API_ANY or API_ADMIN: the router authenticates */
    bool streams;         /* answers with a stream: never captured */
};
/* The audit decision for a route: NULL when it is not recorded (a read, a dry run, care work,
 * a public route other than the login), else the rule api__audit_call follows. '*decided' is
 * false when the prefix table does not know the route: it is then recorded with a generic
 * rule, and the route table counts it (api_audit_undecided, api.h). */
const struct api__audit_rule *api__audit_rule_for(const char *method, const char *pattern,
                                                  bool with_principal, bool *decided);
/* What a recorded route reads its resource with (its GET routes in 'routes'), and the verb
 * of its action. Freed by api__audit_snap_free (NULL is a no-op). */
struct api__audit_snap *api__audit_snap_new(const struct api__audit_rule *rule,
                                            const char *method, const char *pattern,
                                            const struct api__route_info *routes, size_t n);
void api__audit_snap_free(struct api__audit_snap *s);
/* Runs handler 'fn' for a recorded route: reads the resource before, runs the handler, and on
 * a 2xx answer reads it after and appends the audit entry (with settings.changed when the
 * rule has a settings area and the resource changed). A failed write of the entry is logged;
 * the answer stands. */
void api__audit_call(struct http_req *r, struct api *a, const struct api__audit_rule *rule,
                     const struct api__audit_snap *s, http_handler_fn *fn);
/* Appends 'e' after filling its ip, request id and (when 'e->actor' is NULL) actor from the
 * request's principal; 'area' as in store_audit_add. 0 or the store's error (logged). */
int api__audit_record(struct http_req *r, struct api *a, struct audit_entry *e,
                      const char *area);
/* audit.c: GET /api/v1/audit and GET /api/v1/audit/export (CSV). */
void api__audit_list(struct http_req *r, void *ctx);
void api__audit_export(struct http_req *r, void *ctx);
/* ---- the FAQ bot (faqbot.c) ---------------------------------------------------------------- */
void api__faqs_list(struct http_req *r, void *ctx);
void api__faqs_create(struct http_req *r, void *ctx);
void api__faq_get(struct http_req *r, void *ctx);
void api__faq_update(struct http_req *r, void *ctx);
void api__faq_delete(struct http_req *r, void *ctx);
void api__faqbot_get(struct http_req *r, void *ctx);
void api__faqbot_update(struct http_req *r, void *ctx);
void api__faqbot_try(struct http_req *r, void *ctx);
/* ---- canned replies and the reply check (canned.c) --------------------------------------- */
void api__canned_list(struct http_req *r, void *ctx);
void api__canned_create(struct http_req *r, void *ctx);
void api__canned_get(struct http_req *r, void *ctx);
void api__canned_update(struct http_req *r, void *ctx);
void api__canned_delete(struct http_req *r, void *ctx);
void api__canned_render(struct http_req *r, void *ctx);
void api__canned_overrides(struct http_req *r, void *ctx);
void api__conv_reply_check(struct http_req *r, void *ctx);
/* The detector's nudges for reply 'text' to conversation 'cv', started from canned reply
 * 'canned_id' (0: none), into 'out' (room for CARE_NUDGE_MAX), their count in '*n'. < 0 after
 * replying (an unknown or invisible canned reply: 404). */
int api__reply_nudges_or_reply(struct http_req *r, struct api *a, const struct conv *cv,
                               struct str text, int64_t canned_id, struct care_nudge *out,
                               size_t *n);

/* ---- CSAT surveys (surveys.c) -------------------------------------------------------------- */

void api__survey_settings_get(struct http_req *r, void *ctx);
void api__survey_settings_put(struct http_req *r, void *ctx);
void api__csat_get(struct http_req *r, void *ctx);
void api__survey_public_get(struct http_req *r, void *ctx);
void api__survey_public_answer(struct http_req *r, void *ctx);
void api__widget_survey(struct http_req *r, void *ctx);
/* The widget's stars: answers the survey named in the body when it is of 'visitor_conv'. Has
 * replied; < 0 on failure. */
int api__survey_widget_answer(struct http_req *r, struct api *a, int64_t visitor_conv);
/* {"id","state","score"} of the survey sent as message 'msg_id', or NULL when it is none. */
json_t *api__survey_widget_json(struct api *a, struct arena *ar, int64_t msg_id);

#endif
