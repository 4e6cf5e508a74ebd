/* SPDX-License-Identifier: MIT */
/*
 * classify_urgency.c - urgency / high stakes as explainable weighted rules.
 *
 * Not a model on purpose: a care lead must be able to read why a message jumped the queue, and
 * the rare high-stakes cases (a legal threat, an injury) are exactly the ones no training set
 * here has enough of. Each rule adds fixed points once; the score is the sum capped at 100, and
 * every rule that fired is returned as a reason. The phrase lists are English first, with the
 * commonest words of the other languages we identify; docs/triage.md has the table.
 */
#include "base/base.h"

#include "classify/classify.h"

#define URG_MAX_WORDS 512
#define URG_WORD_BYTES 8192

struct rule {
    const char *code;
    int points;
    const char *const *phrases; /* NULL-terminated; words separated by spaces; "x*" = prefix */
};

static const char *const legal[] = {
    "lawyer*", "attorney*", "sue", "suing", "sued", "lawsuit*", "court", "legal action",
    "solicitor*", "ombudsman", "small claims", "class action", "trading standards", "regulator",
    "report you", "bbb", "avocat*", "abogado*", "anwalt*", "avvocat*", "advogad*", "demanda*",
    "tribunal*", NULL,
};
static const char *const safety[] = {
    "injur*", "hospital*", "caught fire", "smoke", "burn", "burnt", "burned", "burns",
    "allerg*", "poison*", "choking", "choked", "explod*", "unsafe", "ambulance",
    "emergency", "bleeding", "electrocut*", "got sick", "food poisoning", "hazard*", "toxic",
    "overdose", "suicid*", "kill myself", "hurt", "danger*", "peligro*", "gefahr*", NULL,
};
static const char *const fraud[] = {
    "fraud*", "scam*", "stolen", "hacked", "hacker*", "unauthorized", "unauthorised",
    "identity theft", "phishing", "charged twice", "double charged", "didn't make",
    "did not make", "not authorized", "not authorised", "compromised", "betrug*", "estafa*",
    "arnaque*", "fraude*", "truffa*", NULL,
};
static const char *const churn[] = {
    "cancel*", "close my account", "closing my account", "delete my account", "switching to",
    "switch to", "never again", "never buying", "unsubscrib*", "chargeback",
    "dispute", "kündig*", "cancelar", "annuler", "resilier", "disdett*", NULL,
};

static const struct rule rules[] = {
    { "safety_or_health", 40, safety },
    { "legal_threat", 35, legal },
    { "fraud_or_security", 30, fraud },
    { "cancellation_or_churn", 20, churn },
};

struct words {
    char buf[URG_WORD_BYTES];
    size_t used;
    struct str w[URG_MAX_WORDS];
    size_t n;
    size_t bangs; /* "!" tokens */
};

static bool
collect(struct str word, void *arg)
{
    struct words *ws = arg;
    if (word.len == 1 && word.p[0] == '!') {
        ws->bangs++;
        return true;
    }
    if (ws->n >= URG_MAX_WORDS || ws->used + word.len > sizeof(ws->buf))
        return false;
    memcpy(ws->buf + ws->used, word.p, word.len);
    ws->w[ws->n++] = (struct str){ ws->buf + ws->used, word.len };
    ws->used += word.len;
    return true;
}

/* True when pattern word 'pat' (pl bytes, optional trailing '*') matches 'w'. */
static bool
word_match(const char *pat, size_t pl, struct str w)
{
    if (pl > 0 && pat[pl - 1] == '*')
        return w.len >= pl - 1 && memcmp(w.p, pat, pl - 1) == 0;
    return w.len == pl && memcmp(w.p, pat, pl) == 0;
}

static bool
phrase_at(const char *phrase, const struct words *ws, size_t at)
{
    const char *p = phrase;
    size_t i = at;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t pl = sp ? (size_t)(sp - p) : strlen(p);
        if (i >= ws->n || !word_match(p, pl, ws->w[i]))
            return false;
        i++;
        p += pl;
        if (*p == ' ')
            p++;
    }
    return true;
}

static bool
rule_fires(const struct rule *r, const struct words *ws)
{
    for (size_t j = 0; r->phrases[j]; j++) {
        for (size_t i = 0; i < ws->n; i++) {
            if (phrase_at(r->phrases[j], ws, i))
                return true;
        }
    }
    return false;
}

static void
add_reason(struct triage *t, const char *code, int points)
{
    size_t at;
    if (t->nreasons >= CLASSIFY_MAX_REASONS)
        return;
    /* Keep the strongest first; equal points keep rule order. */
    at = t->nreasons;
    while (at > 0 && t->reasons[at - 1].points < points) {
        t->reasons[at] = t->reasons[at - 1];
        at--;
    }
    t->reasons[at] = (struct triage_reason){ code, points };
    t->nreasons++;
    t->urgency += points;
}

void
classify_urgency(struct str text, const struct classify_ctx *ctx, struct triage *out)
{
    struct words wsbuf; /* ~16 KB of stack: classify_message must not allocate */
    struct words *ws = &wsbuf;

    ws->used = 0;
    ws->n = 0;
    ws->bangs = 0;
    out->urgency = 0;
    out->nreasons = 0;
    classify_words(text, collect, ws);
    for (size_t i = 0; i < COUNTOF(rules); i++) {
        if (rule_fires(&rules[i], ws))
            add_reason(out, rules[i].code, rules[i].points);
    }
    if (ctx && ctx->repeat_contacts > 0)
        add_reason(out, "repeat_contact",
                   ctx->repeat_contacts >= 4 ? 30 : ctx->repeat_contacts >= 2 ? 20 : 10);
    if (ctx && ctx->author_followers >= 1000)
        add_reason(out, "public_reach",
                   ctx->author_followers >= 1000000  ? 25
                   : ctx->author_followers >= 100000 ? 20
                   : ctx->author_followers >= 10000  ? 10
                                                     : 5);
    if (out->intent == CLASSIFY_INTENT_COMPLAINT)
        add_reason(out, "complaint", 10);
    if (out->sentiment == CLASSIFY_SENTIMENT_NEGATIVE && out->sentiment_score <= -0.5f)
        add_reason(out, "strong_negative_sentiment", 10);
    if (ws->bangs >= 3)
        add_reason(out, "shouting", 5);
    if (out->urgency > 100)
        out->urgency = 100;
}
