#!/bin/sh
# 75-drain.sh - the routing queue drain (issue 10): drain time and peak RSS for 10,000 queued
# conversations, each beside an anchor measured in the same run on the same data:
#   queue:   10,000 new conversations (WhatsApp deliveries of 100, tests/fakes/wa_burst.py)
#            while the one team member online is at capacity, so all queue; then one team change
#            adds 50 online agents with capacity 200 each and the timers worker drains the queue.
#            Drain time = from that change until GET /api/v1/routing/queue says 0 (polled every
#            0.1 s). RSS sampled every 0.1 s during the drain; VmHWM is the process's peak.
#   routed:  the same 10,000 into a fresh database where those agents are in the team from the
#            start: each is routed on arrival. Its routing share = its time - the no-rules time.
#   ingest:  the same 10,000 into a database without rules (anchor: ingest alone, and its RSS).
# Ratios: drain time per conversation / routing cost per conversation on arrival; peak RSS of
# the queue run / peak RSS of the no-rules run. Bounded: about 1-2 minutes.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-./hark}
N=${BENCH_DRAIN_N:-10000}
W=build/bench/drain
rm -rf "$W"; mkdir -p "$W"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT
now() { date +%s.%N; }
rss_kb() { sed -n "s/^$2:[^0-9]*\([0-9]*\).*/\1/p" "/proc/$1/status"; }

start() { # start DB LOG
    "$HARK" serve --listen 127.0.0.1:0 --db "$1" > "$2" 2>&1 &
    PID=$!
    URL=""
    for _ in $(seq 1 300); do
        URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$2" | tail -1)
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { cat "$2"; exit 1; }
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=""; }
api() { # api METHOD PATH [BODY]
    curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "$URL$2"
}

# 51 agents: agent 1 online at capacity 0 (the team at first), 50 online with capacity 200.
seed() { # seed DB
    echo "bench-password-1" | "$HARK" agent add --db "$1" --email admin@bench.test --name Admin \
        --role admin --password-stdin > /dev/null 2>&1
    TOKEN=$("$HARK" token create --db "$1" --name bench 2>/dev/null)
    sqlite3 "$1" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO agent(email, password_hash, name, display_name, role, created_at)
SELECT 'a' || i || '@bench.test', 'x', 'A' || i, 'A' || i, 'agent', 0 FROM n;
INSERT INTO agent_profile(agent_id, capacity, availability, auto_presence)
SELECT id, CASE WHEN id = 1 THEN 0 ELSE 200 END, 'online', 0 FROM agent;
COMMIT;
SQL
}
setup() { # setup MEMBERS RULE(0|1): channel, team, rule -> WA
    WA=$(api POST /api/v1/channels '{"type":"whatsapp","name":"wa","settings":{"app_secret":"bench_secret","verify_token":"vt","access_token":"tok","phone_number_id":"800000000000002","api_base":"http://127.0.0.1:9/v19.0"}}' | jq -r .id)
    [ "$2" = 1 ] || return 0
    TEAM=$(api POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$1]}" | jq -r .id)
    api POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}" > /dev/null
}
burst() { # burst -> SEED_S
    t0=$(now)
    python3 tests/fakes/wa_burst.py "$URL" "$WA" bench_secret "$N" 2 d > "$W/burst.out"
    SEED_S=$(echo "$(now) $t0" | awk '{ printf "%.2f", $1 - $2 }')
}
all_members() { seq 1 51 | paste -sd, -; }
queued() { api GET /api/v1/routing/queue | jq -r .total; }

echo "# routing queue drain: $N conversations, 1 rule, a team of 51 agents (50 x capacity 200)"
# 1. anchor: ingest alone.
seed "$W/ingest.db"; start "$W/ingest.db" "$W/ingest.log"; setup "" 0
burst; INGEST_S=$SEED_S; INGEST_HWM=$(rss_kb $PID VmHWM); stop
# 2. anchor: routed on arrival.
seed "$W/routed.db"; start "$W/routed.db" "$W/routed.log"; setup "$(all_members)" 1
burst; ROUTED_S=$SEED_S; stop
routed_ok=$(sqlite3 "$W/routed.db" "SELECT count(*) FROM conversation WHERE assignee_id IS NOT NULL")
# 3. queued, then drained.
seed "$W/queue.db"; start "$W/queue.db" "$W/queue.log"; setup 1 1
burst; QUEUE_SEED_S=$SEED_S
Q0=$(queued)
RSS_BEFORE=$(rss_kb $PID VmRSS)
t0=$(now)
TEAM_ID=$(api GET /api/v1/teams | jq -r '.items[0].id')
api PUT "/api/v1/teams/$TEAM_ID" "{\"name\":\"Care\",\"members\":[$(all_members)]}" > /dev/null
peak=0
while :; do
    r=$(rss_kb $PID VmRSS); [ "$r" -gt "$peak" ] && peak=$r
    q=$(queued)
    [ "$q" = 0 ] && break
    sleep 0.1
done
DRAIN_S=$(echo "$(now) $t0" | awk '{ printf "%.2f", $1 - $2 }')
HWM=$(rss_kb $PID VmHWM)
stop
drained=$(sqlite3 "$W/queue.db" "SELECT count(*) FROM conversation WHERE assignee_id IS NOT NULL")
echo "queued before the drain: $Q0 (want $N); assigned after: $drained; routed on arrival: $routed_ok"
echo "ingest only (no rules):       ${INGEST_S}s for $N   peak RSS $((INGEST_HWM / 1024)) MiB"
echo "routed on arrival:            ${ROUTED_S}s for $N"
echo "queued on arrival:            ${QUEUE_SEED_S}s for $N"
echo "drain of the queue:           ${DRAIN_S}s for $N   RSS during drain max $((peak / 1024)) MiB (before $((RSS_BEFORE / 1024)) MiB), process peak $((HWM / 1024)) MiB"
awk -v n="$N" -v i="$INGEST_S" -v r="$ROUTED_S" -v d="$DRAIN_S" -v h="$HWM" -v ih="$INGEST_HWM" 'BEGIN {
    route = (r - i) * 1000 / n; drain = d * 1000 / n
    printf "per conversation: drain %.3f ms; routing on arrival %.3f ms (routed - ingest); ratio %.2f\n", drain, route, (route > 0 ? drain / route : 0)
    printf "peak RSS ratio, queue run / ingest-only run: %.2f\n", (ih > 0 ? h / ih : 0)
    print "target: drain per conversation of the order of routing on arrival (ratio <= ~2), peak RSS independent of queue depth (ratio near 1)"
}'
