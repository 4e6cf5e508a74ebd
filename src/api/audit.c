/* SPDX-License-Identifier: MIT */
/*
 * audit.c - the audit log as a resource: GET /api/v1/audit (filtered, newest first, keyset
 * paging) and GET /api/v1/audit/export (the same filters as CSV, streamed page by page, with
 * formula-looking cells neutralised). What gets recorded is decided in audit_record.c.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "store/store.h"

#define LIST_LIMIT_MAX 200
#define LIST_LIMIT_DEFAULT 50
#define EXPORT_PAGE 200
#define EXPORT_FILL_BYTES (1u << 20) /* a fill stops adding rows past this */
#define FILTER_TEXT_MAX 200

/* A text filter: at most FILTER_TEXT_MAX bytes of UTF-8; NULL when absent or empty. < 0 after
 * replying 400. */
static int
text_arg_or_reply(struct http_req *r, const char *name, const char **out)
{
    const char *v = http_query(r, name);
    *out = NULL;
    if (!v || !v[0])
        return 0;
    if (strlen(v) > FILTER_TEXT_MAX || !utf8_valid(str_c(v))) {
        char msg[128];
        snprintf(msg, sizeof(msg), "invalid '%s': want at most %d characters of text", name,
                 FILTER_TEXT_MAX);
        http_reply_error(r, ERR_INVAL, msg);
        return ERR_INVAL;
    }
    *out = v;
    return 0;
}

/* A time filter: RFC 3339 or ms since epoch. < 0 after replying 400. */
static int
time_arg_or_reply(struct http_req *r, const char *name, int64_t *out)
{
    const char *v = http_query(r, name);
    if (!v || !v[0])
        return 0;
    if (clock_parse_iso(str_c(v), out) == 0 || str_to_i64(str_c(v), 0, INT64_MAX, out) == 0)
        return 0;
    char msg[128];
    snprintf(msg, sizeof(msg), "invalid '%s': want a time like 2026-12-01T09:00:00Z", name);
    http_reply_error(r, ERR_INVAL, msg);
    return ERR_INVAL;
}

/* Reads the filters shared by the list and the export. < 0 after replying 400. */
static int
filter_or_reply(struct http_req *r, struct audit_filter *f)
{
    memset(f, 0, sizeof(*f));
    const char *actor;
    if (text_arg_or_reply(r, "actor", &actor) < 0 ||
        text_arg_or_reply(r, "action", &f->action) < 0 ||
        text_arg_or_reply(r, "target_type", &f->target_type) < 0 ||
        text_arg_or_reply(r, "q", &f->q) < 0 ||
        api__query_int_or_reply(r, "target_id", 1, INT64_MAX, &f->target_id) < 0 ||
        time_arg_or_reply(r, "since", &f->since) < 0 ||
        time_arg_or_reply(r, "until", &f->until) < 0)
        return ERR_INVAL;
    /* 'actor' is an agent id, or text found in the actor's name. */
    if (actor && str_to_i64(str_c(actor), 1, INT64_MAX, &f->actor_agent_id) < 0)
        f->actor = actor;
    return 0;
}

static json_t *
id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

/* A stored string as JSON: text that is not UTF-8 (never written by Hark) shows as "". */
static json_t *
text(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

static json_t *
entry_json(const struct audit_entry *e)
{
    json_t *actor = json_pack("{s:o,s:o,s:o}", "agent_id", id_or_null(e->actor_agent_id),
                              "token_id", id_or_null(e->actor_token_id), "name", text(e->actor));
    json_t *target = e->target_type
                         ? json_pack("{s:o,s:o}", "type", text(e->target_type), "id",
                                     id_or_null(e->target_id))
                         : json_null();
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "at", codec_time(e->at));
    json_object_set_new(o, "actor", actor ? actor : json_null());
    json_object_set_new(o, "action", text(e->action));
    json_object_set_new(o, "target", target ? target : json_null());
    json_object_set_new(o, "summary", text(e->summary));
    json_object_set_new(o, "before", e->before ? codec_parse_object(e->before) : json_null());
    json_object_set_new(o, "after", e->after ? codec_parse_object(e->after) : json_null());
    json_object_set_new(o, "ip", text(e->ip));
    json_object_set_new(o, "request_id", text(e->request_id));
    return o;
}

void
api__audit_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct audit_filter f;
    int64_t limit = LIST_LIMIT_DEFAULT;
    if (filter_or_reply(r, &f) < 0 ||
        api__query_int_or_reply(r, "limit", 1, LIST_LIMIT_MAX, &limit) < 0 ||
        api__query_int_or_reply(r, "cursor", 1, INT64_MAX, &f.before_id) < 0)
        return;
    struct audit_entry *v;
    size_t n = 0;
    bool more = false;
    int rc = store_audit_list(a->st, http_arena(r), &f, (int)limit, &v, &n, &more);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the audit log");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, entry_json(&v[i]));
    json_t *out = json_object();
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "next_cursor",
                        more && n ? json_sprintf("%lld", (long long)v[n - 1].id) : json_null());
    api__reply(r, 200, out);
}

/* ---- CSV export ------------------------------------------------------------------------ */

/* One CSV cell: always quoted, quotes doubled. A cell a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or carriage return that hides one) gets a leading '. */
static void
csv_cell(struct buf *b, const char *s, bool last)
{
    if (!s)
        s = "";
    buf_addc(b, '"');
    if (strchr("=+-@\t\r", s[0]) && s[0])
        buf_addc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_addc(b, '"');
        buf_addc(b, *p);
    }
    buf_addc(b, '"');
    buf_adds(b, last ? "\r\n" : ",");
}

static void
csv_int(struct buf *b, int64_t v)
{
    if (v)
        buf_printf(b, "%lld,", (long long)v);
    else
        buf_addc(b, ',');
}

static const char csv_header[] = "id,at,actor,actor_agent_id,actor_token_id,action,target_type,"
                                 "target_id,summary,ip,request_id,before,after\r\n";

struct export {
    struct api *a;
    struct audit_filter f; /* strings owned: 'text' below */
    char *text[4];
    bool started, done;
};

static int
export_fill(void *ctx, struct buf *out)
{
    struct export *x = ctx;
    if (x->done || atomic_load(&x->a->stopping))
        return -1;
    if (!x->started) {
        buf_adds(out, csv_header);
        x->started = true;
    }
    struct arena *ar = arena_new(HARK_EXPORT_PAGE_ARENA_MAX);
    struct audit_entry *v;
    size_t n = 0;
    bool more = false;
    int rc = store_audit_list(x->a->st, ar, &x->f, EXPORT_PAGE, &v, &n, &more);
    if (rc < 0) {
        arena_free(ar);
        return -1; /* the download ends short; the client sees no final page */
    }
    size_t i = 0;
    for (; i < n && out->len < EXPORT_FILL_BYTES; i++) {
        const struct audit_entry *e = &v[i];
        char at[32];
        clock_fmt_iso(e->at, at, sizeof(at));
        buf_printf(out, "%lld,%s,", (long long)e->id, at);
        csv_cell(out, e->actor, false);
        csv_int(out, e->actor_agent_id);
        csv_int(out, e->actor_token_id);
        csv_cell(out, e->action, false);
        csv_cell(out, e->target_type, false);
        csv_int(out, e->target_id);
        csv_cell(out, e->summary, false);
        csv_cell(out, e->ip, false);
        csv_cell(out, e->request_id, false);
        csv_cell(out, e->before, false);
        csv_cell(out, e->after, true);
    }
    if (i)
        x->f.before_id = v[i - 1].id;
    x->done = i == n && !more;
    arena_free(ar);
    return 1; /* the next fill sends the next page, or ends */
}

static void
export_done(void *ctx)
{
    struct export *x = ctx;
    for (size_t i = 0; i < COUNTOF(x->text); i++)
        xfree(x->text[i]);
    xfree(x);
}

void
api__audit_export(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct audit_filter f;
    if (filter_or_reply(r, &f) < 0)
        return;
    /* The export is itself an audited action, recorded before the first byte goes out. */
    struct arena *ar = http_arena(r);
    struct buf what;
    buf_init(&what, 600);
    buf_adds(&what, "Exported the audit log as CSV");
    const char *names[] = { "action", "actor", "target_type", "q", "target_id", "since",
                            "until" };
    int nf = 0;
    for (size_t i = 0; i < COUNTOF(names); i++) {
        const char *v = http_query(r, names[i]);
        if (v && v[0])
            buf_printf(&what, "%s%s=%s", nf++ ? ", " : " (", names[i], v);
    }
    if (nf)
        buf_addc(&what, ')');
    struct audit_entry e = { .action = "audit.export", .summary = arena_strdup(ar, what.p) };
    buf_release(&what);
    /* A HEAD sends no rows: nothing was exported. */
    if (strcmp(http_method(r), "HEAD") != 0 && api__audit_record(r, a, &e, NULL) < 0) {
        http_reply_error(r, ERR_UNAVAIL, "cannot record the export; try again soon");
        return;
    }
    struct export *x = xcalloc(1, sizeof(*x));
    x->a = a;
    x->f = f;
    const char **own[] = { &x->f.action, &x->f.actor, &x->f.target_type, &x->f.q };
    for (size_t i = 0; i < COUNTOF(own); i++) {
        if (*own[i]) {
            x->text[i] = xstrdup(*own[i]);
            *own[i] = x->text[i];
        }
    }
    char day[32];
    clock_fmt_iso(clock_now_ms(), day, sizeof(day));
    day[10] = '\0';
    http_add_header(r, "Content-Disposition",
                    arena_printf(ar, "attachment; filename=\"hark-audit-%s.csv\"", day));
    http_add_header(r, "Cache-Control", "no-store");
    http_reply_stream(r, "text/csv; charset=utf-8", "", 3600 * 1000, export_fill, export_done,
                      x);
}
