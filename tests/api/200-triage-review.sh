# The "review triage" queue (active learning): ingest keeps each model's margin; the queue
# answers the least sure inbound messages first (newest first on a tie); a confirmation is a
# training label like a correction (in the export and the model counts), a second review
# replaces rather than duplicates, a skip hides the message from that agent only, blocked
# contacts never show, the text is bounded, and bad limits and bodies are clear 4xx.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$ROOT/build/models/intent.bin" ] || fail "no build/models/intent.bin: run make first"
start_hark --models "$ROOT/build/models"
admin_setup
new_channel "Web"

add_agent() { # add_agent EMAIL NAME
    echo "password-$1-x" | "$HARK" agent add --db "$DB" --email "$1" --name "$2" --role agent \
        --password-stdin >/dev/null || fail "agent add $1"
    curl -s -c "$T/jar.$1" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"password-$1-x\"}" "$URL/api/v1/login" | jq -r .csrf > "$T/csrf.$1"
    [ "$(cat "$T/csrf.$1")" != null ] || fail "login $1"
}
as() { # as EMAIL METHOD PATH [BODY]: a cookie request as that agent; sets STATUS and BODY
    local who=$1 m=$2 p=$3 body=${4:-}
    BODY=$(curl -s -w '\n%{http_code}' -X "$m" -b "$T/jar.$who" -H "X-CSRF-Token: $(cat "$T/csrf.$who")" \
        ${body:+-H 'Content-Type: application/json' --data-binary "$body"} "$URL$p")
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}
add_agent ann@example.com "Ann Agent"; add_agent bo@example.com "Bo Agent"
A=ann@example.com; B=bo@example.com

n=0
for text in "where is my order, it was due monday" "ok" "you charged me twice and nobody answers" \
    "love the new store layout, thanks Sarah" "hmm not sure about this" "can I change my delivery address" \
    "FREE IPHONE click here to claim" "is the blue jacket back in stock soon?"; do
    n=$((n + 1))
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"r$n\",\"from\":{\"id\":\"u$n\",\"name\":\"Cust $n\"},\"text\":\"$text\"}"
    check "hook $n" "$STATUS" 200
done
q() { dbq "$1"; }

# Ingest kept both margins and their smaller one, rounded, as the queue's key.
check "every message has its margins" "$(q "SELECT count(*) FROM message WHERE direction='in' AND intent_margin BETWEEN -1 AND 1 AND sentiment_margin BETWEEN -1 AND 1 AND sentiment_conf BETWEEN 0 AND 1")" 8
check "review margin is the smaller one, rounded" "$(q "SELECT count(*) FROM message WHERE direction='in' AND review_margin = round(CAST(CASE WHEN intent_margin < sentiment_margin THEN intent_margin ELSE sentiment_margin END AS NUMERIC), 2)")" 8

# Least sure first, newest first among equally unsure; 5 by default.
WANT=$(q "SELECT id FROM message WHERE review_margin IS NOT NULL ORDER BY review_margin, id DESC" | paste -sd, -)
as $A GET /api/v1/triage/review?limit=20; check "queue" "$STATUS" 200
check "ordered by uncertainty" "$(jqr '[.items[].message_id] | map(tostring) | join(",")')" "$WANT"
check "margins ascending" "$(jqr '[.items[].margin] | . == sort')" true
as $A GET /api/v1/triage/review; check "default limit 5" "$(jqr '.items | length')" 5
FIRST=$(jqr '.items[0].message_id')
check "item fields" "$(jqr '.items[0] | [has("text"), .channel_type, (.conversation_id > 0), (.intent | type), (.intent_conf | type), (.sentiment | type), (.sentiment_conf | type), .text_truncated] | map(tostring) | join(" ")')" "true api true string number string number false"
# Ties: two messages made equally unsure, the newer comes first.
OLD=$(q "SELECT id FROM message WHERE external_id='r2'"); NEW=$(q "SELECT id FROM message WHERE external_id='r5'")
q "UPDATE message SET review_margin = -0.5 WHERE id IN ($OLD, $NEW)"
as $A GET /api/v1/triage/review?limit=2
check "newest first among equally unsure" "$(jqr '[.items[].message_id] | map(tostring) | join(",")')" "$NEW,$OLD"

# Limits and bodies.
for l in 0 21 -1 abc 5x; do as $A GET "/api/v1/triage/review?limit=$l"; check "limit $l" "$STATUS" 400; done
as $A GET /api/v1/triage/review?limit=20; check "limit 20" "$STATUS" 200
as $A POST "/api/v1/messages/$NEW/triage" '{}'; check "empty body" "$STATUS" 422
as $A POST "/api/v1/messages/$NEW/triage" '{"confirm":"yes"}'; check "confirm not a boolean" "$STATUS" 422
as $A POST "/api/v1/messages/$NEW/triage" '{"skip":1}'; check "skip not a boolean" "$STATUS" 422
as $A POST "/api/v1/messages/$NEW/triage" '{"skip":true,"intent":"praise"}'; check "skip with a label" "$STATUS" 422
as $A POST "/api/v1/messages/$NEW/triage" '{"confirm":false}'; check "confirm false alone" "$STATUS" 422
as $A POST "/api/v1/messages/999999/triage" '{"confirm":true}'; check "confirm missing" "$STATUS" 404
as $A POST "/api/v1/messages/999999/triage" '{"skip":true}'; check "skip missing" "$STATUS" 404
C1=$(q "SELECT conversation_id FROM message WHERE id=$NEW")
req POST "/api/v1/conversations/$C1/messages" '{"text":"Hi Cust 5, happy to help"}'; OUTMSG=$(jqr .id)
as $A POST "/api/v1/messages/$OUTMSG/triage" '{"confirm":true}'; check "confirm outbound" "$STATUS" 409
as $A POST "/api/v1/messages/$OUTMSG/triage" '{"skip":true}'; check "skip outbound" "$STATUS" 409

# Confirm: recorded as a label like a correction; out of everyone's queue.
NEW_TEXT=$(q "SELECT text FROM message WHERE id=$NEW"); NEW_INTENT=$(q "SELECT intent FROM message WHERE id=$NEW")
NEW_SENT=$(q "SELECT sentiment FROM message WHERE id=$NEW")
as $A POST "/api/v1/messages/$NEW/triage" '{"confirm":true}'; check "confirm" "$STATUS" 200
check "labels unchanged" "$(jqr '.triage.intent + " " + .triage.sentiment')" "$NEW_INTENT $NEW_SENT"
as $B GET /api/v1/triage/review?limit=20
check "confirmed one gone for B too" "$(jqr "[.items[].message_id] | index($NEW)")" null
req GET '/api/v1/triage/corrections?model=intent'
check "confirmation in the intent export" "$(echo "$BODY" | grep -cx "__label__$NEW_INTENT $NEW_TEXT")" 1
req GET '/api/v1/triage/corrections?model=sentiment'
check "confirmation in the sentiment export" "$(echo "$BODY" | grep -cx "__label__$NEW_SENT $NEW_TEXT")" 1
# A second review by someone else replaces the first: one line still.
as $B POST "/api/v1/messages/$NEW/triage" '{"confirm":true}'; check "second confirm" "$STATUS" 200
req GET '/api/v1/triage/corrections?model=intent'
check "second review does not duplicate" "$(echo "$BODY" | grep -c " $NEW_TEXT\$")" 1
# Correct one field, confirm the other.
FIX=feedback; [ "$(q "SELECT intent FROM message WHERE id=$OLD")" = feedback ] && FIX=request
as $B POST "/api/v1/messages/$OLD/triage" "{\"intent\":\"$FIX\",\"confirm\":true}"; check "correct + confirm" "$STATUS" 200
OLD_TEXT=$(q "SELECT text FROM message WHERE id=$OLD"); OLD_SENT=$(q "SELECT sentiment FROM message WHERE id=$OLD")
req GET '/api/v1/triage/corrections?model=intent'
check "corrected intent exported" "$(echo "$BODY" | grep -cx "__label__$FIX $OLD_TEXT")" 1
req GET '/api/v1/triage/corrections?model=sentiment'
check "its sentiment confirmed" "$(echo "$BODY" | grep -cx "__label__$OLD_SENT $OLD_TEXT")" 1
# The models screen's counts: since the live (shipped) model, 2 intent labels of which 1 a confirmation.
req GET /api/v1/triage/models
check "intent waiting" "$(jqr '.kinds[] | select(.kind=="intent") | "\(.since_live) \(.since_live_confirmed)"')" "2 1"
check "sentiment waiting" "$(jqr '.kinds[] | select(.kind=="sentiment") | "\(.since_live) \(.since_live_confirmed)"')" "2 2"

# Skip: out of A's queue only, and no label recorded.
as $A GET /api/v1/triage/review?limit=1; SKIP=$(jqr '.items[0].message_id')
as $A POST "/api/v1/messages/$SKIP/triage" '{"skip":true}'; check "skip" "$STATUS" 200
as $A GET /api/v1/triage/review?limit=20
check "skipped gone for A" "$(jqr "[.items[].message_id] | index($SKIP)")" null
as $B GET /api/v1/triage/review?limit=20
check "still there for B" "$(jqr "[.items[].message_id] | index($SKIP) != null")" true
check "skip records no label" "$(q "SELECT count(*) FROM triage_correction WHERE message_id=$SKIP")" 0

# A blocked contact's messages never show.
BLK=$(jqr '.items[0].message_id'); BLKCT=$(q "SELECT c.contact_id FROM message m JOIN conversation c ON c.id=m.conversation_id WHERE m.id=$BLK")
req POST "/api/v1/contacts/$BLKCT/block" '{"reason":"abusive messages"}'; check "block" "$STATUS" 200
as $B GET /api/v1/triage/review?limit=20
check "blocked contact gone" "$(jqr "[.items[].message_id] | index($BLK)")" null

# The text is bounded (1000 characters) and is plain JSON text, markup and all.
LONG=$(printf '<b>x</b>%.0s' $(seq 1 400))
hook "$CH_ID" "$CH_SECRET" "{\"id\":\"long\",\"from\":{\"id\":\"u99\",\"name\":\"Long\"},\"text\":\"$LONG\"}"
LID=$(jqr .message_id)
q "UPDATE message SET review_margin = -0.9 WHERE id = $LID"
as $B GET /api/v1/triage/review?limit=1
check "long text cut" "$(jqr '.items[0].text | length')" 1000
check "cut flagged" "$(jqr '.items[0].text_truncated')" true
check "markup kept as text" "$(jqr '.items[0].text[0:8]')" "<b>x</b>"
stop_hark
echo "200-triage-review: ok"
