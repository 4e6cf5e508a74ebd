# /metrics with metrics-token: only "Authorization: Bearer <token>" is answered; anything else
# is 401 with WWW-Authenticate. Without the setting it stays open (loopback default).
. "$(dirname "$0")/lib.sh"
start_hark
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")
check "open without metrics-token" "$code" 200
stop_hark

HARK_METRICS_TOKEN=m-token-1 start_hark
admin_setup
metrics() { curl -s -D "$T/h" -o "$T/m" -w '%{http_code}' "$@" "$URL/metrics"; }
check "no credentials" "$(metrics)" 401
grep -qi '^WWW-Authenticate: Bearer' "$T/h" || fail "no WWW-Authenticate: $(cat "$T/h")"
check "error code" "$(jq -r .error.code "$T/m")" unauthorized
check "wrong token" "$(metrics -H 'Authorization: Bearer m-token-2')" 401
check "prefix of the token" "$(metrics -H 'Authorization: Bearer m-token-')" 401
check "token plus more" "$(metrics -H 'Authorization: Bearer m-token-11')" 401
check "basic auth" "$(metrics -u x:m-token-1)" 401
check "an API token is not the metrics token" "$(metrics -H "Authorization: Bearer $TOKEN")" 401
check "right token" "$(metrics -H 'Authorization: Bearer m-token-1')" 200
grep -q '^hark_ingest_messages_total{result="accepted"} ' "$T/m" || fail "metrics body: $(head -3 "$T/m")"
check "bearer scheme case-insensitive" "$(metrics -H 'Authorization: bearer m-token-1')" 200
check "healthz stays open" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 200
stop_hark
check "print-config masks it" "$(HARK_METRICS_TOKEN=m-token-1 "$HARK" serve --print-config | grep '^metrics-token')" "metrics-token ********"
