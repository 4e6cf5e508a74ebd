# Telegram: secret-token check, update parsing (private chats and groups), dedupe on redelivery,
# out-of-order updates, and sendMessage delivery with a 429 retry_after and a permanent 403.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
TG="python3 $FAKES/telegram_fake.py"
start_fake telegram_fake --token 123:ABC --script "429:1,500,200,403" --then 200
start_hark --outbox-retry-ms 200
admin_setup

req POST /api/v1/channels '{"type":"telegram","name":"Bot","settings":{"bot_token":"123:ABC"}}'
check "secret_token required" "$STATUS" 422
req POST /api/v1/channels '{"type":"telegram","name":"Bot","settings":{"bot_token":"123:ABC","secret_token":"bad token!"}}'
check "secret_token charset" "$STATUS" 422
req POST /api/v1/channels '{"type":"telegram","name":"Bot","settings":{"bot_token":"123:ABC","secret_token":"s","nope":1}}'
check "unknown setting" "$STATUS" 422
new_typed_channel telegram "Bot" "{\"bot_token\":\"123:ABC\",\"secret_token\":\"my_Secret-Token_123\",\"api_base\":\"$FAKE_URL\"}"
req GET /api/v1/channels
echo "$BODY" | grep -q '123:ABC' && fail "bot token listed"
echo "$BODY" | grep -q 'my_Secret-Token_123' && fail "secret token listed"

U1='{"update_id":700000001,"message":{"message_id":4321,"from":{"id":123456789,"is_bot":false,"first_name":"Lena","last_name":"Ortiz","username":"lenao"},"chat":{"id":123456789,"type":"private","first_name":"Lena"},"date":1700000000,"text":"Hi, my code does not work"}}'
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body "$U1")"
check "update accepted" "$PSTATUS" 200
check "not duplicate" "$(echo "$PBODY" | jq -r .duplicate)" false
CONV=$(echo "$PBODY" | jq -r .conversation_id)
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body "$U1" --times 2 | tail -1)"
check "redelivered update is a duplicate" "$(echo "$PBODY" | jq -r .duplicate)" true
check "one message" "$(count_msgs)" 1

U1B=$(echo "$U1" | sed 's/4321/4322/')
push_result "$($TG push --url "$CH_HOOK" --secret wrong --body "$U1B")"
check "wrong secret token" "$PSTATUS" 401
push_result "$($TG push --url "$CH_HOOK" --no-secret --body "$U1B")"
check "missing secret token" "$PSTATUS" 401
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body '{"update_id":1,"message":')"
check "malformed" "$PSTATUS" 400
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body '{"message":{}}')"
check "no update_id" "$PSTATUS" 400
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body '{"update_id":5,"message":{"message_id":1,"chat":{"id":1,"type":"private"}}}')"
check "no sender" "$PSTATUS" 400
check "nothing stored on 401/400" "$(count_msgs)" 1
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body '{"update_id":700000009,"callback_query":{"id":"1"}}')"
check "other update kinds acknowledged" "$PSTATUS" 200
check "and not stored" "$(count_msgs)" 1

req GET "/api/v1/conversations/$CONV"
check "private chat" "$(jqp .public)" false
check "sender name" "$(jqp .contact.name)" "Lena Ortiz"
check "handle" "$(jqp '.contact.identities[0].handle')" "@lenao"
check "text" "$(jqp '.messages[0].text')" "Hi, my code does not work"

# A group: public, one conversation for the chat whoever writes; out of order is fine.
G2='{"update_id":700000012,"message":{"message_id":77,"from":{"id":42,"first_name":"Tom"},"chat":{"id":-1001234567890,"type":"supergroup","title":"Fans"},"date":1700000100,"text":"@shop_bot second"}}'
G1='{"update_id":700000011,"message":{"message_id":76,"from":{"id":43,"first_name":"Ana"},"chat":{"id":-1001234567890,"type":"supergroup","title":"Fans"},"date":1700000050,"text":"@shop_bot first","photo":[{"file_id":"x"}]}}'
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body "$G2")"
GCONV=$(echo "$PBODY" | jq -r .conversation_id)
push_result "$($TG push --url "$CH_HOOK" --secret my_Secret-Token_123 --body "$G1")"
check "group members share the chat's conversation" "$(echo "$PBODY" | jq -r .conversation_id)" "$GCONV"
req GET "/api/v1/conversations/$GCONV"
check "group is public" "$(jqp .public)" true
check "photo noted" "$(jqp '.messages[] | select(.external_id=="-1001234567890:76") | .text')" "@shop_bot first
[photo]"

# Outbound: 429 with parameters.retry_after, then a 5xx, then sent; quoting the customer's
# message.
reply "$CONV" "Sorry about that! Here is a new code."
wait_status "$MSG" sent 15
check "429, then 500, then sent" "$(jq -r .status "$FAKE_LOG" | tr '\n' ' ')" "429 500 200 "
L=$(sed -n 3p "$FAKE_LOG")
check "token in path" "$(echo "$L" | jq -r .token_ok)" true
check "chat id" "$(echo "$L" | jq -r .chat_id)" 123456789
check "quotes the message" "$(echo "$L" | jq -r .reply_to)" 4321
check "text" "$(echo "$L" | jq -r .text)" "Sorry about that! Here is a new code."
# Permanent: the bot was blocked.
reply "$GCONV" "Hello group"
wait_status "$MSG" failed 10
check "reason shown" "$(msg_error "$MSG")" "telegram: Forbidden: bot was blocked by the user"
check "group chat id" "$(sed -n 4p "$FAKE_LOG" | jq -r .chat_id)" -1001234567890
# Too long for Telegram: refused up front.
LONG=$(head -c 4097 /dev/zero | tr '\0' 'a')
req POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"$LONG\"}"
check "over 4096 refused" "$STATUS" 422
stop_hark
