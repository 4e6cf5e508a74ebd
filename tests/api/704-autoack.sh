# Honest acknowledgement (issue 7): never inside business hours when the wait is short; inside
# hours when the predicted wait (queue) exceeds the first-response target; outside hours; one
# per conversation (not again for a second message nor after a reopen); signed by the team;
# off for public threads unless the team asks.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
req POST /api/v1/agents '{"email":"ann@example.com","name":"Ann","password":"a long password 1"}'
A1=$(jqr .id)
req PATCH "/api/v1/agents/$A1/profile" '{"availability":"online","capacity":10}'
check "agent online" "$STATUS" 200
ALL='["00:00","24:00"]'
req POST /api/v1/calendars "{\"name\":\"always\",\"tz\":\"Europe/Berlin\",\"hours\":{\"mon\":[$ALL],\"tue\":[$ALL],\"wed\":[$ALL],\"thu\":[$ALL],\"fri\":[$ALL],\"sat\":[$ALL],\"sun\":[$ALL]}}"
check "calendar always open" "$STATUS" 201
check "open now" "$(jqr .open_now)" true
ALWAYS=$(jqr .id)
req POST /api/v1/calendars '{"name":"never","tz":"Europe/Berlin","hours":{"sun":[["00:00","00:01"]]}}'
NEVER=$(jqr .id)
DAY="{\"name\":\"Day\",\"members\":[$A1],\"calendar_id\":$ALWAYS,\"autoack\":{\"enabled\":true,\"templates\":{\"en\":\"Thanks! {team} answers by {when}.\"}}}"
req POST /api/v1/teams "$DAY"
check "team in hours" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201
RULE=$(jqr .id)
acks() { dbq "SELECT count(*) FROM message WHERE conversation_id=$1 AND direction='out'"; }

# Inside hours, someone free, no target to miss: no acknowledgement.
hook "$CH_ID" "$CH_SECRET" '{"id":"k1","from":{"id":"u1","name":"Una"},"text":"Hello, where is my order?"}'
C1=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C1"
check "assigned in hours" "$(jqr .assignee_id)" "$A1"
sleep 1
check "no acknowledgement inside hours" "$(acks "$C1")" 0
req GET "/api/v1/conversations/$C1/sla"
check "no acknowledgement recorded" "$(jqr .acknowledged_message_id)" null

# Inside hours but nobody free and a 60 s target: the predicted wait (queue ahead x the team's
# mean first response, 10 minutes until measured) exceeds it, so the customer is told.
req POST /api/v1/sla/policies '{"name":"minute","first_response_s":60}'
check "policy" "$STATUS" 201
req PATCH "/api/v1/agents/$A1/profile" '{"capacity":1}'
hook "$CH_ID" "$CH_SECRET" '{"id":"k2","from":{"id":"u2","name":"Vic"},"text":"Hello, my parcel is lost"}'
C2=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C2/sla"
check "queued" "$(jqr .routing.queued)" true
check "acknowledged when the wait exceeds the target" "$(acks "$C2")" 1
dbq "SELECT text FROM message WHERE conversation_id=$C2 AND direction='out'" | grep -q "^Thanks! Day answers by " || fail "ack text"
req GET "/api/v1/conversations/$C2/sla"
[ "$(jqr .acknowledged_message_id)" != null ] || fail "acknowledgement not recorded: $BODY"
check "an acknowledgement is not an answer" "$(jqr .unanswered)" true

# Outside hours: acknowledged once, whatever the customer writes next.
req PUT "/api/v1/teams/$TEAM" "{\"name\":\"Night\",\"members\":[$A1],\"calendar_id\":$NEVER,\"autoack\":{\"enabled\":true,\"templates\":{\"en\":\"We are closed; a person answers by {when}.\"}}}"
check "team now closed" "$STATUS" 200
req PATCH "/api/v1/agents/$A1/profile" '{"capacity":50}'
hook "$CH_ID" "$CH_SECRET" '{"id":"k3","from":{"id":"u3","name":"Wes"},"text":"Hello, is the shop open?"}'
C3=$(jqr .conversation_id)
check "acknowledged outside hours" "$(acks "$C3")" 1
OUT=$(dbq "SELECT text FROM message WHERE conversation_id=$C3 AND direction='out'")
echo "$OUT" | grep -q "a person answers by" || fail "ack text: $OUT"
echo "$OUT" | grep -q "Night" || fail "not signed by the team: $OUT"
hook "$CH_ID" "$CH_SECRET" '{"id":"k4","from":{"id":"u3","name":"Wes"},"text":"Hello again?"}'
check "same conversation" "$(jqr .conversation_id)" "$C3"
check "still one acknowledgement" "$(acks "$C3")" 1
req POST "/api/v1/conversations/$C3/status" '{"status":"resolved","reason":"no_reply_needed"}'
check "resolved" "$STATUS" 200
hook "$CH_ID" "$CH_SECRET" '{"id":"k5","from":{"id":"u3","name":"Wes"},"text":"One more thing"}'
check "reopened" "$(jqr .conversation_id)" "$C3"
sleep 1
check "one acknowledgement per conversation, even after a reopen" "$(acks "$C3")" 1

# Public threads: off unless the team asks.
hook "$CH_ID" "$CH_SECRET" '{"id":"k6","public":true,"from":{"id":"u6","name":"Pub"},"text":"Hey brand, hello?"}'
C6=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C6"
check "public thread" "$(jqr .public)" true
sleep 1
check "no acknowledgement on a public thread by default" "$(acks "$C6")" 0
req PUT "/api/v1/teams/$TEAM" "{\"name\":\"Night\",\"members\":[$A1],\"calendar_id\":$NEVER,\"autoack\":{\"enabled\":true,\"public\":true,\"templates\":{\"en\":\"Closed now; we answer by {when}.\"}}}"
check "public acknowledgements on" "$STATUS" 200
hook "$CH_ID" "$CH_SECRET" '{"id":"k7","public":true,"from":{"id":"u7","name":"Pub2"},"text":"Hey brand, are you there?"}'
C7=$(jqr .conversation_id)
check "acknowledged on a public thread when asked" "$(acks "$C7")" 1
stop_hark
