/* SPDX-License-Identifier: MIT */
/*
 * demo_canned.c - Northwind's saved replies for `hark demo` (see demo_canned.h). The texts name
 * the customer and the agent and leave room for a personal line, as the product asks agents to.
 */
#include "base/base.h"
#include "demo_canned.h"

#include "app.h"
#include "base/log.h"
#include "care/care.h"
#include "store/store.h"

static const struct store_canned replies[] = {
    { .title = "Where is my order", .shortcut = "where", .tags = "[\"shipping\"]",
      .default_lang = "en",
      .bodies = "{\"en\":\"Hi {contact.first_name}, {agent.first_name} here. I checked order "
                "{order.ref}: it left our warehouse and the courier expects to deliver it within "
                "two working days.\",\"es\":\"Hola {contact.first_name}, soy {agent.first_name}. "
                "He revisado el pedido {order.ref}: ya salió de nuestro almacén y llegará en dos "
                "días laborables.\",\"de\":\"Hallo {contact.first_name}, hier ist "
                "{agent.first_name}. Ich habe Bestellung {order.ref} geprüft: Sie hat unser "
                "Lager verlassen und kommt innerhalb von zwei Werktagen an.\"}" },
    { .title = "Refund on its way", .shortcut = "refund", .tags = "[\"billing\",\"returns\"]",
      .default_lang = "en",
      .bodies = "{\"en\":\"Hi {contact.first_name}, your refund for order {order.ref} is on its "
                "way and usually shows on your card within 3 to 5 days.\",\"es\":\"Hola "
                "{contact.first_name}, el reembolso del pedido {order.ref} está en camino y "
                "suele verse en tu tarjeta en 3 a 5 días.\"}" },
    { .title = "Ready for pick-up in store", .shortcut = "pickup", .tags = "[\"stores\"]",
      .default_lang = "en",
      .bodies = "{\"en\":\"Hi {contact.first_name}, your order is ready at "
                "{contact.attributes.store}. Bring the order number {order.ref}; we keep it for "
                "you for 7 days.\",\"de\":\"Hallo {contact.first_name}, deine Bestellung liegt "
                "in {contact.attributes.store} für dich bereit. Bitte bring die Nummer "
                "{order.ref} mit; wir halten sie 7 Tage.\"}" },
    { .title = "Size exchange", .shortcut = "exchange", .tags = "[\"returns\",\"sizing\"]",
      .default_lang = "en",
      .bodies = "{\"en\":\"Hi {contact.first_name}, happy to swap the size. Reply with the size "
                "you need and I will send the new pair with a free return label.\"}" },
};

int
demo_canned_seed(struct app *app, int64_t maya_id)
{
    int rc = 0;
    for (size_t i = 0; i < COUNTOF(replies) && rc == 0; i++)
        rc = care_canned_put(app->care, 0, &replies[i], NULL);
    if (rc == 0) {
        struct store_canned mine = {
            .owner_agent_id = maya_id, .title = "Escalated to me", .shortcut = "mine",
            .tags = "[]", .default_lang = "en",
            .bodies = "{\"en\":\"Hi {contact.first_name}, I'm Maya, the care lead. I've taken "
                      "this over personally and will write back today.\"}",
        };
        rc = care_canned_put(app->care, 0, &mine, NULL);
    }
    if (rc < 0)
        log_error("demo", "demo set-up failed", "step=canned rc=%d", rc);
    return rc;
}
