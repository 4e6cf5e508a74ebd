#!/bin/sh
# 30-web.sh - web app benchmarks (issue 3), each figure beside its target and an anchor from
# this run, measured in Debian's chromium (playwright-core, as the browser tests):
#   1. webhook accepted -> message visible in an open inbox (p50/p95; target p95 <= 100 ms),
#      beside the raw SSE delivery of the same event to a plain EventSource in the same page
#      and to a plain HTTP client in node;
#   2. size of the app's first load (JS + CSS) as served and compressed (target <= 200 KB);
#   3. inbox scroll and filter switching with 10,000 conversations: longest frame (target
#      <= 50 ms), beside the longest frame of the same page sitting idle.
# Bounded (about 1 minute); BENCH_WEB_N and BENCH_WEB_CONVS shrink it. No timing assertions.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HARK=${HARK:-build/rel/hark}
N=${BENCH_WEB_N:-60}
CONVS=${BENCH_WEB_CONVS:-10000}
W=build/bench/web
rm -rf "$W"; mkdir -p "$W"
[ -f web/dist/index.html ] || { echo "web/dist is not built (run make)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "skipped: /usr/bin/chromium is not installed"; exit 0; }
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    make -s tests/browser/node_modules/.stamp >/dev/null || { echo "skipped: no playwright-core"; exit 0; }
fi
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

start() { # start DB LOG
    "$HARK" serve --listen 127.0.0.1:0 --db "$1" --web-root "$ROOT/web/dist" > "$2" 2>&1 &
    PID=$!
    URL=""
    for _ in $(seq 1 200); do
        URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$2" | tail -1)
        [ -n "$URL" ] && break
        sleep 0.05
    done
    [ -n "$URL" ] || { cat "$2"; echo "hark did not start"; exit 1; }
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=""; }

agent() { # agent DB: the agent the browser logs in as, and an API token
    echo "bench-password-1" | "$HARK" agent add --db "$1" --email bench@example.com \
        --name "Bench Agent" --role admin --password-stdin > /dev/null 2>&1
    TOKEN=$("$HARK" token create --db "$1" --name bench 2>/dev/null)
}

# 1 and 2: a fresh database with one api channel.
DB="$W/live.db"
agent "$DB"
out=$("$HARK" channel add --db "$DB" --type api --name bench 2>/dev/null)
CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
start "$DB" "$W/live.log"
HARK_URL="$URL" HARK_TOKEN="$TOKEN" CH="$CH" SECRET="$SECRET" N="$N" MODE=live \
    timeout -k 5 120 node bench/web/bench.mjs
stop

# 3: 10,000 open conversations, seeded straight into the schema before hark starts.
DB="$W/big.db"
agent "$DB"
out=$("$HARK" channel add --db "$DB" --type api --name Social 2>/dev/null)
CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
"$HARK" channel add --db "$DB" --type api --name Email > /dev/null 2>&1
t0=$(date +%s)
sqlite3 "$DB" > /dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO contact(id, name, created_at, updated_at) SELECT i, 'Customer ' || i, 0, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO conversation(id, channel_id, contact_id, status, assignee_id, labels, intent, sentiment,
                         urgency, preview, unread, message_count, last_message_at, created_at,
                         updated_at)
SELECT i, 1 + (i % 2), i, 'open', CASE WHEN i % 7 = 0 THEN 1 ELSE NULL END,
       CASE WHEN i % 50 = 0 THEN '["vip"]' ELSE '[]' END,
       CASE i % 4 WHEN 0 THEN 'question' WHEN 1 THEN 'complaint' WHEN 2 THEN 'request' ELSE 'praise' END,
       CASE i % 3 WHEN 0 THEN 'negative' WHEN 1 THEN 'neutral' ELSE 'positive' END,
       (i * 37) % 101, 'Order ' || i || ' has not arrived and I would like to know where it is',
       i % 2, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000 - i * 60000, 0, 0 FROM n;
INSERT INTO conversation_label(label, conversation_id, last_message_at)
    SELECT 'vip', id, last_message_at FROM conversation WHERE id % 50 = 0;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO message(conversation_id, channel_id, direction, kind, text, external_id, status, created_at)
SELECT i, 1 + (i % 2), 'in', 'message', 'Order ' || i || ' has not arrived', 'x' || i, 'received',
       CAST(strftime('%s', 'now') AS INTEGER) * 1000 - i * 60000 FROM n;
COMMIT;
-- Hark's writer indexes each batch's messages; rows put here by hand are indexed at once.
INSERT INTO message_fts(message_fts) VALUES ('rebuild');
ANALYZE;
SQL
echo
echo "(seeded $CONVS conversations in $(( $(date +%s) - t0 ))s)"
start "$DB" "$W/big.log"
HARK_URL="$URL" HARK_TOKEN="$TOKEN" CH="$CH" SECRET="$SECRET" CONVS="$CONVS" MODE=big timeout -k 5 150 node bench/web/bench.mjs
stop
