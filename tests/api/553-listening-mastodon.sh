# Listening from a Mastodon streaming source the server reads: the token is sent and never
# shown again, the dropped connection is reconnected and the repeated update deduplicated;
# a source whose token is refused stops with the reason in its status instead of retrying.
. "$(dirname "$0")/lib.sh"
# Post texts hold "\n" escapes, which dash's echo (in jqr) would turn into raw newlines.
jqp() { printf '%s' "$BODY" | jq -r "$1"; }
python3 "$FAKES/mastodon_fake.py" --port-file "$T/m.port" --log "$T/m.log" \
    --updates 20 --drop-after 6 --token sekrit > /dev/null 2>&1 &
echo $! > "$T/m.pid"
for _ in $(seq 100); do [ -s "$T/m.port" ] && break; sleep 0.1; done
PORT=$(cat "$T/m.port")

start_hark --models none --brand-handles acme
admin_setup
req POST /api/v1/listening/queries '{"name":"all","query":"status OR acme"}'
Q=$(jqr .id)
req POST /api/v1/listening/sources "{\"spec\":\"mastodon://127.0.0.1:$PORT\",\"token\":\"sekrit\"}"
check "add source" "$STATUS" 201
SRC=$(jqr .id)
check "has a token" "$(jqr .has_token)" true
echo "$BODY" | grep -q sekrit && fail "token shown: $BODY"
wait_for "20 mentions" 20 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/mentions?query=$Q&limit=200' | jq '.items | length')\" = 20 ]"
sleep 0.5
req GET "/api/v1/listening/mentions?query=$Q&limit=200"
check "still 20 (the repeated update was dropped)" "$(jqp '.items | length')" 20
check "mastodon posts" "$(jqp '[.items[].platform] | unique | join(",")')" mastodon
check "two connections" "$(grep -c '^connect' "$T/m.log")" 2
req GET /api/v1/listening/sources
echo "$BODY" | grep -q sekrit && fail "token listed: $BODY"
check "reconnected once" "$(jqp '.items[0].status.reconnects')" 1

req POST /api/v1/listening/sources "{\"spec\":\"mastodon://127.0.0.1:$PORT\",\"token\":\"wrong\"}"
BAD=$(jqp .id)
wait_for "refused source stops" 10 sh -c "curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/sources' | jq -e '.items[] | select(.id == $BAD) | .status.running == false' > /dev/null"
req GET /api/v1/listening/sources
jqp ".items[] | select(.id == $BAD) | .status.error" | grep -q "refused the token" || fail "no reason: $BODY"
check "the good source keeps running" "$(jqp ".items[] | select(.id == $SRC) | .status.running")" true
stop_hark
