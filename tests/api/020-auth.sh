# Auth: login, cookie session with CSRF, logout, roles, bearer tokens, login rate limit.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Agent" \
    --role agent --password-stdin >/dev/null || fail "agent add"
"$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Again" 2>&1 | grep -q exists \
    || fail "duplicate agent email accepted"

login() { # login EMAIL PASSWORD JAR
    curl -s -c "$3" -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"
}
out=$(login bo@example.com wrong-password "$T/jar"); check "wrong password" "$(echo "$out" | tail -1)" 401
out=$(login nobody@example.com wrong-password "$T/jar"); check "unknown email" "$(echo "$out" | tail -1)" 401
out=$(login bo@example.com agent-password-1 "$T/jar"); check "login" "$(echo "$out" | tail -1)" 200
CSRF=$(echo "$out" | sed '$d' | jq -r .csrf)
check "login returns agent" "$(echo "$out" | sed '$d' | jq -r .agent.email)" bo@example.com
grep -q 'hark_session' "$T/jar" || fail "no session cookie"
hdr=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"email":"bo@example.com","password":"agent-password-1"}' "$URL/api/v1/login" | grep -i '^set-cookie')
echo "$hdr" | grep -q 'HttpOnly' || fail "cookie not HttpOnly"
echo "$hdr" | grep -q 'SameSite=Strict' || fail "cookie not SameSite=Strict"
echo "$hdr" | grep -q 'Path=/' || fail "cookie has no Path=/"
TOKEN2=$(echo "$hdr" | sed 's/.*hark_session=\([0-9a-f]*\).*/\1/')
SESSION1=$(awk '$6=="hark_session"{print $7}' "$T/jar")
[ "$TOKEN2" != "$SESSION1" ] || fail "session token reused across logins"
check "session token is 256 bits" "${#SESSION1}" 64

code=$(curl -s -b "$T/jar" -o "$T/me" -w '%{http_code}' "$URL/api/v1/me"); check "me via cookie" "$code" 200
check "me email" "$(jq -r .agent.email < "$T/me")" bo@example.com
# A cookie-authenticated write without the CSRF header is refused and changes nothing.
code=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
    -d '{"bio":"hacked"}' "$URL/api/v1/me"); check "cookie write without csrf" "$code" 403
code=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
    -H 'X-CSRF-Token: 0000' -d '{"bio":"hacked"}' "$URL/api/v1/me"); check "wrong csrf" "$code" 403
check "bio unchanged" "$(curl -s -b "$T/jar" "$URL/api/v1/me" | jq -r .agent.bio)" ""
code=$(curl -s -b "$T/jar" -o "$T/me" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $CSRF" -d '{"display_name":"Bo","bio":"Returns expert"}' "$URL/api/v1/me")
check "profile update with csrf" "$code" 200
check "bio updated" "$(jq -r .agent.bio < "$T/me")" "Returns expert"
# An agent may not do admin things.
code=$(curl -s -b "$T/jar" -o "$T/o" -w '%{http_code}' -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d '{"type":"api","name":"x"}' "$URL/api/v1/channels"); check "agent creates channel" "$code" 403
check "403 body" "$(jq -r .error.code < "$T/o")" forbidden
code=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d '{"email":"x@example.com","name":"X","password":"password123"}' "$URL/api/v1/agents"); check "agent adds agent" "$code" 403
# Logout invalidates the session server-side.
code=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' -X POST -H "X-CSRF-Token: $CSRF" "$URL/api/v1/logout")
check logout "$code" 200
code=$(curl -s -b "hark_session=$SESSION1" -o /dev/null -w '%{http_code}' "$URL/api/v1/me"); check "old session after logout" "$code" 401

# Bearer tokens (admin) may manage agents; no CSRF needed.
req POST /api/v1/agents '{"email":"cy@example.com","name":"Cy New","password":"password-cy-1","role":"agent"}'
check "admin token adds agent" "$STATUS" 201
req POST /api/v1/agents '{"email":"cy@example.com","name":"Cy New","password":"password-cy-1"}'
check "duplicate agent" "$STATUS" 409
req POST /api/v1/agents '{"email":"dee@example.com","name":"Dee","password":"short"}'
check "short password" "$STATUS" 422
check "short password code" "$(jqr .error.code)" password_too_short
req GET /api/v1/agents; check "agents list" "$(jqr '.items | length')" 3
"$HARK" token create --db "$DB" --name viewer --role agent > "$T/agent-token" 2>/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/agent-token")" \
    -H 'Content-Type: application/json' -d '{"type":"api","name":"y"}' "$URL/api/v1/channels")
check "agent-role token creates channel" "$code" 403

# Rate limit: five failures lock the account (429 + Retry-After) even with the right password.
for i in 1 2 3 4 5; do login cy@example.com wrong "$T/j2" >/dev/null; done
hdrs=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"email":"cy@example.com","password":"password-cy-1"}' "$URL/api/v1/login")
echo "$hdrs" | head -1 | grep -q ' 429' || fail "no 429 after repeated failures: $hdrs"
echo "$hdrs" | grep -qi '^retry-after: [1-9]' || fail "no Retry-After"
out=$(login bo@example.com agent-password-1 "$T/j3"); check "other account unaffected" "$(echo "$out" | tail -1)" 200
curl -s "$URL/metrics" | grep -q '^hark_logins_limited_total [1-9]' || fail "limited metric"
stop_hark
