/* SPDX-License-Identifier: MIT */
/*
 * callback.c - phone callbacks: the offer (a one-time link sent as the agent's reply), the
 * slots of the team's business hours, the customer's answer (the agent's task and an internal
 * note in the conversation) and marking the task done. See care.h.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <ctype.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rand.h"

void
care_callback_token(char token[CARE_CALLBACK_TOKEN_LEN + 1], char hash[65])
{
    static const char b64url[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[CARE_CALLBACK_TOKEN_LEN];
    /* One random byte per character, 6 bits of it kept: 258 bits in all. */
    rand_bytes(raw, sizeof(raw));
    for (size_t i = 0; i < CARE_CALLBACK_TOKEN_LEN; i++)
        token[i] = b64url[raw[i] & 63];
    token[CARE_CALLBACK_TOKEN_LEN] = '\0';
    auth_token_hash(token, hash);
}

bool
care_callback_token_ok(const char *t)
{
    if (!t || strlen(t) != CARE_CALLBACK_TOKEN_LEN)
        return false;
    for (const char *p = t; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    }
    return true;
}

bool
care_callback_phone(const char *in, char out[CARE_CALLBACK_PHONE_MAX])
{
    size_t n = 0, digits = 0;
    const char *p = in;
    while (*p == ' ')
        p++;
    if (*p != '+')
        return false;
    out[n++] = *p++;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= CARE_CALLBACK_PHONE_MAX)
                return false;
            out[n++] = *p;
            digits++;
        } else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')') {
            return false;
        }
    }
    out[n] = '\0';
    return digits >= 8 && digits <= 15 && out[1] != '0';
}

int64_t
care_callback_calendar(struct care *c, struct arena *ar, int64_t conv_id)
{
    struct store_conv_sla sla;
    struct store_team t;
    if (store_conv_sla_get(c->st, ar, conv_id, &sla) < 0 || sla.team_id <= 0 ||
        store_team_get(c->st, ar, sla.team_id, &t) < 0)
        return 0;
    return t.calendar_id;
}

int
care_callback_offer(struct care *c, struct store_callback *cb, struct str text, int64_t *id,
                    int64_t *msg_id)
{
    cb->expires_at = clock_now_ms() + CARE_CALLBACK_TTL_MS;
    int rc = store_callback_offer(c->st, cb, id);
    if (rc < 0)
        return rc;
    /* The offer is stored first: a reply that fails leaves a link nobody received, which
     * expires unused. */
    rc = care_reply(c, cb->conversation_id, cb->agent_id, text, false, msg_id);
    if (rc == 0)
        log_info("care", "callback offered", "conversation=%lld callback=%lld",
                 (long long)cb->conversation_id, (long long)*id);
    return rc;
}

/* The compiled hours of calendar 'id', or the default hours; '*tz' their zone. */
static int
hours_of(struct care *c, struct arena *ar, int64_t id, struct routing_hours **h, const char **tz)
{
    struct store_calendar cal;
    if (id > 0 && store_calendar_get(c->st, ar, id, &cal) == 0 &&
        routing_hours_new(cal.tz, cal.ranges, cal.nranges, cal.holiday_days, cal.nholiday_days,
                          h, NULL) == 0) {
        *tz = cal.tz;
        return 0;
    }
    static const struct store_range weekdays[] = {
        { 1, 540, 1020 }, { 2, 540, 1020 }, { 3, 540, 1020 }, { 4, 540, 1020 }, { 5, 540, 1020 },
    };
    *tz = CARE_CALLBACK_DEFAULT_TZ;
    return routing_hours_new(*tz, weekdays, COUNTOF(weekdays), NULL, 0, h, NULL);
}

int
care_callback_slots(struct care *c, struct arena *ar, int64_t calendar_id, int64_t now,
                    int64_t **out, size_t *n, const char **tz)
{
    struct routing_hours *h;
    int rc = hours_of(c, ar, calendar_id, &h, tz);
    if (rc < 0)
        return rc;
    int64_t *v = ARENA_NEW_N(ar, int64_t, CARE_CALLBACK_SLOTS_MAX);
    size_t k = 0;
    const int64_t step = CARE_CALLBACK_SLOT_MS, end = now + CARE_CALLBACK_DAYS * 86400000LL;
    int64_t t = (now + CARE_CALLBACK_LEAD_MS + step - 1) / step * step;
    while (k < CARE_CALLBACK_SLOTS_MAX && t < end) {
        if (routing_hours_open(h, t) && routing_hours_open(h, t + step - 1)) {
            v[k++] = t;
            t += step;
            continue;
        }
        int64_t next = routing_hours_next_open(h, t + 1);
        if (next == INT64_MAX)
            break;
        /* Slots start on the half hour (zones off the half hour start at their opening). */
        t = next > t + step ? next : t + step;
    }
    routing_hours_free(h);
    *out = v;
    *n = k;
    return 0;
}

int
care_callback_accept(struct care *c, const char *token, const char *phone, int64_t slot_at,
                     const char *note, int64_t *id)
{
    if (!care_callback_token_ok(token))
        return ERR_NOTFOUND;
    char hash[65];
    auth_token_hash(token, hash);
    struct arena *ar = arena_new(64 * 1024);
    int64_t now = clock_now_ms();
    struct store_callback cb;
    int rc = store_callback_open(c->st, ar, hash, now, &cb);
    int64_t *slots = NULL;
    size_t n = 0;
    const char *tz = NULL;
    if (rc == 0)
        rc = care_callback_slots(c, ar, cb.calendar_id, now, &slots, &n, &tz);
    bool offered = false;
    for (size_t i = 0; rc == 0 && i < n; i++)
        offered |= slots[i] == slot_at;
    if (rc == 0 && !offered)
        rc = ERR_INVAL;
    if (rc == 0)
        rc = store_callback_accept(c->st, hash, now, phone, slot_at, note, id);
    if (rc == 0) {
        /* What the agent reads in the conversation: who, which number, when (in the hours'
         * zone, as the team plans its day). */
        struct routing_hours *h = NULL;
        char when[160] = "";
        if (hours_of(c, ar, cb.calendar_id, &h, &tz) == 0) {
            if (routing_hours_format(h, tz, slot_at, "en", when, sizeof(when)) < 0)
                snprintf(when, sizeof(when), "the chosen time");
            routing_hours_free(h);
        }
        char first[64] = "The customer";
        if (cb.contact_name && cb.contact_name[0]) {
            size_t len = strcspn(cb.contact_name, " ");
            snprintf(first, sizeof(first), "%.*s", (int)(len < 60 ? len : 60), cb.contact_name);
        }
        char *text = arena_printf(ar, "%s asked to be called on %s at %s (%s).%s%s", first,
                                   phone, when, tz, note && note[0] ? " Their note: " : "",
                                   note && note[0] ? note : "");
        int64_t msg_id;
        int nrc = care_reply(c, cb.conversation_id, 0, str_c(text), true, &msg_id);
        if (nrc < 0)
            log_warn("care", "callback note not written", "callback=%lld err=%s",
                     (long long)*id, err_str(nrc));
        log_info("care", "callback accepted", "conversation=%lld callback=%lld",
                 (long long)cb.conversation_id, (long long)*id);
    }
    arena_free(ar);
    return rc;
}

int
care_callback_done(struct care *c, int64_t id, int64_t agent_id, bool done)
{
    return store_callback_done(c->st, id, agent_id, done);
}
