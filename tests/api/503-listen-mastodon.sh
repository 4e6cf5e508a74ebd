#!/bin/sh
# 503-listen-mastodon.sh - `hark listen` against the Mastodon streaming fake (SSE): HTML is
# stripped and entities decoded, heartbeats/deletes/edits are skipped, the dropped connection
# is reconnected, the repeated update is deduplicated, and a bad token is refused.
set -eu
HARK=${HARK:?}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

python3 "$here/../fakes/mastodon_fake.py" --port-file "$tmp/port" --log "$tmp/log" \
    --updates 20 --drop-after 6 --token sekrit > /dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")

cat > "$tmp/q.txt" <<'Q'
acme     acme OR @acme
cafe     café NEAR/1 creme
link     acme has:link
reply    is:reply
fail     #acmefail refund
all      status
Q
timeout 30 "$HARK" listen --queries "$tmp/q.txt" --source "mastodon://127.0.0.1:$port" \
    --token sekrit --max-posts 20 --stats > "$tmp/out.jsonl" 2> "$tmp/err.txt"
cat "$tmp/err.txt"
test "$(grep -c '^connect' "$tmp/log")" -eq 2
grep -q ' 20 posts' "$tmp/err.txt"
grep -q ' 1 duplicates' "$tmp/err.txt"
grep -q ' 1 reconnects' "$tmp/err.txt"
test "$(jq -r .id "$tmp/out.jsonl" | sort -u | wc -l)" -eq 20
jq -se 'map(select(.text | test("Café & crème at Acme\nso good 🔥"))) | length > 0' "$tmp/out.jsonl" >/dev/null
jq -se 'map(select(.text | test("Café")) | .queries | index("cafe") != null) | all' "$tmp/out.jsonl" >/dev/null
jq -se 'map(select(.text | test("anyone tried")) | .queries | index("link") != null) | all' "$tmp/out.jsonl" >/dev/null
jq -se 'map(select(.text | test("REFUND")) | .queries | index("fail") != null) | all' "$tmp/out.jsonl" >/dev/null
jq -se 'map(select(.queries | index("reply"))) | length == 5' "$tmp/out.jsonl" >/dev/null
jq -se 'map(select(.author == "u0@m.example")) | length == 1' "$tmp/out.jsonl" >/dev/null

# A wrong token is refused (401) without retrying forever.
if timeout 20 "$HARK" listen --queries "$tmp/q.txt" --source "mastodon://127.0.0.1:$port" \
    --token wrong > /dev/null 2> "$tmp/err2.txt"; then
    echo "bad token accepted"; exit 1
fi
grep -q "refused the token" "$tmp/err2.txt"
echo "mastodon: ok"
