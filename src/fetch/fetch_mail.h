/* SPDX-License-Identifier: MIT */
/*
 * fetch_mail.h - IMAP and SMTP through libcurl, for the email channel.
 *
 * Only what a care mailbox needs: search a mailbox by UID or header, fetch one raw message,
 * and submit one message over SMTP. Each call opens its own connection (no IDLE; the poller
 * calls again). TLS is required: imaps:// and smtps:// use it from the start, imap:// and
 * smtp:// must upgrade with STARTTLS (a server that does not offer it is refused, so the
 * upgrade cannot be stripped), and certificates are verified. Only 'plain' (a relay on this
 * machine) turns TLS off. Passwords never appear in the error texts. Thread-safe after
 * fetch_global_init.
 */
#ifndef HARK_FETCH_MAIL_H
#define HARK_FETCH_MAIL_H

#include <stdbool.h>
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
    const char *ca_file; /* PEM file of the CAs to trust instead of the system's, or NULL */
    bool plain;          /* imap:// and smtp:// without TLS: the caller has checked that the
                            server is on this machine */
};

/* Runs "UID SEARCH <criteria>" in the mailbox and writes up to 'max' UIDs, ascending, into
 * 'uids' ('*n' of them). 'criteria' must not hold CR or LF. 0, ERR_TIMEOUT, ERR_UPSTREAM
 * (reason in 'err'), ERR_PERM when TLS cannot be had (no STARTTLS, a certificate not trusted),
 * ERR_INVAL for a URL that is not imap or imaps. */
int fetch_imap_search(const struct fetch_mail *m, const char *criteria, uint64_t *uids,
                      size_t max, size_t *n, char *err, size_t errlen);
/* Fetches the raw RFC 5322 message with UID 'uid' into 'out' (initialized by the caller; its
 * max caps the size: ERR_TOOBIG). 0, ERR_TIMEOUT, ERR_UPSTREAM, ERR_PERM, ERR_NOTFOUND. */
int fetch_imap_fetch(const struct fetch_mail *m, uint64_t uid, struct buf *out, char *err,
                     size_t errlen);
/* Submits 'message' (CRLF lines; dot-stuffing is done here) from 'from' to 'to'. Returns 0
 * when the server took it; otherwise ERR_UPSTREAM, ERR_TIMEOUT or ERR_PERM (no TLS) with the
 * server's last reply code in '*code' (0 when none: connection failed) and the reason in
 * 'err'. */
int fetch_smtp_send(const struct fetch_mail *m, const char *from, const char *to,
                    struct str message, int *code, char *err, size_t errlen);

#endif
