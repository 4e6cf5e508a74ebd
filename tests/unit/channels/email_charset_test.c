/* SPDX-License-Identifier: MIT */
/* email_charset_test.c - the email charset table (tests/fixtures/email/, written by its gen.py
 * with Python's codecs): each NAME.eml parsed must give the display name and the text in
 * NAME.want. Plus the header cases the table cannot show well: encoded words that are not,
 * white space between words, and hostile charset names. */
#include "base/base.h"

#include <dirent.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "channels/chan_int.h"

#include "../test.h"

#define DIR_EMAIL "tests/fixtures/email"

static bool
slurp(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(b, chunk, n);
    fclose(f);
    return buf_error(b) == 0;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(email_charset_table)
{
    struct channel ch = { .id = 3, .type = "email", .secret = "x", .settings = "{}" };
    DIR *d = opendir(DIR_EMAIL);
    CHECK(d != NULL);
    if (!d)
        return;
    char *names[128];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < COUNTOF(names)) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".eml") == 0)
            names[count++] = strndup(e->d_name, n - 4);
    }
    closedir(d);
    qsort(names, count, sizeof(names[0]), by_name);
    CHECK(count >= 25); /* the table is there: an empty folder must not pass */
    for (size_t i = 0; i < count; i++) {
        char path[512];
        struct buf eml, want;
        buf_init(&eml, 1 << 20);
        buf_init(&want, 1 << 20);
        snprintf(path, sizeof(path), DIR_EMAIL "/%s.eml", names[i]);
        bool ok = slurp(path, &eml);
        snprintf(path, sizeof(path), DIR_EMAIL "/%s.want", names[i]);
        ok = ok && slurp(path, &want);
        CHECK(ok);
        struct str name, text;
        if (!ok || !str_cut(buf_str(&want), '\n', &name, &text)) {
            printf("# %s: fixture missing or malformed\n", names[i]);
            test__failed = 1;
        } else {
            struct arena *ar = arena_new(1 << 20);
            struct inbound in;
            int rc = chan__email_parse(&ch, ar, buf_str(&eml), 1, &in);
            if (rc != 0 || !str_eq(in.from_name, name) || !str_eq(in.text, text) ||
                !utf8_valid(in.text)) {
                printf("# %s: rc %d\n#   name: got \"%.*s\", want \"%.*s\"\n#   text: got "
                       "\"%.*s\"\n#   want \"%.*s\"\n",
                       names[i], rc, (int)in.from_name.len, in.from_name.p ? in.from_name.p : "",
                       (int)name.len, name.p, (int)in.text.len, in.text.p ? in.text.p : "",
                       (int)text.len, text.p);
                test__failed = 1;
            }
            arena_free(ar);
        }
        buf_release(&eml);
        buf_release(&want);
        free(names[i]);
    }
    printf("# %zu email fixtures\n", count);
}

/* The subject as parsed from a minimal message with header 'subject' (raw bytes). */
static const char *
subject_of(const char *subject, const char *ctype)
{
    static char out[1024];
    struct channel ch = { .id = 3, .type = "email", .secret = "x", .settings = "{}" };
    struct arena *ar = arena_new(1 << 20);
    char *raw = arena_printf(ar, "From: a@b.c\nSubject: %s\n%s%s\n\nx", subject,
                             ctype ? "Content-Type: " : "", ctype ? ctype : "");
    struct inbound in;
    snprintf(out, sizeof(out), "(parse failed)");
    if (chan__email_parse(&ch, ar, str_c(raw), 1, &in) == 0) {
        struct str t = in.text, head, rest;
        /* "Subject: S\n\nx" */
        if (str_cut(t, '\n', &head, &rest) && head.len >= 9)
            snprintf(out, sizeof(out), "%.*s", (int)head.len - 9, head.p + 9);
    }
    arena_free(ar);
    return out;
}

TEST(email_header_words)
{
    /* Adjacent words: the white space between them goes, also across folding. */
    CHECK_STR(subject_of("=?utf-8?q?a?= =?utf-8?q?b?=", NULL), "ab");
    CHECK_STR(subject_of("=?utf-8?q?a?=\n\t =?utf-8?q?b?=", NULL), "ab");
    /* Text between words stays, spaces and all. */
    CHECK_STR(subject_of("=?utf-8?q?a?= and =?utf-8?q?b?=", NULL), "a and b");
    CHECK_STR(subject_of("x =?utf-8?q?a?=", NULL), "x a");
    /* Not encoded words: kept as written. */
    CHECK_STR(subject_of("=?utf-8?x?a?=", NULL), "=?utf-8?x?a?=");
    CHECK_STR(subject_of("=?utf-8?q?a b?=", NULL), "=?utf-8?q?a b?=");
    CHECK_STR(subject_of("=??q?a?=", NULL), "=??q?a?=");
    CHECK_STR(subject_of("=?utf-8?q?unterminated", NULL), "=?utf-8?q?unterminated");
    /* A charset ICU would read as options is no charset: UTF-8, invalid bytes replaced. */
    CHECK_STR(subject_of("=?utf-8,fallback?Q?=C3=A9=FF?=", NULL), "é\xef\xbf\xbd");
    /* Raw 8-bit in the body's charset, and UTF-8 kept. */
    CHECK_STR(subject_of("\xf0\xd2\xc9\xd7\xc5\xd4", "text/plain; charset=koi8-r"), "Привет");
    CHECK_STR(subject_of("Zo\xc3\xab", "text/plain; charset=koi8-r"), "Zoë");
    CHECK_STR(subject_of("Zo\xeb", NULL), "Zoë");
    /* An encoded line break is no line break in a one-line header. */
    CHECK_STR(subject_of("=?utf-8?Q?a=0D=0Ab=09c?=", NULL), "a  b c");
    /* A NUL in an encoded word never reaches the text. */
    CHECK_STR(subject_of("=?utf-8?B?YQBi?=", NULL), "a\xef\xbf\xbd" "b");
}

int
main(void)
{
    RUN(email_charset_table);
    RUN(email_header_words);
    return test_done();
}
