# An open event stream outlives no credential: disabling an agent ends their open stream, so
# does a logout and a revoked token; a disabled agent is offline for routing, so no conversation
# is routed to them while disabled.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "cy-password-one" | "$HARK" agent add --db "$DB" --email cy@example.com --name Cy \
    --password-stdin >/dev/null || fail "agent add"
CY=$(dbq "SELECT id FROM agent WHERE email='cy@example.com'")

login() { # login EMAIL PASSWORD JAR
    curl -s -c "$3" -o "$3.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"
}
stream() { # stream NAME CURL-ARGS...: opens /api/v1/events in the background; pid in $T/NAME.pid
    local name=$1; shift
    curl -s -N "$@" "$URL/api/v1/events" > "$T/$name.out" 2>/dev/null &
    echo $! > "$T/$name.pid"
    wait_for "stream $name open" 10 grep -q connected "$T/$name.out"
}
ended() { ! kill -0 "$(cat "$T/$1.pid")" 2>/dev/null; }

# ---- disabling an agent ends the agent's open stream ------------------------------------
check "cy logs in" "$(login cy@example.com cy-password-one "$T/cy")" 200
stream cy -b "$T/cy"
sleep 0.3
ended cy && fail "stream ended before anything happened"
req POST "/api/v1/agents/$CY/disable" '{}'
check "disable" "$STATUS" 200
wait_for "cy's stream to end after the disable" 10 ended cy
echo "ok: the disabled agent's stream ended"

# A disabled agent is offline for routing, whatever the profile said before.
req PATCH "/api/v1/agents/$CY/profile" '{"availability":"online","capacity":5}'
check "profile saved while disabled" "$STATUS" 200
req GET "/api/v1/agents/$CY/profile"
check "a disabled agent reads as offline" "$(jqr .availability)" offline
req POST "/api/v1/agents/$CY/enable" '{}'
check "enable" "$STATUS" 200
req GET "/api/v1/agents/$CY/profile"
check "enabled again: the saved availability" "$(jqr .availability)" online

# ---- a logout ends the stream of that session -------------------------------------------
check "cy logs in again" "$(login cy@example.com cy-password-one "$T/cy2")" 200
stream cy2 -b "$T/cy2"
CSRF=$(jq -r .csrf < "$T/cy2.json")
curl -s -b "$T/cy2" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d '{}' \
    -o /dev/null "$URL/api/v1/logout"
wait_for "the stream to end after logout" 10 ended cy2
echo "ok: logout ended the session's stream"

# ---- a revoked token ends its stream; another token's stream stays ----------------------
req POST /api/v1/tokens '{"name":"dashboard","role":"agent"}'
check "create token" "$STATUS" 201
DASH=$(jqr .token); DASH_ID=$(jqr .id)
stream dash -H "Authorization: Bearer $DASH"
stream admin -H "Authorization: Bearer $TOKEN"
req DELETE "/api/v1/tokens/$DASH_ID"
check "revoke" "$STATUS" 200
wait_for "the revoked token's stream to end" 10 ended dash
sleep 0.5
ended admin && fail "another token's stream ended too"
# The surviving stream still gets events.
new_channel "Web"
hook "$CH_ID" "$CH_SECRET" '{"id":"after-revoke","from":{"id":"c1"},"text":"hello"}'
wait_for "an event on the surviving stream" 10 grep -q 'message.created' "$T/admin.out"
echo "ok: the other stream lives on and gets events"
kill "$(cat "$T/admin.pid")" 2>/dev/null
stop_hark
