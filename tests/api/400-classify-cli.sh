#!/bin/sh
# 400-classify-cli.sh - `hark model train/eval/predict` end to end on a small hand-made set:
# help texts, deterministic training, eval report, JSON-lines prediction, clean rejection of a
# corrupt model, and the full triage with the build's default models when they exist.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
models=$(cd "$(dirname "$0")/../.." && pwd)/build/models

for sub in train eval predict retrain; do
    "$HARK" model $sub --help | grep -q "usage: hark model $sub"
done
"$HARK" model --help | grep -q "subcommands"
rc=0; "$HARK" model train --data 2>/dev/null || rc=$?
[ $rc -eq 2 ]

cat > "$t/train.txt" <<'DATA'
__label__complaint my order is late and nobody answers
__label__complaint the parcel arrived broken, awful service
__label__complaint still waiting for my refund, terrible
__label__praise thank you so much, great service
__label__praise love it, amazing quality
__label__praise brilliant team, thanks for the help
__label__question what time do you open on sunday?
__label__question do you ship to canada?
__label__question how much is the annual plan?
DATA
"$HARK" model train --data "$t/train.txt" --out "$t/a.bin" --buckets 4096 --epochs 30 --quiet
"$HARK" model train --data "$t/train.txt" --out "$t/b.bin" --buckets 4096 --epochs 30 --quiet
cmp "$t/a.bin" "$t/b.bin"

"$HARK" model eval --model "$t/a.bin" --data "$t/train.txt" > "$t/eval.txt"
grep -q '^accuracy   1.0000' "$t/eval.txt"
grep -q '^macro-F1   1.0000' "$t/eval.txt"
grep -q 'confusion matrix' "$t/eval.txt"
"$HARK" model eval --model "$t/a.bin" --data "$t/train.txt" --json | jq -e '.accuracy == 1 and .classes.praise.recall == 1' >/dev/null

printf 'my parcel is late, awful\nthanks, great team\n\n\377\376 bad utf-8\n' |
    "$HARK" model predict --model "$t/a.bin" --top 2 > "$t/pred.jsonl"
[ "$(wc -l < "$t/pred.jsonl")" -eq 4 ]
jq -s -e '.[0].label == "complaint" and .[1].label == "praise" and (.[0].top | length) == 2' "$t/pred.jsonl" >/dev/null

head -c 100 "$t/a.bin" > "$t/trunc.bin"
rc=0; echo hi | "$HARK" model predict --model "$t/trunc.bin" 2> "$t/err.txt" || rc=$?
[ $rc -eq 1 ]
grep -q 'corrupt model' "$t/err.txt"

# lang.bin is optional (without it, language comes from libexttextcat).
if [ -f "$models/intent.bin" ] && [ -f "$models/sentiment.bin" ]; then
    printf 'I will sue you, the heater caught fire!!!\nmerci beaucoup pour votre aide\n@united #LAX #sunrise UAL212 LAX-JFK\n\n' |
        "$HARK" model predict --models "$models" --followers 50000 > "$t/triage.jsonl"
    # The API's field names (Triage in docs/openapi.yaml), and "und" for an unknown language:
    # handles, hashtags and codes leave too few letters to tell.
    jq -s -e '.[0].urgency >= 75 and (.[0].urgency_reasons | map(.code) | index("legal_threat") != null)
              and .[0].lang == "en" and .[1].lang == "fr" and .[2].lang == "und" and .[2].lang_conf == 0
              and .[3].lang == "und"
              and all(.[]; has("confidence") and (has("intent_conf") | not) and (has("reasons") | not))' \
        "$t/triage.jsonl" >/dev/null
fi
echo ok
