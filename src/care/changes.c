/* SPDX-License-Identifier: MIT */
/*
 * changes.c - the changes agents and admins make to conversations, contacts, channels and
 * triage: one entry point each, which the API calls (see care.h).
 */
#include "base/base.h"
#include "care/care_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "routing/routing.h"

int
care_conv_assign(struct care *c, int64_t conv_id, int64_t agent_id, int64_t actor_id)
{
    return store_conv_assign(c->st, conv_id, agent_id, actor_id);
}

int
care_conv_set_status(struct care *c, int64_t conv_id, const char *status, int64_t snooze_until,
                     const char *reason, int64_t actor_id)
{
    int rc = store_conv_set_status(c->st, conv_id, status, snooze_until, reason, actor_id);
    if (rc == 0 && strcmp(status, "resolved") == 0 && care_survey_on_resolve(c, conv_id) < 0)
        log_warn("survey", "cannot queue", "conversation=%lld", (long long)conv_id);
    return rc;
}

int
care_conv_labels(struct care *c, int64_t conv_id, const struct str *add, size_t nadd,
                 const struct str *remove, size_t nremove)
{
    return store_conv_labels(c->st, conv_id, add, nadd, remove, nremove);
}

int
care_conv_mark_read(struct care *c, int64_t conv_id)
{
    return store_conv_mark_read(c->st, conv_id);
}

int
care_private_reply_record(struct care *c, const struct private_reply *pr, int64_t *dm_conv_id,
                          int64_t *msg_id)
{
    return store_private_reply(c->st, pr, dm_conv_id, msg_id);
}

int
care_contact_update(struct care *c, int64_t id, const struct contact *ct)
{
    return store_contact_update(c->st, id, ct);
}

int
care_contact_block(struct care *c, int64_t id, int64_t agent_id, const char *reason)
{
    int rc = store_contact_block(c->st, id, agent_id, reason);
    if (rc == 0)
        log_info("care", "contact blocked", "contact=%lld agent=%lld", (long long)id,
                 (long long)agent_id);
    return rc;
}

int
care_contact_unblock(struct care *c, int64_t id, int64_t agent_id)
{
    struct arena *ar = arena_new(1 << 20);
    int64_t *convs = NULL;
    size_t n = 0;
    int rc = store_contact_unblock(c->st, ar, id, &convs, &n);
    if (rc == 0) {
        log_info("care", "contact unblocked", "contact=%lld agent=%lld conversations=%zu",
                 (long long)id, (long long)agent_id, n);
        /* Their open conversations come back unassigned and are routed again. */
        for (size_t i = 0; i < n; i++)
            routing_conv_again(c->routing, convs[i]);
    }
    arena_free(ar);
    return rc;
}

int
care_contact_merge(struct care *c, int64_t id, int64_t other_id, int64_t agent_id,
                   const char *evidence, int64_t *merge_id, enum merge_conflict *why)
{
    int rc = store_contact_merge(c->st, id, other_id, agent_id, evidence, merge_id, why);
    if (rc == 0)
        log_info("care", "contacts merged", "merge=%lld contact=%lld other=%lld agent=%lld",
                 (long long)*merge_id, (long long)id, (long long)other_id, (long long)agent_id);
    return rc;
}

int
care_contact_merge_undo(struct care *c, struct arena *ar, int64_t merge_id, int64_t agent_id,
                        const char **kept_fields, enum merge_conflict *why)
{
    int rc = store_contact_merge_undo(c->st, ar, merge_id, agent_id, kept_fields, why);
    if (rc == 0)
        log_info("care", "contact merge undone", "merge=%lld agent=%lld", (long long)merge_id,
                 (long long)agent_id);
    return rc;
}

int
care_merge_dismiss(struct care *c, int64_t a, int64_t b, int64_t agent_id)
{
    return store_merge_dismiss(c->st, a, b, agent_id);
}

int
care_channel_add(struct care *c, const struct channel *ch, int64_t *id)
{
    return store_channel_add(c->st, ch, id);
}

int
care_channel_update(struct care *c, int64_t id, const struct store_channel_update *u)
{
    return store_channel_update(c->st, id, u);
}

int
care_channel_delete(struct care *c, int64_t id)
{
    int rc = store_channel_delete(c->st, id);
    if (rc == 0)
        care__chanstat_forget(c, id);
    return rc;
}

int
care_triage_correct(struct care *c, int64_t msg_id, int64_t agent_id, const char *intent,
                    const char *sentiment, bool confirm)
{
    return store_triage_correct(c->st, msg_id, agent_id, intent, sentiment, confirm);
}

int
care_triage_skip(struct care *c, int64_t msg_id, int64_t agent_id)
{
    return store_triage_skip(c->st, msg_id, agent_id);
}

int
care_mention_convert(struct care *c, struct arena *ar, int64_t mention_id, struct inbound *in,
                     struct ingest_result *r)
{
    int rc = care_ingest(c, ar, in, r);
    if (rc < 0)
        return rc;
    return store_mention_set_conversation(c->st, mention_id, r->conversation_id);
}
