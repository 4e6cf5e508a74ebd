/* SPDX-License-Identifier: MIT */
/*
 * app.h - the server wiring: one struct app owns every long-lived service.
 *
 * app_open starts what every command needs (hub, store, care); app_serve adds the outbox
 * worker and the HTTP server and blocks until SIGINT or SIGTERM; app_close stops everything in
 * reverse order. No global state: commands pass the app down.
 */
#ifndef HARK_APP_H
#define HARK_APP_H

#include "config.h"

struct api;
struct bus;
struct care;
struct http_server;
struct hub;
struct store;

struct app {
    struct config cfg;
    struct hub *hub;
    struct store *st;
    struct care *care;
    struct api *api;
    struct bus *bus; /* with 'nats' set: events between instances */
    struct http_server *http;
    char url[128]; /* where the server listens, once serving */
};

/* Blocks SIGINT/SIGTERM in the calling thread (threads started later inherit it) and ignores
 * SIGPIPE. Call first in main, before any thread starts. */
void app_signals_init(void);

/* Fills the settings left empty with their effective values: web-root (web/dist beside the
 * binary, else DATADIR/web when installed), models (build/models or models beside the binary,
 * else DATADIR/models; still empty when none is found) and public-url (http://LISTEN). */
void app_config_resolve(struct config *cfg);
/* Opens the store and care with 'cfg' (resolved as app_config_resolve does; an empty
 * public-url stays empty until app_start knows the bound port). */
int app_open(struct app *app, const struct config *cfg, struct errmsg *em);
/* Starts the outbox worker and the HTTP server; fills app->url. */
int app_start(struct app *app, struct errmsg *em);
/* Waits for SIGINT or SIGTERM. */
void app_wait(struct app *app);
void app_close(struct app *app);
/* Finds 'rel' (e.g. "web/dist") beside the binary: in the binary's folder or up to two folders
 * above it. Writes the path and returns true when 'probe' exists inside it. */
bool app_find_beside_binary(const char *rel, const char *probe, char *out, size_t n);

#endif
