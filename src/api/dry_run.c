/* SPDX-License-Identifier: MIT */
/*
 * dry_run.c - what routing would do, asked by an admin and writing nothing:
 * POST /api/v1/routing/dry-run (a pasted message on a channel, or a stored conversation: its
 * triage, the rule or why none, the team, the agent or why queued, the SLA policy and the
 * acknowledgement that would be sent) and POST /api/v1/routing/autoack/preview (a team's
 * acknowledgement template as it would read now). The deciding is routing's (routing_dry_run);
 * this file only decodes the question and encodes the answer.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "routing/routing.h"
#include "store/store.h"

#define DRY_TAGS_MAX 32 /* contact tags, as PATCH /contacts allows */

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

/* The optional "contact" object: location and tags. < 0 after replying. */
static int
contact_or_reply(struct http_req *r, json_t *body, struct store_route_input *in)
{
    json_t *c = json_object_get(body, "contact");
    if (!c || json_is_null(c))
        return 0;
    if (!json_is_object(c))
        return invalid(r, "contact", "an object with 'location' and 'tags'");
    const char *loc = NULL;
    if (api__opt_string_or_reply(r, c, "location", MODEL_NAME_MAX, &loc) < 0)
        return ERR_INVAL;
    in->contact_location = loc && loc[0] ? loc : NULL;
    json_t *tags = json_object_get(c, "tags");
    if (!tags || json_is_null(tags))
        return 0;
    if (!json_is_array(tags) || json_array_size(tags) > DRY_TAGS_MAX)
        return invalid(r, "tags", "an array of at most 32 tags");
    size_t n = json_array_size(tags);
    const char **v = ARENA_NEW_N(http_arena(r), const char *, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(tags, i);
        struct str s = { json_string_value(e), json_string_length(e) };
        if (!json_is_string(e) || s.len == 0 || s.len > MODEL_NAME_MAX || !utf8_valid(s))
            return invalid(r, "tags", "an array of tags of 1..200 bytes");
        v[i] = arena_strndup(http_arena(r), s.p, s.len);
    }
    in->contact_tags.v = v;
    in->contact_tags.n = n;
    return 0;
}

/* A pasted message: the channel's part of the input, the triage ingest would give the text,
 * and what the body says of the contact. < 0 after replying. */
static int
draft_or_reply(struct http_req *r, struct api *a, json_t *body, struct store_route_input *in,
               bool *triaged)
{
    struct arena *ar = http_arena(r);
    int64_t channel = 0, priority = 0;
    const char *text = NULL;
    bool pub = false;
    if (api__opt_int_or_reply(r, body, "channel_id", 1, INT64_MAX, &channel) < 0 ||
        api__opt_string_or_reply(r, body, "text", MODEL_TEXT_MAX, &text) < 0 ||
        api__opt_bool_or_reply(r, body, "public", &pub) < 0 ||
        api__opt_int_or_reply(r, body, "priority", 0, 3, &priority) < 0)
        return ERR_INVAL;
    if (!channel)
        return invalid(r, "channel_id", "the channel the message arrives on");
    if (!text || !text[0])
        return invalid(r, "text", "the customer's message (1..16384 bytes)");
    int rc = store_route_draft(a->st, ar, channel, in);
    if (rc == ERR_NOTFOUND)
        return invalid(r, "channel_id", "an existing channel");
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the channel");
        return rc;
    }
    if (contact_or_reply(r, body, in) < 0)
        return ERR_INVAL;
    /* The triage a webhook's message gets (care_hook), minus the sender's history. */
    struct inbound m = { .channel_id = channel, .channel_type = in->conv.channel_type,
                         .text = { text, strlen(text) }, .public = pub };
    care_triage(a->care, ar, &m);
    *triaged = m.lang != NULL;
    in->text = text;
    in->lang = m.lang;
    in->conv.public = pub;
    in->conv.priority = (int)priority;
    in->conv.intent = m.intent;
    in->conv.sentiment = m.sentiment;
    in->conv.urgency = m.lang ? (m.urgency > 0 ? m.urgency : 0) : -1;
    return 0;
}

static json_t *
opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
dry_json(const struct store_route_input *in, bool triaged, const struct routing_dry_result *d)
{
    json_t *o = json_object();
    json_t *t = json_null();
    if (triaged) {
        t = json_object();
        json_object_set_new(t, "language", opt_str(in->lang));
        json_object_set_new(t, "intent", opt_str(in->conv.intent));
        json_object_set_new(t, "sentiment", opt_str(in->conv.sentiment));
        json_object_set_new(t, "urgency", in->conv.urgency >= 0 ? json_integer(in->conv.urgency)
                                                                : json_null());
    }
    json_object_set_new(o, "triage", t);
    json_object_set_new(o, "channel", json_pack("{s:I,s:o,s:o}", "id",
                                                (json_int_t)in->conv.channel_id, "type",
                                                opt_str(in->conv.channel_type), "store",
                                                opt_str(in->channel_store)));
    json_t *rules = json_array();
    for (size_t i = 0; i < d->nrules; i++) {
        const struct routing_dry_rule *x = &d->rules[i];
        json_array_append_new(rules, json_pack("{s:I,s:s,s:b,s:o}", "id", (json_int_t)x->id,
                                               "name", x->name, "matched", x->matched, "why",
                                               opt_str(x->why)));
    }
    json_object_set_new(o, "rules_tried", rules);
    json_object_set_new(o, "matched", json_boolean(d->matched));
    json_object_set_new(o, "why", opt_str(d->why));
    if (d->matched) {
        json_object_set_new(o, "rule", json_pack("{s:I,s:s}", "id", (json_int_t)d->rule_id,
                                                 "name", d->rule_name));
        json_object_set_new(o, "team", json_pack("{s:I,s:s}", "id", (json_int_t)d->team_id,
                                                 "name", d->team.name));
        json_object_set_new(o, "agent",
                            d->agent_id ? json_pack("{s:I,s:o}", "id", (json_int_t)d->agent_id,
                                                    "name", opt_str(d->agent_name))
                                        : json_null());
        json_object_set_new(o, "queued", json_boolean(d->agent_id == 0));
        json_object_set_new(o, "queue_ahead", json_integer(d->queue_ahead));
        json_object_set_new(o, "strategy", json_string(d->strategy));
        json_object_set_new(o, "reason", json_string(d->reason));
    } else {
        json_object_set_new(o, "rule", json_null());
        json_object_set_new(o, "team", json_null());
        json_object_set_new(o, "agent", json_null());
        json_object_set_new(o, "queued", json_false());
        json_object_set_new(o, "queue_ahead", json_integer(0));
        json_object_set_new(o, "strategy", json_null());
        json_object_set_new(o, "reason", json_null());
    }
    json_object_set_new(o, "sla_policy", d->policy ? api__policy_json(d->policy) : json_null());
    json_object_set_new(o, "sla_calendar_tz", opt_str(d->policy_calendar_tz));
    json_object_set_new(o, "autoack", json_pack("{s:b,s:o,s:o}", "sent", d->autoack_text != NULL,
                                                "text", opt_str(d->autoack_text), "why",
                                                opt_str(d->autoack_why)));
    return o;
}

void
api__routing_dry_run(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct routing *rt = care_routing(a->care);
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    int64_t conv = 0;
    if (api__opt_int_or_reply(r, body, "conversation_id", 1, INT64_MAX, &conv) < 0)
        return;
    size_t cap;
    int rc = routing_dry_cap(rt, &cap);
    if (rc < 0) {
        http_reply_error(r, rc, "the routing setup is too big to decide on");
        return;
    }
    /* The decision's reads get an arena of their own, sized from the routing data as a real
     * decision's is; the answer is encoded before it is freed. */
    struct arena *ar = arena_new(cap);
    struct store_route_input in;
    bool triaged = false;
    if (conv) {
        rc = store_route_input(a->st, ar, conv, &in);
        if (rc == ERR_NOTFOUND) {
            invalid(r, "conversation_id", "an existing conversation");
            goto out;
        }
        if (rc < 0) {
            http_reply_error(r, rc, "cannot read the conversation");
            goto out;
        }
        triaged = in.lang != NULL;
    } else if (draft_or_reply(r, a, body, &in, &triaged) < 0) {
        goto out;
    }
    struct routing_dry_result d;
    rc = routing_dry_run(rt, ar, &in, &d);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot run the routing dry run");
        goto out;
    }
    json_t *o = dry_json(&in, triaged, &d);
    if (conv)
        json_object_set_new(o, "conversation_id", json_integer(conv));
    api__reply(r, 200, o);
out:
    arena_free(ar);
}

void
api__autoack_preview(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    json_t *body = api__json_or_reply(r);
    if (!body)
        return;
    int64_t cal = 0;
    const char *tpl = NULL, *lang = NULL, *team = NULL;
    if (api__opt_int_or_reply(r, body, "calendar_id", 1, INT64_MAX, &cal) < 0 ||
        api__opt_string_or_reply(r, body, "template", 2000, &tpl) < 0 ||
        api__opt_string_or_reply(r, body, "language", 16, &lang) < 0 ||
        api__opt_string_or_reply(r, body, "team_name", MODEL_NAME_MAX, &team) < 0)
        return;
    if (!tpl || !tpl[0]) {
        invalid(r, "template", "the acknowledgement text, with {when} for the reply time");
        return;
    }
    if (cal) {
        struct store_calendar k;
        if (store_calendar_get(a->st, http_arena(r), cal, &k) < 0) {
            invalid(r, "calendar_id", "an existing calendar");
            return;
        }
    }
    const char *text = NULL;
    int rc = routing_autoack_preview(care_routing(a->care), http_arena(r), cal,
                                     team && team[0] ? team : "Team", lang ? lang : "en", tpl,
                                     &text);
    if (rc == ERR_INVAL) {
        invalid(r, "calendar_id", "a calendar that opens within two years");
        return;
    }
    if (rc == ERR_TOOBIG) {
        invalid(r, "template", "a text of at most 2000 bytes once filled in");
        return;
    }
    if (rc < 0) {
        http_reply_error(r, rc, "cannot preview the acknowledgement");
        return;
    }
    api__reply(r, 200, json_pack("{s:s}", "text", text));
}
