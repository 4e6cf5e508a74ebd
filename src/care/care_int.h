/* SPDX-License-Identifier: MIT */
/*
 * care_int.h - shared by the files of care/ only.
 */
#ifndef HARK_CARE_INT_H
#define HARK_CARE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "care/care.h"

struct care__poller;
struct care__chanstat;
struct care__models;
struct classify_live;

struct care {
    struct care_config cfg;
    struct store *st;
    struct hub *hub;
    struct care_metrics metrics;
    struct classify_live *live;    /* the live triage models; NULL: no triage */
    struct care__models *models;   /* versions and retraining (triage_models.c); NULL: off */
    struct auth *auth;
    struct routing *routing;
    _Atomic(struct watch *) watch; /* listening service; NULL when not started. Atomic: request
                                      threads read it while the server starts and stops it */

    pthread_t outbox_thread;
    pthread_mutex_t outbox_mu; /* guards the three fields below */
    pthread_cond_t outbox_cv;
    bool outbox_running, outbox_stop, outbox_kicked;

    struct care__poller *poller; /* pull channels (poller.c); NULL when not running */

    struct care_recent *recent; /* the detector's memory of recent replies (reply_check.c) */

    int64_t housekept_at; /* last housekeeping run, ms; timers worker only */

    struct care__chanstat *chanstat; /* channel status in memory (chanstat.c) */

    char survey_url[512]; /* base of survey links (survey.c); guarded by outbox_mu */
    /* The newest survey button answer (read from the store at start, then kept here): a
     * customer's text can be a survey comment only within CARE_SURVEY_COMMENT_MS of a tap, so
     * ordinary messages skip the survey lookup otherwise (it was a third of ingest's cost).
     * One process only: several instances would each need the others' taps. */
    _Atomic int64_t survey_tap_at;
    struct care__faqbot *faqbot; /* the FAQ bot's matcher (faqbot.c) */
};

/* Surveys (survey.c), run by the outbox worker: sends the due ones; returns the next due time
 * (0: none). */
int64_t care__survey_tick(struct care *c, int64_t now);
/* An inbound message that is a survey answer (a button) or the comment after one: recorded,
 * 'r' filled with its conversation, true; false for an ordinary message. */
bool care__survey_inbound(struct care *c, struct arena *ar, const struct inbound *in,
                          struct ingest_result *r);

/* The FAQ bot (faqbot.c). */
void care__faqbot_init(struct care *c);
void care__faqbot_free(struct care *c);
/* After message 'in' was stored as 'r': the bot answers it (true: the conversation is the
 * bot's, do not route it), hands a conversation it answered to a person (routing it), or
 * notes why it held back; false leaves routing to the caller. */
bool care__faqbot_inbound(struct care *c, struct arena *ar, const struct inbound *in,
                          const struct ingest_result *r);
/* Counts the answers whose window passed (store_bot_count_due). */
void care__faqbot_tick(struct care *c, int64_t now);

/* Housekeeping (housekeeping.c), called by the timers worker on every wake-up; runs its
 * chores at most once per CARE__HOUSEKEEP_MS: purges expired sessions. */
#define CARE__HOUSEKEEP_MS (60 * 1000)
void care__housekeep(struct care *c, int64_t now);

/* Channel status (chanstat.c): updated in memory by ingest, handshakes, polls and the outbox;
 * flushed to the store by housekeeping at most once per CARE__STATUS_FLUSH_MS and at free. */
#define CARE__STATUS_FLUSH_MS (10 * 1000)
void care__chanstat_init(struct care *c);
/* Flushes what is left and frees. Call after the timers worker has stopped. */
void care__chanstat_free(struct care *c);
/* A delivery or poll of channel 'id' was accepted, bringing 'messages' new messages. */
void care__status_event(struct care *c, int64_t id, size_t messages);
/* The platform's verification handshake of channel 'id' was answered. */
void care__status_verify(struct care *c, int64_t id);
/* Records the last error of channel 'id' in the care team's words (printf format; never
 * customer text, never a secret). */
void care__status_error(struct care *c, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Drops channel 'id' from memory (it was deleted). */
void care__chanstat_forget(struct care *c, int64_t id);
/* Writes the changed entries in one transaction, unless 'force' is false and the last flush
 * was less than CARE__STATUS_FLUSH_MS before 'now'. */
void care__chanstat_flush(struct care *c, int64_t now, bool force);
/* Stops the retrain worker and frees the models (triage_models.c); care_free calls it after
 * every user of the models has stopped. */
void care__models_close(struct care *c);

#endif
