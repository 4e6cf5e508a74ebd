# Blocking ("firing") a contact (issue 18, item 4): any agent blocks with a reason, only
# supervisors and admins unblock; a PATCH to "blocked" is refused naming the right call. While
# blocked, every ingress (a channel webhook, the chat widget, listening's "convert") still
# stores the messages, but the conversations are hidden from the inbox views, the counts, the
# queue and Unanswered, never routed, never acknowledged and carry no SLA clock. Unblocking
# brings them back: open ones are routed again (without an acknowledgement) and wait for an
# answer from the moment of the unblock; new messages are handled normally. Both are audited.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --display-name "Bo" --role agent --password-stdin >/dev/null || fail "agent add bo"
echo "super-password-1" | "$HARK" agent add --db "$DB" --email sue@example.com --name "Sue Super" \
    --display-name "Sue" --role supervisor --password-stdin >/dev/null || fail "agent add sue"
BO=$(dbq "SELECT id FROM agent WHERE email='bo@example.com'")
login() {
    out=$(curl -s -c "$T/$3.jar" -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login")
    [ "$(echo "$out" | tail -1)" = 200 ] || fail "login $1"
    echo "$out" | sed '$d' | jq -r .csrf > "$T/$3.csrf"
}
# as NAME METHOD PATH [BODY]: req through NAME's session.
as() {
    local who=$1 m=$2 p=$3 body=${4:-}
    set -- -X "$m" -b "$T/$who.jar" -H "X-CSRF-Token: $(cat "$T/$who.csrf")"
    if [ -n "$body" ]; then set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"; fi
    BODY=$(curl -s -w '\n%{http_code}' "$@" "$URL$p")
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}
# The acknowledgement's text holds "\n": dash's echo (lib.sh's jqr) would turn it into a newline.
jqr() { printf '%s' "$BODY" | jq -r "$1"; }
login bo@example.com agent-password-1 bo
login sue@example.com super-password-1 sue

# Routing, a first-response target and an acknowledgement outside hours, so each effect shows.
req PATCH "/api/v1/agents/$BO/profile" '{"availability":"online","capacity":10}'
check "bo online" "$STATUS" 200
req POST /api/v1/calendars '{"name":"never","tz":"Europe/Berlin","hours":{"sun":[["00:00","00:01"]]}}'
NEVER=$(jqr .id)
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$BO],\"calendar_id\":$NEVER,\"autoack\":{\"enabled\":true,\"public\":true,\"templates\":{\"en\":\"We are closed; a person answers by {when}.\"}}}"
check "team" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201
req POST /api/v1/sla/policies '{"name":"hour","first_response_s":3600}'
check "policy" "$STATUS" 201

acks() { dbq "SELECT count(*) FROM message WHERE conversation_id=$1 AND direction='out'"; }
msgs() { dbq "SELECT count(*) FROM message WHERE conversation_id=$1 AND direction='in'"; }
live_timers() { dbq "SELECT count(*) FROM timer WHERE conversation_id=$1 AND fired_at IS NULL AND cancelled=0"; }
# in_list QUERY CONV: true when CONV is in GET /conversations?QUERY.
in_list() { req GET "/api/v1/conversations?$1&limit=200"; jqr "[.items[].id] | index($2) != null"; }
in_unanswered() { req GET "/api/v1/conversations?unanswered=true&limit=200"; jqr "[.items[].id] | index($1) != null"; }
in_queue() { req GET "/api/v1/routing/queue"; jqr "[.items[].conversation_id] | index($1) != null"; }
# timers_settled CONV: the timers worker has recomputed CONV's clocks (nothing left dirty).
timers_settled() { [ "$(dbq "SELECT count(*) FROM sla_dirty WHERE conversation_id=$1")" = 0 ]; }

# --- A troll writes on the API channel: routed, acknowledged, on the clock. ---
hook "$CH_ID" "$CH_SECRET" '{"id":"t1","from":{"id":"troll","name":"Trevor Troll"},"text":"You are useless idiots, all of you"}'
check "troll's first message" "$STATUS" 200
C1=$(jqr .conversation_id)
TR=$(dbq "SELECT contact_id FROM conversation WHERE id=$C1")
req GET "/api/v1/conversations/$C1"
check "routed before the block" "$(jqr .assignee_id)" "$BO"
check "not blocked yet" "$(jqr .blocked)" false
check "contact not blocked yet" "$(jqr .contact.blocked)" null
check "acknowledged before the block" "$(acks "$C1")" 1
wait_for "the first-response clock" 10 timers_settled "$C1"
[ "$(live_timers "$C1")" -gt 0 ] || fail "no SLA timer before the block"
check "unanswered before the block" "$(in_unanswered "$C1")" true

# --- Validation and roles ---
req POST "/api/v1/contacts/$TR/block" '{}'
check "reason required" "$STATUS" 422
check "reason named" "$(jqr .error.message)" "invalid 'reason': say why the contact is blocked (1 to 500 bytes)"
req POST "/api/v1/contacts/$TR/block" '{"reason":"   "}'
check "blank reason" "$STATUS" 422
req POST "/api/v1/contacts/$TR/block" "{\"reason\":\"$(head -c 501 /dev/zero | tr '\0' 'x')\"}"
check "reason too long" "$STATUS" 422
req POST "/api/v1/contacts/$TR/block" '{"reason":5}'
check "reason not text" "$STATUS" 422
req POST "/api/v1/contacts/$TR/block" '{"reason":"rude","until":"never"}'
check "unknown field" "$STATUS" 422
req POST "/api/v1/contacts/$TR/block" 'not json' -H 'Content-Type: application/json'
check "bad JSON" "$STATUS" 400
req POST /api/v1/contacts/99999/block '{"reason":"rude"}'
check "unknown contact" "$STATUS" 404
req POST /api/v1/contacts/abc/block '{"reason":"rude"}'
check "bad id" "$STATUS" 404
req DELETE "/api/v1/contacts/$TR/block"
check "unblock one not blocked" "$STATUS" 409
req PATCH "/api/v1/contacts/$TR" '{"status":"blocked"}'
check "PATCH to blocked refused" "$STATUS" 422
check "PATCH names the right call" "$(jqr .error.message)" "invalid 'status': to block a contact, POST /api/v1/contacts/{id}/block with a reason"
check "nothing blocked by 4xx" "$(dbq "SELECT status FROM contact WHERE id=$TR")" customer

# --- An agent blocks. ---
as bo POST "/api/v1/contacts/$TR/block" '{"reason":"  Insults the team in every message  "}'
check "agent blocks" "$STATUS" 200
check "status" "$(jqr .status)" blocked
check "reason kept (trimmed)" "$(jqr .blocked.reason)" "Insults the team in every message"
check "by whom" "$(jqr .blocked.by_agent_id)" "$BO"
check "by name" "$(jqr .blocked.by_name)" Bo
[ "$(jqr .blocked.at)" != null ] || fail "no time: $BODY"
as bo POST "/api/v1/contacts/$TR/block" '{"reason":"again"}'
check "already blocked" "$STATUS" 409
req GET "/api/v1/contacts/$TR"
check "contact shows the block" "$(jqr .blocked.reason)" "Insults the team in every message"
check "contact's history keeps the conversation" "$(jqr "[.conversations[].id] | index($C1) != null")" true
req GET "/api/v1/contacts/$TR/block"
check "block state" "$(jqr .blocked.by_name)" Bo
req PATCH "/api/v1/contacts/$TR" '{"status":"customer"}'
check "PATCH cannot unblock" "$STATUS" 409
req PATCH "/api/v1/contacts/$TR" '{"notes":"see block reason"}'
check "other fields still editable" "$STATUS" 200
check "still blocked" "$(jqr .status)" blocked

# Its conversation left the queues and its clock stopped.
req GET "/api/v1/conversations/$C1"
check "conversation marked" "$(jqr .blocked)" true
check "unassigned" "$(jqr .assignee_id)" null
check "still open" "$(jqr .status)" open
check "hidden from the inbox" "$(in_list "status=open" "$C1")" false
check "hidden from all" "$(in_list "status=all" "$C1")" false
check "hidden from unassigned" "$(in_list "assignee=none" "$C1")" false
check "in the Blocked view" "$(in_list "blocked=true" "$C1")" true
check "blocked=any shows it" "$(in_list "blocked=any" "$C1")" true
req GET "/api/v1/conversations?blocked=maybe"
check "bad blocked filter" "$STATUS" 400
check "not unanswered" "$(in_unanswered "$C1")" false
wait_for "the clock stopped" 10 timers_settled "$C1"
check "no live SLA timer" "$(live_timers "$C1")" 0
req GET "/api/v1/conversations/$C1/sla"
check "no first-response due" "$(jqr .first_response_due)" null
check "SLA view: not unanswered" "$(jqr .unanswered)" false
req GET /api/v1/conversations/counts
check "counted as blocked" "$(jqr .blocked)" 1
check "not counted open" "$(jqr .open)" 0
check "not counted unassigned" "$(jqr .unassigned)" 0

# --- Every ingress while blocked: stored, nothing else. ---
# A webhook into the same conversation.
hook "$CH_ID" "$CH_SECRET" '{"id":"t2","from":{"id":"troll","name":"Trevor Troll"},"text":"Answer me, idiots"}'
check "webhook accepted" "$STATUS" 200
check "same conversation" "$(jqr .conversation_id)" "$C1"
check "message stored" "$(msgs "$C1")" 2
# A new thread: a new conversation, hidden from the start.
hook "$CH_ID" "$CH_SECRET" '{"id":"t3","public":true,"thread_id":"post-9","from":{"id":"troll","name":"Trevor Troll"},"text":"Worst brand ever, idiots"}'
check "new thread accepted" "$STATUS" 200
C2=$(jqr .conversation_id)
[ "$C2" != "$C1" ] || fail "the new thread reused $C1"
check "new conversation stored" "$(msgs "$C2")" 1
wait_for "the new conversation's clock" 10 timers_settled "$C2"
wait_for "the old conversation's clock" 10 timers_settled "$C1"
for c in "$C1" "$C2"; do
    req GET "/api/v1/conversations/$c"
    check "$c not routed" "$(jqr .assignee_id)" null
    check "$c marked blocked" "$(jqr .blocked)" true
    check "$c not in the inbox" "$(in_list "status=open" "$c")" false
    check "$c not unanswered" "$(in_unanswered "$c")" false
    check "$c not queued" "$(in_queue "$c")" false
    check "$c no live SLA timer" "$(live_timers "$c")" 0
done
check "no acknowledgement while blocked (old)" "$(acks "$C1")" 1
check "no acknowledgement while blocked (new)" "$(acks "$C2")" 0
check "no routing decision for the new one" "$(dbq "SELECT count(*) FROM conv_sla WHERE conversation_id=$C2 AND routed_at IS NOT NULL")" 0
req GET /api/v1/conversations/counts
check "both counted as blocked" "$(jqr .blocked)" 2
check "none counted open" "$(jqr .open)" 0

# The chat widget: a visitor is served, then blocked, then writes again.
req POST /api/v1/channels '{"type":"webchat","name":"Chat","settings":{"brand_name":"Northwind"}}'
check "webchat channel" "$STATUS" 201
W=$(jqr .id)
wreq() {
    local m=$1 p=$2 body=${3:-}
    set -- -s -o "$T/b" -w '%{http_code}' -X "$m" -H "X-Hark-Visitor: ${VTOK:-}"
    [ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
    STATUS=$(curl "$@" "$URL$p")
    BODY=$(cat "$T/b")
}
wreq POST "/api/v1/widget/$W/session" '{}'
VTOK=$(jqr .token)
wreq POST "/api/v1/widget/$W/messages" '{"text":"Hello, where is my order?","id":"w1","name":"Wanda"}'
check "widget send" "$STATUS" 201
CW=$(dbq "SELECT id FROM conversation WHERE channel_id=$W")
WC=$(dbq "SELECT contact_id FROM conversation WHERE id=$CW")
req GET "/api/v1/conversations/$CW"
check "widget conversation routed" "$(jqr .assignee_id)" "$BO"
req POST "/api/v1/contacts/$WC/block" '{"reason":"Spam links in the chat"}'
check "token blocks" "$STATUS" 200
check "by a token: no agent" "$(jqr .blocked.by_agent_id)" null
wreq POST "/api/v1/widget/$W/messages" '{"text":"buy cheap followers at spam.example","id":"w2"}'
check "widget send while blocked" "$STATUS" 201
check "widget message stored" "$(msgs "$CW")" 2
wait_for "the widget conversation's clock" 10 timers_settled "$CW"
req GET "/api/v1/conversations/$CW"
check "widget conversation unassigned" "$(jqr .assignee_id)" null
check "widget conversation hidden" "$(in_list "status=open" "$CW")" false
check "widget conversation not unanswered" "$(in_unanswered "$CW")" false
check "widget no live SLA timer" "$(live_timers "$CW")" 0
wreq GET "/api/v1/widget/$W/messages"
check "the visitor still reads their conversation" "$(jqr '.messages[-1].text')" "buy cheap followers at spam.example"

# Listening: a post by the troll turned into a conversation on the API channel is theirs.
req POST /api/v1/listening/queries '{"name":"brand","query":"acme"}'
check "listening query" "$STATUS" 201
echo '{"id":"p1","platform":"bluesky","author":"troll","text":"acme is run by idiots","lang":"en"}' > "$T/posts.jsonl"
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$T/posts.jsonl" "$URL/api/v1/listening/ingest" > "$T/ing"
check "post stored as a mention" "$(jq .stored "$T/ing")" 1
req GET /api/v1/listening/mentions
M=$(jqr '.items[0].id')
req POST "/api/v1/listening/mentions/$M/convert" "{\"channel_id\":$CH_ID}"
check "convert" "$STATUS" 201
CL=$(jqr .conversation_id)
req GET "/api/v1/conversations/$CL"
check "converted conversation is the troll's" "$(jqr .contact_id)" "$TR"
check "converted conversation blocked" "$(jqr .blocked)" true
check "converted conversation not routed" "$(jqr .assignee_id)" null
wait_for "the converted conversation's clock" 10 timers_settled "$CL"
check "converted conversation no timer" "$(live_timers "$CL")" 0
check "converted conversation hidden" "$(in_list "status=open" "$CL")" false
check "converted conversation not unanswered" "$(in_unanswered "$CL")" false
check "converted conversation not acknowledged" "$(acks "$CL")" 0

# Nothing was lost, and the events say so (a client drops alerts for blocked conversations).
check "every troll message kept" "$(dbq "SELECT count(*) FROM message m JOIN conversation c ON c.id=m.conversation_id WHERE c.contact_id=$TR AND m.direction='in'")" 4
ev=$(dbq "SELECT data FROM event WHERE type='message.created' ORDER BY seq DESC LIMIT 1")
check "event marks the conversation blocked" "$(echo "$ev" | jq -r .conversation.blocked)" true

# --- Unblocking: supervisors and admins only. ---
as bo DELETE "/api/v1/contacts/$TR/block"
check "agent cannot unblock" "$STATUS" 403
check "403 says why" "$(jqr .error.message)" "only a supervisor or admin can unblock a contact"
as sue DELETE "/api/v1/contacts/$TR/block"
check "supervisor unblocks" "$STATUS" 200
check "status restored" "$(jqr .status)" customer
check "block cleared" "$(jqr .blocked)" null
req DELETE "/api/v1/contacts/$WC/block"
check "admin unblocks" "$STATUS" 200
req DELETE /api/v1/contacts/99999/block
check "unblock unknown" "$STATUS" 404
for c in "$C1" "$C2" "$CL" "$CW"; do
    req GET "/api/v1/conversations/$c"
    check "$c visible again" "$(jqr .blocked)" false
    check "$c routed again" "$(jqr .assignee_id)" "$BO"
    check "$c back in the inbox" "$(in_list "status=open" "$c")" true
    check "$c waits for an answer" "$(in_unanswered "$c")" true
    wait_for "$c's clock again" 10 timers_settled "$c"
    [ "$(live_timers "$c")" -gt 0 ] || fail "$c has no SLA timer after the unblock"
done
check "no acknowledgement on unblock (old)" "$(acks "$C1")" 1
check "no acknowledgement on unblock (new)" "$(acks "$C2")" 0
check "no acknowledgement on unblock (converted)" "$(acks "$CL")" 0
req GET /api/v1/conversations/counts
check "nothing blocked" "$(jqr .blocked)" 0
check "all open again" "$(jqr .open)" 4
# New messages are handled normally: a new thread is routed and acknowledged.
hook "$CH_ID" "$CH_SECRET" '{"id":"t4","public":true,"thread_id":"post-10","from":{"id":"troll","name":"Trevor Troll"},"text":"Sorry, my parcel is late"}'
C3=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C3"
check "new conversation routed after the unblock" "$(jqr .assignee_id)" "$BO"
check "acknowledged after the unblock" "$(acks "$C3")" 1

# --- The audit log: both, with who and the block before and after. ---
req GET "/api/v1/audit?action=contact.block&limit=50"
check "blocks recorded" "$(jqr '.items | length')" 2
e=$(printf '%s' "$BODY" | jq -c "[.items[] | select(.target.id == $TR)][0]")
check "block by Bo" "$(echo "$e" | jq -r .actor.name)" "Bo Berg"
check "block summary" "$(echo "$e" | jq -r .summary)" "Contact #$TR blocked"
check "block before" "$(echo "$e" | jq -c .before.blocked)" null
check "block after" "$(echo "$e" | jq -r .after.blocked.reason)" "Insults the team in every message"
req GET "/api/v1/audit?action=contact.unblock&limit=50"
check "unblocks recorded" "$(jqr '.items | length')" 2
e=$(printf '%s' "$BODY" | jq -c "[.items[] | select(.target.id == $TR)][0]")
check "unblock by Sue" "$(echo "$e" | jq -r .actor.name)" "Sue Super"
check "unblock before" "$(echo "$e" | jq -r .before.blocked.reason)" "Insults the team in every message"
check "unblock after" "$(echo "$e" | jq -c .after.blocked)" null
req GET "/api/v1/audit?action=contact.block&limit=50"
check "no customer text in the entry" "$(printf '%s' "$BODY" | grep -c 'idiots')" 0
stop_hark
