/* SPDX-License-Identifier: MIT */
/*
 * st_merge.c - one person across channels: merge suggestions with their evidence, dismissed
 * pairs, the merge (identities and conversations move, empty fields filled) and its exact
 * undo from what contact_merge_item recorded (migration 023).
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/buf.h"
#include "base/jsonw.h"

/* The fields a merge fills on the kept contact when they are empty there, in the column order
 * of the statements below. */
static const char *const fields[] = { "name",     "email", "phone", "locale",
                                      "location", "tags",  "notes", "attributes" };
#define NFIELDS 8
#define FIELD_COLS "name, email, phone, locale, location, tags, notes, attributes"

/* Digits of a phone number, as contact_fts_source and the contact_phone_digits index keep
 * them (only the separators " +-().", so the lookup matches the index's expression). */
#define PHONE_DIGITS_SQL(x)                                                                        \
    "replace(replace(replace(replace(replace(replace(" x ", ' ', ''), '+', ''), '-', ''), '(', "  \
    "''), ')', ''), '.', '')"

static bool
empty_value(const char *v)
{
    return !v || !v[0] || strcmp(v, "[]") == 0 || strcmp(v, "{}") == 0;
}

/* ---- suggestions ------------------------------------------------------------------------- */

struct cand {
    int64_t id;
    struct merge_evidence ev[8];
    size_t nev;
};

struct sugg {
    struct store__conn *c;
    struct arena *ar;
    int64_t self;
    struct cand *v;
    size_t n, cap;
};

static void
add_evidence(struct sugg *g, int64_t id, const char *kind, const char *value)
{
    if (id == g->self)
        return;
    struct cand *cd = NULL;
    for (size_t i = 0; i < g->n && !cd; i++)
        cd = g->v[i].id == id ? &g->v[i] : NULL;
    if (!cd) {
        if (g->n >= 64) /* bounded: each lookup is limited, and so is their sum */
            return;
        STORE__GROW(g->ar, g->v, g->n, g->cap);
        cd = &g->v[g->n++];
        memset(cd, 0, sizeof(*cd));
        cd->id = id;
    }
    for (size_t i = 0; i < cd->nev; i++) {
        if (strcmp(cd->ev[i].kind, kind) == 0)
            return; /* one piece of each kind is enough to show */
    }
    if (cd->nev < COUNTOF(cd->ev))
        cd->ev[cd->nev++] = (struct merge_evidence){ kind, arena_strdup(g->ar, value) };
}

/* Runs 's' (bound) and adds each contact id in its first column with this evidence. */
static int
collect(struct sugg *g, struct db_stmt *s, const char *kind, const char *value)
{
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        add_evidence(g, db_i64(s, 0), kind, value);
    db_reset(s);
    return rc == DB_DONE ? 0 : store__err(rc);
}

/* A candidate is live: not merged into another contact. The lookups join it. */
#define LIVE " AND merged_into IS NULL "

static int
by_email(struct sugg *g, const char *email)
{
    /* SQLite's NOCASE index contact_email_nocase; PostgreSQL's on lower(email). */
    struct db_stmt *s = store__q(
        g->c, store__sql(g->c, "SELECT id FROM contact WHERE email = ?1 COLLATE NOCASE" LIVE
                               "LIMIT 20",
                         "SELECT id FROM contact WHERE lower(email) = lower(?1)" LIVE "LIMIT 20"));
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, email, -1);
    int rc = collect(g, s, "email", email);
    if (rc < 0)
        return rc;
    s = store__q(g->c, "SELECT i.contact_id FROM identity i JOIN contact ct ON ct.id = "
                       "i.contact_id WHERE i.channel_type = 'email' AND i.platform_id IN "
                       "(?1, lower(?1)) AND ct.merged_into IS NULL LIMIT 20");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, email, -1);
    return collect(g, s, "email", email);
}

static int
by_phone(struct sugg *g, const char *digits)
{
    struct db_stmt *s = store__q(g->c, "SELECT id FROM contact WHERE " PHONE_DIGITS_SQL("phone")
                                     " = ?1" LIVE "LIMIT 20");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, digits, -1);
    int rc = collect(g, s, "phone", digits);
    if (rc < 0)
        return rc;
    s = store__q(g->c, "SELECT i.contact_id FROM identity i JOIN contact ct ON ct.id = "
                       "i.contact_id WHERE i.channel_type IN ('whatsapp', 'sms') AND "
                       "i.platform_id IN (?1, '+' || ?1) AND ct.merged_into IS NULL LIMIT 20");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, digits, -1);
    return collect(g, s, "phone", digits);
}

/* Digits of 'p' when they look like a phone number (7..20 digits), else NULL. */
static const char *
phone_digits(struct arena *ar, const char *p)
{
    if (!p)
        return NULL;
    char d[24];
    size_t n = 0;
    for (const char *q = p; *q; q++) {
        if (*q >= '0' && *q <= '9') {
            if (n >= 20)
                return NULL;
            d[n++] = *q;
        } else if (!strchr(" +-().", *q)) {
            return NULL;
        }
    }
    return n >= 7 ? arena_strndup(ar, d, n) : NULL;
}

static int
cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->nev != y->nev)
        return x->nev > y->nev ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int
store_merge_suggestions(struct store *st, struct arena *ar, int64_t id,
                        struct merge_suggestion **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct contact self;
    int rc = store_contact_get(st, ar, id, &self);
    if (rc < 0)
        return rc;
    if (self.merged_into)
        return 0;
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct sugg g = { .c = c, .ar = ar, .self = id };

    /* The contact's keys: its own fields and what its identities say. */
    if (self.email && strchr(self.email, '@') && (rc = by_email(&g, self.email)) < 0)
        return rc;
    const char *pd = phone_digits(ar, self.phone);
    if (pd && (rc = by_phone(&g, pd)) < 0)
        return rc;
    for (size_t i = 0; i < self.nids; i++) {
        const struct identity *idn = &self.ids[i];
        if (strcmp(idn->channel_type, "email") == 0 && strchr(idn->platform_id, '@')) {
            if ((rc = by_email(&g, idn->platform_id)) < 0)
                return rc;
        } else if (strcmp(idn->channel_type, "whatsapp") == 0 ||
                   strcmp(idn->channel_type, "sms") == 0) {
            const char *d = phone_digits(ar, idn->platform_id);
            if (d && (rc = by_phone(&g, d)) < 0)
                return rc;
        }
    }
    if (self.name && self.name[0] && self.location && self.location[0]) {
        /* contact_name: NOCASE on SQLite, lower(name) on PostgreSQL. */
        struct db_stmt *s = store__q(
            c, store__sql(c, "SELECT id FROM contact WHERE name = ?1 COLLATE NOCASE "
                             "AND location = ?2 COLLATE NOCASE" LIVE "LIMIT 20",
                          "SELECT id FROM contact WHERE lower(name) = lower(?1) "
                          "AND lower(location) = lower(?2)" LIVE "LIMIT 20"));
        if (!s)
            return ERR_IO;
        db_bind_text_ref(s, 1, self.name, -1);
        db_bind_text_ref(s, 2, self.location, -1);
        const char *v = arena_printf(ar, "%s, %s", self.name, self.location);
        if ((rc = collect(&g, s, "name_location", v)) < 0)
            return rc;
    }
    /* Order references: the contact's own and those of contacts merged into it. */
    struct db_stmt *s = store__q(c, "SELECT ref FROM contact_order_ref WHERE contact_id = ?1 OR "
                                  "contact_id IN (SELECT id FROM contact WHERE merged_into = ?1)"
                                  " ORDER BY created_at DESC LIMIT 20");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    const char *refs[20];
    size_t nrefs = 0;
    while ((rc = db_step(s)) == DB_ROW && nrefs < COUNTOF(refs))
        refs[nrefs++] = store__col(ar, s, 0);
    db_reset(s);
    if (rc != DB_DONE && rc != DB_ROW)
        return store__err(rc);
    for (size_t i = 0; i < nrefs; i++) {
        s = store__q(c, "SELECT r.contact_id FROM contact_order_ref r JOIN contact ct ON "
                        "ct.id = r.contact_id WHERE r.ref = ?1 AND ct.merged_into IS NULL "
                        "LIMIT 20");
        if (!s)
            return ERR_IO;
        db_bind_text_ref(s, 1, refs[i], -1);
        if ((rc = collect(&g, s, "order_ref", arena_printf(ar, "#%s", refs[i]))) < 0)
            return rc;
    }

    /* Dismissed pairs are never suggested again. */
    size_t keep = 0;
    s = store__q(c, "SELECT 1 FROM contact_merge_dismissed WHERE contact_a = ? AND contact_b = ?");
    if (!s)
        return ERR_IO;
    for (size_t i = 0; i < g.n; i++) {
        int64_t a = id < g.v[i].id ? id : g.v[i].id, b = id < g.v[i].id ? g.v[i].id : id;
        db_bind_i64(s, 1, a);
        db_bind_i64(s, 2, b);
        rc = db_step(s);
        db_reset(s);
        if (rc != DB_ROW && rc != DB_DONE)
            return store__err(rc);
        if (rc == DB_DONE)
            g.v[keep++] = g.v[i];
    }
    g.n = keep;
    if (g.n > 1)
        qsort(g.v, g.n, sizeof(*g.v), cand_cmp);
    if (g.n > STORE_MERGE_SUGGESTIONS_MAX)
        g.n = STORE_MERGE_SUGGESTIONS_MAX;
    struct merge_suggestion *v = ARENA_NEW_N(ar, struct merge_suggestion, g.n ? g.n : 1);
    for (size_t i = 0; i < g.n; i++) {
        if ((rc = store_contact_get(st, ar, g.v[i].id, &v[i].contact)) < 0)
            return rc;
        v[i].ev = ARENA_NEW_N(ar, struct merge_evidence, g.v[i].nev);
        memcpy(v[i].ev, g.v[i].ev, g.v[i].nev * sizeof(*v[i].ev));
        v[i].nev = g.v[i].nev;
    }
    *out = v;
    *n = g.n;
    return 0;
}

struct dismiss_job {
    int64_t a, b, agent_id;
};

static int
dismiss_tx(struct store__tx *tx, void *arg)
{
    struct dismiss_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "INSERT INTO contact_merge_dismissed(contact_a, contact_b, "
                                      "dismissed_by, dismissed_at) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT DO NOTHING");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->a);
    db_bind_i64(s, 2, j->b);
    store__bind_id(s, 3, j->agent_id);
    db_bind_i64(s, 4, tx->now);
    int rc = store__step_done(s);
    if (rc < 0)
        return store__fk_err(tx, rc);
    if ((rc = store__event(tx, "contact.updated", codec_event_contact(j->a))) < 0)
        return rc;
    return store__event(tx, "contact.updated", codec_event_contact(j->b));
}

int
store_merge_dismiss(struct store *st, int64_t a, int64_t b, int64_t agent_id)
{
    if (a == b || a <= 0 || b <= 0)
        return ERR_INVAL;
    struct dismiss_job j = { .a = a < b ? a : b, .b = a < b ? b : a, .agent_id = agent_id };
    return store__submit(st, dismiss_tx, &j, true);
}

/* ---- merge and undo ---------------------------------------------------------------------- */

struct row {
    bool found;
    int64_t merged_into;
    bool blocked;
    const char *f[NFIELDS];
};

static int
read_row(struct store__tx *tx, struct arena *ar, int64_t id, struct row *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *s = store__q(tx->c, "SELECT coalesce(merged_into, 0), status = 'blocked', "
                                      FIELD_COLS " FROM contact WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->found = true;
        out->merged_into = db_i64(s, 0);
        out->blocked = db_int(s, 1) != 0;
        for (int i = 0; i < NFIELDS; i++)
            out->f[i] = store__col(ar, s, 2 + i);
    }
    db_reset(s);
    return rc == DB_ROW || rc == DB_DONE ? 0 : store__err(rc);
}

/* Sets the fields of contact 'id' flagged in 'set' to 'v' (NULL: SQL NULL). */
static int
set_fields(struct store__tx *tx, int64_t id, const bool set[NFIELDS],
           const char *const v[NFIELDS])
{
    struct db_stmt *s = store__q(
        tx->c, "UPDATE contact SET name = CASE WHEN ?1 <> 0 THEN coalesce(?2, '') ELSE name END, "
               "email = CASE WHEN ?3 <> 0 THEN ?4 ELSE email END, "
               "phone = CASE WHEN ?5 <> 0 THEN ?6 ELSE phone END, "
               "locale = CASE WHEN ?7 <> 0 THEN ?8 ELSE locale END, "
               "location = CASE WHEN ?9 <> 0 THEN ?10 ELSE location END, "
               "tags = CASE WHEN ?11 <> 0 THEN coalesce(?12, '[]') ELSE tags END, "
               "notes = CASE WHEN ?13 <> 0 THEN coalesce(?14, '') ELSE notes END, "
               "attributes = CASE WHEN ?15 <> 0 THEN coalesce(?16, '{}') ELSE attributes END, "
               "updated_at = ?17 WHERE id = ?18");
    if (!s)
        return ERR_IO;
    for (int i = 0; i < NFIELDS; i++) {
        db_bind_int(s, 1 + 2 * i, set[i]);
        store__bind_cstr(s, 2 + 2 * i, set[i] ? v[i] : NULL);
    }
    db_bind_i64(s, 17, tx->now);
    db_bind_i64(s, 18, id);
    return store__step_done(s);
}

/* conversation.updated for each conversation a merge item names (they changed contact). */
static int
emit_items(struct store__tx *tx, int64_t merge_id)
{
    struct db_stmt *s = store__q(tx->c, "SELECT item_id FROM contact_merge_item WHERE merge_id = ? "
                                      "AND kind = 'conversation' ORDER BY item_id");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, merge_id);
    return store__emit_convs(tx, s);
}

struct merge_job {
    int64_t id, other_id, agent_id, merge_id;
    const char *evidence;
    enum merge_conflict why;
    struct arena *ar;
    const char *kept_fields;
};

static int
merge_tx(struct store__tx *tx, void *arg)
{
    struct merge_job *j = arg;
    struct row k, o;
    int rc;
    if ((rc = read_row(tx, j->ar, j->id, &k)) < 0 || (rc = read_row(tx, j->ar, j->other_id, &o)) < 0)
        return rc;
    if (!k.found || !o.found)
        return ERR_NOTFOUND;
    if (k.merged_into || o.merged_into) {
        j->why = MERGE_ALREADY_MERGED;
        return ERR_CONFLICT;
    }
    if (k.blocked != o.blocked) {
        j->why = MERGE_BLOCKED;
        return ERR_CONFLICT;
    }
    /* The kept contact's empty fields take the other's values: what and what was there. */
    bool set[NFIELDS] = { 0 };
    struct buf filled, before;
    buf_init(&filled, 1 << 20);
    buf_init(&before, 1 << 20);
    buf_addc(&filled, '{');
    buf_addc(&before, '{');
    for (int i = 0; i < NFIELDS; i++) {
        set[i] = empty_value(k.f[i]) && !empty_value(o.f[i]);
        if (!set[i])
            continue;
        if (filled.len > 1) {
            buf_addc(&filled, ',');
            buf_addc(&before, ',');
        }
        jsonw_cstr(&filled, fields[i]);
        buf_addc(&filled, ':');
        jsonw_cstr(&filled, o.f[i]);
        jsonw_cstr(&before, fields[i]);
        buf_addc(&before, ':');
        jsonw_cstr(&before, k.f[i]);
    }
    buf_addc(&filled, '}');
    buf_addc(&before, '}');
    rc = buf_error(&filled) ? buf_error(&filled) : buf_error(&before);
    struct db_stmt *s = rc ? NULL
                         : store__q(tx->c, "INSERT INTO contact_merge(contact_id, other_id, "
                                           "evidence, filled, before, created_at, created_by) "
                                           "VALUES (?, ?, coalesce(?, '[]'), ?, ?, ?, ?)");
    if (!rc && !s)
        rc = ERR_IO;
    if (!rc) {
        db_bind_i64(s, 1, j->id);
        db_bind_i64(s, 2, j->other_id);
        store__bind_cstr(s, 3, j->evidence);
        db_bind_text(s, 4, filled.p, (int)filled.len);
        db_bind_text(s, 5, before.p, (int)before.len);
        db_bind_i64(s, 6, tx->now);
        store__bind_id(s, 7, j->agent_id);
        rc = store__step_done(s);
    }
    buf_release(&filled);
    buf_release(&before);
    if (rc < 0)
        return store__fk_err(tx, rc);
    j->merge_id = db_last_id(tx->c);

    /* Every conversation's store before (a filled location changes it), then what moves,
     * recorded first, then moved. */
    s = store__q(tx->c, "INSERT INTO contact_merge_store(merge_id, conversation_id, store) "
                        "SELECT ?1, id, store FROM conversation WHERE contact_id IN (?2, ?3)");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    db_bind_i64(s, 2, j->id);
    db_bind_i64(s, 3, j->other_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    /* What moves, recorded first, then moved. */
    s = store__q(tx->c, "INSERT INTO contact_merge_item(merge_id, kind, item_id) "
                        "SELECT ?1, 'identity', id FROM identity WHERE contact_id = ?2 "
                        "UNION ALL SELECT ?1, 'conversation', id FROM conversation "
                        "WHERE contact_id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    db_bind_i64(s, 2, j->other_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE identity SET contact_id = ?1 WHERE contact_id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    db_bind_i64(s, 2, j->other_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET contact_id = ?1, updated_at = ?3 "
                        "WHERE contact_id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    db_bind_i64(s, 2, j->other_id);
    db_bind_i64(s, 3, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    if ((rc = set_fields(tx, j->id, set, o.f)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE contact SET merged_into = ?1, updated_at = ?3 WHERE id = ?2");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    db_bind_i64(s, 2, j->other_id);
    db_bind_i64(s, 3, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    /* The other contact is found through the kept one now: its own search row goes (the
     * identity triggers rewrote it without handles; undo's identity moves write it back). On
     * PostgreSQL the search indexes follow the rows, and a search skips merged contacts. */
    if (!tx->c->pg) {
        s = store__q(tx->c, "DELETE FROM contact_fts WHERE rowid = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->other_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    if ((rc = emit_items(tx, j->merge_id)) < 0 ||
        (rc = store__event(tx, "contact.updated", codec_event_contact(j->id))) < 0)
        return rc;
    return store__event(tx, "contact.updated", codec_event_contact(j->other_id));
}

int
store_contact_merge(struct store *st, int64_t id, int64_t other_id, int64_t agent_id,
                    const char *evidence, int64_t *merge_id, enum merge_conflict *why)
{
    *why = MERGE_OK;
    if (id == other_id)
        return ERR_INVAL;
    struct arena *ar = arena_new(1 << 16);
    struct merge_job j = { .id = id, .other_id = other_id, .agent_id = agent_id,
                           .evidence = evidence, .ar = ar };
    int rc = store__submit(st, merge_tx, &j, true);
    arena_free(ar);
    *why = j.why;
    if (rc == 0)
        *merge_id = j.merge_id;
    return rc;
}

static int
undo_tx(struct store__tx *tx, void *arg)
{
    struct merge_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT contact_id, other_id, undone_at IS NOT NULL "
                                      "FROM contact_merge WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    int rc = db_step(s);
    bool undone = false;
    if (rc == DB_ROW) {
        j->id = db_i64(s, 0);
        j->other_id = db_i64(s, 1);
        undone = db_int(s, 2) != 0;
    }
    db_reset(s);
    if (rc != DB_ROW)
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    if (undone) {
        j->why = MERGE_UNDONE;
        return ERR_CONFLICT;
    }
    /* A later merge of the kept contact (into another, or of another into it) moved things
     * this undo would have to untangle: that one is undone first. */
    s = store__q(tx->c, "SELECT 1 FROM contact_merge WHERE id > ?1 AND undone_at IS NULL AND "
                        "(contact_id = ?2 OR other_id = ?2) LIMIT 1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    db_bind_i64(s, 2, j->id);
    rc = db_step(s);
    db_reset(s);
    if (rc == DB_ROW) {
        j->why = MERGE_LATER;
        return ERR_CONFLICT;
    }
    if (rc != DB_DONE)
        return store__err(rc);
    struct row k, o;
    if ((rc = read_row(tx, j->ar, j->id, &k)) < 0 || (rc = read_row(tx, j->ar, j->other_id, &o)) < 0)
        return rc;
    if (k.blocked != o.blocked) {
        j->why = MERGE_BLOCKED;
        return ERR_CONFLICT;
    }

    /* Fields: back to what they were, unless someone changed them since the merge. */
    s = store__q(tx->c, "SELECT json_extract(filled, ?2), json_extract(before, ?2), "
                        "json_type(filled, ?2) IS NOT NULL FROM contact_merge WHERE id = ?1");
    if (!s)
        return ERR_IO;
    bool set[NFIELDS] = { 0 };
    const char *back[NFIELDS] = { 0 };
    struct buf kept;
    buf_init(&kept, 4096);
    buf_addc(&kept, '[');
    for (int i = 0; i < NFIELDS; i++) {
        db_bind_i64(s, 1, j->merge_id);
        char path[32];
        snprintf(path, sizeof(path), "$.%s", fields[i]);
        db_bind_text(s, 2, path, -1);
        rc = db_step(s);
        if (rc == DB_ROW && db_int(s, 2)) {
            const char *was = store__col(j->ar, s, 0);
            if (was && k.f[i] && strcmp(was, k.f[i]) == 0) {
                set[i] = true;
                back[i] = store__col(j->ar, s, 1);
            } else {
                if (kept.len > 1)
                    buf_addc(&kept, ',');
                jsonw_cstr(&kept, fields[i]);
            }
        }
        db_reset(s);
        if (rc != DB_ROW && rc != DB_DONE) {
            buf_release(&kept);
            return store__err(rc);
        }
    }
    buf_addc(&kept, ']');
    j->kept_fields = arena_strndup(j->ar, kept.p, kept.len);
    buf_release(&kept);
    if ((rc = set_fields(tx, j->id, set, back)) < 0)
        return rc;

    /* Identities and conversations go back (the ones still on the kept contact). */
    s = store__q(tx->c, "UPDATE identity SET contact_id = ?2 WHERE contact_id = ?3 AND id IN "
                        "(SELECT item_id FROM contact_merge_item WHERE merge_id = ?1 AND "
                        "kind = 'identity')");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    db_bind_i64(s, 2, j->other_id);
    db_bind_i64(s, 3, j->id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE conversation SET contact_id = ?2, updated_at = ?4 WHERE "
                        "contact_id = ?3 AND id IN (SELECT item_id FROM contact_merge_item "
                        "WHERE merge_id = ?1 AND kind = 'conversation')");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    db_bind_i64(s, 2, j->other_id);
    db_bind_i64(s, 3, j->id);
    db_bind_i64(s, 4, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    /* The store of each conversation (the store-staff scope): its contact's location, as the
     * conversation_store_contact trigger keeps it, else what it was before the merge. */
    s = store__q(tx->c, "UPDATE conversation SET store = coalesce((SELECT nullif(trim(ct.location), "
                        "'') FROM contact ct WHERE ct.id = conversation.contact_id), CASE WHEN "
                        "EXISTS (SELECT 1 FROM contact_merge_store ms WHERE ms.merge_id = ?1 AND "
                        "ms.conversation_id = conversation.id) THEN (SELECT ms.store FROM "
                        "contact_merge_store ms WHERE ms.merge_id = ?1 AND ms.conversation_id = "
                        "conversation.id) ELSE store END) WHERE id IN (SELECT "
                        "conversation_id FROM contact_merge_store WHERE merge_id = ?1 UNION "
                        "SELECT item_id FROM contact_merge_item WHERE merge_id = ?1 AND "
                        "kind = 'conversation')");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "UPDATE contact SET merged_into = NULL, updated_at = ?2 WHERE id = ?1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->other_id);
    db_bind_i64(s, 2, tx->now);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    /* Its search row again (a contact without identities gets none from their triggers);
     * PostgreSQL's search indexes follow the rows. */
    if (!tx->c->pg) {
        s = store__q(tx->c, "INSERT OR REPLACE INTO contact_fts(rowid, name, handles, email, "
                            "phone) SELECT id, name, handles, email, phone FROM "
                            "contact_fts_source WHERE id = ?");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->other_id);
        if ((rc = store__step_done(s)) < 0)
            return rc;
    }
    s = store__q(tx->c, "UPDATE contact_merge SET undone_at = ?2, undone_by = ?3 WHERE id = ?1");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->merge_id);
    db_bind_i64(s, 2, tx->now);
    store__bind_id(s, 3, j->agent_id);
    if ((rc = store__step_done(s)) < 0)
        return store__fk_err(tx, rc);
    if ((rc = emit_items(tx, j->merge_id)) < 0 ||
        (rc = store__event(tx, "contact.updated", codec_event_contact(j->id))) < 0)
        return rc;
    return store__event(tx, "contact.updated", codec_event_contact(j->other_id));
}

int
store_contact_merge_undo(struct store *st, struct arena *ar, int64_t merge_id, int64_t agent_id,
                         const char **kept_fields, enum merge_conflict *why)
{
    struct merge_job j = { .merge_id = merge_id, .agent_id = agent_id, .ar = ar };
    int rc = store__submit(st, undo_tx, &j, true);
    *why = j.why;
    if (kept_fields)
        *kept_fields = rc == 0 ? j.kept_fields : NULL;
    return rc;
}

/* ---- reads ------------------------------------------------------------------------------- */

#define MERGE_COLS                                                                                 \
    "m.id, m.contact_id, m.other_id, (SELECT name FROM contact WHERE id = m.contact_id), "        \
    "(SELECT name FROM contact WHERE id = m.other_id), m.evidence, m.filled, m.before, "          \
    "(SELECT count(*) FROM contact_merge_item WHERE merge_id = m.id AND kind = 'identity'), "     \
    "(SELECT count(*) FROM contact_merge_item WHERE merge_id = m.id AND kind = 'conversation'), " \
    "m.created_at, coalesce(m.created_by, 0), "                                                   \
    "(SELECT display_name FROM agent WHERE id = m.created_by), coalesce(m.undone_at, 0), "        \
    "coalesce(m.undone_by, 0), (SELECT display_name FROM agent WHERE id = m.undone_by)"

static void
merge_row(struct arena *ar, struct db_stmt *s, struct contact_merge *m)
{
    memset(m, 0, sizeof(*m));
    m->id = db_i64(s, 0);
    m->contact_id = db_i64(s, 1);
    m->other_id = db_i64(s, 2);
    m->contact_name = store__col(ar, s, 3);
    m->other_name = store__col(ar, s, 4);
    m->evidence = store__col(ar, s, 5);
    m->filled = store__col(ar, s, 6);
    m->before = store__col(ar, s, 7);
    m->identities = db_i64(s, 8);
    m->conversations = db_i64(s, 9);
    m->created_at = db_i64(s, 10);
    m->created_by = db_i64(s, 11);
    m->created_by_name = store__col(ar, s, 12);
    m->undone_at = db_i64(s, 13);
    m->undone_by = db_i64(s, 14);
    m->undone_by_name = store__col(ar, s, 15);
}

int
store_contact_merge_get(struct store *st, struct arena *ar, int64_t merge_id,
                        struct contact_merge *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " MERGE_COLS " FROM contact_merge m WHERE m.id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, merge_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        merge_row(ar, s, out);
    db_reset(s);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
}

int
store_contact_merges(struct store *st, struct arena *ar, int64_t id, struct contact_merge **out,
                     size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " MERGE_COLS " FROM contact_merge m WHERE "
                                  "m.contact_id = ?1 OR m.other_id = ?1 ORDER BY m.id DESC "
                                  "LIMIT 50");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    size_t cap = 8, cnt = 0;
    struct contact_merge *v = ARENA_NEW_N(ar, struct contact_merge, cap);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        merge_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    *out = v;
    *n = cnt;
    return 0;
}
