/* SPDX-License-Identifier: MIT */
/* wa_templates_test.c - the blanks of a WhatsApp template and filling them in
 * (channels/chan_wa_templates.c): positional and named blanks in order, repeats counted once,
 * text that only looks like a blank left alone, too many blanks refused, and values that stay
 * text: a value holding "{{2}}", HTML or another language is copied as it is, never read for
 * blanks of its own. */
#include "base/base.h"

#include "base/buf.h"
#include "channels/chan.h"

#include "../test.h"

static char names[CHAN_WA_TPL_PARAMS][CHAN_WA_BLANK_NAME];

TEST(blanks_in_order)
{
    CHECK_INT((int)chan_wa_blanks(STR_LIT("Hi {{1}}, order {{2}} arrives {{3}}."), names, 20), 3);
    CHECK_STR(names[0], "1");
    CHECK_STR(names[2], "3");
    CHECK_INT((int)chan_wa_blanks(STR_LIT("{{first_name}}, see you {{date}}, {{first_name}}!"),
                                  names, 20), 2);
    CHECK_STR(names[0], "first_name");
    CHECK_STR(names[1], "date");
    CHECK_INT((int)chan_wa_blanks(STR_LIT("No blanks here."), names, 20), 0);
    CHECK_INT((int)chan_wa_blanks(STR_LIT(""), names, 20), 0);
    /* Not blanks: spaces, other characters, an unclosed one, braces alone. */
    CHECK_INT((int)chan_wa_blanks(STR_LIT("{{ 1 }} {{a-b}} {{2} {1}} {{}} {{3"), names, 20), 0);
    CHECK_INT((int)chan_wa_blanks(STR_LIT("{{{1}}}"), names, 20), 1);
    CHECK_STR(names[0], "1");
    CHECK_INT((int)chan_wa_blanks(STR_LIT("{{1}}{{2}}{{3}}"), names, 2), -1);
}

static const char *
fill(const char *text, size_t n, const struct str *values, struct buf *b)
{
    buf_release(b);
    chan_wa_fill(str_c(text), (const char(*)[CHAN_WA_BLANK_NAME])names, values, n, b);
    return b->p;
}

TEST(fill_keeps_values_as_text)
{
    struct buf b;
    buf_init(&b, 4096);
    chan_wa_blanks(STR_LIT("Hi {{1}}, order {{2}} arrives {{3}}."), names, 20);
    struct str v[] = { STR_LIT("Ana"), STR_LIT("#12345"), STR_LIT("Friday") };
    CHECK_STR(fill("Hi {{1}}, order {{2}} arrives {{3}}.", 3, v, &b),
              "Hi Ana, order #12345 arrives Friday.");
    /* A value that looks like a blank is not filled again; HTML stays as typed. */
    struct str hostile[] = { STR_LIT("{{2}}"), STR_LIT("<script>alert(1)</script>"),
                             STR_LIT("{{3}} & \"quotes\"") };
    CHECK_STR(fill("Hi {{1}}, order {{2}} arrives {{3}}.", 3, hostile, &b),
              "Hi {{2}}, order <script>alert(1)</script> arrives {{3}} & \"quotes\".");
    /* A blank without a value stays as written; one used twice is filled twice. */
    CHECK_STR(fill("{{1}} and {{4}} and {{1}}", 3, v, &b), "Ana and {{4}} and Ana");
    /* Other languages and scripts, as bytes. */
    struct str pt[] = { STR_LIT("Jo\xc3\xa3o"), STR_LIT("n\xc2\xba 7"), STR_LIT("sexta") };
    CHECK_STR(fill("Ol\xc3\xa1 {{1}}, seu pedido {{2}} chega {{3}}.", 3, pt, &b),
              "Ol\xc3\xa1 Jo\xc3\xa3o, seu pedido n\xc2\xba 7 chega sexta.");
    /* Named blanks. */
    chan_wa_blanks(STR_LIT("{{first_name}} {{date}}"), names, 20);
    struct str nv[] = { STR_LIT("Ana"), STR_LIT("May 3") };
    CHECK_STR(fill("Hi {{first_name}}, on {{date}}. {{ date }}", 2, nv, &b),
              "Hi Ana, on May 3. {{ date }}");
    /* Braces that are not blanks pass through untouched. */
    CHECK_STR(fill("{{{first_name}}} {{", 2, nv, &b), "{Ana} {{");
    buf_release(&b);
}

int
main(void)
{
    RUN(blanks_in_order);
    RUN(fill_keeps_values_as_text);
    return test_done();
}
