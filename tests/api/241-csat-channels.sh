# CSAT on the platforms with buttons (issue 17, item 1): after resolve the survey goes out on the
# same channel as WhatsApp's interactive list, Messenger's quick replies and Telegram's inline
# keyboard (the fakes refuse what the platforms refuse); the customer's tap comes back as a
# webhook (WhatsApp list_reply/button_reply, Messenger quick_reply, Telegram callback_query) and
# is the answer: no new message, no new conversation, the conversation stays resolved, a thank-
# you goes back; free text soon after is the comment; a second tap is kept out and the customer
# told; the platform's retry of the same tap changes nothing; another customer replaying the
# button id is an ordinary message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metalib.sh"
. "$(dirname "$0")/chanlib.sh"
start_meta "" 200
GRAPH_LOG=$GLOG
start_fake telegram_fake --token 123:ABC
TG="python3 $FAKES/telegram_fake.py"
start_hark --outbox-retry-ms 200
admin_setup
req PUT /api/v1/settings/surveys '{"enabled":true,"delay_seconds":0,"repeat_days":0,"channels":["whatsapp","messenger","telegram"],"questions":{"en":"How did we do?","pt":"Como foi o nosso atendimento?"}}'
check "surveys on" "$STATUS" 200
PHONE=800000000000002
PAGE=111222333444555
meta_channel whatsapp wa phone_number_id "$PHONE"; WA=$CH_ID
meta_channel messenger fb page_id "$PAGE"; FB=$CH_ID
new_typed_channel telegram "Bot" "{\"bot_token\":\"123:ABC\",\"secret_token\":\"tg_secret\",\"api_base\":\"$FAKE_URL\"}"
TGC=$CH_ID; TGHOOK=$CH_HOOK

survey_of() { dbq "SELECT id FROM survey WHERE conversation_id=$1"; }
answer_of() { dbq "SELECT coalesce(CAST(score AS TEXT),'')||'|'||coalesce(comment,'')||'|'||coalesce(via,'') FROM survey WHERE conversation_id=$1"; }
conv_count() { dbq "SELECT count(*) FROM conversation"; }
status_of() { dbq "SELECT status FROM conversation WHERE id=$1"; }
event_of() { dbq "SELECT text FROM message WHERE conversation_id=$1 AND kind='event' ORDER BY id DESC LIMIT 1"; }
out_texts() { dbq "SELECT text FROM message WHERE conversation_id=$1 AND direction='out' AND kind='message' ORDER BY id"; }
# serve_and_resolve CONV NAME: an agent's reply, then resolve; waits for the survey to be sent.
serve_and_resolve() {
    req POST "/api/v1/conversations/$1/messages" "{\"text\":\"Hi $2, it is on its way.\"}"; check "reply" "$STATUS" 201
    req POST "/api/v1/conversations/$1/status" '{"status":"resolved"}'; check "resolve $1" "$STATUS" 200
    wait_for "survey sent on $1" 20 sh -c "[ -n \"\$($DBQ '$DB' 'SELECT sent_at FROM survey WHERE conversation_id=$1')\" ]"
    SV=$(survey_of "$1")
    wait_for "survey delivered on $1" 20 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=(SELECT message_id FROM survey WHERE conversation_id=$1)')\" = sent ]"
}

# ---- WhatsApp: an interactive list ----------------------------------------------------------
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.IN1 --name 'Bruno Souza' --text 'Olá, meu pedido atrasou')"
check "wa message" "$PUSH_STATUS" 200
C1=$(echo "$PUSH_BODY" | jq -r .conversation_id)
serve_and_resolve "$C1" Bruno
LAST=$(grep '"type": "interactive"' "$GRAPH_LOG" | tail -1) # in Bruno's language
check "wa list shape" "$(echo "$LAST" | jq -c '.body.interactive | {type, text: .body.text, button: .action.button, rows: [.action.sections[].rows[].id]}')" \
    "{\"type\":\"list\",\"text\":\"Como foi o nosso atendimento?\",\"button\":\"Rate us\",\"rows\":[\"hark-csat:$SV:5\",\"hark-csat:$SV:4\",\"hark-csat:$SV:3\",\"hark-csat:$SV:2\",\"hark-csat:$SV:1\"]}"
check "wa row title" "$(echo "$LAST" | jq -r '.body.interactive.action.sections[0].rows[0].title')" "5 ★★★★★"
N0=$(conv_count)
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.TAP1 --list-reply "hark-csat:$SV:4|4 ★★★★")"
check "tap accepted" "$PUSH_STATUS" 200
check "wa answer" "$(answer_of "$C1")" "4||buttons"
check "no new conversation" "$(conv_count)" "$N0"
check "still resolved" "$(status_of "$C1")" resolved
check "no message for the tap" "$(dbq "SELECT count(*) FROM message WHERE external_id='wamid.TAP1'")" 0
check "event" "$(event_of "$C1")" "Rated 4 ★★★★"
check "thanked" "$(out_texts "$C1" | tail -1)" "Thank you! If you would like to add a comment, just reply to this message."
push "$WA" whatsapp_business_account --times 2 "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.TAP1 --list-reply "hark-csat:$SV:4|4 ★★★★")"
check "the platform's retry: nothing more said" "$(out_texts "$C1" | grep -c 'Thank you\|already')" 1
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.IN2 --text 'O Paulo foi muito simpático')"
check "comment attached" "$(answer_of "$C1")" "4|O Paulo foi muito simpático|buttons"
check "event with the comment" "$(event_of "$C1")" "Rated 4 ★★★★ — 'O Paulo foi muito simpático'"
check "comment is no new message" "$(dbq "SELECT count(*) FROM message WHERE external_id='wamid.IN2'")/$(status_of "$C1")" "0/resolved"
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.TAP2 --button-reply "hark-csat:$SV:1|1 ★")"
check "second tap kept out" "$(answer_of "$C1")" "4|O Paulo foi muito simpático|buttons"
check "told so" "$(out_texts "$C1" | tail -1)" "You have already rated this conversation — thank you!"
# Another customer replaying the button id: an ordinary message in their own conversation.
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511900000000 --id wamid.FORGE --name 'Eve' --button-reply "hark-csat:$SV:1|1 ★")"
check "replayed id is a message" "$(dbq "SELECT count(*) FROM message WHERE external_id='wamid.FORGE'")" 1
check "survey untouched" "$(dbq "SELECT score FROM survey WHERE id=$SV")" 4
# Later text (after the comment) is an ordinary message and reopens as before.
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511922220000 --id wamid.IN3 --text 'Outra coisa: a fatura?')"
check "later text is a message" "$(dbq "SELECT count(*) FROM message WHERE external_id='wamid.IN3'")" 1

# A survey that would go out after WhatsApp's 24-hour window: cancelled, never sent.
req PUT /api/v1/settings/surveys '{"delay_seconds":3600}'; check "long delay" "$STATUS" 200
push "$WA" whatsapp_business_account "$(entry wa --account $PHONE --sender 5511933330000 --id wamid.W1 --name 'Caio Lima' --text 'Obrigado!')"
CW=$(echo "$PUSH_BODY" | jq -r .conversation_id)
req POST "/api/v1/conversations/$CW/messages" '{"text":"De nada, Caio!"}'; check "reply" "$STATUS" 201
req POST "/api/v1/conversations/$CW/status" '{"status":"resolved"}'; check "resolve" "$STATUS" 200
# One transaction, tried again while SQLite's writer holds the database (bounded).
for _ in 1 2 3 4 5 6 7 8 9 10; do
    dbq "BEGIN; UPDATE conversation SET last_inbound_at = last_inbound_at - 25*3600*1000 WHERE id=$CW; UPDATE survey SET due_at = 0 WHERE conversation_id=$CW; COMMIT" && break
    sleep 0.5
done
wait_for "survey past the window cancelled" 20 sh -c "[ \"\$($DBQ '$DB' 'SELECT cancel_reason FROM survey WHERE conversation_id=$CW')\" = window_closed ]"
check "never sent" "$(dbq "SELECT count(*) FROM survey WHERE conversation_id=$CW AND sent_at IS NOT NULL")" 0
req PUT /api/v1/settings/surveys '{"delay_seconds":0}'; check "no delay" "$STATUS" 200

# ---- Messenger: quick replies --------------------------------------------------------------
push "$FB" page "$(entry dm --account $PAGE --sender 24681357902468135 --id m_IN1 --text 'Is my order shipped?')"
check "fb message" "$PUSH_STATUS" 200
C2=$(echo "$PUSH_BODY" | jq -r .conversation_id)
serve_and_resolve "$C2" Sam
LAST=$(grep '"quick_replies"' "$GRAPH_LOG" | tail -1)
check "quick replies" "$(echo "$LAST" | jq -c '[.body.message.text, (.body.message.quick_replies | map(.payload) | join(",")), .body.message.quick_replies[4].title]')" \
    "[\"How did we do?\",\"hark-csat:$SV:5,hark-csat:$SV:4,hark-csat:$SV:3,hark-csat:$SV:2,hark-csat:$SV:1\",\"1 ★\"]"
push "$FB" page "$(entry dm --account $PAGE --sender 24681357902468135 --id m_TAP1 --text '5 ★★★★★' --quick-reply "hark-csat:$SV:5")"
check "fb answer" "$(answer_of "$C2")/$(status_of "$C2")" "5||buttons/resolved"

# ---- Telegram: an inline keyboard and callback_query -----------------------------------------
U1='{"update_id":700000001,"message":{"message_id":4321,"from":{"id":123456789,"is_bot":false,"first_name":"Lena"},"chat":{"id":123456789,"type":"private"},"date":1700000000,"text":"My code does not work"}}'
push_result "$($TG push --url "$TGHOOK" --secret tg_secret --body "$U1")"
check "tg message" "$PSTATUS" 200
C3=$(echo "$PBODY" | jq -r .conversation_id)
serve_and_resolve "$C3" Lena
check "inline keyboard" "$(grep -F "hark-csat:$SV:" "$FAKE_LOG" | tail -1 | jq -c '[.text, (.reply_markup.inline_keyboard[0] | map(.callback_data) | join(",")), .reply_markup.inline_keyboard[0][0].text]')" \
    "[\"How did we do?\",\"hark-csat:$SV:5,hark-csat:$SV:4,hark-csat:$SV:3,hark-csat:$SV:2,hark-csat:$SV:1\",\"5 ★\"]"
CB="{\"update_id\":700000002,\"callback_query\":{\"id\":\"4382bfdwdsb323b2d9\",\"from\":{\"id\":123456789,\"is_bot\":false,\"first_name\":\"Lena\"},\"message\":{\"message_id\":9001,\"chat\":{\"id\":123456789,\"type\":\"private\"},\"date\":1700000100,\"text\":\"How did we do?\"},\"chat_instance\":\"-1\",\"data\":\"hark-csat:$SV:3\"}}"
push_result "$($TG push --url "$TGHOOK" --secret tg_secret --body "$CB")"
check "callback accepted" "$PSTATUS" 200
check "tg answer" "$(answer_of "$C3")/$(status_of "$C3")" "3||buttons/resolved"
check "the tap acknowledged (answerCallbackQuery)" "$(grep '"answer_callback"' "$FAKE_LOG" | tail -1 | jq -r '"\(.answer_callback) \(.text)"')" "4382bfdwdsb323b2d9 Thank you!"
OTHER='{"update_id":700000003,"callback_query":{"id":"99","from":{"id":123456789},"message":{"message_id":9001,"chat":{"id":123456789}},"data":"some-other-button"}}'
push_result "$($TG push --url "$TGHOOK" --secret tg_secret --body "$OTHER")"
check "other callbacks acknowledged, nothing stored" "$PSTATUS/$(dbq "SELECT count(*) FROM message WHERE external_id LIKE 'cbq:%'")" "200/0"

req GET "/api/v1/csat?channel=telegram"; check "telegram figures" "$(jqr .answered)/$(jqr .average)" "1/3"
req GET /api/v1/csat; check "all figures" "$(jqr .answered)/$(jqr .sent)" "3/3"
echo "PASS"
