/* SPDX-License-Identifier: MIT */
/*
 * chan_kit.c - helpers shared by the Telegram, X, SMS and email adapters: table-driven
 * settings checks, base64 HMACs, form encoding and decoding, and the usual reading of a
 * platform's HTTP answer (2xx sent; 408, 429, 5xx and no answer retried; other 4xx failed).
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

static bool
has_scheme(const char *v, const char *schemes)
{
    /* 'schemes' is a comma-separated list such as "http,https". */
    const char *p = schemes;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (strncmp(v, p, n) == 0 && strncmp(v + n, "://", 3) == 0 && v[n + 3])
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

bool
chan__url_userinfo(const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p)
        return false;
    p += 3;
    size_t authority = strcspn(p, "/?#");
    return memchr(p, '@', authority) != NULL;
}

bool
chan__url_loopback(const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p || chan__url_userinfo(url))
        return false;
    p += 3;
    size_t n = strcspn(p, "/?#");
    struct str host = { p, n };
    if (n && p[0] == '[') {
        const char *close = memchr(p, ']', n);
        if (!close)
            return false;
        host = (struct str){ p + 1, (size_t)(close - p - 1) };
        if (close + 1 < p + n && close[1] != ':')
            return false;
    } else {
        const char *colon = memchr(p, ':', n);
        if (colon)
            host.len = (size_t)(colon - p);
    }
    if (str_eq_c(host, "localhost") || str_eq_c(host, "::1"))
        return true;
    /* 127.0.0.0/8, written as four decimal parts (no short or octal forms). */
    int parts = 0;
    struct str rest = host, part;
    for (;;) {
        bool more = str_cut(rest, '.', &part, &rest);
        if (!more)
            part = rest;
        int64_t v;
        if (++parts > 4 || part.len == 0 || part.len > 3 ||
            strspn(part.p, "0123456789") < part.len || str_to_i64(part, 0, 255, &v) < 0 ||
            (parts == 1 && v != 127))
            return false;
        if (!more)
            break;
    }
    return parts == 4;
}

int
chan__settings_check(const char *settings, const char *type, const struct chan__field *fields,
                     size_t nfields, char **out, struct errmsg *em)
{
    json_error_t jerr;
    json_t *in = settings ? json_loads(settings, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    if (!json_is_object(in)) {
        json_decref(in);
        return errmsg_set(em, ERR_INVAL, "invalid 'settings': want a JSON object");
    }
    json_t *norm = json_object();
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        const struct chan__field *f = NULL;
        for (size_t i = 0; i < nfields; i++) {
            if (strcmp(fields[i].name, key) == 0)
                f = &fields[i];
        }
        if (!f) {
            rc = errmsg_set(em, ERR_INVAL, "unknown setting '%.64s' for a %s channel", key, type);
            goto out;
        }
        if (json_is_null(v))
            continue;
        if (f->flag) {
            /* "true"/"false" too, as `hark channel add --setting KEY=VALUE` gives strings. */
            const char *t = json_string_value(v);
            bool on = json_is_true(v) || (t && strcmp(t, "true") == 0);
            if (!json_is_boolean(v) && !(t && (on || strcmp(t, "false") == 0))) {
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want true or false", key);
                goto out;
            }
            json_object_set_new(norm, key, json_boolean(on));
            continue;
        }
        size_t max = f->max ? f->max : 2000;
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
            !utf8_valid((struct str){ json_string_value(v), json_string_length(v) }) ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want a string of 1..%zu bytes",
                            key, max);
            goto out;
        }
        const char *s = json_string_value(v);
        if (f->schemes && !has_scheme(s, f->schemes)) {
            /* "http,https" reads "a URL starting with http:// or https://". */
            char want[96] = "";
            size_t wl = 0;
            for (const char *p = f->schemes; *p && wl < sizeof(want) - 24;) {
                size_t n = strcspn(p, ",");
                int w = snprintf(want + wl, sizeof(want) - wl, "%s%.*s://",
                                 wl ? (p[n] ? ", " : " or ") : "", (int)n, p);
                wl += w > 0 ? (size_t)w : 0;
                p += n + (p[n] == ',');
            }
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want a URL starting with %s",
                            key, want);
            goto out;
        }
        /* Settings are shown to agents: a password inside a URL would be shown with it. */
        if (f->schemes && chan__url_userinfo(s)) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want no credentials "
                            "(user:password@) in the URL%s", key, f->userinfo_hint ?
                            f->userinfo_hint : "");
            goto out;
        }
        if (f->charset && strspn(s, f->charset) != strlen(s)) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': unexpected character", key);
            goto out;
        }
        /* A trailing slash on a base URL would double the one every path starts with. */
        size_t n = strlen(s);
        while (f->schemes && n > 1 && s[n - 1] == '/')
            n--;
        json_object_set_new(norm, key, json_stringn(s, n));
    }
    for (size_t i = 0; i < nfields; i++) {
        if (json_object_get(norm, fields[i].name))
            continue;
        if (fields[i].def) {
            json_object_set_new(norm, fields[i].name, json_string(fields[i].def));
        } else if (fields[i].required) {
            rc = errmsg_set(em, ERR_INVAL, "missing 'settings.%s' for a %s channel",
                            fields[i].name, type);
            goto out;
        }
    }
    *out = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
out:
    json_decref(in);
    json_decref(norm);
    return rc;
}

const char *
chan__setting(const struct channel *ch, struct arena *ar, const char *name)
{
    json_t *o = json_loads(ch->settings ? ch->settings : "{}", 0, NULL);
    const char *v = json_string_value(json_object_get(o, name));
    char *copy = v ? arena_strdup(ar, v) : NULL;
    json_decref(o);
    return copy;
}

void
chan__hmac_b64(const char *md, const char *key, struct str msg, char *out, size_t outlen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const EVP_MD *alg = strcmp(md, "sha1") == 0 ? EVP_sha1() : EVP_sha256();
    HMAC(alg, key, (int)strlen(key), (const unsigned char *)(msg.p ? msg.p : ""), msg.len, mac,
         &n);
    ASSERT(outlen >= 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)n);
}

void
chan__b64(const void *p, size_t n, char *out, size_t outlen)
{
    ASSERT(outlen >= 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

bool
chan__ct_streq(const char *got, const char *want)
{
    if (!got || !want)
        return false;
    size_t n = strlen(want);
    if (strlen(got) != n)
        return false;
    return str_ct_eq(got, want, n);
}

void
chan__form_add(struct buf *b, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (b->len)
        buf_addc(b, '&');
    for (int part = 0; part < 2; part++) {
        const unsigned char *p = (const unsigned char *)(part ? value : name);
        for (; *p; p++) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '-' || *p == '_' || *p == '.' || *p == '~') {
                buf_addc(b, (char)*p);
            } else if (*p == ' ') {
                buf_addc(b, '+');
            } else {
                char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
                buf_add(b, e, 3);
            }
        }
        if (!part)
            buf_addc(b, '=');
    }
}

static int
decode(struct arena *ar, struct str s, struct str *out)
{
    char *d = arena_alloc(ar, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= s.len)
                return ERR_INVAL;
            int hi = str_hexdigit(s.p[i + 1]), lo = str_hexdigit(s.p[i + 2]);
            if (hi < 0 || lo < 0)
                return ERR_INVAL;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        d[n++] = c;
    }
    d[n] = '\0';
    *out = (struct str){ d, n };
    return 0;
}

static int
cmp_pair(const void *a, const void *b)
{
    const struct chan__pair *x = a, *y = b;
    size_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
    int c = memcmp(x->name.p, y->name.p, n);
    if (c || x->name.len != y->name.len)
        return c ? c : (x->name.len < y->name.len ? -1 : 1);
    n = x->value.len < y->value.len ? x->value.len : y->value.len;
    c = memcmp(x->value.p, y->value.p, n);
    if (c || x->value.len == y->value.len)
        return c;
    return x->value.len < y->value.len ? -1 : 1;
}

ssize_t
chan__form_parse(struct arena *ar, struct str body, struct chan__pair **out)
{
    size_t cap = 1;
    for (size_t i = 0; i < body.len; i++)
        cap += body.p[i] == '&';
    if (cap > 1000)
        return ERR_INVAL;
    struct chan__pair *v = ARENA_NEW_N(ar, struct chan__pair, cap);
    size_t n = 0;
    struct str rest = body, item;
    while (rest.len) {
        if (!str_cut(rest, '&', &item, &rest)) {
            item = rest;
            rest = STR_NULL;
        }
        if (!item.len)
            continue;
        struct str k, val;
        if (!str_cut(item, '=', &k, &val)) {
            k = item;
            val = STR_NULL;
        }
        if (decode(ar, k, &v[n].name) < 0 || decode(ar, val, &v[n].value) < 0)
            return ERR_INVAL;
        n++;
    }
    qsort(v, n, sizeof(*v), cmp_pair);
    *out = v;
    return (ssize_t)n;
}

const char *
chan__form_get(const struct chan__pair *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq_c(v[i].name, name))
            return v[i].value.p;
    }
    return NULL;
}

bool
chan__http_outcome(int rc, const struct fetch_response *resp, const char *platform,
                   struct chan_send_result *res)
{
    res->retry_after_ms = -1;
    if (rc == 0 && resp->status >= 200 && resp->status < 300) {
        res->state = CHAN_SENT;
        res->error[0] = '\0';
        return true;
    }
    if (rc == ERR_INVAL) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "%s: api_base is not an http or https URL",
                 platform);
        return false;
    }
    if (resp->status == 0 || resp->status == 408 || resp->status == 429 ||
        resp->status >= 500) {
        res->state = CHAN_RETRY;
        res->retry_after_ms = resp->retry_after_ms;
        if (resp->status)
            snprintf(res->error, sizeof(res->error), "%s returned HTTP %ld", platform,
                     resp->status);
        else
            snprintf(res->error, sizeof(res->error), "%s unreachable: %s", platform,
                     resp->error);
        return false;
    }
    res->state = CHAN_FAILED;
    snprintf(res->error, sizeof(res->error), "%s refused the reply: HTTP %ld", platform,
             resp->status);
    return false;
}
