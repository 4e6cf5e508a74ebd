#!/bin/sh
# 15-writer.sh - what the writer's truth checks cost: durable webhook ingest with the writer of
# today beside the writer before them (built from git at BENCH_WRITER_BASE, default 4d910e9,
# the last commit before "nothing is acknowledged unless it is durable"), and raw SQLite
# inserting the same rows with the same rows per commit. Runs alternate old/new/raw,
# BENCH_WRITER_RUNS times (default 3), and the medians are compared. Target: the new writer
# costs at most 5% of the old one's throughput.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
BASE=${BENCH_WRITER_BASE:-4d910e9}
RUNS=${BENCH_WRITER_RUNS:-3}
SECS=${BENCH_SECONDS:-6}
CONNS=${BENCH_CONNS:-32}
W=build/bench/writer
rm -rf "$W"; mkdir -p "$W"
PKG="$(pkg-config --cflags --libs libcurl openssl)"
cc -O2 -o "$W/load" bench/core/load.c $PKG -lpthread
cc -O2 -o "$W/rawsqlite" bench/core/rawsqlite.c $(pkg-config --cflags --libs sqlite3)

if ! git cat-file -e "$BASE^{commit}" 2>/dev/null; then
    echo "baseline $BASE is not in this clone's history; skipping the before/after comparison"
    exit 0
fi
echo "building the baseline writer ($BASE) ..."
mkdir -p "$W/base"
git archive "$BASE" | tar -x -C "$W/base"
# The baseline needs no dependency install (this tree's make did it) and no models.
mkdir -p "$W/base/build" && touch "$W/base/build/.deps-ok"
nice make -s -C "$W/base" build/rel/hark >/dev/null 2>&1 || { echo "baseline build failed"; exit 1; }
OLD="$W/base/build/rel/hark"

PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT
run() { # run BINARY NAME -> prints "rate batch"
    db="$W/$2.db"
    rm -f "$db"*
    out=$("$1" channel add --db "$db" --type api --name bench 2>/dev/null)
    ch=$(echo "$out" | sed -n 's/^id: //p'); secret=$(echo "$out" | sed -n 's/^secret: //p')
    "$1" serve --listen 127.0.0.1:0 --db "$db" --log-level warn --models none > "$W/$2.log" 2>&1 &
    PID=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    res=$("$W/load" "http://127.0.0.1:$port" "$ch" "$secret" "$CONNS" "$SECS" "$2")
    m=$(curl -s "http://127.0.0.1:$port/metrics")
    kill $PID; wait $PID 2>/dev/null || true; PID=""
    jobs=$(echo "$m" | sed -n 's/^hark_store_jobs_total //p')
    batches=$(echo "$m" | sed -n 's/^hark_store_batches_total //p')
    rate=$(echo "$res" | sed 's/.*rate=\([0-9]*\).*/\1/')
    ok=$(echo "$res" | sed 's/.*ok=\([0-9]*\).*/\1/')
    echo "$rate $(awk -v j="$jobs" -v b="$batches" 'BEGIN { printf "%d", (b > 0 ? j / b + 0.5 : 1) }') $ok"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "# durable ingest, triage off ($CONNS keep-alive connections, ${SECS}s a run, $RUNS runs each)"
: > "$W/old.txt"; : > "$W/new.txt"; : > "$W/raw.txt"
i=1
while [ $i -le "$RUNS" ]; do
    set -- $(run "$OLD" old$i); echo "$1" >> "$W/old.txt"; echo "run $i  old writer: $1 msgs/s (batch $2)"
    set -- $(run "$HARK" new$i); echo "$1" >> "$W/new.txt"; echo "run $i  new writer: $1 msgs/s (batch $2)"
    raw=$("$W/rawsqlite" "$W/raw.db" src/store/schema/001_init.sql "$3" "$2")
    rm -f "$W"/raw.db*
    echo "$raw" | sed 's/.*rate=\([0-9]*\).*/\1/' >> "$W/raw.txt"
    echo "run $i  raw SQLite: $raw"
    i=$((i + 1))
done
old=$(median < "$W/old.txt"); new=$(median < "$W/new.txt"); raw=$(median < "$W/raw.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
echo "median msgs/s    new $new   old $old   raw SQLite $raw"
echo "new / old        $(ratio "$new" "$old")   (target >= 0.95)"
echo "new / raw SQLite $(ratio "$new" "$raw")   old / raw SQLite $(ratio "$old" "$raw")"
