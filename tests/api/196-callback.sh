# Phone callbacks as a client uses them: an agent offers one and the customer gets a short text
# with a one-time link through the conversation's own channel (the api channel's callback);
# the public page's API shows slots from a business-hours calendar (or the default hours) and
# the brand and agent's first name, nothing of the customer's; accepting makes the agent's task
# (listed with mine=1, markable done) and an internal note in the conversation, seen live; an
# unknown, used or expired link gets the same 404; a bad phone number is a 422 naming the
# field; the public endpoints are rate-limited per client.
. "$(dirname "$0")/lib.sh"
start_callback "" 200
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email ana@example.com --name "Ana Alves" \
    --display-name "Ana Alves" --role agent --password-stdin >/dev/null || fail "agent add"
ANA=$(dbq "SELECT id FROM agent WHERE email='ana@example.com'")
curl -s -c "$T/ana.jar" -H 'Content-Type: application/json' \
    -d '{"email":"ana@example.com","password":"agent-password-1"}' "$URL/api/v1/login" | jq -r .csrf > "$T/ana.csrf"
as_ana() { # as_ana METHOD PATH [BODY]
    BODY=$(curl -s -w '\n%{http_code}' -X "$1" -b "$T/ana.jar" -H "X-CSRF-Token: $(cat "$T/ana.csrf")" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2")
    STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
}
pub() { # pub METHOD TOKEN [BODY]: the public page's API, no credentials
    BODY=$(curl -s -D "$T/pub.h" -w '\n%{http_code}' -X "$1" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL/api/v1/callback/$2")
    STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
}
new_channel "Kaffee Co" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"
hook "$CH_ID" "$CH_SECRET" '{"id":"c1","from":{"id":"u1","name":"Lena Berg","phone":"+491700000000"},"text":"My grinder is broken, can someone call me?"}'
CONV=$(jqr .conversation_id)
as_ana POST "/api/v1/conversations/$CONV/assign" '{"agent_id":"me"}'; check "assign" "$STATUS" 200

# A calendar: every day 10:00-11:00 in New York.
req POST /api/v1/calendars '{"name":"Phones","tz":"America/New_York","hours":{"mon":[["10:00","11:00"]],"tue":[["10:00","11:00"]],"wed":[["10:00","11:00"]],"thu":[["10:00","11:00"]],"fri":[["10:00","11:00"]],"sat":[["10:00","11:00"]],"sun":[["10:00","11:00"]]}}'
check "calendar" "$STATUS" 201
CAL=$(jqr .id)

# The offer: the agent's words, the link in place of {link}, sent through the channel.
as_ana POST "/api/v1/conversations/$CONV/callback-offer" "{\"text\":\"Hi Lena, happy to call you. Pick a time here: {link}\",\"calendar_id\":$CAL}"
check "offer" "$STATUS" 201
URL1=$(jqr .callback.url); TOK=${URL1##*/callback/}
check "link on the public URL" "$(echo "$URL1" | grep -c "^$URL/callback/[A-Za-z0-9_-]\{43\}$")" 1
check "the message is the agent's reply" "$(jqr .message.direction)/$(jqr .message.kind)" "out/message"
wait_for "offer delivered" 15 sh -c "grep -q 'callback/$TOK' '$CB_LOG'"
check "delivered text" "$(jq -r 'select(.status=="200") | .text' "$CB_LOG" | tail -1)" \
    "Hi Lena, happy to call you. Pick a time here: $URL1"
check "only the hash stored" "$(dbq "SELECT count(*) FROM callback WHERE token_hash='$TOK'")/$(dbq "SELECT length(token_hash) FROM callback")" "0/64"
DAYS=$(( ($(dbq "SELECT expires_at - offered_at FROM callback") + 1000) / 86400000 ))
check "expires in 7 days" "$DAYS" 7

# The page's data: brand, agent's first name, slots from the calendar, nothing of Lena's.
pub GET "$TOK"; check "page data" "$STATUS" 200
check "brand" "$(jqr .brand_name)" "Kaffee Co"
check "agent's first name" "$(jqr .agent_first_name)" Ana
check "zone" "$(jqr .tz)" America/New_York
check "no customer data" "$(echo "$BODY" | grep -c 'Lena\|Berg\|491700000000\|grinder')" 0
N=$(jqr '.slots | length')
[ "$N" -ge 26 ] && [ "$N" -le 28 ] || fail "want two slots a day for 14 days, got $N"
for s in $(jqr '.slots[]'); do
    hm=$(TZ=America/New_York date -d "$s" +%H:%M)
    case "$hm" in 10:00|10:30) ;; *) fail "slot $s is $hm in New York";; esac
done
echo "ok: every slot at 10:00 or 10:30 New York time"
SLOT=$(jqr '.slots[1]')

# Validation beside the field; nothing accepted by a refused answer.
pub POST "$TOK" "{\"slot\":\"$SLOT\",\"phone\":\"0151 2345\"}"
check "bad phone" "$STATUS/$(jqr .error.field)" "422/phone"
pub POST "$TOK" "{\"slot\":\"$SLOT\",\"phone\":\"+49 151 234567890123456\"}"
check "too many digits" "$STATUS/$(jqr .error.field)" "422/phone"
pub POST "$TOK" "{\"slot\":\"$SLOT\",\"phone\":\"$(printf '+4%.0s' $(seq 1 40))\"}"
check "too long" "$STATUS/$(jqr .error.field)" "422/phone"
pub POST "$TOK" '{"slot":"2026-01-01T03:00:00Z","phone":"+49 151 2345678"}'
check "a time not offered" "$STATUS/$(jqr .error.field)" "422/slot"
pub POST "$TOK" '{"slot":"tomorrow","phone":"+49 151 2345678"}'
check "not a time" "$STATUS/$(jqr .error.field)" "422/slot"
pub POST "$TOK" "{\"slot\":\"$SLOT\",\"phone\":\"+49 151 2345678\",\"note\":\"$(head -c 600 /dev/zero | tr '\0' x)\"}"
check "note too long" "$STATUS/$(jqr .error.field)" "422/note"
check "still open" "$(dbq "SELECT count(*) FROM callback WHERE accepted_at IS NULL")" 1

# Accepting: the task and a live note in the conversation.
curl -s -N --max-time 6 -b "$T/ana.jar" -H "Last-Event-ID: 0" "$URL/api/v1/events" > "$T/live" &
LIVE=$!
pub POST "$TOK" "{\"slot\":\"$SLOT\",\"phone\":\"+49 (151) 234-5678\",\"note\":\"<b>after lunch</b> please\"}"
check "accepted" "$STATUS" 201
check "number normalized" "$(jqr .phone)" "+491512345678"
wait "$LIVE" || true
grep -q '^event: callback.updated' "$T/live" || fail "no callback.updated event live"
grep -q 'asked to be called on' "$T/live" || fail "the note did not arrive live"
echo "ok: the agent sees it live"
req GET "/api/v1/conversations/$CONV/messages"
NOTE=$(jqr '[.items[] | select(.kind=="note")] | last | .text')
WHEN=$(TZ=America/New_York date -d "$SLOT" +%H:%M)
echo "$NOTE" | grep -q "^Lena asked to be called on +491512345678 at .*10:30.*(America/New_York)\. Their note: <b>after lunch</b> please$" \
    || fail "note: $NOTE (slot $WHEN)"
echo "ok: note: $NOTE"
check "the note is not sent to the customer" "$(grep -c 'asked to be called' "$CB_LOG")" 0
as_ana GET "/api/v1/callbacks?mine=1"
check "Ana's task" "$(jqr '.items | length')/$(jqr '.items[0].phone')/$(jqr '.items[0].slot_at')/$(jqr '.items[0].conversation_id')" \
    "1/+491512345678/$SLOT/$CONV"
check "task names the customer" "$(jqr '.items[0].contact_name')" "Lena Berg"
CB=$(jqr '.items[0].id')
req GET "/api/v1/callbacks?mine=1"; check "not the token's" "$(jqr '.items | length')" 0
req GET "/api/v1/callbacks?conversation_id=$CONV"; check "by conversation" "$(jqr '.items | length')" 1

# Single use, expired and wrong links: the same 404.
pub GET "$TOK"; check "used link" "$STATUS" 404; USED=$BODY
pub POST "$TOK" "{\"slot\":\"$SLOT\",\"phone\":\"+49 151 2345678\"}"; check "used link again" "$STATUS" 404
as_ana POST "/api/v1/conversations/$CONV/callback-offer" '{}'
check "second offer (no calendar: default hours)" "$STATUS" 201
TOK2=$(jqr .callback.url | sed 's|.*/callback/||')
check "default text" "$(jqr .message.text | head -c 40)" "Would a phone call be easier? Pick a tim"
pub GET "$TOK2"; check "default zone" "$(jqr .tz)" UTC
for s in $(jqr '.slots[]'); do
    d=$(TZ=UTC date -d "$s" +%u%H%M)
    [ "${d%????}" -le 5 ] && [ "${d#?}" -ge 0900 ] && [ "${d#?}" -le 1630 ] || fail "default slot $s"
done
check "default: 48 slots" "$(jqr '.slots | length')" 48
# Without calendar_id the slots come from the calendar of the team the conversation went to.
req POST /api/v1/teams "{\"name\":\"Phones team\",\"members\":[$ANA],\"calendar_id\":$CAL}"
check "team with the calendar" "$STATUS" 201
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$(jqr .id),\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201
hook "$CH_ID" "$CH_SECRET" '{"id":"c2","from":{"id":"u2","name":"Max Roth"},"text":"Please call me back"}'
CONV2=$(jqr .conversation_id)
wait_for "routed to the team" 10 sh -c "[ -n \"\$('$DBQ' '$DB' 'SELECT team_id FROM conv_sla WHERE conversation_id=$CONV2 AND team_id > 0')\" ]"
req POST "/api/v1/conversations/$CONV2/callback-offer" '{}'
check "the team's calendar" "$STATUS/$(jqr .callback.calendar_id)" "201/$CAL"
pub GET "$(jqr .callback.url | sed 's|.*/callback/||')"; check "its zone" "$(jqr .tz)" America/New_York
dbq "UPDATE callback SET expires_at = 1 WHERE id = (SELECT max(id) FROM callback WHERE conversation_id = $CONV)"
pub GET "$TOK2"; check "expired link" "$STATUS" 404; EXPIRED=$BODY
pub GET "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; check "wrong link" "$STATUS" 404; WRONG=$BODY
pub GET "short"; check "malformed link" "$STATUS" 404
check "same answer for each" "$(printf '%s\n' "$USED" "$EXPIRED" "$WRONG" "$BODY" | sort -u | wc -l)" 1

# Done, and back to do.
as_ana POST "/api/v1/callbacks/$CB/done" '{}'
check "done" "$STATUS/$(jqr '.done_at != null')" "200/true"
as_ana GET "/api/v1/callbacks?mine=1"; check "done ones leave the list" "$(jqr '.items | length')" 0
as_ana GET "/api/v1/callbacks?mine=1&done=1"; check "unless asked" "$(jqr '.items | length')" 1
as_ana POST "/api/v1/callbacks/$CB/done" '{"done":false}'
check "undone" "$STATUS/$(jqr .done_at)" "200/null"
as_ana POST "/api/v1/callbacks/999/done" '{}'; check "no such callback" "$STATUS" 404
OPEN=$(dbq "SELECT id FROM callback WHERE accepted_at IS NULL LIMIT 1")
as_ana POST "/api/v1/callbacks/$OPEN/done" '{}'; check "an offer is no task" "$STATUS" 404
as_ana POST "/api/v1/conversations/99999/callback-offer" '{}'; check "no such conversation" "$STATUS" 404
as_ana POST "/api/v1/conversations/$CONV/callback-offer" '{"calendar_id":999}'
check "no such calendar" "$STATUS/$(jqr .error.field)" "422/calendar_id"
check "the customer's text never logged" "$(grep -c 'after lunch\|2345678' "$T/hark.log")" 0

# Rate limit per client: a burst, then 429 with Retry-After.
got=""
for _ in $(seq 1 30); do
    pub GET "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    [ "$STATUS" = 429 ] && { got=1; break; }
done
check "rate limited" "$got" 1
grep -qi '^retry-after: [0-9]' "$T/pub.h" || fail "no Retry-After"
echo "ok: Retry-After"
