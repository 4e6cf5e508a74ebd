# Basics: version, --help on every command, healthz, metrics, unknown routes, no auth.
. "$(dirname "$0")/lib.sh"
"$HARK" version | grep -q '^hark ' || fail "version"
for c in serve demo agent token channel model listen; do
    "$HARK" $c --help >/dev/null || fail "$c --help"
done
"$HARK" nosuch >/dev/null 2>&1; check "unknown command exits 2" $? 2
"$HARK" serve --listen nonsense --db "$DB" >/dev/null 2>&1; check "bad --listen exits 2" $? 2
HARK_LISTEN=127.0.0.1:1234 "$HARK" serve --print-config --db "$DB" | grep -q '^listen 127.0.0.1:1234$' \
    || fail "env var does not reach config"
printf 'listen 127.0.0.1:4321\nlog_level debug\n' > "$T/hark.conf"
"$HARK" serve --print-config --config "$T/hark.conf" | grep -q '^listen 127.0.0.1:4321$' || fail "config file"
printf 'bogus 1\n' > "$T/bad.conf"
"$HARK" serve --config "$T/bad.conf" 2>&1 | grep -q "unknown key 'bogus'" || fail "bad config key"

start_hark
BODY=$(curl -s "$URL/healthz"); check healthz "$(echo "$BODY" | jq -r .status)" ok
curl -s "$URL/metrics" | grep -q '^hark_ingest_messages_total{result="accepted"} 0$' || fail metrics
curl -s "$URL/metrics" | grep -q '^hark_sse_clients 0$' || fail "metrics sse"
code=$(curl -s -o "$T/o" -w '%{http_code}' "$URL/api/v1/nothing"); check "unknown path" "$code" 404
check "404 body" "$(jq -r .error.code < "$T/o")" not_found
code=$(curl -s -o "$T/o" -w '%{http_code}' "$URL/api/v1/conversations"); check "no auth" "$code" 401
check "401 body" "$(jq -r .error.code < "$T/o")" unauthorized
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/api/v1/conversations"); check "wrong method" "$code" 405
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$URL/api/v1/me"); check "bad token" "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Basic eA==' "$URL/api/v1/me"); check "basic auth" "$code" 401
stop_hark
