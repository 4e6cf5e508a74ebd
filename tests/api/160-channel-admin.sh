# Channel administration: read one channel with its status, change it (name, settings as a
# partial update checked by the type's own rules, on/off), rotate its secrets (the old one stops
# working at once), delete only what never carried a conversation, and the status Hark keeps
# (last event, last handshake, last error in plain words, today's counts), which survives a
# restart. A reply the platform refuses becomes the channel's last error. The web chat's office
# hours come from a business-hours calendar.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
jqp() { echo "$BODY" | jq -r "$1"; }

# --- an api channel: status after a good and a bad-signature webhook -------------------------
new_channel shop
API=$CH_ID
OLD=$CH_SECRET
req GET "/api/v1/channels/$API"
check "get one" "$STATUS" 200
check "no secret in GET" "$(jqp 'has("secret")')" false
check "enabled by default" "$(jqp .enabled)" true
check "never heard from" "$(jqp .status.last_event_at)" null
check "no error yet" "$(jqp .status.last_error)" null
check "no reply window on api" "$(jqp .reply_window_hours)" null
MSG='{"id":"e-1","from":{"id":"c-1","name":"Cleo"},"text":"Where is my parcel?"}'
hook "$API" "$OLD" "$MSG"
check "signed webhook" "$STATUS" 200
hook "$API" "wrong-secret" '{"id":"e-2","from":{"id":"c-1"},"text":"x"}'
check "bad signature refused" "$STATUS" 401
req GET "/api/v1/channels/$API"
[ "$(jqp .status.last_event_at)" != null ] || fail "last_event_at not set: $BODY"
check "messages today" "$(jqp .status.messages_today)" 1
check "errors today" "$(jqp .status.errors_today)" 1
jqp .status.last_error | grep -q "bad signature" || fail "last_error: $BODY"
jqp .status.last_error | grep -q "check the channel secret" || fail "last_error hint: $BODY"
req GET /api/v1/channels
check "list carries status" "$(jqp ".items[] | select(.id==$API) | .status.messages_today")" 1

# --- rotate: the old secret stops working on the next signed webhook -------------------------
req POST "/api/v1/channels/$API/rotate"
check "rotate" "$STATUS" 200
NEW=$(jqp .secret)
[ ${#NEW} -eq 64 ] && [ "$NEW" != "$OLD" ] || fail "new secret: $BODY"
hook "$API" "$OLD" '{"id":"e-3","from":{"id":"c-1"},"text":"again"}'
check "old secret refused after rotate" "$STATUS" 401
hook "$API" "$NEW" '{"id":"e-3","from":{"id":"c-1"},"text":"again"}'
check "new secret accepted" "$STATUS" 200
req GET "/api/v1/channels/$API"
check "secret shown once" "$(jqp 'has("secret")')" false

# --- PATCH: name, on/off, settings checked per type, 422 names the field ----------------------
req PATCH "/api/v1/channels/$API" '{"name":"Shop backend"}'
check "rename" "$STATUS" 200
check "renamed" "$(jqp .name)" "Shop backend"
req PATCH "/api/v1/channels/$API" '{"name":""}'
check "empty name" "$STATUS" 422
check "empty name field" "$(jqp .error.field)" name
req PATCH "/api/v1/channels/$API" '{"settings":{"callback_url":"ftp://cb.example"}}'
check "bad callback url" "$STATUS" 422
check "bad callback url field" "$(jqp .error.field)" settings.callback_url
req PATCH "/api/v1/channels/$API" '{"settings":{"colour":"red"}}'
check "unknown setting" "$STATUS" 422
check "unknown setting field" "$(jqp .error.field)" settings.colour
req PATCH "/api/v1/channels/$API" '{"enabled":"no"}'
check "enabled wants a boolean" "$(jqp .error.field)" enabled
req PATCH "/api/v1/channels/$API" '{"enabled":false}'
check "switch off" "$(jqp .enabled)" false
hook "$API" "$NEW" '{"id":"e-4","from":{"id":"c-1"},"text":"off?"}'
check "switched off refuses webhooks" "$STATUS" 404
check "nothing stored while off" "$(dbq "SELECT count(*) FROM message WHERE external_id='e-4'")" 0
req PATCH "/api/v1/channels/$API" '{"enabled":true}'
hook "$API" "$NEW" '{"id":"e-4","from":{"id":"c-1"},"text":"on again"}'
check "switched on takes webhooks" "$STATUS" 200

# --- a Messenger channel: handshake, partial settings, masked secrets, verify token rotation --
req POST /api/v1/channels '{"type":"messenger","name":"FB","settings":{"app_secret":"app-1","verify_token":"vt-1","access_token":"tok-1","page_id":"42"}}'
check "messenger" "$STATUS" 201
FB=$(jqp .id)
check "24 h window" "$(jqp .reply_window_hours)" 24
check "handshake" "$(curl -s "$URL/hooks/$FB?hub.mode=subscribe&hub.challenge=77&hub.verify_token=vt-1")" 77
req GET "/api/v1/channels/$FB"
[ "$(jqp .status.last_verify_at)" != null ] || fail "last_verify_at: $BODY"
# The form sends the masks back: they keep the stored secrets; page_id changes.
req PATCH "/api/v1/channels/$FB" '{"settings":{"app_secret":"********","verify_token":"********","access_token":"********","page_id":"43"}}'
check "partial settings" "$STATUS" 200
check "page id changed" "$(jqp .settings.page_id)" 43
check "still masked" "$(jqp .settings.app_secret)" "********"
check "stored secret kept" "$(dbq "SELECT json_extract(settings,'\$.app_secret') FROM channel WHERE id=$FB")" app-1
req PATCH "/api/v1/channels/$FB" '{"settings":{"page_id":null}}'
check "required setting removed" "$STATUS" 422
check "required setting field" "$(jqp .error.field)" settings.page_id
req POST "/api/v1/channels/$FB/rotate"
VT=$(jqp .verify_token)
[ ${#VT} -eq 48 ] || fail "new verify token: $BODY"
check "old verify token refused" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/hooks/$FB?hub.mode=subscribe&hub.challenge=1&hub.verify_token=vt-1")" 403
check "new verify token" "$(curl -s "$URL/hooks/$FB?hub.mode=subscribe&hub.challenge=78&hub.verify_token=$VT")" 78
req GET "/api/v1/channels/$FB"
jqp .status.last_error | grep -q "verify token" || fail "handshake error: $BODY"
# Signed with the App Secret, which rotation leaves alone (Meta issues it).
B='{"object":"page","entry":[{"id":"43","time":1,"messaging":[{"sender":{"id":"9"},"recipient":{"id":"43"},"timestamp":1,"message":{"mid":"m1","text":"hello"}}]}]}'
SIG=$(sign app-1 "$B")
check "meta event" "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Hub-Signature-256: $SIG" --data-binary "$B" "$URL/hooks/$FB")" 200
check "bad meta signature" "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Hub-Signature-256: $(sign nope "$B")" --data-binary "$B" "$URL/hooks/$FB")" 401
req GET "/api/v1/channels/$FB"
jqp .status.last_error | grep -q "check the App Secret" || fail "meta hint: $BODY"
check "meta messages today" "$(jqp .status.messages_today)" 1

# --- delete: only a channel that never carried a conversation --------------------------------
req DELETE "/api/v1/channels/$FB"
check "delete with conversations" "$STATUS" 409
jqp .error.message | grep -q "switch it off" || fail "409 reason: $BODY"
new_channel spare
req DELETE "/api/v1/channels/$CH_ID"
check "delete unused" "$STATUS" 204
req GET "/api/v1/channels/$CH_ID"
check "deleted" "$STATUS" 404
req PATCH /api/v1/channels/999999 '{"name":"x"}'
check "patch unknown" "$STATUS" 404

# --- the web chat: look, and office hours from a calendar ------------------------------------
req POST /api/v1/calendars '{"name":"Always","tz":"Europe/Berlin","hours":{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]}}'
check "calendar open all week" "$STATUS" 201
OPEN=$(jqp .id)
req POST /api/v1/calendars '{"name":"Never","tz":"America/Denver","hours":{}}'
check "calendar never open" "$STATUS" 201
SHUT=$(jqp .id)
req POST /api/v1/channels '{"type":"webchat","name":"Chat","settings":{"office_hours":"Mon-Fri 9-17"}}'
check "free-text hours refused" "$STATUS" 422
check "free-text hours field" "$(jqp .error.field)" settings.office_hours
req POST /api/v1/channels "{\"type\":\"webchat\",\"name\":\"Chat\",\"settings\":{\"calendar_id\":$OPEN}}"
check "webchat" "$STATUS" 201
WC=$(jqp .id)
req PATCH "/api/v1/channels/$WC" '{"settings":{"color":"#12345"}}'
check "bad colour" "$(jqp .error.field)" settings.color
req PATCH "/api/v1/channels/$WC" '{"settings":{"calendar_id":987654}}'
check "unknown calendar" "$STATUS" 422
check "unknown calendar field" "$(jqp .error.field)" settings.calendar_id
req PATCH "/api/v1/channels/$WC" '{"settings":{"color":"#7c2d12","greeting":"Hallo!","launcher_text":"Ask us"}}'
check "look saved" "$STATUS" 200
INFO=$(curl -s "$URL/api/v1/widget/$WC/info")
check "info colour" "$(echo "$INFO" | jq -r .color)" "#7c2d12"
check "info greeting" "$(echo "$INFO" | jq -r .greeting)" "Hallo!"
check "info launcher" "$(echo "$INFO" | jq -r .launcher_text)" "Ask us"
check "open now from the calendar" "$(echo "$INFO" | jq -r .hours.open_now)" true
check "calendar zone" "$(echo "$INFO" | jq -r .hours.tz)" Europe/Berlin
check "no free-text hours" "$(echo "$INFO" | jq -r 'has("office_hours")')" false
req DELETE "/api/v1/calendars/$OPEN"
check "a calendar the chat shows is kept" "$STATUS" 409
jqp .error.message | grep -q "website chat" || fail "409 reason: $BODY"
req PATCH "/api/v1/channels/$WC" "{\"settings\":{\"calendar_id\":$SHUT}}"
INFO=$(curl -s "$URL/api/v1/widget/$WC/info")
check "closed calendar" "$(echo "$INFO" | jq -r .hours.open_now)" false
check "never opens" "$(echo "$INFO" | jq -r .hours.next_open)" null
req PATCH "/api/v1/channels/$WC" '{"settings":{"calendar_id":null}}'
check "no calendar" "$(curl -s "$URL/api/v1/widget/$WC/info" | jq -r .hours)" null
req PATCH "/api/v1/channels/$WC" '{"enabled":false}'
check "switched-off chat is gone" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/widget/$WC/info")" 404

# --- a reply the platform refuses is the channel's last error ---------------------------------
start_callback "400" 400
new_channel refusing "$CB_URL"
REF=$CH_ID
printf '%s' "$CH_SECRET" > "$T/cb.secret"
hook "$REF" "$CH_SECRET" '{"id":"r-1","from":{"id":"c-9","name":"Rae"},"text":"Hello?"}'
CONV=$(jqp .conversation_id)
req POST "/api/v1/conversations/$CONV/messages" '{"text":"Hi Rae"}'
MSG=$(jqp .id)
wait_for "the reply failed" 15 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = failed ]"
req GET "/api/v1/channels/$REF"
jqp .status.last_error | grep -q "^a reply could not be delivered: " || fail "delivery error: $BODY"
check "delivery errors counted" "$(jqp .status.errors_today)" 1
jqp .status.last_error | grep -q "Hi Rae" && fail "reply text in the status"
echo "ok: refused delivery reported without the reply's text"

# --- the status survives a restart (flushed at shutdown, read back from the store) -----------
stop_hark
check "status stored" "$(dbq "SELECT messages_today FROM channel_status WHERE channel_id=$API")" 3
start_hark
req GET "/api/v1/channels/$API"
check "status after restart" "$(jqp .status.messages_today)" 3
jqp .status.last_error | grep -q "switched off" || fail "last error after restart: $BODY"
stop_hark
