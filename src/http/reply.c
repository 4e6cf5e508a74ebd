/* SPDX-License-Identifier: MIT */
/*
 * reply.c - the one table that maps ERR_* codes to HTTP statuses, and JSON error bodies.
 */
#include "base/base.h"
#include "http/http.h"

#include <ctype.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/jsonw.h"

unsigned
http_status_for(int rc)
{
    switch (rc) {
    case 0: return 200;
    case ERR_INVAL: return 400;
    case ERR_AUTH: return 401;
    case ERR_PERM: return 403;
    case ERR_NOTFOUND: return 404;
    case ERR_CONFLICT: return 409;
    case ERR_TOOBIG: return 413;
    case ERR_BUSY: return 429;
    case ERR_UPSTREAM: return 502;
    case ERR_UNAVAIL: return 503;
    case ERR_TIMEOUT: return 504;
    default: return 500;
    }
}

/*
 * The field a 422 is about: the first quoted name in its message ("invalid 'name': ...",
 * "missing 'settings.page_id' ..."), so a form can show the message beside that field. Returns its
 * length, 0 when the message quotes no field name.
 */
static size_t
error_field(const char *message, const char **out)
{
    const char *q = message ? strchr(message, '\'') : NULL;
    size_t n = 0;
    if (!q)
        return 0;
    q++;
    while (n < 64 && q[n] && (isalnum((unsigned char)q[n]) || q[n] == '_' || q[n] == '.'))
        n++;
    if (n == 0 || q[n] != '\'')
        return 0;
    *out = q;
    return n;
}

void
http_reply_error_status(struct http_req *r, unsigned status, const char *code,
                        const char *message)
{
    struct buf b;
    const char *field = NULL;
    size_t field_len = status == 422 ? error_field(message, &field) : 0;
    buf_init(&b, 4096);
    buf_adds(&b, "{\"error\":{\"code\":");
    jsonw_cstr(&b, code);
    buf_adds(&b, ",\"message\":");
    jsonw_cstr(&b, message ? message : code);
    if (field_len) {
        buf_adds(&b, ",\"field\":");
        jsonw_str(&b, (struct str){ field, field_len });
    }
    buf_adds(&b, "}}");
    if (buf_error(&b) < 0) {
        static const char cut[] = "{\"error\":{\"code\":\"internal\","
                                  "\"message\":\"error message too long\"}}";
        http_reply_json(r, status, cut, sizeof(cut) - 1);
    } else {
        http_reply_json(r, status, b.p, b.len);
    }
    buf_release(&b);
}

void
http_reply_error(struct http_req *r, int rc, const char *message)
{
    const char *code = err_str(rc);
    if (rc == ERR_AUTH)
        code = "unauthorized";
    http_reply_error_status(r, http_status_for(rc), code, message);
}
