#!/bin/sh
# 501-listen-file.sh - `hark listen` back-testing queries on saved JSON lines (a file and
# stdin): match output, query errors with their column, usage errors, and spike alerts.
set -eu
HARK=${HARK:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat > "$tmp/q.txt" <<'Q'
# id      query
late      (late OR delayed) AND (order OR parcel) -spam
acme      @acme OR #acme OR acme
fr        lang:fr (cher OR lent)
Q
cat > "$tmp/posts.jsonl" <<'P'
{"id":"1","text":"My ORDER is late again","author":"a","lang":"en"}
{"id":"2","text":"late spam order","lang":"en"}
{"id":"3","text":"C'est trop CHÈR","lang":"fr-CA"}
{"id":"4","text":"hey @Acme 🔥","lang":"en"}
not json at all
{"id":"5","text":"parcel DELAYED","lang":"en"}
P
"$HARK" listen --queries "$tmp/q.txt" --source "$tmp/posts.jsonl" > "$tmp/out.jsonl"
test "$(wc -l < "$tmp/out.jsonl")" -eq 4
jq -se '[.[] | {id, q: .queries}] == [{"id":"1","q":["late"]},{"id":"3","q":["fr"]},
        {"id":"4","q":["acme"]},{"id":"5","q":["late"]}]' "$tmp/out.jsonl" > /dev/null
# stdin is the default source
"$HARK" listen --queries "$tmp/q.txt" < "$tmp/posts.jsonl" | cmp - "$tmp/out.jsonl"

# A bad query names the query, the column and the problem; exit status 1.
printf 'ok acme\nbroken acme AND (late OR\n' > "$tmp/bad.txt"
if "$HARK" listen --queries "$tmp/bad.txt" --check 2> "$tmp/err.txt"; then exit 1; fi
grep -q "query 'broken': at column 18: expected a term after OR but found end of query" "$tmp/err.txt"
"$HARK" listen --queries "$tmp/q.txt" --check

# Usage errors exit 2; --help exits 0.
set +e
"$HARK" listen > /dev/null 2>&1; test $? -eq 2 || exit 1
"$HARK" listen --queries "$tmp/q.txt" --bogus > /dev/null 2>&1; test $? -eq 2 || exit 1
set -e
"$HARK" listen --help | grep -q 'jetstream://HOST'

# Spikes: 4 quiet 1-minute buckets of 2 posts, then a burst of 30 negative posts.
python3 - "$tmp/spike.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
n = 0
for minute in range(5):
    count = 2 if minute < 4 else 30
    for k in range(count):
        n += 1
        out.write(json.dumps({"id": "s%d" % n, "text": "acme broke again",
                              "created_at": "2026-05-25T14:%02d:%02d.000Z" % (minute, k),
                              "sentiment": "negative" if minute == 4 else "neutral"}) + "\n")
PY
"$HARK" listen --queries "$tmp/q.txt" --source "$tmp/spike.jsonl" --spikes --bucket-ms 60000 \
    --quiet > "$tmp/spikes.jsonl"
jq -se 'map(select(.type == "spike")) | map(.kind) | sort == ["negative", "volume"]' \
    "$tmp/spikes.jsonl" > /dev/null
jq -se 'map(select(.kind == "volume"))[0] | .query == "acme" and .count == 10 and
        (.posts | length) == 10 and .posts[0] == "s9"' "$tmp/spikes.jsonl" > /dev/null
echo "file: ok"
