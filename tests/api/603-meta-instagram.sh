# Instagram DMs and comments against tests/fakes/meta_fake.py, with the channel added by the
# CLI (hark channel add --setting): DMs private, comments public, our own comments ignored,
# replies through /messages and /replies, a 5xx and a timeout retried, the 1000-byte limit,
# and a private reply to a comment linked with the DM conversation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metalib.sh"
# Changes channel $1's settings by the jq filter $2, behind the API's back (json_set is
# SQLite's only): read, changed here, written back.
set_settings() {
    local s
    s=$(dbq "SELECT settings FROM channel WHERE id=$1" | jq -c "$2") || fail "settings of channel $1"
    dbq "UPDATE channel SET settings='$s' WHERE id=$1"
}
start_meta "500,timeout" 200
IG=17841400000000001
OUT=$("$HARK" channel add --db "$DB" --type instagram --name ig --setting app_secret=$APP_SECRET \
    --setting verify_token=vt-ig --setting access_token=$PAGE_TOKEN --setting page_id=$IG \
    --setting "api_base=$GRAPH") || fail "channel add: $OUT"
CH=$(echo "$OUT" | sed -n 's/^id: //p')
check "cli channel id" "$CH" 1
echo "$OUT" | grep -q '^verify_token: vt-ig$' || fail "cli shows the verify token: $OUT"
"$HARK" channel add --db "$DB" --type instagram --name bad --setting page_id=1 2>"$T/err" && fail "incomplete settings accepted"
grep -q "missing 'settings.app_secret'" "$T/err" || fail "reason: $(cat "$T/err")"
set_settings "$CH" '.timeout_ms = 1500'
start_hark --outbox-retry-ms 200
admin_setup
check "handshake" "$(curl -s "$URL/hooks/$CH?hub.mode=subscribe&hub.challenge=77&hub.verify_token=vt-ig")" 77

push "$CH" instagram \
    "$(entry dm --account $IG --sender 1357924680135792 --id aWdfDM1 --text 'Do you ship to Canada?')" \
    "$(entry ig-comment --account $IG --sender 1357924680135792 --name maria.shop --id 17900000000000042 --post 17800000000000007 --text 'Is this available in blue?')" \
    "$(entry ig-comment --account $IG --sender $IG --name ourbrand --id 17900000000000043 --post 17800000000000007 --text 'Yes!')"
check "accepted" "$PUSH_STATUS" 200
DM=$(dbq "SELECT conversation_id FROM message WHERE external_id='aWdfDM1'")
PUB=$(dbq "SELECT conversation_id FROM message WHERE external_id='17900000000000042'")
check "own comment ignored" "$(dbq "SELECT count(*) FROM message WHERE external_id='17900000000000043'")" 0
[ "$DM" != "$PUB" ] || fail "DM and comment share a conversation"
check "comment public" "$(dbq "SELECT public FROM conversation WHERE id=$PUB")" 1
check "DM private" "$(dbq "SELECT public FROM conversation WHERE id=$DM")" 0
check "one customer on both" "$(dbq "SELECT count(DISTINCT contact_id) FROM conversation WHERE id IN ($DM,$PUB)")" 1
check "username kept as the handle" "$(dbq "SELECT handle FROM identity WHERE platform_id='1357924680135792'")" maria.shop

LONG=$(head -c 1001 /dev/zero | tr '\0' a)
req POST "/api/v1/conversations/$DM/messages" "{\"text\":\"$LONG\"}"
check "over 1000 bytes refused" "$STATUS" 422
req POST "/api/v1/conversations/$DM/messages" '{"text":"Yes, 5-7 days."}'
MSG=$(jqr .id)
wait_for "DM sent after a 500 and a timeout" 30 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "three attempts" "$(graph_count)" 3
check "dm shape" "$(tail -n1 "$GLOG" | jq -c '{path,body}')" "{\"path\":\"/v19.0/$IG/messages\",\"body\":{\"recipient\":{\"id\":\"1357924680135792\"},\"message\":{\"text\":\"Yes, 5-7 days.\"}}}"
req POST "/api/v1/conversations/$PUB/messages" '{"text":"It is!"}'
MSG=$(jqr .id)
wait_for "comment reply sent" 10 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "reply edge" "$(tail -n1 "$GLOG" | jq -c '{path,body}')" '{"path":"/v19.0/17900000000000042/replies","body":{"message":"It is!"}}'

req POST "/api/v1/conversations/$PUB/private-reply" '{"text":"Hi Maria, sending details privately."}'
check "private reply" "$STATUS" 201
PRIV=$(jqr .conversation.id)
check "recipient.comment_id" "$(tail -n1 "$GLOG" | jq -c .body.recipient)" '{"comment_id":"17900000000000042"}'
req GET "/api/v1/conversations/$PUB"
check "linked" "$(jqr .linked_conversation_id)" "$PRIV"
stop_hark
echo "all ok"
