/* SPDX-License-Identifier: MIT */
/*
 * chan_email.c - email: IMAP polled in, SMTP out, threaded like a mail client threads.
 *
 * Mail is pulled, not pushed: the care poller calls 'poll', which searches the mailbox for
 * UIDs above the cursor and fetches each message. The MIME parser here is deliberately
 * small: headers (RFC 2047 encoded words decoded; raw 8-bit headers kept when UTF-8, RFC 6532,
 * else read in the body's charset), multipart walked to the first text/plain part (or
 * text/html reduced to plain text: tags, scripts and styles dropped, entities decoded),
 * base64, quoted-printable and 8-bit bodies in whatever charset they declare (ICU, through
 * base/charset.h), and attachments kept only as a line naming them (RFC 2231 names too).
 * Quoted history under "On ... wrote:" is cut. The dedupe key is the Message-ID; the thread
 * is the first id in References (the root of the mail thread), else In-Reply-To, else the
 * message's own id. Replies carry In-Reply-To the customer's last message and References
 * the parent's references plus its id, so they thread in the customer's client, and the
 * customer's next answer lands in the same conversation. The parent's Subject and References
 * are read back from the mailbox by Message-ID when it is sent. The mail servers are reached
 * over TLS only (STARTTLS required for imap:// and smtp://); plain text is allowed only with
 * 'insecure_transport' towards a server on this machine, and no URL may carry credentials.
 */
#include "base/base.h"
#include "channels/chan_int.h"

#include <ctype.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/charset.h"
#include "base/clock.h"
#include "base/html.h"
#include "base/limits.h"
#include "base/rand.h"
#include "base/utf8.h"
#include "fetch/fetch_mail.h"

#define MAIL_MAX (25 << 20)   /* largest message fetched */
#define POLL_BATCH 20         /* messages fetched per poll */
#define MIME_DEPTH 6          /* nested multiparts followed */
#define LOOKBACK_DAYS 7       /* how far back the first poll after a start looks */
#define HEADER_MAX 65536      /* longest header value read */
#define SUBJECT_MAX 900       /* longest subject written, in bytes */

#define CREDS_HINT "; put them in 'settings.username' and 'settings.password'"

static const struct chan__field email_fields[] = {
    { .name = "imap_url", .required = true, .schemes = "imap,imaps", .userinfo_hint = CREDS_HINT },
    { .name = "smtp_url", .required = true, .schemes = "smtp,smtps", .userinfo_hint = CREDS_HINT },
    { .name = "username", .required = true, .max = 320 },
    { .name = "password", .required = true, .max = 1000 },
    { .name = "address", .required = true, .max = 320,
      .charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~@-" },
    { .name = "insecure_transport", .flag = true },
    { .name = "ca_file", .max = 1024 },
};

/* Whether the channel may talk to its mail server without TLS: only when it says so and both
 * servers are on this machine (a local relay), where there is no network to listen on. */
static bool
plain_allowed(json_t *insecure, const char *imap_url, const char *smtp_url)
{
    return json_is_true(insecure) && chan__url_loopback(imap_url) &&
           chan__url_loopback(smtp_url);
}

static int
email_settings(const char *settings, char **out, struct errmsg *em)
{
    char *norm = NULL;
    int rc = chan__settings_check(settings, "email", email_fields, COUNTOF(email_fields), &norm,
                                  em);
    if (rc < 0)
        return rc;
    const char *at = strstr(norm, "\"address\":\"");
    const char *end = at ? strchr(at + 11, '"') : NULL;
    const char *sign = at ? memchr(at + 11, '@', (size_t)(end - at - 11)) : NULL;
    if (!sign || sign == at + 11 || sign + 1 == end) {
        free(norm);
        return errmsg_set(em, ERR_INVAL, "invalid 'settings.address': want user@domain");
    }
    json_t *o = json_loads(norm, 0, NULL);
    const char *imap = json_string_value(json_object_get(o, "imap_url"));
    const char *smtp = json_string_value(json_object_get(o, "smtp_url"));
    const char *ca = json_string_value(json_object_get(o, "ca_file"));
    json_t *insecure = json_object_get(o, "insecure_transport");
    rc = 0;
    if (json_is_true(insecure) && !plain_allowed(insecure, imap, smtp))
        rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.insecure_transport': only for a mail "
                                       "server on this host (localhost, 127.0.0.1, ::1); use "
                                       "imaps:// and smtps://, or a server offering STARTTLS");
    else if (ca && ca[0] != '/')
        rc = errmsg_set(em, ERR_INVAL, "invalid 'settings.ca_file': want an absolute path");
    json_decref(o);
    if (rc < 0) {
        free(norm);
        return rc;
    }
    *out = norm;
    return 0;
}

static int
email_verify(const struct channel *ch, const struct chan_hook *hook)
{
    (void)ch;
    (void)hook;
    return ERR_AUTH; /* email arrives by IMAP; nothing may be pushed to /hooks */
}

static ssize_t
email_parse(const struct channel *ch, const struct chan_hook *hook, struct arena *ar,
            struct inbound *out, size_t max, struct errmsg *em)
{
    (void)ch, (void)hook, (void)ar, (void)out, (void)max;
    return errmsg_set(em, ERR_INVAL, "email channels take no webhooks");
}

/* ---- RFC 5322 / MIME ------------------------------------------------------------------- */

struct part {
    struct str from, subject, msgid, in_reply_to, references, ctype, cte, cdisp, date;
    struct str body;
};

static bool
ieq_prefix(struct str s, const char *p)
{
    size_t n = strlen(p);
    return s.len >= n && strncasecmp(s.p, p, n) == 0;
}

/* Splits 'raw' into headers of interest and the body. Values keep folding whitespace. */
static void
split_part(struct str raw, struct part *pt)
{
    memset(pt, 0, sizeof(*pt));
    size_t i = 0;
    struct str *cur = NULL;
    while (i < raw.len) {
        size_t e = i;
        while (e < raw.len && raw.p[e] != '\n')
            e++;
        struct str line = { raw.p + i, e - i };
        if (line.len && line.p[line.len - 1] == '\r')
            line.len--;
        size_t next = e < raw.len ? e + 1 : e;
        if (line.len == 0) {
            i = next;
            break;
        }
        if ((line.p[0] == ' ' || line.p[0] == '\t') && cur && cur->p) {
            cur->len = (size_t)(line.p + line.len - cur->p);
        } else {
            static const struct {
                const char *name;
                size_t off;
            } want[] = {
                { "from:", offsetof(struct part, from) },
                { "subject:", offsetof(struct part, subject) },
                { "message-id:", offsetof(struct part, msgid) },
                { "in-reply-to:", offsetof(struct part, in_reply_to) },
                { "references:", offsetof(struct part, references) },
                { "content-type:", offsetof(struct part, ctype) },
                { "content-transfer-encoding:", offsetof(struct part, cte) },
                { "content-disposition:", offsetof(struct part, cdisp) },
                { "date:", offsetof(struct part, date) },
            };
            cur = NULL;
            for (size_t k = 0; k < COUNTOF(want); k++) {
                if (!ieq_prefix(line, want[k].name))
                    continue;
                struct str *f = (struct str *)((char *)pt + want[k].off);
                if (f->p)
                    break; /* the first one counts */
                size_t n = strlen(want[k].name);
                *f = (struct str){ line.p + n, line.len - n };
                cur = f;
                break;
            }
        }
        i = next;
    }
    pt->body = (struct str){ raw.p + i, raw.len - i };
}

/* Folding whitespace and control characters become single spaces; the result is trimmed. */
static struct str
unfold(struct arena *ar, struct str s)
{
    if (s.len > HEADER_MAX)
        s.len = HEADER_MAX; /* a hostile header must not exhaust a caller's arena */
    char *d = arena_alloc(ar, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == 0x7f) {
            if (n && d[n - 1] != ' ')
                d[n++] = ' ';
            continue;
        }
        d[n++] = (char)c;
    }
    d[n] = '\0';
    return str_trim((struct str){ d, n });
}

/* Appends 's', declared in 'charset', as UTF-8 (base/charset.h): undeclared text is UTF-8
 * when valid, else read as 'fallback'; what cannot be read becomes U+FFFD, never garbage. */
static void
to_utf8(struct buf *b, struct str charset, struct str fallback, struct str s)
{
    (void)charset_to_utf8(charset, fallback, s, b); /* unknown: UTF-8, as the header says */
}

static int
b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static struct str
b64_decode(struct arena *ar, struct str s)
{
    char *d = arena_alloc(ar, s.len / 4 * 3 + 4);
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < s.len; i++) {
        int v = b64val(s.p[i]);
        if (v < 0)
            continue; /* line breaks, padding, junk */
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            d[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    d[n] = '\0';
    return (struct str){ d, n };
}

/* Quoted-printable; 'header' also turns '_' into a space (RFC 2047 Q encoding). */
static struct str
qp_decode(struct arena *ar, struct str s, bool header)
{
    char *d = arena_alloc(ar, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '=' && i + 1 < s.len && (s.p[i + 1] == '\n' || s.p[i + 1] == '\r')) {
            i++;
            if (s.p[i] == '\r' && i + 1 < s.len && s.p[i + 1] == '\n')
                i++;
            continue; /* soft line break */
        }
        if (c == '=' && i + 2 < s.len && str_hexdigit(s.p[i + 1]) >= 0 &&
            str_hexdigit(s.p[i + 2]) >= 0) {
            d[n++] = (char)(str_hexdigit(s.p[i + 1]) * 16 + str_hexdigit(s.p[i + 2]));
            i += 2;
            continue;
        }
        d[n++] = header && c == '_' ? ' ' : c;
    }
    d[n] = '\0';
    return (struct str){ d, n };
}

/* Reads an RFC 2047 encoded word "=?charset[*lang]?B|Q?text?=" at the start of 's': its
 * charset (without the RFC 2231 language) and its decoded bytes; the word's length, or 0 when
 * 's' does not start with one. */
static size_t
encoded_word(struct arena *ar, struct str s, struct str *cs, struct str *raw)
{
    if (s.len < 8 || s.p[0] != '=' || s.p[1] != '?')
        return 0;
    struct str rest = { s.p + 2, s.len - 2 }, c, enc, text, tail, lang;
    if (!str_cut(rest, '?', &c, &rest) || !str_cut(rest, '?', &enc, &rest) ||
        !str_cut(rest, '?', &text, &tail) || !tail.len || tail.p[0] != '=' || enc.len != 1 ||
        !c.len || c.len > 80)
        return 0;
    char e = enc.p[0];
    if (e != 'B' && e != 'b' && e != 'Q' && e != 'q')
        return 0;
    for (size_t k = 0; k < text.len; k++) {
        if (text.p[k] == ' ' || text.p[k] == '\t')
            return 0; /* an encoded word holds no white space */
    }
    for (size_t k = 0; k < c.len; k++) {
        if (c.p[k] == ' ' || c.p[k] == '\t')
            return 0;
    }
    (void)str_cut(c, '*', &c, &lang); /* "utf-8*en": the language is not the charset */
    *cs = c;
    *raw = (e == 'B' || e == 'b') ? b64_decode(ar, text) : qp_decode(ar, text, true);
    return (size_t)(tail.p + 1 - s.p);
}

/* Whether 's' is only spaces and tabs. */
static bool
blank(struct str s)
{
    return str_trim(s).len == 0;
}

/* Decodes an unfolded header value: RFC 2047 encoded words through their charset, adjacent
 * ones joined (the white space between them dropped, their bytes converted together so a
 * character split across two words survives), and raw 8-bit text kept when it is UTF-8 (RFC
 * 6532) or else read as 'fallback' (the body's charset; STR_NULL: windows-1252). */
static struct str
decode_words(struct arena *ar, struct str s, struct str fallback)
{
    struct buf b, pend;
    buf_init(&b, 4 * (size_t)HEADER_MAX); /* 8-bit text can triple as UTF-8 */
    buf_init(&pend, HEADER_MAX);
    struct str pend_cs = STR_NULL;
    size_t run = 0, i = 0; /* 'run': start of the text since the last encoded word */
    bool after_word = false;
    while (i < s.len) {
        struct str cs, raw;
        size_t n = s.p[i] == '=' ? encoded_word(ar, (struct str){ s.p + i, s.len - i }, &cs, &raw)
                                 : 0;
        if (!n) {
            i++;
            continue;
        }
        struct str between = { s.p + run, i - run };
        bool same = pend.len && cs.len == pend_cs.len && strncasecmp(cs.p, pend_cs.p, cs.len) == 0;
        if (!(after_word && blank(between)) || !same) {
            if (pend.len)
                to_utf8(&b, pend_cs, STR_NULL, buf_str(&pend));
            buf_reset(&pend);
            if (!(after_word && blank(between)))
                to_utf8(&b, STR_NULL, fallback, between);
        }
        buf_add(&pend, raw.p, raw.len);
        pend_cs = cs;
        i += n;
        run = i;
        after_word = true;
    }
    if (pend.len)
        to_utf8(&b, pend_cs, STR_NULL, buf_str(&pend));
    to_utf8(&b, STR_NULL, fallback, (struct str){ s.p + run, s.len - run });
    /* Display text: a control character (an encoded line break, say) becomes a space. */
    for (size_t k = 0; k < b.len; k++) {
        if ((unsigned char)b.p[k] < 0x20 || b.p[k] == 0x7f)
            b.p[k] = ' ';
    }
    /* An over-long header keeps the words that fitted (each appended whole), so the sticky
     * errors are deliberately not checked. */
    struct str out = { arena_strndup(ar, b.p, b.len), b.len };
    buf_release(&pend);
    buf_release(&b);
    return out;
}

/* Finds parameter 'name' in a structured header value: its value (unquoted, borrowed from 'v')
 * and whether the name was followed by '*' (RFC 2231: the value is percent-encoded). */
static bool
find_param(struct str v, const char *name, struct str *val, bool *star)
{
    size_t n = strlen(name);
    for (size_t i = 0; i + n < v.len; i++) {
        if (!((i == 0 || v.p[i - 1] == ';' || v.p[i - 1] == ' ' || v.p[i - 1] == '\t') &&
              strncasecmp(v.p + i, name, n) == 0))
            continue;
        size_t s = i + n;
        bool st = v.p[s] == '*';
        s += st;
        if (s >= v.len || v.p[s] != '=')
            continue;
        s++;
        size_t e;
        if (s < v.len && v.p[s] == '"') {
            s++;
            e = s;
            while (e < v.len && v.p[e] != '"')
                e++;
        } else {
            e = s;
            while (e < v.len && v.p[e] != ';' && v.p[e] != ' ' && v.p[e] != '\t' &&
                   v.p[e] != '\r' && v.p[e] != '\n')
                e++;
        }
        *val = (struct str){ v.p + s, e - s };
        *star = st;
        return true;
    }
    return false;
}

/* A parameter of a structured header ("boundary", "charset", "filename"), unquoted. */
static struct str
param(struct arena *ar, struct str v, const char *name)
{
    struct str val;
    bool star;
    if (!find_param(v, name, &val, &star) || star)
        return STR_NULL;
    return (struct str){ arena_strndup(ar, val.p, val.len), val.len };
}

/* Appends RFC 2231 percent-encoded 's' as bytes. */
static void
pct_decode(struct buf *b, struct str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '%' && i + 2 < s.len && str_hexdigit(s.p[i + 1]) >= 0 &&
            str_hexdigit(s.p[i + 2]) >= 0) {
            buf_addc(b, (char)(str_hexdigit(s.p[i + 1]) * 16 + str_hexdigit(s.p[i + 2])));
            i += 2;
        } else {
            buf_addc(b, s.p[i]);
        }
    }
}

/* An RFC 2231 parameter as UTF-8: "name*=utf-8''%E2%82%AC.pdf", or continued over
 * "name*0*=iso-8859-1''...; name*1*=...; name*2=..." (at most 32 pieces). STR_NULL when 'v'
 * has neither form. */
static struct str
param_2231(struct arena *ar, struct str v, const char *name)
{
    struct buf raw;
    buf_init(&raw, HEADER_MAX);
    struct str cs = STR_NULL, val;
    bool star, found = false;
    char key[48];
    snprintf(key, sizeof(key), "%s*", name);
    if (find_param(v, key, &val, &star) && !star) {
        found = true;
        struct str c, rest, lang;
        if (str_cut(val, '\'', &c, &rest) && str_cut(rest, '\'', &lang, &val))
            cs = c;
        pct_decode(&raw, val);
    } else {
        for (int k = 0; k < 32; k++) {
            snprintf(key, sizeof(key), "%s*%d", name, k);
            if (!find_param(v, key, &val, &star))
                break;
            found = true;
            struct str c, rest, lang;
            if (k == 0 && star && str_cut(val, '\'', &c, &rest) &&
                str_cut(rest, '\'', &lang, &val))
                cs = c;
            if (star)
                pct_decode(&raw, val);
            else
                buf_add(&raw, val.p, val.len);
        }
    }
    struct str out = STR_NULL;
    if (found && raw.len) {
        struct buf u;
        buf_init(&u, 4 * (size_t)HEADER_MAX);
        to_utf8(&u, cs, STR_NULL, buf_str(&raw));
        /* A name: controls (an encoded line break) become spaces. */
        for (size_t i = 0; i < u.len; i++) {
            if ((unsigned char)u.p[i] < 0x20 || u.p[i] == 0x7f)
                u.p[i] = ' ';
        }
        out = (struct str){ arena_strndup(ar, u.p, u.len), u.len };
        buf_release(&u);
    }
    buf_release(&raw);
    return out;
}

static struct str
decode_body(struct arena *ar, const struct part *pt)
{
    struct str cte = str_trim(pt->cte);
    if (ieq_prefix(cte, "base64"))
        return b64_decode(ar, pt->body);
    if (ieq_prefix(cte, "quoted-printable"))
        return qp_decode(ar, pt->body, false);
    return pt->body;
}

/* Collapses runs of spaces and of blank lines, and trims every line. */
static void
tidy(struct buf *out, struct str s)
{
    int newlines = 0;
    bool space = false, started = false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '\r')
            continue;
        if (c == '\n') {
            newlines++;
            space = false;
            continue;
        }
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (started && newlines)
            buf_add(out, "\n\n", newlines > 1 ? 2 : 1);
        else if (started && space)
            buf_addc(out, ' ');
        newlines = 0;
        space = false;
        started = true;
        buf_addc(out, c);
    }
}

/* Trims spaces, tabs and line breaks at both ends. */
static struct str
trim_lines(struct str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
                     s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
        s.len--;
    return s;
}

/* Cuts quoted history: from an "On ... wrote:" line, an "-----Original Message-----" line,
 * or a run of "> " lines that lasts to the end. */
static struct str
strip_quotes(struct str s)
{
    size_t i = 0;
    while (i < s.len) {
        size_t e = i;
        while (e < s.len && s.p[e] != '\n')
            e++;
        struct str line = trim_lines((struct str){ s.p + i, e - i });
        bool cut = false;
        if (line.len >= 10 && strncmp(line.p, "On ", 3) == 0 &&
            strncmp(line.p + line.len - 6, "wrote:", 6) == 0)
            cut = true;
        if (ieq_prefix(line, "-----Original Message-----"))
            cut = true;
        if (line.len && line.p[0] == '>') {
            cut = true;
            for (size_t j = e; j < s.len;) {
                size_t k = j + 1;
                while (k < s.len && s.p[k] != '\n')
                    k++;
                struct str l2 = str_trim((struct str){ s.p + j + 1, k > j + 1 ? k - j - 1 : 0 });
                if (l2.len && l2.p[0] != '>')
                    cut = false;
                j = k;
            }
        }
        if (cut && i > 0)
            return trim_lines((struct str){ s.p, i });
        i = e + 1;
    }
    return s;
}

/* The charset an HTML part declares in its <meta> ("charset=..." in its first KiB), for a part
 * whose Content-Type names none; STR_NULL when it declares none. */
static struct str
html_charset(struct str h)
{
    size_t n = h.len < 1024 ? h.len : 1024;
    static const char key[] = "charset=";
    for (size_t i = 0; i + sizeof(key) - 1 < n; i++) {
        if (strncasecmp(h.p + i, key, sizeof(key) - 1) != 0)
            continue;
        size_t s = i + sizeof(key) - 1;
        if (s < n && (h.p[s] == '"' || h.p[s] == '\''))
            s++;
        size_t e = s;
        while (e < n && e - s < 40 &&
               (isalnum((unsigned char)h.p[e]) || memchr("-_.:", h.p[e], 4)))
            e++;
        if (e > s)
            return (struct str){ h.p + s, e - s };
    }
    return STR_NULL;
}

struct walk {
    struct str plain, html;
    struct str plain_cs, html_cs;
    struct str top_cs; /* the message's own charset parameter: for raw 8-bit file names */
    struct buf attach; /* "[attachment: ...]" lines */
};

static void
walk_part(struct arena *ar, struct str raw, int depth, struct walk *w)
{
    struct part pt;
    split_part(raw, &pt);
    struct str ctype = unfold(ar, pt.ctype);
    struct str cdisp = unfold(ar, pt.cdisp);
    if (!ctype.len)
        ctype = STR_LIT("text/plain");
    if (ieq_prefix(ctype, "multipart/")) {
        struct str bnd = param(ar, ctype, "boundary");
        if (!bnd.len || depth >= MIME_DEPTH)
            return;
        char *delim = arena_printf(ar, "--%.*s", (int)bnd.len, bnd.p);
        size_t dlen = strlen(delim);
        const char *p = pt.body.p, *end = pt.body.p + pt.body.len;
        const char *seg = NULL;
        while (p && p < end) {
            /* Delimiters start a line. */
            const char *hit = NULL;
            for (const char *q = p; q + dlen <= end; q++) {
                if ((q == pt.body.p || q[-1] == '\n') && memcmp(q, delim, dlen) == 0) {
                    hit = q;
                    break;
                }
            }
            if (!hit)
                break;
            if (seg) {
                size_t n = (size_t)(hit - seg);
                walk_part(ar, (struct str){ seg, n }, depth + 1, w);
            }
            const char *after = hit + dlen;
            if (after + 2 <= end && after[0] == '-' && after[1] == '-')
                break;
            while (after < end && *after != '\n')
                after++;
            seg = after < end ? after + 1 : end;
            p = seg;
        }
        return;
    }
    struct str name = param(ar, cdisp, "filename");
    if (!name.len)
        name = param(ar, ctype, "name");
    struct str name2231 = param_2231(ar, cdisp, "filename");
    if (!name2231.len)
        name2231 = param_2231(ar, ctype, "name");
    bool attachment = ieq_prefix(cdisp, "attachment") || name.len || name2231.len;
    bool text = ieq_prefix(ctype, "text/plain"), html = ieq_prefix(ctype, "text/html");
    if (!attachment && text && !w->plain.p) {
        w->plain = decode_body(ar, &pt);
        w->plain_cs = param(ar, ctype, "charset");
    } else if (!attachment && html && !w->html.p) {
        w->html = decode_body(ar, &pt);
        w->html_cs = param(ar, ctype, "charset");
    } else if (attachment || (!text && !html)) {
        struct str body = decode_body(ar, &pt);
        struct str type = ctype;
        struct str semi, rest;
        if (str_cut(type, ';', &semi, &rest))
            type = semi;
        struct str shown = name2231.len ? name2231
                                         : decode_words(ar, name.len ? name : STR_LIT("unnamed"),
                                                        w->top_cs);
        if (w->attach.len)
            buf_addc(&w->attach, '\n');
        buf_printf(&w->attach, "[attachment: %.*s, %.*s, %zu bytes]", (int)shown.len, shown.p,
                   (int)type.len, type.p, body.len);
    }
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads an unsigned decimal at '*p' (after spaces), advancing it. -1 when none. */
static int64_t
num(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
    const char *start = *p;
    while (**p >= '0' && **p <= '9' && *p - start < 6)
        (*p)++;
    int64_t v;
    if (*p == start || str_to_i64((struct str){ start, (size_t)(*p - start) }, 0, 999999, &v))
        return -1;
    return v;
}

/* An RFC 5322 date ("Tue, 14 Nov 2023 22:13:20 +0000") in ms since the epoch, or 0 when it
 * does not parse. */
static int64_t
parse_date(struct str v)
{
    static const char *const mon[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec" };
    char buf[80];
    if (v.len == 0 || v.len >= sizeof(buf))
        return 0;
    memcpy(buf, v.p, v.len);
    buf[v.len] = '\0';
    const char *p = strchr(buf, ',');
    p = p ? p + 1 : buf;
    int64_t day = num(&p), month = 0;
    while (*p == ' ')
        p++;
    for (int k = 0; k < 12; k++) {
        if (strncasecmp(p, mon[k], 3) == 0)
            month = k + 1;
    }
    if (!month)
        return 0;
    p += 3;
    int64_t year = num(&p), hour = num(&p), min = -1, sec = 0;
    if (*p == ':') {
        p++;
        min = num(&p);
    }
    if (*p == ':') {
        p++;
        sec = num(&p);
    }
    while (*p == ' ')
        p++;
    int64_t zone = 0;
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int64_t z = num(&p);
        if (z < 0)
            return 0;
        zone = sign * ((z / 100) * 60 + z % 100);
    }
    if (year >= 0 && year < 100)
        year += year < 50 ? 2000 : 1900;
    if (day < 1 || day > 31 || year < 1970 || year > 9999 || hour < 0 || hour > 23 || min < 0 ||
        min > 59 || sec < 0 || sec > 60)
        return 0;
    int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec -
                   zone * 60;
    return secs * 1000;
}

/* The first "<...>" in 'v', with the brackets, or STR_NULL. */
static struct str
first_id(struct str v, struct str *rest)
{
    const char *lt = memchr(v.p, '<', v.len);
    if (!lt)
        return STR_NULL;
    const char *gt = memchr(lt, '>', (size_t)(v.p + v.len - lt));
    if (!gt || gt - lt < 3 || gt - lt > MODEL_EXTID_MAX - 2)
        return STR_NULL;
    if (rest)
        *rest = (struct str){ gt + 1, (size_t)(v.p + v.len - gt - 1) };
    return (struct str){ lt, (size_t)(gt - lt + 1) };
}

/* From "Name <a@b>", "a@b (Name)" or "a@b": the lowercased address and the display name. */
static void
parse_from(struct arena *ar, struct str v, struct str fallback, struct str *addr,
           struct str *name)
{
    *addr = STR_NULL;
    *name = STR_NULL;
    const char *lt = memchr(v.p, '<', v.len);
    const char *gt = lt ? memchr(lt, '>', (size_t)(v.p + v.len - lt)) : NULL;
    struct str a = v;
    if (lt && gt) {
        a = (struct str){ lt + 1, (size_t)(gt - lt - 1) };
        struct str n = str_trim((struct str){ v.p, (size_t)(lt - v.p) });
        if (n.len >= 2 && n.p[0] == '"' && n.p[n.len - 1] == '"')
            n = (struct str){ n.p + 1, n.len - 2 };
        *name = decode_words(ar, n, fallback);
    } else {
        struct str head, tail;
        if (str_cut(v, '(', &head, &tail)) {
            a = head;
            if (tail.len && tail.p[tail.len - 1] == ')')
                tail.len--;
            *name = decode_words(ar, str_trim(tail), fallback);
        }
    }
    a = str_trim(a);
    if (!a.len || a.len > 320 || !memchr(a.p, '@', a.len))
        return;
    char *d = arena_strndup(ar, a.p, a.len);
    for (size_t i = 0; i < a.len; i++) {
        if (d[i] >= 'A' && d[i] <= 'Z')
            d[i] = (char)(d[i] - 'A' + 'a');
        if ((unsigned char)d[i] <= ' ' || d[i] == '"' || d[i] == ',')
            return;
    }
    *addr = (struct str){ d, a.len };
    if (name->len > MODEL_NAME_MAX || !utf8_valid(*name))
        *name = STR_NULL;
}

/* Copies a slice into 'ar' (NUL-terminated). */
static struct str
keep(struct arena *ar, struct str s)
{
    return s.p ? (struct str){ arena_strndup(ar, s.p, s.len), s.len } : STR_NULL;
}

static int parse_into(const struct channel *ch, struct arena *ar, struct str raw, uint64_t uid,
                      struct inbound *in);

int
chan__email_parse(const struct channel *ch, struct arena *ar, struct str raw, uint64_t uid,
                  struct inbound *in)
{
    /* Decoding needs up to about twice the message; it happens in a scratch arena so only
     * the (small) results land in the caller's. */
    struct arena *tmp = arena_new(4 * (raw.len + 1) + (8 << 20));
    int rc = parse_into(ch, tmp, raw, uid, in);
    if (rc == 0) {
        in->external_id = keep(ar, in->external_id);
        in->from_id = keep(ar, in->from_id);
        in->from_name = keep(ar, in->from_name);
        in->from_handle = in->from_id;
        in->text = keep(ar, in->text);
        in->thread_id = keep(ar, in->thread_id);
        in->reply_to = keep(ar, in->reply_to);
    }
    arena_free(tmp);
    return rc;
}

static int
parse_into(const struct channel *ch, struct arena *ar, struct str raw, uint64_t uid,
           struct inbound *in)
{
    struct part pt;
    split_part(raw, &pt);
    memset(in, 0, sizeof(*in));
    in->channel_id = ch->id;
    in->channel_type = ch->type;
    /* The text part's charset, when it declares one, is the best guess for raw 8-bit headers
     * that are not UTF-8 (RFC 6532 headers are UTF-8 and stay as they are). */
    struct walk w = { 0 };
    w.top_cs = param(ar, unfold(ar, pt.ctype), "charset");
    buf_init(&w.attach, 64 * 1024);
    walk_part(ar, raw, 0, &w);
    if (w.html.p && !w.html_cs.len)
        w.html_cs = html_charset(w.html);
    struct str body_cs = w.plain.p ? w.plain_cs : w.html.p ? w.html_cs : w.top_cs;
    parse_from(ar, unfold(ar, pt.from), body_cs, &in->from_id, &in->from_name);
    if (!in->from_id.len) {
        buf_release(&w.attach);
        return ERR_INVAL;
    }
    in->from_handle = in->from_id;
    struct str msgid = first_id(unfold(ar, pt.msgid), NULL);
    struct str irt = first_id(unfold(ar, pt.in_reply_to), NULL);
    struct str refs = unfold(ar, pt.references);
    struct str root = first_id(refs, NULL);
    in->external_id = msgid.len ? msgid : str_c(arena_printf(ar, "uid:%llu", (unsigned long long)uid));
    in->reply_to = irt;
    in->thread_id = root.len ? root : (irt.len ? irt : in->external_id);
    in->public = false;
    /* The sender's clock is not trusted into the future. */
    int64_t at = parse_date(unfold(ar, pt.date));
    if (at > 0 && at <= clock_now_ms() + 5 * 60 * 1000)
        in->created_at = at;

    struct buf text;
    buf_init(&text, (size_t)MODEL_TEXT_MAX * 4);
    struct buf tmp;
    buf_init(&tmp, (size_t)MAIL_MAX);
    if (w.plain.p) {
        to_utf8(&tmp, w.plain_cs, STR_NULL, w.plain);
    } else if (w.html.p) {
        struct buf h;
        buf_init(&h, (size_t)MAIL_MAX);
        to_utf8(&h, w.html_cs, STR_NULL, w.html);
        (void)html_text(&tmp, buf_str(&h), HTML_BLOCKS); /* a prefix is enough: see below */
        buf_release(&h);
    }
    struct buf clean;
    buf_init(&clean, (size_t)MAIL_MAX);
    tidy(&clean, buf_str(&tmp));
    struct str body = strip_quotes(buf_str(&clean));
    bool starts_thread = !irt.len && !root.len;
    struct str subject = decode_words(ar, unfold(ar, pt.subject), body_cs);
    /* 'tmp' and 'clean' may hold only a prefix of a huge body (their sticky error is not
     * checked): the text is cut to MODEL_TEXT_MAX below anyway. Each piece added to 'text' is
     * bounded so that the text always fits and its cut is the one below. */
    if (starts_thread && subject.len)
        buf_printf(&text, "Subject: %.*s\n\n", (int)(subject.len < MODEL_TEXT_MAX ? subject.len
                                                                               : MODEL_TEXT_MAX),
                   subject.p);
    buf_add(&text, body.p, body.len < MODEL_TEXT_MAX ? body.len : MODEL_TEXT_MAX);
    if (w.attach.len) {
        if (text.len)
            buf_adds(&text, "\n\n");
        buf_add(&text, w.attach.p, w.attach.len < MODEL_TEXT_MAX ? w.attach.len : MODEL_TEXT_MAX);
    }
    if (!text.len)
        buf_adds(&text, "[empty message]");
    /* Keep within the model's limit, cut at a character boundary. */
    size_t n = text.len;
    if (n > MODEL_TEXT_MAX) {
        n = MODEL_TEXT_MAX;
        while (n && ((unsigned char)text.p[n] & 0xc0) == 0x80)
            n--;
    }
    struct str t = { text.p, n };
    if (buf_error(&text) < 0 || !utf8_valid(t) || memchr(t.p, '\0', t.len))
        in->text = STR_LIT("[unreadable message]");
    else
        in->text = (struct str){ arena_strndup(ar, t.p, t.len), t.len };
    buf_release(&clean);
    buf_release(&tmp);
    buf_release(&text);
    buf_release(&w.attach);
    return 0;
}

static void
mail_conf(const struct channel *ch, struct arena *ar, const char *url_key, struct fetch_mail *m)
{
    memset(m, 0, sizeof(*m));
    m->url = chan__setting(ch, ar, url_key);
    m->username = chan__setting(ch, ar, "username");
    m->password = chan__setting(ch, ar, "password");
    m->ca_file = chan__setting(ch, ar, "ca_file");
    /* Checked again here, not only at creation: plain text never leaves this machine. */
    json_t *o = json_loads(ch->settings ? ch->settings : "{}", 0, NULL);
    m->plain = plain_allowed(json_object_get(o, "insecure_transport"),
                             json_string_value(json_object_get(o, "imap_url")),
                             json_string_value(json_object_get(o, "smtp_url")));
    json_decref(o);
}

static ssize_t
email_poll(const struct channel *ch, char *cursor, size_t cursor_len, struct arena *ar,
           struct inbound *out, size_t max, struct errmsg *em)
{
    struct fetch_mail m;
    mail_conf(ch, ar, "imap_url", &m);
    const char *me = chan__setting(ch, ar, "address");
    if (!m.url)
        return errmsg_set(em, ERR_UPSTREAM, "email channel has no imap_url");
    int64_t last = 0;
    if (cursor[0] && str_to_i64(str_c(cursor), 0, INT64_MAX, &last) < 0)
        last = 0;
    char crit[64], err[160];
    if (last > 0) {
        snprintf(crit, sizeof(crit), "UID %lld:*", (long long)last + 1);
    } else {
        /* No resume point (a new channel, or a restart): look back a week, not at the whole
         * mailbox's history; dedupe drops what was stored before. */
        static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        time_t since = (time_t)(clock_now_ms() / 1000) - LOOKBACK_DAYS * 86400;
        struct tm tm;
        gmtime_r(&since, &tm);
        snprintf(crit, sizeof(crit), "SINCE %d-%s-%d", tm.tm_mday, mon[tm.tm_mon],
                 tm.tm_year + 1900);
    }
    uint64_t uids[256];
    size_t n = 0;
    int rc = fetch_imap_search(&m, crit, uids, COUNTOF(uids), &n, err, sizeof(err));
    if (rc < 0)
        return errmsg_set(em, rc == ERR_TIMEOUT ? ERR_TIMEOUT : ERR_UPSTREAM,
                          "imap search failed: %s", err);
    size_t got = 0;
    for (size_t i = 0; i < n && got < max && got < POLL_BATCH; i++) {
        /* "UID n:*" always matches the newest message, even when n is past it. */
        if (uids[i] <= (uint64_t)last)
            continue;
        struct buf raw;
        buf_init(&raw, MAIL_MAX);
        rc = fetch_imap_fetch(&m, uids[i], &raw, err, sizeof(err));
        if (rc == 0 && chan__email_parse(ch, ar, buf_str(&raw), uids[i], &out[got]) == 0 &&
            !(me && str_eq_c(out[got].from_id, me)))
            got++;
        buf_release(&raw);
        if (rc < 0 && rc != ERR_NOTFOUND && rc != ERR_TOOBIG) {
            /* Stop here and retry this one next time; what was read so far is kept. */
            if (got == 0)
                return errmsg_set(em, rc == ERR_TIMEOUT ? ERR_TIMEOUT : ERR_UPSTREAM,
                                  "imap fetch failed: %s", err);
            break;
        }
        snprintf(cursor, cursor_len, "%llu", (unsigned long long)uids[i]);
    }
    return (ssize_t)got;
}

/* ---- sending ----------------------------------------------------------------------------- */

/* A Message-ID fit to quote in an IMAP search: "<...>" without spaces, quotes or controls. */
static bool
quotable_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > 300 || s[0] != '<' || s[n - 1] != '>')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '"' || c == '\\' || c >= 0x7f)
            return false;
    }
    return true;
}

/* Finds the parent message by Message-ID in the mailbox; fills its Subject and References. */
static void
parent_headers(const struct channel *ch, struct arena *ar, const char *msgid,
               struct str *subject, struct str *refs)
{
    struct fetch_mail m;
    mail_conf(ch, ar, "imap_url", &m);
    if (!m.url || !quotable_id(msgid))
        return;
    char crit[400], err[160];
    snprintf(crit, sizeof(crit), "HEADER Message-ID \"%s\"", msgid);
    uint64_t uids[4];
    size_t n = 0;
    if (fetch_imap_search(&m, crit, uids, COUNTOF(uids), &n, err, sizeof(err)) < 0 || n == 0)
        return;
    struct buf raw;
    buf_init(&raw, MAIL_MAX);
    if (fetch_imap_fetch(&m, uids[n - 1], &raw, err, sizeof(err)) == 0) {
        struct part pt;
        split_part(buf_str(&raw), &pt);
        *subject = decode_words(ar, unfold(ar, pt.subject), STR_NULL);
        struct str r = unfold(ar, pt.references);
        if (!r.len)
            r = first_id(unfold(ar, pt.in_reply_to), NULL);
        *refs = r.len ? (struct str){ arena_strndup(ar, r.p, r.len), r.len } : STR_NULL;
    }
    buf_release(&raw);
}

/* A header value safe to write: controls become spaces. */
static void
add_header(struct buf *b, const char *name, struct str v)
{
    buf_printf(b, "%s: ", name);
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        buf_addc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    buf_adds(b, "\r\n");
}

static bool
ascii(struct str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.p[i] >= 0x80)
            return false;
    }
    return true;
}

/* The Subject header. ASCII goes as it is; other text as RFC 2047 B-words of at most 42 bytes
 * of UTF-8 (68 characters, under RFC 2047's 75), cut at character boundaries, one per folded
 * line, so no header line passes 78 characters ("Subject: " and a word: 77). Subjects are cut to
 * SUBJECT_MAX bytes (a parent's subject can be 64 KiB). */
static void
add_subject(struct buf *b, struct str subject)
{
    if (subject.len > SUBJECT_MAX) {
        subject.len = SUBJECT_MAX;
        while (subject.len && ((unsigned char)subject.p[subject.len] & 0xc0) == 0x80)
            subject.len--;
    }
    if (ascii(subject)) {
        add_header(b, "Subject", subject);
        return;
    }
    buf_adds(b, "Subject:");
    for (size_t i = 0; i < subject.len;) {
        size_t n = subject.len - i < 42 ? subject.len - i : 42;
        while (n > 1 && i + n < subject.len && ((unsigned char)subject.p[i + n] & 0xc0) == 0x80)
            n--;
        char b64[64];
        chan__b64(subject.p + i, n, b64, sizeof(b64));
        buf_printf(b, " =?UTF-8?B?%s?=\r\n", b64);
        i += n;
    }
}

static void
email_send(const struct channel *ch, const struct outbox_item *item,
           struct chan_send_result *res)
{
    res->state = CHAN_FAILED;
    res->retry_after_ms = -1;
    res->error[0] = '\0';
    struct arena *ar = arena_new(HARK_SEND_ARENA_MAX);
    struct fetch_mail m;
    mail_conf(ch, ar, "smtp_url", &m);
    const char *from = chan__setting(ch, ar, "address");
    const char *to = item->recipient;
    if (!m.url || !from || !to || !strchr(to, '@') || strpbrk(to, "\r\n<>\" ,")) {
        snprintf(res->error, sizeof(res->error), "email: no sender address or recipient");
        arena_free(ar);
        return;
    }
    struct str subject = STR_NULL, refs = STR_NULL;
    const char *parent = item->reply_to && quotable_id(item->reply_to) ? item->reply_to : NULL;
    if (parent)
        parent_headers(ch, ar, parent, &subject, &refs);
    if (!refs.len && item->thread_key && parent && strcmp(item->thread_key, parent) != 0 &&
        quotable_id(item->thread_key))
        refs = str_c(item->thread_key);
    if (!subject.len)
        subject = STR_LIT("Your message");
    if (!ieq_prefix(subject, "re:"))
        subject = str_c(arena_printf(ar, "Re: %.*s", (int)subject.len, subject.p));

    const char *domain = strchr(from, '@') + 1;
    struct buf msg;
    buf_init(&msg, (size_t)MODEL_TEXT_MAX * 3 + 64 * 1024);
    char date[64];
    time_t now = (time_t)(clock_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    add_header(&msg, "Date", str_c(date));
    add_header(&msg, "From", str_c(from));
    add_header(&msg, "To", str_c(to));
    add_subject(&msg, subject);
    /* One id per reply, the same on every attempt, so a retried send is recognizable. */
    char *msgid = arena_printf(ar, "<hark.%lld.%s@%s>", (long long)item->message_id,
                               item->idempotency_key ? item->idempotency_key : "0", domain);
    add_header(&msg, "Message-ID", str_c(msgid));
    if (parent) {
        add_header(&msg, "In-Reply-To", str_c(parent));
        add_header(&msg, "References",
                   str_c(arena_printf(ar, "%.*s%s%s", (int)refs.len, refs.p ? refs.p : "",
                                      refs.len ? " " : "", parent)));
    }
    buf_adds(&msg, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n");
    /* base64 in 76-column lines: safe for any text, any line length, any leading dot. */
    size_t tlen = strlen(item->text);
    char *b64 = arena_alloc(ar, 4 * ((tlen + 2) / 3) + 1);
    chan__b64(item->text, tlen, b64, 4 * ((tlen + 2) / 3) + 1);
    for (size_t i = 0, n = strlen(b64); i < n; i += 76) {
        buf_add(&msg, b64 + i, n - i < 76 ? n - i : 76);
        buf_adds(&msg, "\r\n");
    }
    int code = 0;
    char err[160];
    int rc = buf_error(&msg);
    if (rc < 0) {
        snprintf(res->error, sizeof(res->error), "email: message too large to send");
        buf_release(&msg);
        arena_free(ar);
        return;
    }
    rc = fetch_smtp_send(&m, from, to, buf_str(&msg), &code, err, sizeof(err));
    if (rc == 0) {
        res->state = CHAN_SENT;
        snprintf(res->external_id, sizeof(res->external_id), "%s", msgid);
    } else if (rc == ERR_PERM) {
        /* No TLS or an untrusted certificate: retrying will not change it. */
        snprintf(res->error, sizeof(res->error), "email: %s", err);
    } else if (code >= 500 && code < 600) {
        snprintf(res->error, sizeof(res->error), "email: the mail server refused it (%d): %s",
                 code, err);
    } else {
        /* 4xx is "try again later" in SMTP; no answer at all is the same. */
        res->state = CHAN_RETRY;
        snprintf(res->error, sizeof(res->error), "email: %s%s%d", err, code ? " " : "",
                 code);
        if (!code)
            snprintf(res->error, sizeof(res->error), "email: mail server unreachable: %s", err);
    }
    buf_release(&msg);
    arena_free(ar);
}

const struct chan_ops chan_email_ops = {
    .type = "email",
    .settings = email_settings,
    .verify = email_verify,
    .parse = email_parse,
    .send = email_send,
    .poll = email_poll,
};
