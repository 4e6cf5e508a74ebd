/* SPDX-License-Identifier: MIT */
/*
 * conversations.c - the inbox: list with filters and cursor paging, counts, one conversation
 * with its contact and messages, and the agent actions (reply or note, assign, status,
 * labels, read).
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/utf8.h"
#include "channels/chan.h"
#include "store/store.h"

#define Q_MAX 200

/* codec_conv plus the platform's reply window: when free-form replies stop being
 * allowed ('reply_window_closes_at', null when the channel has no window or the thread is
 * public) and whether that is still ahead. */
static json_t *
conv_json(const struct conv *c)
{
    json_t *o = codec_conv(c);
    const struct chan_ops *ops = chan_find(c->channel_type);
    if (ops && ops->reply_window_ms && !c->public) {
        int64_t closes = c->last_inbound_at ? c->last_inbound_at + ops->reply_window_ms : 0;
        json_object_set_new(o, "reply_window_closes_at", codec_time(closes));
        json_object_set_new(o, "reply_window_open", json_boolean(closes > clock_now_ms()));
    } else {
        json_object_set_new(o, "reply_window_closes_at", json_null());
    }
    return o;
}

static bool
plain_word(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static int
bad_query(struct http_req *r, const char *name, const char *want)
{
    char msg[160];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error(r, ERR_INVAL, msg);
    return ERR_INVAL;
}

void
api__convs_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    struct conv_filter f = { .limit = 50, .scope = &p->scope };
    const char *v;
    int64_t n = 0;
    if ((v = http_query(r, "unanswered")) && strcmp(v, "true") == 0) {
        api__unanswered_list(r, a); /* the Unanswered view (sla.c) */
        return;
    }

    if ((v = http_query(r, "status")) && strcmp(v, "all") != 0) {
        if (!model_conv_status_valid(str_c(v))) {
            bad_query(r, "status", "open, pending, snoozed, resolved or all");
            return;
        }
        f.status = v;
    }
    if ((v = http_query(r, "assignee"))) {
        if (strcmp(v, "me") == 0) {
            f.assignee = p->agent_id ? p->agent_id : -1;
        } else if (strcmp(v, "none") == 0) {
            f.assignee = -1;
        } else if (str_to_i64(str_c(v), 1, INT64_MAX, &f.assignee) < 0) {
            bad_query(r, "assignee", "me, none or an agent id");
            return;
        }
    }
    if (api__query_int_or_reply(r, "channel", 1, INT64_MAX, &f.channel_id) < 0 ||
        api__query_int_or_reply(r, "contact", 1, INT64_MAX, &f.contact_id) < 0)
        return;
    if ((v = http_query(r, "intent"))) {
        if (!plain_word(v, 32)) {
            bad_query(r, "intent", "an intent name");
            return;
        }
        f.intent = v;
    }
    if ((v = http_query(r, "sentiment"))) {
        if (strcmp(v, "negative") && strcmp(v, "neutral") && strcmp(v, "positive")) {
            bad_query(r, "sentiment", "negative, neutral or positive");
            return;
        }
        f.sentiment = v;
    }
    if ((v = http_query(r, "urgency"))) {
        /* Bands, as in docs/triage.md: high 70+, medium 40-69, low below 40. */
        f.by_urgency = true;
        if (strcmp(v, "high") == 0) {
            f.urgency_min = 70;
            f.urgency_max = 100;
        } else if (strcmp(v, "medium") == 0) {
            f.urgency_min = 40;
            f.urgency_max = 69;
        } else if (strcmp(v, "low") == 0) {
            f.urgency_min = 0;
            f.urgency_max = 39;
        } else {
            bad_query(r, "urgency", "high, medium or low");
            return;
        }
    }
    if ((v = http_query(r, "label"))) {
        if (!model_label_valid(str_c(v))) {
            bad_query(r, "label", "a label");
            return;
        }
        f.label = v;
    }
    if ((v = http_query(r, "q"))) {
        if (strlen(v) > Q_MAX || !utf8_valid(str_c(v))) {
            bad_query(r, "q", "at most 200 bytes of text");
            return;
        }
        f.q = v;
    }
    if ((v = http_query(r, "blocked"))) {
        /* Blocked contacts' conversations are hidden unless asked for (the Blocked view). */
        if (strcmp(v, "false") == 0) {
            f.blocked = CONV_UNBLOCKED;
        } else if (strcmp(v, "true") == 0) {
            f.blocked = CONV_BLOCKED;
        } else if (strcmp(v, "any") == 0) {
            f.blocked = CONV_BLOCKED_ANY;
        } else {
            bad_query(r, "blocked", "false, true or any");
            return;
        }
    }
    if ((v = http_query(r, "order"))) {
        if (strcmp(v, "oldest") && strcmp(v, "newest") && strcmp(v, "relevance")) {
            bad_query(r, "order", "newest, oldest or relevance");
            return;
        }
        f.oldest_first = strcmp(v, "oldest") == 0;
        f.by_relevance = strcmp(v, "relevance") == 0 && f.q;
    }
    if (api__query_int_or_reply(r, "limit", 1, 200, &n) < 0)
        return;
    if (n)
        f.limit = (int)n;
    if ((v = http_query(r, "cursor"))) {
        struct str ts, id;
        if (!str_cut(str_c(v), '_', &ts, &id) || str_to_i64(ts, 0, INT64_MAX, &f.cursor_ts) < 0 ||
            str_to_i64(id, 1, INT64_MAX, &f.cursor_id) < 0) {
            bad_query(r, "cursor", "a next_cursor value from a previous page");
            return;
        }
    }
    struct conv *items;
    size_t count;
    int64_t next_ts, next_id;
    int rc = store_conv_list(a->st, http_arena(r), &f, &items, &count, &next_ts, &next_id);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list conversations");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(arr, conv_json(&items[i]));
    json_t *out = json_object();
    json_object_set_new(out, "items", arr);
    json_object_set_new(out, "next_cursor",
                        next_id ? json_sprintf("%lld_%lld", (long long)next_ts, (long long)next_id)
                                : json_null());
    api__reply(r, 200, out);
}

void
api__convs_counts(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    struct conv_counts c;
    int rc = store_conv_counts(a->st, p->agent_id, &p->scope, &c);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot count conversations");
        return;
    }
    api__reply(r, 200, json_pack("{s:I,s:I,s:I,s:I,s:I}", "mine", (json_int_t)c.mine,
                                 "unassigned", (json_int_t)c.unassigned, "open",
                                 (json_int_t)c.open, "resolved", (json_int_t)c.resolved,
                                 "blocked", (json_int_t)c.blocked));
}

/* The conversation with its contact and one page of messages (history.c): the newest page
 * unless 'before' asks for an older one. */
static json_t *
conv_full(struct api *a, struct arena *ar, int64_t id, int64_t before, int limit, int *rc)
{
    struct conv c;
    struct contact ct;
    struct msg *msgs;
    size_t n;
    int64_t next = 0;
    *rc = store_conv_get(a->st, ar, id, &c);
    if (*rc == 0)
        *rc = store_contact_get(a->st, ar, c.contact_id, &ct);
    if (*rc == 0)
        *rc = store_msg_list(a->st, ar, id, before, limit, &msgs, &n, &next);
    if (*rc < 0)
        return NULL;
    json_t *o = conv_json(&c);
    json_object_set_new(o, "contact", codec_contact(&ct));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, codec_msg(&msgs[i]));
    json_object_set_new(o, "messages", arr);
    json_object_set_new(o, "messages_next_cursor", api__msg_cursor(next));
    return o;
}

void
api__conv_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, before;
    int rc, limit;
    if (api__id_or_reply(r, 0, &id) < 0 ||
        api__msg_page_or_reply(r, &before, &limit) < 0)
        return;
    json_t *o = conv_full(a, http_arena(r), id, before, limit, &rc);
    if (!o) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return;
    }
    api__reply(r, 200, o);
}

/* Text an agent sends: 1..MODEL_TEXT_MAX bytes, not only whitespace. */
static bool
text_ok(const char *s, size_t len)
{
    if (len == 0 || len > MODEL_TEXT_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!(s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
            return true;
    }
    return false;
}

void
api__conv_reply(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id, msg_id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    json_t *text = json_object_get(body, "text");
    json_t *priv = json_object_get(body, "private");
    json_t *tpl = json_object_get(body, "template");
    char *payload = NULL;
    if (tpl && !json_is_null(tpl)) {
        if (api__platform_template_or_reply(r, a, id, body, &text, &payload) < 0)
            return;
    } else if (!json_is_string(text) ||
               !text_ok(json_string_value(text), json_string_length(text))) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'text': want 1..16384 bytes, not only spaces");
        return;
    }
    if (priv && !json_is_boolean(priv)) {
        http_reply_error_status(r, 422, "invalid_field", "invalid 'private': want true or false");
        return;
    }
    bool note = json_is_true(priv);
    /* "send_anyway": the agent saw the detector's nudges (reply-check) and sends as written;
     * the reply is counted for them when it is indeed nudged. */
    bool anyway = false;
    int64_t canned_id = 0;
    if (api__opt_bool_or_reply(r, body, "send_anyway", &anyway) < 0 ||
        api__opt_int_or_reply(r, body, "canned_id", 1, INT64_MAX, &canned_id) < 0)
        return;
    size_t nudges = 0;
    if (!note && anyway && !payload) {
        struct conv c;
        struct care_nudge v[CARE_NUDGE_MAX];
        int rc = store_conv_get(a->st, http_arena(r), id, &c);
        if (rc < 0) {
            http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
            return;
        }
        struct str t = { json_string_value(text), json_string_length(text) };
        if (api__reply_nudges_or_reply(r, a, &c, t, canned_id, v, &nudges) < 0)
            return;
    }
    if (!note) {
        /* The platform's own limits, checked before anything is stored. */
        struct conv c;
        int rc = store_conv_get(a->st, http_arena(r), id, &c);
        if (rc < 0) {
            http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
            return;
        }
        if (!payload && api__platform_window_or_reply(r, &c) < 0)
            return;
        if (!payload && api__text_fits_or_reply(r, c.channel_type,
                                                (struct str){ json_string_value(text),
                                                              json_string_length(text) }) < 0)
            return;
    }
    struct str t = { json_string_value(text), json_string_length(text) };
    int rc = payload ? care_reply_payload(a->care, id, p->agent_id, t, payload, &msg_id)
                     : care_reply(a->care, id, p->agent_id, t, note, &msg_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot store reply");
        return;
    }
    if (nudges && p->agent_id && (rc = care_nudge_overridden(a->care, p->agent_id)) < 0)
        log_warn("api", "cannot count a nudge override", "agent=%lld err=%s",
                 (long long)p->agent_id, err_str(rc));
    struct msg m;
    rc = store_msg_get(a->st, http_arena(r), msg_id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read reply");
        return;
    }
    api__reply(r, 201, codec_msg(&m));
}

static void
reply_conv(struct http_req *r, struct api *a, int64_t id)
{
    struct conv c;
    int rc = store_conv_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read conversation");
        return;
    }
    api__reply(r, 200, conv_json(&c));
}

void
api__conv_assign(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id, agent = 0;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    json_t *v = json_object_get(body, "agent_id");
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        agent = json_integer_value(v);
    } else if (json_is_string(v) && strcmp(json_string_value(v), "me") == 0 && p->agent_id) {
        agent = p->agent_id;
    } else if (!json_is_null(v)) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'agent_id': want an agent id, \"me\" or null");
        return;
    }
    /* Agents and store staff take unassigned conversations and hand over their own; moving
     * someone else's is for supervisors and admins. */
    if (strcmp(p->role, "admin") != 0 && strcmp(p->role, "supervisor") != 0) {
        struct conv c;
        int rc = store_conv_get(a->st, http_arena(r), id, &c);
        if (rc < 0) {
            http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
            return;
        }
        if (c.assignee_id && c.assignee_id != p->agent_id && c.assignee_id != agent) {
            http_reply_error(r, ERR_PERM, "only a supervisor or admin can reassign another "
                                          "agent's conversation");
            return;
        }
    }
    int rc = care_conv_assign(a->care, id, agent, p->agent_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation or agent" : "cannot assign");
        return;
    }
    reply_conv(r, a, id);
}

void
api__conv_status(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
    int64_t id, until = 0;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    const char *status, *reason, *snooze;
    if (api__opt_string_or_reply(r, body, "status", 16, &status) < 0 ||
        api__opt_string_or_reply(r, body, "reason", MODEL_NAME_MAX, &reason) < 0 ||
        api__opt_string_or_reply(r, body, "snooze_until", 40, &snooze) < 0)
        return;
    if (!status || !model_conv_status_valid(str_c(status))) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'status': want open, pending, snoozed or resolved");
        return;
    }
    if (strcmp(status, "snoozed") == 0) {
        if (!snooze || clock_parse_iso(str_c(snooze), &until) < 0 || until <= clock_now_ms()) {
            http_reply_error_status(r, 422, "invalid_field",
                                    "invalid 'snooze_until': want a future RFC 3339 time");
            return;
        }
    } else if (snooze) {
        http_reply_error_status(r, 422, "invalid_field", "'snooze_until' needs status snoozed");
        return;
    }
    /* A complaint is resolved with its root cause when the policy requires one (policy.c). */
    json_t *cause = json_object_get(body, "root_cause_id");
    if (cause && !json_is_null(cause) &&
        (!json_is_integer(cause) || json_integer_value(cause) < 1)) {
        http_reply_error_status(r, 422, "invalid_field",
                                "invalid 'root_cause_id': want the id of a root cause");
        return;
    }
    bool has_cause = cause && json_is_integer(cause);
    if (has_cause && strcmp(status, "resolved") != 0) {
        http_reply_error_status(r, 422, "invalid_field", "'root_cause_id' needs status resolved");
        return;
    }
    if (strcmp(status, "resolved") == 0 &&
        api__conv_cause_check_or_reply(r, a, id, has_cause) < 0)
        return;
    /* An inbound message never ends silently unanswered. */
    if (strcmp(status, "resolved") == 0 && (!reason || !reason[0]) &&
        routing_sla_unanswered(care_routing(a->care), id) == 1) {
        http_reply_error_status(r, 422, "reason_required",
                                "invalid 'reason': the customer's last message has no reply; "
                                "give a reason (e.g. spam, thanks_only, duplicate, "
                                "no_reply_needed)");
        return;
    }
    if (has_cause && api__conv_cause_set_or_reply(r, a, id, json_integer_value(cause)) < 0)
        return;
    int rc = care_conv_set_status(a->care, id, status, until, reason, p->agent_id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot set status");
        return;
    }
    reply_conv(r, a, id);
}

/* Reads an array of labels into 'out' (at most MODEL_LABELS_MAX). */
static int
labels_or_reply(struct http_req *r, json_t *arr, const char *name, struct str *out, size_t *n)
{
    char msg[160];
    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > MODEL_LABELS_MAX) {
        snprintf(msg, sizeof(msg), "invalid '%s': want an array of at most %d labels", name,
                 MODEL_LABELS_MAX);
        http_reply_error_status(r, 422, "invalid_field", msg);
        return ERR_INVAL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        struct str s = { json_string_value(v), json_string_length(v) };
        if (!json_is_string(v) || !model_label_valid(s)) {
            snprintf(msg, sizeof(msg), "invalid '%s[%zu]': want 1..200 bytes without commas", name,
                     i);
            http_reply_error_status(r, 422, "invalid_field", msg);
            return ERR_INVAL;
        }
        out[(*n)++] = s;
    }
    return 0;
}

void
api__conv_labels(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    struct str add[MODEL_LABELS_MAX], rem[MODEL_LABELS_MAX * 2];
    size_t nadd, nrem;
    json_t *set = json_object_get(body, "labels");
    if (set) {
        /* Replace: add the new set, remove whatever else the conversation has. */
        if (labels_or_reply(r, set, "labels", add, &nadd) < 0)
            return;
        struct conv c;
        int rc = store_conv_get(a->st, http_arena(r), id, &c);
        if (rc < 0) {
            http_reply_error(r, rc, "no such conversation");
            return;
        }
        json_t *old = codec_parse_array(c.labels);
        api__defer_decref(r, old);
        nrem = 0;
        size_t i;
        json_t *v;
        json_array_foreach(old, i, v) {
            struct str s = { json_string_value(v), json_string_length(v) };
            bool keep = false;
            for (size_t k = 0; k < nadd; k++)
                keep = keep || str_eq(s, add[k]);
            if (!keep && s.p && nrem < COUNTOF(rem))
                rem[nrem++] = s;
        }
    } else if (labels_or_reply(r, json_object_get(body, "add"), "add", add, &nadd) < 0 ||
               labels_or_reply(r, json_object_get(body, "remove"), "remove", rem, &nrem) < 0) {
        return;
    }
    int rc = care_conv_labels(a->care, id, add, nadd, rem, nrem);
    if (rc < 0) {
        http_reply_error(r, rc,
                         rc == ERR_NOTFOUND ? "no such conversation"
                         : rc == ERR_INVAL  ? "too many labels"
                                            : "cannot change labels");
        return;
    }
    reply_conv(r, a, id);
}

void
api__conv_read(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = care_conv_mark_read(a->care, id);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot mark read");
        return;
    }
    reply_conv(r, a, id);
}
