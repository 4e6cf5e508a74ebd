/* SPDX-License-Identifier: MIT */
/* store_test.c - the store through its public header: migrations, ingest (dedupe, contact
 * resolution, threading, reopen), group commit under concurrency, events, outbox. */
#include "base/base.h"

#include <pthread.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/hub.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-store-test-XXXXXX";
static int dbn;

static struct store *
open_store(struct hub *hub)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/t%d.db", dir, dbn++);
    struct store_config cfg = { .url = url };
    struct store *st = NULL;
    struct errmsg em = { 0 };
    int rc = store_open(&cfg, hub, &st, &em);
    if (rc < 0)
        printf("# store_open: %s\n", em.text);
    return st;
}

static int64_t
add_channel(struct store *st)
{
    struct channel ch = { .type = "api", .name = "web", .secret = "s3cret" };
    int64_t id = 0;
    CHECK_INT(store_channel_add(st, &ch, &id), 0);
    return id;
}

static struct inbound
msg(int64_t ch, const char *ext, const char *from, const char *text)
{
    return (struct inbound){ .channel_id = ch, .channel_type = "api", .external_id = str_c(ext),
                             .from_id = str_c(from), .from_name = str_c("Ann Lee"),
                             .text = str_c(text) };
}

TEST(open_migrates_and_reopens)
{
    struct store *st = open_store(NULL);
    CHECK(st != NULL);
    CHECK_INT(store_check(st), 0);
    CHECK_INT(store_last_event_seq(st), 0);
    store_close(st);
    struct store_config bad = { .url = "postgres://nowhere" };
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&bad, NULL, &st, &em), ERR_INVAL);
    CHECK(em.set);
}

TEST(ingest_dedupes_and_threads)
{
    struct store *st = open_store(NULL);
    int64_t ch = add_channel(st);
    struct ingest_result a, b, c, d;
    struct inbound in = msg(ch, "x1", "u1", "hello");
    CHECK_INT(store_ingest(st, &in, &a), 0);
    CHECK(a.new_conversation && !a.duplicate);
    CHECK_INT(store_ingest(st, &in, &b), 0);
    CHECK(b.duplicate);
    CHECK_INT(b.message_id, a.message_id);
    in = msg(ch, "x2", "u1", "again");
    CHECK_INT(store_ingest(st, &in, &c), 0);
    CHECK_INT(c.conversation_id, a.conversation_id);
    CHECK_INT(c.contact_id, a.contact_id);
    /* Another sender: another contact and conversation. */
    in = msg(ch, "x3", "u2", "me too");
    CHECK_INT(store_ingest(st, &in, &d), 0);
    CHECK(d.conversation_id != a.conversation_id);
    CHECK(d.contact_id != a.contact_id);
    /* reply_to threads into the replied-to message's conversation. */
    in = msg(ch, "x4", "u3", "replying");
    in.reply_to = STR_LIT("x3");
    CHECK_INT(store_ingest(st, &in, &c), 0);
    CHECK_INT(c.conversation_id, d.conversation_id);
    /* thread_id groups any authors. */
    struct ingest_result t1, t2;
    in = msg(ch, "x5", "u4", "post");
    in.thread_id = STR_LIT("thread-1");
    CHECK_INT(store_ingest(st, &in, &t1), 0);
    in = msg(ch, "x6", "u5", "comment");
    in.thread_id = STR_LIT("thread-1");
    CHECK_INT(store_ingest(st, &in, &t2), 0);
    CHECK_INT(t2.conversation_id, t1.conversation_id);
    /* Missing dedupe key is refused. */
    in = msg(ch, "", "u1", "no id");
    CHECK_INT(store_ingest(st, &in, &c), ERR_INVAL);
    store_close(st);
}

TEST(reopen_on_new_inbound)
{
    struct store *st = open_store(NULL);
    int64_t ch = add_channel(st);
    struct ingest_result a, b;
    struct inbound in = msg(ch, "r1", "u1", "first");
    CHECK_INT(store_ingest(st, &in, &a), 0);
    CHECK_INT(store_conv_set_status(st, a.conversation_id, "resolved", 0, "answered", 0), 0);
    CHECK_INT(store_conv_set_status(st, a.conversation_id, "closed", 0, NULL, 0), ERR_INVAL);
    in = msg(ch, "r2", "u1", "second");
    CHECK_INT(store_ingest(st, &in, &b), 0);
    CHECK(b.reopened);
    CHECK_INT(b.conversation_id, a.conversation_id);
    struct arena *ar = arena_new(1 << 20);
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, a.conversation_id, &c), 0);
    CHECK_STR(c.status, "open");
    CHECK(c.resolution_reason == NULL);
    CHECK_INT(c.unread, 2);
    CHECK_INT(c.message_count, 2);
    arena_free(ar);
    store_close(st);
}

struct writer_arg {
    struct store *st;
    int64_t ch;
    int base;
    int ok;
};

static void *
writer(void *p)
{
    struct writer_arg *w = p;
    for (int i = 0; i < 50; i++) {
        char ext[32], from[32];
        snprintf(ext, sizeof(ext), "c%d-%d", w->base, i);
        snprintf(from, sizeof(from), "u%d", i % 7);
        struct inbound in = msg(w->ch, ext, from, "concurrent");
        struct ingest_result r;
        if (store_ingest(w->st, &in, &r) == 0 && !r.duplicate)
            w->ok++;
    }
    return NULL;
}

TEST(group_commit_under_concurrency)
{
    struct hub *hub = hub_new(8192, 0);
    struct store *st = open_store(hub);
    int64_t ch = add_channel(st);
    pthread_t th[8];
    struct writer_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (struct writer_arg){ .st = st, .ch = ch, .base = i };
        pthread_create(&th[i], NULL, writer, &args[i]);
    }
    int total = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += args[i].ok;
    }
    CHECK_INT(total, 400);
    struct store_stats ss;
    store_stats(st, &ss);
    CHECK(ss.jobs >= 401);
    CHECK(ss.batches <= ss.jobs); /* more than one job per commit when contended */
    /* Every ingest wrote message.created (+ conversation.created for 7 senders). */
    int64_t last = store_last_event_seq(st);
    CHECK_INT(last, 407);
    CHECK_INT(hub_last_seq(hub), last);
    struct arena *ar = arena_new(8 << 20);
    struct store_event *ev;
    size_t n;
    CHECK_INT(store_events_after(st, ar, 400, 100, &ev, &n), 0);
    CHECK_INT(n, 7);
    CHECK_INT(ev[0].seq, 401);
    arena_free(ar);
    store_close(st);
    hub_free(hub);
}

TEST(reply_outbox_lifecycle)
{
    struct store *st = open_store(NULL);
    int64_t ch = add_channel(st);
    struct agent ag = { .email = "a@x.io", .password_hash = "h", .name = "Ann", .role = "agent" };
    int64_t agent_id, note_id, reply_id;
    CHECK_INT(store_agent_add(st, &ag, &agent_id), 0);
    CHECK_INT(store_agent_add(st, &ag, NULL), ERR_CONFLICT);
    struct ingest_result r;
    struct inbound in = msg(ch, "o1", "u1", "help");
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

TEST(conv_list_keyset_paging)
{
    struct store *st = open_store(NULL);
    int64_t ch = add_channel(st);
    for (int i = 0; i < 23; i++) {
        char ext[16], from[16];
        snprintf(ext, sizeof(ext), "p%d", i);
        snprintf(from, sizeof(from), "u%d", i);
        struct inbound in = msg(ch, ext, from, i == 5 ? "blue kayak" : "other");
        in.created_at = 1700000000000LL + i * 1000;
        struct ingest_result r;
        CHECK_INT(store_ingest(st, &in, &r), 0);
    }
    struct arena *ar = arena_new(8 << 20);
    struct conv_filter f = { .limit = 10 };
    struct conv *v;
    size_t n, total = 0;
    int64_t prev_ts = INT64_MAX;
    for (int page = 0; page < 5; page++) {
        CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &f.cursor_ts, &f.cursor_id), 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(v[i].last_message_at < prev_ts);
            prev_ts = v[i].last_message_at;
        }
        total += n;
        if (!f.cursor_id)
            break;
    }
    CHECK_INT(total, 23);
    struct conv_filter q = { .limit = 10, .q = "kayak" };
    int64_t a, b;
    CHECK_INT(store_conv_list(st, ar, &q, &v, &n, &a, &b), 0);
    CHECK_INT(n, 1);
    q.q = "\"unbalanced OR";
    CHECK_INT(store_conv_list(st, ar, &q, &v, &n, &a, &b), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(open_migrates_and_reopens);
    RUN(ingest_dedupes_and_threads);
    RUN(reopen_on_new_inbound);
    RUN(group_commit_under_concurrency);
    RUN(reply_outbox_lifecycle);
    RUN(conv_list_keyset_paging);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
