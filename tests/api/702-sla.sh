# SLA clocks (issue 7): warning then breach over SSE-persisted events for a short target; a
# human reply stops the clock; pending pauses it; the Unanswered view and metric; an honest
# acknowledgement once per conversation; after a restart an overdue timer fires exactly once.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
req POST /api/v1/sla/policies '{"name":"fast","first_response_s":2,"next_response_s":2,"warn_pct":50}'
check "policy" "$STATUS" 201
POL=$(jqr .id)
count() { dbq "SELECT count(*) FROM event WHERE type='$1' AND CAST(json_extract(data,'\$.conversation_id') AS INTEGER)=$2"; }

hook "$CH_ID" "$CH_SECRET" '{"id":"s1","from":{"id":"u1","name":"Ann"},"text":"Is anyone there?"}'
C1=$(jqr .conversation_id)
applied() { req GET "/api/v1/conversations/$C1/sla"; [ "$(jqr .policy_id)" = "$POL" ]; }
wait_for "policy applied" 10 applied
[ "$(jqr .first_response_due)" != null ] || fail "no first-response deadline: $BODY"
req GET "/api/v1/conversations?unanswered=true"
check "in the unanswered view" "$(jqr '.items[0].id')" "$C1"
curl -s "$URL/metrics" | grep -q '^hark_unanswered_conversations 1$' || fail "unanswered gauge"
wait_for "warning" 10 sh -c "[ \$($DBQ '$DB' \"SELECT count(*) FROM event WHERE type='sla.warning'\") -ge 1 ]"
wait_for "breach" 10 sh -c "[ \$($DBQ '$DB' \"SELECT count(*) FROM event WHERE type='sla.breached'\") -ge 1 ]"
check "one warning" "$(count sla.warning "$C1")" 1
check "one breach" "$(count sla.breached "$C1")" 1
dbq "SELECT data FROM event WHERE type='sla.breached'" | grep -q '"clock":"first_response"' || fail "clock name"

# A reply in time stops the clock.
hook "$CH_ID" "$CH_SECRET" '{"id":"s2","from":{"id":"u2","name":"Bo"},"text":"Hello"}'
C2=$(jqr .conversation_id)
req POST "/api/v1/conversations/$C2/messages" '{"text":"Hi Bo, here to help."}'
check "reply" "$STATUS" 201
# Pending pauses: no breach while waiting on the customer.
hook "$CH_ID" "$CH_SECRET" '{"id":"s3","from":{"id":"u3","name":"Cy"},"text":"Hello"}'
C3=$(jqr .conversation_id)
req POST "/api/v1/conversations/$C3/status" '{"status":"pending"}'
check "pending" "$STATUS" 200
sleep 4
check "no breach after a reply" "$(count sla.breached "$C2")" 0
check "no breach while pending" "$(count sla.breached "$C3")" 0
req GET "/api/v1/conversations/$C3/sla"
check "paused" "$(jqr .paused)" true
req GET "/api/v1/conversations/$C2/sla"
check "answered" "$(jqr .unanswered)" false

# Resolving an unanswered conversation needs a reason ("no reply needed").
req POST "/api/v1/conversations/$C1/status" '{"status":"resolved"}'
check "reason required" "$STATUS" 422
req POST "/api/v1/conversations/$C1/status" '{"status":"resolved","reason":"spam"}'
check "resolved as spam" "$STATUS" 200
req GET "/api/v1/conversations/$C1/sla"
check "no-reply reason kept" "$(jqr .no_reply_reason)" spam

# Honest acknowledgement: a team whose calendar is closed almost all day.
req POST /api/v1/calendars '{"name":"tiny","tz":"Europe/Berlin","hours":{"sun":[["00:00","00:01"]]},"holidays":["2030-01-01"]}'
check "calendar" "$STATUS" 201
CAL=$(jqr .id)
req POST /api/v1/calendars '{"name":"bad","tz":"Mars/Olympus"}'
check "bad zone" "$STATUS" 422
req POST /api/v1/teams "{\"name\":\"Care\",\"calendar_id\":$CAL,\"autoack\":{\"enabled\":true,\"templates\":{\"en\":\"Thanks! A person from {team} answers by {when}.\"}}}"
check "team" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"round_robin\"}"
check "rule" "$STATUS" 201
hook "$CH_ID" "$CH_SECRET" '{"id":"s4","from":{"id":"u4","name":"Di"},"text":"Hello, my order is late"}'
C4=$(jqr .conversation_id)
hook "$CH_ID" "$CH_SECRET" '{"id":"s5","from":{"id":"u4","name":"Di"},"text":"Still there?"}'
acks() { dbq "SELECT count(*) FROM message WHERE conversation_id=$C4 AND direction='out'"; }
check "one acknowledgement" "$(acks)" 1
dbq "SELECT text FROM message WHERE conversation_id=$C4 AND direction='out'" | grep -q "A person from Care answers by" || fail "ack text"
req GET "/api/v1/conversations/$C4/sla"
check "still unanswered after the acknowledgement" "$(jqr .unanswered)" true

# Restart with an overdue timer: it fires once after the restart, never twice.
req PUT "/api/v1/sla/policies/$POL" '{"name":"fast","first_response_s":3,"warn_pct":90}'
check "policy update bumps version" "$(jqr .version)" 2
hook "$CH_ID" "$CH_SECRET" '{"id":"s6","from":{"id":"u6","name":"Ed"},"text":"Help"}'
C6=$(jqr .conversation_id)
wait_for "deadline stored" 10 sh -c "[ \$($DBQ '$DB' \"SELECT count(*) FROM timer WHERE conversation_id=$C6 AND kind='first_breach'\") -ge 1 ]"
stop_hark
sleep 4
start_hark
wait_for "overdue breach after restart" 10 sh -c "[ \$($DBQ '$DB' \"SELECT count(*) FROM event WHERE type='sla.breached' AND CAST(json_extract(data,'\$.conversation_id') AS INTEGER)=$C6\") -ge 1 ]"
stop_hark
start_hark
sleep 2
check "fired exactly once across restarts" "$(count sla.breached "$C6")" 1
stop_hark
