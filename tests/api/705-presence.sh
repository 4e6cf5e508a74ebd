# Presence (issue 7): an agent's live connection with a session cookie sets them online, the
# last one closing sets them offline; "away" is the agent's own choice and presence keeps it;
# auto_presence false turns it off. API-token streams never change anyone's availability.
. "$(dirname "$0")/lib.sh"
start_hark --sse-heartbeat-ms 300
admin_setup
req POST /api/v1/agents '{"email":"bo@example.com","name":"Bo","password":"agent-password-1"}'
check "agent" "$STATUS" 201
BO=$(jqr .id)
curl -s -c "$T/jar" -H 'Content-Type: application/json' \
    -d '{"email":"bo@example.com","password":"agent-password-1"}' "$URL/api/v1/login" >/dev/null
grep -q hark_session "$T/jar" || fail "no session cookie"
avail() { req GET "/api/v1/agents/$BO/profile"; jqr .availability; }
is() { [ "$(avail)" = "$1" ]; }
check "offline before connecting" "$(avail)" offline
stream() { # stream NAME: opens a live connection with the cookie; its pid in $T/NAME.pid
    curl -s -N -b "$T/jar" "$URL/api/v1/events" > "$T/$1.out" 2>/dev/null &
    echo $! > "$T/$1.pid"
}
close() { kill "$(cat "$T/$1.pid")" 2>/dev/null; wait "$(cat "$T/$1.pid")" 2>/dev/null; rm -f "$T/$1.pid"; }

# A token's stream is not an agent's presence.
curl -s -N -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events" > /dev/null 2>&1 &
echo $! > "$T/tok.pid"
sleep 2
check "a token stream changes nobody" "$(avail)" offline
close tok

stream one
wait_for "online with the first connection" 20 is online
stream two
sleep 1
close one
sleep 3
check "still online while one connection is open" "$(avail)" online
close two
wait_for "offline when the last connection closes" 20 is offline

# Away is kept: presence neither sets it online nor offline.
req PATCH "/api/v1/agents/$BO/profile" '{"availability":"away"}'
check "away" "$STATUS" 200
stream three
sleep 3
check "connecting keeps away" "$(avail)" away
close three
sleep 3
check "closing keeps away" "$(avail)" away

# auto_presence off: connections change nothing.
req PATCH "/api/v1/agents/$BO/profile" '{"availability":"offline","auto_presence":false}'
check "auto_presence off" "$(jqr .auto_presence)" false
stream four
sleep 3
check "no presence when turned off" "$(avail)" offline
close four
stop_hark
