/* SPDX-License-Identifier: MIT */
/*
 * wa_templates.c - the WhatsApp message templates an agent may send once the 24-hour window has
 * closed: GET /api/v1/conversations/{id}/templates lists the ones Meta approved for the
 * conversation's WhatsApp Business Account, and a template reply (platform.c) is checked against
 * that list and filled in here.
 *
 * Per conversation rather than per channel: the agent asks from a conversation, store staff see
 * only their conversations (scope.c, API_SCOPE_CONV), and the channel routes are for admins. The
 * list is the channel's, so it is cached per channel: CACHE_SLOTS channels for CACHE_TTL_MS each,
 * keyed by the channel's settings text too (a new token or account id is a new list); ?refresh=1
 * reads Graph again, and so does a send of a template missing from a list older than RECHECK_MS
 * (perhaps approved since). Graph is called outside the lock. Graph's failures become 409 (no
 * account id), 502 (Meta refused) or 503 (busy, failing, too slow) in care words.
 */
#include "base/base.h"
#include "api/api_int.h"

#include <pthread.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/utf8.h"
#include "channels/chan.h"
#include "store/store.h"

#define CACHE_SLOTS 32
#define CACHE_TTL_MS (5 * 60 * 1000)
#define RECHECK_MS (60 * 1000) /* a send of a template not in a list this old reads again */
#define VALUE_MAX 1024         /* one blank's value, bytes */

struct slot {
    int64_t channel_id; /* 0: free */
    char *settings;     /* the settings the list was read with */
    int64_t at_mono, at_wall, used;
    json_t *list;
};

struct api__tpl_cache {
    pthread_mutex_t mu;
    struct slot v[CACHE_SLOTS];
};

struct api__tpl_cache *
api__tpl_cache_new(void)
{
    struct api__tpl_cache *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void
slot_clear(struct slot *s)
{
    xfree(s->settings);
    json_decref(s->list);
    memset(s, 0, sizeof(*s));
}

void
api__tpl_cache_free(struct api__tpl_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        slot_clear(&c->v[i]);
    pthread_mutex_destroy(&c->mu);
    xfree(c);
}

/* A copy of the cached list of 'ch' when fresh, else NULL. */
static json_t *
cache_get(struct api__tpl_cache *c, const struct channel *ch, int64_t *at_wall)
{
    json_t *out = NULL;
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct slot *s = &c->v[i];
        if (s->channel_id != ch->id)
            continue;
        if (now - s->at_mono < CACHE_TTL_MS &&
            strcmp(s->settings, ch->settings ? ch->settings : "") == 0) {
            out = json_deep_copy(s->list);
            *at_wall = s->at_wall;
            s->used = now;
        }
        break;
    }
    pthread_mutex_unlock(&c->mu);
    return out;
}

static void
cache_put(struct api__tpl_cache *c, const struct channel *ch, json_t *list, int64_t at_wall)
{
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&c->mu);
    struct slot *pick = NULL;
    for (size_t i = 0; i < CACHE_SLOTS && !pick; i++) {
        if (c->v[i].channel_id == ch->id)
            pick = &c->v[i];
    }
    for (size_t i = 0; i < CACHE_SLOTS && !pick; i++) {
        if (!c->v[i].channel_id)
            pick = &c->v[i];
    }
    if (!pick) { /* all taken: the least recently used goes */
        pick = &c->v[0];
        for (size_t i = 1; i < CACHE_SLOTS; i++) {
            if (c->v[i].used < pick->used)
                pick = &c->v[i];
        }
    }
    slot_clear(pick);
    pick->channel_id = ch->id;
    pick->settings = xstrdup(ch->settings ? ch->settings : "");
    pick->at_mono = pick->used = now;
    pick->at_wall = at_wall;
    pick->list = json_deep_copy(list);
    pthread_mutex_unlock(&c->mu);
}

/* The approved templates of 'ch' (a new reference), from the cache unless
 * 'refresh'. */
static int
templates(struct api *a, const struct channel *ch, bool refresh, json_t **out, int64_t *at,
          bool *cached, struct errmsg *em)
{
    *cached = false;
    if (!refresh && (*out = cache_get(a->tpl_cache, ch, at))) {
        *cached = true;
        return 0;
    }
    int rc = chan_wa_templates(ch, out, em);
    if (rc < 0)
        return rc;
    *at = clock_now_ms();
    cache_put(a->tpl_cache, ch, *out, *at);
    return 0;
}

/* The answer for a failed template list, in care words. */
static void
reply_graph_error(struct http_req *r, int rc, const struct errmsg *em)
{
    unsigned status = 502;
    const char *code = "whatsapp_error", *msg;
    switch (rc) {
    case ERR_CONFLICT:
        status = 409;
        code = "setup_needed";
        msg = "Add the WhatsApp Business Account ID in Settings → Channels to list "
              "templates.";
        break;
    case ERR_INVAL:
        status = 409;
        code = "setup_needed";
        msg = "This WhatsApp channel's settings are incomplete. An admin can "
              "finish them in "
              "Settings → Channels.";
        break;
    case ERR_AUTH:
        code = "whatsapp_token";
        msg = "Meta refused this channel's access token (it may have expired). An "
              "admin can "
              "paste a new one in Settings → Channels.";
        break;
    case ERR_PERM:
        code = "whatsapp_token";
        msg = "This channel's access token may not read the message templates. An "
              "admin can "
              "give it the whatsapp_business_management permission.";
        break;
    case ERR_NOTFOUND:
        msg = "Meta does not know this WhatsApp Business Account ID. An admin can "
              "check it in "
              "Settings → Channels.";
        break;
    case ERR_BUSY:
        status = 503;
        code = "whatsapp_busy";
        msg = "Meta is limiting requests right now. Try again in a minute.";
        http_add_header(r, "Retry-After", "60");
        break;
    case ERR_TIMEOUT:
        status = 503;
        code = "whatsapp_unavailable";
        msg = "WhatsApp took too long to answer. Try again in a minute.";
        http_add_header(r, "Retry-After", "30");
        break;
    case ERR_UNAVAIL:
        status = 503;
        code = "whatsapp_unavailable";
        msg = "WhatsApp is not answering right now. Try again in a minute.";
        http_add_header(r, "Retry-After", "30");
        break;
    default:
        msg = "Meta did not give the list of templates. Try again, or check the "
              "channel in "
              "Settings → Channels.";
        break;
    }
    if (em && em->text[0])
        log_info("api", "whatsapp templates unavailable", "err=%s reason=%.200s", err_str(rc),
                 em->text);
    http_reply_error_status(r, status, code, msg);
}

/* The WhatsApp channel of conversation 'id' into 'c' and 'ch'. < 0 after
 * replying. */
static int
conv_channel_or_reply(struct http_req *r, struct api *a, int64_t id, struct conv *c,
                      struct channel *ch)
{
    int rc = store_conv_get(a->st, http_arena(r), id, c);
    if (rc < 0) {
        http_reply_error(r, rc, rc == ERR_NOTFOUND ? "no such conversation" : "cannot read");
        return rc;
    }
    if (!c->channel_type || strcmp(c->channel_type, "whatsapp") != 0) {
        http_reply_error_status(r, 422, "invalid_field",
                                "only WhatsApp conversations have message templates");
        return ERR_INVAL;
    }
    rc = store_channel_get(a->st, http_arena(r), c->channel_id, ch);
    if (rc < 0) {
        http_reply_error(r, rc, "cannot read the channel");
        return rc;
    }
    return 0;
}

void
api__conv_templates(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    int64_t id, refresh = 0;
    if (api__id_or_reply(r, 0, &id) < 0 ||
        api__query_int_or_reply(r, "refresh", 0, 1, &refresh) < 0)
        return;
    struct conv c;
    struct channel ch;
    if (conv_channel_or_reply(r, a, id, &c, &ch) < 0)
        return;
    json_t *list;
    int64_t at = 0;
    bool cached;
    struct errmsg em = { 0 };
    int rc = templates(a, &ch, refresh == 1, &list, &at, &cached, &em);
    if (rc < 0) {
        reply_graph_error(r, rc, &em);
        return;
    }
    api__reply(r, 200,
               json_pack("{s:I,s:o,s:b,s:o}", "channel_id", (json_int_t)ch.id, "fetched_at",
                         codec_time(at), "cached", cached, "items", list));
}

/* A 422 naming 'field'. */
static int
invalid(struct http_req *r, const char *field, const char *msg)
{
    api__reply(r, 422,
               json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field", "message", msg,
                         "field", field));
    return ERR_INVAL;
}

/* The template named 'name' in 'lang' in 'list' (borrowed), or NULL. */
static json_t *
find(json_t *list, const char *name, const char *lang)
{
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0 &&
            strcmp(json_string_value(json_object_get(t, "language")), lang) == 0)
            return t;
    }
    return NULL;
}

/* The "parameters" array of the component of 'type' ("body", "header") in
 * 'comps'. */
static json_t *
comp_params(json_t *comps, const char *type)
{
    size_t i;
    json_t *c;
    json_array_foreach(comps, i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));
        if (t && strcasecmp(t, type) == 0)
            return json_object_get(c, "parameters");
    }
    return NULL;
}

/* Reads the values for 'blanks' from 'params' (Meta's parameters: positional in
 * order, named by parameter_name) into 'values'. < 0 after replying 422 naming
 * the blank. */
static int
values_or_reply(struct http_req *r, json_t *blanks, json_t *params, bool named, const char *where,
                struct str *values)
{
    size_t n = json_array_size(blanks);
    if (params && !json_is_array(params))
        return invalid(r, arena_printf(http_arena(r), "template.%s", where),
                       "invalid 'parameters': want an array of "
                       "{\"type\":\"text\",\"text\":...}");
    if (json_array_size(params) > n)
        return invalid(r, arena_printf(http_arena(r), "template.%s", where),
                       arena_printf(http_arena(r),
                                    "This template has %zu blank%s here; %zu "
                                    "values were given.",
                                    n, n == 1 ? "" : "s", json_array_size(params)));
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_array_get(blanks, i));
        const char *field = arena_printf(http_arena(r), "template.%s.%s", where, name);
        json_t *p = NULL;
        if (named) {
            size_t k;
            json_t *q;
            json_array_foreach(params, k, q)
            {
                const char *pn = json_string_value(json_object_get(q, "parameter_name"));
                if (pn && strcmp(pn, name) == 0)
                    p = q;
            }
        } else {
            p = json_array_get(params, i);
        }
        json_t *t = json_object_get(p, "text");
        const char *s = json_string_value(t);
        size_t len = json_string_length(t);
        bool blank = true;
        for (size_t k = 0; s && k < len && blank; k++)
            blank = s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r';
        if (!s || blank)
            return invalid(r, field, arena_printf(http_arena(r), "Fill in {{%s}}.", name));
        if (len > VALUE_MAX || strlen(s) != len || !utf8_valid((struct str){ s, len }))
            return invalid(r, field,
                           arena_printf(http_arena(r),
                                        "{{%s}} is too long: at most "
                                        "%d characters.",
                                        name, VALUE_MAX));
        if (strchr(s, '\n') || strchr(s, '\t') || strstr(s, "    "))
            return invalid(r, field,
                           arena_printf(http_arena(r),
                                        "{{%s}} cannot hold a line "
                                        "break, a tab or more than "
                                        "three spaces in a row "
                                        "(WhatsApp refuses them).",
                                        name));
        values[i] = (struct str){ s, len };
    }
    return 0;
}

/* Meta's parameters for 'values' of 'blanks'. */
static json_t *
params_json(json_t *blanks, const struct str *values, bool named)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(blanks); i++) {
        json_t *p = json_pack("{s:s,s:s%}", "type", "text", "text", values[i].p, values[i].len);
        if (named)
            json_object_set(p, "parameter_name", json_array_get(blanks, i));
        json_array_append_new(out, p);
    }
    return out;
}

static void
fill(struct buf *b, const char *text, json_t *blanks, const struct str *values)
{
    char names[CHAN_WA_TPL_PARAMS][CHAN_WA_BLANK_NAME];
    size_t n = json_array_size(blanks);
    for (size_t i = 0; i < n && i < CHAN_WA_TPL_PARAMS; i++)
        snprintf(names[i], sizeof(names[i]), "%s", json_string_value(json_array_get(blanks, i)));
    chan_wa_fill(str_c(text), (const char(*)[CHAN_WA_BLANK_NAME])names, values,
                 n < CHAN_WA_TPL_PARAMS ? n : CHAN_WA_TPL_PARAMS, b);
}

int
api__wa_template_or_reply(struct http_req *r, struct api *a, int64_t conv_id, const char *name,
                          const char *lang, json_t *comps, json_t **components, json_t **text)
{
    struct conv c;
    struct channel ch;
    if (conv_channel_or_reply(r, a, conv_id, &c, &ch) < 0)
        return ERR_INVAL;
    json_t *list;
    int64_t at;
    bool cached;
    struct errmsg em = { 0 };
    int rc = templates(a, &ch, false, &list, &at, &cached, &em);
    json_t *t = rc == 0 ? find(list, name, lang) : NULL;
    if (rc == 0 && !t && cached && clock_now_ms() - at >= RECHECK_MS) {
        /* Perhaps approved since the list was read: ask Meta once more. */
        json_decref(list);
        rc = templates(a, &ch, true, &list, &at, &cached, &em);
        t = rc == 0 ? find(list, name, lang) : NULL;
    }
    if (rc < 0) {
        reply_graph_error(r, rc, &em);
        return rc;
    }
    api__defer_decref(r, list);
    if (!t)
        return invalid(r, "template.name",
                       arena_printf(http_arena(r),
                                    "There is no approved template “%s” in %s "
                                    "for this WhatsApp account.",
                                    name, lang));
    if (!json_is_true(json_object_get(t, "sendable")))
        return invalid(r, "template.name",
                       json_string_value(json_object_get(t, "not_sendable_reason")));
    bool named = strcmp(json_string_value(json_object_get(t, "parameter_format")), "named") == 0;
    json_t *header = json_object_get(t, "header");
    json_t *hblanks = json_object_get(header, "params");
    json_t *bblanks = json_object_get(t, "params");
    struct str hv[CHAN_WA_TPL_PARAMS], bv[CHAN_WA_TPL_PARAMS];
    if (json_array_size(hblanks) > CHAN_WA_TPL_PARAMS ||
        json_array_size(bblanks) > CHAN_WA_TPL_PARAMS)
        return invalid(r, "template.name", "This template has too many blanks.");
    if (values_or_reply(r, hblanks, comp_params(comps, "header"), named, "header", hv) < 0 ||
        values_or_reply(r, bblanks, comp_params(comps, "body"), named, "body", bv) < 0)
        return ERR_INVAL;
    json_t *out = json_array();
    if (json_array_size(hblanks))
        json_array_append_new(out, json_pack("{s:s,s:o}", "type", "header", "parameters",
                                             params_json(hblanks, hv, named)));
    if (json_array_size(bblanks))
        json_array_append_new(out, json_pack("{s:s,s:o}", "type", "body", "parameters",
                                             params_json(bblanks, bv, named)));
    /* What agents see in the thread: the message as the customer reads it. */
    struct buf b;
    buf_init(&b, MODEL_TEXT_MAX);
    const char *htext = json_string_value(json_object_get(header, "text"));
    if (htext && *htext) {
        fill(&b, htext, hblanks, hv);
        buf_adds(&b, "\n\n");
    }
    fill(&b, json_string_value(json_object_get(t, "body")), bblanks, bv);
    const char *footer = json_string_value(json_object_get(t, "footer"));
    if (footer && *footer)
        buf_printf(&b, "\n\n%s", footer);
    if (buf_error(&b) < 0) {
        buf_release(&b);
        json_decref(out);
        return invalid(r, "template", "The filled-in template is too long for a message.");
    }
    *text = json_stringn(b.p, b.len);
    buf_release(&b);
    api__defer_decref(r, *text);
    *components = out;
    return 0;
}
