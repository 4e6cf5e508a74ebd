# SMS (Twilio): X-Twilio-Signature over the webhook URL and sorted form parameters, empty TwiML
# answer, MessageSid dedupe, MMS media noted; Messages.json delivery with 429 and 5xx retried
# and 21610 (unsubscribed) failed with Twilio's reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
TW="python3 $FAKES/twilio_fake.py"
SID=AC00000000000000000000000000000000
start_fake twilio_fake --sid "$SID" --token 12345 --script "429:1,500,timeout,201,400:21610" --then 201
start_hark --outbox-retry-ms 200
admin_setup

req POST /api/v1/channels '{"type":"sms","name":"SMS","settings":{"account_sid":"AC1","auth_token":"x"}}'
check "from required" "$STATUS" 422
req POST /api/v1/channels '{"type":"sms","name":"SMS","settings":{"account_sid":"AC1","auth_token":"x","from":"+1","api_base":"ftp://x"}}'
check "api_base must be http" "$STATUS" 422
new_typed_channel sms "SMS" "{\"account_sid\":\"$SID\",\"auth_token\":\"12345\",\"from\":\"+14155550199\",\"api_base\":\"$FAKE_URL\"}"
req GET /api/v1/channels
echo "$BODY" | grep -q '"12345"' && fail "auth token listed"

P="AccountSid=$SID From=+14155550100 To=+14155550199 NumMedia=0 SmsStatus=received ApiVersion=2010-04-01"
OUT=$($TW push --url "$CH_HOOK" --token 12345 $P MessageSid=SM00000000000000000000000000000001 "Body=Hello there, my parcel & box?")
push_result "$OUT"
check "accepted" "$PSTATUS" 200
check "empty TwiML" "$PBODY" '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
code=$(curl -s -o /dev/null -w '%{content_type}' -H "X-Twilio-Signature: $(python3 -c "
import base64,hmac,hashlib,sys
s=sys.argv[1]+'AccountSid${SID}BodyhiFrom+14155550100MessageSidSM9'
print(base64.b64encode(hmac.new(b'12345',s.encode(),hashlib.sha1).digest()).decode())" "$CH_HOOK")" \
    --data-binary "AccountSid=$SID&From=%2B14155550100&Body=hi&MessageSid=SM9" "$CH_HOOK")
check "TwiML content type" "$code" "text/xml"
check "two messages" "$(count_msgs)" 2
push_result "$($TW push --url "$CH_HOOK" --token 12345 --times 2 $P MessageSid=SM00000000000000000000000000000001 "Body=Hello there, my parcel & box?" | tail -1)"
check "retry is a duplicate" "$PSTATUS" 200
check "nothing new" "$(count_msgs)" 2
push_result "$($TW push --url "$CH_HOOK" --token 12345 --bad-sig $P MessageSid=SM3 Body=x)"
check "bad signature" "$PSTATUS" 401
push_result "$($TW push --url "$CH_HOOK" --token 12345 --sign-url "http://evil.example/hooks/$CH_ID" $P MessageSid=SM3 Body=x)"
check "signed for another URL" "$PSTATUS" 401
push_result "$($TW push --url "$CH_HOOK" --token 12345 $P Body=no-sid)"
check "missing MessageSid" "$PSTATUS" 400
python3 -c "print('Body='+'a'*900000+'&MessageSid=SM5&From=x')" > "$T/bigform"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Twilio-Signature: x' --data-binary @"$T/bigform" "$CH_HOOK")
check "900 KB form with a bad signature" "$code" 401
check "nothing stored on 401/400" "$(count_msgs)" 2

# MMS: media become lines naming their type.
push_result "$($TW push --url "$CH_HOOK" --token 12345 AccountSid=$SID From=+14155550100 To=+14155550199 MessageSid=SM4 Body=look NumMedia=1 MediaContentType0=image/jpeg MediaUrl0=http://127.0.0.1:9/m.jpg)"
CONV=$(echo "$PBODY" | head -c0; dbq "SELECT conversation_id FROM message WHERE external_id='SM4'")
req GET "/api/v1/conversations/$CONV"
check "private" "$(jqp .public)" false
check "one conversation per number" "$(jqp '.messages | length')" 3
check "media noted" "$(jqp '.messages[] | select(.external_id=="SM4") | .text')" "look
[media image/jpeg]"
check "text decoded" "$(jqp '.messages[] | select(.external_id=="SM00000000000000000000000000000001") | .text')" "Hello there, my parcel & box?"
check "phone as handle" "$(jqp '.contact.identities[0].handle')" "+14155550100"

# Outbound: 429, then 500, then no answer (Hark gives up after 15 s), then sent.
reply "$CONV" "Your order ships today"
wait_status "$MSG" sent 40
check "four attempts" "$(jq -r .step "$FAKE_LOG" | tr '\n' ' ')" "429:1 500 timeout 201 "
L=$(sed -n 4p "$FAKE_LOG")
check "basic auth" "$(echo "$L" | jq -r .auth_ok)" true
check "to" "$(echo "$L" | jq -r .to)" "+14155550100"
check "from" "$(echo "$L" | jq -r .from)" "+14155550199"
check "body" "$(echo "$L" | jq -r .body)" "Your order ships today"
# Permanent: the customer texted STOP.
reply "$CONV" "One more thing"
wait_status "$MSG" failed 10
check "21610 reason" "$(msg_error "$MSG")" "twilio error 21610: Attempt to send to unsubscribed recipient (HTTP 400)"
LONG=$(head -c 1601 /dev/zero | tr '\0' 'a')
req POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"$LONG\"}"
check "over 1600 refused" "$STATUS" 422
stop_hark
