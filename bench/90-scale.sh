#!/bin/sh
# 90-scale.sh - several instances on PostgreSQL (issue 14), each figure beside its anchor from
# this run:
#   1. durable webhook ingest on PostgreSQL with 1, 2 and 3 `hark serve` (NATS between them),
#      msgs/s and p99, beside pgbench inserting the same message rows with the same rows per
#      commit (hark's mean group commit) from one connection per instance;
#   2. SQLite vs PostgreSQL, one instance, the same load;
#   3. event fan-out across instances: webhook accepted on A -> event at a client on C (p95).
# PostgreSQL runs with fsync and synchronous commit on (PG_DURABLE=1), on this machine's disk,
# next to the instances: on 2 cores the server, the instances and the load share the CPUs.
# Bounded: about 2-3 minutes. BENCH_SECONDS shortens each run.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
SECS=${BENCH_SECONDS:-8}
CONNS=${BENCH_CONNS:-24}
W=build/bench/scale
rm -rf "$W"; mkdir -p "$W"
PKG="$(pkg-config --cflags --libs libcurl openssl)"
cc -O2 -o "$W/load" bench/core/load.c $PKG -lpthread
PIDS=""
T=$W
. tests/lib/nats.sh
PG_DURABLE=1 PG_SHARED_BUFFERS=256MB
export PG_DURABLE PG_SHARED_BUFFERS
. tests/lib/pg.sh
cleanup_pids() { for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; PIDS=""; }
# nats.sh chains its stop before a function named cleanup (the EXIT trap it sets).
cleanup() { cleanup_pids; pg_stop; }
trap cleanup EXIT
pg_start > /dev/null
nats_start > /dev/null
# A NATS of its own per database: JetStream drops a message whose Nats-Msg-Id (the seq) it saw
# in the last 2 minutes, and each new database numbers its events from 1 again.
fresh_nats() { nats_stop || true; rm -rf "$NATS_DIR"; NATS_DIR=""; nats_start > /dev/null; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
field() { echo "$1" | sed -n "s/.*$2=\([0-9.]*\).*/\1/p"; }

# start DB LOG [NATS]: one `hark serve`; sets U to its URL (PIDS gets its pid).
start() {
    if [ -n "${3:-}" ]; then
        "$HARK" serve --listen 127.0.0.1:0 --db "$1" --nats "$3" > "$2" 2>&1 &
    else
        "$HARK" serve --listen 127.0.0.1:0 --db "$1" > "$2" 2>&1 &
    fi
    PIDS="$PIDS $!"
    U=""
    for _ in $(seq 1 200); do
        U=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$2" | tail -1)
        [ -n "$U" ] && return 0
        sleep 0.05
    done
    cat "$2" >&2; echo "hark did not start" >&2; exit 1
}

# run_ingest N DB: N instances on DB, CONNS connections split over them for SECS; sets R to
# "rate=R p99_ms=P batch=B" (summed rate, worst p99, mean group commit).
run_ingest() {
    n=$1 db=$2
    out=$("$HARK" channel add --db "$db" --type api --name bench 2>/dev/null)
    ch=$(echo "$out" | sed -n 's/^id: //p'); secret=$(echo "$out" | sed -n 's/^secret: //p')
    urls=""
    for i in $(seq 1 "$n"); do
        if [ "$n" -gt 1 ]; then start "$db" "$W/hark-$n-$i.log" "$HARK_TEST_NATS"
        else start "$db" "$W/hark-$n-$i.log"; fi
        urls="$urls $U"
    done
    per=$((CONNS / n))
    i=0 loads=""
    for u in $urls; do
        i=$((i + 1))
        "$W/load" "$u" "$ch" "$secret" "$per" "$SECS" "b$n$i" > "$W/load-$n-$i.txt" &
        loads="$loads $!"
    done
    for p in $loads; do wait "$p" || true; done
    jobs=0 batches=0
    for u in $urls; do
        m=$(curl -s "$u/metrics")
        jobs=$((jobs + $(echo "$m" | sed -n 's/^hark_store_jobs_total //p')))
        batches=$((batches + $(echo "$m" | sed -n 's/^hark_store_batches_total //p')))
    done
    cleanup_pids
    R=$(awk -v j="$jobs" -v b="$batches" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          rate += v["rate"]; if (v["p99_ms"] > p99) p99 = v["p99_ms"] }
        END { printf "rate=%d p99_ms=%.1f batch=%d\n", rate, p99, (b > 0 ? j / b + 0.5 : 1) }' \
        "$W"/load-"$n"-*.txt)
}

# pgbench_rate DB BATCH CLIENTS: message rows per second inserted by pgbench, BATCH rows per
# transaction, CLIENTS connections, for SECS.
pgbench_rate() {
    db=$1 batch=$2 clients=$3
    "$HARK" token list --db "$db" > /dev/null 2>&1 # hark's schema, migrated
    pg_psql "$db" -qc "INSERT INTO channel(type, name, secret, created_at) VALUES ('api', 'raw', 's', 0);
        INSERT INTO contact(name, created_at, updated_at) VALUES ('c', 0, 0);
        INSERT INTO conversation(channel_id, contact_id, last_message_at, created_at, updated_at)
        SELECT max(id), (SELECT max(id) FROM contact), 0, 0, 0 FROM channel;" >/dev/null
    conv=$(pg_psql "$db" -Atc "SELECT max(id) FROM conversation")
    chid=$(pg_psql "$db" -Atc "SELECT max(id) FROM channel")
    {
        echo "BEGIN;"
        for k in $(seq 1 "$batch"); do
            echo "INSERT INTO message(conversation_id, channel_id, direction, kind, text, external_id, public, status, created_at) VALUES ($conv, $chid, 'in', 'message', 'Where is my parcel? It was due on Monday and the tracking has not moved', 'raw-' || :client_id || '-' || nextval('raw_ext'), 0, 'received', 0);"
        done
        echo "COMMIT;"
    } > "$W/raw.sql"
    pg_psql "$db" -qc "CREATE SEQUENCE IF NOT EXISTS raw_ext" >/dev/null
    tps=$(pgbench -n -h 127.0.0.1 -p "$PG_PORT" -U hark -c "$clients" -j "$clients" -T "$SECS" \
        -f "$W/raw.sql" "$(echo "$db" | sed 's|.*/||')" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    awk -v t="$tps" -v b="$batch" 'BEGIN { printf "%d", t * b }'
}

echo "# 1. durable ingest on PostgreSQL ($CONNS keep-alive connections split over the instances, ${SECS}s each)"
for n in 1 2 3; do
    db=$(pg_newdb "ingest$n")
    fresh_nats
    run_ingest "$n" "$db"
    rate=$(field "$R" rate); p99=$(field "$R" p99_ms); batch=$(field "$R" batch)
    raw=$(pgbench_rate "$(pg_newdb "raw$n")" "$batch" "$n")
    printf "postgres %d instance(s): %6d msgs/s  p99 %6.1f ms  mean group commit %3d   vs pgbench %6d rows/s (%d rows/commit, %d conn)   ratio %s\n" \
        "$n" "$rate" "$p99" "$batch" "$raw" "$batch" "$n" "$(ratio "$rate" "$raw")"
    eval "PG_RATE_$n=$rate"
done

echo
echo "# 2. SQLite vs PostgreSQL, one instance, the same load"
run_ingest 1 "$W/sqlite.db"
lite=$(field "$R" rate)
printf "sqlite 1 instance:       %6d msgs/s  p99 %6.1f ms\n" "$lite" "$(field "$R" p99_ms)"
printf "postgres / sqlite:       %s\n" "$(ratio "$PG_RATE_1" "$lite")"

echo
echo "# 3. event fan-out across instances (PostgreSQL + NATS): webhook on A -> event at a client on C"
db=$(pg_newdb fanout)
fresh_nats
out=$("$HARK" channel add --db "$db" --type api --name fan 2>/dev/null)
ch=$(echo "$out" | sed -n 's/^id: //p'); secret=$(echo "$out" | sed -n 's/^secret: //p')
echo "bench-password-1" | "$HARK" agent add --db "$db" --email bench@example.com --name Bench \
    --role admin --password-stdin > /dev/null
token=$("$HARK" token create --db "$db" --name bench 2>/dev/null)
start "$db" "$W/fan-A.log" "$HARK_TEST_NATS"; A=$U
start "$db" "$W/fan-B.log" "$HARK_TEST_NATS"; B=$U
start "$db" "$W/fan-C.log" "$HARK_TEST_NATS"; C=$U
base=$(pg_psql "$db" -Atc 'SELECT coalesce(max(seq), 0) FROM event')
: > "$W/ev-C.txt"; : > "$W/acks.txt"
python3 tests/fakes/bus_tool.py record "$C" "$token" "$base" "$W/ev-C.txt" &
REC=$!
for _ in $(seq 1 100); do grep -q '^connected' "$W/ev-C.txt" && break; sleep 0.05; done
python3 tests/fakes/bus_tool.py flood "$W/acks.txt" fan 200 "$ch" "$secret" "$A" "$B" "$C"
sleep 1
kill $REC 2>/dev/null; wait $REC 2>/dev/null || true
echo "fan-out A -> C: $(python3 tests/fakes/bus_tool.py latency "$W/acks.txt" 0 "$W/ev-C.txt")"
echo "anchor: the same webhook's own 200 (acked) is the start of 'acked->event'; sent->event adds the durable write"
cleanup_pids
