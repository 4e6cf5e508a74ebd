/* SPDX-License-Identifier: MIT */
/*
 * store.h - Hark's persistent state: the one interface every caller uses.
 *
 * store_open() dispatches on the URL scheme ("sqlite:PATH", or a bare path; a PostgreSQL
 * backend will answer "postgres://" behind this same header). No database type ever appears
 * here, so callers do not change when a backend is added.
 *
 * Writes are serialized through ONE writer thread that group-commits: every write call queues
 * a job and, unless documented as asynchronous, waits until the batch holding it is durable
 * (SQLite WAL with synchronous=FULL: one fsync per batch). Each job runs in its own savepoint,
 * so a failing job never takes its batch-mates down. Events a job creates are persisted in the
 * same transaction and published to the hub, in sequence order, after the commit.
 *
 * Reads run on a per-thread read connection (WAL readers never block the writer) and return
 * structs whose strings live in the caller's arena.
 *
 * Errors: ERR_NOTFOUND (no such row), ERR_CONFLICT (unique violation), ERR_INVAL (bad
 * argument), ERR_BUSY (writer queue full), ERR_IO (database failure). All functions are
 * thread-safe.
 *
 * After the store as a whole (sqlite.c, writer.c, migrate.c), one section per file of
 * src/store/, each holding one table or one tight group of tables and named in its section
 * header; tests/unit/store/<file>_test.c tests each file through this header.
 */
#ifndef HARK_STORE_H
#define HARK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "model/model.h"

struct arena;
struct hub;
struct store;

struct store_config {
    const char *url;      /* "sqlite:/path/hark.db", a bare path, or ":memory:" */
    size_t queue_max;     /* writer queue limit; 0: 65536 */
    size_t batch_max;     /* jobs per group commit; 0: 1024 */
};

/* Opens the database, applies pending migrations (forward only, each in one transaction) and
 * starts the writer. Events are published to 'hub' (may be NULL). */
int store_open(const struct store_config *cfg, struct hub *hub, struct store **out,
               struct errmsg *em);
/* Drains the writer queue, stops the writer and closes every connection. NULL is a no-op.
 * Call only after every thread using the store has stopped. */
void store_close(struct store *st);

/* Newest persisted event sequence number (0 when none). */
int64_t store_last_event_seq(struct store *st);

/* Called by the writer thread after each COMMIT, once per event of the batch in sequence order
 * ('type' and 'data' are borrowed for the call). It must not block for long. */
typedef void store_publish_fn(void *arg, int64_t seq, const char *type, const char *data,
                              size_t len);
/* Makes the writer hand committed events to 'fn(arg, ...)' instead of hub_publish (the event
 * bus between instances, bus/bus.h); NULL: the hub again. Call before queuing writes. */
void store_set_publisher(struct store *st, store_publish_fn *fn, void *arg);

struct store_stats {
    size_t queue_depth;     /* jobs waiting for the writer */
    uint64_t batches;       /* group commits so far */
    uint64_t jobs;          /* jobs committed so far */
    uint64_t batch_hist[8]; /* batches of size 1, 2-3, 4-7, ..., >=128 */
    uint64_t batches_lost;  /* batches whose transaction failed as a whole (nothing acked) */
    uint64_t jobs_lost;     /* jobs failed with their batch */
    uint64_t probes;        /* probe writes while the store could not write */
    bool writable;          /* false from a failed write until a write succeeds again */
    int64_t unwritable_since; /* wall clock ms of the first failure, 0 when writable */
    uint64_t stmt_evictions; /* prepared statements evicted from a full statement cache */
};
/* A snapshot of the writer's counters and health. While the store cannot write (disk full,
 * I/O errors), the writer probes with a tiny write every second when idle, so 'writable'
 * comes back by itself once the disk does. */
void store_stats(struct store *st, struct store_stats *out);

/* A counter bumped after every committed change that may end a credential (a logout, an agent
 * disabled, a password set, a token revoked, the once-a-minute session expiry), together with a
 * wake of every hub subscriber: an open event stream compares it with the value at its last
 * check and, when it moved, checks its session or token again. */
uint64_t store_credentials_epoch(struct store *st);

/* Runs PRAGMA integrity_check; 0 when "ok". */
int store_check(struct store *st);

/* A list of strings parsed from a JSON array of strings (profiles, rules, contact tags). */
struct store_strs {
    const char **v;
    size_t n;
};

/* ---- backup and restore (st_backup.c) ------------------------------------------------------ */

/* Called now and then during a backup or restore with the work done and the total (bytes for
 * a backup, pages for a restore). */
typedef void store_progress_fn(void *arg, uint64_t done, uint64_t total);

/* Writes a consistent, compact copy of the store into the new file 'dest' (ERR_CONFLICT if it
 * exists) while the server may keep writing: one read snapshot, nothing blocked. */
int store_backup(struct store *st, const char *dest, store_progress_fn *fn, void *arg,
                 struct errmsg *em);
/* Replaces the SQLite database at 'url' with the backup 'src', after checking the backup
 * (intact, a Hark schema this binary knows). ERR_CONFLICT while another process has the
 * database open (a running server). Migrations newer than the backup run at the next open. */
int store_restore(const char *url, const char *src, store_progress_fn *fn, void *arg,
                  struct errmsg *em);

/* ---- copying SQLite into PostgreSQL (st_copy.c) ------------------------------------------ */

struct store_copy_table {
    const char *name;
    int64_t from_rows, to_rows; /* counted on both sides after the commit */
};
typedef void store_copy_fn(void *arg, const char *table, uint64_t done, uint64_t total);
/* Copies every row of 'from' (SQLite) into 'to' (PostgreSQL, empty: ERR_CONFLICT otherwise;
 * both opened, so both at the same schema version) in one PostgreSQL transaction, calling
 * 'fn' as rows go; then counts every table on both sides into '*out' (in 'ar'). All or
 * nothing: on failure nothing stays in 'to'. The PostgreSQL role needs to set
 * session_replication_role (triggers and foreign-key checks are off during the copy). */
int store_copy(struct store *from, struct store *to, struct arena *ar, store_copy_fn *fn,
               void *arg, struct store_copy_table **out, size_t *n, struct errmsg *em);

/* ---- inspection (st_inspect.c) ---------------------------------------------------------- */

struct store_health {
    bool intact;       /* PRAGMA quick_check said "ok" */
    char problem[256]; /* else its first line */
    int version;       /* the database's schema version (PRAGMA user_version; 0: empty) */
    int newest;        /* the newest schema this binary knows */
};
/* Looks at the SQLite database at 'url' read-only, without migrating it: opens it, runs
 * PRAGMA quick_check and reads its schema version. 0 with '*out' filled; ERR_NOTFOUND when it
 * cannot be opened (missing, unreadable), ERR_IO when it cannot be read, ERR_INVAL for a
 * non-SQLite URL; the reason in 'em'. */
int store_inspect(const char *url, struct store_health *out, struct errmsg *em);

/* ---- ingest (st_ingest.c) ------------------------------------------------------------------- */

struct ingest_result {
    int64_t message_id;
    int64_t conversation_id;
    int64_t contact_id;
    bool duplicate;        /* the external id was seen before: nothing was stored */
    bool new_conversation;
    bool reopened;         /* a resolved or snoozed conversation was reopened */
    bool blocked;          /* the contact is blocked: stored, and nothing else may follow (no
                            * routing, SLA clock, acknowledgement or alert) */
};

/* Stores one inbound message in one transaction: dedupe on (channel, external id), resolve
 * the contact by platform identity (creating it), thread into a conversation (thread_id, then
 * reply_to, then the contact's latest conversation on the channel; a resolved one reopens),
 * insert the message, update the conversation and write the events. Waits until durable. */
int store_ingest(struct store *st, const struct inbound *in, struct ingest_result *out);

/* ---- channels (st_channel.c) ---------------------------------------------------------------- */

int store_channel_add(struct store *st, const struct channel *ch, int64_t *id);
/* Includes the secret, for signature checks. */
int store_channel_get(struct store *st, struct arena *ar, int64_t id, struct channel *out);
/* Replaces a channel's settings (valid JSON object text). */
int store_channel_set_settings(struct store *st, int64_t id, const char *settings);
int store_channel_list(struct store *st, struct arena *ar, struct channel **out, size_t *n);

/* What an admin changes on a channel: NULL (or -1 for 'enabled') keeps the stored value.
 * 'settings' must already be normalized by the channel's adapter. */
struct store_channel_update {
    const char *name;
    const char *settings; /* JSON object text */
    const char *secret;   /* a new signing secret (rotation) */
    int enabled;          /* 0 or 1; -1: unchanged */
};
/* Updates channel 'id' in one transaction. ERR_NOTFOUND. */
int store_channel_update(struct store *st, int64_t id, const struct store_channel_update *u);
/* Deletes channel 'id' and its status. ERR_CONFLICT while any conversation or message belongs
 * to it (disable it instead), ERR_NOTFOUND. */
int store_channel_delete(struct store *st, int64_t id);

/* What Hark last heard from a channel's platform (times in ms, 0: never). 'day' is the UTC
 * day (days since 1970-01-01) that the two counts belong to. */
struct store_channel_status {
    int64_t channel_id;
    int64_t last_event_at, last_verify_at, last_error_at;
    const char *last_error; /* plain words; NULL: none */
    int64_t day, messages_today, errors_today;
};
/* The stored status of channel 'id' (strings in 'ar'). ERR_NOTFOUND when none was stored. */
int store_channel_status_get(struct store *st, struct arena *ar, int64_t id,
                             struct store_channel_status *out);
/* Writes 'n' statuses in one transaction (rows of deleted channels are skipped). */
int store_channel_status_put(struct store *st, const struct store_channel_status *v, size_t n);

/* ---- store-staff scope (st_conv.c) ---------------------------------------------------------- */

/* Which conversations a caller may see. Unless 'limited', all of them. A limited caller (store
 * staff) sees the conversations of 'store' (compared case-insensitively; NULL: no store) and
 * those assigned to 'agent_id', and nothing else: every read below that takes a scope applies
 * it in its query. A NULL scope is unlimited. */
struct store_scope {
    bool limited;
    const char *store;
    int64_t agent_id;
};
/* 0 when conversation 'conv_id' exists and 'sc' may see it; ERR_NOTFOUND when it does not
 * exist or is out of scope (the same answer, so existence is never revealed); ERR_IO. */
int store_conv_visible(struct store *st, const struct store_scope *sc, int64_t conv_id);
/* The same for message 'msg_id' (through its conversation). */
int store_msg_visible(struct store *st, const struct store_scope *sc, int64_t msg_id);
/* The same for contact 'contact_id': visible when it has a conversation 'sc' may see. */
int store_contact_visible(struct store *st, const struct store_scope *sc, int64_t contact_id);

/* ---- contacts (st_contact.c) ---------------------------------------------------------------- */

/* Contacts by id; a limited 'sc' lists only contacts with a conversation it may see. */
int store_contact_list(struct store *st, struct arena *ar, const struct store_scope *sc,
                       const char *q, int limit, int64_t after_id, struct contact **out,
                       size_t *n);
/* With identities. */
int store_contact_get(struct store *st, struct arena *ar, int64_t id, struct contact *out);
/* Updates the non-NULL fields of 'c' (name, email, phone, locale, location, tags, notes,
 * attributes, status); JSON fields must already be valid JSON text. Blocking goes through
 * store_contact_block, which also keeps who, when and why. */
int store_contact_update(struct store *st, int64_t id, const struct contact *c);
/* Blocks contact 'id' (status "blocked"; the status it had comes back on unblock), by agent
 * 'agent_id' (0: an API token) for 'reason' (required), in one transaction: the contact's
 * conversations leave the routing queue, nobody waits on their clocks (awaiting_since cleared,
 * recomputed without timers), the ones not resolved are unassigned. Their messages stay and
 * ingest keeps storing new ones (ingest_result.blocked). Writes contact.updated and
 * conversation.updated. ERR_NOTFOUND, ERR_CONFLICT when already blocked, ERR_INVAL without a
 * reason. */
int store_contact_block(struct store *st, int64_t id, int64_t agent_id, const char *reason);
/* Unblocks contact 'id': its earlier status comes back, and a conversation not resolved whose
 * last message is the customer's waits for an answer again from now. '*open_convs' (in 'ar')
 * are its open conversations, which the caller routes again. ERR_NOTFOUND, ERR_CONFLICT when
 * not blocked. */
int store_contact_unblock(struct store *st, struct arena *ar, int64_t id, int64_t **open_convs,
                          size_t *n);

/* ---- contact merges (st_merge.c) ----------------------------------------------------------- */

/* One reason to think two contacts are one person. 'kind': "email" (the same address, any
 * case, on the contact or an email identity), "phone" (the same digits, on the contact or a
 * WhatsApp/SMS identity), "name_location" (the same name and location, any case) or
 * "order_ref" (the same order reference in both one's messages); 'value' what matched. */
struct merge_evidence {
    const char *kind;
    const char *value;
};
struct merge_suggestion {
    struct contact contact; /* with identities */
    struct merge_evidence *ev;
    size_t nev;
};
#define STORE_MERGE_SUGGESTIONS_MAX 10
/* Contacts that may be contact 'id' (at most STORE_MERGE_SUGGESTIONS_MAX, the most evidence
 * first, then the lowest id), each found by an index lookup per piece of evidence (never a
 * scan): never itself, a contact merged into another, or a dismissed pair. An empty list for a
 * contact merged into another. ERR_NOTFOUND for an unknown contact. */
int store_merge_suggestions(struct store *st, struct arena *ar, int64_t id,
                            struct merge_suggestion **out, size_t *n);
/* Remembers that contacts 'a' and 'b' are not the same person (by 'agent_id', 0: a token):
 * they are never suggested together again. ERR_NOTFOUND, ERR_INVAL when a == b. */
int store_merge_dismiss(struct store *st, int64_t a, int64_t b, int64_t agent_id);

/* A merge, as recorded. 'filled' and 'before' are JSON objects (field: value) of the kept
 * contact's fields filled from the other's and what they were before; 'evidence' a JSON array
 * of {kind, value}. */
struct contact_merge {
    int64_t id;
    int64_t contact_id, other_id;       /* kept, merged into the kept one */
    const char *contact_name, *other_name;
    const char *evidence, *filled, *before;
    int64_t identities, conversations;  /* what moved (with conversations started since) */
    int64_t created_at, created_by;     /* created_by 0: an API token */
    const char *created_by_name;
    int64_t undone_at, undone_by;       /* undone_at 0: in force */
    const char *undone_by_name;
};
/* Why a merge or an undo is refused with ERR_CONFLICT. */
enum merge_conflict {
    MERGE_OK = 0,
    MERGE_ALREADY_MERGED, /* one of the two is merged into another contact */
    MERGE_BLOCKED,        /* one of the two is blocked and the other not */
    MERGE_UNDONE,         /* undo: already undone */
    MERGE_LATER,          /* undo: a later merge of the kept contact is in force */
};
/* Merges contact 'other_id' into contact 'id' in one transaction, by 'agent_id' (0: a token):
 * every identity and conversation of the other moves to 'id' (contact_fts follows through its
 * triggers); each of name, email, phone, locale, location, tags, notes and attributes that is
 * empty on 'id' ('' , '[]', '{}' or NULL) takes the other's value; the other stays as a row
 * with merged_into set (out of lists and suggestions). 'evidence' (JSON array text, NULL: [])
 * is kept with the merge. Writes contact.updated for both and conversation.updated for each
 * moved conversation. '*merge_id' gets the merge. ERR_NOTFOUND, ERR_INVAL (the same contact),
 * ERR_CONFLICT with '*why'. */
int store_contact_merge(struct store *st, int64_t id, int64_t other_id, int64_t agent_id,
                        const char *evidence, int64_t *merge_id, enum merge_conflict *why);
/* Undoes merge 'merge_id' exactly: its identities and conversations (and conversations one of
 * its identities started after the merge, with every message in them) go back to the other
 * contact, which is a contact of its own again; each filled field of the kept contact gets its
 * earlier value back unless it was changed since ('*kept_fields' (in 'ar'): a JSON array of
 * those left as they are). Conversations the kept contact's own identities started stay.
 * ERR_NOTFOUND, ERR_CONFLICT with '*why' (already undone; a later merge of the kept contact in
 * force; one of the two blocked and the other not). */
int store_contact_merge_undo(struct store *st, struct arena *ar, int64_t merge_id,
                             int64_t agent_id, const char **kept_fields,
                             enum merge_conflict *why);
int store_contact_merge_get(struct store *st, struct arena *ar, int64_t merge_id,
                            struct contact_merge *out);
/* The merges contact 'id' took part in (kept or merged), newest first, at most 50. */
int store_contact_merges(struct store *st, struct arena *ar, int64_t id,
                         struct contact_merge **out, size_t *n);

/* ---- conversations and their messages (st_conv.c) ------------------------------------------- */

struct conv_filter {
    const char *status;  /* NULL: any */
    int64_t assignee;    /* 0: any; -1: unassigned; else the agent id */
    int64_t channel_id;  /* 0: any */
    int64_t contact_id;  /* 0: any */
    const char *intent;  /* NULL: any */
    const char *sentiment;
    const char *label;
    bool by_urgency;     /* false: any; true: triaged with urgency_min <= urgency <= max */
    int urgency_min, urgency_max;
    const char *q;       /* search (st_search.c): each word must be in one message or in the
                          * contact (name, handles, email, phone); "word*" is a prefix; words
                          * without a letter or digit are ignored, and a q of only those is no
                          * filter */
    enum { CONV_UNBLOCKED = 0, CONV_BLOCKED, CONV_BLOCKED_ANY } blocked; /* conversations of
                          * blocked contacts: hidden (the default), only them, or both */
    bool oldest_first;
    bool by_relevance;   /* with q: best match first (else by the newest match) */
    int limit;           /* 1..200 */
    int64_t cursor_ts;   /* keyset cursor: last_message_at of the last item seen; 0: start. */
    int64_t cursor_id;   /* With q, opaque values from the previous page's next_ts/next_id. */
    int scan_max;        /* with q: matching messages one page may read; 0: 100,000 */
    const struct store_scope *scope; /* NULL: every conversation */
};

/* Lists conversations newest activity first (or oldest). On success '*next_ts'/'*next_id' are
 * the cursor for the next page, or 0 when this was the last page. With a q, the order is by the
 * newest matching message (a contact match counts as the conversation's newest message) or by
 * relevance, each item says what matched (conv.match_field, conv.match), and a page may hold
 * fewer than 'limit' items with a cursor when the search stopped at its scan bound. */
int store_conv_list(struct store *st, struct arena *ar, const struct conv_filter *f,
                    struct conv **out, size_t *n, int64_t *next_ts, int64_t *next_id);
int store_conv_get(struct store *st, struct arena *ar, int64_t id, struct conv *out);
/* Counts per view for the inbox: open conversations that are mine, unassigned, all open, and
 * resolved, none of a blocked contact; 'blocked': the blocked contacts' conversations that are
 * not resolved. */
struct conv_counts {
    int64_t mine, unassigned, open, resolved, blocked;
};
int store_conv_counts(struct store *st, int64_t agent_id, const struct store_scope *sc,
                      struct conv_counts *out);

/* Page sizes for a conversation's messages: the default and the largest a caller may ask. */
#define STORE_MSG_PAGE_DEFAULT 50
#define STORE_MSG_PAGE_MAX 200
/* One page of conversation 'conv_id''s messages, oldest first: the newest 'limit'
 * (1..STORE_MSG_PAGE_MAX) messages whose id is below 'before_id' (0: from the newest message).
 * '*next_before' is the 'before_id' of the next older page, or 0 when no older message exists,
 * so following it from 0 visits every message exactly once (ids only grow). Results live in
 * 'ar'. An unknown conversation gives an empty page. ERR_INVAL for a bad 'limit' or
 * 'before_id', ERR_IO on a read failure. Thread-safe (uses this thread's reader). */
int store_msg_list(struct store *st, struct arena *ar, int64_t conv_id, int64_t before_id,
                   int limit, struct msg **out, size_t *n, int64_t *next_before);
int store_msg_get(struct store *st, struct arena *ar, int64_t id, struct msg *out);

/* Adds an agent's reply (queued for delivery, with an outbox row carrying a fresh idempotency
 * key) or a private note (never delivered). Marks the conversation read. Writes events. */
int store_reply(struct store *st, int64_t conv_id, int64_t agent_id, struct str text,
                bool private_note, int64_t *msg_id);
/* The same, dated 'at' (ms; 0: now). For imports and the demo's history. */
int store_reply_at(struct store *st, int64_t conv_id, int64_t agent_id, struct str text,
                   bool private_note, int64_t at, int64_t *msg_id);
/* 'agent_id' 0 unassigns. ERR_NOTFOUND for an unknown conversation or agent. */
int store_conv_assign(struct store *st, int64_t conv_id, int64_t agent_id, int64_t actor_id);
int store_conv_set_status(struct store *st, int64_t conv_id, const char *status,
                          int64_t snooze_until, const char *reason, int64_t actor_id);
/* Adds then removes labels (arrays of valid labels). */
int store_conv_labels(struct store *st, int64_t conv_id, const struct str *add, size_t nadd,
                      const struct str *remove, size_t nremove);
int store_conv_mark_read(struct store *st, int64_t conv_id);

/* ---- platform messages: payloads, private replies, links (st_channel_msg.c) ----------------- */

/* store_reply for a reply that carries a platform-specific 'payload' (JSON object text, e.g.
 * {"template":{...}} for WhatsApp): 'text' is what agents see, the payload is handed to the
 * channel adapter as outbox_item.payload. Message, outbox row and payload are written in one
 * transaction. ERR_NOTFOUND for an unknown conversation. Waits until durable. */
int store_reply_payload(struct store *st, int64_t conv_id, int64_t agent_id, struct str text,
                        const char *payload, int64_t *msg_id);

/* A public thread moved to private (Meta's private reply to a comment, a DM on X). */
struct private_reply {
    int64_t public_conv_id;   /* the public conversation it started from */
    int64_t agent_id;         /* author; 0 for an API token */
    const char *recipient_id; /* the customer's platform id in DMs */
    const char *dm_thread;    /* the private conversation's thread key */
    struct str text;          /* what was sent */
    const char *external_id;  /* the platform's id for the sent message; may be NULL */
};
/* Records a private reply that the platform has accepted, in one transaction: the customer's
 * DM identity (added to the public conversation's contact when new), the private conversation
 * (found by 'dm_thread' or created), the sent message in it, an event message in the public
 * one, and the link both ways (linked_conversation_id). Writes events. ERR_NOTFOUND for an
 * unknown public conversation. */
int store_private_reply(struct store *st, const struct private_reply *pr, int64_t *dm_conv_id,
                        int64_t *msg_id);
/* Records the platform's id for a delivered reply 'msg_id' (outbound only; kept when one is
 * already set), so later quotes of it thread and agents see it. Asynchronous: returns at once
 * (ERR_BUSY when the writer queue is full). */
int store_msg_set_external_id(struct store *st, int64_t msg_id, const char *external_id);
/* The conversation's thread key (the platform's thread: post, DM or chat id) into 'ar', or
 * NULL when it has none. ERR_NOTFOUND for an unknown conversation. */
int store_conv_thread_key(struct store *st, struct arena *ar, int64_t conv_id,
                          const char **thread_key);

/* ---- triage corrections (st_triage.c) ------------------------------------------------------- */

/* Earlier inbound messages from the sender ('channel_type', 'platform_id') since 'since_ms',
 * counted up to 16 (the urgency rule needs no more; a chatty sender stays cheap); feeds the
 * "repeated contact" urgency rule. Returns the count, or ERR_*. */
int64_t store_sender_recent_inbound(struct store *st, const char *channel_type,
                                    struct str platform_id, int64_t since_ms);
/* Records an agent's correction of an inbound message's triage. NULL leaves a field as it is,
 * or with 'confirm' confirms its current label (the model was right: a row whose new_value is
 * its old_value, training data like a correction). Updates the message (and its
 * conversation's labels when it is the latest inbound message), keeps each label as training
 * data (the newest per message and field counts), and takes the message out of the review
 * queue. ERR_NOTFOUND for an unknown message, ERR_INVAL for an outbound one, ERR_CONFLICT for
 * a confirmation of a message without triage. Writes message.updated. */
int store_triage_correct(struct store *st, int64_t msg_id, int64_t agent_id, const char *intent,
                         const char *sentiment, bool confirm);

/* The "review triage" queue (active learning): inbound messages nobody has confirmed or
 * corrected, least sure first (message.review_margin: the smaller of the intent and sentiment
 * margins, rounded to 0.01), newest first among equally unsure. Leaves out messages 'agent_id'
 * skipped within STORE_TRIAGE_SKIP_MS of 'now_ms', those of blocked contacts or of contacts
 * with a conversation resolved as spam, and with a limited 'sc' other stores'. Text is cut to
 * STORE_TRIAGE_REVIEW_TEXT characters. At most 'limit' items. */
#define STORE_TRIAGE_SKIP_MS (7LL * 24 * 3600 * 1000)
#define STORE_TRIAGE_REVIEW_TEXT 1000
struct triage_review_item {
    int64_t msg_id, conversation_id, channel_id, created_at;
    const char *channel_type, *channel_name, *contact_name, *text, *lang, *intent, *sentiment;
    bool truncated; /* the text was longer than STORE_TRIAGE_REVIEW_TEXT characters */
    double intent_conf, intent_margin, sentiment_conf, sentiment_margin, sentiment_score;
    double margin;  /* review_margin */
};
int store_triage_review(struct store *st, struct arena *ar, const struct store_scope *sc,
                        int64_t agent_id, int64_t now_ms, int limit,
                        struct triage_review_item **out, size_t *n);
/* "Skip": inbound message 'msg_id' leaves agent 'agent_id''s review queue for
 * STORE_TRIAGE_SKIP_MS (no label is recorded). ERR_NOTFOUND, ERR_INVAL (outbound). */
int store_triage_skip(struct store *st, int64_t msg_id, int64_t agent_id);

struct triage_example {
    int64_t id;         /* correction id, for paging */
    int64_t msg_id;     /* the corrected message (the held-back split is by message) */
    int64_t created_at; /* when the label was corrected, ms */
    bool confirmed;     /* the agent confirmed the model's label rather than changed it */
    const char *label;  /* corrected value */
    const char *text;   /* the message text */
};
/* The current corrected labels for 'field' ("intent" or "sentiment"), one per message, with
 * correction id > 'after', oldest first. */
int store_triage_examples(struct store *st, struct arena *ar, const char *field, int64_t after,
                          size_t max, struct triage_example **out, size_t *n);

/* ---- triage model versions (st_triage_model.c) --------------------------------------------- */

struct triage_model_class {
    const char *label;
    double precision, recall, f1;
    int64_t support;
};
struct triage_model_scores {
    bool scored;               /* false: never scored (a shipped version, until compared) */
    double macro_f1, accuracy; /* on the held-back slice */
    size_t nclasses;
    struct triage_model_class *cls;
};
/* One version of a triage model (table triage_model). Strings borrowed from the arena. */
struct triage_model {
    int64_t id;
    const char *kind;   /* "intent" or "sentiment" */
    const char *source; /* "shipped" or "retrain" */
    const char *status; /* "live", "previous", "candidate" or "rejected" */
    const char *path;   /* the model file */
    int64_t created_at, activated_at; /* ms; activated_at 0: never live */
    int64_t trained_on, heldout;      /* corrections learnt from; held-back ones scored on */
    int64_t compared_with;            /* the live version it was scored against, or 0 */
    struct triage_model_scores cand;  /* this version's scores */
    struct triage_model_scores live;  /* the compared live version's, on the same slice */
};

/* Versions, newest first, with their scores; 'kind' NULL for every kind. */
int store_triage_model_list(struct store *st, struct arena *ar, const char *kind,
                            struct triage_model **out, size_t *n);
/* One version; ERR_NOTFOUND. */
int store_triage_model_get(struct store *st, struct arena *ar, int64_t id,
                           struct triage_model *out);
/* Records a new version 'm' (id, activated_at ignored) with its scores. When m->status is
 * "live" the kind's live version becomes "previous" in the same transaction. Writes
 * triage.model event. */
int store_triage_model_add(struct store *st, const struct triage_model *m, int64_t *id);
/* Makes version 'id' live and the kind's live one "previous". ERR_NOTFOUND. Writes
 * triage.model event. */
int store_triage_model_activate(struct store *st, int64_t id);
/* Deletes version 'id' and its scores (the caller removes the file). ERR_NOTFOUND. */
int store_triage_model_delete(struct store *st, int64_t id);
/* Records the shipped model of 'kind' at 'path' once: inserted as the live version when the
 * kind has none, else as "previous"; an existing shipped row gets 'path' (the folder may
 * move between runs). */
int store_triage_model_shipped(struct store *st, const char *kind, const char *path);

/* ---- events (st_event.c) -------------------------------------------------------------------- */

struct store_event {
    int64_t seq;
    const char *type;
    const char *data;
};
/* Up to 'max' events with seq > 'after', oldest first. */
int store_events_after(struct store *st, struct arena *ar, int64_t after, size_t max,
                       struct store_event **out, size_t *n);

/* ---- outbox: delivery and retry (st_outbox.c) ----------------------------------------------- */

/* Pending items due at 'now', oldest first (struct outbox_item is in model.h). */
int store_outbox_due(struct store *st, struct arena *ar, int64_t now, size_t max,
                     struct outbox_item **out, size_t *n);
/* Earliest next_at among pending items, or 0 when none is pending. */
/* Claims up to 'max' pending items due at 'now' for delivery by this instance: each moves to
 * 'now + lease_ms' (due again then, should this instance die before recording a result) in one
 * transaction, so among several instances sharing the database each item is claimed by one.
 * Deliver the claimed items well inside the lease. */
int store_outbox_claim(struct store *st, struct arena *ar, int64_t now, int64_t lease_ms,
                       size_t max, struct outbox_item **out, size_t *n);
int64_t store_outbox_next_at(struct store *st);
/* Records a delivery attempt. 'state' is "sent" (done), "failed" (permanent) or "pending"
 * (retry at 'next_at'); 'error' is the reason shown to agents (may be NULL). Updates the
 * message and writes a message.updated event when the message's state changes. */
int store_outbox_result(struct store *st, int64_t message_id, const char *state, int64_t next_at,
                        const char *error, int64_t external_sent_at);
struct outbox_counts {
    int64_t pending, sent, failed;
};
int store_outbox_counts(struct store *st, struct outbox_counts *out);
/* Puts a reply whose delivery failed back in the outbox: attempts start again at 0, due now,
 * and the message is 'queued' with no error (a message.updated event is written). ERR_NOTFOUND
 * for an unknown message or one that was never delivered (a note, an inbound message);
 * ERR_CONFLICT when its delivery has not failed. Waits until durable. */
int store_msg_retry(struct store *st, int64_t msg_id);

/* ---- leases: one instance at a time (st_lease.c) ------------------------------------------ */

/* True when several instances may write the database at once (PostgreSQL): ids may then be
 * committed out of order. */
bool store_shared(struct store *st);
/* This process's name among the instances sharing the database ("host:pid:random"), made at
 * store_open: the owner of the leases it takes. */
const char *store_instance(struct store *st);
/* Takes or renews lease 'name' for 'ttl_ms' from now: '*held' is true when this instance holds
 * it (it was free, ran out, or was already ours), false when another instance does. Renew
 * well before the time runs out (a third of it). */
int store_lease_hold(struct store *st, const char *name, int64_t ttl_ms, bool *held);
/* Gives lease 'name' up if this instance holds it (at a clean stop, so another instance may
 * take the work at once). */
int store_lease_release(struct store *st, const char *name);
/* Who holds lease 'name' and until when; ERR_NOTFOUND when nobody ever took it. */
int store_lease_owner(struct store *st, struct arena *ar, const char *name, const char **owner,
                      int64_t *until_at);

/* ---- web chat widget (st_widget.c) ---------------------------------------------------------- */

/* The newest conversation of the web chat visitor 'platform_id' on 'channel_id' (the one the
 * next inbound message from that visitor would thread into). ERR_NOTFOUND when the visitor
 * has not written yet. Used to keep a visitor to their own conversation. */
int store_widget_conv(struct store *st, int64_t channel_id, const char *platform_id,
                      int64_t *conv_id);

/* ---- agents (st_agent.c) -------------------------------------------------------------------- */

int store_agent_add(struct store *st, const struct agent *a, int64_t *id);
int store_agent_get(struct store *st, struct arena *ar, int64_t id, struct agent *out);
/* As store_agent_get, with password_hash filled; for password checks only. */
int store_agent_get_secret(struct store *st, struct arena *ar, int64_t id, struct agent *out);
/* Fills password_hash too; for login only. Email compares case-insensitively. */
int store_agent_by_email(struct store *st, struct arena *ar, struct str email, struct agent *out);
int store_agent_list(struct store *st, struct arena *ar, struct agent **out, size_t *n);
/* Updates the fields that are non-NULL in 'a' (display_name, avatar_url, bio, name, role). A
 * role change moves the credentials epoch (event streams check their scope again). */
int store_agent_update(struct store *st, int64_t id, const struct agent *a);
int64_t store_agent_count(struct store *st);
/* Disables (keeping the first disable time) or re-enables agent 'id'. Disabling deletes all
 * of the agent's sessions in the same transaction; '*ended' (may be NULL) gets how many.
 * ERR_NOTFOUND for an unknown agent. Waits until durable. */
int store_agent_set_disabled(struct store *st, int64_t id, bool disabled, int64_t *ended);
/* Replaces agent 'id''s argon2id hash and, in the same transaction, deletes every session of
 * the agent except 'keep_session_id' (0: all); '*ended' (may be NULL) gets how many.
 * ERR_NOTFOUND for an unknown agent. Waits until durable. */
/* The password hash of an agent who has none yet (added with an invite): no password matches. */
#define STORE_NO_PASSWORD "!"
/* Invite links (agent_invite): one live link per agent, stored as the SHA-256 hex of its
 * token. store_invite_put replaces the agent's link (the older one dies); ERR_NOTFOUND for an
 * unknown agent. Waits until durable. */
int store_invite_put(struct store *st, int64_t agent_id, const char *token_hash,
                     int64_t expires_at);
/* The agent a live link (not expired at 'now', agent not disabled) belongs to: id, email,
 * name into 'out', its expiry into '*expires_at'. ERR_NOTFOUND otherwise. */
int store_invite_get(struct store *st, struct arena *ar, const char *token_hash, int64_t now,
                     struct agent *out, int64_t *expires_at);
/* Uses a live link: in one transaction sets the agent's password hash, deletes the link and
 * every session of the agent ('*ended', may be NULL). '*agent_id' gets the agent.
 * ERR_NOTFOUND when the link is unknown, used, expired or its agent disabled. */
int store_invite_accept(struct store *st, const char *token_hash, const char *password_hash,
                        int64_t now, int64_t *agent_id, int64_t *ended);
int store_agent_set_password(struct store *st, int64_t id, const char *password_hash,
                             int64_t keep_session_id, int64_t *ended);

/* ---- login sessions (st_session.c) ---------------------------------------------------------- */

struct session {
    int64_t id;
    int64_t agent_id;
    const char *csrf;
    int64_t created_at, last_seen_at, expires_at;
};

/* 'token_hash' is the hex SHA-256 of the token; the token itself is never stored. The
 * session is created only while the agent is active and its password hash still equals
 * 'password_hash' (the one the login verified): ERR_CONFLICT otherwise, so a login that races
 * a disable or a password change leaves no session behind. */
int store_session_create(struct store *st, const char *token_hash, int64_t agent_id,
                         const char *password_hash, const char *csrf, int64_t now,
                         int64_t expires_at);
int store_session_get(struct store *st, struct arena *ar, const char *token_hash,
                      struct session *out);
/* Asynchronous: queues the update and returns at once. */
void store_session_touch(struct store *st, int64_t session_id, int64_t now);
int store_session_delete(struct store *st, const char *token_hash);
/* Deletes sessions whose absolute or idle expiry has passed. */
int store_session_expire(struct store *st, int64_t now, int64_t idle_ms);

/* ---- API tokens (st_token.c) ---------------------------------------------------------------- */

/* An API token's record (the secret itself is never stored). Times are ms since epoch. */
struct api_token {
    int64_t id;
    const char *name;
    const char *role;     /* "admin" or "agent": what the token may do */
    int64_t agent_id;     /* the agent who created it (its tokens die with it); 0: the CLI */
    int64_t created_at;
    int64_t last_used_at; /* 0: never; refreshed at most once a minute */
    int64_t expires_at;   /* 0: never */
    int64_t revoked_at;   /* 0: live */
    bool owner_disabled;  /* 'agent_id' is disabled (filled by reads) */
};
/* Stores a token from 't' (name, role, agent_id, expires_at; created_at is now). */
int store_token_create(struct store *st, const struct api_token *t, const char *token_hash,
                       int64_t *id);
int store_token_get(struct store *st, struct arena *ar, const char *token_hash,
                    struct api_token *out);
/* Every token, revoked and expired ones included, oldest first, into 'ar'. */
int store_token_list(struct store *st, struct arena *ar, struct api_token **out, size_t *n);
/* Marks token 'id' revoked (keeping the first time). ERR_NOTFOUND for an unknown id. Waits
 * until durable. */
int store_token_revoke(struct store *st, int64_t id);
/* Asynchronous: records a use of token 'token_id' and returns at once. */
void store_token_touch(struct store *st, int64_t token_id, int64_t now);

/* Routing's admin tables follow: agent profiles, teams, calendars, SLA policies and routing
 * rules, each small. Lists given to their put functions (JSON text fields) must be valid JSON
 * arrays of strings; the getters return them both as the text and parsed. Writes wait until
 * durable. The *_list reads (and store_agent_list, store_channel_list) return every row, read
 * by one statement so the list is one consistent snapshot; the array grows in 'ar' with the
 * table and is never cut short. */

/* ---- agent profiles (st_profile.c) ---------------------------------------------------------- */

struct store_profile {
    int64_t agent_id;
    const char *name;                    /* the agent's display name (joined) */
    const char *skills, *languages, *channels; /* JSON array text */
    struct store_strs skills_v, languages_v, channels_v;
    const char *location;                /* store or location; NULL: none */
    int capacity;                        /* maximum open conversations */
    const char *availability;            /* online, away, offline (always offline while the
                                          * agent is disabled: routing never picks them) */
    bool auto_presence;                  /* the web app's live connection sets availability */
    int64_t frt_sum_ms, frt_count;       /* measured first responses */
    int64_t resolved_count, reopen_count;
    int64_t open_count;                  /* open or pending conversations assigned now */
};
/* An agent's profile; defaults when none was saved. ERR_NOTFOUND for an unknown agent. */
int store_profile_get(struct store *st, struct arena *ar, int64_t agent_id,
                      struct store_profile *out);
/* Every agent's profile, by agent id. */
int store_profile_list(struct store *st, struct arena *ar, struct store_profile **out,
                       size_t *n);
/* Saves the non-NULL fields of 'p' (capacity when >= 0, auto_presence when 'set_presence').
 * Writes agent.updated when the availability changes. A location change moves the credentials
 * epoch (it is a store-staff member's scope: event streams check theirs again). */
int store_profile_put(struct store *st, const struct store_profile *p, bool set_presence);

/* ---- teams and members (st_team.c) ---------------------------------------------------------- */

struct store_team {
    int64_t id;
    const char *name;
    int64_t lead_agent_id;         /* 0: none */
    int64_t calendar_id;           /* 0: always open */
    bool autoack;                  /* send an honest acknowledgement when nobody can answer soon */
    bool autoack_public;           /* also on public threads (off by default) */
    const char *autoack_templates; /* JSON object text {"en":"... {when} ..."} */
    int64_t rr_last_agent;         /* round-robin cursor */
    const int64_t *members;
    size_t nmembers;
    int64_t created_at, updated_at;
};
/* Inserts or replaces a team and its members. ERR_CONFLICT for a duplicate name,
 * ERR_NOTFOUND for an unknown id, agent or calendar. */
int store_team_put(struct store *st, int64_t id, const struct store_team *t, int64_t *out_id);
int store_team_get(struct store *st, struct arena *ar, int64_t id, struct store_team *out);
int store_team_list(struct store *st, struct arena *ar, struct store_team **out, size_t *n);
/* ERR_CONFLICT while a routing rule sends to it. */
int store_team_delete(struct store *st, int64_t id);
/* The team's acknowledgement template for 'lang' (else "en", else any); '*out' NULL when the
 * team has none. */
int store_team_autoack_text(struct store *st, struct arena *ar, int64_t team_id,
                            const char *lang, const char **out);

/* ---- business-hours calendars (st_calendar.c) ----------------------------------------------- */

struct store_range {
    int dow;        /* 0 = Sunday .. 6 = Saturday */
    int start_min;  /* minutes since local midnight */
    int end_min;    /* exclusive; 1440 = the next midnight */
};

struct store_calendar {
    int64_t id;
    const char *name;
    const char *tz;        /* IANA zone, e.g. "Europe/Berlin" */
    const char *hours;     /* JSON object text as given */
    const char *holidays;  /* JSON array text of "YYYY-MM-DD" */
    const struct store_range *ranges;
    size_t nranges;
    const int32_t *holiday_days; /* YYYYMMDD, read only */
    size_t nholiday_days;
    int64_t created_at, updated_at;
};
/* Inserts ('id' 0; the new id goes to '*out_id') or replaces calendar 'id' with its ranges.
 * ERR_NOTFOUND for an unknown id. */
int store_calendar_put(struct store *st, int64_t id, const struct store_calendar *c,
                       int64_t *out_id);
int store_calendar_get(struct store *st, struct arena *ar, int64_t id, struct store_calendar *out);
int store_calendar_list(struct store *st, struct arena *ar, struct store_calendar **out,
                        size_t *n);
/* ERR_CONFLICT while a team, policy or web chat (its office hours) uses it. */
int store_calendar_delete(struct store *st, int64_t id);

/* ---- SLA policies (st_sla_policy.c) --------------------------------------------------------- */

struct store_sla_policy {
    int64_t id;
    const char *name;
    int position;             /* lower is tried first */
    int priority;             /* match; -1: any */
    const char *channel_type; /* match; NULL: any */
    const char *intent;       /* match; NULL: any */
    int64_t first_s, next_s, resolve_s; /* targets in seconds; 0: none */
    bool business_hours;      /* targets count business time of 'calendar_id' */
    int64_t calendar_id;      /* 0: the team's calendar */
    int warn_pct;             /* warning when this share of the target has passed */
    int64_t version;          /* bumped by every update: deadlines recompute lazily */
    int64_t created_at, updated_at;
};
int store_sla_policy_put(struct store *st, int64_t id, const struct store_sla_policy *p,
                         int64_t *out_id);
int store_sla_policy_get(struct store *st, struct arena *ar, int64_t id,
                         struct store_sla_policy *out);
/* Ordered by position, then id. */
int store_sla_policy_list(struct store *st, struct arena *ar, struct store_sla_policy **out,
                          size_t *n);
int store_sla_policy_delete(struct store *st, int64_t id);

/* ---- routing rules (st_rule.c) -------------------------------------------------------------- */

struct store_rule {
    int64_t id;
    const char *name;
    int position;
    bool enabled;
    /* Conditions: JSON array text, each empty list matching anything. */
    const char *channels, *languages, *tags, *locations, *intents, *sentiments, *skills;
    struct store_strs channels_v, languages_v, tags_v, locations_v, intents_v, sentiments_v,
        skills_v;
    int public_match;         /* -1 any, 0 private only, 1 public only */
    int urgency_min;          /* -1: any */
    int64_t team_id;
    const char *strategy;     /* round_robin, least_loaded, best_match */
    int64_t created_at, updated_at;
};
int store_rule_put(struct store *st, int64_t id, const struct store_rule *r, int64_t *out_id);
int store_rule_get(struct store *st, struct arena *ar, int64_t id, struct store_rule *out);
/* Ordered by position, then id. */
int store_rule_list(struct store *st, struct arena *ar, struct store_rule **out, size_t *n);
int store_rule_delete(struct store *st, int64_t id);
/* Puts the rules in the order of 'ids' (positions 1..n), in one transaction. 'ids' must name
 * every rule exactly once: ERR_INVAL for a repeated id, ERR_CONFLICT when the set differs from
 * the rules stored now (one added or deleted meanwhile; nothing changes). */
int store_rule_order(struct store *st, const int64_t *ids, size_t n);

/* ---- routing decisions and the routing queue (st_route.c) ----------------------------------- */

/* What routing looks at beyond the conversation itself. */
struct store_route_input {
    struct conv conv;
    const char *lang;          /* of the latest inbound message; may be NULL */
    const char *text;          /* of the latest inbound message, for a store named in it */
    struct store_strs contact_tags;
    const char *contact_location;
    const char *channel_store; /* the channel's settings.store; may be NULL */
};
int store_route_input(struct store *st, struct arena *ar, int64_t conv_id,
                      struct store_route_input *out);
/* The part of a routing input that comes from channel 'channel_id' alone (conv.channel_id,
 * conv.channel_type and its name, channel_store), for a conversation that does not exist yet:
 * the rest of '*out' is zeroed for the caller to fill. ERR_NOTFOUND for an unknown channel. */
int store_route_draft(struct store *st, struct arena *ar, int64_t channel_id,
                      struct store_route_input *out);

/* Records a routing decision: team, agent (0: queued for capacity, and then assigned to
 * nobody), rule, strategy and reason, and moves the team's round-robin cursor. Writes
 * conversation.updated (when the assignee changes) and conversation.routed. Any assignment,
 * by routing or not, takes a conversation out of the queue (migration 012). */
struct store_route_decision {
    int64_t team_id, agent_id, rule_id;
    const char *strategy, *reason;
    int escalation;           /* >0: an escalation, recorded on the SLA row */
};
int store_route_apply(struct store *st, int64_t conv_id, const struct store_route_decision *d);
/* One place in the routing queue, which is ordered by 'queued_at', then conversation id. */
struct store_queue_entry {
    int64_t conversation_id;
    int64_t team_id;   /* the team it waits for; 0: none recorded */
    int64_t queued_at; /* ms since epoch */
};
/* Keyset page of the routing queue: at most 'max' entries strictly after 'after' in queue order
 * (NULL: from the head), into '*out' (from 'ar'). Paging on from the last entry seen visits
 * every queued conversation once, however deep the queue, even when the head never moves. */
int store_route_queue_page(struct store *st, struct arena *ar,
                           const struct store_queue_entry *after, size_t max,
                           struct store_queue_entry **out, size_t *n);
/* How many conversations are queued ('*total') and how many of them wait ahead of 'conv_id'
 * ('*ahead'; 0 when it is not queued). Either pointer may be NULL. */
int store_route_queue_count(struct store *st, int64_t conv_id, int64_t *total, int64_t *ahead);
/* store_route_queue_page and the total, of only the conversations 'sc' may see (the API's
 * view of the queue; a NULL or unlimited 'sc' is the whole queue). */
int store_route_queue_visible(struct store *st, struct arena *ar, const struct store_scope *sc,
                              const struct store_queue_entry *after, size_t max,
                              struct store_queue_entry **out, size_t *n, int64_t *total);
/* What a routing decision will read, measured, so that its arena can be sized from the data:
 * row counts and the bytes of every text column routing reads from rules, teams and agents. */
struct store_route_sizes {
    size_t rules, teams, members, agents; /* rows (members: team memberships) */
    size_t text;                          /* bytes of those rows' text columns */
};
int store_route_sizes(struct store *st, struct store_route_sizes *out);

/* ---- SLA clocks, timers, acknowledgement, unanswered (st_sla.c) ----------------------------- */
/* Per conversation, conv_sla holds the routing decision and the SLA facts; triggers (migration
 * 008) keep the facts in step with every message and status write and queue the conversation
 * in a dirty list that care/ drains to recompute deadlines. */

struct store_conv_sla {
    int64_t conversation_id;
    int64_t team_id, rule_id;
    const char *strategy, *route_reason; /* why it went where it went; may be NULL */
    int64_t routed_at, queued_at;
    int64_t policy_id, policy_version;
    int64_t awaiting_since;   /* oldest inbound message without a human reply; 0: none */
    int64_t first_reply_at, last_reply_at, opened_at;
    int64_t paused_at, pause_ms;
    int64_t first_due, next_due, resolve_due; /* 0: clock not running */
    int64_t autoack_msg_id;
    const char *noreply_reason;
    int escalation;           /* 0 none, 1 team lead, 2 any available agent */
};
/* ERR_NOTFOUND when the conversation has no SLA row yet. */
int store_conv_sla_get(struct store *st, struct arena *ar, int64_t conv_id,
                       struct store_conv_sla *out);

/* Conversations whose SLA inputs changed since their last recompute (at most 'max'). */
struct store_dirty {
    int64_t conversation_id, gen;
};
int store_sla_dirty(struct store *st, struct arena *ar, size_t max, struct store_dirty **out,
                    size_t *n);

struct store_timer {
    int64_t id;
    int64_t conversation_id;
    const char *kind;    /* first_warning, first_breach, next_..., resolve_..., snooze */
    int64_t due_at;      /* ms */
};
/* A recompute's result: cancels the conversation's live timers, stores the deadlines, adds
 * 'timers' and, when 'gen' still matches, clears the dirty mark. Writes sla.updated when a
 * deadline changed. */
struct store_sla_apply {
    int64_t conversation_id, gen;
    int64_t policy_id, policy_version;
    int64_t paused_at, pause_ms;
    int64_t first_due, next_due, resolve_due;
    struct store_timer timers[8];
    size_t ntimers;
};
int store_sla_apply(struct store *st, const struct store_sla_apply *a);
/* Live (unfired, uncancelled) timers with id > 'after', by id, at most 'max'. Called once at
 * startup from 0 and then with the last id seen: it reads only what is new. */
int store_timers_after(struct store *st, struct arena *ar, int64_t after, size_t max,
                       struct store_timer **out, size_t *n);
/* Fires timer 'id' once: marks it fired and writes its event (sla.warning, sla.breached;
 * a snooze timer reopens a still-snoozed conversation) in one transaction. '*fired' is false
 * when it had already fired or was cancelled. */
int store_timer_fire(struct store *st, int64_t id, bool *fired);

/* Stores the honest acknowledgement 'text' as an outbound reply signed by no agent (queued in
 * the outbox) unless the conversation already has one; it does not stop the SLA clocks.
 * ERR_CONFLICT when one was already sent. */
int store_autoack(struct store *st, int64_t conv_id, struct str text, int64_t *msg_id);

/* Conversations with an inbound message no human has answered, most urgent (earliest due,
 * then longest waiting) first, with their SLA rows. */
int store_unanswered_list(struct store *st, struct arena *ar, const struct store_scope *sc,
                          int limit, struct conv **convs, struct store_conv_sla **slas, size_t *n);
/* Their number, or ERR_*. */
int64_t store_unanswered_count(struct store *st);

/* ---- social listening queries (st_listen_query.c) ------------------------------------------- */
/* Social listening: brand queries, the public posts they matched (mentions), the firehose
 * sources the server reads and spike alerts. Query texts are validated by the caller
 * (listen_query_check); every string stored here must be valid UTF-8. */

struct listen_query_row {
    int64_t id;
    const char *name;
    const char *text;
    bool active;
    int64_t created_at, updated_at;
};
/* Adds a query. Waits until durable. */
int store_listen_query_add(struct store *st, const char *name, const char *text, bool active,
                           int64_t *id);
int store_listen_query_get(struct store *st, struct arena *ar, int64_t id,
                           struct listen_query_row *out);
/* Every query (at most 'max'), by id; 'active_only' skips inactive ones. */
int store_listen_query_list(struct store *st, struct arena *ar, bool active_only, size_t max,
                            struct listen_query_row **out, size_t *n);
/* Changes the non-NULL of 'name' and 'text', and 'active' when 'active' is 0 or 1 (-1 keeps
 * it). ERR_NOTFOUND for an unknown id. */
int store_listen_query_update(struct store *st, int64_t id, const char *name, const char *text,
                              int active);
/* Deletes a query; mentions it matched keep its id. ERR_NOTFOUND for an unknown id. */
int store_listen_query_delete(struct store *st, int64_t id);

/* ---- mentions (st_mention.c) ---------------------------------------------------------------- */

/* struct mention is in model/model.h. */

/* Stores a matched post with its query ids in one job, deduplicating on (platform,
 * external_id): a known post sets '*duplicate' and stores nothing. A new one writes a
 * mention.created event (the mention as the API shows it). Waits until durable. */
int store_mention_add(struct store *st, const struct mention *m, int64_t *id, bool *duplicate);
int store_mention_get(struct store *st, struct arena *ar, int64_t id, struct mention *out);

struct mention_filter {
    int64_t query_id;      /* 0: any */
    const char *intent;    /* NULL: any */
    const char *sentiment; /* NULL: any */
    bool opportunity;      /* true: opportunities only */
    const char *q;         /* substring of the text (case-insensitive for ASCII); NULL: any */
    int limit;             /* 1..200 */
    int64_t cursor;        /* items with id < cursor; 0: from the newest */
    const char *lang;      /* language tag ("pt" also matches "pt-BR"); NULL: any */
    const char *platform;  /* NULL: any */
    int addressed;         /* 1: addressed to the brand only, -1: not addressed only, 0: any */
    int dismissed;         /* 1: dismissed only, -1: not dismissed only, 0: any */
    int64_t alert_id;      /* the posts behind this spike alert only; 0: any */
};
/* Newest first. '*next' is the cursor of the next page, 0 when this was the last. */
int store_mention_list(struct store *st, struct arena *ar, const struct mention_filter *f,
                       struct mention **out, size_t *n, int64_t *next);
/* Records the conversation a mention was turned into. ERR_NOTFOUND for an unknown mention. */
int store_mention_set_conversation(struct store *st, int64_t id, int64_t conv_id);
/* Dismisses a mention ('dismiss', by 'agent_id', 0 for an API token; dismissing again keeps
 * the first time) or brings it back, and writes a mention.updated event with it; '*out' is the
 * mention after. ERR_NOTFOUND for an unknown mention. */
int store_mention_dismiss(struct store *st, struct arena *ar, int64_t id, int64_t agent_id,
                          bool dismiss, struct mention *out);

/* An agent's saved view of the listening screen: a name and the mention list's filters (a
 * JSON object the API checked). Each agent sees only their own. */
#define STORE_LVIEW_MAX 50 /* views per agent */
struct store_lview {
    int64_t id, agent_id;
    const char *name, *filters;
    int64_t created_at, updated_at;
};
/* The agent's views by name (at most STORE_LVIEW_MAX). */
int store_lview_list(struct store *st, struct arena *ar, int64_t agent_id,
                     struct store_lview **out, size_t *n);
/* ERR_NOTFOUND for an unknown id or another agent's view. */
int store_lview_get(struct store *st, struct arena *ar, int64_t agent_id, int64_t id,
                    struct store_lview *out);
/* Creates (id 0: name and filters required) or changes (NULL keeps a field) a view.
 * ERR_CONFLICT when the agent has another view of that name, ERR_TOOBIG past STORE_LVIEW_MAX,
 * ERR_NOTFOUND for an unknown id or another agent's view. */
int store_lview_put(struct store *st, int64_t agent_id, int64_t id, const char *name,
                    const char *filters, int64_t *out_id);
int store_lview_delete(struct store *st, int64_t agent_id, int64_t id);

/* ---- listening sources (st_listen_source.c) ------------------------------------------------- */

struct listen_source_row {
    int64_t id;
    const char *spec;   /* "jetstream://HOST[:PORT][/PATH]" or "mastodon://HOST[:PORT][/PATH]" */
    bool tls;
    const char *cursor; /* last saved position, may be NULL */
    const char *token;  /* Mastodon bearer token, may be NULL; never shown by the API */
    bool active;
    int64_t created_at, updated_at;
};
int store_listen_source_add(struct store *st, const char *spec, bool tls, const char *token,
                            bool active, int64_t *id);
int store_listen_source_get(struct store *st, struct arena *ar, int64_t id,
                            struct listen_source_row *out);
int store_listen_source_list(struct store *st, struct arena *ar, size_t max,
                             struct listen_source_row **out, size_t *n);
/* 'active' and 'tls' 0 or 1 change them, -1 keeps them; 'spec' and 'token' change them when
 * not NULL ('token' "" clears it). A new 'spec' clears the saved cursor. ERR_NOTFOUND for an
 * unknown id. */
int store_listen_source_update(struct store *st, int64_t id, int active, const char *spec,
                               int tls, const char *token);
int store_listen_source_delete(struct store *st, int64_t id);
/* Saves a running source's position. Waits until durable; an unknown id is not an error. */
int store_listen_source_set_cursor(struct store *st, int64_t id, const char *cursor);

/* ---- spike alerts (st_spike.c) -------------------------------------------------------------- */

/* struct spike_alert_row is in model/model.h. */
/* Stores an alert and writes a listening.spike event carrying it. 'posts' must be a JSON
 * array text. Waits until durable. */
int store_spike_add(struct store *st, const struct spike_alert_row *a, int64_t *id);
/* Newest first, ids below 'cursor' (0: newest), for 'query_id' (0: any). */
int store_spike_list(struct store *st, struct arena *ar, int64_t query_id, int limit,
                     int64_t cursor, struct spike_alert_row **out, size_t *n);

/* ---- audit log (st_audit.c) ---------------------------------------------------------------- */

/* One entry of the append-only audit log (a trigger refuses every UPDATE and DELETE). Strings
 * are borrowed on add and live in the caller's arena on read. Times are ms since epoch. */
struct audit_entry {
    int64_t id;
    int64_t at;
    int64_t actor_agent_id; /* 0: none (an API token of the CLI, a failed login) */
    int64_t actor_token_id; /* 0: none */
    const char *actor;      /* readable actor: agent name, token name, email tried; never NULL
                             * on read */
    const char *action;     /* "team.update", "login.failed", ... */
    const char *target_type; /* "team", "agent", ...; NULL: none */
    int64_t target_id;      /* 0: none */
    const char *summary;    /* one readable line; never NULL on read */
    const char *before;     /* JSON text, the resource before; NULL: none */
    const char *after;      /* JSON text, the resource after; NULL: none */
    const char *ip;         /* client address; never NULL on read */
    const char *request_id; /* X-Hark-Request-Id; never NULL on read */
};

/* Appends 'e' ('id' and 'at' are set by the store: the transaction's clock) and, in the same
 * job, an audit.recorded event and, when 'settings_area' is not NULL, a settings.changed event
 * {area, id: target_id, action, actor} (codec_event_settings). '*id' (may be NULL) gets the
 * entry's id. Waits until durable. ERR_INVAL without an action. */
int store_audit_add(struct store *st, const struct audit_entry *e, const char *settings_area,
                    int64_t *id);

/* What store_audit_list returns; every member is optional (0 / NULL: any). */
struct audit_filter {
    int64_t actor_agent_id;  /* entries by this agent */
    const char *actor;       /* entries whose actor label contains this text */
    const char *action;      /* entries whose action starts with this ("team." or "login") */
    const char *target_type; /* exact */
    int64_t target_id;       /* exact */
    int64_t since, until;    /* at >= since, at < until (ms) */
    const char *q;           /* text in the summary, actor, action or target type */
    int64_t before_id;       /* keyset paging: entries with id < before_id */
};
/* Up to 'limit' entries matching 'f', newest first (by id, which grows with time). '*more' (may
 * be NULL) is true when older matching entries exist beyond this page. */
int store_audit_list(struct store *st, struct arena *ar, const struct audit_filter *f, int limit,
                     struct audit_entry **out, size_t *n, bool *more);
/* The entry 'id'. ERR_NOTFOUND. */
int store_audit_get(struct store *st, struct arena *ar, int64_t id, struct audit_entry *out);
/* ---- canned replies and nudge overrides (st_canned.c) ---------------------------------------- */

struct store_canned {
    int64_t id;
    int64_t owner_agent_id; /* 0: shared with the team; else this agent's personal reply */
    const char *title;
    const char *shortcut;     /* typed after '/' in the composer; unique within its set */
    const char *tags;         /* JSON array text of strings */
    const char *bodies;       /* JSON object text: language -> body with {variables} */
    const char *default_lang; /* the body used when the conversation's language has none */
    int64_t created_at, updated_at;
};
/* Inserts ('id' 0; '*out_id' gets the new id) or updates reply 'id' (its set, shared or
 * personal, never changes) and its full-text entry. 'c->tags' and 'c->bodies' must be valid
 * JSON. ERR_CONFLICT when the shortcut is taken in the set, ERR_NOTFOUND for an unknown id or
 * owner. Waits until durable. */
int store_canned_put(struct store *st, int64_t id, const struct store_canned *c,
                     int64_t *out_id);
int store_canned_get(struct store *st, struct arena *ar, int64_t id, struct store_canned *out);
/* ERR_NOTFOUND. Waits until durable. */
int store_canned_delete(struct store *st, int64_t id);

struct store_canned_query {
    int64_t agent_id;  /* whose personal replies to include; 0: only shared ones */
    const char *q;     /* NULL or "": every visible reply. Else a prefix of the shortcut or of a
                        * word of the title, or words of the body (full-text, as prefixes) */
    int limit;         /* 1..STORE_CANNED_LIST_MAX */
};
#define STORE_CANNED_LIST_MAX 500
/* The replies visible to 'q->agent_id' that match: personal ones first, then shortcut matches,
 * then by shortcut. */
int store_canned_search(struct store *st, struct arena *ar, const struct store_canned_query *q,
                        struct store_canned **out, size_t *n);
/* The language of conversation 'conv_id': its customer's latest triaged message's, NULL when
 * none is known. */
int store_conv_lang(struct store *st, struct arena *ar, int64_t conv_id, const char **out);

struct store_nudge_override {
    int64_t agent_id;
    const char *agent_name;
    int64_t count;   /* replies sent anyway despite a nudge */
    int64_t last_at; /* ms since epoch */
};
/* Counts one reply 'agent_id' sent despite a nudge. Waits until durable. */
int store_nudge_override_add(struct store *st, int64_t agent_id);
/* Every agent with at least one override, by agent id. */
int store_nudge_override_list(struct store *st, struct arena *ar,
                              struct store_nudge_override **out, size_t *n);

/* ---- phone callbacks (st_callback.c) -------------------------------------------------------- */

/* An offer of a phone callback on a conversation (the customer's link holds a token whose
 * SHA-256 hex is 'token_hash'), and once the customer accepted it, the agent's task. */
struct store_callback {
    int64_t id;
    int64_t conversation_id;
    int64_t agent_id;         /* who offered it and gets the task; 0: an API token */
    int64_t calendar_id;      /* slots from this calendar; 0: the default hours */
    const char *token_hash;   /* only when offering */
    int64_t offered_at, expires_at;
    int64_t accepted_at;      /* 0: still an offer */
    const char *phone, *note; /* the customer's, once accepted (note may be NULL) */
    int64_t slot_at;          /* the time the customer picked */
    int64_t done_at, done_by; /* 0: still to do */
    const char *agent_name;   /* joined: the offering agent's display name; NULL: none */
    const char *contact_name; /* joined: the conversation's contact; NULL: none */
};
/* Stores a new offer ('c': conversation_id, agent_id, calendar_id, token_hash, expires_at).
 * ERR_NOTFOUND (no such conversation). Waits until durable. */
int store_callback_offer(struct store *st, const struct store_callback *c, int64_t *out_id);
/* The offer with 'token_hash' still open at 'now' (not accepted, not expired); ERR_NOTFOUND
 * otherwise, whatever the reason. */
int store_callback_open(struct store *st, struct arena *ar, const char *token_hash, int64_t now,
                        struct store_callback *out);
/* Accepts the open offer with 'token_hash' at 'now' once: phone, slot and note ('note' may be
 * NULL) are stored and 'callback.updated' is written. '*out_id' gets the callback's id.
 * ERR_NOTFOUND when no offer is open with that hash (used, expired or unknown). */
int store_callback_accept(struct store *st, const char *token_hash, int64_t now,
                          const char *phone, int64_t slot_at, const char *note, int64_t *out_id);
int store_callback_get(struct store *st, struct arena *ar, int64_t id, struct store_callback *out);
/* Accepted callbacks (tasks), soonest slot first: of 'agent_id' (0: anyone's), of conversation
 * 'conv_id' (0: any), with done ones only when 'with_done'; at most 'max'. */
int store_callback_list(struct store *st, struct arena *ar, int64_t agent_id, int64_t conv_id,
                        bool with_done, int max, struct store_callback **out, size_t *n);
/* Marks callback 'id' done by 'agent_id' (or to do again with !done); writes
 * 'callback.updated'. ERR_NOTFOUND (no such task: unknown or never accepted). */
int store_callback_done(struct store *st, int64_t id, int64_t agent_id, bool done);

/* ---- care policy: root causes and goodwill (st_policy.c) ------------------------------------ */

/* One cause of the taxonomy; 'keywords' is a JSON array of words or phrases that suggest it. */
struct store_root_cause {
    int64_t id;
    const char *name;
    const char *keywords; /* JSON array text */
    bool archived;
    int64_t created_at, updated_at;
    int64_t uses; /* conversations and grants naming it (reads only) */
};
/* Inserts ('id' 0) or updates cause 'id'. ERR_CONFLICT (the name is taken), ERR_NOTFOUND. */
int store_root_cause_put(struct store *st, int64_t id, const struct store_root_cause *c,
                         int64_t *out_id);
int store_root_cause_get(struct store *st, struct arena *ar, int64_t id,
                         struct store_root_cause *out);
/* Every cause, by name; archived ones only 'with_archived'. */
int store_root_cause_list(struct store *st, struct arena *ar, bool with_archived,
                          struct store_root_cause **out, size_t *n);
/* Deletes cause 'id': ERR_CONFLICT while a conversation or a grant names it (archive it),
 * ERR_NOTFOUND. */
int store_root_cause_delete(struct store *st, int64_t id);

/* The root cause of a conversation. */
struct store_conv_cause {
    int64_t conversation_id, root_cause_id, agent_id;
    bool suggested;
    int64_t set_at;
    const char *name; /* joined */
};
/* Sets (or replaces) the root cause of conversation 'conv_id'. ERR_NOTFOUND (no such
 * conversation or cause). */
int store_conv_cause_set(struct store *st, int64_t conv_id, int64_t cause_id, int64_t agent_id,
                         bool suggested);
/* ERR_NOTFOUND when the conversation has none. */
int store_conv_cause_get(struct store *st, struct arena *ar, int64_t conv_id,
                         struct store_conv_cause *out);
/* The text of the customer's messages in conversation 'conv_id' (newest first, joined by
 * newlines, at most 'max' bytes), for the suggestion; "" when none. */
int store_conv_inbound_text(struct store *st, struct arena *ar, int64_t conv_id, size_t max,
                            const char **out);

/* The one row of policy settings. A limit is in minor units of 'currency' per grant; -1: no
 * limit. */
struct store_care_policy {
    bool root_cause_required;
    char currency[4];
    int64_t limit_agent, limit_store_staff, limit_supervisor, limit_admin;
    int64_t repeat_count, repeat_days;
    int64_t updated_at;
};
int store_care_policy_get(struct store *st, struct store_care_policy *out);
int store_care_policy_put(struct store *st, const struct store_care_policy *p);

/* A goodwill grant. status: "approved", "pending" or "declined". */
struct store_goodwill {
    int64_t id, conversation_id, contact_id;
    const char *kind; /* refund, voucher, freebie */
    int64_t amount_minor;
    const char *currency;
    int64_t root_cause_id;
    const char *note;
    const char *status;
    int64_t requested_by, decided_by;
    const char *decision_note;
    int64_t decided_at, created_at;
    const char *root_cause_name, *requested_by_name, *decided_by_name, *contact_name; /* joined */
};
/* Stores a grant ('g': conversation_id, kind, amount_minor, currency, root_cause_id, note,
 * status, requested_by, decided_by and decided_at when approved at once); the contact is the
 * conversation's. ERR_NOTFOUND (no such conversation or cause). */
int store_goodwill_add(struct store *st, const struct store_goodwill *g, int64_t *out_id);
int store_goodwill_get(struct store *st, struct arena *ar, int64_t id, struct store_goodwill *out);
/* Grants of conversation 'conv_id' (0: any) with 'status' (NULL: any), newest first (pending
 * ones oldest first: a queue), at most 'max'. */
int store_goodwill_list(struct store *st, struct arena *ar, int64_t conv_id, const char *status,
                        int max, struct store_goodwill **out, size_t *n);
/* Approves or declines pending grant 'id' ('status' "approved" or "declined"). ERR_NOTFOUND,
 * ERR_CONFLICT (not pending any more). */
int store_goodwill_decide(struct store *st, int64_t id, const char *status, int64_t agent_id,
                          const char *note);
/* Grants (approved or pending) to contact 'contact_id' created at or after 'since'. */
int store_goodwill_count_since(struct store *st, int64_t contact_id, int64_t since, int64_t *n);

/* Reports over [from, to). A filter of 0 is any. */
struct store_report_filter {
    int64_t from, to;
    int64_t channel_id, team_id, agent_id;
};
struct store_report_row {
    int64_t root_cause_id;
    const char *name;
    const char *currency; /* goodwill only */
    int64_t count;
    int64_t amount_minor; /* goodwill only */
};
/* Conversations per root cause (set in the period), most first. The agent is who set it, the
 * team the one the conversation was routed to. */
int store_report_root_causes(struct store *st, struct arena *ar,
                             const struct store_report_filter *f, struct store_report_row **out,
                             size_t *n);
/* Approved goodwill per root cause and currency (created in the period), the largest first.
 * The agent is who asked for it. */
int store_report_goodwill(struct store *st, struct arena *ar, const struct store_report_filter *f,
                          struct store_report_row **out, size_t *n);
/* ---- CSAT surveys (st_survey.c) ----------------------------------------------------------- */

/* The "Surveys" settings (one row). questions, nps and extra are JSON texts the API checked:
 * {"en": "How did we do?", ...}, the same shape or NULL, and [{"id","text","kind"}]. */
struct store_survey_settings {
    bool enabled;
    int64_t delay_s;      /* after resolve */
    int64_t window_h;     /* answers accepted this long after sending */
    int64_t repeat_days;  /* at most one survey per contact in this many days; 0: no rule */
    const char *channels; /* comma-separated channel types; "": every type */
    const char *questions, *nps, *extra;
    int64_t updated_at;
};
int store_survey_settings_get(struct store *st, struct arena *ar,
                              struct store_survey_settings *out);
/* Replaces the settings. ERR_INVAL for a negative delay, a window under an hour, no questions.
 * Waits until durable. */
int store_survey_settings_put(struct store *st, const struct store_survey_settings *v);

/* What the survey rules need to know about a conversation just resolved. */
struct store_survey_facts {
    int64_t conversation_id, contact_id, channel_id;
    int64_t agent_id, team_id;      /* the assignee and team now; 0: none */
    const char *channel_type;
    bool blocked;                   /* the contact is blocked */
    const char *status, *reason;    /* the conversation's status and resolution reason */
    bool surveyed;                  /* the conversation has a survey already */
    int64_t contact_last_survey_at; /* the contact's newest survey was queued then; 0: none */
};
int store_survey_facts(struct store *st, struct arena *ar, int64_t conv_id,
                       struct store_survey_facts *out);
/* Queues a survey for 'f' due at 'due_at'. ERR_CONFLICT when the conversation has one or the
 * contact had one (not cancelled) queued after 'repeat_since'. Waits until durable. */
int store_survey_queue(struct store *st, const struct store_survey_facts *f, int64_t due_at,
                       int64_t repeat_since, int64_t *id);

struct store_survey {
    int64_t id, conversation_id, contact_id, channel_id, agent_id, team_id;
    int64_t queued_at, due_at, sent_at, expires_at, answered_at, cancelled_at; /* 0: not yet */
    int score;                  /* 1..5; 0: none */
    int nps;                    /* 0..10; -1: none */
    const char *comment, *extra, *via, *cancel_reason; /* NULL when none */
    const char *channel_type;   /* joined */
    const char *lang;           /* the customer's last language, "en" when unknown */
    bool blocked;               /* the contact is blocked now */
    int64_t message_id;         /* the survey message once sent */
    const char *agent_name, *contact_name, *conv_status;
    const char *answer_ext;     /* the platform id of the answering button tap, or NULL */
    int64_t last_inbound_at;    /* the customer's last message in the conversation; 0: none */
};
int store_survey_get(struct store *st, struct arena *ar, int64_t id, struct store_survey *out);
int store_survey_of_conv(struct store *st, struct arena *ar, int64_t conv_id,
                         struct store_survey *out);
/* The survey whose link token hashes to 'token_hash' (any state). */
int store_survey_by_token(struct store *st, struct arena *ar, const char *token_hash,
                          struct store_survey *out);
/* The survey sent as message 'msg_id'. */
int store_survey_of_message(struct store *st, struct arena *ar, int64_t msg_id,
                            struct store_survey *out);
/* The newest sent survey on 'channel_id' to the sender ('channel_type', 'from_id'). */
int store_survey_of_sender(struct store *st, struct arena *ar, int64_t channel_id,
                           const char *channel_type, struct str from_id,
                           struct store_survey *out);
/* Surveys queued, not sent or cancelled, due at 'now', soonest first (at most 'max'). */
int store_survey_due(struct store *st, struct arena *ar, int64_t now, size_t max,
                     struct store_survey **out, size_t *n);
/* The earliest due_at of a survey still to send, 0 when none. */
int64_t store_survey_next_due(struct store *st);
/* When a survey was last answered by a tapped button (ms), or 0: never or unreadable. */
int64_t store_survey_last_tap(struct store *st);
/* Sends survey 'id' once: the reply message 'text' (with 'payload', may be NULL) into the
 * outbox and the survey marked sent with its link token's hash and the end of its window, in
 * one transaction. A contact blocked meanwhile cancels it instead ('*msg_id' 0). ERR_CONFLICT
 * when it was sent or cancelled already. Waits until durable. */
int store_survey_send(struct store *st, int64_t id, struct str text, const char *payload,
                      const char *token_hash, int64_t expires_at, int64_t *msg_id);
/* The survey question for language 'lang' (else English, else the first one) and whether an
 * NPS or extra question is set ('*more': the survey page asks them). */
int store_survey_question(struct store *st, struct arena *ar, const char *lang,
                          const char **question, bool *more);
/* Cancels survey 'id' before it is sent ('reason': blocked, reopened, disabled, ...). */
int store_survey_cancel(struct store *st, int64_t id, const char *reason);

struct store_survey_answer {
    int score;            /* 1..5 */
    int nps;              /* 0..10, -1: none */
    const char *comment;  /* NULL or "" none */
    const char *extra;    /* JSON object text or NULL */
    const char *via;      /* buttons, widget, link */
    const char *ext;      /* the platform id of a button tap (its retries are no answer) */
};
/* Records the answer to survey 'id' at 'now' once, and adds 'event_text' ("Rated 5 ...") to its
 * conversation as an event. ERR_NOTFOUND (unknown or not sent), ERR_CONFLICT (answered
 * already), ERR_TIMEOUT (its window closed). Waits until durable. */
int store_survey_answer(struct store *st, int64_t id, const struct store_survey_answer *a,
                        const char *event_text, int64_t now);
/* Attaches 'comment' to the answered survey 'id' that has none, inside its window, and
 * rewrites its event to 'event_text'. ERR_CONFLICT otherwise. */
int store_survey_comment(struct store *st, int64_t id, const char *comment,
                         const char *event_text, int64_t now);

/* Filters of the CSAT figures: 0 / NULL is "any"; the period is of resolve (queued) time. */
struct store_csat_filter {
    int64_t agent_id, team_id;
    const char *channel_type;
    int64_t from, to;
};
struct store_csat {
    int64_t sent, answered;
    double average;         /* of the answered scores; 0 when none */
    int64_t scores[5];      /* answers with score 1..5 */
    int64_t nps_answers, promoters, detractors, comments;
};
int store_csat_stats(struct store *st, const struct store_csat_filter *f, struct store_csat *out);
struct store_csat_hero {
    int64_t agent_id;
    const char *name;
    int64_t answers;
    double average;
};
/* Agents by average score (then by answers), each with at least 'min_answers' answers. */
int store_csat_heroes(struct store *st, struct arena *ar, const struct store_csat_filter *f,
                      int64_t min_answers, size_t max, struct store_csat_hero **out, size_t *n);

/* ---- the FAQ bot (st_faq.c) ----------------------------------------------------------------- */

#define STORE_FAQ_MAX 1000 /* FAQs one server keeps (the API refuses more) */
struct store_faq {
    int64_t id;
    const char *question; /* the name the care team knows it by */
    const char *variants; /* JSON array text of strings: how customers ask it */
    const char *answers;  /* JSON object text: language -> answer */
    const char *link;     /* NULL: none */
    double threshold;     /* 0..1: the bot answers only above it */
    bool enabled;
    int64_t answered, handed_off, reopened, held_back; /* what the bot did with it */
    int64_t created_at, updated_at;
};
/* Inserts ('id' 0) or updates FAQ 'id' (its counts are kept). ERR_NOTFOUND. */
int store_faq_put(struct store *st, int64_t id, const struct store_faq *f, int64_t *out_id);
int store_faq_get(struct store *st, struct arena *ar, int64_t id, struct store_faq *out);
/* Conversations the bot answered with it keep the question's text. ERR_NOTFOUND. */
int store_faq_delete(struct store *st, int64_t id);
/* Every FAQ (at most STORE_FAQ_MAX), by id. */
int store_faq_list(struct store *st, struct arena *ar, struct store_faq **out, size_t *n);
int store_faq_count(struct store *st, int64_t *n);
#define STORE_FAQ_VARIANTS_MAX 50 /* question variants of one FAQ (the API refuses more) */
/* One way of asking an FAQ: its question or one of its variants. */
struct store_faq_variant {
    int64_t faq_id;
    double threshold;
    bool enabled;
    const char *text;
};
/* Every FAQ's question and variants, by FAQ id (what the bot's matcher indexes). */
int store_faq_variants(struct store *st, struct arena *ar, struct store_faq_variant **out,
                       size_t *n);
/* FAQ 'id''s answer in 'lang' (NULL: English), else in English, else its first one. */
struct store_faq_answer {
    const char *question, *link; /* link NULL: none */
    const char *lang, *text;
};
/* ERR_NOTFOUND: no such FAQ, or it has no answer. */
int store_faq_answer(struct store *st, struct arena *ar, int64_t id, const char *lang,
                     struct store_faq_answer *out);

struct store_faq_bot {
    const char *channels; /* JSON array text of the channel ids the bot answers on */
    int64_t window_ms;    /* how long the customer may come back before an answer counts */
    int64_t updated_at;
};
int store_faq_bot_get(struct store *st, struct arena *ar, struct store_faq_bot *out);
int store_faq_bot_put(struct store *st, const struct store_faq_bot *b);

/* What the bot did in one conversation. */
struct store_bot_answer {
    int64_t conversation_id;
    int64_t faq_id;           /* 0: the FAQ was deleted since */
    const char *faq_question;
    int64_t message_id;       /* the bot's answer */
    double confidence;
    const char *state;        /* answered, handed_off, counted, reopened */
    int64_t answered_at, due_at;
    const char *handoff_reason; /* NULL unless handed off: asked_for_human, second_message */
    int64_t changed_at;
};
/* ERR_NOTFOUND when the bot never answered in the conversation. */
int store_bot_answer_get(struct store *st, struct arena *ar, int64_t conv_id,
                         struct store_bot_answer *out);
/* The bot answers conversation 'conv_id' in one job: its message (bot_faq_id set, queued in the
 * outbox on the conversation's channel; not a human reply, so the customer still counts as
 * waiting), the conversation pending, the bot_answer row due 'window_ms' later and the FAQ's
 * 'answered' count. ERR_NOTFOUND, ERR_CONFLICT (the bot answered here before). */
struct store_bot_send {
    int64_t conv_id, faq_id;
    const char *faq_question;
    double confidence;
    struct str text;
    int64_t window_ms;
    int64_t msg_id; /* out */
};
int store_bot_send(struct store *st, struct store_bot_send *j);
/* The customer came back within the window: state handed_off with 'reason', the FAQ's
 * 'handed_off' count, the bot's note 'note' in the thread, and the conversation open again.
 * ERR_CONFLICT when the bot is not waiting in it. */
int store_bot_handoff(struct store *st, int64_t conv_id, const char *reason, const char *note);
/* FAQ 'faq_id' (0: none) matched but the bot did not answer: its 'held_back' count (when an
 * FAQ) and the bot's note 'note' in the thread, for the agent who takes it. */
int store_bot_held_back(struct store *st, int64_t conv_id, int64_t faq_id, const char *note);
/* A counted answer's conversation came back (reopened): state reopened and the FAQ's count.
 * ERR_CONFLICT when it was not counted. */
int store_bot_reopened(struct store *st, int64_t conv_id);
/* Every answer whose window passed by 'now' counts: state counted, the customer no longer
 * waiting (conv_sla.awaiting_since cleared, first_reply_at set), the conversation resolved with
 * reason answered_by_bot. '*counted' gets how many (at most 64 a call). */
int store_bot_count_due(struct store *st, int64_t now, int *counted);
/* The earliest window still running, 0 when none. */
int store_bot_next_due(struct store *st, int64_t *due);

#endif
