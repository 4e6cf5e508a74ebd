/* SPDX-License-Identifier: MIT */
/*
 * stream.c - fetch_stream_get: one libcurl easy handle per stream, the write callback
 * forwarding chunks, and the progress callback watching the stop flag and the idle clock
 * (libcurl's low-speed limit cannot tell a quiet stream with heartbeats from a dead one as
 * precisely, so the idle check is ours).
 */
#include "base/base.h"
#include "fetch/fetch_stream.h"

#include <curl/curl.h>
#include <pthread.h>

#include "base/clock.h"

struct stream {
    const struct fetch_stream_opts *o;
    fetch_stream_fn *cb;
    void *arg;
    int cb_rc;
    bool idle;
    int64_t last_rx_ms;
    long status;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct stream *s = arg;
    size_t n = size * nmemb;

    s->last_rx_ms = clock_mono_ms();
    if (s->status == 0)
        s->status = 200;
    s->cb_rc = s->cb(p, n, s->arg);
    return s->cb_rc < 0 ? 0 : n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    struct stream *s = arg;
    long idle = s->o->idle_timeout_ms > 0 ? s->o->idle_timeout_ms : 60000;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    if (s->o->stop && atomic_load(s->o->stop))
        return 1;
    if (clock_mono_ms() - s->last_rx_ms > idle) {
        s->idle = true;
        return 1;
    }
    return 0;
}

int
fetch_stream_get(const struct fetch_stream_opts *o, fetch_stream_fn *cb, void *arg, long *status,
                 struct errmsg *em)
{
    struct stream s = { .o = o, .cb = cb, .arg = arg, .last_rx_ms = clock_mono_ms() };
    struct curl_slist *hdrs = NULL;
    char auth[1024];
    CURLcode cc;
    CURL *c;
    long code = 0;
    int rc = 0;

    pthread_once(&curl_once, curl_init_once);
    c = curl_easy_init();
    if (!c)
        return errmsg_set(em, ERR_IO, "cannot create a curl handle");
    if (o->bearer) {
        int n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->bearer);
        if (n < 0 || (size_t)n >= sizeof(auth)) {
            curl_easy_cleanup(c);
            return errmsg_set(em, ERR_INVAL, "bearer token is too long");
        }
        hdrs = curl_slist_append(hdrs, auth);
    }
    if (o->accept) {
        char acc[256];
        snprintf(acc, sizeof(acc), "Accept: %s", o->accept);
        hdrs = curl_slist_append(hdrs, acc);
    }
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "hark-listen");
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (status)
        *status = code;
    if (s.cb_rc < 0) {
        rc = s.cb_rc;
    } else if (cc == CURLE_ABORTED_BY_CALLBACK) {
        rc = s.idle ? errmsg_set(em, ERR_TIMEOUT, "stream '%s' went silent", o->url) : 0;
    } else if (cc == CURLE_HTTP_RETURNED_ERROR) {
        rc = errmsg_set(em, ERR_UPSTREAM, "stream '%s': HTTP %ld", o->url, code);
    } else if (cc != CURLE_OK && cc != CURLE_PARTIAL_FILE) {
        rc = errmsg_set(em, ERR_IO, "stream '%s': %s", o->url, curl_easy_strerror(cc));
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return rc;
}
