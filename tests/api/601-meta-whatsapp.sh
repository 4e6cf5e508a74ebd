# WhatsApp Cloud API against tests/fakes/meta_fake.py: the GET handshake, X-Hub-Signature-256
# (the PROTOCOLS.md test vector, bad signatures store nothing), duplicates, statuses ignored,
# replies in the Cloud API shape, 429 and pair-rate-limit codes slow delivery down, 5xx is
# retried, a permanent error ends failed with Meta's reason, the 24-hour window refuses
# free-form text but takes a template, and the 4096-byte text limit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metalib.sh"
start_meta "429:1,rl:131056,500" 200
start_hark --outbox-retry-ms 200
admin_setup
PHONE=800000000000002
meta_channel whatsapp wa phone_number_id "$PHONE"
WA=$CH_ID
check "verify token shown once" "$(jqr .verify_token)" vt-wa
check "webhook url shown" "$(jqr .webhook_url)" "$URL/hooks/$WA"
req GET /api/v1/channels
check "secrets redacted" "$(jqr ".items[] | select(.id==$WA) | .settings.app_secret + .settings.access_token + .settings.verify_token")" "************************"
check "id kept" "$(jqr ".items[] | select(.id==$WA) | .settings.phone_number_id")" "$PHONE"
echo "$BODY" | grep -q "$PAGE_TOKEN\|$APP_SECRET" && fail "a secret came back"

# Handshake: hub.challenge echoed as plain text; a wrong token is 403.
check "handshake" "$(curl -s "$URL/hooks/$WA?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=vt-wa")" 1158201444
check "handshake wrong token" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/hooks/$WA?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope")" 403
check "handshake wrong mode" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/hooks/$WA?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=vt-wa")" 403

# The exact test vector from PROTOCOLS.md §4.2 (an old timestamp: the window is closed).
VEC='{"object":"whatsapp_business_account","entry":[{"id":"900000000000001","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"800000000000002"},"contacts":[{"profile":{"name":"Ana Lima"},"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.TESTWAMID0001","timestamp":"1700000000","type":"text","text":{"body":"Where is my parcel?"}}]},"field":"messages"}]}]}'
S=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'X-Hub-Signature-256: sha256=be705e2343f3671a078aeb11819fb42d230c5e6e37c7a5fcad6eb2691c286a93' --data-binary "$VEC" "$URL/hooks/$WA")
check "test vector accepted" "$S" 200
S=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Hub-Signature-256: sha256=be705e2343f3671a078aeb11819fb42d230c5e6e37c7a5fcad6eb2691c286a94' --data-binary "$VEC" "$URL/hooks/$WA")
check "one flipped hex digit" "$S" 401
S=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "$VEC" "$URL/hooks/$WA")
check "no signature" "$S" 401
OLD=$(dbq "SELECT conversation_id FROM message WHERE external_id='wamid.TESTWAMID0001'")
req GET "/api/v1/conversations/$OLD"
check "contact name from contacts[]" "$(jqr .contact.name)" "Ana Lima"
check "window closed" "$(jqr .reply_window_open)" false
req POST "/api/v1/conversations/$OLD/messages" '{"text":"Hello again"}'
check "free-form outside the window" "$STATUS" 422
check "error code" "$(jqr .error.code)" outside_reply_window
jqr .error.message | grep -q template || fail "the refusal offers a template"
req POST "/api/v1/conversations/$OLD/messages" '{"text":"note","private":true}'
check "notes are not limited by the window" "$STATUS" 201

# Bad signature: 401 and nothing stored.
BEFORE=$(nmsgs "$WA")
push "$WA" whatsapp_business_account --bad-sig "$(entry wa --account $PHONE --sender 5511911110000 --id wamid.BAD1 --text 'forged')"
check "bad signature" "$PUSH_STATUS" 401
check "nothing stored" "$(nmsgs "$WA")" "$BEFORE"

# A live message, delivered three times (Meta retries): one message.
push "$WA" whatsapp_business_account --times 3 "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.LIVE1 --name 'Bruno Souza' --text 'Olá, meu pedido atrasou')"
check "three deliveries accepted" "$PUSH_STATUS" "200 200 200"
check "stored once" "$(dbq "SELECT count(*) FROM message WHERE external_id='wamid.LIVE1'")" 1
check "non-ASCII text kept" "$(dbq "SELECT text FROM message WHERE external_id='wamid.LIVE1'")" "Olá, meu pedido atrasou"
CONV=$(dbq "SELECT conversation_id FROM message WHERE external_id='wamid.LIVE1'")
# A status receipt and a message for another number of the business are ignored.
push "$WA" whatsapp_business_account "$(entry wa-status --account $PHONE --sender 5511922220000 --id wamid.SENT0001)" "$(entry wa --account 999 --sender 5511922220000 --id wamid.OTHER --text x)"
check "statuses acknowledged" "$PUSH_STATUS" 200
check "nothing stored for statuses" "$(dbq "SELECT count(*) FROM message WHERE external_id='wamid.OTHER'")" 0
# Media become a placeholder with the caption.
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511944440000 --id wamid.IMG1 --attach 'image:the box was open')"
check "image placeholder" "$(dbq "SELECT text FROM message WHERE external_id='wamid.IMG1'")" "[image]
the box was open"

req GET "/api/v1/conversations/$CONV"
check "window open" "$(jqr .reply_window_open)" true
[ "$(jqr .reply_window_closes_at)" != null ] || fail "reply_window_closes_at"

# Text limit: 4096 bytes.
LONG=$(head -c 4097 /dev/zero | tr '\0' a)
req POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"$LONG\"}"
check "over 4096 bytes refused" "$STATUS" 422
jqr .error.message | grep -q 4096 || fail "limit named"

# Reply: 429 (Retry-After 1), pair rate limit, 500, then delivered in the Cloud API shape.
T0=$(date +%s)
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Desculpe, Bruno! Já verifiquei."}'
check "reply queued" "$STATUS" 201
MSG=$(jqr .id)
wait_for "reply sent" 30 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "four attempts" "$(graph_count)" 4
[ $(( $(date +%s) - T0 )) -ge 1 ] || fail "Retry-After was not honoured"
LAST=$(tail -n1 "$GLOG")
check "path" "$(echo "$LAST" | jq -r .path)" "/v19.0/$PHONE/messages"
check "bearer token" "$(echo "$LAST" | jq -r .auth_ok)" true
check "shape" "$(echo "$LAST" | jq -c '.body | {messaging_product,recipient_type,to,type,text}')" '{"messaging_product":"whatsapp","recipient_type":"individual","to":"5511922220000","type":"text","text":{"preview_url":false,"body":"Desculpe, Bruno! Já verifiquei."}}'
req GET "/api/v1/conversations/$CONV"
check "sent via API" "$(jqr ".messages[] | select(.id==$MSG) | .status")" sent

# Template outside the window (one Meta approved for the business account; 605 tests the list):
# stored as the customer reads it, delivered as a template.
req PATCH "/api/v1/channels/$WA" "{\"settings\":{\"business_account_id\":\"$WABA\"}}"
check "business account id" "$STATUS" 200
req POST "/api/v1/conversations/$OLD/messages" '{"template":{"name":"holiday_hours","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Monday"},{"type":"text","text":"#12345"}]}]}}'
check "template accepted outside the window" "$STATUS" 201
check "template text readable" "$(jqr .text)" "Our shop is closed on Monday. We are back on #12345; write to us here any time."
TPL=$(jqr .id)
wait_for "template sent" 10 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$TPL')\" = sent ]"
check "template shape" "$(tail -n1 "$GLOG" | jq -c '.body | {to,type,template}')" '{"to":"5511987654321","type":"template","template":{"name":"holiday_hours","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"Monday"},{"type":"text","text":"#12345"}]}]}}'
req POST "/api/v1/conversations/$OLD/messages" '{"template":{"name":"bad name!","language":"en_US"}}'
check "invalid template" "$STATUS" 422
stop_hark

# A permanent error ends failed with Meta's reason, after one attempt.
start_meta "fail:131026" 200
start_hark --outbox-retry-ms 200
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511933330000 --id wamid.P1 --text 'oi')"
CONV=$(echo "$PUSH_BODY" | jq -r .conversation_id)
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Olá!"}'
MSG=$(jqr .id)
# The channel still points at the old fake's port: repoint it (settings are plain JSON).
# (jq edits the stored JSON: json_set is SQLite's own.)
SETTINGS=$(dbq "SELECT settings FROM channel WHERE id=$WA" | jq -c --arg v "$GRAPH" '.api_base = $v' | sed "s/'/''/g")
dbq "UPDATE channel SET settings='$SETTINGS' WHERE id=$WA"
wait_for "reply failed" 20 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = failed ]"
req GET "/api/v1/conversations/$CONV"
jqr ".messages[] | select(.id==$MSG) | .error" | grep -q '131026' || fail "reason shown: $(jqr ".messages[] | select(.id==$MSG) | .error")"
jqr ".messages[] | select(.id==$MSG) | .error" | grep -q 'not on WhatsApp' || fail "details shown"
check "one attempt" "$(graph_count)" 1
grep -q 'Olá' "$T/hark.log" && fail "customer text in the log"
grep -q "$PAGE_TOKEN" "$T/hark.log" && fail "token in the log"
stop_hark
echo "all ok"
