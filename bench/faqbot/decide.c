/* SPDX-License-Identifier: MIT */
/* decide.c - the FAQ bot's cost per inbound message, in process, beside ingest alone (same run,
 * same database): bench/88-faq-bot.sh builds it against build/rel's objects.
 *
 * usage: decide DB MODEL_DIR FAQS MESSAGES
 * A fresh database with one api channel and FAQS synthetic FAQs (5 variants each, answers in
 * two languages). Then, for MESSAGES synthetic customer messages (half of them ask one of the
 * FAQs in other words, half do not):
 *   ingest_alone   care_ingest of each as a new conversation with the bot off on the channel
 *                  (triage, the durable write with its fsync, routing), per message;
 *   decide         care_faqbot_consider for each (the triage already known, as at ingest):
 *                  settings read, match against every FAQ, the answer read: the bot's added
 *                  cost per message;
 *   match          care_faq_index_match alone over the same index;
 *   ingest_bot     care_ingest of each with the bot on (answers are written and queued).
 * Prints key=value lines.
 */
#include "base/base.h"

#include <time.h>

#include "base/arena.h"
#include "care/care.h"
#include "store/store.h"

static double
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *nouns[] = { "shoes", "jacket", "gift card", "voucher", "store", "parcel",
                               "refund", "return", "invoice", "newsletter", "account",
                               "password", "delivery", "warranty", "repair", "size",
                               "colour", "discount", "membership", "app", "order", "payment",
                               "exchange", "pickup", "catalogue" };
static const char *aspects[] = { "price", "policy", "status", "options", "availability",
                                 "deadline", "fee", "address", "process", "limit",
                                 "conditions", "schedule", "rules", "hours", "number",
                                 "duration", "country", "method", "form", "code" };
static const char *ask[] = { "What is the %s %s?", "Can you tell me the %s %s",
                             "How does the %s %s work?", "Where do I find the %s %s?",
                             "I would like to know the %s %s", "Question about %s %s" };
static const char *chatter[] = {
    "Thanks a lot for your help yesterday!", "My parcel arrived broken and I am furious",
    "Do you have any jobs open?", "lol", "Great service, see you soon",
    "I was charged twice, fix this now", "Can I bring my dog into the shop?",
    "Your website is down again",
};

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: decide DB MODEL_DIR FAQS MESSAGES\n");
        return 2;
    }
    int nfaq = (int)strtol(argv[3], NULL, 10), nmsg = (int)strtol(argv[4], NULL, 10);
    struct store_config sc = { .url = argv[1] };
    struct store *st;
    struct errmsg em = { 0 };
    if (store_open(&sc, NULL, &st, &em) < 0) {
        fprintf(stderr, "store_open: %s\n", em.text);
        return 1;
    }
    struct care_config cc = { 0 };
    struct care *c;
    care_new(&cc, st, NULL, &c);
    struct care_models_config mc = { .shipped_dir = argv[2] };
    if (care_models_open(c, &mc, &em) < 0) {
        fprintf(stderr, "models: %s\n", em.text);
        return 1;
    }
    struct channel ch = { .type = "api", .name = "bench", .secret = "s3cret", .enabled = true,
                          .settings = "{}" };
    int64_t chid = 0;
    if (store_channel_add(st, &ch, &chid) < 0)
        return 1;
    struct arena *ar = arena_new(1 << 20);
    size_t nn = sizeof(nouns) / sizeof(nouns[0]), na = sizeof(aspects) / sizeof(aspects[0]);
    for (int i = 0; i < nfaq; i++) {
        const char *n = nouns[i % nn], *a = aspects[(i / nn) % na];
        char q[160], vars[1024], ans[512];
        snprintf(q, sizeof(q), "%s %s (%d)", n, a, i);
        int k = snprintf(vars, sizeof(vars), "[");
        for (int v = 0; v < 5; v++)
            k += snprintf(vars + k, sizeof(vars) - (size_t)k, "%s\"%s %s %s\"", v ? "," : "",
                          v % 2 ? "how about the" : "what is the", n, a);
        snprintf(vars + k, sizeof(vars) - (size_t)k, "]");
        snprintf(ans, sizeof(ans), "{\"en\":\"All about the %s %s.\",\"de\":\"Alles zu %s.\"}",
                 n, a, n);
        struct store_faq f = { .question = q, .variants = vars, .answers = ans,
                               .threshold = 0.5, .enabled = true };
        if (care_faq_put(c, 0, &f, NULL) < 0)
            return 1;
    }
    /* The messages, triaged once (triage is ingest's own cost, measured in ingest_alone). */
    struct inbound *in = calloc((size_t)nmsg, sizeof(*in));
    for (int i = 0; i < nmsg; i++) {
        char *t = arena_alloc(ar, 200), *ext = arena_alloc(ar, 32), *from = arena_alloc(ar, 32);
        if (i % 2 == 0)
            snprintf(t, 200, ask[(i / 2) % 6], nouns[(i * 7) % nn], aspects[(i * 3) % na]);
        else
            snprintf(t, 200, "%s", chatter[(i / 2) % 8]);
        snprintf(ext, 32, "m%d", i);
        snprintf(from, 32, "u%d", i);
        in[i] = (struct inbound){ .channel_id = chid, .channel_type = "api",
                                  .external_id = str_c(ext), .from_id = str_c(from),
                                  .from_name = str_c("Bench"), .text = str_c(t) };
    }
    /* 1. ingest alone: the bot off on the channel. */
    struct store_faq_bot b = { .channels = "[]", .window_ms = 3600000 };
    care_faqbot_settings_put(c, &b);
    double t0 = now_us();
    for (int i = 0; i < nmsg; i++) {
        struct ingest_result r;
        struct inbound m = in[i];
        if (care_ingest(c, ar, &m, &r) < 0)
            return 1;
    }
    double ingest = (now_us() - t0) / nmsg;
    /* Triage values for the decision, as ingest has them. */
    struct care_faqbot_input *bi = calloc((size_t)nmsg, sizeof(*bi));
    for (int i = 0; i < nmsg; i++) {
        struct inbound m = in[i];
        care_triage(c, ar, &m);
        bi[i] = (struct care_faqbot_input){ .channel_id = chid, .text = m.text, .lang = m.lang,
                                            .intent = m.intent, .sentiment = m.sentiment,
                                            .urgency = m.urgency, .first_message = true };
    }
    b.channels = arena_alloc(ar, 32);
    snprintf((char *)b.channels, 32, "[%lld]", (long long)chid);
    care_faqbot_settings_put(c, &b);
    /* 2. the decision, three rounds, the best kept (a shared machine). */
    double decide = 1e18;
    int answered = 0, matched = 0;
    for (int round = 0; round < 3; round++) {
        struct arena *dr = arena_new(1 << 20);
        answered = matched = 0;
        t0 = now_us();
        for (int i = 0; i < nmsg; i++) {
            struct care_faqbot_result res;
            if (care_faqbot_consider(c, dr, &bi[i], &res) < 0)
                return 1;
            answered += res.decision.answer;
            matched += res.facts.matched && res.match.confidence >= res.match.threshold;
            if (i % 256 == 255) {
                arena_free(dr);
                dr = arena_new(1 << 20);
            }
        }
        double d = (now_us() - t0) / nmsg;
        decide = d < decide ? d : decide;
        arena_free(dr);
    }
    /* 3. the match alone. */
    struct store_faq_variant *vv;
    size_t nv;
    store_faq_variants(st, ar, &vv, &nv);
    struct care_faq_index *ix;
    double b0 = now_us();
    care_faq_index_build(vv, nv, &ix);
    double build_ms = (now_us() - b0) / 1000;
    double match = 1e18;
    for (int round = 0; round < 3; round++) {
        t0 = now_us();
        for (int i = 0; i < nmsg; i++) {
            struct care_faq_match m;
            care_faq_index_match(ix, bi[i].text, &m);
        }
        double d = (now_us() - t0) / nmsg;
        match = d < match ? d : match;
    }
    care_faq_index_free(ix);
    /* 4. ingest with the bot on (new senders, so every message is a first one). */
    t0 = now_us();
    for (int i = 0; i < nmsg; i++) {
        struct ingest_result r;
        struct inbound m = in[i];
        char *ext = arena_alloc(ar, 32), *from = arena_alloc(ar, 32);
        snprintf(ext, 32, "b%d", i);
        snprintf(from, 32, "v%d", i);
        m.external_id = str_c(ext);
        m.from_id = str_c(from);
        if (care_ingest(c, ar, &m, &r) < 0)
            return 1;
    }
    double ingest_bot = (now_us() - t0) / nmsg;
    printf("faqs=%d variants=%zu messages=%d matched=%d answered=%d\n", nfaq, nv, nmsg,
           matched, answered);
    printf("index_build_ms=%.2f\n", build_ms);
    printf("ingest_alone_us=%.1f\n", ingest);
    printf("decide_us=%.1f\n", decide);
    printf("match_us=%.1f\n", match);
    printf("ingest_bot_us=%.1f\n", ingest_bot);
    printf("ratio_decide_to_ingest=%.4f\n", decide / ingest);
    arena_free(ar);
    free(in);
    free(bi);
    care_free(c);
    store_close(st);
    return 0;
}
