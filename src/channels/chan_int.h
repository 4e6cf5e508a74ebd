/* SPDX-License-Identifier: MIT */
/*
 * chan_int.h - shared by the files of channels/ only: helpers that several adapters of one
 * platform family use (Meta's Graph webhooks and Send API, ...). Callers outside channels/
 * use chan.h. Each family keeps its declarations in its own marked section.
 */
#ifndef HARK_CHAN_INT_H
#define HARK_CHAN_INT_H

#include <jansson.h>

#include "channels/chan.h"

/* ---- Meta Graph platforms: whatsapp, messenger, instagram (chan_meta.c) ----------------- */

#define CHAN__META_API_BASE "https://graph.facebook.com/v19.0"
#define CHAN__META_WINDOW_MS (24LL * 3600 * 1000) /* the customer-service window */

/* A Meta channel's settings, decoded. The strings borrow 'root'; chan__meta_close releases
 * it. Not shared between threads. */
struct chan__meta {
    json_t *root;
    const char *app_secret;   /* HMAC key of X-Hub-Signature-256 */
    const char *verify_token; /* echoed by the GET hub.challenge handshake */
    const char *access_token; /* bearer for the Graph API */
    const char *account_id;   /* page_id or phone_number_id */
    const char *api_base;     /* Graph root without a trailing slash */
};

/* Checks and normalizes a new Meta channel's 'settings': app_secret, verify_token,
 * access_token and the account id named 'id_key' ("page_id", "phone_number_id") are
 * required, api_base is optional (default CHAN__META_API_BASE). 'type' names the channel in
 * messages. Returns malloc'd JSON in '*out', or ERR_INVAL with a reason in 'em'. */
int chan__meta_settings(const char *type, const char *id_key, const char *settings, char **out,
                        struct errmsg *em);
/* The same, also taking 'opt_id_key' (may be NULL): an optional numeric Graph id (WhatsApp's
 * business_account_id, which only the template list needs). */
int chan__meta_settings_opt(const char *type, const char *id_key, const char *opt_id_key,
                            const char *settings, char **out, struct errmsg *em);
/* Decodes 'ch->settings' into 'm' ('id_key' NULL: whichever of page_id and phone_number_id is
 * set). 0, or ERR_INVAL when a setting is missing (then 'm' needs no close). */
int chan__meta_open(const struct channel *ch, const char *id_key, struct chan__meta *m);
void chan__meta_close(struct chan__meta *m);

/* chan_ops.verify for every Meta type: X-Hub-Signature-256 (HMAC-SHA256 keyed by app_secret
 * over the raw body), compared in constant time. 0, or ERR_AUTH. */
int chan__meta_verify(const struct channel *ch, const struct chan_hook *hook);
/* chan_ops.handshake for every Meta type: hub.mode=subscribe with the right hub.verify_token
 * echoes hub.challenge as text/plain. ERR_AUTH on a wrong token or mode, ERR_INVAL when the
 * challenge is missing or too long. */
int chan__meta_handshake(const struct channel *ch, const struct chan_hook *hook,
                         struct chan_handshake *out);

/* Parses a webhook body whose "object" must be 'object' ("page", "instagram",
 * "whatsapp_business_account"). Returns a new reference to the root with an "entry" array,
 * or NULL with ERR_INVAL's reason in 'em'. */
json_t *chan__meta_body(const struct chan_hook *hook, const char *object, struct errmsg *em);

/* Adds the Messenger-shaped DMs of one entry's "messaging" array (Messenger, Instagram) to
 * 'out' starting at '*n' (at most 'max'). Echoes of the business's own sends, deliveries,
 * reads and reactions are skipped; attachments become "[image] <url>" lines. Each DM gets
 * thread_id "dm:<sender id>" and public=false. Strings are copied into 'ar'. */
void chan__meta_messaging(const struct channel *ch, json_t *entry, struct arena *ar,
                          struct inbound *out, size_t max, size_t *n);

/* A string member (or an integer, printed) copied into 'ar'; STR_NULL when absent, not a
 * string, longer than 'max' or not UTF-8. */
struct str chan__meta_str(json_t *obj, const char *name, size_t max, struct arena *ar);

/* POSTs the JSON 'body' to "<api_base>/<path>" with the access token as a bearer and
 * classifies the answer into 'res': 2xx is CHAN_SENT (the parsed response is returned, a new
 * reference the caller releases); Graph rate-limit codes (4, 17, 32, 613, 80007, 130429,
 * 131048, 131056), HTTP 429, 5xx and transport errors are CHAN_RETRY; any other error is
 * CHAN_FAILED with the platform's message. NULL unless sent. */
json_t *chan__meta_post(const struct chan__meta *m, const char *path, const char *body,
                        struct chan_send_result *res);

/* How a Graph call ended, for callers that answer people rather than retry (the template
 * list): the HTTP status (0: no answer), Graph's error.code, and whether it was a rate limit
 * or a timeout. */
struct chan__meta_answer {
    long status;
    long long code;
    bool rate_limited;
    bool timed_out;
};
/* chan__meta_post with any 'method' ("GET": 'body' NULL, 'path' may carry a query string);
 * 'how' (may be NULL) says how it ended. */
json_t *chan__meta_request(const struct chan__meta *m, const char *method, const char *path,
                           const char *body, struct chan_send_result *res,
                           struct chan__meta_answer *how);

/* chan_ops.send for Messenger and Instagram ('page_id' channels): a private conversation gets
 * a DM through "<page_id>/messages" (with "messaging_type":"RESPONSE" when 'messaging_type'),
 * a public one a reply under its latest comment through "<comment id>/<comment_edge>"
 * ("comments" on Facebook, "replies" on Instagram). */
void chan__meta_send_page(const struct channel *ch, const struct outbox_item *item,
                          struct chan_send_result *res, const char *comment_edge,
                          bool messaging_type);
/* chan_ops.private_reply for Messenger and Instagram: Meta's private reply,
 * {"recipient":{"comment_id":...}} to "<page_id>/messages"; 'dm_thread' becomes
 * "dm:<recipient id>", the thread key the customer's DMs get from chan__meta_messaging. */
int chan__meta_private_reply(const struct channel *ch, const struct outbox_item *item,
                             struct chan_send_result *res, char *dm_thread, size_t n);

/* ---- end Meta ------------------------------------------------------------------------------ */

/* ---- Telegram, X, SMS (Twilio) and email: shared helpers (chan_kit.c) -------------------- */

struct arena;
struct buf;
struct fetch_response;

/* One setting of a channel type, for chan__settings_check. */
struct chan__field {
    const char *name;
    bool required;       /* must be present (unless 'def' fills it) */
    const char *def;     /* default value, or NULL */
    const char *schemes; /* a URL with one of these schemes ("http,https"), or NULL: any text */
    const char *charset; /* allowed bytes, or NULL: any UTF-8 */
    size_t max;          /* longest value in bytes; 0: 2000 */
    bool flag;           /* a boolean: JSON true/false or the strings "true"/"false" */
    const char *userinfo_hint; /* appended to the refusal of user:password@ in a URL */
};

/* Whether the URL 'url' carries credentials ("scheme://user:password@host..."): settings are
 * shown to agents, so no URL setting may hold them. False for NULL or a string without "://". */
bool chan__url_userinfo(const char *url);
/* Whether the host of 'url' is this machine: localhost, ::1 or 127.x.y.z (dotted decimal).
 * False for NULL, no "://" or credentials in the URL. */
bool chan__url_loopback(const char *url);

/* Checks 'settings' (JSON object text, may be NULL) against 'fields': unknown keys, wrong
 * types, bad URLs (or URLs holding user:password@) and missing required keys are ERR_INVAL
 * with a reason naming the key.
 * Defaults are filled in and trailing slashes cut from URLs. Returns malloc'd compact JSON
 * (sorted keys) in '*out'. 'type' names the channel type in messages. */
int chan__settings_check(const char *settings, const char *type, const struct chan__field *fields,
                         size_t nfields, char **out, struct errmsg *em);
/* The string setting 'name' of 'ch', copied into 'ar', or NULL when absent. */
const char *chan__setting(const struct channel *ch, struct arena *ar, const char *name);
/* base64 HMAC of 'msg' keyed by the NUL-terminated 'key'; 'md' is "sha1" or "sha256". 'out'
 * holds at least 45 bytes. */
void chan__hmac_b64(const char *md, const char *key, struct str msg, char *out, size_t outlen);
/* base64 of 'n' bytes at 'p' into 'out' (4 * ceil(n / 3) + 1 bytes). */
void chan__b64(const void *p, size_t n, char *out, size_t outlen);
/* Constant-time equality of two NUL-terminated strings (the length is not secret). NULL is
 * never equal. */
bool chan__ct_streq(const char *got, const char *want);
/* Appends "name=value" form-urlencoded to 'b', with '&' when 'b' is not empty. */
void chan__form_add(struct buf *b, const char *name, const char *value);

/* One decoded application/x-www-form-urlencoded parameter; strings are NUL-terminated. */
struct chan__pair {
    struct str name, value;
};
/* Decodes a form body into pairs (in 'ar') sorted by name, then value, in byte order.
 * Returns the count, or ERR_INVAL for a bad escape or more than 1000 pairs. */
ssize_t chan__form_parse(struct arena *ar, struct str body, struct chan__pair **out);
/* The first value of 'name' in a sorted pair list, or NULL. */
const char *chan__form_get(const struct chan__pair *v, size_t n, const char *name);

/* Fills 'res' from a fetch_do outcome: 2xx CHAN_SENT (returns true); no answer, 408, 429 and
 * 5xx CHAN_RETRY with Retry-After; any other answer CHAN_FAILED. 'platform' names the
 * platform in the reason, which adapters may overwrite with the platform's own words. */
bool chan__http_outcome(int rc, const struct fetch_response *resp, const char *platform,
                        struct chan_send_result *res);

/* Whether 'token' (NUL-terminated, may be NULL) is a crc_token X's CRC may be answered for:
 * 1..96 bytes of [A-Za-z0-9+/=_-], which can never be a JSON webhook body (chan_x.c says why;
 * exposed for fuzzing). */
bool chan__x_crc_token_ok(const char *token);

/* Parses one raw RFC 5322 message (IMAP UID 'uid', used as the id when it has no Message-ID)
 * into 'in' for channel 'ch', strings in 'ar' (chan_email.c; exposed for tests and fuzzing).
 * 0, or ERR_INVAL when it has no usable From address. */
int chan__email_parse(const struct channel *ch, struct arena *ar, struct str raw, uint64_t uid,
                      struct inbound *in);

/* ---- end Telegram, X, SMS, email ----------------------------------------------------------- */

/* ---- Bluesky (chan_bluesky.c) ------------------------------------------------------------ */

/* A link or an @mention found in a post's text, as UTF-8 byte offsets [start, end): the
 * byteStart/byteEnd of its facet. A mention span includes the '@'. */
struct chan__bsky_span {
    bool link; /* true: an http(s) link; false: an @handle */
    size_t start, end;
};
/* Finds links (http:// or https:// at a word start, trailing sentence punctuation excluded)
 * and @handles (domain names: letters, digits, '-', at least one '.') in 't', at most 'max'.
 * Returns the count (exposed for tests). */
ssize_t chan__bsky_spans(struct str t, struct chan__bsky_span *out, size_t max);

/* ---- end Bluesky ------------------------------------------------------------------------- */

#endif
