# Canned replies as a client uses them: shared and personal sets with their roles (admins and
# supervisors edit shared ones, each agent only their own personal ones, invisible to others),
# validation beside the field, search (shortcut prefix, title word, body words, personal first,
# language variants), render with variables filled and missing ones flagged (hostile attribute
# values stay plain text), the reply check's nudges, and "send anyway" counted per agent in
# GET /api/v1/canned/overrides and /metrics.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --display-name "Bo" --role agent --password-stdin >/dev/null || fail "agent add bo"
echo "agent-password-2" | "$HARK" agent add --db "$DB" --email cy@example.com --name "Cy Chen" \
    --role agent --password-stdin >/dev/null || fail "agent add cy"
BO=$(dbq "SELECT id FROM agent WHERE email='bo@example.com'")

# login EMAIL PASSWORD NAME: a cookie session in $T/NAME.jar, its CSRF token in $T/NAME.csrf.
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
login bo@example.com agent-password-1 bo
login cy@example.com agent-password-2 cy

# Shared replies: admins create them, agents may not.
req POST /api/v1/canned '{"title":"Refund on its way","shortcut":"refund","shared":true,
  "tags":["billing"],"bodies":{"en":"Hi {contact.first_name}, {agent.first_name} here: your refund for order {order.ref} is on its way.","es":"Hola {contact.first_name}, soy {agent.first_name}: tu reembolso del pedido {order.ref} está en camino."}}'
check "admin creates shared" "$STATUS" 201
REFUND=$(jqr .id)
check "shared flag" "$(jqr .shared)" true
check "default language" "$(jqr .default_lang)" en
check "tags" "$(jqr '.tags | join(",")')" billing
req POST /api/v1/canned '{"title":"Parcel status","shortcut":"where","shared":true,"bodies":{"en":"Your parcel left the warehouse today."}}'
check "second shared" "$STATUS" 201
WHERE=$(jqr .id)
as bo POST /api/v1/canned '{"title":"Mine","shortcut":"mine","shared":true,"bodies":{"en":"x"}}'
check "agent may not create shared" "$STATUS" 403
as bo PUT "/api/v1/canned/$REFUND" '{"title":"Hacked","shortcut":"refund","bodies":{"en":"x"}}'
check "agent may not edit shared" "$STATUS" 403
as bo DELETE "/api/v1/canned/$REFUND"
check "agent may not delete shared" "$STATUS" 403

# Validation: the message names the field.
req POST /api/v1/canned '{"title":"","shortcut":"x","bodies":{"en":"x"}, "shared":true}'
check "empty title" "$STATUS/$(jqr .error.field)" "422/title"
req POST /api/v1/canned '{"title":"T","shortcut":"Bad Shortcut!","bodies":{"en":"x"}, "shared":true}'
check "bad shortcut" "$STATUS/$(jqr .error.field)" "422/shortcut"
req POST /api/v1/canned '{"title":"T","shortcut":"refund","bodies":{"en":"x"}, "shared":true}'
check "duplicate shortcut in the set" "$STATUS/$(jqr .error.field)" "422/shortcut"
req POST /api/v1/canned '{"title":"T","shortcut":"t","bodies":{}, "shared":true}'
check "no body" "$STATUS/$(jqr .error.field)" "422/bodies"
req POST /api/v1/canned '{"title":"T","shortcut":"t","bodies":{"en":"   "}, "shared":true}'
check "blank body" "$STATUS/$(jqr .error.field)" "422/bodies"
req POST /api/v1/canned '{"title":"T","shortcut":"t","bodies":{"en":"x"},"default_lang":"de", "shared":true}'
check "default language without body" "$STATUS/$(jqr .error.field)" "422/default_lang"
req POST /api/v1/canned '{"title":"T","shortcut":"t","bodies":{"en":"x"}}'
check "the CLI token has no personal set" "$STATUS/$(jqr .error.field)" "422/shared"
check "nothing stored by refused writes" "$(dbq 'SELECT count(*) FROM canned_reply')" 2

# Personal replies: each agent their own; the same shortcut may exist in another set.
as bo POST /api/v1/canned '{"title":"My refund words","shortcut":"refund","bodies":{"en":"Bo again, {contact.first_name}: refund sorted."}}'
check "agent creates personal" "$STATUS" 201
BOREF=$(jqr .id)
check "personal not shared" "$(jqr .shared)/$(jqr .owner_agent_id)" "false/$BO"
as cy GET "/api/v1/canned/$BOREF"
check "another agent cannot see it" "$STATUS" 404
as cy PUT "/api/v1/canned/$BOREF" '{"title":"x","shortcut":"x","bodies":{"en":"x"}}'
check "nor edit it" "$STATUS" 404
as bo PUT "/api/v1/canned/$BOREF" '{"title":"My refund words","shortcut":"refund","bodies":{"en":"Bo again, {contact.first_name}: refund sorted today."}}'
check "owner edits" "$STATUS/$(jqr .body)" "200/Bo again, {contact.first_name}: refund sorted today."
as bo PUT "/api/v1/canned/$BOREF" '{"title":"x","shortcut":"x","bodies":{"en":"x"},"shared":true}'
check "a reply stays in its set" "$STATUS/$(jqr .error.field)" "422/shared"

# Search: personal first, shortcut prefix, title word, body words, language.
as bo GET '/api/v1/canned?q=ref'
check "prefix finds both sets" "$(jqr '[.items[].id] | join(",")')" "$BOREF,$REFUND"
check "editable per caller" "$(jqr '[.items[].editable] | join(",")')" "true,false"
as cy GET '/api/v1/canned?q=ref'
check "others see only shared" "$(jqr '[.items[].id] | join(",")')" "$REFUND"
as cy GET '/api/v1/canned?q=stat'
check "title word" "$(jqr '[.items[].id] | join(",")')" "$WHERE"
as cy GET '/api/v1/canned?q=warehou'
check "body words, as prefixes" "$(jqr '[.items[].id] | join(",")')" "$WHERE"
as cy GET '/api/v1/canned?q=reembolso&lang=es'
check "body in another language" "$(jqr '.items[0].id')/$(jqr '.items[0].lang')" "$REFUND/es"
as cy GET '/api/v1/canned?q=%22zq)%20NOT%20*%20--%20%5E'
check "search is never syntax" "$STATUS/$(jqr '.items | length')" "200/0"
as cy GET '/api/v1/canned?limit=1'
check "limit" "$(jqr '.items | length')" 1
as cy GET '/api/v1/canned?limit=0'
check "bad limit" "$STATUS" 400

# Render for a conversation: variables from the contact, its attributes and the agent.
new_channel "Web"
hook "$CH_ID" "$CH_SECRET" '{"id":"m1","from":{"id":"ana","name":"Ana María López"},"text":"Where is my refund?"}'
CONV=$(jqr .conversation_id)
CONTACT=$(dbq "SELECT contact_id FROM conversation WHERE id=$CONV")
as bo POST "/api/v1/canned/$REFUND/render" "{\"conversation_id\":$CONV,\"lang\":\"en\"}"
check "render" "$STATUS" 200
check "missing order ref flagged" "$(jqr '.missing | join(",")')" "order.ref"
check "filled text" "$(jqr .text)" "Hi Ana, Bo here: your refund for order {order.ref} is on its way."
req PATCH "/api/v1/contacts/$CONTACT" '{"attributes":{"order_ref":"A-1042\n<script>alert(1)</script>"}}'
check "attributes saved" "$STATUS" 200
as bo POST "/api/v1/canned/$REFUND/render" "{\"conversation_id\":$CONV,\"lang\":\"es\"}"
check "spanish variant, hostile value plain text on one line" "$(jqr .text)" \
    "Hola Ana, soy Bo: tu reembolso del pedido A-1042 <script>alert(1)</script> está en camino."
check "nothing missing" "$(jqr '.missing | length')/$(jqr .lang)" "0/es"
as bo POST "/api/v1/canned/$REFUND/render" "{\"conversation_id\":$CONV,\"lang\":\"de\"}"
check "unknown language falls back to the default" "$(jqr .lang)" en
as cy POST "/api/v1/canned/$BOREF/render" "{\"conversation_id\":$CONV}"
check "cannot render another's personal reply" "$STATUS" 404
as bo POST "/api/v1/canned/$REFUND/render" '{"conversation_id":999999}'
check "render for a missing conversation" "$STATUS" 404
as bo POST "/api/v1/canned/$REFUND/render" '{}'
check "render needs a conversation" "$STATUS/$(jqr .error.field)" "422/conversation_id"

# The reply check: the canned text verbatim is nudged, a personal reply is not.
as bo POST "/api/v1/canned/$REFUND/render" "{\"conversation_id\":$CONV,\"lang\":\"en\"}"
FILLED=$(jqr .text)
CHECKBODY=$(jq -n --arg t "$FILLED" --argjson c "$REFUND" '{text:$t, canned_id:$c}')
as bo POST "/api/v1/conversations/$CONV/reply-check" "$CHECKBODY"
check "verbatim nudged" "$STATUS/$(jqr '[.nudges[].kind] | join(",")')" "200/canned_verbatim"
echo "$BODY" | jq -r '.nudges[0].message' | grep -q "Ana" || fail "nudge message names the customer: $BODY"
as bo POST "/api/v1/conversations/$CONV/reply-check" '{"text":"Your parcel left our warehouse this morning and arrives tomorrow."}'
check "no name nudged" "$(jqr '[.nudges[].kind] | join(",")')" "no_name"
as bo POST "/api/v1/conversations/$CONV/reply-check" '{"text":"Ana, I am sorry: the first refund bounced because the card expired, so I sent it again to your new card."}'
check "personal reply not nudged" "$(jqr '.nudges | length')" 0
as bo POST "/api/v1/conversations/$CONV/reply-check" '{"text":"We apologize for any inconvenience. Thank you for your patience."}'
check "boilerplate nudged" "$(jqr '[.nudges[].kind] | join(",")')" "no_name,boilerplate"
as bo POST "/api/v1/conversations/$CONV/reply-check" '{}'
check "check needs text" "$STATUS/$(jqr .error.field)" "422/text"

# Send anyway: counted for the agent only when the reply was indeed nudged.
SEND=$(jq -n --arg t "$FILLED" --argjson c "$REFUND" '{text:$t, canned_id:$c, send_anyway:true}')
as bo POST "/api/v1/conversations/$CONV/messages" "$SEND"
check "sent anyway" "$STATUS" 201
as bo POST "/api/v1/conversations/$CONV/messages" '{"text":"Ana, one more thing: the courier will ring twice tomorrow morning.","send_anyway":true}'
check "sent anyway without a nudge" "$STATUS" 201
as bo POST "/api/v1/conversations/$CONV/messages" '{"text":"x","send_anyway":"yes"}'
check "bad send_anyway" "$STATUS/$(jqr .error.field)" "422/send_anyway"
req GET /api/v1/canned/overrides
check "override counted once" "$(jqr "[.items[] | select(.agent_id == $BO) | .count] | join(\",\")")" 1
as bo GET /api/v1/canned/overrides
check "agents do not see the counts" "$STATUS" 403
M=$(curl -s "$URL/metrics" | grep "^hark_reply_nudge_overridden_total{agent=\"$BO\"}")
check "metric per agent" "$M" "hark_reply_nudge_overridden_total{agent=\"$BO\"} 1"

# Repetition: the same reply to several customers is near-identical to the recent ones.
for n in Ben Cleo Dara; do
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"r$n\",\"from\":{\"id\":\"$n\",\"name\":\"$n\"},\"text\":\"Where is my parcel?\"}"
    C=$(jqr .conversation_id)
    req POST "/api/v1/conversations/$C/messages" "{\"text\":\"Hi $n, thanks for your message. Your order has been shipped and will arrive within three to five working days.\"}"
    check "reply to $n" "$STATUS" 201
done
hook "$CH_ID" "$CH_SECRET" '{"id":"rEve","from":{"id":"eve","name":"Eve"},"text":"Where is my parcel?"}'
C=$(jqr .conversation_id)
as bo POST "/api/v1/conversations/$C/reply-check" '{"text":"Hi Eve, thanks for your message. Your order has been shipped and will arrive within three to five working days."}'
check "near-identical to recent replies" "$(jqr '[.nudges[].kind] | join(",")')" "repetitive"

# Delete: the owner's own; gone from search.
as bo DELETE "/api/v1/canned/$BOREF"
check "owner deletes" "$STATUS" 204
as bo GET '/api/v1/canned?q=ref'
check "deleted reply gone from search" "$(jqr '[.items[].id] | join(",")')" "$REFUND"
req DELETE "/api/v1/canned/$WHERE"
check "admin deletes shared" "$STATUS" 204
as cy GET '/api/v1/canned?q=warehou'
check "its body is gone from the index" "$(jqr '.items | length')" 0

# Without "lang", the conversation's own language picks the variant (its customer's latest
# message as triage identified it; language identification needs no model files).
hook "$CH_ID" "$CH_SECRET" '{"id":"es1","from":{"id":"lucia","name":"Lucía Gómez"},"text":"Hola, ¿dónde está mi reembolso? Lo pedí hace dos semanas y todavía no ha llegado nada a mi tarjeta."}'
C=$(jqr .conversation_id)
check "triage knows the language" "$(dbq "SELECT lang FROM message WHERE conversation_id=$C")" es
as bo POST "/api/v1/canned/$REFUND/render" "{\"conversation_id\":$C}"
check "the conversation's language" "$(jqr .lang)" es
check "filled in Spanish" "$(jqr '.text[0:10]')" "Hola Lucía"
