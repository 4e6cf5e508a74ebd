# Triage model versions: corrections posted through the API, a retrain in the server scored
# against the live model on the held-back slice, the versions listed with their scores, and
# switching / rolling back changing the server's predictions without a restart (and keeping
# the choice across one).
# sqlite-only: retrained model versions are files beside the SQLite database (none on PostgreSQL)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$ROOT/build/models/intent.bin" ] || fail "no build/models/intent.bin: run make first"
[ -f "$ROOT/build/classify-data/intent.all" ] || fail "no build/classify-data: run make first"
start_hark --models "$ROOT/build/models" --triage-data "$ROOT/build/classify-data"
admin_setup
new_channel "Web"

N=0
# post TEXT: a new customer message; sets MSG and CONV.
post() {
    N=$((N + 1))
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"m$N\",\"from\":{\"id\":\"u$N\",\"name\":\"C$N\"},\"text\":\"$1\"}"
    check "message $N stored" "$STATUS" 200
    MSG=$(jqr .message_id); CONV=$(jqr .conversation_id)
}
# intent_of TEXT: sets INTENT to the intent the server gives a new message now.
intent_of() {
    post "$1"
    req GET "/api/v1/conversations/$CONV"
    INTENT=$(jqr '.messages[0].triage.intent')
}

# Nothing to learn from yet: a plain answer, not a meaningless score.
req GET /api/v1/triage/models
check "list" "$STATUS" 200
check "one live version per kind" "$(jqr '[.versions[] | select(.status == "live") | .kind] | sort | join(",")')" "intent,sentiment"
check "shipped" "$(jqr '[.versions[].source] | unique | join(",")')" "shipped"
check "not ready" "$(jqr '.kinds[0].ready')" false
SHIPPED=$(jqr '.versions[] | select(.kind == "intent") | .id')
req POST /api/v1/triage/models/retrain '{}'
check "too few corrections" "$STATUS" 422
check "too few code" "$(jqr .error.code)" too_few_corrections
jqr .error.message | grep -q 'too few corrections' || fail "message: $BODY"

# The brand's own language: two made-up product words the shipped model has never seen.
intent_of "zorblax 999 is wobbling again"; BEFORE=$INTENT
[ "$BEFORE" != spam ] || fail "shipped model already says spam"
i=0
while [ $i -lt 40 ]; do
    i=$((i + 1))
    post "zorblax $i is wobbling again"
    req POST "/api/v1/messages/$MSG/triage" '{"intent":"spam"}'; check "correct $N" "$STATUS" 200
    post "my quibbleflux number $i arrived, what a quibbleflux"
    req POST "/api/v1/messages/$MSG/triage" '{"intent":"praise"}'; check "correct $N" "$STATUS" 200
done
req GET /api/v1/triage/models
check "corrections counted" "$(jqr '.kinds[] | select(.kind == "intent") | .corrections')" 80
HB=$(jqr '.kinds[] | select(.kind == "intent") | .held_back')
[ "$HB" -ge 10 ] && [ "$HB" -le 30 ] || fail "held back $HB of 80"
check "intent ready" "$(jqr '.kinds[] | select(.kind == "intent") | .ready')" true
check "sentiment not ready" "$(jqr '.kinds[] | select(.kind == "sentiment") | .ready')" false

# Sentiment has no corrections: asking for it alone is refused with the reason.
req POST /api/v1/triage/models/retrain '{"kinds":["sentiment"]}'
check "sentiment too few" "$STATUS" 422
req POST /api/v1/triage/models/retrain '{"kinds":["tone"]}'
check "unknown kind" "$STATUS" 422
req POST /api/v1/triage/models/retrain '{"force":"yes"}'
check "bad force" "$STATUS" 422

# wait_job ID: polls the job until it ends; sets BODY to it.
job_done() { req GET "/api/v1/triage/models/jobs/$1"; [ "$(jqr .state)" != running ]; }
wait_job() { wait_for "retrain job $1" 120 job_done "$1"; check "job $1 done" "$(jqr .state)" done; echo "job $1: $(jqr .started_at) .. $(jqr .finished_at)"; }

req POST /api/v1/triage/models/retrain '{}'
check "retrain accepted" "$STATUS" 202
JOB=$(jqr .id)
check "only intent is retrained" "$(jqr '[.kinds[].kind] | join(",")')" intent
wait_job "$JOB"
check "progress" "$(jqr .percent)" 100
check "went live" "$(jqr '.kinds[0].state')" live
V1=$(jqr '.kinds[0].version_id')
F1=$(jqr '.kinds[0].macro_f1'); LF1=$(jqr '.kinds[0].live_macro_f1')
echo "candidate macro-F1 $F1, live $LF1"
awk "BEGIN { exit !($F1 > $LF1) }" || fail "swapped but not better: $F1 vs $LF1"

# Versions listed with both scores on the same slice.
req GET /api/v1/triage/models
check "v1 live" "$(jqr ".versions[] | select(.id == $V1) | .status")" live
check "shipped now previous" "$(jqr ".versions[] | select(.id == $SHIPPED) | .status")" previous
check "compared with shipped" "$(jqr ".versions[] | select(.id == $V1) | .compared_with")" "$SHIPPED"
check "held back recorded" "$(jqr ".versions[] | select(.id == $V1) | .held_back")" "$HB"
check "trained on the rest" "$(jqr ".versions[] | select(.id == $V1) | .trained_on")" $((80 - HB))
check "per-class scores" "$(jqr ".versions[] | select(.id == $V1) | [.scores.classes[].label] | sort | join(\",\")")" "praise,spam"
check "live scores kept" "$(jqr ".versions[] | select(.id == $V1) | .live_scores.macro_f1 | tostring")" "$LF1"
check "since live" "$(jqr '.kinds[] | select(.kind == "intent") | .since_live')" 0

# The new model answers at once, no restart.
intent_of "zorblax 1234 is wobbling again"; check "retrained predicts spam" "$INTENT" spam

# Same data again: the candidate is no better than the live model, so it is kept aside.
req POST /api/v1/triage/models/retrain '{"kinds":["intent"]}'
check "second retrain" "$STATUS" 202
wait_job "$(jqr .id)"
check "not better: rejected" "$(jqr '.kinds[0].state')" rejected
V2=$(jqr '.kinds[0].version_id')
req GET /api/v1/triage/models
check "v1 still live" "$(jqr ".versions[] | select(.id == $V1) | .status")" live
check "v2 rejected" "$(jqr ".versions[] | select(.id == $V2) | .status")" rejected

# Roll back to the shipped model: predictions change back without a restart.
req POST "/api/v1/triage/models/$SHIPPED/activate"
check "roll back" "$STATUS" 200
check "shipped live" "$(jqr .status)" live
intent_of "zorblax 555 is wobbling again"; check "rolled back prediction" "$INTENT" "$BEFORE"
req GET /api/v1/triage/models
check "v1 previous" "$(jqr ".versions[] | select(.id == $V1) | .status")" previous
req POST /api/v1/triage/models/999999/activate
check "unknown version" "$STATUS" 404
req POST "/api/v1/triage/models/$V1/activate"
check "switch forward" "$STATUS" 200
intent_of "zorblax 556 is wobbling again"; check "switched prediction" "$INTENT" spam

# Bounded: past 5 retrained versions of a kind that are not live, the oldest go, files and all.
for _ in 1 2 3 4 5; do
    req POST /api/v1/triage/models/retrain '{"kinds":["intent"]}'
    check "another retrain" "$STATUS" 202
    wait_job "$(jqr .id)"
done
req GET /api/v1/triage/models
check "five kept besides the live one" "$(jqr '[.versions[] | select(.source == "retrain" and .status != "live")] | length')" 5
check "the oldest rejected one pruned" "$(jqr "[.versions[] | select(.id == $V2)] | length")" 0
check "files match the versions" "$(ls "$DB.models"/intent-*.bin | wc -l | tr -d ' ')" 6

# Admin only.
AGTOKEN=$("$HARK" token create --db "$DB" --name ag --role agent 2>/dev/null) || fail "agent token"
S=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGTOKEN" "$URL/api/v1/triage/models")
check "agents cannot see versions" "$S" 403
S=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $AGTOKEN" "$URL/api/v1/triage/models/$SHIPPED/activate")
check "agents cannot switch" "$S" 403

# The live choice survives a restart.
stop_hark
[ -f "$(ls "$DB.models"/intent-*.bin | head -1)" ] || fail "no version files beside the database"
start_hark --models "$ROOT/build/models" --triage-data "$ROOT/build/classify-data"
intent_of "zorblax 777 is wobbling again"; check "after restart" "$INTENT" spam
req GET /api/v1/triage/models
check "v1 live after restart" "$(jqr ".versions[] | select(.id == $V1) | .status")" live
stop_hark

# Without the shipped training sets there is nothing to retrain from: said plainly, and the
# versions still list and switch.
"$HARK" doctor --db "$DB" --models "$ROOT/build/models" --triage-data "$ROOT/build/classify-data" > "$T/doc.out" 2>&1
grep -q "^ok *triage-data " "$T/doc.out" || { cat "$T/doc.out"; fail "doctor: triage-data ok"; }
"$HARK" doctor --db "$DB" --models "$ROOT/build/models" --triage-data "$T/no-such-folder" > "$T/doc.out" 2>&1
grep -q "^warn *triage-data .*retraining from agents' corrections is refused" "$T/doc.out" || { cat "$T/doc.out"; fail "doctor: triage-data warn"; }
start_hark --models "$ROOT/build/models" --triage-data "$T/no-such-folder"
req POST /api/v1/triage/models/retrain '{}'
check "no training sets" "$STATUS" 503
check "no training sets code" "$(jqr .error.code)" retrain_unavailable
jqr .error.message | grep -q 'triage-data' || fail "message: $BODY"
req POST "/api/v1/triage/models/$SHIPPED/activate"
check "switch without training sets" "$STATUS" 200
stop_hark
echo "PASS"
