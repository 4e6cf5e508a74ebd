# Routing (issue 7): a rule sends conversations to a team; least loaded within capacity; a
# queue when nobody can take one, assigned as capacity frees; every assignment says why.
# Store routing sends a conversation naming a store to that store's staff first.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
agent() {
    req POST /api/v1/agents "{\"email\":\"$1@example.com\",\"name\":\"$1\",\"password\":\"a long password 1\"}"
    check "add agent $1" "$STATUS" 201 >&2
    jqr .id
}
A1=$(agent ann); A2=$(agent bob); A3=$(agent cem)
req PATCH "/api/v1/agents/$A1/profile" '{"availability":"online","capacity":1,"languages":["en"]}'
check "profile" "$STATUS" 200
check "capacity saved" "$(jqr .capacity)" 1
req PATCH "/api/v1/agents/$A2/profile" '{"availability":"online","capacity":1}'
req PATCH "/api/v1/agents/$A3/profile" '{"availability":"online","capacity":5,"location":"Berlin"}'
req PATCH "/api/v1/agents/$A2/profile" '{"availability":"bogus"}'
check "bad availability" "$STATUS" 422
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$A1,$A2]}"
check "team" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/teams "{\"name\":\"Stores\",\"members\":[$A3]}"
STORES=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"berlin store\",\"position\":1,\"team_id\":$STORES,\"strategy\":\"least_loaded\",\"conditions\":{\"locations\":[\"Berlin\"]}}"
check "store rule" "$STATUS" 201
req POST /api/v1/routing/rules "{\"name\":\"all api\",\"position\":2,\"team_id\":$TEAM,\"strategy\":\"least_loaded\",\"conditions\":{\"channels\":[\"api\"]}}"
check "rule" "$STATUS" 201
RULE=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"x\",\"team_id\":$TEAM,\"strategy\":\"fastest\"}"
check "bad strategy" "$STATUS" 422
req GET /api/v1/routing/rules
check "two rules" "$(jqr '.items | length')" 2

hook "$CH_ID" "$CH_SECRET" '{"id":"r1","from":{"id":"u1","name":"Una"},"text":"Where is my parcel?"}'
C1=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C1"
check "first goes to the least loaded (lowest id)" "$(jqr .assignee_id)" "$A1"
req GET "/api/v1/conversations/$C1/sla"
check "routed by the rule" "$(jqr .routing.rule_id)" "$RULE"
check "strategy recorded" "$(jqr .routing.strategy)" least_loaded
echo "$BODY" | jq -r .routing.reason | grep -q "rule 'all api' -> team 'Care'" || fail "reason: $BODY"

hook "$CH_ID" "$CH_SECRET" '{"id":"r2","from":{"id":"u2","name":"Vic"},"text":"Refund please"}'
C2=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C2"
check "second to the other member (first is full)" "$(jqr .assignee_id)" "$A2"

hook "$CH_ID" "$CH_SECRET" '{"id":"r3","from":{"id":"u3","name":"Wes"},"text":"Hello?"}'
C3=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C3"
check "third waits unassigned" "$(jqr .assignee_id)" null
req GET "/api/v1/conversations/$C3/sla"
check "queued" "$(jqr .routing.queued)" true
echo "$BODY" | jq -r .routing.reason | grep -q "queued" || fail "queue reason: $BODY"

# Capacity frees: the queued conversation is assigned.
req POST "/api/v1/conversations/$C1/status" '{"status":"resolved","reason":"duplicate"}'
check "resolve with reason" "$STATUS" 200
assigned() { req GET "/api/v1/conversations/$C3"; [ "$(jqr .assignee_id)" = "$A1" ]; }
wait_for "queued conversation assigned" 15 assigned
req GET "/api/v1/conversations/$C3/sla"
check "no longer queued" "$(jqr .routing.queued)" false

# Store routing: a store named in the text goes to that store's staff first.
req PATCH "/api/v1/agents/$A1/profile" '{"capacity":50}'
req PATCH "/api/v1/agents/$A2/profile" '{"capacity":50,"location":"Hamburg"}'
hook "$CH_ID" "$CH_SECRET" '{"id":"r4","from":{"id":"u4","name":"Xia"},"text":"I was at your hamburg shop today"}'
C4=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C4"
check "store staff" "$(jqr .assignee_id)" "$A2"
req GET "/api/v1/conversations/$C4/sla"
echo "$BODY" | jq -r .routing.reason | grep -q "store staff of 'Hamburg'" || fail "store reason: $BODY"
# A contact located at a store matches the store rule (and its team) first.
hook "$CH_ID" "$CH_SECRET" '{"id":"r6","from":{"id":"u6","name":"Zed"},"text":"hi"}'
C6=$(jqr .conversation_id)
dbq "UPDATE contact SET location='Berlin' WHERE id=(SELECT contact_id FROM conversation WHERE id=$C6)"
req POST "/api/v1/conversations/$C6/status" '{"status":"resolved"}'
check "resolving an unanswered conversation needs a reason" "$STATUS" 422
req POST "/api/v1/conversations/$C6/status" '{"status":"resolved","reason":"thanks_only"}'
check "resolved with a reason" "$STATUS" 200
hook "$CH_ID" "$CH_SECRET" '{"id":"r7","from":{"id":"u6","name":"Zed"},"text":"again"}'
req GET "/api/v1/conversations/$C6"
check "reopened conversation of a Berlin contact goes to the store team" "$(jqr .assignee_id)" "$A3"
req GET "/api/v1/conversations/$C6/sla"
echo "$BODY" | jq -r .routing.reason | grep -q "berlin store" || fail "store reason: $BODY"
stop_hark
