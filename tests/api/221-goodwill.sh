# Goodwill as a client uses it: grants on a conversation with kind, amount in minor units,
# ISO 4217 currency and root cause (each validated, 422 beside the field); per-role limits in
# the policy (within the limit approved at once by its requester, over it "pending" until a
# supervisor or admin approves or declines it from the queue, never an agent, never the
# requester); the repeat flag before the grant (409 until the agent confirms); the report of
# approved totals per cause and currency (JSON and CSV); the audit log.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --role agent --password-stdin >/dev/null || fail "agent add bo"
echo "super-password-1" | "$HARK" agent add --db "$DB" --email sue@example.com --name "Sue Sup" \
    --role supervisor --password-stdin >/dev/null || fail "agent add sue"
echo "super-password-2" | "$HARK" agent add --db "$DB" --email sam@example.com --name "Sam Sup" \
    --role supervisor --password-stdin >/dev/null || fail "agent add sam"
BO=$(dbq "SELECT id FROM agent WHERE email='bo@example.com'")
SUE=$(dbq "SELECT id FROM agent WHERE email='sue@example.com'")
login() {
    out=$(curl -s -c "$T/$3.jar" -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login")
    [ "$(echo "$out" | tail -1)" = 200 ] || fail "login $1"
    echo "$out" | sed '$d' | jq -r .csrf > "$T/$3.csrf"
}
as() {
    local who=$1 m=$2 p=$3 body=${4:-}
    set -- -X "$m" -b "$T/$who.jar" -H "X-CSRF-Token: $(cat "$T/$who.csrf")"
    if [ -n "$body" ]; then set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"; fi
    BODY=$(curl -s -w '\n%{http_code}' "$@" "$URL$p")
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}
login bo@example.com agent-password-1 bo
login sue@example.com super-password-1 sue
login sam@example.com super-password-2 sam

req POST /api/v1/root-causes '{"name":"Damaged in transit","keywords":["broken"]}'; DMG=$(jqr .id)
req POST /api/v1/root-causes '{"name":"Late delivery","keywords":["late"]}'; LATE=$(jqr .id)
new_channel "Web"
hook "$CH_ID" "$CH_SECRET" '{"id":"g1","from":{"id":"ann","name":"Ann"},"text":"My mug arrived broken"}'
C1=$(jqr .conversation_id)
hook "$CH_ID" "$CH_SECRET" '{"id":"g2","from":{"id":"ben","name":"Ben"},"text":"Two weeks late"}'
C2=$(jqr .conversation_id)

# The policy: limits per role in minor units of the brand currency, the repeat window.
req PUT /api/v1/care-policy '{"currency":"EUR","limits":{"agent":2000,"supervisor":10000,"admin":null,"store_staff":0},"repeat":{"count":2,"days":60}}'
check "policy saved" "$STATUS/$(jqr .limits.agent)/$(jqr .limits.admin)/$(jqr .repeat.days)" "200/2000/null/60"
req PUT /api/v1/care-policy '{"currency":"EURO"}'
check "currency not ISO 4217" "$STATUS/$(jqr .error.field)" "422/currency"
req PUT /api/v1/care-policy '{"limits":{"agent":12.5}}'
check "limit not whole minor units" "$STATUS/$(jqr .error.field)" "422/limits.agent"
req PUT /api/v1/care-policy '{"limits":{"agent":-1}}'
check "negative limit" "$STATUS/$(jqr .error.field)" "422/limits.agent"
req PUT /api/v1/care-policy '{"limits":{"intern":5}}'
check "unknown role" "$STATUS/$(jqr .error.field)" "422/limits"
req PUT /api/v1/care-policy '{"repeat":{"count":0}}'
check "repeat count" "$STATUS/$(jqr .error.field)" "422/count"
as bo PUT /api/v1/care-policy '{"currency":"USD"}'
check "agents do not set the policy" "$STATUS" 403

# Validation of a grant.
G="/api/v1/conversations/$C1/goodwill"
as bo POST "$G" "{\"kind\":\"cash\",\"amount_minor\":500,\"root_cause_id\":$DMG}"
check "kind" "$STATUS/$(jqr .error.field)" "422/kind"
as bo POST "$G" "{\"kind\":\"voucher\",\"amount_minor\":5.5,\"root_cause_id\":$DMG}"
check "no decimals" "$STATUS/$(jqr .error.field)" "422/amount_minor"
as bo POST "$G" "{\"kind\":\"voucher\",\"amount_minor\":0,\"root_cause_id\":$DMG}"
check "positive amount" "$STATUS/$(jqr .error.field)" "422/amount_minor"
as bo POST "$G" "{\"kind\":\"voucher\",\"amount_minor\":\"500\",\"root_cause_id\":$DMG}"
check "amount a number" "$STATUS/$(jqr .error.field)" "422/amount_minor"
as bo POST "$G" "{\"kind\":\"voucher\",\"amount_minor\":500,\"currency\":\"XYZ\",\"root_cause_id\":$DMG}"
check "currency ISO 4217" "$STATUS/$(jqr .error.field)" "422/currency"
as bo POST "$G" '{"kind":"voucher","amount_minor":500}'
check "cause needed" "$STATUS/$(jqr .error.field)" "422/root_cause_id"
as bo POST "$G" '{"kind":"voucher","amount_minor":500,"root_cause_id":424242}'
check "unknown cause" "$STATUS/$(jqr .error.field)" "422/root_cause_id"
as bo POST "$G" "{\"kind\":\"voucher\",\"amount_minor\":500,\"root_cause_id\":$DMG,\"note\":\"$(printf 'n%.0s' $(seq 1 501))\"}"
check "note size" "$STATUS/$(jqr .error.field)" "422/note"
as bo POST /api/v1/conversations/999999/goodwill "{\"kind\":\"voucher\",\"amount_minor\":500,\"root_cause_id\":$DMG}"
check "unknown conversation" "$STATUS" 404
check "nothing stored" "$(dbq "SELECT count(*) FROM goodwill")" 0

# Within the agent's limit: approved at once, the agent its approver.
as bo GET "$G"
check "the form's facts" "$(jqr .currency)/$(jqr .your_limit)/$(jqr .repeat.flagged)" "EUR/2000/false"
as bo POST "$G" "{\"kind\":\"voucher\",\"amount_minor\":1500,\"root_cause_id\":$DMG,\"note\":\"new mug voucher\"}"
check "under the limit" "$STATUS/$(jqr .status)/$(jqr .approver)/$(jqr .currency)" "201/approved/$BO/EUR"
# (A REAL would print 1500.0 on SQLite; amount_minor is bigint on PostgreSQL. typeof is SQLite's.)
check "integer minor units stored" "$(dbq "SELECT CASE WHEN amount_minor = CAST(amount_minor AS INTEGER) THEN 'integer' ELSE 'fraction' END || ':' || amount_minor FROM goodwill")" "integer:1500"
# Over it: pending until a supervisor decides.
as bo POST "$G" "{\"kind\":\"refund\",\"amount_minor\":4500,\"root_cause_id\":$DMG}"
check "over the limit" "$STATUS/$(jqr .status)/$(jqr .approver)" "201/pending/null"
PEND=$(jqr .id)
# Another currency than the limits' always asks (no conversion).
as sue POST "/api/v1/conversations/$C2/goodwill" "{\"kind\":\"refund\",\"amount_minor\":100,\"currency\":\"USD\",\"root_cause_id\":$LATE}"
check "other currency pending" "$STATUS/$(jqr .status)" "201/pending"
USD=$(jqr .id)

# The repeat flag: Ann has two grants in 60 days (approved or pending), the third asks first.
as bo GET "$G"
check "flag shown before granting" "$(jqr .repeat.flagged)/$(jqr .repeat.count)" "true/2"
jqr .repeat.message | grep -q "3rd goodwill for this customer in 60 days" || fail "message: $(jqr .repeat.message)"
as bo POST "$G" "{\"kind\":\"freebie\",\"amount_minor\":300,\"root_cause_id\":$DMG}"
check "third needs a confirmation" "$STATUS/$(jqr .error.code)/$(jqr .repeat.count)" "409/repeat_goodwill/2"
check "not stored" "$(dbq "SELECT count(*) FROM goodwill WHERE conversation_id=$C1")" 2
as bo POST "$G" "{\"kind\":\"freebie\",\"amount_minor\":300,\"root_cause_id\":$DMG,\"confirm_repeat\":true}"
check "confirmed" "$STATUS/$(jqr .status)" "201/approved"

# The queue: supervisors and admins only; oldest first.
as bo GET /api/v1/goodwill
check "agents have no queue" "$STATUS" 403
as sue GET /api/v1/goodwill
check "queue" "$STATUS/$(jqr '[.items[].id] | map(tostring) | join(",")')" "200/$PEND,$USD"
check "queue shows who asked" "$(jqr '.items[0].requested_by_name')/$(jqr '.items[0].contact_name')" "Bo/Ann"
as bo POST "/api/v1/goodwill/$PEND/approve" '{}'
check "an agent cannot approve" "$STATUS" 403
as sue POST "/api/v1/goodwill/$USD/approve" '{}'
check "not one's own request" "$STATUS" 403
as sue POST "/api/v1/goodwill/$PEND/approve" '{"note":"ok, broken twice"}'
check "approved" "$STATUS/$(jqr .status)/$(jqr .approver)/$(jqr .approver_name)" "200/approved/$SUE/Sue"
as sam POST "/api/v1/goodwill/$PEND/decline" '{}'
check "decided once" "$STATUS" 409
as sam POST "/api/v1/goodwill/$USD/decline" '{"note":"refund in EUR please"}'
check "declined" "$STATUS/$(jqr .status)/$(jqr .decision_note)" "200/declined/refund in EUR please"
as sam POST /api/v1/goodwill/999999/approve '{}'
check "unknown grant" "$STATUS" 404
as sue GET /api/v1/goodwill
check "queue empty" "$(jqr '.items | length')" 0
as sue GET '/api/v1/goodwill?status=all'
check "all" "$(jqr '.items | length')" 4
as sue GET '/api/v1/goodwill?status=maybe'
check "bad status" "$STATUS" 400
as bo GET "/api/v1/goodwill/$PEND"
check "the requester reads theirs" "$STATUS/$(jqr .status)" "200/approved"
as bo GET "/api/v1/goodwill/$USD"
check "not another's" "$STATUS" 404

# The report: approved totals per cause and currency.
req GET /api/v1/reports/goodwill
check "totals" "$(jqr '[.items[] | "\(.root_cause) \(.currency) \(.grants) \(.amount_minor)"] | join(",")')" "Damaged in transit EUR 3 6300"
req GET "/api/v1/reports/goodwill?agent_id=$SUE"
check "by agent" "$(jqr '.items | length')" 0
CSV=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/reports/goodwill?format=csv")
check "csv" "$(echo "$CSV" | sed -n 2p | cut -d, -f1-5)" "$DMG,\"Damaged in transit\",EUR,3,6300"
as bo GET /api/v1/reports/goodwill
check "report for supervisors" "$STATUS" 403

# Audit: each grant and decision recorded, with who.
req GET '/api/v1/audit?limit=100'
for act in goodwill.create goodwill.approve goodwill.decline care_policy.update; do
    jqr '.items[].action' | grep -qx "$act" || fail "audit misses $act: $(jqr '[.items[].action] | unique | join(",")')"
done
check "approver in the audit" "$(jqr '[.items[] | select(.action == "goodwill.approve") | .actor.name] | first')" "Sue Sup"
echo "ok: audited"
