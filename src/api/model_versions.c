/* SPDX-License-Identifier: MIT */
/*
 * model_versions.c - triage model versions (admin): GET /api/v1/triage/models, POST
 * /api/v1/triage/models/retrain, GET /api/v1/triage/models/jobs/{id} and POST
 * /api/v1/triage/models/{id}/activate. The work is care's (care/triage_models.c); this file
 * only validates and encodes.
 */
#include "base/base.h"
#include "api/api_int.h"

#include "base/arena.h"
#include "classify/classify.h"
#include "store/store.h"

static json_t *
scores_json(const struct triage_model_scores *s)
{
    if (!s->scored)
        return json_null();
    json_t *cls = json_array();
    for (size_t i = 0; i < s->nclasses; i++) {
        const struct triage_model_class *c = &s->cls[i];
        json_array_append_new(cls, json_pack("{s:s, s:f, s:f, s:f, s:I}", "label", c->label,
                                             "precision", c->precision, "recall", c->recall,
                                             "f1", c->f1, "support", (json_int_t)c->support));
    }
    return json_pack("{s:f, s:f, s:o}", "macro_f1", s->macro_f1, "accuracy", s->accuracy,
                     "classes", cls);
}

static json_t *
id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

static json_t *
version_json(const struct triage_model *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "kind", json_string(m->kind));
    json_object_set_new(o, "source", json_string(m->source));
    json_object_set_new(o, "status", json_string(m->status));
    json_object_set_new(o, "created_at", codec_time(m->created_at));
    json_object_set_new(o, "activated_at",
                        m->activated_at ? codec_time(m->activated_at) : json_null());
    json_object_set_new(o, "trained_on", json_integer(m->trained_on));
    json_object_set_new(o, "held_back", json_integer(m->heldout));
    json_object_set_new(o, "compared_with", id_or_null(m->compared_with));
    json_object_set_new(o, "scores", scores_json(&m->cand));
    json_object_set_new(o, "live_scores", scores_json(&m->live));
    return o;
}

static json_t *
job_json(const struct care_models_job *j)
{
    json_t *kinds = json_array();
    for (size_t i = 0; i < j->nkinds; i++) {
        const struct care_models_job_kind *k = &j->kinds[i];
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(k->kind));
        json_object_set_new(o, "state", json_string(k->state));
        json_object_set_new(o, "version_id", id_or_null(k->version_id));
        json_object_set_new(o, "trained_on", json_integer(k->trained_on));
        json_object_set_new(o, "held_back", json_integer(k->heldout));
        json_object_set_new(o, "macro_f1", k->scored ? json_real(k->macro_f1) : json_null());
        json_object_set_new(o, "live_macro_f1",
                            k->scored ? json_real(k->live_macro_f1) : json_null());
        json_object_set_new(o, "message", k->message[0] ? json_string(k->message) : json_null());
        json_array_append_new(kinds, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(j->id));
    json_object_set_new(o, "state", json_string(j->state));
    json_object_set_new(o, "percent", json_integer(j->percent));
    json_object_set_new(o, "force", json_boolean(j->force));
    json_object_set_new(o, "scheduled", json_boolean(j->scheduled));
    json_object_set_new(o, "started_at", codec_time(j->started_at));
    json_object_set_new(o, "finished_at", j->finished_at ? codec_time(j->finished_at) : json_null());
    json_object_set_new(o, "kinds", kinds);
    return o;
}

void
api__models_list(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct care_models_kind k[2];
    struct care_models_job job;
    bool has_job = false;
    int rc = care_models_status(a->care, k, &job, &has_job);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_UNAVAIL ? "triage is off: this server runs without "
                                                    "models"
                                                  : "cannot read the model versions");
        return;
    }
    struct triage_model *v;
    size_t n;
    rc = store_triage_model_list(a->st, http_arena(r), NULL, &v, &n);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the model versions");
        return;
    }
    json_t *versions = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(versions, version_json(&v[i]));
    json_t *kinds = json_array();
    for (int i = 0; i < 2; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(k[i].kind));
        json_object_set_new(o, "live_id", id_or_null(k[i].live_id));
        json_object_set_new(o, "corrections", json_integer(k[i].corrections));
        json_object_set_new(o, "held_back", json_integer(k[i].heldout));
        json_object_set_new(o, "since_live", json_integer(k[i].since));
        json_object_set_new(o, "since_live_confirmed", json_integer(k[i].since_confirmed));
        json_object_set_new(o, "ready", json_boolean(k[i].enough));
        json_array_append_new(kinds, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "kinds", kinds);
    json_object_set_new(o, "versions", versions);
    json_object_set_new(o, "job", has_job ? job_json(&job) : json_null());
    json_object_set_new(o, "held_back_needed", json_integer(CARE_MODELS_MIN_HELDOUT));
    json_object_set_new(o, "held_back_one_in", json_integer(CLASSIFY_HELDOUT_ONE_IN));
    api__reply(r, 200, o);
}

void
api__models_retrain(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    const char *kinds[2];
    size_t nkinds = 0;
    bool force = false;
    if (http_body(r).len > 0) {
        json_t *body = api__json_or_reply(r);
        if (!body)
            return;
        json_t *f = json_object_get(body, "force");
        if (f && !json_is_boolean(f)) {
            http_reply_error_status(r, 422, "invalid_field", "invalid 'force': want true or false");
            return;
        }
        force = f && json_is_true(f);
        json_t *ks = json_object_get(body, "kinds");
        if (ks && !json_is_null(ks)) {
            size_t i;
            json_t *k;
            if (!json_is_array(ks) || json_array_size(ks) > 2) {
                http_reply_error_status(r, 422, "invalid_field",
                                        "invalid 'kinds': want a list of intent and sentiment");
                return;
            }
            json_array_foreach(ks, i, k)
            {
                if (!json_is_string(k)) {
                    http_reply_error_status(r, 422, "invalid_field",
                                            "invalid 'kinds': want a list of intent and sentiment");
                    return;
                }
                kinds[nkinds++] = json_string_value(k);
            }
        }
    }
    struct care_models_job job;
    struct errmsg em = { 0 };
    int rc = care_models_retrain(a->care, nkinds ? kinds : NULL, nkinds, force, &job, &em);
    if (rc == ERR_INVAL) {
        http_reply_error_status(r, 422, strncmp(em.text, "unknown", 7) == 0 ? "invalid_field"
                                                                             : "too_few_corrections",
                                em.text);
        return;
    }
    if (rc == ERR_UNAVAIL) { /* no models, training sets or database folder: say which */
        http_reply_error_status(r, 503, "retrain_unavailable", em.text);
        return;
    }
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot start the retrain");
        return;
    }
    api__reply(r, 202, job_json(&job));
}

void
api__models_job(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct care_models_job job;
    if (care_models_job(a->care, id, &job) < 0) {
        http_reply_error(r, ERR_NOTFOUND, "no such retrain job (jobs are forgotten at restart)");
        return;
    }
    api__reply(r, 200, job_json(&job));
}

void
api__models_activate(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id;
    if (api__id_or_reply(r, 0, &id) < 0)
        return;
    struct errmsg em = { 0 };
    int rc = care_models_activate(a->care, id, &em);
    if (rc < 0) {
        api__reply_err(r, rc, &em, "cannot switch the model");
        return;
    }
    struct triage_model m;
    rc = store_triage_model_get(a->st, http_arena(r), id, &m);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the model version");
        return;
    }
    api__reply(r, 200, version_json(&m));
}
