/* SPDX-License-Identifier: MIT */
/*
 * fetch_mail.h - IMAP and SMTP through libcurl, for the email channel.
 *
 * Only what a care mailbox needs: search a mailbox by UID or header, fetch one raw message,
 * and submit one message over SMTP. Each call opens its own connection (no IDLE; the poller
 * calls again). imaps:// and smtps:// use TLS from the start; plain smtp:// upgrades with
 * STARTTLS when the server offers it. Passwords never appear in the error texts. Thread-safe
 * after fetch_global_init.
 */
#ifndef HARK_FETCH_MAIL_H
#define HARK_FETCH_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/str.h"

/* Where and as whom. 'url' is imap[s]://host[:port]/MAILBOX or smtp[s]://host[:port]. */
struct fetch_mail {
    const char *url;
    const char *username;
    const char *password;
    long timeout_ms; /* per call; 0: 20000 */
};

/* Runs "UID SEARCH <criteria>" in the mailbox and writes up to 'max' UIDs, ascending, into
 * 'uids' ('*n' of them). 'criteria' must not hold CR or LF. 0, ERR_TIMEOUT, ERR_UPSTREAM
 * (reason in 'err'), ERR_INVAL for a URL that is not imap or imaps. */
int fetch_imap_search(const struct fetch_mail *m, const char *criteria, uint64_t *uids,
                      size_t max, size_t *n, char *err, size_t errlen);
/* Fetches the raw RFC 5322 message with UID 'uid' into 'out' (initialized by the caller; its
 * max caps the size: ERR_TOOBIG). 0, ERR_TIMEOUT, ERR_UPSTREAM, ERR_NOTFOUND. */
int fetch_imap_fetch(const struct fetch_mail *m, uint64_t uid, struct buf *out, char *err,
                     size_t errlen);
/* Submits 'message' (CRLF lines; dot-stuffing is done here) from 'from' to 'to'. Returns 0
 * when the server took it; otherwise ERR_UPSTREAM or ERR_TIMEOUT with the server's last reply
 * code in '*code' (0 when none: connection failed) and the reason in 'err'. */
int fetch_smtp_send(const struct fetch_mail *m, const char *from, const char *to,
                    struct str message, int *code, char *err, size_t errlen);

#endif
