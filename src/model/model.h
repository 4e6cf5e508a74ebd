/* SPDX-License-Identifier: MIT */
/*
 * model.h - Hark's domain structs, their validation and their JSON codec.
 *
 * The structs are plain values filled by the store. Every string field is borrowed: it points
 * into the arena the struct was read into, or into the caller's input for structs a caller
 * builds; none is freed through the struct. Times are int64 milliseconds since the epoch,
 * 0 meaning "not set". An id of 0 means "none" (ids start at 1).
 *
 * The codec (codec.c) turns structs into jansson objects for the API and for events. Ownership
 * rule, stated once: every codec_* function returns a NEW json_t reference that the caller
 * owns (hand it to json_object_set_new/json_array_append_new, which steal it). Arguments are
 * borrowed. This header does not include <jansson.h>; json_t is declared opaquely.
 */
#ifndef HARK_MODEL_H
#define HARK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* Size limits on text that enters Hark from outside. */
#define MODEL_TEXT_MAX 16384   /* message text, bytes */
#define MODEL_NAME_MAX 200     /* names, handles, labels, bytes */
#define MODEL_EXTID_MAX 256    /* platform ids, bytes */
#define MODEL_NOTES_MAX 8192   /* contact notes, bytes */
#define MODEL_LABELS_MAX 32    /* labels per conversation */
#define MODEL_PREVIEW_MAX 160  /* conversation preview, bytes */

struct identity {
    int64_t id;
    int64_t contact_id;
    const char *channel_type; /* "api", "whatsapp", ... */
    const char *platform_id;  /* the platform's user id */
    const char *handle;       /* @handle, phone or address; may be NULL */
    const char *name;         /* name as the platform gave it; may be NULL */
};

struct contact {
    int64_t id;
    const char *name;
    const char *email;      /* may be NULL */
    const char *phone;      /* may be NULL */
    const char *locale;     /* may be NULL */
    const char *location;   /* may be NULL */
    const char *tags;       /* JSON array text */
    const char *notes;
    const char *attributes; /* JSON object text */
    const char *status;     /* prospect, customer, advocate, blocked */
    int64_t created_at, updated_at;
    /* While blocked (status "blocked"): when, by whom (0: an API token, or blocked before
     * reasons were kept), that agent's display name (NULL: none) and why (NULL: not kept). */
    int64_t blocked_at;
    int64_t blocked_by;
    const char *blocked_by_name;
    const char *blocked_reason;
    int64_t merged_into;    /* the contact this one was merged into; 0: none */
    struct identity *ids;   /* identities, when read with them */
    size_t nids;
};

struct channel {
    int64_t id;
    const char *type;     /* "api", ... */
    const char *name;
    const char *secret;   /* signing secret; never returned by the API after creation */
    const char *settings; /* JSON object text */
    bool enabled;         /* false: webhooks and polls are refused, the conversations stay */
    int64_t created_at;
};

struct agent {
    int64_t id;
    const char *email;
    const char *password_hash; /* argon2id encoded; only filled for login */
    const char *name;          /* full name (internal) */
    const char *display_name;  /* what customers see */
    const char *avatar_url;
    const char *bio;
    const char *role;          /* "admin", "supervisor", "agent" or "store_staff" */
    int64_t created_at;
    int64_t disabled_at;       /* ms since epoch; 0: active (may log in) */
    bool password_set;         /* false: invited, no password chosen yet */
};

struct conv {
    int64_t id;
    int64_t channel_id;
    int64_t contact_id;
    int64_t assignee_id; /* 0: unassigned */
    const char *status;  /* open, pending, snoozed, resolved */
    bool public;
    int priority;
    const char *labels;  /* JSON array text */
    const char *intent;  /* may be NULL until triage */
    const char *sentiment;
    int urgency;         /* -1: not triaged */
    int64_t snooze_until;
    const char *resolution_reason; /* may be NULL */
    const char *preview;
    int64_t unread;
    int64_t message_count;
    int64_t last_message_at, created_at, updated_at;
    int64_t last_inbound_at;   /* the customer's last message; 0 when none */
    const char *store;         /* the store it belongs to (contact, channel or text); NULL */
    int64_t linked_id;         /* the other half of a public-to-private case; 0: none */
    bool blocked;              /* its contact is blocked: hidden from the queues, no clocks */
    const char *match_field;   /* search results: "message", "name", "handle", "email", "phone" */
    const char *match;         /* its text, each hit between \x02 and \x03; NULL: not searched */
    const char *contact_name;  /* joined for lists */
    const char *channel_type;  /* joined for lists */
    const char *channel_name;  /* joined for lists */
};

struct msg {
    int64_t id;
    int64_t conversation_id;
    int64_t channel_id;
    const char *direction; /* "in" or "out" */
    const char *kind;      /* "message", "note" or "event" */
    const char *text;
    int64_t author_agent_id; /* 0 for customers */
    const char *author_name; /* contact's or agent's display name; joined */
    const char *external_id; /* may be NULL */
    const char *reply_to;    /* may be NULL */
    bool public;
    const char *status; /* received, queued, sent, failed, none */
    const char *error;  /* delivery failure reason; may be NULL */
    const char *lang, *intent, *sentiment, *urgency_reasons; /* triage; may be NULL */
    double intent_conf, sentiment_score;
    int urgency; /* -1: not triaged */
    int64_t created_at, sent_at;
    bool bot; /* written by the FAQ bot (an answer or a handoff note), not by a person */
};

/* A normalized inbound message, as a channel adapter parses it from a platform payload. All
 * slices borrow the request body or arena. */
struct inbound {
    int64_t channel_id;
    const char *channel_type;
    struct str external_id; /* platform message id: the dedupe key */
    struct str from_id;     /* platform user id */
    struct str from_name;
    struct str from_handle;
    struct str text;
    struct str thread_id;   /* may be empty */
    struct str reply_to;    /* may be empty */
    bool public;
    int64_t created_at;     /* 0: now */
    /* Triage results; 'lang' NULL means not triaged. */
    const char *lang, *intent, *sentiment, *urgency_reasons;
    double intent_conf, sentiment_score;
    int urgency;
    /* How sure the models were (the "review triage" queue): each margin is the chosen class's
     * probability minus the best other class's; 'has_margins' false when unknown. */
    bool has_margins;
    double intent_margin, sentiment_conf, sentiment_margin;
    /* A tapped survey button (WhatsApp reply, Messenger quick reply, Telegram callback): its
     * id "hark-csat:<survey id>:<score>" (MODEL_SURVEY_PREFIX); empty for other messages. */
    struct str survey;
};
#define MODEL_SURVEY_PREFIX "hark-csat:"

/* 's' when it is a survey button id (MODEL_SURVEY_PREFIX ...), else STR_NULL. */
static inline struct str
model_survey_id(struct str s)
{
    size_t n = sizeof(MODEL_SURVEY_PREFIX) - 1;
    if (s.len > n && s.len < 64 && memcmp(s.p, MODEL_SURVEY_PREFIX, n) == 0)
        return s;
    return (struct str){ 0 };
}

/* A reply waiting in the outbox, as the store hands it to a channel adapter for delivery. All
 * strings borrow the arena of the job that read it. */
struct outbox_item {
    int64_t message_id;
    int64_t channel_id;
    int64_t conversation_id;
    const char *idempotency_key;
    int attempts;
    const char *text;
    const char *reply_to;     /* the last inbound external id, if any */
    const char *recipient;    /* the contact's platform id on this channel */
    const char *thread_key;   /* the conversation's thread key, if any */
    bool public;              /* a public thread (comment, mention), not a private message */
    const char *payload;      /* platform-specific JSON for this reply (a WhatsApp template,
                                 store_reply_payload), or NULL for plain text */
};

/* One stored public post. Triage fields are NULL (and urgency -1) when untriaged. */
struct mention {
    int64_t id;
    const char *platform;     /* "bluesky", "mastodon", ... */
    const char *external_id;  /* the platform's post id (at:// URI, status URI, ...) */
    const char *author_handle;
    const char *author_name;  /* may be NULL */
    const char *text;
    const char *lang;         /* may be NULL */
    const char *url;          /* may be NULL */
    int64_t created_at;       /* when the author wrote it, ms; the arrival time when unknown */
    const char *intent, *sentiment, *urgency_reasons;
    double intent_conf, sentiment_score;
    int urgency;
    bool addressed_to_brand;  /* the post @mentions one of the brand's handles */
    bool opportunity;         /* complaint or purchase intent not addressed to the brand */
    int64_t conversation_id;  /* 0 until converted into a care conversation */
    int64_t received_at;      /* when Hark stored it, ms */
    int64_t author_followers; /* the author's reach where the source says; -1 unknown */
    int64_t dismissed_at;     /* when an agent set it aside, ms; 0 not dismissed */
    const int64_t *query_ids; /* ids of the queries it matched, ascending */
    size_t nqueries;
};

/* A spike alert of social listening: a query's volume or negative share above its baseline. */
struct spike_alert_row {
    int64_t id;
    int64_t query_id;
    const char *kind; /* "volume" or "negative" */
    int64_t window_start, window_end; /* ms */
    int64_t volume;
    double baseline, negative_share, baseline_negative_share;
    const char *posts; /* JSON array of platform post ids */
    int64_t created_at;
};

/* A routing decision as the conversation.routed event carries it. */
struct routed {
    int64_t conversation_id;
    int64_t team_id, agent_id, rule_id; /* 0: none; agent 0 means queued */
    const char *strategy, *reason;      /* NULL reads "" */
    int escalation;                     /* 0: first routing; >0: escalation level */
};

/* Validation. Each returns true when 's' is an accepted value. */
bool model_conv_status_valid(struct str s);
bool model_contact_status_valid(struct str s);
/* An API token's role: admin or agent. */
bool model_role_valid(struct str s);
/* An agent's role: admin, supervisor, agent or store_staff. */
bool model_agent_role_valid(struct str s);
/* A label: 1..MODEL_NAME_MAX bytes of valid UTF-8 without control characters or commas. */
bool model_label_valid(struct str s);

/* Copies the first bytes of 's' (at most 'max', cut at a UTF-8 boundary, newlines turned into
 * spaces) into 'out', which holds max+1 bytes. */
void model_preview(struct str s, char *out, size_t max);
/* Order references in a customer's text, for contact merge suggestions: "#12345", "order
 * 12345", "order no. 12345", "order #12345" (also Bestellung, commande, pedido, ordine), any
 * case; the reference is its 4..12 digits. Fills at most 'max' distinct ones (NUL-terminated)
 * and returns how many. */
#define MODEL_ORDER_REF_MAX 12
#define MODEL_ORDER_REFS_PER_MESSAGE 4
size_t model_order_refs(struct str text, char (*out)[MODEL_ORDER_REF_MAX + 1], size_t max);

typedef struct json_t json_t;

/* Encoders; see the ownership rule above. */
json_t *codec_conv(const struct conv *c);
json_t *codec_msg(const struct msg *m);
json_t *codec_contact(const struct contact *c);
/* The contact's block: {at, by_agent_id, by_name, reason}, or JSON null when not blocked. */
json_t *codec_contact_block(const struct contact *c);
json_t *codec_identity(const struct identity *i);
/* 'private' adds email and role (for agents and admins); public profiles omit them. */
json_t *codec_agent(const struct agent *a, bool private);
/* Never includes the secret; settings that are credentials ("*_secret", "*_token",
 * "password") read "********". */
json_t *codec_channel(const struct channel *ch);
/* Parses JSON text stored by Hark; returns a new reference, or an empty array/object when
 * 'text' is NULL or malformed. */
json_t *codec_parse_array(const char *text);
json_t *codec_parse_object(const char *text);
/* A time as an RFC 3339 string, or JSON null for 0. */
json_t *codec_time(int64_t ms);
/* A mention and a spike alert as the API shows them; NULL when a string is not valid UTF-8
 * or memory ran out (a field is never left out silently). */
json_t *codec_mention(const struct mention *m);
json_t *codec_spike(const struct spike_alert_row *a);

/* Event payloads, every one built here. Each returns malloc'd compact JSON text (free it), or
 * NULL when it cannot be encoded: the caller then fails its job, never storing a cut or empty
 * event. Times are RFC 3339 strings or null, ids are integers.
 *   conversation.created/updated  {"conversation":{codec_conv}}            codec_event_conv
 *   message.created/updated       {"message":{codec_msg},"conversation":{codec_conv}}
 *                                 ('c' NULL leaves "conversation" out)   codec_event_msg
 *   contact.updated               {"contact_id":N} (clients refetch)     codec_event_contact
 *   triage.model                  {"kind":"intent"|"sentiment","id":N}: a model version was
 *                                 added or made live (admins refetch)   codec_event_triage_model
 *   agent.updated                 {"agent":{"id":N,"availability":S}}
 *                                                          codec_event_agent_availability
 *   conversation.routed           {"conversation_id","team_id","agent_id","rule_id" (0: none),
 *                                  "strategy","reason" (strings),"queued" (no agent),
 *                                  "escalation" (level)}                 codec_event_routed
 *   sla.updated                   {"conversation_id","paused","first_response_due",
 *                                  "next_response_due","resolution_due" (time or null)}
 *                                                                        codec_event_sla
 *   sla.warning/sla.breached, snooze.woke
 *                                 {"conversation_id","kind" ("warning", "breach", "woke"),
 *                                  "clock" ("first_response", "next_response", "resolution",
 *                                  "snooze"),"due_at" (time or null)}    codec_event_sla_timer
 *   mention.created               codec_mention                          codec_event_mention
 *   listening.spike               codec_spike, the three ratios rounded to 3 decimals
 *                                                                        codec_event_spike
 *   settings.changed              {"area","id" (the resource; null: none),"action",
 *                                  "actor":{"id" (agent; null: none),"name"}}
 *                                                                        codec_event_settings
 *   audit.recorded                {"id" (the audit entry),"action"}      codec_event_audit
 *   callback.updated              {"callback_id","conversation_id","agent_id" (null: none)}: a
 *                                 callback was asked for or marked done  codec_event_callback */
char *codec_event_conv(const struct conv *c);
char *codec_event_msg(const struct msg *m, const struct conv *c);
char *codec_event_contact(int64_t contact_id);
char *codec_event_triage_model(const char *kind, int64_t id);
char *codec_event_agent_availability(int64_t agent_id, const char *availability);
char *codec_event_routed(const struct routed *r);
char *codec_event_sla(int64_t conv_id, bool paused, int64_t first_due, int64_t next_due,
                      int64_t resolve_due);
char *codec_event_sla_timer(int64_t conv_id, const char *kind, const char *clock, int64_t due);
char *codec_event_mention(const struct mention *m);
char *codec_event_spike(const struct spike_alert_row *a);
char *codec_event_settings(const char *area, int64_t id, const char *action, int64_t actor_id,
                           const char *actor_name);
char *codec_event_audit(int64_t audit_id, const char *action);
char *codec_event_callback(int64_t callback_id, int64_t conv_id, int64_t agent_id);
/* Serializes compactly; returns a malloc'd string the caller frees. */
char *codec_dump(const json_t *j, size_t *len);

#endif
