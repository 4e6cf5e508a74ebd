# Triage in the pipeline: every inbound message is stored with language, intent, sentiment,
# urgency and reasons; the inbox filters by them; agents correct labels; corrections export
# as training data; `hark model retrain` learns from shipped data plus corrections.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The default models build from the repository alone (mk/classify.mk): missing means no `make`.
[ -f "$ROOT/build/models/intent.bin" ] || fail "no build/models/intent.bin: run make first"
start_hark --models "$ROOT/build/models"
grep -q 'triage models loaded' "$T/hark.log" || fail "models not loaded"
admin_setup
new_channel "Web"
hook "$CH_ID" "$CH_SECRET" '{"id":"t1","from":{"id":"u1","name":"Ann"},"text":"This is the third time I write. You charged my card twice, this is fraud and my lawyer will hear about it. Refund me now!"}'
C1=$(jqr .conversation_id); M1=$(jqr .message_id)
hook "$CH_ID" "$CH_SECRET" '{"id":"t2","from":{"id":"u2","name":"Bo"},"text":"Just got my new jacket and I love it, thank you so much!"}'
C2=$(jqr .conversation_id)
hook "$CH_ID" "$CH_SECRET" '{"id":"t3","from":{"id":"u3","name":"Cy"},"text":"Bonjour, je voudrais savoir si vous livrez en Belgique et combien de temps prend la livraison."}'
C3=$(jqr .conversation_id)

req GET "/api/v1/conversations/$C1"
check "complaint intent" "$(jqr '.messages[0].triage.intent')" complaint
check "negative sentiment" "$(jqr '.messages[0].triage.sentiment')" negative
check "english" "$(jqr '.messages[0].triage.lang')" en
U=$(jqr '.messages[0].triage.urgency'); [ "$U" -ge 70 ] || fail "urgency $U below high"
jqr '.messages[0].triage.urgency_reasons[].code' | grep -q legal || fail "no legal reason: $(jqr '.messages[0].triage.urgency_reasons')"
check "conversation carries intent" "$(jqr .intent)" complaint
req GET "/api/v1/conversations/$C2"
check "praise" "$(jqr '.messages[0].triage.intent')" praise
check "positive" "$(jqr '.messages[0].triage.sentiment')" positive
req GET "/api/v1/conversations/$C3"
check "french" "$(jqr '.messages[0].triage.lang')" fr
S=$(jqr '.messages[0].triage.sentiment_score'); echo "score $S"

req GET '/api/v1/conversations?intent=complaint'; check "intent filter" "$(jqr '[.items[].id] | join(",")')" "$C1"
req GET '/api/v1/conversations?sentiment=positive'; check "sentiment filter" "$(jqr '[.items[].id] | join(",")')" "$C2"
req GET '/api/v1/conversations?urgency=high'; check "urgency filter" "$(jqr '[.items[].id] | join(",")')" "$C1"
req GET '/api/v1/conversations?urgency=extreme'; check "bad urgency" "$STATUS" 400

# Language "und" when unknown (handles, hashtags and codes are not words); a neutral question is
# a question, not a complaint; praise around a care problem is a complaint (issue 16).
hook "$CH_ID" "$CH_SECRET" '{"id":"t4","from":{"id":"u4","name":"Di"},"text":"@united #LAX #sunrise UAL212 LAX-JFK"}'
req GET "/api/v1/conversations/$(jqr .conversation_id)"
check "unknown language is und" "$(jqr '.messages[0].triage.lang')" und
hook "$CH_ID" "$CH_SECRET" '{"id":"t5","from":{"id":"u5","name":"Ed"},"text":"what time is boarding?"}'
C5=$(jqr .conversation_id)
req GET "/api/v1/conversations/$C5"
check "a neutral question" "$(jqr '.messages[0].triage.intent')/$(jqr '.messages[0].triage.sentiment')" question/neutral
hook "$CH_ID" "$CH_SECRET" '{"id":"t6","from":{"id":"u6","name":"Flo"},"text":"great, another delay. love it"}'
req GET "/api/v1/conversations/$(jqr .conversation_id)"
check "sarcasm is a complaint" "$(jqr '.messages[0].triage.intent')/$(jqr '.messages[0].triage.sentiment')" complaint/negative
req GET '/api/v1/conversations?intent=question'; check "question filter" "$(jqr '[.items[].id] | join(",")')" "$C5"


# An agent corrects a label; it shows, and exports as training data.
req POST "/api/v1/messages/$M1/triage" '{"intent":"request"}'
check "correct intent" "$(jqr .triage.intent)" request
req POST "/api/v1/messages/$M1/triage" '{"intent":"nonsense"}'; check "bad intent" "$STATUS" 422
req POST "/api/v1/messages/$M1/triage" '{}'; check "empty correction" "$STATUS" 422
req POST "/api/v1/messages/999999/triage" '{"intent":"praise"}'; check "missing message" "$STATUS" 404
req POST "/api/v1/conversations/$C2/messages" '{"text":"Thanks Bo!"}'; OUT=$(jqr .id)
req POST "/api/v1/messages/$OUT/triage" '{"intent":"praise"}'; check "outbound has no triage" "$STATUS" 409
req GET "/api/v1/conversations/$C1"; check "conversation intent corrected" "$(jqr .intent)" request
req GET '/api/v1/triage/corrections?model=intent'
echo "$BODY" | grep -q '^__label__request This is the third time I write' || fail "export: $BODY"
req GET '/api/v1/triage/corrections?model=sentiment'; check "no sentiment corrections" "$BODY" ""
stop_hark

# Retrain from shipped data plus the correction into a scratch models folder.
mkdir -p "$T/models"
"$HARK" model retrain --db "$DB" --models "$T/models" --data "$ROOT/build/classify-data" --epochs 2 \
    2> "$T/retrain.log" || { cat "$T/retrain.log"; fail "retrain"; }
grep -q '1 corrections' "$T/retrain.log" || fail "retrain did not use the correction: $(cat "$T/retrain.log")"
echo "I love it" | "$HARK" model predict --model "$T/models/intent.bin" | jq -e .label >/dev/null || fail "retrained model"
[ -f "$T/models/sentiment.bin" ] || fail "no sentiment model"
