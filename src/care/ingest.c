/* SPDX-License-Identifier: MIT */
/*
 * ingest.c - the inbound pipeline: channel lookup, signature check on the raw body, parse,
 * store durably. The webhook is acknowledged only after this returns 0.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <math.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/buf.h"
#include "channels/chan.h"
#include "classify/classify.h"
#include "store/store.h"

#define HOOK_BATCH_MAX 100 /* messages in one platform delivery */
#define REPEAT_WINDOW_MS (7LL * 24 * 3600 * 1000)

/* How sure the 'kind' model is of 'label' for 'text': P(label) minus the best other class's
 * probability, in [-1, 1] (below 0 only when the triage rules chose another class than the
 * model's favourite); NAN when the model lacks the label. Prediction is allocation-free and
 * takes microseconds, next to language id's ~70 us. */
static double
margin_of(const struct classify *cls, const char *kind, struct str text, const char *label)
{
    const struct classify_model *m = classify_model_of(cls, kind);
    int k = m ? classify_model_label_index(m, label) : -1;
    size_t n = m ? classify_model_nlabels(m) : 0;
    if (k < 0 || n < 2 || n > CLASSIFY_MAX_LABELS)
        return NAN;
    float p[CLASSIFY_MAX_LABELS];
    classify_model_predict(m, text, p);
    float other = 0;
    for (size_t i = 0; i < n; i++) {
        if ((int)i != k && p[i] > other)
            other = p[i];
    }
    return (double)p[k] - (double)other;
}

void
care_triage(struct care *c, struct arena *ar, struct inbound *in)
{
    if (!c->live)
        return;
    struct classify_ctx ctx = { 0 };
    int64_t repeat = store_sender_recent_inbound(c->st, in->channel_type, in->from_id,
                                                 clock_now_ms() - REPEAT_WINDOW_MS);
    ctx.repeat_contacts = repeat > 0 ? (int32_t)(repeat > 1000 ? 1000 : repeat) : 0;
    struct triage t;
    const struct classify *cls = classify_live_get(c->live);
    classify_message(cls, in->text, &ctx, &t);
    double im = margin_of(cls, "intent", in->text, classify_intent_name(t.intent));
    double sm = margin_of(cls, "sentiment", in->text, classify_sentiment_name(t.sentiment));
    classify_live_put(cls);
    in->has_margins = !isnan(im) && !isnan(sm);
    in->intent_margin = im;
    in->sentiment_conf = t.sentiment_conf;
    in->sentiment_margin = sm;
    in->lang = t.lang[0] ? arena_strdup(ar, t.lang) : "und";
    in->intent = classify_intent_name(t.intent);
    in->intent_conf = t.intent_conf;
    in->sentiment = classify_sentiment_name(t.sentiment);
    in->sentiment_score = t.sentiment_score;
    in->urgency = t.urgency;
    struct buf b;
    buf_init(&b, 1024);
    buf_addc(&b, '[');
    for (size_t i = 0; i < t.nreasons; i++)
        buf_printf(&b, "%s{\"code\":\"%s\",\"points\":%d}", i ? "," : "", t.reasons[i].code,
                   t.reasons[i].points);
    buf_addc(&b, ']');
    /* A fixed, short list of reasons always fits; never store a cut JSON array. */
    in->urgency_reasons = buf_error(&b) < 0 ? "[]" : arena_strndup(ar, b.p, b.len);
    buf_release(&b);
}

/* Loads the channel and its adapter. ERR_NOTFOUND (with 'em') when either is missing. */
static int
load_channel(struct care *c, struct arena *ar, int64_t channel_id, struct channel *ch,
             const struct chan_ops **ops, struct errmsg *em)
{
    int rc = store_channel_get(c->st, ar, channel_id, ch);
    if (rc == ERR_NOTFOUND)
        return errmsg_set(em, rc, "no channel %lld", (long long)channel_id);
    if (rc < 0)
        return rc;
    *ops = chan_find(ch->type);
    if (!*ops)
        return errmsg_set(em, ERR_NOTFOUND, "channel type '%s' has no adapter", ch->type);
    return 0;
}

int
care_ingest(struct care *c, struct arena *ar, struct inbound *in, struct ingest_result *r)
{
    /* A survey answer (a tapped button) or the comment after one: not a new message, and the
     * resolved conversation stays resolved. */
    if ((in->survey.len || in->text.len) && care__survey_inbound(c, ar, in, r))
        return 0;
    care_triage(c, ar, in);
    int rc = store_ingest(c->st, in, r);
    if (rc < 0) {
        log_warn("ingest", "store failed", "channel=%lld err=%s", (long long)in->channel_id,
                 err_str(rc));
        return rc;
    }
    if (r->duplicate) {
        metrics_add(&c->metrics.ingest_duplicate, 1);
        return 0;
    }
    metrics_add(&c->metrics.ingest_accepted, 1);
    log_debug("ingest", "stored", "channel=%lld conversation=%lld message=%lld%s",
              (long long)in->channel_id, (long long)r->conversation_id,
              (long long)r->message_id, r->blocked ? " blocked" : "");
    /* The FAQ bot, then routing, SLA clocks, acknowledgement; for a blocked contact
     * (r->blocked) none of them: every ingress (webhooks, the widget, mail, listening's
     * convert) comes through here. A conversation the bot answered is not routed: it waits on
     * the customer, and goes to a person if they write again. */
    if (care__faqbot_inbound(c, ar, in, r))
        routing_timers_kick(c->routing);
    else
        routing_inbound(c->routing, r);
    return 0;
}

/* What to check when a delivery's signature does not match, in the platform's own words. */
static const char *
signature_hint(const char *type)
{
    if (strcmp(type, "whatsapp") == 0 || strcmp(type, "messenger") == 0 ||
        strcmp(type, "instagram") == 0)
        return "check the App Secret";
    if (strcmp(type, "telegram") == 0)
        return "set the webhook again with the secret token shown in Hark";
    if (strcmp(type, "x") == 0)
        return "check the consumer secret";
    if (strcmp(type, "sms") == 0)
        return "check the Auth Token and that the webhook URL is exactly the one shown in Hark";
    return "check the channel secret; it changes when it is rotated";
}

int
care_hook(struct care *c, struct arena *ar, int64_t channel_id, const struct chan_hook *hook,
          struct care_hook_result *out, struct errmsg *em)
{
    int64_t start = clock_mono_ms();
    struct channel ch;
    const struct chan_ops *ops;
    int rc = load_channel(c, ar, channel_id, &ch, &ops, em);
    if (rc < 0)
        return rc;
    bool webchat = strcmp(ch.type, "webchat") == 0; /* visitors, not a platform */
    if (!ops->verify || !ops->parse) /* a pull-only platform (Bluesky, Mastodon) */
        return errmsg_set(em, ERR_NOTFOUND, "a %s channel takes no webhooks", ch.type);
    if (!ch.enabled) {
        metrics_add(&c->metrics.ingest_rejected, 1);
        if (!webchat)
            care__status_error(c, channel_id, "a delivery arrived while the channel is switched "
                                              "off; nothing was stored");
        return errmsg_set(em, ERR_NOTFOUND, "channel %lld is switched off",
                          (long long)channel_id);
    }
    if (ops->verify(&ch, hook) < 0) {
        metrics_add(&c->metrics.ingest_rejected, 1);
        log_info("ingest", "bad signature", "channel=%lld", (long long)channel_id);
        if (!webchat)
            care__status_error(c, channel_id,
                               "a request arrived with a bad signature \xe2\x80\x94 %s",
                               signature_hint(ch.type));
        return errmsg_set(em, ERR_AUTH, "signature does not match");
    }
    struct inbound *msgs = ARENA_NEW_N(ar, struct inbound, HOOK_BATCH_MAX);
    ssize_t n = ops->parse(&ch, hook, ar, msgs, HOOK_BATCH_MAX, em);
    if (n < 0) {
        metrics_add(&c->metrics.ingest_rejected, 1);
        log_info("ingest", "rejected payload", "channel=%lld", (long long)channel_id);
        /* A parser's detail may quote the payload (customer text): only the checks' own
         * words ("invalid 'x': want ...") are kept. */
        if (!webchat)
            care__status_error(c, channel_id, "a delivery arrived that Hark could not read%s%s",
                               em->set && strncmp(em->text, "invalid '", 9) == 0 ? ": " : "",
                               em->set && strncmp(em->text, "invalid '", 9) == 0 ? em->text : "");
        return (int)n;
    }
    memset(out, 0, sizeof(*out));
    out->ack_type = ops->ack_type;
    out->ack_body = ops->ack_body;
    for (ssize_t i = 0; i < n; i++) {
        struct ingest_result r;
        rc = care_ingest(c, ar, &msgs[i], &r);
        if (rc < 0)
            return rc;
        if (i == 0)
            out->first = r;
        if (r.duplicate)
            out->duplicates++;
        else
            out->accepted++;
    }
    care__status_event(c, channel_id, out->accepted);
    metrics_observe(&c->metrics.ingest_latency, (clock_mono_ms() - start) * 1000);
    return 0;
}

int
care_hook_handshake(struct care *c, struct arena *ar, int64_t channel_id,
                    const struct chan_hook *hook, struct chan_handshake *out, struct errmsg *em)
{
    struct channel ch;
    const struct chan_ops *ops;
    int rc = load_channel(c, ar, channel_id, &ch, &ops, em);
    if (rc < 0)
        return rc;
    if (!ops->handshake)
        return errmsg_set(em, ERR_NOTFOUND, "channel type '%s' has no verification handshake",
                          ch.type);
    if (!ch.enabled)
        return errmsg_set(em, ERR_NOTFOUND, "channel %lld is switched off",
                          (long long)channel_id);
    rc = ops->handshake(&ch, hook, out);
    if (rc < 0) {
        log_info("ingest", "handshake refused", "channel=%lld", (long long)channel_id);
        if (rc == ERR_AUTH)
            care__status_error(c, channel_id, "the platform's verification was refused: the "
                                              "verify token it sent is not the one shown in "
                                              "Hark");
        return errmsg_set(em, rc, "verification refused");
    }
    care__status_verify(c, channel_id);
    return 0;
}
