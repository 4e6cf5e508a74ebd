/* SPDX-License-Identifier: MIT */
/*
 * codec_test.c - the JSON codec: each encoder's output parsed back gives the
 * struct's values (times through clock_parse_iso, stored JSON text through
 * codec_parse_*), event payloads round-trip and keep the wire form the store
 * wrote by hand before (a payload that cannot be encoded is NULL), credentials
 * never leave, and malformed stored JSON is refused (an empty array or object,
 * never a crash). Also the model's validators.
 */
#include "base/base.h"
#include "model/model.h"

#include <jansson.h>

#include "../test.h"
#include "base/clock.h"

static const char *
sval(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long
ival(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The encoded time parsed back as milliseconds; -1 when it is not a valid RFC
 * 3339 string. */
static int64_t
time_back(const json_t *o, const char *key)
{
    int64_t ms = -1;
    const char *s = sval(o, key);
    if (!s || clock_parse_iso(str_c(s), &ms) != 0)
        return -1;
    return ms;
}

/* 'j' dumped and parsed back by jansson is equal to 'j'. */
static bool
dump_round_trips(const json_t *j)
{
    size_t len = 0;
    char *s = codec_dump(j, &len);
    bool ok = strlen(s) == len && !strchr(s, '\n');
    json_t *back = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    ok = ok && back && json_equal(j, back);
    json_decref(back);
    free(s);
    return ok;
}

TEST(time_round_trips)
{
    const int64_t times[] = { 1, 999, 1000, 1779719008757, 1795379363123, 4102444799999 };
    for (size_t i = 0; i < COUNTOF(times); i++) {
        json_t *t = codec_time(times[i]);
        json_t *o = json_pack("{s:o}", "t", t);
        CHECK_INT(time_back(o, "t"), times[i]);
        json_decref(o);
    }
    json_t *zero = codec_time(0);
    CHECK(json_is_null(zero));
    json_decref(zero);
}

TEST(parse_refuses_bad_stored_json)
{
    const char *bad[] = { NULL, "", "not json", "[1,2", "{\"a\":1}", "\"text\"", "42" };
    for (size_t i = 0; i < COUNTOF(bad); i++) {
        json_t *a = codec_parse_array(bad[i]);
        CHECK(json_is_array(a) && json_array_size(a) == 0);
        json_decref(a);
    }
    const char *badobj[] = { NULL, "", "{", "[1]", "null", "{\"a\":1,\"a\":2}" };
    for (size_t i = 0; i < COUNTOF(badobj); i++) {
        json_t *o = codec_parse_object(badobj[i]);
        CHECK(json_is_object(o) && json_object_size(o) == 0);
        json_decref(o);
    }
    json_t *a = codec_parse_array("[\"vip\",\"billing\",\"caf\\u00e9\"]");
    CHECK_INT(json_array_size(a), 3);
    CHECK_STR(json_string_value(json_array_get(a, 2)), "caf\xc3\xa9");
    json_decref(a);
}

static struct conv
sample_conv(void)
{
    return (struct conv){
        .id = 42,
        .channel_id = 3,
        .contact_id = 7,
        .assignee_id = 0,
        .status = "snoozed",
        .public = true,
        .priority = 2,
        .labels = "[\"vip\",\"billing\"]",
        .intent = "refund",
        .sentiment = NULL,
        .urgency = -1,
        .snooze_until = 1795379363123,
        .resolution_reason = NULL,
        .preview = "Where is \"my\" order?\n\xe2\x9c\x93",
        .unread = 4,
        .message_count = 9,
        .last_message_at = 1795379000000,
        .created_at = 1795370000001,
        .updated_at = 1795379000002,
        .last_inbound_at = 0,
        .contact_name = "Zo\xc3\xab",
        .channel_type = NULL,
        .channel_name = NULL,
    };
}

TEST(conv_round_trips)
{
    struct conv c = sample_conv();
    json_t *o = codec_conv(&c);
    CHECK_INT(ival(o, "id"), 42);
    CHECK_INT(ival(o, "channel_id"), 3);
    CHECK_INT(ival(o, "contact_id"), 7);
    CHECK(json_is_null(json_object_get(o, "assignee_id")));
    CHECK_STR(sval(o, "status"), "snoozed");
    CHECK(json_is_true(json_object_get(o, "public")));
    CHECK_INT(ival(o, "priority"), 2);
    char *labels = codec_dump(json_object_get(o, "labels"), NULL);
    CHECK_STR(labels, c.labels);
    free(labels);
    CHECK_STR(sval(o, "intent"), "refund");
    CHECK(json_is_null(json_object_get(o, "sentiment")));
    CHECK(json_is_null(json_object_get(o, "urgency")));
    CHECK_INT(time_back(o, "snooze_until"), c.snooze_until);
    CHECK(json_is_null(json_object_get(o, "resolution_reason")));
    CHECK_STR(sval(o, "preview"), c.preview);
    CHECK_INT(ival(o, "unread"), 4);
    CHECK_INT(ival(o, "message_count"), 9);
    CHECK_INT(time_back(o, "last_message_at"), c.last_message_at);
    CHECK(json_is_null(json_object_get(o, "last_inbound_at")));
    CHECK_INT(time_back(o, "created_at"), c.created_at);
    CHECK_INT(time_back(o, "updated_at"), c.updated_at);
    CHECK_STR(sval(o, "contact_name"), c.contact_name);
    CHECK(!json_object_get(o, "channel_type") && !json_object_get(o, "channel_name"));
    CHECK(dump_round_trips(o));
    json_decref(o);

    c.assignee_id = 5;
    c.urgency = 3;
    c.labels = "{\"not\":\"an array\"}";
    o = codec_conv(&c);
    CHECK_INT(ival(o, "assignee_id"), 5);
    CHECK_INT(ival(o, "urgency"), 3);
    CHECK_INT(json_array_size(json_object_get(o, "labels")), 0);
    json_decref(o);
}

TEST(msg_round_trips)
{
    struct msg m = {
        .id = 100,
        .conversation_id = 42,
        .direction = "out",
        .kind = "note",
        .text = "line one\nline two \\ \"quoted\" \x01 \xf0\x9f\x98\x80",
        .author_agent_id = 5,
        .author_name = "Ada",
        .external_id = NULL,
        .reply_to = "wamid.1",
        .public = false,
        .status = "none",
        .error = NULL,
        .urgency = -1,
        .created_at = 1795379363123,
        .sent_at = 0,
    };
    json_t *o = codec_msg(&m);
    CHECK_INT(ival(o, "id"), 100);
    CHECK_INT(ival(o, "conversation_id"), 42);
    CHECK_STR(sval(o, "direction"), "out");
    CHECK_STR(sval(o, "kind"), "note");
    CHECK(json_is_true(json_object_get(o, "private")));
    CHECK(json_is_false(json_object_get(o, "public")));
    CHECK_STR(sval(o, "text"), m.text);
    CHECK_INT(ival(o, "author_agent_id"), 5);
    CHECK_STR(sval(o, "author_name"), "Ada");
    CHECK(json_is_null(json_object_get(o, "external_id")));
    CHECK_STR(sval(o, "reply_to"), "wamid.1");
    CHECK(json_is_null(json_object_get(o, "error")));
    CHECK_INT(time_back(o, "created_at"), m.created_at);
    CHECK(json_is_null(json_object_get(o, "sent_at")));
    CHECK(json_is_null(json_object_get(o, "triage")));
    CHECK(dump_round_trips(o));
    json_decref(o);

    m.kind = "message";
    m.lang = "en";
    m.intent = "refund";
    m.intent_conf = 0.75;
    m.sentiment = "negative";
    m.sentiment_score = -0.5;
    m.urgency = 2;
    m.urgency_reasons = "[\"deadline\",\"angry\"]";
    o = codec_msg(&m);
    CHECK(json_is_false(json_object_get(o, "private")));
    json_t *t = json_object_get(o, "triage");
    CHECK_STR(sval(t, "lang"), "en");
    CHECK_STR(sval(t, "intent"), "refund");
    CHECK(json_real_value(json_object_get(t, "confidence")) == 0.75);
    CHECK_STR(sval(t, "sentiment"), "negative");
    CHECK(json_real_value(json_object_get(t, "sentiment_score")) == -0.5);
    CHECK_INT(ival(t, "urgency"), 2);
    char *reasons = codec_dump(json_object_get(t, "urgency_reasons"), NULL);
    CHECK_STR(reasons, m.urgency_reasons);
    free(reasons);
    CHECK(dump_round_trips(o));
    json_decref(o);
}

TEST(contact_round_trips)
{
    struct identity ids[2] = {
        { .id = 1, .channel_type = "whatsapp", .platform_id = "15550001", .handle = "+15550001" },
        { .id = 2, .channel_type = "email", .platform_id = "z@example.com", .name = "Zoe" },
    };
    struct contact c = {
        .id = 7,
        .name = "Zo\xc3\xab",
        .email = "z@example.com",
        .phone = NULL,
        .locale = "fr",
        .location = NULL,
        .tags = "[\"vip\"]",
        .notes = NULL,
        .attributes = "{\"plan\":\"gold\",\"seats\":3}",
        .status = "customer",
        .created_at = 1795370000001,
        .updated_at = 1795379000002,
        .ids = ids,
        .nids = 2,
    };
    json_t *o = codec_contact(&c);
    CHECK_INT(ival(o, "id"), 7);
    CHECK_STR(sval(o, "name"), c.name);
    CHECK_STR(sval(o, "email"), c.email);
    CHECK(json_is_null(json_object_get(o, "phone")));
    CHECK_STR(sval(o, "locale"), "fr");
    CHECK_STR(sval(o, "notes"), "");
    char *tags = codec_dump(json_object_get(o, "tags"), NULL);
    CHECK_STR(tags, c.tags);
    free(tags);
    json_t *attrs = json_loads(c.attributes, 0, NULL);
    CHECK(json_equal(json_object_get(o, "attributes"), attrs));
    json_decref(attrs);
    CHECK_STR(sval(o, "status"), "customer");
    CHECK_INT(time_back(o, "created_at"), c.created_at);
    CHECK_INT(time_back(o, "updated_at"), c.updated_at);
    json_t *a = json_object_get(o, "identities");
    CHECK_INT(json_array_size(a), 2);
    json_t *i0 = json_array_get(a, 0), *i1 = json_array_get(a, 1);
    CHECK_INT(ival(i0, "id"), 1);
    CHECK_STR(sval(i0, "channel_type"), "whatsapp");
    CHECK_STR(sval(i0, "platform_id"), "15550001");
    CHECK_STR(sval(i0, "handle"), "+15550001");
    CHECK(json_is_null(json_object_get(i0, "name")));
    CHECK(json_is_null(json_object_get(i1, "handle")));
    CHECK_STR(sval(i1, "name"), "Zoe");
    CHECK(dump_round_trips(o));
    json_decref(o);

    c.ids = NULL;
    c.nids = 0;
    o = codec_contact(&c);
    CHECK(!json_object_get(o, "identities"));
    json_decref(o);
}

TEST(agent_public_profile_hides_private_fields)
{
    struct agent a = {
        .id = 5,
        .email = "ada@example.com",
        .password_hash = "$argon2id$v=19$secret",
        .name = "Ada Lovelace",
        .display_name = "Ada",
        .avatar_url = NULL,
        .bio = "Hi",
        .role = "admin",
        .created_at = 1795370000001,
        .disabled_at = 1795379000002,
    };
    json_t *o = codec_agent(&a, true);
    CHECK_INT(ival(o, "id"), 5);
    CHECK_STR(sval(o, "display_name"), "Ada");
    CHECK_STR(sval(o, "avatar_url"), "");
    CHECK_STR(sval(o, "bio"), "Hi");
    CHECK_STR(sval(o, "name"), "Ada Lovelace");
    CHECK_STR(sval(o, "email"), "ada@example.com");
    CHECK_STR(sval(o, "role"), "admin");
    CHECK_INT(time_back(o, "created_at"), a.created_at);
    CHECK(json_is_true(json_object_get(o, "disabled")));
    char *s = codec_dump(o, NULL);
    CHECK(!strstr(s, "argon2"));
    free(s);
    json_decref(o);

    o = codec_agent(&a, false);
    CHECK_STR(sval(o, "display_name"), "Ada");
    CHECK(!json_object_get(o, "email") && !json_object_get(o, "role") &&
          !json_object_get(o, "name") && !json_object_get(o, "disabled"));
    json_decref(o);
}

TEST(channel_never_shows_credentials)
{
    struct channel ch = {
        .id = 9,
        .type = "email",
        .name = "Support",
        .secret = "s3cr3t-signing",
        .settings = "{\"app_secret\":\"a1\",\"access_token\":\"t1\",\"password\":\"p1\","
                    "\"secret\":\"x1\",\"imap_url\":\"imaps://"
                    "u:p@ss@mail.example.com:993/INBOX\","
                    "\"callback_url\":\"https://example.com/"
                    "cb?x=1\",\"from\":\"help@example.com\","
                    "\"tokens_per_day\":5}",
        .created_at = 1795370000001,
    };
    json_t *o = codec_channel(&ch);
    CHECK_INT(ival(o, "id"), 9);
    CHECK_STR(sval(o, "type"), "email");
    CHECK_STR(sval(o, "name"), "Support");
    CHECK_STR(sval(o, "webhook_path"), "/hooks/9");
    CHECK_INT(time_back(o, "created_at"), ch.created_at);
    json_t *s = json_object_get(o, "settings");
    CHECK_STR(sval(s, "app_secret"), "********");
    CHECK_STR(sval(s, "access_token"), "********");
    CHECK_STR(sval(s, "password"), "********");
    CHECK_STR(sval(s, "secret"), "********");
    CHECK_STR(sval(s, "imap_url"), "imaps://********@mail.example.com:993/INBOX");
    CHECK_STR(sval(s, "callback_url"), "https://example.com/cb?x=1");
    CHECK_STR(sval(s, "from"), "help@example.com");
    CHECK_INT(ival(s, "tokens_per_day"), 5);
    char *text = codec_dump(o, NULL);
    CHECK(!strstr(text, "s3cr3t") && !strstr(text, "\"a1\"") && !strstr(text, "\"t1\"") &&
          !strstr(text, "\"p1\"") && !strstr(text, "u:p@ss"));
    free(text);
    json_decref(o);

    ch.settings = "not json";
    o = codec_channel(&ch);
    CHECK_INT(json_object_size(json_object_get(o, "settings")), 0);
    json_decref(o);
}

TEST(event_payloads_round_trip)
{
    struct conv c = sample_conv();
    struct msg m = { .id = 1,
                     .conversation_id = 42,
                     .direction = "in",
                     .kind = "message",
                     .text = "caf\xc3\xa9 \"<script>\"",
                     .status = "received",
                     .urgency = -1,
                     .created_at = 1795379363123 };
    char *s = codec_event_conv(&c);
    json_t *back = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    json_t *want = codec_conv(&c);
    CHECK(back && json_object_size(back) == 1 &&
          json_equal(json_object_get(back, "conversation"), want));
    json_decref(back);
    free(s);

    s = codec_event_msg(&m, &c);
    back = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    json_t *wantm = codec_msg(&m);
    CHECK(back && json_equal(json_object_get(back, "message"), wantm));
    CHECK(back && json_equal(json_object_get(back, "conversation"), want));
    CHECK_STR(sval(json_object_get(back, "message"), "text"), m.text);
    json_decref(back);
    free(s);

    s = codec_event_msg(&m, NULL);
    back = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    CHECK(back && json_object_size(back) == 1 &&
          json_equal(json_object_get(back, "message"), wantm));
    json_decref(back);
    free(s);
    json_decref(want);
    json_decref(wantm);
}

/* 'got' (freed here) parses to the same JSON value as 'want' (key order aside). */
static bool
same_json(char *got, const char *want)
{
    json_t *g = got ? json_loads(got, JSON_REJECT_DUPLICATES, NULL) : NULL;
    json_t *w = json_loads(want, JSON_REJECT_DUPLICATES, NULL);
    bool ok = g && w && json_equal(g, w);
    if (!ok)
        fprintf(stderr, "  got  %s\n  want %s\n", got ? got : "(null)", want);
    json_decref(g);
    json_decref(w);
    free(got);
    return ok;
}

static const char *
iso(int64_t ms, char *buf, size_t n)
{
    clock_fmt_iso(ms, buf, n);
    return buf;
}

TEST(small_event_payloads_keep_their_wire_form)
{
    CHECK(same_json(codec_event_contact(7), "{\"contact_id\":7}"));
    CHECK(same_json(codec_event_agent_availability(3, "away"),
                    "{\"agent\":{\"id\":3,\"availability\":\"away\"}}"));

    struct routed r = { .conversation_id = 42, .team_id = 2, .agent_id = 5, .rule_id = 9,
                        .strategy = "round_robin", .reason = "rule \"VIP\" \xc3\xa9\n",
                        .escalation = 1 };
    CHECK(same_json(codec_event_routed(&r),
                    "{\"conversation_id\":42,\"team_id\":2,\"agent_id\":5,\"rule_id\":9,"
                    "\"strategy\":\"round_robin\",\"queued\":false,\"escalation\":1,"
                    "\"reason\":\"rule \\\"VIP\\\" \\u00e9\\n\"}"));
    struct routed q = { .conversation_id = 42 }; /* queued, no strategy or reason */
    CHECK(same_json(codec_event_routed(&q),
                    "{\"conversation_id\":42,\"team_id\":0,\"agent_id\":0,\"rule_id\":0,"
                    "\"strategy\":\"\",\"queued\":true,\"escalation\":0,\"reason\":\"\"}"));

    char f[40], n[40], want[512];
    int64_t t1 = 1795379363123, t2 = 1795379999000;
    snprintf(want, sizeof(want),
             "{\"conversation_id\":42,\"paused\":true,\"first_response_due\":\"%s\","
             "\"next_response_due\":null,\"resolution_due\":\"%s\"}",
             iso(t1, f, sizeof(f)), iso(t2, n, sizeof(n)));
    CHECK(same_json(codec_event_sla(42, true, t1, 0, t2), want));
    CHECK(same_json(codec_event_sla(42, false, 0, 0, 0),
                    "{\"conversation_id\":42,\"paused\":false,\"first_response_due\":null,"
                    "\"next_response_due\":null,\"resolution_due\":null}"));

    snprintf(want, sizeof(want),
             "{\"conversation_id\":42,\"kind\":\"breach\",\"clock\":\"first_response\","
             "\"due_at\":\"%s\"}",
             iso(t1, f, sizeof(f)));
    CHECK(same_json(codec_event_sla_timer(42, "breach", "first_response", t1), want));
    CHECK(same_json(codec_event_sla_timer(42, "woke", "snooze", 0),
                    "{\"conversation_id\":42,\"kind\":\"woke\",\"clock\":\"snooze\","
                    "\"due_at\":null}"));
}

TEST(mention_event_round_trips)
{
    int64_t qids[] = { 3, 8 };
    struct mention m = { .id = 11,
                         .platform = "bluesky",
                         .external_id = "at://did:plc:x/app.bsky.feed.post/1",
                         .author_handle = "ann.example",
                         .text = "caf\xc3\xa9 \"<b>\" @brand",
                         .lang = "fr",
                         .created_at = 1795379363123,
                         .received_at = 1795379364000,
                         .intent = "complaint",
                         .urgency = -1,
                         .addressed_to_brand = true,
                         .author_followers = 1200,
                         .query_ids = qids,
                         .nqueries = 2 };
    char c[40], r[40], want[1024];
    snprintf(want, sizeof(want),
             "{\"id\":11,\"platform\":\"bluesky\",\"external_id\":"
             "\"at://did:plc:x/app.bsky.feed.post/1\",\"author\":\"ann.example\","
             "\"author_name\":null,\"text\":\"caf\\u00e9 \\\"<b>\\\" @brand\",\"lang\":\"fr\","
             "\"url\":null,\"created_at\":\"%s\",\"received_at\":\"%s\","
             "\"intent\":\"complaint\",\"sentiment\":null,\"urgency\":null,"
             "\"addressed_to_brand\":true,\"opportunity\":false,\"conversation_id\":null,"
             "\"author_followers\":1200,\"dismissed\":false,\"dismissed_at\":null,"
             "\"queries\":[3,8]}",
             iso(m.created_at, c, sizeof(c)), iso(m.received_at, r, sizeof(r)));
    CHECK(same_json(codec_event_mention(&m), want));

    /* The event is the object the API shows. */
    json_t *o = codec_mention(&m);
    json_t *back = json_loads(want, 0, NULL);
    CHECK(o && back && json_equal(o, back));
    json_decref(o);
    json_decref(back);

    m.urgency = 2;
    m.conversation_id = 42;
    m.author_handle = NULL;
    m.nqueries = 0;
    back = NULL;
    char *s = codec_event_mention(&m);
    back = s ? json_loads(s, 0, NULL) : NULL;
    CHECK_INT(ival(back, "urgency"), 2);
    CHECK_INT(ival(back, "conversation_id"), 42);
    CHECK_STR(sval(back, "author"), "");
    CHECK_INT(json_array_size(json_object_get(back, "queries")), 0);
    json_decref(back);
    free(s);

    /* Text that cannot be encoded fails the event whole: no field is left out. */
    m.text = "bad \xff utf-8";
    CHECK(codec_event_mention(&m) == NULL);
    CHECK(codec_mention(&m) == NULL);
}

TEST(spike_event_round_trips)
{
    struct spike_alert_row a = { .id = 4,
                                 .query_id = 2,
                                 .kind = "negative",
                                 .window_start = 1795379000000,
                                 .window_end = 1795379900000,
                                 .volume = 37,
                                 .baseline = 12.0 / 7.0,
                                 .negative_share = 0.6875,
                                 .baseline_negative_share = 1.0 / 3.0,
                                 .posts = "[\"at://p/1\",\"at://p/2\"]",
                                 .created_at = 1795379901000 };
    char ws[40], we[40], ca[40], want[1024];
    /* Ratios carry three decimals, as the event always did. */
    snprintf(want, sizeof(want),
             "{\"id\":4,\"query_id\":2,\"kind\":\"negative\",\"window_start\":\"%s\","
             "\"window_end\":\"%s\",\"volume\":37,\"baseline\":1.714,\"negative_share\":0.688,"
             "\"baseline_negative_share\":0.333,\"posts\":[\"at://p/1\",\"at://p/2\"],"
             "\"created_at\":\"%s\"}",
             iso(a.window_start, ws, sizeof(ws)), iso(a.window_end, we, sizeof(we)),
             iso(a.created_at, ca, sizeof(ca)));
    CHECK(same_json(codec_event_spike(&a), want));

    a.posts = "not json"; /* stored text that is not an array reads as [] */
    char *s = codec_event_spike(&a);
    json_t *back = s ? json_loads(s, 0, NULL) : NULL;
    CHECK(json_is_array(json_object_get(back, "posts")) &&
          json_array_size(json_object_get(back, "posts")) == 0);
    json_decref(back);
    free(s);
}

TEST(validators_accept_and_refuse)
{
    const char *conv_ok[] = { "open", "pending", "snoozed", "resolved" };
    for (size_t i = 0; i < COUNTOF(conv_ok); i++)
        CHECK(model_conv_status_valid(str_c(conv_ok[i])));
    CHECK(!model_conv_status_valid(STR_LIT("Open")));
    CHECK(!model_conv_status_valid(STR_LIT("")));
    CHECK(!model_conv_status_valid(STR_LIT("open ")));
    const char *contact_ok[] = { "prospect", "customer", "advocate", "blocked" };
    for (size_t i = 0; i < COUNTOF(contact_ok); i++)
        CHECK(model_contact_status_valid(str_c(contact_ok[i])));
    CHECK(!model_contact_status_valid(STR_LIT("vip")));
    CHECK(model_role_valid(STR_LIT("admin")) && model_role_valid(STR_LIT("agent")));
    CHECK(!model_role_valid(STR_LIT("root")) && !model_role_valid(STR_NULL));

    CHECK(model_label_valid(STR_LIT("billing")));
    CHECK(model_label_valid(STR_LIT("caf\xc3\xa9")));
    CHECK(!model_label_valid(STR_LIT("")));
    CHECK(!model_label_valid(STR_LIT("a,b")));
    CHECK(!model_label_valid(STR_LIT("tab\there")));
    CHECK(!model_label_valid(STR_LIT("bad \xc3")));
    char big[MODEL_NAME_MAX + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[MODEL_NAME_MAX] = '\0';
    CHECK(model_label_valid(str_c(big)));
    big[MODEL_NAME_MAX] = 'x';
    big[MODEL_NAME_MAX + 1] = '\0';
    CHECK(!model_label_valid(str_c(big)));
}

TEST(preview_cuts_at_utf8_boundary)
{
    char out[8];
    model_preview(STR_LIT("ab\ncd"), out, 7);
    CHECK_STR(out, "ab cd");
    /* "abcde" then a 3-byte character that does not fit in 7 bytes. */
    model_preview(STR_LIT("abcde\xe2\x9c\x93xyz"), out, 7);
    CHECK_STR(out, "abcde");
    model_preview(STR_LIT("abcd\xe2\x9c\x93xyz"), out, 7);
    CHECK_STR(out, "abcd\xe2\x9c\x93");
}

int
main(void)
{
    RUN(time_round_trips);
    RUN(parse_refuses_bad_stored_json);
    RUN(conv_round_trips);
    RUN(msg_round_trips);
    RUN(contact_round_trips);
    RUN(agent_public_profile_hides_private_fields);
    RUN(channel_never_shows_credentials);
    RUN(event_payloads_round_trip);
    RUN(small_event_payloads_keep_their_wire_form);
    RUN(mention_event_round_trips);
    RUN(spike_event_round_trips);
    RUN(validators_accept_and_refuse);
    RUN(preview_cuts_at_utf8_boundary);
    return test_done();
}
