/* SPDX-License-Identifier: MIT */
/*
 * fetch.c - libcurl easy interface with a body cap, a timeout and Retry-After parsing.
 */
#include "base/base.h"
#include "fetch/fetch.h"

#include <curl/curl.h>
#include <strings.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"

void
fetch_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
fetch_global_cleanup(void)
{
    curl_global_cleanup();
}

struct ctx {
    struct fetch_response *resp;
    bool toobig;
};

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct ctx *c = arg;
    size_t n = size * nmemb;
    buf_add(&c->resp->body, p, n);
    if (buf_error(&c->resp->body) < 0) {
        c->toobig = true;
        return 0; /* aborts the transfer */
    }
    return n;
}

/* The value of a header line 'p' (n bytes, ending in CRLF) after its 'skip'-byte name: the
 * line end first, then the spaces and tabs around the value ("Retry-After: 30 \r\n" is 30). */
static struct str
header_value(const char *p, size_t n, size_t skip)
{
    struct str v = { p + skip, n - skip };
    while (v.len && (v.p[v.len - 1] == '\r' || v.p[v.len - 1] == '\n'))
        v.len--;
    return str_trim(v);
}

/* A rate-limit reset time: epoch seconds (X, Bluesky) or an ISO 8601 UTC time (Mastodon,
 * "2026-12-06T06:30:00.000Z"). The wait in ms from now (0 when past), or -1 when unreadable. */
static int64_t
reset_wait_ms(struct str v)
{
    int64_t at;
    if (str_to_i64(v, 0, INT64_MAX / 1000, &at) == 0) {
        int64_t d = at * 1000 - clock_now_ms();
        return d > 0 ? d : 0;
    }
    char tmp[64];
    struct tm tm = { 0 };
    if (v.len >= sizeof(tmp))
        return -1;
    memcpy(tmp, v.p, v.len);
    tmp[v.len] = '\0';
    if (sscanf(tmp, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    int64_t d = (int64_t)t * 1000 - clock_now_ms();
    return d > 0 ? d : 0;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct ctx *c = arg;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    /* X's x-rate-limit-reset, Mastodon's X-RateLimit-Reset, Bluesky's ratelimit-reset. */
    static const char *const resets[] = { "x-rate-limit-reset:", "x-ratelimit-reset:",
                                          "ratelimit-reset:" };
    for (size_t i = 0; i < COUNTOF(resets); i++) {
        size_t len = strlen(resets[i]);
        if (n > len && strncasecmp(p, resets[i], len) == 0) {
            int64_t d = reset_wait_ms(header_value(p, n, len));
            if (d >= 0)
                c->resp->rate_reset_ms = d;
        }
    }
    if (n > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        struct str v = header_value(p, n, sizeof(name) - 1);
        int64_t secs;
        if (str_to_i64(v, 0, 86400 * 7, &secs) == 0) {
            c->resp->retry_after_ms = secs * 1000;
        } else {
            char tmp[64];
            if (v.len < sizeof(tmp)) {
                memcpy(tmp, v.p, v.len);
                tmp[v.len] = '\0';
                time_t at = curl_getdate(tmp, NULL);
                if (at > 0) {
                    int64_t d = (int64_t)at * 1000 - clock_now_ms();
                    c->resp->retry_after_ms = d > 0 ? d : 0;
                }
            }
        }
    }
    return n;
}

int
fetch_do(const struct fetch_request *req, struct fetch_response *resp)
{
    struct ctx c = { .resp = resp };
    struct curl_slist *hdrs = NULL;
    int rc = 0;

    memset(resp, 0, sizeof(*resp));
    resp->retry_after_ms = -1;
    resp->rate_reset_ms = -1;
    buf_init(&resp->body, req->max_response ? req->max_response : 1 << 20);
    if (strncmp(req->url, "http://", 7) != 0 && strncmp(req->url, "https://", 8) != 0) {
        snprintf(resp->error, sizeof(resp->error), "unsupported url scheme");
        return ERR_INVAL;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(resp->error, sizeof(resp->error), "curl init failed");
        return ERR_UPSTREAM;
    }
    for (size_t i = 0; i < req->nheaders; i++) {
        char line[1024];
        snprintf(line, sizeof(line), "%s: %s", req->headers[i].name, req->headers[i].value);
        hdrs = curl_slist_append(hdrs, line);
    }
    hdrs = curl_slist_append(hdrs, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (req->body.len || strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body.p ? req->body.p : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
    }
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms ? req->timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "hark/0.1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
    CURLcode res = curl_easy_perform(h);
    if (res == CURLE_OK || (res == CURLE_WRITE_ERROR && c.toobig)) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
        if (c.toobig) {
            snprintf(resp->error, sizeof(resp->error), "response too large");
            rc = ERR_TOOBIG;
        }
    } else {
        snprintf(resp->error, sizeof(resp->error), "%s", curl_easy_strerror(res));
        rc = res == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT : ERR_UPSTREAM;
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}

void
fetch_response_release(struct fetch_response *resp)
{
    buf_release(&resp->body);
}
