/* SPDX-License-Identifier: MIT */
/*
 * widget.c - the public endpoints of the chat widget: /api/v1/widget/{channel}/...
 *
 * These are the only API routes a stranger's browser may call without logging in, so each one
 * is narrow: the channel must be a "webchat" channel, a cross-origin caller must be one of the
 * channel's allowed origins (CORS, no cookies ever), and everything but /info and /session
 * needs a visitor token signed with the channel secret (channels/chan.h). A visitor sees only
 * their own conversation, and only its public messages: private notes and system events are
 * dropped here, before anything is encoded. Inbound messages go through care_hook, the same
 * pipeline (signature check, parse, triage, durable store) as every platform webhook.
 *
 * The event stream is /api/v1/events filtered to one conversation and re-encoded in the
 * widget's own small shapes; it resumes from Last-Event-ID like the agents' stream.
 */
#include "base/base.h"
#include "api/api_int.h"


#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/hub.h"
#include "base/limits.h"
#include "base/log.h"
#include "channels/chan.h"
#include "routing/routing.h"
#include "store/store.h"

#define WIDGET_TEAM_MAX 6
#define WIDGET_BATCH 128
#define WIDGET_FILL_BYTES (64u << 10) /* bytes one stream fill adds at most (plus one event) */
/* Rate limits (token buckets, throttle.c). A client address covers a whole office or a mobile
 * carrier's NAT, so its bucket is generous; one visitor is one person typing. */
#define WIDGET_CLIENT_BURST 120
#define WIDGET_CLIENT_PER_SEC 2.0
#define WIDGET_VISITOR_BURST 30
#define WIDGET_VISITOR_PER_SEC 0.5

/* The webchat channel a request names, with its parsed settings (released with the request). */
struct wchan {
    struct channel ch;
    json_t *settings;
};

static bool
origin_allowed(json_t *settings, const char *origin)
{
    json_t *list = json_object_get(settings, "allowed_origins");
    if (!json_is_array(list) || json_array_size(list) == 0)
        return true; /* not configured: any site may embed the widget */
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *o = json_string_value(v);
        if (o && (strcmp(o, "*") == 0 || strcasecmp(o, origin) == 0))
            return true;
    }
    return false;
}

/* Loads {channel}, checks it is a webchat channel and that the caller's origin may use it, and
 * adds the CORS headers (so that the widget can read a 429's Retry-After too). Then spends a
 * token of the client address's bucket. < 0 after replying. */
static int
channel_or_reply(struct http_req *r, struct api *a, struct wchan *w)
{
    int64_t id;
    if (str_to_i64(http_param(r, 0), 1, INT64_MAX, &id) < 0 ||
        store_channel_get(a->st, http_arena(r), id, &w->ch) < 0 ||
        strcmp(w->ch.type, "webchat") != 0 || !w->ch.enabled) {
        http_reply_error(r, ERR_NOTFOUND, "no such chat");
        return ERR_NOTFOUND;
    }
    w->settings = codec_parse_object(w->ch.settings);
    api__defer_decref(r, w->settings);
    const char *origin = http_header(r, "Origin");
    if (origin) {
        if (!origin_allowed(w->settings, origin)) {
            http_reply_error(r, ERR_PERM, "this site may not use this chat");
            return ERR_PERM;
        }
        http_add_header(r, "Access-Control-Allow-Origin", origin);
        http_add_header(r, "Access-Control-Expose-Headers", "Retry-After");
        http_add_header(r, "Vary", "Origin");
    }
    char key[80];
    snprintf(key, sizeof(key), "c:%.70s", http_client(r));
    return api__throttle_or_reply(r, a, key, WIDGET_CLIENT_BURST, WIDGET_CLIENT_PER_SEC);
}

/* The visitor named by the X-Hark-Visitor header (or ?token=), who then spends a token of
 * their own bucket. < 0 after replying 401 or 429. */
static int
visitor_or_reply(struct http_req *r, struct api *a, const struct wchan *w, char *id)
{
    const char *token = http_header(r, "X-Hark-Visitor");
    if (!token)
        token = http_query(r, "token");
    if (chan_webchat_visitor(&w->ch, token, id) < 0) {
        http_add_header(r, "WWW-Authenticate", "X-Hark-Visitor realm=\"widget\"");
        http_reply_error(r, ERR_AUTH, "unknown visitor: start a session first");
        return ERR_AUTH;
    }
    char key[80];
    snprintf(key, sizeof(key), "v:%lld:%s", (long long)w->ch.id, id);
    return api__throttle_or_reply(r, a, key, WIDGET_VISITOR_BURST, WIDGET_VISITOR_PER_SEC);
}

/* What a visitor may know about an agent: the public profile only. */
static json_t *
agent_public(struct api *a, struct arena *ar, int64_t agent_id)
{
    struct agent ag;
    if (!agent_id || store_agent_get(a->st, ar, agent_id, &ag) < 0)
        return json_null();
    return json_pack("{s:s,s:s,s:s}", "display_name", ag.display_name ? ag.display_name : "",
                     "avatar_url", ag.avatar_url ? ag.avatar_url : "", "bio",
                     ag.bio ? ag.bio : "");
}

/* A message as the widget sees it, from the codec's JSON ('m' borrowed); NULL for anything a
 * visitor must not see (notes, system events). */
static json_t *
widget_msg(struct api *a, struct arena *ar, json_t *m)
{
    const char *kind = json_string_value(json_object_get(m, "kind"));
    if (!kind || strcmp(kind, "message") != 0)
        return NULL;
    json_t *o = json_object();
    json_object_set(o, "id", json_object_get(m, "id"));
    json_object_set(o, "direction", json_object_get(m, "direction"));
    json_object_set(o, "text", json_object_get(m, "text"));
    json_object_set(o, "status", json_object_get(m, "status"));
    json_object_set(o, "created_at", json_object_get(m, "created_at"));
    json_object_set_new(o, "bot", json_boolean(json_is_true(json_object_get(m, "bot"))));
    const char *dir = json_string_value(json_object_get(m, "direction"));
    json_int_t author = json_integer_value(json_object_get(m, "author_agent_id"));
    json_object_set_new(o, "author", dir && strcmp(dir, "out") == 0 && author
                                         ? agent_public(a, ar, author)
                                         : json_null());
    /* A survey sent by Hark: the widget shows it as stars. */
    json_t *sv = dir && strcmp(dir, "out") == 0 && !author
                     ? api__survey_widget_json(a, ar, json_integer_value(json_object_get(m, "id")))
                     : NULL;
    if (sv)
        json_object_set_new(o, "survey", sv);
    return o;
}

static json_t *
widget_conv(struct api *a, struct arena *ar, const struct conv *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "agent", agent_public(a, ar, c->assignee_id));
    return o;
}

/* The visitor's conversation as JSON, or JSON null when they have not written yet. */
static json_t *
visitor_conv(struct api *a, struct arena *ar, const struct wchan *w, const char *visitor,
             int64_t *conv_id)
{
    struct conv c;
    *conv_id = 0;
    if (store_widget_conv(a->st, w->ch.id, visitor, conv_id) < 0 ||
        store_conv_get(a->st, ar, *conv_id, &c) < 0) {
        *conv_id = 0;
        return json_null();
    }
    return widget_conv(a, ar, &c);
}

void
api__widget_preflight(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    if (channel_or_reply(r, a, &w) < 0)
        return;
    http_add_header(r, "Access-Control-Allow-Methods", "GET, POST");
    http_add_header(r, "Access-Control-Allow-Headers", "Content-Type, X-Hark-Visitor, Last-Event-ID");
    http_add_header(r, "Access-Control-Max-Age", "600");
    http_reply(r, 204, NULL, "", 0);
}

/* The widget's office hours, from the business-hours calendar of its settings: whether the
 * team is in now and when it is next ('next_open' null when it never opens again), with the
 * calendar's zone so the widget can say "Back Monday at 09:00" in local time. JSON null when
 * no calendar is set or it was deleted. */
static json_t *
widget_hours(struct api *a, struct arena *ar, json_t *settings)
{
    json_t *id = json_object_get(settings, "calendar_id");
    struct store_calendar cal;
    struct routing_hours *h;
    if (!json_is_integer(id) ||
        store_calendar_get(a->st, ar, json_integer_value(id), &cal) < 0 ||
        routing_hours_new(cal.tz, cal.ranges, cal.nranges, cal.holiday_days, cal.nholiday_days,
                          &h, NULL) < 0)
        return json_null();
    int64_t now = clock_now_ms(), next = routing_hours_next_open(h, now);
    routing_hours_free(h);
    return json_pack("{s:b,s:o,s:s}", "open_now", next == now, "next_open",
                     next == INT64_MAX ? json_null() : codec_time(next), "tz", cal.tz);
}

void
api__widget_info(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    if (channel_or_reply(r, a, &w) < 0)
        return;
    json_t *s = w.settings;
    json_t *o = json_object();
    json_object_set_new(o, "channel_id", json_integer(w.ch.id));
    json_t *brand = json_object_get(s, "brand_name");
    json_object_set_new(o, "brand_name", brand ? json_copy(brand) : json_string(w.ch.name));
    const char *keys[] = { "greeting", "launcher_text", "color", "reply_minutes" };
    for (size_t i = 0; i < COUNTOF(keys); i++) {
        json_t *v = json_object_get(s, keys[i]);
        json_object_set_new(o, keys[i], v ? json_copy(v) : json_null());
    }
    json_object_set_new(o, "hours", widget_hours(a, http_arena(r), s));
    struct agent *ags;
    size_t n = 0;
    json_t *team = json_array();
    if (store_agent_list(a->st, http_arena(r), &ags, &n) == 0) {
        for (size_t i = 0; i < n && json_array_size(team) < WIDGET_TEAM_MAX; i++)
            json_array_append_new(team, json_pack("{s:s,s:s}", "display_name",
                                                  ags[i].display_name ? ags[i].display_name : "",
                                                  "avatar_url",
                                                  ags[i].avatar_url ? ags[i].avatar_url : ""));
    }
    json_object_set_new(o, "team", team);
    http_add_header(r, "Cache-Control", "no-cache");
    api__reply(r, 200, o);
}

void
api__widget_session(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    if (channel_or_reply(r, a, &w) < 0)
        return;
    const char *old = NULL;
    if (http_body(r).len) {
        json_t *body = api__json_or_reply(r);
        if (!body || api__opt_string_or_reply(r, body, "token", CHAN_VISITOR_TOKEN_MAX, &old) < 0)
            return;
    }
    char id[CHAN_VISITOR_ID_LEN + 1], token[CHAN_VISITOR_TOKEN_MAX];
    if (old && chan_webchat_visitor(&w.ch, old, id) == 0) {
        snprintf(token, sizeof(token), "%s", old);
    } else {
        /* A missing, forged or other channel's token starts a new visitor. */
        chan_webchat_new_visitor(&w.ch, id, token);
    }
    int64_t conv_id;
    json_t *o = json_object();
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "conversation", visitor_conv(a, http_arena(r), &w, id, &conv_id));
    api__reply(r, 200, o);
}

void
api__widget_messages(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    char id[CHAN_VISITOR_ID_LEN + 1];
    int64_t before, next = 0;
    int limit;
    if (channel_or_reply(r, a, &w) < 0 || visitor_or_reply(r, a, &w, id) < 0 ||
        api__msg_page_or_reply(r, &before, &limit) < 0)
        return;
    /* Read the resume point first: an event that lands while we read is then sent again by
     * the stream rather than lost (the widget drops repeats by message id). */
    int64_t last = hub_last_seq(a->hub);
    struct arena *ar = http_arena(r);
    int64_t conv_id;
    json_t *conv = visitor_conv(a, ar, &w, id, &conv_id);
    json_t *items = json_array();
    struct msg *msgs;
    size_t n = 0;
    if (conv_id && store_msg_list(a->st, ar, conv_id, before, limit, &msgs, &n, &next) == 0) {
        for (size_t i = 0; i < n; i++) {
            json_t *full = codec_msg(&msgs[i]);
            json_t *m = widget_msg(a, ar, full);
            json_decref(full);
            if (m)
                json_array_append_new(items, m);
        }
    }
    json_t *o = json_object();
    json_object_set_new(o, "conversation", conv);
    json_object_set_new(o, "messages", items);
    json_object_set_new(o, "next_cursor", api__msg_cursor(next));
    json_object_set_new(o, "last_event_id", json_integer(last));
    api__reply(r, 200, o);
}

static const char *
hook_header(void *ctx, const char *name)
{
    return http_header(ctx, name);
}

void
api__widget_send(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    char id[CHAN_VISITOR_ID_LEN + 1];
    if (channel_or_reply(r, a, &w) < 0 || visitor_or_reply(r, a, &w, id) < 0)
        return;
    struct chan_hook hook = { .method = "POST", .body = http_body(r), .header = hook_header,
                              .ctx = r };
    struct care_hook_result res;
    struct errmsg em = { 0 };
    int rc = care_hook(a->care, http_arena(r), w.ch.id, &hook, &res, &em);
    if (rc < 0) {
        if (rc == ERR_INVAL)
            http_reply_error_status(r, 422, "invalid_field", em.set ? em.text : "invalid message");
        else
            http_reply_error(r, rc, em.set ? em.text : "cannot accept message");
        return;
    }
    struct arena *ar = http_arena(r);
    struct msg m;
    struct conv c;
    rc = store_msg_get(a->st, ar, res.first.message_id, &m);
    if (rc == 0)
        rc = store_conv_get(a->st, ar, res.first.conversation_id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read message");
        return;
    }
    json_t *full = codec_msg(&m);
    json_t *o = json_object();
    json_object_set_new(o, "message", widget_msg(a, ar, full));
    json_object_set_new(o, "conversation", widget_conv(a, ar, &c));
    json_object_set_new(o, "duplicate", json_boolean(res.first.duplicate));
    json_decref(full);
    api__reply(r, res.first.duplicate ? 200 : 201, o);
}

void
api__widget_survey(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    char id[CHAN_VISITOR_ID_LEN + 1];
    if (channel_or_reply(r, a, &w) < 0 || visitor_or_reply(r, a, &w, id) < 0)
        return;
    int64_t conv_id = 0;
    if (store_widget_conv(a->st, w.ch.id, id, &conv_id) < 0) {
        http_reply_error(r, ERR_NOTFOUND, "no such survey");
        return;
    }
    api__survey_widget_answer(r, a, conv_id);
}

/* ---- the visitor's event stream ------------------------------------------------------ */

struct wsse {
    struct api *a;
    int64_t channel_id;
    char visitor[CHAN_VISITOR_ID_LEN + 1];
    int64_t conv_id;       /* 0 until the visitor's first message creates it */
    int64_t last;          /* last sequence number considered */
    bool opened;           /* the opening was written */
    bool full;             /* this fill's buffer is full: consider nothing more */
    struct hub_sub sub;
    struct http_stream *stream;
};

static void
wsse_wake(void *arg)
{
    struct wsse *s = arg;
    http_stream_wake(s->stream);
}

/* Appends one event to 'out'. A full 'out' keeps its whole events: this one is read again by
 * the next fill ('s->last' goes back before it, 's->full' stops this fill); only an event
 * larger than the whole buffer is skipped. */
static void
wsse_emit(struct wsse *s, struct buf *out, int64_t seq, const char *type, json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    int rc = http_sse_event(out, seq, type, text ? text : "{}", text ? strlen(text) : 2);
    free(text);
    if (rc < 0) {
        if (out->len > 0) {
            s->last = seq - 1;
            s->full = true;
            return;
        }
        log_warn("api", "event larger than the stream buffer skipped", "seq=%lld",
                 (long long)seq);
    }
}

/* Re-encodes one agent-side event for the visitor, or drops it. */
static void
wsse_consider(struct wsse *s, struct buf *out, int64_t seq, const char *type, const char *data)
{
    if (s->full)
        return; /* full: this event is read again by the next fill */
    s->last = seq;
    bool is_msg = strncmp(type, "message.", 8) == 0;
    if (!is_msg && strncmp(type, "conversation.", 13) != 0)
        return;
    json_t *d = json_loads(data, 0, NULL);
    json_t *conv = json_object_get(d, "conversation");
    json_t *msg = json_object_get(d, "message");
    json_int_t cid = json_integer_value(json_object_get(is_msg ? msg : conv, is_msg ?
                                                        "conversation_id" : "id"));
    struct arena *ar = arena_new(HARK_JOB_ARENA_MAX);
    if (!s->conv_id && json_integer_value(json_object_get(conv, "channel_id")) == s->channel_id) {
        /* The visitor's conversation may have just been created. */
        int64_t found;
        if (store_widget_conv(s->a->st, s->channel_id, s->visitor, &found) == 0)
            s->conv_id = found;
    }
    if (s->conv_id && cid == s->conv_id) {
        if (is_msg) {
            json_t *m = widget_msg(s->a, ar, msg);
            if (m) {
                wsse_emit(s, out, seq, "message", m);
                json_decref(m);
            }
        } else {
            struct conv c;
            if (store_conv_get(s->a->st, ar, s->conv_id, &c) == 0) {
                json_t *o = widget_conv(s->a, ar, &c);
                wsse_emit(s, out, seq, "conversation", o);
                json_decref(o);
            }
        }
    }
    arena_free(ar);
    json_decref(d);
}

static bool
wsse_refill(struct wsse *s, struct buf *out)
{
    struct hub_event ev[WIDGET_BATCH];
    size_t before = out->len;
    int64_t start = s->last;
    ssize_t n = hub_read(s->a->hub, s->last, ev, WIDGET_BATCH);
    /* Past WIDGET_FILL_BYTES the rest waits for the next fill ('last' stays on the last one
     * considered), so a visitor who does not read holds little. */
    if (n > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (out->len < WIDGET_FILL_BYTES)
                wsse_consider(s, out, ev[i].seq, ev[i].type, ev[i].data);
            hub_event_release(&ev[i]);
        }
    } else if (n < 0) {
        struct arena *ar = arena_new(HARK_EVENT_PAGE_ARENA_MAX);
        struct store_event *v;
        size_t cnt = 0;
        if (store_events_after(s->a->st, ar, s->last, WIDGET_BATCH, &v, &cnt) == 0) {
            for (size_t i = 0; i < cnt && out->len < WIDGET_FILL_BYTES; i++)
                wsse_consider(s, out, v[i].seq, v[i].type, v[i].data);
        }
        arena_free(ar);
    }
    /* Progress (even with everything filtered out) means: look again. */
    return out->len > before || s->last != start;
}

static int
wsse_fill(void *ctx, struct buf *out)
{
    struct wsse *s = ctx;
    if (atomic_load(&s->a->stopping))
        return -1;
    s->full = false;
    if (!s->opened) {
        http_sse_open(out, 3000);
        s->opened = true;
    }
    /* Skip past events for other conversations until something is written, a bounded number
     * of batches per fill so one fill never runs long. */
    for (int i = 0; i < 8 && out->len < WIDGET_FILL_BYTES; i++) {
        size_t before = out->len;
        if (!wsse_refill(s, out))
            return 0;
        if (out->len > before)
            return 1;
    }
    return 1;
}

static void
wsse_done(void *ctx)
{
    struct wsse *s = ctx;
    hub_unsubscribe(s->a->hub, &s->sub);
    atomic_fetch_sub(&s->a->sse_clients, 1);
    xfree(s);
}

void
api__widget_events(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct wchan w;
    char id[CHAN_VISITOR_ID_LEN + 1];
    if (channel_or_reply(r, a, &w) < 0 || visitor_or_reply(r, a, &w, id) < 0)
        return;
    int64_t last = hub_last_seq(a->hub);
    const char *resume = http_header(r, "Last-Event-ID");
    if (!resume)
        resume = http_query(r, "last_event_id");
    if (resume && str_to_i64(str_c(resume), 0, INT64_MAX, &last) < 0) {
        http_reply_error(r, ERR_INVAL, "invalid 'Last-Event-ID': want an event id");
        return;
    }
    if (atomic_fetch_add(&a->sse_clients, 1) >= a->cfg.max_streams) {
        atomic_fetch_sub(&a->sse_clients, 1);
        http_add_header(r, "Retry-After", "30");
        http_reply_error(r, ERR_BUSY, "too many live chats; try again soon");
        return;
    }
    struct wsse *s = xcalloc(1, sizeof(*s));
    s->a = a;
    s->channel_id = w.ch.id;
    memcpy(s->visitor, id, sizeof(s->visitor));
    s->last = last;
    int64_t conv_id;
    if (store_widget_conv(a->st, w.ch.id, id, &conv_id) == 0)
        s->conv_id = conv_id;
    s->sub.wake = wsse_wake;
    s->sub.arg = s;
    s->stream = http_reply_stream(r, "text/event-stream", ": heartbeat\n\n",
                                  a->cfg.heartbeat_ms > 0 ? a->cfg.heartbeat_ms : 15000,
                                  wsse_fill, wsse_done, s);
    hub_subscribe(a->hub, &s->sub);
}
