# Root causes as a client uses them: the taxonomy (admins edit it, everyone reads it; a name
# once; keywords lower-cased; a used cause is archived, not deleted), the policy's required /
# optional switch, resolving a complaint without a cause refused (422 naming root_cause_id)
# while other conversations and the "why no reply" reason work as before, the suggestion from
# the customer's words with its explanation, the report per cause with channel / team / agent
# filters and its CSV, and the audit log.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --role agent --password-stdin >/dev/null || fail "agent add bo"
echo "super-password-1" | "$HARK" agent add --db "$DB" --email sue@example.com --name "Sue Sup" \
    --role supervisor --password-stdin >/dev/null || fail "agent add sue"
BO=$(dbq "SELECT id FROM agent WHERE email='bo@example.com'")
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

# The taxonomy.
req POST /api/v1/root-causes '{"name":"Damaged in transit","keywords":["Broken","arrived damaged","smashed","crushed box"]}'
check "create cause" "$STATUS" 201
DMG=$(jqr .id)
check "keywords lower-cased" "$(jqr '.keywords | join(",")')" "broken,arrived damaged,smashed,crushed box"
req POST /api/v1/root-causes '{"name":"Late delivery","keywords":["late","still waiting","not arrived","where is my parcel"]}'
check "second cause" "$STATUS" 201
LATE=$(jqr .id)
req POST /api/v1/root-causes '{"name":"Billing error","keywords":["charged twice","double charge","invoice"]}'
BILL=$(jqr .id)
req POST /api/v1/root-causes '{"name":"damaged IN transit"}'
check "a name once (any case)" "$STATUS/$(jqr .error.field)" "422/name"
req POST /api/v1/root-causes '{"name":""}'
check "empty name" "$STATUS/$(jqr .error.field)" "422/name"
req POST /api/v1/root-causes '{"name":"X","keywords":"late"}'
check "keywords not a list" "$STATUS/$(jqr .error.field)" "422/keywords"
req POST /api/v1/root-causes "{\"name\":\"X\",\"keywords\":[\"$(printf 'k%.0s' $(seq 1 61))\"]}"
check "keyword too long" "$STATUS/$(jqr .error.field)" "422/keywords"
as bo POST /api/v1/root-causes '{"name":"Mine"}'
check "agents do not edit the taxonomy" "$STATUS" 403
as bo GET /api/v1/root-causes
check "agents read it" "$STATUS/$(jqr '.items | length')" "200/3"

req GET /api/v1/care-policy
check "required by default" "$(jqr .root_cause)" required
check "currency" "$(jqr .currency)" EUR
req PUT /api/v1/care-policy '{"root_cause":"sometimes"}'
check "required or optional" "$STATUS/$(jqr .error.field)" "422/root_cause"

# Two conversations on one channel, one on another.
new_channel "Web"; W=$CH_ID; WS=$CH_SECRET
new_channel "Shop"; S=$CH_ID; SS=$CH_SECRET
msg() { # msg CH SECRET EXTERNAL_ID FROM TEXT -> sets CONV and MSG
    hook "$1" "$2" "{\"id\":\"$3\",\"from\":{\"id\":\"$4\",\"name\":\"$4\"},\"text\":\"$5\"}"
    [ "$STATUS" = 200 ] || fail "hook $3: $STATUS $BODY"
    CONV=$(jqr .conversation_id); MSG=$(jqr .message_id)
}
complaint() { req POST "/api/v1/messages/$MSG/triage" '{"intent":"complaint"}'; check "mark complaint" "$STATUS" 200; }
msg "$W" "$WS" m1 ann "The vase ARRIVED DAMAGED, the crushed box was wet. Broken!"
C1=$CONV; complaint
msg "$W" "$WS" m2 ben "Still waiting for my order, it is two weeks late."
C2=$CONV; complaint
msg "$S" "$SS" m3 cat "Do you have this in blue?"
C3=$CONV
req GET "/api/v1/conversations/$C1"; check "conversation is a complaint" "$(jqr .intent)" complaint

# The suggestion names the cause and why.
as bo GET "/api/v1/conversations/$C1/root-cause"
check "suggestion read" "$STATUS" 200
check "required for a complaint" "$(jqr .required)" true
check "no cause yet" "$(jqr .root_cause)" null
check "suggested cause" "$(jqr .suggestion.root_cause_id)" "$DMG"
check "matched keywords" "$(jqr '.suggestion.matched | sort | join(",")')" "arrived damaged,broken,crushed box"
echo "$(jqr .suggestion.explanation)" | grep -q '"arrived damaged"' || fail "explanation: $(jqr .suggestion.explanation)"
as bo GET "/api/v1/conversations/$C2/root-cause"
check "late suggested" "$(jqr .suggestion.root_cause_id)" "$LATE"
as bo GET "/api/v1/conversations/$C3/root-cause"
check "not a complaint: not required" "$(jqr .required)/$(jqr .suggestion)" "false/null"

# Resolving a complaint needs the cause; the reply first (so the unanswered rule stays quiet).
as bo POST "/api/v1/conversations/$C1/messages" '{"text":"Ann, so sorry: a new vase is on its way."}'
check "reply" "$STATUS" 201
as bo POST "/api/v1/conversations/$C1/status" '{"status":"resolved"}'
check "complaint without cause refused" "$STATUS/$(jqr .error.code)/$(jqr .error.field)" "422/root_cause_required/root_cause_id"
check "still open" "$(dbq "SELECT status FROM conversation WHERE id=$C1")" open
as bo POST "/api/v1/conversations/$C1/status" '{"status":"resolved","root_cause_id":99999}'
check "unknown cause" "$STATUS/$(jqr .error.field)" "422/root_cause_id"
as bo POST "/api/v1/conversations/$C1/status" '{"status":"resolved","root_cause_id":"late"}'
check "cause id not a number" "$STATUS/$(jqr .error.field)" "422/root_cause_id"
as bo POST "/api/v1/conversations/$C1/status" "{\"status\":\"pending\",\"root_cause_id\":$DMG}"
check "cause only when resolving" "$STATUS" 422
as bo POST "/api/v1/conversations/$C1/status" "{\"status\":\"resolved\",\"root_cause_id\":$DMG}"
check "resolved with the suggested cause" "$STATUS/$(jqr .status)" "200/resolved"
as bo GET "/api/v1/conversations/$C1/root-cause"
check "stored" "$(jqr .root_cause.root_cause_id)/$(jqr .root_cause.suggested)/$(jqr .root_cause.agent_id)" "$DMG/true/$BO"

# The unanswered guarantee is untouched: no reply, a cause given, still asks why.
as bo POST "/api/v1/conversations/$C2/status" "{\"status\":\"resolved\",\"root_cause_id\":$LATE}"
check "unanswered still needs its reason" "$STATUS/$(jqr .error.code)" "422/reason_required"
as bo POST "/api/v1/conversations/$C2/status" "{\"status\":\"resolved\",\"root_cause_id\":$LATE,\"reason\":\"answered_elsewhere\"}"
check "both given" "$STATUS/$(jqr .resolution_reason)" "200/answered_elsewhere"
# Set apart from resolving (an agent not taking the suggestion): PUT.
as bo PUT "/api/v1/conversations/$C2/root-cause" "{\"root_cause_id\":$BILL}"
check "changed" "$STATUS/$(jqr .root_cause.root_cause_id)/$(jqr .root_cause.suggested)" "200/$BILL/false"
as bo PUT "/api/v1/conversations/$C2/root-cause" '{}'
check "put needs the cause" "$STATUS/$(jqr .error.field)" "422/root_cause_id"
# A non-complaint resolves without one; optional lets complaints do the same.
as bo POST "/api/v1/conversations/$C3/status" '{"status":"resolved","reason":"no_reply_needed"}'
check "question resolves without cause" "$STATUS" 200
msg "$S" "$SS" m4 dan "Your invoice is wrong and I was charged twice"
C4=$CONV; complaint
req PUT /api/v1/care-policy '{"root_cause":"optional"}'
check "optional" "$STATUS/$(jqr .root_cause)" "200/optional"
as bo POST "/api/v1/conversations/$C4/status" '{"status":"resolved","reason":"answered_elsewhere"}'
check "optional: complaint resolves without cause" "$STATUS" 200
req PUT /api/v1/care-policy '{"root_cause":"required"}'
as sue PUT "/api/v1/conversations/$C4/root-cause" "{\"root_cause_id\":$BILL}"
check "supervisor sets it afterwards" "$STATUS/$(jqr .root_cause.suggested)" "200/true"

# The report: counts per cause, filters, CSV; supervisors and admins only.
req GET /api/v1/reports/root-causes
check "report" "$STATUS/$(jqr .total)" "200/3"
check "per cause" "$(jqr '[.items[] | "\(.root_cause)=\(.conversations)"] | join(",")')" "Billing error=2,Damaged in transit=1"
req GET "/api/v1/reports/root-causes?channel_id=$S"
check "by channel" "$(jqr '[.items[] | "\(.root_cause)=\(.conversations)"] | join(",")')" "Billing error=1"
req GET "/api/v1/reports/root-causes?agent_id=$BO"
check "by agent (who set it)" "$(jqr '[.items[] | "\(.root_cause)=\(.conversations)"] | join(",")')" "Billing error=1,Damaged in transit=1"
req POST /api/v1/teams '{"name":"Returns","members":[]}'
TEAM=$(jqr .id)
req GET "/api/v1/reports/root-causes?team_id=$TEAM"
check "by team (none routed there)" "$STATUS/$(jqr .total)" "200/0"
dbq "INSERT INTO conv_sla(conversation_id, team_id) VALUES ($C1, $TEAM)" 2>/dev/null ||
    dbq "UPDATE conv_sla SET team_id=$TEAM WHERE conversation_id=$C1"
req GET "/api/v1/reports/root-causes?team_id=$TEAM"
check "by team" "$(jqr '[.items[] | "\(.root_cause)=\(.conversations)"] | join(",")')" "Damaged in transit=1"
req GET "/api/v1/reports/root-causes?from=2001-01-01T00:00:00Z&to=2001-02-01T00:00:00Z"
check "another period" "$STATUS/$(jqr .total)" "200/0"
req GET "/api/v1/reports/root-causes?from=yesterday"
check "bad time" "$STATUS" 400
req GET "/api/v1/reports/root-causes?format=xml"
check "bad format" "$STATUS" 400
CSV=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/reports/root-causes?format=csv")
check "csv header" "$(echo "$CSV" | head -1 | tr -d '\r')" "root_cause_id,root_cause,conversations,from,to"
echo "$CSV" | grep -q "^$BILL,\"Billing error\",2," || fail "csv row: $CSV"
as bo GET /api/v1/reports/root-causes
check "agents do not read reports" "$STATUS" 403
as sue GET /api/v1/reports/root-causes
check "supervisors do" "$STATUS" 200

# A used cause is archived, not deleted; an unused one goes.
req DELETE "/api/v1/root-causes/$BILL"
check "used cause kept" "$STATUS/$(jqr .error.code)" "409/in_use"
req PUT "/api/v1/root-causes/$BILL" '{"archived":true}'
check "archived" "$STATUS/$(jqr .archived)" "200/true"
req GET /api/v1/root-causes
check "archived hidden" "$(jqr '[.items[].name] | join(",")')" "Damaged in transit,Late delivery"
req GET "/api/v1/root-causes?archived=1"
check "archived listed on ask" "$(jqr '.items | length')" 3
as bo PUT "/api/v1/conversations/$C4/root-cause" "{\"root_cause_id\":$BILL}"
check "archived not offered" "$STATUS" 422
req GET /api/v1/reports/root-causes
check "archived still reported" "$(jqr '.items[0].root_cause')" "Billing error"
req POST /api/v1/root-causes '{"name":"Rude staff","keywords":["rude"]}'
RUDE=$(jqr .id)
req DELETE "/api/v1/root-causes/$RUDE"
check "unused deleted" "$STATUS" 204

# With every cause archived the taxonomy offers none: resolving is never blocked.
req PUT "/api/v1/root-causes/$DMG" '{"archived":true}'
req PUT "/api/v1/root-causes/$LATE" '{"archived":true}'
msg "$W" "$WS" m5 eve "Broken again"
C5=$CONV; complaint
as bo GET "/api/v1/conversations/$C5/root-cause"
check "no cause offered: not required" "$(jqr .required)" false
as bo POST "/api/v1/conversations/$C5/status" '{"status":"resolved","reason":"answered_elsewhere"}'
check "resolves without one" "$STATUS" 200

# Audit: the taxonomy and the policy as settings, a conversation's cause as a record.
req GET '/api/v1/audit?limit=100'
for act in root_cause.create root_cause.update root_cause.delete care_policy.update conversation.root_cause; do
    jqr '.items[].action' | grep -qx "$act" || fail "audit misses $act: $(jqr '[.items[].action] | unique | join(",")')"
done
echo "ok: audited"
