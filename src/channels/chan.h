/* SPDX-License-Identifier: MIT */
/*
 * chan.h - the channel adapter interface: one platform per file behind struct chan_ops.
 *
 * An adapter verifies a webhook's signature on the raw body (constant-time, before anything
 * is parsed or stored), parses the platform payload into normalized inbound messages, and
 * delivers an agent's reply in the platform's API shape. Adapters never see HTTP-server types:
 * api/hooks.c hands them the raw bytes and a header lookup. All functions are thread-safe.
 */
#ifndef HARK_CHAN_H
#define HARK_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/str.h"
#include "model/model.h"

struct arena;
struct outbox_item;

/* A webhook request as the adapter sees it. */
struct chan_hook {
    const char *method;       /* "POST" or "GET" */
    struct str body;          /* raw bytes, exactly as received */
    /* Returns the named header's value (case-insensitive), or NULL. */
    const char *(*header)(void *ctx, const char *name);
    /* Returns the named query-string argument (decoded), or NULL. May be NULL itself. */
    const char *(*query)(void *ctx, const char *name);
    void *ctx;
    /* The public URL the platform called: the webhook_url shown for the channel. Signatures
     * that cover the URL (Twilio) are checked against it. May be NULL. */
    const char *url;
};

/* How a delivery attempt ended. */
enum chan_send_state {
    CHAN_SENT,      /* delivered */
    CHAN_RETRY,     /* transient (network, 5xx, 429): try again later */
    CHAN_FAILED,    /* permanent: show 'error' to the agent */
};

struct chan_send_result {
    enum chan_send_state state;
    int64_t retry_after_ms; /* platform's requested wait, -1 when none */
    char error[256];        /* reason shown to agents; never contains secrets */
    /* Filled by adapters that learn them; empty otherwise. */
    char external_id[MODEL_EXTID_MAX]; /* the platform's id for the sent message */
    char recipient_id[MODEL_EXTID_MAX]; /* the customer's platform id it went to */
};

/* What a platform's GET verification handshake answers (Meta's hub.challenge, X's CRC). */
struct chan_handshake {
    char content_type[64];
    char body[512];
    size_t len;
};

struct chan_ops {
    const char *type; /* "api", ... */
    size_t max_text;        /* longest reply the platform takes, in chan_text_unit() units;
                               0: no limit of its own (MODEL_TEXT_MAX bytes) */
    int64_t reply_window_ms; /* free-form replies allowed this long after the customer's last
                                message (WhatsApp, Messenger: 24 h); 0: no window */
    /* Optional: the 200 answering an accepted webhook, instead of Hark's JSON result (Twilio
     * wants TwiML). NULL: JSON. */
    const char *ack_type, *ack_body;
    /* Checks and normalizes 'settings' (a JSON object text, may be NULL) for a new channel.
     * Returns malloc'd normalized JSON text in '*out', or ERR_INVAL with a reason in 'em'. */
    int (*settings)(const char *settings, char **out, struct errmsg *em);
    /* Verifies the request signature with the channel secret. 0, or ERR_AUTH. NULL (with
     * 'parse' NULL) for pull-only platforms that take no webhooks (Bluesky, Mastodon). */
    int (*verify)(const struct channel *ch, const struct chan_hook *hook);
    /* Parses the body into at most 'max' messages (strings copied into 'ar').
     * Returns the count, or ERR_INVAL with a reason in 'em'. */
    ssize_t (*parse)(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
                     struct inbound *out, size_t max, struct errmsg *em);
    /* Delivers one reply. Never returns an error: the outcome is in 'res'. */
    void (*send)(const struct channel *ch, const struct outbox_item *item,
                 struct chan_send_result *res);
    /* Optional (NULL: GET /hooks/{id} answers 404): answers the platform's GET verification
     * ('hook->query' gives e.g. "hub.challenge" or "crc_token"). 0 and '*out' filled, or
     * ERR_AUTH when the verify token or signature is wrong. */
    int (*handshake)(const struct channel *ch, const struct chan_hook *hook,
                     struct chan_handshake *out);
    /* Optional (NULL: push only): fetches new inbound messages for pull platforms (IMAP).
     * Called from a background poller; returns the count written to 'out' (strings in 'ar'),
     * or ERR_UPSTREAM/ERR_TIMEOUT with a reason in 'em'. 'cursor' is the adapter's own resume
     * state (e.g. the last IMAP UID), read and updated in place, at most 256 bytes. */
    ssize_t (*poll)(const struct channel *ch, char *cursor, size_t cursor_len, struct arena *ar,
                    struct inbound *out, size_t max, struct errmsg *em);
    /* Optional (NULL: POST .../private-reply answers 422): moves a public thread to private.
     * Sends 'item->text' privately to the author of the public comment or post
     * 'item->reply_to' in the public thread 'item->thread_key' (Meta: a private reply to the
     * comment; X: a DM to 'item->recipient'). The outcome is in 'res' as for send; the return
     * value is 0 for CHAN_SENT, else ERR_UPSTREAM. When sent it writes into 'dm_thread' ('n'
     * bytes) the thread key the private conversation gets, which must equal the
     * inbound.thread_id 'parse' gives the customer's later DMs, so they land in it; and it
     * fills res->recipient_id (the customer's platform id in DMs) and, when known,
     * res->external_id. Hark then links the two conversations as one case. */
    int (*private_reply)(const struct channel *ch, const struct outbox_item *item,
                         struct chan_send_result *res, char *dm_thread, size_t n);
    /* Optional (NULL: nothing to do): acknowledges the tapped button of an inbound message
     * whose 'survey' 'parse' filled ('external_id' is that message's), showing 'text' to the
     * customer as a short notice, so the platform stops showing the tap as in progress
     * (Telegram's answerCallbackQuery). Best effort, with a short timeout: an error changes
     * nothing stored. */
    void (*tap_ack)(const struct channel *ch, struct str external_id, const char *text);
};

/* The adapter for 'type', or NULL when Hark has none. */
const struct chan_ops *chan_find(const char *type);

/* The unit the platform counts a reply's length in (its max_text unit): "x_weighted" (X:
 * twitter-text weights, links 23), "graphemes" (Bluesky) or "chars" (code points). 'ops' may be NULL. */
const char *chan_text_unit(const struct chan_ops *ops);
/* The graphemes of 'text' (Bluesky's unit: an emoji with skin tone, a flag, a ZWJ sequence or
 * a letter with combining marks counts one). */
size_t chan_graphemes(struct str text);
/* The length of 'text' (any bytes; bad UTF-8 counts one per byte) in chan_text_unit(ops). */
size_t chan_text_len(const struct chan_ops *ops, struct str text);

/* Hex HMAC-SHA256 of 'body' keyed by 'secret' into 'out' (65 bytes). */
void chan_hmac_hex(const char *secret, struct str body, char out[65]);
/* Compares a "sha256=<hex>" signature header value against 'body' in constant time. */
bool chan_signature_ok(const char *secret, struct str body, const char *header);

/* ---- WhatsApp message templates (chan_wa_templates.c) ------------------------------------ */

struct buf;
struct json_t;

#define CHAN_WA_TPL_MAX 200   /* templates kept from one business account */
#define CHAN_WA_TPL_PAGES 10  /* Graph pages read at most */
#define CHAN_WA_TPL_PARAMS 20 /* blanks in one text at most */
#define CHAN_WA_BLANK_NAME 64 /* a blank's name, including the NUL */

/* Reads the APPROVED message templates of the WhatsApp Business Account named by the
 * channel's business_account_id setting: Graph GET <api_base>/<id>/message_templates,
 * following paging.cursors.after. On success '*out' is a new JSON array of templates as
 * docs/api.md shows them (name, language, category, header, body, params, ...). Errors, with
 * Graph's reason in 'em': ERR_INVAL not a WhatsApp channel or settings incomplete;
 * ERR_CONFLICT no business_account_id; ERR_AUTH the token was refused (code 190); ERR_PERM
 * the token may not read templates; ERR_BUSY rate limited; ERR_TIMEOUT; ERR_UNAVAIL Graph
 * unreachable or failing (5xx); ERR_NOTFOUND Graph does not know the account (code 100);
 * ERR_UPSTREAM any other refusal or an answer not shaped as documented. */
int chan_wa_templates(const struct channel *ch, struct json_t **out, struct errmsg *em);

/* The blanks of a template text in order of first appearance: "{{1}}" gives "1",
 * "{{first_name}}" gives "first_name" (letters, digits and '_'). A repeated blank counts
 * once. Returns the count, or -1 when 'text' has more than 'max' distinct blanks. */
ssize_t chan_wa_blanks(struct str text, char (*names)[CHAN_WA_BLANK_NAME], size_t max);
/* Appends 'text' to 'out' with each blank names[i] replaced by values[i] (n of them). The
 * values are copied as they are and never read for blanks themselves; a blank without a
 * value stays as written. */
void chan_wa_fill(struct str text, const char (*names)[CHAN_WA_BLANK_NAME],
                  const struct str *values, size_t n, struct buf *out);

/* ---- web chat visitors (chan_webchat.c) ------------------------------------------------- */

/* A web chat visitor is known only by a random id that Hark signs: the token is
 * "<id>.<hex HMAC-SHA256(channel secret, "hark-webchat-v1:<channel id>:<id>")>", kept by the
 * visitor's browser. Only Hark can mint one, and a token minted for one channel is worthless on
 * another. The id is the visitor's platform id (identity channel_type "webchat"). The widget
 * sends the token in the X-Hark-Visitor header (or ?token= where a header cannot be set). */
#define CHAN_VISITOR_ID_LEN 32     /* hex characters */
#define CHAN_VISITOR_TOKEN_MAX 128 /* buffer size for a token, including the NUL */

/* Makes a fresh visitor id ('id', CHAN_VISITOR_ID_LEN + 1 bytes) and its token ('token',
 * CHAN_VISITOR_TOKEN_MAX bytes) for channel 'ch'. */
void chan_webchat_new_visitor(const struct channel *ch, char *id, char *token);
/* Checks 'token' for channel 'ch' in constant time; on success writes the visitor id into 'id'
 * (CHAN_VISITOR_ID_LEN + 1 bytes) and returns 0, else ERR_AUTH. */
int chan_webchat_visitor(const struct channel *ch, const char *token, char *id);

#endif
