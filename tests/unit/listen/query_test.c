/* SPDX-License-Identifier: MIT */
/*
 * query_test.c - the listening query language as a table of queries x posts with the
 * expected matches (Unicode, accents, emoji, handles, hashtags, negation, NEAR, fields), plus
 * the folding and the parse errors.
 */
#include "base/base.h"
#include "listen/listen.h"

#include "../test.h"

static const char *
fold(const char *s)
{
    static char out[1024];
    ssize_t n = listen_fold(str_c(s), out, sizeof(out) - 1);
    if (n < 0)
        return "(error)";
    out[n] = '\0';
    return out;
}

TEST(fold_basics)
{
    CHECK_STR(fold("Hello, World!"), " hello world ");
    CHECK_STR(fold("CAFÉ déjà Vu"), " cafe deja vu ");
    CHECK_STR(fold("Straße"), " strasse ");
    CHECK_STR(fold("ΟΔΥΣΣΕΎΣ"), " οδυσσευσ ");
    CHECK_STR(fold("Ёлка"), " елка ");
    CHECK_STR(fold("ＦＵＬＬwidth"), " fullwidth ");
    CHECK_STR(fold("cafe\xcc\x81"), " cafe ");
    CHECK_STR(fold("@Acme.Bsky.Social thanks #AcmeFail!"), " @acme.bsky.social thanks #acmefail ");
    CHECK_STR(fold("mail bob@acme.com"), " mail bob acme com ");
    CHECK_STR(fold("fire🔥🔥ok"), " fire 🔥 🔥 ok ");
    CHECK_STR(fold("👍🏽 thumbs"), " 👍 thumbs ");
    CHECK_STR(fold("iPhone退款太慢"), " iphone 退款太慢 ");
    CHECK_STR(fold(""), " ");
    CHECK_STR(fold("bad \xff byte"), " bad byte ");
}

struct row {
    const char *query;
    const char *text;
    bool want;
};

static const struct row rows[] = {
    /* terms and word boundaries */
    { "refund", "I want a REFUND now", true },
    { "refund", "refunds are slow", false },
    { "refund", "prerefund", false },
    { "refund", "refund.", true },
    { "refund*", "refunds are slow", true },
    { "refund*", "nonrefundable", false },
    { "re*", "return it", true },
    /* accents and case, both directions */
    { "cafe", "Le CAFÉ est froid", true },
    { "café", "le cafe est froid", true },
    { "müller", "MUELLER", false },
    { "muller", "Müller hat angerufen", true },
    { "straße", "STRASSE gesperrt", true },
    /* phrases */
    { "\"order is late\"", "My order is late again", true },
    { "\"order is late\"", "my order is not late", false },
    { "\"order is late\"", "Order... is LATE!", true },
    /* boolean */
    { "acme AND late", "acme order late", true },
    { "acme AND late", "acme order", false },
    { "acme late", "late from acme", true },
    { "acme OR globex", "globex rocks", true },
    { "acme NOT late", "acme is late", false },
    { "acme NOT late", "acme is early", true },
    { "acme -late", "acme is late", false },
    { "acme AND (late OR broken)", "acme arrived broken", true },
    { "acme AND (late OR broken)", "acme arrived fine", false },
    { "NOT spam", "hello", true },
    { "NOT spam", "spam spam", false },
    { "acme and late", "acme and", false },
    { "acme and late", "acme late and", true },
    /* handles and hashtags */
    { "@acme", "hey @Acme help", true },
    { "@acme", "hey acme help", false },
    { "acme", "hey @acme help", true },
    { "acme", "love #acme", true },
    { "#acme", "love #ACME", true },
    { "#acme", "love acme", false },
    { "@acme", "cc @acme.bsky.social", false },
    { "@acme*", "cc @acme.bsky.social", true },
    { "@acme.bsky.social", "cc @Acme.bsky.social!", true },
    { "acme", "mail bob@acme.com", true },
    /* emoji */
    { "🔥", "this is 🔥🔥", true },
    { "🔥", "this is fine", false },
    { "acme 😡", "acme again 😡", true },
    { "👍", "great 👍🏽", true },
    /* scripts without spaces, and other scripts */
    { "退款", "我要退款", true },
    { "退款", "iPhone退款太慢", true },
    { "返金", "返金してください", true },
    { "환불", "환불해주세요", true },
    { "заказ", "Мой ЗАКАЗ опоздал", true },
    { "заказ", "заказы", false },
    { "طلب", "أين طلبي", false },
    { "كتاب", "هذا كِتاب جميل", true },
    { "ελλάδα", "ΕΛΛΑΔΑ", true },
    /* NEAR */
    { "refund NEAR/2 acme", "refund from acme", true },
    { "refund NEAR/2 acme", "acme gave me a refund", false },
    { "refund NEAR/3 acme", "acme gave me a refund", true },
    { "refund NEAR/0 acme", "refund acme", true },
    { "refund NEAR/0 acme", "refund to acme", false },
    { "refund* NEAR/1 acme", "refunded by acme", true },
    { "\"money back\" NEAR/2 acme", "acme wants my money back", true },
    { "(refund OR return) NEAR/1 acme", "return to acme", true },
    { "(refund OR return) NEAR/1 acme", "return this to acme", false },
    /* fields */
    { "acme lang:en", "acme rocks", true },
    { "acme lang:fr", "acme rocks", false },
    { "acme platform:bluesky", "acme rocks", true },
    { "acme platform:mastodon", "acme rocks", false },
    { "acme author:jane.bsky.social", "acme rocks", true },
    { "acme author:@JANE.bsky.social", "acme rocks", true },
    { "acme author:jane*", "acme rocks", true },
    { "acme author:bob*", "acme rocks", false },
    { "acme has:link", "acme rocks", false },
    { "acme is:reply", "acme rocks", true },
    { "lang:en", "anything", true },
    { "acme -is:reply", "acme rocks", false },
    /* colons that are not fields */
    { "10:30", "see you at 10:30", true },
};

static bool
match_one(const char *query, const char *text)
{
    struct listen_query q = { STR_LIT("q"), str_c(query) };
    struct listen_matcher *m = NULL;
    struct errmsg em = { 0 };
    struct listen_set *set;
    struct listen_scratch *s;
    struct listen_result res;
    struct listen_post p = {
        .platform = STR_LIT("bluesky"),
        .text = str_c(text),
        .lang = STR_LIT("en-US"),
        .author = STR_LIT("jane.bsky.social"),
        .is_reply = true,
    };
    ssize_t n;

    if (listen_matcher_new(&q, 1, &m, &em) < 0) {
        printf("# compile '%s': %s\n", query, em.text);
        return false;
    }
    set = listen_set_new_take(m);
    s = listen_scratch_new(set);
    n = listen_match(s, &p, &res);
    listen_scratch_free(s);
    listen_set_free(set);
    return n == 1;
}

TEST(query_table)
{
    for (size_t i = 0; i < COUNTOF(rows); i++) {
        bool got = match_one(rows[i].query, rows[i].text);
        if (got != rows[i].want) {
            printf("# row %zu: query '%s' on '%s': got %d want %d\n", i, rows[i].query,
                   rows[i].text, got, rows[i].want);
            test__failed = 1;
        }
    }
}

/* All rows' queries compiled into one matcher must give the same answers as one by one. */
TEST(query_table_one_matcher)
{
    struct listen_query qs[COUNTOF(rows)];
    char ids[COUNTOF(rows)][8];
    struct listen_matcher *m = NULL;
    struct errmsg em = { 0 };

    for (size_t i = 0; i < COUNTOF(rows); i++) {
        snprintf(ids[i], sizeof(ids[i]), "%zu", i);
        qs[i] = (struct listen_query){ str_c(ids[i]), str_c(rows[i].query) };
    }
    CHECK_INT(listen_matcher_new(qs, COUNTOF(rows), &m, &em), 0);
    if (!m)
        return;
    CHECK_INT(listen_matcher_count(m), COUNTOF(rows));
    struct listen_set *set = listen_set_new_take(m);
    struct listen_scratch *s = listen_scratch_new(set);
    for (size_t i = 0; i < COUNTOF(rows); i++) {
        struct listen_post p = {
            .platform = STR_LIT("bluesky"),
            .text = str_c(rows[i].text),
            .lang = STR_LIT("en-US"),
            .author = STR_LIT("jane.bsky.social"),
            .is_reply = true,
        };
        struct listen_result res;
        bool got = false;
        CHECK(listen_match(s, &p, &res) >= 0);
        for (size_t k = 0; k < res.n; k++) {
            if (res.queries[k] == i)
                got = true;
            if (k > 0)
                CHECK(res.queries[k - 1] < res.queries[k]);
        }
        if (got != rows[i].want) {
            printf("# row %zu in one matcher: got %d want %d\n", i, got, rows[i].want);
            test__failed = 1;
        }
    }
    listen_scratch_free(s);
    listen_set_free(set);
}

struct bad {
    const char *query;
    size_t pos;
    const char *msg;
};

static const struct bad bads[] = {
    { "", 0, "at column 1: empty query" },
    { "acme AND", 8, "at column 9: expected a term after AND but found end of query" },
    { "(acme OR beta", 13, "at column 14: expected ')' to close '(' at column 1, found end of query" },
    { "acme)", 4, "at column 5: unmatched ')'" },
    { "\"order late", 0, "at column 1: unterminated phrase: add a closing '\"'" },
    { "re*fund", 2, "at column 3: wildcard '*' is only allowed at the end of a term" },
    { "a*", 0, "at column 1: prefix 'a' is too short: want at least 2 letters before '*'" },
    { "acme NEAR late", 5, "at column 6: 'NEAR' needs a distance in words, like NEAR/3" },
    { "acme NEAR/x late", 5, "at column 6: invalid distance in 'NEAR/x': want NEAR/0 to NEAR/100" },
    { "(a AND b) NEAR/2 c", 10,
      "at column 11: NEAR needs a term, a phrase or an OR of them on each side (chain with AND "
      "instead)" },
    { "has:pics", 4, "at column 5: unknown 'has:' value 'pics': want has:link" },
    { "café )", 6, "at column 6: unmatched ')'" },
    { "!!!", 0, "at column 1: '!!!' has no letters, digits or symbols to match" },
    { "OR acme", 0, "at column 1: 'OR' needs a term before it" },
    { "\"\"", 0, "at column 1: empty phrase" },
    { "lang:", 5, "at column 6: field needs a value, like lang:en or author:jane.bsky.social" },
};

TEST(query_errors)
{
    for (size_t i = 0; i < COUNTOF(bads); i++) {
        struct errmsg em = { 0 };
        size_t pos = 999;
        int rc = listen_query_check(str_c(bads[i].query), &em, &pos);
        CHECK_INT(rc, ERR_INVAL);
        CHECK_INT(pos, bads[i].pos);
        CHECK_STR(em.text, bads[i].msg);
    }
    {
        char big[LISTEN_QUERY_MAX + 2];
        memset(big, 'a', sizeof(big));
        CHECK_INT(listen_query_check((struct str){ big, sizeof(big) }, NULL, NULL), ERR_TOOBIG);
    }
    {
        char deep[200];
        memset(deep, '(', sizeof(deep));
        CHECK_INT(listen_query_check((struct str){ deep, sizeof(deep) }, NULL, NULL), ERR_INVAL);
    }
}

TEST(matcher_error_names_query)
{
    struct listen_query qs[] = {
        { STR_LIT("good"), STR_LIT("acme") },
        { STR_LIT("broken"), STR_LIT("acme AND (") },
    };
    struct listen_matcher *m = NULL;
    struct errmsg em = { 0 };

    CHECK_INT(listen_matcher_new(qs, 2, &m, &em), ERR_INVAL);
    CHECK(m == NULL);
    CHECK_STR(em.text, "query 'broken': at column 11: expected a term, phrase or '(' but found "
                       "end of query");
}

TEST(empty_set)
{
    struct listen_matcher *m = NULL;
    struct listen_set *set;
    struct listen_scratch *s;
    struct listen_result res;
    struct listen_post p = { .text = STR_LIT("anything") };

    CHECK_INT(listen_matcher_new(NULL, 0, &m, NULL), 0);
    set = listen_set_new_take(m);
    s = listen_scratch_new(set);
    CHECK_INT(listen_match(s, &p, &res), 0);
    listen_set_swap_take(set, NULL);
    CHECK_INT(listen_match(s, &p, &res), 0);
    listen_scratch_free(s);
    listen_set_free(set);
}

/* Found by fuzz/listen_query.c: with hs_compile_lit_multi this set made hs_scan fail. */
TEST(hyperscan_literal_bug)
{
    static const char q[] = "---0 @N@n  @n  @--0 @N@---0 @N@n  @n  @N@nnnnnnnnnnnnnnnnnnnnnnnnnnn"
                            "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn||*";
    struct listen_query lq = { STR_LIT("q"), STR_LIT(q) };
    struct listen_matcher *m = NULL;
    struct listen_set *set;
    struct listen_scratch *s;
    struct listen_result res;
    struct listen_post p = { .text = STR_LIT(q) };

    CHECK_INT(listen_matcher_new(&lq, 1, &m, NULL), 0);
    set = listen_set_new_take(m);
    s = listen_scratch_new(set);
    CHECK(listen_match(s, &p, &res) >= 0);
    listen_scratch_free(s);
    listen_set_free(set);
}

int
main(void)
{
    RUN(fold_basics);
    RUN(query_table);
    RUN(query_table_one_matcher);
    RUN(query_errors);
    RUN(matcher_error_names_query);
    RUN(empty_set);
    RUN(hyperscan_literal_bug);
    return test_done();
}
