# Ingest through the signed api-channel webhook: accepted, duplicates, bad signatures,
# malformed and oversized bodies (nothing stored on any failure), threading and reopen.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
check "webhook url" "$(jqr .webhook_url)" "$URL/hooks/$CH_ID"
req GET /api/v1/channels
check "secret never listed" "$(jqr '.items[0].secret')" null

count_msgs() { dbq 'SELECT count(*) FROM message'; }

B='{"id":"m1","from":{"id":"u1","name":"Olivia Smith","handle":"@olivia"},"text":"My order #1234 never arrived 😡"}'
hook "$CH_ID" "$CH_SECRET" "$B"; check "accepted" "$STATUS" 200
check "status field" "$(jqr .status)" accepted
check "not duplicate" "$(jqr .duplicate)" false
CONV=$(jqr .conversation_id); MSG=$(jqr .message_id)
hook "$CH_ID" "$CH_SECRET" "$B"; check "retry accepted" "$STATUS" 200
check "retry is duplicate" "$(jqr .duplicate)" true
check "duplicate names same message" "$(jqr .message_id)" "$MSG"
check "one message stored" "$(count_msgs)" 1

# Bad signature: 401, nothing stored.
BODY=$(curl -s -w '\n%{http_code}' -H 'X-Hark-Signature: sha256=0000000000000000000000000000000000000000000000000000000000000000' \
    --data-binary '{"id":"m2","from":{"id":"u1"},"text":"x"}' "$URL/hooks/$CH_ID")
check "bad signature" "$(echo "$BODY" | tail -1)" 401
BODY=$(curl -s -w '\n%{http_code}' --data-binary '{"id":"m2","from":{"id":"u1"},"text":"x"}' "$URL/hooks/$CH_ID")
check "missing signature" "$(echo "$BODY" | tail -1)" 401
# Signed with another channel's secret.
hook "$CH_ID" "deadbeef" '{"id":"m2","from":{"id":"u1"},"text":"x"}'; check "wrong secret" "$STATUS" 401
check "nothing stored after 401" "$(count_msgs)" 1
# Malformed: 400, nothing stored.
hook "$CH_ID" "$CH_SECRET" '{"id":"m3","from":{"id":"u1"},"text":'; check "malformed json" "$STATUS" 400
check "400 code" "$(jqr .error.code)" invalid
hook "$CH_ID" "$CH_SECRET" '{"id":"m3","text":"no sender"}'; check "missing from" "$STATUS" 400
hook "$CH_ID" "$CH_SECRET" '{"id":"m3","from":{"id":"u1"},"text":42}'; check "text not a string" "$STATUS" 400
hook "$CH_ID" "$CH_SECRET" '{"id":"m3","from":{"id":"u1"},"text":"a\u0000b"}'; check "NUL in text" "$STATUS" 400
hook "$CH_ID" "$CH_SECRET" "$(printf '{"id":"m3","from":{"id":"u1"},"text":"bad \377 utf8"}')"; check "invalid utf-8" "$STATUS" 400
hook "$CH_ID" "$CH_SECRET" '{"id":"m3","from":{"id":"u1"},"text":"x","created_at":"yesterday"}'; check "bad created_at" "$STATUS" 400
hook "$CH_ID" "$CH_SECRET" '[1,2]'; check "array body" "$STATUS" 400
LONG=$(head -c 17000 /dev/zero | tr '\0' 'a')
hook "$CH_ID" "$CH_SECRET" "{\"id\":\"m3\",\"from\":{\"id\":\"u1\"},\"text\":\"$LONG\"}"; check "text over 16 KiB" "$STATUS" 400
check "nothing stored after 400s" "$(count_msgs)" 1
# Oversized body: 413 before parsing.
head -c 1100000 /dev/zero | tr '\0' 'a' > "$T/big"
code=$(curl -s -o "$T/o" -w '%{http_code}' -H 'X-Hark-Signature: sha256=00' --data-binary @"$T/big" "$URL/hooks/$CH_ID")
check "oversized" "$code" 413
check "413 code" "$(jq -r .error.code < "$T/o")" too_large
hook 999 "$CH_SECRET" "$B"; check "unknown channel" "$STATUS" 404
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/hooks/$CH_ID?hub.challenge=x"); check "api channel has no GET handshake" "$code" 404
check "nothing stored" "$(count_msgs)" 1

# Threading: same sender continues the conversation; thread_id and reply_to thread explicitly.
hook "$CH_ID" "$CH_SECRET" '{"id":"m4","from":{"id":"u1","name":"Olivia Smith"},"text":"Hello?"}'
check "same contact, same conversation" "$(jqr .conversation_id)" "$CONV"
hook "$CH_ID" "$CH_SECRET" '{"id":"m5","from":{"id":"u2","name":"Liam"},"text":"Public post","thread_id":"post-9","public":true}'
T9=$(jqr .conversation_id); [ "$T9" != "$CONV" ] || fail "thread_id did not start a conversation"
hook "$CH_ID" "$CH_SECRET" '{"id":"m6","from":{"id":"u3","name":"Mia"},"text":"Same here!","thread_id":"post-9","public":true}'
check "thread_id threads other authors" "$(jqr .conversation_id)" "$T9"
hook "$CH_ID" "$CH_SECRET" '{"id":"m7","from":{"id":"u2"},"text":"Reply to myself","reply_to":"m5","public":true}'
check "reply_to threads" "$(jqr .conversation_id)" "$T9"
req GET "/api/v1/conversations/$T9"; check "public conversation" "$(jqr .public)" true
check "thread has 3 messages" "$(jqr '.messages | length')" 3

# A new message on a resolved conversation reopens it.
req POST "/api/v1/conversations/$CONV/status" '{"status":"resolved","reason":"answered"}'
check "resolve" "$(jqr .status)" resolved
check "reason kept" "$(jqr .resolution_reason)" answered
hook "$CH_ID" "$CH_SECRET" '{"id":"m8","from":{"id":"u1"},"text":"Still not here"}'
check "reopened into same conversation" "$(jqr .conversation_id)" "$CONV"
req GET "/api/v1/conversations/$CONV"; check "reopened" "$(jqr .status)" open
check "reason cleared" "$(jqr .resolution_reason)" null
check "unread counts inbound" "$(jqr .unread)" 3
check "contact resolved by identity" "$(jqr .contact.name)" "Olivia Smith"
check "identity handle" "$(jqr '.contact.identities[0].handle')" "@olivia"
check "emoji kept" "$(jqr '.messages[0].text')" "My order #1234 never arrived 😡"
curl -s "$URL/metrics" | grep -q '^hark_ingest_messages_total{result="duplicate"} 1$' || fail "duplicate metric"
stop_hark
