/* SPDX-License-Identifier: MIT */
/*
 * api.h - the REST API v1, webhooks, live events, health and metrics, as HTTP routes.
 *
 * api_new builds the route table over the shared services; the server wiring passes it to
 * http_server_start. Handlers are thread-safe; they borrow everything given to api_new, which
 * must outlive the HTTP server. The contract is docs/api.md (and docs/openapi.yaml).
 */
#ifndef HARK_API_H
#define HARK_API_H

#include <stdbool.h>
#include <stddef.h>

struct bus;
struct care;
struct hub;
struct http_route;
struct http_server;
struct store;

struct api_config {
    const char *public_url;  /* base URL shown in webhook URLs, e.g. "http://127.0.0.1:8080" */
    bool secure_cookies;     /* served over TLS: Secure + __Host- cookie */
    int heartbeat_ms;        /* SSE heartbeat interval; 0: 15000 */
    unsigned max_streams;    /* open event streams, agents' and visitors' together; beyond:
                              * 503 (agents) or 429 (widget) with Retry-After */
    const char *web_root;    /* folder of the built web app, or NULL */
    const char *metrics_token; /* GET /metrics requires it as a bearer token; NULL or "": open */
};

struct api;

int api_new(const struct api_config *cfg, struct store *st, struct care *care, struct hub *hub,
            struct api **out);
/* The routes to serve; valid until api_free. */
const struct http_route *api_routes(struct api *a, size_t *n);
/* Sets the base URL shown in webhook URLs (copied). */
void api_set_public_url(struct api *a, const char *url);
/* Lets /metrics report connection counts. */
void api_set_server(struct api *a, struct http_server *srv);
/* Lets /metrics report the event bus between instances (NULL: none). */
void api_set_bus(struct api *a, struct bus *bus);
/* Ends every live event stream (call before stopping the HTTP server). */
void api_shutdown(struct api *a);
void api_free(struct api *a);
/* How many routes that write with a principal have no audit decision in the prefix table of
 * api/audit_record.c (they are recorded anyway, with no settings area); '*first' (may be NULL)
 * gets the first one's pattern. Every route needs a decision: a unit test keeps this at 0. */
size_t api_audit_undecided(const struct api *a, const char **first);

#endif
