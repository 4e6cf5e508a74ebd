/* SPDX-License-Identifier: MIT */
/* st_outbox_test.c - the outbox (store/st_outbox.c) through store.h: a reply queued for
 * delivery (never a note), due items, attempt results recorded once, counts, and putting a
 * failed reply back (store_msg_retry). */
#include "base/base.h"

#include "fixture.h"

TEST(reply_outbox_lifecycle)
{
    struct store *st = fx_open();
    int64_t ch = fx_channel(st, "api");
    struct agent ag = { .email = "a@x.io", .password_hash = "h", .name = "Ann", .role = "agent" };
    int64_t agent_id, note_id, reply_id;
    CHECK_INT(store_agent_add(st, &ag, &agent_id), 0);
    CHECK_INT(store_agent_add(st, &ag, NULL), ERR_CONFLICT);
    struct ingest_result r;
    struct inbound in = fx_inbound(ch, "o1", "u1", "help");
    CHECK_INT(store_ingest(st, &in, &r), 0);
    CHECK_INT(store_reply(st, r.conversation_id, agent_id, STR_LIT("note"), true, &note_id), 0);
    CHECK_INT(store_reply(st, r.conversation_id, agent_id, STR_LIT("hi"), false, &reply_id), 0);
    CHECK_INT(store_reply(st, 9999, agent_id, STR_LIT("hi"), false, &reply_id), ERR_NOTFOUND);
    struct arena *ar = arena_new(1 << 20);
    struct outbox_item *items;
    size_t n;
    CHECK_INT(store_outbox_due(st, ar, INT64_MAX / 2, 10, &items, &n), 0);
    CHECK_INT(n, 1); /* the note is never queued */
    CHECK_INT(items[0].message_id, reply_id);
    CHECK_STR(items[0].reply_to, "o1");
    CHECK_STR(items[0].recipient, "u1");
    CHECK_INT(strlen(items[0].idempotency_key), 32);
    CHECK_INT(store_outbox_result(st, reply_id, "pending", INT64_MAX / 4, "HTTP 503", 0), 0);
    CHECK_INT(store_outbox_due(st, ar, 1000, 10, &items, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_outbox_result(st, reply_id, "sent", 0, NULL, 0), 0);
    /* A second result for the same reply is refused: it was recorded once. */
    CHECK_INT(store_outbox_result(st, reply_id, "sent", 0, NULL, 0), ERR_CONFLICT);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, reply_id, &m), 0);
    CHECK_STR(m.status, "sent");
    CHECK(m.sent_at > 0);
    CHECK_INT(store_msg_get(st, ar, note_id, &m), 0);
    CHECK_STR(m.status, "none");
    CHECK_STR(m.kind, "note");
    struct outbox_counts oc;
    CHECK_INT(store_outbox_counts(st, &oc), 0);
    CHECK_INT(oc.sent, 1);
    CHECK_INT(oc.pending, 0);
    arena_free(ar);
    store_close(st);
}

TEST(msg_retry_puts_a_failed_reply_back)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t a = fx_agent(st, "a@x.io");
    struct ingest_result r;
    int64_t conv = fx_conv(st, ch, "o1", "u1", "help", &r);
    int64_t reply = 0, note = 0;
    CHECK_INT(store_outbox_next_at(st), 0);
    CHECK_INT(store_reply(st, conv, a, STR_LIT("hi"), false, &reply), 0);
    CHECK_INT(store_reply(st, conv, a, STR_LIT("note"), true, &note), 0);
    CHECK(store_outbox_next_at(st) > 0);
    CHECK_INT(store_msg_retry(st, reply), ERR_CONFLICT); /* not failed */
    CHECK_INT(store_msg_retry(st, note), ERR_NOTFOUND);  /* never delivered */
    CHECK_INT(store_msg_retry(st, r.message_id), ERR_NOTFOUND);
    CHECK_INT(store_msg_retry(st, 4242), ERR_NOTFOUND);
    CHECK_INT(store_outbox_result(st, reply, "failed", 0, "HTTP 400", 0), 0);
    struct msg m;
    CHECK_INT(store_msg_get(st, ar, reply, &m), 0);
    CHECK_STR(m.status, "failed");
    CHECK_INT(store_outbox_next_at(st), 0);
    int64_t seq = store_last_event_seq(st);
    CHECK_INT(store_msg_retry(st, reply), 0);
    CHECK(store_last_event_seq(st) > seq); /* message.updated */
    CHECK_INT(store_msg_get(st, ar, reply, &m), 0);
    CHECK_STR(m.status, "queued");
    CHECK(m.error == NULL);
    struct outbox_item *items;
    size_t n;
    CHECK_INT(store_outbox_due(st, ar, INT64_MAX / 2, 10, &items, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(items[0].message_id, reply);
    CHECK_INT(items[0].attempts, 0);
    arena_free(ar);
    store_close(st);
}

/* Two stores on one database play two instances: a due reply is claimed by one of them; the
 * other gets it only once the first one's lease ran out (it died before a result). */
TEST(claim_once_per_item_across_instances)
{
    char url[512];
    struct store *a = fx_open_url(url, sizeof(url));
    struct store *b = fx_open_again(url);
    CHECK(b != NULL);
    int64_t ch = fx_channel(a, "api");
    struct agent ag = { .email = "c@x.io", .password_hash = "h", .name = "Cy", .role = "agent" };
    int64_t agent_id, r1, r2;
    CHECK_INT(store_agent_add(a, &ag, &agent_id), 0);
    struct ingest_result r;
    struct inbound in = fx_inbound(ch, "c1", "u1", "help");
    CHECK_INT(store_ingest(a, &in, &r), 0);
    CHECK_INT(store_reply(a, r.conversation_id, agent_id, STR_LIT("one"), false, &r1), 0);
    CHECK_INT(store_reply(a, r.conversation_id, agent_id, STR_LIT("two"), false, &r2), 0);
    struct arena *ar = arena_new(1 << 20);
    struct outbox_item *items;
    size_t n = 0;
    int64_t now = 4000000000000LL; /* after the replies were queued */
    CHECK_INT(store_outbox_claim(a, ar, now, 60000, 1, &items, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(items[0].message_id, r1);
    CHECK_STR(items[0].text, "one");
    /* b claims what is left: the second reply only. */
    CHECK_INT(store_outbox_claim(b, ar, now, 60000, 10, &items, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(items[0].message_id, r2);
    CHECK_INT(store_outbox_claim(b, ar, now + 1000, 60000, 10, &items, &n), 0);
    CHECK_INT(n, 0);
    /* a records its send; b's lease on r2 runs out without a result: r2 comes due again. */
    CHECK_INT(store_outbox_result(a, r1, "sent", 0, NULL, 0), 0);
    CHECK_INT(store_outbox_claim(a, ar, now + 60001, 60000, 10, &items, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(items[0].message_id, r2);
    arena_free(ar);
    store_close(b);
    store_close(a);
}

int
main(void)
{
    RUN(reply_outbox_lifecycle);
    RUN(msg_retry_puts_a_failed_reply_back);
    RUN(claim_once_per_item_across_instances);
    return test_done();
}
