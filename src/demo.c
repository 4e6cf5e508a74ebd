/* SPDX-License-Identifier: MIT */
/*
 * demo.c - `hark demo`: a realistic brand's fortnight, then live simulated customers.
 *
 * On a new database it seeds Northwind Outfitters, an outdoor-gear shop: a care team with
 * public profiles, an "api" channel whose replies go to a local callback receiver (standing in
 * for the brand's integration), and a few hundred conversations over the past two weeks written
 * from templates - questions, complaints, praise, pre-sales questions - with agent replies,
 * notes, labels and resolutions; its hours, SLA policies, teams, profiles and routing rules
 * come from demo_routing.c, and the customers still waiting are routed. Then a simulator
 * thread keeps writing as customers through the real signed webhook path. Texts are
 * generated here, never drawn from tweets.
 *
 * The brand also has a "webchat" channel, and the demo's second little server (the one that
 * receives replies) serves the brand's shop page with the chat widget embedded, from its own
 * origin as a real shop would, under a strict Content-Security-Policy.
 */
#include "base/base.h"
#include "cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/jsonw.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rand.h"
#include "care/care.h"
#include "channels/chan.h"
#include "demo_canned.h"
#include "demo_policy.h"
#include "demo_faq.h"
#include "demo_listen.h"
#include "demo_routing.h"
#include "fetch/fetch.h"
#include "http/http.h"
#include "routing/routing.h"
#include "store/store.h"

#define DEMO_DB "hark-demo.db"
#define DEMO_LOGIN "maya@northwind.example"
#define DEMO_PASSWORD "northwind-demo"
#define DAY_MS (24LL * 3600 * 1000)

static const struct {
    const char *email, *name, *display, *role, *bio;
} team[] = {
    { DEMO_LOGIN, "Maya Lopez", "Maya", "admin", "Care lead. Ask me about anything trail-related." },
    { "jonas@northwind.example", "Jonas Berg", "Jonas", "supervisor", "Returns and exchanges, in English and German." },
    { "aiko@northwind.example", "Aiko Tanaka", "Aiko", "agent", "Sizing nerd. Ran the 2024 Ultra-Trail." },
    { "sam@northwind.example", "Sam Okafor", "Sam", "store_staff", "Store staff, Berlin Mitte." },
    { "lea@northwind.example", "Lea Martin", "Léa", "agent", "Orders and delivery, in English and French." },
};

static const char *const first_names[] = {
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Ethan", "Chloe",
    "Arjun", "Zara", "Hiro", "Fatima", "Diego", "Nora", "Kwame", "Ingrid", "Ravi", "Elena",
    "Tomás", "Aisha", "Finn", "Grace", "Yuki", "Omar", "Hannah", "Pablo", "Leila",
};
static const char *const last_names[] = {
    "Smith", "García", "Müller", "Kowalski", "Nguyen", "O'Brien", "Silva", "Rossi", "Khan",
    "Johansson", "Dubois", "Patel", "Kim", "Mensah", "Novak", "Haddad", "Larsen", "Costa",
};
static const char *const products[] = {
    "Trailrunner 3 shoes", "Summit 40L backpack", "Aurora down jacket", "StormShell rain jacket",
    "Basecamp 2 tent", "Ridge merino base layer", "Glacier sleeping bag", "Switchback hiking poles",
};
static const char *const cities[] = { "Denver", "Lyon", "Hamburg", "Osaka", "Toronto", "Leeds",
                                      "Melbourne", "Oslo" };

struct tmpl {
    const char *text; /* %P product, %O order, %C city, %N number */
    const char *reply;
    const char *label;
};

static const struct tmpl tmpls[] = {
    { "My %P arrived with a broken zipper. Order #%O. Really disappointed.",
      "I'm so sorry about the zipper. I've sent a replacement for order #%O today, no need to send the old one back.",
      "damaged" },
    { "Still waiting on my refund for order #%O, it's been %N days. What is going on?",
      "You're right to chase this. The refund for #%O was stuck at our payment provider; I've pushed it through and you'll see it in 2-3 days.",
      "refund" },
    { "Third time writing about order #%O. Nobody answers. Tracking hasn't moved in a week.",
      "I'm sorry you had to write three times. The courier lost the parcel; a new one ships today by express, tracking to follow.",
      "shipping" },
    { "Do you ship the %P to %C? Couldn't find it on the site.",
      "We do! Delivery to %C takes 3-5 working days and is free over $75.", "shipping" },
    { "I'm usually a 9.5 in running shoes. Which size %P should I get?",
      "The %P runs small, so most people at 9.5 go for a 10. Free exchanges if it's not right.",
      "sizing" },
    { "How long does delivery to %C take right now?",
      "Right now it's 2-4 working days to %C.", "shipping" },
    { "Just got back from a week in the mountains - the %P was amazing. Thank you!",
      "That's wonderful to hear, thanks for telling us! Where did you hike?", NULL },
    { "Thinking about buying the %P. Is it fully waterproof or just water resistant?",
      "Fully waterproof: taped seams and a 20,000 mm membrane. Happy to help you pick a size.",
      "presales" },
    { "Is the %P going on sale for Black Friday? Want to get one for my partner.",
      "I can't share sale dates yet, but if you buy now and it drops, we refund the difference.",
      "presales" },
    { "Can I change the delivery address for order #%O? I'm moving on Friday.",
      "Done - order #%O now goes to your new address. Good luck with the move!", "order-change" },
    { "Please cancel my order #%O, I ordered the wrong colour.",
      "Cancelled, and the refund for #%O is on its way. Want me to place the right colour?",
      "order-change" },
    { "Would love the %P in more colours. The grey is a bit dull.",
      "Thanks, I've passed this to our product team - more colours are on the list for spring.",
      "feedback" },
    { "The sole of my %P came off after two months. Is that covered by warranty?",
      "Yes, that's covered. I've started a warranty claim; a prepaid label is in your inbox.",
      "warranty" },
    { "Your checkout keeps failing with my card. Tried three times.",
      "Sorry about that - our payment page had an outage this morning. It's fixed; your card was not charged.",
      "checkout" },
    { "Any stores in %C where I can try on the %P?",
      "Our %C partner store has it in stock - want me to reserve a pair for you?", "stores" },
};

static unsigned
rnd(unsigned n)
{
    unsigned v;
    rand_bytes(&v, sizeof(v));
    return n ? v % n : 0;
}

/* Expands a template into 'out'. */
static void
expand(const char *t, const char *product, int order, const char *city, char *out, size_t n)
{
    struct buf b;
    buf_init(&b, n - 1);
    for (const char *p = t; *p; p++) {
        if (p[0] == '%' && p[1]) {
            p++;
            if (*p == 'P')
                buf_adds(&b, product);
            else if (*p == 'O')
                buf_printf(&b, "%d", order);
            else if (*p == 'C')
                buf_adds(&b, city);
            else if (*p == 'N')
                buf_printf(&b, "%d", 9 + order % 20);
            continue;
        }
        buf_addc(&b, *p);
    }
    /* The demo's templates are short; one that does not fit is used as written. */
    snprintf(out, n, "%s", buf_error(&b) < 0 ? t : b.p);
    buf_release(&b);
}

/* The brand's integration: accepts every reply Hark delivers to the demo channel. */
static void
on_callback(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_json(r, 200, "{\"ok\":true}", 11);
}

/* ---- the demo shop: a brand's web page with the chat widget ------------------------------ */

#define SHOP_CSS                                                                                   \
    "body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#0f172a;background:#f8fafc}"         \
    "header{background:#14532d;color:#fff;padding:18px 24px}header h1{margin:0;font-size:22px}"   \
    "header p{margin:4px 0 0;opacity:.85}main{max-width:880px;margin:0 auto;padding:24px}"         \
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:16px}"      \
    ".card{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:16px}"             \
    ".card h2{font-size:17px;margin:0 0 4px}.price{color:#166534;font-weight:600}"                \
    ".note{margin-top:28px;color:#475569;font-size:14px}"

/* Built once before the banner is printed, then only read (by the receiver's threads). */
struct shop {
    atomic_bool ready;
    struct buf html;
    struct buf csp; /* the page's Content-Security-Policy */
};

static void
on_shop(struct http_req *r, void *ctx)
{
    struct shop *sh = ctx;
    if (!atomic_load(&sh->ready)) {
        http_reply(r, 503, "text/plain; charset=utf-8", "starting\n", 9);
        return;
    }
    http_add_header(r, "Cache-Control", "no-store");
    http_add_header(r, "Content-Security-Policy", sh->csp.p);
    http_reply(r, 200, "text/html; charset=utf-8", sh->html.p, sh->html.len);
}

static void
on_shop_css(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_add_header(r, "Cache-Control", "max-age=300");
    http_reply(r, 200, "text/css; charset=utf-8", SHOP_CSS, sizeof(SHOP_CSS) - 1);
}

/* The page for the widget of channel 'chat' served by Hark at 'hark', and its CSP: the page has
 * no inline script or style (the widget styles its own shadow root). */
static void
shop_build(struct shop *sh, const char *hark, int64_t chat)
{
    buf_init(&sh->html, 16 * 1024);
    buf_adds(&sh->html, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<title>Northwind Outfitters</title><link rel=\"stylesheet\" "
                        "href=\"/shop.css\"></head><body><header><h1>Northwind Outfitters</h1>"
                        "<p>Outdoor gear for every trail</p></header><main><div class=\"grid\">");
    for (size_t i = 0; i < COUNTOF(products); i++)
        buf_printf(&sh->html, "<div class=\"card\"><h2>%s</h2><p class=\"price\">$%u</p></div>",
                   products[i], 49 + 30 * (unsigned)i);
    buf_printf(&sh->html, "</div><p class=\"note\">This is Hark's demo shop. The chat bubble "
                          "is Hark's widget: write in it, then answer from the inbox.</p></main>"
                          "<script src=\"%s/widget.js\" data-channel=\"%lld\" async></script>"
                          "</body></html>", hark, (long long)chat);
    buf_init(&sh->csp, 1024);
    buf_printf(&sh->csp, "default-src 'none'; script-src %s; connect-src %s; img-src %s https: "
                          "data:; style-src 'self'; base-uri 'none'; form-action 'none'; "
                          "frame-ancestors 'none'", hark, hark, hark);
    if (buf_error(&sh->html) < 0 || buf_error(&sh->csp) < 0) {
        log_error("demo", "demo shop page larger than its buffer", "max=%zu", sh->html.max);
        return;
    }
    atomic_store(&sh->ready, true);
}

/* The brand's web chat: created on first run, and for demo databases made before it existed. */
static int64_t
demo_webchat(struct app *app, const struct channel *chans, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(chans[i].type, "webchat") == 0)
            return chans[i].id;
    }
    char secret[65];
    rand_hex(secret, 32);
    /* The widget's office hours are those of the demo's business-hours calendar. */
    struct arena *ar = arena_new(64 * 1024);
    struct store_calendar *cals;
    size_t ncals = 0;
    int64_t cal_id = 0;
    if (store_calendar_list(app->st, ar, &cals, &ncals) == 0 && ncals > 0)
        cal_id = cals[0].id;
    arena_free(ar);
    char settings[512], cal[40] = "";
    if (cal_id)
        snprintf(cal, sizeof(cal), "\"calendar_id\":%lld,", (long long)cal_id);
    snprintf(settings, sizeof(settings),
             "{\"brand_name\":\"Northwind Outfitters\",%s\"color\":\"#166534\","
             "\"greeting\":\"Hi! Questions about sizes, orders or trails? Ask us anything.\","
             "\"launcher_text\":\"Chat with us\",\"reply_minutes\":5}",
             cal);
    struct channel ch = { .type = "webchat", .name = "Website chat", .secret = secret,
                          .settings = settings };
    int64_t id = 0;
    if (store_channel_add(app->st, &ch, &id) < 0)
        return 0;
    return id;
}

/* Writes 'nconv' conversations of the past fortnight; the ids of the still unassigned ones
 * (waiting, routed once the seed is done) go to 'waiting' (room for 'nconv'), their count to
 * '*nwaiting'. */
static int
seed(struct app *app, int64_t channel_id, int64_t *agent_ids, size_t nagents, int nconv,
     int64_t *waiting, size_t *nwaiting)
{
    int64_t now = clock_now_ms();
    struct agent admin = { 0 };
    for (int i = 0; i < nconv; i++) {
        const struct tmpl *t = &tmpls[rnd(COUNTOF(tmpls))];
        const char *product = products[rnd(COUNTOF(products))];
        /* Store questions come from Berlin customers of the Mitte store (routed to its staff). */
        bool store = t->label && strcmp(t->label, "stores") == 0;
        const char *city = store ? "Berlin" : cities[rnd(COUNTOF(cities))];
        int order = 100000 + (int)rnd(900000);
        char text[512], reply[512], name[96], uid[32], ext[48];
        unsigned who = rnd(COUNTOF(first_names) * COUNTOF(last_names));
        snprintf(name, sizeof(name), "%s %s", first_names[who % COUNTOF(first_names)],
                 last_names[who / COUNTOF(first_names)]);
        snprintf(uid, sizeof(uid), "cust-%u", who);
        snprintf(ext, sizeof(ext), "seed-%d", i);
        expand(t->text, product, order, city, text, sizeof(text));
        int64_t at = now - 14 * DAY_MS + (int64_t)i * (14 * DAY_MS) / (nconv ? nconv : 1) +
                     rnd(3600000);
        char handle[64];
        snprintf(handle, sizeof(handle), "@%s%u", first_names[who % COUNTOF(first_names)], who % 97);
        struct inbound in = { .channel_id = channel_id, .channel_type = "api",
                              .external_id = str_c(ext), .from_id = str_c(uid),
                              .from_name = str_c(name), .from_handle = str_c(handle),
                              .text = str_c(text), .public = rnd(3) == 0, .created_at = at,
                              .thread_id = str_c(ext) };
        struct ingest_result res;
        struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
        care_triage(app->care, ar, &in);
        int rc = store_ingest(app->st, &in, &res);
        arena_free(ar);
        if (rc < 0)
            return rc;
        if (store) {
            struct contact c = { .location = "Berlin Mitte" };
            store_contact_update(app->st, res.contact_id, &c);
        }
        /* Most older conversations were answered; the newest are still waiting. */
        bool answered = i < nconv * 85 / 100;
        int64_t agent = agent_ids[rnd((unsigned)nagents)];
        if (answered || rnd(2))
            store_conv_assign(app->st, res.conversation_id, agent, 0);
        else
            waiting[(*nwaiting)++] = res.conversation_id;
        if (t->label) {
            struct str l = str_c(t->label);
            store_conv_labels(app->st, res.conversation_id, &l, 1, NULL, 0);
        }
        if (!answered)
            continue;
        int64_t msg;
        if (rnd(4) == 0) {
            store_reply_at(app->st, res.conversation_id, agent,
                           STR_LIT("Checked the order history: first contact about this."), true,
                           at + 600000, &msg);
        }
        expand(t->reply, product, order, city, reply, sizeof(reply));
        char full[700];
        snprintf(full, sizeof(full), "Hi %s, %s", first_names[who % COUNTOF(first_names)], reply);
        store_reply_at(app->st, res.conversation_id, agent, str_c(full), false,
                       at + 1800000 + rnd(3 * 3600000), &msg);
        if (i < nconv * 70 / 100)
            store_conv_set_status(app->st, res.conversation_id, "resolved", 0, "answered", agent);
        (void)admin;
    }
    return 0;
}

/* A troll the team has blocked (issue 18): their posts are kept but in no queue; the inbox's
 * Blocked view shows them, and the customer sidebar says who blocked them and why. */
static void
seed_troll(struct app *app, int64_t channel_id, int64_t agent_id)
{
    static const char *const posts[] = {
        "You are the worst shop on the planet, a bunch of clowns.",
        "Answer me, idiots. I will keep posting until you do.",
    };
    int64_t now = clock_now_ms(), contact = 0;
    for (size_t i = 0; i < COUNTOF(posts); i++) {
        char ext[32];
        snprintf(ext, sizeof(ext), "troll-%zu", i);
        struct inbound in = { .channel_id = channel_id, .channel_type = "api",
                              .external_id = str_c(ext), .from_id = STR_LIT("troll-1"),
                              .from_name = STR_LIT("Rex Rant"), .from_handle = STR_LIT("@rexrant"),
                              .text = str_c(posts[i]), .public = true,
                              .thread_id = STR_LIT("troll-thread"),
                              .created_at = now - (int64_t)(COUNTOF(posts) - i) * 3600000 };
        struct ingest_result res;
        struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
        care_triage(app->care, ar, &in);
        int rc = store_ingest(app->st, &in, &res);
        arena_free(ar);
        if (rc < 0)
            return;
        contact = res.contact_id;
    }
    care_contact_block(app->care, contact, agent_id,
                       "Insults the team in every post; nothing to answer (demo)");
}

/* One person across channels (issue 18): Lena writes on WhatsApp and by email (the email's
 * signature has her mobile number, both name the same order): the sidebar suggests merging
 * them. Tom did the same and Jonas (a supervisor) already merged him: one person with both
 * handles and both conversations, and an Undo in his history. The messages come through the
 * demo's API channel as an integration relaying them, so nothing is sent to a real platform. */
static void
seed_people(struct app *app, int64_t channel_id, int64_t supervisor_id)
{
    static const struct {
        const char *type, *from, *name, *handle, *thread, *text;
    } msgs[] = {
        { "whatsapp", "4915112345678", "Lena Vogel", "+4915112345678", "lena-wa",
          "Hi! My order #40213 still says processing, can you check?" },
        { "email", "lena.vogel@example.com", "Lena V.", "lena.vogel@example.com", "lena-mail",
          "Hello, following up on order 40213: I need it before Saturday. Lena, +49 151 12345678" },
        { "whatsapp", "4917098765432", "Tom Berger", "+4917098765432", "tom-wa",
          "The trail shoes from order #40377 are one size too small." },
        { "email", "tom.berger@example.com", "Tom Berger", "tom.berger@example.com", "tom-mail",
          "Re: order 40377, how do I send the shoes back for a bigger size?" },
    };
    int64_t now = clock_now_ms(), contacts[COUNTOF(msgs)] = { 0 };
    for (size_t i = 0; i < COUNTOF(msgs); i++) {
        char ext[32];
        snprintf(ext, sizeof(ext), "person-%zu", i);
        struct inbound in = { .channel_id = channel_id, .channel_type = msgs[i].type,
                              .external_id = str_c(ext), .from_id = str_c(msgs[i].from),
                              .from_name = str_c(msgs[i].name),
                              .from_handle = str_c(msgs[i].handle), .text = str_c(msgs[i].text),
                              .thread_id = str_c(msgs[i].thread),
                              .created_at = now - (int64_t)(COUNTOF(msgs) - i) * 2400000 };
        struct ingest_result res;
        struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
        care_triage(app->care, ar, &in);
        int rc = store_ingest(app->st, &in, &res);
        arena_free(ar);
        if (rc < 0)
            return;
        contacts[i] = res.contact_id;
    }
    struct contact lena = { .phone = "+49 151 12345678", .email = "lena.vogel@example.com" };
    struct contact tom = { .email = "tom.berger@example.com", .location = "Hamburg" };
    if (care_contact_update(app->care, contacts[1], &lena) < 0 ||
        care_contact_update(app->care, contacts[3], &tom) < 0)
        return;
    /* Tom: merged by Jonas, with the evidence the suggestion showed him. */
    struct arena *ar = arena_new(1 << 20);
    struct merge_suggestion *sv;
    size_t sn;
    struct buf ev;
    buf_init(&ev, 4096);
    buf_addc(&ev, '[');
    if (store_merge_suggestions(app->st, ar, contacts[2], &sv, &sn) == 0) {
        for (size_t i = 0; i < sn; i++) {
            if (sv[i].contact.id != contacts[3])
                continue;
            for (size_t k = 0; k < sv[i].nev; k++) {
                buf_adds(&ev, k ? ",{\"kind\":" : "{\"kind\":");
                jsonw_cstr(&ev, sv[i].ev[k].kind);
                buf_adds(&ev, ",\"value\":");
                jsonw_cstr(&ev, sv[i].ev[k].value);
                buf_addc(&ev, '}');
            }
        }
    }
    buf_addc(&ev, ']');
    int64_t merge_id;
    enum merge_conflict why;
    if (!buf_error(&ev))
        care_contact_merge(app->care, contacts[2], contacts[3], supervisor_id, ev.p, &merge_id,
                           &why);
    buf_release(&ev);
    arena_free(ar);
}

struct sim {
    struct app *app;
    int64_t channel_id;
    char secret[80];
    atomic_bool stop;
    int interval_ms;
};

static void *
simulate(void *arg)
{
    struct sim *s = arg;
    char url[256];
    snprintf(url, sizeof(url), "%s/hooks/%lld", s->app->url, (long long)s->channel_id);
    for (unsigned n = 0; !atomic_load(&s->stop); n++) {
        int wait = s->interval_ms / 2 + (int)rnd((unsigned)s->interval_ms);
        for (int slept = 0; slept < wait && !atomic_load(&s->stop); slept += 100)
            usleep(100 * 1000);
        if (atomic_load(&s->stop))
            break;
        const struct tmpl *t = &tmpls[rnd(COUNTOF(tmpls))];
        char text[512], body[1200], id[64], sig[80] = "sha256=";
        unsigned who = rnd(COUNTOF(first_names) * COUNTOF(last_names));
        expand(t->text, products[rnd(COUNTOF(products))], 100000 + (int)rnd(900000),
               cities[rnd(COUNTOF(cities))], text, sizeof(text));
        /* One customer in four asks a plain question the FAQ bot answers. */
        if (n % 4 == 1)
            snprintf(text, sizeof(text), "%s", demo_faq_question(n / 4));
        char hex[17];
        rand_hex(hex, 8);
        snprintf(id, sizeof(id), "live-%s", hex);
        struct buf b;
        buf_init(&b, sizeof(body));
        buf_printf(&b, "{\"id\":\"%s\",\"from\":{\"id\":\"cust-%u\",\"name\":\"%s %s\"},"
                       "\"text\":", id, who, first_names[who % COUNTOF(first_names)],
                   last_names[who / COUNTOF(first_names)]);
        jsonw_cstr(&b, text);
        buf_adds(&b, "}");
        if (buf_error(&b) < 0) {
            buf_release(&b);
            continue;
        }
        chan_hmac_hex(s->secret, buf_str(&b), sig + 7);
        struct fetch_header h[] = { { "Content-Type", "application/json" },
                                    { "X-Hark-Signature", sig } };
        struct fetch_request req = { .method = "POST", .url = url, .headers = h, .nheaders = 2,
                                     .body = buf_str(&b), .timeout_ms = 10000 };
        struct fetch_response resp;
        fetch_do(&req, &resp);
        if (resp.status != 200)
            log_warn("demo", "simulated webhook refused", "status=%ld", resp.status);
        fetch_response_release(&resp);
        buf_release(&b);
    }
    return NULL;
}

int
cli_demo(int argc, char **argv)
{
    struct config cfg;
    char *rest[8];
    int nrest;
    struct errmsg em = { 0 };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: hark demo [--listen ADDR:PORT] [--db PATH] [options]\n\n"
                   "Runs Hark with a seeded demo brand (Northwind Outfitters) on an SQLite file\n"
                   "(default %s, created on first run) and simulated customers writing in\n"
                   "through the signed webhook every few seconds. Stop with Ctrl-C.\n",
                   DEMO_DB);
            config_usage(stdout);
            return 0;
        }
    }
    if (config_load(argc, argv, &cfg, rest, 8, &nrest, &em) < 0 || nrest > 0) {
        fprintf(stderr, "hark demo: %s\n", em.set ? em.text : "unknown argument (see --help)");
        return 2;
    }
    bool db_given = getenv("HARK_DB") != NULL;
    for (int i = 1; i < argc; i++)
        db_given = db_given || strncmp(argv[i], "--db", 4) == 0;
    if (!db_given)
        snprintf(cfg.db, sizeof(cfg.db), "%s", DEMO_DB);

    if (!cfg.brand_handles[0])
        snprintf(cfg.brand_handles, sizeof(cfg.brand_handles), "%s", DEMO_LISTEN_HANDLES);

    app_signals_init();
    struct app app;
    if (app_open(&app, &cfg, &em) < 0 || app_start(&app, &em) < 0) {
        fprintf(stderr, "hark demo: %s\n", em.text);
        app_close(&app);
        return 1;
    }

    /* The brand's own integration endpoint, for replies on the api channel, and its shop. */
    struct shop shop = { 0 };
    struct http_route cb_routes[] = { { "POST", "/callback", on_callback, NULL, 256 * 1024 },
                                      { "GET", "/shop", on_shop, &shop, 0 },
                                      { "GET", "/shop.css", on_shop_css, NULL, 0 } };
    struct http_server *cb = NULL;
    struct http_config cbc = { .addr = "127.0.0.1", .port = 0, .workers = 4 };
    if (http_server_start(&cbc, cb_routes, COUNTOF(cb_routes), &cb) < 0) {
        fprintf(stderr, "hark demo: cannot start the demo callback receiver\n");
        app_close(&app);
        return 1;
    }

    struct sim sim = { .app = &app, .interval_ms = (int)cfg.demo_interval_ms };
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    struct channel *chans;
    size_t nchans = 0;
    store_channel_list(app.st, ar, &chans, &nchans);
    char settings[128];
    snprintf(settings, sizeof(settings), "{\"callback_url\":\"http://127.0.0.1:%d/callback\"}",
             http_server_port(cb));
    if (nchans == 0) {
        int64_t ids[COUNTOF(team)];
        size_t nids = 0;
        printf("Seeding the demo brand (first run)...\n");
        for (size_t i = 0; i < COUNTOF(team); i++, nids++) {
            struct agent a = { .email = team[i].email, .name = team[i].name,
                               .display_name = team[i].display, .role = team[i].role,
                               .bio = team[i].bio };
            if (auth_agent_add(care_auth(app.care), &a, STR_LIT(DEMO_PASSWORD), &ids[i], &em) < 0) {
                fprintf(stderr, "hark demo: %s\n", em.text);
                break;
            }
        }
        rand_hex(sim.secret, 32);
        struct channel ch = { .type = "api", .name = "Website & app", .secret = sim.secret,
                              .settings = settings };
        store_channel_add(app.st, &ch, &sim.channel_id);
        /* Hours, SLA, teams, profiles and rules first, so what is routed below and every
         * live customer gets clocks, a team, a reason and, when due, an acknowledgement. */
        if (nids == COUNTOF(team)) {
            demo_routing_seed(&app, ids, nids);
            demo_canned_seed(&app, ids[0]);
        }
        int nconv = (int)cfg.demo_conversations;
        int64_t *waiting = xcalloc((size_t)nconv + 1, sizeof(*waiting));
        size_t nwaiting = 0;
        if (nids == COUNTOF(team)) {
            seed(&app, sim.channel_id, ids, COUNTOF(ids), nconv, waiting, &nwaiting);
            seed_troll(&app, sim.channel_id, ids[2]); /* an agent blocked them */
            seed_people(&app, sim.channel_id, ids[1]); /* Jonas, a supervisor, merged Tom */
            demo_policy_seed(&app, ids, COUNTOF(ids));
            demo_faq_seed(&app, sim.channel_id); /* the FAQ bot, with one handoff */
        }
        /* The customers still waiting are routed as if they had just written: the first
         * screen shows the queue, routing reasons and acknowledgements. */
        for (size_t i = 0; i < nwaiting; i++)
            routing_conv(care_routing(app.care), waiting[i]);
        xfree(waiting);
        care_outbox_kick(app.care);
    } else {
        sim.channel_id = chans[0].id;
        snprintf(sim.secret, sizeof(sim.secret), "%s", chans[0].secret);
        /* The callback port changes per run; point the channel at this run's receiver. */
        store_channel_set_settings(app.st, sim.channel_id, settings);
    }
    int64_t chat = demo_webchat(&app, chans, nchans);
    shop_build(&shop, cfg.public_url[0] ? cfg.public_url : app.url, chat);
    arena_free(ar);

    pthread_t th;
    pthread_create(&th, NULL, simulate, &sim);
    struct demo_listen *dl = demo_listen_start(&app, cfg.demo_interval_ms * 2);
    printf("\nHark demo is running: %s\n  log in as %s / %s\n  database: %s\n"
           "  demo shop with the chat widget: http://127.0.0.1:%d/shop\n"
           "  simulated customers write in every ~%lld s; Ctrl-C stops.\n\n",
           app.url, DEMO_LOGIN, DEMO_PASSWORD, cfg.db, http_server_port(cb),
           (long long)(cfg.demo_interval_ms / 1000));
    fflush(stdout);
    app_wait(&app);
    atomic_store(&sim.stop, true);
    pthread_join(th, NULL);
    demo_listen_stop(dl);
    app_close(&app);
    http_server_stop(cb);
    buf_release(&shop.html);
    buf_release(&shop.csp);
    return 0;
}
