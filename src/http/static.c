/* SPDX-License-Identifier: MIT */
/*
 * static.c - serving the built web app and widget from a folder: path checks, content types,
 * ETags and conditional requests.
 *
 * This is not a general file server: it serves only the small set of hashed assets Vite
 * writes, so each file is read whole (at most HTTP_STATIC_MAX bytes) into the request arena
 * and hashed for its ETag. Compression is done once at build time: a "<name>.gz" beside a
 * file is sent instead to clients that accept gzip. The path is refused before any system call when a segment could
 * climb out of the folder or name a hidden file, and after realpath() the file must still lie
 * inside the folder, so a symlink cannot lead out either.
 */
#include "base/base.h"
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/err.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json" },
    { ".map", "application/json" },
    { ".webmanifest", "application/manifest+json" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" },
    { ".gif", "image/gif" },
    { ".webp", "image/webp" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".woff", "font/woff" },
    { ".txt", "text/plain; charset=utf-8" },
};

const char *
http_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < COUNTOF(types); i++) {
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
        }
    }
    return "application/octet-stream";
}

bool
http_static_path_ok(const char *rel)
{
    if (!rel || rel[0] != '/' || strlen(rel) > 512)
        return false;
    const char *seg = rel + 1;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        /* Empty segments ("//", a trailing '/'), ".", ".." and hidden names are refused. */
        if (len == 0 || seg[0] == '.')
            return false;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)seg[i];
            if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
                return false;
        }
        if (!end)
            return true;
        seg = end + 1;
    }
}

/* FNV-1a, 64 bits: an ETag only has to change when the bytes do. */
static uint64_t
fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* True when the If-None-Match header lists 'etag' (or is "*"). */
static bool
etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    if (strcmp(inm, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag)) {
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ')
            return true;
    }
    return false;
}

/* True when the Accept-Encoding header 'ae' accepts gzip: "gzip" listed without q=0, or
 * else "*" listed without q=0. */
static bool
accepts_gzip(const char *ae)
{
    int gzip = -1, star = -1;
    for (const char *p = ae; p && *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ";, \t");
        bool is_gzip = len == 4 && strncasecmp(p, "gzip", 4) == 0;
        bool is_star = len == 1 && *p == '*';
        p += len;
        size_t plen = strcspn(p, ",");
        /* The parameters: "q=0", "q=0.0" or "q=0.000" refuse the coding. */
        bool zero = false;
        for (size_t i = 0; i + 1 < plen; i++) {
            if ((p[i] == 'q' || p[i] == 'Q') && p[i + 1] == '=') {
                size_t k = i + 2;
                zero = k < plen && p[k] == '0';
                for (; zero && k < plen && p[k] != ' ' && p[k] != '\t'; k++)
                    zero = p[k] == '0' || p[k] == '.';
                break;
            }
        }
        p += plen;
        if (is_gzip)
            gzip = !zero;
        else if (is_star)
            star = !zero;
    }
    return gzip >= 0 ? gzip == 1 : star == 1;
}

/* Opens 'rel' under 'root_real' (already resolved) as a regular file that lies inside it after
 * resolving symlinks; the fd, or -1. */
static int
open_inside(const char *root_real, const char *rel, struct stat *sb)
{
    char path[PATH_MAX], real[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s%s", root_real, rel);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -1;
    if (!realpath(path, real))
        return -1;
    size_t rl = strlen(root_real);
    if (strncmp(real, root_real, rl) != 0 || real[rl] != '/')
        return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

int
http_send_file(struct http_req *r, const char *root, const char *rel, const char *cache_control)
{
    char root_real[PATH_MAX];
    if (!root || !http_static_path_ok(rel))
        return ERR_NOTFOUND;
    if (!realpath(root, root_real))
        return ERR_NOTFOUND;
    struct stat sb;
    int fd = open_inside(root_real, rel, &sb);
    if (fd < 0)
        return ERR_NOTFOUND;
    /* A gzip copy beside the file (the build writes them) is sent to clients that take gzip;
     * the identity file must exist too, so the copy never names a file of its own. */
    bool gz = false;
    char gzrel[600];
    int gn = snprintf(gzrel, sizeof(gzrel), "%s.gz", rel);
    if (gn > 0 && (size_t)gn < sizeof(gzrel) && accepts_gzip(http_header(r, "Accept-Encoding"))) {
        struct stat gsb;
        int gfd = open_inside(root_real, gzrel, &gsb);
        /* A copy older than the file is stale (a partial rebuild): never serve it. */
        if (gfd >= 0 && gsb.st_mtime < sb.st_mtime) {
            close(gfd);
            gfd = -1;
        }
        if (gfd >= 0) {
            close(fd);
            fd = gfd;
            sb = gsb;
            gz = true;
        }
    }
    int rc = 0;
    char *bytes = NULL;
    size_t size = 0;
    if ((uint64_t)sb.st_size > HTTP_STATIC_MAX) {
        rc = ERR_TOOBIG;
        goto out;
    }
    size = (size_t)sb.st_size;
    bytes = arena_alloc(http_arena(r), size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd, bytes + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = ERR_NOTFOUND;
            goto out;
        }
        got += (size_t)k;
    }
out:
    close(fd);
    if (rc < 0)
        return rc;
    char etag[48];
    snprintf(etag, sizeof(etag), "\"%016llx-%zx%s\"",
             (unsigned long long)fnv1a((const unsigned char *)bytes, size), size, gz ? "-gz" : "");
    http_add_header(r, "ETag", etag);
    http_add_header(r, "Vary", "Accept-Encoding");
    if (gz)
        http_add_header(r, "Content-Encoding", "gzip");
    if (cache_control)
        http_add_header(r, "Cache-Control", cache_control);
    if (etag_matches(http_header(r, "If-None-Match"), etag)) {
        http_reply(r, 304, NULL, "", 0);
        return 0;
    }
    http_reply(r, 200, http_content_type(rel), bytes, size);
    return 0;
}
