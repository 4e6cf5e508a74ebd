/* SPDX-License-Identifier: MIT */
/*
 * mail.c - IMAP search and fetch, SMTP submission (libcurl's imap and smtp protocols).
 */
#include "base/base.h"
#include "fetch/fetch_mail.h"

#include <curl/curl.h>

#include "base/err.h"

struct sink {
    struct buf *b;
    bool toobig;
};

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    buf_add(s->b, p, n);
    if (buf_error(s->b) < 0) {
        s->toobig = true;
        return 0;
    }
    return n;
}

static CURL *
open_handle(const struct fetch_mail *m, const char *url, const char *protocols)
{
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, m->timeout_ms ? m->timeout_ms : 20000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    if (m->username)
        curl_easy_setopt(h, CURLOPT_USERNAME, m->username);
    if (m->password)
        curl_easy_setopt(h, CURLOPT_PASSWORD, m->password);
    /* imaps:// and smtps:// are TLS from the first byte. For imap:// and smtp://, TRY would
     * let anyone on the path strip STARTTLS from the capabilities and read the login: ALL
     * fails the transfer instead. */
    curl_easy_setopt(h, CURLOPT_USE_SSL, m->plain ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    if (m->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, m->ca_file);
    return h;
}

static int
finish(CURL *h, CURLcode res, bool toobig, char *err, size_t errlen)
{
    int rc = 0;
    if (toobig) {
        snprintf(err, errlen, "message too large");
        rc = ERR_TOOBIG;
    } else if (res == CURLE_USE_SSL_FAILED) {
        snprintf(err, errlen, "the mail server offers no STARTTLS; use imaps:// or smtps://, "
                              "or 'insecure_transport' for a server on this host");
        rc = ERR_PERM;
    } else if (res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE) {
        snprintf(err, errlen, "TLS: %s (see 'ca_file')", curl_easy_strerror(res));
        rc = ERR_PERM;
    } else if (res != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_easy_strerror(res));
        rc = res == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT : ERR_UPSTREAM;
    }
    curl_easy_cleanup(h);
    return rc;
}

static bool
scheme_ok(const char *url, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    return (strncmp(url, a, na) == 0 && strncmp(url + na, "://", 3) == 0) ||
           (strncmp(url, b, nb) == 0 && strncmp(url + nb, "://", 3) == 0);
}

int
fetch_imap_search(const struct fetch_mail *m, const char *criteria, uint64_t *uids, size_t max,
                  size_t *n, char *err, size_t errlen)
{
    if (!scheme_ok(m->url, "imap", "imaps") || strpbrk(criteria, "\r\n")) {
        snprintf(err, errlen, "not an imap url or search");
        return ERR_INVAL;
    }
    CURL *h = open_handle(m, m->url, "imap,imaps");
    if (!h) {
        snprintf(err, errlen, "curl init failed");
        return ERR_UPSTREAM;
    }
    struct buf b;
    buf_init(&b, 1 << 20);
    struct sink s = { .b = &b };
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "UID SEARCH %s", criteria);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, cmd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode res = curl_easy_perform(h);
    int rc = finish(h, res, s.toobig, err, errlen);
    size_t cnt = 0;
    /* The answer is "* SEARCH 4 5 9" (maybe on several lines). */
    for (const char *p = b.p; rc == 0 && (p = strstr(p, "* SEARCH")) != NULL;) {
        p += 8;
        while (*p == ' ' || (*p >= '0' && *p <= '9')) {
            if (*p == ' ') {
                p++;
                continue;
            }
            const char *start = p;
            while (*p >= '0' && *p <= '9')
                p++;
            int64_t v;
            if (str_to_i64((struct str){ start, (size_t)(p - start) }, 1, INT64_MAX, &v) == 0 &&
                cnt < max)
                uids[cnt++] = (uint64_t)v;
        }
    }
    buf_release(&b);
    if (rc == 0) {
        /* Servers answer in any order; callers want oldest first. */
        for (size_t i = 1; i < cnt; i++) {
            for (size_t j = i; j > 0 && uids[j - 1] > uids[j]; j--) {
                uint64_t t = uids[j];
                uids[j] = uids[j - 1];
                uids[j - 1] = t;
            }
        }
        *n = cnt;
    }
    return rc;
}

int
fetch_imap_fetch(const struct fetch_mail *m, uint64_t uid, struct buf *out, char *err,
                 size_t errlen)
{
    if (!scheme_ok(m->url, "imap", "imaps")) {
        snprintf(err, errlen, "not an imap url");
        return ERR_INVAL;
    }
    char url[2200];
    size_t ulen = strlen(m->url);
    snprintf(url, sizeof(url), "%s%s;UID=%llu", m->url,
             ulen && m->url[ulen - 1] == '/' ? "" : "/", (unsigned long long)uid);
    CURL *h = open_handle(m, url, "imap,imaps");
    if (!h) {
        snprintf(err, errlen, "curl init failed");
        return ERR_UPSTREAM;
    }
    struct sink s = { .b = out };
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode res = curl_easy_perform(h);
    int rc = finish(h, res, s.toobig, err, errlen);
    if (rc == 0 && out->len == 0) {
        snprintf(err, errlen, "no message with uid %llu", (unsigned long long)uid);
        rc = ERR_NOTFOUND;
    }
    return rc;
}

struct source {
    struct str msg;
    size_t off;
};

static size_t
on_read(char *p, size_t size, size_t nmemb, void *arg)
{
    struct source *s = arg;
    size_t n = size * nmemb, left = s->msg.len - s->off;
    if (n > left)
        n = left;
    memcpy(p, s->msg.p + s->off, n);
    s->off += n;
    return n;
}

int
fetch_smtp_send(const struct fetch_mail *m, const char *from, const char *to,
                struct str message, int *code, char *err, size_t errlen)
{
    *code = 0;
    if (!scheme_ok(m->url, "smtp", "smtps")) {
        snprintf(err, errlen, "not an smtp url");
        return ERR_INVAL;
    }
    CURL *h = open_handle(m, m->url, "smtp,smtps");
    if (!h) {
        snprintf(err, errlen, "curl init failed");
        return ERR_UPSTREAM;
    }
    char addr[600];
    snprintf(addr, sizeof(addr), "<%s>", from);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    struct source src = { .msg = message };
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &src);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message.len);
    CURLcode res = curl_easy_perform(h);
    long resp = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp);
    *code = (int)resp;
    int rc = finish(h, res, false, err, errlen);
    curl_slist_free_all(rcpt);
    return rc;
}
