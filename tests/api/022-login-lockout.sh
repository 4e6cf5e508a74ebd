# Lockout is keyed by account and client address: a stranger's failures lock the stranger, not
# the real user at another address; failed logins are logged with ids and addresses, never the
# password or an unknown email.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "right-password-1" | "$HARK" agent add --db "$DB" --email ann@example.com --name Ann \
    --password-stdin >/dev/null || fail "agent add"
ANN=$(dbq "SELECT id FROM agent WHERE email='ann@example.com'")

login_from() { # login_from ADDR EMAIL PASSWORD -> status code; headers in $T/h
    curl -s --interface "$1" -D "$T/h" -o "$T/b" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$2\",\"password\":\"$3\"}" "$URL/api/v1/login"
}
# The stranger (127.0.0.2) guesses until locked out.
for i in 1 2 3 4 5; do
    check "stranger guess $i" "$(login_from 127.0.0.2 ann@example.com "guess-number-$i")" 401
done
check "stranger locked" "$(login_from 127.0.0.2 ann@example.com right-password-1)" 429
grep -qi '^retry-after: [1-9]' "$T/h" || fail "no Retry-After"
check "429 code" "$(jq -r .error.code < "$T/b")" rate_limited
# The real user, from their own address, is not locked out.
check "real user logs in" "$(login_from 127.0.0.1 ann@example.com right-password-1)" 200
# An unknown account is limited the same way (no hint which accounts exist).
for i in 1 2 3 4 5; do login_from 127.0.0.3 ghost@example.com "guess-number-$i" >/dev/null; done
check "unknown account locked alike" "$(login_from 127.0.0.3 ghost@example.com x)" 429

# The log names the agent id and the address, never the password or the unknown email.
grep 'msg="login failed"' "$T/hark.log" | grep -q "agent=$ANN client=127.0.0.2" \
    || fail "failed login not logged with agent id and client"
grep 'msg="login failed"' "$T/hark.log" | grep -q 'account=[0-9a-f]\{32\} client=127.0.0.3 reason=unknown' \
    || fail "unknown account not logged as a hash"
grep -q 'guess-number' "$T/hark.log" && fail "a password was logged"
grep -q 'ghost@' "$T/hark.log" && fail "an unknown email was logged"
curl -s "$URL/metrics" | grep -q '^hark_logins_failed_total 1[0-9]' || fail "failed-login metric"
stop_hark
