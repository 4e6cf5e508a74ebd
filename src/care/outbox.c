/* SPDX-License-Identifier: MIT */
/*
 * outbox.c - the background worker that delivers queued replies through channel adapters.
 *
 * One worker thread takes due items oldest first, sends each through its channel's adapter
 * and records the outcome durably before moving on. Transient failures (network, timeouts,
 * 5xx, 429) are retried with exponential backoff that honours Retry-After; permanent ones and
 * exhausted retries end 'failed' with the reason. Each reply keeps one idempotency key for all
 * its attempts, and only a 'pending' row can change state, so a reply is recorded sent once.
 * Pending items survive restarts because they live in the outbox table. Items are claimed
 * (store_outbox_claim) before they are sent, so among several instances sharing the database
 * each reply is sent by one; a claim is a lease, and an instance that dies mid-batch leaves
 * its items to come due again when the lease runs out.
 */
#include "base/base.h"
#include "care/care_int.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "channels/chan.h"
#include "store/store.h"

int64_t
care_outbox_delay(int attempts, int64_t retry_after_ms, int64_t base_ms, int64_t max_ms,
                  int64_t key)
{
    int64_t d = base_ms;
    for (int i = 1; i < attempts && d < max_ms; i++)
        d *= 2;
    if (d > max_ms)
        d = max_ms;
    /* Up to 10% jitter, deterministic per item so tests can predict the range. */
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ULL + (uint64_t)attempts;
    d += (int64_t)(h % (uint64_t)(d / 10 + 1));
    if (retry_after_ms >= 0 && d < retry_after_ms)
        d = retry_after_ms;
    return d;
}

/* The reason of a failed attempt as it may be logged: at most OUTBOX_LOG_REASON_MAX bytes
 * (cut at a character boundary), control bytes as spaces, quotes and backslashes replaced,
 * so a platform's text can neither break the logfmt line nor flood the log. */
#define OUTBOX_LOG_REASON_MAX 200
#define OUTBOX_CLAIM_MAX 16        /* items claimed at once */
#define OUTBOX_LEASE_MS 120000     /* a claim's lease: far longer than 16 sends take */
#define OUTBOX_LEASE_SPARE_MS 30000 /* no send starts this close to the lease's end */
static void
log_reason(const char *in, char out[OUTBOX_LOG_REASON_MAX + 1])
{
    size_t n = 0;
    for (; in[n] && n < OUTBOX_LOG_REASON_MAX; n++) {
        unsigned char c = (unsigned char)in[n];
        out[n] = c < 0x20 || c == 0x7f ? ' ' : c == '"' ? '\'' : c == '\\' ? '/' : (char)c;
    }
    if (in[n]) { /* cut: drop the last (maybe partial) UTF-8 sequence */
        size_t k = n;
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0)
            n = k - 1;
    }
    out[n] = '\0';
}

/* The platform's HTTP status in an adapter's reason ("... HTTP 503 ..."), or 0 when none. */
static int
reason_status(const char *s)
{
    const char *p = strstr(s, "HTTP ");
    if (!p)
        return 0;
    int v = 0;
    for (p += 5; *p >= '0' && *p <= '9' && v < 1000; p++)
        v = v * 10 + (*p - '0');
    return v >= 100 && v <= 599 ? v : 0;
}

static void
deliver(struct care *c, struct arena *ar, const struct outbox_item *it)
{
    struct channel ch;
    struct chan_send_result res = { .state = CHAN_FAILED, .retry_after_ms = -1 };
    int rc = store_channel_get(c->st, ar, it->channel_id, &ch);
    const struct chan_ops *ops = rc == 0 ? chan_find(ch.type) : NULL;
    if (!ops) {
        snprintf(res.error, sizeof(res.error), "channel cannot send replies");
    } else {
        ops->send(&ch, it, &res);
    }
    metrics_add(&c->metrics.outbox_attempts, 1);
    int64_t now = clock_now_ms();
    int attempts = it->attempts + 1;
    const char *state = "sent";
    int64_t next_at = now;
    char reason[300];
    snprintf(reason, sizeof(reason), "%s", res.error);
    if (res.state == CHAN_RETRY) {
        if (attempts >= c->cfg.outbox_max_attempts) {
            state = "failed";
            snprintf(reason, sizeof(reason), "gave up after %d attempts: %s", attempts, res.error);
        } else {
            state = "pending";
            next_at = now + care_outbox_delay(attempts, res.retry_after_ms, c->cfg.outbox_base_ms,
                                              c->cfg.outbox_max_delay_ms, it->message_id);
        }
    } else if (res.state == CHAN_FAILED) {
        state = "failed";
    }
    if (strcmp(state, "failed") == 0) /* the platform's reason, never a secret */
        care__status_error(c, it->channel_id, "a reply could not be delivered: %s", reason);
    rc = store_outbox_result(c->st, it->message_id, state, next_at,
                             strcmp(state, "sent") == 0 ? NULL : reason, 0);
    if (res.state == CHAN_SENT) {
        log_info("outbox", "attempt", "channel=%lld message=%lld attempt=%d state=%s",
                 (long long)it->channel_id, (long long)it->message_id, attempts, state);
    } else {
        char why[OUTBOX_LOG_REASON_MAX + 1];
        char retry[32] = "never";
        log_reason(res.error, why);
        if (strcmp(state, "pending") == 0)
            snprintf(retry, sizeof(retry), "%lldms", (long long)(next_at - now));
        log_warn("outbox", "attempt failed",
                 "channel=%lld message=%lld attempt=%d state=%s status=%d retry_in=%s "
                 "reason=\"%s\"",
                 (long long)it->channel_id, (long long)it->message_id, attempts, state,
                 reason_status(res.error), retry, why);
    }
    if (rc < 0)
        log_warn("outbox", "cannot record result", "message=%lld err=%s",
                 (long long)it->message_id, err_str(rc));
    /* The platform's id for the sent message, so a customer's quote of it threads. */
    if (rc == 0 && res.state == CHAN_SENT && res.external_id[0])
        store_msg_set_external_id(c->st, it->message_id, res.external_id);
}

static void *
worker(void *arg)
{
    struct care *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->outbox_mu);
        bool stop = c->outbox_stop;
        c->outbox_kicked = false;
        pthread_mutex_unlock(&c->outbox_mu);
        if (stop)
            break;

        struct arena *ar = arena_new(HARK_OUTBOX_ARENA_MAX);
        struct outbox_item *items;
        size_t n = 0;
        int64_t claimed_at = clock_now_ms();
        /* A claim is a write: made only when something is due (a read says so). */
        int64_t due = store_outbox_next_at(c->st);
        int rc = 0;
        if (due && due <= claimed_at)
            rc = store_outbox_claim(c->st, ar, claimed_at, OUTBOX_LEASE_MS, OUTBOX_CLAIM_MAX,
                                    &items, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            pthread_mutex_lock(&c->outbox_mu);
            stop = c->outbox_stop;
            pthread_mutex_unlock(&c->outbox_mu);
            if (stop)
                break;
            /* Past most of the lease (slow platforms), the rest is left to come due again
             * rather than risk another instance sending it too. */
            if (clock_now_ms() - claimed_at > OUTBOX_LEASE_MS - OUTBOX_LEASE_SPARE_MS)
                break;
            deliver(c, ar, &items[i]);
        }
        arena_free(ar);
        if (n == OUTBOX_CLAIM_MAX)
            continue; /* more may be due */

        /* Surveys due after a resolve: their rows are the persisted timers. */
        int64_t next_survey = care__survey_tick(c, clock_now_ms());
        int64_t next = store_outbox_next_at(c->st);
        if (next_survey && (!next || next_survey < next))
            next = next_survey;
        int64_t now = clock_now_ms();
        int64_t wait = next ? next - now : 5000;
        if (wait > 5000)
            wait = 5000;
        if (wait <= 0)
            continue;
        int64_t until = clock_now_ms() + wait;
        pthread_mutex_lock(&c->outbox_mu);
        while (!c->outbox_kicked && !c->outbox_stop &&
               clock_timedwait(&c->outbox_cv, &c->outbox_mu, until) == 0) {
        }
        pthread_mutex_unlock(&c->outbox_mu);
    }
    return NULL;
}

int
care_outbox_start(struct care *c)
{
    pthread_mutex_lock(&c->outbox_mu);
    c->outbox_stop = false;
    pthread_mutex_unlock(&c->outbox_mu);
    if (pthread_create(&c->outbox_thread, NULL, worker, c) != 0)
        return ERR_IO;
    c->outbox_running = true;
    return 0;
}

void
care_outbox_stop(struct care *c)
{
    if (!c->outbox_running)
        return;
    pthread_mutex_lock(&c->outbox_mu);
    c->outbox_stop = true;
    pthread_cond_signal(&c->outbox_cv);
    pthread_mutex_unlock(&c->outbox_mu);
    pthread_join(c->outbox_thread, NULL);
    c->outbox_running = false;
}

void
care_outbox_kick(struct care *c)
{
    pthread_mutex_lock(&c->outbox_mu);
    c->outbox_kicked = true;
    pthread_cond_signal(&c->outbox_cv);
    pthread_mutex_unlock(&c->outbox_mu);
}

int
care_reply(struct care *c, int64_t conv_id, int64_t agent_id, struct str text, bool note,
           int64_t *msg_id)
{
    int rc = store_reply(c->st, conv_id, agent_id, text, note, msg_id);
    if (rc < 0)
        return rc;
    if (!note) {
        care_outbox_kick(c);
        /* The robotic-template detector compares later replies with this one. */
        struct arena *ar = arena_new(CARE_CHECK_TEXT_MAX * 8);
        care_recent_add(c->recent, ar, text.len > CARE_CHECK_TEXT_MAX
                                           ? (struct str){ text.p, CARE_CHECK_TEXT_MAX } : text);
        arena_free(ar);
    }
    return 0;
}

int
care_reply_payload(struct care *c, int64_t conv_id, int64_t agent_id, struct str text,
                   const char *payload, int64_t *msg_id)
{
    int rc = store_reply_payload(c->st, conv_id, agent_id, text, payload, msg_id);
    if (rc < 0)
        return rc;
    care_outbox_kick(c);
    return 0;
}

int
care_msg_retry(struct care *c, int64_t msg_id)
{
    int rc = store_msg_retry(c->st, msg_id);
    if (rc < 0)
        return rc;
    care_outbox_kick(c);
    return 0;
}
