/* SPDX-License-Identifier: MIT */
/*
 * hours.c - business-hours arithmetic over a calendar: is it open, when does it open next,
 * the instant a number of business milliseconds after a start, and the business time between
 * two instants.
 *
 * Time-zone rules come from ICU's calendar (ucal), never from our own tables: every opening
 * range is turned into UTC instants by asking ICU for "this local date at this wall time", so
 * daylight-saving changes and midnight fall out of the zone data. A wall time that does not
 * exist (the skipped hour in spring) maps to the instant after the gap; a repeated one (the
 * autumn hour) maps to its first occurrence. Arithmetic walks local days, at most
 * HOURS_MAX_DAYS ahead.
 */
#include "base/base.h"
#include "routing/routing_int.h"

#include <stdio.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>

#define HOURS_MAX_DAYS 800
#define RANGES_MAX 64
#define HOLIDAYS_MAX 512

struct routing_hours {
    UChar tz[64];
    int32_t tzlen;
    struct store_range ranges[RANGES_MAX]; /* sorted by dow, start */
    size_t nranges;
    int32_t holidays[HOLIDAYS_MAX];        /* YYYYMMDD, sorted */
    size_t nholidays;
};

static UCalendar *
cal_open(const struct routing_hours *h)
{
    UErrorCode st = U_ZERO_ERROR;
    UCalendar *c = ucal_open(h->tz, h->tzlen, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st))
        return NULL;
    return c;
}

bool
routing_hours_valid_tz(const char *tz)
{
    if (!tz || !tz[0] || strlen(tz) >= 64)
        return false;
    UChar u[64];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, 64, &n, tz, -1, &st);
    if (U_FAILURE(st))
        return false;
    UChar canon[128];
    UBool system = 0;
    st = U_ZERO_ERROR;
    ucal_getCanonicalTimeZoneID(u, n, canon, 128, &system, &st);
    return U_SUCCESS(st) && system;
}

static int
cmp_range(const void *a, const void *b)
{
    const struct store_range *x = a, *y = b;
    if (x->dow != y->dow)
        return x->dow - y->dow;
    return x->start_min - y->start_min;
}

static int
cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int
routing_hours_new(const char *tz, const struct store_range *ranges, size_t nranges,
               const int32_t *holidays, size_t nholidays, struct routing_hours **out,
               struct errmsg *em)
{
    if (!routing_hours_valid_tz(tz))
        return errmsg_set(em, ERR_INVAL, "invalid 'tz': want an IANA time zone such as "
                                         "Europe/Berlin");
    if (nranges > RANGES_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'hours': at most %d ranges", RANGES_MAX);
    if (nholidays > HOLIDAYS_MAX)
        return errmsg_set(em, ERR_INVAL, "invalid 'holidays': at most %d dates", HOLIDAYS_MAX);
    for (size_t i = 0; i < nranges; i++) {
        const struct store_range *r = &ranges[i];
        if (r->dow < 0 || r->dow > 6 || r->start_min < 0 || r->end_min > 1440 ||
            r->start_min >= r->end_min)
            return errmsg_set(em, ERR_INVAL, "invalid 'hours': bad range");
    }
    struct routing_hours *h = xcalloc(1, sizeof(*h));
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(h->tz, 64, &h->tzlen, tz, -1, &st);
    if (nranges)
        memcpy(h->ranges, ranges, nranges * sizeof(*ranges));
    h->nranges = nranges;
    qsort(h->ranges, nranges, sizeof(*ranges), cmp_range);
    if (nholidays)
        memcpy(h->holidays, holidays, nholidays * sizeof(*holidays));
    h->nholidays = nholidays;
    qsort(h->holidays, nholidays, sizeof(*holidays), cmp_i32);
    *out = h;
    return 0;
}

void
routing_hours_free(struct routing_hours *h)
{
    xfree(h);
}

/* One local day, cursor for walking the calendar. */
struct day {
    int32_t y, m, d; /* ICU month is 0-based */
    int dow;         /* 0 = Sunday */
};

static void
day_of(UCalendar *c, int64_t t, struct day *out)
{
    UErrorCode st = U_ZERO_ERROR;
    ucal_setMillis(c, (UDate)t, &st);
    out->y = ucal_get(c, UCAL_YEAR, &st);
    out->m = ucal_get(c, UCAL_MONTH, &st);
    out->d = ucal_get(c, UCAL_DATE, &st);
    out->dow = ucal_get(c, UCAL_DAY_OF_WEEK, &st) - 1;
}

/* The instant of local wall time 'min' minutes after midnight of 'day' (1440: next midnight). */
static int64_t
at(UCalendar *c, const struct day *day, int min)
{
    UErrorCode st = U_ZERO_ERROR;
    ucal_clear(c);
    ucal_setDateTime(c, day->y, day->m, day->d + min / 1440, (min % 1440) / 60, min % 60, 0, &st);
    return (int64_t)ucal_getMillis(c, &st);
}

static void
next_day(UCalendar *c, struct day *day)
{
    UErrorCode st = U_ZERO_ERROR;
    ucal_clear(c);
    ucal_setDateTime(c, day->y, day->m, day->d + 1, 12, 0, 0, &st);
    day->y = ucal_get(c, UCAL_YEAR, &st);
    day->m = ucal_get(c, UCAL_MONTH, &st);
    day->d = ucal_get(c, UCAL_DATE, &st);
    day->dow = ucal_get(c, UCAL_DAY_OF_WEEK, &st) - 1;
}

static bool
holiday(const struct routing_hours *h, const struct day *day)
{
    int32_t key = day->y * 10000 + (day->m + 1) * 100 + day->d;
    return bsearch(&key, h->holidays, h->nholidays, sizeof(key), cmp_i32) != NULL;
}

/* Calls 'fn' for each open interval [s, e) from the local day containing 't' onwards, in
 * order, until it returns false or HOURS_MAX_DAYS have passed. Returns false when it ran out. */
typedef bool interval_fn(void *arg, int64_t s, int64_t e);

static bool
walk(const struct routing_hours *h, int64_t t, interval_fn *fn, void *arg)
{
    UCalendar *c = cal_open(h);
    if (!c)
        return false;
    struct day day;
    day_of(c, t, &day);
    bool more = true;
    for (int i = 0; i < HOURS_MAX_DAYS && more; i++) {
        if (!holiday(h, &day)) {
            for (size_t k = 0; k < h->nranges && more; k++) {
                if (h->ranges[k].dow != day.dow)
                    continue;
                int64_t s = at(c, &day, h->ranges[k].start_min);
                int64_t e = at(c, &day, h->ranges[k].end_min);
                if (e > s)
                    more = fn(arg, s, e);
            }
        }
        if (more)
            next_day(c, &day);
    }
    ucal_close(c);
    return !more;
}

struct open_q {
    int64_t t, found;
};

static bool
open_fn(void *arg, int64_t s, int64_t e)
{
    struct open_q *q = arg;
    if (e <= q->t)
        return true;
    q->found = s > q->t ? s : q->t;
    return false;
}

int64_t
routing_hours_next_open(const struct routing_hours *h, int64_t t)
{
    if (!h)
        return t;
    struct open_q q = { t, INT64_MAX };
    walk(h, t, open_fn, &q);
    return q.found;
}

bool
routing_hours_open(const struct routing_hours *h, int64_t t)
{
    return routing_hours_next_open(h, t) == t;
}

struct add_q {
    int64_t t, left, found;
};

static bool
add_fn(void *arg, int64_t s, int64_t e)
{
    struct add_q *q = arg;
    if (e <= q->t)
        return true;
    int64_t from = s > q->t ? s : q->t;
    if (q->left <= e - from) {
        q->found = from + q->left;
        return false;
    }
    q->left -= e - from;
    return true;
}

int64_t
routing_hours_add(const struct routing_hours *h, int64_t t, int64_t ms)
{
    if (!h)
        return t + ms;
    if (ms <= 0)
        return routing_hours_next_open(h, t) == INT64_MAX ? INT64_MAX : t;
    struct add_q q = { t, ms, INT64_MAX };
    walk(h, t, add_fn, &q);
    return q.found;
}

struct between_q {
    int64_t a, b, sum;
};

static bool
between_fn(void *arg, int64_t s, int64_t e)
{
    struct between_q *q = arg;
    if (s >= q->b)
        return false;
    int64_t from = s > q->a ? s : q->a;
    int64_t to = e < q->b ? e : q->b;
    if (to > from)
        q->sum += to - from;
    return true;
}

int64_t
routing_hours_between(const struct routing_hours *h, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    if (!h)
        return b - a;
    struct between_q q = { a, b, 0 };
    walk(h, a, between_fn, &q);
    return q.sum;
}

int
routing_hours_format(const struct routing_hours *h, const char *tz, int64_t t, const char *lang,
                  char *out, size_t n)
{
    UChar zone[64];
    int32_t zlen = 0;
    UErrorCode st = U_ZERO_ERROR;
    if (h) {
        memcpy(zone, h->tz, sizeof(zone));
        zlen = h->tzlen;
    } else {
        u_strFromUTF8(zone, 64, &zlen, tz && tz[0] ? tz : "UTC", -1, &st);
    }
    char loc[16];
    snprintf(loc, sizeof(loc), "%s", lang && lang[0] && strcmp(lang, "und") ? lang : "en");
    st = U_ZERO_ERROR;
    UDateFormat *f = udat_open(UDAT_SHORT, UDAT_FULL, loc, zone, zlen, NULL, 0, &st);
    if (U_FAILURE(st))
        return ERR_INVAL;
    UChar buf[256];
    int32_t len = udat_format(f, (UDate)t, buf, 256, NULL, &st);
    udat_close(f);
    if (U_FAILURE(st))
        return ERR_INVAL;
    int32_t olen = 0;
    u_strToUTF8(out, (int32_t)n, &olen, buf, len, &st);
    if (U_FAILURE(st) || (size_t)olen >= n)
        return ERR_TOOBIG;
    out[olen] = '\0';
    return 0;
}
