/* SPDX-License-Identifier: MIT */
/* history_test.c - a conversation's messages read page by page (store_msg_list): newest page
 * first, each page oldest first, the cursor ends exactly at the first message, and bad
 * arguments are refused. */
#include "base/base.h"

#include "base/arena.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-history-test-XXXXXX";

static struct store *st;
static int64_t conv_id;
static int64_t ids[10];

static void
setup(void)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
    struct store_config cfg = { .url = url };
    struct errmsg em = { 0 };
    CHECK_INT(store_open(&cfg, NULL, &st, &em), 0);
    if (!st)
        return;
    struct channel ch = { .type = "api", .name = "web", .secret = "s3cret" };
    int64_t ch_id = 0;
    CHECK_INT(store_channel_add(st, &ch, &ch_id), 0);
    for (int i = 0; i < 10; i++) {
        char ext[16];
        snprintf(ext, sizeof(ext), "m%d", i);
        struct inbound in = { .channel_id = ch_id, .channel_type = "api", .external_id = str_c(ext),
                              .from_id = str_c("u1"), .from_name = str_c("Ann Lee"),
                              .text = str_c("hello") };
        struct ingest_result r;
        CHECK_INT(store_ingest(st, &in, &r), 0);
        ids[i] = r.message_id;
        conv_id = r.conversation_id;
    }
}

TEST(pages_end_exactly_at_the_first_message)
{
    struct arena *ar = arena_new(1 << 20);
    struct msg *v;
    size_t n = 0;
    int64_t next = -1;
    /* 10 messages in pages of 5: two full pages, and the second says there is no third. */
    CHECK_INT(store_msg_list(st, ar, conv_id, 0, 5, &v, &n, &next), 0);
    CHECK_INT(n, 5);
    CHECK_INT(v[0].id, ids[5]);
    CHECK_INT(v[4].id, ids[9]);
    CHECK_INT(next, ids[5]);
    CHECK_INT(store_msg_list(st, ar, conv_id, next, 5, &v, &n, &next), 0);
    CHECK_INT(n, 5);
    CHECK_INT(v[0].id, ids[0]);
    CHECK_INT(v[4].id, ids[4]);
    CHECK_INT(next, 0);
    /* A page larger than the rest. */
    CHECK_INT(store_msg_list(st, ar, conv_id, ids[3], 200, &v, &n, &next), 0);
    CHECK_INT(n, 3);
    CHECK_INT(next, 0);
    /* Before the first message: empty, no cursor. */
    CHECK_INT(store_msg_list(st, ar, conv_id, ids[0], 50, &v, &n, &next), 0);
    CHECK_INT(n, 0);
    CHECK_INT(next, 0);
    /* An unknown conversation is an empty page. */
    CHECK_INT(store_msg_list(st, ar, conv_id + 1000, 0, 50, &v, &n, &next), 0);
    CHECK_INT(n, 0);
    arena_free(ar);
}

TEST(bad_arguments_are_refused)
{
    struct arena *ar = arena_new(1 << 16);
    struct msg *v = NULL;
    size_t n = 7;
    int64_t next = 7;
    CHECK_INT(store_msg_list(st, ar, conv_id, 0, 0, &v, &n, &next), ERR_INVAL);
    CHECK_INT(store_msg_list(st, ar, conv_id, 0, STORE_MSG_PAGE_MAX + 1, &v, &n, &next), ERR_INVAL);
    CHECK_INT(store_msg_list(st, ar, conv_id, -1, 10, &v, &n, &next), ERR_INVAL);
    /* Out-parameters keep their values on failure. */
    CHECK(v == NULL);
    CHECK_INT(n, 7);
    CHECK_INT(next, 7);
    arena_free(ar);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    setup();
    if (!st || !conv_id) {
        printf("not ok 1 - setup\n");
        return 1;
    }
    RUN(pages_end_exactly_at_the_first_message);
    RUN(bad_arguments_are_refused);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
