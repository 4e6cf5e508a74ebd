/* SPDX-License-Identifier: MIT */
/*
 * row.c - row helpers shared by the st_*.c files (declared in store_int.h): JSON string
 * lists read back without a JSON library and the delete job of the small admin tables.
 */
#include "base/base.h"
#include "store/store_int.h"

#include "base/buf.h"

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
/* Parses a JSON array of strings (json_each unless plain); malformed text gives an empty list. */
void
store__strs(struct store__conn *c, struct arena *ar, const char *json, struct store_strs *out)
{
    out->v = NULL;
    out->n = 0;
    if (!json)
        return;
    if (strs_plain(ar, json, out))
        return;
    struct db_stmt *s = store__q(c, "SELECT value FROM json_each(?) WHERE json_valid(?1) "
                                  "AND type = 'text'");
    if (!s)
        return;
    db_bind_text_ref(s, 1, json, -1);
    size_t cap = 8;
    const char **v = ARENA_NEW_N(ar, const char *, cap);
    while (db_step(s) == DB_ROW) {
        if (out->n == cap) {
            const char **w = ARENA_NEW_N(ar, const char *, cap * 2);
            memcpy(w, v, cap * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[out->n++] = store__col(ar, s, 0);
    }
    db_reset(s);
    out->v = v;
}

int
store__delete_tx(struct store__tx *tx, void *arg)
{
    struct store__del_job *j = arg;
    struct db_stmt *s;
    if (j->in_use) {
        s = store__q(tx->c, j->in_use);
        if (!s)
            return ERR_IO;
        db_bind_i64(s, 1, j->id);
        int used = db_step(s) == DB_ROW && db_i64(s, 0) > 0;
        db_reset(s);
        if (used)
            return ERR_CONFLICT;
    }
    s = store__q(tx->c, j->del);
    if (!s)
        return ERR_IO;
    db_bind_i64(s, 1, j->id);
    int rc = store__step_done(s);
    return rc < 0 ? rc : store__changed(tx);
}
