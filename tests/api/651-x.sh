# X: CRC handshake, x-twitter-webhooks-signature, mentions (public, threaded) and DMs (private),
# echoes skipped, dedupe; replies as posts and DMs with 429 (x-rate-limit-reset) and 403.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
XF="python3 $FAKES/x_fake.py"
start_fake x_fake --token user-token-1 --script "429:1,503,201,201,403" --then 201
start_hark --outbox-retry-ms 200
admin_setup

req POST /api/v1/channels '{"type":"x","name":"X","settings":{"consumer_secret":"s","access_token":"t","user_id":"abc"}}'
check "user_id must be numeric" "$STATUS" 422
req POST /api/v1/channels '{"type":"x","name":"X","settings":{"consumer_secret":"s","user_id":"1"}}'
check "access_token required" "$STATUS" 422
new_typed_channel x "X" "{\"consumer_secret\":\"test_consumer_secret\",\"access_token\":\"user-token-1\",\"user_id\":\"2244994945\",\"api_base\":\"$FAKE_URL\"}"
req GET /api/v1/channels
echo "$BODY" | grep -q 'test_consumer_secret\|user-token-1' && fail "x secrets listed"

# CRC: the documented vector, and a challenge from the fake.
code=$(curl -s -o "$T/crc" -w '%{http_code}' "$CH_HOOK?crc_token=challenge-token-123")
check "crc status" "$code" 200
check "crc vector" "$(cat "$T/crc")" '{"response_token":"sha256=8Ru0z/iAMWBO5GHdNJtgqwJDLAC63yhnF2FJGphscU0="}'
check "crc from the fake" "$($XF crc --url "$CH_HOOK" --secret test_consumer_secret --token "x$$" | tail -1)" "crc ok"
code=$(curl -s -o /dev/null -w '%{http_code}' "$CH_HOOK")
check "crc without token" "$code" 400

# The documented DM body and signature.
DM='{"for_user_id":"2244994945","direct_message_events":[{"type":"message_create","id":"1700000000000000001","created_timestamp":"1700000000000","message_create":{"target":{"recipient_id":"2244994945"},"sender_id":"3805104374","message_data":{"text":"Hi, my order is late"}}}],"users":{"3805104374":{"id":"3805104374","name":"Jane Customer","screen_name":"janec"}}}'
BODY=$(curl -s -w '\n%{http_code}' -H 'x-twitter-webhooks-signature: sha256=PURPyikoLGGcPRbKAR5i2YMwIw/tbkUR6tw61/W8fn4=' --data-binary "$DM" "$CH_HOOK")
check "documented signature accepted" "$(echo "$BODY" | tail -1)" 200
DCONV=$(echo "$BODY" | sed '$d' | jq -r .conversation_id)
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body "$DM" --times 2 | tail -1)"
check "redelivered DM is a duplicate" "$(echo "$PBODY" | jq -r .duplicate)" true
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body "$(echo "$DM" | sed 's/000001/000002/')" --bad-sig)"
check "bad signature" "$PSTATUS" 401
BODY=$(curl -s -w '\n%{http_code}' --data-binary "$DM" "$CH_HOOK")
check "missing signature" "$(echo "$BODY" | tail -1)" 401
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body '{"for_user_id":"2244994945","direct_message_events":[{"type":"message_create","id":"9"}]}')"
check "malformed DM" "$PSTATUS" 400
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body '{"direct_message_events":[')"
check "malformed JSON" "$PSTATUS" 400
check "one message stored" "$(count_msgs)" 1
# An echo of our own DM and another account's activity are acknowledged, not stored.
ECHO='{"for_user_id":"2244994945","direct_message_events":[{"type":"message_create","id":"1700000000000000005","created_timestamp":"1700000000500","message_create":{"target":{"recipient_id":"3805104374"},"sender_id":"2244994945","message_data":{"text":"our reply"}}}]}'
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body "$ECHO")"
check "echo acknowledged" "$PSTATUS" 200
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body "$(echo "$DM" | sed 's/"for_user_id":"2244994945"/"for_user_id":"1"/; s/000001/000003/')")"
check "other account acknowledged" "$PSTATUS" 200
check "still one message" "$(count_msgs)" 1
req GET "/api/v1/conversations/$DCONV"
check "DM is private" "$(jqp .public)" false
check "DM sender" "$(jqp .contact.name)" "Jane Customer"
check "DM handle" "$(jqp '.contact.identities[0].handle')" "@janec"

# Mentions: public; a reply to the mention threads into it.
M1='{"for_user_id":"2244994945","user_has_blocked":false,"tweet_create_events":[{"created_at":"Tue Nov 14 22:13:20 +0000 2023","id":1724567890123456789,"id_str":"1724567890123456789","text":"@shop_support my package never arrived","in_reply_to_status_id_str":null,"in_reply_to_user_id_str":"2244994945","user":{"id":3805104374,"id_str":"3805104374","name":"Jane Customer","screen_name":"janec"},"entities":{"user_mentions":[{"screen_name":"shop_support","id_str":"2244994945"}]}}]}'
M2='{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1724567890123456800","text":"@janec @shop_support same here","in_reply_to_status_id_str":"1724567890123456789","user":{"id_str":"99","name":"Sam","screen_name":"sam"}},{"id_str":"1724567890123456801","text":"thanks!","in_reply_to_status_id_str":"1724567890123456700","user":{"id_str":"2244994945","name":"Shop","screen_name":"shop_support"}}]}'
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body "$M1")"
check "mention accepted" "$PSTATUS" 200
MCONV=$(echo "$PBODY" | jq -r .conversation_id)
[ "$MCONV" != "$DCONV" ] || fail "mention went into the DM conversation"
push_result "$($XF push --url "$CH_HOOK" --secret test_consumer_secret --body "$M2")"
check "reply threads into the mention" "$(echo "$PBODY" | jq -r .conversation_id)" "$MCONV"
req GET "/api/v1/conversations/$MCONV"
check "mention is public" "$(jqp .public)" true
check "two posts, our own skipped" "$(jqp '.messages | length')" 2

# Outbound: public reply as a post (429 and 503 first, then sent), DM reply, then a 403 DM.
reply "$MCONV" "@sam Sorry about that, we have sent you a DM."
wait_status "$MSG" sent 15
check "rate limited, 5xx, then sent" "$(jq -r .status "$FAKE_LOG" | tr '\n' ' ')" "429 503 201 "
L=$(sed -n 3p "$FAKE_LOG")
check "post" "$(echo "$L" | jq -r .kind)" tweet
check "in reply to the last post" "$(echo "$L" | jq -r .in_reply_to)" 1724567890123456800
check "bearer token" "$(echo "$L" | jq -r .auth_ok)" true
reply "$DCONV" "Can you share your order number?"
wait_status "$MSG" sent 10
L=$(sed -n 4p "$FAKE_LOG")
check "DM" "$(echo "$L" | jq -r .kind)" dm
check "DM to the customer" "$(echo "$L" | jq -r .to)" 3805104374
reply "$DCONV" "Are you there?"
wait_status "$MSG" failed 10
check "403 reason" "$(msg_error "$MSG")" "x: You are not permitted to send Direct Messages to this user. (HTTP 403)"
LONG=$(head -c 281 /dev/zero | tr '\0' 'a')
req POST "/api/v1/conversations/$MCONV/messages" "{\"text\":\"$LONG\"}"
check "over 280 refused" "$STATUS" 422

# Public to private: a DM to the thread's customer, in the conversation her DMs use.
req POST "/api/v1/conversations/$MCONV/private-reply" '{"text":"We have sent you a DM about your parcel."}'
check "private reply" "$STATUS" 201
check "lands in the DM thread" "$(jqp .conversation.id)" "$DCONV"
check "linked" "$(jqp .linked_conversation_id)" "$MCONV"
L=$(tail -1 "$FAKE_LOG")
check "sent as a DM" "$(echo "$L" | jq -r .kind)" dm
check "to the thread's customer" "$(echo "$L" | jq -r .to)" 3805104374
req POST "/api/v1/conversations/$DCONV/private-reply" '{"text":"x"}'
check "already private" "$STATUS" 422
stop_hark
