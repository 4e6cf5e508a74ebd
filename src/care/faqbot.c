/* SPDX-License-Identifier: MIT */
/*
 * faqbot.c - the FAQ bot: the matcher over the FAQs' question variants, the decision whether
 * the bot answers a customer's message, the answer it sends and the handoff to a person.
 *
 * Matching uses the classifier's own features (classify_features: hashed word unigrams and
 * character 3..5-grams of the normalized text). Each variant is a TF-IDF vector over those
 * features, L2-normalized; a message's confidence for an FAQ is the cosine similarity with the
 * closest of its variants, in [0, 1] (1: the same words). The index is an inverted list sorted
 * by feature, so a message costs one binary search per distinct feature of its own plus the
 * postings it meets: microseconds, even for 500 FAQs (bench/88-faq-bot.sh).
 *
 * The decision (care_faqbot_decide) is a pure function of the facts ingest knows; ingest calls
 * care__faqbot_inbound once per stored message, in one place, after triage.
 */
#include "base/base.h"
#include "care/care_int.h"

#include <math.h>
#include <pthread.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "classify/classify.h"

/* ---- the matcher --------------------------------------------------------------------------- */

static const struct classify_feat_cfg FEAT = {
    .buckets = 1u << 20, .word_ngrams = 1, .minn = 3, .maxn = 5
};

struct posting {
    uint32_t feature;
    uint32_t variant;
    float weight; /* the variant's normalized tf-idf weight of the feature */
};

struct care_faq_index {
    size_t nvariants, nfaqs, npostings, nfeatures;
    uint32_t *variant_faq;  /* variant -> faq slot */
    int64_t *faq_id;        /* faq slot -> id */
    double *faq_threshold;
    bool *faq_enabled;
    struct posting *postings; /* sorted by feature */
    uint32_t *features;       /* distinct features, sorted */
    uint32_t *start;          /* nfeatures + 1 offsets into postings */
    float *idf;               /* per distinct feature */
    float idf_unseen;         /* a feature no variant has */
};

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int
cmp_posting(const void *a, const void *b)
{
    const struct posting *x = a, *y = b;
    if (x->feature != y->feature)
        return x->feature < y->feature ? -1 : 1;
    return x->variant < y->variant ? -1 : x->variant > y->variant;
}

/* The sorted features of 'text' with their counts (in place: 'ids' sorted and made unique,
 * 'tf' the counts); returns how many distinct. */
static size_t
text_features(struct str text, uint32_t *ids, uint32_t *tf)
{
    size_t n = classify_features(&FEAT, text, ids, CLASSIFY_MAX_FEATURES);
    qsort(ids, n, sizeof(*ids), cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && ids[k - 1] == ids[i]) {
            tf[k - 1]++;
        } else {
            ids[k] = ids[i];
            tf[k++] = 1;
        }
    }
    return k;
}

/* Position of 'f' in the index's distinct features, or -1. */
static ssize_t
feature_at(const struct care_faq_index *ix, uint32_t f)
{
    size_t lo = 0, hi = ix->nfeatures;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->features[mid] < f)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->nfeatures && ix->features[lo] == f ? (ssize_t)lo : -1;
}

int
care_faq_index_build(const struct store_faq_variant *v, size_t n, struct care_faq_index **out)
{
    struct care_faq_index *ix = xcalloc(1, sizeof(*ix));
    ix->variant_faq = xcalloc(n ? n : 1, sizeof(*ix->variant_faq));
    ix->faq_id = xcalloc(n ? n : 1, sizeof(*ix->faq_id));
    ix->faq_threshold = xcalloc(n ? n : 1, sizeof(*ix->faq_threshold));
    ix->faq_enabled = xcalloc(n ? n : 1, sizeof(*ix->faq_enabled));
    uint32_t *ids = xmalloc(CLASSIFY_MAX_FEATURES * sizeof(*ids));
    uint32_t *tf = xmalloc(CLASSIFY_MAX_FEATURES * sizeof(*tf));
    size_t cap = 1024;
    ix->postings = xmalloc(cap * sizeof(*ix->postings));
    /* Pass 1: raw counts per (feature, variant). Variants come grouped by FAQ. */
    for (size_t i = 0; i < n; i++) {
        if (!ix->nfaqs || ix->faq_id[ix->nfaqs - 1] != v[i].faq_id) {
            ix->faq_id[ix->nfaqs] = v[i].faq_id;
            ix->faq_threshold[ix->nfaqs] = v[i].threshold;
            ix->faq_enabled[ix->nfaqs] = v[i].enabled;
            ix->nfaqs++;
        }
        uint32_t vi = (uint32_t)ix->nvariants++;
        ix->variant_faq[vi] = (uint32_t)(ix->nfaqs - 1);
        size_t k = text_features(str_c(v[i].text), ids, tf);
        if (ix->npostings + k > cap) {
            while (ix->npostings + k > cap)
                cap *= 2;
            ix->postings = xrealloc(ix->postings, cap * sizeof(*ix->postings));
        }
        for (size_t j = 0; j < k; j++)
            ix->postings[ix->npostings++] =
                (struct posting){ .feature = ids[j], .variant = vi, .weight = (float)tf[j] };
    }
    xfree(ids);
    xfree(tf);
    qsort(ix->postings, ix->npostings, sizeof(*ix->postings), cmp_posting);
    /* Pass 2: distinct features, document frequencies, idf. */
    ix->features = xmalloc((ix->npostings ? ix->npostings : 1) * sizeof(*ix->features));
    ix->start = xmalloc((ix->npostings + 1) * sizeof(*ix->start));
    ix->idf = xmalloc((ix->npostings ? ix->npostings : 1) * sizeof(*ix->idf));
    double nv = (double)(ix->nvariants ? ix->nvariants : 1);
    for (size_t i = 0; i < ix->npostings;) {
        size_t j = i;
        while (j < ix->npostings && ix->postings[j].feature == ix->postings[i].feature)
            j++;
        ix->features[ix->nfeatures] = ix->postings[i].feature;
        ix->start[ix->nfeatures] = (uint32_t)i;
        ix->idf[ix->nfeatures] = (float)log(1.0 + nv / (double)(j - i));
        ix->nfeatures++;
        i = j;
    }
    ix->start[ix->nfeatures] = (uint32_t)ix->npostings;
    ix->idf_unseen = (float)log(1.0 + nv);
    /* Pass 3: tf-idf weights, normalized per variant. */
    double *norm = xcalloc(ix->nvariants ? ix->nvariants : 1, sizeof(*norm));
    for (size_t f = 0; f < ix->nfeatures; f++) {
        for (uint32_t p = ix->start[f]; p < ix->start[f + 1]; p++) {
            struct posting *q = &ix->postings[p];
            q->weight *= ix->idf[f];
            norm[q->variant] += (double)q->weight * q->weight;
        }
    }
    for (size_t p = 0; p < ix->npostings; p++) {
        struct posting *q = &ix->postings[p];
        double d = sqrt(norm[q->variant]);
        q->weight = d > 0 ? (float)(q->weight / d) : 0;
    }
    xfree(norm);
    *out = ix;
    return 0;
}

void
care_faq_index_free(struct care_faq_index *ix)
{
    if (!ix)
        return;
    xfree(ix->variant_faq);
    xfree(ix->faq_id);
    xfree(ix->faq_threshold);
    xfree(ix->faq_enabled);
    xfree(ix->postings);
    xfree(ix->features);
    xfree(ix->start);
    xfree(ix->idf);
    xfree(ix);
}

size_t
care_faq_index_size(const struct care_faq_index *ix)
{
    return ix ? ix->nfaqs : 0;
}

bool
care_faq_index_match(const struct care_faq_index *ix, struct str text, struct care_faq_match *out)
{
    memset(out, 0, sizeof(*out));
    if (!ix || !ix->nvariants)
        return false;
    uint32_t ids[CLASSIFY_MAX_FEATURES], tf[CLASSIFY_MAX_FEATURES];
    size_t k = text_features(text, ids, tf);
    if (!k)
        return false;
    float *score = xcalloc(ix->nvariants, sizeof(*score));
    double qnorm = 0;
    for (size_t i = 0; i < k; i++) {
        ssize_t f = feature_at(ix, ids[i]);
        double w = (double)tf[i] * (f < 0 ? ix->idf_unseen : ix->idf[f]);
        qnorm += w * w;
        if (f < 0)
            continue;
        for (uint32_t p = ix->start[f]; p < ix->start[f + 1]; p++)
            score[ix->postings[p].variant] += (float)w * ix->postings[p].weight;
    }
    qnorm = sqrt(qnorm);
    double best = 0;
    size_t at = 0;
    for (size_t v = 0; v < ix->nvariants; v++) {
        if (!ix->faq_enabled[ix->variant_faq[v]])
            continue;
        if (score[v] > best) {
            best = score[v];
            at = v;
        }
    }
    xfree(score);
    if (best <= 0 || qnorm <= 0)
        return false;
    double conf = best / qnorm;
    out->faq_id = ix->faq_id[ix->variant_faq[at]];
    out->threshold = ix->faq_threshold[ix->variant_faq[at]];
    out->confidence = conf > 1 ? 1 : conf;
    return true;
}

/* ---- the decision ---------------------------------------------------------------------------- */

void
care_faqbot_decide(const struct care_faqbot_facts *f, struct care_faqbot_decision *out)
{
    memset(out, 0, sizeof(*out));
#define WHY(code)                                                                                  \
    do {                                                                                           \
        out->why = (code);                                                                         \
        return;                                                                                    \
    } while (0)
    if (f->blocked)
        WHY("blocked");
    if (f->bot_waiting) {
        /* The customer wrote again after the bot's answer: a person takes it, whatever it is. */
        out->handoff = true;
        WHY(f->asked_for_human ? "asked_for_human" : "second_message");
    }
    if (!f->first_message)
        WHY("not_first");
    if (!f->channel_on)
        WHY("channel_off");
    if (f->asked_for_human)
        WHY("asked_for_human");
    if (!f->matched)
        WHY("no_match");
    if (f->confidence < f->threshold)
        WHY("below_threshold");
    /* From here on the FAQ matched: not answering is the bot holding back. */
    out->held_back = true;
    if (!f->intent || strcmp(f->intent, "question") != 0)
        WHY("not_question");
    if (f->sentiment && strcmp(f->sentiment, "negative") == 0)
        WHY("negative");
    if (f->urgency >= CARE_FAQBOT_URGENCY_MAX)
        WHY("urgent");
    if (!f->has_answer)
        WHY("no_answer");
    out->held_back = false;
    out->answer = true;
    WHY("answered");
#undef WHY
}

const char *
care_faqbot_why_words(const char *why)
{
    static const struct {
        const char *code, *words;
    } w[] = {
        { "answered", "the bot answers: a plain question that matches this FAQ closely enough" },
        { "blocked", "the contact is blocked: nothing is sent to them" },
        { "asked_for_human", "the customer asked for a person" },
        { "second_message", "the customer wrote again after the bot's answer" },
        { "not_first", "the bot only answers the first message of a conversation" },
        { "channel_off", "the bot is off on this channel" },
        { "no_match", "no FAQ matches this message" },
        { "below_threshold", "the best FAQ does not match closely enough (below its threshold)" },
        { "not_question", "it is not a plain question" },
        { "negative", "the customer sounds unhappy" },
        { "urgent", "it looks urgent" },
        { "no_answer", "the FAQ has no answer written" },
    };
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        if (strcmp(w[i].code, why) == 0)
            return w[i].words;
    }
    return why;
}

/* ---- asking for a person ------------------------------------------------------------------- */

/* The words that ask for a person, in the languages the bot's footers speak. */
static const char *const human_words[] = {
    "human", "agent", "person", "someone", "operator", "representative", "staff",
    "mensch", "mitarbeiter", "mitarbeiterin",
    "humain", "personne", "conseiller", "conseill\xc3\xa8re",
    "humano", "persona", "agente", "asesor",
    "umano", "operatore",
    "mens", "medewerker", "persoon",
    "pessoa", "atendente",
};

struct human_scan {
    size_t words;
    bool hit;
};

static bool
human_word(struct str w, void *arg)
{
    struct human_scan *h = arg;
    h->words++;
    for (size_t i = 0; i < sizeof(human_words) / sizeof(human_words[0]); i++) {
        if (str_eq_c(w, human_words[i]))
            h->hit = true;
    }
    return h->words <= CARE_FAQBOT_HUMAN_WORDS_MAX;
}

bool
care_faqbot_asks_for_human(struct str text)
{
    struct human_scan h = { 0 };
    classify_words(text, human_word, &h);
    /* "HUMAN", "talk to a person please": short messages only ("in person" in a long question
     * is not a request). */
    return h.hit && h.words <= CARE_FAQBOT_HUMAN_WORDS_MAX;
}

/* ---- the answer ------------------------------------------------------------------------------ */

static const struct {
    const char *lang, *text;
} footers[] = {
    { "en", "\xe2\x80\x94 Automatic answer from our FAQ bot. Reply HUMAN to talk to a person." },
    { "de", "\xe2\x80\x94 Automatische Antwort unseres FAQ-Bots. Antworten Sie MENSCH, um mit "
            "einer Person zu sprechen." },
    { "fr", "\xe2\x80\x94 R\xc3\xa9ponse automatique de notre bot FAQ. R\xc3\xa9pondez HUMAIN "
            "pour parler \xc3\xa0 une personne." },
    { "es", "\xe2\x80\x94 Respuesta autom\xc3\xa1tica de nuestro bot de preguntas frecuentes. "
            "Responda HUMANO para hablar con una persona." },
    { "it", "\xe2\x80\x94 Risposta automatica del nostro bot FAQ. Rispondi UMANO per parlare "
            "con una persona." },
    { "nl", "\xe2\x80\x94 Automatisch antwoord van onze FAQ-bot. Antwoord MENS om met een "
            "persoon te praten." },
    { "pt", "\xe2\x80\x94 Resposta autom\xc3\xa1tica do nosso bot de FAQ. Responda HUMANO "
            "para falar com uma pessoa." },
};

const char *
care_faqbot_footer(const char *lang)
{
    for (size_t i = 0; lang && i < sizeof(footers) / sizeof(footers[0]); i++) {
        if (strncmp(footers[i].lang, lang, 2) == 0)
            return footers[i].text;
    }
    return footers[0].text;
}

const char *
care_faqbot_compose(struct arena *ar, const struct store_faq_answer *a)
{
    const char *footer = care_faqbot_footer(a->lang);
    size_t n = strlen(a->text) + (a->link ? strlen(a->link) + 2 : 0) + strlen(footer) + 4;
    char *t = arena_alloc(ar, n);
    snprintf(t, n, "%s%s%s\n\n%s", a->text, a->link ? "\n" : "", a->link ? a->link : "",
             footer);
    return t;
}

/* ---- the bot in the care context ------------------------------------------------------------- */

struct care__faqbot {
    pthread_mutex_t rebuild; /* one rebuild at a time: read, build and swap in order */
    pthread_rwlock_t lock;   /* guards 'ix' */
    struct care_faq_index *ix;
    bool built;
};

void
care__faqbot_init(struct care *c)
{
    c->faqbot = xcalloc(1, sizeof(*c->faqbot));
    pthread_mutex_init(&c->faqbot->rebuild, NULL);
    pthread_rwlock_init(&c->faqbot->lock, NULL);
}

void
care__faqbot_free(struct care *c)
{
    if (!c->faqbot)
        return;
    care_faq_index_free(c->faqbot->ix);
    pthread_rwlock_destroy(&c->faqbot->lock);
    pthread_mutex_destroy(&c->faqbot->rebuild);
    xfree(c->faqbot);
    c->faqbot = NULL;
}

/* Builds the matcher from the stored FAQs and swaps it in. */
static int
rebuild(struct care *c)
{
    /* Two saves at once must not swap in the older set last. */
    pthread_mutex_lock(&c->faqbot->rebuild);
    struct arena *ar = arena_new(HARK_FAQ_INDEX_ARENA_MAX);
    struct store_faq_variant *v;
    size_t n;
    int rc = store_faq_variants(c->st, ar, &v, &n);
    struct care_faq_index *ix = NULL;
    if (rc == 0)
        rc = care_faq_index_build(v, n, &ix);
    arena_free(ar);
    if (rc < 0) {
        pthread_mutex_unlock(&c->faqbot->rebuild);
        log_warn("faqbot", "cannot build the FAQ index", "err=%s", err_str(rc));
        return rc;
    }
    pthread_rwlock_wrlock(&c->faqbot->lock);
    struct care_faq_index *old = c->faqbot->ix;
    c->faqbot->ix = ix;
    c->faqbot->built = true;
    pthread_rwlock_unlock(&c->faqbot->lock);
    pthread_mutex_unlock(&c->faqbot->rebuild);
    care_faq_index_free(old);
    return 0;
}

/* The best enabled FAQ for 'text'; false when none matches at all. */
static bool
match(struct care *c, struct str text, struct care_faq_match *m)
{
    pthread_rwlock_rdlock(&c->faqbot->lock);
    bool built = c->faqbot->built;
    pthread_rwlock_unlock(&c->faqbot->lock);
    if (!built)
        rebuild(c);
    pthread_rwlock_rdlock(&c->faqbot->lock);
    bool ok = care_faq_index_match(c->faqbot->ix, text, m);
    pthread_rwlock_unlock(&c->faqbot->lock);
    return ok;
}

int
care_faq_put(struct care *c, int64_t id, const struct store_faq *f, int64_t *out_id)
{
    int rc = store_faq_put(c->st, id, f, out_id);
    if (rc == 0)
        rebuild(c);
    return rc;
}

int
care_faq_delete(struct care *c, int64_t id)
{
    int rc = store_faq_delete(c->st, id);
    if (rc == 0)
        rebuild(c);
    return rc;
}

int
care_faqbot_settings_put(struct care *c, const struct store_faq_bot *b)
{
    return store_faq_bot_put(c->st, b);
}

/* Whether channel 'id' is in the JSON array text 'channels' ("[1,4]"). */
static bool
channel_on(const char *channels, int64_t id)
{
    if (!channels)
        return false;
    for (const char *p = channels; *p;) {
        if (*p >= '0' && *p <= '9') {
            char *end;
            long long v = strtoll(p, &end, 10);
            if (v == id)
                return true;
            p = end;
        } else {
            p++;
        }
    }
    return false;
}

int
care_faqbot_consider(struct care *c, struct arena *ar, const struct care_faqbot_input *in,
                     struct care_faqbot_result *out)
{
    memset(out, 0, sizeof(*out));
    struct store_faq_bot b = { 0 };
    int rc = store_faq_bot_get(c->st, ar, &b);
    if (rc < 0)
        return rc;
    out->window_ms = b.window_ms;
    struct care_faqbot_facts *f = &out->facts;
    f->blocked = in->blocked;
    f->bot_waiting = in->bot_waiting;
    f->first_message = in->first_message;
    f->channel_on = in->channel_id == 0 || channel_on(b.channels, in->channel_id);
    f->asked_for_human = care_faqbot_asks_for_human(in->text);
    f->intent = in->intent;
    f->sentiment = in->sentiment;
    f->urgency = in->urgency;
    /* Matching is skipped when nothing the bot could do depends on it. */
    if (!f->blocked && !f->bot_waiting && f->first_message && f->channel_on &&
        !f->asked_for_human) {
        f->matched = match(c, in->text, &out->match);
        f->confidence = out->match.confidence;
        f->threshold = out->match.threshold;
        if (f->matched &&
            store_faq_answer(c->st, ar, out->match.faq_id, in->lang, &out->answer) == 0) {
            f->has_answer = true;
            out->text = care_faqbot_compose(ar, &out->answer);
        } else if (f->matched) {
            struct store_faq fq;
            if (store_faq_get(c->st, ar, out->match.faq_id, &fq) == 0)
                out->answer.question = fq.question;
        }
    }
    care_faqbot_decide(f, &out->decision);
    return 0;
}

/* The note an agent sees when the bot held back or handed the conversation over. */
static const char *
note_text(struct arena *ar, const struct care_faqbot_result *res, const char *question,
          double confidence)
{
    const char *why = care_faqbot_why_words(res->decision.why);
    size_t n = 400 + strlen(why) + (question ? strlen(question) : 0);
    char *t = arena_alloc(ar, n);
    if (res->decision.handoff)
        snprintf(t, n, "Handed to a person: %s. The bot had answered with the FAQ \"%s\" "
                       "(confidence %.2f).", why, question ? question : "(deleted)", confidence);
    else
        snprintf(t, n, "The bot did not answer: %s. Closest FAQ: \"%s\" (confidence %.2f, "
                       "threshold %.2f).", why, question ? question : "(deleted)", confidence,
                 res->match.threshold);
    return t;
}

bool
care__faqbot_inbound(struct care *c, struct arena *ar, const struct inbound *in,
                     const struct ingest_result *r)
{
    if (r->duplicate || r->blocked)
        return false;
    struct store_bot_answer ba = { 0 };
    bool had = false;
    if (!r->new_conversation) {
        int rc = store_bot_answer_get(c->st, ar, r->conversation_id, &ba);
        if (rc == 0)
            had = true;
        else if (rc != ERR_NOTFOUND)
            return false;
        if (had && strcmp(ba.state, "counted") == 0 && r->reopened) {
            /* Counted as answered, and the customer came back. Routing reopens it as usual. */
            if (store_bot_reopened(c->st, r->conversation_id) == 0)
                metrics_add(&c->metrics.faqbot_reopened, 1);
            return false;
        }
        if (!had || strcmp(ba.state, "answered") != 0)
            return false; /* the bot is not part of this conversation */
    }
    struct care_faqbot_input bi = {
        .channel_id = in->channel_id, .text = in->text, .lang = in->lang,
        .intent = in->intent, .sentiment = in->sentiment, .urgency = in->lang ? in->urgency : 0,
        .first_message = r->new_conversation, .bot_waiting = had, .blocked = r->blocked,
    };
    struct care_faqbot_result res;
    if (care_faqbot_consider(c, ar, &bi, &res) < 0)
        return false;
    const struct care_faqbot_decision *d = &res.decision;
    if (d->handoff) {
        const char *note = note_text(ar, &res, ba.faq_question, ba.confidence);
        if (store_bot_handoff(c->st, r->conversation_id, d->why, note) == 0) {
            metrics_add(&c->metrics.faqbot_handoff, 1);
            log_info("faqbot", "handed off", "conversation=%lld why=%s",
                     (long long)r->conversation_id, d->why);
            routing_conv(c->routing, r->conversation_id);
        }
        return false;
    }
    if (d->held_back) {
        const char *note = note_text(ar, &res, res.answer.question, res.match.confidence);
        store_bot_held_back(c->st, r->conversation_id, res.match.faq_id, note);
        metrics_add(&c->metrics.faqbot_held_back, 1);
        return false;
    }
    if (!d->answer)
        return false;
    struct store_bot_send j = {
        .conv_id = r->conversation_id, .faq_id = res.match.faq_id,
        .faq_question = res.answer.question, .confidence = res.match.confidence,
        .text = str_c(res.text), .window_ms = res.window_ms,
    };
    int rc = store_bot_send(c->st, &j);
    if (rc < 0) {
        log_warn("faqbot", "cannot send the answer", "conversation=%lld err=%s",
                 (long long)r->conversation_id, err_str(rc));
        return false; /* a person takes it as usual */
    }
    metrics_add(&c->metrics.faqbot_answered, 1);
    log_info("faqbot", "answered", "conversation=%lld faq=%lld message=%lld",
             (long long)r->conversation_id, (long long)j.faq_id, (long long)j.msg_id);
    care_outbox_kick(c);
    return true;
}

void
care__faqbot_tick(struct care *c, int64_t now)
{
    int counted = 0;
    int rc = store_bot_count_due(c->st, now, &counted);
    if (rc < 0)
        log_warn("faqbot", "cannot count answers whose window passed", "err=%s", err_str(rc));
    else if (counted)
        log_info("faqbot", "answers counted", "n=%d", counted);
}
