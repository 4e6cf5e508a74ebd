# Observability (issue 20): GET /metrics passes `promtool check metrics` after some traffic and
# carries hark_build_info, the process_* figures and per-route counters keyed by the route
# PATTERN; each request gets one access log line (pattern, status, duration, request id) that
# holds no customer text and no query string; a failed outbox attempt logs the platform's
# status, a bounded reason and when it retries; access-log false turns the lines off.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROMTOOL=${PROMTOOL:-$ROOT/build/tools/promtool}
[ -x "$PROMTOOL" ] || PROMTOOL=$(command -v promtool) ||
    fail "promtool missing (make check-api takes it from Debian's prometheus package)"
start_callback "503,503" 200
start_hark --outbox-retry-ms 200
admin_setup
new_channel "Web" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"

# Customer text and a query value that must never reach the log.
SECRET_TEXT="zq-parcel-7731-SECRETTEXT card 4111111111111111"
hook "$CH_ID" "$CH_SECRET" "{\"id\":\"m1\",\"from\":{\"id\":\"u1\",\"name\":\"Ann\"},\"text\":\"$SECRET_TEXT\"}"
check "webhook accepted" "$STATUS" 200
CONV=$(jqr .conversation_id)
req GET "/api/v1/conversations?q=SECRETQUERYVALUE"
check "search" "$STATUS" 200

# The per-route counter moves by exactly the requests made, under the pattern.
series='hark_http_requests_total{method="GET",route="/api/v1/conversations/{id}",status="200"}'
count() { curl -s "$URL/metrics" | awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'; }
before=$(count "$series")
req GET "/api/v1/conversations/$CONV"; check "get conversation" "$STATUS" 200
req GET "/api/v1/conversations/$CONV"; check "get conversation again" "$STATUS" 200
check "per-route counter moved by 2" "$(count "$series")" "$((before + 2))"
curl -s "$URL/metrics" | grep -q "route=\"/api/v1/conversations/$CONV\"" && fail "raw path as a label"
curl -s -o /dev/null -X DELETE "$URL/healthz"
curl -s -o /dev/null "$URL/widget-no-such-page"
M=$(curl -s "$URL/metrics")
echo "$M" | grep -q '^hark_http_requests_total{method="DELETE",route="unmatched",status="405"} 1$' ||
    fail "unmatched 405 not counted"
echo "$M" | grep -q '^hark_http_requests_total{method="GET",route="static",status="200"} [1-9]' ||
    fail "static not counted"
echo "$M" | grep -q '^hark_http_requests_total{method="POST",route="/hooks/{channel}",status="200"} 1$' ||
    fail "webhook not counted under its pattern"
echo "$M" | grep -q '^hark_http_request_duration_seconds_count{method="GET",route="/api/v1/conversations/{id}"} [1-9]' ||
    fail "no latency histogram for the route"
echo "$M" | grep -Eq '^hark_build_info\{version="[^"]+",revision="[^"]+",build="(release|asan)"\} 1$' ||
    fail "hark_build_info"
for m in process_resident_memory_bytes process_virtual_memory_bytes process_open_fds \
         process_max_fds process_threads process_cpu_seconds_total process_start_time_seconds; do
    echo "$M" | grep -Eq "^$m [0-9.]+$" || fail "missing $m"
done
rss=$(echo "$M" | awk '$1 == "process_resident_memory_bytes" { print $2 }')
[ "$rss" -gt 1000000 ] || fail "implausible RSS $rss"
threads=$(echo "$M" | awk '$1 == "process_threads" { print $2 }')
[ "$threads" -gt 1 ] || fail "implausible thread count $threads"
start=$(echo "$M" | awk '$1 == "process_start_time_seconds" { printf "%d", $2 }')
now=$(date +%s)
[ "$start" -le "$now" ] && [ "$start" -gt $((now - 3600)) ] || fail "start time $start vs now $now"

# Let the outbox fail twice (503) and then deliver, so the failure lines exist too.
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Hi Ann, REPLYSECRET on its way."}'
MSG=$(jqr .id)
wait_for "reply sent" 20 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
M=$(curl -s "$URL/metrics")
printf '%s\n' "$M" > "$T/metrics.txt"
"$PROMTOOL" check metrics < "$T/metrics.txt" > "$T/promtool.out" 2>&1 || { cat "$T/promtool.out"; fail "promtool check metrics"; }
echo "ok: promtool check metrics"

# The request id: sent back, logged, and a client's well-formed id carries through.
RID=$(curl -s -D - -o /dev/null "$URL/healthz" | tr -d '\r' | sed -n 's/^X-Hark-Request-Id: //Ip')
[ -n "$RID" ] || fail "no X-Hark-Request-Id"
OWN=$(curl -s -D - -o /dev/null -H 'X-Hark-Request-Id: proxy-abc.123' "$URL/healthz" | tr -d '\r' |
    sed -n 's/^X-Hark-Request-Id: //Ip')
check "client request id kept" "$OWN" "proxy-abc.123"
# A signed-in agent's requests carry agent=<id> in the log.
curl -s -o /dev/null -c "$T/jar" -H 'Content-Type: application/json' \
    -d '{"email":"admin@example.com","password":"admin-password-1"}' "$URL/api/v1/login"
curl -s -o /dev/null -b "$T/jar" "$URL/api/v1/me"
BADID=$(curl -s -D - -o /dev/null -H 'X-Hark-Request-Id: has space"quote' "$URL/healthz" | tr -d '\r' |
    sed -n 's/^X-Hark-Request-Id: //Ip')
echo "$BADID" | grep -Eq '^[0-9a-f]{16}$' || fail "malformed client id not replaced: $BADID"
stop_hark

L="$T/hark.log"
grep -q "msg=\"request\" method=GET route=\"/healthz\" status=200 ms=[0-9.]* bytes=[0-9]* id=$RID client=127.0.0.1" "$L" ||
    fail "no access line for request $RID"
grep -q 'msg="request" method=POST route="/hooks/{channel}" status=200 .*id=[0-9a-f]\{16\} ' "$L" ||
    fail "no access line for the webhook"
TOKEN_ID=$(dbq "SELECT max(id) FROM api_token")
grep -q "msg=\"request\" method=GET route=\"/api/v1/conversations/{id}\" status=200 .* token=$TOKEN_ID\$" "$L" ||
    fail "no access line with the pattern and the token"
ADMIN_ID=$(dbq "SELECT id FROM agent WHERE email='admin@example.com'")
grep -q "msg=\"request\" method=GET route=\"/api/v1/me\" status=200 .* agent=$ADMIN_ID\$" "$L" ||
    fail "no access line with the agent"
grep -q 'msg="request" method=DELETE route="unmatched" status=405 ' "$L" || fail "no 405 line"
grep -q 'id=proxy-abc.123 ' "$L" || fail "client id not logged"
check "customer text absent from the log" "$(grep -c 'SECRETTEXT\|4111111111111111' "$L")" 0
check "query values absent from the log" "$(grep -c 'SECRETQUERYVALUE' "$L")" 0
check "reply text absent from the log" "$(grep -c 'REPLYSECRET' "$L")" 0
grep -q "/api/v1/conversations/$CONV" "$L" && fail "raw path in the log"
check "two failed attempts logged" "$(grep -c "mod=outbox msg=\"attempt failed\" channel=$CH_ID message=$MSG attempt=[12] state=pending status=503 retry_in=[0-9]*ms reason=\"callback returned HTTP 503\"" "$L")" 2
grep -q "mod=outbox msg=\"attempt\" channel=$CH_ID message=$MSG attempt=3 state=sent" "$L" ||
    fail "no delivery line"
kill "$(cat "$T/cb.pid")"

# access-log false: no request lines (the metrics still count).
start_hark --access-log false
curl -s -o /dev/null "$URL/healthz"
curl -s "$URL/metrics" | grep -q '^hark_http_requests_total{method="GET",route="/healthz",status="200"} 1$' ||
    fail "metrics count with the log off"
stop_hark
check "no access lines when off" "$(grep -c 'msg="request"' "$T/hark.log")" 0
echo "PASS"
