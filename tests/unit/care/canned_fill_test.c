/* SPDX-License-Identifier: MIT */
/* canned_fill_test.c - filling a canned body: every variable kind, missing variables left
 * visible and listed once, another language's body, and hostile attribute values that must
 * stay one line of plain, bounded text and are never expanded again. */
#include "base/base.h"

#include <string.h>

#include "base/arena.h"
#include "care/care.h"

#include "../test.h"

static const struct care_fill_attr attrs[] = {
    { "order_ref", "A-1042" },
    { "tier", "gold" },
    { "evil", "<b>x</b> {agent.first_name}\n\x1b[31mred\u202Eevil" },
    { "blank", "   " },
};

static const struct care_fill_vars vars = {
    .contact_name = "Ana María López",
    .agent_name = "Sam Lee",
    .conv_id = 42,
    .attrs = attrs,
    .nattrs = COUNTOF(attrs),
};

static struct care_fill_result
fill(struct arena *ar, const char *body, const struct care_fill_vars *v)
{
    struct care_fill_result r = { 0 };
    int rc = care_canned_fill(ar, str_c(body), v, &r);
    CHECK_INT(rc, 0);
    return r;
}

TEST(every_variable_kind)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_fill_result r =
        fill(ar, "Hi {contact.first_name} ({contact.name}), {agent.first_name} here about "
                 "{order.ref} on #{conversation.id}; tier {contact.attributes.tier}.", &vars);
    CHECK_STR(r.text, "Hi Ana (Ana María López), Sam here about A-1042 on #42; tier gold.");
    CHECK_INT(r.len, strlen(r.text));
    CHECK_INT(r.nmissing, 0);
    arena_free(ar);
}

TEST(missing_variables_stay_visible_and_are_listed_once)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_fill_vars none = { 0 };
    struct care_fill_result r =
        fill(ar, "Hi {contact.first_name}, order {order.ref}. {contact.first_name}! "
                 "{contact.attributes.nope} {contact.attributes.blank} {unknown.var}", &none);
    CHECK_STR(r.text, "Hi {contact.first_name}, order {order.ref}. {contact.first_name}! "
                      "{contact.attributes.nope} {contact.attributes.blank} {unknown.var}");
    CHECK_INT(r.nmissing, 5);
    CHECK_STR(r.missing[0], "contact.first_name");
    CHECK_STR(r.missing[1], "order.ref");
    CHECK_STR(r.missing[2], "contact.attributes.nope");
    CHECK_STR(r.missing[3], "contact.attributes.blank");
    CHECK_STR(r.missing[4], "unknown.var");
    arena_free(ar);
}

TEST(braces_that_are_not_variables_are_text)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_fill_result r = fill(ar, "{} { x } {a b} {contact.name", &vars);
    CHECK_STR(r.text, "{} { x } {a b} {contact.name");
    CHECK_INT(r.nmissing, 0);
    arena_free(ar);
}

TEST(other_language_body)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_fill_result r =
        fill(ar, "Hola {contact.first_name}, soy {agent.first_name}. Tu pedido {order.ref} "
                 "está en camino. ¿Algo más?", &vars);
    CHECK_STR(r.text, "Hola Ana, soy Sam. Tu pedido A-1042 está en camino. ¿Algo más?");
    arena_free(ar);
}

TEST(hostile_attribute_stays_one_line_of_text)
{
    struct arena *ar = arena_new(1 << 20);
    struct care_fill_result r = fill(ar, "[{contact.attributes.evil}]", &vars);
    /* Markup stays literal, the nested variable is not expanded, the newline becomes a space,
     * ESC and the right-to-left override are dropped. */
    CHECK_STR(r.text, "[<b>x</b> {agent.first_name} [31mredevil]");
    CHECK_INT(r.nmissing, 0);
    for (size_t i = 0; i < r.len; i++)
        CHECK((unsigned char)r.text[i] >= 0x20);
    CHECK(strstr(r.text, "\u202E") == NULL);
    arena_free(ar);
}

TEST(long_values_are_cut_on_a_character_boundary)
{
    struct arena *ar = arena_new(1 << 20);
    char longval[1200];
    size_t o = 0;
    while (o + 2 < sizeof(longval) - 1) {
        memcpy(longval + o, "é", 2); /* two bytes each */
        o += 2;
    }
    longval[o] = '\0';
    struct care_fill_attr a[] = { { "note", longval } };
    struct care_fill_vars v = { .attrs = a, .nattrs = 1 };
    struct care_fill_result r = fill(ar, "{contact.attributes.note}", &v);
    CHECK(r.len <= CARE_FILL_VALUE_MAX);
    CHECK(r.len >= CARE_FILL_VALUE_MAX - 1);
    CHECK_INT(r.len % 2, 0);
    arena_free(ar);
}

TEST(too_long_body_is_refused)
{
    struct arena *ar = arena_new(1 << 20);
    char *big = arena_alloc(ar, CARE_FILL_BODY_MAX + 2);
    memset(big, 'a', CARE_FILL_BODY_MAX + 1);
    struct care_fill_result r = { 0 };
    CHECK_INT(care_canned_fill(ar, str_c(big), &vars, &r), ERR_TOOBIG);
    CHECK(r.text == NULL);
    arena_free(ar);
}

int
main(void)
{
    RUN(every_variable_kind);
    RUN(missing_variables_stay_visible_and_are_listed_once);
    RUN(braces_that_are_not_variables_are_text);
    RUN(other_language_body);
    RUN(hostile_attribute_stays_one_line_of_text);
    RUN(long_values_are_cut_on_a_character_boundary);
    RUN(too_long_body_is_refused);
    return test_done();
}
