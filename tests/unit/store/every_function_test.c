/* SPDX-License-Identifier: MIT */
/* every_function_test.c - every public function of store/store.h, called against ONE store:
 * the writer connection and this thread's one read connection prepare every statement the
 * server can run, the way a long-running server eventually does. A statement cache that
 * cannot hold them all (or cannot evict) fails here, not after days in production. */
#include "base/base.h"

#include <unistd.h>

#include "base/arena.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-every-test-XXXXXX";

static struct inbound
inbound(int64_t ch, const char *type, const char *ext, const char *from, const char *text)
{
    return (struct inbound){ .channel_id = ch, .channel_type = type, .external_id = str_c(ext),
                             .from_id = str_c(from), .from_name = str_c("Ann Lee"),
                             .from_handle = str_c("ann"), .text = str_c(text),
                             .lang = "en", .intent = "question", .sentiment = "neutral",
                             .urgency_reasons = "[]", .urgency = 1 };
}

/* Every function, section by section. Run twice: the second pass hits every statement
 * after the cache has seen them all once (and after evictions, when the cache is smaller
 * than the set of statements). */
static void
every_function(struct store *st, int pass)
{
    struct arena *ar = arena_new(64 << 20);
    char tag[32];
    snprintf(tag, sizeof(tag), "p%d", pass);
    int64_t now = 1700000000000 + pass * 1000;

    CHECK(store_last_event_seq(st) >= 0);
    struct store_stats ss;
    store_stats(st, &ss);

    /* agents, sessions, tokens */
    char email[64];
    snprintf(email, sizeof(email), "agent-%s@example.com", tag);
    struct agent ag = { .email = email, .password_hash = "x", .name = "Agent",
                        .display_name = "Ag", .role = "admin" };
    int64_t agent_id = 0;
    CHECK_INT(store_agent_add(st, &ag, &agent_id), 0);
    struct agent ago;
    CHECK_INT(store_agent_get(st, ar, agent_id, &ago), 0);
    CHECK_INT(store_agent_by_email(st, ar, str_c(email), &ago), 0);
    CHECK_INT(ago.id, agent_id);
    struct agent *agents;
    size_t n;
    CHECK_INT(store_agent_list(st, ar, &agents, &n), 0);
    CHECK(n >= 1);
    struct agent upd = { .display_name = "Agent Two", .bio = "hi" };
    CHECK_INT(store_agent_update(st, agent_id, &upd), 0);
    CHECK(store_agent_count(st) >= 1);

    struct agent sec;
    CHECK_INT(store_agent_get_secret(st, ar, agent_id, &sec), 0);
    char hash[65];
    snprintf(hash, sizeof(hash), "%064d", pass + 1);
    CHECK_INT(store_session_create(st, hash, agent_id, sec.password_hash, "csrf", now,
                                   now + 3600000), 0);
    struct session se;
    CHECK_INT(store_session_get(st, ar, hash, &se), 0);
    store_session_touch(st, se.id, now + 1);
    CHECK_INT(store_session_delete(st, hash), 0);
    CHECK(store_session_expire(st, now + 7200000, 60000) >= 0);
    int64_t ended = -1;
    CHECK_INT(store_agent_set_password(st, agent_id, sec.password_hash, 0, &ended), 0);
    CHECK_INT(store_agent_set_disabled(st, agent_id, true, &ended), 0);
    CHECK_INT(store_agent_set_disabled(st, agent_id, false, &ended), 0);
    char thash[65];
    snprintf(thash, sizeof(thash), "%064d", pass + 100);
    int64_t token_id = 0;
    struct api_token tin = { .name = tag, .role = "admin", .agent_id = agent_id };
    CHECK_INT(store_token_create(st, &tin, thash, &token_id), 0);
    struct api_token tok;
    CHECK_INT(store_token_get(st, ar, thash, &tok), 0);
    store_token_touch(st, token_id, now + 2);
    struct api_token *toks;
    CHECK_INT(store_token_list(st, ar, &toks, &n), 0);
    CHECK(n >= 1);
    CHECK_INT(store_token_revoke(st, token_id), 0);

    /* channels */
    struct channel chv = { .type = "api", .name = tag, .secret = "s3cret" };
    int64_t ch = 0;
    CHECK_INT(store_channel_add(st, &chv, &ch), 0);
    struct channel cho;
    CHECK_INT(store_channel_get(st, ar, ch, &cho), 0);
    CHECK_INT(store_channel_set_settings(st, ch, "{\"store\":\"Berlin\"}"), 0);
    struct channel *chans;
    CHECK_INT(store_channel_list(st, ar, &chans, &n), 0);

    /* ingest: new conversation, threaded reply, duplicate, reopen */
    char ext[64], ext2[64], from[64];
    snprintf(ext, sizeof(ext), "m1-%s", tag);
    snprintf(ext2, sizeof(ext2), "m2-%s", tag);
    snprintf(from, sizeof(from), "u-%s", tag);
    struct inbound in = inbound(ch, "api", ext, from, "hello, my order is late");
    struct ingest_result r1, r2, r3;
    CHECK_INT(store_ingest(st, &in, &r1), 0);
    CHECK(r1.new_conversation);
    CHECK_INT(store_ingest(st, &in, &r2), 0);
    CHECK(r2.duplicate);
    in = inbound(ch, "api", ext2, from, "still waiting");
    in.reply_to = str_c(ext);
    CHECK_INT(store_ingest(st, &in, &r3), 0);
    CHECK_INT(r3.conversation_id, r1.conversation_id);
    int64_t conv = r1.conversation_id;

    /* conversations */
    struct conv_filter f = { .limit = 10, .q = "order", .status = "open", .assignee = -1,
                             .channel_id = ch, .contact_id = r1.contact_id,
                             .intent = "question", .sentiment = "neutral",
                             .by_urgency = true, .urgency_min = 0, .urgency_max = 3 };
    struct conv *cv;
    int64_t nts, nid;
    CHECK_INT(store_conv_list(st, ar, &f, &cv, &n, &nts, &nid), 0);
    struct conv_filter f2 = { .limit = 1, .oldest_first = true, .label = "vip",
                              .cursor_ts = 1, .cursor_id = 1 };
    CHECK_INT(store_conv_list(st, ar, &f2, &cv, &n, &nts, &nid), 0);
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, conv, &c), 0);
    struct conv_counts cc;
    CHECK_INT(store_conv_counts(st, agent_id, NULL, &cc), 0);
    struct msg *msgs;
    int64_t before = 0;
    CHECK_INT(store_msg_list(st, ar, conv, 0, 50, &msgs, &n, &before), 0);
    CHECK_INT(n, 2);
    CHECK_INT(before, 0);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, r1.message_id, &m), 0);
    int64_t note_id = 0, reply_id = 0, old_id = 0;
    CHECK_INT(store_reply(st, conv, agent_id, STR_LIT("a note"), true, &note_id), 0);
    CHECK_INT(store_reply(st, conv, agent_id, STR_LIT("on its way"), false, &reply_id), 0);
    CHECK_INT(store_reply_at(st, conv, agent_id, STR_LIT("earlier"), false, now - 5000, &old_id),
              0);
    CHECK_INT(store_conv_assign(st, conv, agent_id, agent_id), 0);
    struct str add[] = { STR_LIT("vip"), STR_LIT("late") }, rm[] = { STR_LIT("late") };
    CHECK_INT(store_conv_labels(st, conv, add, 2, rm, 1), 0);
    CHECK_INT(store_conv_mark_read(st, conv), 0);
    CHECK_INT(store_conv_set_status(st, conv, "snoozed", now + 60000, NULL, agent_id), 0);
    CHECK_INT(store_conv_set_status(st, conv, "resolved", 0, "answered", agent_id), 0);
    CHECK_INT(store_conv_set_status(st, conv, "open", 0, NULL, agent_id), 0);

    /* triage */
    CHECK(store_sender_recent_inbound(st, "api", str_c(from), 0) >= 1);
    CHECK_INT(store_triage_correct(st, r3.message_id, agent_id, "complaint", "negative", false), 0);
    struct triage_example *ex;
    CHECK_INT(store_triage_examples(st, ar, "intent", 0, 10, &ex, &n), 0);
    CHECK(n >= 1);
    CHECK_INT(store_triage_examples(st, ar, "sentiment", 0, 10, &ex, &n), 0);
    struct triage_review_item *rv;
    CHECK_INT(store_triage_review(st, ar, NULL, agent_id, 1, 5, &rv, &n), 0);
    struct store_scope rsc = { .limited = true, .store = "Nowhere", .agent_id = agent_id };
    CHECK_INT(store_triage_review(st, ar, &rsc, agent_id, 1, 5, &rv, &n), 0);
    CHECK_INT(store_triage_skip(st, r3.message_id, agent_id), 0);
    CHECK_INT(store_triage_correct(st, r3.message_id, agent_id, NULL, NULL, true), 0);

    /* contacts */
    struct contact *contacts;
    CHECK_INT(store_contact_list(st, ar, NULL, "Ann", 10, 0, &contacts, &n), 0);
    CHECK(n >= 1);
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 10, 0, &contacts, &n), 0);
    struct contact ct;
    CHECK_INT(store_contact_get(st, ar, r1.contact_id, &ct), 0);
    struct contact cu = { .name = "Ann B. Lee", .email = "ann@example.com", .tags = "[\"vip\"]",
                          .attributes = "{\"tier\":1}", .status = "customer",
                          .location = "Berlin", .locale = "de", .phone = "+491", .notes = "n" };
    CHECK_INT(store_contact_update(st, r1.contact_id, &cu), 0);

    /* events */
    struct store_event *ev;
    CHECK_INT(store_events_after(st, ar, 0, 10, &ev, &n), 0);
    CHECK(n >= 1);

    /* outbox */
    struct outbox_item *items;
    CHECK_INT(store_outbox_due(st, ar, INT64_MAX / 2, 100, &items, &n), 0);
    CHECK(n >= 1);
    CHECK(store_outbox_next_at(st) >= 0);
    CHECK_INT(store_outbox_result(st, reply_id, "pending", now + 1000, "HTTP 503", 0), 0);
    CHECK_INT(store_outbox_result(st, reply_id, "failed", 0, "gone", 0), 0);
    CHECK_INT(store_msg_retry(st, reply_id), 0);
    CHECK_INT(store_outbox_result(st, reply_id, "sent", 0, NULL, now), 0);
    struct outbox_counts oc;
    CHECK_INT(store_outbox_counts(st, &oc), 0);
    CHECK_INT(store_check(st), 0);

    /* widget: a web chat visitor's own conversation */
    struct channel wch = { .type = "webchat", .name = tag, .secret = "s" };
    int64_t wid = 0;
    CHECK_INT(store_channel_add(st, &wch, &wid), 0);
    struct inbound win = inbound(wid, "webchat", ext, "visitor", "hi from the site");
    struct ingest_result wr;
    CHECK_INT(store_ingest(st, &win, &wr), 0);
    int64_t wconv = 0;
    CHECK_INT(store_widget_conv(st, wid, "visitor", &wconv), 0);
    CHECK_INT(wconv, wr.conversation_id);

    /* listening */
    int64_t qid = 0;
    CHECK_INT(store_listen_query_add(st, tag, "\"order\"", true, &qid), 0);
    struct listen_query_row qr, *qrs;
    CHECK_INT(store_listen_query_get(st, ar, qid, &qr), 0);
    CHECK_INT(store_listen_query_list(st, ar, true, 100, &qrs, &n), 0);
    CHECK_INT(store_listen_query_update(st, qid, "renamed", NULL, 0), 0);
    char post[64];
    snprintf(post, sizeof(post), "at://post-%s", tag);
    struct mention mn = { .platform = "bluesky", .external_id = post, .author_handle = "bob",
                          .text = "my order is late", .created_at = now, .urgency = -1,
                          .query_ids = &qid, .nqueries = 1 };
    int64_t mid = 0;
    bool dup = true;
    CHECK_INT(store_mention_add(st, &mn, &mid, &dup), 0);
    CHECK(!dup);
    struct mention mo, *mns;
    CHECK_INT(store_mention_get(st, ar, mid, &mo), 0);
    struct mention_filter mf = { .query_id = qid, .q = "order", .limit = 10 };
    int64_t mnext;
    CHECK_INT(store_mention_list(st, ar, &mf, &mns, &n, &mnext), 0);
    CHECK(n >= 1); /* query ids are reused after a delete: earlier passes' mentions match */
    CHECK_INT(store_mention_set_conversation(st, mid, conv), 0);
    int64_t sid = 0;
    char spec[64];
    snprintf(spec, sizeof(spec), "jetstream://127.0.0.1:1/%s", tag);
    CHECK_INT(store_listen_source_add(st, spec, false, NULL, true, &sid), 0);
    struct listen_source_row sr, *srs;
    CHECK_INT(store_listen_source_get(st, ar, sid, &sr), 0);
    CHECK_INT(store_listen_source_list(st, ar, 100, &srs, &n), 0);
    CHECK_INT(store_listen_source_update(st, sid, 0, NULL, -1, NULL), 0);
    CHECK_INT(store_listen_source_set_cursor(st, sid, "12345"), 0);
    CHECK_INT(store_listen_source_delete(st, sid), 0);
    struct spike_alert_row sp = { .query_id = qid, .kind = "volume", .window_start = now - 60000,
                                  .window_end = now, .volume = 9, .baseline = 1,
                                  .posts = "[\"p1\"]" };
    int64_t spid = 0;
    CHECK_INT(store_spike_add(st, &sp, &spid), 0);
    struct spike_alert_row *sps;
    CHECK_INT(store_spike_list(st, ar, qid, 10, 0, &sps, &n), 0);
    CHECK(n >= 1);

    /* audit log */
    struct audit_entry ae = { .action = "team.update", .target_type = "team", .target_id = 1,
                              .actor = "a", .summary = "s" };
    int64_t aid = 0;
    CHECK_INT(store_audit_add(st, &ae, "teams", &aid), 0);
    struct audit_filter af = { .action = "team.", .q = "s" };
    struct audit_entry *aes;
    CHECK_INT(store_audit_list(st, ar, &af, 10, &aes, &n, NULL), 0);
    CHECK(n >= 1);
    CHECK_INT(store_audit_get(st, ar, aid, &ae), 0);

    /* routing and SLA admin tables */
    struct store_range ranges[] = { { 1, 540, 1020 }, { 2, 540, 1020 } };
    struct store_calendar cal = { .name = tag, .tz = "Europe/Berlin",
                                  .hours = "{\"mon\":[\"09:00-17:00\"],\"tue\":[\"09:00-17:00\"]}",
                                  .holidays = "[\"2026-12-25\"]", .ranges = ranges,
                                  .nranges = 2 };
    int64_t cal_id = 0;
    CHECK_INT(store_calendar_put(st, 0, &cal, &cal_id), 0);
    CHECK_INT(store_calendar_put(st, cal_id, &cal, NULL), 0);
    struct store_calendar co, *cals;
    CHECK_INT(store_calendar_get(st, ar, cal_id, &co), 0);
    CHECK_INT(co.nranges, 2);
    CHECK_INT(store_calendar_list(st, ar, &cals, &n), 0);

    struct store_team team = { .name = tag, .lead_agent_id = agent_id, .calendar_id = cal_id,
                               .autoack = true,
                               .autoack_templates = "{\"en\":\"We will answer {when}\"}",
                               .members = &agent_id, .nmembers = 1 };
    int64_t team_id = 0;
    CHECK_INT(store_team_put(st, 0, &team, &team_id), 0);
    CHECK_INT(store_team_put(st, team_id, &team, NULL), 0);
    struct store_team to, *teams;
    CHECK_INT(store_team_get(st, ar, team_id, &to), 0);
    CHECK_INT(store_team_list(st, ar, &teams, &n), 0);
    const char *ack = NULL;
    CHECK_INT(store_team_autoack_text(st, ar, team_id, "de", &ack), 0);
    CHECK_STR(ack, "We will answer {when}");
    CHECK_INT(store_calendar_delete(st, cal_id), ERR_CONFLICT);

    struct store_profile pr = { .agent_id = agent_id, .skills = "[\"billing\"]",
                                .languages = "[\"en\"]", .channels = "[\"api\"]",
                                .location = "Berlin", .capacity = 3, .availability = "online",
                                .auto_presence = true };
    CHECK_INT(store_profile_put(st, &pr, true), 0);
    struct store_profile po, *prs;
    CHECK_INT(store_profile_get(st, ar, agent_id, &po), 0);
    CHECK_INT(po.capacity, 3);
    CHECK_INT(store_profile_list(st, ar, &prs, &n), 0);

    struct store_sla_policy pol = { .name = tag, .priority = -1, .channel_type = "api",
                                    .first_s = 60, .next_s = 120, .resolve_s = 3600,
                                    .warn_pct = 80 };
    int64_t pol_id = 0;
    CHECK_INT(store_sla_policy_put(st, 0, &pol, &pol_id), 0);
    CHECK_INT(store_sla_policy_put(st, pol_id, &pol, NULL), 0);
    struct store_sla_policy plo, *pls;
    CHECK_INT(store_sla_policy_get(st, ar, pol_id, &plo), 0);
    CHECK_INT(store_sla_policy_list(st, ar, &pls, &n), 0);

    struct store_rule rule = { .name = tag, .enabled = true, .channels = "[\"api\"]",
                               .public_match = -1, .urgency_min = -1, .team_id = team_id,
                               .strategy = "least_loaded" };
    int64_t rule_id = 0;
    CHECK_INT(store_rule_put(st, 0, &rule, &rule_id), 0);
    CHECK_INT(store_rule_put(st, rule_id, &rule, NULL), 0);
    struct store_rule ro, *rules;
    CHECK_INT(store_rule_get(st, ar, rule_id, &ro), 0);
    CHECK_INT(store_rule_list(st, ar, &rules, &n), 0);
    CHECK_INT(store_team_delete(st, team_id), ERR_CONFLICT);

    /* routing and SLA per conversation */
    struct store_route_input ri;
    CHECK_INT(store_route_input(st, ar, conv, &ri), 0);
    struct store_route_decision queued = { .team_id = team_id, .rule_id = rule_id,
                                           .strategy = "least_loaded", .reason = "no capacity" };
    CHECK_INT(store_route_apply(st, conv, &queued), 0);
    struct store_queue_entry *qv;
    CHECK_INT(store_route_queue_page(st, ar, NULL, 10, &qv, &n), 0);
    CHECK(n >= 1);
    CHECK_INT(store_route_queue_page(st, ar, &qv[n - 1], 10, &qv, &n), 0);
    int64_t qtotal = 0, qahead = -1;
    CHECK_INT(store_route_queue_count(st, conv, &qtotal, &qahead), 0);
    CHECK(qtotal >= 1);
    struct store_route_sizes rsz;
    CHECK_INT(store_route_sizes(st, &rsz), 0);
    struct store_route_decision d = { .team_id = team_id, .agent_id = agent_id,
                                      .rule_id = rule_id, .strategy = "least_loaded",
                                      .reason = "least loaded", .escalation = 1 };
    CHECK_INT(store_route_apply(st, conv, &d), 0);
    struct store_conv_sla csla;
    CHECK_INT(store_conv_sla_get(st, ar, conv, &csla), 0);
    struct store_dirty *dirty;
    CHECK_INT(store_sla_dirty(st, ar, 100, &dirty, &n), 0);
    CHECK(n >= 1);
    struct store_sla_apply ap = { .conversation_id = conv, .gen = n ? dirty[0].gen : 0,
                                  .policy_id = pol_id, .policy_version = plo.version,
                                  .first_due = now + 60000, .next_due = now + 120000,
                                  .resolve_due = now + 3600000, .ntimers = 2 };
    for (size_t i = 0; i < n; i++)
        if (dirty[i].conversation_id == conv)
            ap.gen = dirty[i].gen;
    ap.timers[0] = (struct store_timer){ .conversation_id = conv, .kind = "first_warning",
                                         .due_at = now + 48000 };
    ap.timers[1] = (struct store_timer){ .conversation_id = conv, .kind = "first_breach",
                                         .due_at = now + 60000 };
    CHECK_INT(store_sla_apply(st, &ap), 0);
    struct store_timer *timers;
    CHECK_INT(store_timers_after(st, ar, 0, 100, &timers, &n), 0);
    CHECK(n >= 1);
    bool fired = false;
    if (n >= 1) {
        CHECK_INT(store_timer_fire(st, timers[n - 1].id, &fired), 0);
        CHECK(fired);
    }
    int64_t ack_id = 0;
    CHECK_INT(store_autoack(st, conv, STR_LIT("We will answer soon"), &ack_id), 0);
    CHECK_INT(store_autoack(st, conv, STR_LIT("again"), &ack_id), ERR_CONFLICT);
    struct conv *uconvs;
    struct store_conv_sla *uslas;
    CHECK_INT(store_unanswered_list(st, ar, NULL, 10, &uconvs, &uslas, &n), 0);
    CHECK(store_unanswered_count(st) >= 0);

    /* platform messages */
    int64_t pay_id = 0;
    CHECK_INT(store_reply_payload(st, conv, agent_id, STR_LIT("template"),
                                  "{\"template\":{\"name\":\"hello\"}}", &pay_id),
              0);
    char dm[64];
    snprintf(dm, sizeof(dm), "dm-%s", tag);
    struct private_reply prv = { .public_conv_id = conv, .agent_id = agent_id,
                                 .recipient_id = from, .dm_thread = dm,
                                 .text = STR_LIT("let's talk here"), .external_id = NULL };
    int64_t dm_conv = 0, dm_msg = 0;
    CHECK_INT(store_private_reply(st, &prv, &dm_conv, &dm_msg), 0);
    struct conv linked;
    CHECK_INT(store_conv_get(st, ar, conv, &linked), 0);
    CHECK_INT(linked.linked_id, dm_conv);
    char sent_ext[64];
    snprintf(sent_ext, sizeof(sent_ext), "sent-%s", tag);
    CHECK_INT(store_msg_set_external_id(st, pay_id, sent_ext), 0);
    const char *tk = NULL;
    CHECK_INT(store_conv_thread_key(st, ar, conv, &tk), 0);

    /* deletes: the rule, then a spare team and calendar nothing refers to */
    CHECK_INT(store_rule_delete(st, rule_id), 0);
    CHECK_INT(store_sla_policy_delete(st, pol_id), 0);
    int64_t cal2 = 0, team2 = 0;
    struct store_calendar spare_cal = { .name = "spare", .tz = "UTC" };
    char tname[64];
    snprintf(tname, sizeof(tname), "spare-%s", tag);
    spare_cal.name = tname;
    CHECK_INT(store_calendar_put(st, 0, &spare_cal, &cal2), 0);
    struct store_team spare_team = { .name = tname, .calendar_id = cal2 };
    CHECK_INT(store_team_put(st, 0, &spare_team, &team2), 0);
    CHECK_INT(store_team_delete(st, team2), 0);
    CHECK_INT(store_calendar_delete(st, cal2), 0);
    CHECK_INT(store_listen_query_delete(st, qid), 0);

    /* canned replies and nudge overrides (st_canned.c) */
    struct store_canned cr = { .title = "Refund", .shortcut = tag, .tags = "[]",
                               .bodies = "{\"en\":\"Hi {contact.first_name}\"}",
                               .default_lang = "en", .owner_agent_id = agent_id };
    int64_t canned_id = 0;
    CHECK_INT(store_canned_put(st, 0, &cr, &canned_id), 0);
    CHECK_INT(store_canned_put(st, canned_id, &cr, NULL), 0);
    struct store_canned cannedo, *cannedv;
    CHECK_INT(store_canned_get(st, ar, canned_id, &cannedo), 0);
    struct store_canned_query cq = { .agent_id = agent_id, .q = "Hi", .limit = 8 };
    CHECK_INT(store_canned_search(st, ar, &cq, &cannedv, &n), 0);
    cq.q = "!";
    CHECK_INT(store_canned_search(st, ar, &cq, &cannedv, &n), 0);
    cq.q = NULL;
    CHECK_INT(store_canned_search(st, ar, &cq, &cannedv, &n), 0);
    const char *clang = NULL;
    CHECK_INT(store_conv_lang(st, ar, conv, &clang), 0);
    CHECK_INT(store_nudge_override_add(st, agent_id), 0);
    struct store_nudge_override *ov;
    CHECK_INT(store_nudge_override_list(st, ar, &ov, &n), 0);
    CHECK_INT(store_canned_delete(st, canned_id), 0);

    /* phone callbacks (st_callback.c) */
    char cbhash[65];
    snprintf(cbhash, sizeof(cbhash), "%064d", pass);
    struct store_callback cbo = { .conversation_id = conv, .agent_id = agent_id,
                                  .token_hash = cbhash, .expires_at = INT64_MAX }, *cbv;
    int64_t cb_id = 0;
    CHECK_INT(store_callback_offer(st, &cbo, &cb_id), 0);
    CHECK_INT(store_callback_open(st, ar, cbhash, 1, &cbo), 0);
    CHECK_INT(store_callback_accept(st, cbhash, 1, "+491512345678", 1000, NULL, &cb_id), 0);
    CHECK_INT(store_callback_get(st, ar, cb_id, &cbo), 0);
    CHECK_INT(store_callback_list(st, ar, agent_id, conv, true, 10, &cbv, &n), 0);
    CHECK_INT(store_callback_done(st, cb_id, agent_id, true), 0);

    /* CSAT surveys (st_survey.c): queued once per conversation, so later passes conflict. */
    struct store_survey_settings sset;
    CHECK_INT(store_survey_settings_get(st, ar, &sset), 0);
    CHECK_INT(store_survey_settings_put(st, &sset), 0);
    struct store_survey_facts sf;
    CHECK_INT(store_survey_facts(st, ar, conv, &sf), 0);
    int64_t sv_id = 0, sv_msg = 0;
    int src = store_survey_queue(st, &sf, 0, INT64_MAX, &sv_id);
    CHECK(src == 0 || src == ERR_CONFLICT);
    struct store_survey sv, *svv;
    CHECK_INT(store_survey_of_conv(st, ar, conv, &sv), 0);
    CHECK_INT(store_survey_due(st, ar, INT64_MAX, 10, &svv, &n), 0);
    (void)store_survey_next_due(st);
    (void)store_survey_last_tap(st);
    const char *sq;
    bool smore;
    CHECK_INT(store_survey_question(st, ar, "en", &sq, &smore), 0);
    char svhash[65];
    snprintf(svhash, sizeof(svhash), "%064d", 100 + pass);
    src = store_survey_send(st, sv.id, str_c("How did we do?"), "{}", svhash, INT64_MAX, &sv_msg);
    CHECK(src == 0 || src == ERR_CONFLICT);
    (void)store_survey_by_token(st, ar, svhash, &sv);
    (void)store_survey_of_message(st, ar, sv_msg, &sv);
    (void)store_survey_of_sender(st, ar, 1, "api", str_c("nobody"), &sv);
    CHECK_INT(store_survey_get(st, ar, sv.id, &sv), 0);
    struct store_survey_answer sa = { .score = 5, .nps = -1, .via = "buttons" };
    src = store_survey_answer(st, sv.id, &sa, "Rated 5", 1);
    CHECK(src == 0 || src == ERR_CONFLICT);
    src = store_survey_comment(st, sv.id, "ok", "Rated 5 - ok", 1);
    CHECK(src == 0 || src == ERR_CONFLICT);
    (void)store_survey_cancel(st, sv.id, "reopened");
    struct store_csat_filter cf = { 0 };
    struct store_csat csat;
    struct store_csat_hero *heroes;
    CHECK_INT(store_csat_stats(st, &cf, &csat), 0);
    CHECK_INT(store_csat_heroes(st, ar, &cf, 1, 10, &heroes, &n), 0);
    /* the FAQ bot (st_faq.c): a new conversation each pass (the from id carries the tag) */
    struct store_faq fq = { .question = "Hours?", .variants = "[\"When are you open?\"]",
                            .answers = "{\"en\":\"9 to 5\"}", .threshold = 0.5,
                            .enabled = true }, fqo, *fqv;
    int64_t faq_id = 0, fcount = 0, due = 0;
    CHECK_INT(store_faq_put(st, 0, &fq, &faq_id), 0);
    CHECK_INT(store_faq_put(st, faq_id, &fq, NULL), 0);
    CHECK_INT(store_faq_get(st, ar, faq_id, &fqo), 0);
    CHECK_INT(store_faq_list(st, ar, &fqv, &n), 0);
    CHECK_INT(store_faq_count(st, &fcount), 0);
    struct store_faq_variant *fvv;
    CHECK_INT(store_faq_variants(st, ar, &fvv, &n), 0);
    struct store_faq_answer fa;
    CHECK_INT(store_faq_answer(st, ar, faq_id, "en", &fa), 0);
    struct store_faq_bot fb;
    CHECK_INT(store_faq_bot_get(st, ar, &fb), 0);
    CHECK_INT(store_faq_bot_put(st, &fb), 0);
    char bext[64], bfrom[64];
    snprintf(bext, sizeof(bext), "bot-%s", tag);
    snprintf(bfrom, sizeof(bfrom), "bot-u-%s", tag);
    in = inbound(ch, "api", bext, bfrom, "When are you open?");
    struct ingest_result rb;
    CHECK_INT(store_ingest(st, &in, &rb), 0);
    struct store_bot_send bs = { .conv_id = rb.conversation_id, .faq_id = faq_id,
                                 .faq_question = "Hours?", .confidence = 0.9,
                                 .text = STR_LIT("9 to 5"), .window_ms = 0 };
    CHECK_INT(store_bot_send(st, &bs), 0);
    struct store_bot_answer ba;
    CHECK_INT(store_bot_answer_get(st, ar, rb.conversation_id, &ba), 0);
    CHECK_INT(store_bot_next_due(st, &due), 0);
    int counted = 0;
    CHECK_INT(store_bot_count_due(st, INT64_MAX / 2, &counted), 0);
    CHECK_INT(store_bot_reopened(st, rb.conversation_id), 0);
    CHECK_INT(store_bot_handoff(st, rb.conversation_id, "second_message", "note"), ERR_CONFLICT);
    CHECK_INT(store_bot_held_back(st, rb.conversation_id, faq_id, "note"), 0);
    CHECK_INT(store_faq_delete(st, faq_id), 0);
    arena_free(ar);
}

TEST(every_function_on_one_store)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/every.db", dir);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    if (!st)
        return;
    for (int pass = 0; pass < 3; pass++)
        every_function(st, pass);
    store_close(st);
    /* Reopen: the writer's startup statements run again on a fresh connection. */
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    if (st) {
        every_function(st, 3);
        store_close(st);
    }
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(every_function_on_one_store);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
