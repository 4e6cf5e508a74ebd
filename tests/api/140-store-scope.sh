# Store-staff scope, route by route. Every API_ANY route of src/api/routes.c is read from the
# table and must have a case below, or this test fails naming it: a new route gets a scope
# decision. Each case asks as store staff (Berlin Mitte) for an object or list out of their
# scope (it must fail with 404/403 or leave it out) and for one in scope (it must work). Also:
# a store staff member with no store sees only what is assigned to them, the SSE stream and
# its Last-Event-ID resume carry only in-scope conversations, and the reassign rule (agents
# and store staff move only unassigned conversations or their own; supervisors any).
. "$(dirname "$0")/lib.sh"
ROUTES="$(dirname "$0")/../../src/api/routes.c"
start_hark
admin_setup

add_agent() { # add_agent EMAIL NAME ROLE -> id
    echo "password-$1-x" | "$HARK" agent add --db "$DB" --email "$1" --name "$2" --role "$3" \
        --password-stdin >/dev/null || fail "agent add $1"
    dbq "SELECT id FROM agent WHERE email='$1'"
}
STAFF=$(add_agent staff@example.com "Sam Staff" store_staff)
LONE=$(add_agent lone@example.com "Lee Lone" store_staff)
AGENT=$(add_agent agent@example.com "Ann Agent" agent)
SUP=$(add_agent sup@example.com "Sue Super" supervisor)
"$HARK" agent add --db "$DB" --email bad@example.com --name Bad --role owner 2>&1 \
    | grep -q "want admin, supervisor, agent or store_staff" || fail "agent add accepted role owner"
req PATCH "/api/v1/agents/$STAFF/profile" '{"location":"Berlin Mitte"}'
check "staff store set" "$STATUS" 200

# A team and a rule with nobody online: every conversation waits in the routing queue.
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$AGENT]}"; check "team" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201

new_channel "Web"; W=$CH_ID; WS=$CH_SECRET
msg() { # msg EXTERNAL_ID FROM TEXT -> conversation id
    hook "$W" "$WS" "{\"id\":\"$1\",\"from\":{\"id\":\"$2\",\"name\":\"$2\"},\"text\":\"$3\"}"
    [ "$STATUS" = 200 ] || fail "hook $1: $STATUS $BODY"
    jqr .conversation_id
}
# In scope: a Berlin Mitte contact, and a store named in the text.
IN=$(msg i1 mia "Where is my parcel")
req PATCH "/api/v1/contacts/$(dbq "SELECT contact_id FROM conversation WHERE id=$IN")" \
    '{"location":"Berlin Mitte"}'
check "contact location" "$STATUS" 200
IN2=$(msg i2 noah "Is the berlin mitte store open on Sunday")
# Out of scope: another store's contact, and a conversation with no store at all.
OUT=$(msg o1 olga "My order is late")
OUTCT=$(dbq "SELECT contact_id FROM conversation WHERE id=$OUT")
req PATCH "/api/v1/contacts/$OUTCT" '{"location":"Hamburg"}'
OUT2=$(msg o2 otto "Hello there")
check "store from contact" "$(dbq "SELECT store FROM conversation WHERE id=$IN")" "Berlin Mitte"
check "store from text" "$(dbq "SELECT store FROM conversation WHERE id=$IN2")" "Berlin Mitte"
check "store of another contact" "$(dbq "SELECT store FROM conversation WHERE id=$OUT")" Hamburg
check "no store" "$(dbq "SELECT coalesce(store,'-') FROM conversation WHERE id=$OUT2")" -
req GET "/api/v1/conversations/$IN"; check "store in the API" "$(jqr .store)" "Berlin Mitte"
INMSG=$(dbq "SELECT id FROM message WHERE conversation_id=$IN LIMIT 1")
OUTMSG=$(dbq "SELECT id FROM message WHERE conversation_id=$OUT LIMIT 1")
INCT=$(dbq "SELECT contact_id FROM conversation WHERE id=$IN")

login() { # login EMAIL -> sets JAR_<n> CSRF in files
    curl -s -c "$T/jar.$1" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"password-$1-x\"}" "$URL/api/v1/login" | jq -r .csrf > "$T/csrf.$1"
    [ -s "$T/csrf.$1" ] && [ "$(cat "$T/csrf.$1")" != null ] || fail "login $1"
}
# as EMAIL METHOD PATH [BODY]: a cookie request as that agent; sets STATUS and BODY.
as() {
    local who=$1 m=$2 p=$3 body=${4:-}
    BODY=$(curl -s -w '\n%{http_code}' -X "$m" -b "$T/jar.$who" -H "X-CSRF-Token: $(cat "$T/csrf.$who")" \
        ${body:+-H 'Content-Type: application/json' --data-binary "$body"} "$URL$p")
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}
login staff@example.com; login lone@example.com; login agent@example.com; login sup@example.com
S=staff@example.com

# ---- one case per API_ANY route ------------------------------------------------------------
has() { echo "$BODY" | jq -e "$1" >/dev/null; }
# convs_of FILE: the conversation ids an SSE capture's events are about, one a line.
convs_of() { sed -n 's/^data: //p' "$1" | jq -r '.conversation.id // .conversation_id // empty' | sort -u; }
want_out() { # want_out NAME: the out-of-scope ask failed without revealing anything
    case "$STATUS" in 404|403) echo "ok: $1 out of scope ($STATUS)";; *) fail "$1 out of scope: $STATUS $BODY";; esac
}
want_in() { # want_in NAME [CODES]: the in-scope ask passed the scope check
    case " ${2:-200 201} " in *" $STATUS "*) echo "ok: $1 in scope ($STATUS)";; *) fail "$1 in scope: $STATUS $BODY";; esac
}
conv_case() { # conv_case METHOD SUFFIX BODY [IN_CODES]
    as $S "$1" "/api/v1/conversations/$OUT$2" "$3"; want_out "$1 conversations/{id}$2"
    check "$1 conversations/{id}$2: 404 as for a missing one" "$STATUS" 404
    as $S "$1" "/api/v1/conversations/$IN$2" "$3"; want_in "$1 conversations/{id}$2" "${4:-200 201}"
}
CB_IN=""; CB_OUT=""
# cb_setup: a callback asked for on $IN and one on $OUT (the customer picks the first slot).
cb_setup() {
    [ -n "$CB_IN" ] && return 0
    for c in $IN $OUT; do
        req POST "/api/v1/conversations/$c/callback-offer" '{}'; check "offer on $c" "$STATUS" 201
        tok=$(jqr .callback.url | sed 's|.*/callback/||'); id=$(jqr .callback.id)
        BODY=$(curl -s "$URL/api/v1/callback/$tok"); slot=$(jqr '.slots[0]')
        curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
            -d "{\"slot\":\"$slot\",\"phone\":\"+49 151 2345678\"}" "$URL/api/v1/callback/$tok" \
            | grep -qx 201 || fail "accept callback on $c"
        if [ "$c" = "$IN" ]; then CB_IN=$id; else CB_OUT=$id; fi
    done
}
run_case() {
    case "$1" in
    "GET /api/v1/conversations")
        for q in "" "?status=all" "?assignee=none" "?q=order" "?order=oldest" "?channel=$W"; do
            as $S GET "/api/v1/conversations$q"; want_in "list $q"
            has ".items | map(.id) | index($OUT) == null and index($OUT2) == null" || fail "list $q shows out of scope: $BODY"
        done
        as $S GET "/api/v1/conversations?status=all"
        has ".items | map(.id) | (index($IN) != null and index($IN2) != null)" || fail "list misses in-scope: $BODY"
        as $S GET "/api/v1/conversations?unanswered=true"; want_in "unanswered"
        check "unanswered only in scope" "$(jqr '[.items[].id] | sort | map(tostring) | join(",")')" \
            "$(printf '%s\n' "$IN" "$IN2" | sort -n | paste -sd,)" ;;
    "GET /api/v1/conversations/counts")
        as $S GET /api/v1/conversations/counts; want_in counts
        check "counts: open in scope" "$(jqr .open)" 2 ;;
    "GET /api/v1/conversations/{id}") conv_case GET "" "" ;;
    "GET /api/v1/conversations/{id}/messages") conv_case GET /messages "" ;;
    "POST /api/v1/conversations/{id}/messages") conv_case POST /messages '{"text":"On its way"}' 201 ;;
    "POST /api/v1/conversations/{id}/assign") conv_case POST /assign '{"agent_id":"me"}' ;;
    "POST /api/v1/conversations/{id}/status") conv_case POST /status '{"status":"pending"}' ;;
    "POST /api/v1/conversations/{id}/labels") conv_case POST /labels '{"add":["vip"]}' ;;
    "POST /api/v1/conversations/{id}/read") conv_case POST /read "" ;;
    "POST /api/v1/conversations/{id}/private-reply") conv_case POST /private-reply '{"text":"hi"}' "201 409 422" ;;
    "GET /api/v1/conversations/{id}/sla") conv_case GET /sla "" ;;
    # WhatsApp templates: these are API-channel conversations, so in scope means 422 (not 404).
    "GET /api/v1/conversations/{id}/templates") conv_case GET /templates "" 422 ;;
    "POST /api/v1/conversations/{id}/callback-offer") conv_case POST /callback-offer '{}' 201 ;;
    "GET /api/v1/callbacks")
        cb_setup
        as $S GET /api/v1/callbacks; want_in "callbacks list"
        has ".items | map(.conversation_id) | index($OUT) == null" || fail "callbacks out of scope: $BODY"
        has ".items | map(.conversation_id) | index($IN) != null" || fail "callbacks miss in scope: $BODY" ;;
    "POST /api/v1/callbacks/{id}/done")
        cb_setup
        as $S POST "/api/v1/callbacks/$CB_OUT/done" '{}'; want_out "callback done"
        check "callback done out of scope: 404 as for a missing one" "$STATUS" 404
        as $S POST "/api/v1/callbacks/$CB_IN/done" '{}'; want_in "callback done" ;;
    "POST /api/v1/conversations/{id}/reply-check") conv_case POST /reply-check '{"text":"Hello Ida, it is on its way"}' ;;
    "POST /api/v1/canned")
        as $S POST /api/v1/canned '{"title":"Store hours","shortcut":"mitte-hours","bodies":{"en":"Hi {contact.first_name}, we open at 9."}}'
        want_in "canned create (own)" 201; CANNED=$(jqr .id)
        as $S POST /api/v1/canned '{"title":"Team","shortcut":"team-x","bodies":{"en":"x"},"shared":true}'
        check "store staff cannot add a shared reply" "$STATUS" 403 ;;
    "GET /api/v1/canned"|"GET /api/v1/canned/overrides")
        as $S GET "${1#GET }"; want_in "$1" "200 403" ;;
    "GET /api/v1/canned/{id}") as $S GET "/api/v1/canned/$CANNED"; want_in "canned get" ;;
    "PUT /api/v1/canned/{id}")
        as $S PUT "/api/v1/canned/$CANNED" '{"title":"Store hours","shortcut":"mitte-hours","bodies":{"en":"Hi {contact.first_name}, we open at 10."}}'
        want_in "canned put (own)" ;;
    "POST /api/v1/canned/{id}/render")
        as $S POST "/api/v1/canned/$CANNED/render" "{\"conversation_id\":$OUT}"; want_out "canned render"
        check "render out of scope: 404 as for a missing one" "$STATUS" 404
        as $S POST "/api/v1/canned/$CANNED/render" "{\"conversation_id\":$IN}"; want_in "canned render" ;;
    "DELETE /api/v1/canned/{id}") ;; # below, after the loop: the other canned cases use it
    "POST /api/v1/messages/{id}/triage")
        as $S POST "/api/v1/messages/$OUTMSG/triage" '{"intent":"complaint"}'; want_out triage
        as $S POST "/api/v1/messages/$INMSG/triage" '{"intent":"complaint"}'; want_in triage ;;
    "GET /api/v1/triage/review")
        # Both messages made unsure (no models here); the queue holds the store's one only.
        IN2MSG=$(dbq "SELECT id FROM message WHERE conversation_id=$IN2 LIMIT 1")
        OUT2MSG=$(dbq "SELECT id FROM message WHERE conversation_id=$OUT2 LIMIT 1")
        dbq "UPDATE message SET intent='question', sentiment='neutral', review_margin=0.05 WHERE id IN ($IN2MSG, $OUT2MSG)"
        as $S GET "/api/v1/triage/review?limit=20"; want_in "review queue"
        check "review queue: the store's messages only" "$(jqr '[.items[].message_id] | map(tostring) | join(",")')" "$IN2MSG"
        as agent@example.com GET "/api/v1/triage/review?limit=20"
        has ".items | map(.message_id) | (index($IN2MSG) != null and index($OUT2MSG) != null)" || fail "agent's queue: $BODY" ;;
    "POST /api/v1/messages/{id}/retry")
        as $S POST "/api/v1/messages/$OUTMSG/retry" ""; want_out retry
        INREPLY=$(dbq "SELECT id FROM message WHERE conversation_id=$IN AND direction='out' LIMIT 1")
        as $S POST "/api/v1/messages/$INREPLY/retry" ""; want_in retry "200 409 422" ;;
    "GET /api/v1/contacts")
        for q in "" "?q=o"; do
            as $S GET "/api/v1/contacts$q"; want_in "contacts $q"
            has ".items | map(.id) | index($OUTCT) == null" || fail "contacts $q shows out of scope"
        done
        as $S GET /api/v1/contacts; has ".items | map(.id) | index($INCT) != null" || fail "contacts misses in scope" ;;
    "GET /api/v1/contacts/{id}")
        as $S GET "/api/v1/contacts/$OUTCT"; want_out "contact get"
        as $S GET "/api/v1/contacts/$INCT"; want_in "contact get"
        has ".conversations | map(.id) | index($OUT) == null" || fail "contact's conversations out of scope" ;;
    "PATCH /api/v1/contacts/{id}")
        as $S PATCH "/api/v1/contacts/$OUTCT" '{"notes":"x"}'; want_out "contact patch"
        as $S PATCH "/api/v1/contacts/$INCT" '{"notes":"regular"}'; want_in "contact patch"
        # Moving the customer would move their conversations of other stores into scope.
        as $S PATCH "/api/v1/contacts/$INCT" '{"location":"Hamburg"}'; check "staff cannot move a customer" "$STATUS" 403
        check "customer not moved" "$(dbq "SELECT location FROM contact WHERE id=$INCT")" "Berlin Mitte" ;;
    "GET /api/v1/contacts/{id}/block")
        as $S GET "/api/v1/contacts/$OUTCT/block"; want_out "contact block state"
        as $S GET "/api/v1/contacts/$INCT/block"; want_in "contact block state"
        check "not blocked" "$(jqr .blocked)" null ;;
    "POST /api/v1/contacts/{id}/block"|"DELETE /api/v1/contacts/{id}/block")
        # Blocking hides the customer from every store: store staff ask a colleague.
        as $S "${1%% *}" "/api/v1/contacts/$INCT/block" '{"reason":"rude"}'
        check "$1 closed to store staff" "$STATUS" 403
        check "still not blocked" "$(dbq "SELECT status FROM contact WHERE id=$INCT")" customer ;;
    "GET /api/v1/contacts/{id}/merge-suggestions"|"GET /api/v1/contacts/{id}/merges"|"GET /api/v1/contacts/{id}/merge")
        # Merge evidence names other stores' customers: closed to store staff, in or out.
        as $S GET "/api/v1/contacts/$INCT/${1##*/}"
        check "$1 closed to store staff" "$STATUS" 403 ;;
    "POST /api/v1/contacts/{id}/merge"|"POST /api/v1/contacts/{id}/merge-suggestions/dismiss")
        as $S POST "/api/v1/contacts/$INCT/${1#*\{id\}/}" "{\"other_id\":$OUTCT}"
        check "$1 closed to store staff" "$STATUS" 403
        check "nothing merged" "$(dbq "SELECT count(*) FROM contact_merge")" 0 ;;
    "GET /api/v1/contact-merges/{id}"|"POST /api/v1/contact-merges/{id}/undo")
        as $S "${1%% *}" "/api/v1/contact-merges/1${1##*\{id\}}"
        check "$1 closed to store staff" "$STATUS" 403 ;;
    "GET /api/v1/events")
        curl -s -N --max-time 3 -b "$T/jar.$S" -H 'Last-Event-ID: 0' "$URL/api/v1/events" > "$T/sse" || true
        convs_of "$T/sse" > "$T/sse.ids"
        grep -qx "$IN" "$T/sse.ids" || fail "stream misses in-scope events: $(cat "$T/sse.ids")"
        ! grep -qx "$OUT\|$OUT2" "$T/sse.ids" || fail "stream carries out-of-scope events"
        ! grep -q '^event: mention\|^event: listening' "$T/sse" || fail "listening events sent"
        echo "ok: events resumed from 0 only in scope" ;;
    "GET /api/v1/routing/queue")
        req GET /api/v1/routing/queue; ALL=$(jqr .total)
        as $S GET /api/v1/routing/queue; want_in queue
        has ".items | map(.conversation_id) | index($OUT) == null and index($OUT2) == null" || fail "queue out of scope: $BODY"
        [ "$(jqr .total)" -lt "$ALL" ] || fail "queue total not scoped: $(jqr .total) of $ALL" ;;
    "PATCH /api/v1/agents/{id}/profile")
        as $S PATCH "/api/v1/agents/$STAFF/profile" '{"location":"Hamburg"}'
        check "staff cannot move store" "$STATUS" 403
        as $S PATCH "/api/v1/agents/$STAFF/profile" '{"languages":["de"]}'; want_in "own profile" ;;
    "POST /api/v1/logout") ;; # last, below
    "PATCH /api/v1/me") as $S PATCH /api/v1/me '{"bio":"Berlin Mitte store"}'; want_in "me patch" ;;
    "POST /api/v1/me/password") as $S POST /api/v1/me/password '{"current":"nope","password":"short"}'; want_in "me password" "422 401" ;;
    "PUT /api/v1/me/availability") as $S PUT /api/v1/me/availability '{"availability":"away"}'; want_in availability ;;
    "GET /api/v1/listening/"*|"POST /api/v1/listening/"*|"PATCH /api/v1/listening/"*|"DELETE /api/v1/listening/"*)
        p=$(echo "$1" | cut -d' ' -f2 | sed 's/{id}/1/'); as $S "${1%% *}" "$p" '{}'
        check "$1 closed to store staff" "$STATUS" 403 ;;
    "GET /api/v1/conversations/{id}/root-cause") conv_case GET /root-cause "" ;;
    "PUT /api/v1/conversations/{id}/root-cause") conv_case PUT /root-cause '{"root_cause_id":1}' "200 422" ;;
    "GET /api/v1/conversations/{id}/goodwill") conv_case GET /goodwill "" ;;
    "POST /api/v1/conversations/{id}/goodwill")
        conv_case POST /goodwill '{"kind":"voucher","amount_minor":500,"root_cause_id":1}' "201 422" ;;
    "GET /api/v1/goodwill"|"GET /api/v1/goodwill/{id}"|"POST /api/v1/goodwill/{id}/"*|"GET /api/v1/reports/"*)
        # Approvals and the reports (across every store) are for supervisors and admins.
        p=$(echo "$1" | cut -d' ' -f2 | sed 's/{id}/1/'); as $S "${1%% *}" "$p" '{}'
        check "$1 closed to store staff" "$STATUS" 403 ;;
    "GET /api/v1/csat")
        # Satisfaction figures span every store and name agents of all: closed to store staff.
        as $S GET /api/v1/csat; check "csat closed to store staff" "$STATUS" 403 ;;
    "GET "*) # the team's setup: no customer data, open to everyone
        p=$(echo "$1" | cut -d' ' -f2 | sed "s/{id}/$STAFF/")
        as $S GET "$p"; want_in "$1" "200 404" ;;
    *) return 1 ;;
    esac
}
# (Lines joined first: a long route is written over two lines.)
ANY=$(tr '\n' ' ' < "$ROUTES" | grep -o '{ "[A-Z]*", "/api/v1/[^"]*", api__[a-z_]*, *API_ANY' | sed 's/{ "\([A-Z]*\)", "\([^"]*\)".*/\1 \2/')
[ "$(echo "$ANY" | wc -l)" -gt 30 ] || fail "could not read the route table"
echo "$ANY" | while read -r route; do
    run_case "$route" || fail "route '$route' has no store-scope case in $0: decide (src/api/scope.c) and add one"
done || exit 1

as $S DELETE "/api/v1/canned/$(dbq "SELECT id FROM canned_reply WHERE shortcut='mitte-hours'")"
want_in "canned delete (own)" "200 204"

# A GET the generic case let through must be one that shows no customer data.
for p in /api/v1/agents /api/v1/teams /api/v1/channels; do
    as $S GET "$p"; ! echo "$BODY" | grep -q "olga\|otto" || fail "$p shows customers"
done

# Store staff with no store see only what is assigned to them.
req POST "/api/v1/conversations/$OUT2/assign" "{\"agent_id\":$LONE}"; check "assign to lone" "$STATUS" 200
as lone@example.com GET "/api/v1/conversations?status=all"
check "no store: only assigned" "$(jqr '[.items[].id] | map(tostring) | join(",")')" "$OUT2"
as lone@example.com GET "/api/v1/conversations/$IN"; check "no store: others 404" "$STATUS" 404

# Reassigning: agents take unassigned ones and hand over their own; only supervisors and
# admins move another agent's conversation.
req POST "/api/v1/conversations/$OUT/assign" "{\"agent_id\":$SUP}"; check "admin assigns" "$STATUS" 200
as agent@example.com POST "/api/v1/conversations/$OUT/assign" '{"agent_id":"me"}'
check "agent takes another's" "$STATUS" 403
check "403 says why" "$(jqr .error.message)" "only a supervisor or admin can reassign another agent's conversation"
check "still the supervisor's" "$(dbq "SELECT assignee_id FROM conversation WHERE id=$OUT")" "$SUP"
as sup@example.com POST "/api/v1/conversations/$OUT/assign" "{\"agent_id\":$AGENT}"
check "supervisor reassigns" "$STATUS" 200
as agent@example.com POST "/api/v1/conversations/$OUT/assign" "{\"agent_id\":$SUP}"
check "agent hands over own" "$STATUS" 200
UNASSIGNED=$(msg u1 uma "New question")
as agent@example.com POST "/api/v1/conversations/$UNASSIGNED/assign" '{"agent_id":"me"}'
check "agent takes unassigned" "$STATUS" 200

# A live stream: an out-of-scope event never reaches store staff; an in-scope one does.
curl -s -N --max-time 4 -b "$T/jar.$S" "$URL/api/v1/events" > "$T/live" &
LIVE=$!
sleep 1
msg o3 olga "Another question" >/dev/null
msg i3 mia "And one more" >/dev/null
wait $LIVE
convs_of "$T/live" > "$T/live.ids"
grep -qx "$IN" "$T/live.ids" || fail "live stream misses the in-scope message"
! grep -qx "$OUT" "$T/live.ids" || fail "live stream carries the out-of-scope message"
echo "ok: live stream filtered"

# Moving store staff to another store ends their stream (it reconnects with the new scope).
curl -s -N --max-time 20 -b "$T/jar.lone@example.com" "$URL/api/v1/events" > "$T/lone.sse" &
STREAM=$!
wait_for "the stream to open" 10 test -s "$T/lone.sse"
req PATCH "/api/v1/agents/$LONE/profile" '{"location":"Hamburg"}'; check "move lone to Hamburg" "$STATUS" 200
wait $STREAM; rc=$?
[ $rc -ne 28 ] || fail "the stream outlived the store change"
echo "ok: stream ended by the store change"
as lone@example.com GET "/api/v1/conversations/$OUT"; check "new store in scope at once" "$STATUS" 200

as $S POST /api/v1/logout ""; check "logout" "$STATUS" 200
echo "PASS"
