# The FAQ bot (issue 18, item 1) through a real channel (the API channel, delivering to
# tests/fakes/callback.py): an admin keeps FAQs (variants, an answer per language, a link, a
# threshold) and switches the bot on for a channel. A plain first question that matches is
# answered through the outbox, signed as the bot with "Reply HUMAN"; the conversation waits on
# the customer, unrouted. HUMAN (or any second message) hands it to a person: routed, with the
# bot's note saying why. A negative or urgent question, or one below the threshold, is left to
# a person with the bot's attempt noted; a blocked contact gets nothing. After the window an
# answer counts for the unanswered guarantee (resolved); coming back then counts as reopened.
# Per-FAQ figures in the API and /metrics; validation; try-it; the audit log.
. "$(dirname "$0")/lib.sh"
start_callback "" 200
start_hark
admin_setup
new_channel "Web" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"
jqr() { printf '%s' "$BODY" | jq -r "$1"; }
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --display-name "Bo" --role agent --password-stdin >/dev/null || fail "agent add bo"
BO=$(dbq "SELECT id FROM agent WHERE email='bo@example.com'")
req PATCH "/api/v1/agents/$BO/profile" '{"availability":"online","capacity":10}'
check "bo online" "$STATUS" 200
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$BO]}"
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201

# --- FAQs: validation ---
req POST /api/v1/faqs '{"answers":{"en":"x"}}'
check "question required" "$STATUS" 422
check "question named" "$(jqr .error.field)" question
req POST /api/v1/faqs '{"question":"Hours?","answers":{}}'
check "an answer required" "$(jqr .error.field)" answers
req POST /api/v1/faqs '{"question":"Hours?","answers":{"en":"9-5"},"threshold":2}'
check "threshold range" "$(jqr .error.field)" threshold
req POST /api/v1/faqs '{"question":"Hours?","answers":{"en":"9-5"},"link":"javascript:alert(1)"}'
check "link scheme" "$(jqr .error.field)" link
req POST /api/v1/faqs "{\"question\":\"Hours?\",\"answers\":{\"en\":\"9-5\"},\"variants\":[\"$(head -c 400 /dev/zero | tr '\0' 'x')\"]}"
check "variant size" "$(jqr .error.field)" variants
req POST /api/v1/faqs '{"question":"Hours?","answers":{"en":"9-5"},"variants":[1]}'
check "variant type" "$(jqr .error.field)" variants

# --- FAQs: create ---
req POST /api/v1/faqs '{"question":"What are your opening hours?","variants":["When are you open?","What time do you open?","opening hours","When do you close today?","Wann haben Sie geöffnet?","Öffnungszeiten"],"answers":{"en":"We are open Monday to Saturday, 9:00 to 18:00.","de":"Wir haben Montag bis Samstag von 9 bis 18 Uhr offen."},"threshold":0.3}'
check "create hours" "$STATUS" 201
HOURS=$(jqr .id)
check "variants kept" "$(jqr '.variants | length')" 6
check "stats start at zero" "$(jqr .stats.answered)" 0
req POST /api/v1/faqs '{"question":"Where is my order?","variants":["How can I track my order?","order status","Has my parcel shipped?"],"answers":{"en":"You can follow your order here:"},"link":"https://shop.example.com/orders","threshold":0.45}'
check "create order" "$STATUS" 201
ORDER=$(jqr .id)
req GET /api/v1/faqs
check "list" "$(jqr '.items | length')" 2

# --- Try it: off on every channel, the match still shows ---
req POST /api/v1/faq-bot/try '{"text":"Hi! When are you open on Saturday?","channel_id":'"$CH_ID"'}'
check "try" "$STATUS" 200
check "try: channel off" "$(jqr .why)" channel_off
req POST /api/v1/faq-bot/try '{"text":"Hi! When are you open on Saturday?"}'
check "try: would answer" "$(jqr .would_answer)" true
check "try: the FAQ" "$(jqr .match.faq_id)" "$HOURS"
[ "$(jqr '.match.confidence >= .match.threshold')" = true ] || fail "confidence below threshold: $BODY"
printf '%s' "$(jqr .answer)" | grep -q "Reply HUMAN to talk to a person" || fail "try: no HUMAN offer: $BODY"
req POST /api/v1/faq-bot/try '{"text":"Your shop is terrible, when are you even open, this is a disgrace!!"}'
check "try: negative held back" "$(jqr .would_answer)" false
req POST /api/v1/faq-bot/try '{"text":"Do you sell gift cards for bicycles?"}'
check "try: unrelated not answered" "$(jqr .would_answer)" false
req POST /api/v1/faq-bot/try '{"text":""}'
check "try: empty text" "$STATUS" 422
req POST /api/v1/faq-bot/try "{\"text\":\"$(head -c 5000 /dev/zero | tr '\0' 'x')\"}"
check "try: too long" "$STATUS" 422

# --- Settings ---
req PUT /api/v1/faq-bot '{"channels":[999]}'
check "unknown channel" "$(jqr .error.field)" channels
req PUT /api/v1/faq-bot '{"window_seconds":0}'
check "window range" "$(jqr .error.field)" window_seconds
req PUT /api/v1/faq-bot "{\"channels\":[$CH_ID],\"window_seconds\":3600}"
check "switch on" "$STATUS" 200
check "channels saved" "$(jqr '.channels | length')" 1

# --- A plain question: the bot answers, signed, through the callback; not routed ---
hook "$CH_ID" "$CH_SECRET" '{"id":"q1","from":{"id":"ann","name":"Ann Lee"},"text":"Hi! When are you open on Saturday?"}'
check "question stored" "$STATUS" 200
C1=$(jqr .conversation_id)
wait_for "the bot's answer delivered" 15 sh -c "grep -q 'Monday to Saturday' '$CB_LOG'"
jq -r .text "$CB_LOG" | grep -q "Reply HUMAN to talk to a person" || fail "delivered answer lacks the HUMAN offer"
req GET "/api/v1/conversations/$C1"
check "bot message marked" "$(jqr '[.messages[] | select(.direction=="out" and .kind=="message")][0].bot')" true
check "bot signs as Bot" "$(jqr '[.messages[] | select(.direction=="out" and .kind=="message")][0].author_name')" Bot
check "no agent as author" "$(jqr '[.messages[] | select(.direction=="out" and .kind=="message")][0].author_agent_id')" null
check "waiting on the customer" "$(jqr .status)" pending
check "not routed to a person" "$(jqr .assignee_id)" null
check "customer still counts as waiting" "$(dbq "SELECT CASE WHEN awaiting_since IS NOT NULL THEN 1 ELSE 0 END FROM conv_sla WHERE conversation_id=$C1")" 1

# --- HUMAN hands off: routed to Bo, with the bot's note ---
hook "$CH_ID" "$CH_SECRET" '{"id":"q2","from":{"id":"ann","name":"Ann Lee"},"text":"HUMAN"}'
check "human stored" "$STATUS" 200
check "same conversation" "$(jqr .conversation_id)" "$C1"
req GET "/api/v1/conversations/$C1"
check "handed off: open" "$(jqr .status)" open
check "handed off: routed to Bo" "$(jqr .assignee_id)" "$BO"
NOTE=$(jqr '[.messages[] | select(.kind=="note" and .bot)][0].text')
printf '%s' "$NOTE" | grep -q "the customer asked for a person" || fail "handoff note: $NOTE"
printf '%s' "$NOTE" | grep -q "What are your opening hours?" || fail "handoff note lacks the bot's attempt: $NOTE"
check "bot answered once" "$(grep -c 'Monday to Saturday' "$CB_LOG")" 1

# --- Any second message hands off too (German answer for a German question) ---
hook "$CH_ID" "$CH_SECRET" '{"id":"q3","from":{"id":"max","name":"Max Muster"},"text":"Hallo, wann haben Sie am Samstag geöffnet? Wann öffnen Sie?"}'
C2=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C2"
if [ "$(jqr .status)" = pending ]; then
    wait_for "the German answer" 15 sh -c "grep -q 'Wir haben Montag' '$CB_LOG'"
    jq -r .text "$CB_LOG" | grep -q "Antworten Sie MENSCH" || fail "German footer"
    hook "$CH_ID" "$CH_SECRET" '{"id":"q4","from":{"id":"max","name":"Max Muster"},"text":"Und an Feiertagen?"}'
    req GET "/api/v1/conversations/$C2"
    check "second message: routed" "$(jqr .assignee_id)" "$BO"
    printf '%s' "$(jqr '[.messages[] | select(.kind=="note" and .bot)][0].text')" | \
        grep -q "wrote again" || fail "second-message note"
    SECOND=1
else
    echo "note: the German question was not answered ($(jqr .status)); the second-message case is covered below"
    SECOND=0
fi

# --- Negative and urgent are held back, with the attempt noted; the unrelated one silently ---
hook "$CH_ID" "$CH_SECRET" '{"id":"n1","from":{"id":"neg","name":"Nia Grey"},"text":"Your shop is terrible, when are you even open, this is a disgrace!!"}'
C3=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C3"
check "negative: not answered" "$(jqr '[.messages[] | select(.direction=="out" and .kind=="message")] | length')" 0
check "negative: routed" "$(jqr .assignee_id)" "$BO"
printf '%s' "$(jqr '[.messages[] | select(.kind=="note" and .bot)][0].text')" | grep -q "did not answer" || fail "held-back note: $BODY"
hook "$CH_ID" "$CH_SECRET" '{"id":"u1","from":{"id":"urg","name":"Uma Fast"},"text":"Emergency! When are you open today? I will sue you and call the police, this is dangerous"}'
C4=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C4"
check "urgent: not answered" "$(jqr '[.messages[] | select(.direction=="out" and .kind=="message")] | length')" 0
check "urgent: routed" "$(jqr .assignee_id)" "$BO"
hook "$CH_ID" "$CH_SECRET" '{"id":"x1","from":{"id":"gift","name":"Gil Card"},"text":"Do you sell gift cards for bicycles?"}'
C5=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C5"
check "unrelated: no bot message" "$(jqr '[.messages[] | select(.bot)] | length')" 0
check "unrelated: routed" "$(jqr .assignee_id)" "$BO"

# --- A blocked contact never gets the bot ---
hook "$CH_ID" "$CH_SECRET" '{"id":"b0","from":{"id":"troll","name":"Trevor Troll"},"text":"hello"}'
TROLL=$(dbq "SELECT contact_id FROM conversation WHERE id=$(jqr .conversation_id)")
req POST "/api/v1/contacts/$TROLL/block" '{"reason":"abuse"}'
check "block" "$STATUS" 200
req PATCH "/api/v1/conversations/$(dbq "SELECT id FROM conversation WHERE contact_id=$TROLL")" '{"status":"resolved","resolution_reason":"spam"}'
hook "$CH_ID" "$CH_SECRET" '{"id":"b1","from":{"id":"troll","name":"Trevor Troll"},"text":"When are you open?"}'
check "blocked: no bot" "$(dbq "SELECT count(*) FROM message WHERE bot_faq_id IS NOT NULL AND conversation_id IN (SELECT id FROM conversation WHERE contact_id=$TROLL)")" 0

# --- The window: a short one; a new answer counts once it passes, then reopened counts ---
req PUT /api/v1/faq-bot '{"window_seconds":1}'
check "short window" "$(jqr .window_seconds)" 1
hook "$CH_ID" "$CH_SECRET" '{"id":"w1","from":{"id":"wes","name":"Wes Park"},"text":"How can I track my order?"}'
C6=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C6"
check "order answered" "$(jqr .status)" pending
wait_for "the order link delivered" 15 sh -c "grep -q 'shop.example.com/orders' '$CB_LOG'"
sleep 1.2
# The timers worker wakes on any event (here another customer's message) and counts it.
counted() { [ "$(dbq "SELECT state FROM bot_answer WHERE conversation_id=$C6")" = counted ]; }
poke=0
poke_and_check() { poke=$((poke+1)); hook "$CH_ID" "$CH_SECRET" "{\"id\":\"p$poke\",\"from\":{\"id\":\"pk$poke\",\"name\":\"P K\"},\"text\":\"thanks\"}"; sleep 0.2; counted; }
wait_for "the answer counted" 20 poke_and_check
req GET "/api/v1/conversations/$C6"
check "counted: resolved" "$(jqr .status)" resolved
check "counted: by the bot" "$(jqr .resolution_reason)" answered_by_bot
check "counted: nobody waiting" "$(dbq "SELECT CASE WHEN awaiting_since IS NULL THEN 1 ELSE 0 END FROM conv_sla WHERE conversation_id=$C6")" 1
hook "$CH_ID" "$CH_SECRET" '{"id":"w2","from":{"id":"wes","name":"Wes Park"},"text":"It still has not arrived, this is annoying"}'
check "came back: same conversation" "$(jqr .conversation_id)" "$C6"
req GET "/api/v1/conversations/$C6"
check "reopened: routed" "$(jqr .assignee_id)" "$BO"
check "reopened recorded" "$(dbq "SELECT state FROM bot_answer WHERE conversation_id=$C6")" reopened

# --- Figures per FAQ and in /metrics ---
req GET "/api/v1/faqs/$HOURS"
HANSWERED=$((1 + SECOND))
check "hours answered" "$(jqr .stats.answered)" "$HANSWERED"
check "hours handed off" "$(jqr .stats.handed_off)" "$HANSWERED"
check "hours handoff rate" "$(jqr .stats.handoff_rate)" 1
[ "$(jqr .stats.held_back)" -ge 1 ] || fail "hours held back: $BODY"
req GET "/api/v1/faqs/$ORDER"
check "order answered" "$(jqr .stats.answered)" 1
check "order reopened" "$(jqr .stats.reopened)" 1
check "order reopen rate" "$(jqr .stats.reopen_rate)" 1
req GET /api/v1/faq-bot
check "totals" "$(jqr .stats.answered)" "$((HANSWERED + 1))"
M=$(curl -s "$URL/metrics")
printf '%s\n' "$M" | grep -q "^hark_faq_bot_faq_total{faq_id=\"$ORDER\",event=\"reopened\"} 1$" || fail "per-FAQ metric"
printf '%s\n' "$M" | grep -q '^hark_faq_bot_events_total{event="answered"} '"$((HANSWERED + 1))"'$' || fail "answered metric"

# --- Edit, switch off, delete; the audit log has the changes, not the tries ---
req PUT "/api/v1/faqs/$ORDER" '{"question":"Where is my order?","answers":{"en":"Track it here:"},"enabled":false}'
check "update" "$STATUS" 200
check "disabled" "$(jqr .enabled)" false
check "counts kept" "$(jqr .stats.answered)" 1
req POST /api/v1/faq-bot/try '{"text":"How can I track my order?"}'
[ "$(jqr .match.faq_id)" != "$ORDER" ] || fail "a switched-off FAQ still matches"
req DELETE "/api/v1/faqs/$ORDER"
check "delete" "$STATUS" 204
req GET "/api/v1/faqs/$ORDER"
check "gone" "$STATUS" 404
req GET "/api/v1/conversations/$C6"
check "the thread keeps the bot's answer" "$(jqr '[.messages[] | select(.bot and .kind=="message")] | length')" 1
req GET "/api/v1/audit?limit=100"
check "audit: faq created" "$(jqr '[.items[] | select(.action=="faq.create")] | length')" 2
check "audit: settings" "$(jqr '[.items[] | select(.action=="faq_bot.update")] | length')" 2
check "audit: tries not recorded" "$(jqr '[.items[] | select(.summary | test("try"; "i"))] | length')" 0

# --- Admins only ---
login() {
    out=$(curl -s -c "$T/$3.jar" -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login")
    [ "$(echo "$out" | tail -1)" = 200 ] || fail "login $1"
}
login bo@example.com agent-password-1 bo
check "agent cannot list FAQs" "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/bo.jar" "$URL/api/v1/faqs")" 403
grep -q "Saturday" "$T/hark.log" && fail "customer text in the log"
echo "PASS"
