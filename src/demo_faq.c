/* SPDX-License-Identifier: MIT */
/*
 * demo_faq.c - Northwind's FAQ bot for `hark demo` (see demo_faq.h).
 */
#include "base/base.h"
#include "demo_faq.h"

#include "app.h"
#include "base/arena.h"
#include "base/limits.h"
#include "base/log.h"
#include "care/care.h"
#include "store/store.h"

static const struct store_faq faqs[] = {
    { .question = "What are your opening hours?",
      .variants = "[\"When are you open?\",\"What time do you open?\",\"What time do you close?\","
                  "\"Are you open on Sunday?\",\"opening hours\",\"Wann haben Sie ge\xc3\xb6"
                  "ffnet?\",\"\xc3\x96" "ffnungszeiten\",\"\xc2\xbf" "A qu\xc3\xa9 hora abren?\","
                  "\"horario de apertura\"]",
      .answers = "{\"en\":\"Our stores are open Monday to Saturday, 9:00 to 19:00, and closed on "
                 "Sundays and public holidays. The online shop never closes.\",\"de\":\"Unsere "
                 "Filialen haben Montag bis Samstag von 9 bis 19 Uhr ge\xc3\xb6" "ffnet, sonntags "
                 "und an Feiertagen geschlossen.\",\"es\":\"Nuestras tiendas abren de lunes a "
                 "s\xc3\xa1" "bado, de 9:00 a 19:00; domingos y festivos cerrado.\"}",
      .threshold = 0.35, .enabled = true },
    { .question = "Which sizes do you have?",
      .variants = "[\"What sizes do your shoes come in?\",\"Do you have size 46?\",\"size "
                  "chart\",\"Which size should I order?\",\"Do your jackets run small?\"]",
      .answers = "{\"en\":\"Our shoes come in EU sizes 36 to 47 and our jackets in XS to XXL. "
                 "The size guide shows the measurements for each item.\"}",
      .link = "https://northwind.example.com/size-guide", .threshold = 0.4, .enabled = true },
    { .question = "Where is my order?",
      .variants = "[\"How can I track my order?\",\"order status\",\"Has my order shipped?\","
                  "\"Where is my parcel?\",\"tracking number\"]",
      .answers = "{\"en\":\"You can follow your order with its number on our order status page; "
                 "it shows where the parcel is and when it arrives.\"}",
      .link = "https://northwind.example.com/orders", .threshold = 0.4, .enabled = true },
};

static const char *const questions[] = {
    "Hi! When are you open on Saturday?",
    "What sizes do your shoes come in?",
    "How can I track my order?",
    "What time do you close today?",
    "Is there a size chart for the jackets?",
};

const char *
demo_faq_question(unsigned n)
{
    return questions[n % COUNTOF(questions)];
}

static int
say(struct app *app, int64_t channel_id, const char *ext, const char *from, const char *name,
    const char *text)
{
    struct inbound in = { .channel_id = channel_id, .channel_type = "api",
                          .external_id = str_c(ext), .from_id = str_c(from),
                          .from_name = str_c(name), .text = str_c(text) };
    struct ingest_result res;
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    int rc = care_ingest(app->care, ar, &in, &res);
    arena_free(ar);
    return rc;
}

int
demo_faq_seed(struct app *app, int64_t channel_id)
{
    int rc = 0;
    for (size_t i = 0; i < COUNTOF(faqs) && rc == 0; i++)
        rc = care_faq_put(app->care, 0, &faqs[i], NULL);
    char channels[32];
    snprintf(channels, sizeof(channels), "[%lld]", (long long)channel_id);
    struct store_faq_bot b = { .channels = channels, .window_ms = 15LL * 60 * 1000 };
    if (rc == 0)
        rc = care_faqbot_settings_put(app->care, &b);
    /* One conversation the bot answered, then the customer asked for a person. */
    if (rc == 0)
        rc = say(app, channel_id, "faq-demo-1", "faq-nora", "Nora Weiss",
                 "Hi! When are you open on Saturday?");
    if (rc == 0)
        rc = say(app, channel_id, "faq-demo-2", "faq-nora", "Nora Weiss", "HUMAN");
    if (rc < 0)
        log_error("demo", "demo set-up failed", "step=faq rc=%d", rc);
    return rc;
}
