# Email: IMAP polling (plain and HTML mail, encoded subjects, attachments as metadata, dedupe
# by Message-ID), SMTP replies that thread (Subject "Re:", In-Reply-To, References) and the
# customer's answer threading back into the conversation; 451 retried, 550 failed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
BOX="$T/box"; SENT="$T/sent"; MLOG="$T/mail.log"
mkdir -p "$BOX" "$SENT"; : > "$MLOG"
python3 "$FAKES/mail_fake.py" --mailbox "$BOX" --sent "$SENT" --log "$MLOG" \
    --imap-port-file "$T/imap.port" --smtp-port-file "$T/smtp.port" \
    --smtp-script "250,451,250,550" --smtp-then 250 &
echo $! > "$T/mail.pid"
for _ in $(seq 1 100); do [ -s "$T/smtp.port" ] && break; sleep 0.05; done
IMAP="imap://127.0.0.1:$(cat "$T/imap.port")/INBOX"; SMTP="smtp://127.0.0.1:$(cat "$T/smtp.port")"
start_hark --outbox-retry-ms 200 --mail-poll-ms 100
admin_setup

req POST /api/v1/channels '{"type":"email","name":"Mail","settings":{"imap_url":"http://x","smtp_url":"smtp://x","username":"u","password":"p","address":"a@b.c"}}'
check "imap_url scheme" "$STATUS" 422
req POST /api/v1/channels '{"type":"email","name":"Mail","settings":{"imap_url":"imap://x","smtp_url":"smtp://x","username":"u","password":"p","address":"nobody"}}'
check "address needs a domain" "$STATUS" 422
# The fake speaks plain text: allowed only with the opt-out, for a server on this host
# (TLS itself: 655-email-tls.sh).
new_typed_channel email "Mail" "{\"imap_url\":\"$IMAP\",\"smtp_url\":\"$SMTP\",\"username\":\"care@shop.example\",\"password\":\"mail-pass-1\",\"address\":\"care@shop.example\",\"insecure_transport\":true}"
req GET /api/v1/channels
echo "$BODY" | grep -q 'mail-pass-1' && fail "password listed"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary 'x' "$CH_HOOK")
check "no webhooks for email" "$code" 401

deliver() { cat > "$BOX/.tmp"; mv "$BOX/.tmp" "$BOX/$1.eml"; }
deliver 1 <<'MAIL'
From: Ann Lee <Ann@Example.org>
To: care@shop.example
Subject: Order 12345 late
Message-ID: <m1@example.org>
Date: Tue, 14 Nov 2023 22:13:20 +0000
Content-Type: text/plain; charset=utf-8

Hi, my order 12345 has not arrived.
Can you help?
MAIL
wait_for "first mail" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT count(*) FROM message')\" -ge 1 ]"
CONV=$(dbq "SELECT conversation_id FROM message WHERE external_id='<m1@example.org>'")
req GET "/api/v1/conversations/$CONV"
check "private" "$(jqp .public)" false
check "sender" "$(jqp .contact.name)" "Ann Lee"
check "address lowercased" "$(jqp '.contact.identities[0].handle')" "ann@example.org"
check "text with subject" "$(jqp '.messages[0].text')" "Subject: Order 12345 late

Hi, my order 12345 has not arrived.
Can you help?"

# HTML only, quoted-printable, an encoded subject and an attachment.
deliver 2 <<'MAIL'
From: =?UTF-8?B?QmrDtnJu?= <bjorn@example.net>
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_and_a_question?=
Message-ID: <m2@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><head><style>p {color: red}</style><title>t</title></head><body><p>Is the=
 <b>blue</b> jacket &amp; hat in stock?</p><script>alert(1)</script><p>Price =
&lt;100&euro;? &#x1F600;</p><img src=3D"http://tracker.example/p.gif"></body></html>
--XX
Content-Type: application/pdf; name="receipt.pdf"
Content-Disposition: attachment; filename="receipt.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==
--XX--
MAIL
wait_for "html mail" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT count(*) FROM message')\" -ge 2 ]"
TXT=$(dbq "SELECT text FROM message WHERE external_id='<m2@example.net>'")
check "html reduced to text" "$TXT" "Subject: Grüße and a question

Is the blue jacket & hat in stock?

Price <100€? 😀

[attachment: receipt.pdf, application/pdf, 52 bytes]"
check "encoded name" "$(dbq "SELECT c.name FROM contact c JOIN conversation v ON v.contact_id=c.id JOIN message m ON m.conversation_id=v.id WHERE m.external_id='<m2@example.net>'")" "Björn"

# The same Message-ID again (a copy in the mailbox): stored once.
cp "$BOX/1.eml" "$BOX/.tmp"; mv "$BOX/.tmp" "$BOX/3.eml"
deliver 4 <<'MAIL'
From: Cy <cy@example.com>
Subject: ping
Message-ID: <m4@example.com>

ping
MAIL
wait_for "fourth mail" 10 sh -c "[ \"\$('$DBQ' '$DB' \"SELECT count(*) FROM message WHERE external_id='<m4@example.com>'\")\" = 1 ]"
check "duplicate Message-ID stored once" "$(count_msgs)" 3

# Reply: threads in the customer's client.
reply "$CONV" "Hi Ann, it ships today."
wait_status "$MSG" sent 15
L=$(sed -n 1p "$MLOG")
check "smtp auth" "$(echo "$L" | jq -r .auth_ok)" true
check "envelope from" "$(echo "$L" | jq -r .from)" "<care@shop.example>"
check "to the customer" "$(echo "$L" | jq -r '.rcpt[0]')" "<ann@example.org>"
check "subject" "$(echo "$L" | jq -r .subject)" "Re: Order 12345 late"
check "in-reply-to" "$(echo "$L" | jq -r .in_reply_to)" "<m1@example.org>"
check "references" "$(echo "$L" | jq -r .references)" "<m1@example.org>"
check "body" "$(echo "$L" | jq -r .body | tr -d '\r')" "Hi Ann, it ships today."
OURS=$(echo "$L" | jq -r .message_id)
case "$OURS" in "<hark."*"@shop.example>") ;; *) fail "message id $OURS" ;; esac

# The customer answers our mail, quoting it: same conversation, quote cut.
deliver 5 <<MAIL
From: Ann Lee <ann@example.org>
Subject: Re: Order 12345 late
Message-ID: <m5@example.org>
In-Reply-To: $OURS
References: <m1@example.org> $OURS

Great, thank you!

On Tue, 14 Nov 2023 at 23:00, Shop <care@shop.example> wrote:
> Hi Ann, it ships today.
MAIL
wait_for "answer" 10 sh -c "[ \"\$('$DBQ' '$DB' \"SELECT count(*) FROM message WHERE external_id='<m5@example.org>'\")\" = 1 ]"
check "answer threads into the conversation" "$(dbq "SELECT conversation_id FROM message WHERE external_id='<m5@example.org>'")" "$CONV"
check "quote cut" "$(dbq "SELECT text FROM message WHERE external_id='<m5@example.org>'")" "Great, thank you!"

# Second reply: the parent is now the customer's answer; 451 first, then sent.
reply "$CONV" "You are welcome!"
wait_status "$MSG" sent 15
check "451 then accepted" "$(sed -n '2,3p' "$MLOG" | jq -r .step | tr '\n' ' ')" "451 250 "
L=$(sed -n 3p "$MLOG")
check "re: not doubled" "$(echo "$L" | jq -r .subject)" "Re: Order 12345 late"
check "in-reply-to the answer" "$(echo "$L" | jq -r .in_reply_to)" "<m5@example.org>"
check "references grow" "$(echo "$L" | jq -r .references)" "<m1@example.org> $OURS <m5@example.org>"

# Permanent: 550 fails with the server's words.
C4=$(dbq "SELECT conversation_id FROM message WHERE external_id='<m4@example.com>'")
reply "$C4" "Pong"
wait_status "$MSG" failed 10
msg_error "$MSG" | grep -q '^email: the mail server refused it (550)' || fail "550 reason: $(msg_error "$MSG")"
echo "ok: 550 failed with the reason"
stop_hark

# Restart: the resume point is gone, so the first poll looks back a week: recent mail is read
# again and dropped as duplicates, older mail is not imported, new mail is.
BEFORE=$(count_msgs)
deliver 6 <<'MAIL'
From: Old <old@example.com>
Subject: from last month
Message-ID: <m6@example.com>

old news
MAIL
touch -d '30 days ago' "$BOX/6.eml"
deliver 7 <<'MAIL'
From: New <new@example.com>
Subject: after the restart
Message-ID: <m7@example.com>

new
MAIL
start_hark --outbox-retry-ms 200 --mail-poll-ms 100
wait_for "mail after restart" 10 sh -c "[ \"\$('$DBQ' '$DB' \"SELECT count(*) FROM message WHERE external_id='<m7@example.com>'\")\" = 1 ]"
sleep 0.5
check "old mail not imported" "$(dbq "SELECT count(*) FROM message WHERE external_id='<m6@example.com>'")" 0
check "nothing read twice" "$(count_msgs)" "$((BEFORE + 1))"
stop_hark
