/* SPDX-License-Identifier: MIT */
/*
 * sla.c - SLA deadlines of a conversation and the honest auto-acknowledgement.
 *
 * routing_sla_compute() is a pure function of the conversation's stored facts (kept by triggers,
 * see migration 008), its policy and its calendar, so recomputing is idempotent and the order
 * in which changes arrive does not matter. Policies carry a version: a conversation computed
 * under an older version is recomputed the next time it is touched, read or one of its timers
 * comes due, never by scanning all conversations.
 */
#include "base/base.h"
#include "routing/routing_int.h"

#include <stdio.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "store/store.h"

#define ACK_TEXT_MAX 2000

const struct store_sla_policy *
routing_sla_match(const struct store_sla_policy *v, size_t n, const struct conv *conv)
{
    for (size_t i = 0; i < n; i++) {
        const struct store_sla_policy *p = &v[i];
        if (p->priority >= 0 && p->priority != conv->priority)
            continue;
        if (p->channel_type && (!conv->channel_type || strcmp(p->channel_type, conv->channel_type)))
            continue;
        if (p->intent && (!conv->intent || strcmp(p->intent, conv->intent)))
            continue;
        return p;
    }
    return NULL;
}

static void
add_timers(struct store_sla_apply *out, const char *clock, const struct routing_hours *h,
           int64_t start, int64_t target_ms, int64_t shift_ms, int warn_pct, int64_t due)
{
    char kind[32];
    if (warn_pct > 0 && warn_pct < 100 && out->ntimers < COUNTOF(out->timers)) {
        int64_t warn = routing_hours_add(h, start, target_ms * warn_pct / 100 + shift_ms);
        if (warn < due) {
            snprintf(kind, sizeof(kind), "%s_warning", clock);
            out->timers[out->ntimers].kind = strcmp(clock, "first") == 0   ? "first_warning"
                                             : strcmp(clock, "next") == 0 ? "next_warning"
                                                                          : "resolve_warning";
            out->timers[out->ntimers++].due_at = warn;
        }
    }
    if (out->ntimers < COUNTOF(out->timers)) {
        out->timers[out->ntimers].kind = strcmp(clock, "first") == 0   ? "first_breach"
                                         : strcmp(clock, "next") == 0 ? "next_breach"
                                                                      : "resolve_breach";
        out->timers[out->ntimers++].due_at = due;
    }
    (void)kind;
}

void
routing_sla_compute(const struct routing_sla_input *in, struct store_sla_apply *out)
{
    const struct conv *cv = in->conv;
    const struct store_conv_sla *x = in->sla;
    const struct store_sla_policy *p = in->policy;
    const struct routing_hours *h = p && p->business_hours ? in->hours : NULL;
    bool resolved = strcmp(cv->status, "resolved") == 0;
    bool pending = strcmp(cv->status, "pending") == 0;

    out->policy_id = p ? p->id : 0;
    out->policy_version = p ? p->version : 0;
    out->first_due = out->next_due = out->resolve_due = 0;
    out->ntimers = 0;
    out->pause_ms = x->pause_ms;
    out->paused_at = x->paused_at;

    /* Close a pause that has ended: the status left pending, or the customer wrote since. */
    if (x->paused_at) {
        int64_t end = 0;
        if (!pending)
            end = cv->updated_at > x->paused_at ? cv->updated_at : in->now;
        else if (x->awaiting_since > x->paused_at)
            end = x->awaiting_since;
        if (end) {
            out->pause_ms += routing_hours_between(h, x->paused_at, end);
            out->paused_at = 0;
        }
    }
    if (strcmp(cv->status, "snoozed") == 0 && cv->snooze_until > 0 &&
        out->ntimers < COUNTOF(out->timers)) {
        out->timers[out->ntimers].kind = "snooze";
        out->timers[out->ntimers++].due_at = cv->snooze_until;
    }
    if (!p || resolved || out->paused_at)
        return;
    int warn = p->warn_pct;
    if (x->awaiting_since && !x->first_reply_at && p->first_s > 0) {
        int64_t t = p->first_s * 1000;
        out->first_due = routing_hours_add(h, x->awaiting_since, t + out->pause_ms);
        if (out->first_due != INT64_MAX)
            add_timers(out, "first", h, x->awaiting_since, t, out->pause_ms, warn, out->first_due);
        else
            out->first_due = 0;
    }
    if (x->awaiting_since && x->first_reply_at && p->next_s > 0) {
        /* Pauses before this customer message do not extend the next-response clock. */
        int64_t t = p->next_s * 1000;
        out->next_due = routing_hours_add(h, x->awaiting_since, t);
        if (out->next_due != INT64_MAX)
            add_timers(out, "next", h, x->awaiting_since, t, 0, warn, out->next_due);
        else
            out->next_due = 0;
    }
    if (p->resolve_s > 0 && x->opened_at) {
        int64_t t = p->resolve_s * 1000;
        out->resolve_due = routing_hours_add(h, x->opened_at, t + out->pause_ms);
        if (out->resolve_due != INT64_MAX)
            add_timers(out, "resolve", h, x->opened_at, t, out->pause_ms, warn, out->resolve_due);
        else
            out->resolve_due = 0;
    }
}

/* Compiles the calendar 'id' (0: none, NULL result). */
static struct routing_hours *
hours_for(struct routing *c, struct arena *ar, int64_t id)
{
    if (!id)
        return NULL;
    struct store_calendar cal;
    if (store_calendar_get(c->st, ar, id, &cal) < 0)
        return NULL;
    struct routing_hours *h = NULL;
    struct errmsg em = { 0 };
    if (routing_hours_new(cal.tz, cal.ranges, cal.nranges, cal.holiday_days, cal.nholiday_days, &h,
                       &em) < 0) {
        log_warn("sla", "bad calendar", "calendar=%lld err=\"%s\"", (long long)id, em.text);
        return NULL;
    }
    return h;
}

int
routing_sla_recompute(struct routing *c, int64_t conv_id, int64_t gen)
{
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    struct conv cv;
    struct store_conv_sla x;
    struct store_sla_policy *pols = NULL;
    size_t npols = 0;
    struct routing_hours *h = NULL;
    int rc = store_conv_get(c->st, ar, conv_id, &cv);
    if (rc == 0)
        rc = store_conv_sla_get(c->st, ar, conv_id, &x);
    if (rc == ERR_NOTFOUND) {
        /* Nothing to compute; still clear the dirty mark. */
        struct store_sla_apply a = { .conversation_id = conv_id, .gen = gen };
        rc = store_sla_apply(c->st, &a);
        goto out;
    }
    if (rc == 0 && cv.blocked) {
        /* A blocked contact's conversation has no clock: no deadline, every timer cancelled
         * (a pause is kept for when it is unblocked). */
        struct store_sla_apply a = { .conversation_id = conv_id, .gen = gen,
                                     .paused_at = x.paused_at, .pause_ms = x.pause_ms };
        rc = store_sla_apply(c->st, &a);
        goto out;
    }
    if (rc == 0)
        rc = store_sla_policy_list(c->st, ar, &pols, &npols);
    if (rc < 0)
        goto out;
    const struct store_sla_policy *p = routing_sla_match(pols, npols, &cv);
    if (p && p->business_hours) {
        int64_t cal = p->calendar_id;
        if (!cal && x.team_id) {
            struct store_team t;
            if (store_team_get(c->st, ar, x.team_id, &t) == 0)
                cal = t.calendar_id;
        }
        h = hours_for(c, ar, cal);
    }
    struct store_sla_apply a = { .conversation_id = conv_id, .gen = gen };
    struct routing_sla_input in = { .now = clock_now_ms(), .conv = &cv, .sla = &x, .policy = p,
                                 .hours = h };
    routing_sla_compute(&in, &a);
    rc = store_sla_apply(c->st, &a);
out:
    routing_hours_free(h);
    arena_free(ar);
    if (rc < 0)
        log_warn("sla", "recompute failed", "conversation=%lld err=%s", (long long)conv_id,
                 err_str(rc));
    return rc;
}

int
routing_sla_unanswered(struct routing *c, int64_t conv_id)
{
    struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
    struct store_conv_sla x;
    int rc = store_conv_sla_get(c->st, ar, conv_id, &x);
    arena_free(ar);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    return x.awaiting_since ? 1 : 0;
}

/* Replaces "{when}" and "{team}" in 'tpl'. */
static void
fill(struct buf *b, const char *tpl, const char *when, const char *team)
{
    for (const char *p = tpl; *p;) {
        if (strncmp(p, "{when}", 6) == 0) {
            buf_adds(b, when);
            p += 6;
        } else if (strncmp(p, "{team}", 6) == 0) {
            buf_adds(b, team);
            p += 6;
        } else {
            buf_addc(b, *p++);
        }
    }
}

/* The team's measured mean first response (10 minutes until measured). */
static int64_t
team_mean_frt(struct routing *c, struct arena *ar, const struct store_team *team)
{
    struct store_profile *ag;
    size_t na = 0;
    int64_t sum = 0, cnt = 0;
    if (store_profile_list(c->st, ar, &ag, &na) == 0) {
        for (size_t i = 0; i < na; i++) {
            for (size_t k = 0; k < team->nmembers; k++) {
                if (team->members[k] == ag[i].agent_id) {
                    sum += ag[i].frt_sum_ms;
                    cnt += ag[i].frt_count;
                }
            }
        }
    }
    return cnt ? sum / cnt : 10LL * 60 * 1000;
}

/*
 * The acknowledgement a conversation 'cv' (latest language 'lang') routed to 'team' gets at
 * 'now': '*text' (from 'ar') when one is due, else NULL; '*why' says which, in words. 'queued'
 * with 'ahead' conversations before it in the queue. A real acknowledgement and a dry run both
 * compose it here; only routing_autoack_maybe stores it.
 */
static int
ack_compose(struct routing *c, struct arena *ar, const struct store_team *team,
            const struct conv *cv, const char *lang, bool queued, int64_t ahead, int64_t now,
            const char **text, const char **why)
{
    *text = NULL;
    if (!team->autoack) {
        *why = "automatic acknowledgements are off for this team";
        return 0;
    }
    if (cv->public && !team->autoack_public) {
        *why = "automatic acknowledgements are off for public posts in this team";
        return 0;
    }
    struct routing_hours *h = hours_for(c, ar, team->calendar_id);
    int64_t open = routing_hours_next_open(h, now);
    /* Predicted wait: from the next opening, the conversations queued ahead of this one
     * times the team's measured mean first response. */
    int64_t when = open;
    if (queued)
        when = routing_hours_add(h, open, team_mean_frt(c, ar, team) * (ahead + 1));
    struct store_sla_policy *pols;
    size_t npols = 0;
    int64_t target = 0;
    if (store_sla_policy_list(c->st, ar, &pols, &npols) == 0) {
        const struct store_sla_policy *p = routing_sla_match(pols, npols, cv);
        if (p && p->first_s > 0)
            target = p->first_s * 1000;
    }
    bool outside = open != now;
    bool too_long = target > 0 && when - now > target;
    int rc = 0;
    if (!outside && !too_long) {
        *why = queued ? "the team is open and the predicted wait is within the first-reply target"
                      : "the team is open and someone can answer now";
        goto out;
    }
    if (when == INT64_MAX) {
        log_warn("sla", "calendar never opens: no acknowledgement", "team=%lld",
                 (long long)team->id);
        *why = "the team's business hours never open";
        goto out;
    }
    char whens[128];
    struct store_calendar cal = { 0 };
    if (team->calendar_id)
        store_calendar_get(c->st, ar, team->calendar_id, &cal);
    rc = routing_hours_format(h, cal.tz ? cal.tz : "UTC", when, lang, whens, sizeof(whens));
    if (rc < 0)
        goto out;
    const char *tpl = NULL;
    rc = store_team_autoack_text(c->st, ar, team->id, lang, &tpl);
    if (rc < 0 || !tpl)
        tpl = "Thank you for your message. We are not able to answer straight away: a person "
              "from our team will reply by {when}.";
    struct buf b;
    buf_init(&b, ACK_TEXT_MAX);
    fill(&b, tpl, whens, team->name);
    if (!strstr(tpl, "{team}"))
        buf_printf(&b, "\n\xe2\x80\x94 %s", team->name);
    /* Never send a cut acknowledgement: a template too long for ACK_TEXT_MAX sends none. */
    rc = buf_error(&b);
    if (rc < 0) {
        log_warn("sla", "acknowledgement longer than its limit; not sent", "team=%lld max=%d",
                 (long long)team->id, ACK_TEXT_MAX);
        *why = "the acknowledgement would be longer than its limit, so none is sent";
    } else {
        *text = arena_strndup(ar, b.p, b.len);
        *why = outside ? "the team is outside its business hours"
                       : "the predicted wait is longer than the first-reply target";
    }
    buf_release(&b);
out:
    routing_hours_free(h);
    return rc;
}

int
routing_autoack_maybe(struct routing *c, int64_t conv_id)
{
    /* It reads every agent's profile (the team's measured response time) besides the
     * conversation, its team, calendar and policies: sized like a routing decision. */
    size_t cap;
    int rc = routing__cap(c, &cap);
    if (rc < 0)
        return rc;
    struct arena *ar = arena_new(cap + (1 << 20));
    struct store_route_input in;
    struct store_conv_sla x;
    struct store_team team;
    rc = store_route_input(c->st, ar, conv_id, &in);
    if (rc == 0)
        rc = store_conv_sla_get(c->st, ar, conv_id, &x);
    if (rc == 0 && !x.team_id)
        rc = ERR_NOTFOUND;
    if (rc == 0)
        rc = store_team_get(c->st, ar, x.team_id, &team);
    if (rc < 0)
        goto out;
    /* Once per conversation, while it waits for a person. */
    if (x.autoack_msg_id || !x.awaiting_since || strcmp(in.conv.status, "resolved") == 0)
        goto out;
    int64_t ahead = 0;
    if (x.queued_at)
        store_route_queue_count(c->st, conv_id, NULL, &ahead);
    const char *text = NULL, *why;
    rc = ack_compose(c, ar, &team, &in.conv, in.lang, x.queued_at != 0, ahead, clock_now_ms(),
                     &text, &why);
    if (rc < 0 || !text)
        goto out;
    int64_t msg_id = 0;
    rc = store_autoack(c->st, conv_id, (struct str){ text, strlen(text) }, &msg_id);
    if (rc == ERR_CONFLICT) {
        rc = 0;
        goto out;
    }
    if (rc == 0) {
        log_info("sla", "acknowledged", "conversation=%lld message=%lld", (long long)conv_id,
                 (long long)msg_id);
        if (c->hooks.reply_queued)
            c->hooks.reply_queued(c->hooks.arg);
    }
out:
    arena_free(ar);
    return rc;
}

int
routing__autoack_text(struct routing *c, struct arena *ar, const struct store_team *team,
                      const struct conv *cv, const char *lang, bool queued, int64_t ahead,
                      const char **text, const char **why)
{
    return ack_compose(c, ar, team, cv, lang, queued, ahead, clock_now_ms(), text, why);
}

int
routing_autoack_preview(struct routing *c, struct arena *ar, int64_t calendar_id,
                        const char *team_name, const char *lang, const char *tpl,
                        const char **out)
{
    struct routing_hours *h = hours_for(c, ar, calendar_id);
    int64_t now = clock_now_ms();
    int64_t when = routing_hours_next_open(h, now);
    char whens[128];
    struct store_calendar cal = { 0 };
    int rc = 0;
    if (when == INT64_MAX) {
        rc = ERR_INVAL;
        goto out;
    }
    if (calendar_id)
        store_calendar_get(c->st, ar, calendar_id, &cal);
    rc = routing_hours_format(h, cal.tz ? cal.tz : "UTC", when, lang, whens, sizeof(whens));
    if (rc < 0)
        goto out;
    struct buf b;
    buf_init(&b, ACK_TEXT_MAX);
    fill(&b, tpl, whens, team_name);
    if (!strstr(tpl, "{team}"))
        buf_printf(&b, "\n\xe2\x80\x94 %s", team_name);
    rc = buf_error(&b);
    if (rc == 0)
        *out = arena_strndup(ar, b.p, b.len);
    buf_release(&b);
out:
    routing_hours_free(h);
    return rc;
}
