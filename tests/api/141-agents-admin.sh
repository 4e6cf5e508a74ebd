# Agents admin: PATCH /api/v1/agents/{id} (validation, role change takes effect at once), invite
# links (created with the agent or fresh; one-time; older links die; only a hash stored; the
# public read and accept; the password rules; sessions end), and the invite rate limit.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup

# An agent without a password is invited: the answer carries the link once.
req POST /api/v1/agents '{"email":"ivy@example.com","name":"Ivy Invite","role":"store_staff"}'
check "invite create" "$STATUS" 201
IVY=$(jqr .id)
check "role" "$(jqr .role)" store_staff
check "no password yet" "$(jqr .password_set)" false
LINK=$(jqr .invite_url)
TOK=${LINK##*/#/invite/}
check "link shape" "$(echo "$LINK" | grep -c "/#/invite/")" 1
check "token length" "${#TOK}" 43
[ "$(jqr .invite_expires_at)" != null ] || fail "no expiry"
# Only the hash is stored.
check "token not stored" "$(dbq "SELECT count(*) FROM agent_invite WHERE token_hash='$TOK'")" 0
check "one link row" "$(dbq "SELECT count(*) FROM agent_invite WHERE agent_id=$IVY")" 1
# No password works before the link is used.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"email":"ivy@example.com","password":"!"}' "$URL/api/v1/login"); check "no login before accept" "$code" 401

pub() { # pub METHOD TOKEN [BODY]
    BODY=$(curl -s -w '\n%{http_code}' -X "$1" ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
        "$URL/api/v1/invites/$2")
    STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
}
pub GET "$TOK"; check "read link" "$STATUS" 200
check "link email" "$(jqr .email)" ivy@example.com
check "link name" "$(jqr .name)" "Ivy Invite"
pub GET "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; check "unknown link" "$STATUS" 404
UNKNOWN=$BODY
pub GET "short"; check "malformed link" "$STATUS" 404
check "same answer" "$BODY" "$UNKNOWN"

# A fresh link kills the older one.
req POST "/api/v1/agents/$IVY/invite"; check "fresh link" "$STATUS" 200
TOK2=$(jqr .invite_url); TOK2=${TOK2##*/#/invite/}
[ "$TOK2" != "$TOK" ] || fail "same token twice"
pub GET "$TOK"; check "older link dead" "$STATUS" 404
check "older link same answer" "$BODY" "$UNKNOWN"
req POST "/api/v1/agents/999/invite"; check "invite unknown agent" "$STATUS" 404

# Accept: the password rules apply, the link burns.
pub POST "$TOK2" '{"password":"short"}'; check "short password" "$STATUS" 422
check "rule code" "$(jqr .error.code)" password_too_short
pub POST "$TOK2" '{"password":"password123456"}'; check "breached password" "$STATUS" 422
pub POST "$TOK2" '{"password":"ivy-chooses-a-long-one"}'; check "accept" "$STATUS" 200
check "accept email" "$(jqr .email)" ivy@example.com
pub POST "$TOK2" '{"password":"ivy-chooses-another-one"}'; check "link used once" "$STATUS" 404
pub GET "$TOK2"; check "used link reads 404" "$STATUS" 404
check "used link same answer" "$BODY" "$UNKNOWN"
out=$(curl -s -c "$T/ivy" -w '\n%{http_code}' -H 'Content-Type: application/json' \
    -d '{"email":"ivy@example.com","password":"ivy-chooses-a-long-one"}' "$URL/api/v1/login")
check "login with chosen password" "$(echo "$out" | tail -1)" 200
req GET /api/v1/agents; check "password set" "$(jqr ".items[] | select(.id==$IVY) | .password_set")" true

# Reset by link: the old password keeps working until the link is used, which ends sessions.
req POST "/api/v1/agents/$IVY/invite"; TOK3=$(jqr .invite_url); TOK3=${TOK3##*/#/invite/}
check "me before reset" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/ivy" "$URL/api/v1/me")" 200
pub POST "$TOK3" '{"password":"ivy-resets-her-password"}'; check "reset by link" "$STATUS" 200
check "session ended by reset" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/ivy" "$URL/api/v1/me")" 401
# An admin-set password also ends a pending link.
req POST "/api/v1/agents/$IVY/invite"; TOK4=$(jqr .invite_url); TOK4=${TOK4##*/#/invite/}
req POST "/api/v1/agents/$IVY/password" '{"password":"admin-sets-this-one"}'; check "admin reset" "$STATUS" 200
pub GET "$TOK4"; check "link dies with admin reset" "$STATUS" 404
# An expired link reads like an unknown one and cannot be used.
req POST "/api/v1/agents/$IVY/invite"; TOKX=$(jqr .invite_url); TOKX=${TOKX##*/#/invite/}
dbq "UPDATE agent_invite SET expires_at = 1 WHERE agent_id = $IVY"
pub GET "$TOKX"; check "expired link" "$STATUS" 404
check "expired link same answer" "$BODY" "$UNKNOWN"
pub POST "$TOKX" '{"password":"too-late-for-this-one"}'; check "expired link unusable" "$STATUS" 404
# A disabled agent's link does not work.
req POST "/api/v1/agents/$IVY/invite"; TOK5=$(jqr .invite_url); TOK5=${TOK5##*/#/invite/}
req POST "/api/v1/agents/$IVY/disable"; check "disable" "$STATUS" 200
pub GET "$TOK5"; check "disabled agent's link" "$STATUS" 404
req POST "/api/v1/agents/$IVY/enable"

# PATCH: validation with the field named, and the role takes effect at once.
req PATCH "/api/v1/agents/$IVY" '{"avatar_url":"http://example.com/a.png"}'
check "http avatar" "$STATUS" 422
check "field named" "$(jqr .error.field)" avatar_url
req PATCH "/api/v1/agents/$IVY" '{"role":"owner"}'; check "bad role" "$STATUS" 422
check "role field" "$(jqr .error.field)" role
req PATCH "/api/v1/agents/$IVY" '{"display_name":""}'; check "empty display name" "$STATUS" 422
req PATCH "/api/v1/agents/$IVY" "{\"bio\":\"$(head -c 1001 /dev/zero | tr '\0' a)\"}"; check "long bio" "$STATUS" 422
req PATCH "/api/v1/agents/$IVY" '{"colour":"red"}'; check "unknown field" "$STATUS" 422
req PATCH /api/v1/agents/999 '{"bio":"x"}'; check "unknown agent" "$STATUS" 404
check "nothing changed" "$(dbq "SELECT avatar_url || '|' || bio || '|' || role FROM agent WHERE id=$IVY")" "||store_staff"
req PATCH "/api/v1/agents/$IVY" '{"name":"Ivy Ingram","display_name":"Ivy","bio":"Berlin Mitte","avatar_url":"https://example.com/ivy.png","role":"supervisor"}'
check "patch" "$STATUS" 200
check "patched" "$(jqr '[.name,.display_name,.bio,.avatar_url,.role] | join("|")')" \
    "Ivy Ingram|Ivy|Berlin Mitte|https://example.com/ivy.png|supervisor"
req PATCH "/api/v1/agents/$IVY" '{"avatar_url":""}'; check "avatar cleared" "$(jqr .avatar_url)" ""
out=$(curl -s -c "$T/ivy" -H 'Content-Type: application/json' \
    -d '{"email":"ivy@example.com","password":"admin-sets-this-one"}' "$URL/api/v1/login")
check "me role now" "$(curl -s -b "$T/ivy" "$URL/api/v1/me" | jq -r .agent.role)" supervisor
ADMIN=$(dbq "SELECT id FROM agent WHERE email='admin@example.com'")
out=$(curl -s -c "$T/adm" -H 'Content-Type: application/json' \
    -d '{"email":"admin@example.com","password":"admin-password-1"}' "$URL/api/v1/login")
CSRF=$(echo "$out" | jq -r .csrf)
code=$(curl -s -o "$T/o" -w '%{http_code}' -b "$T/adm" -X PATCH -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' -d '{"role":"agent"}' "$URL/api/v1/agents/$ADMIN")
check "admin cannot demote self" "$code" 422
# Non-admins cannot edit agents or issue links.
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/ivy" -X PATCH -H "X-CSRF-Token: x" \
    -H 'Content-Type: application/json' -d '{"role":"admin"}' "$URL/api/v1/agents/$IVY")
check "supervisor cannot patch agents" "$code" 403
check "role unchanged" "$(dbq "SELECT role FROM agent WHERE id=$IVY")" supervisor
# The duplicate email names the field.
req POST /api/v1/agents '{"email":"IVY@example.com","name":"Other"}'; check "duplicate" "$STATUS" 409
check "duplicate field" "$(jqr .error.field)" email

# The public endpoints are rate-limited per client, like a login.
limited=0
for i in $(seq 1 30); do
    pub GET "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
    [ "$STATUS" = 429 ] && limited=1 && break
done
check "invite reads limited" "$limited" 1
echo "PASS"
