# Email against real mail servers from Debian, beside the fake of 653/655: Dovecot (IMAP with
# STARTTLS, LMTP delivery, SMTP submission) and Exim, the MTA between Dovecot's submission and
# its LMTP, all started here from generated configs in $T on random 127.0.0.1 ports and stopped
# at the end (mk/mail.mk installs them; the system services are never used). The charset table
# (tests/fixtures/email/*.eml) goes in through Exim's SMTP and Dovecot's LMTP into the Maildir;
# Hark's IMAP poller reads it over STARTTLS with the test's own CA ('ca_file'); the API must show
# each message's text and sender name exactly as NAME.want says. Then Hark's reply goes out
# through Dovecot's submission (STARTTLS, AUTH), Exim relays it, and it arrives in the
# customer's Maildir in UTF-8 with the parent's subject read back over IMAP; the customer's
# answer threads back into the same conversation.
# serial: picks free ports, then hands them to Dovecot and Exim
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
FIX=$(cd "$(dirname "$0")/../fixtures/email" && pwd)
for p in dovecot exim4; do
    command -v "$p" >/dev/null || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null ||
        fail "$p is not installed (make installs it, see mk/mail.mk; Exim only where no other MTA is)"
done
export PATH=$PATH:/usr/sbin
id dovecot >/dev/null 2>&1 && id Debian-exim >/dev/null 2>&1 || fail "dovecot or Debian-exim user missing"

chmod 711 "$T" # Dovecot's mail processes (user dovecot) and Exim (Debian-exim) reach into it
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl req"
set -- $(python3 -c 'import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
IMAP_PORT=$1 LMTP_PORT=$2 SUBM_PORT=$3 MTA_PORT=$4
mkdir -p "$T/mail" "$T/dovecot" "$T/dstate" "$T/exim/spool" "$T/exim/log"
chown dovecot:dovecot "$T/mail"; chown -R Debian-exim:Debian-exim "$T/exim"
echo "care@shop.example:{PLAIN}mail-pass-1::::::" > "$T/passwd"

cat > "$T/dovecot.conf" <<CONF
base_dir = $T/dovecot
state_dir = $T/dstate
instance_name = hark-test-$$
log_path = $T/dovecot.log
protocols = imap lmtp submission
listen = 127.0.0.1
ssl = required
ssl_cert = <$T/cert.pem
ssl_key = <$T/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:$T/mail/%u
first_valid_uid = 1
hostname = mail.test
postmaster_address = postmaster@mail.test
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $T/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$T/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = $SUBM_PORT
  }
}
submission_relay_host = 127.0.0.1
submission_relay_port = $MTA_PORT
submission_relay_trusted = yes
CONF

cat > "$T/exim.conf" <<CONF
# Takes mail from 127.0.0.1 only and hands all of it to Dovecot over LMTP.
primary_hostname = mx.test
local_interfaces = 127.0.0.1
spool_directory = $T/exim/spool
log_file_path = $T/exim/log/%slog
pid_file_path = $T/exim/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
acl_smtp_rcpt = acl_rcpt
begin acl
acl_rcpt:
  accept hosts = 127.0.0.1
  deny
begin routers
to_dovecot:
  driver = manualroute
  route_list = * 127.0.0.1
  transport = lmtp_dovecot
  self = send
begin transports
lmtp_dovecot:
  driver = smtp
  protocol = lmtp
  port = $LMTP_PORT
  hosts_avoid_tls = *
begin retry
* * F,1m,1s
CONF

# stop_mail: ends both servers and waits (bounded) until they are gone, before $T is removed.
stop_mail() {
    for p in exim dovecot; do
        [ -s "$T/$p.pid" ] || continue
        pid=$(cat "$T/$p.pid"); rm -f "$T/$p.pid"
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
    return 0
}
trap 'stop_mail; cleanup' EXIT
dovecot -c "$T/dovecot.conf" -F >"$T/dovecot.out" 2>&1 &
echo $! > "$T/dovecot.pid"
exim4 -C "$T/exim.conf" -bdf -q1s -oX "$MTA_PORT" >"$T/exim.out" 2>&1 &
echo $! > "$T/exim.pid"
listening() { # PORT: something listens on 127.0.0.1:PORT
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null
}
for p in $IMAP_PORT $LMTP_PORT $SUBM_PORT $MTA_PORT; do
    wait_for "mail server on port $p" 15 listening "$p"
done
if command -v ss >/dev/null; then
    wide=$(ss -Hltn | awk '{print $4}' | grep -E ":($IMAP_PORT|$LMTP_PORT|$SUBM_PORT|$MTA_PORT)\$" | grep -v '^127\.0\.0\.1:' || true)
    [ -z "$wide" ] || fail "a test mail server listens beyond loopback: $wide"
fi
echo "ok: dovecot $(dovecot --version | cut -d' ' -f1) and exim on 127.0.0.1"

# smtp_to PORT FROM TO FILE: one message through Exim (no TLS, loopback) as it is.
smtp_to() {
    curl -sS -v --max-time 20 --url "smtp://127.0.0.1:$1/client.test" --mail-from "$2" --mail-rcpt "$3" \
        --upload-file "$4" >"$T/curl.log" 2>&1 ||
        fail "smtp delivery of $4: $(grep '^[<>] ' "$T/curl.log" | tail -4; tail -n 3 "$T"/exim/log/*)"
}

start_hark --outbox-retry-ms 200 --mail-poll-ms 100
admin_setup
new_typed_channel email "Dovecot" "{\"imap_url\":\"imap://127.0.0.1:$IMAP_PORT/INBOX\",\"smtp_url\":\"smtp://127.0.0.1:$SUBM_PORT\",\"username\":\"care@shop.example\",\"password\":\"mail-pass-1\",\"address\":\"care@shop.example\",\"ca_file\":\"$T/cert.pem\"}"

n=0
for f in "$FIX"/*.eml; do
    smtp_to "$MTA_PORT" fixtures@example.org care@shop.example "$f"
    n=$((n + 1))
done
[ "$n" -ge 25 ] || fail "only $n fixtures"
wait_for "$n messages delivered to the Maildir" 20 sh -c "[ \$(ls '$T/mail/care@shop.example/new' '$T/mail/care@shop.example/cur' 2>/dev/null | grep -c .) -ge $n ]"
wait_for "$n messages read over IMAP" 30 sh -c "[ \"\$($DBQ '$DB' 'SELECT count(*) FROM message')\" -ge $n ]"

bad=0
for f in "$FIX"/*.eml; do
    name=$(basename "$f" .eml)
    id="<$(echo "$name" | tr _ -)@fixtures.example>"
    conv=$(dbq "SELECT conversation_id FROM message WHERE external_id='$id'")
    [ -n "$conv" ] || { echo "FAIL: $name: not stored"; bad=1; continue; }
    req GET "/api/v1/conversations/$conv"
    printf '%s' "$BODY" | jq -j '.messages[0].text' > "$T/got"
    tail -n +2 "$FIX/$name.want" > "$T/want"
    if ! cmp -s "$T/got" "$T/want"; then
        echo "FAIL: $name: text"; echo "  got:  $(cat "$T/got")"; echo "  want: $(cat "$T/want")"; bad=1
    fi
    wname=$(head -n 1 "$FIX/$name.want")
    gname=$(printf '%s' "$BODY" | jq -r '.contact.name // ""')
    if [ -n "$wname" ] && [ "$gname" != "$wname" ]; then
        echo "FAIL: $name: sender name: got '$gname', want '$wname'"; bad=1
    fi
done
[ $bad -eq 0 ] || fail "the charset table through Dovecot"
echo "ok: all $n messages of the charset table read right through Dovecot"
grep -q 'imap-login: Info: Login: user=<care@shop.example>.*TLS' "$T/dovecot.log" || fail "no IMAP login over TLS"

# Hark's reply: Dovecot's submission (STARTTLS, AUTH) -> Exim -> LMTP -> the customer's Maildir.
CONV=$(dbq "SELECT conversation_id FROM message WHERE external_id='<koi8-r-8bit@fixtures.example>'")
reply "$CONV" "Здравствуйте, Дмитрий! Ваш заказ в пути."
wait_status "$MSG" sent 20
wait_for "the reply in the customer's Maildir" 20 sh -c "ls '$T/mail/dima@example.ru/new/' 2>/dev/null | grep -q ."
grep -q 'submission-login: Info: Login: user=<care@shop.example>.*TLS' "$T/dovecot.log" || fail "no submission login over TLS"
python3 - "$T"/mail/dima@example.ru/new/* > "$T/reply.txt" <<'PY' || fail "reply as delivered: $(cat "$T/reply.txt")"
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["Message-ID"])
want = {"From": "care@shop.example", "To": "dima@example.ru",
        "Subject": "Re: Заказ не пришёл", "In-Reply-To": "<koi8-r-8bit@fixtures.example>"}
for k, v in want.items():
    if str(m[k]) != v:
        sys.exit("%s: got %r, want %r" % (k, str(m[k]), v))
body = m.get_body().get_content().strip()
if body != "Здравствуйте, Дмитрий! Ваш заказ в пути.":
    sys.exit("body: %r" % body)
PY
OURS=$(head -n 1 "$T/reply.txt")
echo "ok: reply delivered through submission, Exim and LMTP: $OURS"

# A long Cyrillic subject: the reply's Subject is folded into encoded words (no header line
# over 78 characters) and reads back whole.
CONV2=$(dbq "SELECT conversation_id FROM message WHERE external_id='<utf-8-long-subject-folded@fixtures.example>'")
reply "$CONV2" "Проверим."
wait_status "$MSG" sent 20
wait_for "the second reply" 20 sh -c "ls '$T/mail/ivan.p@example.ru/new/' 2>/dev/null | grep -q ."
python3 - "$T"/mail/ivan.p@example.ru/new/* "$(sed -n 2p "$FIX/utf-8-long-subject-folded.want" | sed 's/^Subject: //')" <<'PY' || fail "long subject"
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
ours = {b"date", b"from", b"to", b"subject", b"message-id", b"in-reply-to", b"references"}
name, long_lines = b"", []
for line in raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n"):
    if line[:1] not in (b" ", b"\t"):
        name = line.split(b":", 1)[0].lower()
    if name in ours and len(line) > 78:
        long_lines.append(line)
m = email.message_from_bytes(raw, policy=email.policy.default)
if str(m["Subject"]) != "Re: " + sys.argv[2]:
    sys.exit("subject: got %r" % str(m["Subject"]))
if long_lines:
    sys.exit("header lines over 78 characters: %r" % long_lines)
PY
echo "ok: a long non-ASCII subject folded into encoded words"

# The customer answers in KOI8-R, quoting us: same conversation.
printf 'From: =?koi8-r?B?5M3J1NLJyg==?= <dima@example.ru>\r\nTo: care@shop.example\r\nSubject: Re: ok\r\nMessage-ID: <answer@example.ru>\r\nIn-Reply-To: %s\r\nReferences: <koi8-r-8bit@fixtures.example> %s\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n' "$OURS" "$OURS" > "$T/answer.eml"
printf '\363\320\301\323\311\302\317!\r\n' >> "$T/answer.eml" # KOI8-R
smtp_to "$MTA_PORT" dima@example.ru care@shop.example "$T/answer.eml"
wait_for "the answer" 20 sh -c "[ -n \"\$($DBQ '$DB' \"SELECT 1 FROM message WHERE external_id='<answer@example.ru>'\")\" ]"
check "answer threads back" "$(dbq "SELECT conversation_id FROM message WHERE external_id='<answer@example.ru>'")" "$CONV"
check "answer text" "$(dbq "SELECT text FROM message WHERE external_id='<answer@example.ru>'")" "Спасибо!"

stop_hark
stop_mail
echo "ok: mail servers stopped"
