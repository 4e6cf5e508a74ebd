# Channel settings never show credentials: every secret setting of every channel type is
# masked in GET /api/v1/channels, URL settings with user:password@ are refused at creation
# (every type), and such URLs stored before that are shown with the credentials masked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
start_hark
admin_setup
mk() { # mk TYPE SETTINGS_JSON
    req POST /api/v1/channels "{\"type\":\"$1\",\"name\":\"$1\",\"settings\":$2}"
    check "create $1" "$STATUS" 201
}
mk api '{"callback_url":"https://cb.example/hark"}'
API=$(jqr .id)
mk webchat '{}'
mk telegram '{"bot_token":"1:SECRET-tg-bot","secret_token":"SECRET-tg-hook"}'
mk x '{"consumer_secret":"SECRET-x-consumer","access_token":"SECRET-x-access","user_id":"1"}'
mk sms '{"account_sid":"AC1","auth_token":"SECRET-sms","from":"+15550001"}'
mk email '{"imap_url":"imaps://127.0.0.1/INBOX","smtp_url":"smtps://127.0.0.1","username":"care@shop.example","password":"SECRET-mail","address":"care@shop.example"}'
MAIL=$(jqr .id)
for t in whatsapp:phone_number_id messenger:page_id instagram:page_id; do
    mk "${t%%:*}" "{\"app_secret\":\"SECRET-${t%%:*}-app\",\"verify_token\":\"SECRET-${t%%:*}-vt\",\"access_token\":\"SECRET-${t%%:*}-at\",\"${t#*:}\":\"123\"}"
done
check "verify_token shown once, at creation" "$(jqr .verify_token)" SECRET-instagram-vt
check "create shows settings masked" "$(jqr .settings.app_secret)" "********"
req GET /api/v1/channels
check "list" "$STATUS" 200
check "nine channels" "$(jqp '.items | length')" 9
echo "$BODY" | grep -o 'SECRET-[a-z-]*' && fail "secrets listed"
echo "$BODY" | jq -e '.items[] | select(has("secret"))' >/dev/null && fail "channel secret listed"
check "masked" "$(jqp '[.items[].settings | to_entries[] | select(.value == "********") | .key] | sort | unique | join(",")')" \
    "access_token,app_secret,auth_token,bot_token,consumer_secret,password,secret_token,verify_token"
echo "ok: every secret masked"

# Credentials inside URLs are refused for every type that takes a URL.
bad() { # bad TYPE SETTINGS_JSON KEY
    req POST /api/v1/channels "{\"type\":\"$1\",\"name\":\"bad\",\"settings\":$2}"
    check "$1 $3 with credentials refused" "$STATUS" 422
    jqr .error.message | grep -q "'settings.$3': want no credentials" || fail "reason: $BODY"
    echo "$BODY" | grep -q SECRET && fail "credentials echoed: $BODY"
}
bad api '{"callback_url":"https://user:SECRET@cb.example/hark"}' callback_url
bad telegram '{"bot_token":"1:A","secret_token":"s","api_base":"https://u:SECRET@tg.example"}' api_base
bad x '{"consumer_secret":"c","access_token":"a","user_id":"1","api_base":"http://SECRET@x.example"}' api_base
bad sms '{"account_sid":"AC1","auth_token":"t","from":"+1","webhook_url":"https://u:SECRET@h.example/hooks/9"}' webhook_url
bad messenger '{"app_secret":"a","verify_token":"v","access_token":"t","page_id":"1","api_base":"https://u:SECRET@graph.example"}' api_base
bad email '{"imap_url":"imaps://care:SECRET@127.0.0.1/INBOX","smtp_url":"smtps://127.0.0.1","username":"u","password":"p","address":"a@b.c"}' imap_url
# An '@' after the host (a path or query) is not a credential.
req POST /api/v1/channels '{"type":"api","name":"at-in-path","settings":{"callback_url":"https://cb.example/hooks/@team?to=a@b.c"}}'
check "'@' in the path is fine" "$STATUS" 201

# Rows stored before credentials were refused: shown masked.
# (jq edits the stored JSON: json_set is SQLite's own.)
store_setting() { # CHANNEL KEY VALUE
    s=$(dbq "SELECT settings FROM channel WHERE id=$1" | jq -c --arg k "$2" --arg v "$3" '.[$k] = $v' | sed "s/'/''/g")
    dbq "UPDATE channel SET settings='$s' WHERE id=$1"
}
store_setting "$MAIL" imap_url 'imap://care%40shop:SECRET-old@127.0.0.1:143/INBOX'
store_setting "$API" callback_url 'https://hook:SECRET-p@ss@cb.example/x?y=@'
req GET /api/v1/channels
echo "$BODY" | grep -o 'SECRET-[a-z-]*' && fail "stored credentials listed"
check "stored imap_url masked" "$(jqp ".items[] | select(.id==$MAIL) | .settings.imap_url")" "imap://********@127.0.0.1:143/INBOX"
check "stored callback_url masked" "$(jqp ".items[] | select(.id==$API) | .settings.callback_url")" "https://********@cb.example/x?y=@"
stop_hark
