/* SPDX-License-Identifier: MIT */
/*
 * st_triage_model.c - triage model versions (triage_model) and their scores
 * (triage_model_score): recorded by the model service (care/triage_models.c), read by the API.
 */
#include "base/base.h"
#include "store/store_int.h"

#include <stdio.h>

#include "model/model.h"

#define MODEL_COLS                                                                                 \
    "id, kind, source, status, path, created_at, coalesce(activated_at, 0), trained_on, "         \
    "heldout, coalesce(compared_with, 0), macro_f1, accuracy, live_macro_f1, live_accuracy "       \
    "FROM triage_model"

static void
model_row(struct arena *ar, struct db_stmt *s, struct triage_model *m)
{
    memset(m, 0, sizeof(*m));
    m->id = db_i64(s, 0);
    m->kind = store__col(ar, s, 1);
    m->source = store__col(ar, s, 2);
    m->status = store__col(ar, s, 3);
    m->path = store__col(ar, s, 4);
    m->created_at = db_i64(s, 5);
    m->activated_at = db_i64(s, 6);
    m->trained_on = db_i64(s, 7);
    m->heldout = db_i64(s, 8);
    m->compared_with = db_i64(s, 9);
    m->cand.scored = !db_null(s, 10);
    m->cand.macro_f1 = db_double(s, 10);
    m->cand.accuracy = db_double(s, 11);
    m->live.scored = !db_null(s, 12);
    m->live.macro_f1 = db_double(s, 12);
    m->live.accuracy = db_double(s, 13);
}

/* Reads the per-class scores of 'm' (both sides). */
static int
read_classes(struct store__conn *c, struct arena *ar, struct triage_model *m)
{
    static const char *const sides[2] = { "candidate", "live" };
    struct triage_model_scores *to[2] = { &m->cand, &m->live };
    for (int k = 0; k < 2; k++) {
        struct db_stmt *s = store__q(c, "SELECT label, precision, recall, f1, support FROM "
                                      "triage_model_score WHERE model_id = ? AND side = ? "
                                      "ORDER BY support = 0, label");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, m->id);
        db_bind_text_ref(s, 2, sides[k], -1);
        size_t cap = 0, n = 0;
        struct triage_model_class *v = NULL;
        int rc;
        while ((rc = db_step(s)) == DB_ROW) {
            STORE__GROW(ar, v, n, cap);
            v[n].label = store__col(ar, s, 0);
            v[n].precision = db_double(s, 1);
            v[n].recall = db_double(s, 2);
            v[n].f1 = db_double(s, 3);
            v[n].support = db_i64(s, 4);
            n++;
        }
        db_reset(s);
        if (rc != DB_DONE)
            return store__err(rc);
        to[k]->cls = v;
        to[k]->nclasses = n;
    }
    return 0;
}

int
store_triage_model_list(struct store *st, struct arena *ar, const char *kind,
                        struct triage_model **out, size_t *n)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " MODEL_COLS " WHERE CAST(?1 AS TEXT) IS NULL OR "
                                  "kind = ?1 ORDER BY id DESC");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, kind);
    size_t cap = 0, cnt = 0;
    struct triage_model *v = NULL;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        STORE__GROW(ar, v, cnt, cap);
        model_row(ar, s, &v[cnt++]);
    }
    db_reset(s);
    if (rc != DB_DONE)
        return store__err(rc);
    for (size_t i = 0; i < cnt; i++) {
        rc = read_classes(c, ar, &v[i]);
        if (rc < 0)
            return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
store_triage_model_get(struct store *st, struct arena *ar, int64_t id, struct triage_model *out)
{
    struct store__conn *c = store__reader(st);
    if (!c)
        return ERR_IO;
    struct db_stmt *s = store__q(c, "SELECT " MODEL_COLS " WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc != DB_ROW) {
        db_reset(s);
        return rc == DB_DONE ? ERR_NOTFOUND : store__err(rc);
    }
    struct triage_model m;
    model_row(ar, s, &m);
    db_reset(s);
    rc = read_classes(c, ar, &m);
    if (rc < 0)
        return rc;
    *out = m;
    return 0;
}

/* triage.model: a version was added or made live. */
static int
emit(struct store__tx *tx, const char *kind, int64_t id)
{
    char *data = codec_event_triage_model(kind, id);
    return data ? store__event(tx, "triage.model", data) : ERR_NOMEM;
}

/* Demotes the live version of 'kind' (other than 'keep') to previous. */
static int
demote_live(struct store__tx *tx, const char *kind, int64_t keep)
{
    struct db_stmt *s = store__q(tx->c, "UPDATE triage_model SET status = 'previous' WHERE "
                                      "kind = ? AND status = 'live' AND id != ?");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, kind, -1);
    db_bind_i64(s, 2, keep);
    return store__step_done(s);
}

static int
add_classes(struct store__tx *tx, int64_t id, const char *side,
            const struct triage_model_scores *sc)
{
    for (size_t i = 0; sc->scored && i < sc->nclasses; i++) {
        struct db_stmt *s = store__q(tx->c, "INSERT INTO triage_model_score(model_id, side, label, "
                                          "precision, recall, f1, support) VALUES (?, ?, ?, ?, "
                                          "?, ?, ?)");
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, id);
        db_bind_text_ref(s, 2, side, -1);
        store__bind_cstr(s, 3, sc->cls[i].label);
        db_bind_double(s, 4, sc->cls[i].precision);
        db_bind_double(s, 5, sc->cls[i].recall);
        db_bind_double(s, 6, sc->cls[i].f1);
        db_bind_i64(s, 7, sc->cls[i].support);
        int rc = store__step_done(s);
        if (rc < 0)
            return rc;
    }
    return 0;
}

struct add_job {
    const struct triage_model *m;
    int64_t id;
};

static void
bind_score(struct db_stmt *s, int i, bool scored, double v)
{
    if (scored)
        db_bind_double(s, i, v);
    else
        db_bind_null(s, i);
}

static int
add_tx(struct store__tx *tx, void *arg)
{
    struct add_job *j = arg;
    const struct triage_model *m = j->m;
    bool live = strcmp(m->status, "live") == 0;
    int rc;
    if (live && (rc = demote_live(tx, m->kind, 0)) < 0)
        return rc;
    struct db_stmt *s = store__q(
        tx->c, "INSERT INTO triage_model(kind, source, status, path, created_at, activated_at, "
               "trained_on, heldout, compared_with, macro_f1, accuracy, live_macro_f1, "
               "live_accuracy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return ERR_IO;
    store__bind_cstr(s, 1, m->kind);
    store__bind_cstr(s, 2, m->source);
    store__bind_cstr(s, 3, m->status);
    store__bind_cstr(s, 4, m->path);
    db_bind_i64(s, 5, m->created_at ? m->created_at : tx->now);
    if (live)
        db_bind_i64(s, 6, tx->now);
    else
        db_bind_null(s, 6);
    db_bind_i64(s, 7, m->trained_on);
    db_bind_i64(s, 8, m->heldout);
    store__bind_id(s, 9, m->compared_with);
    bind_score(s, 10, m->cand.scored, m->cand.macro_f1);
    bind_score(s, 11, m->cand.scored, m->cand.accuracy);
    bind_score(s, 12, m->live.scored, m->live.macro_f1);
    bind_score(s, 13, m->live.scored, m->live.accuracy);
    rc = store__step_done(s);
    if (rc < 0)
        return rc;
    j->id = db_last_id(tx->c);
    if ((rc = add_classes(tx, j->id, "candidate", &m->cand)) < 0 ||
        (rc = add_classes(tx, j->id, "live", &m->live)) < 0)
        return rc;
    return emit(tx, m->kind, j->id);
}

int
store_triage_model_add(struct store *st, const struct triage_model *m, int64_t *id)
{
    struct add_job j = { .m = m };
    int rc = store__submit(st, add_tx, &j, true);
    if (rc == 0 && id)
        *id = j.id;
    return rc;
}

struct activate_job {
    int64_t id;
};

static int
activate_tx(struct store__tx *tx, void *arg)
{
    struct activate_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "SELECT kind FROM triage_model WHERE id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    if (db_step(s) != DB_ROW) {
        db_reset(s);
        return ERR_NOTFOUND;
    }
    char kind[16];
    snprintf(kind, sizeof(kind), "%s", db_text(s, 0));
    db_reset(s);
    int rc = demote_live(tx, kind, j->id);
    if (rc < 0)
        return rc;
    s = store__q(tx->c, "UPDATE triage_model SET status = 'live', activated_at = ? WHERE id = ? "
                        "AND status != 'live'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, tx->now);
    db_bind_i64(s, 2, j->id);
    rc = store__step_done(s);
    if (rc < 0)
        return rc;
    return emit(tx, kind, j->id);
}

int
store_triage_model_activate(struct store *st, int64_t id)
{
    struct activate_job j = { .id = id };
    return store__submit(st, activate_tx, &j, true);
}

static int
delete_tx(struct store__tx *tx, void *arg)
{
    int64_t id = *(int64_t *)arg;
    struct db_stmt *s = store__q(tx->c, "DELETE FROM triage_model_score WHERE model_id = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    int rc = store__step_done(s);
    if (rc < 0)
        return rc;
    s = store__q(tx->c, "UPDATE triage_model SET compared_with = NULL WHERE compared_with = ?");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    if ((rc = store__step_done(s)) < 0)
        return rc;
    s = store__q(tx->c, "DELETE FROM triage_model WHERE id = ? AND status != 'live'");
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, id);
    rc = store__step_done(s);
    return rc < 0 ? rc : store__changed(tx);
}

int
store_triage_model_delete(struct store *st, int64_t id)
{
    return store__submit(st, delete_tx, &id, true);
}

struct shipped_job {
    const char *kind, *path;
};

static int
shipped_tx(struct store__tx *tx, void *arg)
{
    struct shipped_job *j = arg;
    struct db_stmt *s = store__q(tx->c, "UPDATE triage_model SET path = ? WHERE kind = ? AND "
                                      "source = 'shipped'");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->path, -1);
    db_bind_text_ref(s, 2, j->kind, -1);
    int rc = store__step_done(s);
    if (rc < 0 || db_changes(tx->c) > 0)
        return rc;
    s = store__q(tx->c, "INSERT INTO triage_model(kind, source, status, path, created_at, "
                        "activated_at) SELECT ?1, 'shipped', CASE WHEN EXISTS (SELECT 1 FROM "
                        "triage_model WHERE kind = ?1 AND status = 'live') THEN 'previous' ELSE "
                        "'live' END, ?2, ?3, ?3");
    if (!s)
        return ERR_IO;
    db_bind_text_ref(s, 1, j->kind, -1);
    db_bind_text_ref(s, 2, j->path, -1);
    db_bind_i64(s, 3, tx->now);
    return store__step_done(s);
}

int
store_triage_model_shipped(struct store *st, const char *kind, const char *path)
{
    struct shipped_job j = { .kind = kind, .path = path };
    return store__submit(st, shipped_tx, &j, true);
}
