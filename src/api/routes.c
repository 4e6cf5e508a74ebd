/* SPDX-License-Identifier: MIT */
/*
 * routes.c - the route table: every endpoint, its method, the caller's role, its body limit and
 * its handler; and the router's side of the API: a route whose role needs a principal is
 * registered behind guarded(), which authenticates the caller, checks CSRF and the role, and
 * and what store staff may reach (scope.c), and only then calls the handler with the principal
 * (api__principal).
 *
 * Order matters where a literal segment and a {param} could both match: literals first.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/hub.h"

#define KB 1024

/* One row of the route table. */
struct route {
    const char *method;
    const char *pattern;
    http_handler_fn *fn;
    enum api__role role;
    size_t max_body;
};

/* What guarded() needs to call a handler: one per route, owned by struct api. */
struct api__guard {
    struct api *api;
    http_handler_fn *fn;
    enum api__role role;
    enum api__scope scope; /* what store staff may reach (scope.c) */
};

/* What the audit log records of a route (audit_record.c): one per route, owned by struct api,
 * at the route's index. */
struct api__audit_slot {
    struct api *api;
    http_handler_fn *fn;
    const struct api__audit_rule *rule; /* NULL: not recorded */
    struct api__audit_snap *snap;
};

static bool
role_needs_principal(enum api__role role)
{
    return role == API_ANY || role == API_ADMIN;
}

/* The dispatch of every route that needs a principal: authenticates (401), checks the CSRF
 * token of a cookie write and the role (403), then runs the handler. */
static void
guarded(struct http_req *r, void *ctx)
{
    const struct api__guard *g = ctx;
    struct auth_principal *p = ARENA_NEW(http_arena(r), struct auth_principal);
    if (api__auth_or_reply(r, g->api, g->role, p) < 0 ||
        api__scope_or_reply(r, g->api, g->scope, p) < 0)
        return;
    http_set_user(r, p);
    const struct api__audit_slot *au = &g->api->audits[g - g->api->guards];
    if (au->rule)
        api__audit_call(r, au->api, au->rule, au->snap, au->fn);
    else
        g->fn(r, g->api);
}

/* The dispatch of a public route the audit log records (the login, an invitation link). */
static void
audited(struct http_req *r, void *ctx)
{
    const struct api__audit_slot *au = ctx;
    api__audit_call(r, au->api, au->rule, au->snap, au->fn);
}

size_t
api_audit_undecided(const struct api *a, const char **first)
{
    if (first)
        *first = a->audit_first_undecided;
    return a->audit_undecided;
}

const struct auth_principal *
api__principal(struct http_req *r)
{
    return http_user(r);
}

int
api_new(const struct api_config *cfg, struct store *st, struct care *care, struct hub *hub,
        struct api **out)
{
    struct api *a = xcalloc(1, sizeof(*a));
    a->cfg = *cfg;
    a->cfg.public_url = xstrdup(cfg->public_url ? cfg->public_url : "");
    /* The caller's web_root may be a stack buffer (app_start): keep our own copy. */
    a->cfg.web_root = cfg->web_root ? xstrdup(cfg->web_root) : NULL;
    a->cfg.metrics_token = cfg->metrics_token && cfg->metrics_token[0]
                               ? xstrdup(cfg->metrics_token) : NULL;
    if (a->cfg.max_streams == 0)
        a->cfg.max_streams = 12000;
    a->st = st;
    a->care = care;
    if (care)
        care_survey_set_url(care, a->cfg.public_url);
    a->hub = hub;
    a->throttle = api__throttle_new(4096);
    a->tpl_cache = api__tpl_cache_new();
    const struct route routes[] = {
        { "POST", "/api/v1/login", api__login, API_PUBLIC, 4 * KB },
        { "POST", "/api/v1/logout", api__logout, API_ANY, 4 * KB },
        { "GET", "/api/v1/me", api__me, API_ANY, 0 },
        { "PATCH", "/api/v1/me", api__me_update, API_ANY, 8 * KB },
        { "GET", "/api/v1/channels", api__channels_list, API_ANY, 0 },
        { "POST", "/api/v1/channels", api__channels_create, API_ADMIN, 16 * KB },
        { "GET", "/api/v1/channels/{id}", api__channel_get, API_ANY, 0 },
        { "PATCH", "/api/v1/channels/{id}", api__channel_update, API_ADMIN, 16 * KB },
        { "POST", "/api/v1/channels/{id}/rotate", api__channel_rotate, API_ADMIN, 0 },
        { "DELETE", "/api/v1/channels/{id}", api__channel_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/conversations", api__convs_list, API_ANY, 0 },
        { "GET", "/api/v1/conversations/counts", api__convs_counts, API_ANY, 0 },
        { "GET", "/api/v1/conversations/{id}", api__conv_get, API_ANY, 0 },
        { "GET", "/api/v1/conversations/{id}/messages", api__conv_messages, API_ANY, 0 },
        { "POST", "/api/v1/conversations/{id}/messages", api__conv_reply, API_ANY, 64 * KB },
        { "GET", "/api/v1/conversations/{id}/templates", api__conv_templates, API_ANY, 0 },
        { "POST", "/api/v1/conversations/{id}/assign", api__conv_assign, API_ANY, 4 * KB },
        { "POST", "/api/v1/conversations/{id}/status", api__conv_status, API_ANY, 4 * KB },
        { "POST", "/api/v1/conversations/{id}/labels", api__conv_labels, API_ANY, 16 * KB },
        { "POST", "/api/v1/conversations/{id}/read", api__conv_read, API_ANY, 4 * KB },
        { "GET", "/api/v1/contacts", api__contacts_list, API_ANY, 0 },
        { "GET", "/api/v1/contacts/{id}", api__contact_get, API_ANY, 0 },
        { "PATCH", "/api/v1/contacts/{id}", api__contact_patch, API_ANY, 32 * KB },
        { "GET", "/api/v1/contacts/{id}/block", api__contact_block_get, API_ANY, 0 },
        { "POST", "/api/v1/contacts/{id}/block", api__contact_block, API_ANY, 4 * KB },
        { "DELETE", "/api/v1/contacts/{id}/block", api__contact_unblock, API_ANY, 0 },
        { "GET", "/api/v1/contacts/{id}/merge-suggestions", api__contact_merge_suggestions,
          API_ANY, 0 },
        { "POST", "/api/v1/contacts/{id}/merge-suggestions/dismiss", api__contact_merge_dismiss,
          API_ANY, 4 * KB },
        { "GET", "/api/v1/contacts/{id}/merge", api__contact_person, API_ANY, 0 },
        { "POST", "/api/v1/contacts/{id}/merge", api__contact_merge, API_ANY, 4 * KB },
        { "GET", "/api/v1/contacts/{id}/merges", api__contact_merges, API_ANY, 0 },
        { "GET", "/api/v1/contact-merges/{id}", api__contact_merge_get, API_ANY, 0 },
        { "POST", "/api/v1/contact-merges/{id}/undo", api__contact_merge_undo, API_ANY, 0 },
        { "GET", "/api/v1/agents", api__agents_list, API_ANY, 0 },
        { "POST", "/api/v1/agents", api__agents_create, API_ADMIN, 8 * KB },
        { "POST", "/api/v1/agents/{id}/disable", api__agent_disable, API_ADMIN, 4 * KB },
        { "POST", "/api/v1/agents/{id}/enable", api__agent_enable, API_ADMIN, 4 * KB },
        { "POST", "/api/v1/agents/{id}/password", api__agent_password, API_ADMIN, 8 * KB },
        /* Agents admin and invite links (agents.c). */
        { "PATCH", "/api/v1/agents/{id}", api__agent_update, API_ADMIN, 8 * KB },
        { "POST", "/api/v1/agents/{id}/invite", api__agent_invite, API_ADMIN, 4 * KB },
        { "GET", "/api/v1/invites/{token}", api__invite_get, API_PUBLIC, 0 },
        { "POST", "/api/v1/invites/{token}", api__invite_accept, API_PUBLIC, 4 * KB },
        { "POST", "/api/v1/me/password", api__me_password, API_ANY, 8 * KB },
        { "GET", "/api/v1/tokens", api__tokens_list, API_ADMIN, 0 },
        { "POST", "/api/v1/tokens", api__tokens_create, API_ADMIN, 4 * KB },
        { "DELETE", "/api/v1/tokens/{id}", api__token_revoke, API_ADMIN, 0 },
        { "GET", "/api/v1/events", api__events, API_ANY, 0 },
        { "POST", "/api/v1/messages/{id}/triage", api__triage_correct, API_ANY, 4 * KB },
        { "GET", "/api/v1/triage/corrections", api__triage_corrections, API_ADMIN, 0 },
        { "GET", "/api/v1/triage/review", api__triage_review, API_ANY, 0 },
        /* Triage model versions (model_versions.c). */
        { "GET", "/api/v1/triage/models", api__models_list, API_ADMIN, 0 },
        { "POST", "/api/v1/triage/models/retrain", api__models_retrain, API_ADMIN, 4 * KB },
        { "GET", "/api/v1/triage/models/jobs/{id}", api__models_job, API_ADMIN, 0 },
        { "POST", "/api/v1/triage/models/{id}/activate", api__models_activate, API_ADMIN, 4 * KB },
        { "POST", "/hooks/{channel}", api__hook, API_PLATFORM, 1024 * KB },
        { "GET", "/hooks/{channel}", api__hook_get, API_PLATFORM, 0 },
        { "GET", "/healthz", api__healthz, API_PUBLIC, 0 },
        { "GET", "/metrics", api__metrics, API_METRICS, 0 },
        /* Delivery retry, the chat widget's public endpoints, the web app. */
        { "POST", "/api/v1/messages/{id}/retry", api__msg_retry, API_ANY, 4 * KB },
        { "OPTIONS", "/api/v1/widget/{channel}/*", api__widget_preflight, API_PUBLIC, 0 },
        { "GET", "/api/v1/widget/{channel}/info", api__widget_info, API_PUBLIC, 0 },
        { "POST", "/api/v1/widget/{channel}/session", api__widget_session, API_PUBLIC, 4 * KB },
        { "GET", "/api/v1/widget/{channel}/messages", api__widget_messages, API_VISITOR, 0 },
        { "POST", "/api/v1/widget/{channel}/messages", api__widget_send, API_VISITOR, 20 * KB },
        { "GET", "/api/v1/widget/{channel}/events", api__widget_events, API_VISITOR, 0 },
        { "GET", "/widget.js", api__web_widget_js, API_PUBLIC, 0 },
        { "GET", "/assets/*", api__web_asset, API_PUBLIC, 0 },
        /* Listening. */
        { "GET", "/api/v1/listening/queries", api__lq_list, API_ANY, 0 },
        { "POST", "/api/v1/listening/queries", api__lq_create, API_ADMIN, 16 * KB },
        { "POST", "/api/v1/listening/queries/test", api__lq_test, API_ADMIN, 16 * KB },
        { "GET", "/api/v1/listening/queries/{id}", api__lq_get, API_ANY, 0 },
        { "PATCH", "/api/v1/listening/queries/{id}", api__lq_patch, API_ADMIN, 16 * KB },
        { "DELETE", "/api/v1/listening/queries/{id}", api__lq_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/listening/mentions", api__mentions_list, API_ANY, 0 },
        { "GET", "/api/v1/listening/mentions/{id}", api__mention_get, API_ANY, 0 },
        { "POST", "/api/v1/listening/mentions/{id}/convert", api__mention_convert, API_ANY, 4 * KB },
        { "POST", "/api/v1/listening/mentions/{id}/dismiss", api__mention_dismiss, API_ANY, 1 * KB },
        { "DELETE", "/api/v1/listening/mentions/{id}/dismiss", api__mention_undismiss, API_ANY, 0 },
        { "GET", "/api/v1/listening/views", api__lviews_list, API_ANY, 0 },
        { "POST", "/api/v1/listening/views", api__lview_create, API_ANY, 8 * KB },
        { "PATCH", "/api/v1/listening/views/{id}", api__lview_patch, API_ANY, 8 * KB },
        { "DELETE", "/api/v1/listening/views/{id}", api__lview_delete, API_ANY, 0 },
        { "GET", "/api/v1/listening/alerts", api__alerts_list, API_ANY, 0 },
        { "POST", "/api/v1/listening/ingest", api__listen_ingest, API_ADMIN, 1024 * KB },
        { "GET", "/api/v1/listening/sources", api__lsources_list, API_ADMIN, 0 },
        { "POST", "/api/v1/listening/sources", api__lsource_create, API_ADMIN, 8 * KB },
        { "PATCH", "/api/v1/listening/sources/{id}", api__lsource_patch, API_ADMIN, 4 * KB },
        { "DELETE", "/api/v1/listening/sources/{id}", api__lsource_delete, API_ADMIN, 0 },
        /* Public to private (Meta's private reply; X's DM). */
        { "POST", "/api/v1/conversations/{id}/private-reply", api__conv_private_reply, API_ANY,
          64 * KB },
        /* Phone callbacks: the agent's offer, the customer's page, the agents' tasks. */
        { "POST", "/api/v1/conversations/{id}/callback-offer", api__conv_callback_offer, API_ANY,
          8 * KB },
        /* CSAT surveys: settings, figures, the customer's page, the widget's stars. */
        { "GET", "/api/v1/settings/surveys", api__survey_settings_get, API_ADMIN, 0 },
        { "PUT", "/api/v1/settings/surveys", api__survey_settings_put, API_ADMIN, 16 * KB },
        { "GET", "/api/v1/csat", api__csat_get, API_ANY, 0 },
        { "GET", "/api/v1/survey/{token}", api__survey_public_get, API_PUBLIC, 0 },
        { "POST", "/api/v1/survey/{token}", api__survey_public_answer, API_PUBLIC, 8 * KB },
        { "POST", "/api/v1/widget/{channel}/survey", api__widget_survey, API_VISITOR, 8 * KB },
        { "GET", "/api/v1/callback/{token}", api__callback_public_get, API_PUBLIC, 0 },
        { "POST", "/api/v1/callback/{token}", api__callback_public_accept, API_PUBLIC, 4 * KB },
        { "GET", "/api/v1/callbacks", api__callbacks_list, API_ANY, 0 },
        { "POST", "/api/v1/callbacks/{id}/done", api__callback_done, API_ANY, 4 * KB },
        /* Routing, SLA policies, business hours, the unanswered view. */
        { "GET", "/api/v1/teams", api__teams_list, API_ANY, 0 },
        { "POST", "/api/v1/teams", api__teams_create, API_ADMIN, 32 * KB },
        { "GET", "/api/v1/teams/{id}", api__team_get, API_ANY, 0 },
        { "PUT", "/api/v1/teams/{id}", api__team_update, API_ADMIN, 32 * KB },
        { "DELETE", "/api/v1/teams/{id}", api__team_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/agents/profiles", api__profiles_list, API_ANY, 0 },
        { "GET", "/api/v1/agents/{id}/profile", api__profile_get, API_ANY, 0 },
        { "PATCH", "/api/v1/agents/{id}/profile", api__profile_update, API_ANY, 16 * KB },
        { "PUT", "/api/v1/me/availability", api__me_availability, API_ANY, 4 * KB },
        { "GET", "/api/v1/calendars", api__calendars_list, API_ANY, 0 },
        { "POST", "/api/v1/calendars", api__calendars_create, API_ADMIN, 64 * KB },
        { "GET", "/api/v1/calendars/{id}", api__calendar_get, API_ANY, 0 },
        { "PUT", "/api/v1/calendars/{id}", api__calendar_update, API_ADMIN, 64 * KB },
        { "DELETE", "/api/v1/calendars/{id}", api__calendar_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/sla/policies", api__policies_list, API_ANY, 0 },
        { "POST", "/api/v1/sla/policies", api__policies_create, API_ADMIN, 8 * KB },
        { "GET", "/api/v1/sla/policies/{id}", api__policy_get, API_ANY, 0 },
        { "PUT", "/api/v1/sla/policies/{id}", api__policy_update, API_ADMIN, 8 * KB },
        { "DELETE", "/api/v1/sla/policies/{id}", api__policy_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/routing/rules", api__rules_list, API_ANY, 0 },
        { "POST", "/api/v1/routing/rules", api__rules_create, API_ADMIN, 32 * KB },
        { "PUT", "/api/v1/routing/rules/order", api__rules_order, API_ADMIN, 32 * KB },
        { "GET", "/api/v1/routing/rules/{id}", api__rule_get, API_ANY, 0 },
        { "PUT", "/api/v1/routing/rules/{id}", api__rule_update, API_ADMIN, 32 * KB },
        { "DELETE", "/api/v1/routing/rules/{id}", api__rule_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/routing/queue", api__routing_queue, API_ANY, 0 },
        { "POST", "/api/v1/routing/dry-run", api__routing_dry_run, API_ADMIN, 64 * KB },
        { "POST", "/api/v1/routing/autoack/preview", api__autoack_preview, API_ADMIN, 16 * KB },
        { "GET", "/api/v1/conversations/{id}/sla", api__conv_sla, API_ANY, 0 },
        /* The audit log. */
        { "GET", "/api/v1/audit", api__audit_list, API_ADMIN, 0 },
        { "GET", "/api/v1/audit/export", api__audit_export, API_ADMIN, 0 },
        /* Canned replies and the robotic-template check before sending. */
        { "GET", "/api/v1/faqs", api__faqs_list, API_ADMIN, 0 },
        { "POST", "/api/v1/faqs", api__faqs_create, API_ADMIN, 128 * KB },
        { "GET", "/api/v1/faqs/{id}", api__faq_get, API_ADMIN, 0 },
        { "PUT", "/api/v1/faqs/{id}", api__faq_update, API_ADMIN, 128 * KB },
        { "DELETE", "/api/v1/faqs/{id}", api__faq_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/faq-bot", api__faqbot_get, API_ADMIN, 0 },
        { "PUT", "/api/v1/faq-bot", api__faqbot_update, API_ADMIN, 8 * KB },
        { "POST", "/api/v1/faq-bot/try", api__faqbot_try, API_ADMIN, 8 * KB },
        { "GET", "/api/v1/canned", api__canned_list, API_ANY, 0 },
        { "POST", "/api/v1/canned", api__canned_create, API_ANY, 192 * KB },
        { "GET", "/api/v1/canned/overrides", api__canned_overrides, API_ANY, 0 },
        { "GET", "/api/v1/canned/{id}", api__canned_get, API_ANY, 0 },
        { "PUT", "/api/v1/canned/{id}", api__canned_update, API_ANY, 192 * KB },
        { "DELETE", "/api/v1/canned/{id}", api__canned_delete, API_ANY, 0 },
        { "POST", "/api/v1/canned/{id}/render", api__canned_render, API_ANY, 4 * KB },
        { "POST", "/api/v1/conversations/{id}/reply-check", api__conv_reply_check, API_ANY,
          64 * KB },
        /* Care policy: root causes, goodwill and its approval, reports (policy.c). */
        { "GET", "/api/v1/root-causes", api__root_causes_list, API_ANY, 0 },
        { "POST", "/api/v1/root-causes", api__root_causes_create, API_ADMIN, 16 * KB },
        { "GET", "/api/v1/root-causes/{id}", api__root_cause_get, API_ANY, 0 },
        { "PUT", "/api/v1/root-causes/{id}", api__root_cause_update, API_ADMIN, 16 * KB },
        { "DELETE", "/api/v1/root-causes/{id}", api__root_cause_delete, API_ADMIN, 0 },
        { "GET", "/api/v1/care-policy", api__care_policy_get, API_ANY, 0 },
        { "PUT", "/api/v1/care-policy", api__care_policy_put, API_ADMIN, 4 * KB },
        { "GET", "/api/v1/conversations/{id}/root-cause", api__conv_cause_get, API_ANY, 0 },
        { "PUT", "/api/v1/conversations/{id}/root-cause", api__conv_cause_put, API_ANY, 4 * KB },
        { "GET", "/api/v1/conversations/{id}/goodwill", api__conv_goodwill_list, API_ANY, 0 },
        { "POST", "/api/v1/conversations/{id}/goodwill", api__conv_goodwill_add, API_ANY,
          8 * KB },
        { "GET", "/api/v1/goodwill", api__goodwill_list, API_ANY, 0 },
        { "GET", "/api/v1/goodwill/{id}", api__goodwill_get, API_ANY, 0 },
        { "POST", "/api/v1/goodwill/{id}/approve", api__goodwill_approve, API_ANY, 4 * KB },
        { "POST", "/api/v1/goodwill/{id}/decline", api__goodwill_decline, API_ANY, 4 * KB },
        { "GET", "/api/v1/reports/root-causes", api__report_root_causes, API_ANY, 0 },
        { "GET", "/api/v1/reports/goodwill", api__report_goodwill, API_ANY, 0 },
        { "*", "/*", api__web_app, API_PUBLIC, 0 }, /* catch-all: keep last */
    };
    a->nroutes = COUNTOF(routes);
    a->routes = xcalloc(a->nroutes, sizeof(*a->routes));
    a->guards = xcalloc(a->nroutes, sizeof(*a->guards));
    for (size_t i = 0; i < a->nroutes; i++) {
        const struct route *t = &routes[i];
        struct http_route *h = &a->routes[i];
        *h = (struct http_route){ t->method, t->pattern, t->fn, a, t->max_body };
        if (role_needs_principal(t->role)) {
            /* Admin routes need no decision: store staff are never admins. */
            enum api__scope scope = t->role == API_ADMIN ? API_SCOPE_DENY
                                                          : api__scope_of(t->method, t->pattern);
            a->guards[i] = (struct api__guard){ a, t->fn, t->role, scope };
            h->fn = guarded;
            h->ctx = &a->guards[i];
        }
    }
    /* The audit log's decision for every route, and the GET routes it reads resources with. */
    a->audits = xcalloc(a->nroutes, sizeof(*a->audits));
    struct api__route_info *info = xcalloc(a->nroutes, sizeof(*info));
    for (size_t i = 0; i < a->nroutes; i++) {
        const struct route *t = &routes[i];
        info[i] = (struct api__route_info){ t->method, t->pattern, t->fn,
                                            role_needs_principal(t->role),
                                            t->fn == api__events };
    }
    for (size_t i = 0; i < a->nroutes; i++) {
        const struct route *t = &routes[i];
        bool decided = true;
        const struct api__audit_rule *rule =
            api__audit_rule_for(t->method, t->pattern, info[i].with_principal, &decided);
        if (!decided && a->audit_undecided++ == 0)
            a->audit_first_undecided = t->pattern;
        struct api__audit_snap *snap =
            rule ? api__audit_snap_new(rule, t->method, t->pattern, info, a->nroutes) : NULL;
        a->audits[i] = (struct api__audit_slot){ a, t->fn, rule, snap };
        if (rule && !info[i].with_principal) {
            a->routes[i].fn = audited;
            a->routes[i].ctx = &a->audits[i];
        }
    }
    xfree(info);
    *out = a;
    return 0;
}

const struct http_route *
api_routes(struct api *a, size_t *n)
{
    *n = a->nroutes;
    return a->routes;
}

void
api_set_server(struct api *a, struct http_server *srv)
{
    a->srv = srv;
}

void
api_set_bus(struct api *a, struct bus *bus)
{
    a->bus = bus;
}

void
api_set_public_url(struct api *a, const char *url)
{
    /* Called once at startup before requests arrive. */
    xfree((char *)a->cfg.public_url);
    a->cfg.public_url = xstrdup(url);
    if (a->care)
        care_survey_set_url(a->care, url);
}

void
api_shutdown(struct api *a)
{
    atomic_store(&a->stopping, true);
    hub_wake_all(a->hub);
}

void
api_free(struct api *a)
{
    if (!a)
        return;
    xfree((char *)a->cfg.public_url);
    xfree((char *)a->cfg.web_root);
    xfree((char *)a->cfg.metrics_token);
    xfree(a->routes);
    xfree(a->guards);
    for (size_t i = 0; a->audits && i < a->nroutes; i++)
        api__audit_snap_free(a->audits[i].snap);
    xfree(a->audits);
    api__throttle_free(a->throttle);
    api__tpl_cache_free(a->tpl_cache);
    xfree(a);
}
