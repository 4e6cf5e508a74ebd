/* SPDX-License-Identifier: MIT */
/*
 * chan_wa_templates.c - the message templates Meta approved for a WhatsApp channel's business
 * account, and the blanks ({{1}}, {{first_name}}) in their text.
 *
 * The list is Graph's GET /<version>/<business_account_id>/message_templates, read page by page
 * through paging.cursors.after (at most CHAN_WA_TPL_PAGES pages, CHAN_WA_TPL_MAX kept). Only
 * APPROVED templates are kept, each reduced to what an agent needs to pick and fill one: its name,
 * language, category, header, body, footer, button titles and the names of the blanks. A template
 * Hark cannot send as it stands (a picture, video, document or location header; a link button with
 * a blank) is listed with sendable false and the reason in plain words. Template text is the
 * business's own, never the customer's; nothing here logs.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <ctype.h>
#include <strings.h>

#include "base/buf.h"
#include "base/utf8.h"

#define TEXT_MAX 4096   /* a body longer than this is not Meta's (1024 characters) */
#define EXAMPLE_MAX 200 /* one example value */
#define SHORT_MAX 512   /* a name, footer or button title */

/* The name at 'p' (after "{{"), up to "}}": 1..CHAN_WA_BLANK_NAME-1 of
 * [A-Za-z0-9_]. Returns its length, 0 when 'p' does not start a blank. */
static size_t
blank_at(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_'))
        n++;
    if (n == 0 || n >= CHAN_WA_BLANK_NAME || p + n + 2 > end || p[n] != '}' || p[n + 1] != '}')
        return 0;
    return n;
}

ssize_t
chan_wa_blanks(struct str text, char (*names)[CHAN_WA_BLANK_NAME], size_t max)
{
    const char *p = text.p, *end = text.p + text.len;
    size_t n = 0;
    while (p && p + 4 < end + 1) {
        const char *o = memmem(p, (size_t)(end - p), "{{", 2);
        if (!o)
            break;
        size_t k = blank_at(o + 2, end);
        if (!k) {
            p = o + 1;
            continue;
        }
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strlen(names[i]) == k && memcmp(names[i], o + 2, k) == 0;
        if (!seen) {
            if (n >= max)
                return -1;
            memcpy(names[n], o + 2, k);
            names[n][k] = '\0';
            n++;
        }
        p = o + 2 + k + 2;
    }
    return (ssize_t)n;
}

void
chan_wa_fill(struct str text, const char (*names)[CHAN_WA_BLANK_NAME], const struct str *values,
             size_t n, struct buf *out)
{
    const char *p = text.p, *end = text.p + text.len;
    while (p && p < end) {
        const char *o = memmem(p, (size_t)(end - p), "{{", 2);
        if (!o) {
            buf_add(out, p, (size_t)(end - p));
            return;
        }
        buf_add(out, p, (size_t)(o - p));
        size_t k = blank_at(o + 2, end);
        size_t i = 0;
        while (k && i < n && !(strlen(names[i]) == k && memcmp(names[i], o + 2, k) == 0))
            i++;
        if (!k) {
            /* Not a blank: one brace kept, the next may open one ("{{{1}}}"). */
            buf_addc(out, '{');
            p = o + 1;
            continue;
        }
        if (i == n) {
            /* A blank without a value: kept as written. */
            buf_add(out, o, k + 4);
            p = o + k + 4;
            continue;
        }
        /* The value is copied as it is: never read for blanks of its own. */
        buf_add(out, values[i].p, values[i].len);
        p = o + k + 4;
    }
}

/* A string member of at most 'max' bytes of valid UTF-8, else NULL. */
static const char *
str_member(json_t *o, const char *name, size_t max)
{
    json_t *v = json_object_get(o, name);
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) > max || strlen(s) != json_string_length(v) ||
        !utf8_valid((struct str){ s, json_string_length(v) }))
        return NULL;
    return s;
}

static void
lower_copy(char *dst, size_t n, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[i] = '\0';
}

/* The blank names of 'text' as a JSON array; NULL when there are too many. */
static json_t *
blanks_json(const char *text)
{
    char names[CHAN_WA_TPL_PARAMS][CHAN_WA_BLANK_NAME];
    ssize_t n = chan_wa_blanks(str_c(text ? text : ""), names, CHAN_WA_TPL_PARAMS);
    if (n < 0)
        return NULL;
    json_t *a = json_array();
    for (ssize_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

/* Meta's example values for the body's blanks, in the order of 'params'. */
static json_t *
body_examples(json_t *comp, json_t *params, bool named)
{
    json_t *ex = json_object_get(comp, "example");
    json_t *out = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        const char *v = NULL;
        if (named) {
            size_t k;
            json_t *e;
            json_array_foreach(json_object_get(ex, "body_text_named_params"), k, e)
            {
                const char *pn = json_string_value(json_object_get(e, "param_name"));
                if (pn && strcmp(pn, json_string_value(p)) == 0)
                    v = str_member(e, "example", EXAMPLE_MAX);
            }
        } else {
            json_t *row = json_array_get(json_object_get(ex, "body_text"), 0);
            long idx = strtol(json_string_value(p), NULL, 10);
            json_t *e = idx > 0 ? json_array_get(row, (size_t)idx - 1) : NULL;
            const char *s = json_string_value(e);
            if (s && strlen(s) <= EXAMPLE_MAX && utf8_valid(str_c(s)))
                v = s;
        }
        json_array_append_new(out, v ? json_string(v) : json_null());
    }
    return out;
}

/* One template as docs/api.md shows it, or NULL when it is not an approved one
 * or is not shaped as Meta documents. */
static json_t *
normalize(json_t *t)
{
    const char *status = json_string_value(json_object_get(t, "status"));
    const char *name = str_member(t, "name", SHORT_MAX);
    const char *lang = str_member(t, "language", 16);
    if (!status || strcmp(status, "APPROVED") != 0 || !name || !*name || !lang || !*lang)
        return NULL;
    char category[32];
    lower_copy(category, sizeof(category), str_member(t, "category", 31));
    const char *pf = json_string_value(json_object_get(t, "parameter_format"));
    bool named = pf && strcmp(pf, "NAMED") == 0;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "name", name, "language", lang, "category", category,
                          "parameter_format", named ? "named" : "positional");
    const char *id = str_member(t, "id", 64);
    json_object_set_new(o, "id", id ? json_string(id) : json_null());
    json_object_set_new(o, "header", json_null());
    json_object_set_new(o, "footer", json_null());
    json_t *buttons = json_array();
    json_object_set_new(o, "buttons", buttons);
    const char *why = NULL;
    const char *body = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(t, "components"), i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        if (!type)
            continue;
        if (strcasecmp(type, "BODY") == 0) {
            body = str_member(c, "text", TEXT_MAX);
            json_t *params = body ? blanks_json(body) : NULL;
            if (!params) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, "body", json_string(body));
            json_object_set_new(o, "param_count",
                                json_integer((json_int_t)json_array_size(params)));
            json_object_set_new(o, "examples", body_examples(c, params, named));
            json_object_set_new(o, "params", params);
        } else if (strcasecmp(type, "HEADER") == 0) {
            char format[16];
            lower_copy(format, sizeof(format), json_string_value(json_object_get(c, "format")));
            json_t *h = json_pack("{s:s}", "format", *format ? format : "text");
            if (!*format || strcmp(format, "text") == 0) {
                const char *text = str_member(c, "text", SHORT_MAX);
                json_t *hp = blanks_json(text);
                json_object_set_new(h, "text", json_string(text ? text : ""));
                if (!hp || json_array_size(hp) > 1) {
                    json_decref(hp);
                    hp = json_array();
                    why = "Its title has more than one blank, which Hark cannot fill yet.";
                }
                json_object_set_new(h, "params", hp);
            } else {
                json_object_set_new(h, "params", json_array());
                why = "It starts with a picture, video, document or location, which "
                      "cannot be "
                      "sent from Hark yet. Send it from WhatsApp Manager.";
            }
            json_object_set_new(o, "header", h);
        } else if (strcasecmp(type, "FOOTER") == 0) {
            const char *f = str_member(c, "text", SHORT_MAX);
            if (f)
                json_object_set_new(o, "footer", json_string(f));
        } else if (strcasecmp(type, "BUTTONS") == 0) {
            size_t k;
            json_t *b;
            json_array_foreach(json_object_get(c, "buttons"), k, b)
            {
                const char *text = str_member(b, "text", SHORT_MAX);
                const char *url = json_string_value(json_object_get(b, "url"));
                if (text && json_array_size(buttons) < 10)
                    json_array_append_new(buttons, json_string(text));
                if (url && strstr(url, "{{"))
                    why = "It has a link button with a blank, which Hark cannot fill yet.";
                const char *bt = json_string_value(json_object_get(b, "type"));
                if (bt && (strcasecmp(bt, "COPY_CODE") == 0 || strcasecmp(bt, "OTP") == 0 ||
                           strcasecmp(bt, "FLOW") == 0 || strcasecmp(bt, "CATALOG") == 0 ||
                           strcasecmp(bt, "MPM") == 0))
                    why = "It has a button that needs a code or product, which Hark cannot "
                          "fill yet.";
            }
        } else if (strcasecmp(type, "CAROUSEL") == 0 ||
                   strcasecmp(type, "LIMITED_TIME_OFFER") == 0) {
            why = "It is a carousel or a limited-time offer, which cannot be sent "
                  "from Hark yet.";
        }
    }
    if (!body) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "sendable", json_boolean(!why));
    json_object_set_new(o, "not_sendable_reason", why ? json_string(why) : json_null());
    return o;
}

/* Appends "&after=<cursor>" with the cursor percent-encoded. */
static void
add_cursor(struct buf *b, const char *cursor)
{
    buf_adds(b, "&after=");
    for (const char *p = cursor; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '-' || c == '_' || c == '.')
            buf_addc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

static int
graph_error(const struct chan_send_result *res, const struct chan__meta_answer *how,
            struct errmsg *em)
{
    if (how->status == 0)
        return errmsg_set(em, how->timed_out ? ERR_TIMEOUT : ERR_UNAVAIL, "%s", res->error);
    if (how->rate_limited)
        return errmsg_set(em, ERR_BUSY, "%s", res->error);
    if (how->code == 190 || how->status == 401)
        return errmsg_set(em, ERR_AUTH, "%s", res->error);
    if (how->code == 10 || how->code == 200 || how->code == 3 || how->status == 403)
        return errmsg_set(em, ERR_PERM, "%s", res->error);
    if (res->state == CHAN_RETRY)
        return errmsg_set(em, ERR_UNAVAIL, "%s", res->error);
    if (how->code == 100)
        return errmsg_set(em, ERR_NOTFOUND, "%s", res->error);
    return errmsg_set(em, ERR_UPSTREAM, "%s", res->error);
}

int
chan_wa_templates(const struct channel *ch, struct json_t **out, struct errmsg *em)
{
    *out = NULL;
    struct chan__meta m;
    if (!ch->type || strcmp(ch->type, "whatsapp") != 0)
        return errmsg_set(em, ERR_INVAL, "not a WhatsApp channel");
    if (chan__meta_open(ch, "phone_number_id", &m) < 0)
        return errmsg_set(em, ERR_INVAL, "the channel's settings are incomplete");
    const char *waba = json_string_value(json_object_get(m.root, "business_account_id"));
    if (!waba || !*waba) {
        chan__meta_close(&m);
        return errmsg_set(em, ERR_CONFLICT, "no business_account_id");
    }
    json_t *list = json_array();
    char *cursor = NULL;
    int rc = 0;
    for (int page = 0; page < CHAN_WA_TPL_PAGES; page++) {
        struct buf path;
        buf_init(&path, 2048);
        buf_printf(&path,
                   "%s/message_templates?fields=name,language,status,category,"
                   "components,parameter_format,id&limit=50",
                   waba);
        if (cursor)
            add_cursor(&path, cursor);
        xfree(cursor);
        cursor = NULL;
        if (buf_error(&path) < 0) {
            buf_release(&path);
            rc = errmsg_set(em, ERR_UPSTREAM, "Graph paging cursor too long");
            break;
        }
        struct chan_send_result res;
        struct chan__meta_answer how;
        json_t *ans = chan__meta_request(&m, "GET", path.p, NULL, &res, &how);
        buf_release(&path);
        if (!ans) {
            rc = graph_error(&res, &how, em);
            break;
        }
        json_t *data = json_object_get(ans, "data");
        if (!json_is_array(data)) {
            json_decref(ans);
            rc = errmsg_set(em, ERR_UPSTREAM, "Graph answered without a template list");
            break;
        }
        size_t i;
        json_t *t;
        json_array_foreach(data, i, t)
        {
            if (json_array_size(list) >= CHAN_WA_TPL_MAX)
                break;
            json_t *n = normalize(t);
            if (n)
                json_array_append_new(list, n);
        }
        json_t *paging = json_object_get(ans, "paging");
        const char *after =
            json_string_value(json_object_get(json_object_get(paging, "cursors"), "after"));
        if (json_is_string(json_object_get(paging, "next")) && after && *after &&
            strlen(after) < 1024 && json_array_size(list) < CHAN_WA_TPL_MAX)
            cursor = xstrdup(after);
        json_decref(ans);
        if (!cursor)
            break;
    }
    xfree(cursor);
    chan__meta_close(&m);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}
