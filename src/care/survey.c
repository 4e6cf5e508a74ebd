/* SPDX-License-Identifier: MIT */
/*
 * survey.c - CSAT after resolve: the rules that decide whether a resolved conversation gets a
 * survey, the send when its delay has passed (driven by the outbox worker: the survey rows are
 * the persisted timers), and the customer's answer from a button, the widget or the survey
 * page, with a free-text comment after the score. See care.h.
 */
#include "base/base.h"
#include "care/care_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "base/utf8.h"
#include "channels/chan.h"
#include "store/store.h"

/* A channel type in the settings' comma-separated list ("" is every type). */
static bool
channel_on(const char *list, const char *type)
{
    if (!list || !list[0])
        return true;
    size_t n = strlen(type);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && memcmp(p, type, n) == 0)
            return true;
        p += len + (e != NULL);
    }
    return false;
}

bool
care_survey_spam_reason(const char *reason)
{
    return reason && (strcmp(reason, "spam") == 0 || strcmp(reason, "abuse") == 0);
}

const char *
care_survey_rule(const struct store_survey_settings *s, const struct store_survey_facts *f,
                 int64_t now)
{
    if (!s->enabled)
        return "off";
    if (!f->status || strcmp(f->status, "resolved") != 0)
        return "not_resolved";
    if (f->blocked)
        return "blocked";
    if (care_survey_spam_reason(f->reason))
        return "spam";
    if (!channel_on(s->channels, f->channel_type))
        return "channel";
    if (f->surveyed)
        return "once";
    if (s->repeat_days > 0 && f->contact_last_survey_at > 0 &&
        f->contact_last_survey_at > now - s->repeat_days * 86400000LL)
        return "recent";
    return NULL;
}

const char *
care_survey_answer_rule(const struct store_survey *sv, int64_t now)
{
    if (!sv->sent_at)
        return "not_sent";
    if (sv->answered_at)
        return "answered";
    if (now >= sv->expires_at)
        return "expired";
    return NULL;
}

bool
care_survey_comment_ok(const struct store_survey *sv, int64_t now)
{
    /* Only after a tapped button, whose thank-you invites the comment: after the page or the
     * widget (which have their own comment box) a customer's text is always a message. */
    return sv->answered_at && !sv->comment && sv->via && strcmp(sv->via, "buttons") == 0 &&
           now < sv->expires_at &&
           now - sv->answered_at <= CARE_SURVEY_COMMENT_MS && sv->conv_status &&
           strcmp(sv->conv_status, "resolved") == 0;
}

int
care_survey_on_resolve(struct care *c, int64_t conv_id)
{
    struct arena *ar = arena_new(16 * 1024);
    struct store_survey_settings s;
    struct store_survey_facts f;
    int64_t now = clock_now_ms(), id = 0;
    int rc = store_survey_settings_get(c->st, ar, &s);
    if (rc == 0)
        rc = store_survey_facts(c->st, ar, conv_id, &f);
    const char *skip = rc == 0 ? care_survey_rule(&s, &f, now) : NULL;
    if (rc == 0 && !skip) {
        int64_t since = s.repeat_days > 0 ? now - s.repeat_days * 86400000LL : INT64_MAX;
        rc = store_survey_queue(c->st, &f, now + s.delay_s * 1000, since, &id);
        if (rc == ERR_CONFLICT) {
            skip = "once";
            rc = 0;
        }
    }
    if (rc == 0 && !skip) {
        log_info("survey", "queued", "conversation=%lld survey=%lld due_in=%llds",
                 (long long)conv_id, (long long)id, (long long)s.delay_s);
        care_outbox_kick(c);
    } else if (rc == 0 && strcmp(skip, "off") != 0) {
        log_info("survey", "not asked", "conversation=%lld why=%s", (long long)conv_id, skip);
    }
    arena_free(ar);
    return rc;
}

void
care_survey_set_url(struct care *c, const char *url)
{
    pthread_mutex_lock(&c->outbox_mu);
    snprintf(c->survey_url, sizeof(c->survey_url), "%s", url ? url : "");
    pthread_mutex_unlock(&c->outbox_mu);
}

/* Channels whose platform has buttons Hark can send (a tap comes back as inbound.survey). */
static bool
has_buttons(const char *type)
{
    return strcmp(type, "whatsapp") == 0 || strcmp(type, "messenger") == 0 ||
           strcmp(type, "telegram") == 0;
}

static const char *const STARS[] = { "", "\xe2\x98\x85", "\xe2\x98\x85\xe2\x98\x85",
    "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85", "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85",
    "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85" };

/* Sends one due survey (or cancels it when it should no longer be asked). */
static void
send_one(struct care *c, struct arena *ar, const struct store_survey *sv, int64_t window_h)
{
    /* WhatsApp and Messenger take free-form messages only within 24 h of the customer's last
     * one: a survey due later could only fail there. */
    const struct chan_ops *ops = chan_find(sv->channel_type);
    bool window_closed = ops && ops->reply_window_ms && sv->last_inbound_at &&
                         clock_now_ms() - sv->last_inbound_at >= ops->reply_window_ms;
    const char *why = sv->blocked ? "blocked"
                      : !sv->conv_status || strcmp(sv->conv_status, "resolved") != 0
                          ? "reopened"
                      : window_closed ? "window_closed"
                                      : NULL;
    if (why) {
        store_survey_cancel(c->st, sv->id, why);
        log_info("survey", "cancelled", "survey=%lld why=%s", (long long)sv->id, why);
        return;
    }
    const char *question = NULL;
    bool more = false;
    if (store_survey_question(c->st, ar, sv->lang, &question, &more) < 0)
        question = "How would you rate the help you got today?";
    char token[CARE_CALLBACK_TOKEN_LEN + 1], hash[65];
    care_callback_token(token, hash);
    char base[sizeof(c->survey_url)];
    pthread_mutex_lock(&c->outbox_mu);
    memcpy(base, c->survey_url, sizeof(base));
    pthread_mutex_unlock(&c->outbox_mu);
    const char *link = arena_printf(ar, "%s/s/%s", base, token);
    bool buttons = has_buttons(sv->channel_type);
    bool widget = strcmp(sv->channel_type, "webchat") == 0;
    const char *text;
    if (buttons || widget)
        text = more ? arena_printf(ar, "%s\nA few more questions: %s", question, link)
                    : question;
    else
        text = arena_printf(ar, "%s Answer here (1 tap): %s", question, link);
    struct buf b;
    buf_init(&b, 4096);
    buf_printf(&b, "{\"survey\":{\"id\":%lld", (long long)sv->id);
    if (buttons) {
        buf_adds(&b, ",\"buttons\":[");
        for (int i = 5; i >= 1; i--)
            buf_printf(&b, "%s{\"id\":\"" MODEL_SURVEY_PREFIX "%lld:%d\",\"title\":\"%d %s\","
                           "\"short\":\"%d \xe2\x98\x85\"}",
                       i < 5 ? "," : "", (long long)sv->id, i, i, STARS[i], i);
        buf_adds(&b, "]");
    }
    buf_adds(&b, "}}");
    const char *payload = arena_strndup(ar, b.p, b.len);
    buf_release(&b);
    int64_t msg_id = 0;
    int rc = store_survey_send(c->st, sv->id, str_c(text), payload, hash,
                               clock_now_ms() + window_h * 3600000LL, &msg_id);
    if (rc < 0 && rc != ERR_CONFLICT)
        log_warn("survey", "cannot send", "survey=%lld err=%s", (long long)sv->id, err_str(rc));
    else if (rc == 0 && msg_id)
        log_info("survey", "sent", "survey=%lld conversation=%lld message=%lld",
                 (long long)sv->id, (long long)sv->conversation_id, (long long)msg_id);
}

int64_t
care__survey_tick(struct care *c, int64_t now)
{
    struct arena *ar = arena_new(256 * 1024);
    struct store_survey_settings s;
    struct store_survey *v;
    size_t n = 0;
    int rc = store_survey_settings_get(c->st, ar, &s);
    if (rc == 0)
        rc = store_survey_due(c->st, ar, now, 32, &v, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        send_one(c, ar, &v[i], s.window_h);
    arena_free(ar);
    return store_survey_next_due(c->st);
}

/* "Rated 4 ★★★★ — 'great help' · NPS 9": what the agent reads in the conversation. */
static const char *
event_text(struct arena *ar, int score, int nps, const char *comment)
{
    char quoted[CARE_SURVEY_EVENT_QUOTE + 8] = "";
    if (comment && comment[0]) {
        size_t n = strlen(comment);
        if (n > CARE_SURVEY_EVENT_QUOTE) {
            n = CARE_SURVEY_EVENT_QUOTE;
            while (n > 0 && ((unsigned char)comment[n] & 0xC0) == 0x80)
                n--; /* cut on a character boundary */
        }
        snprintf(quoted, sizeof(quoted), " \xe2\x80\x94 '%.*s%s'", (int)n, comment,
                 n < strlen(comment) ? "\xe2\x80\xa6" : "");
    }
    char npsx[24] = "";
    if (nps >= 0)
        snprintf(npsx, sizeof(npsx), " \xc2\xb7 NPS %d", nps);
    return arena_printf(ar, "Rated %d %s%s%s", score, STARS[score < 1 || score > 5 ? 0 : score],
                        quoted, npsx);
}

int
care_survey_answer(struct care *c, int64_t id, const struct store_survey_answer *a)
{
    struct arena *ar = arena_new(16 * 1024);
    int rc = store_survey_answer(c->st, id, a, event_text(ar, a->score, a->nps, a->comment),
                                 clock_now_ms());
    arena_free(ar);
    if (rc == 0)
        log_info("survey", "answered", "survey=%lld via=%s", (long long)id,
                 a->via ? a->via : "-");
    else
        log_info("survey", "answer kept out", "survey=%lld err=%s", (long long)id, err_str(rc));
    return rc;
}

int
care_survey_by_token(struct care *c, struct arena *ar, const char *token,
                     struct store_survey *out)
{
    if (!care_callback_token_ok(token))
        return ERR_NOTFOUND;
    char hash[65];
    auth_token_hash(token, hash);
    return store_survey_by_token(c->st, ar, hash, out);
}

/* The survey id and score of a button id "hark-csat:<id>:<score>"; false when malformed. */
static bool
button(struct str s, int64_t *id, int *score)
{
    size_t n = sizeof(MODEL_SURVEY_PREFIX) - 1;
    char tmp[64];
    if (s.len <= n || s.len >= sizeof(tmp))
        return false;
    memcpy(tmp, s.p + n, s.len - n);
    tmp[s.len - n] = '\0';
    long long a;
    int b, used = 0;
    if (sscanf(tmp, "%lld:%d%n", &a, &b, &used) != 2 || (size_t)used != s.len - n || a <= 0 ||
        b < 1 || b > 5)
        return false;
    *id = a;
    *score = b;
    return true;
}

bool
care__survey_inbound(struct care *c, struct arena *ar, const struct inbound *in,
                     struct ingest_result *r)
{
    int64_t now = clock_now_ms();
    if (!in->survey.len && now - atomic_load(&c->survey_tap_at) > CARE_SURVEY_COMMENT_MS)
        return false; /* no tap lately: this text cannot be a survey comment */
    struct store_survey sv;
    if (store_survey_of_sender(c->st, ar, in->channel_id, in->channel_type, in->from_id, &sv) < 0)
        return false; /* never surveyed on this channel: an ordinary message */
    memset(r, 0, sizeof(*r));
    r->conversation_id = sv.conversation_id;
    r->contact_id = sv.contact_id;
    if (in->survey.len) {
        int64_t id;
        int score;
        /* Only the newest survey sent to this very sender: a button id cannot be replayed by
         * someone else, nor an old survey's buttons answer a new one. */
        if (!button(in->survey, &id, &score) || id != sv.id)
            return false;
        char *ext = arena_strndup(ar, in->external_id.p, in->external_id.len);
        if (sv.answer_ext && strcmp(sv.answer_ext, ext) == 0)
            return true; /* the platform's retry of the tap already recorded */
        const char *why = care_survey_answer_rule(&sv, now);
        int rc = why ? 0
                     : care_survey_answer(c, sv.id,
                                          &(struct store_survey_answer){ .score = score,
                                                                         .nps = -1,
                                                                         .via = "buttons",
                                                                         .ext = ext });
        const char *reply = NULL;
        if (!why && rc == 0)
            atomic_store(&c->survey_tap_at, now);
        if (!why && rc == 0)
            reply = "Thank you! If you would like to add a comment, just reply to this message.";
        else if ((why && strcmp(why, "answered") == 0) || rc == ERR_CONFLICT)
            reply = "You have already rated this conversation \xe2\x80\x94 thank you!";
        else if ((why && strcmp(why, "expired") == 0) || rc == ERR_TIMEOUT)
            reply = "Thank you \xe2\x80\x94 this survey has closed, so your answer was not "
                    "recorded.";
        if (why)
            log_info("survey", "answer kept out", "survey=%lld why=%s", (long long)sv.id, why);
        /* The platform's own acknowledgement of the tap (Telegram: the button stops
         * spinning), before the thank-you message. */
        struct channel ch;
        const struct chan_ops *ops = chan_find(sv.channel_type);
        if (ops && ops->tap_ack && store_channel_get(c->st, ar, in->channel_id, &ch) == 0)
            ops->tap_ack(&ch, in->external_id,
                         !why && rc == 0 ? "Thank you!"
                         : reply && strstr(reply, "already") ? "You have already rated us"
                                                             : "This survey has closed");
        int64_t msg_id;
        if (reply && care_reply(c, sv.conversation_id, 0, str_c(reply), false, &msg_id) < 0)
            log_warn("survey", "cannot thank", "survey=%lld", (long long)sv.id);
        return true;
    }
    /* The widget's stars carry their own comment box: a visitor's text is always a message. */
    if (!in->text.len || strcmp(sv.channel_type, "webchat") == 0 ||
        !care_survey_comment_ok(&sv, now))
        return false;
    char *comment = arena_strndup(ar, in->text.p,
                                  in->text.len > CARE_SURVEY_COMMENT_MAX ? CARE_SURVEY_COMMENT_MAX
                                                                         : in->text.len);
    if (!utf8_valid(str_c(comment)))
        return false;
    int rc = store_survey_comment(c->st, sv.id, comment,
                                  event_text(ar, sv.score, sv.nps, comment), now);
    if (rc < 0)
        return false;
    log_info("survey", "comment added", "survey=%lld", (long long)sv.id);
    return true;
}
