/* SPDX-License-Identifier: MIT */
/*
 * routes.c - the route table: every endpoint, its method, body limit and handler.
 *
 * Order matters where a literal segment and a {param} could both match: literals first.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/hub.h"

#define KB 1024

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
    a->hub = hub;
    a->throttle = api__throttle_new(4096);
    const struct http_route routes[] = {
        { "POST", "/api/v1/login", api__login, a, 4 * KB },
        { "POST", "/api/v1/logout", api__logout, a, 4 * KB },
        { "GET", "/api/v1/me", api__me, a, 0 },
        { "PATCH", "/api/v1/me", api__me_update, a, 8 * KB },
        { "GET", "/api/v1/channels", api__channels_list, a, 0 },
        { "POST", "/api/v1/channels", api__channels_create, a, 16 * KB },
        { "GET", "/api/v1/conversations", api__convs_list, a, 0 },
        { "GET", "/api/v1/conversations/counts", api__convs_counts, a, 0 },
        { "GET", "/api/v1/conversations/{id}", api__conv_get, a, 0 },
        { "GET", "/api/v1/conversations/{id}/messages", api__conv_messages, a, 0 },
        { "POST", "/api/v1/conversations/{id}/messages", api__conv_reply, a, 64 * KB },
        { "POST", "/api/v1/conversations/{id}/assign", api__conv_assign, a, 4 * KB },
        { "POST", "/api/v1/conversations/{id}/status", api__conv_status, a, 4 * KB },
        { "POST", "/api/v1/conversations/{id}/labels", api__conv_labels, a, 16 * KB },
        { "POST", "/api/v1/conversations/{id}/read", api__conv_read, a, 4 * KB },
        { "GET", "/api/v1/contacts", api__contacts_list, a, 0 },
        { "GET", "/api/v1/contacts/{id}", api__contact_get, a, 0 },
        { "PATCH", "/api/v1/contacts/{id}", api__contact_patch, a, 32 * KB },
        { "GET", "/api/v1/agents", api__agents_list, a, 0 },
        { "POST", "/api/v1/agents", api__agents_create, a, 8 * KB },
        { "POST", "/api/v1/agents/{id}/disable", api__agent_disable, a, 4 * KB },
        { "POST", "/api/v1/agents/{id}/enable", api__agent_enable, a, 4 * KB },
        { "POST", "/api/v1/agents/{id}/password", api__agent_password, a, 8 * KB },
        { "POST", "/api/v1/me/password", api__me_password, a, 8 * KB },
        { "GET", "/api/v1/tokens", api__tokens_list, a, 0 },
        { "POST", "/api/v1/tokens", api__tokens_create, a, 4 * KB },
        { "DELETE", "/api/v1/tokens/{id}", api__token_revoke, a, 0 },
        { "GET", "/api/v1/events", api__events, a, 0 },
        { "POST", "/api/v1/messages/{id}/triage", api__triage_correct, a, 4 * KB },
        { "GET", "/api/v1/triage/corrections", api__triage_corrections, a, 0 },
        { "POST", "/hooks/{channel}", api__hook, a, 1024 * KB },
        { "GET", "/hooks/{channel}", api__hook_get, a, 0 },
        { "GET", "/healthz", api__healthz, a, 0 },
        { "GET", "/metrics", api__metrics, a, 0 },
        /* Issue 3: delivery retry, the chat widget's public endpoints, the web app. */
        { "POST", "/api/v1/messages/{id}/retry", api__msg_retry, a, 4 * KB },
        { "OPTIONS", "/api/v1/widget/{channel}/*", api__widget_preflight, a, 0 },
        { "GET", "/api/v1/widget/{channel}/info", api__widget_info, a, 0 },
        { "POST", "/api/v1/widget/{channel}/session", api__widget_session, a, 4 * KB },
        { "GET", "/api/v1/widget/{channel}/messages", api__widget_messages, a, 0 },
        { "POST", "/api/v1/widget/{channel}/messages", api__widget_send, a, 20 * KB },
        { "GET", "/api/v1/widget/{channel}/events", api__widget_events, a, 0 },
        { "GET", "/widget.js", api__web_widget_js, a, 0 },
        { "GET", "/assets/*", api__web_asset, a, 0 },
        /* Issue 5: listening. */
        { "GET", "/api/v1/listening/queries", api__lq_list, a, 0 },
        { "POST", "/api/v1/listening/queries", api__lq_create, a, 16 * KB },
        { "GET", "/api/v1/listening/queries/{id}", api__lq_get, a, 0 },
        { "PATCH", "/api/v1/listening/queries/{id}", api__lq_patch, a, 16 * KB },
        { "DELETE", "/api/v1/listening/queries/{id}", api__lq_delete, a, 0 },
        { "GET", "/api/v1/listening/mentions", api__mentions_list, a, 0 },
        { "GET", "/api/v1/listening/mentions/{id}", api__mention_get, a, 0 },
        { "POST", "/api/v1/listening/mentions/{id}/convert", api__mention_convert, a, 4 * KB },
        { "GET", "/api/v1/listening/alerts", api__alerts_list, a, 0 },
        { "POST", "/api/v1/listening/ingest", api__listen_ingest, a, 1024 * KB },
        { "GET", "/api/v1/listening/sources", api__lsources_list, a, 0 },
        { "POST", "/api/v1/listening/sources", api__lsource_create, a, 8 * KB },
        { "PATCH", "/api/v1/listening/sources/{id}", api__lsource_patch, a, 4 * KB },
        { "DELETE", "/api/v1/listening/sources/{id}", api__lsource_delete, a, 0 },
        /* Issue 6: public to private (Meta's private reply; X's DM). */
        { "POST", "/api/v1/conversations/{id}/private-reply", api__conv_private_reply, a,
          64 * KB },
        /* Issue 7: routing, SLA policies, business hours, the unanswered view. */
        { "GET", "/api/v1/teams", api__teams_list, a, 0 },
        { "POST", "/api/v1/teams", api__teams_create, a, 32 * KB },
        { "GET", "/api/v1/teams/{id}", api__team_get, a, 0 },
        { "PUT", "/api/v1/teams/{id}", api__team_update, a, 32 * KB },
        { "DELETE", "/api/v1/teams/{id}", api__team_delete, a, 0 },
        { "GET", "/api/v1/agents/profiles", api__profiles_list, a, 0 },
        { "GET", "/api/v1/agents/{id}/profile", api__profile_get, a, 0 },
        { "PATCH", "/api/v1/agents/{id}/profile", api__profile_update, a, 16 * KB },
        { "PUT", "/api/v1/me/availability", api__me_availability, a, 4 * KB },
        { "GET", "/api/v1/calendars", api__calendars_list, a, 0 },
        { "POST", "/api/v1/calendars", api__calendars_create, a, 64 * KB },
        { "GET", "/api/v1/calendars/{id}", api__calendar_get, a, 0 },
        { "PUT", "/api/v1/calendars/{id}", api__calendar_update, a, 64 * KB },
        { "DELETE", "/api/v1/calendars/{id}", api__calendar_delete, a, 0 },
        { "GET", "/api/v1/sla/policies", api__policies_list, a, 0 },
        { "POST", "/api/v1/sla/policies", api__policies_create, a, 8 * KB },
        { "GET", "/api/v1/sla/policies/{id}", api__policy_get, a, 0 },
        { "PUT", "/api/v1/sla/policies/{id}", api__policy_update, a, 8 * KB },
        { "DELETE", "/api/v1/sla/policies/{id}", api__policy_delete, a, 0 },
        { "GET", "/api/v1/routing/rules", api__rules_list, a, 0 },
        { "POST", "/api/v1/routing/rules", api__rules_create, a, 32 * KB },
        { "GET", "/api/v1/routing/rules/{id}", api__rule_get, a, 0 },
        { "PUT", "/api/v1/routing/rules/{id}", api__rule_update, a, 32 * KB },
        { "DELETE", "/api/v1/routing/rules/{id}", api__rule_delete, a, 0 },
        { "GET", "/api/v1/routing/queue", api__routing_queue, a, 0 },
        { "GET", "/api/v1/conversations/{id}/sla", api__conv_sla, a, 0 },
        { "*", "/*", api__web_app, a, 0 }, /* catch-all: keep last */
    };
    a->nroutes = COUNTOF(routes);
    a->routes = xmalloc(sizeof(routes));
    memcpy(a->routes, routes, sizeof(routes));
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
api_set_public_url(struct api *a, const char *url)
{
    /* Called once at startup before requests arrive. */
    xfree((char *)a->cfg.public_url);
    a->cfg.public_url = xstrdup(url);
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
    api__throttle_free(a->throttle);
    xfree(a);
}
