/* SPDX-License-Identifier: MIT */
/*
 * codec.c - domain structs to JSON (jansson). See model.h for the ownership rule.
 */
#include "base/base.h"
#include "model/model.h"

#include <jansson.h>

#include "base/clock.h"

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

json_t *
codec_time(int64_t ms)
{
    char buf[32];
    if (!ms)
        return json_null();
    clock_fmt_iso(ms, buf, sizeof(buf));
    return json_string(buf);
}

json_t *
codec_parse_array(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_array(j)) {
        json_decref(j);
        return json_array();
    }
    return j;
}

json_t *
codec_parse_object(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return json_object();
    }
    return j;
}

/* A search hit as {"field", "parts":[{"text","hit"}]}: the text cut at the \x02 ... \x03 marks
 * that the store put around each matching word, so a client marks them without parsing any
 * markup (and customer text is never HTML). */
static json_t *
codec_match(const char *field, const char *marked)
{
    json_t *parts = json_array();
    bool hit = false;
    const char *p = marked;
    while (*p) {
        size_t n = strcspn(p, "\x02\x03");
        if (n)
            json_array_append_new(parts, json_pack("{s:s%,s:b}", "text", p, n, "hit", hit));
        p += n;
        if (*p)
            hit = *p++ == '\x02';
    }
    return json_pack("{s:s,s:o}", "field", field ? field : "message", "parts", parts);
}

json_t *
codec_conv(const struct conv *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "channel_id", json_integer(c->channel_id));
    json_object_set_new(o, "contact_id", json_integer(c->contact_id));
    json_object_set_new(o, "assignee_id", id_or_null(c->assignee_id));
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "public", json_boolean(c->public));
    json_object_set_new(o, "priority", json_integer(c->priority));
    json_object_set_new(o, "labels", codec_parse_array(c->labels));
    json_object_set_new(o, "intent", str_or_null(c->intent));
    json_object_set_new(o, "sentiment", str_or_null(c->sentiment));
    json_object_set_new(o, "urgency", c->urgency >= 0 ? json_integer(c->urgency) : json_null());
    json_object_set_new(o, "snooze_until", codec_time(c->snooze_until));
    json_object_set_new(o, "resolution_reason", str_or_null(c->resolution_reason));
    json_object_set_new(o, "preview", json_string(c->preview ? c->preview : ""));
    json_object_set_new(o, "unread", json_integer(c->unread));
    json_object_set_new(o, "message_count", json_integer(c->message_count));
    json_object_set_new(o, "last_message_at", codec_time(c->last_message_at));
    json_object_set_new(o, "last_inbound_at", codec_time(c->last_inbound_at));
    json_object_set_new(o, "store", c->store ? json_string(c->store) : json_null());
    json_object_set_new(o, "linked_conversation_id", id_or_null(c->linked_id));
    json_object_set_new(o, "blocked", json_boolean(c->blocked));
    if (c->match)
        json_object_set_new(o, "match", codec_match(c->match_field, c->match));
    json_object_set_new(o, "created_at", codec_time(c->created_at));
    json_object_set_new(o, "updated_at", codec_time(c->updated_at));
    if (c->contact_name)
        json_object_set_new(o, "contact_name", json_string(c->contact_name));
    if (c->channel_type)
        json_object_set_new(o, "channel_type", json_string(c->channel_type));
    if (c->channel_name)
        json_object_set_new(o, "channel_name", json_string(c->channel_name));
    return o;
}

json_t *
codec_msg(const struct msg *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "conversation_id", json_integer(m->conversation_id));
    json_object_set_new(o, "direction", json_string(m->direction));
    json_object_set_new(o, "kind", json_string(m->kind));
    json_object_set_new(o, "private", json_boolean(strcmp(m->kind, "note") == 0));
    json_object_set_new(o, "public", json_boolean(m->public));
    json_object_set_new(o, "text", json_string(m->text));
    json_object_set_new(o, "author_agent_id", id_or_null(m->author_agent_id));
    json_object_set_new(o, "author_name", str_or_null(m->author_name));
    json_object_set_new(o, "bot", json_boolean(m->bot));
    json_object_set_new(o, "external_id", str_or_null(m->external_id));
    json_object_set_new(o, "reply_to", str_or_null(m->reply_to));
    json_object_set_new(o, "status", json_string(m->status));
    json_object_set_new(o, "error", str_or_null(m->error));
    json_object_set_new(o, "created_at", codec_time(m->created_at));
    json_object_set_new(o, "sent_at", codec_time(m->sent_at));
    if (m->lang || m->intent || m->sentiment) {
        json_t *t = json_object();
        json_object_set_new(t, "lang", str_or_null(m->lang));
        json_object_set_new(t, "intent", str_or_null(m->intent));
        json_object_set_new(t, "confidence", json_real(m->intent_conf));
        json_object_set_new(t, "sentiment", str_or_null(m->sentiment));
        json_object_set_new(t, "sentiment_score", json_real(m->sentiment_score));
        json_object_set_new(t, "urgency", json_integer(m->urgency));
        json_object_set_new(t, "urgency_reasons", codec_parse_array(m->urgency_reasons));
        json_object_set_new(o, "triage", t);
    } else {
        json_object_set_new(o, "triage", json_null());
    }
    return o;
}

json_t *
codec_identity(const struct identity *i)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(i->id));
    json_object_set_new(o, "channel_type", json_string(i->channel_type));
    json_object_set_new(o, "platform_id", json_string(i->platform_id));
    json_object_set_new(o, "handle", str_or_null(i->handle));
    json_object_set_new(o, "name", str_or_null(i->name));
    return o;
}

json_t *
codec_contact_block(const struct contact *c)
{
    if (!c->status || strcmp(c->status, "blocked") != 0)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "at", codec_time(c->blocked_at));
    json_object_set_new(o, "by_agent_id", id_or_null(c->blocked_by));
    json_object_set_new(o, "by_name", str_or_null(c->blocked_by_name));
    json_object_set_new(o, "reason", str_or_null(c->blocked_reason));
    return o;
}

json_t *
codec_contact(const struct contact *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "email", str_or_null(c->email));
    json_object_set_new(o, "phone", str_or_null(c->phone));
    json_object_set_new(o, "locale", str_or_null(c->locale));
    json_object_set_new(o, "location", str_or_null(c->location));
    json_object_set_new(o, "tags", codec_parse_array(c->tags));
    json_object_set_new(o, "notes", json_string(c->notes ? c->notes : ""));
    json_object_set_new(o, "attributes", codec_parse_object(c->attributes));
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "created_at", codec_time(c->created_at));
    json_object_set_new(o, "updated_at", codec_time(c->updated_at));
    json_object_set_new(o, "blocked", codec_contact_block(c));
    json_object_set_new(o, "merged_into", c->merged_into ? json_integer(c->merged_into)
                                                         : json_null());
    if (c->ids) {
        json_t *a = json_array();
        for (size_t i = 0; i < c->nids; i++)
            json_array_append_new(a, codec_identity(&c->ids[i]));
        json_object_set_new(o, "identities", a);
    }
    return o;
}

json_t *
codec_agent(const struct agent *a, bool private)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "display_name", json_string(a->display_name));
    json_object_set_new(o, "avatar_url", json_string(a->avatar_url ? a->avatar_url : ""));
    json_object_set_new(o, "bio", json_string(a->bio ? a->bio : ""));
    if (private) {
        json_object_set_new(o, "name", json_string(a->name));
        json_object_set_new(o, "email", json_string(a->email));
        json_object_set_new(o, "role", json_string(a->role));
        json_object_set_new(o, "created_at", codec_time(a->created_at));
        json_object_set_new(o, "disabled", json_boolean(a->disabled_at != 0));
        json_object_set_new(o, "password_set", json_boolean(a->password_set));
    }
    return o;
}

/* Settings that are credentials: kept in the store, shown as "********". */
static bool
secret_setting(const char *key)
{
    size_t n = strlen(key);
    return (n >= 7 && strcmp(key + n - 7, "_secret") == 0) ||
           (n >= 6 && strcmp(key + n - 6, "_token") == 0) || strcmp(key, "password") == 0 ||
           (n >= 9 && strcmp(key + n - 9, "_password") == 0) ||
           strcmp(key, "secret") == 0;
}

/* A URL setting with credentials (user:password@ after the scheme, stored before they were
 * refused) is shown with the credentials replaced by eight asterisks; NULL when 'v' holds
 * none. */
static json_t *
masked_url(const char *v)
{
    const char *p = strstr(v, "://");
    if (!p)
        return NULL;
    p += 3;
    const char *at = memchr(p, '@', strcspn(p, "/?#"));
    if (!at)
        return NULL;
    /* The last '@' of the authority ends the userinfo (a password may hold an '@'). */
    for (const char *q = at + 1; q < p + strcspn(p, "/?#"); q++) {
        if (*q == '@')
            at = q;
    }
    return json_sprintf("%.*s********%s", (int)(p - v), v, at);
}

json_t *
codec_channel(const struct channel *ch)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ch->id));
    json_object_set_new(o, "type", json_string(ch->type));
    json_object_set_new(o, "name", json_string(ch->name));
    json_t *settings = codec_parse_object(ch->settings);
    const char *key;
    json_t *v;
    json_object_foreach(settings, key, v) {
        if (secret_setting(key)) {
            json_object_set_new(settings, key, json_string("********"));
        } else if (json_is_string(v)) {
            json_t *m = masked_url(json_string_value(v));
            if (m)
                json_object_set_new(settings, key, m);
        }
    }
    json_object_set_new(o, "settings", settings);
    json_object_set_new(o, "webhook_path", json_sprintf("/hooks/%lld", (long long)ch->id));
    json_object_set_new(o, "created_at", codec_time(ch->created_at));
    return o;
}

char *
codec_dump(const json_t *j, size_t *len)
{
    char *s = json_dumps(j, JSON_COMPACT);
    ASSERT(s);
    if (len)
        *len = strlen(s);
    return s;
}

/* Sets 'key' on 'o' (stealing 'v'); false when 'v' or 'o' is NULL (a failed encode). */
static bool
put(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0;
}

/* The compact text of 'o' when 'ok', else NULL; drops the reference either way. */
static char *
event_text(json_t *o, bool ok)
{
    char *s = ok ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

/* A ratio as "%.3f" wrote it: the spike event has always carried three decimals. */
static json_t *
ratio3(double v)
{
    char t[64];
    snprintf(t, sizeof(t), "%.3f", v);
    return json_real(strtod(t, NULL));
}

json_t *
codec_mention(const struct mention *m)
{
    json_t *o = json_object();
    bool ok = put(o, "id", json_integer(m->id));
    ok &= put(o, "platform", str_or_null(m->platform));
    ok &= put(o, "external_id", str_or_null(m->external_id));
    ok &= put(o, "author", json_string(m->author_handle ? m->author_handle : ""));
    ok &= put(o, "author_name", str_or_null(m->author_name));
    ok &= put(o, "text", str_or_null(m->text));
    ok &= put(o, "lang", str_or_null(m->lang));
    ok &= put(o, "url", str_or_null(m->url));
    ok &= put(o, "created_at", codec_time(m->created_at));
    ok &= put(o, "received_at", codec_time(m->received_at));
    ok &= put(o, "intent", str_or_null(m->intent));
    ok &= put(o, "sentiment", str_or_null(m->sentiment));
    ok &= put(o, "urgency", m->urgency >= 0 ? json_integer(m->urgency) : json_null());
    ok &= put(o, "addressed_to_brand", json_boolean(m->addressed_to_brand));
    ok &= put(o, "opportunity", json_boolean(m->opportunity));
    ok &= put(o, "conversation_id", id_or_null(m->conversation_id));
    ok &= put(o, "author_followers",
              m->author_followers >= 0 ? json_integer(m->author_followers) : json_null());
    ok &= put(o, "dismissed", json_boolean(m->dismissed_at != 0));
    ok &= put(o, "dismissed_at", m->dismissed_at ? codec_time(m->dismissed_at) : json_null());
    json_t *qs = json_array();
    for (size_t i = 0; i < m->nqueries; i++)
        ok &= json_array_append_new(qs, json_integer(m->query_ids[i])) == 0;
    ok &= put(o, "queries", qs);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
codec_spike(const struct spike_alert_row *a)
{
    json_t *o = json_object();
    bool ok = put(o, "id", json_integer(a->id));
    ok &= put(o, "query_id", json_integer(a->query_id));
    ok &= put(o, "kind", str_or_null(a->kind));
    ok &= put(o, "window_start", codec_time(a->window_start));
    ok &= put(o, "window_end", codec_time(a->window_end));
    ok &= put(o, "volume", json_integer(a->volume));
    ok &= put(o, "baseline", ratio3(a->baseline));
    ok &= put(o, "negative_share", ratio3(a->negative_share));
    ok &= put(o, "baseline_negative_share", ratio3(a->baseline_negative_share));
    ok &= put(o, "posts", codec_parse_array(a->posts));
    ok &= put(o, "created_at", codec_time(a->created_at));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *
codec_event_conv(const struct conv *c)
{
    json_t *o = json_object();
    return event_text(o, put(o, "conversation", codec_conv(c)));
}

char *
codec_event_msg(const struct msg *m, const struct conv *c)
{
    json_t *o = json_object();
    bool ok = put(o, "message", codec_msg(m));
    if (c)
        ok &= put(o, "conversation", codec_conv(c));
    return event_text(o, ok);
}

char *
codec_event_contact(int64_t contact_id)
{
    json_t *o = json_object();
    return event_text(o, put(o, "contact_id", json_integer(contact_id)));
}

char *
codec_event_callback(int64_t callback_id, int64_t conv_id, int64_t agent_id)
{
    json_t *o = json_object();
    bool ok = put(o, "callback_id", json_integer(callback_id)) &&
              put(o, "conversation_id", json_integer(conv_id)) &&
              put(o, "agent_id", agent_id ? json_integer(agent_id) : json_null());
    return event_text(o, ok);
}

char *
codec_event_triage_model(const char *kind, int64_t id)
{
    json_t *o = json_object();
    bool ok = put(o, "kind", json_string(kind));
    return event_text(o, put(o, "id", json_integer(id)) && ok);
}

char *
codec_event_agent_availability(int64_t agent_id, const char *availability)
{
    json_t *a = json_object();
    bool ok = put(a, "id", json_integer(agent_id));
    ok &= put(a, "availability", str_or_null(availability));
    json_t *o = json_object();
    return event_text(o, put(o, "agent", a) && ok);
}

char *
codec_event_routed(const struct routed *r)
{
    json_t *o = json_object();
    bool ok = put(o, "conversation_id", json_integer(r->conversation_id));
    ok &= put(o, "team_id", json_integer(r->team_id));
    ok &= put(o, "agent_id", json_integer(r->agent_id));
    ok &= put(o, "rule_id", json_integer(r->rule_id));
    ok &= put(o, "strategy", json_string(r->strategy ? r->strategy : ""));
    ok &= put(o, "queued", json_boolean(r->agent_id == 0));
    ok &= put(o, "escalation", json_integer(r->escalation));
    ok &= put(o, "reason", json_string(r->reason ? r->reason : ""));
    return event_text(o, ok);
}

char *
codec_event_sla(int64_t conv_id, bool paused, int64_t first_due, int64_t next_due,
                int64_t resolve_due)
{
    json_t *o = json_object();
    bool ok = put(o, "conversation_id", json_integer(conv_id));
    ok &= put(o, "paused", json_boolean(paused));
    ok &= put(o, "first_response_due", codec_time(first_due));
    ok &= put(o, "next_response_due", codec_time(next_due));
    ok &= put(o, "resolution_due", codec_time(resolve_due));
    return event_text(o, ok);
}

char *
codec_event_sla_timer(int64_t conv_id, const char *kind, const char *clock, int64_t due)
{
    json_t *o = json_object();
    bool ok = put(o, "conversation_id", json_integer(conv_id));
    ok &= put(o, "kind", json_string(kind));
    ok &= put(o, "clock", json_string(clock));
    ok &= put(o, "due_at", due > 0 ? codec_time(due) : json_null());
    return event_text(o, ok);
}

char *
codec_event_mention(const struct mention *m)
{
    json_t *o = codec_mention(m);
    return o ? event_text(o, true) : NULL;
}

char *
codec_event_spike(const struct spike_alert_row *a)
{
    json_t *o = codec_spike(a);
    return o ? event_text(o, true) : NULL;
}

/* ---- the audit log's events (api/audit.c writes them through store_audit_add) ---------- */

char *
codec_event_settings(const char *area, int64_t id, const char *action, int64_t actor_id,
                     const char *actor_name)
{
    json_t *actor = json_object();
    bool ok = put(actor, "id", id_or_null(actor_id));
    ok &= put(actor, "name", str_or_null(actor_name));
    json_t *o = json_object();
    ok &= put(o, "area", str_or_null(area));
    ok &= put(o, "id", id_or_null(id));
    ok &= put(o, "action", str_or_null(action));
    ok &= put(o, "actor", actor);
    return event_text(o, ok);
}

char *
codec_event_audit(int64_t audit_id, const char *action)
{
    json_t *o = json_object();
    bool ok = put(o, "id", json_integer(audit_id));
    ok &= put(o, "action", str_or_null(action));
    return event_text(o, ok);
}
