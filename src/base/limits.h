/* SPDX-License-Identifier: MIT */
/*
 * limits.h - the caps of Hark's arenas, named in one place and derived from the input limits
 * they serve (as curl's dynbuf.h names its buffer sizes).
 *
 * An arena cap is not a hard wall (base/arena.h): running past it fails the one request or
 * job that did, logs, and counts hark_arena_cap_exceeded_total; it never aborts the process.
 * So a cap is set a few times above the largest legitimate use, and the comment beside each
 * says which input limits bound that use. The input limits themselves live with their
 * owners: MODEL_TEXT_MAX (16 KiB of message text) and MODEL_NAME_MAX in model/model.h, the
 * per-route body limits in api/routes.c (HARK_BODY_MAX is the largest), MAIL_MAX in
 * channels/chan_email.c, LISTEN_QUERY_MAX in listen/listen.h.
 *
 * A loop over work of unbounded length (a queue, a replay, an export) makes a fresh arena per
 * item or page; it never accumulates in one arena, whatever its cap.
 */
#ifndef HARK_LIMITS_H
#define HARK_LIMITS_H

/* Largest request body any route accepts (api/routes.c: 1024 * KB). */
#define HARK_BODY_MAX (1u << 20)

/* One HTTP request: its body (HARK_BODY_MAX) parsed into a JSON tree (jansson takes a few
 * times the text) plus one page of reads: at most 500 messages or 200 conversations of
 * MODEL_TEXT_MAX text, each copied about four times (row, JSON, escaping) = about 32 MiB. */
#define HARK_REQ_ARENA_MAX (64u << 20)

/* One page of events read from the store when a live stream fell behind the hub's ring:
 * 128 events (api/events.c BATCH, api/widget.c WIDGET_BATCH) of at most a few
 * MODEL_TEXT_MAX-sized JSON documents each (about 8 MiB). */
#define HARK_EVENT_PAGE_ARENA_MAX (64u << 20)

/* One page of an export (triage corrections for retraining): 1000 rows of MODEL_TEXT_MAX text
 * and a label (about 17 MiB). Exports make one arena per page. */
#define HARK_EXPORT_PAGE_ARENA_MAX (64u << 20)

/* An audit snapshot (api/audit_record.c): one settings resource or list read through its GET
 * route while a write runs, in an arena of its own so that it can never push the write's
 * request past its cap. Settings lists are short (agents, rules, tokens: hundreds of rows of a
 * few KiB). */
#define HARK_CAPTURE_ARENA_MAX (16u << 20)

/* A job about one conversation or message (an event's JSON, an SLA recompute, an
 * acknowledgement, a widget event): a handful of rows of MODEL_TEXT_MAX text. */
#define HARK_JOB_ARENA_MAX (1u << 20)
/* Building the FAQ bot's matcher (care/faqbot.c) reads every FAQ's question and variants: at
 * most 1,000 FAQs x (1 + 50 variants) x 1,200 bytes (300 characters of UTF-8). */
#define HARK_FAQ_INDEX_ARENA_MAX (64u << 20)

/* The held-back slice of one triage model retrain (care/triage_models.c): at most
 * HARK_MODELS_HELDOUT_MAX corrections, each text cut to the 4096 bytes the classifier reads
 * (CLASSIFY_MAX_TEXT) plus its label and pointers (about 84 MiB at the limit). */
#define HARK_MODELS_HELDOUT_MAX 20000u
#define HARK_MODELS_HELDOUT_ARENA_MAX (HARK_MODELS_HELDOUT_MAX * (4096u + 160u))

/* A job that touches only ids and short fields (a timer firing, a presence change). */
#define HARK_SMALL_JOB_ARENA_MAX (64u * 1024)

/* Routing arenas are sized from the routing data itself (routing__cap in routing/route.c). */

/* A page of SLA timers loaded at once. */
#define HARK_TIMER_PAGE_ARENA_MAX (4u << 20)

/* One delivery attempt of one reply: MODEL_TEXT_MAX text, its base64 or form encoding (4/3
 * and 3 times), the channel's settings and the platform's answer (fetch caps it at 256 KiB). */
#define HARK_SEND_ARENA_MAX (1u << 20)

/* A webhook signature check: the channel's settings (secrets) and short headers. Checks that
 * decode the body add twice its length (channels/chan_sms.c). */
#define HARK_VERIFY_ARENA_MAX (64u * 1024)

/* One outbox pass: 32 due items of MODEL_TEXT_MAX text and their sends' scratch. */
#define HARK_OUTBOX_ARENA_MAX (64u << 20)

/* One channel poll: up to 50 inbound messages (care/poller.c POLL_BATCH_MAX) of
 * MODEL_TEXT_MAX text with their names and ids; e-mail decodes in its own scratch arena. */
#define HARK_POLL_ARENA_MAX (64u << 20)

/* The poll supervisor's channel list: every channel row (settings up to 16 KiB each). */
#define HARK_CHANNEL_LIST_ARENA_MAX (16u << 20)

/* Listening: one matched post (text 64 KiB, ids and names 4 KiB, up to 10,000 query ids). */
#define HARK_LISTEN_POST_ARENA_MAX (1u << 20)
/* A matcher reload: up to 10,000 active queries of LISTEN_QUERY_MAX (4 KiB) text. */
#define HARK_LISTEN_RELOAD_ARENA_MAX (128u << 20)
/* The listening sources (WATCH_SOURCES_MAX rows of a few KiB). */
#define HARK_LISTEN_SOURCES_ARENA_MAX (16u << 20)

#endif
