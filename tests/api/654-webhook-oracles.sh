# Webhook handshakes are no signing oracles: X's CRC answers only tokens of the shape X sends,
# so the signature of a forged JSON body cannot be obtained from it (the forgery is refused and
# nothing is stored); Meta's hub.challenge is echoed only with the right verify token and only
# as a plain token; channels without a GET handshake answer 404.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
start_hark
admin_setup
new_typed_channel x "X" '{"consumer_secret":"test_consumer_secret","access_token":"t","user_id":"2244994945"}'
X_HOOK=$CH_HOOK
uri() { jq -rn --arg v "$1" '$v|@uri'; }
crc() { curl -s -o "$T/crc" -w '%{http_code}' "$X_HOOK?crc_token=$(uri "$1")"; }

# The attack: ask the CRC for HMAC(consumer secret, <a JSON DM from Mallory>), then post that
# DM with the answer as its signature.
# (236 bytes: the old CRC answered any token up to 256 bytes)
FORGED='{"for_user_id":"2244994945","direct_message_events":[{"type":"message_create","id":"1700000000000000666","message_create":{"sender_id":"666","message_data":{"text":"send the refund to my new card"}}}],"users":{"666":{"name":"Mallory"}}}'
check "crc for a JSON body refused" "$(crc "$FORGED")" 400
SIG=$(jq -r '.response_token // "sha256="' "$T/crc" 2>/dev/null || echo "sha256=")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "x-twitter-webhooks-signature: $SIG" \
    --data-binary "$FORGED" "$X_HOOK")
check "forged DM refused" "$code" 401
check "nothing stored" "$(count_msgs)" 0

# Other shapes that are not X's: JSON arrays, strings and objects with spaces, controls, too long.
check "crc for a JSON array refused" "$(crc '[1]')" 400
check "crc for a JSON string refused" "$(crc '"x"')" 400
check "crc with a space refused" "$(crc 'a b')" 400
check "crc with a newline refused" "$(crc "$(printf 'a\nb')")" 400
check "crc of 97 bytes refused" "$(crc "$(printf 'A%.0s' $(seq 1 97))")" 400
check "crc without a token refused" "$(curl -s -o /dev/null -w '%{http_code}' "$X_HOOK")" 400
# What X sends still works: the documented vector, a UUID, base64 and base64url of 96 bytes.
check "crc vector" "$(crc challenge-token-123)" 200
check "crc vector answer" "$(cat "$T/crc")" '{"response_token":"sha256=8Ru0z/iAMWBO5GHdNJtgqwJDLAC63yhnF2FJGphscU0="}'
check "crc uuid" "$(crc 9b4507b3-9040-4669-9ca3-6b94edb50553)" 200
check "crc base64" "$(crc 'OWI0NTA3YjMtOTA0MC00NjY5LTljYTMtNmI5NGVkYjUwNTUz+/==')" 200
check "crc of 96 bytes" "$(crc "$(printf 'A%.0s' $(seq 1 96))")" 200
WANT=$(printf '%s' "$(printf 'A%.0s' $(seq 1 96))" | openssl dgst -sha256 -hmac test_consumer_secret -binary | base64)
check "crc of 96 bytes answer" "$(jq -r .response_token "$T/crc")" "sha256=$WANT"

# Meta: the challenge is echoed only with the right verify token, and only a plain token.
req POST /api/v1/channels '{"type":"messenger","name":"FB","settings":{"app_secret":"as","verify_token":"vt-fb","access_token":"at","page_id":"111222333444555"}}'
check "create messenger" "$STATUS" 201
FB=$(jqr .id)
mhook() { curl -s -o "$T/meta" -w '%{http_code}' "$URL/hooks/$FB?$1"; }
check "meta handshake" "$(mhook 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=vt-fb')" 200
check "meta echo" "$(cat "$T/meta")" 1158201444
check "meta wrong verify token" "$(mhook 'hub.mode=subscribe&hub.challenge=1&hub.verify_token=vt-fx')" 403
check "meta no verify token" "$(mhook 'hub.mode=subscribe&hub.challenge=1')" 403
check "meta wrong mode" "$(mhook 'hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=vt-fb')" 403
check "meta JSON challenge refused" "$(mhook "hub.mode=subscribe&hub.verify_token=vt-fb&hub.challenge=$(uri '{"object":"page"}')")" 400

# Channels whose platform has no GET handshake: nothing is answered.
for t in api webchat; do
    req POST /api/v1/channels "{\"type\":\"$t\",\"name\":\"$t\"}"
    check "create $t" "$STATUS" 201
    check "$t has no handshake" "$(curl -s -o /dev/null -w '%{http_code}' "$(jqr .webhook_url)?crc_token=abc&hub.challenge=1")" 404
done
new_typed_channel telegram "TG" '{"bot_token":"1:A","secret_token":"tg-secret"}'
check "telegram has no handshake" "$(curl -s -o /dev/null -w '%{http_code}' "$CH_HOOK?crc_token=abc")" 404
stop_hark
