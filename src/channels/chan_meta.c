/* SPDX-License-Identifier: MIT */
/*
 * chan_meta.c - what WhatsApp, Messenger and Instagram share: Meta's Graph webhooks and API.
 *
 * Settings (app secret, verify token, access token, account id, API root), the GET
 * hub.challenge handshake, X-Hub-Signature-256 over the raw body, the Messenger-shaped
 * "messaging" DMs (Messenger and Instagram use the same shape), and one POST to the Graph API
 * that sorts Meta's answers into sent, retry later (rate-limit error codes, 429, 5xx, network)
 * and failed (with the platform's message). The per-platform files hold only what differs.
 * Never logs message text, tokens or attachment URLs.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "fetch/fetch.h"

#define SETTING_MAX 2048

static bool
http_url(const char *u)
{
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/* Graph ids go into URL paths: letters, digits, '_', '-' and '.' only. */
static bool
path_safe(const char *s)
{
    if (!s || !*s || strlen(s) > MODEL_EXTID_MAX)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* Printable ASCII without spaces, quotes or backslashes: what a token may hold (so it never
 * needs escaping where it is shown to be pasted into Meta). */
static bool
token_ok(const char *s)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\\')
            return false;
    }
    return true;
}

int
chan__meta_settings(const char *type, const char *id_key, const char *settings, char **out,
                    struct errmsg *em)
{
    return chan__meta_settings_opt(type, id_key, NULL, settings, out, em);
}

int
chan__meta_settings_opt(const char *type, const char *id_key, const char *opt_id_key,
                        const char *settings, char **out, struct errmsg *em)
{
    json_error_t jerr;
    json_t *in = settings ? json_loads(settings, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    if (!json_is_object(in)) {
        json_decref(in);
        return errmsg_set(em, ERR_INVAL, "invalid 'settings': want a JSON object");
    }
    const char *required[] = { "app_secret", "verify_token", "access_token", id_key };
    json_t *norm = json_object();
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        bool opt_id = opt_id_key && strcmp(key, opt_id_key) == 0;
        bool known = opt_id || strcmp(key, "api_base") == 0 || strcmp(key, "timeout_ms") == 0;
        for (size_t i = 0; i < COUNTOF(required); i++)
            known = known || strcmp(key, required[i]) == 0;
        if (!known) {
            rc = errmsg_set(em, ERR_INVAL, "unknown setting '%.64s' for a %s channel", key, type);
            goto out;
        }
        if (strcmp(key, "timeout_ms") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 100 ||
                json_integer_value(v) > 60000) {
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.timeout_ms': want 100..60000");
                goto out;
            }
            json_object_set(norm, key, v);
            continue;
        }
        const char *s = json_string_value(v);
        if (!s || json_string_length(v) > SETTING_MAX || strlen(s) != json_string_length(v)) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want a string", key);
            goto out;
        }
        if (strcmp(key, "api_base") == 0) {
            if (!http_url(s)) {
                rc = errmsg_set(em, ERR_INVAL,
                                "invalid 'settings.api_base': want an http or https URL");
                goto out;
            }
            if (chan__url_userinfo(s)) {
                rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.api_base': want no "
                                               "credentials (user:password@) in the URL");
                goto out;
            }
            size_t n = strlen(s);
            while (n > 8 && s[n - 1] == '/')
                n--;
            json_object_set_new(norm, key, json_stringn(s, n));
            continue;
        }
        if (opt_id) {
            /* An optional Graph id (WhatsApp's business_account_id): digits only, as Meta
             * shows it. */
            bool digits = *s && strlen(s) <= 32;
            for (const char *c = s; digits && *c; c++)
                digits = *c >= '0' && *c <= '9';
            if (!digits) {
                rc = errmsg_set(em, ERR_INVAL,
                                "invalid 'settings.%s': want the numeric id Meta shows "
                                "(digits only)",
                                key);
                goto out;
            }
            json_object_set(norm, key, v);
            continue;
        }
        if (strcmp(key, id_key) == 0 ? !path_safe(s) : !token_ok(s)) {
            rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.%s': want %s", key,
                            strcmp(key, id_key) == 0
                                ? "a Graph id (digits)"
                                : "printable characters without spaces or quotes");
            goto out;
        }
        json_object_set(norm, key, v);
    }
    for (size_t i = 0; i < COUNTOF(required); i++) {
        if (!json_object_get(norm, required[i])) {
            rc = errmsg_set(em, ERR_INVAL, "missing 'settings.%s' for a %s channel", required[i],
                            type);
            goto out;
        }
    }
    if (!json_object_get(norm, "api_base"))
        json_object_set_new(norm, "api_base", json_string(CHAN__META_API_BASE));
    *out = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
out:
    json_decref(in);
    json_decref(norm);
    return rc;
}

int
chan__meta_open(const struct channel *ch, const char *id_key, struct chan__meta *m)
{
    memset(m, 0, sizeof(*m));
    json_t *root = json_loads(ch->settings ? ch->settings : "{}", 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return ERR_INVAL;
    }
    m->root = root;
    m->app_secret = json_string_value(json_object_get(root, "app_secret"));
    m->verify_token = json_string_value(json_object_get(root, "verify_token"));
    m->access_token = json_string_value(json_object_get(root, "access_token"));
    m->account_id = json_string_value(json_object_get(root, id_key ? id_key : "page_id"));
    if (!id_key && !m->account_id)
        m->account_id = json_string_value(json_object_get(root, "phone_number_id"));
    m->api_base = json_string_value(json_object_get(root, "api_base"));
    if (!m->api_base)
        m->api_base = CHAN__META_API_BASE;
    if (!m->app_secret || !m->verify_token || !m->access_token || !m->account_id) {
        chan__meta_close(m);
        return ERR_INVAL;
    }
    return 0;
}

void
chan__meta_close(struct chan__meta *m)
{
    json_decref(m->root);
    memset(m, 0, sizeof(*m));
}

/* Any Meta type works here: the account id is not needed to check a signature. */
static int
open_any(const struct channel *ch, struct chan__meta *m)
{
    return chan__meta_open(ch, NULL, m);
}

int
chan__meta_verify(const struct channel *ch, const struct chan_hook *hook)
{
    struct chan__meta m;
    if (open_any(ch, &m) < 0)
        return ERR_AUTH;
    const char *sig = hook->header(hook->ctx, "X-Hub-Signature-256");
    bool ok = chan_signature_ok(m.app_secret, hook->body, sig);
    chan__meta_close(&m);
    return ok ? 0 : ERR_AUTH;
}

int
chan__meta_handshake(const struct channel *ch, const struct chan_hook *hook,
                     struct chan_handshake *out)
{
    if (!hook->query)
        return ERR_INVAL;
    const char *mode = hook->query(hook->ctx, "hub.mode");
    const char *token = hook->query(hook->ctx, "hub.verify_token");
    const char *challenge = hook->query(hook->ctx, "hub.challenge");
    struct chan__meta m;
    if (open_any(ch, &m) < 0)
        return ERR_AUTH;
    size_t want = strlen(m.verify_token);
    bool ok = mode && strcmp(mode, "subscribe") == 0 && token && strlen(token) == want &&
              str_ct_eq(token, m.verify_token, want);
    chan__meta_close(&m);
    if (!ok)
        return ERR_AUTH;
    /* Meta's challenge is a number; accept a plain token only, so nothing odd is reflected. */
    if (!challenge || !path_safe(challenge) || strlen(challenge) >= sizeof(out->body))
        return ERR_INVAL;
    snprintf(out->content_type, sizeof(out->content_type), "text/plain");
    out->len = strlen(challenge);
    memcpy(out->body, challenge, out->len + 1);
    return 0;
}

json_t *
chan__meta_body(const struct chan_hook *hook, const char *object, struct errmsg *em)
{
    json_error_t jerr;
    json_t *root = json_loadb(hook->body.p ? hook->body.p : "", hook->body.len, 0, &jerr);
    if (!root) {
        errmsg_set(em, ERR_INVAL, "malformed JSON at line %d column %d: %s", jerr.line,
                   jerr.column, jerr.text);
        return NULL;
    }
    const char *obj = json_string_value(json_object_get(root, "object"));
    if (!obj || strcmp(obj, object) != 0) {
        errmsg_set(em, ERR_INVAL, "invalid 'object': want \"%s\"", object);
        json_decref(root);
        return NULL;
    }
    if (!json_is_array(json_object_get(root, "entry"))) {
        errmsg_set(em, ERR_INVAL, "missing 'entry': want an array");
        json_decref(root);
        return NULL;
    }
    return root;
}

struct str
chan__meta_str(json_t *obj, const char *name, size_t max, struct arena *ar)
{
    json_t *v = json_object_get(obj, name);
    if (json_is_integer(v))
        return str_c(arena_printf(ar, "%lld", (long long)json_integer_value(v)));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!s || len == 0 || len > max || strlen(s) != len || !utf8_valid((struct str){ s, len }))
        return STR_NULL;
    return (struct str){ arena_strndup(ar, s, len), len };
}

/* Appends "[type] url" lines for Messenger-shaped attachments. The URL is the agent's way to
 * open the file; it is stored with the message and never logged. */
static void
add_attachments(struct buf *b, json_t *atts)
{
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a) {
        const char *type = json_string_value(json_object_get(a, "type"));
        const char *url = json_string_value(json_object_get(json_object_get(a, "payload"), "url"));
        if (b->len)
            buf_addc(b, '\n');
        buf_printf(b, "[%.32s]", type && path_safe(type) ? type : "attachment");
        if (url && http_url(url) && utf8_valid(str_c(url)))
            buf_printf(b, " %.2000s", url);
    }
}

/* Epoch milliseconds from Meta's numbers, which are seconds in some payloads and
 * milliseconds in others; 0 when absent or implausible. */
static int64_t
meta_time(json_t *v)
{
    int64_t t = 0;
    if (json_is_integer(v)) {
        t = json_integer_value(v);
    } else if (json_is_string(v)) {
        if (str_to_i64(str_c(json_string_value(v)), 0, INT64_MAX / 2, &t) < 0)
            return 0;
    }
    if (t <= 0)
        return 0;
    return t < 100000000000LL ? t * 1000 : t;
}

void
chan__meta_messaging(const struct channel *ch, json_t *entry, struct arena *ar,
                     struct inbound *out, size_t max, size_t *n)
{
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(entry, "messaging"), i, ev) {
        json_t *msg = json_object_get(ev, "message");
        json_t *postback = json_object_get(ev, "postback");
        if (!json_is_object(msg) && !json_is_object(postback))
            continue; /* deliveries, reads, reactions, referrals */
        if (json_is_true(json_object_get(msg, "is_echo")))
            continue; /* our own send coming back */
        if (*n >= max) {
            *n = SIZE_MAX; /* more than the caller can take: refuse the delivery whole */
            return;
        }
        struct inbound *in = &out[*n];
        memset(in, 0, sizeof(*in));
        in->channel_id = ch->id;
        in->channel_type = ch->type;
        json_t *src = json_is_object(msg) ? msg : postback;
        in->from_id = chan__meta_str(json_object_get(ev, "sender"), "id", MODEL_EXTID_MAX, ar);
        in->external_id = chan__meta_str(src, "mid", MODEL_EXTID_MAX, ar);
        if (!in->from_id.len || !in->external_id.len)
            continue;
        struct buf b;
        buf_init(&b, MODEL_TEXT_MAX);
        struct str text = chan__meta_str(src, json_is_object(msg) ? "text" : "title",
                                         MODEL_TEXT_MAX, ar);
        if (text.len)
            buf_add(&b, text.p, text.len);
        add_attachments(&b, json_object_get(msg, "attachments"));
        if (!b.len)
            buf_adds(&b, "[unsupported message]");
        /* On overflow 'b' keeps the text and the attachment lines that fitted, each whole. */
        in->text = (struct str){ arena_strndup(ar, b.p, b.len), b.len };
        buf_release(&b);
        in->reply_to = chan__meta_str(json_object_get(msg, "reply_to"), "mid", MODEL_EXTID_MAX,
                                      ar);
        in->survey = model_survey_id(chan__meta_str(json_object_get(msg, "quick_reply"),
                                                    "payload", MODEL_EXTID_MAX, ar));
        in->thread_id = str_c(arena_printf(ar, "dm:%.*s", (int)in->from_id.len, in->from_id.p));
        in->created_at = meta_time(json_object_get(ev, "timestamp"));
        in->public = false;
        (*n)++;
    }
}

static bool
rate_limit_code(json_int_t code)
{
    static const json_int_t codes[] = { 4, 17, 32, 613, 80007, 130429, 131048, 131056 };
    for (size_t i = 0; i < COUNTOF(codes); i++) {
        if (codes[i] == code)
            return true;
    }
    return false;
}

/* Codes Meta documents as temporary: unknown error, service unavailable, generic failure. */
static bool
transient_code(json_int_t code)
{
    return code == 1 || code == 2 || code == 131000;
}

json_t *
chan__meta_post(const struct chan__meta *m, const char *path, const char *body,
                struct chan_send_result *res)
{
    return chan__meta_request(m, "POST", path, body, res, NULL);
}

json_t *
chan__meta_request(const struct chan__meta *m, const char *method, const char *path,
                   const char *body, struct chan_send_result *res, struct chan__meta_answer *how)
{
    if (how)
        *how = (struct chan__meta_answer){ 0 };
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    char url[2600];
    int len = snprintf(url, sizeof(url), "%s/%s", m->api_base, path);
    if (len < 0 || (size_t)len >= sizeof(url)) {
        snprintf(res->error, sizeof(res->error), "Graph URL too long");
        return NULL;
    }
    struct buf auth;
    buf_init(&auth, SETTING_MAX + 16);
    buf_printf(&auth, "Bearer %s", m->access_token);
    if (buf_error(&auth) < 0) {
        snprintf(res->error, sizeof(res->error), "access_token too long");
        buf_release(&auth);
        return NULL;
    }
    struct fetch_header hdrs[] = {
        { "Content-Type", "application/json" },
        { "Authorization", auth.p },
    };
    json_t *t = json_object_get(m->root, "timeout_ms");
    struct fetch_request req = { .method = method, .url = url, .headers = hdrs,
                                 .nheaders = COUNTOF(hdrs), .body = str_c(body ? body : ""),
                                 .timeout_ms = json_is_integer(t) ? (long)json_integer_value(t)
                                                                  : 15000,
                                 .max_response = 256 * 1024 };
    struct fetch_response resp;
    int rc = fetch_do(&req, &resp);
    buf_release(&auth);
    json_t *answer = NULL;
    if (rc == ERR_INVAL) {
        snprintf(res->error, sizeof(res->error), "api_base is not http or https");
        goto out;
    }
    if (how) {
        how->status = resp.status;
        how->timed_out = rc == ERR_TIMEOUT;
    }
    if (resp.status == 0) {
        res->state = CHAN_RETRY;
        snprintf(res->error, sizeof(res->error), "Graph API unreachable: %s",
                 rc == ERR_TIMEOUT ? "timed out" : resp.error);
        goto out;
    }
    json_t *j = json_loadb(resp.body.p, resp.body.len, 0, NULL);
    if (resp.status >= 200 && resp.status < 300) {
        res->state = CHAN_SENT;
        if (!json_is_object(j)) {
            json_decref(j);
            j = json_object();
        }
        answer = j;
        goto out;
    }
    json_t *err = json_object_get(j, "error");
    json_int_t code = json_integer_value(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));
    const char *details =
        json_string_value(json_object_get(json_object_get(err, "error_data"), "details"));
    res->retry_after_ms = resp.retry_after_ms;
    if (how) {
        how->code = code;
        how->rate_limited = rate_limit_code(code) || resp.status == 429;
    }
    if (rate_limit_code(code) || resp.status == 429) {
        res->state = CHAN_RETRY;
        snprintf(res->error, sizeof(res->error), "rate limited by Meta (code %lld): %.160s",
                 (long long)code, msg ? msg : "slow down");
    } else if (resp.status >= 500 || resp.status == 408 || transient_code(code) ||
               json_is_true(json_object_get(err, "is_transient"))) {
        res->state = CHAN_RETRY;
        snprintf(res->error, sizeof(res->error), "Graph API error, HTTP %ld (code %lld)",
                 resp.status, (long long)code);
    } else if (msg) {
        snprintf(res->error, sizeof(res->error), "%.160s%s%.80s (code %lld)", msg,
                 details ? ": " : "", details ? details : "", (long long)code);
    } else {
        snprintf(res->error, sizeof(res->error), "Graph API refused the message: HTTP %ld",
                 resp.status);
    }
    json_decref(j);
out:
    fetch_response_release(&resp);
    return answer;
}

/* The customer a DM goes to: the "dm:<id>" thread key (the PSID or IGSID the customer
 * writes from), else the contact's identity on the channel. */
static const char *
dm_recipient(const struct outbox_item *item)
{
    if (item->thread_key && strncmp(item->thread_key, "dm:", 3) == 0 && item->thread_key[3])
        return item->thread_key + 3;
    return item->recipient;
}

static void
copy_id(char *dst, size_t n, json_t *v)
{
    const char *s = json_string_value(v);
    if (s && strlen(s) < n)
        memcpy(dst, s, strlen(s) + 1);
}

void
chan__meta_send_page(const struct channel *ch, const struct outbox_item *item,
                     struct chan_send_result *res, const char *comment_edge, bool messaging_type)
{
    struct chan__meta m;
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    if (chan__meta_open(ch, "page_id", &m) < 0) {
        snprintf(res->error, sizeof(res->error), "channel settings are incomplete");
        return;
    }
    char path[MODEL_EXTID_MAX + 64];
    json_t *body;
    if (item->public) {
        /* A public thread: answer the latest comment in public, under it. */
        if (!path_safe(item->reply_to)) {
            snprintf(res->error, sizeof(res->error), "no comment to reply to");
            goto out;
        }
        snprintf(path, sizeof(path), "%s/%s", item->reply_to, comment_edge);
        body = json_pack("{s:s}", "message", item->text);
    } else {
        const char *to = dm_recipient(item);
        if (!to || !*to) {
            snprintf(res->error, sizeof(res->error), "the customer has no id on %s", ch->type);
            goto out;
        }
        snprintf(path, sizeof(path), "%s/messages", m.account_id);
        body = json_pack("{s:{s:s},s:{s:s}}", "recipient", "id", to, "message", "text",
                         item->text);
        json_t *pl = item->payload ? json_loads(item->payload, 0, NULL) : NULL;
        json_t *buttons = json_object_get(json_object_get(pl, "survey"), "buttons");
        if (json_is_array(buttons)) {
            /* The survey's scale as quick replies; a tap comes back as message.quick_reply. */
            json_t *qr = json_array();
            size_t i;
            json_t *bt;
            json_array_foreach(buttons, i, bt)
                json_array_append_new(qr, json_pack("{s:s,s:O,s:O}", "content_type", "text",
                                                    "title", json_object_get(bt, "title"),
                                                    "payload", json_object_get(bt, "id")));
            json_object_set_new(json_object_get(body, "message"), "quick_replies", qr);
        }
        json_decref(pl);
        if (messaging_type)
            json_object_set_new(body, "messaging_type", json_string("RESPONSE"));
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    json_t *ans = chan__meta_post(&m, path, text, res);
    free(text);
    if (ans) {
        copy_id(res->external_id, sizeof(res->external_id),
                json_object_get(ans, item->public ? "id" : "message_id"));
        copy_id(res->recipient_id, sizeof(res->recipient_id), json_object_get(ans, "recipient_id"));
        json_decref(ans);
    }
out:
    chan__meta_close(&m);
}

int
chan__meta_private_reply(const struct channel *ch, const struct outbox_item *item,
                         struct chan_send_result *res, char *dm_thread, size_t n)
{
    struct chan__meta m;
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    if (chan__meta_open(ch, "page_id", &m) < 0) {
        snprintf(res->error, sizeof(res->error), "channel settings are incomplete");
        return ERR_UPSTREAM;
    }
    int rc = ERR_UPSTREAM;
    if (!path_safe(item->reply_to)) {
        snprintf(res->error, sizeof(res->error), "no comment to reply to privately");
        goto out;
    }
    char path[MODEL_EXTID_MAX + 64];
    snprintf(path, sizeof(path), "%s/messages", m.account_id);
    json_t *body = json_pack("{s:{s:s},s:{s:s}}", "recipient", "comment_id", item->reply_to,
                             "message", "text", item->text);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    json_t *ans = chan__meta_post(&m, path, text, res);
    free(text);
    if (!ans)
        goto out;
    copy_id(res->external_id, sizeof(res->external_id), json_object_get(ans, "message_id"));
    copy_id(res->recipient_id, sizeof(res->recipient_id), json_object_get(ans, "recipient_id"));
    json_decref(ans);
    /* Instagram may leave recipient_id out; its commenter id is the IGSID DMs come from. */
    if (!res->recipient_id[0] && item->recipient && strlen(item->recipient) < MODEL_EXTID_MAX)
        snprintf(res->recipient_id, sizeof(res->recipient_id), "%s", item->recipient);
    if (!res->recipient_id[0]) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "Meta did not say who the message went to");
        goto out;
    }
    if ((size_t)snprintf(dm_thread, n, "dm:%s", res->recipient_id) >= n) {
        res->state = CHAN_FAILED;
        snprintf(res->error, sizeof(res->error), "recipient id too long");
        goto out;
    }
    rc = 0;
out:
    chan__meta_close(&m);
    return rc;
}
