#!/bin/sh
# 502-listen-jetstream.sh - `hark listen` against the Jetstream fake: the fake drops the first
# connection mid-stream, the client reconnects with cursor = last time_us - 2 s, and the
# overlapping replay is deduplicated (every post exactly once); then a restart resumes from the
# persisted cursor file without repeating anything.
set -eu
HARK=${HARK:?}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

start_fake() { # $1 = name, rest = args; sets $port
    name=$1; shift
    python3 "$here/../fakes/jetstream_fake.py" --port-file "$tmp/$name.port" --log "$tmp/$name.log" \
        --lifetime 60 "$@" > /dev/null 2>&1 &
    pids="$pids $!"
    for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.1; done
    port=$(cat "$tmp/$name.port")
}

cat > "$tmp/q.txt" <<'Q'
acme      acme OR @acme*
refund    refund* OR rembourse
question  "worth it" is:reply
fr        lang:fr
all       post
Q

# 40 events, every 5th an identity event and every 7th a delete: 40 - 8 - 4 = 28 posts.
start_fake a --events 40 --drop-after 10
timeout 30 "$HARK" listen --queries "$tmp/q.txt" --source "jetstream://127.0.0.1:$port" \
    --max-posts 28 --stats > "$tmp/out1.jsonl" 2> "$tmp/err1.txt"
cat "$tmp/err1.txt"
grep -q "reconnects" "$tmp/err1.txt"
# Two connections, the second with a cursor.
test "$(grep -c '^connect' "$tmp/a.log")" -ge 2
grep -q '^connect cursor=-$' "$tmp/a.log"
grep -q '^connect cursor=1779719' "$tmp/a.log"
grep -q ' 1 reconnects' "$tmp/err1.txt"
# Every matching post exactly once, none missing.
ids=$(jq -r .id "$tmp/out1.jsonl" | sort)
test "$(echo "$ids" | uniq -d | wc -l)" -eq 0
test "$(echo "$ids" | wc -l)" -eq 28
grep -q '"queries":\["acme"' "$tmp/out1.jsonl"
jq -se 'map(select(.text | test("worth it")) | .queries | index("question") != null) | any' \
    "$tmp/out1.jsonl" > /dev/null
jq -se 'map(select(.lang == "fr") | .queries | (index("fr") != null and index("refund") != null))
        | length > 0 and all' "$tmp/out1.jsonl" > /dev/null
jq -se 'map(select(.text | test("post 7[)]"))) | length == 1' "$tmp/out1.jsonl" > /dev/null
grep -q ' 28 posts' "$tmp/err1.txt"

# Restart: the first run stops at the drop (--once) and saves its cursor; the second run
# resumes from the file and must deliver exactly the rest.
start_fake b --events 40 --drop-after 10
timeout 30 "$HARK" listen --queries "$tmp/q.txt" --source "jetstream://127.0.0.1:$port" \
    --cursor-file "$tmp/cursor" --once --quiet --stats 2> "$tmp/err2.txt"
cat "$tmp/err2.txt"
test -s "$tmp/cursor"
first=$(sed -n 's/.* \([0-9]*\) posts.*/\1/p' "$tmp/err2.txt")
saved=$(head -1 "$tmp/cursor")
timeout 30 "$HARK" listen --queries "$tmp/q.txt" --source "jetstream://127.0.0.1:$port" \
    --cursor-file "$tmp/cursor" --max-posts $((28 - first)) --quiet --stats 2> "$tmp/err3.txt"
cat "$tmp/err3.txt"
grep -q "connect cursor=$((saved - 2000000))" "$tmp/b.log"
second=$(sed -n 's/.* \([0-9]*\) posts.*/\1/p' "$tmp/err3.txt")
test $((first + second)) -eq 28
grep -q "cursor 1779719019000000" "$tmp/err3.txt"
echo "jetstream: ok ($first + $second posts across a restart)"
