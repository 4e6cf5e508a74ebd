/* SPDX-License-Identifier: MIT */
/*
 * calendars.c - business-hours calendars (admins write): a time zone, weekly hours and holiday
 * dates. Body: {"name","tz","hours":{"mon":[["09:00","17:00"]],...},"holidays":["2025-12-25"]}.
 * A range whose end is not after its start crosses midnight and is split in two days; "24:00"
 * is the next midnight. Every answer says whether the calendar is open now and when it opens.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "base/clock.h"
#include "store/store.h"

static const char *const days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int
invalid(struct http_req *r, const char *name, const char *want)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "invalid '%s': want %s", name, want);
    http_reply_error_status(r, 422, "invalid_field", msg);
    return ERR_INVAL;
}

/* "HH:MM" (00:00..24:00) as minutes, or -1. */
static int
minutes(json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++) {
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m))
        return -1;
    return h * 60 + m;
}

static int
cal_body(struct http_req *r, struct store_calendar *c)
{
    json_t *body = api__json_or_reply(r);
    if (!body)
        return ERR_INVAL;
    memset(c, 0, sizeof(*c));
    if (api__opt_string_or_reply(r, body, "name", MODEL_NAME_MAX, &c->name) < 0 ||
        api__opt_string_or_reply(r, body, "tz", 63, &c->tz) < 0)
        return ERR_INVAL;
    if (!c->name || !c->name[0])
        return invalid(r, "name", "a name");
    if (!c->tz || !routing_hours_valid_tz(c->tz))
        return invalid(r, "tz", "an IANA time zone such as Europe/Berlin");
    json_t *hours = json_object_get(body, "hours");
    if (hours && !json_is_object(hours))
        return invalid(r, "hours", "an object such as {\"mon\":[[\"09:00\",\"17:00\"]]}");
    struct store_range *rg = ARENA_NEW_N(http_arena(r), struct store_range, 64);
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(hours, k, v) {
        int dow = -1;
        for (int i = 0; i < 7; i++) {
            if (strcmp(k, days[i]) == 0)
                dow = i;
        }
        if (dow < 0)
            return invalid(r, "hours", "keys sun, mon, tue, wed, thu, fri, sat");
        if (!json_is_array(v))
            return invalid(r, "hours", "arrays of [\"HH:MM\",\"HH:MM\"] ranges");
        size_t i;
        json_t *pair;
        json_array_foreach(v, i, pair) {
            int s = minutes(json_array_get(pair, 0)), e = minutes(json_array_get(pair, 1));
            if (!json_is_array(pair) || json_array_size(pair) != 2 || s < 0 || e < 0 || n >= 62)
                return invalid(r, "hours", "arrays of [\"HH:MM\",\"HH:MM\"] ranges");
            if (s == 1440)
                return invalid(r, "hours", "a range starting before 24:00");
            if (e > s) {
                rg[n++] = (struct store_range){ dow, s, e };
            } else {
                rg[n++] = (struct store_range){ dow, s, 1440 };
                if (e > 0)
                    rg[n++] = (struct store_range){ (dow + 1) % 7, 0, e };
            }
        }
    }
    json_t *hol = json_object_get(body, "holidays");
    if (hol && !json_is_array(hol))
        return invalid(r, "holidays", "an array of \"YYYY-MM-DD\" dates");
    int32_t *hd = ARENA_NEW_N(http_arena(r), int32_t, json_array_size(hol) + 1);
    size_t nh = 0;
    size_t i;
    json_array_foreach(hol, i, v) {
        const char *s = json_string_value(v);
        int64_t ms;
        char iso[40];
        if (!s || strlen(s) != 10 || snprintf(iso, sizeof(iso), "%sT00:00:00Z", s) < 0 ||
            clock_parse_iso(str_c(iso), &ms) < 0 || nh >= 512)
            return invalid(r, "holidays", "an array of at most 512 \"YYYY-MM-DD\" dates");
        hd[nh++] = (int32_t)((s[0] - '0') * 10000000 + (s[1] - '0') * 1000000 +
                             (s[2] - '0') * 100000 + (s[3] - '0') * 10000 + (s[5] - '0') * 1000 +
                             (s[6] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0'));
    }
    struct routing_hours *h;
    struct errmsg em = { 0 };
    if (routing_hours_new(c->tz, rg, n, hd, nh, &h, &em) < 0) {
        http_reply_error_status(r, 422, "invalid_field", em.text);
        return ERR_INVAL;
    }
    routing_hours_free(h);
    c->ranges = rg;
    c->nranges = n;
    char *t = hours ? codec_dump(hours, NULL) : NULL;
    c->hours = t ? arena_strdup(http_arena(r), t) : "{}";
    xfree(t);
    t = hol ? codec_dump(hol, NULL) : NULL;
    c->holidays = t ? arena_strdup(http_arena(r), t) : "[]";
    xfree(t);
    return 0;
}

static json_t *
cal_json(const struct store_calendar *c)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)c->id, "name", c->name,
                          "tz", c->tz, "hours", codec_parse_object(c->hours), "holidays",
                          codec_parse_array(c->holidays));
    struct routing_hours *h;
    if (routing_hours_new(c->tz, c->ranges, c->nranges, c->holiday_days, c->nholiday_days, &h,
                       NULL) == 0) {
        int64_t now = clock_now_ms(), next = routing_hours_next_open(h, now);
        json_object_set_new(o, "open_now", json_boolean(next == now));
        json_object_set_new(o, "next_open", next == INT64_MAX ? json_null() : codec_time(next));
        routing_hours_free(h);
    }
    json_object_set_new(o, "created_at", codec_time(c->created_at));
    json_object_set_new(o, "updated_at", codec_time(c->updated_at));
    return o;
}

static void
reply_cal(struct http_req *r, struct api *a, int64_t id, unsigned status)
{
    struct store_calendar c;
    int rc = store_calendar_get(a->st, http_arena(r), id, &c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such calendar" : "cannot read calendar");
        return;
    }
    api__reply(r, status, cal_json(&c));
}

static void
put_cal(struct http_req *r, struct api *a, int64_t id)
{
    struct store_calendar c;
    if (cal_body(r, &c) < 0)
        return;
    int64_t out = 0;
    int rc = routing_calendar_put(care_routing(a->care), id, &c, &out);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such calendar" : "cannot save calendar");
        return;
    }
    reply_cal(r, a, out, id ? 200 : 201);
}

void
api__calendars_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_calendar *v;
    size_t n;
    int rc = store_calendar_list(a->st, http_arena(r), &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot list calendars");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, cal_json(&v[i]));
    api__reply(r, 200, json_pack("{s:o}", "items", items));
}

void
api__calendars_create(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    put_cal(r, a, 0);
}

void
api__calendar_get(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    reply_cal(r, a, id, 200);
}

void
api__calendar_update(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    put_cal(r, a, id);
}

void
api__calendar_delete(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    int rc = routing_calendar_delete(care_routing(a->care), id);
    if (rc < 0) {
        const char *why = rc == ERR_NOTFOUND   ? "no such calendar"
                          : rc == ERR_CONFLICT ? "a team, SLA policy or website chat uses it"
                                               : "cannot delete calendar";
        http_reply_error(r, rc, why);
        return;
    }
    http_reply(r, 204, "text/plain", "", 0);
}
