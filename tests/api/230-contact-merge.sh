# Contact merge (issue 18, item 5): one person across channels. Suggestions carry their
# evidence (the same email any case, the same phone as digits, the same name and location, a
# shared order reference from the messages); a merge moves every identity and conversation of
# the other contact to this one and fills this one's empty fields (named in the answer); undo
# puts back exactly what moved, including a conversation one of the moved identities started
# after the merge, while a conversation this contact's own identity started stays, and a field
# edited since the merge stays as edited (named in fields_not_restored). Agents see
# suggestions and history; supervisors and admins merge, undo and dismiss; a blocked contact
# merges only with a blocked one; a dismissed pair is not suggested again; all is audited.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --display-name "Bo" --role agent --password-stdin >/dev/null || fail "agent add bo"
echo "super-password-1" | "$HARK" agent add --db "$DB" --email sue@example.com --name "Sue Super" \
    --display-name "Sue" --role supervisor --password-stdin >/dev/null || fail "agent add sue"
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
jqr() { printf '%s' "$BODY" | jq -r "$1"; }
login bo@example.com agent-password-1 bo
login sue@example.com super-password-1 sue
contact_of() { dbq "SELECT contact_id FROM conversation WHERE id=$1"; }
# found Q CONV: true when searching Q lists CONV.
found() { req GET "/api/v1/conversations?q=$1&limit=200"; jqr "[.items[].id] | index($2) != null"; }

# --- Ann writes on one channel identity, "A. Lee" on another: one person. ---
hook "$CH_ID" "$CH_SECRET" '{"id":"a1","from":{"id":"wa-4930","name":"Ann Lee","handle":"annwa"},"text":"Where is my order #12345?"}'
check "ann writes" "$STATUS" 200
C1=$(jqr .conversation_id); ANN=$(contact_of "$C1")
hook "$CH_ID" "$CH_SECRET" '{"id":"b1","from":{"id":"mail-ann","name":"A. Lee","handle":"leemail"},"text":"order no. 12345 arrived broken"}'
C2=$(jqr .conversation_id); ALEE=$(contact_of "$C2")
[ "$ANN" != "$ALEE" ] || fail "one contact already"
req PATCH "/api/v1/contacts/$ANN" '{"email":"ann@example.com","phone":"+49 30 1234567"}'
check "ann's details" "$STATUS" 200
req PATCH "/api/v1/contacts/$ALEE" '{"email":"ANN@Example.com","phone":"4930-123-4567","location":"Hamburg","notes":"prefers email"}'
check "a. lee's details" "$STATUS" 200
# Two Carls in Berlin (name and location), and a stranger with nothing in common.
hook "$CH_ID" "$CH_SECRET" '{"id":"c1","from":{"id":"carl-1","name":"Carl Diaz"},"text":"hi"}'
C5=$(jqr .conversation_id); CARL=$(contact_of "$C5")
hook "$CH_ID" "$CH_SECRET" '{"id":"c2","from":{"id":"carl-2","name":"carl diaz"},"text":"hello"}'
C6=$(jqr .conversation_id); CARL2=$(contact_of "$C6")
req PATCH "/api/v1/contacts/$CARL" '{"location":"Berlin"}'
req PATCH "/api/v1/contacts/$CARL2" '{"location":"berlin"}'
hook "$CH_ID" "$CH_SECRET" '{"id":"s1","from":{"id":"stranger","name":"Sam Stranger"},"text":"order 99999"}'

# --- Suggestions with their evidence ---
as bo GET "/api/v1/contacts/$ANN/merge-suggestions"
check "an agent sees suggestions" "$STATUS" 200
check "one suggestion for Ann" "$(jqr '.items | length')" 1
check "it is A. Lee" "$(jqr '.items[0].contact.id')" "$ALEE"
check "evidence kinds" "$(jqr '[.items[0].evidence[].kind] | sort | join(",")')" "email,order_ref,phone"
check "order ref shown" "$(jqr '.items[0].evidence[] | select(.kind=="order_ref") | .value')" "#12345"
check "phone as digits" "$(jqr '.items[0].evidence[] | select(.kind=="phone") | .value')" "49301234567"
check "with A. Lee's identities" "$(jqr '.items[0].contact.identities[0].handle')" leemail
req GET "/api/v1/contacts/$CARL/merge-suggestions"
check "same name and location" "$(jqr '[.items[] | select(.contact.id=='"$CARL2"') | .evidence[].kind] | join(",")')" name_location
req GET "/api/v1/contacts/99999/merge-suggestions"
check "suggestions of an unknown contact" "$STATUS" 404
check "search by A. Lee's handle: not Ann's yet" "$(found leemail "$C1")" false

# --- Roles and validation ---
as bo POST "/api/v1/contacts/$ANN/merge" "{\"other_id\":$ALEE}"
check "an agent cannot merge" "$STATUS" 403
as bo POST "/api/v1/contacts/$ANN/merge-suggestions/dismiss" "{\"other_id\":$ALEE}"
check "an agent cannot dismiss" "$STATUS" 403
req POST "/api/v1/contacts/$ANN/merge" '{}'
check "other_id required" "$STATUS" 422
check "other_id named" "$(jqr .error.message)" "invalid 'other_id': want the id of the other contact"
req POST "/api/v1/contacts/$ANN/merge" '{"other_id":"x"}'
check "other_id not a number" "$STATUS" 422
req POST "/api/v1/contacts/$ANN/merge" "{\"other_id\":$ANN}"
check "not with itself" "$STATUS" 422
req POST "/api/v1/contacts/$ANN/merge" "{\"other_id\":$ALEE,\"force\":true}"
check "unknown field" "$STATUS" 422
req POST "/api/v1/contacts/$ANN/merge" 'nope'
check "bad JSON" "$STATUS" 400
req POST "/api/v1/contacts/$ANN/merge" '{"other_id":99999}'
check "unknown other" "$STATUS" 404
req POST "/api/v1/contacts/99999/merge" "{\"other_id\":$ALEE}"
check "unknown contact" "$STATUS" 404
check "nothing moved by 4xx" "$(contact_of "$C2")" "$ALEE"

# --- A supervisor merges. ---
as sue POST "/api/v1/contacts/$ANN/merge" "{\"other_id\":$ALEE}"
check "supervisor merges" "$STATUS" 200
M1=$(jqr .merge.id)
check "moved identities" "$(jqr .merge.moved.identities)" 1
check "moved conversations" "$(jqr .merge.moved.conversations)" 1
check "fields filled" "$(jqr '.merge.fields_filled | sort | join(",")')" "location,notes"
check "evidence kept" "$(jqr '[.merge.evidence[].kind] | sort | join(",")')" "email,order_ref,phone"
check "by Sue" "$(jqr .merge.created_by_name)" Sue
check "one person: both identities" "$(jqr '[.contact.identities[].handle] | sort | join(",")')" "annwa,leemail"
check "location taken" "$(jqr .contact.location)" Hamburg
check "own email kept" "$(jqr .contact.email)" ann@example.com
req GET "/api/v1/contacts/$ANN"
check "both conversations" "$(jqr "[.conversations[].id] | sort | join(\",\")")" "$(printf '%s\n' "$C1" "$C2" | sort -n | paste -sd,)"
req GET "/api/v1/conversations/$C2"
check "the conversation names Ann" "$(jqr .contact.id)" "$ANN"
req GET "/api/v1/contacts/$ANN/merge"
check "the person: both identities" "$(jqr '.identities | length')" 2
check "the person: A. Lee merged in" "$(jqr '.merged_contacts[0].id')" "$ALEE"
req GET "/api/v1/contacts/$ALEE"
check "A. Lee points at Ann" "$(jqr .merged_into)" "$ANN"
check "A. Lee keeps own fields" "$(jqr .location)" Hamburg
req GET "/api/v1/contacts?limit=200"
check "A. Lee out of the contact list" "$(jqr "[.items[].id] | index($ALEE)")" null
check "search by A. Lee's handle finds Ann's first conversation" "$(found leemail "$C1")" true
req GET "/api/v1/contacts/$ANN/merge-suggestions"
check "no suggestion after the merge" "$(jqr '.items | length')" 0
req POST "/api/v1/contacts/$ANN/merge" "{\"other_id\":$ALEE}"
check "merge twice" "$STATUS" 409
check "already merged" "$(jqr .error.code)" already_merged
req POST "/api/v1/contacts/$CARL/merge" "{\"other_id\":$ALEE}"
check "a merged contact cannot merge again" "$STATUS" 409
check "events for open screens" "$(dbq "SELECT count(*) FROM event WHERE type='contact.updated' AND data IN ('{\"contact_id\":$ANN}','{\"contact_id\":$ALEE}')" | awk '{print ($1>=2)}')" 1

# --- New messages after the merge ---
hook "$CH_ID" "$CH_SECRET" '{"id":"b2","from":{"id":"mail-ann","name":"A. Lee"},"text":"any news?"}'
check "A. Lee's identity writes in its conversation" "$(jqr .conversation_id)" "$C2"
hook "$CH_ID" "$CH_SECRET" '{"id":"b3","thread_id":"new-thread","from":{"id":"mail-ann","name":"A. Lee"},"text":"Also, a new question"}'
C3=$(jqr .conversation_id)
check "a new conversation of A. Lee's identity is Ann's" "$(contact_of "$C3")" "$ANN"
hook "$CH_ID" "$CH_SECRET" '{"id":"a2","thread_id":"ann-thread","from":{"id":"wa-4930","name":"Ann Lee"},"text":"And another thing"}'
C4=$(jqr .conversation_id)
req PATCH "/api/v1/contacts/$ANN" '{"notes":"Called her back"}'
check "edit after the merge" "$STATUS" 200

# --- A later merge must be undone first ---
as sue POST "/api/v1/contacts/$CARL/merge" "{\"other_id\":$ANN}"
check "Ann into Carl (wrongly)" "$STATUS" 200
M2=$(jqr .merge.id)
as sue POST "/api/v1/contact-merges/$M1/undo"
check "undo under a later merge" "$STATUS" 409
check "later merge named" "$(jqr .error.code)" later_merge
as bo POST "/api/v1/contact-merges/$M2/undo"
check "an agent cannot undo" "$STATUS" 403
as sue POST "/api/v1/contact-merges/$M2/undo"
check "undo the later merge" "$STATUS" 200
check "Ann's conversations back" "$(contact_of "$C4")" "$ANN"
check "A. Lee's new conversation back on Ann" "$(contact_of "$C3")" "$ANN"

# --- Undo the first merge: exact. ---
req GET "/api/v1/contact-merges/$M1"
check "one merge" "$(jqr .other_id)" "$ALEE"
as bo GET "/api/v1/contacts/$ANN/merges"
check "history for agents" "$STATUS" 200
check "history lists both merges" "$(jqr '.items | length')" 2
as sue POST "/api/v1/contact-merges/$M1/undo"
check "undo" "$STATUS" 200
check "undone by Sue" "$(jqr .merge.undone_by_name)" Sue
check "the edited field stays" "$(jqr '.fields_not_restored | join(",")')" notes
check "identity back" "$(dbq "SELECT contact_id FROM identity WHERE platform_id='mail-ann'")" "$ALEE"
check "old conversation back" "$(contact_of "$C2")" "$ALEE"
check "conversation A. Lee's identity started after the merge goes back" "$(contact_of "$C3")" "$ALEE"
check "conversation Ann's identity started stays" "$(contact_of "$C4")" "$ANN"
check "Ann's own conversation stays" "$(contact_of "$C1")" "$ANN"
check "every message of A. Lee's conversation came along" "$(dbq "SELECT count(*) FROM message WHERE conversation_id=$C2 AND direction='in'")" 2
req GET "/api/v1/contacts/$ANN"
check "location back to empty" "$(jqr .location)" null
check "edited notes kept" "$(jqr .notes)" "Called her back"
check "Ann has one identity" "$(jqr '.identities | length')" 1
req GET "/api/v1/contacts/$ALEE"
check "A. Lee is a contact again" "$(jqr .merged_into)" null
check "A. Lee's fields untouched" "$(jqr .notes)" "prefers email"
check "A. Lee's identity" "$(jqr '.identities[0].handle')" leemail
check "search by A. Lee's handle: not Ann's again" "$(found leemail "$C1")" false
check "search by A. Lee's handle finds A. Lee" "$(found leemail "$C2")" true
req POST "/api/v1/contact-merges/$M1/undo"
check "undo twice" "$STATUS" 409
check "already undone" "$(jqr .error.code)" already_undone
req POST "/api/v1/contact-merges/99999/undo"
check "unknown merge" "$STATUS" 404
req GET "/api/v1/contacts/$ANN/merge-suggestions"
check "suggested again after the undo" "$(jqr '.items[0].contact.id')" "$ALEE"

# --- Blocked contacts merge only with blocked ones ---
as bo POST "/api/v1/contacts/$CARL2/block" '{"reason":"spam"}'
check "block Carl 2" "$STATUS" 200
req POST "/api/v1/contacts/$CARL/merge" "{\"other_id\":$CARL2}"
check "blocked with not blocked" "$STATUS" 409
check "blocked named" "$(jqr .error.code)" blocked_contact
check "nothing moved" "$(contact_of "$C6")" "$CARL2"

# --- Dismiss: not the same person ---
req POST "/api/v1/contacts/$CARL/merge-suggestions/dismiss" '{"other_id":0}'
check "dismiss needs the other" "$STATUS" 422
req POST "/api/v1/contacts/$CARL/merge-suggestions/dismiss" '{"other_id":99999}'
check "dismiss unknown" "$STATUS" 404
as sue POST "/api/v1/contacts/$CARL/merge-suggestions/dismiss" "{\"other_id\":$CARL2}"
check "supervisor dismisses" "$STATUS" 200
req GET "/api/v1/contacts/$CARL2/merge-suggestions"
check "not suggested again (either side)" "$(jqr "[.items[].contact.id] | index($CARL)")" null

# --- The audit log ---
req GET "/api/v1/audit?action=contact.merge&limit=50"
check "merges recorded" "$(jqr "[.items[] | select(.action == \"contact.merge\")] | length")" 2
e=$(printf '%s' "$BODY" | jq -c "[.items[] | select(.target.id == $ANN)][0]")
check "merge by Sue" "$(echo "$e" | jq -r .actor.name)" "Sue Super"
check "merge summary" "$(echo "$e" | jq -r .summary)" 'Contact "Ann Lee" merged'
check "merge before: one identity" "$(echo "$e" | jq -r '.before.identities | length')" 1
check "merge after: A. Lee merged in" "$(echo "$e" | jq -r '.after.merged_contacts[0].id')" "$ALEE"
check "merge after: two identities" "$(echo "$e" | jq -r '.after.identities | length')" 2
req GET "/api/v1/audit?action=contact_merge.undo&limit=50"
check "undos recorded" "$(jqr '.items | length')" 2
e=$(printf '%s' "$BODY" | jq -c "[.items[] | select(.target.id == $M1)][0]")
check "undo after" "$(echo "$e" | jq -r '.after.undone_by_name')" Sue
check "who dismissed is kept" "$(dbq "SELECT a.name FROM contact_merge_dismissed d JOIN agent a ON a.id = d.dismissed_by")" "Sue Super"
req GET "/api/v1/audit?limit=200"
check "no customer text in the log" "$(printf '%s' "$BODY" | grep -c 'arrived broken')" 0
stop_hark
