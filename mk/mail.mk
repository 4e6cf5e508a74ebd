# mail.mk - email (src/channels/chan_email.c, src/base/charset.c): ICU's converters decode
# every charset a message declares; and the real mail servers tests/api/660-email-dovecot.sh
# runs on 127.0.0.1 beside the fake (tests/fakes/mail_fake.py): Dovecot (IMAP, LMTP delivery,
# SMTP submission) and Exim as the MTA between Dovecot's submission and its LMTP.
# The test starts both itself from generated configs in a temp dir, on random loopback ports.
# `make test` installs them (TEST_DEBS), a plain `make` does not; tools/deps.sh installs with
# service starts denied, so no Dovecot or Exim system service is started by the install. The
# test never uses such services.
PKGS += icu-uc
DEBS += libicu-dev
TEST_DEBS += dovecot-imapd dovecot-lmtpd dovecot-submissiond
# Installing Exim removes any other MTA (they all conflict as mail-transport-agent), so on a
# machine that has another one (a sendmail without exim4: Postfix, OpenSMTPD, ...) it is not
# installed, and 660-email-dovecot.sh fails saying that Exim is missing.
ifeq ($(shell [ -e /usr/sbin/sendmail ] && [ ! -e /usr/sbin/exim4 ] && echo other),)
TEST_DEBS += exim4-daemon-light
endif
