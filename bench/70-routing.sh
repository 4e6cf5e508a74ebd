#!/bin/sh
# 70-routing.sh - routing, SLA clocks and timers (issue 7), each figure beside its anchor:
#   1. per inbound message, the routing + SLA work: the same signed webhooks (each a new
#      conversation, one keep-alive connection so latencies add up) ingested into two fresh
#      databases with 500 agents, one without rules (anchor: the ingest cost itself) and one with
#      100 routing rules (99 that do not match, then one best_match over a 50-agent team) and an
#      SLA policy. The difference per message is the routing + SLA cost on the request path; the
#      SLA recompute itself runs on the timers worker and shows as its share of CPU.
#   2. timers: 1,000,000 live persisted deadlines loaded by `hark serve` (RSS beside the same
#      server with no timers), and the lateness (fired_at - due_at, p50/p99) of 2,000 of them due
#      during the run. Target: lateness well under a second (SLA clocks count minutes).
# Bounded: about 1-2 minutes. BENCH_SECONDS (default 6) sizes part 1.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
SECS=${BENCH_SECONDS:-6}
W=build/bench/routing
rm -rf "$W"; mkdir -p "$W"
cc -O2 -o "$W/load" bench/meta/load_meta.c $(pkg-config --cflags --libs libcurl openssl) -lpthread
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT
field() { echo "$1" | sed "s/.*$2=\([0-9.]*\).*/\1/"; }
start() { # start DB LOG
    "$HARK" serve --listen 127.0.0.1:0 --db "$1" --log-level warn > "$2" 2>&1 &
    PID=$!
    PORT=""
    for _ in $(seq 1 300); do
        PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    URL="http://127.0.0.1:$PORT"
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=""; }
rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# A database with one api channel, 500 online agents (capacity 1000) in 10 teams of 50.
seed() { # seed DB -> CH, SECRET
    out=$("$HARK" channel add --db "$1" --type api --name bench 2>/dev/null)
    CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
    sqlite3 "$1" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO agent(email, password_hash, name, display_name, role, created_at)
SELECT 'a' || i || '@bench.test', 'x', 'A' || i, 'A' || i, 'agent', 0 FROM n;
INSERT INTO agent_profile(agent_id, skills, languages, capacity, availability)
SELECT id, CASE WHEN id % 7 = 0 THEN '["billing","returns"]' ELSE '["returns"]' END,
       CASE WHEN id % 3 = 0 THEN '["en","de"]' ELSE '["fr"]' END, 1000, 'online' FROM agent;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
INSERT INTO team(name, created_at, updated_at) SELECT 'team' || i, 0, 0 FROM n;
INSERT INTO team_member(team_id, agent_id) SELECT (id - 1) % 10 + 1, id FROM agent;
COMMIT;
SQL
}

run() { # run DB PREFIX -> RES, CPU (hark's CPU seconds during the load)
    start "$1" "$W/$2.log"
    t0=$(cpu_ticks $PID)
    RES=$("$W/load" "$URL" "$CH" "$SECRET" 1 "$SECS" "$2" api-new)
    sleep 1 # let the timers worker finish the last recomputes
    CPU=$(awk -v a="$t0" -v b="$(cpu_ticks $PID)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
    stop
}

echo "# 1. routing + SLA per inbound message: 100 rules, 500 agents; 1 keep-alive connection, ${SECS}s each"
seed "$W/plain.db"
run "$W/plain.db" plain
BASE=$RES; BASE_CPU=$CPU
seed "$W/routed.db"
sqlite3 "$W/routed.db" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
INSERT INTO routing_rule(name, position, languages, locations, team_id, strategy, created_at, updated_at)
SELECT 'never ' || i, i, '["xx"]', '["Nowhere"]', i % 10 + 1, 'least_loaded', 0, 0 FROM n;
INSERT INTO routing_rule(name, position, channels, skills, team_id, strategy, created_at, updated_at)
VALUES ('all api', 100, '["api"]', '["billing"]', 1, 'best_match', 0, 0);
INSERT INTO sla_policy(name, first_response_s, next_response_s, resolution_s, created_at, updated_at)
VALUES ('standard', 3600, 3600, 86400, 0, 0);
COMMIT;
SQL
run "$W/routed.db" routed
ROUTED=$RES
routed_n=$(sqlite3 "$W/routed.db" "SELECT count(*) FROM conv_sla WHERE rule_id IS NOT NULL")
timers_n=$(sqlite3 "$W/routed.db" "SELECT count(*) FROM timer")
echo "anchor, ingest only (no rules):   $BASE   hark cpu ${BASE_CPU}s"
echo "with 100 rules + 500 agents:      $ROUTED   hark cpu ${CPU}s"
echo "conversations routed: $routed_n   timers armed: $timers_n"
awk -v rb="$(field "$BASE" rate)" -v rr="$(field "$ROUTED" rate)" \
    -v pb="$(field "$BASE" p50_ms)" -v pr="$(field "$ROUTED" p50_ms)" \
    -v nb="$(field "$BASE" ok)" -v nr="$(field "$ROUTED" ok)" -v cb="$BASE_CPU" -v cr="$CPU" 'BEGIN {
    mb = rb > 0 ? 1e6 / rb : 0; mr = rr > 0 ? 1e6 / rr : 0
    printf "per message (mean): ingest %.0f us; with routing + SLA %.0f us; routing + SLA = %.0f us (%.0f%% of ingest)\n", mb, mr, mr - mb, (mb > 0 ? 100 * (mr - mb) / mb : 0)
    printf "per message (p50):  ingest %.0f us; with routing + SLA %.0f us; difference %.0f us\n", pb * 1000, pr * 1000, (pr - pb) * 1000
    printf "hark cpu per message: ingest %.0f us; with routing + SLA %.0f us\n", (nb > 0 ? cb * 1e6 / nb : 0), (nr > 0 ? cr * 1e6 / nr : 0)
    print "target: routing + SLA well below the ingest cost of the message (same order at most)"
}'

echo "# 2. timers: 1,000,000 live persisted deadlines"
DB="$W/timers.db"
"$HARK" channel add --db "$DB" --type api --name bench > /dev/null 2>&1
start "$DB" "$W/t0.log"
sleep 2
RSS0=$(rss_kb $PID)
stop
NOW=$(($(date +%s) * 1000))
# 998,000 far deadlines (1-30 days out) and 2,000 due 15-35 s from now (one every 10 ms).
sqlite3 "$DB" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 998000)
INSERT INTO timer(conversation_id, kind, due_at)
SELECT 1000000 + i, CASE i % 2 WHEN 0 THEN 'resolve_warning' ELSE 'resolve_breach' END,
       $NOW + 86400000 + (i * 2591) % (29 * 86400000) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO timer(conversation_id, kind, due_at)
SELECT i, 'resolve_breach', $NOW + 15000 + i * 10 FROM n;
COMMIT;
SQL
live=$(sqlite3 "$DB" "SELECT count(*) FROM timer WHERE fired_at IS NULL AND cancelled = 0")
t0=$(date +%s%N)
start "$DB" "$W/t1.log"
sleep 8
RSS1=$(rss_kb $PID)
end=$((NOW / 1000 + 50))
while [ "$(date +%s)" -lt "$end" ]; do
    n=$(sqlite3 "$DB" "SELECT count(*) FROM timer WHERE conversation_id <= 2000 AND fired_at IS NOT NULL" 2>/dev/null || echo 0)
    [ "$n" -ge 2000 ] && break
    sleep 1
done
stop
echo "live timers: $live"
awk -v a="$RSS0" -v b="$RSS1" 'BEGIN { printf "rss: %.1f MiB with no timers, %.1f MiB with 1,000,000 loaded: delta %.1f MiB (%.0f bytes per timer; heap item = 16 bytes)\n", a / 1024, b / 1024, (b - a) / 1024, (b - a) * 1024 / 1e6 }'
sqlite3 "$DB" "SELECT fired_at - due_at FROM timer WHERE conversation_id <= 2000 AND fired_at IS NOT NULL ORDER BY 1" > "$W/late.txt"
awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "lateness: no timer fired"; exit }
    printf "fired %d of 2000 due during the run; lateness p50 %d ms, p99 %d ms, max %d ms\n", NR, v[int((NR + 1) / 2)], v[(int(NR * 0.99) > 0 ? int(NR * 0.99) : 1)], v[NR]
}' "$W/late.txt"
echo "target: every due timer fires once; lateness p99 < 1000 ms (each firing is one durable store job)"
far=$(sqlite3 "$DB" "SELECT count(*) FROM timer WHERE conversation_id > 2000 AND fired_at IS NOT NULL")
echo "far timers fired early: $far (want 0)"
