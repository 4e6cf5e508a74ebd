/* SPDX-License-Identifier: MIT */
/* reply_check_test.c - the robotic-template detector on a table of replies with the nudges
 * each must get (and only those), the near-identical count over recent replies, and the
 * recent-replies ring staying at its fixed size. */
#include "base/base.h"

#include <string.h>

#include "base/arena.h"
#include "care/care.h"

#include "../test.h"

#define REFUND "Hi Ana, your refund for order A-1042 was sent today and reaches your card in " \
               "three to five days."

static const struct {
    const char *text;
    const char *canned;     /* NULL: not from a canned reply */
    const char *first_name; /* NULL: unknown */
    const char *want;       /* the kinds, in order, joined by ' '; "" for none */
} table[] = {
    /* A personal, specific reply: no nudge. */
    { "Hi Ana, I checked order A-1042: the courier left it at the Mitte store, you can pick it "
      "up until Friday.", NULL, "Ana", "" },
    /* Short replies are never nudged for the name. */
    { "Done, thanks!", NULL, "Ana", "" },
    /* The name is found whatever its case. */
    { "thanks ana, the replacement left our warehouse this morning by express.", NULL, "Ana", "" },
    /* No name although it is known. */
    { "Your replacement left our warehouse this morning and arrives tomorrow by express.", NULL,
      "Ana", "no_name" },
    /* A handle or a phone number is not a name to use. */
    { "Your replacement left our warehouse this morning and arrives tomorrow by express.", NULL,
      "@ana_88", "" },
    { "Your replacement left our warehouse this morning and arrives tomorrow by express.", NULL,
      "+4915112345", "" },
    /* The canned text word for word (punctuation and case do not matter)... */
    { REFUND, REFUND, "Ana", "canned_verbatim" },
    { "hi ana your refund for order a-1042 was sent today, and reaches your card in three to "
      "five days", REFUND, "Ana", "canned_verbatim" },
    /* ...but a canned text with a personal sentence added is fine. */
    { REFUND " Sorry the first card was declined at the till, that must have been annoying "
      "with the queue behind you.", REFUND, "Ana", "" },
    /* Mostly stock phrases. */
    { "We apologize for any inconvenience. Thank you for your patience. Have a nice day.", NULL,
      NULL, "boilerplate" },
    { "Thank you for reaching out! We apologize for any inconvenience, please do not hesitate to "
      "contact us.", NULL, "Ana", "no_name boilerplate" },
    /* One stock phrase in a real answer is fine. */
    { "Hi Ana, sorry for the inconvenience: the Mitte store had a power cut, so your order "
      "A-1042 is now ready there for pick-up from tomorrow ten o'clock until Saturday evening.",
      NULL, "Ana", "" },
};

static void
kinds(const struct care_nudge *v, size_t n, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", i ? " " : "", v[i].kind);
    }
}

TEST(table_of_replies)
{
    for (size_t i = 0; i < COUNTOF(table); i++) {
        struct arena *ar = arena_new(1 << 20);
        struct care_draft d = {
            .text = str_c(table[i].text),
            .canned = str_c(table[i].canned ? table[i].canned : ""),
            .first_name = table[i].first_name,
        };
        struct care_nudge v[CARE_NUDGE_MAX];
        size_t n = care_reply_nudges(ar, &d, NULL, v);
        char got[200];
        kinds(v, n, got, sizeof(got));
        if (strcmp(got, table[i].want) != 0)
            printf("# row %zu: \"%s\"\n", i, table[i].text);
        CHECK_STR(got, table[i].want);
        for (size_t k = 0; k < n; k++)
            CHECK(strlen(v[k].message) > 20);
        arena_free(ar);
    }
}

TEST(messages_are_explained_with_the_name)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_draft d = { .text = STR_LIT("Your parcel is on its way and arrives tomorrow."),
                            .first_name = "Ana" };
    struct care_nudge v[CARE_NUDGE_MAX];
    CHECK_INT(care_reply_nudges(ar, &d, NULL, v), 1);
    CHECK_STR(v[0].message, "Add something personal: use Ana's name.");
    arena_free(ar);
}

TEST(the_name_is_asked_for_once_per_conversation)
{
    struct arena *ar = arena_new(1 << 20);
    struct str earlier[] = { STR_LIT("Thanks for waiting."), STR_LIT("Hi ana, I am on it.") };
    struct care_draft d = { .text = STR_LIT("Your parcel is on its way and arrives tomorrow."),
                            .first_name = "Ana", .earlier = earlier, .nearlier = 1 };
    struct care_nudge v[CARE_NUDGE_MAX];
    CHECK_INT(care_reply_nudges(ar, &d, NULL, v), 1);
    d.nearlier = 2;
    CHECK_INT(care_reply_nudges(ar, &d, NULL, v), 0);
    arena_free(ar);
}

TEST(near_identical_to_many_recent_replies)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_recent *r = care_recent_new(64);
    const char *names[] = { "Ana", "Ben", "Cleo", "Dev" };
    /* The same reply to other customers, with their own names. */
    for (size_t i = 0; i < 3; i++) {
        char t[300];
        snprintf(t, sizeof(t), "Hi %s, thanks for your message. Your order has been shipped and "
                 "will arrive within three to five working days. Track it in your account.",
                 names[i]);
        care_recent_add(r, ar, str_c(t));
    }
    care_recent_add(r, ar, STR_LIT("Something different entirely: the Mitte store opens at ten "
                                   "tomorrow because of the inventory count."));
    struct care_draft d = {
        .text = STR_LIT("Hi Dev, thanks for your message. Your order has been shipped and will "
                        "arrive within three to five working days. Track it in your account."),
        .first_name = "Dev",
    };
    struct care_nudge v[CARE_NUDGE_MAX];
    size_t n = care_reply_nudges(ar, &d, r, v);
    CHECK_INT(n, 1);
    CHECK_STR(n ? v[0].kind : "", "repetitive");
    CHECK(n && strstr(v[0].message, "3 times") != NULL);
    /* A different reply is not near-identical to them. */
    struct care_draft other = {
        .text = STR_LIT("Dev, the courier could not find the door at Torstraße 5, so your parcel "
                        "waits at the Mitte store until Friday."),
        .first_name = "Dev",
    };
    CHECK_INT(care_reply_nudges(ar, &other, r, v), 0);
    care_recent_free(r);
    arena_free(ar);
}

TEST(recent_ring_is_bounded)
{
    struct arena *ar = arena_new(1 << 22);
    struct care_recent *r = care_recent_new(4);
    const char *same = "Thanks for your message, your order has been shipped and arrives soon.";
    for (int i = 0; i < 4; i++)
        care_recent_add(r, ar, str_c(same));
    /* Four new, different replies push the four copies out of a ring of four. */
    for (int i = 0; i < 4; i++) {
        char t[200];
        snprintf(t, sizeof(t), "Reply number %d about a completely separate topic %d %d %d", i,
                 i * 7, i * 13, i * 31);
        care_recent_add(r, ar, str_c(t));
    }
    struct care_draft d = { .text = str_c(same) };
    struct care_nudge v[CARE_NUDGE_MAX];
    CHECK_INT(care_reply_nudges(ar, &d, r, v), 0);
    care_recent_free(r);
    arena_free(ar);
}

int
main(void)
{
    RUN(table_of_replies);
    RUN(messages_are_explained_with_the_name);
    RUN(the_name_is_asked_for_once_per_conversation);
    RUN(near_identical_to_many_recent_replies);
    RUN(recent_ring_is_bounded);
    return test_done();
}
