/* SPDX-License-Identifier: MIT */
/*
 * private_replies.c - POST /api/v1/conversations/{id}/private-reply, which moves a public
 * comment thread to a private conversation through the channel's private_reply op and links
 * the two as one case.
 *
 * The private reply is sent synchronously (the agent sees at once whether the platform took
 * it: Meta allows one per comment, within 7 days); ordinary replies go through the outbox.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/rand.h"
#include "channels/chan.h"
#include "store/store.h"

/* The latest inbound message of the public thread: the comment the private reply answers. */
static const struct msg *
latest_inbound(const struct msg *v, size_t n)
{
    for (size_t i = n; i > 0; i--) {
        if (strcmp(v[i - 1].direction, "in") == 0 && v[i - 1].external_id)
            return &v[i - 1];
    }
    return NULL;
}

void
api__conv_private_reply(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *text;
    if (api__opt_string_or_reply(r, body, "text", MODEL_TEXT_MAX, &text) < 0)
        return;
    if (!text || !str_trim(str_c(text)).len) {
        http_reply_error_status(r, 422, "invalid_field", "invalid 'text': want 1..16384 bytes");
        return;
    }
    struct arena *ar = http_arena(r);
    struct conv c;
    struct channel ch;
    struct contact ct;
    struct msg *msgs;
    size_t n;
    int64_t older;
    int rc = store_conv_get(a->st, ar, id, &c);
    if (rc == 0)
        rc = store_channel_get(a->st, ar, c.channel_id, &ch);
    if (rc == 0)
        rc = store_contact_get(a->st, ar, c.contact_id, &ct);
    if (rc == 0)
        rc = store_msg_list(a->st, ar, id, 0, STORE_MSG_PAGE_MAX, &msgs, &n, &older);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    const struct chan_ops *ops = chan_find(ch.type);
    char msg[300];
    if (!ops || !ops->private_reply || !c.public) {
        snprintf(msg, sizeof(msg), "%s", !c.public ? "the conversation is already private"
                                         : "this channel cannot move a thread to private");
        http_reply_error_status(r, 422, "invalid_field", msg);
        return;
    }
    if (api__text_fits_or_reply(r, ch.type, str_c(text)) < 0)
        return;
    const struct msg *last = latest_inbound(msgs, n);
    if (!last) {
        http_reply_error_status(r, 422, "invalid_field", "no customer comment to reply to");
        return;
    }
    const char *recipient = NULL;
    for (size_t i = 0; i < ct.nids; i++) {
        if (strcmp(ct.ids[i].channel_type, ch.type) == 0) {
            recipient = ct.ids[i].platform_id;
            break;
        }
    }
    const char *thread_key = NULL;
    if ((rc = store_conv_thread_key(a->st, ar, id, &thread_key)) < 0) {
        http_reply_error(r, rc, "cannot read");
        return;
    }
    char key[33];
    rand_hex(key, 16);
    struct outbox_item item = { .channel_id = ch.id, .conversation_id = id,
                                .idempotency_key = key, .text = text,
                                .reply_to = last->external_id, .recipient = recipient,
                                .thread_key = thread_key, .public = true };
    struct chan_send_result res = { .state = CHAN_FAILED, .retry_after_ms = -1 };
    char dm_thread[MODEL_EXTID_MAX + 8] = "";
    rc = ops->private_reply(&ch, &item, &res, dm_thread, sizeof(dm_thread));
    log_info("api", "private reply", "conversation=%lld state=%d", (long long)id, res.state);
    if (rc < 0 || res.state != CHAN_SENT) {
        if (res.state == CHAN_RETRY) {
            if (res.retry_after_ms > 0) {
                char ra[24];
                snprintf(ra, sizeof(ra), "%lld", (long long)((res.retry_after_ms + 999) / 1000));
                http_add_header(r, "Retry-After", ra);
            }
            snprintf(msg, sizeof(msg), "%s: try again later", res.error);
            http_reply_error_status(r, 503, "unavailable", msg);
        } else {
            snprintf(msg, sizeof(msg), "%s refused the private reply: %s", ch.type, res.error);
            http_reply_error_status(r, 502, "upstream", msg);
        }
        return;
    }
    struct private_reply pr = { .public_conv_id = id, .agent_id = p->agent_id,
                                .recipient_id = res.recipient_id, .dm_thread = dm_thread,
                                .text = str_c(text),
                                .external_id = res.external_id[0] ? res.external_id : NULL };
    int64_t dm_id, msg_id;
    rc = care_private_reply_record(a->care, &pr, &dm_id, &msg_id);
    if (rc < 0) {
        http_reply_error(r, rc, "sent, but cannot record the private reply");
        return;
    }
    /* One case, one agent: the DM goes to whoever has the public thread, else to the agent
     * who moved it (a token's move leaves it to routing). */
    int64_t owner = c.assignee_id > 0 ? c.assignee_id : p->agent_id;
    if (owner > 0 && (rc = care_conv_assign(a->care, dm_id, owner, p->agent_id)) < 0)
        log_warn("api", "private reply not assigned", "conversation=%lld err=%s",
                  (long long)dm_id, err_str(rc));
    struct conv dm;
    struct msg m;
    rc = store_conv_get(a->st, ar, dm_id, &dm);
    if (rc == 0)
        rc = store_msg_get(a->st, ar, msg_id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the private conversation");
        return;
    }
    json_t *out = json_object();
    json_t *conv = codec_conv(&dm);
    json_object_set_new(conv, "linked_conversation_id", json_integer(id));
    json_object_set_new(out, "conversation", conv);
    json_object_set_new(out, "message", codec_msg(&m));
    json_object_set_new(out, "linked_conversation_id", json_integer(id));
    api__reply(r, 201, out);
}
