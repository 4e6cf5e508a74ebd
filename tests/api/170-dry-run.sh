# The routing dry run (issue 13): for a pasted message it shows the triage, the rule that
# matches (or why none), the team, the agent (or queued and why), the SLA policy and the
# acknowledgement; it agrees with the real decision a webhook with the same message then gets,
# and writes nothing. Also: reordering rules (atomic, the whole set), the acknowledgement
# preview, and the 422s with their field.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$ROOT/build/models/intent.bin" ] || fail "no build/models/intent.bin: run make first"
start_hark --models "$ROOT/build/models"
admin_setup
new_channel "Web"
agent() {
    req POST /api/v1/agents "{\"email\":\"$1@example.com\",\"name\":\"$1\",\"password\":\"a long password 1\"}"
    check "add agent $1" "$STATUS" 201 >&2
    jqr .id
}
A1=$(agent ann); A2=$(agent bob); A3=$(agent cem)
req PATCH "/api/v1/agents/$A1/profile" '{"availability":"online","capacity":1}'
req PATCH "/api/v1/agents/$A2/profile" '{"availability":"online","capacity":1}'
req PATCH "/api/v1/agents/$A3/profile" '{"availability":"online","capacity":5,"location":"Berlin"}'
ALL='["00:00","24:00"]'
req POST /api/v1/calendars "{\"name\":\"always\",\"tz\":\"Europe/Berlin\",\"hours\":{\"mon\":[$ALL],\"tue\":[$ALL],\"wed\":[$ALL],\"thu\":[$ALL],\"fri\":[$ALL],\"sat\":[$ALL],\"sun\":[$ALL]}}"
check "calendar" "$STATUS" 201
CAL=$(jqr .id)
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$A1,$A2],\"calendar_id\":$CAL,\"autoack\":{\"enabled\":true,\"templates\":{\"en\":\"Thanks! {team} answers by {when}.\"}}}"
check "team" "$STATUS" 201
CARE=$(jqr .id)
req POST /api/v1/teams "{\"name\":\"Stores\",\"members\":[$A3]}"
STORES=$(jqr .id)
req POST /api/v1/sla/policies '{"name":"quick","first_response_s":60,"warn_pct":80}'
check "policy" "$STATUS" 201
POL=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"berlin\",\"position\":1,\"team_id\":$STORES,\"strategy\":\"least_loaded\",\"conditions\":{\"locations\":[\"Berlin\"]}}"
R1=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"private api\",\"position\":2,\"team_id\":$CARE,\"strategy\":\"least_loaded\",\"conditions\":{\"channels\":[\"api\"],\"public\":false}}"
check "rule" "$STATUS" 201
R2=$(jqr .id)

snapshot() {
    dbq "SELECT (SELECT count(*) FROM conversation), (SELECT count(*) FROM message),
        (SELECT count(*) FROM contact), (SELECT coalesce(max(id), 0) FROM event),
        (SELECT count(*) FROM conv_sla), (SELECT count(*) FROM outbox)"
    # (a row per team and rule: group_concat is SQLite's own)
    dbq "SELECT rr_last_agent FROM team ORDER BY id" | tr '\n' ,
    dbq "SELECT updated_at FROM routing_rule ORDER BY id" | tr '\n' ,
}
dry() { req POST /api/v1/routing/dry-run "{\"channel_id\":$CH_ID,\"text\":\"$1\"${2:-}}"; }

# A pasted message: triage, the rule, team, agent and why, the policy; nothing written.
BEFORE=$(snapshot)
dry "Where is my parcel? It was due on Monday."
check "dry run" "$STATUS" 200
check "triaged language" "$(jqr .triage.language)" en
[ "$(jqr .triage.intent)" != null ] || fail "no intent: $BODY"
check "the first rule does not match" "$(jqr '.rules_tried[0].matched')" false
jqr '.rules_tried[0].why' | grep -q "location" || fail "why not the first rule: $BODY"
check "rule" "$(jqr .rule.id)" "$R2"
check "team" "$(jqr .team.name)" Care
check "agent: least loaded, lowest id" "$(jqr .agent.id)" "$A1"
check "agent name" "$(jqr .agent.name)" ann
check "not queued" "$(jqr .queued)" false
check "policy" "$(jqr .sla_policy.id)" "$POL"
check "its target" "$(jqr .sla_policy.first_response_s)" 60
check "no acknowledgement when someone can answer" "$(jqr .autoack.sent)" false
DRY_REASON=$(jqr .reason); DRY_STRATEGY=$(jqr .strategy)
check "writes nothing" "$(snapshot)" "$BEFORE"

# The same message as a webhook: the real decision is the dry run's.
hook "$CH_ID" "$CH_SECRET" '{"id":"d1","from":{"id":"u1","name":"Una"},"text":"Where is my parcel? It was due on Monday."}'
check "webhook" "$STATUS" 200
C1=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C1"
check "real agent = dry run's" "$(jqr .assignee_id)" "$A1"
req GET "/api/v1/conversations/$C1/sla"
check "real rule = dry run's" "$(jqr .routing.rule_id)" "$R2"
check "real team = dry run's" "$(jqr .routing.team_id)" "$CARE"
check "real strategy = dry run's" "$(jqr .routing.strategy)" "$DRY_STRATEGY"
check "real reason = dry run's" "$(jqr .routing.reason)" "$DRY_REASON"

# The stored conversation picked instead of a pasted text: ann is now full, bob is next.
req POST /api/v1/routing/dry-run "{\"conversation_id\":$C1}"
check "dry run of a conversation" "$STATUS" 200
check "its conversation" "$(jqr .conversation_id)" "$C1"
check "now bob" "$(jqr .agent.id)" "$A2"

# Fill bob; the next one would be queued, and acknowledged (a 10-minute predicted wait passes
# the 60 s target): the dry run's text is the one the webhook then gets.
hook "$CH_ID" "$CH_SECRET" '{"id":"d2","from":{"id":"u2","name":"Vic"},"text":"Hello there, I need help with my order"}'
BEFORE=$(snapshot)
dry "My order never arrived, please help me"
check "queued" "$(jqr .queued)" true
check "no agent" "$(jqr .agent)" null
check "nobody free: team still Care" "$(jqr .team.id)" "$CARE"
jqr .reason | grep -q "nobody available" || fail "queued reason: $BODY"
check "acknowledged" "$(jqr .autoack.sent)" true
ACK=$(jqr .autoack.text)
case "$ACK" in "Thanks! Care answers by "*) ;; *) fail "ack text: $ACK";; esac
check "writes nothing (queued)" "$(snapshot)" "$BEFORE"
hook "$CH_ID" "$CH_SECRET" '{"id":"d3","from":{"id":"u3","name":"Wes"},"text":"My order never arrived, please help me"}'
C3=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C3/sla"
check "real: queued" "$(jqr .routing.queued)" true
got_ack() { [ "$(dbq "SELECT count(*) FROM message WHERE conversation_id=$C3 AND direction='out'")" = 1 ]; }
wait_for "acknowledgement stored" 10 got_ack
REAL_ACK=$(dbq "SELECT text FROM message WHERE conversation_id=$C3 AND direction='out'")
case "$REAL_ACK" in "Thanks! Care answers by "*) ;; *) fail "real ack: $REAL_ACK";; esac

# Contact and public: the store rule for a Berlin contact; none for a public post, with why.
dry "Hi, question about the Berlin shop" ',"contact":{"location":"Berlin","tags":["vip"]}'
check "store rule" "$(jqr .rule.id)" "$R1"
check "store agent" "$(jqr .agent.id)" "$A3"
dry "Hi, question" ',"public":true'
check "public: no rule" "$(jqr .matched)" false
check "none" "$(jqr .rule)" null
jqr .why | grep -q "no rule matches" || fail "why none: $BODY"
jqr '.rules_tried[1].why' | grep -q "private messages only" || fail "why not rule 2: $BODY"
check "both rules tried" "$(jqr '.rules_tried | length')" 2

# 422s with the field named in the message.
bad() {
    req POST /api/v1/routing/dry-run "$2"
    check "$1: 422" "$STATUS" 422
    jqr .error.message | grep -q "'$3'" || fail "$1: message names '$3': $BODY"
}
bad "no channel" '{"text":"hi"}' channel_id
bad "unknown channel" '{"channel_id":99999,"text":"hi"}' channel_id
bad "no text" "{\"channel_id\":$CH_ID,\"text\":\"\"}" text
LONG=$(head -c 16385 /dev/zero | tr '\0' a)
bad "text too long" "{\"channel_id\":$CH_ID,\"text\":\"$LONG\"}" text
bad "bad tags" "{\"channel_id\":$CH_ID,\"text\":\"hi\",\"contact\":{\"tags\":\"vip\"}}" tags
bad "bad public" "{\"channel_id\":$CH_ID,\"text\":\"hi\",\"public\":\"yes\"}" public
bad "unknown conversation" '{"conversation_id":99999}' conversation_id
req POST /api/v1/routing/dry-run 'not json'
check "not JSON" "$STATUS" 400

# Reorder: the whole set, atomically; a stale or repeated list changes nothing.
req PUT /api/v1/routing/rules/order "{\"ids\":[$R2,$R1]}"
check "reorder" "$STATUS" 200
check "new order" "$(jqr '[.items[].id] | map(tostring) | join(",")')" "$R2,$R1"
dry "Hi, question about the Berlin shop" ',"contact":{"location":"Berlin"}'
check "the first rule now wins" "$(jqr .rule.id)" "$R2"
rules() { dbq "SELECT id, position FROM routing_rule ORDER BY id" | tr '\n' ,; }
BEFORE=$(rules)
req PUT /api/v1/routing/rules/order "{\"ids\":[$R1]}"
check "a rule missing: conflict" "$STATUS" 409
req PUT /api/v1/routing/rules/order "{\"ids\":[$R1,$R1]}"
check "a rule twice" "$STATUS" 422
req PUT /api/v1/routing/rules/order "{\"ids\":[$R1,99999]}"
check "an unknown rule: conflict" "$STATUS" 409
req PUT /api/v1/routing/rules/order '{"ids":"1,2"}'
check "not a list" "$STATUS" 422
jqr .error.message | grep -q "'ids'" || fail "ids message: $BODY"
check "nothing changed" "$(rules)" "$BEFORE"

# The acknowledgement preview of a template for a team and language.
req POST /api/v1/routing/autoack/preview "{\"calendar_id\":$CAL,\"team_name\":\"Care\",\"language\":\"de\",\"template\":\"Danke! {team} antwortet bis {when}.\"}"
check "preview" "$STATUS" 200
case "$(jqr .text)" in "Danke! Care antwortet bis "*) ;; *) fail "preview: $BODY";; esac
req POST /api/v1/routing/autoack/preview '{"template":"Thanks"}'
# (printf, not jqr: dash's echo would turn the JSON's \n into a newline)
check "signed by the team when {team} is missing" "$(printf '%s' "$BODY" | jq -r .text)" "$(printf 'Thanks\n\342\200\224 Team')"
req POST /api/v1/routing/autoack/preview '{"template":""}'
check "empty template" "$STATUS" 422
req POST /api/v1/routing/autoack/preview '{"template":"x","calendar_id":99999}'
check "unknown calendar" "$STATUS" 422
echo "all ok"
