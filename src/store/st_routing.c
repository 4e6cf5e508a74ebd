/* SPDX-License-Identifier: MIT */
/*
 * st_routing.c - the admin tables of routing and SLAs (calendars, teams, agent profiles, SLA
 * policies, routing rules), what routing reads about a conversation, and recording a routing
 * decision. Not the decision itself: that is care/route.c. JSON lists are stored as given and
 * parsed back with SQLite's json_each, so no JSON library is needed here.
 */
#include "base/base.h"
#include "store/store_int.h"

#include <stdio.h>

#include "base/buf.h"
#include "base/jsonw.h"

/* The common case without SQL: a JSON array of plain strings (no escapes), as the API writes
 * them. Routing parses every rule's and agent's lists per decision, so one json_each query
 * per list was most of its cost (bench/70-routing.sh). False: anything else, use json_each. */
static bool
strs_plain(struct arena *ar, const char *json, struct store_strs *out)
{
    const char *p = json;
    size_t n = 0;
    while (*p == ' ')
        p++;
    if (*p++ != '[')
        return false;
    /* First pass: validate and count. */
    for (const char *q = p;;) {
        while (*q == ' ')
            q++;
        if (*q == ']' && n == 0) {
            q++;
            break;
        }
        if (*q++ != '"')
            return false;
        while (*q && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
            q++;
        if (*q++ != '"')
            return false;
        n++;
        while (*q == ' ')
            q++;
        if (*q == ',') {
            q++;
            continue;
        }
        if (*q++ != ']')
            return false;
        while (*q == ' ')
            q++;
        if (*q)
            return false;
        break;
    }
    const char **v = ARENA_NEW_N(ar, const char *, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        while (*p != '"')
            p++;
        const char *e = strchr(p + 1, '"');
        v[i] = arena_strndup(ar, p + 1, (size_t)(e - p - 1));
        p = e + 1;
    }
    out->v = v;
    out->n = n;
    return true;
}

/* Parses a JSON array of strings (json_each unless plain); malformed text gives an empty list. */
static void
strs(struct store__conn *c, struct arena *ar, const char *json, struct store_strs *out)
{
    out->v = NULL;
    out->n = 0;
    if (!json)
        return;
    if (strs_plain(ar, json, out))
        return;
    sqlite3_stmt *s = store__q(c, "SELECT value FROM json_each(?) WHERE json_valid(?1) "
                                  "AND type = 'text'");
    if (!s)
        return;
    sqlite3_bind_text(s, 1, json, -1, SQLITE_STATIC);
    size_t cap = 8;
    const char **v = ARENA_NEW_N(ar, const char *, cap);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (out->n == cap) {
            const char **w = ARENA_NEW_N(ar, const char *, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[out->n++] = store__col(ar, s, 0);
    }
    sqlite3_reset(s);
    out->v = v;
}

static void
bind_id(sqlite3_stmt *s, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(s, i, id);
    else
        sqlite3_bind_null(s, i);
}

/* After an UPDATE: ERR_NOTFOUND when no row changed. */
static int
changed(struct store__tx *tx)
{
    return sqlite3_changes(tx->c->db) > 0 ? 0 : ERR_NOTFOUND;
}

/* Maps a foreign-key failure to ERR_NOTFOUND (an unknown referenced id). */
static int
fk_err(struct store__tx *tx, int rc)
{
    if (rc == ERR_CONFLICT &&
        sqlite3_extended_errcode(tx->c->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        return ERR_NOTFOUND;
    return rc;
}

/* ---- calendars ------------------------------------------------------------------------- */

struct put_job {
    int64_t id;
    const void *obj;
    int64_t out_id;
};

static int
calendar_put_tx(struct store__tx *tx, void *arg)
{
    struct put_job *j = arg;
    const struct store_calendar *c = j->obj;
    sqlite3_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE calendar SET name = ?, tz = ?, hours = ?, holidays = ?, "
                            "updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 6, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO calendar(name, tz, hours, holidays, updated_at, "
                            "created_at) VALUES (?, ?, ?, ?, ?, ?5)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, c->name);
    store__bind_cstr(s, 2, c->tz);
    store__bind_cstr(s, 3, c->hours ? c->hours : "{}");
    store__bind_cstr(s, 4, c->holidays ? c->holidays : "[]");
    sqlite3_bind_int64(s, 5, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (j->id && (rc = changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : sqlite3_last_insert_rowid(tx->c->db);
    s = store__q(tx->c, "DELETE FROM calendar_range WHERE calendar_id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->out_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    for (size_t i = 0; i < c->nranges; i++) {
        s = store__q(tx->c, "INSERT INTO calendar_range(calendar_id, dow, start_min, end_min) "
                            "VALUES (?, ?, ?, ?)");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 1, j->out_id);
        sqlite3_bind_int(s, 2, c->ranges[i].dow);
        sqlite3_bind_int(s, 3, c->ranges[i].start_min);
        sqlite3_bind_int(s, 4, c->ranges[i].end_min);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    return 0;
}

int
store_calendar_put(struct store *st, int64_t id, const struct store_calendar *c, int64_t *out_id)
{
    struct put_job j = { .id = id, .obj = c };
    int rc = store__submit(st, calendar_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

static void
calendar_row(struct store__conn *c, struct arena *ar, sqlite3_stmt *s, struct store_calendar *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(s, 0);
    out->name = store__col(ar, s, 1);
    out->tz = store__col(ar, s, 2);
    out->hours = store__col(ar, s, 3);
    out->holidays = store__col(ar, s, 4);
    out->created_at = sqlite3_column_int64(s, 5);
    out->updated_at = sqlite3_column_int64(s, 6);
    (void)c;
}

/* Fills ranges and holiday days of 'out' (a separate statement: the caller's is finished). */
static int
calendar_details(struct store__conn *c, struct arena *ar, struct store_calendar *out)
{
    sqlite3_stmt *s = store__q(c, "SELECT dow, start_min, end_min FROM calendar_range "
                                  "WHERE calendar_id = ? ORDER BY dow, start_min");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, out->id);
    struct store_range *r = ARENA_NEW_N(ar, struct store_range, 7 * 8);
    size_t n = 0;
    while (sqlite3_step(s) == SQLITE_ROW && n < 7 * 8) {
        r[n].dow = sqlite3_column_int(s, 0);
        r[n].start_min = sqlite3_column_int(s, 1);
        r[n].end_min = sqlite3_column_int(s, 2);
        n++;
    }
    sqlite3_reset(s);
    out->ranges = r;
    out->nranges = n;
    s = store__q(c, "SELECT CAST(replace(value, '-', '') AS INTEGER) FROM json_each(?) "
                    "WHERE json_valid(?1) AND type = 'text' ORDER BY 1");
    if (!s)
        return ERR_IO;
    sqlite3_bind_text(s, 1, out->holidays ? out->holidays : "[]", -1, SQLITE_STATIC);
    size_t cap = 16;
    int32_t *d = ARENA_NEW_N(ar, int32_t, cap);
    n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            int32_t *w = ARENA_NEW_N(ar, int32_t, cap * 2);
            memcpy(w, d, cap * sizeof(*d));
            d = w;
            cap *= 2;
        }
        d[n++] = (int32_t)sqlite3_column_int(s, 0);
    }
    sqlite3_reset(s);
    out->holiday_days = d;
    out->nholiday_days = n;
    return 0;
}

#define CAL_COLS "id, name, tz, hours, holidays, created_at, updated_at"

int
store_calendar_get(struct store *st, struct arena *ar, int64_t id, struct store_calendar *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " CAL_COLS " FROM calendar WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    struct store_calendar cal;
    if (rc == SQLITE_ROW)
        calendar_row(c, ar, s, &cal);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
    rc = calendar_details(c, ar, &cal);
    if (rc == 0)
        *out = cal;
    return rc;
}

int
store_calendar_list(struct store *st, struct arena *ar, struct store_calendar **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " CAL_COLS " FROM calendar ORDER BY id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_calendar *v = ARENA_NEW_N(ar, struct store_calendar, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        calendar_row(c, ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++) {
        if ((rc = calendar_details(c, ar, &v[i])) < 0)
            return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

struct del_job {
    int64_t id;
    const char *in_use;  /* SQL counting references to ?1 */
    const char *del;     /* SQL deleting ?1 */
};

static int
delete_tx(struct store__tx *tx, void *arg)
{
    struct del_job *j = arg;
    sqlite3_stmt *s;
    if (j->in_use) {
        s = store__q(tx->c, j->in_use);
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 1, j->id);
        int used = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0;
        sqlite3_reset(s);
        if (used)
            return ERR_CONFLICT;
    }
    s = store__q(tx->c, j->del);
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->id);
    int rc = store__step_done(s);
    return rc < 0 ? rc : changed(tx);
}

int
store_calendar_delete(struct store *st, int64_t id)
{
    struct del_job j = { id,
                         "SELECT (SELECT count(*) FROM team WHERE calendar_id = ?1) + "
                         "(SELECT count(*) FROM sla_policy WHERE calendar_id = ?1)",
                         "DELETE FROM calendar WHERE id = ?1" };
    return store__submit(st, delete_tx, &j, true);
}

/* ---- teams ------------------------------------------------------------------------------ */

static int
team_put_tx(struct store__tx *tx, void *arg)
{
    struct put_job *j = arg;
    const struct store_team *t = j->obj;
    sqlite3_stmt *s;
    int rc;
    if (j->id) {
        s = store__q(tx->c, "UPDATE team SET name = ?, lead_agent_id = ?, calendar_id = ?, "
                            "autoack = ?, autoack_public = ?, autoack_templates = ?, "
                            "updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 8, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO team(name, lead_agent_id, calendar_id, autoack, "
                            "autoack_public, autoack_templates, updated_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?7)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, t->name);
    bind_id(s, 2, t->lead_agent_id);
    bind_id(s, 3, t->calendar_id);
    sqlite3_bind_int(s, 4, t->autoack);
    sqlite3_bind_int(s, 5, t->autoack_public);
    store__bind_cstr(s, 6, t->autoack_templates ? t->autoack_templates : "{}");
    sqlite3_bind_int64(s, 7, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return fk_err(tx, rc);
    if (j->id && (rc = changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : sqlite3_last_insert_rowid(tx->c->db);
    s = store__q(tx->c, "DELETE FROM team_member WHERE team_id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->out_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    for (size_t i = 0; i < t->nmembers; i++) {
        s = store__q(tx->c, "INSERT OR IGNORE INTO team_member(team_id, agent_id) VALUES (?, ?)");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 1, j->out_id);
        sqlite3_bind_int64(s, 2, t->members[i]);
        if ((rc = store__step_done(s)) < 0)
            return fk_err(tx, rc);
    }
    return 0;
}

int
store_team_put(struct store *st, int64_t id, const struct store_team *t, int64_t *out_id)
{
    struct put_job j = { .id = id, .obj = t };
    int rc = store__submit(st, team_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define TEAM_COLS                                                                                  \
    "id, name, coalesce(lead_agent_id, 0), coalesce(calendar_id, 0), autoack, autoack_public, "   \
    "autoack_templates, rr_last_agent, created_at, updated_at"

static int
team_row(struct store__conn *c, struct arena *ar, sqlite3_stmt *s, struct store_team *t)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(s, 0);
    t->name = store__col(ar, s, 1);
    t->lead_agent_id = sqlite3_column_int64(s, 2);
    t->calendar_id = sqlite3_column_int64(s, 3);
    t->autoack = sqlite3_column_int(s, 4) != 0;
    t->autoack_public = sqlite3_column_int(s, 5) != 0;
    t->autoack_templates = store__col(ar, s, 6);
    t->rr_last_agent = sqlite3_column_int64(s, 7);
    t->created_at = sqlite3_column_int64(s, 8);
    t->updated_at = sqlite3_column_int64(s, 9);
    (void)c;
    return 0;
}

static int
team_members(struct store__conn *c, struct arena *ar, struct store_team *t)
{
    sqlite3_stmt *s = store__q(c, "SELECT agent_id FROM team_member WHERE team_id = ? "
                                  "ORDER BY agent_id");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, t->id);
    size_t cap = 16, n = 0;
    int64_t *v = ARENA_NEW_N(ar, int64_t, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            int64_t *w = ARENA_NEW_N(ar, int64_t, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    t->members = v;
    t->nmembers = n;
    return rc == SQLITE_DONE ? 0 : store__err(rc);
}

int
store_team_get(struct store *st, struct arena *ar, int64_t id, struct store_team *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " TEAM_COLS " FROM team WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    struct store_team t;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        team_row(c, ar, s, &t);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
    rc = team_members(c, ar, &t);
    if (rc == 0)
        *out = t;
    return rc;
}

int
store_team_list(struct store *st, struct arena *ar, struct store_team **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " TEAM_COLS " FROM team ORDER BY id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_team *v = ARENA_NEW_N(ar, struct store_team, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        team_row(c, ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++) {
        if ((rc = team_members(c, ar, &v[i])) < 0)
            return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
store_team_delete(struct store *st, int64_t id)
{
    struct del_job j = { id, "SELECT count(*) FROM routing_rule WHERE team_id = ?1",
                         "DELETE FROM team WHERE id = ?1" };
    return store__submit(st, delete_tx, &j, true);
}

/* ---- agent profiles ---------------------------------------------------------------------- */

#define PROFILE_SQL                                                                                \
    "SELECT a.id, a.display_name, coalesce(p.skills, '[]'), coalesce(p.languages, '[]'), "        \
    "coalesce(p.channels, '[]'), p.location, coalesce(p.capacity, 10), "                          \
    "coalesce(p.availability, 'offline'), coalesce(p.auto_presence, 1), "                         \
    "coalesce(p.frt_sum_ms, 0), coalesce(p.frt_count, 0), coalesce(p.resolved_count, 0), "        \
    "coalesce(p.reopen_count, 0), (SELECT count(*) FROM conversation c WHERE "                    \
    "c.assignee_id = a.id AND c.status IN ('open', 'pending')) "                                  \
    "FROM agent a LEFT JOIN agent_profile p ON p.agent_id = a.id "

static void
profile_row(struct store__conn *c, struct arena *ar, sqlite3_stmt *s, struct store_profile *p)
{
    memset(p, 0, sizeof(*p));
    p->agent_id = sqlite3_column_int64(s, 0);
    p->name = store__col(ar, s, 1);
    p->skills = store__col(ar, s, 2);
    p->languages = store__col(ar, s, 3);
    p->channels = store__col(ar, s, 4);
    p->location = store__col(ar, s, 5);
    p->capacity = sqlite3_column_int(s, 6);
    p->availability = store__col(ar, s, 7);
    p->auto_presence = sqlite3_column_int(s, 8) != 0;
    p->frt_sum_ms = sqlite3_column_int64(s, 9);
    p->frt_count = sqlite3_column_int64(s, 10);
    p->resolved_count = sqlite3_column_int64(s, 11);
    p->reopen_count = sqlite3_column_int64(s, 12);
    p->open_count = sqlite3_column_int64(s, 13);
    (void)c;
}

static void
profile_lists(struct store__conn *c, struct arena *ar, struct store_profile *p)
{
    strs(c, ar, p->skills, &p->skills_v);
    strs(c, ar, p->languages, &p->languages_v);
    strs(c, ar, p->channels, &p->channels_v);
}

int
store_profile_get(struct store *st, struct arena *ar, int64_t agent_id, struct store_profile *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, PROFILE_SQL "WHERE a.id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, agent_id);
    struct store_profile p;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        profile_row(c, ar, s, &p);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
    profile_lists(c, ar, &p);
    *out = p;
    return 0;
}

int
store_profile_list(struct store *st, struct arena *ar, struct store_profile **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, PROFILE_SQL "ORDER BY a.id");
    if (!s)
        return ERR_IO;
    size_t cap = 64, cnt = 0;
    struct store_profile *v = ARENA_NEW_N(ar, struct store_profile, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            struct store_profile *w = ARENA_NEW_N(ar, struct store_profile, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        profile_row(c, ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++)
        profile_lists(c, ar, &v[i]);
    *out = v;
    *n = cnt;
    return 0;
}

struct profile_job {
    const struct store_profile *p;
    bool set_presence;
};

static int
profile_put_tx(struct store__tx *tx, void *arg)
{
    struct profile_job *j = arg;
    const struct store_profile *p = j->p;
    sqlite3_stmt *s = store__q(tx->c, "SELECT availability FROM agent_profile WHERE agent_id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, p->agent_id);
    char before[16] = "offline";
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(before, sizeof(before), "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    s = store__q(tx->c, "INSERT INTO agent_profile(agent_id, updated_at) VALUES (?, ?) "
                        "ON CONFLICT(agent_id) DO NOTHING");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, p->agent_id);
    sqlite3_bind_int64(s, 2, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return fk_err(tx, rc);
    s = store__q(tx->c, "UPDATE agent_profile SET skills = coalesce(?, skills), "
                        "languages = coalesce(?, languages), channels = coalesce(?, channels), "
                        "location = CASE WHEN ?4 IS NULL THEN location WHEN ?4 = '' THEN NULL "
                        "ELSE ?4 END, capacity = CASE WHEN ?5 >= 0 THEN ?5 ELSE capacity END, "
                        "availability = coalesce(?6, availability), "
                        "auto_presence = CASE WHEN ?7 >= 0 THEN ?7 ELSE auto_presence END, "
                        "updated_at = ?8 WHERE agent_id = ?9");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, p->skills);
    store__bind_cstr(s, 2, p->languages);
    store__bind_cstr(s, 3, p->channels);
    store__bind_cstr(s, 4, p->location);
    sqlite3_bind_int(s, 5, p->capacity);
    store__bind_cstr(s, 6, p->availability);
    sqlite3_bind_int(s, 7, j->set_presence ? p->auto_presence : -1);
    sqlite3_bind_int64(s, 8, tx->now);
    sqlite3_bind_int64(s, 9, p->agent_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (p->availability && strcmp(before, p->availability) != 0) {
        char *data = xmalloc(128);
        snprintf(data, 128, "{\"agent\":{\"id\":%lld,\"availability\":\"%s\"}}",
                 (long long)p->agent_id, p->availability);
        return store__event(tx, "agent.updated", data);
    }
    return 0;
}

int
store_profile_put(struct store *st, const struct store_profile *p, bool set_presence)
{
    if (p->availability && strcmp(p->availability, "online") &&
        strcmp(p->availability, "away") && strcmp(p->availability, "offline"))
        return ERR_INVAL;
    struct profile_job j = { p, set_presence };
    return store__submit(st, profile_put_tx, &j, true);
}

/* ---- SLA policies --------------------------------------------------------------------------- */

static void
bind_pos_or_null(sqlite3_stmt *s, int i, int64_t v)
{
    if (v > 0)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static int
policy_put_tx(struct store__tx *tx, void *arg)
{
    struct put_job *j = arg;
    const struct store_sla_policy *p = j->obj;
    sqlite3_stmt *s;
    if (j->id) {
        s = store__q(tx->c, "UPDATE sla_policy SET name = ?, position = ?, priority = ?, "
                            "channel_type = ?, intent = ?, first_response_s = ?, "
                            "next_response_s = ?, resolution_s = ?, business_hours = ?, "
                            "calendar_id = ?, warn_pct = ?, updated_at = ?, "
                            "version = version + 1 WHERE id = ?");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 13, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO sla_policy(name, position, priority, channel_type, "
                            "intent, first_response_s, next_response_s, resolution_s, "
                            "business_hours, calendar_id, warn_pct, updated_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?12)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, p->name);
    sqlite3_bind_int(s, 2, p->position);
    if (p->priority >= 0)
        sqlite3_bind_int(s, 3, p->priority);
    else
        sqlite3_bind_null(s, 3);
    store__bind_cstr(s, 4, p->channel_type);
    store__bind_cstr(s, 5, p->intent);
    bind_pos_or_null(s, 6, p->first_s);
    bind_pos_or_null(s, 7, p->next_s);
    bind_pos_or_null(s, 8, p->resolve_s);
    sqlite3_bind_int(s, 9, p->business_hours);
    bind_id(s, 10, p->calendar_id);
    sqlite3_bind_int(s, 11, p->warn_pct > 0 ? p->warn_pct : 80);
    sqlite3_bind_int64(s, 12, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return fk_err(tx, rc);
    if (j->id && (rc = changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : sqlite3_last_insert_rowid(tx->c->db);
    return 0;
}

int
store_sla_policy_put(struct store *st, int64_t id, const struct store_sla_policy *p,
                     int64_t *out_id)
{
    struct put_job j = { .id = id, .obj = p };
    int rc = store__submit(st, policy_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define POLICY_COLS                                                                                \
    "id, name, position, coalesce(priority, -1), channel_type, intent, "                          \
    "coalesce(first_response_s, 0), coalesce(next_response_s, 0), coalesce(resolution_s, 0), "    \
    "business_hours, coalesce(calendar_id, 0), warn_pct, version, created_at, updated_at"

static void
policy_row(struct arena *ar, sqlite3_stmt *s, struct store_sla_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->name = store__col(ar, s, 1);
    p->position = sqlite3_column_int(s, 2);
    p->priority = sqlite3_column_int(s, 3);
    p->channel_type = store__col(ar, s, 4);
    p->intent = store__col(ar, s, 5);
    p->first_s = sqlite3_column_int64(s, 6);
    p->next_s = sqlite3_column_int64(s, 7);
    p->resolve_s = sqlite3_column_int64(s, 8);
    p->business_hours = sqlite3_column_int(s, 9) != 0;
    p->calendar_id = sqlite3_column_int64(s, 10);
    p->warn_pct = sqlite3_column_int(s, 11);
    p->version = sqlite3_column_int64(s, 12);
    p->created_at = sqlite3_column_int64(s, 13);
    p->updated_at = sqlite3_column_int64(s, 14);
}

int
store_sla_policy_get(struct store *st, struct arena *ar, int64_t id, struct store_sla_policy *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " POLICY_COLS " FROM sla_policy WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        policy_row(ar, s, out);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_sla_policy_list(struct store *st, struct arena *ar, struct store_sla_policy **out,
                      size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " POLICY_COLS " FROM sla_policy "
                                  "ORDER BY position, id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_sla_policy *v = ARENA_NEW_N(ar, struct store_sla_policy, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        policy_row(ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_sla_policy_delete(struct store *st, int64_t id)
{
    struct del_job j = { id, NULL, "DELETE FROM sla_policy WHERE id = ?1" };
    return store__submit(st, delete_tx, &j, true);
}

/* ---- routing rules ---------------------------------------------------------------------- */

static int
rule_put_tx(struct store__tx *tx, void *arg)
{
    struct put_job *j = arg;
    const struct store_rule *r = j->obj;
    sqlite3_stmt *s;
    if (j->id) {
        s = store__q(tx->c, "UPDATE routing_rule SET name = ?, position = ?, enabled = ?, "
                            "channels = ?, languages = ?, public = ?, tags = ?, locations = ?, "
                            "intents = ?, sentiments = ?, urgency_min = ?, skills = ?, "
                            "team_id = ?, strategy = ?, updated_at = ? WHERE id = ?");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 16, j->id);
    } else {
        s = store__q(tx->c, "INSERT INTO routing_rule(name, position, enabled, channels, "
                            "languages, public, tags, locations, intents, sentiments, "
                            "urgency_min, skills, team_id, strategy, updated_at, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?15)");
        if (!s)
            return ERR_IO;
    }
    store__bind_cstr(s, 1, r->name);
    sqlite3_bind_int(s, 2, r->position);
    sqlite3_bind_int(s, 3, r->enabled);
    store__bind_cstr(s, 4, r->channels ? r->channels : "[]");
    store__bind_cstr(s, 5, r->languages ? r->languages : "[]");
    if (r->public_match >= 0)
        sqlite3_bind_int(s, 6, r->public_match);
    else
        sqlite3_bind_null(s, 6);
    store__bind_cstr(s, 7, r->tags ? r->tags : "[]");
    store__bind_cstr(s, 8, r->locations ? r->locations : "[]");
    store__bind_cstr(s, 9, r->intents ? r->intents : "[]");
    store__bind_cstr(s, 10, r->sentiments ? r->sentiments : "[]");
    if (r->urgency_min >= 0)
        sqlite3_bind_int(s, 11, r->urgency_min);
    else
        sqlite3_bind_null(s, 11);
    store__bind_cstr(s, 12, r->skills ? r->skills : "[]");
    sqlite3_bind_int64(s, 13, r->team_id);
    store__bind_cstr(s, 14, r->strategy);
    sqlite3_bind_int64(s, 15, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return fk_err(tx, rc);
    if (j->id && (rc = changed(tx)) < 0)
        return rc;
    j->out_id = j->id ? j->id : sqlite3_last_insert_rowid(tx->c->db);
    return 0;
}

int
store_rule_put(struct store *st, int64_t id, const struct store_rule *r, int64_t *out_id)
{
    struct put_job j = { .id = id, .obj = r };
    int rc = store__submit(st, rule_put_tx, &j, true);
    if (rc == 0 && out_id)
        *out_id = j.out_id;
    return rc;
}

#define RULE_COLS                                                                                  \
    "id, name, position, enabled, channels, languages, coalesce(public, -1), tags, locations, "   \
    "intents, sentiments, coalesce(urgency_min, -1), skills, team_id, strategy, created_at, "     \
    "updated_at"

static void
rule_row(struct arena *ar, sqlite3_stmt *s, struct store_rule *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->name = store__col(ar, s, 1);
    r->position = sqlite3_column_int(s, 2);
    r->enabled = sqlite3_column_int(s, 3) != 0;
    r->channels = store__col(ar, s, 4);
    r->languages = store__col(ar, s, 5);
    r->public_match = sqlite3_column_int(s, 6);
    r->tags = store__col(ar, s, 7);
    r->locations = store__col(ar, s, 8);
    r->intents = store__col(ar, s, 9);
    r->sentiments = store__col(ar, s, 10);
    r->urgency_min = sqlite3_column_int(s, 11);
    r->skills = store__col(ar, s, 12);
    r->team_id = sqlite3_column_int64(s, 13);
    r->strategy = store__col(ar, s, 14);
    r->created_at = sqlite3_column_int64(s, 15);
    r->updated_at = sqlite3_column_int64(s, 16);
}

static void
rule_lists(struct store__conn *c, struct arena *ar, struct store_rule *r)
{
    strs(c, ar, r->channels, &r->channels_v);
    strs(c, ar, r->languages, &r->languages_v);
    strs(c, ar, r->tags, &r->tags_v);
    strs(c, ar, r->locations, &r->locations_v);
    strs(c, ar, r->intents, &r->intents_v);
    strs(c, ar, r->sentiments, &r->sentiments_v);
    strs(c, ar, r->skills, &r->skills_v);
}

int
store_rule_get(struct store *st, struct arena *ar, int64_t id, struct store_rule *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " RULE_COLS " FROM routing_rule WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    struct store_rule r;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rule_row(ar, s, &r);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? ERR_NOTFOUND : store__err(rc);
    rule_lists(c, ar, &r);
    *out = r;
    return 0;
}

int
store_rule_list(struct store *st, struct arena *ar, struct store_rule **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT " RULE_COLS " FROM routing_rule "
                                  "ORDER BY position, id");
    if (!s)
        return ERR_IO;
    size_t cnt = 0, cap = 16;
    struct store_rule *v = ARENA_NEW_N(ar, struct store_rule, cap);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        rule_row(ar, s, &v[cnt++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++)
        rule_lists(c, ar, &v[i]);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_rule_delete(struct store *st, int64_t id)
{
    struct del_job j = { id, NULL, "DELETE FROM routing_rule WHERE id = ?1" };
    return store__submit(st, delete_tx, &j, true);
}

/* ---- routing input and decisions ------------------------------------------------------------ */

int
store_route_input(struct store *st, struct arena *ar, int64_t conv_id,
                  struct store_route_input *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct store_route_input in;
    memset(&in, 0, sizeof(in));
    int rc = store__conv_read(c, ar, conv_id, &in.conv);
    if (rc < 0)
        return rc;
    sqlite3_stmt *s = store__q(c, "SELECT m.lang, m.text FROM message m WHERE "
                                  "m.conversation_id = ? AND m.direction = 'in' "
                                  "ORDER BY m.id DESC LIMIT 1");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, conv_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        in.lang = store__col(ar, s, 0);
        in.text = store__col(ar, s, 1);
    }
    sqlite3_reset(s);
    s = store__q(c, "SELECT ct.tags, ct.location, json_extract(CASE WHEN json_valid(ch.settings) "
                    "THEN ch.settings ELSE '{}' END, '$.store') FROM conversation cv "
                    "JOIN contact ct ON ct.id = cv.contact_id JOIN channel ch ON "
                    "ch.id = cv.channel_id WHERE cv.id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, conv_id);
    const char *tags = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        tags = store__col(ar, s, 0);
        in.contact_location = store__col(ar, s, 1);
        in.channel_store = store__col(ar, s, 2);
    }
    sqlite3_reset(s);
    strs(c, ar, tags, &in.contact_tags);
    *out = in;
    return 0;
}

struct route_job {
    int64_t conv_id;
    const struct store_route_decision *d;
};

static int
route_apply_tx(struct store__tx *tx, void *arg)
{
    struct route_job *j = arg;
    const struct store_route_decision *d = j->d;
    sqlite3_stmt *s = store__q(tx->c, "INSERT OR IGNORE INTO conv_sla(conversation_id, opened_at) "
                                      "SELECT id, created_at FROM conversation WHERE id = ?");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, j->conv_id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conv_sla SET team_id = ?, rule_id = ?, strategy = ?, "
                        "route_reason = ?, routed_at = ?5, "
                        "queued_at = CASE WHEN ?6 THEN coalesce(queued_at, ?5) ELSE NULL END, "
                        "escalation = CASE WHEN ?7 > 0 THEN ?7 ELSE escalation END, "
                        "updated_at = ?5 WHERE conversation_id = ?8");
    if (!s)
        return ERR_IO;
    bind_id(s, 1, d->team_id);
    bind_id(s, 2, d->rule_id);
    store__bind_cstr(s, 3, d->strategy);
    store__bind_cstr(s, 4, d->reason);
    sqlite3_bind_int64(s, 5, tx->now);
    sqlite3_bind_int(s, 6, d->agent_id == 0);
    sqlite3_bind_int(s, 7, d->escalation);
    sqlite3_bind_int64(s, 8, j->conv_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = changed(tx)) < 0)
        return rc;
    if (d->agent_id) {
        s = store__q(tx->c, "UPDATE conversation SET assignee_id = ?, updated_at = ? "
                            "WHERE id = ? AND assignee_id IS NOT ?1");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 1, d->agent_id);
        sqlite3_bind_int64(s, 2, tx->now);
        sqlite3_bind_int64(s, 3, j->conv_id);
        if ((rc = store__step_done(s)) < 0)
            return fk_err(tx, rc);
        bool moved = sqlite3_changes(tx->c->db) > 0;
        if (d->team_id) {
            s = store__q(tx->c, "UPDATE team SET rr_last_agent = ? WHERE id = ?");
            if (!s)
                return ERR_IO;
            sqlite3_bind_int64(s, 1, d->agent_id);
            sqlite3_bind_int64(s, 2, d->team_id);
            if ((rc = store__step_done(s)) < 0)
                return rc;
        }
        if (moved && (rc = store__emit_conv(tx, "conversation.updated", j->conv_id)) < 0)
            return rc;
    } else if (!d->escalation) {
        /* Queued means assigned to nobody (a reopened conversation may still have one). */
        s = store__q(tx->c, "UPDATE conversation SET assignee_id = NULL, updated_at = ? "
                            "WHERE id = ? AND assignee_id IS NOT NULL");
        if (!s)
            return ERR_IO;
        sqlite3_bind_int64(s, 1, tx->now);
        sqlite3_bind_int64(s, 2, j->conv_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
        if (sqlite3_changes(tx->c->db) > 0 &&
            (rc = store__emit_conv(tx, "conversation.updated", j->conv_id)) < 0)
            return rc;
    }
    /* The reason is free text made by care/route.c from names; escape it for JSON. */
    struct buf b;
    buf_init(&b, 4096);
    buf_printf(&b, "{\"conversation_id\":%lld,\"team_id\":%lld,\"agent_id\":%lld,"
                   "\"rule_id\":%lld,\"strategy\":\"%s\",\"queued\":%s,\"escalation\":%d,"
                   "\"reason\":",
               (long long)j->conv_id, (long long)d->team_id, (long long)d->agent_id,
               (long long)d->rule_id, d->strategy ? d->strategy : "", d->agent_id ? "false" : "true",
               d->escalation);
    jsonw_cstr(&b, d->reason ? d->reason : "");
    buf_addc(&b, '}');
    char *text;
    if ((rc = buf_take(&b, &text, NULL)) < 0)
        return rc;
    return store__event(tx, "conversation.routed", text);
}

int
store_route_apply(struct store *st, int64_t conv_id, const struct store_route_decision *d)
{
    struct route_job j = { conv_id, d };
    return store__submit(st, route_apply_tx, &j, true);
}

int
store_route_queue_page(struct store *st, struct arena *ar, const struct store_queue_entry *after,
                       size_t max, struct store_queue_entry **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* The row value comparison walks the partial index conv_sla_queue, whose entries carry
     * the rowid (the conversation id) after 'queued_at': each page is an index range. */
    sqlite3_stmt *s = store__q(c, "SELECT conversation_id, coalesce(team_id, 0), queued_at "
                                  "FROM conv_sla WHERE queued_at IS NOT NULL AND "
                                  "(queued_at, conversation_id) > (?1, ?2) "
                                  "ORDER BY queued_at, conversation_id LIMIT ?3");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, after ? after->queued_at : INT64_MIN);
    sqlite3_bind_int64(s, 2, after ? after->conversation_id : INT64_MIN);
    sqlite3_bind_int64(s, 3, (int64_t)max);
    struct store_queue_entry *v = ARENA_NEW_N(ar, struct store_queue_entry, max ? max : 1);
    size_t cnt = 0;
    int rc;
    while (cnt < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        v[cnt].conversation_id = sqlite3_column_int64(s, 0);
        v[cnt].team_id = sqlite3_column_int64(s, 1);
        v[cnt].queued_at = sqlite3_column_int64(s, 2);
        cnt++;
    }
    if (cnt == max)
        rc = SQLITE_DONE;
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}

int
store_route_queue_count(struct store *st, int64_t conv_id, int64_t *total, int64_t *ahead)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT count(*), coalesce(sum((q.queued_at, q.conversation_id) "
                                  "< (me.queued_at, me.conversation_id)), 0) FROM conv_sla q "
                                  "LEFT JOIN conv_sla me ON me.conversation_id = ?1 "
                                  "WHERE q.queued_at IS NOT NULL");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, conv_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (total)
            *total = sqlite3_column_int64(s, 0);
        if (ahead)
            *ahead = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : store__err(rc);
}

int
store_route_sizes(struct store *st, struct store_route_sizes *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    /* Bytes, not characters: length() of a BLOB counts bytes. */
    sqlite3_stmt *s = store__q(
        c, "SELECT (SELECT count(*) FROM routing_rule), (SELECT count(*) FROM team), "
           "(SELECT count(*) FROM team_member), (SELECT count(*) FROM agent), "
           "coalesce((SELECT sum(length(CAST(name || channels || languages || tags || "
           "locations || intents || sentiments || skills || strategy AS BLOB))) "
           "FROM routing_rule), 0) + "
           "coalesce((SELECT sum(length(CAST(name || autoack_templates AS BLOB))) FROM team), 0) + "
           "coalesce((SELECT sum(length(CAST(coalesce(a.display_name, '') || "
           "coalesce(p.skills, '') || coalesce(p.languages, '') || coalesce(p.channels, '') || "
           "coalesce(p.location, '') || coalesce(p.availability, '') AS BLOB))) "
           "FROM agent a LEFT JOIN agent_profile p ON p.agent_id = a.id), 0)");
    if (!s)
        return ERR_IO;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->rules = (size_t)sqlite3_column_int64(s, 0);
        out->teams = (size_t)sqlite3_column_int64(s, 1);
        out->members = (size_t)sqlite3_column_int64(s, 2);
        out->agents = (size_t)sqlite3_column_int64(s, 3);
        out->text = (size_t)sqlite3_column_int64(s, 4);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : store__err(rc);
}

int
store_team_autoack_text(struct store *st, struct arena *ar, int64_t team_id, const char *lang,
                        const char **out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    sqlite3_stmt *s = store__q(c, "SELECT j.value FROM team t, json_each(CASE WHEN "
                                  "json_valid(t.autoack_templates) THEN t.autoack_templates "
                                  "ELSE '{}' END) j WHERE t.id = ? AND j.type = 'text' "
                                  "ORDER BY j.key = ? DESC, j.key = 'en' DESC, j.key LIMIT 1");
    if (!s)
        return ERR_IO;
    sqlite3_bind_int64(s, 1, team_id);
    store__bind_cstr(s, 2, lang ? lang : "en");
    *out = NULL;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = store__col(ar, s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(rc);
}
