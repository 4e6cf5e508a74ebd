# WhatsApp templates (issue 21 item 3) against tests/fakes/meta_fake.py: GET
# /api/v1/conversations/{id}/templates lists the templates Meta approved for the channel's
# business account (both Graph pages, never PENDING or REJECTED), cached per channel (the
# second call does not reach the fake), ?refresh=1 reads again; a missing business account id
# is explained; Graph's 190, 429, 5xx and timeout become 502/503 in care words; a template
# reply is checked against the list (unknown 422, a blank left empty 422 naming it) and goes
# to Meta with the right JSON, stored as the customer reads it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metalib.sh"
start_meta
start_hark --outbox-retry-ms 200
admin_setup
PHONE=800000000000605
meta_channel whatsapp wa605 phone_number_id "$PHONE"
WA=$CH_ID
# A customer wrote long ago: the 24-hour window is closed.
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511900000605 --id wamid.T605 --name 'Ana Lima' --text 'Where is my parcel?' --ts 1700000000000)"
check "old message accepted" "$PUSH_STATUS" 200
CONV=$(echo "$PUSH_BODY" | jq -r .conversation_id)
# printf, not lib.sh's echo: dash's echo turns the JSON's \n into a raw line break.
jqr() { printf '%s\n' "$BODY" | jq -r "$1"; }
gets() { grep -c '"method": "GET"' "$GLOG" || true; }

# No business account id yet: explained, and Graph is not called.
req GET "/api/v1/conversations/$CONV/templates"
check "missing WABA id" "$STATUS" 409
check "missing WABA code" "$(jqr .error.code)" setup_needed
check "missing WABA words" "$(jqr .error.message)" "Add the WhatsApp Business Account ID in Settings → Channels to list templates."
check "graph not called" "$(gets)" 0
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"welcome_back","language":"en_US"}}'
check "send without WABA id" "$STATUS" 409

# The setting is validated: digits only.
req PATCH "/api/v1/channels/$WA" '{"settings":{"business_account_id":"12ab"}}'
check "WABA id not digits" "$STATUS" 422
check "WABA id field" "$(jqr .error.field)" settings.business_account_id
req PATCH "/api/v1/channels/$WA" "{\"settings\":{\"business_account_id\":\"$WABA\"}}"
check "WABA id saved" "$STATUS" 200
check "WABA id shown" "$(jqr .settings.business_account_id)" "$WABA"

# The list: approved only, from both pages, real-shaped.
req GET "/api/v1/conversations/$CONV/templates"
check "list" "$STATUS" 200
check "approved only, both pages" "$(jqr '[.items[] | .name + "/" + .language] | join(" ")')" \
    "order_update/en_US welcome_back/en_US new_collection/en_US order_update/pt_BR appointment_reminder/en_US holiday_hours/en_US"
check "two Graph pages read" "$(gets)" 2
check "second page by cursor" "$(grep '"method": "GET"' "$GLOG" | tail -n1 | jq -r .path | grep -c 'after=')" 1
check "bearer token" "$(grep '"method": "GET"' "$GLOG" | jq -r .auth_ok | sort -u)" true
check "path" "$(grep '"method": "GET"' "$GLOG" | head -n1 | jq -r .path | cut -d'?' -f1)" "/v19.0/$WABA/message_templates"
check "not cached the first time" "$(jqr .cached)" false
check "body" "$(jqr '.items[0].body')" "Hi {{1}}, your order {{2}} is on its way. It should arrive by {{3}}."
check "params" "$(jqr '.items[0].params | join(",")')" "1,2,3"
check "param count" "$(jqr '.items[0].param_count')" 3
check "examples" "$(jqr '.items[0].examples | join(",")')" "Ana,#12345,Friday"
check "text header" "$(jqr '.items[0].header | [.format, .text, (.params|join(","))] | join("|")')" "text|Order {{1}}|1"
check "category" "$(jqr '.items[0].category')" utility
check "footer" "$(jqr '.items[0].footer')" "Sent by Hark Shoes"
check "buttons" "$(jqr '.items[0].buttons | join(",")')" "Thanks!"
check "sendable" "$(jqr '.items[0].sendable')" true
check "image header listed, not sendable" "$(jqr '.items[] | select(.name=="new_collection") | [.header.format, .sendable] | map(tostring) | join(",")')" "image,false"
jqr '.items[] | select(.name=="new_collection") | .not_sendable_reason' | grep -q "picture" || fail "reason in plain words"
check "named blanks" "$(jqr '.items[] | select(.name=="appointment_reminder") | [.parameter_format, (.params|join(","))] | join("|")')" "named|first_name,date"
check "no blanks" "$(jqr '.items[] | select(.name=="welcome_back") | .param_count')" 0
echo "$BODY" | grep -q "spring_sale_draft\|refund_denied" && fail "a PENDING or REJECTED template was offered"

# Cached: the second call does not reach Graph; refresh does.
req GET "/api/v1/conversations/$CONV/templates"
check "cached" "$(jqr .cached)" true
check "cached list" "$(jqr '.items | length')" 6
check "no Graph call for the cached list" "$(gets)" 2
req GET "/api/v1/conversations/$CONV/templates?refresh=1"
check "refresh" "$STATUS" 200
check "refresh not cached" "$(jqr .cached)" false
check "refresh reads Graph again" "$(gets)" 4
req GET "/api/v1/conversations/$CONV/templates?refresh=yes"
check "refresh validated" "$STATUS" 400

# Sending: checked against the list, every blank filled, stored as the customer reads it.
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"order_updates","language":"en_US"}}'
check "unknown template" "$STATUS" 422
check "unknown template field" "$(jqr .error.field)" template.name
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"spring_sale_draft","language":"en_US"}}'
check "pending template refused" "$STATUS" 422
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"order_update","language":"de_DE"}}'
check "approved name, other language" "$STATUS" 422
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"new_collection","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Ana"}]}]}}'
check "image header not sendable here" "$STATUS" 422
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"order_update","language":"en_US","components":[{"type":"header","parameters":[{"type":"text","text":"#12345"}]},{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"#12345"}]}]}}'
check "a blank left empty" "$STATUS" 422
check "the blank named" "$(jqr .error.field)" template.body.3
check "care words" "$(jqr .error.message)" "Fill in {{3}}."
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"order_update","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"#12345"},{"type":"text","text":"Friday"}]}]}}'
check "header blank missing" "$STATUS" 422
check "header blank named" "$(jqr .error.field)" template.header.1
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"order_update","language":"en_US","components":[{"type":"header","parameters":[{"type":"text","text":"#1"}]},{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"  "},{"type":"text","text":"Friday"}]}]}}'
check "only spaces is empty" "$(jqr .error.field)" template.body.2
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"holiday_hours","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Mon"},{"type":"text","text":"Tue"},{"type":"text","text":"Wed"}]}]}}'
check "too many values" "$STATUS" 422
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"holiday_hours","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Mon\nday"},{"type":"text","text":"Tue"}]}]}}'
check "a line break in a blank" "$STATUS" 422
POSTS0=$(grep -c '"method": "POST"' "$GLOG" || true)
check "nothing sent for the refusals" "$POSTS0" 0

# Hostile values stay text: a value that looks like a blank or HTML is not read again.
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"order_update","language":"en_US","components":[{"type":"header","parameters":[{"type":"text","text":"#12345"}]},{"type":"body","parameters":[{"type":"text","text":"Ana {{2}}"},{"type":"text","text":"<b>#12345</b>"},{"type":"text","text":"Friday"}]}]}}'
check "template sent" "$STATUS" 201
check "stored as the customer reads it" "$(jqr .text)" "Order #12345

Hi Ana {{2}}, your order <b>#12345</b> is on its way. It should arrive by Friday.

Sent by Hark Shoes"
MSG=$(jqr .id)
wait_for "template delivered" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
LAST=$(grep '"method": "POST"' "$GLOG" | tail -n1)
check "to Meta: the Cloud API template shape" "$(echo "$LAST" | jq -c '.body | {to,type,template}')" \
    '{"to":"5511900000605","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"header","parameters":[{"type":"text","text":"#12345"}]},{"type":"body","parameters":[{"type":"text","text":"Ana {{2}}"},{"type":"text","text":"<b>#12345</b>"},{"type":"text","text":"Friday"}]}]}}'
check "to the phone number's messages" "$(echo "$LAST" | jq -r .path)" "/v19.0/$PHONE/messages"

# Named blanks go with their names; a template without blanks sends no components.
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"appointment_reminder","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","parameter_name":"date","text":"May 3"},{"type":"text","parameter_name":"first_name","text":"Ana"}]}]}}'
check "named sent" "$STATUS" 201
check "named filled" "$(jqr .text)" "Hi Ana, this is a reminder of your fitting on May 3."
MSG=$(jqr .id)
wait_for "named delivered" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "named parameters" "$(grep '"method": "POST"' "$GLOG" | tail -n1 | jq -c '.body.template.components')" \
    '[{"type":"body","parameters":[{"type":"text","text":"Ana","parameter_name":"first_name"},{"type":"text","text":"May 3","parameter_name":"date"}]}]'
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"appointment_reminder","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Ana"}]}]}}'
check "named blank missing" "$(jqr .error.field)" template.body.date
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"welcome_back","language":"en_US"}}'
check "no blanks sent" "$STATUS" 201
MSG=$(jqr .id)
wait_for "plain delivered" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "no components" "$(grep '"method": "POST"' "$GLOG" | tail -n1 | jq -c '.body.template')" '{"name":"welcome_back","language":{"code":"en_US"}}'
check "sends used the cached list" "$(gets)" 4
stop_hark

# Changes channel $1's settings by the jq filter $2, behind the API's back (json_set is
# SQLite's only): read, changed here, written back.
set_settings() {
    local s
    s=$(dbq "SELECT settings FROM channel WHERE id=$1" | jq -c "$2") || fail "settings of channel $1"
    dbq "UPDATE channel SET settings='$s' WHERE id=$1"
}

# Graph failing: each answer in care words, nothing crashes. A fresh server: an empty cache.
graph_case() { # graph_case SCRIPT STATUS CODE WORDS
    start_meta "$1" 200
    start_hark --outbox-retry-ms 200
    set_settings "$WA" ".api_base = \"$GRAPH\""
    req GET "/api/v1/conversations/$CONV/templates"
    check "$1: status" "$STATUS" "$2"
    check "$1: code" "$(jqr .error.code)" "$3"
    jqr .error.message | grep -q "$4" || fail "$1: words: $BODY"
    echo "$BODY" | grep -q "OAuth\|code 1\|HTTP" && fail "$1: raw Graph error shown: $BODY"
    req GET "/api/v1/conversations/$CONV/templates"
    check "$1: then it works" "$STATUS" 200
    stop_hark
}
graph_case "fail:190" 502 whatsapp_token "access token"
graph_case "429:5" 503 whatsapp_busy "limiting"
graph_case "rl:80007" 503 whatsapp_busy "limiting"
graph_case "500" 503 whatsapp_unavailable "not answering"
graph_case "503" 503 whatsapp_unavailable "not answering"
graph_case "timeout" 503 whatsapp_unavailable "too long"

# A token Meta refuses (the fake's own 190) and the rate limit on the send path: no message.
start_meta "429" 200
start_hark --outbox-retry-ms 200
set_settings "$WA" ".api_base = \"$GRAPH\""
N0=$(dbq "SELECT count(*) FROM message WHERE conversation_id=$CONV")
req POST "/api/v1/conversations/$CONV/messages" '{"template":{"name":"welcome_back","language":"en_US"}}'
check "send while Meta limits" "$STATUS" 503
check "nothing stored" "$(dbq "SELECT count(*) FROM message WHERE conversation_id=$CONV")" "$N0"
set_settings "$WA" '.access_token = "wrong-token"'
req GET "/api/v1/conversations/$CONV/templates"
check "wrong token" "$STATUS" 502
check "wrong token code" "$(jqr .error.code)" whatsapp_token
# Another account id: Meta does not know it.
set_settings "$WA" ".access_token = \"$PAGE_TOKEN\" | .business_account_id = \"999\""
req GET "/api/v1/conversations/$CONV/templates"
check "unknown account" "$STATUS" 502
jqr .error.message | grep -q "Business Account ID" || fail "unknown account words: $BODY"

# Not a WhatsApp conversation: 422; a missing one: 404.
new_channel api605
hook "$CH_ID" "$CH_SECRET" '{"id":"m605","from":{"id":"c605","name":"Cy"},"text":"hello"}'
C2=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C2/templates"
check "not WhatsApp" "$STATUS" 422
req GET "/api/v1/conversations/999999/templates"
check "missing conversation" "$STATUS" 404
stop_hark
echo "all ok"
