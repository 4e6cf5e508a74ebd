# CSAT after resolve (issue 17, item 1) as a client sees it: the admin's survey settings (with
# validation beside the field); a conversation resolved on the API channel gets, after the
# delay, one message with a one-time link to the survey page (only the token's hash stored);
# the page's API shows the question in the customer's language and takes a score, comment, NPS
# and extra answers once; the rating lands in the conversation as an event and on the agent's
# record (GET /api/v1/csat, heroes); a second or late answer is kept out and says so; never a
# survey to a blocked contact or after spam; one per conversation and the "once in N days" rule
# per contact; a kill -9 before the delay fires still sends it exactly once after the restart;
# the widget's stars.
. "$(dirname "$0")/lib.sh"
start_callback "" 200
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email ana@example.com --name "Ana Alves" \
    --display-name "Ana Alves" --role agent --password-stdin >/dev/null || fail "agent add"
ANA=$(dbq "SELECT id FROM agent WHERE email='ana@example.com'")
# dbq for a write while the server runs: tried again while SQLite is busy.
dbw() { wait_for "database write: $1" 10 dbq "$1"; }
login_ana() {
    curl -s -c "$T/ana.jar" -H 'Content-Type: application/json' \
        -d '{"email":"ana@example.com","password":"agent-password-1"}' "$URL/api/v1/login" | jq -r .csrf > "$T/ana.csrf"
}
login_ana
as_ana() { # as_ana METHOD PATH [BODY]
    BODY=$(curl -s -w '\n%{http_code}' -X "$1" -b "$T/ana.jar" -H "X-CSRF-Token: $(cat "$T/ana.csrf")" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2")
    STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
}
pub() { # pub METHOD TOKEN [BODY]: the survey page's API, no credentials
    BODY=$(curl -s -w '\n%{http_code}' -X "$1" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL/api/v1/survey/$2")
    STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
}
# The survey text holds a "\n": dash's echo would turn it into a raw newline inside JSON.
jqr() { printf '%s' "$BODY" | jq -r "$1"; }
new_channel "Kaffee Co" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"
N=0
# conv FROM NAME TEXT: a new conversation (its own thread) from customer FROM, assigned to Ana;
# sets CONV.
conv() {
    N=$((N + 1))
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"m$N\",\"thread_id\":\"t$N\",\"from\":{\"id\":\"$1\",\"name\":\"$2\"},\"text\":\"$3\"}"
    check "message $N" "$STATUS" 200
    CONV=$(jqr .conversation_id)
    as_ana POST "/api/v1/conversations/$CONV/assign" '{"agent_id":"me"}'; check "assign $CONV" "$STATUS" 200
    as_ana POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"Hi $2, a new grinder is on its way.\"}"
    check "reply on $CONV" "$STATUS" 201
}
resolve() { # resolve CONV [REASON]
    as_ana POST "/api/v1/conversations/$1/status" "{\"status\":\"resolved\"${2:+,\"reason\":\"$2\"}}"
    check "resolve $1${2:+ as $2}" "$STATUS" 200
}
surveys() { dbq "SELECT count(*) FROM survey WHERE conversation_id=$1"; }
sent() { dbq "SELECT count(*) FROM survey WHERE conversation_id=$1 AND sent_at IS NOT NULL"; }
delivered_link() { # the survey link delivered to the channel's callback for CONV's customer
    jq -r 'select(.status=="200") | .text' "$CB_LOG" | grep -o "http://[^ ]*/s/[A-Za-z0-9_-]*" | tail -1
}

# ---- settings ----------------------------------------------------------------------------
req GET /api/v1/settings/surveys; check "settings" "$STATUS" 200
check "off by default" "$(jqr .enabled)" false
check "default question" "$(jqr .questions.en)" "How would you rate the help you got today?"
as_ana GET /api/v1/settings/surveys; check "agents cannot read the settings" "$STATUS" 403
req PUT /api/v1/settings/surveys '{"delay_seconds":-1}'
check "negative delay" "$STATUS/$(jqr .error.field)" "422/delay_seconds"
req PUT /api/v1/settings/surveys '{"window_hours":0}'
check "no window" "$STATUS/$(jqr .error.field)" "422/window_hours"
req PUT /api/v1/settings/surveys '{"questions":{}}'
check "no question" "$STATUS/$(jqr .error.field)" "422/questions"
req PUT /api/v1/settings/surveys '{"questions":{"english":"How did we do?"}}'
check "bad language code" "$STATUS/$(jqr .error.field)" "422/questions"
req PUT /api/v1/settings/surveys "{\"questions\":{\"en\":\"$(head -c 301 /dev/zero | tr '\0' x)\"}}"
check "question too long" "$STATUS/$(jqr .error.field)" "422/questions"
req PUT /api/v1/settings/surveys '{"channels":["fax"]}'
check "unknown channel type" "$STATUS/$(jqr .error.field)" "422/channels"
req PUT /api/v1/settings/surveys '{"extra_questions":[{"text":"a","kind":"text"},{"text":"b","kind":"text"},{"text":"c","kind":"text"},{"text":"d","kind":"text"}]}'
check "four extra questions" "$STATUS/$(jqr .error.field)" "422/extra_questions"
req PUT /api/v1/settings/surveys '{"extra_questions":[{"text":"a","kind":"poll"}]}'
check "bad kind" "$STATUS/$(jqr .error.field)" "422/extra_questions"
req PUT /api/v1/settings/surveys '{"colour":"red"}'
check "unknown setting" "$STATUS/$(jqr .error.field)" "422/colour"
req PUT /api/v1/settings/surveys '{"enabled":true,"delay_seconds":1,"window_hours":2,"repeat_days":0,"channels":["api","webchat"],"questions":{"en":"How did we do today?","de":"Wie war unser Service heute?"},"nps_question":{"en":"How likely are you to recommend us?"},"extra_questions":[{"text":"What could we do better?","kind":"text"},{"text":"How fast was our answer?","kind":"score"}]}'
check "save settings" "$STATUS" 200
check "saved" "$(jqr '[.enabled, .delay_seconds, .window_hours, (.channels|join(",")), (.extra_questions|map(.id)|join(","))] | map(tostring) | join(" ")')" "true 1 2 api,webchat q1,q2"
req GET /api/v1/audit; check "audited" "$(jqr '[.items[] | select(.action=="survey_settings.update")] | length')" 1

# ---- a survey by link --------------------------------------------------------------------
conv u1 "Lena Berg" "My grinder is broken"; C1=$CONV
resolve "$C1"
check "queued once" "$(surveys "$C1")" 1
check "the agent at resolve" "$(dbq "SELECT agent_id FROM survey WHERE conversation_id=$C1")" "$ANA"
wait_for "survey sent" 20 sh -c "[ \$('$DBQ' '$DB' 'SELECT count(*) FROM survey WHERE conversation_id=$C1 AND sent_at IS NOT NULL') = 1 ]"
wait_for "survey delivered" 20 sh -c "grep -q '/s/' '$CB_LOG'"
LINK=$(delivered_link); TOK=${LINK##*/s/}
check "link on the public URL" "$(echo "$LINK" | grep -c "^$URL/s/[A-Za-z0-9_-]\{43\}$")" 1
check "question and link in one message" "$(jq -r 'select(.status=="200") | .text' "$CB_LOG" | grep -c "^How did we do today? Answer here (1 tap): $LINK$")" 1
check "only the hash stored" "$(dbq "SELECT count(*) FROM survey WHERE token_hash='$TOK'")/$(dbq "SELECT length(token_hash) FROM survey WHERE conversation_id=$C1")" "0/64"
req GET "/api/v1/conversations/$C1"; check "still resolved after sending" "$(jqr .status)" resolved

pub GET "$TOK"; check "page data" "$STATUS" 200
check "page" "$(jqr '[.brand_name, .question, .nps_question, .state, (.extra_questions|length)] | map(tostring) | join("|")')" "Kaffee Co|How did we do today?|How likely are you to recommend us?|open|2"
check "nothing of the customer's" "$(echo "$BODY" | grep -c 'Lena\|grinder')" 0
pub GET "not-a-token"; check "unknown link" "$STATUS" 404
pub POST "$TOK" '{"score":6}'; check "score out of range" "$STATUS/$(jqr .error.field)" "422/score"
pub POST "$TOK" '{"comment":"nice"}'; check "no score" "$STATUS/$(jqr .error.field)" "422/score"
pub POST "$TOK" '{"score":5,"nps":11}'; check "nps out of range" "$STATUS/$(jqr .error.field)" "422/nps"
pub POST "$TOK" '{"score":5,"extra":{"q9":"x"}}'; check "unknown extra" "$STATUS/$(jqr .error.field)" "422/extra"
pub POST "$TOK" '{"score":5,"extra":{"q2":"fast"}}'; check "extra score not a number" "$STATUS/$(jqr .error.field)" "422/extra"
pub POST "$TOK" "{\"score\":5,\"comment\":\"$(head -c 1001 /dev/zero | tr '\0' x)\"}"
check "comment too long" "$STATUS/$(jqr .error.field)" "422/comment"
check "nothing stored by refused answers" "$(dbq "SELECT count(*) FROM survey WHERE answered_at IS NOT NULL")" 0
pub POST "$TOK" '{"score":5,"comment":"Great help from Ana","nps":9,"extra":{"q1":"Nothing","q2":4}}'
check "answer" "$STATUS" 200
check "stored" "$(dbq "SELECT score||'|'||nps||'|'||comment||'|'||extra||'|'||via FROM survey WHERE conversation_id=$C1")" \
    '5|9|Great help from Ana|{"q1":"Nothing","q2":4}|link'
req GET "/api/v1/conversations/$C1/messages"
check "rating event in the conversation" "$(jqr '[.items[] | select(.kind=="event") | .text] | last')" "Rated 5 ★★★★★ — 'Great help from Ana' · NPS 9"
req GET "/api/v1/conversations/$C1"; check "not reopened" "$(jqr .status)" resolved
pub POST "$TOK" '{"score":1}'; check "second answer kept out" "$STATUS/$(jqr .error.code)" "409/already_answered"
check "says so" "$(jqr .error.message)" "you have already answered this survey — thank you!"
check "first answer kept" "$(dbq "SELECT score FROM survey WHERE conversation_id=$C1")" 5
pub GET "$TOK"; check "page says answered" "$(jqr .state)/$(jqr .score)" "answered/5"

# ---- once per conversation; resolving again asks nothing -----------------------------------
as_ana POST "/api/v1/conversations/$C1/status" '{"status":"open"}'; check "reopen" "$STATUS" 200
resolve "$C1"
check "one survey per conversation" "$(surveys "$C1")" 1

# ---- never after spam, never to a blocked contact ---------------------------------------
conv u2 "Sam Spam" "cheap pills"; C2=$CONV
resolve "$C2" spam
check "no survey after spam" "$(surveys "$C2")" 0
conv u3 "Rita Rude" "You are all useless"; C3=$CONV
CT3=$(dbq "SELECT contact_id FROM conversation WHERE id=$C3")
req POST "/api/v1/contacts/$CT3/block" '{"reason":"abusive"}'; check "block" "$STATUS" 200
resolve "$C3"
check "no survey to a blocked contact" "$(surveys "$C3")" 0
# Blocked after resolve, before the delay: cancelled, never sent.
req PUT /api/v1/settings/surveys '{"delay_seconds":3600}'; check "long delay" "$STATUS" 200
conv u4 "Bo Block" "Where is my order?"; C4=$CONV
resolve "$C4"
CT4=$(dbq "SELECT contact_id FROM conversation WHERE id=$C4")
req POST "/api/v1/contacts/$CT4/block" '{"reason":"threats"}'; check "block after resolve" "$STATUS" 200
dbw "UPDATE survey SET due_at = 0 WHERE conversation_id=$C4" # due now
# ---- restart before the delay fires: sent once after the restart --------------------------
conv u5 "Kim Kill" "My cup is cracked"; C5=$CONV
resolve "$C5"
check "queued, not sent" "$(surveys "$C5")/$(sent "$C5")" "1/0"
kill9_hark
dbw "UPDATE survey SET due_at = 0 WHERE conversation_id=$C5" # the delay has passed
start_hark
login_ana
wait_for "survey sent after restart" 20 sh -c "[ \$('$DBQ' '$DB' 'SELECT count(*) FROM survey WHERE conversation_id=$C5 AND sent_at IS NOT NULL') = 1 ]"
wait_for "blocked one cancelled" 20 sh -c "[ \"\$('$DBQ' '$DB' 'SELECT cancel_reason FROM survey WHERE conversation_id=$C4')\" = blocked ]"
check "blocked never sent" "$(sent "$C4")" 0
check "one survey message for C5" "$(dbq "SELECT count(*) FROM message WHERE conversation_id=$C5 AND text LIKE 'How did we do today?%'")" 1
stop_hark; start_hark; login_ana
check "still one after another restart" "$(dbq "SELECT count(*) FROM message WHERE conversation_id=$C5 AND text LIKE 'How did we do today?%'")" 1

# ---- late answers ------------------------------------------------------------------------
wait_for "C5 delivered" 20 sh -c "[ \$(jq -r 'select(.status==\"200\") | .text' '$CB_LOG' | grep -c '/s/') -ge 2 ]"
LINK5=$(delivered_link); TOK5=${LINK5##*/s/}
dbw "UPDATE survey SET expires_at = 1 WHERE conversation_id=$C5" # the window closed
pub GET "$TOK5"; check "page says expired" "$(jqr .state)" expired
pub POST "$TOK5" '{"score":2}'; check "late answer kept out" "$STATUS/$(jqr .error.code)" "410/expired"
check "says so" "$(jqr .error.message)" "this survey has closed, so your answer was not recorded"
check "not stored" "$(dbq "SELECT count(*) FROM survey WHERE conversation_id=$C5 AND answered_at IS NOT NULL")" 0

# ---- the contact's "once in N days" rule --------------------------------------------------
req PUT /api/v1/settings/surveys '{"delay_seconds":1,"repeat_days":30}'; check "repeat rule" "$STATUS" 200
conv u1 "Lena Berg" "And the lid is missing"; C6=$CONV
[ "$C6" != "$C1" ] || fail "want a new conversation for Lena"
resolve "$C6"
check "Lena was asked within 30 days" "$(surveys "$C6")" 0
req PUT /api/v1/settings/surveys '{"repeat_days":0}'; check "no repeat rule" "$STATUS" 200
as_ana POST "/api/v1/conversations/$C6/status" '{"status":"open"}'
resolve "$C6"
check "asked without the rule" "$(surveys "$C6")" 1

# ---- channel off: no survey -----------------------------------------------------------------
req PUT /api/v1/settings/surveys '{"channels":["webchat"]}'; check "webchat only" "$STATUS" 200
conv u7 "Otto Off" "Thanks"; C7=$CONV
resolve "$C7"
check "no survey on a channel switched off" "$(surveys "$C7")" 0

# ---- the widget's stars --------------------------------------------------------------------
req POST /api/v1/channels '{"type":"webchat","name":"Chat","settings":{"brand_name":"Kaffee Co"}}'
check "webchat" "$STATUS" 201; W=$(jqr .id)
VT=$(curl -s -X POST -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/widget/$W/session" | jq -r .token)
BODY=$(curl -s -H 'Content-Type: application/json' -H "X-Hark-Visitor: $VT" \
    -d '{"text":"Do you ship to Austria?","name":"Vera"}' "$URL/api/v1/widget/$W/messages")
CW=$(jqr .conversation.id)
as_ana POST "/api/v1/conversations/$CW/assign" '{"agent_id":"me"}'
as_ana POST "/api/v1/conversations/$CW/messages" '{"text":"Hi Vera, yes we do."}'; check "reply" "$STATUS" 201
resolve "$CW"
wait_for "widget survey sent" 20 sh -c "[ \$('$DBQ' '$DB' 'SELECT count(*) FROM survey WHERE conversation_id=$CW AND sent_at IS NOT NULL') = 1 ]"
BODY=$(curl -s -H "X-Hark-Visitor: $VT" "$URL/api/v1/widget/$W/messages")
SV=$(jqr '[.messages[] | select(.survey)] | last | .survey.id')
check "the widget sees the survey" "$(jqr '[.messages[] | select(.survey)] | last | .survey.state')" open
wsurvey() {
    BODY=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' -H "X-Hark-Visitor: $1" \
        --data-binary "$2" "$URL/api/v1/widget/$W/survey")
    STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
}
VT2=$(curl -s -X POST -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/widget/$W/session" | jq -r .token)
wsurvey "$VT2" "{\"survey_id\":$SV,\"score\":1}"; check "another visitor cannot answer" "$STATUS" 404
wsurvey "$VT" "{\"survey_id\":$SV,\"score\":0}"; check "no stars" "$STATUS/$(jqr .error.field)" "422/score"
wsurvey "$VT" "{\"survey_id\":$SV,\"score\":4,\"comment\":\"Quick answer\"}"; check "stars" "$STATUS" 200
wsurvey "$VT" "{\"survey_id\":$SV,\"score\":5}"; check "stars twice" "$STATUS" 409
BODY=$(curl -s -H "X-Hark-Visitor: $VT" "$URL/api/v1/widget/$W/messages")
check "the widget shows the rating" "$(jqr '[.messages[] | select(.survey)] | last | "\(.survey.state) \(.survey.score)"')" "answered 4"

# ---- figures and heroes -------------------------------------------------------------------
req GET /api/v1/csat
check "figures" "$(jqr '[.answered, .average, .nps, .comments] | map(tostring) | join(" ")')" "2 4.5 100 2"
check "scores" "$(jqr '.scores | map(tostring) | join(",")')" "0,0,0,1,1"
check "no heroes under 3 answers" "$(jqr '.heroes | length')" 0
req GET "/api/v1/csat?min_answers=2"; check "heroes" "$(jqr '.heroes[0] | "\(.name) \(.answers) \(.average)"')" "Ana Alves 2 4.5"
req GET "/api/v1/csat?channel=webchat"; check "by channel" "$(jqr .answered)/$(jqr .average)" "1/4"
req GET "/api/v1/csat?agent_id=$ANA&from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z"; check "by agent and period" "$(jqr .answered)" 2
req GET "/api/v1/csat?to=2000-01-01T00:00:00Z"; check "empty period" "$(jqr .answered)/$(jqr .average)" "0/null"
req GET "/api/v1/csat?from=yesterday"; check "bad period" "$STATUS" 400
req GET "/api/v1/csat?channel=fax"; check "bad channel" "$STATUS" 400
as_ana GET /api/v1/csat; check "Ana's own record" "$STATUS/$(jqr .agent_id)/$(jqr .answered)" "200/$ANA/2"
as_ana GET "/api/v1/csat?agent_id=1"; check "not someone else's" "$STATUS" 403
grep -q "Great help\|Quick answer" "$T/hark.log" && fail "customer text in the log"
echo "ok: no customer text logged"
echo "PASS"
