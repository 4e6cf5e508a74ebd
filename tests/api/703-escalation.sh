# Escalation (issue 7): a conversation near its response limit goes to the team lead at the
# warning, then to any available agent at the breach; each step is recorded with strategy
# "escalation", its level and a reason, visible at GET /conversations/{id}/sla.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
agent() {
    req POST /api/v1/agents "{\"email\":\"$1@example.com\",\"name\":\"$1\",\"password\":\"a long password 1\"}"
    check "add agent $1" "$STATUS" 201 >&2
    jqr .id
}
A1=$(agent ann); LEAD=$(agent lea); A3=$(agent cem)
req PATCH "/api/v1/agents/$A1/profile" '{"availability":"online","capacity":5}'
check "member online" "$STATUS" 200
req PATCH "/api/v1/agents/$LEAD/profile" '{"availability":"away","capacity":5}'
check "lead away (not offline: still escalated to)" "$STATUS" 200
req PATCH "/api/v1/agents/$A3/profile" '{"availability":"online","capacity":5}'
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$A1],\"lead_agent_id\":$LEAD}"
check "team with a lead" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201
# Warning at 50% of 8 s, breach at 8 s: long enough to observe each step on a loaded machine.
req POST /api/v1/sla/policies '{"name":"fast","first_response_s":8,"warn_pct":50}'
check "policy" "$STATUS" 201

hook "$CH_ID" "$CH_SECRET" '{"id":"e1","from":{"id":"u1","name":"Una"},"text":"Anyone?"}'
check "webhook" "$STATUS" 200
C1=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C1"
check "routed to the member" "$(jqr .assignee_id)" "$A1"
# The member steps away; presence aside, the lead is next at the warning.
req PATCH "/api/v1/agents/$A1/profile" '{"availability":"away"}'

routed() { # routed LEVEL: the conversation.routed event of that escalation level, or nothing
    dbq "SELECT data FROM event WHERE type='conversation.routed' AND CAST(json_extract(data,'\$.conversation_id') AS INTEGER)=$C1 AND CAST(json_extract(data,'\$.escalation') AS INTEGER)=$1"
}
wait_for "escalation to the lead at the warning" 30 sh -c "[ -n \"\$('$DBQ' '$DB' \"SELECT 1 FROM event WHERE type='conversation.routed' AND CAST(json_extract(data,'\\\$.conversation_id') AS INTEGER)=$C1 AND CAST(json_extract(data,'\\\$.escalation') AS INTEGER)=1\")\" ]"
check "warning: to the lead" "$(routed 1 | jq -r .agent_id)" "$LEAD"
check "warning: strategy" "$(routed 1 | jq -r .strategy)" escalation
routed 1 | jq -r .reason | grep -q "lead of team 'Care'" || fail "lead reason: $(routed 1)"
wait_for "escalation to an available agent at the breach" 30 sh -c "[ -n \"\$('$DBQ' '$DB' \"SELECT 1 FROM event WHERE type='conversation.routed' AND CAST(json_extract(data,'\\\$.conversation_id') AS INTEGER)=$C1 AND CAST(json_extract(data,'\\\$.escalation') AS INTEGER)=2\")\" ]"
check "breach: to the available agent" "$(routed 2 | jq -r .agent_id)" "$A3"
req GET "/api/v1/conversations/$C1"
check "assignee after the breach" "$(jqr .assignee_id)" "$A3"
req GET "/api/v1/conversations/$C1/sla"
check "escalation level visible" "$(jqr .routing.escalation)" 2
check "strategy visible" "$(jqr .routing.strategy)" escalation
echo "$BODY" | jq -r .routing.reason | grep -q "escalated to an available agent" || fail "breach reason: $BODY"
check "one warning event" "$(dbq "SELECT count(*) FROM event WHERE type='sla.warning' AND CAST(json_extract(data,'\$.conversation_id') AS INTEGER)=$C1")" 1
check "one breach event" "$(dbq "SELECT count(*) FROM event WHERE type='sla.breached' AND CAST(json_extract(data,'\$.conversation_id') AS INTEGER)=$C1")" 1

# An answered conversation is never escalated.
hook "$CH_ID" "$CH_SECRET" '{"id":"e2","from":{"id":"u2","name":"Vic"},"text":"Hi"}'
C2=$(jqr .conversation_id)
req POST "/api/v1/conversations/$C2/messages" '{"text":"Hello Vic, how can I help?"}'
check "reply" "$STATUS" 201
sleep 10
check "no escalation after a reply" "$(dbq "SELECT count(*) FROM event WHERE type='conversation.routed' AND CAST(json_extract(data,'\$.conversation_id') AS INTEGER)=$C2 AND CAST(json_extract(data,'\$.escalation') AS INTEGER)>0")" 0
stop_hark
