# Email requires TLS: imap:// and smtp:// must upgrade with STARTTLS (a server without it is
# refused before any password is sent), certificates are verified (settings.ca_file names the
# CA to trust), plain text only with settings.insecure_transport for a server on this host, and
# no credentials inside the URLs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl req"

# start_mail NAME [ARGS]: a mail fake in $T/NAME; sets IMAP, SMTP (URLs), BOX, MLOG, ALOG.
start_mail() {
    local d="$T/$1"; shift
    mkdir -p "$d/box" "$d/sent"; : > "$d/mail.log"; : > "$d/auth.log"
    python3 "$FAKES/mail_fake.py" --mailbox "$d/box" --sent "$d/sent" --log "$d/mail.log" \
        --auth-log "$d/auth.log" --imap-port-file "$d/imap.port" --smtp-port-file "$d/smtp.port" "$@" &
    echo $! > "$T/$(basename "$d").pid"
    for _ in $(seq 1 100); do [ -s "$d/smtp.port" ] && break; sleep 0.05; done
    IMAP="imap://127.0.0.1:$(cat "$d/imap.port")/INBOX"; SMTP="smtp://127.0.0.1:$(cat "$d/smtp.port")"
    BOX="$d/box"; MLOG="$d/mail.log"; ALOG="$d/auth.log"
}
start_mail plain
P_IMAP=$IMAP; P_SMTP=$SMTP; P_BOX=$BOX; P_ALOG=$ALOG
start_mail tls --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
S_IMAP=$IMAP; S_SMTP=$SMTP; S_BOX=$BOX; S_ALOG=$ALOG; S_MLOG=$MLOG
start_hark --outbox-retry-ms 200 --mail-poll-ms 100
admin_setup
email() { # email NAME IMAP SMTP [EXTRA_JSON_MEMBERS]
    req POST /api/v1/channels "{\"type\":\"email\",\"name\":\"$1\",\"settings\":{\"imap_url\":\"$2\",\"smtp_url\":\"$3\",\"username\":\"care@shop.example\",\"password\":\"mail-pass-1\",\"address\":\"care@shop.example\"${4:+,$4}}}"
}

# Refused at creation.
email Bad "imap://care:mail-pass-1@127.0.0.1/INBOX" "$S_SMTP"
check "credentials in imap_url" "$STATUS" 422
jqr .error.message | grep -q "settings.username' and 'settings.password'" || fail "hint: $BODY"
echo "$BODY" | grep -q mail-pass-1 && fail "password echoed: $BODY"
email Bad "$S_IMAP" "smtps://care%40shop:pw@127.0.0.1"
check "credentials in smtp_url" "$STATUS" 422
email Bad "imap://mail.example.com/INBOX" "$P_SMTP" '"insecure_transport":true'
check "plain text to another host" "$STATUS" 422
jqr .error.message | grep -q "insecure_transport" || fail "reason: $BODY"
email Bad "imap://127.0.0.1.example.com/INBOX" "$P_SMTP" '"insecure_transport":true'
check "a name that starts like loopback" "$STATUS" 422
email Bad "$P_IMAP" "$P_SMTP" '"insecure_transport":"yes"'
check "insecure_transport is a boolean" "$STATUS" 422
email Bad "$S_IMAP" "$S_SMTP" '"ca_file":"cert.pem"'
check "ca_file is an absolute path" "$STATUS" 422

deliver() { cat > "$1/.tmp"; mv "$1/.tmp" "$1/$2.eml"; }
mail() { printf 'From: Ann <ann@example.org>\nSubject: %s\nMessage-ID: <%s@example.org>\n\nhello\n' "$1" "$1"; }
conv_of() { dbq "SELECT conversation_id FROM message WHERE external_id='<$1@example.org>' AND channel_id=$2"; }

# STARTTLS with the CA given: mail in, reply out, no password ever in clear.
email TLS "$S_IMAP" "$S_SMTP" "\"ca_file\":\"$T/cert.pem\""
check "create TLS channel" "$STATUS" 201
TLS=$(jqr .id)
mail m1 | deliver "$S_BOX" 1
wait_for "mail over STARTTLS" 10 sh -c "[ -n \"\$($DBQ '$DB' \"SELECT 1 FROM message WHERE channel_id=$TLS\")\" ]"
reply "$(conv_of m1 "$TLS")" "Hi Ann"
wait_status "$MSG" sent 15
check "sent over STARTTLS" "$(jq -r .auth_ok "$S_MLOG")" true
grep -q 'imap tls=1' "$S_ALOG" || fail "imap login not seen"
grep -q 'smtp tls=1' "$S_ALOG" || fail "smtp login not seen"
grep -q 'tls=0' "$S_ALOG" && fail "a login in clear: $(cat "$S_ALOG")"
echo "ok: logins only after STARTTLS"

# The same server without the CA: its certificate is not trusted.
email Untrusted "$S_IMAP" "$S_SMTP"
check "create untrusted channel" "$STATUS" 201
UNT=$(jqr .id)
wait_for "certificate refused" 10 grep -q "channel=$UNT .*reason=\".*see 'ca_file'" "$T/hark.log"
echo "ok: untrusted certificate refused"

# A server without STARTTLS: refused before logging in, with a clear reason, and not retried.
email NoTLS "$S_IMAP" "$P_SMTP" "\"ca_file\":\"$T/cert.pem\""
check "create channel with a plain smtp server" "$STATUS" 201
NT=$(jqr .id)
wait_for "mail for the second channel" 10 sh -c "[ -n \"\$($DBQ '$DB' \"SELECT 1 FROM message WHERE channel_id=$NT\")\" ]"
reply "$(conv_of m1 "$NT")" "Hi again"
wait_status "$MSG" failed 15
msg_error "$MSG" | grep -q '^email: the mail server offers no STARTTLS' || fail "reason: $(msg_error "$MSG")"
echo "ok: smtp without STARTTLS failed: $(msg_error "$MSG")"
email NoTLS2 "$P_IMAP" "$S_SMTP"
check "create channel with a plain imap server" "$STATUS" 201
NT2=$(jqr .id)
mail m2 | deliver "$P_BOX" 1
wait_for "imap without STARTTLS refused" 10 grep -q "channel=$NT2 .*reason=\"imap search failed: the mail server offers no STARTTLS" "$T/hark.log"
sleep 0.3
check "nothing read in clear" "$(dbq "SELECT count(*) FROM message WHERE channel_id=$NT2")" 0
check "no password sent to the plain server" "$(wc -l < "$P_ALOG" | tr -d ' ')" 0

# The opt-out for a relay on this host: plain text works.
email Local "$P_IMAP" "$P_SMTP" '"insecure_transport":true'
check "create local relay channel" "$STATUS" 201
LOC=$(jqr .id)
wait_for "mail over the local relay" 10 sh -c "[ -n \"\$($DBQ '$DB' \"SELECT 1 FROM message WHERE channel_id=$LOC\")\" ]"
grep -q 'imap tls=0' "$P_ALOG" || fail "plain login not seen"
req GET /api/v1/channels
echo "$BODY" | grep -q 'mail-pass-1' && fail "password listed"
check "opt-out shown" "$(jqp ".items[] | select(.id==$LOC) | .settings.insecure_transport")" true
stop_hark
# The CLI gives string settings: "true" is the boolean.
"$HARK" channel add --db "$DB" --type email --name CLI --setting "imap_url=$P_IMAP" \
    --setting "smtp_url=$P_SMTP" --setting username=u --setting password=p \
    --setting address=care@shop.example --setting insecure_transport=true >/dev/null || fail "cli add"
check "cli opt-out stored as a boolean" "$(dbq "SELECT json_extract(settings,'\$.insecure_transport') FROM channel WHERE name='CLI'")" 1
"$HARK" channel add --db "$DB" --type email --name CLI2 --setting "imap_url=imap://mail.example.com/INBOX" \
    --setting "smtp_url=$P_SMTP" --setting username=u --setting password=p \
    --setting address=care@shop.example --setting insecure_transport=true >/dev/null 2>"$T/cli.err" && fail "cli accepted plain text to another host"
grep -q insecure_transport "$T/cli.err" || fail "cli reason: $(cat "$T/cli.err")"
echo "ok: cli refuses the opt-out for another host"
