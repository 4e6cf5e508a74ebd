# Routing decisions end to end (issue 7): one rule, each strategy in turn (round robin, least
# loaded, best match, heroes for public threads), the reason visible at GET …/sla; a queue when
# nobody has capacity, assigned when capacity frees (an agent's capacity raised, an agent going
# online). The guarantee: resolving an unanswered conversation needs a reason.
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
for a in $A1 $A2 $A3; do
    req PATCH "/api/v1/agents/$a/profile" '{"availability":"online","capacity":10}'
    check "agent $a online" "$STATUS" 200
done
req PATCH "/api/v1/agents/$A3/profile" '{"skills":["billing"]}'
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$A1,$A2,$A3]}"
check "team" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"turns\",\"team_id\":$TEAM,\"strategy\":\"round_robin\"}"
check "rule" "$STATUS" 201
RULE=$(jqr .id)
n=0
send() { # send [public]: a new conversation; sets C
    n=$((n + 1))
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"m$n\",${1:+\"public\":true,}\"from\":{\"id\":\"u$n\",\"name\":\"U$n\"},\"text\":\"Hello number $n\"}"
    check "webhook $n" "$STATUS" 200
    C=$(jqr .conversation_id)
}
assignee() { req GET "/api/v1/conversations/$1"; jqr .assignee_id; }
reason() { req GET "/api/v1/conversations/$1/sla"; jqr .routing.reason; }

# Round robin: each member in turn, then the first again.
for want in $A1 $A2 $A3 $A1; do
    send
    check "round robin -> $want" "$(assignee "$C")" "$want"
done
req GET "/api/v1/conversations/$C/sla"
check "rule recorded" "$(jqr .routing.rule_id)" "$RULE"
check "strategy recorded" "$(jqr .routing.strategy)" round_robin
check "reason" "$(jqr .routing.reason)" "rule 'turns' -> team 'Care' (round_robin): next in turn"

# Least loaded: loads are now 2, 1, 1 -> the lowest id among the least loaded.
req PUT "/api/v1/routing/rules/$RULE" "{\"name\":\"load\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule replaced" "$STATUS" 200
send
check "least loaded" "$(assignee "$C")" "$A2"
check "least loaded reason" "$(reason "$C")" "rule 'load' -> team 'Care' (least_loaded): least loaded (1 of 10 open)"

# Best match: the only member with the wanted skill, although the most loaded after A1.
req PUT "/api/v1/routing/rules/$RULE" "{\"name\":\"skills\",\"team_id\":$TEAM,\"strategy\":\"best_match\",\"skills\":[\"billing\"]}"
send
check "best match" "$(assignee "$C")" "$A3"
reason "$C" | grep -q "(best_match): best skills and language match (score 2)" || fail "best match reason: $(reason "$C")"

# Heroes: a public conversation goes to the best measured record (A2 answered fast).
dbq "UPDATE agent_profile SET frt_sum_ms=5000, frt_count=1 WHERE agent_id=$A2"
send public
check "public conversation to the hero" "$(assignee "$C")" "$A2"
req GET "/api/v1/conversations/$C/sla"
check "heroes strategy" "$(jqr .routing.strategy)" "best_match+heroes"
jqr .routing.reason | grep -q "public conversation: best measured record" || fail "heroes reason: $BODY"

# Queue: nobody has capacity -> waits; a raised capacity assigns it.
req PUT "/api/v1/routing/rules/$RULE" "{\"name\":\"turns\",\"team_id\":$TEAM,\"strategy\":\"round_robin\"}"
for a in $A1 $A2 $A3; do req PATCH "/api/v1/agents/$a/profile" '{"capacity":0}'; done
send
Q1=$C
check "queued: nobody assigned" "$(assignee "$Q1")" null
req GET "/api/v1/conversations/$Q1/sla"
check "queued flag" "$(jqr .routing.queued)" true
[ "$(jqr .routing.queued_at)" != null ] || fail "no queued_at: $BODY"
jqr .routing.reason | grep -q "nobody available with free capacity, queued" || fail "queue reason: $BODY"
send
Q2=$C
req PATCH "/api/v1/agents/$A2/profile" '{"capacity":20}'
check "capacity raised" "$STATUS" 200
is() { [ "$(assignee "$1")" = "$2" ]; }
wait_for "queued conversation assigned when capacity frees" 20 is "$Q1" "$A2"
wait_for "second queued conversation assigned too" 20 is "$Q2" "$A2"
req GET "/api/v1/conversations/$Q1/sla"
check "no longer queued" "$(jqr .routing.queued)" false
# An agent going online frees capacity too.
req PATCH "/api/v1/agents/$A2/profile" '{"availability":"offline"}'
send
Q3=$C
check "queued while everyone is offline or full" "$(assignee "$Q3")" null
req PATCH "/api/v1/agents/$A2/profile" '{"availability":"online"}'
wait_for "assigned when an agent comes online" 20 is "$Q3" "$A2"

# The guarantee: an unanswered conversation cannot be resolved silently.
req POST "/api/v1/conversations/$Q3/status" '{"status":"resolved"}'
check "no reason -> 422" "$STATUS" 422
check "error code" "$(jqr .error.code)" reason_required
req POST "/api/v1/conversations/$Q3/status" '{"status":"resolved","reason":""}'
check "empty reason -> 422" "$STATUS" 422
req POST "/api/v1/conversations/$Q3/status" '{"status":"resolved","reason":"no_reply_needed"}'
check "no reply needed -> ok" "$STATUS" 200
check "resolved" "$(jqr .status)" resolved
req GET "/api/v1/conversations/$Q3/sla"
check "reason kept" "$(jqr .no_reply_reason)" no_reply_needed
req POST "/api/v1/conversations/$Q2/status" '{"status":"resolved","reason":"customer phoned the shop"}'
check "free-text reason -> ok" "$STATUS" 200
req POST "/api/v1/conversations/$Q1/messages" '{"text":"Hello, sorted now."}'
check "reply" "$STATUS" 201
req POST "/api/v1/conversations/$Q1/status" '{"status":"resolved"}'
check "answered conversation resolves without a reason" "$STATUS" 200
stop_hark
