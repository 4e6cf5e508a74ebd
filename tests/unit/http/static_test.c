/* SPDX-License-Identifier: MIT */
/* static_test.c - serving the built web app from a folder (http/static.c): the path rules
 * (traversal, hidden names, empty segments, control bytes), content types, and what a client
 * sees over a real socket: bytes, Cache-Control, a strong ETag and 304 on If-None-Match, no
 * way out of the folder through a symlink, the size cap, and precompressed gzip copies. */
#include "base/base.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/err.h"
#include "http/http.h"

#include "../test.h"

static char dir[] = "/tmp/hark-static-test-XXXXXX";
static char root[512], outside[512];

TEST(path_rules)
{
    CHECK(http_static_path_ok("/index.html"));
    CHECK(http_static_path_ok("/assets/index-DcUOqOa-.js"));
    CHECK(http_static_path_ok("/a/b/c.css"));
    CHECK(http_static_path_ok("/name..with..dots.js")); /* ".." inside a name is harmless */
    /* Traversal and relative segments. */
    CHECK(!http_static_path_ok("/../etc/passwd"));
    CHECK(!http_static_path_ok("/assets/../../etc/passwd"));
    CHECK(!http_static_path_ok("/assets/.."));
    CHECK(!http_static_path_ok("/./index.html"));
    CHECK(!http_static_path_ok("/assets/."));
    /* Hidden names anywhere. */
    CHECK(!http_static_path_ok("/.env"));
    CHECK(!http_static_path_ok("/assets/.hidden"));
    CHECK(!http_static_path_ok("/.git/config"));
    /* Empty segments, no leading slash, nothing at all. */
    CHECK(!http_static_path_ok("/"));
    CHECK(!http_static_path_ok("//etc/passwd"));
    CHECK(!http_static_path_ok("/assets//x.js"));
    CHECK(!http_static_path_ok("/assets/"));
    CHECK(!http_static_path_ok("index.html"));
    CHECK(!http_static_path_ok(""));
    CHECK(!http_static_path_ok(NULL));
    /* Backslashes, drive letters, control bytes and DEL. */
    CHECK(!http_static_path_ok("/assets\\..\\..\\etc\\passwd"));
    CHECK(!http_static_path_ok("/C:/windows"));
    CHECK(!http_static_path_ok("/a\nb.js"));
    CHECK(!http_static_path_ok("/a\rb.js"));
    CHECK(!http_static_path_ok("/a\tb.js"));
    CHECK(!http_static_path_ok("/a\x01.js"));
    CHECK(!http_static_path_ok("/a\x1f.js"));
    CHECK(!http_static_path_ok("/a\x7f.js"));
    /* UTF-8 names are fine (bytes >= 0x80). */
    CHECK(http_static_path_ok("/caf\xc3\xa9.txt"));
    /* Length cap. */
    char long_path[600];
    long_path[0] = '/';
    memset(long_path + 1, 'a', sizeof(long_path) - 2);
    long_path[sizeof(long_path) - 1] = '\0';
    CHECK(!http_static_path_ok(long_path));
    long_path[512] = '\0';
    CHECK(http_static_path_ok(long_path));
}

TEST(content_types)
{
    CHECK_STR(http_content_type("/index.html"), "text/html; charset=utf-8");
    CHECK_STR(http_content_type("/assets/app-1a.js"), "text/javascript; charset=utf-8");
    CHECK_STR(http_content_type("/x.mjs"), "text/javascript; charset=utf-8");
    CHECK_STR(http_content_type("/assets/app.CSS"), "text/css; charset=utf-8");
    CHECK_STR(http_content_type("/favicon.svg"), "image/svg+xml");
    CHECK_STR(http_content_type("/a.png"), "image/png");
    CHECK_STR(http_content_type("/a.woff2"), "font/woff2");
    CHECK_STR(http_content_type("/a.webmanifest"), "application/manifest+json");
    CHECK_STR(http_content_type("/a.txt"), "text/plain; charset=utf-8");
    /* Unknown, none, or a dot only in a folder name: never sniffed into something active. */
    CHECK_STR(http_content_type("/a.exe"), "application/octet-stream");
    CHECK_STR(http_content_type("/README"), "application/octet-stream");
    CHECK_STR(http_content_type("/v1.2/README"), "application/octet-stream");
    CHECK_STR(http_content_type("/a.html.bak"), "application/octet-stream");
}

/* ---- over a socket ---------------------------------------------------------------------- */

static void
serve(struct http_req *r, void *ctx)
{
    (void)ctx;
    int rc = http_send_file(r, root, http_path(r), "public, max-age=60");
    if (rc < 0)
        http_reply_error(r, rc, "no such file");
}

/* One HTTP/1.1 request over a fresh connection; the whole response (head and body) goes into
 * 'out' (NUL-terminated, cut at 'n'). Returns the status, or -1. */
static int
get(int port, const char *path, const char *extra, char *out, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[1024];
    int len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
                       path, extra ? extra : "");
    if (write(fd, req, (size_t)len) != len) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    for (;;) {
        ssize_t k = read(fd, out + got, n - 1 - got);
        if (k <= 0)
            break;
        got += (size_t)k;
        if (got == n - 1)
            break;
    }
    out[got] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(out, "HTTP/1.1 %d", &status) != 1)
        return -1;
    return status;
}

/* The value of header 'name' in response 'resp' (case-insensitive), copied into 'v'. */
static bool
header(const char *resp, const char *name, char *v, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(resp, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *s = p + 3 + nl;
            while (*s == ' ')
                s++;
            const char *e = strstr(s, "\r\n");
            snprintf(v, n, "%.*s", (int)(e - s), s);
            return true;
        }
    }
    return false;
}

static const char *
body_of(const char *resp)
{
    const char *p = strstr(resp, "\r\n\r\n");
    return p ? p + 4 : "";
}

static void
put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(serving)
{
    char p[700], resp[8192], v[256], etag[128];
    snprintf(p, sizeof(p), "%s/assets", root);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/assets/app-1a2b.js", root);
    put(p, "console.log('hark');\n");
    snprintf(p, sizeof(p), "%s/index.html", root);
    put(p, "<!doctype html><div id=app></div>\n");
    snprintf(p, sizeof(p), "%s/.env", root);
    put(p, "SECRET=1\n");
    put(outside, "root:x:0:0:secret\n");
    snprintf(p, sizeof(p), "%s/assets/leak.txt", root);
    CHECK_INT(symlink(outside, p), 0);
    snprintf(p, sizeof(p), "%s/big.js", root);
    FILE *f = fopen(p, "w");
    if (f) {
        fseek(f, (long)HTTP_STATIC_MAX, SEEK_SET); /* one byte over the cap */
        fputc('x', f);
        fclose(f);
    }

    struct http_route routes[] = { { "GET", "/*", serve, NULL, 0 } };
    struct http_config cfg = { .addr = "127.0.0.1", .port = 0 };
    struct http_server *srv = NULL;
    CHECK_INT(http_server_start(&cfg, routes, 1, &srv), 0);
    if (!srv)
        return;
    int port = http_server_port(srv);

    CHECK_INT(get(port, "/assets/app-1a2b.js", NULL, resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "console.log('hark');\n");
    CHECK(header(resp, "Content-Type", v, sizeof(v)));
    CHECK_STR(v, "text/javascript; charset=utf-8");
    CHECK(header(resp, "Cache-Control", v, sizeof(v)));
    CHECK_STR(v, "public, max-age=60");
    CHECK(header(resp, "ETag", etag, sizeof(etag)));
    CHECK(etag[0] == '"' && etag[strlen(etag) - 1] == '"'); /* strong: no W/ */
    /* The same bytes give the same ETag; a matching If-None-Match gets 304 and no body. */
    CHECK_INT(get(port, "/assets/app-1a2b.js", NULL, resp, sizeof(resp)), 200);
    CHECK(header(resp, "ETag", v, sizeof(v)));
    CHECK_STR(v, etag);
    char inm[200];
    snprintf(inm, sizeof(inm), "If-None-Match: \"other\", %s\r\n", etag);
    CHECK_INT(get(port, "/assets/app-1a2b.js", inm, resp, sizeof(resp)), 304);
    CHECK_STR(body_of(resp), "");
    CHECK_INT(get(port, "/assets/app-1a2b.js", "If-None-Match: *\r\n", resp, sizeof(resp)), 304);
    /* A prefix of the ETag is not a match. */
    snprintf(inm, sizeof(inm), "If-None-Match: %.*s\r\n", (int)strlen(etag) - 2, etag);
    CHECK_INT(get(port, "/assets/app-1a2b.js", inm, resp, sizeof(resp)), 200);
    /* Changed bytes change the ETag. */
    snprintf(p, sizeof(p), "%s/assets/app-1a2b.js", root);
    put(p, "console.log('hark!');\n");
    snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n", etag);
    CHECK_INT(get(port, "/assets/app-1a2b.js", inm, resp, sizeof(resp)), 200);
    CHECK(header(resp, "ETag", v, sizeof(v)));
    CHECK(strcmp(v, etag) != 0);

    CHECK_INT(get(port, "/index.html", NULL, resp, sizeof(resp)), 200);
    CHECK(header(resp, "Content-Type", v, sizeof(v)));
    CHECK_STR(v, "text/html; charset=utf-8");

    /* Refused: hidden files, traversal (raw and percent-encoded), a symlink out of the folder,
     * a folder, a missing file, and a file over the cap. */
    CHECK_INT(get(port, "/.env", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/assets/../.env", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/assets/%2e%2e/%2e%2e/etc/passwd", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/assets/%2e%2e/.env", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/assets/leak.txt", NULL, resp, sizeof(resp)), 404);
    CHECK(!strstr(resp, "root:x"));
    CHECK_INT(get(port, "/assets", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/assets/nope.js", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/a%01b.js", NULL, resp, sizeof(resp)), 404);
    CHECK_INT(get(port, "/big.js", NULL, resp, sizeof(resp)), 413);
    /* Precompressed copies: sent to clients that take gzip, never when refused or stale, and a
     * copy alone (no identity file) serves nothing. */
    snprintf(p, sizeof(p), "%s/assets/gz-1.js", root);
    put(p, "plain();\n");
    snprintf(p, sizeof(p), "%s/assets/gz-1.js.gz", root);
    put(p, "GZBYTES");
    snprintf(p, sizeof(p), "%s/assets/only.js.gz", root);
    put(p, "GZBYTES");
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: br, gzip\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "GZBYTES");
    CHECK(header(resp, "Content-Encoding", v, sizeof(v)));
    CHECK_STR(v, "gzip");
    CHECK(header(resp, "Content-Type", v, sizeof(v)));
    CHECK_STR(v, "text/javascript; charset=utf-8");
    CHECK(header(resp, "Vary", v, sizeof(v)));
    CHECK_STR(v, "Accept-Encoding");
    char gzetag[128];
    CHECK(header(resp, "ETag", gzetag, sizeof(gzetag)));
    CHECK_INT(get(port, "/assets/gz-1.js", NULL, resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "plain();\n");
    CHECK(!header(resp, "Content-Encoding", v, sizeof(v)));
    CHECK(header(resp, "ETag", v, sizeof(v)));
    CHECK(strcmp(v, gzetag) != 0); /* each variant has its own ETag */
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: gzip;q=0, br\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "plain();\n");
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: gzip; q=0.000\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "plain();\n");
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: *\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "GZBYTES");
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: gzip;q=0.5\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "GZBYTES");
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: gzipx, xgzip\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "plain();\n");
    CHECK_INT(get(port, "/assets/only.js", "Accept-Encoding: gzip\r\n", resp, sizeof(resp)), 404);
    /* Stale: the copy is older than the file. */
    struct timeval old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
    snprintf(p, sizeof(p), "%s/assets/gz-1.js.gz", root);
    CHECK_INT(utimes(p, old), 0);
    CHECK_INT(get(port, "/assets/gz-1.js", "Accept-Encoding: gzip\r\n", resp, sizeof(resp)), 200);
    CHECK_STR(body_of(resp), "plain();\n");
    http_server_stop(srv);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    snprintf(root, sizeof(root), "%s/root", dir);
    snprintf(outside, sizeof(outside), "%s/outside.txt", dir);
    mkdir(root, 0755);
    RUN(path_rules);
    RUN(content_types);
    RUN(serving);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
