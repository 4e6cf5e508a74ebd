/* SPDX-License-Identifier: MIT */
/*
 * order_ref_test.c - model_order_refs: the order references a customer's text names, for
 * contact merge suggestions ("#12345", "order 12345", "order no. #12345", other languages'
 * words), distinct and bounded, and what is not one (too short, too long, part of a word, a
 * price, a phone number without a keyword).
 */
#include "base/base.h"
#include "model/model.h"

#include "../test.h"

static size_t
refs(const char *text, char (*out)[MODEL_ORDER_REF_MAX + 1])
{
    return model_order_refs(str_c(text), out, MODEL_ORDER_REFS_PER_MESSAGE);
}

TEST(order_refs_found)
{
    char r[MODEL_ORDER_REFS_PER_MESSAGE][MODEL_ORDER_REF_MAX + 1];
    CHECK_INT(refs("Where is my order #12345?", r), 1);
    CHECK_STR(r[0], "12345");
    CHECK_INT(refs("ORDER 998877 never came", r), 1);
    CHECK_STR(r[0], "998877");
    CHECK_INT(refs("order no. 4711 and Order Number: #4712", r), 2);
    CHECK_STR(r[0], "4711");
    CHECK_STR(r[1], "4712");
    CHECK_INT(refs("Meine Bestellung Nr. 55555 ist kaputt", r), 1);
    CHECK_STR(r[0], "55555");
    CHECK_INT(refs("ma commande 123456", r), 1);
    CHECK_INT(refs("#12345 again #12345", r), 1); /* distinct */
    CHECK_INT(refs("#1111 #2222 #3333 #4444 #5555 #6666", r), 4); /* bounded */
}

TEST(order_refs_not_found)
{
    char r[MODEL_ORDER_REFS_PER_MESSAGE][MODEL_ORDER_REF_MAX + 1];
    CHECK_INT(refs("", r), 0);
    CHECK_INT(refs("order 123", r), 0);              /* too short */
    CHECK_INT(refs("#1234567890123", r), 0);         /* too long */
    CHECK_INT(refs("x#12345 and #12345abc", r), 0);  /* part of a word */
    CHECK_INT(refs("call me on 030 1234567", r), 0); /* no keyword */
    CHECK_INT(refs("reorder 12345", r), 0);          /* "order" inside a word */
    CHECK_INT(refs("it cost 12345 euros", r), 0);
    CHECK_INT(refs("order", r), 0);
    CHECK_INT(refs("#", r), 0);
}

int
main(void)
{
    RUN(order_refs_found);
    RUN(order_refs_not_found);
    return test_done();
}
