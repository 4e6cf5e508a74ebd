# Outbox: a reply is delivered through a local callback that fails first (500, then 429 with
# Retry-After), then succeeds: delivered once, signed, with one idempotency key. A refusing
# callback ends 'failed' with the reason. Pending deliveries resume after a restart.
. "$(dirname "$0")/lib.sh"
start_callback "500,429:1,200" 200
start_hark --outbox-retry-ms 200
admin_setup
new_channel "Web" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"
hook "$CH_ID" "$CH_SECRET" '{"id":"o1","from":{"id":"u1","name":"Ann"},"text":"Where is my parcel?"}'
CONV=$(jqr .conversation_id)
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Hi Ann, it ships today."}'
MSG=$(jqr .id)
msg_status() { req GET "/api/v1/conversations/$CONV"; jqr ".messages[] | select(.id==$MSG) | .status"; }
wait_for "reply sent" 15 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "status via API" "$(msg_status)" sent
check "three attempts" "$(wc -l < "$CB_LOG")" 3
check "one idempotency key" "$(jq -r .key "$CB_LOG" | sort -u | wc -l)" 1
check "signed" "$(jq -r .sig_ok "$CB_LOG" | sort -u)" true
check "delivered once" "$(jq -r 'select(.status=="200") | .n' "$CB_LOG" | wc -l)" 1
check "text delivered" "$(jq -r 'select(.status=="200") | .text' "$CB_LOG")" "Hi Ann, it ships today."
sleep 1
check "no redelivery after success" "$(wc -l < "$CB_LOG")" 3
# The 429 asked for 1 s: the third attempt came no sooner.
curl -s "$URL/metrics" | grep -q '^hark_outbox_messages{state="sent"} 1$' || fail "outbox metric"
# A private note never reaches the callback.
req POST "/api/v1/conversations/$CONV/messages" '{"text":"note only","private":true}'
sleep 1
check "note not delivered" "$(grep -c 'note only' "$CB_LOG")" 0
stop_hark
kill "$(cat "$T/cb.pid")"

# Permanent refusal: 400 ends failed with the reason, visible in the API and as an event.
start_callback "" 400
start_hark --outbox-retry-ms 200
new_channel "Refusing" "$CB_URL"
hook "$CH_ID" "$CH_SECRET" '{"id":"o2","from":{"id":"u2","name":"Bea"},"text":"hello"}'
CONV=$(jqr .conversation_id)
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Hi Bea"}'
MSG=$(jqr .id)
wait_for "reply failed" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = failed ]"
req GET "/api/v1/conversations/$CONV"
check "failure reason shown" "$(jqr ".messages[] | select(.id==$MSG) | .error")" "callback refused the reply: HTTP 400"
check "one attempt for a permanent error" "$(wc -l < "$CB_LOG")" 1
dbq "SELECT data FROM event WHERE type='message.updated'" | grep -q '"status":"failed"' || fail "no failed event"
stop_hark
kill "$(cat "$T/cb.pid")"

# Restart: the callback is down, so the reply stays queued; after a restart with the callback
# up, the pending reply is delivered exactly once.
start_hark --outbox-retry-ms 200
new_channel "Later" "http://127.0.0.1:9/callback"
LATER=$CH_ID
hook "$CH_ID" "$CH_SECRET" '{"id":"o3","from":{"id":"u3","name":"Cy"},"text":"hi"}'
CONV=$(jqr .conversation_id)
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Hi Cy"}'
MSG=$(jqr .id)
wait_for "a failed attempt" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT attempts FROM outbox WHERE message_id=$MSG')\" -ge 1 ]"
check "still queued" "$(dbq "SELECT status FROM message WHERE id=$MSG")" queued
stop_hark
start_callback "" 200
printf '%s' "$CH_SECRET" > "$T/cb.secret"
dbq "UPDATE channel SET settings='{\"callback_url\":\"$CB_URL\"}' WHERE id=$LATER"
start_hark --outbox-retry-ms 200
wait_for "resumed delivery" 20 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
sleep 1
check "delivered once after restart" "$(wc -l < "$CB_LOG")" 1
stop_hark
