#!/bin/sh
# 85-canned.sh - canned replies and the robotic-template detector (issue 21), each figure beside
# its anchor from this run:
#   1. canned-reply search over HTTP (GET /api/v1/canned?q=&limit=8, keep-alive) with 5,000
#      replies, p50/p99, beside the raw SQLite statement of the same search on the same database;
#   2. the detector's cost per reply in µs (in-process, a full ring of recent replies) beside the
#      reply's own cost: POST /conversations/{id}/messages (stored durably), and the whole
#      POST /reply-check round trip.
# Bounded: well under a minute. BENCH_CANNED and BENCH_QUERIES shrink it.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
N=${BENCH_CANNED:-5000}
Q=${BENCH_QUERIES:-1000}
W=build/bench/canned
rm -rf "$W"; mkdir -p "$W"
cc -O2 -o "$W/rawsearch" bench/canned/rawsearch.c $(pkg-config --cflags --libs sqlite3)
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc -o "$W/detector" bench/canned/detector.c src/care/reply_check.c \
    src/base/arena.c src/base/str.c src/base/log.c src/base/base.c src/base/clock.c \
    src/base/metrics.c src/base/buf.c -lpthread
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

DB="$W/canned.db"
echo "bench-password-1" | "$HARK" agent add --db "$DB" --email bench@example.com --name "Bench Agent" \
    --role admin --password-stdin >/dev/null
TOKEN=$("$HARK" token create --db "$DB" --name bench 2>/dev/null)
out=$("$HARK" channel add --db "$DB" --type api --name bench)
CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
python3 bench/canned/seed.py "$N" "$W/seed.sql" "$W/queries.txt" "$W/anchor.tsv"
sqlite3 "$DB" < "$W/seed.sql"
head -n "$Q" "$W/queries.txt" > "$W/q.txt"; head -n "$Q" "$W/anchor.tsv" > "$W/a.tsv"

"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --log-level warn > "$W/hark.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT"
stats() { sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "p50_ms=%.3f p99_ms=%.3f n=%d", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], NR }'; }
# curl_many FILE: one curl, one keep-alive connection, one request per config block; prints
# each request's total time in seconds, and fails when any answer was not a 2xx.
curl_many() {
    curl -s -K "$1" 2>/dev/null | grep -E '^[0-9]{3} ' > "$W/codes"
    bad=$(grep -cv '^2' "$W/codes" || true)
    [ "$bad" = 0 ] || { echo "FAIL: $bad answers were not 2xx: $(grep -v '^2' "$W/codes" | head -3)" >&2; exit 1; }
    cut -d' ' -f2 "$W/codes"
}

echo "# machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: p99s move with it)"
echo "# 1. canned-reply search, $N replies ($(sqlite3 "$DB" 'SELECT count(*) FROM canned_reply') stored), $Q queries"
: > "$W/search.cfg"
while IFS= read -r q; do
    enc=$(printf '%s' "$q" | jq -sRr @uri)
    printf 'url = "%s/api/v1/canned?q=%s&limit=8"\nheader = "Authorization: Bearer %s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{time_total}\\n"\nnext\n' \
        "$URL" "$enc" "$TOKEN" >> "$W/search.cfg"
done < "$W/q.txt"
curl_many "$W/search.cfg" > /dev/null # warm the page cache and the statement cache
http=$(curl_many "$W/search.cfg" | stats)
raw=$("$W/rawsearch" "$DB" 0 < "$W/a.tsv")
echo "hark GET /api/v1/canned   $http   (target p99 < 50 ms)"
echo "anchor raw SQLite search  $raw   (same statement, same database, no HTTP)"

echo "# 2. detector cost per reply beside the reply's own cost"
det=$("$W/detector" 20000)

echo "detector in-process       $det   (ring of 2048 recent replies full)"
payload='{"id":"b1","from":{"id":"ana","name":"Ana Bench"},"text":"Where is my order?"}'
sig=$(printf '%s' "$payload" | openssl dgst -sha256 -hmac "$SECRET" -r | sed 's/^\([0-9a-f]*\).*/sha256=\1/')
CONV=$(curl -s -H 'Content-Type: application/json' -H "X-Hark-Signature: $sig" --data-binary "$payload" \
    "$URL/hooks/$CH" | jq -r .conversation_id)
: > "$W/reply.cfg"; : > "$W/check.cfg"
for i in $(seq 1 300); do
    txt="Hi Ana, reply $i: your order left the warehouse today and reaches the Mitte store by Friday."
    for f in reply check; do
        path=messages; [ $f = check ] && path=reply-check
        printf 'url = "%s/api/v1/conversations/%s/%s"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"text\\":\\"%s\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{time_total}\\n"\nnext\n' \
            "$URL" "$CONV" "$path" "$TOKEN" "$txt" >> "$W/$f.cfg"
    done
done
check=$(curl_many "$W/check.cfg" | stats)
reply=$(curl_many "$W/reply.cfg" | stats)
echo "POST /reply-check (HTTP)  $check"
echo "POST /messages (stored)   $reply   (the reply's own cost: durable write, group commit)"
kill $PID; wait $PID 2>/dev/null || true; PID=""
