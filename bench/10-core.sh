#!/bin/sh
# 10-core.sh - Hark core benchmarks (issue 2), each figure beside its anchor from this run:
#   1. durable ingest of signed webhooks over HTTP keep-alive vs raw SQLite inserting the same
#      rows with the same durability and rows-per-commit;
#   2. conversation list latency with 1,000,000 conversations in the database;
#   3. idle RSS of `hark serve`.
# Bounded: about 2-4 minutes. BENCH_SECONDS and BENCH_CONVS shrink it.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
SECS=${BENCH_SECONDS:-10}
CONVS=${BENCH_CONVS:-1000000}
CONNS=${BENCH_CONNS:-32}
W=build/bench/core
rm -rf "$W"; mkdir -p "$W"
PKG="$(pkg-config --cflags --libs libcurl openssl)"
cc -O2 -o "$W/load" bench/core/load.c $PKG -lpthread
cc -O2 -o "$W/rawsqlite" bench/core/rawsqlite.c $(pkg-config --cflags --libs sqlite3)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

start() { # start DB LOG
    "$HARK" serve --listen 127.0.0.1:0 --db "$1" --log-level warn > "$2" 2>&1 &
    PID=$!
    # Log level warn hides the listening line, so find the port from /proc.
    for _ in $(seq 1 100); do
        PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    URL="http://127.0.0.1:$PORT"
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=""; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "# 1. durable webhook ingest ($CONNS keep-alive connections, ${SECS}s; WAL + synchronous=FULL)"
DB="$W/ingest.db"
out=$("$HARK" channel add --db "$DB" --type api --name bench)
CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
start "$DB" "$W/ingest.log"
res=$("$W/load" "$URL" "$CH" "$SECRET" "$CONNS" "$SECS" b)
metrics=$(curl -s "$URL/metrics")
stop
ok=$(echo "$res" | sed 's/.*ok=\([0-9]*\).*/\1/')
rate=$(echo "$res" | sed 's/.*rate=\([0-9]*\).*/\1/')
p50=$(echo "$res" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
p99=$(echo "$res" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
jobs=$(echo "$metrics" | sed -n 's/^hark_store_jobs_total //p')
batches=$(echo "$metrics" | sed -n 's/^hark_store_batches_total //p')
batch=$(awk -v j="$jobs" -v b="$batches" 'BEGIN { printf "%d", (b > 0 ? j / b + 0.5 : 1) }')
raw=$("$W/rawsqlite" "$W/raw.db" src/store/schema/001_init.sql "$ok" "$batch")
rawrate=$(echo "$raw" | sed 's/.*rate=\([0-9]*\).*/\1/')
raw1=$("$W/rawsqlite" "$W/raw1.db" src/store/schema/001_init.sql 2000 1)
raw1rate=$(echo "$raw1" | sed 's/.*rate=\([0-9]*\).*/\1/')
echo "hark ingest:           $res"
echo "anchor raw sqlite:     $raw   (same rows, same rows per fsync as hark's mean batch)"
echo "anchor raw sqlite 1/tx: $raw1"
echo "ingest messages/s      $rate   vs raw SQLite $rawrate   ratio $(ratio "$rate" "$rawrate")   (target >= 0.50, issue 15)"
echo "ingest latency ms      p50 $p50  p99 $p99   mean group commit $batch jobs"
rm -f "$W"/raw*.db*

echo
echo "# 2. conversation list with $CONVS conversations"
DB="$W/list.db"
"$HARK" channel add --db "$DB" --type api --name bench > /dev/null
"$HARK" agent add --db "$DB" --email bench@example.com --name "Bench Agent" --role admin > /dev/null
TOKEN=$("$HARK" token create --db "$DB" --name bench 2>/dev/null)
t0=$(date +%s)
sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
INSERT INTO channel(type, name, secret, created_at) VALUES ('api', 'second', 's', 0);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO contact(id, name, created_at, updated_at)
SELECT i, 'Customer ' || i, 0, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO conversation(id, channel_id, contact_id, status, assignee_id, labels, preview,
                         unread, message_count, last_message_at, created_at, updated_at)
SELECT i, 1 + (i % 2), i, CASE WHEN i % 5 = 0 THEN 'open' ELSE 'resolved' END,
       CASE WHEN i % 7 = 0 THEN 1 ELSE NULL END, CASE WHEN i % 50 = 0 THEN '["vip"]' ELSE '[]' END,
       'Order ' || i || ' has not arrived', 1, 1, 1700000000000 + i * 1000, 0, 0 FROM n;
INSERT INTO conversation_label(label, conversation_id, last_message_at)
    SELECT 'vip', id, last_message_at FROM conversation WHERE id % 50 = 0;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO message(conversation_id, channel_id, direction, kind, text, external_id, status, created_at)
SELECT i, 1 + (i % 2), 'in', 'message', 'Order ' || i || ' has not arrived, tracking ' ||
       hex(randomblob(4)), 'x' || i, 'received', 1700000000000 + i * 1000 FROM n;
COMMIT;
-- Hark's writer indexes each batch's messages; rows put here by hand are indexed at once.
INSERT INTO message_fts(message_fts) VALUES ('rebuild');
ANALYZE;
SQL
echo "seeded in $(( $(date +%s) - t0 ))s ($(du -h "$DB" | cut -f1))"
start "$DB" "$W/list.log"
lat() { # lat QUERY N -> prints p50 and p99 in ms of N requests
    i=0; : > "$W/lat"
    while [ $i -lt "$2" ]; do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/conversations?$1" >> "$W/lat"
        i=$((i + 1))
    done
    sort -n "$W/lat" | awk '{ v[NR] = $1 * 1000 } END { printf "p50 %.2f ms  p99 %.2f ms", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
}
# A deep page: the cursor of a conversation halfway down.
MID=$((CONVS / 2)); CUR="$((1700000000000 + MID * 1000))_$MID"
for q in "limit=50" "status=open&limit=50" "assignee=1&status=open&limit=50" "assignee=none&status=open&limit=50" \
         "channel=2&status=open&limit=50" "label=vip&limit=50" "status=open&order=oldest&limit=50" \
         "status=open&limit=50&cursor=$CUR"; do
    printf '%-45s %s   (target p99 <= 20 ms)\n' "$q" "$(lat "$q" 200)"
done
printf '%-45s %s   (search; at scale: bench/36-search.sh, target p99 <= 50 ms)\n' "q=Order%20999999" "$(lat "q=Order%20999999&limit=50" 20)"
RSS_LOADED=$(awk '/VmRSS/ { print $2 }' /proc/$PID/status)
stop
rm -f "$DB"*

echo
echo "# 3. idle RSS of hark serve (empty database, 2 s after start)"
start "$W/idle.db" "$W/idle.log"
sleep 2
RSS=$(awk '/VmRSS/ { print $2 }' /proc/$PID/status)
stop
echo "idle RSS               $((RSS / 1024)) MB ($RSS kB)   (target <= 30 MB)"
echo "RSS after list load    $((RSS_LOADED / 1024)) MB   (SQLite page cache, 16 MB cap per connection)"
