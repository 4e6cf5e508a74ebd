# The inbox API as a client uses it: list filters, cursor paging, get, reply, note, assign,
# status, labels, read; contacts list/search/get/patch; 4xx on bad input changes nothing.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"; W=$CH_ID; WS=$CH_SECRET
new_channel "App"; A=$CH_ID; AS=$CH_SECRET
for i in $(seq 1 25); do
    hook "$W" "$WS" "{\"id\":\"w$i\",\"from\":{\"id\":\"cust$i\",\"name\":\"Customer $i\"},\"text\":\"Question number $i about shipping\"}"
    [ "$STATUS" = 200 ] || fail "seed $i: $STATUS $BODY"
done
hook "$A" "$AS" '{"id":"a1","from":{"id":"zed","name":"Zed Quinn","handle":"@zedq"},"text":"Refund for the blue kayak please"}'
ZCONV=$(jqr .conversation_id)

req GET '/api/v1/conversations?limit=10'
check "page size" "$(jqr '.items | length')" 10
check "newest first" "$(jqr '.items[0].contact_name')" "Zed Quinn"
CUR=$(jqr .next_cursor); [ "$CUR" != null ] || fail "no next_cursor"
SEEN=$(jqr '.items[].id')
req GET "/api/v1/conversations?limit=10&cursor=$CUR"; SEEN="$SEEN $(jqr '.items[].id')"; CUR=$(jqr .next_cursor)
req GET "/api/v1/conversations?limit=10&cursor=$CUR"; SEEN="$SEEN $(jqr '.items[].id')"
check "last page" "$(jqr .next_cursor)" null
check "paging sees all once" "$(echo $SEEN | tr ' ' '\n' | sort -u | wc -l)" 26
check "paging no repeats" "$(echo $SEEN | tr ' ' '\n' | wc -l)" 26
req GET '/api/v1/conversations?order=oldest&limit=1'; check "oldest first" "$(jqr '.items[0].contact_name')" "Customer 1"
req GET "/api/v1/conversations?channel=$A"; check "channel filter" "$(jqr '.items | length')" 1
req GET '/api/v1/conversations?q=kayak'; check "search text" "$(jqr '.items[0].id')" "$ZCONV"
req GET '/api/v1/conversations?q=Quinn'; check "search contact name" "$(jqr '.items | length')" 1
req GET '/api/v1/conversations?q=%22%29%20OR%201%3D1%20--'; check "search is not syntax" "$STATUS" 200
check "hostile search matches nothing" "$(jqr '.items | length')" 0
req GET '/api/v1/conversations?status=bogus'; check "bad status filter" "$STATUS" 400
req GET '/api/v1/conversations?limit=1000'; check "bad limit" "$STATUS" 400
req GET '/api/v1/conversations?cursor=zzz'; check "bad cursor" "$STATUS" 400
req GET '/api/v1/conversations/999999'; check "missing conversation" "$STATUS" 404
req GET '/api/v1/conversations/abc'; check "non-numeric id" "$STATUS" 404

# Reply, note, assign, labels, status.
ADMIN_ID=$(dbq "SELECT id FROM agent WHERE email='admin@example.com'")
req POST "/api/v1/conversations/$ZCONV/messages" '{"text":"Internal: check the warehouse","private":true}'
check "note created" "$STATUS" 201
check "note kind" "$(jqr .kind)" note
check "note never queued" "$(jqr .status)" none
req POST "/api/v1/conversations/$ZCONV/messages" '{"text":"Hi Zed, refund is on its way."}'
check "reply created" "$STATUS" 201
# Handed to the outbox; the answer shows its state as read back, and this channel has no
# callback_url, so the outbox may already have failed it (for good) by then.
check "reply queued" "$(jqr '.status == "queued" or .status == "failed"')" true
check "reply outbound" "$(jqr .direction)" out
req POST "/api/v1/conversations/$ZCONV/messages" '{"text":"   "}'; check "blank reply" "$STATUS" 422
req POST "/api/v1/conversations/$ZCONV/messages" '{"text":"x","private":"yes"}'; check "bad private" "$STATUS" 422
req POST "/api/v1/conversations/$ZCONV/messages" '{"text":'; check "malformed reply" "$STATUS" 400
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/plain' \
    -d 'hello' "$URL/api/v1/conversations/$ZCONV/messages"); check "wrong content type" "$code" 415
req POST "/api/v1/conversations/999999/messages" '{"text":"x"}'; check "reply to missing" "$STATUS" 404
check "only two messages added" "$(dbq "SELECT count(*) FROM message WHERE conversation_id=$ZCONV")" 3
req POST "/api/v1/conversations/$ZCONV/assign" "{\"agent_id\":$ADMIN_ID}"; check "assign" "$(jqr .assignee_id)" "$ADMIN_ID"
req POST "/api/v1/conversations/$ZCONV/assign" '{"agent_id":4242}'; check "assign unknown agent" "$STATUS" 404
req GET "/api/v1/conversations?assignee=$ADMIN_ID"; check "assignee filter" "$(jqr '.items | length')" 1
req GET '/api/v1/conversations?assignee=none'; check "unassigned filter" "$(jqr '.items | length')" 25
req POST "/api/v1/conversations/$ZCONV/labels" '{"add":["refund","vip"]}'; check "labels" "$(jqr '.labels | join(",")')" "refund,vip"
req POST "/api/v1/conversations/$ZCONV/labels" '{"remove":["vip"]}'; check "remove label" "$(jqr '.labels | join(",")')" refund
req POST "/api/v1/conversations/$ZCONV/labels" '{"labels":["kayak","refund"]}'; check "set labels" "$(jqr '.labels | join(",")')" "kayak,refund"
req POST "/api/v1/conversations/$ZCONV/labels" '{"add":["a,b"]}'; check "bad label" "$STATUS" 422
req GET '/api/v1/conversations?label=kayak'; check "label filter" "$(jqr '.items[0].id')" "$ZCONV"
req POST "/api/v1/conversations/$ZCONV/status" '{"status":"snoozed","snooze_until":"2020-01-01T00:00:00Z"}'; check "snooze in past" "$STATUS" 422
req POST "/api/v1/conversations/$ZCONV/status" '{"status":"snoozed","snooze_until":"2099-01-01T00:00:00Z"}'; check "snooze" "$(jqr .status)" snoozed
req POST "/api/v1/conversations/$ZCONV/status" '{"status":"closed"}'; check "bad status" "$STATUS" 422
req POST "/api/v1/conversations/$ZCONV/status" '{"status":"resolved","reason":"refunded"}'; check "resolve" "$(jqr .status)" resolved
req GET '/api/v1/conversations?status=resolved'; check "resolved filter" "$(jqr '.items | length')" 1
req GET "/api/v1/conversations/$ZCONV"
check "get has contact" "$(jqr .contact.name)" "Zed Quinn"
check "get has messages" "$(jqr '.messages | length')" 3
check "note private" "$(jqr '.messages[1].private')" true
check "token reply has no agent author" "$(jqr '.messages[2].author_name')" null
req GET '/api/v1/conversations/counts'; check "counts open" "$(jqr .open)" 25
check "counts resolved" "$(jqr .resolved)" 1
W1=$(dbq "SELECT conversation_id FROM message WHERE external_id='w1'")
req POST "/api/v1/conversations/$W1/read"; check "mark read" "$(jqr .unread)" 0

# Contacts.
ZC=$(dbq "SELECT contact_id FROM conversation WHERE id=$ZCONV")
req GET '/api/v1/contacts?q=zedq'; check "contact search by handle" "$(jqr '.items[0].id')" "$ZC"
req GET '/api/v1/contacts?limit=5'; check "contacts page" "$(jqr '.items | length')" 5
req PATCH "/api/v1/contacts/$ZC" '{"tags":["vip"],"notes":"Prefers email","email":"zed@example.com","status":"customer"}'
check "patch contact" "$STATUS" 200
check "tags saved" "$(jqr '.tags[0]')" vip
check "notes saved" "$(jqr .notes)" "Prefers email"
req PATCH "/api/v1/contacts/$ZC" '{"status":"royalty"}'; check "bad contact status" "$STATUS" 422
req PATCH "/api/v1/contacts/$ZC" '{"password":"x"}'; check "unknown contact field" "$STATUS" 422
req GET "/api/v1/contacts/$ZC"; check "unchanged after 422" "$(jqr .status)" customer
check "contact history" "$(jqr '.conversations[0].id')" "$ZCONV"
req GET '/api/v1/contacts/424242'; check "missing contact" "$STATUS" 404
stop_hark
