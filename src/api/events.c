/* SPDX-License-Identifier: MIT */
/*
 * events.c - GET /api/v1/events: persisted, numbered events as Server-Sent Events.
 *
 * A stream holds no thread: the hub's wake schedules a fill (http/stream.c), which copies new
 * events from the hub's ring; when it has fallen behind the ring (or resumes from an old
 * Last-Event-ID) it reads the gap from the store, so nothing is lost. The server sends a
 * heartbeat comment after 'heartbeat_ms' of silence. A slow client is filled only as fast as it
 * reads, so its backlog stays in the hub or the store.
 *
 * A stream outlives no credential: whenever the store's credentials epoch moves (a logout, a
 * disabled agent, a new password, a revoked token, and once a minute with the session expiry),
 * the next fill checks the stream's session or token again and ends the stream if it is gone.
 *
 * A store-staff stream is sent only the events of conversations (and contacts) in its scope,
 * checked against the store when each event is written out, live or resumed alike; listening
 * events are not sent to it at all.
 */
#include "base/base.h"
#include "api/api_int.h"

#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/hub.h"
#include "base/log.h"
#include "base/limits.h"
#include "store/store.h"

#define BATCH 128
/* Listening can match 1,000 posts a second; a stream is sent at most this many mention.created
 * events in each second (of the monotonic clock). The first one past it in a second is sent as
 * a small mention.held event instead ({"mention_id"}: more mentions came than were sent; read
 * the list again), the rest of that second's are passed over. The web app's listening screen
 * reads the list on a mention.held and once more after the second is over. */
#define MENTIONS_PER_SECOND 20
#define FILL_BYTES (64u << 10) /* a fill stops adding events past this: a stream that is not
                                * read holds at most this much (plus one event) */

struct sse {
    struct api *a;
    const char *role;       /* the principal's role at open (a static string, see role_sees) */
    char *credential;       /* the session cookie or bearer token the stream was opened with */
    bool bearer;            /* 'credential' is an API token */
    uint64_t epoch;         /* store_credentials_epoch at the last check */
    int64_t presence_agent; /* the web app's agent, online while connected; 0: none */
    int64_t last;           /* last sequence number written out */
    bool scoped;            /* a store-staff stream: events are filtered by 'scope' */
    struct store_scope scope;
    char *scope_store;      /* owned copy of scope.store */
    bool opened;            /* the opening ("retry", ": connected") was written */
    int64_t mention_second; /* clock_mono_ms() / 1000 of the mention.created events counted */
    int mentions_sent;      /* mention.created events sent in that second (+1 once held) */
    struct hub_sub sub;
    struct http_stream *stream;
};

/* Whether the stream's role is sent events of 'type': the audit log's audit.recorded only
 * admins, settings.changed admins and supervisors (they carry no customer data, but only
 * those roles have settings screens to refresh). */
static bool
role_sees(const struct sse *s, const char *type)
{
    if (strncmp(type, "audit.", 6) == 0)
        return strcmp(s->role, "admin") == 0;
    if (strcmp(type, "settings.changed") == 0)
        return strcmp(s->role, "admin") == 0 || strcmp(s->role, "supervisor") == 0;
    return true;
}

static void
on_wake(void *arg)
{
    struct sse *s = arg;
    http_stream_wake(s->stream);
}

/* Whether a scoped stream may see the event: listening events never; an event about a
 * conversation (its "conversation" object or "conversation_id") or a contact only when that
 * is in scope; the rest (agents, settings) always. */
static bool
event_visible(struct sse *s, const char *type, const char *data)
{
    if (!s->scoped)
        return true;
    if (strncmp(type, "mention.", 8) == 0 || strncmp(type, "listening.", 10) == 0)
        return false;
    json_t *j = json_loads(data, 0, NULL);
    if (!j)
        return false;
    json_t *conv = json_object_get(j, "conversation");
    json_t *id = conv ? json_object_get(conv, "id") : json_object_get(j, "conversation_id");
    json_t *contact = json_object_get(j, "contact_id");
    int rc = 0;
    if (json_is_integer(id))
        rc = store_conv_visible(s->a->st, &s->scope, json_integer_value(id));
    else if (json_is_integer(contact))
        rc = store_contact_visible(s->a->st, &s->scope, json_integer_value(contact));
    json_decref(j);
    return rc == 0;
}

/* Appends one event to 'out' and moves 's->last' past it. A full 'out' keeps its whole events
 * and returns false with 's->last' before this one, so it is read again by the next fill; only
 * an event larger than the whole buffer is skipped. */
static bool
add_event(struct sse *s, struct buf *out, int64_t seq, const char *type, const char *data)
{
    if (!event_visible(s, type, data)) {
        s->last = seq;
        return true;
    }
    char held[64];
    if (strcmp(type, "mention.created") == 0) {
        int64_t sec = clock_mono_ms() / 1000;
        if (sec != s->mention_second) {
            s->mention_second = sec;
            s->mentions_sent = 0;
        }
        if (s->mentions_sent > MENTIONS_PER_SECOND) {
            s->last = seq; /* held: the mention.held already sent this second covers it */
            return true;
        }
        if (s->mentions_sent++ == MENTIONS_PER_SECOND) {
            /* The mention's id, from the start of its JSON ({"id":N,...}). */
            const char *p = strstr(data, "\"id\":");
            long long mid = p ? strtoll(p + 5, NULL, 10) : 0;
            snprintf(held, sizeof(held), "{\"mention_id\":%lld}", mid);
            type = "mention.held";
            data = held;
        }
    }
    if (http_sse_event(out, seq, type, data, strlen(data)) < 0) {
        if (out->len > 0) {
            if (strncmp(type, "mention.", 8) == 0)
                s->mentions_sent--; /* not sent: counted again when it is */
            return false; /* full: this event starts the next fill ('last' stays before it) */
        }
        log_warn("api", "event larger than the stream buffer skipped", "seq=%lld",
                 (long long)seq);
    }
    s->last = seq;
    return true;
}

/* add_event for an event the stream's role is sent; any other is passed over. */
static bool
add_seen(struct sse *s, struct buf *out, int64_t seq, const char *type, const char *data)
{
    if (role_sees(s, type))
        return add_event(s, out, seq, type, data);
    s->last = seq;
    return true;
}

/* Appends events after 's->last' to 'out'. Returns true when something was added. */
static bool
refill(struct sse *s, struct buf *out)
{
    struct hub_event ev[BATCH];
    ssize_t n = hub_read(s->a->hub, s->last, ev, BATCH);
    if (n > 0) {
        bool room = true;
        for (ssize_t i = 0; i < n; i++) {
            if (room && out->len < FILL_BYTES)
                room = add_seen(s, out, ev[i].seq, ev[i].type, ev[i].data);
            else
                room = false;
            hub_event_release(&ev[i]);
        }
        return true;
    }
    if (n == 0)
        return false;
    /* Fell behind the ring: read the gap from the database. */
    struct arena *ar = arena_new(HARK_EVENT_PAGE_ARENA_MAX);
    struct store_event *v;
    size_t cnt = 0;
    if (store_events_after(s->a->st, ar, s->last, BATCH, &v, &cnt) == 0) {
        for (size_t i = 0; i < cnt && out->len < FILL_BYTES; i++) {
            if (!add_seen(s, out, v[i].seq, v[i].type, v[i].data))
                break;
        }
    }
    arena_free(ar);
    return cnt > 0;
}

/* Whether two stores (NULL: none) are the same, compared as the store queries compare them. */
static bool
same_store(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcasecmp(a, b) == 0;
}

/* False when the credential the stream was opened with no longer authenticates, or no longer
 * has the scope the stream filters with. */
static bool
still_allowed(struct sse *s)
{
    uint64_t epoch = store_credentials_epoch(s->a->st);
    if (epoch == s->epoch)
        return true;
    s->epoch = epoch;
    struct auth *au = care_auth(s->a->care);
    struct arena *ar = arena_new(HARK_SMALL_JOB_ARENA_MAX);
    struct auth_principal p;
    int rc = s->bearer ? auth_bearer(au, ar, s->credential, &p)
                       : auth_session(au, ar, s->credential, &p);
    /* A role or store change ends the stream; the client reconnects with its new scope. */
    bool rescoped = rc == 0 && (s->scoped != p.scope.limited ||
                                (s->scoped && !same_store(s->scope.store, p.scope.store)));
    arena_free(ar);
    /* Only a credential that is gone ends the stream; a store hiccup is checked next time. */
    if (rc == ERR_AUTH) {
        log_info("api", "event stream ended: its credential is gone", "agent=%lld",
                 (long long)s->presence_agent);
        return false;
    }
    if (rc < 0)
        s->epoch = 0;
    if (rescoped) {
        log_info("api", "event stream ended: its scope changed", "agent=%lld",
                 (long long)s->presence_agent);
        return false;
    }
    return true;
}

static int
sse_fill(void *ctx, struct buf *out)
{
    struct sse *s = ctx;
    if (atomic_load(&s->a->stopping) || !still_allowed(s))
        return -1;
    if (!s->opened) {
        http_sse_open(out, 3000);
        s->opened = true;
    }
    return refill(s, out) ? 1 : 0;
}

static void
sse_done(void *ctx)
{
    struct sse *s = ctx;
    hub_unsubscribe(s->a->hub, &s->sub);
    if (s->presence_agent)
        routing_presence(care_routing(s->a->care), s->presence_agent, false);
    atomic_fetch_sub(&s->a->sse_clients, 1);
    xfree(s->credential);
    xfree(s->scope_store);
    xfree(s);
}

void
api__events(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const struct auth_principal *p = api__principal(r);
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
        http_reply_error(r, ERR_UNAVAIL, "too many open event streams; try again soon");
        return;
    }
    struct sse *s = xcalloc(1, sizeof(*s));
    s->a = a;
    s->last = last;
    if (p->scope.limited) {
        s->scoped = true;
        s->scope_store = p->scope.store ? xstrdup(p->scope.store) : NULL;
        s->scope = (struct store_scope){ .limited = true, .store = s->scope_store,
                                         .agent_id = p->scope.agent_id };
    }
    /* Kept to check again when credentials change (api__auth_or_reply took the same). */
    const char *authz = http_header(r, "Authorization");
    const char *cookie = http_cookie(r, a->cfg.secure_cookies ? API_COOKIE_SECURE : API_COOKIE);
    s->bearer = authz != NULL;
    s->credential = xstrdup(authz ? authz + 7 : cookie ? cookie : "");
    s->epoch = 0; /* the first fill checks again: a change since the check above is not missed */
    s->sub.wake = on_wake;
    s->sub.arg = s;
    s->role = strcmp(p->role, "admin") == 0        ? "admin"
              : strcmp(p->role, "supervisor") == 0 ? "supervisor"
                                                    : "other";
    /* A HEAD ends at once (http_reply_stream): it does not make the agent present. */
    if (p->via_cookie && p->agent_id && strcmp(http_method(r), "HEAD") != 0) {
        s->presence_agent = p->agent_id;
        routing_presence(care_routing(a->care), p->agent_id, true);
    }
    /* Subscribe only once the stream exists (the wake needs it); an event published in
     * between is still sent, since the first fill reads everything after 'last'. */
    s->stream = http_reply_stream(r, "text/event-stream", ": heartbeat\n\n",
                                  a->cfg.heartbeat_ms > 0 ? a->cfg.heartbeat_ms : 15000,
                                  sse_fill, sse_done, s);
    hub_subscribe(a->hub, &s->sub);
}
