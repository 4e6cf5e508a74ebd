# Credential lifecycle, API and CLI: tokens (create with name, role and expiry, list, revoke,
# expiry), disabling and enabling an agent, an admin's password reset and an agent's own
# change. Each ends sessions or tokens at once.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "bo-password-one" | "$HARK" agent add --db "$DB" --email bo@example.com --name Bo \
    --password-stdin >/dev/null || fail "agent add"
BO=$(dbq "SELECT id FROM agent WHERE email='bo@example.com'")

login() { # login EMAIL PASSWORD JAR -> status; the session's CSRF token in JAR.csrf
    curl -s -c "$3" -o "$3.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"
    jq -r '.csrf // empty' < "$3.json" > "$3.csrf"
}
me() { curl -s -b "$1" -o /dev/null -w '%{http_code}' "$URL/api/v1/me"; }
bearer() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$URL/api/v1/agents"; }

# ---- tokens through the API --------------------------------------------------------------
req POST /api/v1/tokens '{"name":"zapier","role":"agent","expires_days":30}'
check "create token" "$STATUS" 201
ZAP=$(jqr .token); ZAP_ID=$(jqr .id)
check "token shown once, prefixed" "$(echo "$ZAP" | cut -c1-5)" hark_
check "token role" "$(jqr .role)" agent
[ "$(jqr .expires_at)" != null ] || fail "no expires_at"
check "works" "$(bearer "$ZAP")" 200
req POST /api/v1/tokens '{"name":"","role":"agent"}'; check "empty name" "$STATUS" 422
req POST /api/v1/tokens '{"name":"x","role":"root"}'; check "bad role" "$STATUS" 422
req POST /api/v1/tokens '{"name":"x","expires_days":0}'; check "bad expiry" "$STATUS" 422
req GET /api/v1/tokens; check "list" "$STATUS" 200
check "list has both" "$(jqr '.items | length')" 2
check "list never shows secrets" "$(echo "$BODY" | grep -c hark_)" 0
# The use is recorded asynchronously: wait for it, bounded.
for _ in $(seq 1 50); do
    req GET /api/v1/tokens
    [ "$(jqr ".items[] | select(.id == $ZAP_ID) | .last_used_at != null")" = true ] && break
    sleep 0.1
done
check "last_used_at recorded" "$(jqr ".items[] | select(.id == $ZAP_ID) | .last_used_at != null")" true
# An agent-role token cannot manage tokens.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ZAP" "$URL/api/v1/tokens")
check "agent token lists tokens" "$code" 403
req DELETE "/api/v1/tokens/$ZAP_ID"; check "revoke" "$STATUS" 200
check "revoked token at once" "$(bearer "$ZAP")" 401
req GET /api/v1/tokens
check "revoked stays listed" "$(jqr ".items[] | select(.id == $ZAP_ID) | .status")" revoked
req DELETE /api/v1/tokens/9999; check "revoke unknown" "$STATUS" 404

# ---- tokens through the CLI; expiry --------------------------------------------------------
CI=$("$HARK" token create --db "$DB" --name ci --role agent --expires-days 1 2>/dev/null)
check "cli token works" "$(bearer "$CI")" 200
"$HARK" token list --db "$DB" > "$T/list" || fail "token list"
grep -q '^ID ' "$T/list" || fail "no header in token list"
grep -q ' ci .* agent .* active ' "$T/list" || fail "ci token not listed active: $(cat "$T/list")"
grep -q 'zapier .* revoked ' "$T/list" || fail "revoked token not listed: $(cat "$T/list")"
grep -q hark_ "$T/list" && fail "token list shows a secret"
CI_ID=$(awk '$2 == "ci" {print $1}' "$T/list")
# Move the expiry into the past (as if a day went by): the token fails at once.
dbq "UPDATE api_token SET expires_at = 1000 WHERE id = $CI_ID"
check "expired token" "$(bearer "$CI")" 401
"$HARK" token list --db "$DB" | grep -q ' ci .* expired ' || fail "expired not listed"
"$HARK" token create --db "$DB" --name x --expires-days 0 2>/dev/null && fail "expires-days 0 accepted"
CI2=$("$HARK" token create --db "$DB" --name ci2 2>/dev/null)
CI2_ID=$("$HARK" token list --db "$DB" | awk '$2 == "ci2" {print $1}')
"$HARK" token revoke --db "$DB" "$CI2_ID" | grep -q revoked || fail "cli revoke"
check "cli-revoked token" "$(bearer "$CI2")" 401
"$HARK" token revoke --db "$DB" 9999 2>/dev/null && fail "revoking an unknown token succeeded"

# ---- disable / enable (API) ----------------------------------------------------------------
check "bo logs in" "$(login bo@example.com bo-password-one "$T/bo1")" 200
check "bo logs in again" "$(login bo@example.com bo-password-one "$T/bo2")" 200
req POST "/api/v1/agents/$BO/disable"; check "disable" "$STATUS" 200
check "disabled flag" "$(jqr .disabled)" true
check "both sessions ended" "$(jqr .sessions_ended)" 2
check "session 1 ended at once" "$(me "$T/bo1")" 401
check "session 2 ended at once" "$(me "$T/bo2")" 401
check "disabled cannot log in" "$(login bo@example.com bo-password-one "$T/bo3")" 401
req GET /api/v1/agents
check "listed as disabled" "$(jqr ".items[] | select(.id == $BO) | .disabled")" true
req POST "/api/v1/agents/$BO/enable"; check "enable" "$STATUS" 200
check "enabled flag" "$(jqr .disabled)" false
check "enabled logs in" "$(login bo@example.com bo-password-one "$T/bo1")" 200
req POST /api/v1/agents/9999/disable; check "disable unknown" "$STATUS" 404

# Tokens an agent created die with it while it is disabled.
check "admin logs in" "$(login admin@example.com admin-password-1 "$T/ad")" 200
ADMIN_CSRF=$(cat "$T/ad.csrf")
out=$(curl -s -b "$T/ad" -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Content-Type: application/json' \
    -d '{"name":"ada-script","role":"admin"}' "$URL/api/v1/tokens")
ADA_TOKEN=$(echo "$out" | jq -r .token)
ADA=$(echo "$out" | jq -r .agent_id)
check "token owned by its creator" "$ADA" "$(dbq "SELECT id FROM agent WHERE email='admin@example.com'")"
check "admin's own token works" "$(bearer "$ADA_TOKEN")" 200
code=$(curl -s -b "$T/ad" -H "X-CSRF-Token: $ADMIN_CSRF" -o /dev/null -w '%{http_code}' -X POST \
    "$URL/api/v1/agents/$ADA/disable"); check "cannot disable yourself" "$code" 409
"$HARK" agent disable --db "$DB" admin@example.com | grep -q 'disabled' || fail "cli disable"
check "creator disabled: its token fails" "$(bearer "$ADA_TOKEN")" 401
check "creator disabled: its session ended" "$(me "$T/ad")" 401
check "CLI tokens are not tied to an agent" "$(bearer "$TOKEN")" 200
"$HARK" agent enable --db "$DB" "$ADA" | grep -q 'enabled' || fail "cli enable"
check "creator enabled: its token works" "$(bearer "$ADA_TOKEN")" 200
"$HARK" agent disable --db "$DB" nobody@example.com 2>/dev/null && fail "disabling an unknown agent succeeded"

# ---- admin reset (API and CLI) -------------------------------------------------------------
check "bo second session" "$(login bo@example.com bo-password-one "$T/bo2")" 200
req POST "/api/v1/agents/$BO/password" '{"password":"short"}'
check "reset: too short" "$STATUS" 422; check "reset: code" "$(jqr .error.code)" password_too_short
check "rejected reset keeps sessions" "$(me "$T/bo1")" 200
req POST "/api/v1/agents/$BO/password" '{"password":"bo-password-two"}'
check "reset" "$STATUS" 200; check "reset ends all sessions" "$(jqr .sessions_ended)" 2
check "reset: session 1 ended" "$(me "$T/bo1")" 401
check "reset: session 2 ended" "$(me "$T/bo2")" 401
check "old password refused" "$(login bo@example.com bo-password-one "$T/x")" 401
check "new password works" "$(login bo@example.com bo-password-two "$T/bo1")" 200
echo "bo-password-three" | "$HARK" agent passwd --db "$DB" bo@example.com --password-stdin \
    | grep -q 'password set' || fail "cli passwd"
check "cli passwd ends sessions" "$(me "$T/bo1")" 401
check "cli password works" "$(login bo@example.com bo-password-three "$T/bo1")" 200
echo "password1234" | "$HARK" agent passwd --db "$DB" "$BO" --password-stdin 2>"$T/err" \
    && fail "cli passwd accepted a breached password"
grep -q 'breached' "$T/err" || fail "cli passwd error: $(cat "$T/err")"
gen=$("$HARK" agent passwd --db "$DB" "$BO" | sed -n 's/^password: //p')
[ "${#gen}" -ge 12 ] || fail "generated password '$gen'"
check "generated password works" "$(login bo@example.com "$gen" "$T/bo1")" 200

# ---- own change (API) --------------------------------------------------------------------
check "bo other session" "$(login bo@example.com "$gen" "$T/bo2")" 200
check "bo this session" "$(login bo@example.com "$gen" "$T/bo3")" 200
CSRF=$(cat "$T/bo3.csrf")
own() { # own JAR CSRF BODY -> status; body in $T/own
    curl -s -b "$1" -H "X-CSRF-Token: $2" -H 'Content-Type: application/json' -o "$T/own" \
        -w '%{http_code}' -d "$3" "$URL/api/v1/me/password"
}
check "own: no csrf" "$(own "$T/bo3" nope '{"current_password":"x","password":"y"}')" 403
check "own: wrong current" "$(own "$T/bo3" "$CSRF" '{"current_password":"not-the-one!","password":"my-new-secret-1"}')" 403
check "own: wrong current code" "$(jq -r .error.code < "$T/own")" wrong_password
check "own: breached" "$(own "$T/bo3" "$CSRF" "{\"current_password\":\"$gen\",\"password\":\"1qaz2wsx3edc\"}")" 422
check "own: breached code" "$(jq -r .error.code < "$T/own")" password_breached
check "own: too short" "$(own "$T/bo3" "$CSRF" "{\"current_password\":\"$gen\",\"password\":\"tiny\"}")" 422
check "own: change" "$(own "$T/bo3" "$CSRF" "{\"current_password\":\"$gen\",\"password\":\"my-new-secret-1\"}")" 200
check "own: other sessions ended" "$(jq -r .sessions_ended < "$T/own")" 2
check "own: this session stays" "$(me "$T/bo3")" 200
check "own: other session ended" "$(me "$T/bo2")" 401
check "own: new password works" "$(login bo@example.com my-new-secret-1 "$T/bo4")" 200
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"current_password":"x","password":"my-new-secret-2"}' "$URL/api/v1/me/password")
check "tokens have no password" "$code" 400
stop_hark
