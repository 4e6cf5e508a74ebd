/* SPDX-License-Identifier: MIT */
/*
 * web.c - the agent web app and the chat widget script, served from the built assets folder
 * (api_config.web_root, normally web/dist).
 *
 * Hashed files under /assets/ never change, so they are cached for a year ("immutable");
 * index.html is revalidated on every load so a new build is picked up at once; /widget.js
 * keeps a stable URL for the brands that embed it, so it is cached briefly. Every other GET
 * that is not an API path gets index.html, so the app's own routes survive a reload. The app
 * runs under a strict Content-Security-Policy: scripts and styles only from this origin, no
 * inline script, no plugins, no framing.
 */
#include "base/base.h"
#include "api/api_int.h"

#define WEB_CSP                                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "       \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                    \
    "form-action 'self'; frame-ancestors 'none'"

static bool
not_built_or_reply(struct http_req *r, struct api *a)
{
    if (a->cfg.web_root)
        return false;
    http_reply_error_status(r, 404, "not_found", "the web app is not built (run make)");
    return true;
}

void
api__web_widget_js(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (not_built_or_reply(r, a))
        return;
    /* Any site may load the script; what it may then call is decided per channel (CORS). */
    http_add_header(r, "Access-Control-Allow-Origin", "*");
    int rc = http_send_file(r, a->cfg.web_root, "/widget.js", "public, max-age=300");
    if (rc < 0)
        http_reply_error(r, rc, "no widget in this build");
}

void
api__web_asset(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (not_built_or_reply(r, a))
        return;
    int rc = http_send_file(r, a->cfg.web_root, http_path(r), "public, max-age=31536000, immutable");
    if (rc < 0)
        http_reply_error(r, rc, "no such asset");
}

static bool
has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

void
api__web_app(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const char *m = http_method(r), *path = http_path(r);
    /* The catch-all must not hide API mistakes behind an HTML page. */
    if ((strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) || has_prefix(path, "/api/") ||
        has_prefix(path, "/hooks/") || strcmp(path, "/api") == 0) {
        http_reply_error_status(r, 404, "not_found", "no such endpoint");
        return;
    }
    if (not_built_or_reply(r, a))
        return;
    /* A top-level file of the build (favicon, manifest) by name; anything else is a route of
     * the app. */
    const char *slash = strrchr(path, '/');
    if (slash == path && strchr(path, '.') && strcmp(path, "/index.html") != 0) {
        if (http_send_file(r, a->cfg.web_root, path, "public, max-age=3600") == 0)
            return;
    }
    http_add_header(r, "Content-Security-Policy", WEB_CSP);
    http_add_header(r, "X-Frame-Options", "DENY");
    http_add_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    int rc = http_send_file(r, a->cfg.web_root, "/index.html", "no-cache");
    if (rc < 0)
        http_reply_error_status(r, 404, "not_found", "the web app is not built (run make)");
}
