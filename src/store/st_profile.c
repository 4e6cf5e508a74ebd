/* SPDX-License-Identifier: MIT */
/*
 * st_profile.c - agent profiles (agent_profile): what routing knows about an agent (skills,
 * languages, channels, location, capacity, availability) and the measured first responses.
 * An agent without a saved profile reads as the defaults.
 */
#include "base/base.h"
#include "store/store_int.h"

#include <stdio.h>

#define PROFILE_SQL                                                                                \
    "SELECT a.id, a.display_name, coalesce(p.skills, '[]'), coalesce(p.languages, '[]'), "        \
    "coalesce(p.channels, '[]'), p.location, coalesce(p.capacity, 10), "                          \
    "CASE WHEN a.disabled_at IS NULL THEN coalesce(p.availability, 'offline') "                   \
    "ELSE 'offline' END, coalesce(p.auto_presence, 1), "                                          \
    "coalesce(p.frt_sum_ms, 0), coalesce(p.frt_count, 0), coalesce(p.resolved_count, 0), "        \
    "coalesce(p.reopen_count, 0), (SELECT count(*) FROM conversation c WHERE "                    \
    "c.assignee_id = a.id AND c.status IN ('open', 'pending')) "                                  \
    "FROM agent a LEFT JOIN agent_profile p ON p.agent_id = a.id "

static void
profile_row(struct store__conn *c, struct arena *ar, struct db_stmt *s, struct store_profile *p)
{
    memset(p, 0, sizeof(*p));
    p->agent_id = db_i64(s, 0);
    p->name = store__col(ar, s, 1);
    p->skills = store__col(ar, s, 2);
    p->languages = store__col(ar, s, 3);
    p->channels = store__col(ar, s, 4);
    p->location = store__col(ar, s, 5);
    p->capacity = db_int(s, 6);
    p->availability = store__col(ar, s, 7);
    p->auto_presence = db_int(s, 8) != 0;
    p->frt_sum_ms = db_i64(s, 9);
    p->frt_count = db_i64(s, 10);
    p->resolved_count = db_i64(s, 11);
    p->reopen_count = db_i64(s, 12);
    p->open_count = db_i64(s, 13);
    (void)c;
}

static void
profile_lists(struct store__conn *c, struct arena *ar, struct store_profile *p)
{
    store__strs(c, ar, p->skills, &p->skills_v);
    store__strs(c, ar, p->languages, &p->languages_v);
    store__strs(c, ar, p->channels, &p->channels_v);
}

int
store_profile_get(struct store *st, struct arena *ar, int64_t agent_id, struct store_profile *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, PROFILE_SQL "WHERE a.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, agent_id);
    struct store_profile p;
    int rc = db_step(s);
    if (rc == DB_ROW)
        profile_row(c, ar, s, &p);
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
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
    struct db_stmt *s = store__q(c, PROFILE_SQL "ORDER BY a.id");
    if (!s)
        return ERR_IO;
    size_t cap = 64, cnt = 0;
    struct store_profile *v = ARENA_NEW_N(ar, struct store_profile, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (cnt == cap) {
            struct store_profile *w = ARENA_NEW_N(ar, struct store_profile, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        profile_row(c, ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
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
    struct db_stmt *s = store__q(tx->c, "SELECT availability FROM agent_profile WHERE agent_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, p->agent_id);
    char before[16] = "offline";
    if (db_step(s) == DB_ROW)
        snprintf(before, sizeof(before), "%s", db_text(s, 0));
    db_reset(s);
    s = store__q(tx->c, "INSERT INTO agent_profile(agent_id, updated_at) VALUES (?, ?) "
                        "ON CONFLICT(agent_id) DO NOTHING");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, p->agent_id);
    db_bind_i64(s, 2, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return store__fk_err(tx, rc);
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
    db_bind_int(s, 5, p->capacity);
    store__bind_cstr(s, 6, p->availability);
    db_bind_int(s, 7, j->set_presence ? p->auto_presence : -1);
    db_bind_i64(s, 8, tx->now);
    db_bind_i64(s, 9, p->agent_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if (p->availability && strcmp(before, p->availability) != 0)
        return store__event(tx, "agent.updated",
                            codec_event_agent_availability(p->agent_id, p->availability));
    return 0;
}

int
store_profile_put(struct store *st, const struct store_profile *p, bool set_presence)
{
    if (p->availability && strcmp(p->availability, "online") &&
        strcmp(p->availability, "away") && strcmp(p->availability, "offline"))
        return ERR_INVAL;
    struct profile_job j = { p, set_presence };
    int rc = store__submit(st, profile_put_tx, &j, true);
    /* The location is a store-staff member's scope: event streams check theirs again. */
    if (rc == 0 && p->location)
        store__credentials_changed(st);
    return rc;
}
