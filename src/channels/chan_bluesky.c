/* SPDX-License-Identifier: MIT */
/*
 * chan_bluesky.c - Bluesky (atproto): replies posted on the post itself, and replies to the
 * brand's own posts fetched as conversations.
 *
 * The channel signs in with the account's handle (or DID) and an app password
 * (com.atproto.server.createSession) and keeps the session in memory per channel; an
 * 'ExpiredToken' answer refreshes it with the refreshJwt (com.atproto.server.refreshSession),
 * and a refused refresh signs in again. A reply is an app.bsky.feed.post created with
 * com.atproto.repo.createRecord whose reply.parent is the post answered (its uri and cid,
 * read with app.bsky.feed.getPosts) and whose reply.root is the parent's own root, or the
 * parent when it starts the thread. Links and @mentions in the text get facets with UTF-8 byte
 * offsets; a mention whose handle does not resolve (com.atproto.identity.resolveHandle) stays
 * plain text, and the log says how many were left so. The text may hold 300 graphemes.
 * createRecord has no idempotency key: a retry first looks for the reply among the brand's
 * latest posts (com.atproto.repo.listRecords) so a reply whose answer was lost is posted once.
 *
 * Inbound: a poll of app.bsky.notification.listNotifications takes the "reply" notifications
 * (replies to the brand's posts and to its replies): each becomes a public message whose
 * reply_to is the post it answers, so a reply to one of Hark's replies lands in that
 * conversation. Dedupe is by the post's at:// URI; the cursor is the indexedAt of the last one
 * taken: a poll pages back to it (at most 5 pages) and takes the oldest first, so a burst
 * larger than one batch is read over several polls without a gap.
 * Errors: 429 (ratelimit-reset) and 5xx are retried by the outbox; other 4xx fail with
 * Bluesky's own error name and message. Secrets are never logged nor put in an error.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <jansson.h>
#include <pthread.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

#define BSKY_PDS "https://bsky.social"
#define BSKY_MAX_GRAPHEMES 300
#define JWT_MAX 4096
#define SESSIONS 32

static const struct chan__field bsky_fields[] = {
    { .name = "identifier", .required = true, .max = 253,
      .charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:_" },
    { .name = "app_password", .required = true, .max = 200 },
    { .name = "pds_url", .def = BSKY_PDS, .schemes = "http,https" },
};

static int
bsky_settings(const char *settings, char **out, struct errmsg *em)
{
    struct errmsg mine = { 0 };
    int rc = chan__settings_check(settings, "bluesky", bsky_fields, COUNTOF(bsky_fields), out,
                                  &mine);
    if (rc < 0 && strncmp(mine.text, "invalid 'settings.identifier'", 29) == 0)
        return errmsg_set(em, rc, "invalid 'settings.identifier': want the handle without the @ "
                          "(shop.bsky.social) or the account's DID");
    if (rc < 0)
        return errmsg_set(em, rc, "%s", mine.text);
    return 0;
}

/* ---- sessions ---------------------------------------------------------------------------- */

struct session {
    int64_t channel_id;
    char key[65];            /* HMAC of the settings: changed settings start a new session */
    char did[256];
    char access[JWT_MAX];
    char refresh[JWT_MAX];
};

static pthread_mutex_t sess_mu = PTHREAD_MUTEX_INITIALIZER;
/* Held across a sign-in or refresh: the poller and the outbox share a channel's session, and a
 * refresh token works once, so the second of two callers takes the session the first made. */
static pthread_mutex_t renew_mu = PTHREAD_MUTEX_INITIALIZER;
static struct session sessions[SESSIONS];
static unsigned sess_next;

/* The channel's settings decoded for one call. */
struct bsky {
    const struct channel *ch;
    struct arena *ar;
    const char *identifier, *password, *pds;
    char key[65];
    struct session s; /* a copy of the cached session; s.access empty when none */
};

static bool
sess_lookup(struct bsky *b)
{
    bool found = false;
    pthread_mutex_lock(&sess_mu);
    for (size_t i = 0; i < SESSIONS; i++) {
        if (sessions[i].channel_id == b->ch->id && strcmp(sessions[i].key, b->key) == 0) {
            b->s = sessions[i];
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&sess_mu);
    return found;
}

static void
sess_store(const struct bsky *b)
{
    pthread_mutex_lock(&sess_mu);
    struct session *slot = NULL;
    for (size_t i = 0; i < SESSIONS && !slot; i++) {
        if (sessions[i].channel_id == b->ch->id)
            slot = &sessions[i];
    }
    if (!slot)
        slot = &sessions[sess_next++ % SESSIONS];
    *slot = b->s;
    slot->channel_id = b->ch->id;
    pthread_mutex_unlock(&sess_mu);
}

/* ---- XRPC -------------------------------------------------------------------------------- */

struct xrpc {
    int rc;           /* fetch_do's */
    long status;      /* 0: no answer */
    json_t *ans;      /* the parsed answer, or NULL */
    const char *error;   /* XRPC error name ("ExpiredToken"), or NULL */
    const char *message; /* XRPC error message, or NULL */
    int64_t retry_ms;    /* ratelimit-reset or Retry-After; -1 */
    char transport[160];
};

static void
xrpc_release(struct xrpc *x)
{
    json_decref(x->ans);
    memset(x, 0, sizeof(*x));
}

/* Calls "<pds>/xrpc/<nsid>[?query]": a POST of 'body' when it is not NULL, else a GET.
 * 'bearer' may be NULL. The answer is in 'x' (xrpc_release it). */
static void
xrpc_call(struct bsky *b, const char *nsid, const char *query, const char *bearer, json_t *body,
          struct xrpc *x)
{
    memset(x, 0, sizeof(*x));
    x->retry_ms = -1;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct fetch_header hdrs[2];
    size_t nh = 0;
    if (body)
        hdrs[nh++] = (struct fetch_header){ "Content-Type", "application/json" };
    if (bearer)
        hdrs[nh++] = (struct fetch_header){ "Authorization",
                                            arena_printf(b->ar, "Bearer %s", bearer) };
    struct fetch_request req = {
        .method = body ? "POST" : "GET",
        .url = arena_printf(b->ar, "%s/xrpc/%s%s%s", b->pds, nsid, query ? "?" : "",
                            query ? query : ""),
        .headers = hdrs, .nheaders = nh, .body = text ? str_c(text) : STR_NULL,
        .timeout_ms = 15000, .max_response = 512 * 1024,
    };
    struct fetch_response resp;
    x->rc = fetch_do(&req, &resp);
    x->status = resp.status;
    x->retry_ms = resp.rate_reset_ms >= 0 ? resp.rate_reset_ms : resp.retry_after_ms;
    snprintf(x->transport, sizeof(x->transport), "%s", resp.error);
    if (resp.status)
        x->ans = json_loadb(resp.body.p, resp.body.len, 0, NULL);
    if (x->status < 200 || x->status >= 300) {
        x->error = json_string_value(json_object_get(x->ans, "error"));
        x->message = json_string_value(json_object_get(x->ans, "message"));
    }
    fetch_response_release(&resp);
    free(text);
}

static bool
xrpc_ok(const struct xrpc *x)
{
    return x->rc == 0 && x->status >= 200 && x->status < 300 && json_is_object(x->ans);
}

static bool
xrpc_transient(const struct xrpc *x)
{
    return x->status == 0 || x->status == 408 || x->status == 429 || x->status >= 500;
}

/* Fills 'res' from a failed call: retry for transient ones, else failed with Bluesky's words. */
static void
xrpc_fail(const struct xrpc *x, const char *what, struct chan_send_result *res)
{
    if (x->rc == ERR_INVAL) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "bluesky: pds_url is not an http or https URL");
        return;
    }
    if (xrpc_transient(x)) {
        res->state = CHAN_RETRY;
        res->retry_after_ms = x->retry_ms;
        if (x->status)
            snprintf(res->error, sizeof(res->error), "bluesky: %s: HTTP %ld%s%.40s", what,
                     x->status, x->error ? " " : "", x->error ? x->error : "");
        else
            snprintf(res->error, sizeof(res->error), "bluesky unreachable: %s", x->transport);
        return;
    }
    res->state = CHAN_FAILED;
    snprintf(res->error, sizeof(res->error), "bluesky: %s: %.120s (%.40s, HTTP %ld)", what,
             x->message ? x->message : "refused", x->error ? x->error : "error", x->status);
}

static int
session_from(struct bsky *b, const struct xrpc *x)
{
    const char *did = json_string_value(json_object_get(x->ans, "did"));
    const char *acc = json_string_value(json_object_get(x->ans, "accessJwt"));
    const char *ref = json_string_value(json_object_get(x->ans, "refreshJwt"));
    if (!did || !acc || !ref || strlen(did) >= sizeof(b->s.did) ||
        strlen(acc) >= sizeof(b->s.access) || strlen(ref) >= sizeof(b->s.refresh))
        return ERR_UPSTREAM;
    snprintf(b->s.did, sizeof(b->s.did), "%s", did);
    snprintf(b->s.access, sizeof(b->s.access), "%s", acc);
    snprintf(b->s.refresh, sizeof(b->s.refresh), "%s", ref);
    memcpy(b->s.key, b->key, sizeof(b->key));
    sess_store(b);
    return 0;
}

/* Takes the cached session when another caller renewed it since 'b' copied it. renew_mu
 * held. */
static bool
renewed_elsewhere(struct bsky *b)
{
    char mine[JWT_MAX];
    memcpy(mine, b->s.access, sizeof(mine));
    return sess_lookup(b) && strcmp(b->s.access, mine) != 0;
}

/* createSession. 0, or an error with 'res' filled. renew_mu held. */
static int
sign_in_locked(struct bsky *b, struct chan_send_result *res)
{
    struct xrpc x;
    json_t *body = json_pack("{s:s,s:s}", "identifier", b->identifier, "password", b->password);
    xrpc_call(b, "com.atproto.server.createSession", NULL, NULL, body, &x);
    json_decref(body);
    int rc = 0;
    if (!xrpc_ok(&x)) {
        xrpc_fail(&x, "sign-in with the app password", res);
        if (x.status == 401)
            snprintf(res->error, sizeof(res->error), "bluesky: the handle or app password was "
                     "refused (%.40s): check the channel's settings",
                     x.error ? x.error : "AuthenticationRequired");
        rc = ERR_AUTH;
    } else if (session_from(b, &x) < 0) {
        res->state = CHAN_RETRY;
        snprintf(res->error, sizeof(res->error), "bluesky: createSession answered without a "
                 "session");
        rc = ERR_UPSTREAM;
    }
    xrpc_release(&x);
    return rc;
}

static int
sign_in(struct bsky *b, struct chan_send_result *res)
{
    pthread_mutex_lock(&renew_mu);
    int rc = renewed_elsewhere(b) ? 0 : sign_in_locked(b, res);
    pthread_mutex_unlock(&renew_mu);
    return rc;
}

/* refreshSession with the refreshJwt; signs in again when the refresh is refused. */
static int
refresh(struct bsky *b, struct chan_send_result *res)
{
    pthread_mutex_lock(&renew_mu);
    if (renewed_elsewhere(b)) {
        pthread_mutex_unlock(&renew_mu);
        return 0;
    }
    struct xrpc x;
    json_t *empty = json_object();
    xrpc_call(b, "com.atproto.server.refreshSession", NULL, b->s.refresh, empty, &x);
    json_decref(empty);
    int rc = 0;
    if (xrpc_ok(&x) && session_from(b, &x) == 0) {
        log_info("bluesky", "session refreshed", "channel=%lld", (long long)b->ch->id);
    } else if (xrpc_transient(&x)) {
        xrpc_fail(&x, "session refresh", res);
        rc = ERR_UPSTREAM;
    } else {
        rc = sign_in_locked(b, res);
    }
    xrpc_release(&x);
    pthread_mutex_unlock(&renew_mu);
    return rc;
}

static bool
expired(const struct xrpc *x)
{
    return (x->status == 400 || x->status == 401) && x->error &&
           (strcmp(x->error, "ExpiredToken") == 0 || strcmp(x->error, "InvalidToken") == 0);
}

/* An XRPC call with the session's access token, refreshed once on ExpiredToken. 0 with 'x'
 * holding the answer (successful or not), or an error with 'res' filled. */
static int
authed(struct bsky *b, const char *nsid, const char *query, json_t *body, struct xrpc *x,
       struct chan_send_result *res)
{
    if (!b->s.access[0] && sign_in(b, res) < 0)
        return ERR_AUTH;
    xrpc_call(b, nsid, query, b->s.access, body, x);
    if (!expired(x))
        return 0;
    xrpc_release(x);
    if (refresh(b, res) < 0)
        return ERR_AUTH;
    xrpc_call(b, nsid, query, b->s.access, body, x);
    return 0;
}

static int
bsky_open(const struct channel *ch, struct arena *ar, struct bsky *b)
{
    memset(b, 0, sizeof(*b));
    b->ch = ch;
    b->ar = ar;
    b->identifier = chan__setting(ch, ar, "identifier");
    b->password = chan__setting(ch, ar, "app_password");
    b->pds = chan__setting(ch, ar, "pds_url");
    if (!b->identifier || !b->password || !b->pds)
        return ERR_INVAL;
    char *msg = arena_printf(ar, "%s\n%s", b->identifier, b->pds);
    chan_hmac_hex(b->password, str_c(msg), b->key);
    sess_lookup(b);
    return 0;
}

/* ---- facets ------------------------------------------------------------------------------ */

static bool
space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static bool
handle_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-';
}

ssize_t
chan__bsky_spans(struct str t, struct chan__bsky_span *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t.len && n < max; i++) {
        bool start = i == 0 || space((unsigned char)t.p[i - 1]) || t.p[i - 1] == '(';
        if (!start)
            continue;
        struct str rest = { t.p + i, t.len - i };
        if ((rest.len > 8 && strncmp(rest.p, "https://", 8) == 0) ||
            (rest.len > 7 && strncmp(rest.p, "http://", 7) == 0)) {
            size_t e = i;
            while (e < t.len && !space((unsigned char)t.p[e]))
                e++;
            /* Sentence punctuation after a link is not part of it. */
            while (e > i && strchr(".,;:!?)\"'", t.p[e - 1]))
                e--;
            out[n++] = (struct chan__bsky_span){ .link = true, .start = i, .end = e };
            i = e - 1;
        } else if (t.p[i] == '@') {
            size_t e = i + 1;
            while (e < t.len && handle_char((unsigned char)t.p[e]))
                e++;
            while (e > i + 1 && (t.p[e - 1] == '.' || t.p[e - 1] == '-'))
                e--;
            struct str h = { t.p + i + 1, e - i - 1 };
            /* A handle is a domain name: at least one dot, at most 253 bytes. */
            if (h.len >= 3 && h.len <= 253 && memchr(h.p, '.', h.len) && h.p[0] != '.') {
                out[n++] = (struct chan__bsky_span){ .link = false, .start = i, .end = e };
                i = e - 1;
            }
        }
    }
    return (ssize_t)n;
}

/* The facets of 'text' as a JSON array in '*out' (NULL when none); mentions are resolved to
 * DIDs. 0, or an error with 'res' filled (signing in failed). */
static int
facets(struct bsky *b, const char *text, json_t **out, struct chan_send_result *res)
{
    *out = NULL;
    struct chan__bsky_span sp[32];
    struct str t = str_c(text);
    ssize_t n = chan__bsky_spans(t, sp, COUNTOF(sp));
    json_t *arr = json_array();
    int skipped = 0;
    for (ssize_t i = 0; i < n; i++) {
        json_t *feature;
        char *v = arena_strndup(b->ar, t.p + sp[i].start, sp[i].end - sp[i].start);
        if (sp[i].link) {
            feature = json_pack("{s:s,s:s}", "$type", "app.bsky.richtext.facet#link", "uri", v);
        } else {
            struct buf q;
            buf_init(&q, 1024);
            chan__form_add(&q, "handle", v + 1);
            struct xrpc x;
            int rc = authed(b, "com.atproto.identity.resolveHandle", q.p, NULL, &x, res);
            buf_release(&q);
            const char *did = rc == 0 && xrpc_ok(&x)
                                  ? json_string_value(json_object_get(x.ans, "did")) : NULL;
            feature = did ? json_pack("{s:s,s:s}", "$type", "app.bsky.richtext.facet#mention",
                                      "did", did)
                          : NULL;
            xrpc_release(&x);
            if (rc < 0) {
                json_decref(arr);
                return rc;
            }
            if (!feature) {
                skipped++;
                continue;
            }
        }
        json_array_append_new(arr, json_pack("{s:{s:I,s:I},s:[o]}", "index", "byteStart",
                                             (json_int_t)sp[i].start, "byteEnd",
                                             (json_int_t)sp[i].end, "features", feature));
    }
    if (skipped)
        log_info("bluesky", "mention facets skipped",
                 "channel=%lld skipped=%d reason=\"handle did not resolve\"",
                 (long long)b->ch->id, skipped);
    if (json_array_size(arr) == 0)
        json_decref(arr);
    else
        *out = arr;
    return 0;
}

/* ---- sending ----------------------------------------------------------------------------- */

static bool
at_uri(const char *s)
{
    return s && strncmp(s, "at://", 5) == 0 && strlen(s) < 512 && !strpbrk(s, " \t\r\n");
}

/* The reply refs for a reply to 'uri': {"root":{uri,cid},"parent":{uri,cid}}. NULL with
 * 'res' filled when the post cannot be read. */
static json_t *
reply_refs(struct bsky *b, const char *uri, struct chan_send_result *res)
{
    struct buf q;
    buf_init(&q, 2048);
    chan__form_add(&q, "uris", uri);
    struct xrpc x;
    int rc = authed(b, "app.bsky.feed.getPosts", q.p, NULL, &x, res);
    buf_release(&q);
    if (rc < 0)
        return NULL;
    json_t *out = NULL;
    if (!xrpc_ok(&x)) {
        xrpc_fail(&x, "reading the post answered", res);
        xrpc_release(&x);
        return NULL;
    }
    json_t *post = json_array_get(json_object_get(x.ans, "posts"), 0);
    const char *cid = json_string_value(json_object_get(post, "cid"));
    if (!cid) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "bluesky: the post being answered is gone "
                 "(deleted, or hidden from the brand's account)");
        xrpc_release(&x);
        return NULL;
    }
    json_t *parent = json_pack("{s:s,s:s}", "uri", uri, "cid", cid);
    json_t *root = json_object_get(json_object_get(json_object_get(post, "record"), "reply"),
                                   "root");
    const char *ru = json_string_value(json_object_get(root, "uri"));
    const char *rc2 = json_string_value(json_object_get(root, "cid"));
    json_t *rootref = ru && rc2 ? json_pack("{s:s,s:s}", "uri", ru, "cid", rc2)
                                : json_deep_copy(parent);
    out = json_pack("{s:o,s:o}", "root", rootref, "parent", parent);
    xrpc_release(&x);
    return out;
}

/* Whether a post with this text, answering 'parent' (NULL: none), is among the brand's latest
 * posts: a retry after a lost answer (a timeout, a 5xx after the write) finds the reply the
 * earlier attempt made, since createRecord has no idempotency key. Its uri goes to
 * 'res->external_id'. Errors count as not found (the retry then posts). */
static bool
already_posted(struct bsky *b, const char *text, const char *parent,
               struct chan_send_result *res)
{
    struct buf q;
    buf_init(&q, 1024);
    chan__form_add(&q, "repo", b->s.did);
    chan__form_add(&q, "collection", "app.bsky.feed.post");
    chan__form_add(&q, "limit", "25");
    struct xrpc x;
    struct chan_send_result ignored = { 0 };
    int rc = authed(b, "com.atproto.repo.listRecords", q.p, NULL, &x, &ignored);
    buf_release(&q);
    if (rc < 0)
        return false;
    bool found = false;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(x.ans, "records"), i, r) {
        json_t *v = json_object_get(r, "value");
        const char *t = json_string_value(json_object_get(v, "text"));
        const char *p = json_string_value(json_object_get(
            json_object_get(json_object_get(v, "reply"), "parent"), "uri"));
        const char *uri = json_string_value(json_object_get(r, "uri"));
        if (uri && t && strcmp(t, text) == 0 && (parent ? p && strcmp(p, parent) == 0 : !p) &&
            strlen(uri) < sizeof(res->external_id)) {
            snprintf(res->external_id, sizeof(res->external_id), "%s", uri);
            found = true;
            break;
        }
    }
    xrpc_release(&x);
    return found;
}

static void
bsky_send(const struct channel *ch, const struct outbox_item *item, struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    if (chan_graphemes(str_c(item->text)) > BSKY_MAX_GRAPHEMES) {
        snprintf(res->error, sizeof(res->error), "bluesky: a post holds at most 300 characters");
        return;
    }
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    struct bsky b;
    if (bsky_open(ch, ar, &b) < 0) {
        snprintf(res->error, sizeof(res->error), "bluesky channel has no identifier or "
                 "app_password");
        arena_free(ar);
        return;
    }
    if (!b.s.access[0] && sign_in(&b, res) < 0) {
        arena_free(ar);
        return;
    }
    json_t *record = json_object();
    json_object_set_new(record, "$type", json_string("app.bsky.feed.post"));
    json_object_set_new(record, "text", json_string(item->text));
    char now[32];
    clock_fmt_iso(clock_now_ms(), now, sizeof(now));
    json_object_set_new(record, "createdAt", json_string(now));
    const char *to = at_uri(item->reply_to) ? item->reply_to
                     : at_uri(item->thread_key) ? item->thread_key : NULL;
    if (!to && item->public) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "bluesky: this conversation has no Bluesky "
                 "post to answer");
        goto out;
    }
    if (to) {
        json_t *refs = reply_refs(&b, to, res);
        if (!refs)
            goto out;
        json_object_set_new(record, "reply", refs);
    }
    if (item->attempts > 0 && already_posted(&b, item->text, to, res)) {
        log_info("bluesky", "reply found already posted", "channel=%lld message=%lld",
                 (long long)ch->id, (long long)item->message_id);
        res->state = CHAN_SENT;
        res->error[0] = '\0';
        goto out;
    }
    json_t *fa;
    if (facets(&b, item->text, &fa, res) < 0)
        goto out;
    if (fa)
        json_object_set_new(record, "facets", fa);
    json_t *body = json_pack("{s:s,s:s,s:O}", "repo", b.s.did, "collection",
                             "app.bsky.feed.post", "record", record);
    struct xrpc x;
    int rc = authed(&b, "com.atproto.repo.createRecord", NULL, body, &x, res);
    json_decref(body);
    if (rc == 0) {
        if (xrpc_ok(&x)) {
            const char *uri = json_string_value(json_object_get(x.ans, "uri"));
            res->state = CHAN_SENT;
            res->error[0] = '\0';
            if (uri && strlen(uri) < sizeof(res->external_id))
                snprintf(res->external_id, sizeof(res->external_id), "%s", uri);
        } else {
            xrpc_fail(&x, "the reply was refused", res);
        }
        xrpc_release(&x);
    }
out:
    json_decref(record);
    arena_free(ar);
}

/* ---- polling replies to the brand's posts ------------------------------------------------ */

static struct str
jstr(json_t *o, const char *name, size_t max, struct arena *ar)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max)
        return STR_NULL;
    struct str s = { json_string_value(v), json_string_length(v) };
    if (!utf8_valid(s) || strlen(s.p) != s.len)
        return STR_NULL;
    return (struct str){ arena_strndup(ar, s.p, s.len), s.len };
}

/* Pages of listNotifications read at most in one poll (newest first, back to the cursor). */
#define POLL_PAGES 5

/* The "reply" notifications newer than 'cursor' (an indexedAt), oldest first, in 'pending' (a
 * JSON array it fills); reads back page by page until a page reaches the cursor, has no next
 * page, or POLL_PAGES were read. Without a cursor (the first poll) only the newest page. 0, or
 * an error with 'em' set. */
static int
poll_pending(struct bsky *b, const char *cursor, json_t *pending, struct errmsg *em)
{
    char *page = NULL;
    json_t *newest_first = json_array();
    int rc = 0;
    for (int p = 0; p < POLL_PAGES; p++) {
        struct buf q;
        buf_init(&q, 1024);
        chan__form_add(&q, "limit", "50");
        if (page)
            chan__form_add(&q, "cursor", page);
        struct chan_send_result res = { 0 };
        struct xrpc x;
        int r = authed(b, "app.bsky.notification.listNotifications", q.p, NULL, &x, &res);
        buf_release(&q);
        if (r < 0) {
            rc = errmsg_set(em, ERR_UPSTREAM, "%s", res.error);
            break;
        }
        if (!xrpc_ok(&x)) {
            xrpc_fail(&x, "listNotifications", &res);
            rc = errmsg_set(em, x.status ? ERR_UPSTREAM : ERR_TIMEOUT, "%s", res.error);
            xrpc_release(&x);
            break;
        }
        bool reached = !cursor[0];
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(x.ans, "notifications"), i, it) {
            const char *at = json_string_value(json_object_get(it, "indexedAt"));
            const char *reason = json_string_value(json_object_get(it, "reason"));
            if (!at || strlen(at) >= 64)
                continue;
            if (cursor[0] && strcmp(at, cursor) <= 0) { /* ISO 8601 UTC times sort as text */
                reached = true;
                continue;
            }
            if (reason && strcmp(reason, "reply") == 0)
                json_array_append(newest_first, it);
        }
        const char *next = json_string_value(json_object_get(x.ans, "cursor"));
        free(page);
        page = next && !reached && strlen(next) < 512 ? xstrdup(next) : NULL;
        xrpc_release(&x);
        if (!page)
            break;
    }
    for (size_t i = json_array_size(newest_first); i-- > 0;)
        json_array_append(pending, json_array_get(newest_first, i));
    json_decref(newest_first);
    free(page);
    return rc;
}

static ssize_t
bsky_poll(const struct channel *ch, char *cursor, size_t cursor_len, struct arena *ar,
          struct inbound *out, size_t max, struct errmsg *em)
{
    struct bsky b;
    if (bsky_open(ch, ar, &b) < 0)
        return errmsg_set(em, ERR_UPSTREAM, "the channel has no identifier or app_password");
    if (!b.s.access[0]) {
        struct chan_send_result res = { 0 };
        if (sign_in(&b, &res) < 0)
            return errmsg_set(em, ERR_UPSTREAM, "%s", res.error);
    }
    json_t *pending = json_array();
    int rc = poll_pending(&b, cursor, pending, em);
    if (rc < 0) {
        json_decref(pending);
        return rc;
    }
    /* Oldest first, at most 'max': the cursor moves to the last one taken, so the rest come in
     * the next poll and nothing is skipped. */
    size_t n = 0, i;
    json_t *it;
    char newest[64];
    snprintf(newest, sizeof(newest), "%s", cursor);
    json_array_foreach(pending, i, it) {
        if (n >= max)
            break;
        const char *at = json_string_value(json_object_get(it, "indexedAt"));
        snprintf(newest, sizeof(newest), "%s", at);
        json_t *author = json_object_get(it, "author");
        json_t *rec = json_object_get(it, "record");
        struct inbound *in = &out[n];
        memset(in, 0, sizeof(*in));
        in->channel_id = ch->id;
        in->channel_type = ch->type;
        in->public = true;
        in->external_id = jstr(it, "uri", MODEL_EXTID_MAX - 1, ar);
        in->from_id = jstr(author, "did", MODEL_EXTID_MAX - 1, ar);
        in->text = jstr(rec, "text", MODEL_TEXT_MAX, ar);
        if (!in->external_id.len || !in->from_id.len || !in->text.len ||
            strcmp(in->from_id.p, b.s.did) == 0)
            continue;
        in->from_name = jstr(author, "displayName", MODEL_NAME_MAX, ar);
        struct str h = jstr(author, "handle", MODEL_NAME_MAX - 1, ar);
        if (h.len)
            in->from_handle = str_c(arena_printf(ar, "@%s", h.p));
        in->reply_to = jstr(json_object_get(json_object_get(rec, "reply"), "parent"), "uri",
                            MODEL_EXTID_MAX - 1, ar);
        int64_t ms;
        struct str ca = jstr(rec, "createdAt", 64, ar);
        if (ca.len && clock_parse_iso(ca, &ms) == 0)
            in->created_at = ms;
        n++;
    }
    json_decref(pending);
    snprintf(cursor, cursor_len, "%s", newest);
    return (ssize_t)n;
}

const struct chan_ops chan_bluesky_ops = {
    .type = "bluesky",
    .max_text = BSKY_MAX_GRAPHEMES,
    .settings = bsky_settings,
    .send = bsky_send,
    .poll = bsky_poll,
};
