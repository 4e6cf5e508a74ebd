# API tokens as the settings screen uses them: a refused field is a 422 naming the field (the
# form shows the message beside it), the secret is in the creation answer only, and a revoked
# token stops working at once and stays listed as revoked.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup

req POST /api/v1/tokens '{"name":"","role":"agent"}'
check "empty name" "$STATUS" 422
check "names the name field" "$(jqr .error.field)" name
req POST /api/v1/tokens '{"name":"x","role":"root"}'
check "bad role" "$STATUS" 422
check "names the role field" "$(jqr .error.field)" role
req POST /api/v1/tokens '{"name":"x","expires_days":0}'
check "bad expiry" "$STATUS" 422
check "names the expiry field" "$(jqr .error.field)" expires_days

req POST /api/v1/tokens '{"name":"zapier","role":"agent","expires_days":30}'
check "create" "$STATUS" 201
SECRET=$(jqr .token)
ID=$(jqr .id)
case "$SECRET" in hark_*) ;; *) fail "secret: $SECRET" ;; esac
req GET /api/v1/tokens
echo "$BODY" | grep -q "$SECRET" && fail "the list shows the secret"
check "listed active" "$(echo "$BODY" | jq -r ".items[] | select(.id == $ID) | .status")" active
check "never used" "$(echo "$BODY" | jq -r ".items[] | select(.id == $ID) | .last_used_at")" null
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SECRET" "$URL/api/v1/me")
check "the token works" "$code" 200
req GET /api/v1/tokens
[ "$(echo "$BODY" | jq -r ".items[] | select(.id == $ID) | .last_used_at")" != null ] || fail "last use not recorded: $BODY"
req DELETE "/api/v1/tokens/$ID"
check "revoke" "$STATUS" 200
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SECRET" "$URL/api/v1/me")
check "revoked at once" "$code" 401
req GET /api/v1/tokens
check "listed as revoked" "$(echo "$BODY" | jq -r ".items[] | select(.id == $ID) | .status")" revoked
stop_hark
echo "PASS"
